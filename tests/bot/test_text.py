from __future__ import annotations

from kefu.bot.text import char_ngrams, chinese_share, intent_tokens, normalize, word_tokens


def test_normalize_folds_full_width_and_case() -> None:
    assert normalize("ＡＢＣ１２３，你好！  Don’t") == "abc123,你好! don't"


def test_word_tokens_cut_chinese_and_keep_english_words() -> None:
    tokens = word_tokens(normalize("我要退货 please，订单123"))
    assert "退货" in tokens
    assert "please" in tokens
    assert "123" in tokens
    assert "," not in tokens


def test_marks_are_kept_only_on_request() -> None:
    assert word_tokens("why?!") == ["why"]
    assert word_tokens("why?!", keep_marks=True) == ["why", "?", "!"]


def test_intent_tokens_normalise_first() -> None:
    assert intent_tokens("ＲＥＦＵＮＤ") == ["refund"]


def test_char_ngrams_stay_inside_words() -> None:
    grams = char_ngrams("ab cd", 2, 2)
    assert " a" in grams
    assert "b " in grams
    assert "bc" not in grams


def test_chinese_share_counts_characters() -> None:
    assert chinese_share(["你好ab"]) == 0.5
    assert chinese_share([]) == 0.0
