"""A shop's own contact history: conversations created per interval, on the shop's local clock.

The database only filters and returns creation instants; bucketing happens here, so SQLite
and PostgreSQL run the same plain query. Intervals are counted in local wall time
(``shops.timezone``): where daylight saving time repeats an hour, both hours fall into the same
intervals, and a skipped hour stays empty — the shape a local planner expects.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kefu.accounts import service as accounts
from kefu.conversations.models import Conversation
from kefu.shared.clock import as_utc
from kefu.shared.errors import NotFound
from kefu.workforce.series import CallSeries, SeriesError, from_counts

_BATCH = 2000


async def conversation_history(
    session: AsyncSession,
    *,
    shop_id: int,
    interval_minutes: int,
    until: datetime,
    since: datetime | None = None,
) -> CallSeries:
    """Conversations of the shop created in ``[since, until)`` (aware instants) per local
    interval, from the interval holding ``since`` (default: the local midnight before the first
    conversation) to the last interval that ended by ``until``. Empty intervals are real
    zeros, not gaps."""
    shop = await accounts.get_shop(session, shop_id)
    if shop is None:
        raise NotFound(f"no shop with id {shop_id}", code="shop_not_found")
    try:
        zone = ZoneInfo(shop.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SeriesError(f"the shop's time zone '{shop.timezone}' is unknown") from exc
    query = select(Conversation.created_at).where(
        Conversation.shop_id == shop_id, Conversation.created_at < until
    )
    if since is not None:
        query = query.where(Conversation.created_at >= since)
    counts: Counter[datetime] = Counter()
    rows = await session.stream_scalars(query.execution_options(yield_per=_BATCH))
    async for created in rows:
        counts[_bucket(as_utc(created).astimezone(zone), interval_minutes)] += 1
    first = _bucket(as_utc(since).astimezone(zone), interval_minutes) if since else None
    if first is None and not counts:
        raise SeriesError(f"shop {shop.slug} has no conversations before {until.isoformat()}")
    start = first if first is not None else min(counts).replace(hour=0, minute=0)
    end = _bucket(as_utc(until).astimezone(zone), interval_minutes)
    if end <= start:
        raise SeriesError("the history would be empty: 'until' is not after 'since'")
    series = from_counts(
        {moment: float(n) for moment, n in counts.items()},
        interval_minutes=interval_minutes,
        start=start,
        end=end,
    )
    return CallSeries(series.start, interval_minutes, series.calls, np.zeros(len(series), bool))


def _bucket(moment: datetime, interval_minutes: int) -> datetime:
    """The local wall-time start of the interval holding the aware ``moment``."""
    local = moment.replace(tzinfo=None, second=0, microsecond=0)
    return local - timedelta(minutes=(local.hour * 60 + local.minute) % interval_minutes)
