"""Tables as files: a ``Table`` (title, typed columns, rows) written as CSV for Excel (UTF-8 with
a byte-order mark, so Chinese opens correctly) or as an XLSX workbook with one sheet per table,
real numbers and number formats (percentages, durations). Used by reports and dashboard exports."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from kefu.analytics.metrics import METRICS, Unit
from kefu.analytics.service import KpiRow

BOM = "\ufeff"
# A text cell starting with one of these is a formula to a spreadsheet: customer text must never
# run as one (CSV injection), so such cells are written as plain text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
SHEET_NAME_MAX = 31
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SECONDS_PER_DAY = 86400.0


class ColumnKind(StrEnum):
    TEXT = "text"
    DATE = "date"  # a date, or a datetime shown in the shop's time zone
    COUNT = "count"
    NUMBER = "number"
    SECONDS = "seconds"
    RATIO = "ratio"  # 0..1, shown as a percentage
    BOOL = "bool"


Cell = str | int | float | bool | date | datetime | None


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    title: str
    kind: ColumnKind = ColumnKind.TEXT


@dataclass(frozen=True, slots=True)
class Table:
    """Rows hold raw values (seconds, ratios 0..1); each writer formats them for its medium."""

    title: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[Cell]]
    locale: str = "zh"

    def column(self, key: str) -> int:
        for i, column in enumerate(self.columns):
            if column.key == key:
                return i
        raise KeyError(key)


_UNIT_KIND = {Unit.COUNT: ColumnKind.COUNT, Unit.SECONDS: ColumnKind.SECONDS}


def metric_kind(unit: Unit) -> ColumnKind:
    return _UNIT_KIND.get(unit, ColumnKind.RATIO)


def kpi_rows_table(
    rows: Sequence[KpiRow], metrics: Sequence[str], locale: str, title: str | None = None
) -> Table:
    """KPI rows (from ``Snapshot.table``) as a table: the bucket when rows have one, the row's
    label, then one column per metric key."""
    zh = locale.startswith("zh")
    columns: list[Column] = []
    timed = any(row.bucket is not None for row in rows)
    if timed:
        columns.append(Column("bucket", "时间" if zh else "Time", ColumnKind.DATE))
    columns.append(Column("label", "名称" if zh else "Name"))
    for key in metrics:
        metric = METRICS[key]
        columns.append(Column(key, metric.label(locale), metric_kind(metric.unit)))
    body: list[list[Cell]] = []
    for row in rows:
        cells: list[Cell] = [row.bucket] if timed else []
        cells.append(row.label)
        cells.extend(row.values.get(key) for key in metrics)
        body.append(cells)
    return Table(title or ("指标" if zh else "KPIs"), columns, body, locale)


# ---- CSV ----------------------------------------------------------------------------------


def _unit_suffix(kind: ColumnKind, zh: bool) -> str:
    if kind is ColumnKind.SECONDS:
        return " (秒)" if zh else " (s)"
    if kind is ColumnKind.RATIO:
        return " (%)"
    return ""


def safe_text(text: str) -> str:
    """``text`` with a leading quote when a spreadsheet would read it as a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _csv_cell(value: Cell, kind: ColumnKind, zh: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return ("是" if value else "否") if zh else ("yes" if value else "no")
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M") if _has_time(value) else value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        return _csv_number(float(value), kind)
    return safe_text(str(value))


def _csv_number(value: float, kind: ColumnKind) -> str:
    if kind is ColumnKind.RATIO:
        return f"{value * 100:.2f}"
    if kind is ColumnKind.SECONDS:
        return f"{value:.1f}"
    if value.is_integer():
        return str(int(value))
    return f"{value:.4f}".rstrip("0").rstrip(".")


def _has_time(value: datetime) -> bool:
    return (value.hour, value.minute, value.second) != (0, 0, 0)


def table_csv(table: Table) -> bytes:
    """The table as CSV: UTF-8 with BOM, a header with units, ratios as percentages."""
    zh = table.locale.startswith("zh")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_text(c.title) + _unit_suffix(c.kind, zh) for c in table.columns])
    kinds = [c.kind for c in table.columns]
    for row in table.rows:
        writer.writerow(
            [_csv_cell(value, kind, zh) for value, kind in zip(row, kinds, strict=True)]
        )
    return (BOM + out.getvalue()).encode("utf-8")


# ---- XLSX ---------------------------------------------------------------------------------

_FORMATS = {
    ColumnKind.RATIO: "0.0%",
    ColumnKind.SECONDS: "[h]:mm:ss",
    ColumnKind.COUNT: "#,##0",
    ColumnKind.NUMBER: "0.00",
    ColumnKind.DATE: "yyyy-mm-dd",
}
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
MAX_WIDTH = 50


def display_width(text: str) -> int:
    """Columns ``text`` takes in a spreadsheet: wide (CJK) characters count twice."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def sheet_name(title: str, taken: set[str]) -> str:
    """A valid, unused sheet name for ``title`` (no ``[]:*?/\\``, at most 31 characters)."""
    base = _SHEET_FORBIDDEN.sub(" ", title).strip("' ") or "Sheet"
    name, n = base[:SHEET_NAME_MAX], 1
    while name.lower() in taken:
        n += 1
        suffix = f" ({n})"
        name = base[: SHEET_NAME_MAX - len(suffix)] + suffix
    taken.add(name.lower())
    return name


def _xlsx_value(value: Cell, kind: ColumnKind) -> Cell:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)  # spreadsheets have no zones: keep the shop's time
    if kind is ColumnKind.SECONDS and isinstance(value, int | float):
        return float(value) / SECONDS_PER_DAY
    return value


def _number_format(kind: ColumnKind, value: Cell) -> str | None:
    if isinstance(value, datetime) and _has_time(value):
        return "yyyy-mm-dd hh:mm"
    return _FORMATS.get(kind)


def _write_sheet(sheet: Worksheet, table: Table) -> None:
    widths = [display_width(c.title) for c in table.columns]
    for col, column in enumerate(table.columns, start=1):
        cell = sheet.cell(row=1, column=col, value=column.title)
        cell.data_type = "s"
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for r, row in enumerate(table.rows, start=2):
        for col, (value, column) in enumerate(zip(row, table.columns, strict=True), start=1):
            cell = sheet.cell(row=r, column=col, value=_xlsx_value(value, column.kind))
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
                widths[col - 1] = max(widths[col - 1], display_width(value))
            elif value is not None:
                fmt = _number_format(column.kind, value)
                if fmt is not None:
                    cell.number_format = fmt
                widths[col - 1] = max(widths[col - 1], 12)
    for col, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = min(MAX_WIDTH, width + 2)
    sheet.freeze_panes = "A2"
    if table.rows and table.columns:
        sheet.auto_filter.ref = sheet.dimensions


def tables_xlsx(tables: Sequence[Table]) -> bytes:
    """A workbook with one sheet per table, named after its title."""
    workbook = Workbook()
    default = workbook.active
    if default is not None:
        workbook.remove(default)
    taken: set[str] = set()
    for table in tables:
        _write_sheet(workbook.create_sheet(sheet_name(table.title, taken)), table)
    if not tables:
        workbook.create_sheet("Sheet")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
