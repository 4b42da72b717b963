"""A customer in Chromium sends a photo and a PDF from the chat page; the agent sees them live
in the workspace. A file that is not what it claims to be is refused there and then, and
nothing is sent."""

from __future__ import annotations

import asyncio
import re
import struct
import zlib
from typing import Any

import pytest
from sqlalchemy import func, select

from kefu.attachments.models import Attachment
from kefu.conversations.models import Message
from tests.attachments import files
from tests.e2e import test_customer_chat as chat_e2e
from tests.e2e.shots import shoot
from tests.e2e.test_customer_chat import Shops, Watch

pytestmark = chat_e2e.pytestmark

# The same real server and shops as the chat tests (a server of this module's own).
shops = chat_e2e.shops

LOADED = "image => image.complete && image.naturalWidth > 0"
PASTE = """bytes => {
  const box = document.getElementById("chat-input");
  const data = new DataTransfer();
  data.items.add(new File([new Uint8Array(bytes)], "截图.png", { type: "image/png" }));
  box.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true,
                                                  cancelable: true }));
}"""


def _photo(width: int = 240, height: int = 160) -> bytes:
    """A genuine RGB PNG with a gradient, big enough to look like a photo in a screenshot."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    rows = b"".join(
        b"\x00" + b"".join(bytes((40 + x // 2, 90 + y // 2, 200 - x // 3)) for x in range(width))
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _attachments_of(shops: Shops, body: str) -> int:
    statement = (
        select(func.count())
        .select_from(Attachment)
        .join(Message, Message.id == Attachment.message_id)
        .where(Message.body == body)
    )
    return int(asyncio.run(chat_e2e._query(shops.database_url, statement)) or 0)


def _unsent(shops: Shops) -> int:
    statement = select(func.count()).select_from(Attachment).where(Attachment.message_id.is_(None))
    return int(asyncio.run(chat_e2e._query(shops.database_url, statement)) or 0)


def _pick(chat: Any, *picked: tuple[str, str, bytes]) -> None:
    chat.set_input_files(
        "#chat-file",
        files=[{"name": name, "mimeType": kind, "buffer": data} for name, kind, data in picked],
    )


def test_customer_sends_a_photo_and_the_agent_sees_it_live(shops: Shops) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    expect = sync_api.expect
    # The browser logs the refused upload's 415 as a failed resource: that refusal is the test.
    watch = Watch(allowed=("415",))
    hello, caption = "你好，耳机左耳没声音", "左耳的照片和发票"

    with sync_api.sync_playwright() as p:
        browser = chat_e2e._launch(p)
        try:
            agent = chat_e2e._agent_page(browser, shops, watch)
            context = browser.new_context(viewport={"width": 900, "height": 760}, locale="zh-CN")
            chat = watch.page(context.new_page())
            chat.goto(f"{shops.base_url}/chat/{shops.staffed}")
            expect(chat.locator("#chat-presence")).to_have_text("客服在线")
            attach = chat.get_by_role("button", name="发送图片或文件")
            expect(attach).to_be_visible()

            # The agent has the conversation open before any file arrives.
            chat.fill("#chat-input", hello)
            chat.press("#chat-input", "Enter")
            agent.locator(".conv-row", has_text=hello).first.click()
            expect(agent.locator("#timeline .message-body", has_text=hello)).to_have_count(1)

            # An SVG named .png is refused on upload: a clear error, nothing in the tray.
            _pick(chat, ("耳机.png", "image/png", files.SVG))
            error = chat.locator("#chat-attach-error")
            expect(error).to_have_text(re.compile(r"^耳机\.png：不能发送这种文件"))
            expect(chat.locator("#chat-tray .chat-chip")).to_have_count(0)
            expect(chat.locator("#chat-send")).to_be_enabled()
            shoot(chat, "chat-attach-refused.png")

            # A photo and a PDF upload into the tray, then go with the text.
            _pick(
                chat,
                ("左耳.png", "image/png", _photo()),
                ("发票.pdf", "application/pdf", files.PDF),
            )
            expect(error).to_be_hidden()
            chips = chat.locator("#chat-tray .chat-chip[data-state=ready]")
            expect(chips).to_have_count(2)
            expect(chips.first.locator("img")).to_have_count(1)
            chat.fill("#chat-input", caption)
            chat.press("#chat-input", "Enter")
            expect(chat.locator("#chat-tray")).to_be_hidden()

            mine = chat.locator(".chat-msg.from-customer", has_text=caption)
            expect(mine).to_have_attribute("data-state", re.compile("sent|read"))
            photo = mine.locator(".chat-image img")
            expect(photo).to_have_attribute("alt", "左耳.png")
            # The bubble is redrawn from the server's copy on its ack (and on read receipts),
            # so find the image afresh on every try rather than holding an element.
            chat.wait_for_function(
                "() => { const img = document.querySelector('.chat-image img');"
                f" if (!img) return false; img.scrollIntoView(); return ({LOADED})(img); }}"
            )
            expect(mine.locator(".chat-file .chat-file-name")).to_have_text("发票.pdf")

            # The agent's open conversation shows both, live, without a reload.
            theirs = agent.locator("#timeline .message", has_text=caption)
            expect(theirs.locator(".file-image img")).to_have_attribute("alt", "左耳.png")
            assert theirs.locator(".file-image img").evaluate(LOADED)
            expect(theirs.locator(".file-link .file-name")).to_have_text("发票.pdf")

            # A screenshot pasted into the message box goes alone, without text.
            chat.evaluate(PASTE, list(files.png()))
            expect(chat.locator("#chat-tray .chat-chip[data-state=ready]")).to_have_count(1)
            chat.press("#chat-input", "Enter")
            expect(chat.locator(".chat-msg.from-customer .chat-image img")).to_have_count(2)
            expect(agent.locator("#timeline .file-image img[alt='截图.png']")).to_have_count(1)
            shoot(chat, "chat-attach.png")
            shoot(agent, "chat-attach-agent.png")
            chat.set_viewport_size({"width": 360, "height": 720})
            _pick(chat, ("售后说明很长的文件名-2024年5月18日.pdf", "application/pdf", files.PDF))
            expect(chat.locator("#chat-tray .chat-chip[data-state=ready]")).to_have_count(1)
            chat.wait_for_timeout(300)
            shoot(chat, "chat-attach-mobile.png")
        finally:
            browser.close()

    assert watch.problems == []
    assert _attachments_of(shops, caption) == 2
    assert _attachments_of(shops, "") == 1
    assert _unsent(shops) == 1  # only the PDF left in the tray; the refused file was not kept
