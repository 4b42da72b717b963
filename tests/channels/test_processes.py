"""Real server processes on loopback: two workers sharing PostgreSQL and Redis carry one chat
live, and a server killed with SIGKILL loses no acknowledged message and stores none twice."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from sqlalchemy import func, select

from kefu.accounts.models import Shop
from kefu.accounts.permissions import Role
from kefu.accounts.principal import Principal
from kefu.accounts.schemas import TokenCreate
from kefu.accounts.service import create_api_token
from kefu.bench.servers import free_port, kefu_server_args, running, wait_healthy
from kefu.conversations.models import Message
from kefu.shared.clock import utcnow
from kefu.shared.db import Database
from tests.factories import Factory

REDIS_URL = os.environ.get("KEFU_TEST_REDIS_URL")
FRAME_TIMEOUT = 15.0


def _server_env(database_url: str, redis_url: str | None) -> dict[str, str]:
    env = {
        "KEFU_DATABASE_URL": database_url,
        "KEFU_SECRET_KEY": "process-test-secret-" + "y" * 40,
        "KEFU_ENV": "development",
    }
    if redis_url:
        env["KEFU_REDIS_URL"] = redis_url
    return env


@pytest.fixture
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """The servers get exactly the settings a test gives them, whatever this shell exports."""
    for name in list(os.environ):
        if name.startswith("KEFU_") and not name.startswith("KEFU_TEST_"):
            monkeypatch.delenv(name)


async def _agent_token(db: Database, shop: Shop) -> str:
    async with db.session() as session:
        actor = Principal(shop_id=shop.id, role=Role.OWNER)
        _token, secret = await create_api_token(
            session, actor=actor, data=TokenCreate(name="agent", role=Role.AGENT), now=utcnow()
        )
    return secret


async def _next_frame(ws: Any, wanted: str, **match: Any) -> dict[str, Any]:
    """The next frame of type ``wanted`` (and with the given top-level values); others are
    skipped. Fails the test if none comes within FRAME_TIMEOUT."""
    async with asyncio.timeout(FRAME_TIMEOUT):
        while True:
            frame: dict[str, Any] = json.loads(await ws.recv())
            if frame.get("type") == wanted and all(frame.get(k) == v for k, v in match.items()):
                return frame


@pytest.mark.skipif(
    not os.environ.get("KEFU_TEST_DATABASE_URL", "").startswith("postgresql") or not REDIS_URL,
    reason="needs PostgreSQL and Redis (KEFU_TEST_DATABASE_URL, KEFU_TEST_REDIS_URL): `make test`",
)
@pytest.mark.usefixtures("clean_environ")
async def test_customer_on_one_worker_and_agent_on_another_chat_live(
    database_url: str, db: Database, factory: Factory, tmp_path: Path
) -> None:
    shop = await factory.shop()
    token = await _agent_token(db, shop)
    auth = {"Authorization": f"Bearer {token}"}
    env = _server_env(database_url, REDIS_URL)
    port_a, port_b = free_port(), free_port()
    with (
        running(kefu_server_args(port_a), port=port_a, env=env, log=tmp_path / "a.log"),
        running(kefu_server_args(port_b), port=port_b, env=env, log=tmp_path / "b.log"),
    ):
        agent_url = f"ws://127.0.0.1:{port_b}/ws/agent"
        async with (
            websockets.connect(agent_url, additional_headers=auth) as agent,
            websockets.connect(f"ws://127.0.0.1:{port_a}/ws/chat/{shop.slug}") as customer,
        ):
            await _next_frame(agent, "welcome")
            await _next_frame(customer, "welcome")

            await customer.send(
                json.dumps({"type": "send", "client_id": "q1", "body": "我的订单到哪了？"})
            )
            ack = await _next_frame(customer, "ack", client_id="q1")
            conversation_id = ack["message"]["conversation_id"]
            seen = await _next_frame(agent, "message.created", conversation_id=conversation_id)
            assert seen["data"]["body"] == "我的订单到哪了？"

            await agent.send(json.dumps({"type": "typing", "conversation_id": conversation_id}))
            typing = await _next_frame(customer, "typing", conversation_id=conversation_id)
            assert typing["by"] == "agent"

            async with httpx.AsyncClient(
                base_url=f"http://127.0.0.1:{port_b}", headers=auth
            ) as http:
                response = await http.post(
                    f"/api/v1/conversations/{conversation_id}/messages",
                    json={"body": "您好，包裹已到杭州转运中心。"},
                )
            assert response.status_code == 201, response.text
            reply = await _next_frame(customer, "message")
            assert reply["message"]["body"] == "您好，包裹已到杭州转运中心。"
            assert reply["message"]["sender_type"] == "agent"


@dataclass
class Restartable:
    """A Kefu server process that can be killed without warning and started again."""

    port: int
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None
    kills: int = 0

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                kefu_server_args(self.port), env={**os.environ, **self.env}, stdout=out, stderr=out
            )
        wait_healthy(self.port, self.process)

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self.kills += 1

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@contextlib.contextmanager
def restartable(port: int, env: dict[str, str], log: Path) -> Iterator[Restartable]:
    server = Restartable(port=port, env=env, log=log)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@dataclass
class Ledger:
    """What the customers were told: each acknowledged client id and the message id it got."""

    kill_after: int
    acked: dict[str, int] = field(default_factory=dict)
    acked_after_restart: int = 0
    kill_now: asyncio.Event = field(default_factory=asyncio.Event)
    restarted: asyncio.Event = field(default_factory=asyncio.Event)


async def _customer(url: str, number: int, messages: int, ledger: Ledger) -> None:
    """Send ``messages`` messages one after another, reconnecting (with the same visitor token)
    and resending the unacknowledged one whenever the connection drops."""
    token = ""
    sent = 0
    async with asyncio.timeout(120):
        while sent < messages:
            try:
                query = f"?visitor={token}" if token else ""
                async with websockets.connect(url + query, open_timeout=5) as ws:
                    token = (await _next_frame(ws, "welcome"))["visitor"]
                    while sent < messages:
                        client_id = f"k{number}-{sent}"
                        body = f"第{sent}条消息 from customer {number}"
                        await ws.send(
                            json.dumps({"type": "send", "client_id": client_id, "body": body})
                        )
                        ack = await _next_frame(ws, "ack", client_id=client_id)
                        ledger.acked[client_id] = ack["message"]["id"]
                        if len(ledger.acked) >= ledger.kill_after:
                            ledger.kill_now.set()
                        if ledger.restarted.is_set():
                            ledger.acked_after_restart += 1
                        sent += 1
            except (OSError, TimeoutError, websockets.exceptions.WebSocketException):
                await asyncio.sleep(0.1)


@pytest.mark.usefixtures("clean_environ")
async def test_sigkill_loses_no_acknowledged_message_and_duplicates_none(
    database_url: str, db: Database, factory: Factory, tmp_path: Path
) -> None:
    shop = await factory.shop()
    customers, messages = 6, 30
    port = free_port()
    ledger = Ledger(kill_after=customers * messages // 3)
    with restartable(port, _server_env(database_url, REDIS_URL), tmp_path / "s.log") as server:
        url = f"ws://127.0.0.1:{port}/ws/chat/{shop.slug}"
        load = asyncio.gather(*(_customer(url, n, messages, ledger) for n in range(customers)))
        await asyncio.wait_for(ledger.kill_now.wait(), timeout=60)
        server.kill()
        await asyncio.to_thread(server.start)
        ledger.restarted.set()
        await load

    assert server.kills == 1
    assert ledger.acked_after_restart > 0, "the load ended before the restart: nothing tested"
    assert len(ledger.acked) == customers * messages
    async with db.session() as session:
        stored = (
            await session.execute(
                select(Message.idempotency_key, func.count(), func.min(Message.id))
                .where(Message.shop_id == shop.id)
                .group_by(Message.idempotency_key)
            )
        ).all()
    copies = {key: count for key, count, _ in stored}
    assert all(count == 1 for count in copies.values()), "a message was stored twice"
    assert len(stored) == customers * messages, "a message was lost or an extra one stored"
    assert {message_id for _, _, message_id in stored} == set(ledger.acked.values())
