"""The kefu command line: help everywhere, database upgrade, shops and users."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from kefu.cli.main import app

runner = CliRunner()


def _commands() -> list[list[str]]:
    """Every command path, e.g. ['db', 'upgrade'], walked from the Click tree."""
    paths: list[list[str]] = []

    def walk(command: object, prefix: list[str]) -> None:
        paths.append(prefix)
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, [*prefix, name])

    walk(get_command(app), [])
    return paths


@pytest.mark.parametrize("path", _commands(), ids=lambda p: " ".join(p) or "kefu")
def test_every_command_has_help(path: list[str]) -> None:
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_upgrade_shop_and_user_from_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KEFU_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    result = runner.invoke(app, ["shop", "create", "cli-shop", "命令行店铺"])
    assert result.exit_code == 0, result.output
    monkeypatch.setenv("KEFU_NEW_PASSWORD", "a-long-password")
    args = [
        "user",
        "create",
        "--shop",
        "cli-shop",
        "--email",
        "Boss@Example.com",
        "--name",
        "老板",
        "--role",
        "owner",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    again = runner.invoke(app, args)
    assert again.exit_code == 1
    assert "email_taken" in again.output
    missing = runner.invoke(
        app, ["user", "create", "--shop", "nope", "--email", "a@b.co", "--name", "x"]
    )
    assert missing.exit_code == 1
    assert "shop_not_found" in missing.output


def test_user_create_refuses_a_short_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KEFU_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("KEFU_NEW_PASSWORD", "short")
    result = runner.invoke(
        app, ["user", "create", "--shop", "x", "--email", "a@b.co", "--name", "x"]
    )
    assert result.exit_code == 1
    assert "at least 8" in result.output
