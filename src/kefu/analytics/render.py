"""A report as a file: HTML from a Jinja2 template (autoescaped: topic examples are customer
text), the same HTML as PDF through WeasyPrint, or an XLSX workbook of its tables. Trend charts
are inline SVG drawn here, since a PDF cannot run the dashboard's JavaScript charts."""

from __future__ import annotations

import asyncio
import functools
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from kefu.analytics.compare import Change
from kefu.analytics.export import Cell, Column, ColumnKind, tables_xlsx
from kefu.analytics.formatting import (
    format_delta,
    format_relative,
    format_seconds,
    format_value,
)
from kefu.analytics.metrics import Metric, Unit
from kefu.analytics.report import Report, ReportFormat, TrendSeries

TEMPLATES = Path(__file__).parent / "templates"
MEDIA_TYPES = {
    ReportFormat.PDF: "application/pdf",
    ReportFormat.HTML: "text/html; charset=utf-8",
    ReportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

_TEXTS = {
    "title": ("客服运营报告", "Customer service report"),
    "period": ("报告期", "Period"),
    "compared_with": ("对比期", "Compared with"),
    "generated": ("生成时间", "Generated"),
    "headline": ("核心指标", "Key figures"),
    "metric": ("指标", "Metric"),
    "change": ("变化", "Change"),
    "relative": ("相对变化", "Relative"),
    "noise": ("是否超出正常波动", "Beyond normal noise?"),
    "noise_note": (
        "“显著”表示在 5% 显著性水平下，变化超出了正常波动（平均值用 Welch t 检验，比率用双比例 z "
        "检验，数量按日均比较）。计数指标的相对变化按日均计算。",
        "“Beyond noise” means the change is significant at the 5 % level (averages: Welch's "
        "t-test; rates: two-proportion z-test; counts: daily rates compared). Relative changes "
        "of counts compare daily rates.",
    ),
    "goal": ("目标", "Goal"),
    "goals": ("目标达成", "Progress against goals"),
    "met": ("是否达成", "Met"),
    "yes": ("达成", "met"),
    "no": ("未达成", "missed"),
    "trends": ("每日趋势", "Daily trends"),
    "topics": ("投诉热点", "Top complaint topics"),
    "topic": ("话题", "Topic"),
    "mentions": ("提及", "Mentions"),
    "share": ("占比", "Share"),
    "examples": ("顾客原话", "In customers' words"),
    "topics_unavailable": ("话题分析暂不可用。", "Topic mining is not available yet."),
    "no_complaints": ("本期没有投诉。", "No complaints in this period."),
    "empty": ("本期没有数据。", "No data in this period."),
    "better": ("显著改善", "Better, beyond noise"),
    "worse": ("显著变差", "Worse, beyond noise"),
    "noise_only": ("正常波动", "Within normal noise"),
    "untested": ("无法检验", "Not tested"),
}


@dataclass(frozen=True, slots=True)
class Verdict:
    text: str
    css: str


@dataclass(frozen=True, slots=True)
class ReportFile:
    content: bytes
    media_type: str
    filename: str


def texts(locale: str) -> dict[str, str]:
    index = 0 if locale.startswith("zh") else 1
    return {key: pair[index] for key, pair in _TEXTS.items()}


def verdict(change: Change, words: dict[str, str]) -> Verdict:
    """Whether ``change`` is beyond normal noise, and which way."""
    if change.p_value is None:
        return Verdict(words["untested"], "na")
    if not change.significant:
        return Verdict(words["noise_only"], "flat")
    if change.improved is None:
        return Verdict(words["noise_only"], "flat")
    return Verdict(words["better"], "good") if change.improved else Verdict(words["worse"], "bad")


def cell_text(value: Cell, column: Column, locale: str) -> str:
    """A table cell as the HTML report shows it."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return texts(locale)["yes" if value else "no"]
    if isinstance(value, int | float) and column.kind is not ColumnKind.TEXT:
        return format_value(float(value), column.kind, locale)
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


# ---- charts -------------------------------------------------------------------------------

WIDTH, HEIGHT = 340, 150
LEFT, RIGHT, TOP, BOTTOM = 58, 10, 8, 20
# Axis tops whose halves are round too: seconds, then plain numbers by 1-2-5 decades.
_SECOND_TOPS = (20, 30, 60, 120, 240, 600, 1200, 1800, 3600, 7200, 14400, 28800, 57600, 86400)
FONT = "Noto Sans CJK SC, WenQuanYi Micro Hei, sans-serif"


def axis_top(peak: float, unit: Unit) -> float:
    """A round upper end for the y axis at or above ``peak``."""
    if peak <= 0:
        return 1.0 if unit is Unit.RATIO else 10.0
    if unit is Unit.SECONDS:
        for top in _SECOND_TOPS:
            if peak <= top:
                return float(top)
    if unit is Unit.RATIO and peak <= 1:
        return min(1.0, axis_top(peak * 100, Unit.COUNT) / 100)
    scale = 10 ** (len(str(int(peak))) - 1)
    for step in (1, 2, 4, 5, 6, 8, 10):
        if peak <= step * scale:
            return float(step * scale)
    return float(10 * scale)


def _axis_label(value: float, unit: Unit, locale: str) -> str:
    if unit is Unit.RATIO:
        return f"{value * 100:.0f}%"
    if unit is Unit.SECONDS:
        return format_seconds(value, locale)
    return f"{value:,.0f}"


def _runs(points: list[tuple[float, float | None]]) -> list[list[tuple[float, float]]]:
    """Stretches of consecutive points with a value (a day without one breaks the line)."""
    runs: list[list[tuple[float, float]]] = [[]]
    for x, y in points:
        if y is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append((x, y))
    return [run for run in runs if run]


def line_chart(series: TrendSeries, locale: str) -> Markup:
    """One KPI's daily values as an SVG line chart, with its goal as a dashed line."""
    unit = series.metric.unit
    values = [v for _, v in series.points if v is not None]
    top = axis_top(max([*values, series.goal or 0.0, 0.0]), unit)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    n = len(series.points)

    def x(i: int) -> float:
        return LEFT + (plot_w / 2 if n < 2 else plot_w * i / (n - 1))

    def y(v: float) -> float:
        return TOP + plot_h * (1 - min(v, top) / top)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" font-family="{FONT}" font-size="9">'
    ]
    for fraction in (0.0, 0.5, 1.0):
        gy = y(top * fraction)
        label = escape(_axis_label(top * fraction, unit, locale))
        parts.append(
            f'<line x1="{LEFT}" y1="{gy:.1f}" x2="{WIDTH - RIGHT}" y2="{gy:.1f}" '
            f'stroke="#d5dbe3" stroke-width="0.6"/>'
            f'<text x="{LEFT - 4}" y="{gy + 3:.1f}" text-anchor="end" fill="#666">{label}</text>'
        )
    parts += _x_labels(series, x)
    if series.goal is not None:
        gy = y(series.goal)
        parts.append(
            f'<line x1="{LEFT}" y1="{gy:.1f}" x2="{WIDTH - RIGHT}" y2="{gy:.1f}" '
            f'stroke="#c0392b" stroke-width="1" stroke-dasharray="4 3"/>'
        )
    points = [(x(i), None if v is None else y(v)) for i, (_, v) in enumerate(series.points)]
    for run in _runs(points):
        coords = " ".join(f"{px:.1f},{py:.1f}" for px, py in run)
        parts.append(
            f'<polyline points="{coords}" fill="none" stroke="#1f77b4" stroke-width="1.6" '
            f'stroke-linejoin="round"/>'
        )
        if n <= 45:
            parts += [
                f'<circle cx="{px:.1f}" cy="{py:.1f}" r="1.6" fill="#1f77b4"/>' for px, py in run
            ]
    parts.append("</svg>")
    return Markup("".join(parts))


def _x_labels(series: TrendSeries, x: Callable[[int], float]) -> list[str]:
    n = len(series.points)
    picks = sorted({0, n // 2, n - 1}) if n else []
    out = []
    for i in picks:
        day = series.points[i][0]
        anchor = "start" if i == 0 and n > 1 else "end" if i == n - 1 and n > 1 else "middle"
        out.append(
            f'<text x="{x(i):.1f}" y="{HEIGHT - 6}" text-anchor="{anchor}" fill="#666">'
            f"{day:%m-%d}</text>"
        )
    return out


# ---- files --------------------------------------------------------------------------------


@functools.cache
def environment() -> Environment:
    """Autoescaping is on: topic examples are customers' words and must stay text."""
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _context(report: Report) -> dict[str, Any]:
    locale, words = report.locale, texts(report.locale)
    local = report.generated_at.astimezone(report.period.tz)

    def value(v: float | None, unit: Unit | str) -> str:
        return format_value(v, Unit(unit) if isinstance(unit, str) else unit, locale)

    def delta(change: Change, metric: Metric) -> str:
        return format_delta(change, metric, locale)

    return {
        "r": report,
        "t": words,
        "generated": f"{local:%Y-%m-%d %H:%M} ({report.period.tz.key})",
        "goals": [row for row in report.headline if row.goal is not None],
        "value": value,
        "delta": delta,
        "relative": format_relative,
        "p_value": lambda p: "p<0.001" if p < 0.001 else f"p={p:.3f}",
        # CSS, not HTML: written from constants only, never from data.
        "page_counter": Markup(
            '"第 " counter(page) " 页 / 共 " counter(pages) " 页"'
            if report.zh
            else '"Page " counter(page) " of " counter(pages)'
        ),
        "verdict": lambda change: verdict(change, words),
        "cell": lambda v, column: cell_text(v, column, locale),
        "chart": lambda series: line_chart(series, locale),
    }


def render_html(report: Report) -> str:
    return environment().get_template("report.html").render(_context(report))


@functools.cache
def _html_class() -> Any:
    # Without the HarfBuzz subsetting library WeasyPrint warns at import and falls back to
    # fontTools, which works but is slow with CJK fonts (scripts/system-deps.sh installs it).
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="HarfBuzz-Subset", category=DeprecationWarning)
        from weasyprint import HTML
    return HTML


def render_pdf(report: Report) -> bytes:
    """The HTML report as a PDF (CPU-bound for a second or two: run it off the event loop)."""
    pdf: bytes = _html_class()(string=render_html(report), base_url=str(TEMPLATES)).write_pdf()
    return pdf


def filename(report: Report, fmt: ReportFormat) -> str:
    """ASCII only, so every mail client and browser keeps it."""
    label = report.period.label.replace("..", "_")
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", report.shop_slug).strip("-") or "shop"
    return f"kefu-report-{slug}-{label}.{fmt.value}"


def render_file(report: Report, fmt: ReportFormat) -> ReportFile:
    if fmt is ReportFormat.PDF:
        content = render_pdf(report)
    elif fmt is ReportFormat.HTML:
        content = render_html(report).encode("utf-8")
    else:
        content = tables_xlsx(report.tables())
    return ReportFile(content, MEDIA_TYPES[fmt], filename(report, fmt))


async def render_file_async(report: Report, fmt: ReportFormat) -> ReportFile:
    """``render_file`` in a worker thread, so a PDF does not stall the server."""
    return await asyncio.to_thread(render_file, report, fmt)
