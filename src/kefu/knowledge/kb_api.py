"""HTTP routes of the knowledge base: categories, articles and FAQ entries, versions, search."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from kefu.http.deps import CurrentPrincipal, SessionDep
from kefu.http.params import IdPath, Offset, OptionalIdQuery
from kefu.knowledge import kb, kb_categories, kb_search
from kefu.knowledge.kb_schemas import (
    ArticleKind,
    ArticleStatus,
    KbArticleIn,
    KbArticleOut,
    KbArticlePage,
    KbArticleUpdate,
    KbCategoryIn,
    KbCategoryOut,
    KbCategoryUpdate,
    KbSearchHit,
    KbVersionOut,
    PublishIn,
)
from kefu.knowledge.schemas import ReplyLanguage
from kefu.shared.clock import utcnow
from kefu.shared.types import NO_NUL

router = APIRouter(prefix="/api/v1/kb", tags=["knowledge base"])

QueryText = Annotated[str, Query(max_length=200, pattern=NO_NUL)]


@router.get("/categories", response_model=list[KbCategoryOut])
async def list_categories(principal: CurrentPrincipal, session: SessionDep) -> list[KbCategoryOut]:
    categories = await kb_categories.list_categories(session, actor=principal)
    return [KbCategoryOut.model_validate(c) for c in categories]


@router.post("/categories", response_model=KbCategoryOut, status_code=status.HTTP_201_CREATED)
async def create_category(
    body: KbCategoryIn, principal: CurrentPrincipal, session: SessionDep
) -> KbCategoryOut:
    category = await kb_categories.create_category(
        session, actor=principal, data=body, now=utcnow()
    )
    return KbCategoryOut.model_validate(category)


@router.patch("/categories/{category_id}", response_model=KbCategoryOut)
async def update_category(
    category_id: IdPath, body: KbCategoryUpdate, principal: CurrentPrincipal, session: SessionDep
) -> KbCategoryOut:
    category = await kb_categories.update_category(
        session, actor=principal, category_id=category_id, data=body, now=utcnow()
    )
    return KbCategoryOut.model_validate(category)


@router.get("/articles", response_model=KbArticlePage)
async def list_articles(
    principal: CurrentPrincipal,
    session: SessionDep,
    q: QueryText = "",
    category_id: OptionalIdQuery = None,
    status: ArticleStatus | None = None,
    language: ReplyLanguage | None = None,
    kind: ArticleKind | None = None,
    limit: Annotated[int, Query(ge=1, le=kb.MAX_RESULTS)] = 50,
    offset: Offset = 0,
) -> KbArticlePage:
    """Substring search (drafts too, for editors); ``/kb/search`` ranks published answers."""
    filters = kb.ArticleFilter(
        query=q, category_id=category_id, status=status, language=language, kind=kind
    )
    details, total = await kb.list_articles(
        session, actor=principal, filters=filters, limit=limit, offset=offset
    )
    return KbArticlePage(
        items=[kb.article_out(d) for d in details],
        total=total,
        next_offset=offset + limit if offset + limit < total else None,
    )


@router.post("/articles", response_model=KbArticleOut, status_code=status.HTTP_201_CREATED)
async def create_article(
    body: KbArticleIn, principal: CurrentPrincipal, session: SessionDep
) -> KbArticleOut:
    detail = await kb.create_article(session, actor=principal, data=body, now=utcnow())
    return kb.article_out(detail)


@router.get("/articles/{article_id}", response_model=KbArticleOut)
async def get_article(
    article_id: IdPath, principal: CurrentPrincipal, session: SessionDep
) -> KbArticleOut:
    return kb.article_out(await kb.article_detail(session, actor=principal, article_id=article_id))


@router.patch("/articles/{article_id}", response_model=KbArticleOut)
async def update_article(
    article_id: IdPath, body: KbArticleUpdate, principal: CurrentPrincipal, session: SessionDep
) -> KbArticleOut:
    """New text becomes a new draft version; the published one stays until published."""
    detail = await kb.update_article(
        session, actor=principal, article_id=article_id, data=body, now=utcnow()
    )
    return kb.article_out(detail)


@router.post("/articles/{article_id}/publish", response_model=KbArticleOut)
async def publish_article(
    article_id: IdPath,
    principal: CurrentPrincipal,
    session: SessionDep,
    body: PublishIn | None = None,
) -> KbArticleOut:
    detail = await kb.publish_article(
        session,
        actor=principal,
        article_id=article_id,
        version_id=body.version_id if body else None,
        now=utcnow(),
    )
    return kb.article_out(detail)


@router.post("/articles/{article_id}/archive", response_model=KbArticleOut)
async def archive_article(
    article_id: IdPath, principal: CurrentPrincipal, session: SessionDep
) -> KbArticleOut:
    detail = await kb.archive_article(session, actor=principal, article_id=article_id, now=utcnow())
    return kb.article_out(detail)


@router.get("/articles/{article_id}/versions", response_model=list[KbVersionOut])
async def list_versions(
    article_id: IdPath, principal: CurrentPrincipal, session: SessionDep
) -> list[KbVersionOut]:
    article, versions = await kb.list_versions(session, actor=principal, article_id=article_id)
    return [kb.version_out(v, article.current_version_id) for v in versions]


@router.post(
    "/articles/{article_id}/versions/{version_id}/restore",
    response_model=KbArticleOut,
    status_code=status.HTTP_201_CREATED,
)
async def restore_version(
    article_id: IdPath, version_id: IdPath, principal: CurrentPrincipal, session: SessionDep
) -> KbArticleOut:
    """A new draft with an old version's text."""
    detail = await kb.restore_version(
        session, actor=principal, article_id=article_id, version_id=version_id, now=utcnow()
    )
    return kb.article_out(detail)


@router.get("/search", response_model=list[KbSearchHit])
async def search(
    principal: CurrentPrincipal,
    session: SessionDep,
    q: Annotated[str, Query(min_length=1, max_length=500, pattern=NO_NUL)],
    language: ReplyLanguage | None = None,
    kind: ArticleKind | None = None,
    limit: Annotated[int, Query(ge=1, le=kb_search.MAX_SEARCH_RESULTS)] = 10,
) -> list[KbSearchHit]:
    """Published articles and FAQ answers ranked by how well they answer ``q``."""
    return await kb_search.search(
        session, actor=principal, query=q, limit=limit, language=language, kind=kind
    )
