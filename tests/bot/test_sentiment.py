from __future__ import annotations

import pytest

from kefu.bot.sentiment import (
    ChineseSentimentModel,
    analyse,
    anger_cues,
    english_negative_probability,
    shipped_model,
    train_chinese_sentiment,
)


def test_shipped_chinese_model_loads_from_the_package() -> None:
    model = shipped_model()
    assert model.coef.shape == model.idf.shape


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("质量很好，物流很快，非常满意", "positive"),
        ("东西不错，下次还来买", "positive"),
        ("太差了，用了两天就坏了", "negative"),
        ("假货，千万别买，垃圾", "negative"),
    ],
)
def test_obvious_chinese_reviews_are_classified(text: str, label: str) -> None:
    result = analyse(text)
    assert result.language == "zh"
    assert result.label == label


def test_angry_chinese_complaint_is_flagged() -> None:
    result = analyse("什么破东西，骗子！我要投诉！！！")
    assert result.angry
    assert "投诉" in result.anger_cues


def test_plain_question_is_not_angry() -> None:
    assert not analyse("请问这个有红色的吗").angry
    assert not analyse("Do you ship to Canada?").angry


def test_english_lexicon_with_negation() -> None:
    assert english_negative_probability("terrible and broken") > 0.9
    assert english_negative_probability("great, thanks") < 0.1
    assert english_negative_probability("not good") > 0.5


def test_angry_english_message() -> None:
    result = analyse("This is ridiculous, worst shop ever. I will call my lawyer!!!")
    assert result.language == "en"
    assert result.label == "negative"
    assert result.angry
    assert {"ridiculous", "worst", "lawyer"} <= set(result.anger_cues)


def test_anger_cues_spot_shouting() -> None:
    assert "!!!" in anger_cues("where is it!!!")
    assert "WHERE" in anger_cues("WHERE is my order")


def test_model_file_round_trip() -> None:
    texts = ["很好很满意", "非常好用", "喜欢", "太差了", "坏了退货", "垃圾"]
    model = train_chinese_sentiment(texts, [1, 1, 1, 0, 0, 0])
    again = ChineseSentimentModel.from_bytes(model.to_bytes())
    assert again.negative_probability(["太差了"])[0] > 0.5
    assert again.negative_probability(["很好"])[0] < 0.5
