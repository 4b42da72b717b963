"""`kefu wfm forecast` and `kefu wfm backtest`: contact-volume forecasts and their rolling-origin
evaluation against the weekly seasonal naive forecast (docs/forecasting.md).

Flags and JSON keys are public. Bad input exits 2 with one line on stderr, never a traceback."""

from __future__ import annotations

import asyncio
import csv
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from kefu.cli.wfm import wfm_app
from kefu.shared.errors import KefuError

if TYPE_CHECKING:  # numpy and the models load only when a command runs
    from kefu.workforce.backtest import BacktestResult
    from kefu.workforce.forecast import Forecast
    from kefu.workforce.promotions import Promotion
    from kefu.workforce.series import CallSeries

HistoryFile = Annotated[
    Path | None,
    typer.Option("--history", help="CSV 'interval_start,calls' (local wall times)."),
]
ShopSlug = Annotated[
    str | None,
    typer.Option("--shop", help="Slug of a shop: count its conversations (KEFU_DATABASE_URL)."),
]
IntervalOption = Annotated[
    str | None,
    typer.Option(help="15m, 30m or 60m (default: the file's own interval; 30m for --shop)."),
]
Horizon = Annotated[str, typer.Option(help="How far ahead: e.g. 7d, 2w, 48h.")]
PromotionsFile = Annotated[
    Path | None,
    typer.Option("--promotions", help="CSV 'date,name' of sale days (618 and 双11 are built in)."),
]
ClosedFile = Annotated[
    Path | None, typer.Option("--closed", help="Dates (YYYY-MM-DD, one a line) the shop is closed.")
]
AsJson = Annotated[bool, typer.Option("--json", help="Print exactly one JSON object on stdout.")]


def _fail(message: str) -> NoReturn:
    Console(stderr=True).print(f"[bold red]error:[/] {escape(message)}")
    raise typer.Exit(2)


@contextmanager
def _clean_errors() -> Iterator[None]:
    """Turn input errors into one line on stderr and exit code 2."""
    from sqlalchemy.exc import SQLAlchemyError

    try:
        yield
    except KefuError as exc:
        _fail(exc.message)
    except SQLAlchemyError as exc:
        _fail(f"cannot read the database: {exc.__class__.__name__}: {str(exc).splitlines()[0]}")


def _load(history: Path | None, shop: str | None, interval: str | None) -> CallSeries:
    from kefu.workforce.series import parse_interval, read_series

    if (history is None) == (shop is None):
        _fail("give either --history FILE or --shop SLUG")
    minutes = parse_interval(interval) if interval is not None else None
    if history is not None:
        if not history.is_file():
            _fail(f"no such file: {history}")
        return read_series(history, interval_minutes=minutes)
    assert shop is not None
    return asyncio.run(_shop_history(shop, minutes or 30))


async def _shop_history(slug: str, interval_minutes: int) -> CallSeries:
    from kefu.accounts import service as accounts
    from kefu.settings import Settings
    from kefu.shared.clock import utcnow
    from kefu.shared.db import Database
    from kefu.workforce.history import conversation_history

    db = Database(Settings().database_url)
    try:
        async with db.session() as session:
            found = await accounts.require_shop_by_slug(session, slug)
            return await conversation_history(
                session, shop_id=found.id, interval_minutes=interval_minutes, until=utcnow()
            )
    finally:
        await db.dispose()


def _moment(text: str, flag: str) -> datetime:
    try:
        return datetime.fromisoformat(text).replace(tzinfo=None)
    except ValueError:
        _fail(f"{flag}: '{text}' is not a date or date-time (YYYY-MM-DD[THH:MM])")


def _calendars(
    closed: Path | None, promotions: Path | None
) -> tuple[frozenset[date], tuple[Promotion, ...]]:
    from kefu.workforce.promotions import Promotion
    from kefu.workforce.series import read_dates

    for path in (closed, promotions):
        if path is not None and not path.is_file():
            _fail(f"no such file: {path}")
    days = frozenset(d for d, _ in read_dates(closed, with_names=False)) if closed else frozenset()
    events = (
        tuple(Promotion(d, name) for d, name in read_dates(promotions, with_names=True))
        if promotions
        else ()
    )
    return days, events


@wfm_app.command("forecast")
def forecast_command(
    history: HistoryFile = None,
    shop: ShopSlug = None,
    interval: IntervalOption = None,
    horizon: Horizon = "7d",
    start: Annotated[
        str | None, typer.Option(help="First interval to forecast (default: end of history).")
    ] = None,
    promotions: PromotionsFile = None,
    closed: ClosedFile = None,
    out: Annotated[Path | None, typer.Option(help="Write CSV 'interval_start,calls'.")] = None,
    as_json: AsJson = False,
) -> None:
    """Forecast contacts per interval from a history (CSV or a shop's conversations).

    Daily and weekly seasonality, closed days, and promotion uplift learned from past
    occurrences (618 and 双11 built in)."""
    from kefu.workforce.forecast import ForecastRequest, forecast
    from kefu.workforce.series import parse_duration, steps_in

    with _clean_errors():
        series = _load(history, shop, interval)
        steps = steps_in(parse_duration(horizon), series.interval_minutes)
        days, events = _calendars(closed, promotions)
        first = _moment(start, "--start") if start else None
        result = forecast(
            series, ForecastRequest(steps=steps, start=first, closed=days, promotions=events)
        )
    if out is not None:
        _write_csv(out, result)
    summary = _forecast_summary(series, result)
    if as_json:
        typer.echo(json.dumps(summary, ensure_ascii=False))
        return
    _print_forecast(summary, out)


def _write_csv(path: Path, result: Forecast) -> None:
    try:
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["interval_start", "calls"])
            for moment, calls in zip(result.times(), result.calls, strict=True):
                writer.writerow([moment.isoformat(), f"{calls:.2f}"])
    except OSError as exc:
        _fail(f"cannot write {path}: {exc.strerror or exc}")


def _forecast_summary(series: CallSeries, result: Forecast) -> dict[str, Any]:
    daily: dict[str, float] = {}
    for moment, calls in zip(result.times(), result.calls, strict=True):
        key = moment.date().isoformat()
        daily[key] = daily.get(key, 0.0) + float(calls)
    end = result.start + len(result.calls) * (series.step)
    return {
        "interval_minutes": result.interval_minutes,
        "start": result.start.isoformat(),
        "end": end.isoformat(),
        "total_calls": round(float(result.calls.sum()), 2),
        "history": {"start": series.start.isoformat(), "end": series.end.isoformat()},
        "daily": [{"date": d, "calls": round(v, 2)} for d, v in daily.items()],
        "promotions": [
            {
                "name": u.name,
                "uplift": None if u.factor is None else round(u.factor, 4),
                "learned_from": [d.isoformat() for d in u.learned_from],
                "applied_to": [d.isoformat() for d in u.applied_to],
                "note": u.note,
            }
            for u in result.uplifts
        ],
        "closed_days": [d.isoformat() for d in result.closed_days],
        "excluded_days": [d.isoformat() for d in result.excluded_days],
        "notes": list(result.notes),
        "forecast": [
            {"interval_start": t.isoformat(), "calls": round(float(c), 2)}
            for t, c in zip(result.times(), result.calls, strict=True)
        ],
    }


def _print_forecast(summary: dict[str, Any], out: Path | None) -> None:
    console = Console()
    table = Table(title=f"Forecast from {summary['start']} ({summary['interval_minutes']} min)")
    table.add_column("date")
    table.add_column("calls", justify="right")
    for day in summary["daily"]:
        table.add_row(day["date"], f"{day['calls']:.0f}")
    console.print(table)
    for note in summary["notes"]:
        console.print(f"- {escape(note)}")
    if out is not None:
        console.print(f"wrote {len(summary['forecast'])} intervals to {escape(str(out))}")


@wfm_app.command("backtest")
def backtest_command(
    test_start: Annotated[str, typer.Option(help="First origin (YYYY-MM-DD); one a week after.")],
    history: HistoryFile = None,
    shop: ShopSlug = None,
    interval: IntervalOption = None,
    horizon: Horizon = "7d",
    promotions: PromotionsFile = None,
    closed: ClosedFile = None,
    as_json: AsJson = False,
) -> None:
    """Score the forecast against weekly seasonal naive, one origin a week.

    Origins run from --test-start to the end of the history, each fitted only on the data
    before it. Prints mase, wape, naive_mase, naive_wape and origins."""
    from kefu.workforce.backtest import BacktestRequest, run_backtest
    from kefu.workforce.series import parse_duration, steps_in

    with _clean_errors():
        series = _load(history, shop, interval)
        steps = steps_in(parse_duration(horizon), series.interval_minutes)
        days, events = _calendars(closed, promotions)
        request = BacktestRequest(
            horizon_steps=steps,
            test_start=_moment(test_start, "--test-start"),
            closed=days,
            promotions=events,
        )
        with _progress() as progress:
            result = run_backtest(series, request, progress)
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False))
        return
    _print_backtest(result)


@contextmanager
def _progress() -> Iterator[Any]:
    """A progress bar on stderr when it is a terminal; otherwise a callback doing nothing."""
    from rich.progress import Progress

    console = Console(stderr=True)
    if not console.is_terminal:
        yield None
        return
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("origins", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield advance


def _print_backtest(result: BacktestResult) -> None:
    console = Console()
    table = Table(title=f"Backtest: {len(result.scores)} weekly origins")
    for column in ("origin", "MASE", "naive MASE"):
        table.add_column(column, justify="right")
    for score in result.scores:
        table.add_row(score.origin.isoformat(), f"{score.mase:.3f}", f"{score.naive_mase:.3f}")
    console.print(table)
    report = result.to_dict()
    console.print(
        f"MASE {report['mase']:.3f} (naive {report['naive_mase']:.3f}, "
        f"{(1 - report['mase_vs_naive']) * 100:.1f}% lower); WAPE {report['wape']:.3f} "
        f"(naive {report['naive_wape']:.3f}); fitted in {report['fit_seconds']:.1f} s"
    )
