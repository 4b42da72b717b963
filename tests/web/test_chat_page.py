"""The customer's chat page: rendered in the visitor's language, framable by any shop (and only
this page), a friendly 404 for an unknown shop, and the widget's demo host page."""

from __future__ import annotations

import json
import re
from html import unescape

import httpx

from tests.factories import Factory

_CONFIG = re.compile(r'<script type="application/json" id="chat-config">(.*?)</script>', re.S)


def _config(html: str) -> dict[str, object]:
    match = _CONFIG.search(html)
    assert match is not None
    config: dict[str, object] = json.loads(match.group(1))
    return config


async def test_chat_page_shows_the_shop_in_chinese_by_default(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop("小米<旗舰>店")
    response = await client.get(f"/chat/{shop.slug}")
    assert response.status_code == 200
    html = response.text
    assert '<html lang="zh-CN">' in html
    assert "小米&lt;旗舰&gt;店" in html and "<旗舰>" not in html
    assert "在线客服" in html and "输入消息" in html
    assert 'name="viewport"' in html
    config = _config(html)
    assert config["ws_path"] == f"/ws/chat/{shop.slug}"
    assert config["leave_url"] == f"/api/v1/webchat/{shop.slug}/leave-message"
    assert config["embed"] is False
    assert "<script>" not in html.split('id="chat-config">')[1]  # only src= scripts run


async def test_chat_page_speaks_english_when_asked(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    by_param = await client.get(f"/chat/{shop.slug}?lang=en&embed=1")
    assert '<html lang="en">' in by_param.text
    assert "Chat with us" in by_param.text and "Minimise the chat" in by_param.text
    assert _config(by_param.text)["embed"] is True
    switch = re.search(r'id="lang-switch" class="lang-switch" href="([^"]+)"', by_param.text)
    assert switch is not None and "embed=1" in unescape(switch.group(1))
    by_browser = await client.get(
        f"/chat/{shop.slug}", headers={"Accept-Language": "en-GB,en;q=0.9"}
    )
    assert '<html lang="en">' in by_browser.text


async def test_only_the_chat_page_may_be_framed(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    chat = await client.get(f"/chat/{shop.slug}?embed=1")
    policy = chat.headers["content-security-policy"]
    assert "frame-ancestors *" in policy
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "x-frame-options" not in chat.headers
    for path in ("/login", f"/chat/{shop.slug}/demo-host"):
        other = await client.get(path)
        assert other.status_code == 200
        assert "frame-ancestors 'none'" in other.headers["content-security-policy"]
        assert other.headers["x-frame-options"] == "DENY"


async def test_unknown_shop_gets_a_friendly_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/chat/no-such-shop")
    assert response.status_code == 404
    assert "找不到这家店铺" in response.text
    assert "/conversations" not in response.text  # no way into the agents' workspace
    english = await client.get("/chat/no-such-shop?lang=en")
    assert english.status_code == 404 and "Shop not found" in english.text
    assert (await client.get("/chat/no-such-shop/demo-host")).status_code == 404


async def test_identity_token_is_passed_to_the_chat_as_data(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    response = await client.get(f"/chat/{shop.slug}?embed=1&identity=abc.def.ghi")
    assert _config(response.text)["identity"] == "abc.def.ghi"
    refused = await client.get(f"/chat/{shop.slug}?identity=<script>")
    assert refused.status_code == 422


async def test_demo_host_embeds_the_widget_script(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    response = await client.get(f"/chat/{shop.slug}/demo-host")
    assert response.status_code == 200
    assert re.search(
        rf'<script src="/static/widget\.js\?v=\w+" data-shop="{shop.slug}"', response.text
    )
    widget = await client.get("/static/widget.js")
    assert widget.status_code == 200 and "document.currentScript" in widget.text


async def test_chat_page_offers_the_file_picker_with_its_limits_and_texts(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    html = (await client.get(f"/chat/{shop.slug}")).text
    for script in ("chat.js", "chat-upload.js", "chat-attach.js"):
        assert re.search(rf'<script src="/static/{re.escape(script)}\?v=\w+" defer>', html)
    # The button is shown by chat-attach.js: without scripts it would do nothing.
    button = re.search(r'<button type="button" id="chat-attach"[^>]*>', html)
    assert button is not None
    assert 'aria-label="发送图片或文件"' in button.group(0) and " hidden" in button.group(0)
    picker = re.search(r'<input type="file" id="chat-file"[^>]*accept="([^"]+)"', html)
    assert picker is not None
    offered = picker.group(1).split(",")
    assert {"image/png", "image/jpeg", "application/pdf", ".docx", ".txt"} <= set(offered)
    assert not any("svg" in kind or "html" in kind for kind in offered)
    config = _config(html)
    assert config["upload"] == {"max_bytes": 10 * 1024 * 1024, "max_files": 5}
    texts = config["text"]
    assert isinstance(texts, dict)
    assert texts["attach.too_large"] == "文件太大，最大 {max}。"  # filled in by the script
    assert texts["attach.unsupported"].startswith("不能发送这种文件")
    english = _config((await client.get(f"/chat/{shop.slug}?lang=en")).text)["text"]
    assert isinstance(english, dict)
    assert english["attach.error"] == "{name}: {error}"
    assert "Send an image or file" in (await client.get(f"/chat/{shop.slug}?lang=en")).text
