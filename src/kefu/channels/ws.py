"""WebSocket endpoints: the customer's live chat and the agents' live event stream."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pydantic import ValidationError

from kefu.accounts.permissions import Permission
from kefu.accounts.principal import Principal
from kefu.attachments.schemas import AttachmentOut
from kefu.attachments.service import attachments_by_message
from kefu.channels import webchat, widget
from kefu.channels.frames import (
    AnyFrame,
    PingFrame,
    ReadFrame,
    ResumeFrame,
    SendFrame,
    TypingFrame,
    parse_frame,
)
from kefu.channels.presence import REFRESH_SECONDS, AgentPresence, PresenceBoard, Seat
from kefu.channels.queue_watch import Place, QueueWatch
from kefu.channels.visitor import VisitorTokens
from kefu.channels.writer import MessageWriter
from kefu.conversations.models import Message
from kefu.conversations.queries import get_conversation
from kefu.conversations.service import ConversationLike
from kefu.http.deps import identify
from kefu.routing import presence as routing_presence
from kefu.shared.clock import utcnow
from kefu.shared.db import Database
from kefu.shared.errors import KefuError
from kefu.shared.events import Event, EventBus, Subscription

router = APIRouter()

CLOSE_NOT_FOUND = 4404
CLOSE_UNAUTHORIZED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_TOO_SLOW = 4408


def message_json(message: Message, files: Sequence[AttachmentOut] = ()) -> dict[str, Any]:
    return {
        "id": message.id,
        "conversation_id": message.conversation_id,
        "sender_type": message.sender_type,
        "body": message.body,
        "created_at": message.created_at.isoformat(),
        "attachments": [f.model_dump() for f in files],
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
    board: PresenceBoard = websocket.app.state.presence_board
    await websocket.accept()
    presented = widget.VisitorTokenPair(
        visitor=websocket.query_params.get("visitor", ""),
        identity=websocket.query_params.get("identity", ""),
    )
    try:
        async with db.session() as session:
            token, visitor = await widget.open_visitor(
                session, tokens=tokens, shop_slug=shop_slug, presented=presented, now=utcnow()
            )
    except KefuError as exc:
        # A bad identity token is the shop's (or an expired page's) problem, not a missing shop.
        refused = CLOSE_UNAUTHORIZED if exc.status == 401 else CLOSE_NOT_FOUND
        await websocket.close(code=refused, reason=exc.code)
        return
    own = OwnSends()
    queue_watch: QueueWatch = websocket.app.state.queue_watch
    # Watching first, then reading the answer: a change in between is still announced.
    async with (
        board.watch(visitor.shop_id) as presence_changes,
        queue_watch.watch(visitor.shop_id, visitor.customer_id) as places,
    ):
        with bus.hub.subscribe(f"customer:{visitor.customer_id}") as sub:
            online = await board.online(visitor.shop_id)
            await websocket.send_json(
                {"type": "welcome", "visitor": token, "agents_online": online}
            )
            await _run_until_first_ends(
                lambda: _customer_frames(websocket, db, bus, visitor, own),
                lambda: _forward(websocket, sub, lambda event: _customer_view(event, own)),
                lambda: _announce_presence(websocket, presence_changes),
                lambda: _announce_place(websocket, places),
            )


async def _announce_place(websocket: WebSocket, places: AsyncIterator[Place]) -> None:
    """Tell a waiting customer their place in the queue and the predicted wait, as they change."""
    async for place in places:
        await websocket.send_json(place.frame())


async def _announce_presence(websocket: WebSocket, changes: AsyncIterator[bool]) -> None:
    """Tell the visitor when agents come online or all leave (the board checks each shop every
    few seconds for the whole process)."""
    async for online in changes:
        await websocket.send_json({"type": "presence", "agents_online": online})


class OwnSends:
    """Idempotency keys of messages this socket sent and has not yet seen come back as events.

    The ``ack`` already carries the stored message, so the socket that sent it is not sent it
    again; the visitor's other tabs still get it as a ``message`` frame."""

    LIMIT = 256  # past this, forget: at worst a client gets an echo it de-duplicates by id

    def __init__(self) -> None:
        self._keys: set[str] = set()

    def add(self, key: str) -> None:
        if len(self._keys) >= self.LIMIT:
            self._keys.clear()
        self._keys.add(key)

    def discard(self, key: str) -> None:
        self._keys.discard(key)

    def take(self, key: object) -> bool:
        """Whether ``key`` was this socket's (and forget it)."""
        if key in self._keys:
            self._keys.discard(key)
            return True
        return False


def _customer_view(event: Event, own: OwnSends) -> dict[str, Any] | None:
    """What a customer may see of an event: public messages (except the ones this socket sent,
    already acknowledged), status, agents typing."""
    if event.type == "message.created":
        if event.data["is_internal"] or own.take(event.data.get("idempotency_key")):
            return None
        return {
            "type": "message",
            "message": {
                **{
                    k: event.data[k]
                    for k in ("id", "conversation_id", "sender_type", "body", "created_at")
                },
                "attachments": event.data.get("attachments", []),
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
    websocket: WebSocket, db: Database, bus: EventBus, visitor: webchat.Visitor, own: OwnSends
) -> None:
    async for frame in _valid_frames(websocket):
        if isinstance(frame, SendFrame):
            await _customer_send(websocket, visitor, frame, own)
        elif isinstance(frame, ResumeFrame):
            async with db.session() as session:
                missed = await webchat.history(session, visitor=visitor, after_id=frame.after_id)
                files = await attachments_by_message(session, [m.id for m in missed])
            await websocket.send_json(
                {
                    "type": "history",
                    "messages": [message_json(m, files.get(m.id, ())) for m in missed],
                }
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
    websocket: WebSocket, visitor: webchat.Visitor, frame: SendFrame, own: OwnSends
) -> None:
    """Store, then acknowledge: an ``ack`` means the message is committed."""
    writer: MessageWriter = websocket.app.state.message_writer
    key = webchat.message_key(visitor, frame.client_id)
    own.add(key)
    try:
        message, created = await writer.send(
            visitor=visitor,
            body=frame.body,
            client_id=frame.client_id,
            attachment_ids=frame.attachment_ids,
        )
    except KefuError as exc:
        own.discard(key)
        await websocket.send_json(
            {
                "type": "error",
                "code": exc.code,
                "message": exc.message,
                "client_id": frame.client_id,
            }
        )
        return
    if not created:
        own.discard(key)  # a resend: nothing new was published
    files: Sequence[AttachmentOut] = ()
    if frame.attachment_ids or not created:
        db: Database = websocket.app.state.db
        async with db.session() as session:
            files = (await attachments_by_message(session, [message.id])).get(message.id, ())
    await websocket.send_json(
        {
            "type": "ack",
            "client_id": frame.client_id,
            "duplicate": not created,
            "message": message_json(message, files),
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
    presence: AgentPresence = websocket.app.state.agent_presence
    board: PresenceBoard = websocket.app.state.presence_board
    seat = await board.join(principal.shop_id)
    try:
        with bus.hub.subscribe(f"shop:{principal.shop_id}") as sub:
            await _heartbeat(db, principal)
            await websocket.send_json({"type": "welcome", "shop_id": principal.shop_id})
            await _run_until_first_ends(
                lambda: _agent_frames(websocket, db, bus, principal),
                lambda: _forward(websocket, sub, _agent_view),
                lambda: _keep_seat(presence, seat, db, principal),
            )
    finally:
        await board.leave(seat)


async def _keep_seat(
    presence: AgentPresence, seat: Seat, db: Database, principal: Principal
) -> None:
    """Keep this agent counted as online while the socket is open (Redis forgets otherwise),
    and heard from by the router."""
    while True:
        await asyncio.sleep(REFRESH_SECONDS)
        await presence.refresh(seat)
        await _heartbeat(db, principal)


async def _heartbeat(db: Database, principal: Principal) -> None:
    async with db.session() as session:
        await routing_presence.heartbeat(session, actor=principal, now=utcnow())


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
