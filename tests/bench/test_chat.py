"""`kefu bench chat` runs end to end on a small load and reports what it promises."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from kefu.cli.main import app


def test_chat_benchmark_prints_its_json_with_nothing_lost() -> None:
    result = CliRunner().invoke(
        app, ["bench", "chat", "--clients", "3", "--messages", "2", "--idle", "5", "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    for key in ("kefu_msgs_per_s", "bare_msgs_per_s", "ratio", "p50_ms", "p99_ms"):
        assert report[key] > 0
    assert report["acknowledged"] == report["delivered_to_agent"] == 6
    assert (report["lost"], report["duplicated"]) == (0, 0)
    assert report["idle_connections_per_2gb"] > 0
