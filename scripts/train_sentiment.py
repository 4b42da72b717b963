"""Rebuild the shipped Chinese sentiment model from ../shared/data/zh-sentiment.

Usage: .venv/bin/python scripts/train_sentiment.py [DATA_DIR] [--out PATH]
Trains on every non-empty review of online_shopping_10_cats and writes
src/kefu/bot/models/sentiment-zh.npz (the benchmark measures accuracy on a held-out split).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from kefu.bench.bot import zh_sentiment
from kefu.bot.sentiment import MODEL_FILE, train_chinese_sentiment

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=ROOT / "src/kefu/bot/models" / MODEL_FILE)
    args = parser.parse_args()
    rows = zh_sentiment(args.data)
    started = time.perf_counter()
    model = train_chinese_sentiment([text for text, _ in rows], [label for _, label in rows])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(model.to_bytes())
    print(
        f"trained on {len(rows)} reviews in {time.perf_counter() - started:.1f} s; "
        f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KiB)"
    )


if __name__ == "__main__":
    main()
