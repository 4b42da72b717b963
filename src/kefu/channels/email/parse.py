"""Reading an inbound mail: addresses, thread ids, subject and readable text, any charset."""

from __future__ import annotations

import email
import hashlib
import re
from dataclasses import dataclass
from email import policy
from email.header import decode_header
from email.message import EmailMessage, Message
from email.utils import getaddresses

from kefu.channels.email.text import html_to_text, strip_quoted

# Chinese mail often says GB2312 but uses GBK characters; GB18030 is a superset of both.
CHARSET_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "euc-cn": "gb18030",
    "big5": "big5hkscs",
    "ks_c_5601-1987": "cp949",
    "unknown-8bit": "utf-8",
}
MAX_ID_CHARS = 250
MAX_REFERENCES = 50
_MSG_ID = re.compile(r"<([^<>\s]+)>")


@dataclass(frozen=True, slots=True)
class InboundMail:
    message_id: str
    in_reply_to: str | None
    references: tuple[str, ...]
    sender: str  # lower-case address
    sender_name: str
    subject: str
    body: str
    attachments: tuple[str, ...]

    def thread_ids(self) -> list[str]:
        """Ids this mail answers, the most relevant first: In-Reply-To, then References from
        the newest."""
        ids = [self.in_reply_to] if self.in_reply_to else []
        ids.extend(r for r in reversed(self.references) if r not in ids)
        return ids


class UnreadableMail(ValueError):
    """The mail has no usable sender."""


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Text from ``data`` in the declared charset (with the usual Chinese mislabels fixed);
    undeclared or unknown charsets try UTF-8, then GB18030."""
    name = (charset or "").strip().strip('"').lower()
    name = CHARSET_ALIASES.get(name, name)
    if name:
        try:
            return data.decode(name, errors="replace")
        except LookupError:
            pass
    for guess in ("utf-8", "gb18030"):
        try:
            return data.decode(guess)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def decode_header_value(raw: str) -> str:
    """An RFC 2047 header (``=?GB2312?B?...?=``) or one with raw 8-bit bytes, as text."""
    # Raw bytes in headers reach us as surrogate escapes; recover them to guess their charset.
    raw = raw.encode("ascii", "surrogateescape").decode("latin-1") if _has_escapes(raw) else raw
    parts = []
    for chunk, charset in decode_header(raw):
        if isinstance(chunk, str):
            chunk = chunk.encode("latin-1", errors="replace")
        parts.append(decode_bytes(chunk, charset))
    return " ".join("".join(parts).split())


def _has_escapes(value: str) -> bool:
    return any("\udc80" <= c <= "\udcff" for c in value)


def _raw_header(message: Message, name: str) -> str | None:
    for key, value in message.raw_items():
        if key.lower() == name.lower():
            return str(value)
    return None


def normalize_id(value: str) -> str:
    """A Message-ID as stored: without brackets, at most ``MAX_ID_CHARS`` (longer ones hashed)."""
    value = value.strip().strip("<>").strip()
    if len(value) > MAX_ID_CHARS:
        return "sha256:" + hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
    return value


def parse_ids(raw: str | None) -> list[str]:
    if not raw:
        return []
    found = _MSG_ID.findall(raw) or raw.split()
    return [normalize_id(i) for i in found if i.strip("<>")]


def _sender(message: Message) -> tuple[str, str]:
    raw = _raw_header(message, "From") or ""
    for name, address in getaddresses([decode_header_value(raw)]):
        if "@" in address:
            return address.strip().lower(), name.strip()
    raise UnreadableMail("the mail has no From address")


def _part_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    return decode_bytes(payload, part.get_content_charset())


def _body(message: EmailMessage) -> tuple[str, tuple[str, ...]]:
    plain: list[str] = []
    html: list[str] = []
    attachments: list[str] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        filename = part.get_filename()
        if filename or part.get_content_disposition() == "attachment":
            attachments.append(decode_header_value(filename or "attachment"))
        elif part.get_content_type() == "text/plain":
            plain.append(_part_text(part))
        elif part.get_content_type() == "text/html":
            html.append(_part_text(part))
    text = "\n".join(plain) if plain else "\n".join(html_to_text(h) for h in html)
    return strip_quoted(text.replace("\r\n", "\n").replace("\x00", "")), tuple(attachments)


def parse_mail(raw: bytes) -> InboundMail:
    """Read ``raw`` (the DATA of an SMTP transaction). A mail without a Message-ID gets one
    derived from its bytes, so a resent copy is still recognised."""
    message = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    sender, name = _sender(message)
    ids = parse_ids(_raw_header(message, "Message-ID"))
    message_id = ids[0] if ids else f"sha256-{hashlib.sha256(raw).hexdigest()}@kefu.invalid"
    replied = parse_ids(_raw_header(message, "In-Reply-To"))
    references = parse_ids(_raw_header(message, "References"))[-MAX_REFERENCES:]
    body, attachments = _body(message)
    return InboundMail(
        message_id=message_id,
        in_reply_to=replied[0] if replied else None,
        references=tuple(references),
        sender=sender,
        sender_name=name,
        subject=decode_header_value(_raw_header(message, "Subject") or ""),
        body=body,
        attachments=attachments,
    )
