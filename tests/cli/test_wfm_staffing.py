"""`kefu wfm erlang | staff | simulate`: the public flags, JSON keys, CSV files and errors."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from kefu.cli.main import app

runner = CliRunner()
KNOWN = [
    "wfm",
    "erlang",
    "--volume",
    "100",
    "--interval",
    "30m",
    "--aht",
    "180",
    "--target-sl",
    "0.8",
    "--target-time",
    "20",
    "--max-occupancy",
    "0.85",
    "--shrinkage",
    "0.3",
]
PUBLIC_KEYS = {
    "agents",
    "agents_with_shrinkage",
    "service_level",
    "occupancy",
    "wait_probability",
    "asa_seconds",
}


def _json(args: list[str]) -> dict[str, Any]:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def _refused(result: Result) -> str:
    """A clean refusal: exit code 2, no traceback, the message (unboxed) on stderr."""
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", result.stderr).split())


def _write(path: Path, text: str) -> Path:
    path.write_text(text, "utf-8")
    return path


def _day(path: Path, header: str = "interval_start,calls") -> Path:
    rows = [("2026-12-02T09:00:00", 40), ("2026-12-02T09:30:00", 100), ("2026-12-02T10:00:00", 0)]
    return _write(path, header + "\n" + "".join(f"{s},{v}\n" for s, v in rows))


def test_known_case_json_has_the_published_figures() -> None:
    report = _json([*KNOWN, "--json"])
    assert report.keys() >= PUBLIC_KEYS
    assert report["agents"] == 14
    assert report["agents_with_shrinkage"] == 20
    assert report["service_level"] == 0.8884
    assert round(report["occupancy"], 3) == 0.714
    assert report["wait_probability"] == 0.1741
    assert report["asa_seconds"] == 7.8
    assert report["model"] == "erlang_c"


def test_patience_switches_to_erlang_a_and_needs_no_more_agents() -> None:
    report = _json([*KNOWN, "--patience", "60", "--json"])
    assert report["model"] == "erlang_a"
    assert report.keys() >= PUBLIC_KEYS
    assert 0 < report["abandon_probability"] < 0.2
    assert report["agents"] <= 14
    assert report["service_level"] >= 0.8


def test_the_interval_length_is_read_with_its_unit() -> None:
    # 50 contacts per 15 min carry the same 10 Erlangs as 100 per 30 min or 200 per hour.
    base = _json([*KNOWN, "--json"])
    quarter = [*KNOWN, "--json"]
    quarter[quarter.index("100")] = "50"
    quarter[quarter.index("30m")] = "15m"
    assert _json(quarter) == base
    for hour in ("60m", "1h", "3600s"):
        args = [*KNOWN, "--json"]
        args[args.index("100")] = "200"
        args[args.index("30m")] = hour
        assert _json(args) == base


def test_chat_concurrency_needs_fewer_agents() -> None:
    report = _json([*KNOWN, "--concurrency", "3", "--json"])
    assert report["agents"] == 5  # 14 slots would do; 5 agents give 15
    assert report["servers"] == 15


def test_without_json_prints_a_table() -> None:
    result = runner.invoke(app, KNOWN)
    assert result.exit_code == 0, result.output
    assert "agents with shrinkage" in result.stdout
    assert "0.8884" in result.stdout


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        ("--shrinkage", "1", "shrinkage"),
        ("--shrinkage", "1.5", "shrinkage"),
        ("--volume", "-5", "--volume"),
        ("--interval", "30", "interval"),
        ("--interval", "0m", "interval"),
        ("--target-sl", "1", "service-level"),
        ("--max-occupancy", "0", "occupancy"),
        ("--aht", "0", "handle time"),
        ("--patience", "0", "patience"),
    ],
)
def test_bad_values_are_refused_cleanly(flag: str, value: str, message: str) -> None:
    args = [*KNOWN, "--json"]
    if flag in args:
        args[args.index(flag) + 1] = value
    else:
        args += [flag, value]
    assert message in _refused(runner.invoke(app, args))


def test_staff_writes_the_requirement_file(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["wfm", "staff", "--forecast", str(_day(tmp_path / "f.csv")), *KNOWN[4:]],
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(result.stdout.splitlines()))
    assert rows == [
        ["interval_start", "agents"],
        [
            "2026-12-02T09:00:00",
            str(_json([*KNOWN[:3], "40", *KNOWN[4:], "--json"])["agents_with_shrinkage"]),
        ],
        ["2026-12-02T09:30:00", "20"],
        ["2026-12-02T10:00:00", "0"],
    ]


def test_staff_reads_a_volume_column_and_writes_to_a_file(tmp_path: Path) -> None:
    forecast = _day(tmp_path / "f.csv", header="interval_start,volume")
    out = tmp_path / "requirement.csv"
    args = ["wfm", "staff", "--forecast", str(forecast), "--aht", "180", "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert out.read_text("utf-8").splitlines()[0] == "interval_start,agents"
    assert "3 intervals" in result.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("interval_start,agents\n09:00,3\n", "needs the columns"),
        ("start,calls\n09:00,3\n", "needs the columns"),
        ("interval_start,calls\n09:00,-3\n", "must be a number >= 0"),
        ("interval_start,calls\n09:00,many\n", "must be a number >= 0"),
        ("interval_start,calls\n09:00,nan\n", "must be a number >= 0"),
        ("interval_start,calls\n09:00,1\n09:00,2\n", "appears twice"),
        ("interval_start,calls\n", "has no rows"),
        ("", "needs the columns"),
    ],
)
def test_staff_refuses_bad_forecasts(tmp_path: Path, content: str, message: str) -> None:
    forecast = _write(tmp_path / "f.csv", content)
    result = runner.invoke(app, ["wfm", "staff", "--forecast", str(forecast), "--aht", "180"])
    assert message in _refused(result)


def test_staff_refuses_a_missing_file(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["wfm", "staff", "--forecast", str(tmp_path / "nope.csv"), "--aht", "180"]
    )
    assert "cannot read" in _refused(result)


def _simulate(forecast: Path, roster: Path, *extra: str) -> list[str]:
    return ["wfm", "simulate", "--forecast", str(forecast), "--roster", str(roster), *extra]


def test_simulate_prints_the_day_as_json(tmp_path: Path) -> None:
    forecast = _day(tmp_path / "f.csv")
    roster = _write(
        tmp_path / "r.csv",
        "interval_start,agents\n2026-12-02T09:00:00,7\n2026-12-02T09:30:00,14\n"
        "2026-12-02T10:00:00,2\n2026-12-02T10:30:00,9\n",
    )
    args = _simulate(forecast, roster, "--aht", "180", "--patience", "90", "--days", "3")
    report = _json([*args, "--seed", "7", "--json"])
    assert report["days"] == 3 and report["seed"] == 7
    intervals = report["intervals"]
    assert isinstance(intervals, list) and len(intervals) == 3
    assert [row["agents"] for row in intervals] == [7, 14, 2]
    offered = sum(row["offered"] for row in intervals)
    assert offered == report["offered"] > 300
    assert report["offered"] == report["answered"] + report["abandoned"] + report["unanswered"]
    assert intervals[2]["offered"] == 0 and intervals[2]["service_level"] is None
    for key in ("service_level", "asa_seconds", "abandon_rate", "occupancy"):
        assert isinstance(report[key], float)
    assert _json([*args, "--seed", "7", "--json"]) == report


def test_simulate_without_json_prints_a_table(tmp_path: Path) -> None:
    forecast = _day(tmp_path / "f.csv")
    roster = _write(
        tmp_path / "r.csv", _day(tmp_path / "x.csv").read_text().replace("calls", "agents")
    )
    result = runner.invoke(app, _simulate(forecast, roster, "--aht", "180"))
    assert result.exit_code == 0, result.output
    assert "total" in result.stdout


@pytest.mark.parametrize(
    ("roster", "message"),
    [
        ("interval_start,agents\n2026-12-02T09:00:00,3\n", "has no agents for 2026-12-02T09:30:00"),
        ("interval_start,calls\n2026-12-02T09:00:00,3\n", "needs the columns"),
        ("interval_start,agents\n2026-12-02T09:00:00,2.5\n", "whole number"),
        ("interval_start,agents\n2026-12-02T09:00:00,-1\n", "whole number"),
    ],
)
def test_simulate_refuses_bad_rosters(tmp_path: Path, roster: str, message: str) -> None:
    forecast = _day(tmp_path / "f.csv")
    path = _write(tmp_path / "r.csv", roster)
    assert message in _refused(runner.invoke(app, _simulate(forecast, path, "--aht", "180")))


def test_simulate_refuses_bad_settings(tmp_path: Path) -> None:
    forecast = _day(tmp_path / "f.csv")
    roster = _write(
        tmp_path / "r.csv", _day(tmp_path / "x.csv").read_text().replace("calls", "agents")
    )
    result = runner.invoke(
        app, _simulate(forecast, roster, "--aht", "180", "--handle-time-cv", "0")
    )
    assert "CV" in _refused(result)
    result = runner.invoke(app, _simulate(forecast, roster, "--aht", "180", "--days", "0"))
    _refused(result)


def test_staff_then_simulate_meets_the_target_on_a_stationary_day(tmp_path: Path) -> None:
    starts = [f"2026-12-02T{h:02d}:{m:02d}:00" for h in range(8, 20) for m in (0, 30)]
    forecast = _write(
        tmp_path / "f.csv", "interval_start,calls\n" + "".join(f"{s},100\n" for s in starts)
    )
    result = runner.invoke(app, ["wfm", "staff", "--forecast", str(forecast), "--aht", "180"])
    assert result.exit_code == 0, result.output
    roster = _write(tmp_path / "r.csv", result.stdout)
    args = _simulate(forecast, roster, "--aht", "180", "--days", "20", "--json")
    report = _json(args)
    assert {row["agents"] for row in report["intervals"]} == {14}
    # Erlang C promises 0.8884; 48,000 simulated contacts land within 4 standard deviations.
    assert report["service_level"] == pytest.approx(0.8884, abs=0.03)
