"""API shapes of the web chat: leaving a message and the widget settings."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator, model_validator

from kefu.conversations.schemas import MessageBody
from kefu.customers.schemas import refuse_nul
from kefu.shared.types import NO_NUL

PHONE_PATTERN = r"^\+?[0-9 ()-]{5,32}$"


class LeaveMessageIn(BaseModel):
    """A message left while nobody is online: who to get back to, and how."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=100, pattern=NO_NUL)
    email: EmailStr | None = None
    phone: str | None = Field(default=None, max_length=32, pattern=PHONE_PATTERN)
    body: MessageBody
    # Chosen by the page for each form it shows: a resubmitted form stores one message.
    client_id: str | None = Field(
        default=None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$"
    )

    @field_validator("email", "phone", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        refuse_nul(value)
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _some_contact(self) -> LeaveMessageIn:
        if not self.email and not self.phone:
            raise ValueError("give an e-mail address or a phone number")
        return self


class LeftMessage(BaseModel):
    """The stored message; ``visitor`` is the token to keep (a new one if none was sent)."""

    conversation_id: int
    message_id: int
    duplicate: bool
    visitor: str


class WidgetSettings(BaseModel):
    shop_slug: str
    chat_path: str = Field(description="the standalone chat page, relative to Kefu's origin")
    widget_secret: str | None = Field(
        description="signs customers' identity tokens (docs/webchat.md); null until created"
    )
