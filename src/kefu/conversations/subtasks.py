"""Sub-tasks: another department (logistics, warehouse, tech) works on part of a conversation,
with its own assignee and deadline; the conversation cannot be resolved while one is open.

Each step writes an internal note into the conversation, so the agent and the department see
the request and the answer in the thread, and an audit row.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kefu.accounts.models import User
from kefu.accounts.permissions import Permission, Role
from kefu.accounts.principal import Principal
from kefu.accounts.service import record_audit
from kefu.conversations.models import Conversation, Message, Subtask
from kefu.conversations.queries import require_conversation
from kefu.conversations.schemas import SubtaskDoneIn, SubtaskIn, SubtaskOut
from kefu.conversations.service import conversation_event, message_event
from kefu.conversations.status import SenderType, SubtaskStatus
from kefu.shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from kefu.shared.events import emit_on_commit

DEPARTMENT_NAMES = {"logistics": "物流部", "warehouse": "仓库", "tech": "技术部"}


def view(task: Subtask, now: datetime) -> SubtaskOut:
    out = SubtaskOut.model_validate(task)
    out.overdue = (
        task.status == SubtaskStatus.OPEN.value and task.due_at is not None and task.due_at < now
    )
    return out


async def _note(
    session: AsyncSession, *, actor: Principal, conversation: Conversation, body: str, now: datetime
) -> None:
    message = Message(
        shop_id=conversation.shop_id,
        conversation_id=conversation.id,
        sender_type=SenderType.AGENT.value,
        sender_user_id=actor.user_id,
        body=body,
        is_internal=True,
        created_at=now,
    )
    session.add(message)
    conversation.message_count = Conversation.message_count + 1
    conversation.updated_at = now
    await session.flush()
    emit_on_commit(session, message_event(message, conversation.customer_id))
    emit_on_commit(session, conversation_event(conversation, "subtask"))


async def create_subtask(
    session: AsyncSession, *, actor: Principal, conversation_id: int, data: SubtaskIn, now: datetime
) -> Subtask:
    """Agents ask a department for help on a conversation they can manage."""
    actor.require(Permission.CONVERSATIONS_MANAGE)
    conversation = await require_conversation(session, actor=actor, conversation_id=conversation_id)
    if data.assignee_id is not None:
        user = await session.get(User, data.assignee_id)
        if user is None or user.shop_id != actor.shop_id:
            raise NotFound(f"no user {data.assignee_id}", code="user_not_found")
        if not user.is_active or user.role != Role.DEPARTMENT.value:
            raise InvalidInput("sub-tasks go to department staff", code="not_department_staff")
        if user.department != data.department.value:
            raise InvalidInput(
                f"user {user.id} is not in {data.department.value}", code="wrong_department"
            )
    if data.due_at is not None and data.due_at <= now:
        raise InvalidInput("the deadline is in the past", code="due_in_past")
    task = Subtask(
        shop_id=actor.shop_id,
        conversation_id=conversation.id,
        department=data.department.value,
        title=data.title.strip(),
        note=data.note.strip(),
        assignee_id=data.assignee_id,
        due_at=data.due_at,
        status=SubtaskStatus.OPEN.value,
        result="",
        created_by_id=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    session.add(task)
    await session.flush()
    label = DEPARTMENT_NAMES.get(task.department, task.department)
    body = f"协作任务 #{task.id} → {label}：{task.title}" + (f"\n{task.note}" if task.note else "")
    await _note(session, actor=actor, conversation=conversation, body=body, now=now)
    await record_audit(
        session, actor=actor, action="subtask.create", target_type="subtask",
        target_id=task.id, now=now, detail={"conversation_id": conversation.id},
    )  # fmt: skip
    await session.commit()
    return task


async def require_subtask(session: AsyncSession, *, actor: Principal, subtask_id: int) -> Subtask:
    task = await session.get(Subtask, subtask_id)
    if task is None or task.shop_id != actor.shop_id:
        raise NotFound(f"no sub-task {subtask_id}", code="subtask_not_found")
    return task


async def finish_subtask(
    session: AsyncSession, *, actor: Principal, subtask_id: int, data: SubtaskDoneIn, now: datetime
) -> Subtask:
    """Department staff of the task's department (or agents who manage conversations) mark it
    done with a result, or cancel it; the result is noted in the conversation."""
    task = await require_subtask(session, actor=actor, subtask_id=subtask_id)
    if actor.role is Role.DEPARTMENT:
        me = await session.get(User, actor.user_id) if actor.user_id else None
        if me is None or me.department != task.department:
            raise Forbidden("another department's task", code="forbidden")
    else:
        actor.require(Permission.CONVERSATIONS_MANAGE)
    if task.status != SubtaskStatus.OPEN.value:
        raise Conflict("the sub-task is already closed", code="subtask_closed")
    task.status = (SubtaskStatus.CANCELLED if data.cancel else SubtaskStatus.DONE).value
    task.result = data.result.strip()
    task.done_at = task.updated_at = now
    if task.assignee_id is None and actor.role is Role.DEPARTMENT:
        task.assignee_id = actor.user_id
    conversation = await session.get(Conversation, task.conversation_id)
    assert conversation is not None
    verb = "已取消" if data.cancel else "已完成"
    body = f"协作任务 #{task.id} {verb}" + (f"：{task.result}" if task.result else "")
    await _note(session, actor=actor, conversation=conversation, body=body, now=now)
    await record_audit(
        session, actor=actor, action="subtask.finish", target_type="subtask",
        target_id=task.id, now=now, detail={"status": task.status},
    )  # fmt: skip
    await session.commit()
    return task


async def conversation_subtasks(
    session: AsyncSession, *, actor: Principal, conversation_id: int
) -> list[Subtask]:
    conversation = await require_conversation(session, actor=actor, conversation_id=conversation_id)
    rows = await session.scalars(
        select(Subtask).where(Subtask.conversation_id == conversation.id).order_by(Subtask.id)
    )
    return list(rows)


async def department_subtasks(
    session: AsyncSession, *, actor: Principal, department: str | None, only_open: bool
) -> list[Subtask]:
    """The shop's sub-tasks of ``department`` (department staff: always their own), open
    first by deadline."""
    actor.require(Permission.CONVERSATIONS_READ)
    if actor.role is Role.DEPARTMENT:
        me = await session.get(User, actor.user_id) if actor.user_id else None
        department = me.department if me is not None else "-"
    query = select(Subtask).where(Subtask.shop_id == actor.shop_id)
    if department is not None:
        query = query.where(Subtask.department == department)
    if only_open:
        query = query.where(Subtask.status == SubtaskStatus.OPEN.value)
    rows = await session.scalars(query.order_by(Subtask.due_at, Subtask.id).limit(500))
    return list(rows)
