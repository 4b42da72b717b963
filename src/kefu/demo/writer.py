"""Bulk writing of generated rows: explicit ids, big Core inserts, sequences fixed afterwards."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from kefu.models import metadata

Row = dict[str, Any]

# Parents before children, so foreign keys hold at every insert.
TABLES = (
    "shops", "bot_settings", "teams", "users", "routing_queues", "routing_rules",
    "routing_settings", "routing_agents", "routing_agent_skills", "canned_replies",
    "kb_categories", "kb_articles", "kb_versions", "products", "customers", "customer_identities",
    "orders", "order_items", "shipments", "tracking_events", "returns", "conversations", "messages",
    "conversation_tags", "routing_presence_spans",
)  # fmt: skip
WITHOUT_ID = frozenset(
    {
        "conversation_tags",
        "bot_settings",
        "routing_settings",
        "routing_agents",
        "routing_agent_skills",
    }
)
BATCH = 20_000


class Ids:
    """Hands out primary keys after the largest one in each table, so rows can refer to each
    other before anything is written. Only safe while nothing else inserts into these tables,
    which holds for a seeding run."""

    def __init__(self, start: dict[str, int]) -> None:
        self._next = dict(start)

    @classmethod
    async def load(cls, session: AsyncSession) -> Ids:
        start: dict[str, int] = {}
        for name in TABLES:
            if name not in WITHOUT_ID:
                table = metadata.tables[name]
                highest = (await session.execute(select(func.max(table.c.id)))).scalar()
                start[name] = (highest or 0) + 1
        return cls(start)

    def take(self, table: str) -> int:
        value = self._next[table]
        self._next[table] = value + 1
        return value


class Rows:
    """Generated rows per table, written in foreign-key order."""

    def __init__(self) -> None:
        self.tables: dict[str, list[Row]] = {name: [] for name in TABLES}

    def add(self, table: str, row: Row) -> None:
        self.tables[table].append(row)

    def counts(self) -> dict[str, int]:
        return {name: len(rows) for name, rows in self.tables.items()}


async def write(
    session: AsyncSession, rows: Rows, on_table: Callable[[str, int], None] | None = None
) -> None:
    """Insert every row, parents first, through the driver's executemany.

    The statement is compiled and the values converted by SQLAlchemy's own bind processors for
    the dialect in use (so a UTC datetime is stored exactly as an ORM insert would store it), but
    once per column rather than through the per-row machinery of ``execute(insert(t), rows)``,
    which costs more than the database itself at this volume."""
    connection = await session.connection()
    dialect = connection.dialect
    for name in TABLES:
        batch = rows.tables[name]
        if on_table is not None:
            on_table(name, len(batch))
        if not batch:
            continue
        table = metadata.tables[name]
        compiled = insert(table).compile(dialect=dialect, column_keys=list(batch[0]))
        order = list(compiled.positiontup or ())
        processors = [
            table.c[key].type.dialect_impl(dialect).bind_processor(dialect) for key in order
        ]
        sql = str(compiled)
        for start in range(0, len(batch), BATCH):
            chunk = batch[start : start + BATCH]
            # Column by column, so each processor runs in one tight map() over its values.
            columns = []
            for key, process in zip(order, processors, strict=True):
                values = [row[key] for row in chunk]
                columns.append(values if process is None else list(map(process, values)))
            params = list(zip(*columns, strict=True))
            await connection.exec_driver_sql(sql, params)


async def fix_sequences(session: AsyncSession) -> None:
    """On PostgreSQL, move each id sequence past the ids given explicitly (SQLite needs nothing:
    it continues from the largest rowid)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for name in TABLES:
        if name in WITHOUT_ID:
            continue
        await session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"(SELECT MAX(id) FROM {name}))"
            )
        )
