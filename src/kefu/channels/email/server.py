"""The inbound SMTP server: accepts mail for shops' addresses and stores it before saying 250."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from aiosmtpd.smtp import SMTP, Envelope, Session

from kefu.channels.email.parse import InboundMail, parse_mail
from kefu.channels.email.service import receive_mail, shop_for_recipient
from kefu.shared.clock import utcnow
from kefu.shared.db import Database

log = logging.getLogger(__name__)

MAX_RECIPIENTS = 20
UNKNOWN_RECIPIENT = "550 5.1.1 No such mailbox here"
TOO_MANY_RECIPIENTS = "452 4.5.3 Too many recipients"
TRY_LATER = "451 4.3.0 Temporary failure, please try again later"
UNREADABLE = "554 5.6.0 Message could not be read"
ACCEPTED = "250 2.0.0 Message accepted"


@dataclass(frozen=True, slots=True)
class InboundConfig:
    host: str
    port: int  # 0 picks a free port (tests)
    domain: str
    max_bytes: int


class MailHandler:
    """aiosmtpd hooks: refuse unknown recipients at RCPT, store the mail at DATA."""

    def __init__(self, db: Database, domain: str, clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.domain = domain
        self.clock = clock
        self._storing: set[asyncio.Task[None]] = set()

    async def _shop(self, address: str) -> int | None:
        async with self.db.session() as session:
            return await shop_for_recipient(session, recipient=address, domain=self.domain)

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if len(envelope.rcpt_tos) >= MAX_RECIPIENTS:
            return TOO_MANY_RECIPIENTS
        try:
            shop_id = await self._shop(address)
        except Exception:
            log.exception("looking up recipient %r failed", address)
            return TRY_LATER
        if shop_id is None:
            return UNKNOWN_RECIPIENT
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        # decode_data is off: the content is the bytes as received.
        raw = envelope.original_content or b""
        try:
            mail = parse_mail(raw)
        except Exception:
            # Retrying cannot make a mail readable: refuse it for good, and keep the reason.
            log.warning("refused unreadable mail from %r", envelope.mail_from, exc_info=True)
            return UNREADABLE
        shop_ids: list[int] = []
        try:
            for address in dict.fromkeys(envelope.rcpt_tos):
                shop_id = await self._shop(address)
                if shop_id is not None and shop_id not in shop_ids:
                    shop_ids.append(shop_id)
            # Finish storing even if the client hangs up meanwhile: the message is idempotent,
            # and a half-done transaction helps no one.
            store = asyncio.create_task(self._store(shop_ids, mail))
            self._storing.add(store)
            store.add_done_callback(self._storing.discard)
            await asyncio.shield(store)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("storing mail %r failed", mail.message_id)
            return TRY_LATER
        return ACCEPTED

    async def _store(self, shop_ids: list[int], mail: InboundMail) -> None:
        for shop_id in shop_ids:
            async with self.db.session() as session:
                await receive_mail(session, shop_id=shop_id, mail=mail, now=self.clock())

    async def drain(self) -> None:
        """Wait for mail being stored when the server stops."""
        if self._storing:
            await asyncio.gather(*self._storing, return_exceptions=True)


class _SMTP(SMTP):
    """aiosmtpd's protocol, remembering its open connections so the server can close them."""

    def __init__(self, connections: set[_SMTP], *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._connections = connections

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._connections.add(self)
        super().connection_made(transport)

    def connection_lost(self, error: Exception | None) -> None:
        self._connections.discard(self)
        super().connection_lost(error)


class InboundServer:
    """An SMTP listener in the application's own event loop (so it shares its database)."""

    def __init__(self, db: Database, config: InboundConfig) -> None:
        self.config = config
        self.handler = MailHandler(db, config.domain)
        self._server: asyncio.Server | None = None
        self._connections: set[_SMTP] = set()

    @property
    def port(self) -> int:
        """The port listened on (the one picked when configured as 0)."""
        assert self._server is not None, "the server is not started"
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    def _protocol(self) -> _SMTP:
        return _SMTP(
            self._connections,
            self.handler,
            hostname=self.config.domain,
            ident="Kefu ESMTP",
            data_size_limit=self.config.max_bytes,
            enable_SMTPUTF8=True,
            loop=asyncio.get_running_loop(),
        )

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            self._protocol, host=self.config.host, port=self.config.port
        )
        log.info("inbound SMTP listening on %s:%d", self.config.host, self.port)

    async def stop(self) -> None:
        if self._server is None:
            return
        self._server.close()
        for connection in list(self._connections):
            if connection.transport is not None:
                connection.transport.close()
        await self.handler.drain()
        await self._server.wait_closed()
        # Let the protocols see their transports closed before the loop moves on.
        for _ in range(3):
            await asyncio.sleep(0)
        self._server = None
