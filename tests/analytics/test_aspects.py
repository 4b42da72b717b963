"""Aspect extraction: clauses, lexicon aspects in Chinese and English, negation, aspect-dependent
opinion words, the sentiment fallback, and the hand-annotated gold sample of zh-sentiment."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kefu.analytics.aspects import (
    AspectMention,
    SentimentFallback,
    extract_aspects,
    extract_many,
    split_clauses,
)

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
GOLD = Path(__file__).parent / "data" / "aspect_gold.jsonl"
# Lexicon-only figures measured by scripts/eval_aspects.py on the gold rows, less a margin of
# 0.03 (see docs/text-mining.md): a drop below them is a regression of the lexicon or rules.
GOLD_MIN_PRECISION = 0.82
GOLD_MIN_RECALL = 0.56


def pairs(text: str) -> list[tuple[str, int]]:
    return [(m.category, m.polarity) for m in extract_aspects(text, fallback=None)]


def test_clauses_split_at_punctuation_and_contrast_words() -> None:
    assert split_clauses("物流很快，但是包装破了。") == ["物流很快", "包装破了"]
    assert split_clauses("The screen is great but the battery dies fast") == [
        "the screen is great",
        "the battery dies fast",
    ]
    assert split_clauses("质量不错 颜色好看") == ["质量不错", "颜色好看"]


def test_question_marks_stay_with_their_clause() -> None:
    assert split_clauses("为什么还没发货？快点") == ["为什么还没发货?", "快点"]


def test_chinese_delivery_positive_packaging_negative() -> None:
    assert pairs("物流很快，但是包装破了") == [("delivery", 1), ("packaging", -1)]


def test_english_screen_positive_battery_negative() -> None:
    assert pairs("The screen is great but the battery dies fast") == [
        ("screen", 1),
        ("battery", -1),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("这个耳机不太好用", [("usability", -1)]),
        ("质量不是很好", [("quality", -1)]),
        ("质量没有任何问题", [("quality", 1)]),
        ("Battery life isn't great", [("battery", -1)]),
        ("No problems with the delivery", [("delivery", 1)]),
    ],
)
def test_negation_flips_the_opinion(text: str, expected: list[tuple[str, int]]) -> None:
    assert pairs(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("充电很快", [("battery", 1)]),
        ("耗电太快了", [("battery", -1)]),
        ("房间很大", [("room", 1)]),
        ("尺码偏大", [("size", -1)]),
        ("价格有点高", [("price", -1)]),
        ("性价比很高", [("price", 1)]),
        ("The room is small", [("room", -1)]),
    ],
)
def test_opinion_words_take_their_polarity_from_the_aspect(
    text: str, expected: list[tuple[str, int]]
) -> None:
    assert pairs(text) == expected


def test_opinion_words_that_name_an_aspect_make_a_mention() -> None:
    mentions = extract_aspects("太贵了，很好吃", fallback=None)
    assert [(m.category, m.term, m.polarity) for m in mentions] == [
        ("price", "贵", -1),
        ("taste", "好吃", 1),
    ]


def test_a_general_opinion_word_right_after_an_aspect_belongs_to_it() -> None:
    assert pairs("电池不耐用") == [("battery", -1)]


def test_aspects_sharing_a_clause_share_its_opinion() -> None:
    mentions = extract_aspects("屏幕和电池都很好", fallback=None)
    assert [(m.category, m.polarity, m.basis) for m in mentions] == [
        ("screen", 1, "clause"),
        ("battery", 1, "opinion"),
    ]


def test_one_character_words_are_not_read_inside_other_words() -> None:
    # 快 inside 快乐 and 好 inside 好像 are no opinions; 物流 has none, so stays neutral.
    assert pairs("物流好像很快乐") == [("delivery", 0)]


def test_open_vocabulary_nouns_next_to_an_opinion_are_aspects() -> None:
    assert [(m.category, m.term, m.polarity) for m in extract_aspects("拉链很差")] == [
        ("other", "拉链", -1)
    ]
    assert [(m.category, m.term, m.polarity) for m in extract_aspects("The zipper is broken")] == [
        ("other", "zipper", -1)
    ]


def test_questions_and_wishes_state_no_praise() -> None:
    assert pairs("物流快吗？") == [("delivery", 0)]
    assert pairs("希望包装好一点") == [("packaging", 0)]
    assert pairs("为什么还没发货？") == [("delivery", -1)]


class Recorder:
    """A fallback that answers -1 and remembers what it was asked."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def __call__(self, clauses: Sequence[str]) -> list[int]:
        self.asked.extend(clauses)
        return [-1] * len(clauses)


def test_clauses_without_opinion_words_ask_the_fallback_once_per_batch() -> None:
    recorder = Recorder()
    found = extract_many(["快递三天才到", "快递三天才到，包装完好"], fallback=recorder)
    assert recorder.asked == ["快递三天才到"]
    assert [(m.category, m.polarity, m.basis) for m in found[1]] == [
        ("delivery", -1, "model"),
        ("packaging", 1, "opinion"),
    ]


def test_without_a_fallback_unopinionated_aspects_stay_neutral() -> None:
    [mention] = extract_aspects("快递三天才到", fallback=None)
    assert (mention.polarity, mention.basis) == (0, "none")


def test_questions_never_go_to_the_fallback() -> None:
    recorder = Recorder()
    assert [m.polarity for m in extract_aspects("可以退货吗", fallback=recorder)] == [0]
    assert recorder.asked == []


def test_shipped_fallback_reads_clear_chinese_and_english() -> None:
    fallback = SentimentFallback()
    assert fallback(["太差劲了，垃圾，再也不买了", "terrible awful service"]) == [-1, -1]
    assert fallback(["非常满意，很喜欢，下次还来"]) == [1]


@settings(max_examples=60, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("物流很快但是包装破了不太好用质量价格贵,.!? ab")), max_size=40
    )
)
def test_mentions_are_well_formed_for_any_text(text: str) -> None:
    clauses = split_clauses(text)
    for mention in extract_aspects(text, fallback=None):
        assert isinstance(mention, AspectMention)
        assert mention.polarity in (-1, 0, 1)
        assert mention.clause in clauses
        assert mention.term


def _gold_reviews() -> tuple[list[dict[str, object]], list[str]]:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data not found at {SHARED_DATA} (see ../shared/data/README.md)")
    from kefu.bench.bot import zh_sentiment

    reviews = [text for text, _ in zh_sentiment(SHARED_DATA)]
    records = [json.loads(line) for line in GOLD.read_text("utf-8").splitlines() if line]
    texts = []
    for record in records:
        text = reviews[int(str(record["row"]))]
        assert hashlib.sha1(text.encode()).hexdigest()[:12] == record["sha1"]
        texts.append(text)
    return records, texts


def test_gold_sample_precision_and_recall_hold() -> None:
    records, texts = _gold_reviews()
    true_positive = predicted = expected = 0
    for record, mentions in zip(records, extract_many(texts, fallback=None), strict=True):
        gold = {(str(c), int(p)) for c, p in record["aspects"]}  # type: ignore[attr-defined]
        got = {(m.category, m.polarity) for m in mentions if m.category != "other" and m.polarity}
        true_positive += len(gold & got)
        predicted += len(got)
        expected += len(gold)
    assert len(records) == 100
    assert true_positive / predicted >= GOLD_MIN_PRECISION
    assert true_positive / expected >= GOLD_MIN_RECALL
