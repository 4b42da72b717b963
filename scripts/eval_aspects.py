"""Evaluate aspect extraction on ../shared/data/zh-sentiment; writes bench/results/aspects-zh.json.

Usage: .venv/bin/python scripts/eval_aspects.py [DATA_DIR] [--out PATH] [--gold PATH]

The shipped sentiment model was trained on every review, so this script retrains the same model
on the bot benchmark's 80% split (stratified, seed 0) and measures on the other 20% only:
(a) coverage: share of reviews with an aspect mention; (b) agreement of one-sided reviews (all
polar mentions of one sign) with the review label, with and without the model fallback;
(c) precision / recall of (category, polarity) pairs on the hand-annotated gold rows. It also
lists the top negative aspects per product category, for the docs.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import time
import zipfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from kefu.analytics.aspect_lexicon import CATEGORY_BY_KEY, OTHER
from kefu.analytics.aspects import (
    AspectMention,
    ClauseSentiment,
    SentimentFallback,
    extract_many,
)
from kefu.bench.bot import stratified_split
from kefu.bot.sentiment import train_chinese_sentiment

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests/analytics/data/aspect_gold.jsonl"
Review = tuple[str, str, int]  # product category, review, label (1 positive)


def load_reviews(data: Path) -> list[Review]:
    """(category, review, label) of online_shopping_10_cats, empty reviews out, file order —
    the same rows, in the same order, as `kefu.bench.bot.zh_sentiment`."""
    with zipfile.ZipFile(data / "zh-sentiment" / "online_shopping_10_cats.zip") as archive:
        name = next(n for n in archive.namelist() if n.endswith(".csv"))
        text = archive.read(name).decode("utf-8-sig")
    return [
        (r["cat"], r["review"].strip().lstrip("\ufeff"), int(r["label"]))
        for r in csv.DictReader(io.StringIO(text))
        if r["review"] and r["review"].strip()
    ]


def fingerprint(review: str) -> str:
    return hashlib.sha1(review.encode("utf-8")).hexdigest()[:12]


def review_polarity(mentions: Sequence[AspectMention]) -> int | None:
    """+1 / -1 when every polar mention of a review has that sign, None when none or mixed."""
    signs = {m.polarity for m in mentions if m.polarity}
    return signs.pop() if len(signs) == 1 else None


def agreement(found: Sequence[list[AspectMention]], labels: Sequence[int]) -> dict[str, Any]:
    """Accuracy and macro-F1 of one-sided reviews against their labels."""
    pairs = [
        (1 if p > 0 else 0, y)
        for ms, y in zip(found, labels, strict=True)
        if (p := review_polarity(ms)) is not None
    ]
    guess = np.asarray([g for g, _ in pairs])
    truth = np.asarray([y for _, y in pairs])
    f1s = []
    for cls in (0, 1):
        tp = int(np.sum((guess == cls) & (truth == cls)))
        predicted, actual = int(np.sum(guess == cls)), int(np.sum(truth == cls))
        f1s.append(2 * tp / (predicted + actual) if predicted + actual else 0.0)
    return {
        "one_sided_reviews": len(pairs),
        "share_of_reviews": round(len(pairs) / len(labels), 4),
        "accuracy": round(float(np.mean(guess == truth)), 4) if pairs else None,
        "macro_f1": round(float(np.mean(f1s)), 4),
    }


def coverage(found: Sequence[list[AspectMention]]) -> dict[str, float]:
    n = len(found)
    lexicon = sum(any(m.category != OTHER for m in ms) for ms in found)
    polar = sum(any(m.polarity for m in ms) for ms in found)
    return {
        "any_aspect": round(sum(bool(ms) for ms in found) / n, 4),
        "lexicon_aspect": round(lexicon / n, 4),
        "aspect_with_polarity": round(polar / n, 4),
    }


def gold_pairs(mentions: Sequence[AspectMention]) -> set[tuple[str, int]]:
    """(category, polarity) of the polar lexicon mentions: the gold annotates only aspects
    given an opinion, within the lexicon's categories."""
    return {(m.category, m.polarity) for m in mentions if m.category != OTHER and m.polarity}


def gold_scores(
    reviews: Sequence[Review], gold_path: Path, fallback: ClauseSentiment | None
) -> dict[str, Any]:
    """Micro precision / recall of (category, polarity) pairs, and of categories alone."""
    records = [json.loads(line) for line in gold_path.read_text("utf-8").splitlines() if line]
    for record in records:
        if fingerprint(reviews[record["row"]][1]) != record["sha1"]:
            raise SystemExit(f"gold row {record['row']} does not match the data set")
    found = extract_many([reviews[r["row"]][1] for r in records], fallback=fallback)
    scores: dict[str, Any] = {"rows": len(records)}
    for name, key in (("pairs", lambda p: p), ("categories", lambda p: p[0])):
        tp = fp = fn = 0
        for record, mentions in zip(records, found, strict=True):
            want = {key((c, p)) for c, p in record["aspects"]}
            got = {key(pair) for pair in gold_pairs(mentions)}
            tp, fp, fn = tp + len(want & got), fp + len(got - want), fn + len(want - got)
        precision, recall = tp / max(1, tp + fp), tp / max(1, tp + fn)
        scores[name] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(2 * precision * recall / max(1e-9, precision + recall), 4),
            "gold": tp + fn,
            "predicted": tp + fp,
        }
    return scores


def top_negative(reviews: Sequence[Review], found: Sequence[list[AspectMention]]) -> dict[str, Any]:
    """Per product category: the aspects most often negative (reviews, not mentions)."""
    negative: dict[str, Counter[str]] = {}
    positive: dict[str, Counter[str]] = {}
    for (cat, _, _), mentions in zip(reviews, found, strict=True):
        keys = {(m.polarity, _label(m)) for m in mentions if m.polarity}
        negative.setdefault(cat, Counter()).update(k for p, k in keys if p < 0)
        positive.setdefault(cat, Counter()).update(k for p, k in keys if p > 0)
    return {
        cat: {
            "negative": negative[cat].most_common(5),
            "positive": positive[cat].most_common(3),
        }
        for cat in sorted(negative)
    }


def _label(mention: AspectMention) -> str:
    if mention.category == OTHER:
        return mention.term
    return CATEGORY_BY_KEY[mention.category].label


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/aspects-zh.json")
    parser.add_argument("--gold", type=Path, default=GOLD)
    args = parser.parse_args()
    reviews = load_reviews(args.data)
    train, test = stratified_split([str(label) for _, _, label in reviews])
    started = time.perf_counter()
    model = train_chinese_sentiment([reviews[i][1] for i in train], [reviews[i][2] for i in train])
    print(
        f"fallback model trained on {len(train)} reviews in {time.perf_counter() - started:.0f} s"
    )
    fallback = SentimentFallback(model)
    held = [reviews[i] for i in test]
    labels = [label for _, _, label in held]
    started = time.perf_counter()
    lexicon_only = extract_many([text for _, text, _ in held], fallback=None)
    seconds = time.perf_counter() - started
    with_model = extract_many([text for _, text, _ in held], fallback=fallback)
    review_model = model.negative_probability([text for _, text, _ in held]) < 0.5
    results = {
        "data": "zh-sentiment (online_shopping_10_cats), non-empty reviews",
        "split": "stratified 80/20, seed 0 (kefu.bench.bot.stratified_split); test rows only",
        "n_train": len(train),
        "n_test": len(test),
        "fallback": "sentiment model retrained on the 80% split; P(neg) >= 0.9 -> -1, <= 0.1 -> +1",
        "coverage": coverage(with_model),
        "polarity_lexicon_only": agreement(lexicon_only, labels),
        "polarity_with_fallback": agreement(with_model, labels),
        "review_model_accuracy": round(float(np.mean(review_model == np.asarray(labels))), 4),
        "extract_ms_per_review": round(1000 * seconds / len(held), 2),
        "bases": dict(Counter(m.basis for ms in with_model for m in ms)),
        "gold_lexicon_only": gold_scores(reviews, args.gold, None) if args.gold.exists() else None,
        "gold_with_fallback": gold_scores(reviews, args.gold, fallback)
        if args.gold.exists()
        else None,
        "top_negative_by_category": top_negative(held, with_model),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", "utf-8")
    print(
        json.dumps(
            {k: v for k, v in results.items() if k != "top_negative_by_category"},
            ensure_ascii=False,
            indent=1,
        )
    )
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
