"""The shop's canned replies as a page: everyone reads them, supervisors add, edit and delete.

Plain forms answered with a redirect; a form that does not validate comes back with its values
and the reason, so nothing typed is lost.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from kefu.accounts.permissions import Permission
from kefu.http.deps import SessionDep
from kefu.http.params import IdPath
from kefu.knowledge import service
from kefu.knowledge.placeholders import PLACEHOLDERS
from kefu.knowledge.schemas import (
    MAX_BODY_CHARS,
    MAX_SHORTCUT_CHARS,
    MAX_TITLE_CHARS,
    CannedReplyIn,
    CannedReplyUpdate,
)
from kefu.shared.clock import utcnow
from kefu.shared.errors import Conflict
from kefu.shared.types import NO_NUL
from kefu.web.routing import PageRoute
from kefu.web.viewer import Viewer, ViewerDep

router = APIRouter(route_class=PageRoute, include_in_schema=False)

LIST_PATH = "/canned-replies"
Text = Annotated[str, Form(max_length=MAX_BODY_CHARS * 4)]


def _form(
    *,
    action: str,
    shortcut: str = "",
    title: str = "",
    body: str = "",
    language: str = "zh",
    error: str | None = None,
) -> dict[str, object]:
    return {
        "action": action,
        "shortcut": shortcut,
        "title": title,
        "body": body,
        "language": language,
        "error": error,
    }


def _error_key(exc: ValidationError) -> str:
    fields = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
    for name in ("shortcut", "title", "body"):
        if name in fields:
            return f"canned.error.{name}"
    return "canned.error.generic"


async def _render_list(
    request: Request,
    session: AsyncSession,
    viewer: Viewer,
    *,
    query: str = "",
    form: dict[str, object] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    replies = await service.list_canned_replies(session, actor=viewer.principal, query=query)
    return viewer.render(
        request,
        "canned/page.html",
        {
            "replies": replies,
            "query": query,
            "can_manage": viewer.can(Permission.CANNED_REPLIES_MANAGE),
            "form": form or _form(action=LIST_PATH),
            "limits": _limits(),
            "placeholders": PLACEHOLDERS,
        },
        status_code=status_code,
        page_path=LIST_PATH,
    )


def _limits() -> dict[str, int]:
    return {"shortcut": MAX_SHORTCUT_CHARS, "title": MAX_TITLE_CHARS, "body": MAX_BODY_CHARS}


@router.get(LIST_PATH)
async def canned_list(
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    q: Annotated[str, Query(max_length=100, pattern=NO_NUL)] = "",
) -> HTMLResponse:
    return await _render_list(request, session, viewer, query=q.strip())


@router.post(LIST_PATH)
async def canned_create(
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    shortcut: Annotated[str, Form(max_length=200)] = "",
    title: Annotated[str, Form(max_length=MAX_TITLE_CHARS * 4)] = "",
    body: Text = "",
    language: Annotated[str, Form(max_length=5)] = "zh",
) -> Response:
    form = _form(action=LIST_PATH, shortcut=shortcut, title=title, body=body, language=language)
    try:
        data = CannedReplyIn.model_validate(
            {"shortcut": shortcut, "title": title, "body": body, "language": language}
        )
        await service.create_canned_reply(session, actor=viewer.principal, data=data, now=utcnow())
    except ValidationError as exc:
        form["error"] = _error_key(exc)
        return await _render_list(request, session, viewer, form=form, status_code=422)
    except Conflict:
        form["error"] = "canned.error.taken"
        return await _render_list(request, session, viewer, form=form, status_code=409)
    return RedirectResponse(LIST_PATH, status_code=303)


def _render_edit(
    request: Request, viewer: Viewer, form: dict[str, object], *, status_code: int = 200
) -> HTMLResponse:
    return viewer.render(
        request,
        "canned/edit.html",
        {"form": form, "limits": _limits(), "placeholders": PLACEHOLDERS},
        status_code=status_code,
        page_path=str(form["action"]) + "/edit",
    )


@router.get(LIST_PATH + "/{canned_reply_id}/edit")
async def canned_edit(
    canned_reply_id: IdPath, request: Request, viewer: ViewerDep, session: SessionDep
) -> HTMLResponse:
    service.access_canned_replies(viewer.principal, write=True)
    reply = await service.require_canned_reply(
        session, actor=viewer.principal, reply_id=canned_reply_id
    )
    form = _form(
        action=f"{LIST_PATH}/{reply.id}",
        shortcut=reply.shortcut,
        title=reply.title,
        body=reply.body,
        language=reply.language,
    )
    return _render_edit(request, viewer, form)


@router.post(LIST_PATH + "/{canned_reply_id}")
async def canned_update(
    canned_reply_id: IdPath,
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    shortcut: Annotated[str, Form(max_length=200)] = "",
    title: Annotated[str, Form(max_length=MAX_TITLE_CHARS * 4)] = "",
    body: Text = "",
    language: Annotated[str, Form(max_length=5)] = "zh",
) -> Response:
    form = _form(
        action=f"{LIST_PATH}/{canned_reply_id}",
        shortcut=shortcut,
        title=title,
        body=body,
        language=language,
    )
    try:
        data = CannedReplyUpdate.model_validate(
            {"shortcut": shortcut, "title": title, "body": body, "language": language}
        )
    except ValidationError as exc:
        form["error"] = _error_key(exc)
        return _render_edit(request, viewer, form, status_code=422)
    try:
        await service.update_canned_reply(
            session, actor=viewer.principal, reply_id=canned_reply_id, data=data, now=utcnow()
        )
    except Conflict:
        form["error"] = "canned.error.taken"
        return _render_edit(request, viewer, form, status_code=409)
    return RedirectResponse(LIST_PATH, status_code=303)


@router.post(LIST_PATH + "/{canned_reply_id}/delete")
async def canned_delete(
    canned_reply_id: IdPath, viewer: ViewerDep, session: SessionDep
) -> Response:
    await service.delete_canned_reply(
        session, actor=viewer.principal, reply_id=canned_reply_id, now=utcnow()
    )
    return RedirectResponse(LIST_PATH, status_code=303)
