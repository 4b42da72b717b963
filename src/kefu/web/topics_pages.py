"""What customers talk about (客户声音): the aspects they complain about and praise, per product,
and what is trending against the period before — for the merchandising team. Read-only."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from kefu.accounts.permissions import Permission
from kefu.analytics.periods import Period, parse_period
from kefu.http.deps import SessionDep
from kefu.shared.clock import utcnow
from kefu.web.routing import PageRoute
from kefu.web.viewer import Viewer, ViewerDep

router = APIRouter(route_class=PageRoute, include_in_schema=False)


async def reader(viewer: ViewerDep) -> Viewer:
    viewer.principal.require(Permission.ANALYTICS_READ)
    return viewer


ReaderDep = Annotated[Viewer, Depends(reader)]


def _zone(viewer: Viewer) -> ZoneInfo:
    return ZoneInfo(viewer.shop.timezone)


def _last_week(viewer: Viewer) -> Period:
    """The seven days before today, in the shop's time zone."""
    today = utcnow().astimezone(_zone(viewer)).date()
    first, last = today - timedelta(days=7), today - timedelta(days=1)
    return parse_period(f"{first.isoformat()}..{last.isoformat()}", _zone(viewer))


@router.get("/analytics/topics")
async def topics_page(
    request: Request,
    viewer: ReaderDep,
    session: SessionDep,
    period: Annotated[str | None, Query(max_length=40)] = None,
    complaints: Annotated[bool, Query()] = False,
) -> HTMLResponse:
    """Topics of customer messages in the period (default: the last seven days) against the
    period before it."""
    chosen = _last_week(viewer) if not period else parse_period(period, _zone(viewer))
    before = chosen.previous()
    from kefu.analytics.topics import topic_report  # jieba and the sentiment model: lazily

    report = await topic_report(
        session,
        shop_id=viewer.principal.shop_id,
        start=chosen.start,
        end=chosen.end,
        compare_start=before.start,
        compare_end=before.end,
        complaints_only=complaints,
    )
    return viewer.render(
        request,
        "topics/page.html",
        {"report": report, "period": chosen, "before": before, "complaints": complaints},
    )
