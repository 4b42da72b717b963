"""`kefu wfm schedule`: shift scheduling from a requirement CSV (docs/scheduling.md).

Reads the files, calls ``kefu.workforce.roster.schedule_shifts`` and prints the summary.
Bad input exits 2 with one line on stderr; a requirement that cannot be staffed exits 1
(its JSON still printed, with ``problems``)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from datetime import datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from kefu.cli.wfm import wfm_app

if TYPE_CHECKING:  # the solver (ortools, pandas) loads only when a schedule is asked for
    from kefu.workforce.schedule import Agent, Need, Rules, ScheduleProblem, ShiftTemplate

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

T = TypeVar("T")
TEMPLATE_FIELDS = {
    "name": str,
    "length_minutes": int,
    "earliest_start": "time",
    "latest_start": "time",
    "break_minutes": int,
    "break_after_min": int,
    "break_after_max": int,
    "start_every_minutes": int,
}
RULE_FIELDS = {
    "min_days_off": int,
    "max_shifts_week": int,
    "min_rest_hours": float,
    "max_hours_week": float,
}


class InputError(Exception):
    """A file that cannot be read as the documented format; the message names file and row."""


def _fail(message: str) -> NoReturn:
    Console(stderr=True).print(f"[bold red]error:[/] {escape(message)}")
    raise typer.Exit(2)


def _rows(path: Path, required: set[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """CSV rows (line number, row) with surrounding spaces stripped."""
    try:
        text = path.read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from exc
    reader = csv.DictReader(io.StringIO(text))
    header = {(name or "").strip() for name in reader.fieldnames or []}
    if missing := required - header:
        raise InputError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
    for line, row in enumerate(reader, start=2):
        yield line, {(k or "").strip(): (v or "").strip() for k, v in row.items()}


def _parse(where: str, value: str, convert: Callable[[str], T]) -> T:
    try:
        return convert(value)
    except ValueError as exc:
        raise InputError(f"{where}: {value!r} is not valid ({exc})") from None


def _clock(value: str) -> time:
    """HH:MM; 24:00 means the end of the day (midnight)."""
    if value in ("24:00", "24:00:00"):
        return time(0, 0)
    return time.fromisoformat(value)


def _whole(value: str) -> int:
    number = float(value)
    if not number.is_integer():
        raise ValueError("not a whole number")
    return int(number)


def read_requirement(path: Path) -> list[Need]:
    """CSV ``interval_start,agents[,skill]``: ISO date-times on a regular grid."""
    from kefu.workforce.schedule import Need

    needs = []
    for line, row in _rows(path, {"interval_start", "agents"}):
        where = f"{path} line {line}"
        start = _parse(where, row["interval_start"], datetime.fromisoformat)
        agents = _parse(where, row["agents"], _whole)
        if agents < 0:
            raise InputError(f"{where}: negative agents ({agents})")
        needs.append(Need(start, agents, row.get("skill") or None))
    if not needs:
        raise InputError(f"{path} has no rows")
    return needs


def _weekdays(where: str, value: str) -> frozenset[int]:
    if not value:
        return frozenset(range(7))
    days = set()
    for name in value.split("|"):
        key = name.strip()[:3].title()
        if key not in WEEKDAYS:
            raise InputError(f"{where}: unknown weekday {name!r} (use Mon|Tue|...|Sun)")
        days.add(WEEKDAYS.index(key))
    return frozenset(days)


def _flag(where: str, value: str) -> bool:
    lowered = value.lower()
    if lowered in ("", "0", "false", "no", "n"):
        return False
    if lowered in ("1", "true", "yes", "y"):
        return True
    raise InputError(f"{where}: peak_squad {value!r} is not true/false")


def read_agents(path: Path) -> list[Agent]:
    """CSV id,name,skills,max_hours_week,days_available,earliest_start,latest_end,peak_squad
    (only ``id`` is required; skills and days are separated by ``|``)."""
    from kefu.workforce.schedule import Agent

    agents = []
    for line, row in _rows(path, {"id"}):
        where = f"{path} line {line}"
        hours = row.get("max_hours_week", "")
        agents.append(
            Agent(
                id=row["id"] or f"line-{line}",
                name=row.get("name", ""),
                skills=frozenset(s.strip() for s in row.get("skills", "").split("|") if s.strip()),
                max_hours_week=_parse(where, hours, float) if hours else None,
                days_available=_weekdays(where, row.get("days_available", "")),
                earliest_start=_parse(where, row.get("earliest_start") or "00:00", _clock),
                latest_end=_parse(where, row["latest_end"], _clock)
                if row.get("latest_end")
                else None,
                peak_squad=_flag(where, row.get("peak_squad", "")),
            )
        )
    return agents


def _fields(where: str, raw: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    if unknown := set(raw) - set(spec):
        raise InputError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if value in ("", None):
            continue
        kind = spec[key]
        out[key] = _parse(f"{where} {key}", str(value), _clock if kind == "time" else kind)
    return out


def read_templates(path: Path) -> tuple[list[ShiftTemplate], Rules]:
    """JSON (a list of templates, or {"templates": [...], "rules": {...}}) or CSV, one
    template a row, with the fields of ``ShiftTemplate`` (minutes and HH:MM times)."""
    from kefu.workforce.schedule import Rules, ShiftTemplate

    rules: dict[str, Any] = {}
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot read {path}: {exc}") from exc
        if isinstance(data, dict):
            rules = _fields(f"{path} rules", dict(data.get("rules") or {}), RULE_FIELDS)
            data = data.get("templates")
        if not isinstance(data, list) or not all(isinstance(t, dict) for t in data):
            raise InputError(f"{path}: expected a list of templates")
        raw = [(f"{path} template {i + 1}", t) for i, t in enumerate(data)]
    else:
        raw = [(f"{path} line {line}", dict(row)) for line, row in _rows(path, {"name"})]
    templates = []
    for where, item in raw:
        fields = _fields(where, item, TEMPLATE_FIELDS)
        if "name" not in fields or "length_minutes" not in fields:
            raise InputError(f"{where}: name and length_minutes are required")
        templates.append(ShiftTemplate(**fields))
    if not templates:
        raise InputError(f"{path} has no templates")
    return templates, Rules(**rules)


def read_problem(requirement: Path, templates: Path | None, agents: Path | None) -> ScheduleProblem:
    """The three files as one problem (default templates and rules, anonymous agents)."""
    from kefu.workforce.schedule import DEFAULT_TEMPLATES, Rules, ScheduleProblem

    needs = read_requirement(requirement)
    shapes, rules = read_templates(templates) if templates else (list(DEFAULT_TEMPLATES), Rules())
    people = read_agents(agents) if agents else None
    return ScheduleProblem(needs, shapes, people, rules)


@wfm_app.command("schedule")
def schedule(
    requirement: Annotated[
        Path, typer.Option(help="CSV interval_start,agents[,skill] on regular intervals.")
    ],
    templates: Annotated[
        Path | None,
        typer.Option(help="Shift templates (JSON or CSV; JSON may add working-time rules)."),
    ] = None,
    agents: Annotated[
        Path | None,
        typer.Option(help="Agents CSV (availability, skills, peak squad); default anonymous."),
    ] = None,
    time_limit: Annotated[float, typer.Option(help="Seconds for both solver stages.")] = 60.0,
    workers: Annotated[int, typer.Option(min=1, help="CP-SAT worker threads.")] = 2,
    roster_out: Annotated[Path | None, typer.Option(help="Write the roster CSV here.")] = None,
    coverage_out: Annotated[
        Path | None, typer.Option(help="Write coverage per interval (CSV) here.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Build a shift roster covering REQUIREMENT with the fewest staffed hours.

    Prints status, agents_used, staffed_hours, required_hours, min_coverage and
    solve_seconds (plus shifts, intervals, objective_bound, gap, problems ...)."""
    from kefu.workforce.roster import coverage_csv, roster_csv, schedule_shifts
    from kefu.workforce.schedule import ScheduleInputError

    try:
        problem = read_problem(requirement, templates, agents)
        spinner = Console(stderr=True).status("solving the schedule")
        with nullcontext() if as_json else spinner:
            result = schedule_shifts(problem, time_limit_seconds=time_limit, workers=workers)
    except (InputError, ScheduleInputError) as exc:
        _fail(str(exc))
    if roster_out is not None:
        roster_out.write_text(roster_csv(result), "utf-8")
    if coverage_out is not None:
        coverage_out.write_text(coverage_csv(result), "utf-8")
    summary = result.summary()
    if as_json:
        typer.echo(json.dumps(summary))
    else:
        _print(summary)
    if result.status not in ("OPTIMAL", "FEASIBLE"):
        raise typer.Exit(1)


def _print(summary: dict[str, Any]) -> None:
    table = Table(show_header=False)
    for key in ("status", "agents_used", "staffed_hours", "required_hours", "present_hours",
                "min_coverage", "shifts", "peak_squad_shifts", "solve_seconds", "gap"):  # fmt: skip
        table.add_row(key, str(summary[key]))
    console = Console()
    console.print(table)
    for line in summary["problems"]:
        console.print(f"[yellow]short:[/] {escape(str(line))}")
