"""WebSocket endpoints: the customer's live chat and the agents' live event stream."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pydantic import ValidationError

from kefu.accounts.permissions import Permission
from kefu.accounts.principal import Principal
from kefu.channels import webchat
from kefu.channels.frames import (
    AnyFrame,
    PingFrame,
    ReadFrame,
    ResumeFrame,
    SendFrame,
    TypingFrame,
    parse_frame,
)
from kefu.channels.visitor import VisitorTokens
from kefu.channels.writer import MessageWriter
from kefu.conversations.models import Message
from kefu.conversations.queries import get_conversation
from kefu.conversations.service import ConversationLike
from kefu.http.deps import identify
from kefu.shared.clock import utcnow
from kefu.shared.db import Database
from kefu.shared.errors import KefuError
from kefu.shared.events import Event, EventBus, Subscription

router = APIRouter()

CLOSE_NOT_FOUND = 4404
CLOSE_UNAUTHORIZED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_TOO_SLOW = 4408


def message_json(message: Message) -> dict[str, Any]:
    return {
        "id": message.id,
        "conversation_id": message.conversation_id,
        "sender_type": message.sender_type,
        "body": message.body,
        "created_at": message.created_at.isoformat(),
    }


async def _run_until_first_ends(*jobs: Callable[[], Coroutine[Any, Any, None]]) -> None:
    tasks = [asyncio.create_task(job()) for job in jobs]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            exc = task.exception()
            if exc is not None and not isinstance(exc, WebSocketDisconnect):
                raise exc
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect, Exception):
                await task


async def _forward(websocket: WebSocket, sub: Subscription, shape: Callable[[Event], Any]) -> None:
    async for event in sub:
        frame = shape(event)
        if frame is not None:
            await websocket.send_json(frame)
    await websocket.close(code=CLOSE_TOO_SLOW, reason="too slow to keep up; reconnect and resume")


@router.websocket("/ws/chat/{shop_slug}")
async def customer_chat(websocket: WebSocket, shop_slug: str) -> None:
    """A visitor's chat. Frames: send, resume, typing, read, ping (see ``channels.frames``)."""
    db: Database = websocket.app.state.db
    bus: EventBus = websocket.app.state.bus
    tokens: VisitorTokens = websocket.app.state.visitor_tokens
    await websocket.accept()
    try:
        async with db.session() as session:
            shop_id = await webchat.shop_id_for_slug(session, shop_slug)
            token = websocket.query_params.get("visitor", "")
            claim = tokens.read(token, shop_id=shop_id) if token else None
            if claim is None:
                token, claim = tokens.issue(shop_id)
            visitor = await webchat.recognise_visitor(session, claim=claim, now=utcnow())
    except KefuError as exc:
        await websocket.close(code=CLOSE_NOT_FOUND, reason=exc.code)
        return
    with bus.hub.subscribe(f"customer:{visitor.customer_id}") as sub:
        await websocket.send_json({"type": "welcome", "visitor": token})
        await _run_until_first_ends(
            lambda: _customer_frames(websocket, db, bus, visitor),
            lambda: _forward(websocket, sub, _customer_view),
        )


def _customer_view(event: Event) -> dict[str, Any] | None:
    """What a customer may see of an event: public messages, status, agents typing."""
    if event.type == "message.created":
        if event.data["is_internal"]:
            return None
        return {
            "type": "message",
            "message": {
                k: event.data[k]
                for k in ("id", "conversation_id", "sender_type", "body", "created_at")
            },
        }
    if event.type == "conversation.updated":
        return {
            "type": "status",
            "conversation_id": event.conversation_id,
            "status": event.data["status"],
        }
    if event.type in ("typing", "read") and event.data.get("by") != "customer":
        return {"type": event.type, "conversation_id": event.conversation_id, **event.data}
    return None


async def _customer_frames(
    websocket: WebSocket, db: Database, bus: EventBus, visitor: webchat.Visitor
) -> None:
    async for frame in _valid_frames(websocket):
        if isinstance(frame, SendFrame):
            await _customer_send(websocket, db, visitor, frame)
        elif isinstance(frame, ResumeFrame):
            async with db.session() as session:
                missed = await webchat.history(session, visitor=visitor, after_id=frame.after_id)
            await websocket.send_json(
                {"type": "history", "messages": [message_json(m) for m in missed]}
            )
        elif isinstance(frame, TypingFrame | ReadFrame):
            async with db.session() as session:
                conversation = await webchat.current_conversation(session, visitor=visitor)
            if conversation is not None:
                await bus.publish([_presence(frame, conversation, {"by": "customer"})])
        elif isinstance(frame, PingFrame):
            await websocket.send_json({"type": "pong"})


def _presence(
    frame: TypingFrame | ReadFrame, conversation: ConversationLike, by: dict[str, Any]
) -> Event:
    """A typing or read signal: relayed to the other side, never stored."""
    data = {**by, "up_to": frame.up_to} if isinstance(frame, ReadFrame) else dict(by)
    return Event(
        type=frame.type,
        shop_id=conversation.shop_id,
        conversation_id=conversation.id,
        customer_id=conversation.customer_id,
        data=data,
    )


async def _valid_frames(websocket: WebSocket) -> AsyncIterator[AnyFrame]:
    """Frames from the client that validate; each invalid one is answered with an error."""
    while True:
        raw = await websocket.receive_text()
        try:
            yield parse_frame(raw)
        except ValidationError as exc:
            await websocket.send_json(
                {"type": "error", "code": "invalid_frame", "message": exc.errors()[0]["msg"]}
            )


async def _customer_send(
    websocket: WebSocket, db: Database, visitor: webchat.Visitor, frame: SendFrame
) -> None:
    """Store, then acknowledge: an ``ack`` means the message is committed."""
    writer: MessageWriter = websocket.app.state.message_writer
    try:
        message, created = await writer.send(
            visitor=visitor, body=frame.body, client_id=frame.client_id
        )
    except KefuError as exc:
        await websocket.send_json(
            {
                "type": "error",
                "code": exc.code,
                "message": exc.message,
                "client_id": frame.client_id,
            }
        )
        return
    await websocket.send_json(
        {
            "type": "ack",
            "client_id": frame.client_id,
            "duplicate": not created,
            "message": message_json(message),
        }
    )


@router.websocket("/ws/agent")
async def agent_events(websocket: WebSocket) -> None:
    """Every event of the agent's shop, live. Authenticated by the session cookie or a bearer
    token in the handshake; agents may send typing and read frames for a conversation."""
    db: Database = websocket.app.state.db
    bus: EventBus = websocket.app.state.bus
    await websocket.accept()
    try:
        async with db.session() as session:
            principal = await identify(websocket, session)
    except KefuError:
        principal = None
    if principal is None:
        await websocket.close(code=CLOSE_UNAUTHORIZED, reason="not_authenticated")
        return
    if not principal.can(Permission.CONVERSATIONS_READ):
        await websocket.close(code=CLOSE_FORBIDDEN, reason="forbidden")
        return
    with bus.hub.subscribe(f"shop:{principal.shop_id}") as sub:
        await websocket.send_json({"type": "welcome", "shop_id": principal.shop_id})
        await _run_until_first_ends(
            lambda: _agent_frames(websocket, db, bus, principal),
            lambda: _forward(websocket, sub, _agent_view),
        )


def _agent_view(event: Event) -> dict[str, Any]:
    return {
        "type": event.type,
        "conversation_id": event.conversation_id,
        "customer_id": event.customer_id,
        "data": event.data,
    }


async def _agent_frames(
    websocket: WebSocket, db: Database, bus: EventBus, principal: Principal
) -> None:
    async for frame in _valid_frames(websocket):
        if isinstance(frame, TypingFrame | ReadFrame) and frame.conversation_id is not None:
            async with db.session() as session:
                conversation = await get_conversation(
                    session, shop_id=principal.shop_id, conversation_id=frame.conversation_id
                )
            if conversation is None:
                await websocket.send_json(
                    {
                        "type": "error",
                        "code": "conversation_not_found",
                        "message": "no such conversation",
                    }
                )
                continue
            by = {"by": "agent", "user_id": principal.user_id}
            await bus.publish([_presence(frame, conversation, by)])
        elif isinstance(frame, PingFrame):
            await websocket.send_json({"type": "pong"})
        else:
            await websocket.send_json(
                {
                    "type": "error",
                    "code": "unsupported_frame",
                    "message": "agents reply over the HTTP API",
                }
            )
