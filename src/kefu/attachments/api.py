"""HTTP routes of attachments: uploads by agents and by web-chat visitors, and downloads."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Header, Path, Request, UploadFile, status
from fastapi.responses import FileResponse

from kefu.accounts.api import client_address
from kefu.attachments import service, sniff
from kefu.attachments.schemas import AttachmentCreated
from kefu.attachments.service import Incoming, Uploader, Uploads
from kefu.channels import webchat, widget
from kefu.channels.visitor import VisitorTokens
from kefu.http.deps import CurrentPrincipal, SessionDep
from kefu.shared.clock import utcnow
from kefu.shared.errors import NotAuthenticated, NotFound
from kefu.shared.types import MAX_ID

CHUNK_BYTES = 64 * 1024
VISITOR_HEADER = "X-Kefu-Visitor"
# Upload routes take bodies up to the upload limit plus this much for the multipart framing.
MULTIPART_OVERHEAD = 64 * 1024
UPLOAD_PATHS = (r"/api/v1/attachments", r"/api/v1/webchat/[^/]+/attachments")

router = APIRouter(tags=["attachments"])
files_router = APIRouter(include_in_schema=False)

# A file served back must never run as a page of this origin, whatever its bytes are.
FILE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cache-Control": "private, max-age=86400",
    "Referrer-Policy": "no-referrer",
}
_UPLOAD_RESPONSES: dict[int | str, dict[str, Any]] = {
    413: {"description": "the file is larger than the limit (``details.max_bytes``)"},
    415: {"description": "not an accepted type (``details.allowed``)"},
}


def get_uploads(request: Request) -> Uploads:
    uploads: Uploads = request.app.state.uploads
    return uploads


UploadsDep = Annotated[Uploads, Depends(get_uploads)]
UploadedFile = Annotated[UploadFile, File(description="the image or document")]
ShopSlug = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


async def _chunks(upload: UploadFile) -> AsyncIterator[bytes]:
    while chunk := await upload.read(CHUNK_BYTES):
        yield chunk


def _incoming(upload: UploadFile) -> Incoming:
    return Incoming(filename=upload.filename or "", chunks=_chunks(upload))


@router.post(
    "/api/v1/attachments",
    response_model=AttachmentCreated,
    status_code=status.HTTP_201_CREATED,
    responses=_UPLOAD_RESPONSES,
)
async def upload_attachment(
    file: UploadedFile, principal: CurrentPrincipal, session: SessionDep, uploads: UploadsDep
) -> AttachmentCreated:
    """Upload a file for a reply or note; send it with ``attachment_ids`` on the message."""
    attachment = await service.upload_as_agent(
        session, actor=principal, uploads=uploads, file=_incoming(file), now=utcnow()
    )
    return AttachmentCreated(attachment=service.describe(attachment))


@router.post(
    "/api/v1/webchat/{shop_slug}/attachments",
    response_model=AttachmentCreated,
    status_code=status.HTTP_201_CREATED,
    responses=_UPLOAD_RESPONSES,
)
async def upload_visitor_attachment(
    shop_slug: ShopSlug,
    file: UploadedFile,
    request: Request,
    session: SessionDep,
    uploads: UploadsDep,
    visitor_token: Annotated[
        str | None, Header(alias=VISITOR_HEADER, max_length=4096, description="visitor token")
    ] = None,
    identity_token: Annotated[
        str | None,
        Header(
            alias="X-Kefu-Identity",
            max_length=4096,
            description="the shop's identity token, for a signed-in customer (as on the socket)",
        ),
    ] = None,
) -> AttachmentCreated:
    """A web-chat visitor uploads a file, then sends it with ``attachment_ids`` on a send frame.
    The tokens are the ones the chat socket uses, so the upload is the same customer's."""
    shop_id = await webchat.shop_id_for_slug(session, shop_slug)
    tokens: VisitorTokens = request.app.state.visitor_tokens
    if not visitor_token or tokens.read(visitor_token, shop_id=shop_id) is None:
        raise NotAuthenticated(
            f"send the visitor token of this shop's chat in {VISITOR_HEADER}",
            code="bad_visitor_token",
        )
    presented = widget.VisitorTokenPair(visitor=visitor_token, identity=identity_token or "")
    _token, visitor = await widget.open_visitor(
        session, tokens=tokens, shop_slug=shop_slug, presented=presented, now=utcnow()
    )
    attachment = await service.upload_as_visitor(
        session,
        uploads=uploads,
        uploader=Uploader(shop_id=shop_id, customer_id=visitor.customer_id),
        address=client_address(request),
        file=_incoming(file),
        now=utcnow(),
    )
    return AttachmentCreated(attachment=service.describe(attachment))


@files_router.get("/files/{attachment_id}/{access_key}/{filename}")
async def download(
    attachment_id: str, access_key: str, filename: str, session: SessionDep, uploads: UploadsDep
) -> FileResponse:
    """A file by its address, for agents and visitors alike (no login: the address is the key).
    Images show inline; everything else downloads. ``filename`` is only for the browser."""
    if not attachment_id.isdigit() or not 1 <= int(attachment_id) <= MAX_ID:
        raise NotFound("no such file", code="file_not_found")
    attachment = await service.require_download(
        session, attachment_id=int(attachment_id), access_key=access_key
    )
    path = uploads.store.local_path(attachment.storage_key)
    if not path.is_file():
        raise NotFound("the file is gone", code="file_not_found")
    inline = sniff.is_image(attachment.content_type)
    return FileResponse(
        path,
        media_type=attachment.content_type,
        filename=attachment.name,
        content_disposition_type="inline" if inline else "attachment",
        headers=FILE_HEADERS,
    )
