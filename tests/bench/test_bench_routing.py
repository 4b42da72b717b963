"""`kefu bench routing` plays a small day through the real router and reports what it promises;
its independent checks catch a router that gives a conversation out twice or overfills an agent."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kefu.bench.routing import double_assignments, over_capacity, run_routing_bench
from kefu.bench.routing_day import load_profile
from kefu.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
SHARED_CSV = (
    ROOT.parent / "shared" / "data" / "callcenter" / "anonymous_bank_1999_jan_sep_30min.csv"
)
PACKAGED = ROOT / "src" / "kefu" / "bench" / "data" / "intraday_profile.json"
T0 = datetime(2025, 3, 3, 9, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_routing_benchmark_serves_a_small_day_with_nothing_lost_or_doubled() -> None:
    result = CliRunner().invoke(
        app, ["bench", "routing", "--conversations", "400", "--agents", "10", "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    for key in ("p50_ms", "p99_ms", "decisions_per_s", "wall_seconds", "pure_p50_us"):
        assert report[key] > 0
    for kind in ("route", "dispatch"):
        assert report[f"{kind}_p99_ms"] >= report[f"{kind}_p50_ms"] > 0
    for key in ("database", "strategy", "mean_wait_s", "p90_wait_s", "max_queue_length"):
        assert key in report
    assert (report["conversations"], report["agents"]) == (400, 10)
    assert report["decisions"] >= report["conversations"]
    assert (report["lost"], report["double_assigned"], report["over_capacity"]) == (0, 0, 0)
    assert 0 <= report["service_level_60s"] <= 1
    assert 0 < report["peak_occupancy"] <= 1
    assert report["pure_agreement"] == 1.0  # the simulation's view of agents is the router's
    assert report["pure_p99_us"] >= report["pure_p50_us"]
    assert report["bar"]["p99_ms"] == 5.0
    assert report["bar"]["met"] == (report["p99_ms"] <= 5.0)


def test_an_understaffed_day_queues_customers_yet_serves_each_once_within_capacity() -> None:
    report = run_routing_bench(conversations=300, agents=3, seed=7)
    # Customers waited, so dispatch served some, and the peak squad was called in.
    assert report["service_level_60s"] < 1
    assert report["max_queue_length"] > 1
    assert report["peak_switches"] > 0
    assert (report["lost"], report["double_assigned"], report["over_capacity"]) == (0, 0, 0)


def test_profile_has_48_half_hour_shares_summing_to_one() -> None:
    shares = load_profile()
    assert len(shares) == 48
    assert sum(shares) == pytest.approx(1.0, abs=1e-12)
    assert all(share >= 0 for share in shares)
    # A working day: busier at 11:00 than at 04:00.
    assert shares[22] > 10 * shares[8]


def test_one_assignment_per_conversation_matching_the_database_is_not_doubled() -> None:
    reported = {1: [(7, at(0))], 2: [(8, at(1))]}
    stored = {1: (7, at(0)), 2: (8, at(1)), 3: (None, None)}
    assert double_assignments(reported, stored) == 0


def test_a_conversation_reported_assigned_twice_is_doubled() -> None:
    reported = {1: [(7, at(0)), (8, at(2))], 2: [(8, at(1))]}
    stored = {1: (8, at(2)), 2: (8, at(1))}
    assert double_assignments(reported, stored) == 1


def test_a_conversation_the_database_gives_to_another_agent_or_silently_is_doubled() -> None:
    reported = {1: [(7, at(0))], 2: [(8, at(1))]}
    stored = {1: (9, at(3)), 2: (8, at(1)), 3: (7, at(4))}
    assert double_assignments(reported, stored) == 2


def test_an_assignment_beyond_the_agents_capacity_is_over_capacity() -> None:
    spans = [(7, at(0), at(10), 100), (7, at(1), at(5), 100), (7, at(2), None, 50)]
    assert over_capacity(spans, {7: 200}) == 1
    assert over_capacity(spans, {7: 250}) == 0


def test_a_chat_ending_as_the_next_begins_frees_its_room_first() -> None:
    spans = [(7, at(0), at(5), 100), (7, at(5), at(9), 100)]
    assert over_capacity(spans, {7: 100}) == 0


def test_build_script_reproduces_the_packaged_profile(tmp_path: Path) -> None:
    if not SHARED_CSV.is_file():
        pytest.skip(f"shared data not found at {SHARED_CSV} (see ../shared/data/README.md)")
    out = tmp_path / "profile.json"
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_intraday_profile.py"), "--out", str(out)],
        check=True,
        capture_output=True,
    )
    assert out.read_text(encoding="utf-8") == PACKAGED.read_text(encoding="utf-8")
