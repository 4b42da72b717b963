"""The login form: success, wrong password, rate limit, login CSRF, logout and the front door."""

from __future__ import annotations

import httpx

from tests.factories import Factory
from tests.web.support import login_token, session_csrf, web_login


async def test_front_door_sends_strangers_to_login_and_agents_to_their_inbox(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    r = await client.get("/")
    assert (r.status_code, r.headers["location"]) == (303, "/login")
    await web_login(client, await factory.user(await factory.shop()))
    r = await client.get("/")
    assert (r.status_code, r.headers["location"]) == (303, "/conversations")


async def test_login_form_logs_in_and_goes_to_conversations(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    user = await factory.user(await factory.shop(), name="李客服")
    page = await client.get("/login")
    assert page.status_code == 200
    assert 'name="password"' in page.text
    r = await client.post(
        "/login",
        data={
            "email": user.email.upper(),
            "password": "correct-horse-battery",
            "csrf_token": login_token(page.text),
        },
    )
    assert r.status_code == 303
    assert r.headers["location"] == "/conversations"
    inbox = await client.get("/conversations")
    assert inbox.status_code == 200
    assert "李客服" in inbox.text


async def test_login_goes_back_to_the_page_asked_for_but_never_off_site(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    user = await factory.user(await factory.shop())
    r = await client.get("/conversations?status=pending")
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=%2Fconversations%3Fstatus%3Dpending"
    for target, expected in (
        ("/conversations?status=pending", "/conversations?status=pending"),
        ("//evil.example/x", "/conversations"),
        ("https://evil.example/", "/conversations"),
        ("/\\evil.example", "/conversations"),
    ):
        client.cookies.clear()
        page = await client.get("/login", params={"next": target})
        r = await client.post(
            "/login",
            data={
                "email": user.email,
                "password": "correct-horse-battery",
                "csrf_token": login_token(page.text),
                "next": target,
            },
        )
        assert r.headers["location"] == expected


async def test_wrong_password_shows_the_error_and_keeps_the_email(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    user = await factory.user(await factory.shop())
    page = await client.get("/login")
    r = await client.post(
        "/login",
        data={"email": user.email, "password": "wrong", "csrf_token": login_token(page.text)},
    )
    assert r.status_code == 401
    assert "邮箱或密码不正确" in r.text
    assert f'value="{user.email}"' in r.text
    assert (await client.get("/conversations")).status_code == 303


async def test_repeated_failures_are_rate_limited_in_the_form(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    user = await factory.user(await factory.shop())
    page = await client.get("/login")
    token = login_token(page.text)
    statuses = []
    for _ in range(6):
        r = await client.post(
            "/login", data={"email": user.email, "password": "nope", "csrf_token": token}
        )
        statuses.append(r.status_code)
    assert statuses == [401] * 5 + [429]
    assert "登录失败次数过多，请 5 分钟后再试" in r.text
    assert f'value="{user.email}"' in r.text
    # Even the right password is refused while the limit holds.
    r = await client.post(
        "/login",
        data={"email": user.email, "password": "correct-horse-battery", "csrf_token": token},
    )
    assert r.status_code == 429


async def test_login_without_the_form_token_is_refused(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    user = await factory.user(await factory.shop())
    good = {"email": user.email, "password": "correct-horse-battery"}
    # A cross-site form post carries no session cookie, so no token can match.
    r = await client.post("/login", data={**good, "csrf_token": "forged"})
    assert r.status_code == 403
    assert "登录页面已过期" in r.text
    await client.get("/login")
    r = await client.post("/login", data=good)
    assert r.status_code == 403
    r = await client.post("/login", data={**good, "csrf_token": "forged"})
    assert r.status_code == 403
    assert (await client.get("/conversations")).status_code == 303


async def test_logging_in_replaces_the_session_and_its_tokens(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    user = await factory.user(await factory.shop())
    page = await client.get("/login")
    token = login_token(page.text)
    csrf = await web_login(client, user)
    assert csrf != token
    # The login token is single-session: it cannot be replayed as the session's CSRF token.
    r = await client.post("/logout", data={"csrf_token": token})
    assert r.status_code == 403


async def test_logout_needs_the_csrf_token_and_ends_the_session(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    csrf = await web_login(client, await factory.user(await factory.shop()))
    r = await client.post("/logout", data={})
    assert r.status_code == 403
    assert "页面已过期" in r.text
    r = await client.post("/logout", data={"csrf_token": csrf})
    assert (r.status_code, r.headers["location"]) == (303, "/login")
    r = await client.get("/conversations")
    assert r.status_code == 303
    assert r.headers["location"].startswith("/login")


async def test_a_logged_in_agent_visiting_login_goes_to_the_list(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    await web_login(client, await factory.user(await factory.shop()))
    r = await client.get("/login")
    assert (r.status_code, r.headers["location"]) == (303, "/conversations")
    assert session_csrf((await client.get("/conversations")).text)
