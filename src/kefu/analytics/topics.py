"""What customers talk about, for merchandising: aspects they praise and complain about, per
product, keywords and the topics rising against a comparison period. Read-only.

Reads customers' own messages (not bot or agent replies, not internal notes) of one shop. A
document is one conversation's customer messages in the period. It is linked to a product only
when that is well founded: among the products of the customer's orders placed in the 90 days
before the conversation, the one its text names (product name or SKU), else the product of
the latest such order when that order holds a single product; otherwise it stays unlinked.
Mining is CPU work (jieba, the sentiment model): it runs in a worker thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from kefu.analytics.aspects import extract_many
from kefu.analytics.mining import (
    AspectStat,
    Document,
    Keyword,
    MiningOptions,
    MiningResult,
    Trend,
    aspect_topics,
    count_aspects,
    keyword_tokens,
    mine,
    most_negative,
    most_positive,
    topic_label,
    trending,
)
from kefu.bot.text import normalize
from kefu.commerce.models import Order, OrderItem, Product
from kefu.conversations.models import Conversation, Message
from kefu.conversations.status import SenderType
from kefu.shared.errors import InvalidInput

MAX_DOCUMENTS = 5000  # conversations mined per period, the latest ones; `truncated` says so
LINK_WINDOW = timedelta(days=90)
CHUNK = 500  # ids per IN (...) list
_MIN_SKU = 4  # shorter SKUs match too much text by accident


@dataclass(frozen=True, slots=True)
class ProductRef:
    id: int
    sku: str
    name: str


@dataclass(frozen=True, slots=True)
class CustomerOrder:
    placed_at: datetime
    products: tuple[ProductRef, ...]


@dataclass(frozen=True, slots=True)
class AspectRow:
    """An aspect with one polarity: documents now, their share of the documents with any aspect
    of that polarity, documents in the comparison period, example clauses (customers' words)."""

    key: str
    label: str
    documents: int
    share: float
    previous: int
    negative_share: float | None
    terms: tuple[tuple[str, int], ...]
    examples: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ProductTopics:
    product_id: int
    sku: str
    name: str
    documents: int
    complaints: int
    negative: tuple[AspectStat, ...]
    positive: tuple[AspectStat, ...]
    keywords: tuple[Keyword, ...]


@dataclass(frozen=True, slots=True)
class TopicReport:
    """`to_fix`: aspects most often negative; `praised`: most often positive; `products`: the
    linked products, most negative documents first; trends compare with [compare_start,
    compare_end), by default the period of equal length right before."""

    shop_id: int
    start: datetime
    end: datetime
    compare_start: datetime
    compare_end: datetime
    complaints_only: bool
    documents: int
    complaints: int
    linked: int
    previous_documents: int
    truncated: bool
    to_fix: tuple[AspectRow, ...]
    praised: tuple[AspectRow, ...]
    products: tuple[ProductTopics, ...]
    keywords: tuple[Keyword, ...]
    trending_aspects: tuple[Trend, ...]
    trending_keywords: tuple[Trend, ...]


@dataclass(slots=True)
class _Conversation:
    customer_id: int
    complaint: bool
    first_at: datetime
    bodies: list[str]


@dataclass(frozen=True, slots=True)
class _Period:
    documents: list[Document]
    products: dict[int, ProductRef]
    truncated: bool


@dataclass(frozen=True, slots=True)
class _Analysis:
    result: MiningResult
    previous: list[AspectStat]
    polar_documents: dict[int, int]  # documents with any aspect of each polarity
    trending_aspects: list[Trend]
    trending_keywords: list[Trend]


def link_product(text: str, at: datetime, orders: Sequence[CustomerOrder]) -> ProductRef | None:
    """The product a customer's text is about (see the module docstring), or None."""
    recent = sorted(
        (o for o in orders if at - LINK_WINDOW <= o.placed_at <= at),
        key=lambda o: o.placed_at,
        reverse=True,
    )
    if not recent:
        return None
    plain = normalize(text).replace(" ", "")
    candidates = {p.id: p for o in recent for p in o.products}
    named = [
        p
        for p in candidates.values()
        if normalize(p.name).replace(" ", "") in plain
        or (len(p.sku) >= _MIN_SKU and normalize(p.sku) in plain)
    ]
    if len(named) == 1:
        return named[0]
    latest = {p.id: p for p in recent[0].products}
    return next(iter(latest.values())) if len(latest) == 1 and not named else None


def _messages(
    shop_id: int, start: datetime, end: datetime, complaints_only: bool
) -> Select[tuple[int, int, datetime | None, str, datetime]]:
    query = (
        select(
            Message.conversation_id,
            Conversation.customer_id,
            Conversation.complaint_since,
            Message.body,
            Message.created_at,
        )
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(
            Message.shop_id == shop_id,
            Conversation.shop_id == shop_id,
            Message.sender_type == SenderType.CUSTOMER.value,
            Message.is_internal.is_(False),
            Message.created_at >= start,
            Message.created_at < end,
        )
        .order_by(Message.created_at.desc(), Message.id.desc())
    )
    if complaints_only:
        query = query.where(Conversation.complaint_since.is_not(None))
    return query


async def _conversations(
    session: AsyncSession, shop_id: int, period: tuple[datetime, datetime], complaints_only: bool
) -> tuple[list[_Conversation], bool]:
    """The period's conversations with customer messages, latest first, at most MAX_DOCUMENTS
    (True when some were left out)."""
    found: dict[int, _Conversation] = {}
    truncated = False
    rows = await session.stream(_messages(shop_id, *period, complaints_only))
    async for conversation_id, customer_id, complaint_since, body, created_at in rows:
        known = found.get(conversation_id)
        if known is None:
            if len(found) >= MAX_DOCUMENTS:
                truncated = True
                continue
            known = _Conversation(customer_id, complaint_since is not None, created_at, [])
            found[conversation_id] = known
        known.bodies.append(body)
        known.first_at = created_at
    for conversation in found.values():
        conversation.bodies.reverse()  # rows came newest first
    return list(found.values()), truncated


async def _orders(
    session: AsyncSession,
    shop_id: int,
    customer_ids: Sequence[int],
    window: tuple[datetime, datetime],
) -> dict[int, list[CustomerOrder]]:
    """The customers' orders placed in `window`, with the shop's products they hold."""
    products: dict[tuple[int, int], tuple[datetime, list[ProductRef]]] = {}
    ids = sorted(set(customer_ids))
    for chunk in (ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)):
        rows = await session.execute(
            select(
                Order.id, Order.customer_id, Order.placed_at, Product.id, Product.sku, Product.name
            )
            .join(OrderItem, OrderItem.order_id == Order.id)
            .join(Product, Product.id == OrderItem.product_id)
            .where(
                Order.shop_id == shop_id,
                Product.shop_id == shop_id,
                Order.customer_id.in_(chunk),
                Order.placed_at >= window[0],
                Order.placed_at <= window[1],
            )
        )
        for order_id, customer_id, placed_at, product_id, sku, name in rows.tuples():
            if customer_id is None:
                continue
            entry = products.setdefault((customer_id, order_id), (placed_at, []))
            entry[1].append(ProductRef(product_id, sku, name))
    orders: dict[int, list[CustomerOrder]] = {}
    for (customer_id, _), (placed_at, refs) in products.items():
        orders.setdefault(customer_id, []).append(CustomerOrder(placed_at, tuple(refs)))
    return orders


async def _period(
    session: AsyncSession, shop_id: int, period: tuple[datetime, datetime], complaints_only: bool
) -> _Period:
    conversations, truncated = await _conversations(session, shop_id, period, complaints_only)
    if not conversations:
        return _Period([], {}, truncated)
    window = (min(c.first_at for c in conversations) - LINK_WINDOW, period[1])
    orders = await _orders(session, shop_id, [c.customer_id for c in conversations], window)
    documents: list[Document] = []
    products: dict[int, ProductRef] = {}
    for conversation in conversations:
        text = "\n".join(conversation.bodies)
        product = link_product(
            text, conversation.first_at, orders.get(conversation.customer_id, [])
        )
        if product is not None:
            products[product.id] = product
        documents.append(
            Document(
                text,
                conversation.first_at,
                str(product.id) if product else None,
                conversation.complaint,
            )
        )
    return _Period(documents, products, truncated)


def _analyse(current: list[Document], previous: list[Document], limit: int) -> _Analysis:
    """Extraction (one sentiment-model batch for both periods), mining and trends."""
    mentions = extract_many([d.text for d in current + previous])
    now, before = mentions[: len(current)], mentions[len(current) :]
    options = MiningOptions(limit=limit)
    topics_now = [aspect_topics(m) for m in now]
    polar = {p: sum(any(t.endswith(f":{p}") for t in ts) for ts in topics_now) for p in (1, -1)}
    return _Analysis(
        result=mine(current, now, options=options),
        previous=count_aspects(before),
        polar_documents=polar,
        trending_aspects=trending(
            topics_now,
            [aspect_topics(m) for m in before],
            labels={t: topic_label(t) for ts in topics_now for t in ts},
            options=options,
        ),
        trending_keywords=trending(
            [set(keyword_tokens(d.text)) for d in current],
            [set(keyword_tokens(d.text)) for d in previous],
            options=options,
        ),
    )


def _rows(stats: Sequence[AspectStat], polarity: int, analysis: _Analysis) -> tuple[AspectRow, ...]:
    before = {s.key: s for s in analysis.previous}
    total = max(1, analysis.polar_documents[polarity])
    rows = []
    for stat in stats:
        count = stat.negative if polarity < 0 else stat.positive
        old = before.get(stat.key)
        rows.append(
            AspectRow(
                key=stat.key,
                label=stat.label,
                documents=count,
                share=round(count / total, 4),
                previous=(old.negative if polarity < 0 else old.positive) if old else 0,
                negative_share=stat.negative_share,
                terms=stat.terms,
                examples=stat.negative_examples if polarity < 0 else stat.positive_examples,
            )
        )
    return tuple(rows)


def _products(analysis: _Analysis, refs: dict[int, ProductRef]) -> tuple[ProductTopics, ...]:
    return tuple(
        ProductTopics(
            product_id=ref.id,
            sku=ref.sku,
            name=ref.name,
            documents=p.documents,
            complaints=p.complaints,
            negative=p.negative,
            positive=p.positive,
            keywords=p.keywords,
        )
        for p in analysis.result.products
        if (ref := refs.get(int(p.product))) is not None
    )


async def topic_report(
    session: AsyncSession,
    *,
    shop_id: int,
    start: datetime,
    end: datetime,
    compare_start: datetime | None = None,
    compare_end: datetime | None = None,
    complaints_only: bool = False,
    limit: int = 10,
) -> TopicReport:
    """Topics of the shop's customer messages in [start, end), compared with [compare_start,
    compare_end) (default: the equal span right before `start`)."""
    if end <= start:
        raise InvalidInput("the period must end after it starts", code="invalid_period")
    if (compare_start is None) != (compare_end is None):
        raise InvalidInput("give both ends of the comparison period", code="invalid_period")
    before_start = compare_start or start - (end - start)
    before_end = compare_end or start
    current = await _period(session, shop_id, (start, end), complaints_only)
    previous = await _period(session, shop_id, (before_start, before_end), complaints_only)
    analysis = await asyncio.to_thread(_analyse, current.documents, previous.documents, limit)
    result = analysis.result
    return TopicReport(
        shop_id=shop_id,
        start=start,
        end=end,
        compare_start=before_start,
        compare_end=before_end,
        complaints_only=complaints_only,
        documents=result.documents,
        complaints=result.complaints,
        linked=sum(d.product is not None for d in current.documents),
        previous_documents=len(previous.documents),
        truncated=current.truncated or previous.truncated,
        to_fix=_rows(most_negative(result.aspects, limit), -1, analysis),
        praised=_rows(most_positive(result.aspects, limit), 1, analysis),
        products=_products(analysis, current.products),
        keywords=result.keywords,
        trending_aspects=tuple(analysis.trending_aspects),
        trending_keywords=tuple(analysis.trending_keywords),
    )
