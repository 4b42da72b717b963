"""The knowledge base as pages: the list with search, filters and categories, the editor with
its version history, and publishing; agents read published entries, supervisors edit.

Plain forms answered with a redirect; a form that does not validate comes back with what was
typed and the reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, TypeVar

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from kefu.accounts import service as accounts
from kefu.accounts.permissions import Permission
from kefu.http.deps import SessionDep
from kefu.http.params import IdPath
from kefu.knowledge import kb, kb_categories, kb_search
from kefu.knowledge.kb_schemas import (
    MAX_CATEGORY_CHARS,
    MAX_KB_BODY_CHARS,
    MAX_KB_TITLE_CHARS,
    MAX_NOTE_CHARS,
    ArticleKind,
    ArticleStatus,
    KbArticleIn,
    KbArticleUpdate,
    KbCategoryIn,
)
from kefu.knowledge.models import KbVersion
from kefu.knowledge.schemas import ReplyLanguage
from kefu.shared.clock import utcnow
from kefu.shared.errors import Conflict
from kefu.shared.types import MAX_ID, NO_NUL
from kefu.web.routing import PageRoute
from kefu.web.viewer import Viewer, ViewerDep

router = APIRouter(route_class=PageRoute, include_in_schema=False)

LIST_PATH = "/kb"
LIST_LIMIT = 100
BEST_ANSWERS = 5
Short = Annotated[str, Form(max_length=40)]
Long = Annotated[str, Form(max_length=MAX_KB_BODY_CHARS * 4)]


E = TypeVar("E", ArticleStatus, ReplyLanguage, ArticleKind)


def _enum(kind: type[E], raw: str) -> E | None:
    try:
        return kind(raw)
    except ValueError:
        return None


def _id(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and 1 <= int(raw) <= MAX_ID else None


@router.get(LIST_PATH)
async def kb_list(
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    q: Annotated[str, Query(max_length=200, pattern=NO_NUL)] = "",
    category: Annotated[str, Query(max_length=12)] = "",
    status: Annotated[str, Query(max_length=12)] = "",
    language: Annotated[str, Query(max_length=4)] = "",
    kind: Annotated[str, Query(max_length=10)] = "",
) -> HTMLResponse:
    actor = viewer.principal
    query = q.strip()
    filters = kb.ArticleFilter(
        query=query,
        category_id=_id(category),
        uncategorised=category == "none",
        status=_enum(ArticleStatus, status),
        language=_enum(ReplyLanguage, language),
        kind=_enum(ArticleKind, kind),
    )
    best = []
    if query:
        best = await kb_search.search(
            session,
            actor=actor,
            query=query,
            limit=BEST_ANSWERS,
            language=filters.language,
            kind=filters.kind,
        )
    articles, total = await kb.list_articles(
        session, actor=actor, filters=filters, limit=LIST_LIMIT
    )
    shown = {hit.article_id for hit in best}
    categories = await kb_categories.list_categories(session, actor=actor)
    return viewer.render(
        request,
        "kb/page.html",
        {
            "query": query,
            "filters": {"category": category, "status": status, "language": language, "kind": kind},
            "best": best,
            "articles": [d for d in articles if d.article.id not in shown],
            "total": total,
            "categories": categories,
            "category_names": {c.id: c.name for c in categories},
            "counts": await kb.count_by_category(session, actor=actor),
            "can_manage": viewer.can(Permission.KNOWLEDGE_MANAGE),
            "statuses": list(ArticleStatus),
            "category_error": None,
            "max_category": MAX_CATEGORY_CHARS,
        },
    )


@router.post(LIST_PATH + "/categories")
async def kb_category_create(
    viewer: ViewerDep,
    session: SessionDep,
    name: Annotated[str, Form(max_length=MAX_CATEGORY_CHARS * 4)] = "",
) -> Response:
    kb.access_kb(viewer.principal, write=True)
    try:
        data = KbCategoryIn(name=name)
        category = await kb_categories.create_category(
            session, actor=viewer.principal, data=data, now=utcnow()
        )
    except (ValidationError, Conflict):
        return RedirectResponse(LIST_PATH, status_code=303)
    return RedirectResponse(f"{LIST_PATH}?category={category.id}", status_code=303)


def _form(action: str, kind: str, **values: object) -> dict[str, object]:
    form: dict[str, object] = {
        "action": action,
        "kind": kind,
        "title": "",
        "questions": "",
        "body": "",
        "category_id": None,
        "language": "zh",
        "note": "",
        "error": None,
    }
    form.update(values)
    return form


def _error_key(exc: ValidationError) -> str:
    fields = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
    for name in ("title", "questions", "body"):
        if name in fields:
            return f"kb.error.{name}"
    return "kb.error.generic"


def _limits() -> dict[str, int]:
    return {"title": MAX_KB_TITLE_CHARS, "body": MAX_KB_BODY_CHARS, "note": MAX_NOTE_CHARS}


async def _render_editor(
    request: Request,
    session: AsyncSession,
    viewer: Viewer,
    form: dict[str, object],
    *,
    detail: kb.ArticleDetail | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    history: Sequence[KbVersion] = ()
    names: dict[int, str] = {}
    if detail is not None and viewer.can(Permission.KNOWLEDGE_MANAGE):
        _article, history = await kb.list_versions(
            session, actor=viewer.principal, article_id=detail.article.id
        )
        for user_id in {v.author_id for v in history if v.author_id is not None}:
            user = await accounts.get_user(session, user_id)
            if user is not None and user.shop_id == viewer.principal.shop_id:
                names[user_id] = user.name
    return viewer.render(
        request,
        "kb/article.html",
        {
            "form": form,
            "detail": detail,
            "history": history,
            "author_names": names,
            "categories": await kb_categories.list_categories(session, actor=viewer.principal),
            "can_manage": viewer.can(Permission.KNOWLEDGE_MANAGE),
            "limits": _limits(),
            "questions_of": kb.questions_of,
        },
        status_code=status_code,
        page_path=f"{LIST_PATH}/{detail.article.id}" if detail else f"{LIST_PATH}/new",
    )


@router.get(LIST_PATH + "/new")
async def kb_new(
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    kind: Annotated[str, Query(max_length=10)] = "faq",
    category: Annotated[str, Query(max_length=12)] = "",
) -> HTMLResponse:
    kb.access_kb(viewer.principal, write=True)
    chosen = _enum(ArticleKind, kind) or ArticleKind.FAQ
    form = _form(LIST_PATH, chosen.value, category_id=_id(category))
    return await _render_editor(request, session, viewer, form)


def _fields(
    title: str, questions: str, body: str, category: str, language: str, note: str
) -> dict[str, object]:
    return {
        "title": title,
        "questions": questions.splitlines(),
        "body": body,
        "category_id": _id(category),
        "language": language,
        "note": note,
    }


@router.post(LIST_PATH)
async def kb_create(
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    kind: Short = "faq",
    title: Long = "",
    questions: Long = "",
    body: Long = "",
    category: Short = "",
    language: Short = "zh",
    note: Long = "",
) -> Response:
    form = _form(
        LIST_PATH, kind, title=title, questions=questions, body=body,
        category_id=_id(category), language=language, note=note,
    )  # fmt: skip
    try:
        data = KbArticleIn.model_validate(
            {"kind": kind, **_fields(title, questions, body, category, language, note)}
        )
    except ValidationError as exc:
        form["error"] = _error_key(exc)
        return await _render_editor(request, session, viewer, form, status_code=422)
    detail = await kb.create_article(session, actor=viewer.principal, data=data, now=utcnow())
    return RedirectResponse(f"{LIST_PATH}/{detail.article.id}", status_code=303)


def _form_of(detail: kb.ArticleDetail) -> dict[str, object]:
    article, version = detail.article, detail.latest
    return _form(
        f"{LIST_PATH}/{article.id}", article.kind, title=version.title,
        questions="\n".join(kb.questions_of(version)), body=version.body,
        category_id=article.category_id, language=article.language,
    )  # fmt: skip


@router.get(LIST_PATH + "/{article_id}")
async def kb_article(
    article_id: IdPath, request: Request, viewer: ViewerDep, session: SessionDep
) -> HTMLResponse:
    detail = await kb.article_detail(session, actor=viewer.principal, article_id=article_id)
    return await _render_editor(request, session, viewer, _form_of(detail), detail=detail)


@router.post(LIST_PATH + "/{article_id}")
async def kb_save(
    article_id: IdPath,
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    title: Long = "",
    questions: Long = "",
    body: Long = "",
    category: Short = "",
    language: Short = "zh",
    note: Long = "",
) -> Response:
    kb.access_kb(viewer.principal, write=True)
    detail = await kb.article_detail(session, actor=viewer.principal, article_id=article_id)
    form = _form(
        f"{LIST_PATH}/{article_id}", detail.article.kind, title=title, questions=questions,
        body=body, category_id=_id(category), language=language, note=note,
    )  # fmt: skip
    fields = _fields(title, questions, body, category, language, note)
    if detail.article.kind != ArticleKind.FAQ.value:
        fields.pop("questions")
    try:
        data = KbArticleUpdate.model_validate(fields)
        await kb.update_article(
            session, actor=viewer.principal, article_id=article_id, data=data, now=utcnow()
        )
    except ValidationError as exc:
        form["error"] = _error_key(exc)
        return await _render_editor(request, session, viewer, form, detail=detail, status_code=422)
    except Conflict:
        form["error"] = "kb.error.conflict"
        return await _render_editor(request, session, viewer, form, detail=detail, status_code=409)
    return RedirectResponse(f"{LIST_PATH}/{article_id}", status_code=303)


@router.post(LIST_PATH + "/{article_id}/publish")
async def kb_publish(
    article_id: IdPath,
    viewer: ViewerDep,
    session: SessionDep,
    version_id: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    await kb.publish_article(
        session,
        actor=viewer.principal,
        article_id=article_id,
        version_id=_id(version_id),
        now=utcnow(),
    )
    return RedirectResponse(f"{LIST_PATH}/{article_id}", status_code=303)


@router.post(LIST_PATH + "/{article_id}/archive")
async def kb_archive(article_id: IdPath, viewer: ViewerDep, session: SessionDep) -> Response:
    await kb.archive_article(session, actor=viewer.principal, article_id=article_id, now=utcnow())
    return RedirectResponse(f"{LIST_PATH}/{article_id}", status_code=303)


@router.post(LIST_PATH + "/{article_id}/versions/{version_id}/restore")
async def kb_restore(
    article_id: IdPath, version_id: IdPath, viewer: ViewerDep, session: SessionDep
) -> Response:
    await kb.restore_version(
        session, actor=viewer.principal, article_id=article_id, version_id=version_id, now=utcnow()
    )
    return RedirectResponse(f"{LIST_PATH}/{article_id}", status_code=303)
