"""The baseline for the chat benchmark: a bare Starlette WebSocket server that commits each
message to the same database with the raw driver, and acknowledges it. Run as
``python -m kefu.bench.bare DATABASE_URL PORT``."""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

DDL = (
    "CREATE TABLE IF NOT EXISTS bare_messages (id INTEGER PRIMARY KEY, client_id TEXT UNIQUE, "
    "body TEXT NOT NULL)"
)


class Store:
    """One connection (SQLite) or a pool (PostgreSQL); every insert is its own commit."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.sqlite: Any = None
        self.pool: Any = None

    async def open(self) -> None:
        if self.url.startswith("sqlite"):
            import aiosqlite

            self.sqlite = await aiosqlite.connect(self.url.split(":///", 1)[1])
            await self.sqlite.execute("PRAGMA journal_mode=WAL")
            await self.sqlite.execute("PRAGMA synchronous=NORMAL")
            await self.sqlite.execute(DDL)
            await self.sqlite.commit()
        else:
            import asyncpg

            dsn = self.url.replace("postgresql+asyncpg://", "postgresql://")
            self.pool = await asyncpg.create_pool(dsn, min_size=5, max_size=20)
            await self.pool.execute(DDL.replace("INTEGER PRIMARY KEY", "SERIAL PRIMARY KEY"))

    async def insert(self, client_id: str, body: str) -> int:
        if self.sqlite is not None:
            cursor = await self.sqlite.execute(
                "INSERT INTO bare_messages (client_id, body) VALUES (?, ?)", (client_id, body)
            )
            await self.sqlite.commit()
            return int(cursor.lastrowid)
        value = await self.pool.fetchval(
            "INSERT INTO bare_messages (client_id, body) VALUES ($1, $2) RETURNING id",
            client_id,
            body,
        )
        return int(value)

    async def close(self) -> None:
        if self.sqlite is not None:
            await self.sqlite.close()
        if self.pool is not None:
            await self.pool.close()


def build(url: str) -> Starlette:
    store = Store(url)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        await store.open()
        yield
        await store.close()

    async def chat(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_json({"type": "welcome"})
        try:
            while True:
                frame = json.loads(await websocket.receive_text())
                message_id = await store.insert(frame["client_id"], frame["body"])
                await websocket.send_json(
                    {"type": "ack", "client_id": frame["client_id"], "message": {"id": message_id}}
                )
        except WebSocketDisconnect:
            return

    async def health(_request: Any) -> PlainTextResponse:
        return PlainTextResponse("ok")

    return Starlette(
        routes=[WebSocketRoute("/ws/chat/{shop}", chat), Route("/healthz", health)],
        lifespan=lifespan,
    )


if __name__ == "__main__":
    uvicorn.run(build(sys.argv[1]), host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
