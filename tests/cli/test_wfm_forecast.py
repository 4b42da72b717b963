"""`kefu wfm forecast` and `kefu wfm backtest`: the public command lines and their JSON."""

from __future__ import annotations

import asyncio
import csv
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from kefu.cli.main import app
from kefu.shared.clock import utcnow
from tests.factories import Factory
from tests.workforce.test_forecast import synthetic

BACKTEST_KEYS = {"mase", "wape", "naive_mase", "naive_wape", "origins"}


def history_csv(path: Path, weeks: int = 6, interval: int = 60) -> Path:
    series, _ = synthetic(weeks, interval=interval, seed=30)
    rows = [f"{t.isoformat()},{c:g}" for t, c in zip(series.times(), series.calls, strict=True)]
    path.write_text("interval_start,calls\n" + "\n".join(rows) + "\n", "utf-8")
    return path


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(app, ["wfm", *args], env={"COLUMNS": "200", **(env or {})})


def test_forecast_prints_one_json_object_with_the_intervals(tmp_path: Path) -> None:
    history = history_csv(tmp_path / "calls.csv")
    result = run("forecast", "--history", str(history), "--horizon", "2d", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["interval_minutes"] == 60 and report["start"] == "2024-02-12T00:00:00"
    assert len(report["forecast"]) == 48 and len(report["daily"]) == 2
    assert report["total_calls"] == pytest.approx(
        sum(p["calls"] for p in report["forecast"]), abs=0.5
    )
    assert all(p["calls"] >= 0 for p in report["forecast"])


def test_forecast_writes_a_csv_with_closed_days_and_promotions(tmp_path: Path) -> None:
    history = history_csv(tmp_path / "calls.csv", interval=30)
    closed = tmp_path / "closed.csv"
    closed.write_text("2024-02-13\n")
    promotions = tmp_path / "promotions.csv"
    promotions.write_text("date,name\n2024-02-14,会员日\n", encoding="utf-8")
    out = tmp_path / "forecast.csv"
    args = ["--history", str(history), "--interval", "60m", "--horizon", "3d", "--out", str(out)]
    result = run(
        "forecast", *args, "--closed", str(closed), "--promotions", str(promotions), "--json"
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.read_text(encoding="utf-8").splitlines()))
    assert len(rows) == 72 and rows[0]["interval_start"] == "2024-02-12T00:00:00"
    assert all(float(r["calls"]) == 0 for r in rows if r["interval_start"].startswith("2024-02-13"))
    report = json.loads(result.stdout)
    assert report["closed_days"] == ["2024-02-13"]
    (event,) = report["promotions"]
    assert event["name"] == "会员日" and event["uplift"] is None
    assert "no past occurrence" in event["note"]


def test_backtest_prints_the_documented_keys(tmp_path: Path) -> None:
    history = history_csv(tmp_path / "calls.csv", weeks=5)
    result = run(
        "backtest", "--history", str(history), "--horizon", "7d", "--test-start", "2024-01-22",
        "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report) >= BACKTEST_KEYS and report["origins"] == 2
    assert report["mase"] < report["naive_mase"]
    table = run("backtest", "--history", str(history), "--test-start", "2024-01-22")
    assert table.exit_code == 0 and "lower" in table.stdout


def test_bad_input_exits_2_with_a_message_and_no_traceback(tmp_path: Path) -> None:
    history = history_csv(tmp_path / "calls.csv", weeks=2)
    broken = tmp_path / "broken.csv"
    broken.write_text("interval_start,calls\n2024-01-01T00:00,1\n2024-01-01T01:00,lots\n")
    cases = [
        (["forecast", "--history", str(tmp_path / "none.csv")], "no such file"),
        (["forecast", "--history", str(broken)], "line 3: 'lots' is not a number"),
        (["forecast"], "either --history FILE or --shop SLUG"),
        (["forecast", "--history", str(history), "--horizon", "soon"], "not a duration"),
        (["forecast", "--history", str(history), "--interval", "20m"], "15m, 30m or 60m"),
        (["forecast", "--history", str(history), "--start", "2024-01-02"], "at or after"),
        (["backtest", "--history", str(history), "--test-start", "someday"], "--test-start"),
        (["backtest", "--history", str(history), "--test-start", "2024-01-03"], "less than a week"),
    ]
    for args, message in cases:
        result = run(*args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.output and result.stdout == ""


async def test_forecast_reads_a_shops_own_history(factory: Factory, database_url: str) -> None:
    shop = await factory.shop()
    customer = await factory.customer(shop)
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    for hours in range(1, 24 * 8, 5):
        await factory.conversation(shop, customer=customer, at=now - timedelta(hours=hours))
    env = {"KEFU_DATABASE_URL": database_url}
    args = ["forecast", "--shop", shop.slug, "--interval", "60m", "--horizon", "1d", "--json"]
    result = await asyncio.to_thread(run, *args, env=env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert len(report["forecast"]) == 24 and report["total_calls"] > 0
    start = datetime.fromisoformat(report["start"])
    assert start.tzinfo is None and abs(
        start - now.astimezone(UTC).replace(tzinfo=None)
    ) < timedelta(days=1)
    missing = await asyncio.to_thread(run, "forecast", "--shop", "no-such-shop", env=env)
    assert missing.exit_code == 2 and "no shop 'no-such-shop'" in missing.stderr
