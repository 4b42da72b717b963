"""The e-mail channel as one object the application starts and stops: inbound SMTP server, IMAP
poller and reply sender, each enabled by its settings."""

from __future__ import annotations

from dataclasses import dataclass, field

from kefu.channels.email.imap import ImapConfig, ImapPoller
from kefu.channels.email.outbound import RelayConfig, ReplySender
from kefu.channels.email.server import InboundConfig, InboundServer
from kefu.settings import Settings
from kefu.shared.db import Database
from kefu.shared.events import EventBus


@dataclass
class EmailChannel:
    """``inbound`` runs when ``KEFU_EMAIL_SMTP_PORT`` is set, ``imap`` when
    ``KEFU_EMAIL_IMAP_HOST`` is, ``outbound`` when ``KEFU_EMAIL_OUTBOUND_HOST`` is (and the
    database has an event bus)."""

    inbound: InboundServer | None = None
    outbound: ReplySender | None = None
    imap: ImapPoller | None = None
    _started: bool = field(default=False, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings, db: Database, bus: EventBus | None) -> EmailChannel:
        inbound = None
        if settings.email_smtp_port is not None:
            inbound = InboundServer(
                db,
                InboundConfig(
                    host=settings.email_smtp_host,
                    port=settings.email_smtp_port,
                    domain=settings.email_domain,
                    max_bytes=settings.email_max_bytes,
                ),
            )
        outbound = None
        if settings.email_outbound_host is not None and bus is not None:
            password = settings.email_outbound_password
            relay = RelayConfig(
                host=settings.email_outbound_host,
                port=settings.email_outbound_port,
                domain=settings.email_domain,
                username=settings.email_outbound_user,
                password=password.get_secret_value() if password is not None else None,
                start_tls=settings.email_outbound_starttls,
                timeout_seconds=settings.email_outbound_timeout_seconds,
                attempts=settings.email_outbound_attempts,
                backoff_seconds=settings.email_outbound_backoff_seconds,
            )
            outbound = ReplySender(db, bus.hub, relay)
        imap = None
        if settings.email_imap_host is not None:
            imap = ImapPoller(db, ImapConfig.from_settings(settings))
        return cls(inbound=inbound, outbound=outbound, imap=imap)

    async def start(self) -> None:
        if self._started:
            return
        self._started = True
        try:
            if self.inbound is not None:
                await self.inbound.start()
            if self.imap is not None:
                await self.imap.start()
            if self.outbound is not None:
                await self.outbound.start()
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        """Stop taking mail (storing what is in flight) and stop sending; safe to call twice."""
        if self.outbound is not None:
            await self.outbound.stop()
        if self.imap is not None:
            await self.imap.stop()
        if self.inbound is not None:
            await self.inbound.stop()
        self._started = False


async def start_email_channel(settings: Settings, db: Database) -> EmailChannel:
    """Build the channel from ``settings`` and start whatever they enable (maybe nothing).

    Call from the application's lifespan after the event bus has started; ``stop()`` it before
    the bus stops and the database is disposed."""
    channel = EmailChannel.from_settings(settings, db, db.bus)
    await channel.start()
    return channel
