"""API shapes of the knowledge domain."""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from kefu.shared.types import NO_NUL

MAX_SHORTCUT_CHARS = 32
MAX_TITLE_CHARS = 100
MAX_BODY_CHARS = 5000

# One slash, then letters and digits of any script (退货 as well as refund), "-" and "_".
_SHORTCUT = re.compile(r"/[\w-]+")


class ReplyLanguage(StrEnum):
    ZH = "zh"
    EN = "en"


def normalize_shortcut(value: str) -> str:
    """``退货`` or ``/Refund`` become ``/退货`` and ``/refund``; raise ``ValueError`` if bad."""
    text = value.strip()
    if not text.startswith("/"):
        text = "/" + text
    text = text.lower()
    if len(text) > MAX_SHORTCUT_CHARS or not _SHORTCUT.fullmatch(text):
        raise ValueError("a shortcut is / and up to 31 letters, digits, CJK characters, '-' or '_'")
    return text


def _not_blank(value: str | None) -> str | None:
    if value is not None and not value.strip():
        raise ValueError("must not be blank")
    return value.strip() if value is not None else None


class CannedReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    shortcut: str = Field(min_length=1, max_length=MAX_SHORTCUT_CHARS)
    title: str = Field(min_length=1, max_length=MAX_TITLE_CHARS, pattern=NO_NUL)
    body: str = Field(min_length=1, max_length=MAX_BODY_CHARS, pattern=NO_NUL)
    language: ReplyLanguage = ReplyLanguage.ZH

    @field_validator("shortcut")
    @classmethod
    def _shortcut(cls, value: str) -> str:
        return normalize_shortcut(value)

    @field_validator("title", "body")
    @classmethod
    def _text(cls, value: str) -> str:
        cleaned = _not_blank(value)
        assert cleaned is not None
        return cleaned


class CannedReplyUpdate(BaseModel):
    """Only the fields sent change; none of them may be null."""

    model_config = ConfigDict(extra="forbid")

    shortcut: str | None = Field(default=None, min_length=1, max_length=MAX_SHORTCUT_CHARS)
    title: str | None = Field(
        default=None, min_length=1, max_length=MAX_TITLE_CHARS, pattern=NO_NUL
    )
    body: str | None = Field(default=None, min_length=1, max_length=MAX_BODY_CHARS, pattern=NO_NUL)
    language: ReplyLanguage | None = None

    @field_validator("shortcut")
    @classmethod
    def _shortcut(cls, value: str | None) -> str | None:
        if value is None:
            raise ValueError("shortcut cannot be null")
        return normalize_shortcut(value)

    @field_validator("title", "body", "language", mode="before")
    @classmethod
    def _no_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("cannot be null")
        return _not_blank(value) if isinstance(value, str) else value


class CannedReplyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    shortcut: str
    title: str
    body: str
    language: ReplyLanguage
    created_by_id: int | None
    created_at: datetime
    updated_at: datetime
