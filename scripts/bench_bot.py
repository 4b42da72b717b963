"""Run the bot benchmark on ../shared/data and write bench/results/bot.json.

Usage: .venv/bin/python scripts/bench_bot.py [DATA_DIR] [--out PATH]
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "bot.json")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from kefu.bench.bot import run_benchmark  # after the offline switch

    results = run_benchmark(args.data, progress=lambda step: print(f"== {step}", flush=True))
    results["machine"] = {"cpus": os.cpu_count(), "note": "CPU only"}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
