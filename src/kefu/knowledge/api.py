"""HTTP routes of the knowledge domain: the shop's canned replies."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from kefu.http.deps import CurrentPrincipal, SessionDep
from kefu.http.params import IdPath
from kefu.knowledge import service
from kefu.knowledge.schemas import CannedReplyIn, CannedReplyOut, CannedReplyUpdate
from kefu.shared.clock import utcnow
from kefu.shared.types import NO_NUL

router = APIRouter(prefix="/api/v1/canned-replies", tags=["canned replies"])


@router.get("", response_model=list[CannedReplyOut])
async def list_canned_replies(
    principal: CurrentPrincipal,
    session: SessionDep,
    q: Annotated[
        str | None,
        Query(max_length=100, pattern=NO_NUL, description="part of a shortcut or title"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=service.MAX_RESULTS)] = 50,
) -> list[CannedReplyOut]:
    replies = await service.list_canned_replies(session, actor=principal, query=q, limit=limit)
    return [CannedReplyOut.model_validate(r) for r in replies]


@router.post("", response_model=CannedReplyOut, status_code=status.HTTP_201_CREATED)
async def create_canned_reply(
    body: CannedReplyIn, principal: CurrentPrincipal, session: SessionDep
) -> CannedReplyOut:
    reply = await service.create_canned_reply(session, actor=principal, data=body, now=utcnow())
    return CannedReplyOut.model_validate(reply)


@router.patch("/{canned_reply_id}", response_model=CannedReplyOut)
async def update_canned_reply(
    canned_reply_id: IdPath,
    body: CannedReplyUpdate,
    principal: CurrentPrincipal,
    session: SessionDep,
) -> CannedReplyOut:
    reply = await service.update_canned_reply(
        session, actor=principal, reply_id=canned_reply_id, data=body, now=utcnow()
    )
    return CannedReplyOut.model_validate(reply)


@router.delete("/{canned_reply_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_canned_reply(
    canned_reply_id: IdPath, principal: CurrentPrincipal, session: SessionDep
) -> Response:
    await service.delete_canned_reply(
        session, actor=principal, reply_id=canned_reply_id, now=utcnow()
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
