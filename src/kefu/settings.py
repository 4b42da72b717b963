"""Settings from ``KEFU_*`` environment variables, with safe defaults for the embedded mode."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET = "kefu-development-secret-change-me"


class Settings(BaseSettings):
    """One settings object, built in the entry point and passed down; never read at import."""

    model_config = SettingsConfigDict(env_prefix="KEFU_", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite+aiosqlite:///./var/kefu.db"
    redis_url: str | None = None
    secret_key: SecretStr = SecretStr(DEFAULT_SECRET)
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    default_locale: Literal["zh", "en"] = "zh"
    session_max_age_seconds: int = 14 * 24 * 3600
    cookie_secure: bool = False
    login_max_failures: int = Field(default=5, ge=1)
    login_window_seconds: int = Field(default=300, ge=1)
    max_message_chars: int = Field(default=10_000, ge=1)
    max_request_bytes: int = Field(default=2 * 1024 * 1024, ge=1024)
    # Images and files in conversations (docs/api.md, "Attachments").
    upload_dir: Path = Path("./var/uploads")
    upload_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    upload_visitor_per_hour: int = Field(default=30, ge=1)
    # E-mail channel (docs/email.md): inbound SMTP is off unless a port is set.
    email_smtp_host: str = "127.0.0.1"
    email_smtp_port: int | None = Field(default=None, ge=0, le=65535)
    email_domain: str = "kefu.localhost"
    email_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    # Outbound replies are off unless a relay host is set.
    email_outbound_host: str | None = None
    email_outbound_port: int = Field(default=587, ge=1, le=65535)
    email_outbound_user: str | None = None
    email_outbound_password: SecretStr | None = None
    email_outbound_starttls: bool = True
    email_outbound_timeout_seconds: float = Field(default=30.0, gt=0)
    email_outbound_attempts: int = Field(default=6, ge=1)
    email_outbound_backoff_seconds: float = Field(default=5.0, ge=0)
    # Inbound IMAP polling is off unless a host is set; the mailbox belongs to one shop.
    email_imap_host: str | None = None
    email_imap_port: int | None = Field(default=None, ge=1, le=65535)  # None: 993, or 143
    email_imap_user: str | None = None
    email_imap_password: SecretStr | None = None
    email_imap_ssl: bool = True
    email_imap_folder: str = "INBOX"
    email_imap_poll_seconds: float = Field(default=60.0, gt=0)
    email_imap_shop: str | None = None  # the slug of the shop the mailbox's mail goes to
    email_imap_move_to: str | None = None  # None: imported mail is only marked \Seen
    # IM / social webhook channel (docs/channels-webhook.md): replies to the shops' callbacks.
    webhook_outbound: bool = True
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    webhook_attempts: int = Field(default=8, ge=1)
    webhook_backoff_seconds: float = Field(default=10.0, ge=0)
    webhook_poll_seconds: float = Field(default=5.0, gt=0)
    # The bot (docs/decisions/0012-bot-runtime.md): shops' trained intent models are
    # <model_dir>/<shop id>.joblib; the worker answers chats of shops whose bot is enabled.
    model_dir: Path = Path("./var/models")
    bot_worker: bool = True
    # Routing (docs/routing.md): the router follows events and sweeps every few seconds.
    router_worker: bool = True
    router_sweep_seconds: float = Field(default=5.0, gt=0)
    # Scheduled reports (docs/reports.md): mailed through the outbound relay when one is set.
    report_worker: bool = True
    report_check_seconds: float = Field(default=300.0, gt=0)

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        secret = self.secret_key.get_secret_value()
        if self.env == "production" and (secret == DEFAULT_SECRET or len(secret) < 32):
            raise ValueError(
                "KEFU_SECRET_KEY must be set to a random value of at least 32 characters "
                "when KEFU_ENV=production"
            )
        return self

    @model_validator(mode="after")
    def _require_imap_account(self) -> Settings:
        if self.email_imap_host is not None:
            missing = [
                f"KEFU_EMAIL_IMAP_{name.upper()}"
                for name in ("user", "password", "shop")
                if getattr(self, f"email_imap_{name}") is None
            ]
            if missing:
                raise ValueError(f"KEFU_EMAIL_IMAP_HOST is set but not {', '.join(missing)}")
        return self

    def sqlite_path(self) -> Path | None:
        """The SQLite file behind ``database_url``, or None for other databases."""
        prefix = "sqlite+aiosqlite:///"
        if not self.database_url.startswith(prefix):
            return None
        rest = self.database_url.removeprefix(prefix)
        return None if rest in ("", ":memory:") else Path(rest)
