"""The web-chat WebSocket protocol: frames a client may send, validated before anything runs."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel, model_validator

from kefu.attachments.schemas import AttachmentIds
from kefu.conversations.schemas import OptionalMessageBody, body_or_files
from kefu.shared.types import MAX_ID


class _Frame(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SendFrame(_Frame):
    """A message; ``client_id`` is chosen by the client and makes resending safe. It may carry
    files the visitor uploaded (``attachment_ids``), and then needs no text."""

    type: Literal["send"]
    client_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
    body: OptionalMessageBody = ""
    attachment_ids: AttachmentIds = []

    @model_validator(mode="after")
    def _body_or_files(self) -> SendFrame:
        self.body = body_or_files(self.body, self.attachment_ids)
        return self


class ResumeFrame(_Frame):
    """Ask for every message after the last one the client has (0 for all)."""

    type: Literal["resume"]
    after_id: int = Field(default=0, ge=0, le=MAX_ID)


class TypingFrame(_Frame):
    type: Literal["typing"]
    conversation_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class ReadFrame(_Frame):
    type: Literal["read"]
    up_to: int = Field(ge=0, le=MAX_ID)
    conversation_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class PingFrame(_Frame):
    type: Literal["ping"]


AnyFrame = SendFrame | ResumeFrame | TypingFrame | ReadFrame | PingFrame


class ClientFrame(RootModel[AnyFrame]):
    """Any frame a client may send, told apart by its ``type``."""

    root: AnyFrame = Field(discriminator="type")


def parse_frame(raw: str) -> AnyFrame:
    """The frame in ``raw``; raises ``pydantic.ValidationError`` if it is not one."""
    return ClientFrame.model_validate_json(raw).root
