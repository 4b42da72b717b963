"""Writing an agent's reply as a mail: UTF-8 text with the headers that keep the thread."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

from kefu.channels.email.service import OutboundReply


def _bracketed(message_id: str) -> str:
    return f"<{message_id}>"


def compose_reply(reply: OutboundReply, *, now: datetime) -> EmailMessage:
    """The mail for ``reply``; headers with non-ASCII text are RFC 2047-encoded as UTF-8."""
    mail = EmailMessage()
    mail["From"] = reply.sender
    mail["To"] = reply.recipient
    mail["Subject"] = reply.subject
    mail["Date"] = format_datetime(now)
    mail["Message-ID"] = _bracketed(reply.message_id)
    if reply.in_reply_to:
        mail["In-Reply-To"] = _bracketed(reply.in_reply_to)
    if reply.references:
        mail["References"] = " ".join(_bracketed(r) for r in reply.references)
    mail.set_content(reply.body, charset="utf-8")
    return mail
