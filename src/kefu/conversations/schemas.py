"""API shapes of the conversations domain."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from kefu.accounts.permissions import Department
from kefu.attachments.schemas import AttachmentIds, AttachmentOut
from kefu.conversations.status import Channel, Priority, SenderType, Status
from kefu.shared.types import NO_NUL, DbId

MAX_MESSAGE_CHARS = 10_000
MAX_TAG_CHARS = 50


class CustomerBrief(BaseModel):
    id: int
    name: str
    vip_level: int


class ConversationOut(BaseModel):
    id: int
    channel: Channel
    status: Status
    priority: Priority
    subject: str
    customer: CustomerBrief
    assignee_id: int | None
    assignee_name: str | None
    team_id: int | None
    tags: list[str]
    message_count: int
    created_at: datetime
    updated_at: datetime
    last_message_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    last_message_preview: str = ""
    # Customer messages since the last public reply by an agent or the bot.
    unanswered: int = 0
    # Routing: the queue it waits in (or waited in), since when, the lowest tier that may
    # take it (raised by escalation), what the bot saw, and the nearest SLA deadline.
    queue_id: int | None = None
    queued_at: datetime | None = None
    min_tier: str | None = None
    intent: str | None = None
    angry: bool = False
    sla_due_at: datetime | None = None


class ConversationPage(BaseModel):
    items: list[ConversationOut]
    total: int
    next_offset: int | None


class MessageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    conversation_id: int
    sender_type: SenderType
    sender_user_id: int | None
    body: str
    is_internal: bool
    idempotency_key: str | None
    created_at: datetime
    attachments: list[AttachmentOut] = Field(default_factory=list)


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("message body is blank")
    return value


# The text of a message on any channel: 1 to MAX_MESSAGE_CHARS characters, not only spaces.
MessageBody = Annotated[
    str,
    Field(min_length=1, max_length=MAX_MESSAGE_CHARS, pattern=NO_NUL),
    AfterValidator(_not_blank),
]


# The text of a message that may carry files instead: see ``body_or_files``.
OptionalMessageBody = Annotated[str, Field(max_length=MAX_MESSAGE_CHARS, pattern=NO_NUL)]


def body_or_files(body: str, attachment_ids: list[int]) -> str:
    """A message needs text that is not only spaces, unless it carries files (then blank text
    is stored as empty)."""
    if body.strip():
        return body
    if attachment_ids:
        return ""
    raise ValueError("message body is blank")


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: OptionalMessageBody = ""
    internal: bool = False
    idempotency_key: str | None = Field(default=None, min_length=1, max_length=100, pattern=NO_NUL)
    attachment_ids: AttachmentIds = []

    @model_validator(mode="after")
    def _body_or_files(self) -> MessageIn:
        self.body = body_or_files(self.body, self.attachment_ids)
        return self


class ConversationCreate(BaseModel):
    """Open a conversation for a customer (integrations); the body is their first message."""

    model_config = ConfigDict(extra="forbid")

    customer_id: DbId
    channel: Channel = Channel.WEB
    subject: str = Field(default="", max_length=200, pattern=NO_NUL)
    priority: Priority = Priority.NORMAL
    body: MessageBody
    idempotency_key: str | None = Field(default=None, min_length=1, max_length=100, pattern=NO_NUL)


class StatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Status


class PriorityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    priority: Priority


class AssignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    assignee_id: DbId | None = None
    team_id: DbId | None = None


class TagsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    add: list[str] = Field(default_factory=list, max_length=20)
    remove: list[str] = Field(default_factory=list, max_length=20)

    @field_validator("add", "remove")
    @classmethod
    def _clean(cls, values: list[str]) -> list[str]:
        cleaned = []
        for value in values:
            tag = value.strip()
            if not tag or len(tag) > MAX_TAG_CHARS or "\x00" in tag:
                raise ValueError(f"a tag has 1 to {MAX_TAG_CHARS} characters and no NUL")
            cleaned.append(tag)
        return cleaned


MAX_TRANSFER_NOTE_CHARS = 500
Note = Annotated[
    str,
    Field(min_length=1, max_length=MAX_TRANSFER_NOTE_CHARS, pattern=NO_NUL),
    AfterValidator(_not_blank),
]


class TransferIn(BaseModel):
    """Hand the conversation to a colleague, a team, or a colleague in a team; ``note`` says why
    and becomes an internal note the new owner reads first."""

    model_config = ConfigDict(extra="forbid")

    assignee_id: DbId | None = None
    team_id: DbId | None = None
    # A routing queue: the conversation leaves its agent and waits there for the router
    # (unless ``assignee_id`` names who takes it).
    queue_id: DbId | None = None
    note: Note

    @model_validator(mode="after")
    def _somewhere(self) -> TransferIn:
        if self.assignee_id is None and self.team_id is None and self.queue_id is None:
            raise ValueError("name an assignee_id, a team_id, a queue_id or several")
        self.note = self.note.strip()
        return self


class EscalateIn(BaseModel):
    """Escalate to a higher tier (senior, then expert); ``note`` says why."""

    model_config = ConfigDict(extra="forbid")

    note: Note


class SubtaskIn(BaseModel):
    """Ask another department (logistics, warehouse, tech) to do something for this
    conversation, optionally naming who and by when."""

    model_config = ConfigDict(extra="forbid")

    department: Department
    title: Annotated[
        str, Field(min_length=1, max_length=200, pattern=NO_NUL), AfterValidator(_not_blank)
    ]
    note: Annotated[str, Field(max_length=2000, pattern=NO_NUL)] = ""
    assignee_id: DbId | None = None
    due_at: AwareDatetime | None = None


class SubtaskDoneIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    result: Annotated[str, Field(max_length=2000, pattern=NO_NUL)] = ""
    cancel: bool = False


class SubtaskOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    conversation_id: int
    department: str
    title: str
    note: str
    assignee_id: int | None
    due_at: datetime | None
    status: str
    result: str
    created_by_id: int | None
    created_at: datetime
    done_at: datetime | None
    overdue: bool = False
