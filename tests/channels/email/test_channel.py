"""The channel object the application starts: settings decide what runs."""

from __future__ import annotations

import aiosmtplib
from pydantic import SecretStr

from kefu.channels.email.channel import start_email_channel
from kefu.settings import Settings
from kefu.shared.db import Database


def settings(database_url: str, **email: object) -> Settings:
    return Settings(env="test", database_url=database_url, secret_key=SecretStr("e" * 40), **email)


async def test_nothing_runs_without_email_settings(mail_db: Database, database_url: str) -> None:
    channel = await start_email_channel(settings(database_url), mail_db)
    assert (channel.inbound, channel.outbound) == (None, None)
    await channel.stop()


async def test_configured_channel_listens_and_stops_cleanly(
    mail_db: Database, database_url: str
) -> None:
    configured = settings(
        database_url,
        email_smtp_port=0,
        email_domain="mail.kefu.test",
        email_outbound_host="127.0.0.1",
        email_outbound_starttls=False,
    )
    channel = await start_email_channel(configured, mail_db)
    try:
        assert channel.inbound is not None and channel.outbound is not None
        async with aiosmtplib.SMTP(hostname="127.0.0.1", port=channel.inbound.port) as client:
            code, _message = await client.ehlo()
            assert code == 250
    finally:
        await channel.stop()
        await channel.stop()
