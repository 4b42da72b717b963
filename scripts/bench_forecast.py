"""Backtest the contact-volume forecast on the bank call centre and write
bench/results/forecast-backtest.json (the `kefu wfm backtest --json` object plus timings).

Usage: .venv/bin/python scripts/bench_forecast.py [CSV] [--test-start 1999-07-01] [--out PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CSV = (
    ROOT.parent / "shared" / "data" / "callcenter" / "anonymous_bank_1999_jan_sep_30min.csv"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("history", nargs="?", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--test-start", default="1999-07-01")
    parser.add_argument("--horizon", default="7d")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "bench" / "results" / "forecast-backtest.json"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    import statsforecast.models  # noqa: F401  # timed: the first import is a fixed cost

    import_seconds = time.perf_counter() - started
    from kefu.workforce.backtest import BacktestRequest, run_backtest
    from kefu.workforce.series import parse_duration, read_series, steps_in

    series = read_series(args.history)
    request = BacktestRequest(
        horizon_steps=steps_in(parse_duration(args.horizon), series.interval_minutes),
        test_start=datetime.fromisoformat(args.test_start),
    )
    cpu = time.process_time()
    result = run_backtest(series, request, lambda done, total: print(f"== origin {done}/{total}"))
    report = result.to_dict()
    report.update(
        benchmark="forecast-backtest",
        history=f"shared/data/callcenter/{args.history.name}",
        test_start=args.test_start,
        horizon=args.horizon,
        improvement_vs_naive=round(1 - result.mase / result.naive_mase, 4),
        fit_cpu_seconds=round(time.process_time() - cpu, 2),
        statsforecast_import_seconds=round(import_seconds, 2),
        command=(
            f"kefu wfm backtest --history ../shared/data/callcenter/{args.history.name} "
            f"--horizon {args.horizon} --test-start {args.test_start} --json"
        ),
        machine={"cpus": os.cpu_count()},
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps({k: v for k, v in report.items() if k != "per_origin"}, indent=2))


if __name__ == "__main__":
    main()
