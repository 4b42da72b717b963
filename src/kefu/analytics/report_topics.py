"""The report's "top complaint topics": what customers complained about most in the period, from
the text-mining topic report (``kefu.analytics.topics``), in the shape the report shows."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from kefu.analytics.periods import Period

if TYPE_CHECKING:  # text mining loads jieba and the sentiment model: only when a report asks
    from kefu.analytics.topics import AspectRow

log = logging.getLogger(__name__)

TOP_TOPICS = 10
EXAMPLES = 2


@dataclass(frozen=True, slots=True)
class TopicRow:
    """One complaint topic: conversations complaining about it in the period (and in the one
    compared with), its share of the complaints naming any topic, and a few customer quotes
    (untrusted text: always escaped)."""

    label: str
    mentions: int
    share: float | None
    previous: int | None
    examples: tuple[str, ...]


def localized(label: str, locale: str) -> str:
    """``物流/delivery`` (a lexicon category) in one language; other labels as they are."""
    zh, slash, en = label.partition("/")
    if not slash or not zh or not en:
        return label
    return zh if locale.startswith("zh") else en


def topic_row(row: AspectRow, locale: str) -> TopicRow:
    return TopicRow(
        label=localized(row.label, locale),
        mentions=row.documents,
        share=row.share,
        previous=row.previous,
        examples=row.examples[:EXAMPLES],
    )


async def complaint_topics(
    session: AsyncSession, *, shop_id: int, period: Period, previous: Period, locale: str
) -> tuple[TopicRow, ...] | None:
    """The period's top complaint topics, most complained about first; None when mining failed
    (the report then says the section is unavailable rather than failing as a whole)."""
    from kefu.analytics.topics import topic_report

    try:
        mined = await topic_report(
            session,
            shop_id=shop_id,
            start=period.start,
            end=period.end,
            compare_start=previous.start,
            compare_end=previous.end,
            complaints_only=True,
            limit=TOP_TOPICS,
        )
    except Exception:
        log.exception("no complaint topics for shop %s in %s", shop_id, period.label)
        return None
    return tuple(topic_row(row, locale) for row in mined.to_fix if row.documents > 0)
