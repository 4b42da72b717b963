"""API shapes of the knowledge base: categories, articles and FAQ entries, versions, search hits."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from kefu.knowledge.schemas import ReplyLanguage
from kefu.shared.types import NO_NUL, DbId

MAX_CATEGORY_CHARS = 60
MAX_KB_TITLE_CHARS = 200
MAX_KB_BODY_CHARS = 20_000
MAX_QUESTIONS = 20
MAX_QUESTION_CHARS = 200
MAX_NOTE_CHARS = 200


class ArticleKind(StrEnum):
    FAQ = "faq"
    ARTICLE = "article"


class ArticleStatus(StrEnum):
    DRAFT = "draft"  # never published
    PUBLISHED = "published"  # has a current version others see (and maybe a newer draft)
    ARCHIVED = "archived"  # kept with its history, shown to nobody but editors


def _text(value: str) -> str:
    cleaned = value.strip()
    if not cleaned:
        raise ValueError("must not be blank")
    return cleaned


def clean_questions(values: list[str]) -> list[str]:
    """Each phrasing on one line, blank ones dropped, repeats (ignoring case) removed."""
    seen: set[str] = set()
    out: list[str] = []
    for value in values:
        line = " ".join(value.split())
        if line and line.casefold() not in seen:
            if len(line) > MAX_QUESTION_CHARS:
                raise ValueError(f"a question is at most {MAX_QUESTION_CHARS} characters")
            seen.add(line.casefold())
            out.append(line)
    if len(out) > MAX_QUESTIONS:
        raise ValueError(f"at most {MAX_QUESTIONS} alternative questions")
    return out


class KbCategoryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=MAX_CATEGORY_CHARS, pattern=NO_NUL)
    parent_id: DbId | None = None
    position: int = Field(default=0, ge=0, le=10_000)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return _text(value)


class KbCategoryUpdate(BaseModel):
    """Only the fields sent change; ``parent_id: null`` moves the category to the top level."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(
        default=None, min_length=1, max_length=MAX_CATEGORY_CHARS, pattern=NO_NUL
    )
    parent_id: DbId | None = None
    position: int | None = Field(default=None, ge=0, le=10_000)

    @field_validator("name", "position", mode="before")
    @classmethod
    def _no_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("cannot be null")
        return _text(value) if isinstance(value, str) else value


class KbCategoryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    parent_id: int | None
    position: int


class _Content(BaseModel):
    @field_validator("title", "body", check_fields=False)
    @classmethod
    def _content(cls, value: str | None) -> str | None:
        return None if value is None else _text(value)

    @field_validator("questions", check_fields=False)
    @classmethod
    def _questions(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else clean_questions(value)


class KbArticleIn(_Content):
    """A new article or FAQ entry; it starts as a draft (version 1) until published."""

    model_config = ConfigDict(extra="forbid")

    kind: ArticleKind = ArticleKind.FAQ
    language: ReplyLanguage = ReplyLanguage.ZH
    category_id: DbId | None = None
    title: str = Field(min_length=1, max_length=MAX_KB_TITLE_CHARS, pattern=NO_NUL)
    body: str = Field(min_length=1, max_length=MAX_KB_BODY_CHARS, pattern=NO_NUL)
    questions: list[str] = Field(default_factory=list, max_length=MAX_QUESTIONS * 2)
    note: str = Field(default="", max_length=MAX_NOTE_CHARS, pattern=NO_NUL)


class KbArticleUpdate(_Content):
    """A change: new text (title, body, questions) becomes a new draft version; category and
    language change the article itself. Only the fields sent count; none may be null except
    ``category_id`` (uncategorised)."""

    model_config = ConfigDict(extra="forbid")

    category_id: DbId | None = None
    language: ReplyLanguage | None = None
    title: str | None = Field(
        default=None, min_length=1, max_length=MAX_KB_TITLE_CHARS, pattern=NO_NUL
    )
    body: str | None = Field(
        default=None, min_length=1, max_length=MAX_KB_BODY_CHARS, pattern=NO_NUL
    )
    questions: list[str] | None = Field(default=None, max_length=MAX_QUESTIONS * 2)
    note: str = Field(default="", max_length=MAX_NOTE_CHARS, pattern=NO_NUL)

    @field_validator("language", "title", "body", "questions", mode="before")
    @classmethod
    def _no_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("cannot be null")
        return value


class PublishIn(BaseModel):
    """Which version to publish; the newest when left out."""

    model_config = ConfigDict(extra="forbid")

    version_id: DbId | None = None


class KbVersionOut(BaseModel):
    id: int
    number: int
    title: str
    body: str
    questions: list[str]
    note: str
    author_id: int | None
    created_at: datetime
    is_current: bool


class KbArticleOut(BaseModel):
    """``latest`` is the newest version (for agents: the published one); ``current`` the one
    published, if any. ``has_draft`` says the newest has not been published yet."""

    id: int
    kind: ArticleKind
    language: ReplyLanguage
    status: ArticleStatus
    category_id: int | None
    current_version_id: int | None
    has_draft: bool
    latest: KbVersionOut
    current: KbVersionOut | None
    created_by_id: int | None
    updated_by_id: int | None
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None


class KbSearchHit(BaseModel):
    article_id: int
    kind: ArticleKind
    language: ReplyLanguage
    category_id: int | None
    title: str
    snippet: str
    matched_question: str
    relevance: float = Field(ge=0, le=1)


class KbArticlePage(BaseModel):
    items: list[KbArticleOut]
    total: int
    next_offset: int | None
