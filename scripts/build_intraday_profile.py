"""Build src/kefu/bench/data/intraday_profile.json (the routing benchmark's arrival profile)
from the 30-minute call counts of a bank call centre in ../shared/data/callcenter.

Usage: .venv/bin/python scripts/build_intraday_profile.py [--csv PATH] [--out PATH]

A typical working day: Sunday to Thursday (the bank's weekend is Friday and Saturday), without
near-closed days (holidays: a total under 60% of the median working day) and without days
holding imputed, non-integer counts. Each day's 48 counts become shares of that day; the profile
is their mean, so every day weighs the same, rounded to 6 decimals.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT.parent / "shared" / "data" / "callcenter" / "anonymous_bank_1999_jan_sep_30min.csv"
TARGET = ROOT / "src" / "kefu" / "bench" / "data" / "intraday_profile.json"
SLOTS = 48
WORKING_WEEKDAYS = frozenset({6, 0, 1, 2, 3})  # Sunday .. Thursday
CLOSED_SHARE = 0.6


def read_days(path: Path) -> dict[date, list[float]]:
    """Counts per day, by 30-minute slot (0 = 00:00-00:30)."""
    days: dict[date, list[float]] = defaultdict(lambda: [0.0] * SLOTS)
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            start = datetime.fromisoformat(row["interval_start"])
            days[start.date()][start.hour * 2 + start.minute // 30] += float(row["calls"])
    return dict(days)


def typical_days(days: dict[date, list[float]]) -> list[date]:
    working = {day: counts for day, counts in days.items() if day.weekday() in WORKING_WEEKDAYS}
    median = statistics.median(sum(counts) for counts in working.values())
    return sorted(
        day
        for day, counts in working.items()
        if sum(counts) >= CLOSED_SHARE * median and all(c == int(c) for c in counts)
    )


def build(path: Path) -> dict[str, object]:
    days = read_days(path)
    chosen = typical_days(days)
    shares = [0.0] * SLOTS
    for day in chosen:
        total = sum(days[day])
        for slot, count in enumerate(days[day]):
            shares[slot] += count / total / len(chosen)
    return {
        "source": f"shared/data/callcenter/{path.name}",
        "dataset": "Anonymous Bank call centre (Technion SEE lab), 1 Jan - 30 Sep 1999",
        "slot_minutes": 30,
        "days_in_source": len(days),
        "days_used": len(chosen),
        "first_day": chosen[0].isoformat(),
        "last_day": chosen[-1].isoformat(),
        "how_chosen": (
            "Sunday-Thursday (the weekend is Friday-Saturday); days whose total is under "
            f"{CLOSED_SHARE:.0%} of the median working day (holidays, near closed) and days "
            "with imputed non-integer counts are left out; each day's 48 counts are made "
            "shares of the day and averaged, so every day weighs the same"
        ),
        "built_by": "scripts/build_intraday_profile.py",
        "shares": [round(share, 6) for share in shares],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, default=SOURCE)
    parser.add_argument("--out", type=Path, default=TARGET)
    args = parser.parse_args()
    profile = build(args.csv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(profile, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{args.out}: {profile['days_used']} days, 48 shares")


if __name__ == "__main__":
    main()
