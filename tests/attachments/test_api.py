"""Uploading and downloading files over HTTP: real files on disk, real database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from kefu.app import create_app
from kefu.attachments.models import Attachment
from kefu.settings import Settings
from kefu.shared.db import Database
from tests.attachments import files
from tests.factories import Factory, login


def _stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


async def _attachment_count(db: Database) -> int:
    async with db.session() as session:
        return await session.scalar(select(func.count()).select_from(Attachment)) or 0


async def _agent_client(client: httpx.AsyncClient, factory: Factory) -> None:
    shop = await factory.shop()
    await login(client, await factory.user(shop))


async def test_agent_uploads_an_image_that_downloads_inline_with_safe_headers(
    client: httpx.AsyncClient, factory: Factory, settings: Settings
) -> None:
    await _agent_client(client, factory)
    image = files.png()
    r = await client.post(
        "/api/v1/attachments", files={"file": ("截图.png", image, "application/octet-stream")}
    )
    assert r.status_code == 201, r.text
    attachment = r.json()["attachment"]
    assert attachment | {"id": 0, "url": ""} == {
        "id": 0,
        "name": "截图.png",
        "content_type": "image/png",
        "size": len(image),
        "is_image": True,
        "url": "",
    }
    assert [p.read_bytes() for p in _stored_files(settings.upload_dir)] == [image]

    client.headers.pop("X-CSRF-Token")
    client.cookies.clear()  # the address alone is enough: no login
    download = await client.get(attachment["url"])
    assert download.status_code == 200
    assert download.content == image
    assert download.headers["content-type"] == "image/png"
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.headers["content-disposition"].startswith("inline;")
    assert "sandbox" in download.headers["content-security-policy"]
    assert "default-src 'none'" in download.headers["content-security-policy"]


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("订单.pdf", files.PDF, "application/pdf"),
        ("notes.txt", "第一行\n第二行\n".encode(), "text/plain; charset=utf-8"),
        (
            "报价.docx",
            files.office("word/"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    ],
)
async def test_documents_download_as_attachments(
    client: httpx.AsyncClient, factory: Factory, name: str, data: bytes, content_type: str
) -> None:
    await _agent_client(client, factory)
    r = await client.post("/api/v1/attachments", files={"file": (name, data, "image/png")})
    assert r.status_code == 201, r.text
    attachment = r.json()["attachment"]
    assert not attachment["is_image"] and attachment["name"] == name
    download = await client.get(attachment["url"])
    assert download.status_code == 200 and download.content == data
    assert download.headers["content-type"] == content_type
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("cat.png", files.SVG),
        ("cat.svg", files.SVG),
        ("page.png", files.HTML),
        ("page.txt", files.HTML),
        ("setup.png", files.EXE),
        ("setup.exe", files.EXE),
        ("macro.docx", files.office("word/", {"word/vbaProject.bin": b"x"})),
        ("fake.xlsx", files.office("word/")),
    ],
)
async def test_active_content_and_unknown_types_are_refused_even_when_renamed(
    client: httpx.AsyncClient,
    factory: Factory,
    db: Database,
    settings: Settings,
    name: str,
    data: bytes,
) -> None:
    await _agent_client(client, factory)
    before = await _attachment_count(db)
    r = await client.post("/api/v1/attachments", files={"file": (name, data, "image/png")})
    assert r.status_code == 415, r.text
    error = r.json()["error"]
    assert error["code"] == "unsupported_media_type"
    assert "image/png" in error["details"]["allowed"]
    assert await _attachment_count(db) == before
    assert _stored_files(settings.upload_dir) == []


async def test_empty_file_is_refused(client: httpx.AsyncClient, factory: Factory) -> None:
    await _agent_client(client, factory)
    r = await client.post("/api/v1/attachments", files={"file": ("empty.txt", b"", "text/plain")})
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "empty_file"


@pytest.fixture
async def small_app(settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(
        settings.model_copy(update={"upload_max_bytes": 2048, "upload_visitor_per_hour": 2})
    )
    yield application
    await application.state.db.dispose()


@pytest.fixture
async def small_client(small_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=small_app, client=("127.0.0.1", 50001))
    async with httpx.AsyncClient(transport=transport, base_url="http://kefu.test") as c:
        yield c


async def test_too_large_file_is_413_with_the_limit_and_leaves_no_file(
    small_client: httpx.AsyncClient, small_app: FastAPI, settings: Settings
) -> None:
    factory = Factory(small_app.state.db)
    await _agent_client(small_client, factory)
    data = b"x" * 2049
    r = await small_client.post("/api/v1/attachments", files={"file": ("big.txt", data)})
    assert r.status_code == 413, r.text
    assert r.json()["error"]["code"] == "payload_too_large"
    assert r.json()["error"]["details"] == {"max_bytes": 2048}
    assert _stored_files(settings.upload_dir) == []
    # Far over the limit: refused by its declared length, before the body is read.
    huge = await small_client.post(
        "/api/v1/attachments",
        content=b"x" * 200_000,
        headers={"content-type": "multipart/form-data; boundary=b"},
    )
    assert huge.status_code == 413
    assert huge.json()["error"]["code"] == "payload_too_large"
    # Exactly at the limit is fine.
    ok = await small_client.post("/api/v1/attachments", files={"file": ("ok.txt", b"y" * 2048)})
    assert ok.status_code == 201, ok.text


async def test_other_requests_keep_the_small_body_limit(
    client: httpx.AsyncClient, factory: Factory, settings: Settings
) -> None:
    await _agent_client(client, factory)
    r = await client.post(
        "/api/v1/customers",
        content=b"x" * (settings.max_request_bytes + 1),
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 413


async def test_visitor_upload_needs_a_visitor_token_of_that_shop(
    client: httpx.AsyncClient, factory: Factory, app: FastAPI
) -> None:
    shop, other = await factory.shop(), await factory.shop()
    token, _claim = app.state.visitor_tokens.issue(shop.id)
    foreign, _claim = app.state.visitor_tokens.issue(other.id)
    url = f"/api/v1/webchat/{shop.slug}/attachments"
    upload = {"file": ("photo.jpg", files.JPEG, "image/jpeg")}
    for headers in ({}, {"X-Kefu-Visitor": foreign}, {"X-Kefu-Visitor": "forged.token"}):
        r = await client.post(url, files=upload, headers=headers)
        assert r.status_code == 401, r.text
        assert r.json()["error"]["code"] == "bad_visitor_token"
    missing = await client.post(
        "/api/v1/webchat/no-such-shop/attachments", files=upload, headers={"X-Kefu-Visitor": token}
    )
    assert missing.status_code == 404
    r = await client.post(url, files=upload, headers={"X-Kefu-Visitor": token})
    assert r.status_code == 201, r.text
    assert r.json()["attachment"]["content_type"] == "image/jpeg"
    assert (await client.get(r.json()["attachment"]["url"])).content == files.JPEG


async def test_visitor_uploads_are_rate_limited(
    small_client: httpx.AsyncClient, small_app: FastAPI
) -> None:
    shop = await Factory(small_app.state.db).shop()
    token, _claim = small_app.state.visitor_tokens.issue(shop.id)
    url = f"/api/v1/webchat/{shop.slug}/attachments"
    codes = [
        (
            await small_client.post(
                url, files={"file": ("a.gif", files.GIF)}, headers={"X-Kefu-Visitor": token}
            )
        ).status_code
        for _ in range(3)
    ]
    assert codes == [201, 201, 429]


async def test_forged_or_unknown_download_addresses_are_404(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    await _agent_client(client, factory)
    r = await client.post("/api/v1/attachments", files={"file": ("a.pdf", files.PDF)})
    url = r.json()["attachment"]["url"]
    _, _, attachment_id, key, name = url.split("/")
    for forged in (
        f"/files/{attachment_id}/{key[:-1]}{'B' if key.endswith('A') else 'A'}/{name}",
        f"/files/{attachment_id}/x/{name}",
        f"/files/{int(attachment_id) + 1000}/{key}/{name}",
        f"/files/abc/{key}/{name}",
        f"/files/99999999999999/{key}/{name}",
    ):
        response = await client.get(forged)
        assert response.status_code == 404, forged
        assert response.json()["error"]["code"] == "file_not_found"
    assert (await client.get(f"/files/{attachment_id}/{key}/any-name.pdf")).status_code == 200


async def test_anonymous_agent_upload_is_refused(client: httpx.AsyncClient) -> None:
    r = await client.post("/api/v1/attachments", files={"file": ("a.pdf", files.PDF)})
    assert r.status_code == 401
