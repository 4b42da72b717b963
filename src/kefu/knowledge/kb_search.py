"""Ranked search over a shop's published knowledge base, for agents, the API and the bot.

The bot's entry point is ``kb_answers``::

    answers = await kb_answers(session, shop_id, "七天无理由怎么退", k=3, language="zh")
    # -> [Answer(article_id, title, answer_text, relevance, kind, language, matched_question)]

It reads only published, current versions of the shop's articles, needs no principal (the
caller has already decided the message belongs to ``shop_id``) and never writes. ``relevance``
is in [0, 1]: 1.0 means the text matches one of a FAQ's phrasings as well as that phrasing
matches itself (see ``kefu.bot.retrieval``); below about 0.3 a hit is a guess. Answers come best
first; an empty list means nothing in the knowledge base matched.

Each shop's index (``FaqIndex``: one document per FAQ phrasing with the answer as its body, one
per article) is kept in memory per process and rebuilt when a cheap aggregate over the shop's
published articles changes (how many, which versions, latest publish time), so a publish in
another worker is picked up on the next query. The hits are re-read from the database, so an
article archived a moment ago never comes back.
"""

from __future__ import annotations

import asyncio
import re
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kefu.accounts.principal import Principal
from kefu.bot.retrieval import Document, FaqIndex
from kefu.knowledge.kb import access_kb, questions_of
from kefu.knowledge.kb_schemas import ArticleKind, ArticleStatus, KbSearchHit
from kefu.knowledge.models import KbArticle, KbVersion
from kefu.knowledge.schemas import ReplyLanguage

MAX_SEARCH_RESULTS = 20
CACHED_SHOPS = 128
SNIPPET_CHARS = 160
ASSIST_MIN_RELEVANCE = 0.2  # below this a suggestion is more distraction than help
ASSIST_QUERY_CHARS = 500
_ARTICLE_BODY_INDEXED = 4000  # the start of an article says what it is about


@dataclass(frozen=True, slots=True)
class Answer:
    """One knowledge-base answer for a customer's message (see the module docstring)."""

    article_id: int
    title: str
    answer_text: str
    relevance: float
    kind: str
    language: str = "zh"
    matched_question: str = ""


@dataclass(frozen=True, slots=True)
class _ShopIndex:
    stamp: tuple[object, ...]
    index: FaqIndex
    phrasing: dict[str, tuple[int, str]]  # document id -> (article id, the phrasing it holds)


class _IndexCache:
    """Indexes of the most recently searched shops, least recently used dropped first."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[tuple[str, int], _ShopIndex] = OrderedDict()

    def get(self, key: tuple[str, int], stamp: tuple[object, ...]) -> _ShopIndex | None:
        entry = self._entries.get(key)
        if entry is None or entry.stamp != stamp:
            return None
        self._entries.move_to_end(key)
        return entry

    def put(self, key: tuple[str, int], entry: _ShopIndex) -> None:
        self._entries[key] = entry
        self._entries.move_to_end(key)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()


# One per process: every request of every app in the process shares it, keyed by database and
# shop, and each entry checks itself against the database on use.
_CACHE = _IndexCache(CACHED_SHOPS)


def _published(shop_id: int) -> ColumnElement[bool]:
    return and_(KbArticle.shop_id == shop_id, KbArticle.status == ArticleStatus.PUBLISHED.value)


async def _stamp(session: AsyncSession, shop_id: int) -> tuple[object, ...]:
    row = (
        await session.execute(
            select(
                func.count(),
                func.coalesce(func.sum(KbArticle.current_version_id), 0),
                func.max(KbArticle.published_at),
            ).where(_published(shop_id))
        )
    ).one()
    return tuple(row)


def _build(rows: Sequence[tuple[int, str, KbVersion]], stamp: tuple[object, ...]) -> _ShopIndex:
    documents: list[Document] = []
    phrasing: dict[str, tuple[int, str]] = {}
    for article_id, kind, version in rows:
        if kind == ArticleKind.FAQ.value:
            texts = [version.title, *questions_of(version)]
            body = version.body
        else:
            texts, body = [version.title], version.body[:_ARTICLE_BODY_INDEXED]
        for number, text in enumerate(texts):
            doc_id = f"{article_id}:{number}"
            documents.append(Document(doc_id, text, body))
            phrasing[doc_id] = (article_id, text)
    return _ShopIndex(stamp, FaqIndex(documents), phrasing)


async def _shop_index(session: AsyncSession, shop_id: int) -> _ShopIndex:
    bind = session.get_bind()
    key = (str(bind.engine.url), shop_id)
    stamp = await _stamp(session, shop_id)
    cached = _CACHE.get(key, stamp)
    if cached is not None:
        return cached
    rows = await session.execute(
        select(KbArticle.id, KbArticle.kind, KbVersion)
        .join(KbVersion, KbVersion.id == KbArticle.current_version_id)
        .where(_published(shop_id))
        .order_by(KbArticle.id)
    )
    # Tokenising (jieba) and indexing is CPU work: keep it off the event loop.
    entry = await asyncio.to_thread(_build, list(rows.tuples()), stamp)
    _CACHE.put(key, entry)
    return entry


@dataclass(frozen=True, slots=True)
class _Ranked:
    article: KbArticle
    version: KbVersion
    relevance: float
    matched: str


async def _rank(
    session: AsyncSession,
    shop_id: int,
    text: str,
    k: int,
    language: ReplyLanguage | None = None,
    kind: ArticleKind | None = None,
) -> list[_Ranked]:
    if not text.strip() or k < 1:
        return []
    entry = await _shop_index(session, shop_id)
    # Order by score x relevance: raw BM25 favours long phrasings that share a common word,
    # relevance alone favours short ones; their product ranks the intended FAQ first more often
    # (measured on the demo FAQs). An article counts once, by its best phrasing.
    best: dict[int, tuple[float, float, str]] = {}  # article -> (order key, relevance, phrasing)
    for hit in entry.index.search(text, k=max(50, k * 10)):
        article_id, phrase = entry.phrasing[hit.id]
        weight = hit.score * hit.relevance
        if article_id not in best or weight > best[article_id][0]:
            best[article_id] = (weight, hit.relevance, phrase)
    if not best:
        return []
    statement = (
        select(KbArticle, KbVersion)
        .join(KbVersion, KbVersion.id == KbArticle.current_version_id)
        .where(_published(shop_id), KbArticle.id.in_(list(best)))
    )
    if language is not None:
        statement = statement.where(KbArticle.language == language.value)
    if kind is not None:
        statement = statement.where(KbArticle.kind == kind.value)
    found = {a.id: (a, v) for a, v in (await session.execute(statement)).tuples()}
    order = sorted(best.items(), key=lambda item: (-item[1][0], item[0]))
    ranked = [
        _Ranked(*found[article_id], relevance, phrase)
        for article_id, (_weight, relevance, phrase) in order
        if article_id in found
    ]
    return ranked[:k]


_LATIN = re.compile(r"[A-Za-z0-9]{2,}")
_CJK = re.compile(r"[\u3400-\u9fff]+")
_SPACE = re.compile(r"\s+")


def snippet(text: str, query: str, width: int = SNIPPET_CHARS) -> str:
    """About ``width`` characters of ``text`` around the first place a word or two-character
    piece of ``query`` occurs (its start when none does), whitespace collapsed."""
    flat = _SPACE.sub(" ", text).strip()
    if len(flat) <= width:
        return flat
    pieces = [w.lower() for w in _LATIN.findall(query)]
    for run in _CJK.findall(query):
        pieces.extend(run[i : i + 2] for i in range(max(1, len(run) - 1)))
    lowered = flat.lower()
    found = [lowered.find(piece) for piece in pieces if piece]
    first = min((at for at in found if at >= 0), default=0)
    start = max(0, min(first - width // 4, len(flat) - width))
    cut = flat[start : start + width]
    return ("…" if start > 0 else "") + cut + ("…" if start + width < len(flat) else "")


async def search(
    session: AsyncSession,
    *,
    actor: Principal,
    query: str,
    limit: int = 10,
    language: ReplyLanguage | None = None,
    kind: ArticleKind | None = None,
) -> list[KbSearchHit]:
    """The shop's published articles and FAQ entries that best answer ``query``, best first."""
    access_kb(actor)
    ranked = await _rank(
        session, actor.shop_id, query, min(limit, MAX_SEARCH_RESULTS), language, kind
    )
    return [
        KbSearchHit(
            article_id=r.article.id,
            kind=ArticleKind(r.article.kind),
            language=ReplyLanguage(r.article.language),
            category_id=r.article.category_id,
            title=r.version.title,
            snippet=snippet(r.version.body, query),
            matched_question=r.matched,
            relevance=r.relevance,
        )
        for r in ranked
    ]


async def kb_answers(
    session: AsyncSession,
    shop_id: int,
    text: str,
    k: int = 3,
    *,
    language: str | None = None,
) -> list[Answer]:
    """The ``k`` published answers of ``shop_id`` that best match ``text`` (module docstring)."""
    wanted = ReplyLanguage(language) if language in ("zh", "en") else None
    ranked = await _rank(session, shop_id, text, k, wanted)
    return [
        Answer(
            article_id=r.article.id,
            title=r.version.title,
            answer_text=r.version.body,
            relevance=r.relevance,
            kind=r.article.kind,
            language=r.article.language,
            matched_question=r.matched,
        )
        for r in ranked
    ]


async def suggest_answers(
    session: AsyncSession,
    *,
    actor: Principal,
    text: str,
    k: int = 3,
    min_relevance: float = ASSIST_MIN_RELEVANCE,
) -> list[Answer]:
    """Agent assist: the best published answers for a customer's message, weak guesses left out."""
    access_kb(actor)
    answers = await kb_answers(session, actor.shop_id, text[:ASSIST_QUERY_CHARS], k)
    return [answer for answer in answers if answer.relevance >= min_relevance]
