"""API shapes of the webhook channel: integrations, inbound events and deliveries."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from kefu.channels.webhook.models import WebhookChannel
from kefu.channels.webhook.retry import DeliveryStatus
from kefu.conversations.schemas import MessageBody
from kefu.shared.types import NO_NUL

MAX_URL_CHARS = 2000
MAX_ID_CHARS = 200
# Printable ASCII without spaces: ids go into identity values and logs as they are.
EXTERNAL_ID = r"^[\x21-\x7e]+$"


def _callback_url(value: str) -> str:
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as error:
        raise ValueError(f"not a valid URL: {error}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("the callback URL must be an absolute http:// or https:// URL")
    if parts.username is not None or parts.password is not None:
        raise ValueError("the callback URL must not carry credentials; Kefu signs each request")
    if port == 0:
        raise ValueError("the callback URL has no valid port")
    return value


CallbackUrl = Annotated[
    str,
    Field(min_length=8, max_length=MAX_URL_CHARS, pattern=r"^[\x21-\x7e]+$"),
    AfterValidator(_callback_url),
]
Platform = Annotated[
    str,
    Field(
        pattern=r"^[a-z][a-z0-9_-]{0,31}$",
        description="label of the IM platform (wechat, whatsapp, line, generic, ...); it "
        "prefixes the senders' identities ('wechat:<sender id>') and cannot change",
    ),
]
Name = Annotated[str, Field(min_length=1, max_length=100, pattern=NO_NUL)]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class WebhookChannelCreate(_Input):
    name: Name
    platform: Platform = "generic"
    callback_url: CallbackUrl


class WebhookChannelUpdate(_Input):
    """Only the fields sent change."""

    name: Name | None = None
    callback_url: CallbackUrl | None = None
    enabled: bool | None = None

    @model_validator(mode="after")
    def _no_nulls(self) -> WebhookChannelUpdate:
        for name in self.model_fields_set:
            if getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class WebhookChannelOut(BaseModel):
    id: int
    name: str
    platform: str
    callback_url: str
    enabled: bool
    inbound_path: str = Field(description="where the platform POSTs events, signed")
    created_at: datetime
    updated_at: datetime


class WebhookChannelSecret(WebhookChannelOut):
    """Returned on creation and rotation only: the secret is not shown again."""

    secret: str
    previous_secret_expires_at: datetime | None = None


class InboundSender(_Input):
    id: str = Field(min_length=1, max_length=MAX_ID_CHARS, pattern=EXTERNAL_ID)
    name: str = Field(default="", max_length=100, pattern=NO_NUL)


class InboundEvent(_Input):
    """A message a customer sent on the IM platform, as the platform (or bridge) posts it."""

    event_id: str = Field(
        min_length=1,
        max_length=MAX_ID_CHARS,
        pattern=EXTERNAL_ID,
        description="unique per channel; an id seen before is acknowledged and ignored",
    )
    sender: InboundSender
    text: MessageBody
    sent_at: AwareDatetime | None = None


class InboundResult(BaseModel):
    duplicate: bool = Field(description="true when this event_id was stored before")
    customer_id: int
    conversation_id: int
    message_id: int


class DeliveryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    channel_id: int
    conversation_id: int
    message_id: int = Field(validation_alias="kefu_message_id")
    recipient: str
    status: str = Field(description=" | ".join(DeliveryStatus.ALL))
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    updated_at: datetime
    delivered_at: datetime | None


def describe_channel(channel: WebhookChannel) -> WebhookChannelOut:
    return WebhookChannelOut(
        id=channel.id,
        name=channel.name,
        platform=channel.platform,
        callback_url=channel.callback_url,
        enabled=channel.is_enabled,
        inbound_path=f"/api/v1/webhooks/im/{channel.id}",
        created_at=channel.created_at,
        updated_at=channel.updated_at,
    )


def reveal_secret(channel: WebhookChannel) -> WebhookChannelSecret:
    return WebhookChannelSecret(
        **describe_channel(channel).model_dump(),
        secret=channel.secret,
        previous_secret_expires_at=channel.previous_secret_expires_at,
    )
