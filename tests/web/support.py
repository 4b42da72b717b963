"""Helpers for web tests: log in through the HTML form and read tokens out of pages."""

from __future__ import annotations

import re
from html import unescape

import httpx

from kefu.accounts.models import User
from tests.factories import PASSWORD

_CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
_CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')
_KEY_FIELD = re.compile(r'name="idempotency_key" value="([^"]+)"')
_AFTER_FIELD = re.compile(r'name="after_id" value="(\d+)"')


def field(pattern: re.Pattern[str], html: str) -> str:
    match = pattern.search(html)
    assert match is not None, f"{pattern.pattern} not in page"
    return unescape(match.group(1))


def login_token(html: str) -> str:
    return field(_CSRF_FIELD, html)


def session_csrf(html: str) -> str:
    return field(_CSRF_META, html)


def reply_key(html: str) -> str:
    return field(_KEY_FIELD, html)


def after_id(html: str) -> str | None:
    match = _AFTER_FIELD.search(html)
    return match.group(1) if match else None


async def web_login(client: httpx.AsyncClient, user: User, password: str = PASSWORD) -> str:
    """Log in with the form, as a browser does; returns the session's CSRF token for posts."""
    page = await client.get("/login")
    assert page.status_code == 200, page.text
    response = await client.post(
        "/login",
        data={"email": user.email, "password": password, "csrf_token": login_token(page.text)},
    )
    assert response.status_code == 303, response.text
    inbox = await client.get(response.headers["location"])
    assert inbox.status_code == 200, inbox.text
    return session_csrf(inbox.text)


HTMX = {"HX-Request": "true"}
