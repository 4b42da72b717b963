"""Shop identity tokens: only the shop's own, unexpired signature names a customer, and it links
the chat to that customer (and their orders)."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from kefu.accounts.models import Shop
from kefu.channels.identity import InvalidIdentity, ShopIdentity, read_identity, sign_identity
from kefu.channels.widget import identify_customer
from kefu.commerce.models import Order
from kefu.customers.service import list_identities
from kefu.shared.clock import utcnow
from kefu.shared.db import Database
from tests.factories import Factory, login

NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
SECRET = "s" * 43


def _identity(**changes: object) -> ShopIdentity:
    fields: dict[str, object] = {
        "external_id": "u-1001",
        "expires_at": NOW + timedelta(hours=1),
        "name": "张伟",
        "email": "Zhang.Wei@Example.com",
        "phone": "+86 138 0013 8000",
    }
    fields.update(changes)
    return ShopIdentity(**fields)  # type: ignore[arg-type]


def test_a_token_signed_with_the_secret_reads_back() -> None:
    token = sign_identity(_identity(), secret=SECRET)
    read = read_identity(token, secret=SECRET, now=NOW)
    assert read.external_id == "u-1001" and read.name == "张伟"
    assert read.email == "zhang.wei@example.com" and read.phone == "+86 138 0013 8000"


def test_a_token_of_another_shop_is_refused() -> None:
    token = sign_identity(_identity(), secret="another shop's secret")
    with pytest.raises(InvalidIdentity) as refused:
        read_identity(token, secret=SECRET, now=NOW)
    assert refused.value.code == "identity_bad_signature"


def test_an_expired_token_is_refused() -> None:
    token = sign_identity(_identity(expires_at=NOW - timedelta(seconds=1)), secret=SECRET)
    with pytest.raises(InvalidIdentity) as refused:
        read_identity(token, secret=SECRET, now=NOW)
    assert refused.value.code == "identity_expired"


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


@pytest.mark.parametrize(
    "token",
    [
        "",
        "not-a-token",
        "a.b",
        "a..c",
        "!!!.???.***",
        "中文.令牌.签名",
        "x" * 5000,
    ],
)
def test_malformed_tokens_are_refused(token: str) -> None:
    with pytest.raises(InvalidIdentity) as refused:
        read_identity(token, secret=SECRET, now=NOW)
    assert refused.value.code == "identity_malformed"


def test_changed_claims_or_algorithm_break_the_signature() -> None:
    header, _payload, signature = sign_identity(_identity(), secret=SECRET).split(".")
    forged = _b64({"sub": "u-1", "exp": 4_000_000_000})
    with pytest.raises(InvalidIdentity) as bad:
        read_identity(f"{header}.{forged}.{signature}", secret=SECRET, now=NOW)
    assert bad.value.code == "identity_bad_signature"
    unsigned = _b64({"alg": "none", "typ": "JWT"})
    with pytest.raises(InvalidIdentity) as none:
        read_identity(f"{unsigned}.{forged}.", secret=SECRET, now=NOW)
    assert none.value.code == "identity_malformed"


def test_a_signed_token_without_the_required_claims_is_malformed() -> None:
    import hashlib
    import hmac

    header, payload = _b64({"alg": "HS256", "typ": "JWT"}), _b64({"name": "无名"})
    mac = hmac.new(SECRET.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    signature = base64.urlsafe_b64encode(mac).rstrip(b"=").decode()
    with pytest.raises(InvalidIdentity) as refused:
        read_identity(f"{header}.{payload}.{signature}", secret=SECRET, now=NOW)
    assert refused.value.code == "identity_malformed"


async def _with_secret(db: Database, shop: Shop) -> str:
    async with db.session() as session:
        row = await session.get(Shop, shop.id)
        assert row is not None
        row.widget_secret = SECRET
        await session.commit()
    return SECRET


async def test_identity_links_to_the_customer_with_orders(db: Database, factory: Factory) -> None:
    shop = await factory.shop()
    buyer = await factory.customer(shop, name="张伟")
    assert buyer.email is not None
    async with db.session() as session:
        session.add(
            Order(
                shop_id=shop.id,
                order_no=f"NO-{shop.id}",
                customer_id=buyer.id,
                status="shipped",
                total_cents=89900,
                placed_at=utcnow(),
            )
        )
        await session.commit()
    secret = await _with_secret(db, shop)
    token = sign_identity(
        _identity(email=buyer.email.upper(), expires_at=utcnow() + timedelta(minutes=5)),
        secret=secret,
    )
    async with db.session() as session:
        found = await identify_customer(
            session, shop_id=shop.id, identity_token=token, now=utcnow()
        )
        again = await identify_customer(
            session, shop_id=shop.id, identity_token=token, now=utcnow()
        )
        identities = await list_identities(session, shop_id=shop.id, customer_id=buyer.id)
    assert found.id == again.id == buyer.id
    assert {(i.kind, i.value) for i in identities} >= {
        ("external", "u-1001"),
        ("email", buyer.email.lower()),
        ("phone", "+86 138 0013 8000"),
    }


async def test_identity_of_a_new_customer_creates_them_named(
    db: Database, factory: Factory
) -> None:
    shop, other = await factory.shop(), await factory.shop()
    secret = await _with_secret(db, shop)
    token = sign_identity(
        _identity(email="new@example.com", phone=None, expires_at=utcnow() + timedelta(hours=1)),
        secret=secret,
    )
    async with db.session() as session:
        customer = await identify_customer(
            session, shop_id=shop.id, identity_token=token, now=utcnow()
        )
        assert customer.shop_id == shop.id and customer.name == "张伟"
        assert customer.email == "new@example.com"
        with pytest.raises(InvalidIdentity) as unconfigured:
            await identify_customer(session, shop_id=other.id, identity_token=token, now=utcnow())
    assert unconfigured.value.code == "identity_not_configured"


async def test_settings_api_creates_and_rotates_the_secret_for_admins_only(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    owner = await factory.user(shop, role="owner")
    await login(client, owner)
    empty = await client.get("/api/v1/webchat/settings")
    assert empty.status_code == 200
    assert empty.json() == {
        "shop_slug": shop.slug,
        "chat_path": f"/chat/{shop.slug}",
        "widget_secret": None,
    }
    first = (await client.post("/api/v1/webchat/settings")).json()["widget_secret"]
    second = (await client.post("/api/v1/webchat/settings")).json()["widget_secret"]
    assert first and second and first != second and len(second) >= 40
    assert (await client.get("/api/v1/webchat/settings")).json()["widget_secret"] == second
    audit = await client.get("/api/v1/audit")
    assert [e["action"] for e in audit.json()].count("webchat.secret_rotated") == 2
    supervisor = await factory.user(shop, role="supervisor")
    await login(client, supervisor)
    refused = await client.get("/api/v1/webchat/settings")
    assert refused.status_code == 403


def test_a_chat_with_an_identity_token_is_the_shops_customer(
    app: FastAPI, db: Database, factory: Factory
) -> None:
    with TestClient(app) as client:
        shop = client.portal.call(factory.shop)
        client.portal.call(_with_secret, db, shop)
        good = sign_identity(_identity(expires_at=utcnow() + timedelta(hours=1)), secret=SECRET)
        with client.websocket_connect(f"/ws/chat/{shop.slug}?identity={good}") as ws:
            assert ws.receive_json()["type"] == "welcome"
            ws.send_json({"type": "send", "client_id": "id-1", "body": "我登录了"})
            ack = ws.receive_json()
            while ack["type"] != "ack":
                ack = ws.receive_json()
        expired = sign_identity(_identity(expires_at=utcnow() - timedelta(hours=1)), secret=SECRET)
        with client.websocket_connect(f"/ws/chat/{shop.slug}?identity={expired}") as ws:
            closed = ws.receive()
        assert closed["type"] == "websocket.close" and closed["code"] == 4401

        async def customer_of(conversation_id: int) -> list[tuple[str, str]]:
            from kefu.conversations.models import Conversation

            async with db.session() as session:
                conversation = await session.get(Conversation, conversation_id)
                assert conversation is not None
                rows = await list_identities(
                    session, shop_id=shop.id, customer_id=conversation.customer_id
                )
                return [(r.kind, r.value) for r in rows]

        kinds = client.portal.call(customer_of, ack["message"]["conversation_id"])
        assert ("external", "u-1001") in kinds
        # The browser's anonymous self stays a customer apart.
        assert not any(kind == "web" for kind, _ in kinds)
