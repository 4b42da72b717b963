"""`kefu bench chat`: concurrent customers chat over WebSocket with agents, against Kefu and
against a bare Starlette server committing to the same database, in one run."""

from __future__ import annotations

import asyncio
import contextlib
import json
import statistics
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import websockets
from sqlalchemy import func, select, text

from kefu.accounts.permissions import Role
from kefu.accounts.principal import Principal
from kefu.accounts.schemas import TokenCreate
from kefu.accounts.service import create_api_token, create_shop
from kefu.bench.servers import bare_server_args, free_port, kefu_server_args, running
from kefu.conversations.models import Message
from kefu.migrations import upgrade
from kefu.shared.clock import utcnow
from kefu.shared.db import Database

SHOP = "bench-shop"


@dataclass
class Load:
    """What one run of the load observed."""

    sent_at: dict[str, float] = field(default_factory=dict)
    acked: dict[str, int] = field(default_factory=dict)
    ack_ms: list[float] = field(default_factory=list)
    delivery_ms: list[float] = field(default_factory=list)
    seconds: float = 0.0


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=1000, method="inclusive")[int(q * 1000) - 1]


async def _customer(url: str, number: int, messages: int, load: Load, start: asyncio.Event) -> None:
    async with websockets.connect(url, max_size=2**20, open_timeout=60) as ws:
        json.loads(await ws.recv())  # welcome
        await start.wait()
        for i in range(messages):
            client_id = f"c{number}-{i}"
            load.sent_at[client_id] = time.perf_counter()
            await ws.send(
                json.dumps(
                    {
                        "type": "send",
                        "client_id": client_id,
                        "body": f"客户{number}的第{i}条消息：订单到哪了？",
                    }
                )
            )
            while True:
                frame = json.loads(await ws.recv())
                if frame["type"] == "ack" and frame["client_id"] == client_id:
                    load.ack_ms.append((time.perf_counter() - load.sent_at[client_id]) * 1000)
                    load.acked[client_id] = frame["message"]["id"]
                    break
                if frame["type"] == "error":
                    raise RuntimeError(f"server refused a message: {frame}")


async def _agent(url: str, token: str, load: Load, expected: int, ready: asyncio.Event) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    async with websockets.connect(url, additional_headers=headers, max_size=2**22) as ws:
        json.loads(await ws.recv())
        ready.set()
        while len(load.delivery_ms) < expected:
            frame = json.loads(await ws.recv())
            if frame["type"] == "message.created" and frame["data"]["sender_type"] == "customer":
                client_id = frame["data"]["idempotency_key"].rsplit(":", 1)[-1]
                sent = load.sent_at.get(client_id)
                if sent is not None:
                    load.delivery_ms.append((time.perf_counter() - sent) * 1000)


async def drive(port: int, *, clients: int, messages: int, token: str | None) -> Load:
    """Connect every customer first, then let them all send at once."""
    load, start, ready = Load(), asyncio.Event(), asyncio.Event()
    base = f"ws://127.0.0.1:{port}"
    agent = None
    if token is not None:
        agent = asyncio.create_task(
            _agent(f"{base}/ws/agent", token, load, clients * messages, ready)
        )
        await asyncio.wait_for(ready.wait(), 30)
    customers = [
        asyncio.create_task(_customer(f"{base}/ws/chat/{SHOP}", n, messages, load, start))
        for n in range(clients)
    ]
    await asyncio.sleep(0.5 + clients / 200)  # let the connections open before the clock starts
    began = time.perf_counter()
    start.set()
    await asyncio.gather(*customers)
    load.seconds = time.perf_counter() - began
    if agent is not None:
        # A late agent shows as fewer deliveries than acknowledgements.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(agent, timeout=15)
    return load


async def prepare(url: str) -> str:
    """A fresh shop with an agent token on a migrated database."""
    db = Database(url)
    try:
        async with db.session() as session:
            shop = await create_shop(session, slug=SHOP, name="压测店铺", now=utcnow())
            actor = Principal(shop_id=shop.id, role=Role.OWNER)
            _token, secret = await create_api_token(
                session, actor=actor, data=TokenCreate(name="bench", role=Role.AGENT), now=utcnow()
            )
        return secret
    finally:
        await db.dispose()


async def integrity(url: str, acked: dict[str, int]) -> tuple[int, int]:
    """(lost, duplicated): acknowledged messages missing from the database, and extra copies."""
    db = Database(url)
    try:
        async with db.session() as session:
            rows = (
                (
                    await session.execute(
                        select(Message.idempotency_key, func.count())
                        .where(Message.idempotency_key.is_not(None))
                        .group_by(Message.idempotency_key)
                    )
                )
                .tuples()
                .all()
            )
    finally:
        await db.dispose()
    stored = {key.rsplit(":", 1)[-1]: count for key, count in rows if key}
    lost = sum(1 for client_id in acked if client_id not in stored)
    duplicated = sum(count - 1 for count in stored.values() if count > 1)
    return lost, duplicated


async def reset_postgres(url: str) -> None:
    db = Database(url)
    try:
        async with db.engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    finally:
        await db.dispose()


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


async def idle_cost(port: int, pid: int, count: int) -> dict[str, Any]:
    """Memory per idle customer connection, measured on the server process: open ``count``
    chat sockets that say nothing and compare the server's resident memory."""
    before = rss_bytes(pid)
    url = f"ws://127.0.0.1:{port}/ws/chat/{SHOP}"
    sockets = []
    try:
        for _ in range(count):
            ws = await websockets.connect(url, open_timeout=60)
            await ws.recv()  # welcome: the visitor is recognised and subscribed
            sockets.append(ws)
        await asyncio.sleep(1)
        per_connection = max(1, (rss_bytes(pid) - before) // count)
    finally:
        await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    return {
        "idle_connections_measured": count,
        "idle_bytes_per_connection": per_connection,
        "idle_connections_per_2gb": (2 * 1024**3 - before) // per_connection,
    }


def run_chat_bench(
    *, clients: int, messages: int, database_url: str | None, idle_connections: int = 0
) -> dict[str, Any]:
    """Run the load against Kefu, then against the bare server, and report both.

    ``database_url`` None means a fresh SQLite file; a PostgreSQL URL is wiped first."""
    workdir = Path(tempfile.mkdtemp(prefix="kefu-bench-"))
    url = database_url or f"sqlite+aiosqlite:///{workdir / 'kefu.db'}"
    if url.startswith("postgresql"):
        asyncio.run(reset_postgres(url))
    upgrade(url)
    token = asyncio.run(prepare(url))
    port = free_port()
    env = {"KEFU_DATABASE_URL": url, "KEFU_PORT": str(port), "KEFU_REDIS_URL": ""}
    with running(kefu_server_args(port), port=port, env=env, log=workdir / "kefu.log") as pid:
        kefu = asyncio.run(drive(port, clients=clients, messages=messages, token=token))
        idle = asyncio.run(idle_cost(port, pid, idle_connections)) if idle_connections else None
    lost, duplicated = asyncio.run(integrity(url, kefu.acked))
    bare_url = url if url.startswith("postgresql") else f"sqlite+aiosqlite:///{workdir / 'bare.db'}"
    port = free_port()
    with running(bare_server_args(bare_url, port), port=port, env={}, log=workdir / "bare.log"):
        bare = asyncio.run(drive(port, clients=clients, messages=messages, token=None))
    kefu_rate = len(kefu.acked) / kefu.seconds
    bare_rate = len(bare.acked) / bare.seconds
    return {
        "benchmark": "chat",
        "database": "postgres" if url.startswith("postgresql") else "sqlite",
        "clients": clients,
        "messages_per_client": messages,
        "kefu_msgs_per_s": round(kefu_rate, 1),
        "bare_msgs_per_s": round(bare_rate, 1),
        "ratio": round(kefu_rate / bare_rate, 3),
        "p50_ms": round(percentile(kefu.delivery_ms, 0.5), 2),
        "p99_ms": round(percentile(kefu.delivery_ms, 0.99), 2),
        "ack_p50_ms": round(percentile(kefu.ack_ms, 0.5), 2),
        "ack_p99_ms": round(percentile(kefu.ack_ms, 0.99), 2),
        "bare_ack_p99_ms": round(percentile(bare.ack_ms, 0.99), 2),
        "acknowledged": len(kefu.acked),
        "delivered_to_agent": len(kefu.delivery_ms),
        "lost": lost,
        "duplicated": duplicated,
        "run_id": uuid.uuid4().hex[:8],
        **(idle or {}),
    }
