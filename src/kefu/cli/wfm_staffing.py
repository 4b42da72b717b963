"""`kefu wfm erlang | staff | simulate`: Erlang C/A staffing and the what-if day simulation.

Flags and JSON keys are public (docs/workforce-staffing.md). Bad files or values exit with
code 2 and a one-line message on stderr, never a traceback."""

from __future__ import annotations

import csv
import io
import json
import math
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from kefu.cli.wfm import wfm_app

if TYPE_CHECKING:  # the maths (numpy, scipy) loads only when a command runs
    from kefu.workforce.erlang import Channel, Staffing, Targets
    from kefu.workforce.simulate import DayPlan, IntervalResult, SimulationReport

Interval = Annotated[
    str, typer.Option(help="Interval length: 15m, 30m, 60m, 1h (or seconds, e.g. 900s).")
]
Aht = Annotated[float, typer.Option(help="Average handle time in seconds.")]
TargetSl = Annotated[
    float, typer.Option("--target-sl", help="Service-level target: share answered in time.")
]
TargetTime = Annotated[float, typer.Option("--target-time", help="Answer-time target in seconds.")]
MaxOccupancy = Annotated[
    float, typer.Option("--max-occupancy", help="Highest occupancy allowed (1 = no cap).")
]
Shrinkage = Annotated[
    float, typer.Option(help="Share of paid time agents are unavailable, in [0, 1).")
]
Patience = Annotated[
    float | None,
    typer.Option(help="Mean patience in seconds: Erlang A with abandonment (default Erlang C)."),
]
Concurrency = Annotated[int, typer.Option(help="Chats an agent handles at once (1 for calls).")]
ExcludeEarly = Annotated[
    bool,
    typer.Option(
        "--exclude-early-abandons",
        help="Erlang A: staff on answered in time / (offered - abandoned within the target) "
        "instead of / offered (fewer agents, more abandonment).",
    ),
]
Forecast = Annotated[Path, typer.Option(help="CSV: interval_start,calls (or ,volume).")]
AsJson = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]

_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|min|h)\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "min": 60, "h": 3600}


def parse_interval(text: str) -> float:
    """Seconds in an interval written like ``30m``, ``1h`` or ``900s``."""
    match = _INTERVAL.match(text.lower())
    seconds = float(match[1]) * _UNIT_SECONDS[match[2]] if match else 0.0
    if seconds <= 0:
        raise typer.BadParameter(f"{text!r} is not an interval like 15m, 30m or 1h")
    return seconds


def _channel(interval: str, aht: float, patience: float | None, concurrency: int) -> Channel:
    from kefu.workforce.erlang import Channel

    try:
        return Channel(parse_interval(interval), aht, patience, concurrency)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


def _targets(
    level: float, seconds: float, occupancy: float, shrinkage: float, exclude_early: bool
) -> Targets:
    from kefu.workforce.erlang import Targets

    try:
        return Targets(level, seconds, occupancy, shrinkage, exclude_early)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


# --- CSV files ------------------------------------------------------------------------------


def _read_csv(path: Path, value_columns: tuple[str, ...], hint: str) -> list[tuple[str, str]]:
    """(interval_start, value) rows of a CSV with a header naming one of ``value_columns``."""
    try:
        text = path.read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise typer.BadParameter(f"cannot read {path}: {exc}", param_hint=hint) from None
    reader = csv.DictReader(io.StringIO(text))
    fields = [name.strip() for name in reader.fieldnames or []]
    reader.fieldnames = fields
    column = next((name for name in value_columns if name in fields), None)
    if "interval_start" not in fields or column is None:
        wanted = " or ".join(f"interval_start,{name}" for name in value_columns)
        raise typer.BadParameter(f"{path} needs the columns {wanted}", param_hint=hint)
    rows: list[tuple[str, str]] = []
    seen: set[str] = set()
    for line, row in enumerate(reader, start=2):
        start, value = (row.get("interval_start") or "").strip(), (row.get(column) or "").strip()
        if not start:
            raise typer.BadParameter(f"{path} line {line}: no interval_start", param_hint=hint)
        if start in seen:
            raise typer.BadParameter(f"{path} line {line}: {start} appears twice", param_hint=hint)
        seen.add(start)
        rows.append((start, value))
    if not rows:
        raise typer.BadParameter(f"{path} has no rows", param_hint=hint)
    return rows


def read_forecast(path: Path) -> list[tuple[str, float]]:
    """(interval_start, expected contacts) rows; volumes must be finite and >= 0."""
    forecast: list[tuple[str, float]] = []
    for start, raw in _read_csv(path, ("calls", "volume"), "--forecast"):
        try:
            volume = float(raw)
        except ValueError:
            volume = math.nan
        if not (math.isfinite(volume) and volume >= 0):
            message = f"{path}: the volume of {start} must be a number >= 0, not {raw!r}"
            raise typer.BadParameter(message, param_hint="--forecast")
        forecast.append((start, volume))
    return forecast


def read_roster(path: Path) -> dict[str, int]:
    """Agents on duty by interval_start; counts must be whole numbers >= 0."""
    roster: dict[str, int] = {}
    for start, raw in _read_csv(path, ("agents",), "--roster"):
        try:
            agents = float(raw)
        except ValueError:
            agents = math.nan
        if not (math.isfinite(agents) and agents >= 0 and agents == int(agents)):
            message = f"{path}: the agents of {start} must be a whole number >= 0, not {raw!r}"
            raise typer.BadParameter(message, param_hint="--roster")
        roster[start] = int(agents)
    return roster


# --- erlang ---------------------------------------------------------------------------------


def staffing_summary(staffing: Staffing) -> dict[str, Any]:
    """The public JSON of ``kefu wfm erlang``."""
    metrics = staffing.metrics
    summary: dict[str, Any] = {
        "model": metrics.model,
        "agents": metrics.agents,
        "agents_with_shrinkage": staffing.agents_with_shrinkage,
        "service_level": round(metrics.service_level, 4),
        "occupancy": round(metrics.occupancy, 4),
        "wait_probability": round(metrics.wait_probability, 4),
        "asa_seconds": round(metrics.asa_seconds, 1),
        "traffic_erlangs": round(metrics.traffic_erlangs, 3),
        "servers": metrics.servers,
    }
    if metrics.model == "erlang_a":
        summary["abandon_probability"] = round(metrics.abandon_probability, 4)
        summary["abandoned_within_target"] = round(metrics.abandoned_within_target, 4)
        summary["service_level_excluding_early_abandons"] = round(
            metrics.service_level_excluding_early_abandons, 4
        )
    return summary


@wfm_app.command("erlang")
def erlang(
    volume: Annotated[float, typer.Option(min=0, help="Contacts offered in the interval.")],
    aht: Aht,
    interval: Interval = "30m",
    target_sl: TargetSl = 0.8,
    target_time: TargetTime = 20.0,
    max_occupancy: MaxOccupancy = 1.0,
    shrinkage: Shrinkage = 0.0,
    patience: Patience = None,
    concurrency: Concurrency = 1,
    exclude_early_abandons: ExcludeEarly = False,
    as_json: AsJson = False,
) -> None:
    """The fewest agents meeting the service level and occupancy targets for one interval."""
    from kefu.workforce.erlang import Workload, required_agents

    channel = _channel(interval, aht, patience, concurrency)
    targets = _targets(target_sl, target_time, max_occupancy, shrinkage, exclude_early_abandons)
    try:
        summary = staffing_summary(required_agents(Workload(volume, channel), targets))
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    if as_json:
        typer.echo(json.dumps(summary))
        return
    table = Table(title=f"{summary['model'].replace('_', ' ').title()}: {volume:g} contacts")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key, value in summary.items():
        if key != "model":
            table.add_row(key.replace("_", " "), str(value))
    Console().print(table)


# --- staff ----------------------------------------------------------------------------------


@wfm_app.command("staff")
def staff(
    forecast: Forecast,
    aht: Aht,
    out: Annotated[Path | None, typer.Option(help="Write the CSV here (default stdout).")] = None,
    interval: Interval = "30m",
    target_sl: TargetSl = 0.8,
    target_time: TargetTime = 20.0,
    max_occupancy: MaxOccupancy = 1.0,
    shrinkage: Shrinkage = 0.0,
    patience: Patience = None,
    concurrency: Concurrency = 1,
    exclude_early_abandons: ExcludeEarly = False,
) -> None:
    """The requirement file (interval_start,agents) for a forecast, for `kefu wfm schedule`.

    agents is the number to schedule: the Erlang requirement grossed up for shrinkage."""
    from kefu.workforce.erlang import staff_intervals

    channel = _channel(interval, aht, patience, concurrency)
    targets = _targets(target_sl, target_time, max_occupancy, shrinkage, exclude_early_abandons)
    try:
        plan = staff_intervals(read_forecast(forecast), channel, targets)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["interval_start", "agents"])
    for row in plan:
        writer.writerow([row.interval_start, row.staffing.agents_with_shrinkage])
    if out is None:
        sys.stdout.write(buffer.getvalue())
        return
    out.write_text(buffer.getvalue(), "utf-8")
    peak = max(row.staffing.agents_with_shrinkage for row in plan)
    Console().print(f"wrote {len(plan)} intervals to {out} (peak {peak} agents)")


# --- simulate -------------------------------------------------------------------------------


def _measures(result: IntervalResult) -> dict[str, Any]:
    def rounded(value: float | None, digits: int) -> float | None:
        return None if value is None else round(value, digits)

    return {
        "offered": result.offered,
        "answered": result.answered,
        "abandoned": result.abandoned,
        "unanswered": result.unanswered,
        "service_level": rounded(result.service_level, 4),
        "service_level_excluding_early_abandons": rounded(
            result.service_level_excluding_early_abandons, 4
        ),
        "asa_seconds": rounded(result.asa_seconds, 1),
        "abandon_rate": rounded(result.abandon_rate, 4),
        "occupancy": rounded(result.occupancy, 4),
    }


def simulation_summary(
    starts: list[str], plan: DayPlan, report: SimulationReport, seed: int
) -> dict[str, Any]:
    """The public JSON of ``kefu wfm simulate``: totals, then one entry per interval."""
    intervals = [
        {"interval_start": start, "volume": volume, "agents": agents, **_measures(result)}
        for start, volume, agents, result in zip(
            starts, plan.volumes, plan.agents, report.intervals, strict=True
        )
    ]
    return {"days": report.days, "seed": seed, **_measures(report.total), "intervals": intervals}


@wfm_app.command("simulate")
def simulate(
    forecast: Forecast,
    roster: Annotated[Path, typer.Option(help="CSV: interval_start,agents on duty.")],
    aht: Aht,
    interval: Interval = "30m",
    target_time: TargetTime = 20.0,
    patience: Patience = None,
    handle_time_cv: Annotated[
        float | None,
        typer.Option(help="Lognormal handle times with this CV (default exponential)."),
    ] = None,
    concurrency: Concurrency = 1,
    seed: Annotated[int, typer.Option(help="Seed of the random day.")] = 0,
    days: Annotated[int, typer.Option(min=1, help="Independent days to simulate.")] = 1,
    as_json: AsJson = False,
) -> None:
    """Simulate days of contacts against a roster: service level, ASA, abandonment, occupancy.

    Counts are summed over all simulated days; rates are over all of them."""
    from kefu.workforce.simulate import DayPlan, SimulationConfig
    from kefu.workforce.simulate import simulate as run_simulation

    rows = read_forecast(forecast)
    on_duty = read_roster(roster)
    missing = [start for start, _ in rows if start not in on_duty]
    if missing:
        message = f"{roster} has no agents for {missing[0]} ({len(missing)} intervals missing)"
        raise typer.BadParameter(message, param_hint="--roster")
    try:
        config = SimulationConfig(
            parse_interval(interval), aht, target_time, patience, handle_time_cv, concurrency
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    plan = DayPlan([volume for _, volume in rows], [on_duty[start] for start, _ in rows])
    report = run_simulation(plan, config, days=days, seed=seed)
    summary = simulation_summary([start for start, _ in rows], plan, report, seed)
    if as_json:
        typer.echo(json.dumps(summary))
        return
    _print_simulation(summary)


def _print_simulation(summary: dict[str, Any]) -> None:
    columns = ["offered", "answered", "abandoned", "service_level", "asa_seconds", "occupancy"]
    table = Table(title=f"Simulated {summary['days']} day(s), seed {summary['seed']}")
    table.add_column("interval_start", no_wrap=True)
    table.add_column("agents", justify="right")
    for name in columns:
        table.add_column(name.replace("_", " "), justify="right")
    for row in summary["intervals"]:
        cells = ["-" if row[name] is None else str(row[name]) for name in columns]
        table.add_row(row["interval_start"], str(row["agents"]), *cells)
    cells = ["-" if summary[name] is None else str(summary[name]) for name in columns]
    table.add_row("total", "", *cells, style="bold")
    Console().print(table)
