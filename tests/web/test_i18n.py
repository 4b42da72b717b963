"""Chinese first, English too: the catalog is complete and the locale is chosen in order."""

from __future__ import annotations

import re
import string

import httpx
import pytest
from sqlalchemy import update

from kefu.accounts.models import User
from kefu.conversations.status import Channel, Priority, SenderType, Status
from kefu.shared.db import Database
from kefu.web.i18n import CATALOG, choose_locale, parse_accept_language, translate
from kefu.web.inbox_pages import ASSIGNEES
from kefu.web.paths import TEMPLATES_DIR
from tests.factories import Factory
from tests.web.support import web_login

_KEY_IN_TEMPLATE = re.compile(r"""_\(\s*["']([a-z0-9_.]+)["']""")


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_message_has_both_languages_with_the_same_placeholders() -> None:
    for key, (zh, en) in CATALOG.items():
        assert zh.strip() and en.strip(), key
        assert _fields(zh) == _fields(en), key


def test_every_key_used_in_templates_is_in_the_catalog() -> None:
    used = {
        key
        for path in TEMPLATES_DIR.rglob("*.html")
        for key in _KEY_IN_TEMPLATE.findall(path.read_text(encoding="utf-8"))
        if not key.endswith(".")  # a prefix joined to an enum value, checked below
    }
    assert used, "no keys found: the pattern is wrong"
    assert used - CATALOG.keys() == set()


def test_enum_values_shown_in_pages_have_labels() -> None:
    for prefix, values in (
        ("status", Status),
        ("channel", Channel),
        ("priority", Priority),
        ("sender", SenderType),
        ("action.status", Status),
        ("inbox.assignee", ASSIGNEES),
    ):
        for value in values:
            assert f"{prefix}.{value}" in CATALOG


def test_translate_formats_and_refuses_unknown_keys() -> None:
    assert translate("zh", "inbox.total", total=3) == "共 3 个会话"
    assert translate("en", "inbox.total", total=3) == "3 conversations"
    with pytest.raises(KeyError):
        translate("zh", "no.such.key")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("zh-CN,zh;q=0.9,en;q=0.8", ["zh", "en"]),
        ("en-US,en;q=0.9", ["en"]),
        ("fr-FR, en;q=0.5, zh-TW;q=0.7", ["zh", "en"]),
        ("de, *;q=0.1", []),
        ("en;q=0, zh", ["zh"]),
        ("en;q=abc", []),
        ("", []),
    ],
)
def test_accept_language_parsing(header: str, expected: list[str]) -> None:
    assert parse_accept_language(header) == expected


def test_locale_order_is_param_cookie_user_browser_default() -> None:
    base = {"param": None, "cookie": None, "user_locale": None, "accept_language": None}
    assert choose_locale(**base, default="zh") == "zh"
    assert choose_locale(**{**base, "accept_language": "en-GB"}, default="zh") == "en"
    assert (
        choose_locale(**{**base, "accept_language": "en", "user_locale": "zh"}, default="en")
        == "zh"
    )
    assert choose_locale(**{**base, "user_locale": "zh", "cookie": "en"}, default="zh") == "en"
    assert choose_locale(**{**base, "cookie": "en", "param": "zh"}, default="en") == "zh"
    assert choose_locale(**{**base, "param": "fr", "cookie": "xx"}, default="en") == "en"


async def test_pages_render_in_chinese_by_default_and_english_on_request(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    conversation = await factory.conversation(shop, status="pending")
    await web_login(client, await factory.user(shop))
    zh = await client.get(f"/conversations/{conversation.id}")
    assert '<html lang="zh-CN">' in zh.text
    assert "消息记录" in zh.text and "等待回复" in zh.text and "顾客信息" in zh.text
    assert f'href="/conversations/{conversation.id}?lang=en"' in zh.text  # the switch
    en = await client.get(f"/conversations/{conversation.id}", params={"lang": "en"})
    assert '<html lang="en">' in en.text
    assert "Messages" in en.text and "Pending" in en.text and "Customer" in en.text
    assert "消息记录" not in en.text
    assert "kefu_lang=en" in en.headers["set-cookie"]
    # The cookie keeps English on the next pages, until switched back.
    listing = await client.get("/conversations")
    assert "Conversations" in listing.text and "Search customers" in listing.text
    back = await client.get("/conversations", params={"lang": "zh"})
    assert "会话列表" in back.text
    assert "会话列表" in (await client.get("/conversations")).text


async def test_browser_and_user_preferences_pick_the_language(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    page = await client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert "Log in to your service desk" in page.text
    page = await client.get("/login", headers={"Accept-Language": "zh-CN"})
    assert "登录客服工作台" in page.text
    user = await factory.user(await factory.shop())
    async with db.session() as session:
        await session.execute(update(User).where(User.id == user.id).values(locale="en"))
        await session.commit()
    await web_login(client, user)
    listing = await client.get("/conversations", headers={"Accept-Language": "zh-CN"})
    assert "Conversations" in listing.text and "Log out" in listing.text


async def test_error_pages_and_login_errors_are_translated(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop, other = await factory.shop(), await factory.shop()
    theirs = await factory.conversation(other)
    user = await factory.user(shop)
    page = await client.get("/login", params={"lang": "en"})
    r = await client.post(
        "/login",
        data={
            "email": user.email,
            "password": "wrong",
            "csrf_token": re.findall(r'name="csrf_token" value="([^"]+)"', page.text)[0],
        },
    )
    assert "Wrong e-mail or password." in r.text
    await web_login(client, user)
    r = await client.get(f"/conversations/{theirs.id}")
    assert r.status_code == 404
    assert "This conversation does not exist or belongs to another shop." in r.text
