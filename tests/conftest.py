"""Test fixtures: a migrated database (SQLite, or PostgreSQL via KEFU_TEST_DATABASE_URL), the app
and an HTTP client. Tests isolate by tenant: each builds its own shops with unique slugs."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from kefu.app import create_app
from kefu.migrations import upgrade
from kefu.settings import Settings
from kefu.shared.db import Database
from kefu.shared.events import EventBus
from tests.factories import Factory

POSTGRES = "postgresql"


def pytest_report_header() -> str:
    return f"database: {os.environ.get('KEFU_TEST_DATABASE_URL', 'sqlite (temporary file)')}"


async def _reset_postgres(url: str) -> None:
    import asyncpg

    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get("KEFU_TEST_DATABASE_URL")
    if url and url.startswith(POSTGRES):
        asyncio.run(_reset_postgres(url))
    elif not url:
        path: Path = tmp_path_factory.mktemp("db") / "kefu-test.db"
        url = f"sqlite+aiosqlite:///{path}"
    upgrade(url)
    yield url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        env="test",
        database_url=database_url,
        secret_key=SecretStr("test-secret-" + "x" * 40),
        redis_url=os.environ.get("KEFU_TEST_REDIS_URL") or None,
        login_max_failures=5,
        upload_dir=tmp_path / "uploads",
    )


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    if application.state.redis is not None:
        # Failure counters live in Redis across tests; each test starts from a clean slate.
        await application.state.redis.flushdb()
    yield application
    if application.state.redis is not None:
        await application.state.redis.aclose()
    await application.state.db.dispose()


@pytest.fixture
def db(app: FastAPI) -> Database:
    database: Database = app.state.db
    return database


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://kefu.test") as c:
        yield c


@pytest.fixture
async def bus(app: FastAPI) -> AsyncIterator[EventBus]:
    """The app's event bus, started (in Redis mode its reader feeds the hub), as the lifespan
    would; tests driving the app without its lifespan need it to see events."""
    event_bus: EventBus = app.state.bus
    await event_bus.start()
    yield event_bus
    await event_bus.stop()


@pytest.fixture
def factory(db: Database) -> Factory:
    return Factory(db)
