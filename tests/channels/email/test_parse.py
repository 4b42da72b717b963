"""Reading mail without a network or database: charsets, HTML, quoted history, addresses."""

from __future__ import annotations

import base64
import quopri

from kefu.channels.email.addresses import shop_slug_for
from kefu.channels.email.parse import parse_mail
from kefu.channels.email.service import mail_key, reply_subject
from kefu.channels.email.text import fit_body, html_to_text, strip_quoted


def gbk_mail() -> bytes:
    """A mail as Chinese clients send it: labelled GB2312 but using a GBK-only character (镕)."""
    subject = base64.b64encode("订单咨询：朱镕基同款".encode("gbk")).decode()
    name = base64.b64encode("王小明".encode("gbk")).decode()
    body = quopri.encodestring("你好，我的订单还没发货，朱镕基同款。\n".encode("gbk"))
    return (
        b"From: =?GB2312?B?" + name.encode() + b"?= <Buyer@Example.com>\r\n"
        b"To: shop@mail.kefu.test\r\n"
        b"Subject: =?GB2312?B?" + subject.encode() + b"?=\r\n"
        b"Message-ID: <gbk-1@example.com>\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: text/plain; charset="gb2312"\r\n'
        b"Content-Transfer-Encoding: quoted-printable\r\n\r\n" + body.replace(b"\n", b"\r\n")
    )


def test_gbk_labelled_gb2312_mail_is_decoded() -> None:
    mail = parse_mail(gbk_mail())
    assert mail.subject == "订单咨询：朱镕基同款"
    assert mail.sender == "buyer@example.com"
    assert mail.sender_name == "王小明"
    assert mail.body == "你好，我的订单还没发货，朱镕基同款。"
    assert mail.message_id == "gbk-1@example.com"


def test_raw_eight_bit_gbk_subject_is_decoded() -> None:
    raw = (
        b"From: a@example.com\r\nSubject: "
        + "退货申请".encode("gbk")
        + b"\r\nContent-Type: text/plain; charset=gbk\r\n\r\n"
        + "请处理".encode("gbk")
    )
    mail = parse_mail(raw)
    assert (mail.subject, mail.body) == ("退货申请", "请处理")


def test_thread_ids_put_in_reply_to_first_then_newest_reference() -> None:
    raw = (
        b"From: a@example.com\r\nMessage-ID: <3@x>\r\nIn-Reply-To: <2@x>\r\n"
        b"References: <1@x>\r\n <2@x>\r\n\r\nhi"
    )
    assert parse_mail(raw).thread_ids() == ["2@x", "1@x"]


def test_mail_without_message_id_gets_a_stable_one() -> None:
    raw = b"From: a@example.com\r\n\r\nhello"
    assert parse_mail(raw).message_id == parse_mail(raw).message_id
    assert parse_mail(raw).message_id != parse_mail(raw + b"!").message_id


def test_html_becomes_text_without_tags_scripts_or_styles() -> None:
    html = (
        "<html><head><style>p{color:red}</style><title>t</title></head><body>"
        "<script>alert('x')</script><p>您好&amp;谢谢</p><div>订单 <b>123</b></div>"
        "<img src=x onerror=alert(1)><br>再见</body></html>"
    )
    assert html_to_text(html) == "您好&谢谢\n\n订单 123\n\n再见"


def test_quoted_history_is_cut_in_english_and_chinese() -> None:
    assert strip_quoted("Thanks!\n\nOn Mon, 1 Jan 2026 Shop wrote:\n> old") == "Thanks!"
    assert strip_quoted("好的\n在 2026年1月1日 周一，客服 写道：\n> 旧") == "好的"
    assert strip_quoted("> only a quote") == "> only a quote"


def test_fit_body_notes_attachments_and_caps_length() -> None:
    assert fit_body("", ("发票.pdf",), 100) == "[附件 attachment: 发票.pdf]"
    assert fit_body("  ", (), 100) == "（无正文）"
    assert len(fit_body("x" * 500, (), 100)) == 100


def test_recipient_maps_to_shop_slug_on_our_domain_only() -> None:
    assert shop_slug_for("Tea-Shop@Mail.Kefu.Test", "mail.kefu.test") == "tea-shop"
    assert shop_slug_for("tea-shop+orders@mail.kefu.test", "mail.kefu.test") == "tea-shop"
    assert shop_slug_for("tea-shop@elsewhere.test", "mail.kefu.test") is None
    assert shop_slug_for("no-at-sign", "mail.kefu.test") is None


def test_long_message_ids_fit_the_idempotency_key() -> None:
    assert mail_key("a@b") == "email:a@b"
    assert len(mail_key("x" * 300)) <= 100


def test_reply_subject_adds_re_once() -> None:
    assert reply_subject("订单问题", "店") == "Re: 订单问题"
    assert reply_subject("RE: 订单问题", "店") == "RE: 订单问题"
    assert reply_subject("", "邮件店") == "Re: 邮件店"
