"""Login, sessions, CSRF, API tokens, rate limits and the audit log over HTTP."""

from __future__ import annotations

import httpx

from tests.factories import PASSWORD, Factory, login


async def test_login_sets_session_and_me_returns_user(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    user = await factory.user(shop, role="admin")
    await login(client, user)
    response = await client.get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["email"] == user.email


async def test_wrong_password_is_refused_with_code(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    user = await factory.user(shop)
    response = await client.post(
        "/api/v1/auth/login", json={"email": user.email, "password": "nope"}
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "bad_credentials"


async def test_login_is_rate_limited_after_repeated_failures(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    user = await factory.user(shop)
    for _ in range(5):
        r = await client.post("/api/v1/auth/login", json={"email": user.email, "password": "bad"})
        assert r.status_code == 401
    r = await client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD})
    assert r.status_code == 429
    assert r.json()["error"]["code"] == "rate_limited"
    assert int(r.headers["Retry-After"]) > 0


async def test_cookie_write_without_csrf_token_is_refused(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    user = await factory.user(shop, role="admin")
    await login(client, user)
    del client.headers["X-CSRF-Token"]
    r = await client.post("/api/v1/tokens", json={"name": "erp"})
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "csrf_failed"


async def test_api_token_authenticates_until_revoked_and_is_audited(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    admin = await factory.user(shop, role="admin")
    await login(client, admin)
    created = await client.post("/api/v1/tokens", json={"name": "ERP 同步", "role": "agent"})
    assert created.status_code == 201
    secret = created.json()["token"]
    bearer = {"Authorization": f"Bearer {secret}"}
    async with httpx.AsyncClient(transport=client._transport, base_url="http://kefu.test") as other:
        assert (await other.get("/api/v1/conversations", headers=bearer)).status_code == 200
        revoked = await client.delete(f"/api/v1/tokens/{created.json()['id']}")
        assert revoked.status_code == 200
        r = await other.get("/api/v1/conversations", headers=bearer)
        assert r.status_code == 401
        assert r.json()["error"]["code"] == "bad_token"
    actions = [e["action"] for e in (await client.get("/api/v1/audit")).json()]
    assert actions[:2] == ["token.revoke", "token.create"]


async def test_agent_cannot_manage_users(client: httpx.AsyncClient, factory: Factory) -> None:
    shop = await factory.shop()
    agent = await factory.user(shop, role="agent")
    await login(client, agent)
    r = await client.post(
        "/api/v1/users",
        json={"email": "new@example.com", "name": "新人", "password": "longenough1"},
    )
    assert r.status_code == 403


async def test_admin_creates_agent_with_tier_and_it_is_audited(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    admin = await factory.user(shop, role="admin")
    await login(client, admin)
    r = await client.post(
        "/api/v1/users",
        json={
            "email": f"senior-{shop.slug}@example.com",
            "name": "李四",
            "password": "longenough1",
            "role": "agent",
            "tier": "senior",
        },
    )
    assert r.status_code == 201, r.text
    assert r.json()["tier"] == "senior"
    audit = (await client.get("/api/v1/audit")).json()
    assert audit[0]["action"] == "user.create"
    assert audit[0]["actor_user_id"] == admin.id
