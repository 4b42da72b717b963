from __future__ import annotations

from pathlib import Path

from kefu.bench.bot import evaluate, load_rows, stratified_split, zh_sentiment
from kefu.bot.intent import IntentConfig

from .conftest import INTENT_ROWS

KEYS = {
    "accuracy",
    "in_scope_accuracy",
    "oos_recall",
    "oos_precision",
    "p50_ms",
    "p99_ms",
    "train_seconds",
    "n_train",
    "n_test",
}


def test_evaluate_reports_the_cli_keys_and_hands_over_unseen_labels() -> None:
    test_rows = [
        ("where is my order now", "track_order"),
        ("我要退款", "退款"),
        ("what is the capital of mongolia", "oos"),
        ("recommend a good pizza recipe", "cooking"),
    ]
    train_rows = [*INTENT_ROWS, ("tell me a joke", "oos")]
    result = evaluate(train_rows, test_rows, "oos", config=IntentConfig(embeddings="never"))
    assert set(result) == KEYS
    assert result["n_train"] == len(INTENT_ROWS)
    assert result["n_test"] == 4
    assert result["in_scope_accuracy"] == 1.0
    assert result["oos_recall"] == 1.0


def test_baseline_is_evaluated_with_the_same_keys() -> None:
    result = evaluate(INTENT_ROWS, INTENT_ROWS[:5], None, baseline=True)
    assert result["accuracy"] is not None
    assert set(result) == KEYS


def test_load_rows_reads_csv_and_jsonl(tmp_path: Path) -> None:
    csv_path = tmp_path / "rows.csv"
    csv_path.write_text("\ufeffutterance,intent\nhello,greet\n", encoding="utf-8")
    assert load_rows(csv_path, text_column="utterance", label_column="intent") == [
        ("hello", "greet")
    ]
    jsonl_path = tmp_path / "rows.jsonl"
    jsonl_path.write_text('{"text": "你好", "label": "greet"}\n\n', encoding="utf-8")
    assert load_rows(jsonl_path) == [("你好", "greet")]


def test_stratified_split_keeps_single_examples_in_training() -> None:
    labels = ["a"] * 10 + ["b"] * 5 + ["c"]
    train, test = stratified_split(labels)
    assert sorted(train + test) == list(range(16))
    assert [labels[i] for i in test].count("a") == 2
    assert 15 in train
    assert stratified_split(labels) == (train, test)


def test_sentiment_data_loads(shared_data: Path) -> None:
    rows = zh_sentiment(shared_data)
    assert len(rows) > 60_000
    assert {label for _, label in rows} == {0, 1}


def test_closed_set_evaluation_scores_the_best_intent_and_detail_adds_views() -> None:
    test_rows = [("where is my order now", "track_order"), ("hello", "track_order")]
    result = evaluate(
        INTENT_ROWS, test_rows, None, config=IntentConfig(embeddings="never"), detail=True
    )
    assert set(result) == KEYS | {"top1_accuracy", "handover_rate"}
    assert result["accuracy"] == result["top1_accuracy"] == 1.0
    assert result["handover_rate"] == 0.5
