"""Attachment use cases: take an upload, link uploads to the message that carries them, describe
them for clients, and find a file to download by its address."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

import anyio.to_thread
from sqlalchemy import ColumnElement, false, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kefu.accounts.permissions import Permission
from kefu.accounts.principal import Principal
from kefu.attachments import sniff
from kefu.attachments.models import Attachment
from kefu.attachments.schemas import AttachmentOut
from kefu.attachments.storage import FileStore, Received
from kefu.shared.errors import InvalidInput, NotFound, RateLimited, UnsupportedType
from kefu.shared.ratelimit import FailureCounter

RATE_WINDOW_SECONDS = 3600
# Visitors behind one address (an office, a carrier's NAT) share its room.
ADDRESS_FACTOR = 4
ALLOWED_NAMES = "JPEG, PNG, GIF or WebP images, PDF, .txt text, or .docx/.xlsx/.pptx documents"


@dataclass(frozen=True, slots=True)
class Uploads:
    """How uploads are taken: where files go, how big they may be, how often visitors may send.
    Built once in ``create_app``."""

    store: FileStore
    max_bytes: int
    counter: FailureCounter
    visitor_per_hour: int


@dataclass(frozen=True, slots=True)
class Uploader:
    """Who uploaded a file, and so who may send it: a visitor's customer record, an agent, or
    an API token. A message may only carry its sender's own unsent uploads."""

    shop_id: int
    customer_id: int | None = None
    user_id: int | None = None
    token_id: int | None = None

    @classmethod
    def of(cls, principal: Principal) -> Uploader:
        if principal.user_id is not None:
            return cls(shop_id=principal.shop_id, user_id=principal.user_id)
        return cls(shop_id=principal.shop_id, token_id=principal.token_id)

    def owns(self) -> ColumnElement[bool]:
        if self.customer_id is not None:
            return Attachment.customer_id == self.customer_id
        if self.user_id is not None:
            return Attachment.user_id == self.user_id
        if self.token_id is not None:
            return Attachment.token_id == self.token_id
        return false()


@dataclass(frozen=True, slots=True)
class Incoming:
    """A file as the client sent it: the name it gave and its bytes, in chunks."""

    filename: str
    chunks: AsyncIterator[bytes]


def file_url(attachment: Attachment) -> str:
    """The download address; it works without a login, for whoever was given it."""
    name = quote(attachment.name, safe="")
    return f"/files/{attachment.id}/{attachment.access_key}/{name}"


def describe(attachment: Attachment) -> AttachmentOut:
    return AttachmentOut(
        id=attachment.id,
        name=attachment.name,
        content_type=attachment.content_type,
        size=attachment.size,
        is_image=sniff.is_image(attachment.content_type),
        url=file_url(attachment),
    )


def _checked_type(received: Received, filename: str) -> str | None:
    """The type of an upload if Kefu accepts it (runs in a worker thread: it reads the file)."""
    content_type = sniff.candidate_type(received.head, filename)
    if content_type in (sniff.DOCX, sniff.XLSX, sniff.PPTX):
        with received.path.open("rb") as file:
            return content_type if sniff.office_document_is(file, content_type) else None
    if content_type == sniff.TEXT:
        with received.path.open("rb") as file:
            return content_type if sniff.text_is_plain(file) else None
    return content_type


async def _store(
    session: AsyncSession, *, uploads: Uploads, uploader: Uploader, file: Incoming, now: datetime
) -> Attachment:
    received = await uploads.store.receive(file.chunks, max_bytes=uploads.max_bytes)
    try:
        if received.size == 0:
            raise InvalidInput("the file is empty", code="empty_file")
        content_type = await anyio.to_thread.run_sync(_checked_type, received, file.filename)
        if content_type is None:
            raise UnsupportedType(
                f"only {ALLOWED_NAMES} may be sent",
                details={"allowed": list(sniff.ALLOWED_TYPES)},
            )
    except BaseException:
        await uploads.store.discard(received)
        raise
    key = await uploads.store.keep(received, shop_id=uploader.shop_id)
    attachment = Attachment(
        shop_id=uploader.shop_id,
        message_id=None,
        customer_id=uploader.customer_id,
        user_id=uploader.user_id,
        token_id=uploader.token_id,
        name=sniff.safe_name(file.filename, content_type),
        content_type=content_type,
        size=received.size,
        sha256=received.sha256,
        storage_key=key,
        access_key=secrets.token_urlsafe(16),
        created_at=now,
    )
    session.add(attachment)
    await session.commit()
    return attachment


async def upload_as_agent(
    session: AsyncSession, *, actor: Principal, uploads: Uploads, file: Incoming, now: datetime
) -> Attachment:
    """Take an agent's (or integration's) upload, for a reply or an internal note."""
    actor.require(Permission.CONVERSATIONS_NOTE)
    return await _store(session, uploads=uploads, uploader=Uploader.of(actor), file=file, now=now)


async def upload_as_visitor(
    session: AsyncSession,
    *,
    uploads: Uploads,
    uploader: Uploader,
    address: str,
    file: Incoming,
    now: datetime,
) -> Attachment:
    """Take a web-chat visitor's upload, within the hourly limits per visitor and per address."""
    visitor_key = f"upload:visitor:{uploader.shop_id}:{uploader.customer_id}"
    address_key = f"upload:addr:{address}"
    if (
        await uploads.counter.count(visitor_key) >= uploads.visitor_per_hour
        or await uploads.counter.count(address_key) >= uploads.visitor_per_hour * ADDRESS_FACTOR
    ):
        raise RateLimited("too many uploads; try again later", retry_after=RATE_WINDOW_SECONDS)
    await uploads.counter.add(visitor_key)
    await uploads.counter.add(address_key)
    return await _store(session, uploads=uploads, uploader=uploader, file=file, now=now)


async def attach(
    session: AsyncSession, *, uploader: Uploader, attachment_ids: Sequence[int], message_id: int
) -> list[AttachmentOut]:
    """Link uploads to the message being stored, in the caller's transaction (not committed).

    Raises ``InvalidInput`` unless every id is an unsent upload of ``uploader`` in its shop;
    the caller must then roll back, so that the message is not stored either."""
    ids = list(dict.fromkeys(attachment_ids))
    linked = (
        await session.scalars(
            update(Attachment)
            .where(
                Attachment.id.in_(ids),
                Attachment.shop_id == uploader.shop_id,
                Attachment.message_id.is_(None),
                uploader.owns(),
            )
            .values(message_id=message_id)
            .returning(Attachment)
            .execution_options(synchronize_session=False)
        )
    ).all()
    if len(linked) != len(ids):
        found = {a.id for a in linked}
        raise InvalidInput(
            "only your own files that are not sent yet can be attached",
            code="attachment_unavailable",
            details={"attachment_ids": [i for i in ids if i not in found]},
        )
    return [describe(a) for a in sorted(linked, key=lambda a: a.id)]


async def attachments_by_message(
    session: AsyncSession, message_ids: Sequence[int]
) -> dict[int, list[AttachmentOut]]:
    """The files of each of ``message_ids`` that has any, in upload order."""
    if not message_ids:
        return {}
    rows = await session.scalars(
        select(Attachment)
        .where(Attachment.message_id.in_(list(message_ids)))
        .order_by(Attachment.id)
    )
    found: dict[int, list[AttachmentOut]] = {}
    for attachment in rows:
        assert attachment.message_id is not None
        found.setdefault(attachment.message_id, []).append(describe(attachment))
    return found


async def require_download(
    session: AsyncSession, *, attachment_id: int, access_key: str
) -> Attachment:
    """The attachment a download address names; ``NotFound`` for unknown or forged ones."""
    attachment = await session.get(Attachment, attachment_id)
    if attachment is None or not secrets.compare_digest(
        attachment.access_key.encode(), access_key.encode()
    ):
        raise NotFound("no such file", code="file_not_found")
    return attachment
