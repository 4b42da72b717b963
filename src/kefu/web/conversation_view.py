"""What the conversation page shows: its summary, side panel, reply form and sender names."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from kefu.accounts import service as accounts
from kefu.accounts.permissions import Permission
from kefu.conversations import queries
from kefu.conversations.models import Message
from kefu.conversations.schemas import MAX_MESSAGE_CHARS, MAX_TAG_CHARS, ConversationOut
from kefu.conversations.status import ALLOWED, Status
from kefu.web.viewer import Viewer

TIMELINE_LIMIT = 500
STATUS_ORDER = (Status.OPEN, Status.PENDING, Status.RESOLVED, Status.CLOSED)


def new_idempotency_key() -> str:
    """One per rendered reply form: posting the same form twice sends one message."""
    return f"web-{uuid.uuid4().hex}"


def page_path(conversation_id: int) -> str:
    return f"/conversations/{conversation_id}"


def transitions(status: Status) -> list[Status]:
    return [target for target in STATUS_ORDER if target in ALLOWED[status]]


async def agent_names(
    session: AsyncSession, viewer: Viewer, messages: Sequence[Message]
) -> dict[int, str]:
    names: dict[int, str] = {}
    for user_id in {m.sender_user_id for m in messages if m.sender_user_id is not None}:
        user = await accounts.get_user(session, user_id)
        if user is not None and user.shop_id == viewer.principal.shop_id:
            names[user_id] = user.name
    return names


def panel_context(viewer: Viewer, summary: ConversationOut) -> dict[str, object]:
    return {
        "summary": summary,
        "transitions": transitions(summary.status),
        "can_manage": viewer.can(Permission.CONVERSATIONS_MANAGE),
        "tag_error": None,
        "max_tag_chars": MAX_TAG_CHARS,
    }


def reply_context(
    viewer: Viewer,
    conversation_id: int,
    *,
    body: str = "",
    internal: bool = False,
    key: str | None = None,
    after_id: int | None = None,
    error: str | None = None,
) -> dict[str, object]:
    return {
        "conversation_id": conversation_id,
        "can_reply": viewer.can(Permission.CONVERSATIONS_REPLY),
        "can_note": viewer.can(Permission.CONVERSATIONS_NOTE),
        "body": body,
        "internal": internal,
        "idempotency_key": key or new_idempotency_key(),
        "after_id": after_id,
        "error": error,
        "max_chars": MAX_MESSAGE_CHARS,
        "oob": False,
        "autofocus": False,
    }


async def summarize(session: AsyncSession, viewer: Viewer, conversation_id: int) -> ConversationOut:
    conversation = await queries.require_conversation(
        session, actor=viewer.principal, conversation_id=conversation_id
    )
    return (await queries.describe(session, [conversation]))[0]
