"""``kefu report``: a period's service report as PDF, HTML or XLSX, compared with another period.
Its flags are a public interface (docs/reports.md)."""

from __future__ import annotations

import asyncio
import time
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

if TYPE_CHECKING:
    from kefu.analytics.report import Report, ReportFormat

FORMATS = ("pdf", "html", "xlsx")


class Locale(StrEnum):
    ZH = "zh"
    EN = "en"


class Format(StrEnum):
    PDF = "pdf"
    HTML = "html"
    XLSX = "xlsx"


def _format(fmt: Format | None, out: Path | None) -> ReportFormat:
    """``--format``, else the suffix of ``--out``, else PDF."""
    from kefu.analytics.report import ReportFormat

    if fmt is not None:
        return ReportFormat(fmt.value)
    suffix = out.suffix.lower().lstrip(".") if out is not None else ""
    if out is not None and suffix not in FORMATS:
        raise typer.BadParameter(
            f"cannot tell the format from {out.name!r}: give --format pdf|html|xlsx",
            param_hint="--out",
        )
    return ReportFormat(suffix or "pdf")


async def _build(period: str, compare: str | None, shop: str | None, locale: str | None) -> Report:
    from kefu.analytics.report import ReportQuery, choose_shop, report_for_shop
    from kefu.settings import Settings
    from kefu.shared.clock import utcnow
    from kefu.shared.db import Database
    from kefu.shared.errors import KefuError

    db = Database(Settings().database_url)
    try:
        async with db.session() as session:
            try:
                found = await choose_shop(session, shop)
            except KefuError as exc:
                raise typer.BadParameter(exc.message, param_hint="--shop") from None
            query = ReportQuery(period=period, compare=compare, locale=locale)
            try:
                return await report_for_shop(session, shop=found, query=query, now=utcnow())
            except KefuError as exc:
                raise typer.BadParameter(exc.message, param_hint="--period/--compare") from None
    finally:
        await db.dispose()


def report(
    period: Annotated[
        str, typer.Option(help="The period: 2026-10, 2026-Q3, 2026-W40, 2026-10-05 or a..b.")
    ],
    compare: Annotated[
        str | None, typer.Option(help="The period to compare with (default: the one before).")
    ] = None,
    fmt: Annotated[
        Format | None,
        typer.Option("--format", help="pdf, html or xlsx (default: --out's suffix, else pdf)."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="File to write (default: kefu-report-<shop>-<period>.<format>)."),
    ] = None,
    shop: Annotated[
        str | None, typer.Option(help="Slug of the shop (default: the only shop).")
    ] = None,
    locale: Annotated[
        Locale | None, typer.Option(help="Language of the report (default: the shop's).")
    ] = None,
) -> None:
    """Write a period's report: key figures against the compared period and whether each change
    is beyond normal noise, daily trends, goals, complaint topics, channel, team and agent
    tables. Reads the database from KEFU_DATABASE_URL."""
    from kefu.analytics.render import filename, render_file

    report_format = _format(fmt, out)
    console = Console(stderr=True)
    started = time.perf_counter()
    with console.status("loading the periods' conversations…"):
        built = asyncio.run(_build(period, compare, shop, None if locale is None else locale.value))
    with console.status(f"rendering the {report_format.value.upper()}…"):
        rendered = render_file(built, report_format)
    target = out or Path(filename(built, report_format))
    target.write_bytes(rendered.content)
    seconds = time.perf_counter() - started
    size = len(rendered.content) / 1024
    typer.echo(f"wrote {target} ({size:.0f} KB) in {seconds:.1f} s")
