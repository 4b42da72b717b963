"""`kefu report`: the public command line that writes a period's report, and its exit code 2 for
a bad period, format or shop."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from kefu.cli.main import app
from kefu.migrations import upgrade
from kefu.shared.db import Database
from tests.analytics.test_report import seed
from tests.factories import Factory

runner = CliRunner()


async def _fill(url: str, *, shops: int) -> str:
    db = Database(url)
    try:
        factory = Factory(db)
        seeded = await seed(db, factory)
        for _ in range(shops - 1):
            await factory.shop("另一家店")
        return seeded.shop.slug
    finally:
        await db.dispose()


def _database(path: Path, *, shops: int) -> tuple[str, str]:
    url = f"sqlite+aiosqlite:///{path}"
    upgrade(url)
    return url, asyncio.run(_fill(url, shops=shops))


@pytest.fixture(scope="module")
def one_shop(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    return _database(tmp_path_factory.mktemp("report") / "one.db", shops=1)


@pytest.fixture
def env(one_shop: tuple[str, str], monkeypatch: pytest.MonkeyPatch) -> str:
    url, slug = one_shop
    monkeypatch.setenv("KEFU_DATABASE_URL", url)
    return slug


def test_report_writes_a_pdf_of_the_only_shop(env: str, tmp_path: Path) -> None:
    out = tmp_path / "october.pdf"
    result = runner.invoke(app, ["report", "--period", "2026-10", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF-")
    assert f"wrote {out}" in result.output


def test_the_format_follows_the_file_name_and_the_language_can_be_chosen(
    env: str, tmp_path: Path
) -> None:
    xlsx = tmp_path / "report.xlsx"
    args = ["report", "--period", "2026-10", "--compare", "2026-08", "--out", str(xlsx)]
    assert runner.invoke(app, [*args, "--shop", env]).exit_code == 0
    assert "核心指标" in load_workbook(io.BytesIO(xlsx.read_bytes())).sheetnames
    html = tmp_path / "report.html"
    args = ["report", "--period", "2026-10", "--format", "html", "--locale", "en"]
    result = runner.invoke(app, [*args, "--out", str(html)])
    assert result.exit_code == 0, result.output
    text = html.read_text("utf-8")
    assert "Customer service report" in text and "2026-09" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2026-13"], "no month 13"),
        (["--period", "2026-10", "--compare", "last month"], "unknown period"),
        (["--period", "2026-10", "--format", "docx"], "docx"),
        (["--period", "2026-10", "--shop", "no-such-shop"], "no shop"),
        (["--period", "2026-10", "--out", "report.txt"], "cannot tell the format"),
    ],
)
def test_bad_input_exits_with_code_2_and_says_why(
    args: list[str], message: str, env: str, tmp_path: Path
) -> None:
    result = runner.invoke(app, ["report", *args])
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())


def test_with_several_shops_one_must_be_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, slug = _database(tmp_path / "two.db", shops=2)
    monkeypatch.setenv("KEFU_DATABASE_URL", url)
    out = tmp_path / "r.html"
    unnamed = runner.invoke(app, ["report", "--period", "2026-10", "--out", str(out)])
    assert unnamed.exit_code == 2 and "several shops" in unnamed.output
    named = runner.invoke(app, ["report", "--period", "2026-10", "--out", str(out), "--shop", slug])
    assert named.exit_code == 0, named.output
