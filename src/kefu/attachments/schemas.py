"""API shapes of the attachments domain."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from kefu.shared.types import DbId

MAX_ATTACHMENTS = 5

# The uploads a message carries: at most MAX_ATTACHMENTS ids of the sender's own unsent uploads.
AttachmentIds = Annotated[list[DbId], Field(max_length=MAX_ATTACHMENTS)]


class AttachmentOut(BaseModel):
    id: int
    name: str
    content_type: str
    size: int
    is_image: bool
    url: str


class AttachmentCreated(BaseModel):
    attachment: AttachmentOut
