"""Reports as files: a real PDF with extractable Chinese text, HTML that never runs customers'
text, one inline SVG chart per trend, and a workbook with a sheet per table."""

from __future__ import annotations

import dataclasses
import io
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kefu.analytics.metrics import METRICS, Unit
from kefu.analytics.render import axis_top, line_chart, render_file, render_html
from kefu.analytics.report import Report, ReportFormat, TrendSeries
from kefu.analytics.report_topics import TopicRow
from kefu.shared.db import Database
from tests.analytics.test_report import october_report, seed
from tests.factories import Factory

XSS = "<script>alert('x')</script>包装破了"


@pytest.fixture
async def october(db: Database, factory: Factory) -> Report:
    seeded = await seed(db, factory)
    return await october_report(db, seeded.shop)


def _poppler(tool: str, *args: str) -> str:
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed (apt-get install poppler-utils)")
    done = subprocess.run([tool, *args], capture_output=True, check=True, timeout=60)
    return done.stdout.decode("utf-8")


def test_pdf_is_a_real_pdf_whose_chinese_text_can_be_extracted(
    october: Report, tmp_path: Path
) -> None:
    file = render_file(october, ReportFormat.PDF)
    assert file.content.startswith(b"%PDF-") and file.content.rstrip().endswith(b"%%EOF")
    assert 10_000 < len(file.content) < 5_000_000
    assert file.media_type == "application/pdf"
    assert file.filename.endswith("-2026-10.pdf")
    path = tmp_path / file.filename
    path.write_bytes(file.content)
    info = _poppler("pdfinfo", str(path))
    pages = int(next(line for line in info.splitlines() if line.startswith("Pages:")).split()[1])
    assert 1 <= pages <= 10
    text = _poppler("pdftotext", str(path), "-")
    for words in ("客服运营报告", "首次响应时长", "王客服", "售后组", "显著改善"):
        assert words in text


def test_html_escapes_customer_text_in_topic_examples(october: Report) -> None:
    topics = (TopicRow("包装", 3, 0.5, 1, (XSS,)),)
    html = render_html(dataclasses.replace(october, topics=topics))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;包装破了" in html


def test_html_has_a_chart_per_trend_and_says_which_changes_are_beyond_noise(
    october: Report,
) -> None:
    html = render_html(october)
    assert html.count("<svg") == len(october.trends) >= 4
    assert "显著改善" in html  # first response went from ~11 minutes to under one
    assert "正常波动" in html  # 12 conversations against 14 is noise
    assert "<script" not in html  # no JavaScript: the PDF cannot run it


def test_english_report_reads_in_english(october: Report) -> None:
    english = dataclasses.replace(october, locale="en")
    html = render_html(english)
    assert "Customer service report" in html and "Better, beyond noise" in html
    assert "客服运营报告" not in html


def test_workbook_has_a_sheet_per_table(october: Report) -> None:
    file = render_file(october, ReportFormat.XLSX)
    workbook = load_workbook(io.BytesIO(file.content))
    assert workbook.sheetnames == ["核心指标", "每日趋势", "渠道", "团队", "客服", "投诉热点"]
    assert workbook["每日趋势"].max_row == 32  # a header and 31 days


def _series(values: list[float | None], goal: float | None = None) -> TrendSeries:
    first = date(2026, 10, 1)
    points = tuple((first + timedelta(days=i), v) for i, v in enumerate(values))
    return TrendSeries(METRICS["resolution_rate"], points, goal)


def test_a_day_without_a_value_breaks_the_line_and_the_goal_is_dashed() -> None:
    svg = str(line_chart(_series([0.5, 0.6, None, 0.7, 0.8], goal=0.9), "zh"))
    assert svg.count("<polyline") == 2
    assert svg.count('stroke-dasharray="4 3"') == 1
    assert "100%" in svg and "50%" in svg and "10-01" in svg and "10-05" in svg


def test_a_line_without_any_value_draws_no_line() -> None:
    svg = str(line_chart(_series([None, None]), "en"))
    assert "<polyline" not in svg and svg.startswith("<svg")


@pytest.mark.parametrize(
    ("peak", "unit", "top"),
    [
        (0.0, Unit.RATIO, 1.0),
        (0.93, Unit.RATIO, 1.0),
        (0.045, Unit.RATIO, 0.05),
        (250.0, Unit.SECONDS, 600.0),
        (4000.0, Unit.SECONDS, 7200.0),
        (73.0, Unit.COUNT, 80.0),
        (1.0, Unit.COUNT, 1.0),
        (130.0, Unit.COUNT, 200.0),
    ],
)
def test_axis_ends_on_a_round_value_at_or_above_the_peak(
    peak: float, unit: Unit, top: float
) -> None:
    assert axis_top(peak, unit) == pytest.approx(top)
