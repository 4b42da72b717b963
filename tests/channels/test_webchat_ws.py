"""Live web chat over WebSocket: a visitor writes, an agent sees it live and answers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from starlette.websockets import WebSocketDisconnect

from kefu.app import create_app
from kefu.settings import Settings


@pytest.fixture
def live(database_url: str) -> Iterator[tuple[TestClient, FastAPI]]:
    app = create_app(
        Settings(env="test", database_url=database_url, secret_key=SecretStr("w" * 40))
    )
    with TestClient(app) as client:
        yield client, app


def _shop_and_agent(client: TestClient) -> tuple[str, str]:
    """Create a shop and an owner through the CLI-level services, return slug and API token."""
    import uuid

    from kefu.accounts.permissions import Role
    from kefu.accounts.principal import Principal
    from kefu.accounts.schemas import TokenCreate, UserCreate
    from kefu.accounts.service import create_api_token, create_shop, create_user
    from kefu.shared.clock import utcnow

    db = client.app.state.db  # type: ignore[attr-defined]
    slug = f"chat-{uuid.uuid4().hex[:8]}"

    async def make() -> str:
        async with db.session() as session:
            shop = await create_shop(session, slug=slug, name="聊天店", now=utcnow())
            owner = await create_user(
                session,
                actor=None,
                shop_id=shop.id,
                now=utcnow(),
                data=UserCreate(
                    email=f"owner-{slug}@example.com",
                    name="店长",
                    password="long-password",
                    role=Role.OWNER,
                ),
            )
            actor = Principal(shop_id=shop.id, role=Role.OWNER, user_id=owner.id)
            _t, secret = await create_api_token(
                session, actor=actor, now=utcnow(), data=TokenCreate(name="ws", role=Role.AGENT)
            )
            return secret

    return slug, client.portal.call(make)  # type: ignore[union-attr]


def _until(ws: Any, kind: str) -> dict[str, Any]:
    for _ in range(20):
        frame = ws.receive_json()
        if frame["type"] == kind:
            return frame
    raise AssertionError(f"no {kind} frame")


def test_visitor_message_reaches_agent_and_reply_reaches_visitor(
    live: tuple[TestClient, FastAPI],
) -> None:
    client, _app = live
    slug, token = _shop_and_agent(client)
    bearer = {"Authorization": f"Bearer {token}"}
    with client.websocket_connect("/ws/agent", headers=bearer) as agent:
        assert agent.receive_json()["type"] == "welcome"
        with client.websocket_connect(f"/ws/chat/{slug}") as visitor:
            welcome = visitor.receive_json()
            assert welcome["type"] == "welcome" and welcome["visitor"]
            visitor.send_json({"type": "send", "client_id": "c1", "body": "<b>在吗</b>"})
            ack = _until(visitor, "ack")
            assert ack["message"]["body"] == "<b>在吗</b>" and not ack["duplicate"]
            seen = _until(agent, "message.created")
            assert seen["data"]["id"] == ack["message"]["id"]
            conversation_id = seen["conversation_id"]
            reply = client.post(
                f"/api/v1/conversations/{conversation_id}/messages",
                json={"body": "您好，在的"},
                headers=bearer,
            )
            assert reply.status_code == 201
            client.post(
                f"/api/v1/conversations/{conversation_id}/messages",
                json={"body": "内部备注", "internal": True},
                headers=bearer,
            )
            pushed = _until(visitor, "message")
            assert pushed["message"]["body"] == "您好，在的"
            visitor.send_json({"type": "ping"})
            assert _until(visitor, "pong")  # the internal note never reached the visitor


def _frames_until_pong(ws: Any) -> list[dict[str, Any]]:
    ws.send_json({"type": "ping"})
    frames = []
    for _ in range(20):
        frame = ws.receive_json()
        if frame["type"] == "pong":
            return frames
        frames.append(frame)
    raise AssertionError("no pong")


def test_sender_gets_its_message_once_in_the_ack_and_its_other_tab_gets_it_live(
    live: tuple[TestClient, FastAPI],
) -> None:
    client, _app = live
    slug, _token = _shop_and_agent(client)
    with client.websocket_connect(f"/ws/chat/{slug}") as tab1:
        token_v = tab1.receive_json()["visitor"]
        with client.websocket_connect(f"/ws/chat/{slug}?visitor={token_v}") as tab2:
            tab2.receive_json()
            tab1.send_json({"type": "send", "client_id": "t1", "body": "两个标签页"})
            frames = [f for f in _frames_until_pong(tab1) if f["type"] != "status"]
            assert [f["type"] for f in frames] == ["ack"]
            assert _until(tab2, "message")["message"]["id"] == frames[0]["message"]["id"]
            tab1.send_json({"type": "send", "client_id": "t1", "body": "两个标签页"})
            assert [f["type"] for f in _frames_until_pong(tab1)] == ["ack"]
            assert _frames_until_pong(tab2) == []  # a resend publishes nothing new


def test_resent_frame_is_stored_once_and_resume_returns_missed_messages(
    live: tuple[TestClient, FastAPI],
) -> None:
    client, _app = live
    slug, token = _shop_and_agent(client)
    with client.websocket_connect(f"/ws/chat/{slug}") as visitor:
        token_v = visitor.receive_json()["visitor"]
        visitor.send_json({"type": "send", "client_id": "same", "body": "第一条"})
        first = _until(visitor, "ack")
        visitor.send_json({"type": "send", "client_id": "same", "body": "第一条"})
        again = _until(visitor, "ack")
    assert again["duplicate"] and again["message"]["id"] == first["message"]["id"]
    conversation_id = first["message"]["conversation_id"]
    client.post(
        f"/api/v1/conversations/{conversation_id}/messages",
        json={"body": "离线回复"},
        headers={"Authorization": f"Bearer {token}"},
    )
    with client.websocket_connect(f"/ws/chat/{slug}?visitor={token_v}") as visitor:
        assert visitor.receive_json()["visitor"] == token_v
        visitor.send_json({"type": "resume", "after_id": first["message"]["id"]})
        history = _until(visitor, "history")
    assert [m["body"] for m in history["messages"]] == ["离线回复"]


def test_bad_frames_get_errors_and_unknown_shop_closes(live: tuple[TestClient, FastAPI]) -> None:
    client, _app = live
    slug, _token = _shop_and_agent(client)
    with client.websocket_connect(f"/ws/chat/{slug}") as visitor:
        visitor.receive_json()
        visitor.send_text("{not json")
        assert _until(visitor, "error")["code"] == "invalid_frame"
        visitor.send_json({"type": "send", "client_id": "x", "body": "长" * 10_001})
        assert _until(visitor, "error")["code"] == "invalid_frame"
    with (
        pytest.raises(WebSocketDisconnect) as closed,
        client.websocket_connect("/ws/chat/no-such-shop") as ws,
    ):
        ws.receive_json()
    assert closed.value.code == 4404
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        client.websocket_connect("/ws/agent") as ws,
    ):
        ws.receive_json()
    assert refused.value.code == 4401
