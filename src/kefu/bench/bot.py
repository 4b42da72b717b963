"""The bot benchmark: intent accuracy, out-of-scope hand-over, latency and Chinese sentiment
on public data sets, each beside a plain TF-IDF + logistic-regression baseline in the same run.

`evaluate` is what `kefu bot eval` prints; `run_benchmark` computes every bar of the bot issue
from `../shared/data` and is run by `scripts/bench_bot.py`, which writes bench/results/bot.json.
"""

from __future__ import annotations

import csv
import io
import json
import time
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from kefu.bot.intent import IntentConfig, IntentModel
from kefu.bot.sentiment import train_chinese_sentiment
from kefu.bot.text import cut_chinese, normalize

Row = tuple[str, str]
BANKING_IN_SCOPE = 60


class RowsError(ValueError):
    """A labelled file that cannot be read: says which file, line and column."""


def load_rows(path: Path, *, text_column: str = "text", label_column: str = "label") -> list[Row]:
    """Read (text, label) rows from a CSV file with a header, or from JSON lines
    (``.jsonl`` / ``.ndjson``); raise ``RowsError`` naming the file and line of a bad row."""
    rows: list[Row] = []
    if path.suffix in {".jsonl", ".ndjson"}:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                rows.append((str(record[text_column]), str(record[label_column])))
            except (ValueError, KeyError, TypeError) as exc:
                raise RowsError(
                    f"{path}:{number}: not a JSON object with '{text_column}' and "
                    f"'{label_column}' ({exc})"
                ) from exc
        return rows
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in (text_column, label_column) if c not in (reader.fieldnames or [])]
        if missing:
            raise RowsError(
                f"{path}: no column {', '.join(repr(c) for c in missing)} in the header "
                f"(columns: {', '.join(reader.fieldnames or []) or 'none'})"
            )
        for record in reader:
            text, label = record[text_column], record[label_column]
            if text is None or label is None:
                raise RowsError(f"{path}:{reader.line_num}: the row has too few columns")
            rows.append((text, label))
    return rows


def stratified_split(
    labels: Sequence[str], *, test_share: float = 0.2, seed: int = 0
) -> tuple[list[int], list[int]]:
    """Row indexes (train, test): per label in sorted order, a seeded shuffle, then
    round(test_share * n) rows to test (so a label seen once stays in training)."""
    rng = np.random.default_rng(seed)
    by_label: dict[str, list[int]] = {}
    for index, label in enumerate(labels):
        by_label.setdefault(label, []).append(index)
    train: list[int] = []
    test: list[int] = []
    for label in sorted(by_label):
        members = np.asarray(by_label[label])[rng.permutation(len(by_label[label]))]
        cut = round(test_share * len(members))
        test.extend(int(i) for i in members[:cut])
        train.extend(int(i) for i in members[cut:])
    return sorted(train), sorted(test)


class BaselineModel:
    """Plain TF-IDF (word 1-2 grams; Chinese pre-cut by jieba) + logistic regression. It hands
    over below the max-probability that keeps 95% of right answers on a 20% held-out split."""

    def __init__(self) -> None:
        self.vectorizer = TfidfVectorizer(ngram_range=(1, 2))
        self.classifier = LogisticRegression(max_iter=1000)
        self.threshold = 0.0

    @staticmethod
    def _prepare(texts: Sequence[str]) -> list[str]:
        return [" ".join(cut_chinese(normalize(text))) for text in texts]

    def _fit(self, texts: list[str], labels: Sequence[str]) -> None:
        self.classifier.fit(self.vectorizer.fit_transform(texts), list(labels))

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> BaselineModel:
        prepared = self._prepare(texts)
        train, heldout = stratified_split(labels, seed=1)
        self._fit([prepared[i] for i in train], [labels[i] for i in train])
        proba = self.classifier.predict_proba(
            self.vectorizer.transform([prepared[i] for i in heldout])
        )
        right = self.classifier.classes_[proba.argmax(axis=1)] == np.asarray(
            [labels[i] for i in heldout]
        )
        self.threshold = float(np.quantile(proba.max(axis=1)[right], 0.05)) if right.any() else 0
        self._fit(prepared, labels)
        return self

    def predict_pair(self, text: str) -> tuple[str, str | None]:
        """(best label, that label or None when handed over) for one message."""
        proba = self.classifier.predict_proba(self.vectorizer.transform(self._prepare([text])))[0]
        best = str(self.classifier.classes_[int(proba.argmax())])
        return best, (best if proba.max() >= self.threshold else None)


def evaluate(
    train_rows: Sequence[Row],
    test_rows: Sequence[Row],
    oos_label: str | None = "oos",
    *,
    baseline: bool = False,
    config: IntentConfig | None = None,
    detail: bool = False,
) -> dict[str, Any]:
    """Train on `train_rows`, then predict `test_rows` one message at a time.

    Rows labelled `oos_label` are left out of training. When the test set has out-of-scope rows
    (labelled `oos_label`, or with a label not seen in training) the bot runs as in production:
    those rows are right only when handed over, and an in-scope row handed over is wrong. When
    it has none, it is a closed-set evaluation: the best intent is scored with hand-over off,
    as in the intent-classification literature (`handover_rate` still says how often the
    bot would have handed over). `oos_precision` is null when nothing was handed over.
    `baseline` measures `BaselineModel` instead. `detail` adds `top1_accuracy` (best intent,
    in-scope rows) and `handover_rate` (share of test rows below the hand-over threshold).
    """
    train = [(text, label) for text, label in train_rows if label != oos_label]
    texts, labels = [t for t, _ in train], [label for _, label in train]
    started = time.perf_counter()
    model: IntentModel | BaselineModel = (
        BaselineModel().fit(texts, labels) if baseline else IntentModel(config).fit(texts, labels)
    )
    train_seconds = time.perf_counter() - started
    latencies: list[float] = []
    answered: list[str | None] = []
    best: list[str] = []
    for text, _ in test_rows:
        tick = time.perf_counter()
        top, label = model.predict_pair(text)
        latencies.append((time.perf_counter() - tick) * 1000)
        answered.append(label)
        best.append(top)
    known = set(labels)
    # Out-of-scope rows in the test set: score as in production (hand-over on). None: a closed
    # set, scored on the best intent as in the intent-classification literature.
    open_set = any(label == oos_label or label not in known for _, label in test_rows)
    scored: list[str | None] = answered if open_set else list(best)
    result = _scores(test_rows, scored, known, latencies, train_seconds, len(train))
    if detail:
        rows = [i for i, (_, label) in enumerate(test_rows) if label in known]
        result["top1_accuracy"] = _share(np.asarray([best[i] == test_rows[i][1] for i in rows]))
        result["handover_rate"] = _share(np.asarray([label is None for label in answered]))
    return result


def _scores(
    test_rows: Sequence[Row],
    predicted: Sequence[str | None],
    known: set[str],
    latencies: list[float],
    train_seconds: float,
    n_train: int,
) -> dict[str, Any]:
    in_scope = np.asarray([label in known for _, label in test_rows], dtype=bool)
    truth = np.asarray([label for _, label in test_rows], dtype=object)
    guess = np.asarray(predicted, dtype=object)
    handed = np.asarray([p is None for p in predicted], dtype=bool)
    right = np.where(in_scope, guess == truth, handed)
    return {
        "accuracy": _share(right),
        "in_scope_accuracy": _share(right[in_scope]),
        "oos_recall": _share(handed[~in_scope]),
        "oos_precision": _share(~in_scope[handed]) if handed.any() else None,
        "p50_ms": round(float(np.percentile(latencies, 50)), 2) if latencies else None,
        "p99_ms": round(float(np.percentile(latencies, 99)), 2) if latencies else None,
        "train_seconds": round(train_seconds, 2),
        "n_train": n_train,
        "n_test": len(test_rows),
    }


def _share(values: np.ndarray) -> float | None:
    return round(float(np.mean(values)), 4) if len(values) else None


def banking77(data: Path) -> tuple[list[Row], list[Row]]:
    folder = data / "banking77"
    return (
        load_rows(folder / "train.csv", label_column="category"),
        load_rows(folder / "test.csv", label_column="category"),
    )


def zh_intent(data: Path) -> list[Row]:
    records = json.loads((data / "zh-intent" / "smp2019_ecdt.json").read_text(encoding="utf-8"))
    return [(str(r["text"]), str(r["domain"])) for r in records]


def zh_sentiment(data: Path) -> list[tuple[str, int]]:
    """(review, 1 positive / 0 negative) rows of online_shopping_10_cats, empty reviews out."""
    with zipfile.ZipFile(data / "zh-sentiment" / "online_shopping_10_cats.zip") as archive:
        name = next(n for n in archive.namelist() if n.endswith(".csv"))
        text = archive.read(name).decode("utf-8-sig")
    return [
        (r["review"].strip().lstrip("\ufeff"), int(r["label"]))
        for r in csv.DictReader(io.StringIO(text))
        if r["review"] and r["review"].strip()
    ]


def _split_rows(rows: Sequence[tuple[str, Any]]) -> tuple[list[Any], list[Any]]:
    train, test = stratified_split([str(label) for _, label in rows])
    return [rows[i] for i in train], [rows[i] for i in test]


def sentiment_benchmark(data: Path) -> dict[str, Any]:
    """Chinese sentiment on a stratified 80/20 split (seed 0): model and baseline."""
    train, test = _split_rows(zh_sentiment(data))
    texts, labels = [t for t, _ in train], [y for _, y in train]
    truth = np.asarray([y for _, y in test])
    started = time.perf_counter()
    model = train_chinese_sentiment(texts, labels)
    train_seconds = time.perf_counter() - started
    latencies = []
    negative = []
    for text, _ in test:
        tick = time.perf_counter()
        negative.append(float(model.negative_probability([text])[0]))
        latencies.append((time.perf_counter() - tick) * 1000)
    ours = {
        "accuracy": _share((np.asarray(negative) < 0.5).astype(int) == truth),
        "train_seconds": round(train_seconds, 2),
        "p50_ms": round(float(np.percentile(latencies, 50)), 2),
        "p99_ms": round(float(np.percentile(latencies, 99)), 2),
        "n_train": len(train),
        "n_test": len(test),
    }
    started = time.perf_counter()
    base = BaselineModel()
    base._fit(base._prepare(texts), [str(y) for y in labels])
    base_seconds = time.perf_counter() - started
    guess = base.classifier.predict(base.vectorizer.transform(base._prepare([t for t, _ in test])))
    baseline = {
        "accuracy": _share(guess.astype(int) == truth),
        "train_seconds": round(base_seconds, 2),
    }
    return {"model": ours, "baseline": baseline}


def run_benchmark(data: Path, *, progress: Callable[[str], None] = print) -> dict[str, Any]:
    """Every bar of the bot issue, each with the baseline measured in the same run."""
    results: dict[str, Any] = {}
    train, test = banking77(data)
    in_scope = set(sorted({label for _, label in train})[:BANKING_IN_SCOPE])
    zh_train, zh_test = _split_rows(zh_intent(data))
    cases: list[tuple[str, list[Row], list[Row]]] = [
        ("banking77", train, test),
        ("banking77_oos", [row for row in train if row[1] in in_scope], test),
        ("zh_intent", zh_train, zh_test),
    ]
    for name, case_train, case_test in cases:
        # The out-of-scope case runs the bot as in production (its 17 unseen intents must be
        # handed over); the closed sets score the best intent. `detail` reports both views.
        oos_label = "oos" if name == "banking77_oos" else None
        model = evaluate(case_train, case_test, oos_label, detail=True)
        progress(f"{name} model: {json.dumps(model)}")
        base = evaluate(case_train, case_test, oos_label, baseline=True, detail=True)
        progress(f"{name} baseline: {json.dumps(base)}")
        results[name] = {"model": model, "baseline": base}
    results["zh_sentiment"] = sentiment_benchmark(data)
    progress(f"zh_sentiment: {json.dumps(results['zh_sentiment'])}")
    return results
