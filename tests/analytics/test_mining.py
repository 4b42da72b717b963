"""Mining a corpus: aspects counted per document and product, TF-IDF keywords, and topics that
rise from one period to the next."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from kefu.analytics.aspects import AspectMention, extract_many
from kefu.analytics.mining import (
    Document,
    MiningOptions,
    aspect_topics,
    count_aspects,
    keyword_tokens,
    keywords,
    mine,
    most_negative,
    most_positive,
    split_weeks,
    topic_label,
    trend_scores,
    trending,
)

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


def mention(category: str, polarity: int, clause: str = "c", term: str = "t") -> AspectMention:
    return AspectMention(category, term, polarity, clause)


def test_an_aspect_counts_once_per_document() -> None:
    documents = [
        [mention("delivery", -1, "物流太慢"), mention("delivery", -1, "快递好慢")],
        [mention("delivery", 1, "物流很快")],
    ]
    [stat] = count_aspects(documents)
    assert (stat.key, stat.label, stat.negative, stat.positive, stat.documents) == (
        "delivery",
        "物流/delivery",
        1,
        1,
        2,
    )
    assert stat.negative_share == 0.5
    assert stat.negative_examples == ("物流太慢",)
    assert stat.positive_examples == ("物流很快",)


def test_mixed_mentions_in_one_document_are_neutral() -> None:
    [stat] = count_aspects([[mention("price", -1), mention("price", 1)]])
    assert (stat.neutral, stat.negative, stat.positive, stat.negative_share) == (1, 0, 0, None)


def test_open_vocabulary_aspects_are_counted_by_term() -> None:
    stats = count_aspects(
        [[mention("other", -1, term="拉链")], [mention("other", -1, term="扣子")]]
    )
    assert sorted((s.key, s.label) for s in stats) == [
        ("other:扣子", "扣子"),
        ("other:拉链", "拉链"),
    ]


def test_long_clauses_make_no_examples() -> None:
    [stat] = count_aspects([[mention("quality", -1, "差" * 81)]], examples=3)
    assert stat.negative_examples == ()


def test_most_negative_puts_the_most_complained_about_first() -> None:
    stats = count_aspects(
        [
            [mention("delivery", -1), mention("quality", 1)],
            [mention("delivery", -1), mention("quality", -1)],
            [mention("price", 1)],
        ]
    )
    assert [s.key for s in most_negative(stats, 5)] == ["delivery", "quality"]
    assert [s.key for s in most_positive(stats, 5)] == ["price", "quality"]


def test_keyword_tokens_drop_stop_words_numbers_and_single_characters() -> None:
    assert keyword_tokens("我的快递 3 天了还没到，the parcel is late 123") == [
        "快递",
        "没到",
        "parcel",
        "late",
    ]


def test_tfidf_prefers_words_specific_to_the_selection() -> None:
    background = [["快递", "很慢"], ["快递", "拉链", "坏了"], ["快递", "拉链"], ["快递", "颜色"]]
    ranked = keywords(background[1:3], background, limit=2)
    assert [k.term for k in ranked] == ["拉链", "坏了"]
    assert ranked[0].documents == 2


def test_a_rising_topic_has_a_positive_log_ratio_and_a_large_z() -> None:
    scores = trend_scores(Counter({"退款": 20}), 100, Counter({"退款": 2}), 100)
    ratio, z = scores["退款"]
    assert ratio > 2.5
    assert z > 1.96


def test_trending_keeps_rising_topics_with_enough_support() -> None:
    current = [{"退款"} for _ in range(8)] + [{"发票"}] * 2 + [set() for _ in range(10)]
    previous = [{"退款"}] + [{"发票"}] * 5 + [set() for _ in range(14)]
    trends = trending(current, previous, options=MiningOptions(min_support=3))
    assert [t.key for t in trends] == ["退款"]
    [refunds] = trends
    assert (refunds.current, refunds.previous, refunds.current_share) == (8, 1, 0.4)
    assert refunds.significant


def test_trending_needs_min_support_even_from_zero() -> None:
    trends = trending([{"拉链"}, {"拉链"}, set()], [set(), set()], options=MiningOptions())
    assert trends == []


def test_aspect_topics_keep_polar_votes_only() -> None:
    topics = aspect_topics(
        [mention("delivery", -1), mention("price", 0), mention("other", 1, term="拉链")]
    )
    assert topics == {"delivery:-1", "other:拉链:1"}
    assert topic_label("delivery:-1") == "物流/delivery −"
    assert topic_label("other:拉链:1") == "拉链 +"


def test_mine_groups_aspects_and_keywords_by_product() -> None:
    texts = ["耳机音质很好，物流很快", "耳机音质差", "包装破了", "快递太慢了"]
    documents = [
        Document(texts[0], T0, "earbuds"),
        Document(texts[1], T0, "earbuds", is_complaint=True),
        Document(texts[2], T0, "lamp"),
        Document(texts[3], T0, None, is_complaint=True),
    ]
    result = mine(documents, extract_many(texts, fallback=None))
    assert (result.documents, result.complaints) == (4, 2)
    assert {s.key for s in result.aspects} == {"performance", "delivery", "packaging"}
    earbuds, lamp = result.products
    assert (earbuds.product, earbuds.documents, earbuds.complaints) == ("earbuds", 2, 1)
    assert [s.key for s in earbuds.negative] == ["performance"]
    assert {s.key for s in earbuds.positive} == {"performance", "delivery"}
    assert earbuds.keywords[0].term == "耳机"
    assert (lamp.product, [s.key for s in lamp.negative]) == ("lamp", ["packaging"])


def test_split_weeks_takes_the_last_two_weeks_before_now() -> None:
    now = T0 + timedelta(days=14)
    documents = [
        Document("a", now - timedelta(days=1)),
        Document("b", now - timedelta(days=8)),
        Document("c", now - timedelta(days=15)),
        Document("d", now),
    ]
    assert split_weeks(documents, now=now) == ([0], [1])
