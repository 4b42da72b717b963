"""SLA clocks on the database: reconciling conversations, sweeping for warnings and breaches
(once each, after commit, even with two sweepers), and the reads for agents and supervisors."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, event, select

from kefu.accounts.permissions import Role
from kefu.accounts.principal import Principal
from kefu.shared.db import Database
from kefu.shared.errors import Forbidden, InvalidInput, NotFound
from kefu.shared.events import EventBus
from kefu.sla import admin, service
from kefu.sla.models import SlaCalendar, SlaPolicy
from tests.factories import Factory
from tests.sla.helpers import SlaShop, events

# A Monday in the past: sweeps at these times never reach clocks other tests left running now.
T0 = datetime(2026, 6, 1, 2, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


async def test_reconcile_creates_clocks_and_returns_the_earliest_deadline(
    factory: Factory, db: Database
) -> None:
    sla = await SlaShop.create(factory, db, T0)
    facts = await sla.facts(T0)
    due = await sla.reconcile([facts], now=T0)
    assert due == {facts.conversation_id: at(10)}
    clocks = await sla.clocks(facts.conversation_id)
    # Not a complaint: no feedback clock; no reply yet: no next-response cycle.
    assert set(clocks) == {("first_response", 1), ("resolution", 1)}
    first = clocks[("first_response", 1)]
    assert (first.status, first.due_at, first.warn_at, first.policy_id) == (
        "running",
        at(10),
        at(8),
        sla.policy_id,
    )


async def test_reconciling_twice_changes_nothing(factory: Factory, db: Database) -> None:
    sla = await SlaShop.create(factory, db, T0)
    facts = await sla.facts(T0, status="pending", status_changed_at=at(3))
    first = await sla.reconcile([facts], now=at(3))
    before = {key: row.updated_at for key, row in (await sla.clocks(facts.conversation_id)).items()}
    second = await sla.reconcile([facts], now=at(30))
    after = {key: row.updated_at for key, row in (await sla.clocks(facts.conversation_id)).items()}
    assert first == second == {facts.conversation_id: None}
    assert before == after


async def test_paused_conversation_does_not_breach_sla(factory: Factory, db: Database) -> None:
    sla = await SlaShop.create(factory, db, T0)
    facts = await sla.facts(T0, status="pending", status_changed_at=at(3))
    await sla.reconcile([facts], now=at(3))
    async with db.session() as session:
        await service.sweep(session, now=at(24 * 60))
    clocks = await sla.clocks(facts.conversation_id)
    assert {row.status for row in clocks.values()} == {"paused"}
    assert clocks[("first_response", 1)].elapsed_seconds == 180


async def test_a_batch_loads_clocks_once_and_policies_once(factory: Factory, db: Database) -> None:
    shops = [await SlaShop.create(factory, db, T0) for _ in range(2)]
    batch = [await sla.facts(T0) for sla in shops for _ in range(5)]
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement.lstrip().split()[0].upper())

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    try:
        due = await shops[0].reconcile(batch, now=T0)
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", record)
    assert set(due.values()) == {at(10)}
    # Clocks, calendars, policies; then one insert per clock (two per conversation).
    assert statements.count("SELECT") == 3
    assert statements.count("INSERT") == 20


async def test_late_reply_breaches_when_reconciled_and_is_announced_after_commit(
    factory: Factory, db: Database, bus: EventBus
) -> None:
    sla = await SlaShop.create(factory, db, T0)
    facts = await sla.facts(T0)
    await sla.reconcile([facts], now=T0)
    replied = replace(facts, first_response_at=at(12), awaiting_reply_since=None)
    with bus.hub.subscribe(f"conversation:{facts.conversation_id}") as sub:
        async with db.session() as session:
            await service.reconcile(session, facts=[replied], now=at(12))
            await session.rollback()  # nothing is announced for a rolled back transaction
        await sla.reconcile([replied], now=at(12))
        (breach,) = await events(sub, 1)
    clock = (await sla.clocks(facts.conversation_id))[("first_response", 1)]
    assert (clock.status, clock.breached_at, clock.met_at) == ("breached", at(10), at(12))
    assert breach.type == "sla.breach" and breach.shop_id == sla.shop.id
    assert breach.data == {
        "clock_id": clock.id,
        "metric": "first_response",
        "cycle": 1,
        "target_seconds": 600,
        "due_at": at(10).isoformat(),
        "breached_at": at(10).isoformat(),
    }


async def test_sweep_warns_once_then_breaches_at_the_deadline(
    factory: Factory, db: Database, bus: EventBus
) -> None:
    sla = await SlaShop.create(factory, db, T0)
    facts = await sla.facts(T0)
    await sla.reconcile([facts], now=T0)
    with bus.hub.subscribe(f"conversation:{facts.conversation_id}") as sub:
        async with db.session() as session:
            result = await service.sweep(session, now=at(9))
        assert result.warned >= 1 and result.next_at is not None
        (warning,) = await events(sub, 1)
        async with db.session() as session:
            await service.sweep(session, now=at(9.5))
        await events(sub, 0)
        async with db.session() as session:
            await service.sweep(session, now=at(11))
        (breach,) = await events(sub, 1)
    clock = (await sla.clocks(facts.conversation_id))[("first_response", 1)]
    assert (clock.warned_at, clock.status, clock.breached_at) == (at(9), "breached", at(10))
    assert warning.type == "sla.warning"
    assert warning.data == {
        "clock_id": clock.id,
        "metric": "first_response",
        "cycle": 1,
        "target_seconds": 600,
        "warn_at": at(8).isoformat(),
        "due_at": at(10).isoformat(),
    }
    assert breach.type == "sla.breach" and breach.data["breached_at"] == at(10).isoformat()
    # Met late: the clock stays breached and records when the reply came.
    await sla.reconcile(
        [replace(facts, first_response_at=at(20), awaiting_reply_since=None)], at(20)
    )
    clock = (await sla.clocks(facts.conversation_id))[("first_response", 1)]
    assert (clock.status, clock.met_at) == ("breached", at(20))


async def test_an_on_time_reply_reconciled_after_the_sweep_is_met(
    factory: Factory, db: Database
) -> None:
    sla = await SlaShop.create(factory, db, T0)
    facts = await sla.facts(T0)
    await sla.reconcile([facts], now=T0)
    async with db.session() as session:
        await service.sweep(session, now=at(11))
    # The agent answered at 9:30; the worker reconciled only after the sweep.
    await sla.reconcile(
        [replace(facts, first_response_at=at(9.5), awaiting_reply_since=None)], at(12)
    )
    clock = (await sla.clocks(facts.conversation_id))[("first_response", 1)]
    assert (clock.status, clock.breached_at, clock.met_at) == ("met", None, at(9.5))


async def test_two_sweepers_at_once_flip_each_clock_once(
    factory: Factory, db: Database, bus: EventBus
) -> None:
    sla = await SlaShop.create(factory, db, T0)
    batch = [await sla.facts(T0) for _ in range(6)]
    await sla.reconcile(batch, now=T0)
    other = Database(db.url, bus=bus)
    try:
        with bus.hub.subscribe(f"shop:{sla.shop.id}") as sub:

            async def sweep(database: Database) -> service.SweepResult:
                async with database.session() as session:
                    return await service.sweep(session, now=at(11))

            await asyncio.gather(sweep(db), sweep(other))
            found = await events(sub, 6)
    finally:
        await other.dispose()
    assert sorted(e.conversation_id or 0 for e in found) == sorted(f.conversation_id for f in batch)
    assert {e.type for e in found} == {"sla.breach"}


async def test_at_risk_lists_warned_and_soon_due_clocks_most_urgent_first(
    factory: Factory, db: Database
) -> None:
    sla = await SlaShop.create(factory, db, T0)
    soon, later, quiet = await sla.facts(at(-5)), await sla.facts(T0), await sla.facts(at(-2))
    quiet = replace(quiet, status="pending", status_changed_at=at(-1))
    await sla.reconcile([soon, later, quiet], now=T0)
    async with db.session() as session:
        risky = await service.at_risk(session, actor=sla.supervisor, now=T0, within_minutes=6)
        assert [(c.conversation_id, c.metric) for c in risky] == [
            (soon.conversation_id, "first_response")
        ]
        assert risky[0].remaining_seconds == 300
        wider = await service.at_risk(session, actor=sla.supervisor, now=T0, within_minutes=12)
        assert [c.conversation_id for c in wider] == [soon.conversation_id, later.conversation_id]
        agent = Principal(shop_id=sla.shop.id, role=Role.AGENT, user_id=None)
        with pytest.raises(Forbidden):
            await service.at_risk(session, actor=agent, now=T0)


async def test_attainment_counts_met_and_breached_per_metric(
    factory: Factory, db: Database
) -> None:
    sla = await SlaShop.create(factory, db, T0)
    quick, slow = await sla.facts(T0), await sla.facts(T0)
    done = {"status": "resolved", "status_changed_at": at(30), "resolved_at": at(30)}
    quick = replace(quick, first_response_at=at(2), awaiting_reply_since=None, **done)  # type: ignore[arg-type]
    slow = replace(slow, first_response_at=at(15), awaiting_reply_since=None, **done)  # type: ignore[arg-type]
    await sla.reconcile([quick, slow], now=at(30))
    async with db.session() as session:
        report = await service.attainment(session, actor=sla.supervisor, since=T0, until=at(60))
        with pytest.raises(InvalidInput):
            await service.attainment(session, actor=sla.supervisor, since=at(60), until=T0)
    by_metric = {m.metric: (m.met, m.breached, m.attainment) for m in report.metrics}
    assert by_metric == {
        "first_response": (1, 1, 0.5),
        "next_response": (0, 0, None),
        "resolution": (2, 0, 1.0),
        "feedback": (0, 0, None),
    }


async def test_conversation_clocks_show_the_current_cycles_to_the_shop_only(
    factory: Factory, db: Database
) -> None:
    sla = await SlaShop.create(factory, db, T0)
    facts = await sla.facts(T0, first_response_at=at(1), awaiting_reply_since=at(5))
    await sla.reconcile([facts], now=at(5))
    await sla.reconcile(
        [replace(facts, last_agent_reply_at=at(6), awaiting_reply_since=None)], at(6)
    )
    await sla.reconcile(
        [replace(facts, last_agent_reply_at=at(6), awaiting_reply_since=at(8))], at(8)
    )
    stranger = await SlaShop.create(factory, db, T0)
    async with db.session() as session:
        clocks = await service.conversation_clocks(
            session, actor=sla.supervisor, conversation_id=facts.conversation_id, now=at(10)
        )
        assert [(c.metric, c.cycle, c.status) for c in clocks] == [
            ("first_response", 1, "met"),
            ("next_response", 2, "running"),
            ("resolution", 1, "running"),
        ]
        assert clocks[1].remaining_seconds == 13 * 60 and clocks[1].due_at == at(23)
        with pytest.raises(NotFound):
            await service.conversation_clocks(
                session, actor=stranger.admin, conversation_id=facts.conversation_id, now=at(10)
            )


async def test_business_hours_come_from_the_shops_default_calendar(
    factory: Factory, db: Database
) -> None:
    sla = await SlaShop.create(factory, db, T0, business_hours=True)
    async with db.session() as session:
        await admin.add_default_policies(session, shop_id=sla.shop.id, now=T0)
        await session.execute(
            delete(SlaPolicy).where(SlaPolicy.shop_id == sla.shop.id, SlaPolicy.id != sla.policy_id)
        )
        await session.commit()
    # 22:55 in Shanghai: five minutes today, five more from 09:00 tomorrow.
    evening = datetime(2026, 6, 1, 14, 55, tzinfo=UTC)
    facts = await sla.facts(evening)
    due = await sla.reconcile([facts], now=evening)
    assert due[facts.conversation_id] == datetime(2026, 6, 2, 1, 5, tzinfo=UTC)


async def test_default_policies_cover_chat_and_email(factory: Factory, db: Database) -> None:
    shop = await factory.shop()
    async with db.session() as session:
        policies = await admin.add_default_policies(session, shop_id=shop.id, now=T0)
        await session.commit()
        calendar = await session.scalar(select(SlaCalendar).where(SlaCalendar.shop_id == shop.id))
    assert calendar is not None and calendar.is_default and calendar.timezone == "Asia/Shanghai"
    assert calendar.weekly == [[[540, 1380]]] * 7
    assert [(p.channels, p.first_response_seconds) for p in policies] == [
        (["web", "im"], 120),
        (["email"], 4 * 3600),
    ]
