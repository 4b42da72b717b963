"""The application shell: health, OpenAPI, settings safety."""

from __future__ import annotations

import httpx
import pytest
from pydantic import SecretStr, ValidationError

from kefu.settings import Settings


async def test_healthz_answers_once_database_is_reachable(client: httpx.AsyncClient) -> None:
    r = await client.get("/healthz")
    assert r.status_code == 200
    assert r.json()["status"] == "ok"


async def test_openapi_spec_documents_the_api(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    assert "/api/v1/conversations/{conversation_id}/messages" in spec["paths"]


async def test_unknown_address_is_a_page_for_browsers_and_json_for_api_clients(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/no/such/page", headers={"Accept": "text/html"})
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "Content-Security-Policy" in page.headers
    assert "<html" in page.text and "404" in page.text
    api = await client.get("/api/v1/no-such-thing", headers={"Accept": "text/html"})
    assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"
    plain = await client.get("/no/such/page")
    assert plain.status_code == 404 and plain.json()["error"]["code"] == "not_found"


def test_production_refuses_the_default_secret() -> None:
    with pytest.raises(ValidationError, match="KEFU_SECRET_KEY"):
        Settings(env="production")
    with pytest.raises(ValidationError, match="KEFU_SECRET_KEY"):
        Settings(env="production", secret_key=SecretStr("short"))
    assert Settings(env="production", secret_key=SecretStr("s" * 40)).env == "production"


def test_settings_come_from_kefu_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEFU_PORT", "9123")
    monkeypatch.setenv("KEFU_DATABASE_URL", "sqlite+aiosqlite:///./var/x.db")
    settings = Settings()
    assert settings.port == 9123
    assert settings.sqlite_path() is not None
