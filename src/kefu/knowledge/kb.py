"""The knowledge base's articles and FAQ entries: drafts, versions, publishing and history.

Every edit of an article's text writes a new ``KbVersion`` (a draft); publishing makes one
version current, and only current versions of published articles reach agents, search and the
bot. Restoring an old version copies it into a new draft, so history only ever grows.

Agents (anyone who reads conversations) read published articles; ``knowledge.manage``
(supervisors and above) sees drafts and archived ones and writes. Write use cases commit their
own transaction and leave an audit row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kefu.accounts import service as accounts
from kefu.accounts.permissions import Permission
from kefu.accounts.principal import Principal
from kefu.knowledge.kb_schemas import (
    ArticleKind,
    ArticleStatus,
    KbArticleIn,
    KbArticleOut,
    KbArticleUpdate,
    KbVersionOut,
)
from kefu.knowledge.models import KbArticle, KbCategory, KbVersion
from kefu.knowledge.schemas import ReplyLanguage
from kefu.shared.errors import Conflict, InvalidInput, NotFound

MAX_RESULTS = 200


def access_kb(actor: Principal, *, write: bool = False) -> None:
    """Reading needs what agents have (the conversations it helps with); writing, drafts and
    history need ``knowledge.manage``."""
    actor.require(Permission.KNOWLEDGE_MANAGE if write else Permission.CONVERSATIONS_READ)


def sees_drafts(actor: Principal) -> bool:
    return actor.can(Permission.KNOWLEDGE_MANAGE)


def questions_of(version: KbVersion) -> list[str]:
    return [line for line in version.questions.splitlines() if line.strip()]


@dataclass(frozen=True, slots=True)
class ArticleDetail:
    """An article with its newest version and its published one (the same row when no draft)."""

    article: KbArticle
    latest: KbVersion
    current: KbVersion | None

    @property
    def has_draft(self) -> bool:
        return self.current is None or self.current.id != self.latest.id


def version_out(version: KbVersion, current_id: int | None) -> KbVersionOut:
    return KbVersionOut(
        id=version.id,
        number=version.number,
        title=version.title,
        body=version.body,
        questions=questions_of(version),
        note=version.note,
        author_id=version.author_id,
        created_at=version.created_at,
        is_current=version.id == current_id,
    )


def article_out(detail: ArticleDetail) -> KbArticleOut:
    article = detail.article
    current_id = article.current_version_id
    return KbArticleOut(
        id=article.id,
        kind=ArticleKind(article.kind),
        language=ReplyLanguage(article.language),
        status=ArticleStatus(article.status),
        category_id=article.category_id,
        current_version_id=current_id,
        has_draft=detail.has_draft,
        latest=version_out(detail.latest, current_id),
        current=version_out(detail.current, current_id) if detail.current else None,
        created_by_id=article.created_by_id,
        updated_by_id=article.updated_by_id,
        created_at=article.created_at,
        updated_at=article.updated_at,
        published_at=article.published_at,
    )


# ---- reading ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ArticleFilter:
    query: str = ""
    category_id: int | None = None
    uncategorised: bool = False
    status: ArticleStatus | None = None
    language: ReplyLanguage | None = None
    kind: ArticleKind | None = None


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _listing(actor: Principal, filters: ArticleFilter) -> Select[tuple[KbArticle, KbVersion]]:
    """Articles with the version the actor works from: editors the newest, agents the published."""
    if sees_drafts(actor):
        shown = and_(
            KbVersion.article_id == KbArticle.id, KbVersion.number == KbArticle.latest_version_no
        )
    else:
        shown = KbVersion.id == KbArticle.current_version_id
    statement = (
        select(KbArticle, KbVersion)
        .join(KbVersion, shown)
        .where(KbArticle.shop_id == actor.shop_id)
    )
    if not sees_drafts(actor):
        statement = statement.where(KbArticle.status == ArticleStatus.PUBLISHED.value)
    elif filters.status is not None:
        statement = statement.where(KbArticle.status == filters.status.value)
    if filters.category_id is not None:
        statement = statement.where(KbArticle.category_id == filters.category_id)
    elif filters.uncategorised:
        statement = statement.where(KbArticle.category_id.is_(None))
    if filters.language is not None:
        statement = statement.where(KbArticle.language == filters.language.value)
    if filters.kind is not None:
        statement = statement.where(KbArticle.kind == filters.kind.value)
    words = filters.query.strip().lower()
    if words:
        pattern = _like(words)
        statement = statement.where(
            or_(
                func.lower(KbVersion.title).like(pattern, escape="\\"),
                func.lower(KbVersion.questions).like(pattern, escape="\\"),
                func.lower(KbVersion.body).like(pattern, escape="\\"),
            )
        )
    return statement


async def _with_current(
    session: AsyncSession, rows: Sequence[tuple[KbArticle, KbVersion]]
) -> list[ArticleDetail]:
    missing = [a.current_version_id for a, v in rows if a.current_version_id not in (None, v.id)]
    current: dict[int, KbVersion] = {}
    if missing:
        found = await session.scalars(select(KbVersion).where(KbVersion.id.in_(missing)))
        current = {v.id: v for v in found}
    details = []
    for article, version in rows:
        cid = article.current_version_id
        details.append(
            ArticleDetail(article, version, version if cid == version.id else current.get(cid or 0))
        )
    return details


async def list_articles(
    session: AsyncSession,
    *,
    actor: Principal,
    filters: ArticleFilter,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[ArticleDetail], int]:
    """A page of the shop's articles, newest change first, and how many match in all. The query
    is a plain substring match on title, questions and body (drafts included for editors);
    ranked search over published articles is ``kb_search.search``."""
    access_kb(actor)
    statement = _listing(actor, filters)
    total = await session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    rows = await session.execute(
        statement.order_by(KbArticle.updated_at.desc(), KbArticle.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return await _with_current(session, [(a, v) for a, v in rows.tuples()]), total


async def count_by_category(session: AsyncSession, *, actor: Principal) -> dict[int | None, int]:
    """How many articles the actor can see on each shelf (``None``: uncategorised)."""
    access_kb(actor)
    statement = (
        select(KbArticle.category_id, func.count())
        .where(KbArticle.shop_id == actor.shop_id)
        .group_by(KbArticle.category_id)
    )
    if not sees_drafts(actor):
        statement = statement.where(KbArticle.status == ArticleStatus.PUBLISHED.value)
    rows = await session.execute(statement)
    return {category_id: count for category_id, count in rows.tuples()}


async def require_article(session: AsyncSession, *, actor: Principal, article_id: int) -> KbArticle:
    """The article, if it is the actor's shop's and they may see it (agents: published only)."""
    access_kb(actor)
    article = await session.get(KbArticle, article_id)
    visible = article is not None and article.shop_id == actor.shop_id
    if visible and not sees_drafts(actor):
        visible = article is not None and article.status == ArticleStatus.PUBLISHED.value
    if not visible or article is None:
        raise NotFound(f"no knowledge-base article {article_id}", code="article_not_found")
    return article


async def _version(session: AsyncSession, article: KbArticle, number: int) -> KbVersion:
    version = await session.scalar(
        select(KbVersion).where(KbVersion.article_id == article.id, KbVersion.number == number)
    )
    assert version is not None, "an article always has its latest version"
    return version


async def article_detail(
    session: AsyncSession, *, actor: Principal, article_id: int
) -> ArticleDetail:
    article = await require_article(session, actor=actor, article_id=article_id)
    current = (
        await session.get(KbVersion, article.current_version_id)
        if article.current_version_id
        else None
    )
    if not sees_drafts(actor):
        assert current is not None
        return ArticleDetail(article, current, current)
    latest = await _version(session, article, article.latest_version_no)
    return ArticleDetail(article, latest, current)


async def list_versions(
    session: AsyncSession, *, actor: Principal, article_id: int
) -> tuple[KbArticle, Sequence[KbVersion]]:
    """The article and its history, newest first."""
    access_kb(actor, write=True)
    article = await require_article(session, actor=actor, article_id=article_id)
    rows = await session.scalars(
        select(KbVersion)
        .where(KbVersion.article_id == article.id)
        .order_by(KbVersion.number.desc())
    )
    return article, rows.all()


async def require_version(
    session: AsyncSession, *, article: KbArticle, version_id: int
) -> KbVersion:
    version = await session.get(KbVersion, version_id)
    if version is None or version.article_id != article.id:
        raise NotFound(f"no version {version_id} of this article", code="version_not_found")
    return version


# ---- writing ------------------------------------------------------------------------------


async def _check_category(
    session: AsyncSession, *, actor: Principal, category_id: int | None
) -> None:
    if category_id is None:
        return
    category = await session.get(KbCategory, category_id)
    if category is None or category.shop_id != actor.shop_id:
        raise InvalidInput(f"no category {category_id}", code="category_not_found")


async def _commit(session: AsyncSession) -> None:
    try:
        await session.commit()
    except IntegrityError:  # two editors saved the same article at the same moment
        await session.rollback()
        raise Conflict(
            "the article changed meanwhile; reload and save again", code="version_conflict"
        ) from None


async def _audit(
    session: AsyncSession, actor: Principal, action: str, article: KbArticle, now: datetime,
    **detail: object,
) -> None:  # fmt: skip
    await accounts.record_audit(
        session, actor=actor, action=f"kb_article.{action}", target_type="kb_article",
        target_id=article.id, now=now, detail=detail,
    )  # fmt: skip


async def create_article(
    session: AsyncSession, *, actor: Principal, data: KbArticleIn, now: datetime
) -> ArticleDetail:
    access_kb(actor, write=True)
    await _check_category(session, actor=actor, category_id=data.category_id)
    article = KbArticle(
        shop_id=actor.shop_id, category_id=data.category_id, kind=data.kind.value,
        language=data.language.value, status=ArticleStatus.DRAFT.value, latest_version_no=1,
        created_by_id=actor.user_id, updated_by_id=actor.user_id, created_at=now, updated_at=now,
    )  # fmt: skip
    session.add(article)
    await session.flush()
    version = KbVersion(
        article_id=article.id, shop_id=actor.shop_id, number=1, title=data.title, body=data.body,
        questions="\n".join(data.questions) if data.kind is ArticleKind.FAQ else "",
        note=data.note, author_id=actor.user_id, created_at=now,
    )  # fmt: skip
    session.add(version)
    await _audit(session, actor, "create", article, now, title=data.title)
    await _commit(session)
    return ArticleDetail(article, version, None)


async def _new_version(
    session: AsyncSession, *, actor: Principal, article: KbArticle, source: KbVersion,
    changes: dict[str, object], note: str, now: datetime,
) -> KbVersion:  # fmt: skip
    questions = changes.get("questions")
    version = KbVersion(
        article_id=article.id, shop_id=article.shop_id, number=article.latest_version_no + 1,
        title=changes.get("title", source.title), body=changes.get("body", source.body),
        questions="\n".join(questions) if isinstance(questions, list) else source.questions,
        note=note, author_id=actor.user_id, created_at=now,
    )  # fmt: skip
    if article.kind != ArticleKind.FAQ.value:
        version.questions = ""
    session.add(version)
    article.latest_version_no = version.number
    return version


async def update_article(
    session: AsyncSession,
    *,
    actor: Principal,
    article_id: int,
    data: KbArticleUpdate,
    now: datetime,
) -> ArticleDetail:
    """Apply an edit: changed text becomes a new draft version; the published one stays current
    until the draft is published. Sending what is already there changes nothing."""
    access_kb(actor, write=True)
    detail = await article_detail(session, actor=actor, article_id=article_id)
    article, latest = detail.article, detail.latest
    sent = data.model_dump(exclude_unset=True, exclude={"note"})
    changed: list[str] = []
    if "category_id" in sent and sent["category_id"] != article.category_id:
        await _check_category(session, actor=actor, category_id=data.category_id)
        article.category_id = data.category_id
        changed.append("category_id")
    if data.language is not None and data.language.value != article.language:
        article.language = data.language.value
        changed.append("language")
    text = {
        name: value
        for name, value in sent.items()
        if name in ("title", "body", "questions")
        and value != (questions_of(latest) if name == "questions" else getattr(latest, name))
    }
    if text:
        latest = await _new_version(
            session, actor=actor, article=article, source=latest, changes=text,
            note=data.note, now=now,
        )  # fmt: skip
        changed.extend(text)
    if not changed:
        return detail
    article.updated_at, article.updated_by_id = now, actor.user_id
    await _audit(session, actor, "update", article, now, fields=changed, version=latest.number)
    await _commit(session)
    return ArticleDetail(article, latest, detail.current)


async def publish_article(
    session: AsyncSession,
    *,
    actor: Principal,
    article_id: int,
    version_id: int | None,
    now: datetime,
) -> ArticleDetail:
    """Make ``version_id`` (default: the newest) what agents, search and the bot see."""
    access_kb(actor, write=True)
    detail = await article_detail(session, actor=actor, article_id=article_id)
    article = detail.article
    version = (
        detail.latest
        if version_id is None
        else await require_version(session, article=article, version_id=version_id)
    )
    if article.status == ArticleStatus.PUBLISHED.value and article.current_version_id == version.id:
        return detail
    article.current_version_id = version.id
    article.status = ArticleStatus.PUBLISHED.value
    article.published_at = article.updated_at = now
    article.updated_by_id = actor.user_id
    await _audit(session, actor, "publish", article, now, version=version.number)
    await _commit(session)
    return ArticleDetail(article, detail.latest, version)


async def archive_article(
    session: AsyncSession, *, actor: Principal, article_id: int, now: datetime
) -> ArticleDetail:
    """Take the article out of search and the bot; its history stays, publishing brings it back."""
    access_kb(actor, write=True)
    detail = await article_detail(session, actor=actor, article_id=article_id)
    article = detail.article
    if article.status != ArticleStatus.ARCHIVED.value:
        article.status = ArticleStatus.ARCHIVED.value
        article.updated_at, article.updated_by_id = now, actor.user_id
        await _audit(session, actor, "archive", article, now)
        await _commit(session)
    return detail


async def restore_version(
    session: AsyncSession, *, actor: Principal, article_id: int, version_id: int, now: datetime
) -> ArticleDetail:
    """Copy an old version into a new draft (history is never rewritten)."""
    access_kb(actor, write=True)
    detail = await article_detail(session, actor=actor, article_id=article_id)
    article = detail.article
    old = await require_version(session, article=article, version_id=version_id)
    changes: dict[str, object] = {"title": old.title, "body": old.body}
    version = await _new_version(
        session, actor=actor, article=article, source=old, changes=changes,
        note=f"restored v{old.number}", now=now,
    )  # fmt: skip
    article.updated_at, article.updated_by_id = now, actor.user_id
    await _audit(session, actor, "restore", article, now, version=version.number, source=old.number)
    await _commit(session)
    return ArticleDetail(article, version, detail.current)
