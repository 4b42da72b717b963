"""Fixtures of the webhook channel: a database with an in-memory bus, a shop with an
integration, and the shop's callback server, a real HTTP server on loopback (uvicorn) that
records what Kefu posts and fails when told to."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import uvicorn

from kefu.accounts.models import Shop
from kefu.accounts.permissions import Role
from kefu.accounts.principal import Principal
from kefu.channels.webhook import service
from kefu.channels.webhook.models import WebhookChannel
from kefu.channels.webhook.schemas import WebhookChannelCreate
from kefu.channels.webhook.signing import signed_headers
from kefu.shared.clock import utcnow
from kefu.shared.db import Database
from kefu.shared.events import MemoryEventBus
from tests.factories import Factory


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    answered: int

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class CallbackServer:
    """An ASGI app answering each POST with the next status of ``plan`` (200 once it is empty)."""

    requests: list[Received] = field(default_factory=list)
    plan: list[int] = field(default_factory=list)
    port: int = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def received(self, path: str) -> list[Received]:
        return [r for r in self.requests if r.path == path]

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        assert scope["type"] == "http"
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        status = self.plan.pop(0) if self.plan else 200
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        self.requests.append(Received(scope["path"], headers, body, status))
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"text/plain")],
            }
        )
        await send({"type": "http.response.body", "body": b"ok" if status < 300 else b"nope"})


@pytest.fixture
async def callback() -> AsyncIterator[CallbackServer]:
    app = CallbackServer()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,
        lifespan="off",
        ws="none",
        http="h11",
        log_config=None,
        access_log=False,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        assert not task.done(), "the callback server did not start"
        await asyncio.sleep(0.01)
    app.port = server.servers[0].sockets[0].getsockname()[1]
    yield app
    server.should_exit = True
    await task


@pytest.fixture
async def hook_db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url, bus=MemoryEventBus())
    yield database
    await database.dispose()


@pytest.fixture
def hook_factory(hook_db: Database) -> Factory:
    return Factory(hook_db)


@pytest.fixture
async def shop(hook_factory: Factory) -> Shop:
    return await hook_factory.shop("即时通讯店")


async def owner_of(factory: Factory, shop: Shop) -> Principal:
    owner = await factory.user(shop, role="owner")
    return Principal(shop_id=shop.id, role=Role.OWNER, user_id=owner.id)


async def make_channel(
    db: Database,
    actor: Principal,
    *,
    callback_url: str = "http://127.0.0.1:9/unused",
    platform: str = "wechat",
) -> WebhookChannel:
    async with db.session() as session:
        return await service.create_channel(
            session,
            actor=actor,
            data=WebhookChannelCreate(name="微信", platform=platform, callback_url=callback_url),
            now=utcnow(),
        )


def unique_path() -> str:
    """Each test's callback path, so no test counts requests another test's leftovers made."""
    return f"/kefu/{uuid.uuid4().hex}"


Post = Callable[..., Awaitable[httpx.Response]]


def signed_post(client: httpx.AsyncClient) -> Post:
    """POST an inbound event to Kefu, signed like a platform would sign it."""

    async def post(
        channel: WebhookChannel, event: dict[str, Any], *, secret: str | None = None, **kw: Any
    ) -> httpx.Response:
        body = json.dumps(event, ensure_ascii=False).encode()
        headers = {
            "content-type": "application/json",
            **signed_headers(secret or channel.secret, body, now=kw.pop("now", utcnow())),
        }
        headers.update(kw.pop("headers", {}))
        return await client.post(f"/api/v1/webhooks/im/{channel.id}", content=body, headers=headers)

    return post


def event(event_id: str, text: str = "你好，在吗？", *, sender: str = "wxid_abc") -> dict[str, Any]:
    return {"event_id": event_id, "sender": {"id": sender, "name": "小李"}, "text": text}


async def eventually(check: Callable[[], Awaitable[bool]], *, within: float = 10.0) -> None:
    """Wait until ``check()`` holds; fail after ``within`` seconds."""
    deadline = time.monotonic() + within
    while not await check():
        assert time.monotonic() < deadline, "timed out waiting"
        await asyncio.sleep(0.02)
