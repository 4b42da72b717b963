"""Fixtures of the e-mail channel: a database with an in-memory bus, Kefu's inbound SMTP server
on a free loopback port, a "customer's mail server" that captures what Kefu sends, and a real
IMAP server (Dovecot) holding a shop's mailbox."""

from __future__ import annotations

import asyncio
import email
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from email import policy
from email.message import EmailMessage

import aiosmtplib
import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session

from kefu.accounts.models import Shop
from kefu.channels.email.server import InboundConfig, InboundServer
from kefu.shared.db import Database
from kefu.shared.events import MemoryEventBus
from tests.channels.email.imap_server import ImapServer
from tests.factories import Factory

DOMAIN = "mail.kefu.test"
MAX_BYTES = 64 * 1024


@pytest.fixture
async def mail_db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url, bus=MemoryEventBus())
    yield database
    await database.dispose()


@pytest.fixture
def mail_factory(mail_db: Database) -> Factory:
    return Factory(mail_db)


@pytest.fixture
async def shop(mail_factory: Factory) -> Shop:
    return await mail_factory.shop("邮件店")


@pytest.fixture
async def inbound(mail_db: Database) -> AsyncIterator[InboundServer]:
    server = InboundServer(
        mail_db, InboundConfig(host="127.0.0.1", port=0, domain=DOMAIN, max_bytes=MAX_BYTES)
    )
    await server.start()
    yield server
    await server.stop()


Deliver = Callable[..., Awaitable[None]]


@pytest.fixture
def deliver(inbound: InboundServer) -> Deliver:
    """Send raw mail to Kefu's server over real SMTP; raises what the server refuses."""

    async def send(raw: bytes, *, to: str, sender: str = "buyer@example.com") -> None:
        async with aiosmtplib.SMTP(hostname="127.0.0.1", port=inbound.port) as client:
            await client.sendmail(sender, [to], raw)

    return send


class Capture:
    """aiosmtpd handler keeping every mail it is given."""

    def __init__(self) -> None:
        self.mails: list[tuple[Envelope, EmailMessage]] = []
        self.arrived = asyncio.Event()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        message = email.message_from_bytes(envelope.original_content or b"", policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.mails.append((envelope, message))
        self.arrived.set()
        return "250 OK"


@pytest.fixture
async def customer_server() -> AsyncIterator[tuple[Capture, int]]:
    capture = Capture()
    loop = asyncio.get_running_loop()
    connections: list[SMTP] = []

    def protocol() -> SMTP:
        smtp = SMTP(capture, hostname="mx.example.com", loop=loop)
        connections.append(smtp)
        return smtp

    server = await loop.create_server(protocol, host="127.0.0.1", port=0)
    yield capture, server.sockets[0].getsockname()[1]
    server.close()
    for smtp in connections:
        if smtp.transport is not None:
            smtp.transport.close()
    await server.wait_closed()
    for _ in range(3):
        await asyncio.sleep(0)


@pytest.fixture
def imap_server() -> Iterator[ImapServer]:
    """Dovecot with one empty mailbox; ``apt-get install dovecot-imapd`` (``make test`` does)."""
    binary = shutil.which("dovecot") or shutil.which("dovecot", path="/usr/sbin:/usr/local/sbin")
    if binary is None:
        pytest.skip("dovecot is not installed (apt-get install dovecot-imapd): no IMAP tests")
    server = ImapServer(binary)
    try:
        server.start()
        yield server
    finally:
        server.remove()
