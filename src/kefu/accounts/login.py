"""Password login guarded by failure counters per e-mail and per client address."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from kefu.accounts import service
from kefu.accounts.models import User
from kefu.shared.errors import NotAuthenticated, RateLimited
from kefu.shared.ratelimit import FailureCounter

# One address may try several accounts (a shared office), so it gets more room than one e-mail.
ADDRESS_FACTOR = 4


@dataclass(frozen=True, slots=True)
class LoginGuard:
    counter: FailureCounter
    max_failures: int
    window_seconds: int


async def log_in(
    session: AsyncSession,
    *,
    guard: LoginGuard,
    email: str,
    password: str,
    address: str,
    now: datetime,
) -> User:
    """Return the user or raise; refuses without checking the password once a limit is reached."""
    email_key, address_key = f"login:email:{email.strip().lower()}", f"login:addr:{address}"
    if (
        await guard.counter.count(email_key) >= guard.max_failures
        or await guard.counter.count(address_key) >= guard.max_failures * ADDRESS_FACTOR
    ):
        raise RateLimited(
            "too many failed logins; try again later", retry_after=guard.window_seconds
        )
    user = await service.authenticate(session, email=email, password=password, now=now)
    if user is None:
        await guard.counter.add(email_key)
        await guard.counter.add(address_key)
        raise NotAuthenticated("wrong e-mail or password", code="bad_credentials")
    await guard.counter.clear(email_key)
    return user
