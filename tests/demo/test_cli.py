"""`kefu demo` end to end on a fresh SQLite file, without starting the server."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from kefu.cli.main import app

runner = CliRunner()


@pytest.fixture
def sqlite_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "var" / "kefu.db"
    monkeypatch.setenv("KEFU_DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    monkeypatch.setenv("KEFU_PORT", "9123")
    monkeypatch.setenv("COLUMNS", "160")
    return path


def test_demo_migrates_seeds_and_prints_the_logins(sqlite_file: Path) -> None:
    result = runner.invoke(app, ["demo", "--no-serve", "--scale", "0.05"])
    assert result.exit_code == 0, result.output
    assert sqlite_file.exists()
    assert "http://127.0.0.1:9123/" in result.output
    assert "kefu-demo" in result.output
    for login in ("owner@geek-digital.demo", "supervisor@jianyi-fashion.demo",
                  "agent3@geek-digital.demo", "logistics@jianyi-fashion.demo"):  # fmt: skip
        assert login in result.output
    assert "seeded in" in result.output

    again = runner.invoke(app, ["demo", "--no-serve", "--scale", "0.05"])
    assert again.exit_code == 0, again.output
    assert "nothing seeded" in again.output
    assert "owner@geek-digital.demo" in again.output

    reset = runner.invoke(app, ["demo", "--reset", "--no-serve", "--scale", "0.05"])
    assert reset.exit_code == 0, reset.output
    assert "seeded in" in reset.output


def test_reset_refuses_a_database_that_is_not_a_sqlite_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KEFU_DATABASE_URL", "postgresql+asyncpg://kefu@127.0.0.1:1/kefu")
    result = runner.invoke(app, ["demo", "--reset", "--no-serve"])
    assert result.exit_code == 1
    assert "--reset only deletes an SQLite database" in result.output
