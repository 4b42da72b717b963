"""Migrations apply and roll back cleanly, and match the models."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection

from kefu.migrations import downgrade, include_object, upgrade
from kefu.models import metadata
from kefu.shared.db import create_engine


def _diff(url: str) -> list[object]:
    async def run() -> list[object]:
        engine = create_engine(url)
        try:
            async with engine.connect() as connection:

                def compare(sync: Connection) -> list[object]:
                    context = MigrationContext.configure(
                        sync, opts={"include_object": include_object}
                    )
                    return list(compare_metadata(context, metadata))

                return await connection.run_sync(compare)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def test_fresh_sqlite_database_migrates_to_the_models_and_back(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'm.db'}"
    upgrade(url)
    assert _diff(url) == []
    downgrade(url, "base")
    upgrade(url)
    assert _diff(url) == []


def test_test_database_matches_the_models(database_url: str) -> None:
    assert _diff(database_url) == []
