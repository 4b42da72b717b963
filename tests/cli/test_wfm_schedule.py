"""`kefu wfm schedule`: the public command line (flags, JSON keys, exports, refusals)."""

from __future__ import annotations

import csv
import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kefu.cli.main import app

KEYS = {"status", "agents_used", "staffed_hours", "required_hours", "min_coverage"}
KEYS |= {"solve_seconds", "intervals", "shifts", "objective_bound", "gap", "problems"}
MONDAY = datetime(2025, 1, 6, 9)


def _requirement(
    path: Path, rows: list[tuple[str, str]], header: str = "interval_start,agents"
) -> Path:
    path.write_text(header + "\n" + "".join(f"{a},{b}\n" for a, b in rows), "utf-8")
    return path


def _flat(path: Path, agents: int = 2, hours: int = 8, days: int = 1) -> Path:
    rows = [
        ((MONDAY + timedelta(days=d, minutes=30 * i)).isoformat(), str(agents))
        for d in range(days)
        for i in range(hours * 2)
    ]
    return _requirement(path, rows)


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["wfm", "schedule", *args], env={"COLUMNS": "300"})
    return result.exit_code, result.stdout, result.stderr


def test_json_run_prints_one_object_and_writes_roster_and_coverage(tmp_path: Path) -> None:
    templates = tmp_path / "templates.json"
    templates.write_text(json.dumps({
        "templates": [{"name": "eight", "length_minutes": 480, "earliest_start": "08:00",
                       "latest_start": "10:00"}],
        "rules": {"min_days_off": 2, "min_rest_hours": 11},
    }))  # fmt: skip
    code, out, _ = _run(
        "--requirement", str(_flat(tmp_path / "req.csv")), "--templates", str(templates),
        "--time-limit", "10", "--workers", "2", "--json",
        "--roster-out", str(tmp_path / "roster.csv"), "--coverage-out", str(tmp_path / "cov.csv"),
    )  # fmt: skip
    assert code == 0, out
    summary = json.loads(out)
    assert set(summary) >= KEYS
    assert (summary["status"], summary["agents_used"], summary["min_coverage"]) == ("OPTIMAL", 2, 1)
    assert summary["staffed_hours"] == summary["required_hours"] == 16
    roster = list(csv.DictReader((tmp_path / "roster.csv").read_text().splitlines()))
    assert [(r["start"], r["end"]) for r in roster] == [
        ("2025-01-06T09:00", "2025-01-06T17:00")
    ] * 2
    assert len((tmp_path / "cov.csv").read_text().splitlines()) == 1 + 16


def test_agents_and_csv_templates_files_are_read(tmp_path: Path) -> None:
    templates = tmp_path / "templates.csv"
    templates.write_text("name,length_minutes,break_minutes,break_after_min,break_after_max\n"
                         "eight,480,,,\nfour,240,,,\n")  # fmt: skip
    agents = tmp_path / "agents.csv"
    agents.write_text(
        "id,name,skills,max_hours_week,days_available,earliest_start,latest_end,peak_squad\n"
        "a1,Ann,,40,Mon|Tue,08:00,24:00,false\n"
        "a2,Bo,,,Mon,,,no\n"
        "s1,Squad,,20,,,,true\n"
    )
    code, out, _ = _run(
        "--requirement", str(_flat(tmp_path / "req.csv", agents=2, days=2)),
        "--templates", str(templates), "--agents", str(agents), "--json", "--time-limit", "10",
    )  # fmt: skip
    assert code == 0, out
    summary = json.loads(out)
    assert summary["status"] == "OPTIMAL" and summary["peak_squad_shifts"] == 1


def test_an_unstaffable_requirement_exits_1_with_its_problems(tmp_path: Path) -> None:
    agents = tmp_path / "agents.csv"
    agents.write_text("id,days_available\nsolo,Mon\n")
    code, out, _ = _run(
        "--requirement", str(_flat(tmp_path / "req.csv")), "--agents", str(agents), "--json"
    )
    assert code == 1
    summary = json.loads(out)
    assert summary["status"] == "INFEASIBLE"
    assert "2 agents needed at once, 1 available" in summary["problems"][0]


def test_plain_output_is_a_table(tmp_path: Path) -> None:
    code, out, _ = _run("--requirement", str(_flat(tmp_path / "req.csv")), "--time-limit", "5")
    assert code == 0
    assert "status" in out and "OPTIMAL" in out and "min_coverage" in out


@pytest.mark.parametrize(
    ("rows", "header", "agents", "message"),
    [
        ([("2025-01-06T09:00", "1")], "interval_start,staff", None, "missing column(s) agents"),
        ([("2025-01-06T09:00", "-2")], "interval_start,agents", None, "negative agents"),
        ([("2025-01-06T09:00", "1.5")], "interval_start,agents", None, "not a whole number"),
        ([("yesterday", "1")], "interval_start,agents", None, "'yesterday' is not valid"),
        (
            [("2025-01-06T09:00", "1"), ("2025-01-06T09:30", "1"), ("2025-01-06T10:15", "1")],
            "interval_start,agents",
            None,
            "irregular intervals",
        ),
        ([("2025-01-06T09:00", "1")], "interval_start,agents", "id,days_available\na,Funday\n",
         "unknown weekday 'Funday'"),
        ([("2025-01-06T09:00", "1")], "interval_start,agents", "id,peak_squad\na,maybe\n",
         "not true/false"),
    ],
)  # fmt: skip
def test_bad_input_exits_2_with_a_message_and_no_traceback(
    tmp_path: Path, rows: list[tuple[str, str]], header: str, agents: str | None, message: str
) -> None:
    args = ["--requirement", str(_requirement(tmp_path / "req.csv", rows, header)), "--json"]
    if agents is not None:
        (tmp_path / "agents.csv").write_text(agents)
        args += ["--agents", str(tmp_path / "agents.csv")]
    code, out, err = _run(*args)
    assert code == 2
    assert message in " ".join(err.split()) and "Traceback" not in err
    assert out == ""


def test_templates_that_cannot_fit_the_requirement_hours_exit_2(tmp_path: Path) -> None:
    templates = tmp_path / "t.json"
    templates.write_text(json.dumps([{"name": "long", "length_minutes": 600}]))
    code, _, err = _run("--requirement", str(_flat(tmp_path / "req.csv")), "--templates",
                        str(templates))  # fmt: skip
    assert code == 2 and "no shift template can cover" in " ".join(err.split())
    templates.write_text(json.dumps([{"name": "x", "length_minutes": 480, "colour": "red"}]))
    code, _, err = _run("--requirement", str(_flat(tmp_path / "req.csv")), "--templates",
                        str(templates))  # fmt: skip
    assert code == 2 and "unknown field(s) colour" in " ".join(err.split())
