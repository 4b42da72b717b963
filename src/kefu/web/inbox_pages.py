"""The conversation list: status tabs, filters, Chinese substring search and pagination."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from kefu.conversations import queries
from kefu.conversations.schemas import ConversationPage
from kefu.conversations.status import Channel, Priority, Status
from kefu.http.deps import SessionDep
from kefu.sla import service as sla_service
from kefu.web.routing import PageRoute
from kefu.web.viewer import Viewer, ViewerDep, is_htmx

router = APIRouter(route_class=PageRoute, include_in_schema=False)

LIST_TARGET = "conversation-list"
STATUS_TABS = ("open", "pending", "resolved", "closed", "all")
ASSIGNEES = ("all", "me", "none")
DEFAULT_LIMIT, MAX_LIMIT, MAX_QUERY_CHARS = 25, 100, 200


def _int(value: str | None, default: int, low: int, high: int) -> int:
    try:
        number = int(value) if value is not None else default
    except ValueError:
        return default
    return min(max(number, low), high)


@dataclass(frozen=True, slots=True)
class InboxQuery:
    """The list's query string, read leniently: an unknown value falls back to its default."""

    status: str = "open"
    assignee: str = "all"
    channel: Channel | None = None
    priority: Priority | None = None
    tag: str = ""
    q: str = ""
    offset: int = 0
    limit: int = DEFAULT_LIMIT

    @classmethod
    def parse(cls, query: Mapping[str, str]) -> InboxQuery:
        # NUL cannot reach PostgreSQL text; dropping it is as lenient as the other fallbacks.
        params = {k: v.replace("\x00", "") for k, v in query.items()}
        status, assignee = params.get("status", "open"), params.get("assignee", "all")
        channel, priority = params.get("channel", ""), params.get("priority", "")
        return cls(
            status=status if status in STATUS_TABS else "open",
            assignee=assignee if assignee in ASSIGNEES else "all",
            channel=Channel(channel) if channel in set(Channel) else None,
            priority=Priority(priority) if priority in set(Priority) else None,
            tag=params.get("tag", "").strip()[:50],
            q=params.get("q", "").strip()[:MAX_QUERY_CHARS],
            offset=_int(params.get("offset"), 0, 0, 10**9),
            limit=_int(params.get("limit"), DEFAULT_LIMIT, 1, MAX_LIMIT),
        )

    def to_filter(self, status: str | None = None) -> queries.ConversationFilter:
        tab = self.status if status is None else status
        return queries.ConversationFilter(
            statuses=() if tab == "all" else (Status(tab),),
            channel=self.channel,
            priority=self.priority,
            assignee=None if self.assignee == "all" else self.assignee,
            tag=self.tag or None,
            query=self.q or None,
        )

    def url(self, **changes: object) -> str:
        """This list's address with ``changes``; defaults are left out to keep links short."""
        merged = replace(self, **changes)  # type: ignore[arg-type]
        defaults = InboxQuery()
        params = [
            (name, str(value))
            for name in ("status", "assignee", "channel", "priority", "tag", "q", "offset", "limit")
            if (value := getattr(merged, name)) != getattr(defaults, name) and value is not None
        ]
        return "/conversations" + (f"?{urlencode(params)}" if params else "")


@dataclass(frozen=True, slots=True)
class Tab:
    status: str
    count: int
    url: str
    active: bool


async def _tabs(session: AsyncSession, viewer: Viewer, inbox: InboxQuery) -> list[Tab]:
    """Counts per status under the other filters; the four statuses add up to "all"."""
    counts: dict[str, int] = {}
    for status in STATUS_TABS[:-1]:
        _, counts[status] = await queries.list_conversations(
            session, actor=viewer.principal, filters=inbox.to_filter(status), limit=0, offset=0
        )
    counts["all"] = sum(counts.values())
    return [
        Tab(
            status=status,
            count=counts[status],
            url=inbox.url(status=status, offset=0),
            active=status == inbox.status,
        )
        for status in STATUS_TABS
    ]


@router.get("/conversations")
async def conversation_list(request: Request, viewer: ViewerDep, session: SessionDep) -> Response:
    inbox = InboxQuery.parse(request.query_params)
    items, total = await queries.list_conversations(
        session,
        actor=viewer.principal,
        filters=inbox.to_filter(),
        limit=inbox.limit,
        offset=inbox.offset,
    )
    end = inbox.offset + inbox.limit
    page = ConversationPage(items=items, total=total, next_offset=end if end < total else None)
    context = {
        "inbox": inbox,
        "page": page,
        "breached": await sla_service.breached_among(
            session, actor=viewer.principal, conversation_ids=[c.id for c in items]
        ),
        "tabs": await _tabs(session, viewer, inbox),
        "tags": await queries.list_tags(session, actor=viewer.principal),
        "channels": list(Channel),
        "priorities": list(Priority),
        "assignees": ASSIGNEES,
        "prev_url": (
            inbox.url(offset=max(0, inbox.offset - inbox.limit)) if inbox.offset > 0 else None
        ),
        "next_url": inbox.url(offset=page.next_offset) if page.next_offset is not None else None,
    }
    fragment = is_htmx(request) and request.headers.get("hx-target") == LIST_TARGET
    return viewer.render(
        request,
        "inbox/_list.html" if fragment else "inbox/page.html",
        {**context, "oob": fragment},
        headers={"Vary": "HX-Request, HX-Target"},
    )
