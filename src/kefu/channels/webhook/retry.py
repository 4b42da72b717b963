"""What an outbound delivery attempt means for the next one: done, retry later, or give up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

# The callback may be down for hours (a deploy, an outage): never wait longer than this.
MAX_DELAY = timedelta(hours=1)


class DeliveryStatus:
    """``pending`` waits for its first attempt, ``retrying`` for another; ``delivered`` and
    ``dead`` are final (``dead`` rows are the dead letters admins see and may re-queue)."""

    PENDING = "pending"
    RETRYING = "retrying"
    DELIVERED = "delivered"
    DEAD = "dead"

    QUEUED = (PENDING, RETRYING)
    ALL = (PENDING, RETRYING, DELIVERED, DEAD)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 8
    backoff_seconds: float = 10.0


@dataclass(frozen=True, slots=True)
class Attempt:
    """The outcome of one POST: the HTTP status, or None when no answer came (network error,
    timeout); ``error`` describes any failure."""

    status_code: int | None
    error: str | None


@dataclass(frozen=True, slots=True)
class Verdict:
    status: str  # a DeliveryStatus value
    next_attempt_at: datetime | None


def succeeded(status_code: int | None) -> bool:
    return status_code is not None and 200 <= status_code < 300


def is_permanent(status_code: int | None) -> bool:
    """A client error will not change on retry, except a timeout or throttling; a redirect is
    not followed (the callback URL is the one the admin set), so it is final too."""
    if status_code is None or status_code >= 500:
        return False
    return status_code not in (408, 429)


def retry_delay(attempt: int, policy: RetryPolicy) -> timedelta:
    """Wait after failed attempt number ``attempt`` (1-based): backoff × 2^(attempt-1)."""
    seconds = policy.backoff_seconds * 2 ** min(attempt - 1, 30)
    return min(timedelta(seconds=seconds), MAX_DELAY)


def judge(attempt: Attempt, *, attempts_made: int, policy: RetryPolicy, now: datetime) -> Verdict:
    """The state after ``attempts_made`` attempts, the last of which was ``attempt``."""
    if succeeded(attempt.status_code) and attempt.error is None:
        return Verdict(DeliveryStatus.DELIVERED, None)
    if is_permanent(attempt.status_code) or attempts_made >= policy.attempts:
        return Verdict(DeliveryStatus.DEAD, None)
    return Verdict(DeliveryStatus.RETRYING, now + retry_delay(attempts_made, policy))
