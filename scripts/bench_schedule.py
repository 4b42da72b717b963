"""Shift-scheduling benchmark: a one-week requirement for about 400 agents, solved by
`kefu wfm schedule --time-limit 60`; writes bench/results/schedule-week-400.json.

The requirement has the Anonymous Bank call centre's shape (../shared/data/callcenter, each
weekday's median calls per 30 min; the packaged intraday profile when the data is missing),
scaled in volume and turned into agents by square-root staffing. The agents file has 400
agents with mixed availability (day, late, any-hour and part-time workers) and a peak squad.

Usage: .venv/bin/python scripts/bench_schedule.py [--volume X] [--out PATH] [--keep DIR]
(runs the command twice: anonymous agents, then the 400-agent file)
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CALLS = ROOT.parent / "shared" / "data" / "callcenter" / "anonymous_bank_1999_jan_sep_30min.csv"
PROFILE = ROOT / "src" / "kefu" / "bench" / "data" / "intraday_profile.json"
WEEK_START = date(2025, 1, 5)  # a Sunday: the bank's week runs Sunday to Saturday
PARAMS = {
    "volume": 21.0,  # calls scale: the bank's median week times this
    "aht_seconds": 240,  # average handling time
    "beta": 0.5,  # square-root staffing: agents = load + beta * sqrt(load)
    "agents": 400,
    "peak_squad": 30,
    "seed": 7,
}


def weekday_shapes() -> tuple[dict[int, list[float]], str]:
    """Median calls per 30-min slot for each weekday (Mon = 0), and where they came from."""
    if CALLS.is_file():
        counts: dict[tuple[int, date], list[float]] = defaultdict(lambda: [0.0] * 48)
        with CALLS.open() as f:
            for row in csv.DictReader(f):
                at = datetime.fromisoformat(row["interval_start"])
                counts[at.weekday(), at.date()][at.hour * 2 + at.minute // 30] = float(row["calls"])
        shapes = {}
        for wd in range(7):
            days = [day for (w, _), day in counts.items() if w == wd]
            shapes[wd] = [statistics.median(day[s] for day in days) for s in range(48)]
        return shapes, str(CALLS.relative_to(ROOT.parent))
    shares = json.loads(PROFILE.read_text())["shares"]
    busy = [1600 * s for s in shares]  # a working day of ~1,600 calls, every day alike
    return {wd: busy for wd in range(7)}, str(PROFILE.relative_to(ROOT))


def requirement(
    shapes: dict[int, list[float]], volume: float, aht: float, beta: float
) -> list[tuple[datetime, int]]:
    """Agents per 30-min interval: the offered load plus ``beta`` times its square root."""
    rows = []
    for day in range(7):
        when = datetime.combine(WEEK_START + timedelta(days=day), datetime.min.time())
        for slot, calls in enumerate(shapes[when.weekday()]):
            load = calls * volume * aht / 1800
            agents = math.ceil(load + beta * math.sqrt(load)) if load > 0 else 0
            rows.append((when + timedelta(minutes=30 * slot), agents))
    return rows


def agents_rows(count: int, peak: int, seed: int) -> list[dict[str, str]]:
    """Mixed availability: most work days any day of the week, some only weekdays (Sun-Thu),
    late workers, any-hour workers, part-timers (20 h); the last ``peak`` are the peak squad."""
    rng = random.Random(seed)
    kinds = [
        ("day", 0.55, "", "06:00", "", "40"),
        ("weekday", 0.15, "Sun|Mon|Tue|Wed|Thu", "06:00", "", "40"),
        ("late", 0.12, "", "11:00", "24:00", "40"),
        ("any-time", 0.06, "", "", "", "40"),
        ("part-time", 0.12, "", "08:00", "22:00", "20"),
    ]
    rows = []
    kind: tuple[str, float, str, str, str, str]
    for i in range(count):
        if i >= count - peak:
            kind = ("peak", 0.0, "", "08:00", "", "24")
        else:
            kind = rng.choices(kinds, weights=[k[1] for k in kinds])[0]
        name, _, days, earliest, latest, hours = kind
        rows.append({
            "id": f"A{i + 1:03d}", "name": f"{name} agent {i + 1}", "skills": "",
            "max_hours_week": hours, "days_available": days, "earliest_start": earliest,
            "latest_end": latest, "peak_squad": "true" if name == "peak" else "false",
        })  # fmt: skip
    return rows


def write_inputs(folder: Path, params: dict[str, float]) -> tuple[Path, Path, str]:
    shapes, source = weekday_shapes()
    rows = requirement(shapes, params["volume"], params["aht_seconds"], params["beta"])
    req = folder / "requirement-week.csv"
    with req.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["interval_start", "agents"])
        writer.writerows((at.isoformat(timespec="minutes"), n) for at, n in rows)
    agents = folder / "agents-400.csv"
    with agents.open("w", newline="") as f:
        data = agents_rows(int(params["agents"]), int(params["peak_squad"]), int(params["seed"]))
        table = csv.DictWriter(f, fieldnames=list(data[0]))
        table.writeheader()
        table.writerows(data)
    return req, agents, source


def _lines(path: Path) -> list[str]:
    return path.read_text().splitlines()


def check_roster(folder: Path, rules: dict[str, float]) -> list[str]:
    """Re-check the written roster against the inputs, independently of the solver."""
    agents = {row["id"]: row for row in csv.DictReader(_lines(folder / "agents-400.csv"))}
    need = {row["interval_start"]: int(row["agents"])
            for row in csv.DictReader(_lines(folder / "requirement-week.csv"))}  # fmt: skip
    have: dict[str, int] = defaultdict(int)
    shifts: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
    for row in csv.DictReader(_lines(folder / "roster.csv")):
        start, end = datetime.fromisoformat(row["start"]), datetime.fromisoformat(row["end"])
        pause = (row["break_start"], row["break_end"])
        at = start
        while at < end:
            if not (pause[0] and pause[0] <= at.isoformat(timespec="minutes") < pause[1]):
                have[at.isoformat(timespec="minutes")] += 1
            at += timedelta(minutes=30)
        shifts[row["agent"]].append((start, end))
    errors = [f"{at}: {have[at]} of {n}" for at, n in need.items() if have[at] < n]
    for agent, mine in shifts.items():
        row, mine = agents[agent], sorted(mine)
        days = row["days_available"].split("|") if row["days_available"] else None
        hours = sum((e - s).total_seconds() for s, e in mine) / 3600
        if len(mine) > rules["max_shifts_week"] or hours > float(row["max_hours_week"]):
            errors.append(f"{agent}: {len(mine)} shifts, {hours} h")
        for (s1, e1), (s2, _) in itertools.pairwise(mine):
            if (s2 - e1).total_seconds() < rules["min_rest_hours"] * 3600 or s1.date() == s2.date():
                errors.append(f"{agent}: too little rest before {s2}")
        for s, e in mine:
            late = row["latest_end"] and e > datetime.combine(
                s.date(), datetime.min.time()
            ) + timedelta(hours=int(row["latest_end"][:2]), minutes=int(row["latest_end"][3:]))
            early = row["earliest_start"] and s.strftime("%H:%M") < row["earliest_start"]
            if (days and s.strftime("%a") not in days) or late or early:
                errors.append(f"{agent}: unavailable for {s} - {e}")
    return errors


def run(command: list[str]) -> tuple[dict[str, object], float]:
    """Run the CLI; its JSON summary and the wall-clock seconds of the whole command."""
    print("$ " + " ".join(command), flush=True)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode not in (0, 1):
        sys.exit(f"kefu wfm schedule failed ({done.returncode}): {done.stderr}")
    summary: dict[str, object] = json.loads(done.stdout)
    return summary, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--volume", type=float, default=PARAMS["volume"])
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--keep", type=Path, help="Write the input files here (default: temp).")
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/schedule-week-400.json")
    args = parser.parse_args()
    params = {**PARAMS, "volume": args.volume}
    folder = args.keep or Path(tempfile.mkdtemp(prefix="kefu-schedule-"))
    folder.mkdir(parents=True, exist_ok=True)
    req, agents, source = write_inputs(folder, params)
    base = [str(ROOT / ".venv/bin/kefu"), "wfm", "schedule", "--requirement", str(req),
            "--time-limit", f"{args.time_limit:g}", "--workers", "2", "--json"]  # fmt: skip
    # Anonymous agents first: how many the week needs at least, with 5-day weeks.
    anonymous, anonymous_wall = run(base)
    command = [*base, "--agents", str(agents), "--roster-out", str(folder / "roster.csv"),
               "--coverage-out", str(folder / "coverage.csv")]  # fmt: skip
    result, wall = run(command)
    if result["status"] in ("OPTIMAL", "FEASIBLE"):
        errors = check_roster(folder, {"max_shifts_week": 5, "min_rest_hours": 11})
        result["roster_check"] = errors[:20] or "ok: coverage, availability, rest, days, hours"
    result["benchmark"] = "schedule-week-400"
    result["command"] = " ".join(command)
    result["wall_seconds"] = round(wall, 2)  # the whole command, start-up and files included
    keys = ("status", "agents_used", "staffed_hours", "min_coverage", "solve_seconds")
    result["anonymous"] = {
        **{k: anonymous[k] for k in keys},
        "wall_seconds": round(anonymous_wall, 2),
    }
    result["generator"] = {**params, "source": source, "week_start": WEEK_START.isoformat(),
                           "intervals": "30 min, 7 days", "inputs": str(folder)}  # fmt: skip
    result["machine"] = {"cpus": os.cpu_count()}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
