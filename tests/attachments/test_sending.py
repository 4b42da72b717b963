"""Sending files: a visitor over the chat socket, an agent over the API and the reply form.
Files are linked to the message in the same transaction, or nothing is stored."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kefu.app import create_app
from kefu.conversations.models import Message
from kefu.settings import Settings
from kefu.shared.db import Database
from tests.attachments import files
from tests.factories import Factory, login


@pytest.fixture
def live(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        yield client


def _shop_and_agent(client: TestClient) -> tuple[str, dict[str, str]]:
    """A shop and an agent API token: the shop's slug and the token's Authorization header."""
    from kefu.accounts.permissions import Role
    from kefu.accounts.principal import Principal
    from kefu.accounts.schemas import TokenCreate
    from kefu.accounts.service import create_api_token, create_shop
    from kefu.shared.clock import utcnow

    db = client.app.state.db  # type: ignore[attr-defined]
    slug = f"files-{uuid.uuid4().hex[:8]}"

    async def make() -> str:
        async with db.session() as session:
            shop = await create_shop(session, slug=slug, name="附件店", now=utcnow())
            actor = Principal(shop_id=shop.id, role=Role.OWNER)
            _t, secret = await create_api_token(
                session, actor=actor, now=utcnow(), data=TokenCreate(name="ws", role=Role.AGENT)
            )
            return secret

    secret = client.portal.call(make)  # type: ignore[union-attr]
    return slug, {"Authorization": f"Bearer {secret}"}


def _until(ws: Any, kind: str) -> dict[str, Any]:
    for _ in range(20):
        frame = ws.receive_json()
        if frame["type"] == kind:
            return frame
    raise AssertionError(f"no {kind} frame")


def _visitor_upload(client: TestClient, slug: str, token: str, name: str, data: bytes) -> Any:
    r = client.post(
        f"/api/v1/webchat/{slug}/attachments",
        files={"file": (name, data)},
        headers={"X-Kefu-Visitor": token},
    )
    assert r.status_code == 201, r.text
    return r.json()["attachment"]


def test_visitor_sends_files_and_the_agent_sees_them_live_and_in_history(
    live: TestClient,
) -> None:
    slug, bearer = _shop_and_agent(live)
    with live.websocket_connect("/ws/agent", headers=bearer) as agent:
        _until(agent, "welcome")
        with live.websocket_connect(f"/ws/chat/{slug}") as visitor:
            token = _until(visitor, "welcome")["visitor"]
            photo = _visitor_upload(live, slug, token, "破损.png", files.png())
            receipt = _visitor_upload(live, slug, token, "发票.pdf", files.PDF)
            # Files alone, no text, as the first message: it opens the conversation.
            frame = {"type": "send", "client_id": "f1", "attachment_ids": [photo["id"]]}
            visitor.send_json(frame)
            ack = _until(visitor, "ack")
            assert ack["message"]["body"] == "" and ack["message"]["attachments"] == [photo]
            seen = _until(agent, "message.created")
            assert seen["data"]["id"] == ack["message"]["id"]
            assert seen["data"]["attachments"] == [photo]
            # Resending the same frame is acknowledged again, files and all, stored once.
            visitor.send_json(frame)
            again = _until(visitor, "ack")
            assert again["duplicate"] and again["message"] == ack["message"]
            # Text and files into the open conversation.
            visitor.send_json(
                {
                    "type": "send",
                    "client_id": "f2",
                    "body": "<b>看这里</b>",
                    "attachment_ids": [receipt["id"]],
                }
            )
            second = _until(visitor, "ack")
            assert second["message"]["attachments"] == [receipt]
            assert _until(agent, "message.created")["data"]["attachments"] == [receipt]
            visitor.send_json({"type": "resume", "after_id": 0})
            history = _until(visitor, "history")
    assert [m["attachments"] for m in history["messages"]] == [[photo], [receipt]]
    conversation_id = ack["message"]["conversation_id"]
    listed = live.get(f"/api/v1/conversations/{conversation_id}/messages", headers=bearer).json()
    assert [m["attachments"] for m in listed] == [[photo], [receipt]]
    assert live.get(photo["url"]).content == files.png()


def test_a_file_that_is_not_the_senders_unsent_upload_is_refused_and_nothing_stored(
    live: TestClient,
) -> None:
    slug, bearer = _shop_and_agent(live)
    agent_file = live.post(
        "/api/v1/attachments", files={"file": ("a.pdf", files.PDF)}, headers=bearer
    ).json()["attachment"]
    other_slug, _ = _shop_and_agent(live)
    with live.websocket_connect(f"/ws/chat/{other_slug}") as stranger:
        stranger_token = _until(stranger, "welcome")["visitor"]
    foreign_shop = _visitor_upload(live, other_slug, stranger_token, "b.gif", files.GIF)
    with live.websocket_connect(f"/ws/chat/{slug}") as alice:
        alice_token = _until(alice, "welcome")["visitor"]
        alices = _visitor_upload(live, slug, alice_token, "c.png", files.png())
        alice.send_json({"type": "send", "client_id": "a1", "attachment_ids": [alices["id"]]})
        conversation_id = _until(alice, "ack")["message"]["conversation_id"]
        with live.websocket_connect(f"/ws/chat/{slug}") as bob:
            bob_token = _until(bob, "welcome")["visitor"]
            bobs = _visitor_upload(live, slug, bob_token, "d.png", files.png())
            bob.send_json({"type": "send", "client_id": "b0", "body": "你好"})
            bob_conversation = _until(bob, "ack")["message"]["conversation_id"]
            for ids in (
                [alices["id"]],  # someone else's, and already sent
                [agent_file["id"]],  # an agent's
                [foreign_shop["id"]],  # another shop's
                [bobs["id"], 2_000_000_000],  # his own and one that does not exist
            ):
                frame = {"type": "send", "client_id": "b1", "body": "看", "attachment_ids": ids}
                bob.send_json(frame)
                error = _until(bob, "error")
                assert error["code"] == "attachment_unavailable", error
                assert error["client_id"] == "b1"
            # Alice cannot send her file a second time either.
            alice.send_json({"type": "send", "client_id": "a2", "attachment_ids": [alices["id"]]})
            assert _until(alice, "error")["code"] == "attachment_unavailable"
            # Bob's own file is still unsent and usable.
            bob.send_json({"type": "send", "client_id": "b2", "attachment_ids": [bobs["id"]]})
            assert _until(bob, "ack")["message"]["attachments"] == [bobs]
    for cid, expected in ((conversation_id, 1), (bob_conversation, 2)):
        conversation = live.get(f"/api/v1/conversations/{cid}", headers=bearer).json()
        assert conversation["message_count"] == expected
        messages = live.get(f"/api/v1/conversations/{cid}/messages", headers=bearer).json()
        assert len(messages) == expected


def test_a_send_needs_text_or_files_and_at_most_five_files(live: TestClient) -> None:
    slug, _bearer = _shop_and_agent(live)
    with live.websocket_connect(f"/ws/chat/{slug}") as visitor:
        _until(visitor, "welcome")
        for frame in (
            {"type": "send", "client_id": "x"},
            {"type": "send", "client_id": "x", "body": "   ", "attachment_ids": []},
            {"type": "send", "client_id": "x", "body": "hi", "attachment_ids": list(range(1, 7))},
            {"type": "send", "client_id": "x", "attachment_ids": [0]},
        ):
            visitor.send_json(frame)
            assert _until(visitor, "error")["code"] == "invalid_frame", frame


async def _message_count(db: Database) -> int:
    async with db.session() as session:
        return await session.scalar(select(func.count()).select_from(Message)) or 0


async def test_agent_reply_with_files_is_shown_on_the_page_escaped(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    conversation = await factory.conversation(shop)
    await login(client, await factory.user(shop))
    pdf = (
        await client.post(
            "/api/v1/attachments", files={"file": ("Tom's & Jerry's <plan>.pdf", files.PDF)}
        )
    ).json()["attachment"]
    photo = (
        await client.post("/api/v1/attachments", files={"file": ("photo.png", files.png())})
    ).json()["attachment"]
    assert pdf["name"] == "Tom's & Jerry's _plan_.pdf"
    url = f"/api/v1/conversations/{conversation.id}/messages"
    body = {"body": "请看附件", "attachment_ids": [pdf["id"], photo["id"]], "idempotency_key": "r1"}
    r = await client.post(url, json=body)
    assert r.status_code == 201, r.text
    assert r.json()["attachments"] == [pdf, photo]
    replay = await client.post(url, json=body)
    assert replay.status_code == 200 and replay.json() == r.json()
    listed = (await client.get(url)).json()
    assert listed[-1]["attachments"] == [pdf, photo]

    page = (await client.get(f"/conversations/{conversation.id}")).text
    assert "Tom&#39;s &amp; Jerry&#39;s _plan_.pdf" in page
    assert "Tom's & Jerry's" not in page
    assert f'<img src="{photo["url"]}"' in page
    assert f'href="{pdf["url"]}"' in page
    assert "kefu-attach.js" in page


async def test_agent_cannot_send_anothers_upload_and_files_alone_need_no_text(
    client: httpx.AsyncClient, factory: Factory, db: Database, app: FastAPI
) -> None:
    shop = await factory.shop()
    conversation = await factory.conversation(shop)
    await login(client, await factory.user(shop))
    mine = (await client.post("/api/v1/attachments", files={"file": ("a.pdf", files.PDF)})).json()[
        "attachment"
    ]
    other = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://kefu.test")
    async with other:
        await login(other, await factory.user(shop))
        theirs = (
            await other.post("/api/v1/attachments", files={"file": ("b.pdf", files.PDF)})
        ).json()["attachment"]
    url = f"/api/v1/conversations/{conversation.id}/messages"
    before = await _message_count(db)
    r = await client.post(url, json={"body": "给你", "attachment_ids": [mine["id"], theirs["id"]]})
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "attachment_unavailable"
    assert r.json()["error"]["details"] == {"attachment_ids": [theirs["id"]]}
    assert await _message_count(db) == before
    assert (await client.post(url, json={"body": " "})).status_code == 422
    # The reply form: files alone, no text.
    form = await client.post(
        f"/conversations/{conversation.id}/reply",
        data={"body": "", "idempotency_key": "form-1", "attachment_ids": [str(mine["id"])]},
    )
    assert form.status_code == 303, form.text
    messages = (await client.get(url)).json()
    assert messages[-1]["body"] == "" and messages[-1]["attachments"] == [mine]
    page = (await client.get(f"/conversations/{conversation.id}")).text
    assert 'download="a.pdf"' in page
    # In the list, a message of files alone is previewed by its first file's name.
    listed = (await client.get("/api/v1/conversations")).json()
    [row] = [c for c in listed["items"] if c["id"] == conversation.id]
    assert row["last_message_preview"] == "📎 a.pdf"


def test_a_signed_in_customer_sends_what_they_uploaded_with_the_same_tokens(
    live: TestClient,
) -> None:
    from datetime import timedelta

    from kefu.accounts.models import Shop
    from kefu.channels.identity import ShopIdentity, sign_identity
    from kefu.shared.clock import utcnow

    slug, _bearer = _shop_and_agent(live)
    secret = "k" * 43
    db = live.app.state.db  # type: ignore[attr-defined]

    async def configure() -> None:
        async with db.session() as session:
            shop = await session.scalar(select(Shop).where(Shop.slug == slug))
            assert shop is not None
            shop.widget_secret = secret
            await session.commit()

    live.portal.call(configure)  # type: ignore[union-attr]
    identity = sign_identity(
        ShopIdentity(external_id="u-42", expires_at=utcnow() + timedelta(hours=1), name="张伟"),
        secret=secret,
    )
    with live.websocket_connect(f"/ws/chat/{slug}?identity={identity}") as ws:
        token = _until(ws, "welcome")["visitor"]
        r = live.post(
            f"/api/v1/webchat/{slug}/attachments",
            files={"file": ("订单.pdf", files.PDF)},
            headers={"X-Kefu-Visitor": token, "X-Kefu-Identity": identity},
        )
        assert r.status_code == 201, r.text
        attachment = r.json()["attachment"]
        ws.send_json({"type": "send", "client_id": "s1", "attachment_ids": [attachment["id"]]})
        assert _until(ws, "ack")["message"]["attachments"] == [attachment]
