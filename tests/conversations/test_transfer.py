"""Transfers: one call assigns, leaves an internal note saying why, audits, and tells the live
pages after the commit; nobody outside the shop, inactive or not an agent can receive one."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import select, update

from kefu.accounts.models import AuditEvent, Team, User
from kefu.conversations.models import Conversation, Message
from kefu.shared.db import Database
from kefu.shared.events import Event, EventBus
from tests.factories import Factory, login


async def _team(db: Database, shop_id: int, name: str) -> Team:
    async with db.session() as session:
        team = Team(shop_id=shop_id, name=name)
        session.add(team)
        await session.commit()
        return team


async def _notes(db: Database, conversation_id: int) -> list[Message]:
    async with db.session() as session:
        rows = await session.scalars(
            select(Message)
            .where(Message.conversation_id == conversation_id, Message.is_internal.is_(True))
            .order_by(Message.id)
        )
        return list(rows.all())


async def _conversation(db: Database, conversation_id: int) -> Conversation:
    async with db.session() as session:
        conversation = await session.get(Conversation, conversation_id)
        assert conversation is not None
        return conversation


async def test_agent_transfers_own_conversation_with_a_note_and_an_audit_row(
    client: httpx.AsyncClient, factory: Factory, db: Database, bus: EventBus
) -> None:
    shop = await factory.shop()
    me = await factory.user(shop, name="李娜")
    colleague = await factory.user(shop, name="周杰")
    conversation = await factory.conversation(shop, assignee=me, messages=("你好", "在吗"))
    await login(client, me)
    with bus.hub.subscribe(f"conversation:{conversation.id}") as sub:
        response = await client.post(
            f"/api/v1/conversations/{conversation.id}/transfer",
            json={"assignee_id": colleague.id, "note": "顾客要求退款，需售后处理"},
        )
        assert response.status_code == 200, response.text
        events: list[Event] = [await asyncio.wait_for(sub.get(), 2) for _ in range(2)]
    body = response.json()
    assert body["assignee_id"] == colleague.id
    assert body["assignee_name"] == "周杰"
    assert body["message_count"] == 3
    notes = await _notes(db, conversation.id)
    assert [n.body for n in notes] == ["转接给 周杰：顾客要求退款，需售后处理"]
    assert notes[0].sender_user_id == me.id
    kinds = {(e.type, e.data.get("change")) for e in events}
    assert kinds == {("conversation.updated", "transfer"), ("message.created", None)}
    updated = next(e for e in events if e.type == "conversation.updated")
    assert updated.data["assignee_id"] == colleague.id
    async with db.session() as session:
        audit = await session.scalar(
            select(AuditEvent).where(
                AuditEvent.shop_id == shop.id, AuditEvent.action == "conversation.transfer"
            )
        )
    assert audit is not None and audit.target_id == str(conversation.id)
    assert audit.detail["to"]["assignee_id"] == colleague.id
    assert audit.detail["from"]["assignee_id"] == me.id


async def test_transfer_to_a_team_unassigns_and_names_the_team(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    supervisor = await factory.user(shop, role="supervisor")
    holder = await factory.user(shop)
    team = await _team(db, shop.id, "售后组")
    conversation = await factory.conversation(shop, assignee=holder)
    await login(client, supervisor)
    response = await client.post(
        f"/api/v1/conversations/{conversation.id}/transfer",
        json={"team_id": team.id, "note": "退款问题"},
    )
    assert response.status_code == 200, response.text
    stored = await _conversation(db, conversation.id)
    assert (stored.assignee_id, stored.team_id) == (None, team.id)
    assert [n.body for n in await _notes(db, conversation.id)] == ["转接给 售后组：退款问题"]


async def test_agent_cannot_transfer_a_colleagues_conversation(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    holder, me = await factory.user(shop), await factory.user(shop)
    conversation = await factory.conversation(shop, assignee=holder)
    await login(client, me)
    response = await client.post(
        f"/api/v1/conversations/{conversation.id}/transfer",
        json={"assignee_id": me.id, "note": "我来"},
    )
    assert response.status_code == 403
    assert (await _conversation(db, conversation.id)).assignee_id == holder.id
    assert await _notes(db, conversation.id) == []


async def test_another_shops_agent_is_not_found_and_nothing_changes(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop, other = await factory.shop(), await factory.shop("别家店")
    me = await factory.user(shop)
    stranger = await factory.user(other)
    stranger_team = await _team(db, other.id, "别家的组")
    conversation = await factory.conversation(shop, assignee=me)
    await login(client, me)
    for payload, code in (
        ({"assignee_id": stranger.id}, "user_not_found"),
        ({"team_id": stranger_team.id}, "team_not_found"),
    ):
        response = await client.post(
            f"/api/v1/conversations/{conversation.id}/transfer", json={**payload, "note": "转"}
        )
        assert response.status_code == 404, response.text
        assert response.json()["error"]["code"] == code
    assert (await _conversation(db, conversation.id)).assignee_id == me.id
    assert await _notes(db, conversation.id) == []


async def test_inactive_or_department_users_cannot_receive_a_transfer(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    me = await factory.user(shop)
    gone = await factory.user(shop)
    logistics = await factory.user(shop, role="department")
    async with db.session() as session:
        await session.execute(update(User).where(User.id == gone.id).values(is_active=False))
        await session.commit()
    conversation = await factory.conversation(shop, assignee=me)
    await login(client, me)
    for target in (gone, logistics):
        response = await client.post(
            f"/api/v1/conversations/{conversation.id}/transfer",
            json={"assignee_id": target.id, "note": "转"},
        )
        assert response.status_code == 422, response.text
        assert response.json()["error"]["code"] == "not_assignable"
    assert await _notes(db, conversation.id) == []


async def test_transfer_needs_a_target_and_a_reason(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    me, colleague = await factory.user(shop), await factory.user(shop)
    conversation = await factory.conversation(shop, assignee=me)
    await login(client, me)
    path = f"/api/v1/conversations/{conversation.id}/transfer"
    for payload in (
        {"note": "没有目标"},
        {"assignee_id": colleague.id, "note": "   "},
        {"assignee_id": colleague.id},
    ):
        response = await client.post(path, json=payload)
        assert response.status_code == 422, payload
    response = await client.post(path, json={"assignee_id": me.id, "note": "还是我"})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "transfer_unchanged"
