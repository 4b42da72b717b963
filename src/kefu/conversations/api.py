"""HTTP routes of the conversations domain."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Response, status
from pydantic import AfterValidator

from kefu.accounts.permissions import Department
from kefu.conversations import assignment, queries, service, subtasks
from kefu.conversations.schemas import (
    AssignIn,
    ConversationCreate,
    ConversationOut,
    ConversationPage,
    EscalateIn,
    MessageIn,
    MessageOut,
    PriorityIn,
    StatusIn,
    SubtaskDoneIn,
    SubtaskIn,
    SubtaskOut,
    TagsIn,
    TransferIn,
)
from kefu.conversations.status import Channel, Priority, Status
from kefu.http.deps import CurrentPrincipal, SessionDep
from kefu.http.params import IdPath, Offset, OptionalIdQuery
from kefu.shared.clock import utcnow
from kefu.shared.types import MAX_ID, NO_NUL

router = APIRouter(prefix="/api/v1/conversations", tags=["conversations"])


def _assignee_in_range(value: str | None) -> str | None:
    if value is not None and value.isdigit() and not 1 <= int(value) <= MAX_ID:
        raise ValueError(f"a user id is between 1 and {MAX_ID}")
    return value


AssigneeFilter = Annotated[
    str | None,
    Query(pattern=r"^(me|none|\d{1,10})$", description="me, none or a user id"),
    AfterValidator(_assignee_in_range),
]


@router.get("", response_model=ConversationPage)
async def list_conversations(
    principal: CurrentPrincipal,
    session: SessionDep,
    status_: Annotated[list[Status] | None, Query(alias="status")] = None,
    channel: Channel | None = None,
    priority: Priority | None = None,
    assignee: AssigneeFilter = None,
    team_id: OptionalIdQuery = None,
    tag: Annotated[str | None, Query(max_length=50, pattern=NO_NUL)] = None,
    customer_id: OptionalIdQuery = None,
    q: Annotated[
        str | None, Query(max_length=200, pattern=NO_NUL, description="search text")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 25,
    offset: Offset = 0,
) -> ConversationPage:
    filters = queries.ConversationFilter(
        statuses=tuple(status_ or ()),
        channel=channel,
        priority=priority,
        assignee=assignee,
        team_id=team_id,
        tag=tag,
        customer_id=customer_id,
        query=q or None,
    )
    items, total = await queries.list_conversations(
        session, actor=principal, filters=filters, limit=limit, offset=offset
    )
    next_offset = offset + limit if offset + limit < total else None
    return ConversationPage(items=items, total=total, next_offset=next_offset)


@router.post("", response_model=ConversationOut, status_code=status.HTTP_201_CREATED)
async def open_conversation(
    body: ConversationCreate,
    principal: CurrentPrincipal,
    session: SessionDep,
    response: Response,
) -> ConversationOut:
    conversation, created = await service.open_conversation(
        session, actor=principal, data=body, now=utcnow()
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return (await queries.describe(session, [conversation]))[0]


@router.get("/tags", response_model=list[str])
async def list_tags(principal: CurrentPrincipal, session: SessionDep) -> list[str]:
    return await queries.list_tags(session, actor=principal)


@router.get("/{conversation_id}", response_model=ConversationOut)
async def get_conversation(
    conversation_id: IdPath, principal: CurrentPrincipal, session: SessionDep
) -> ConversationOut:
    conversation = await queries.require_conversation(
        session, actor=principal, conversation_id=conversation_id
    )
    return (await queries.describe(session, [conversation]))[0]


@router.get("/{conversation_id}/messages", response_model=list[MessageOut])
async def list_messages(
    conversation_id: IdPath,
    principal: CurrentPrincipal,
    session: SessionDep,
    after_id: OptionalIdQuery = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> list[MessageOut]:
    messages = await queries.list_messages(
        session, actor=principal, conversation_id=conversation_id, after_id=after_id, limit=limit
    )
    return await queries.message_views(session, messages)


@router.post(
    "/{conversation_id}/messages",
    response_model=MessageOut,
    status_code=status.HTTP_201_CREATED,
    responses={200: {"description": "replay of an earlier send with the same idempotency key"}},
)
async def post_message(
    conversation_id: IdPath,
    body: MessageIn,
    principal: CurrentPrincipal,
    session: SessionDep,
    response: Response,
    idempotency_key: Annotated[str | None, Header(max_length=100)] = None,
) -> MessageOut:
    if body.idempotency_key is None and idempotency_key:
        body = body.model_copy(update={"idempotency_key": idempotency_key})
    message, created = await service.post_message(
        session, actor=principal, conversation_id=conversation_id, data=body, now=utcnow()
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return (await queries.message_views(session, [message]))[0]


@router.post("/{conversation_id}/status", response_model=ConversationOut)
async def change_status(
    conversation_id: IdPath, body: StatusIn, principal: CurrentPrincipal, session: SessionDep
) -> ConversationOut:
    conversation = await service.change_status(
        session, actor=principal, conversation_id=conversation_id, status=body.status, now=utcnow()
    )
    return (await queries.describe(session, [conversation]))[0]


@router.post("/{conversation_id}/priority", response_model=ConversationOut)
async def set_priority(
    conversation_id: IdPath, body: PriorityIn, principal: CurrentPrincipal, session: SessionDep
) -> ConversationOut:
    conversation = await service.set_priority(
        session,
        actor=principal,
        conversation_id=conversation_id,
        priority=body.priority,
        now=utcnow(),
    )
    return (await queries.describe(session, [conversation]))[0]


@router.post("/{conversation_id}/assign", response_model=ConversationOut)
async def assign(
    conversation_id: IdPath, body: AssignIn, principal: CurrentPrincipal, session: SessionDep
) -> ConversationOut:
    conversation = await assignment.assign_conversation(
        session,
        actor=principal,
        conversation_id=conversation_id,
        assignee_id=body.assignee_id,
        team_id=body.team_id,
        now=utcnow(),
    )
    return (await queries.describe(session, [conversation]))[0]


@router.post("/{conversation_id}/tags", response_model=list[str])
async def change_tags(
    conversation_id: IdPath, body: TagsIn, principal: CurrentPrincipal, session: SessionDep
) -> list[str]:
    return await service.change_tags(
        session,
        actor=principal,
        conversation_id=conversation_id,
        add=body.add,
        remove=body.remove,
        now=utcnow(),
    )


@router.post("/{conversation_id}/transfer", response_model=ConversationOut)
async def transfer(
    conversation_id: IdPath, body: TransferIn, principal: CurrentPrincipal, session: SessionDep
) -> ConversationOut:
    """Assign to another agent or a team with an internal note saying why."""
    conversation, _note = await assignment.transfer_conversation(
        session, actor=principal, conversation_id=conversation_id, data=body, now=utcnow()
    )
    return (await queries.describe(session, [conversation]))[0]


@router.post("/{conversation_id}/escalate", response_model=ConversationOut)
async def escalate(
    conversation_id: IdPath, body: EscalateIn, principal: CurrentPrincipal, session: SessionDep
) -> ConversationOut:
    """Escalate to the next tier (senior, then expert): back to the queue with a note."""
    conversation, _note = await assignment.escalate_conversation(
        session, actor=principal, conversation_id=conversation_id, note=body.note, now=utcnow()
    )
    return (await queries.describe(session, [conversation]))[0]


@router.get("/{conversation_id}/subtasks", response_model=list[SubtaskOut])
async def list_subtasks(
    conversation_id: IdPath, principal: CurrentPrincipal, session: SessionDep
) -> list[SubtaskOut]:
    tasks = await subtasks.conversation_subtasks(
        session, actor=principal, conversation_id=conversation_id
    )
    now = utcnow()
    return [subtasks.view(task, now) for task in tasks]


@router.post(
    "/{conversation_id}/subtasks", response_model=SubtaskOut, status_code=status.HTTP_201_CREATED
)
async def create_subtask(
    conversation_id: IdPath, body: SubtaskIn, principal: CurrentPrincipal, session: SessionDep
) -> SubtaskOut:
    """Ask logistics, the warehouse or tech for help; the conversation cannot be resolved
    until the sub-task is done or cancelled."""
    now = utcnow()
    task = await subtasks.create_subtask(
        session, actor=principal, conversation_id=conversation_id, data=body, now=now
    )
    return subtasks.view(task, now)


subtasks_router = APIRouter(prefix="/api/v1/subtasks", tags=["conversations"])


@subtasks_router.get("", response_model=list[SubtaskOut])
async def department_subtasks(
    principal: CurrentPrincipal,
    session: SessionDep,
    department: Annotated[Department | None, Query()] = None,
    open_only: Annotated[bool, Query(alias="open")] = True,
) -> list[SubtaskOut]:
    """Sub-tasks of a department (department staff always see their own department's)."""
    tasks = await subtasks.department_subtasks(
        session,
        actor=principal,
        department=department.value if department else None,
        only_open=open_only,
    )
    now = utcnow()
    return [subtasks.view(task, now) for task in tasks]


@subtasks_router.post("/{subtask_id}/finish", response_model=SubtaskOut)
async def finish_subtask(
    subtask_id: IdPath, body: SubtaskDoneIn, principal: CurrentPrincipal, session: SessionDep
) -> SubtaskOut:
    now = utcnow()
    task = await subtasks.finish_subtask(
        session, actor=principal, subtask_id=subtask_id, data=body, now=now
    )
    return subtasks.view(task, now)
