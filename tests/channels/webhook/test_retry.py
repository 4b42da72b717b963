"""The retry rules on their own: what is final, what is retried, and when."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kefu.channels.webhook.retry import (
    MAX_DELAY,
    Attempt,
    DeliveryStatus,
    RetryPolicy,
    is_permanent,
    judge,
    retry_delay,
)

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
POLICY = RetryPolicy(attempts=4, backoff_seconds=10)


@pytest.mark.parametrize(
    ("status_code", "permanent"),
    [
        (None, False),
        (400, True),
        (401, True),
        (404, True),
        (410, True),
        (301, True),
        (408, False),
        (429, False),
        (500, False),
        (503, False),
    ],
)
def test_client_errors_are_permanent_except_timeouts_and_throttling(
    status_code: int | None, permanent: bool
) -> None:
    assert is_permanent(status_code) is permanent


def test_backoff_doubles_and_is_capped() -> None:
    assert [retry_delay(n, POLICY).total_seconds() for n in (1, 2, 3)] == [10, 20, 40]
    assert retry_delay(40, POLICY) == MAX_DELAY


def test_a_2xx_answer_is_delivered() -> None:
    verdict = judge(Attempt(204, None), attempts_made=1, policy=POLICY, now=NOW)
    assert (verdict.status, verdict.next_attempt_at) == (DeliveryStatus.DELIVERED, None)


def test_server_errors_are_retried_until_the_last_attempt() -> None:
    failed = Attempt(503, "HTTP 503")
    verdict = judge(failed, attempts_made=2, policy=POLICY, now=NOW)
    assert verdict == type(verdict)(DeliveryStatus.RETRYING, NOW + timedelta(seconds=20))
    assert judge(failed, attempts_made=4, policy=POLICY, now=NOW).status == DeliveryStatus.DEAD


def test_network_errors_are_retried_and_a_404_is_dead_at_once() -> None:
    assert judge(Attempt(None, "ConnectError"), attempts_made=1, policy=POLICY, now=NOW).status == (
        DeliveryStatus.RETRYING
    )
    assert judge(Attempt(404, "HTTP 404"), attempts_made=1, policy=POLICY, now=NOW).status == (
        DeliveryStatus.DEAD
    )
