"""Tables as files: CSV that Excel opens with Chinese intact, XLSX with real numbers and number
formats, and customer text that can never become a spreadsheet formula."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from kefu.analytics.export import (
    Column,
    ColumnKind,
    Table,
    kpi_rows_table,
    sheet_name,
    table_csv,
    tables_xlsx,
)
from kefu.analytics.service import KpiRow

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _agents() -> Table:
    return Table(
        "客服",
        [
            Column("label", "名称"),
            Column("conversations", "会话量", ColumnKind.COUNT),
            Column("frt", "首次响应时长", ColumnKind.SECONDS),
            Column("resolution", "解决率", ColumnKind.RATIO),
            Column("met", "达成", ColumnKind.BOOL),
        ],
        [
            ["王客服", 12, 252.0, 0.935, True],
            ['=HYPERLINK("http://evil")', 3, None, 1.0, False],
        ],
        "zh",
    )


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_csv_has_a_bom_units_in_the_header_and_percentages() -> None:
    header, first, second = _csv_rows(table_csv(_agents()))
    assert header == ["名称", "会话量", "首次响应时长 (秒)", "解决率 (%)", "达成"]
    assert first == ["王客服", "12", "252.0", "93.50", "是"]
    assert second[2] == ""  # no value is an empty cell, not "None"


def test_csv_cells_that_look_like_formulas_stay_text() -> None:
    _header, _first, second = _csv_rows(table_csv(_agents()))
    assert second[0] == '\'=HYPERLINK("http://evil")'


def test_xlsx_has_one_sheet_per_table_with_number_formats() -> None:
    other = Table("客服", [Column("label", "名称")], [["x"]], "zh")
    workbook = load_workbook(io.BytesIO(tables_xlsx([_agents(), other])))
    assert workbook.sheetnames == ["客服", "客服 (2)"]
    sheet = workbook["客服"]
    assert [c.value for c in sheet[1]] == ["名称", "会话量", "首次响应时长", "解决率", "达成"]
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A2"
    assert sheet["C2"].value == timedelta(seconds=252)  # a duration Excel can add up
    assert sheet["C2"].number_format == "[h]:mm:ss"
    assert sheet["D2"].value == 0.935 and sheet["D2"].number_format == "0.0%"
    assert sheet["B2"].value == 12 and sheet["B2"].number_format == "#,##0"
    assert sheet["C3"].value is None


def test_xlsx_never_turns_customer_text_into_a_formula() -> None:
    sheet = load_workbook(io.BytesIO(tables_xlsx([_agents()])))["客服"]
    assert sheet["A3"].data_type == "s"
    assert sheet["A3"].value == '=HYPERLINK("http://evil")'


def test_sheet_names_are_made_valid_and_unique() -> None:
    taken: set[str] = set()
    assert sheet_name("a/b:c?", taken) == "a b c"
    long = "客服" * 20
    first, second = sheet_name(long, taken), sheet_name(long, taken)
    assert len(first) == 31 and len(second) == 31 and first != second
    assert sheet_name("", taken) == "Sheet"


def test_kpi_rows_become_a_table_with_a_time_column_when_bucketed() -> None:
    day = datetime(2026, 10, 5, tzinfo=SHANGHAI)
    rows = [
        KpiRow(None, "全店", day, {"conversations": 3.0, "resolution_rate": 0.5}, {}),
        KpiRow(None, "全店", None, {"conversations": 1.0, "resolution_rate": None}, {}),
    ]
    table = kpi_rows_table(rows, ["conversations", "resolution_rate"], "en")
    assert [c.key for c in table.columns] == ["bucket", "label", "conversations", "resolution_rate"]
    assert [c.title for c in table.columns][2:] == ["Conversations", "Resolution rate"]
    header, first, second = _csv_rows(table_csv(table))
    assert header == ["Time", "Name", "Conversations", "Resolution rate (%)"]
    assert first == ["2026-10-05", "全店", "3", "50.00"]
    assert second == ["", "全店", "1", ""]
    sheet = load_workbook(io.BytesIO(tables_xlsx([table])))["KPIs"]
    assert sheet["A2"].value == datetime(2026, 10, 5)  # the shop's day, without a zone
    assert sheet["A2"].number_format == "yyyy-mm-dd"
