"""Topics of a corpus of customer texts: aspects counted positive / negative per product,
TF-IDF keywords, and the topics that rise from one period to the next.

Counts are of documents, not of mentions: a customer who writes "物流太慢" three times in one
conversation counts once for delivery-negative. Trends compare the share of documents that
carry a topic in two periods with a smoothed log-ratio, and a two-proportion z score says how
much to trust it; topics with fewer than `min_support` documents in the current period are left
out, since a rise from 0 to 1 is noise.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from kefu.analytics.aspect_lexicon import CATEGORY_BY_KEY, OTHER, STOPWORDS_EN, STOPWORDS_ZH
from kefu.analytics.aspects import AspectMention
from kefu.bot.text import normalize, word_tokens

EXAMPLE_CHARS = 80  # longer clauses make poor examples
_SMOOTHING = 0.5
_SIGNIFICANT_Z = 1.96


@dataclass(frozen=True, slots=True)
class Document:
    """One customer text (a conversation's customer messages in the period, say)."""

    text: str
    created_at: datetime
    product: str | None = None
    is_complaint: bool = False


@dataclass(frozen=True, slots=True)
class AspectStat:
    """Documents that speak of one aspect positively, negatively or without opinion, the words
    they used for it and a few example clauses (customers' words: escape when shown)."""

    key: str  # a lexicon category, or "other:<term>" for an open-vocabulary aspect
    category: str
    label: str
    positive: int
    negative: int
    neutral: int
    terms: tuple[tuple[str, int], ...]
    negative_examples: tuple[str, ...]
    positive_examples: tuple[str, ...]

    @property
    def documents(self) -> int:
        return self.positive + self.negative + self.neutral

    @property
    def negative_share(self) -> float | None:
        """Negative documents among the polar ones; None when there are none."""
        polar = self.positive + self.negative
        return round(self.negative / polar, 4) if polar else None


@dataclass(frozen=True, slots=True)
class Keyword:
    term: str
    score: float
    documents: int


@dataclass(frozen=True, slots=True)
class Trend:
    """A topic's documents now and before, their shares, the smoothed log2 ratio of the shares
    and a two-proportion z score (`significant`: |z| >= 1.96)."""

    key: str
    label: str
    current: int
    previous: int
    current_share: float
    previous_share: float
    log_ratio: float
    z: float

    @property
    def significant(self) -> bool:
        return abs(self.z) >= _SIGNIFICANT_Z


@dataclass(frozen=True, slots=True)
class ProductAspects:
    product: str
    documents: int
    complaints: int
    negative: tuple[AspectStat, ...]  # most negative documents first
    positive: tuple[AspectStat, ...]
    keywords: tuple[Keyword, ...]


@dataclass(frozen=True, slots=True)
class MiningOptions:
    limit: int = 10  # rows per list
    examples: int = 3  # example clauses per aspect and polarity
    min_support: int = 3  # documents a topic needs in the current period to trend
    min_product_documents: int = 1


@dataclass(frozen=True, slots=True)
class MiningResult:
    documents: int
    complaints: int
    aspects: tuple[AspectStat, ...]  # every aspect, most documents first
    products: tuple[ProductAspects, ...]  # most negative documents first
    keywords: tuple[Keyword, ...]


def aspect_label(mention_category: str, term: str) -> str:
    """ "物流/delivery" for a lexicon category; the term itself for an open-vocabulary one."""
    category = CATEGORY_BY_KEY.get(mention_category)
    return category.label if category else term


def aspect_key(mention: AspectMention) -> str:
    return mention.category if mention.category != OTHER else f"{OTHER}:{mention.term}"


@dataclass(slots=True)
class _Tally:
    category: str
    label: str
    counts: Counter[int] = field(default_factory=Counter)
    terms: Counter[str] = field(default_factory=Counter)
    examples: dict[int, list[str]] = field(default_factory=lambda: {1: [], -1: []})


def _document_votes(
    mentions: Sequence[AspectMention],
) -> dict[str, tuple[int, list[AspectMention]]]:
    """Per aspect of one document: its polarity (the sign of the polar mentions' sum, 0 when
    none or balanced) and its mentions."""
    grouped: dict[str, list[AspectMention]] = {}
    for mention in mentions:
        grouped.setdefault(aspect_key(mention), []).append(mention)
    votes: dict[str, tuple[int, list[AspectMention]]] = {}
    for key, group in grouped.items():
        total = sum(m.polarity for m in group)
        votes[key] = ((total > 0) - (total < 0), group)
    return votes


def count_aspects(
    documents: Iterable[Sequence[AspectMention]], *, examples: int = 3
) -> list[AspectStat]:
    """Aspect statistics over documents' mentions, most documents first."""
    tallies: dict[str, _Tally] = {}
    for mentions in documents:
        for key, (polarity, group) in _document_votes(mentions).items():
            first = group[0]
            tally = tallies.setdefault(
                key, _Tally(first.category, aspect_label(first.category, first.term))
            )
            tally.counts[polarity] += 1
            tally.terms.update({m.term for m in group})
            kept = tally.examples.get(polarity)
            clause = next((m.clause for m in group if m.polarity == polarity), first.clause)
            fits = len(clause) <= EXAMPLE_CHARS and clause not in (kept or [])
            if kept is not None and len(kept) < examples and fits:
                kept.append(clause)
    stats = [
        AspectStat(
            key=key,
            category=t.category,
            label=t.label,
            positive=t.counts[1],
            negative=t.counts[-1],
            neutral=t.counts[0],
            terms=tuple(t.terms.most_common(5)),
            negative_examples=tuple(t.examples[-1]),
            positive_examples=tuple(t.examples[1]),
        )
        for key, t in tallies.items()
    ]
    return sorted(stats, key=lambda s: (-s.documents, s.key))


def most_negative(stats: Sequence[AspectStat], limit: int) -> tuple[AspectStat, ...]:
    """Aspects with negative documents, most first (ties: higher negative share first)."""
    ranked = sorted(
        (s for s in stats if s.negative),
        key=lambda s: (-s.negative, -(s.negative_share or 0.0), s.key),
    )
    return tuple(ranked[:limit])


def most_positive(stats: Sequence[AspectStat], limit: int) -> tuple[AspectStat, ...]:
    ranked = sorted((s for s in stats if s.positive), key=lambda s: (-s.positive, s.key))
    return tuple(ranked[:limit])


def keyword_tokens(text: str) -> list[str]:
    """Words worth counting as keywords: Chinese words of two or more characters and Latin
    words of three or more letters, without stop words or numbers."""
    words: list[str] = []
    for word in word_tokens(normalize(text)):
        if word.isascii():
            keep = len(word) >= 3 and word.isalpha() and word not in STOPWORDS_EN
        else:
            keep = len(word) >= 2 and word not in STOPWORDS_ZH and not word.isdigit()
        if keep:
            words.append(word)
    return words


def keywords(
    selected: Sequence[list[str]], background: Sequence[list[str]], *, limit: int = 10
) -> list[Keyword]:
    """TF-IDF keywords of the `selected` documents' tokens, with document frequencies from
    `background` (which should include the selection): sum over documents of
    (1 + log tf) * idf, idf = ln((1 + N) / (1 + df)), so a word in every document scores 0."""
    frequency: Counter[str] = Counter()
    for tokens in background:
        frequency.update(set(tokens))
    size = len(background)
    scores: dict[str, float] = {}
    present: Counter[str] = Counter()
    for tokens in selected:
        for term, count in Counter(tokens).items():
            idf = math.log((1 + size) / (1 + frequency[term]))
            scores[term] = scores.get(term, 0.0) + (1 + math.log(count)) * idf
            present[term] += 1
    ranked = sorted(
        ((term, score) for term, score in scores.items() if score > 0),
        key=lambda item: (-item[1], item[0]),
    )
    return [Keyword(term, round(score, 3), present[term]) for term, score in ranked[:limit]]


def trend_scores(
    current: Counter[str], current_total: int, previous: Counter[str], previous_total: int
) -> dict[str, tuple[float, float]]:
    """(log2 ratio of smoothed shares, two-proportion z) per key of `current`."""
    scores: dict[str, tuple[float, float]] = {}
    for key, now in current.items():
        before = previous.get(key, 0)
        share_now = (now + _SMOOTHING) / (current_total + 2 * _SMOOTHING)
        share_before = (before + _SMOOTHING) / (previous_total + 2 * _SMOOTHING)
        pooled = (now + before) / max(1, current_total + previous_total)
        spread = math.sqrt(
            pooled * (1 - pooled) * (1 / max(1, current_total) + 1 / max(1, previous_total))
        )
        raw = now / max(1, current_total) - before / max(1, previous_total)
        z = raw / spread if spread > 0 else 0.0
        scores[key] = (round(math.log2(share_now / share_before), 4), round(z, 3))
    return scores


def trending(
    current: Sequence[set[str]],
    previous: Sequence[set[str]],
    *,
    labels: dict[str, str] | None = None,
    options: MiningOptions | None = None,
) -> list[Trend]:
    """Topics (sets of keys per document) rising from `previous` to `current`: at least
    `min_support` documents now and a positive log-ratio; ordered by z, then log-ratio."""
    options = options or MiningOptions()
    now = Counter(key for keys in current for key in keys)
    before = Counter(key for keys in previous for key in keys)
    rows = []
    for key, (ratio, z) in trend_scores(now, len(current), before, len(previous)).items():
        if now[key] < options.min_support or ratio <= 0:
            continue
        rows.append(
            Trend(
                key=key,
                label=(labels or {}).get(key, key),
                current=now[key],
                previous=before[key],
                current_share=round(now[key] / max(1, len(current)), 4),
                previous_share=round(before[key] / max(1, len(previous)), 4),
                log_ratio=ratio,
                z=z,
            )
        )
    rows.sort(key=lambda t: (-t.z, -t.log_ratio, t.key))
    return rows[: options.limit]


def aspect_topics(mentions: Sequence[AspectMention]) -> set[str]:
    """A document's aspect topics for trends: "delivery:-1", "other:拉链:-1" (polar only)."""
    return {
        f"{key}:{polarity}" for key, (polarity, _) in _document_votes(mentions).items() if polarity
    }


def topic_label(topic: str) -> str:
    """ "物流/delivery −" for the aspect topic "delivery:-1"."""
    key, _, polarity = topic.rpartition(":")
    term = key.split(":", 1)[1] if key.startswith(f"{OTHER}:") else key
    category = OTHER if key.startswith(f"{OTHER}:") else key
    return f"{aspect_label(category, term)} {'+' if polarity == '1' else '−'}"


def mine(
    documents: Sequence[Document],
    mentions: Sequence[Sequence[AspectMention]],
    *,
    options: MiningOptions | None = None,
) -> MiningResult:
    """Aspects, products and keywords of documents whose aspect mentions were extracted
    already (`kefu.analytics.aspects.extract_many`, in the same order)."""
    options = options or MiningOptions()
    tokens = [keyword_tokens(d.text) for d in documents]
    corpus = _Corpus(documents, mentions, tokens)
    by_product: dict[str, list[int]] = {}
    for index, document in enumerate(documents):
        if document.product is not None:
            by_product.setdefault(document.product, []).append(index)
    products = [
        _product(name, indexes, corpus, options)
        for name, indexes in by_product.items()
        if len(indexes) >= options.min_product_documents
    ]
    products.sort(key=lambda p: (-sum(s.negative for s in p.negative), -p.documents, p.product))
    return MiningResult(
        documents=len(documents),
        complaints=sum(d.is_complaint for d in documents),
        aspects=tuple(count_aspects(mentions, examples=options.examples)),
        products=tuple(products),
        keywords=tuple(keywords(tokens, tokens, limit=options.limit)),
    )


@dataclass(frozen=True, slots=True)
class _Corpus:
    documents: Sequence[Document]
    mentions: Sequence[Sequence[AspectMention]]
    tokens: Sequence[list[str]]


def _product(
    name: str, indexes: list[int], corpus: _Corpus, options: MiningOptions
) -> ProductAspects:
    stats = count_aspects((corpus.mentions[i] for i in indexes), examples=options.examples)
    selected = [corpus.tokens[i] for i in indexes]
    return ProductAspects(
        product=name,
        documents=len(indexes),
        complaints=sum(corpus.documents[i].is_complaint for i in indexes),
        negative=most_negative(stats, options.limit),
        positive=most_positive(stats, options.limit),
        keywords=tuple(keywords(selected, corpus.tokens, limit=options.limit)),
    )


def split_weeks(documents: Sequence[Document], *, now: datetime) -> tuple[list[int], list[int]]:
    """Indexes of the documents of the last 7 days before `now` and of the 7 days before."""
    week = timedelta(days=7)
    this = [i for i, d in enumerate(documents) if now - week <= d.created_at < now]
    last = [i for i, d in enumerate(documents) if now - 2 * week <= d.created_at < now - week]
    return this, last
