"""API shapes of the customers domain."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator, model_validator

MAX_TAGS = 20
MAX_TAG_CHARS = 50
MAX_VIP_LEVEL = 5


class IdentityKind(StrEnum):
    """How a customer is recognised on a channel."""

    WEB = "web"
    EMAIL = "email"
    PHONE = "phone"
    IM = "im"
    # The shop's own user id for a customer who is logged in to the shop's site (web chat
    # identity tokens, docs/webchat.md).
    EXTERNAL = "external"


def normalize_identity(kind: IdentityKind, value: str) -> str:
    """The stored form of an identity value; e-mail addresses compare case-insensitively."""
    value = value.strip()
    return value.lower() if kind is IdentityKind.EMAIL else value


def clean_tags(values: list[str]) -> list[str]:
    """Strip, drop duplicates (first one wins) and check length; raise ``ValueError`` if bad."""
    cleaned: list[str] = []
    for value in values:
        tag = value.strip()
        if not tag or len(tag) > MAX_TAG_CHARS:
            raise ValueError(f"a tag has 1 to {MAX_TAG_CHARS} characters")
        if tag not in cleaned:
            cleaned.append(tag)
    if len(cleaned) > MAX_TAGS:
        raise ValueError(f"at most {MAX_TAGS} tags")
    return cleaned


def refuse_nul(value: object) -> object:
    """Raise ``ValueError`` for text, or a list of texts, with a NUL character in it."""
    texts = value if isinstance(value, list) else [value]
    if any(isinstance(t, str) and "\x00" in t for t in texts):
        raise ValueError("must not contain NUL characters")
    return value


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: object) -> object:
        return refuse_nul(value)


class _CustomerFields(_Input):
    @field_validator("email", check_fields=False)
    @classmethod
    def _lower_email(cls, value: str | None) -> str | None:
        return value.lower() if value else None

    @field_validator("tags", check_fields=False)
    @classmethod
    def _clean_tags(cls, values: list[str] | None) -> list[str] | None:
        return None if values is None else clean_tags(values)


class CustomerCreate(_CustomerFields):
    name: str = Field(min_length=1, max_length=100)
    email: EmailStr | None = None
    phone: str | None = Field(default=None, min_length=1, max_length=32)
    vip_level: int = Field(default=0, ge=0, le=MAX_VIP_LEVEL)
    tags: list[str] = Field(default_factory=list)
    note: str = Field(default="", max_length=2000)


class CustomerUpdate(_CustomerFields):
    """Only the fields sent change; ``email`` or ``phone`` sent as null clear them."""

    name: str | None = Field(default=None, min_length=1, max_length=100)
    email: EmailStr | None = None
    phone: str | None = Field(default=None, min_length=1, max_length=32)
    vip_level: int | None = Field(default=None, ge=0, le=MAX_VIP_LEVEL)
    tags: list[str] | None = None
    note: str | None = Field(default=None, max_length=2000)

    @model_validator(mode="after")
    def _no_null_for_required(self) -> CustomerUpdate:
        for name in ("name", "vip_level", "tags", "note"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class IdentityIn(_Input):
    kind: IdentityKind
    value: str = Field(min_length=1, max_length=254)


class IdentityOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: IdentityKind
    value: str
    created_at: datetime


class CustomerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    email: str | None
    phone: str | None
    vip_level: int
    tags: list[str]
    note: str
    created_at: datetime
    updated_at: datetime


class CustomerDetail(CustomerOut):
    identities: list[IdentityOut]


class CustomerPage(BaseModel):
    items: list[CustomerOut]
    total: int
    next_offset: int | None
