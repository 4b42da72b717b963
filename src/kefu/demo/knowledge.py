"""A demo shop's knowledge base: categories, the FAQs and articles of ``kefu.demo.faq``, published.

Fixed text, no randomness. A little history too, so the editor has something to show: two FAQs
were reworded once (v1 superseded by a published v2), one has an unpublished draft, and one
article was never published.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from kefu.accounts.permissions import Role
from kefu.demo.context import Build
from kefu.demo.faq import CATEGORIES, SIZES, WARRANTY, demo_articles, demo_faqs
from kefu.demo.staff import Staff

_REWORDED = 2  # the first FAQs: a shorter v1, then the full answer as published v2
_DRAFTED = "优惠券怎么用？"  # has a newer, unpublished version
_DRAFT_ONLY = (
    "双12 活动规则（草稿）",
    "活动时间：12 月 10 日 20:00 至 12 月 12 日 23:59。\n"
    "全店满 300 减 40，可与平台券叠加；活动商品不参与价保。",
    "优惠活动",
)
_DRAFT_ADDITION = "大促期间的店铺券和平台券使用规则以活动页说明为准。"


def _category_names(kind: str) -> tuple[str, ...]:
    left_out = SIZES if kind == "electronics" else WARRANTY
    return tuple(name for name in CATEGORIES if name != left_out)


class _Writer:
    """Adds one shop's articles and versions with explicit ids, in a fixed order."""

    def __init__(self, build: Build, author: int | None, start: datetime) -> None:
        self.build, self.author, self.at = build, author, start

    def _tick(self) -> datetime:
        self.at += timedelta(minutes=7)
        return self.at

    def version(self, article_id: int, number: int, fields: dict[str, Any]) -> int:
        version_id = self.build.ids.take("kb_versions")
        self.build.rows.add(
            "kb_versions",
            {
                "id": version_id, "article_id": article_id, "shop_id": self.build.shop_id,
                "number": number, "note": "", "author_id": self.author, "created_at": self._tick(),
                **fields,
            },
        )  # fmt: skip
        return version_id

    def article(
        self,
        *,
        kind: str,
        language: str,
        category_id: int,
        texts: list[dict[str, Any]],
        published: int | None,
    ) -> None:
        """``texts``: the versions' fields, oldest first; ``published``: the number made current."""
        article_id = self.build.ids.take("kb_articles")
        created = self.at + timedelta(minutes=1)
        row: dict[str, Any] = {
            "id": article_id, "shop_id": self.build.shop_id, "category_id": category_id,
            "kind": kind, "language": language, "status": "draft", "current_version_id": None,
            "latest_version_no": len(texts), "created_by_id": self.author,
            "updated_by_id": self.author, "created_at": created, "published_at": None,
        }  # fmt: skip
        self.build.rows.add("kb_articles", row)
        ids = [self.version(article_id, n, fields) for n, fields in enumerate(texts, start=1)]
        row["updated_at"] = self.at
        if published is not None:
            row.update(status="published", current_version_id=ids[published - 1])
            row["published_at"] = self.at


def emit_knowledge_base(build: Build, staff: Staff) -> None:
    kind = build.spec.key
    author = next((m.id for m in staff.members if m.role is Role.SUPERVISOR), None)
    start = build.now - timedelta(days=75)
    categories: dict[str, int] = {}
    for position, name in enumerate(_category_names(kind)):
        categories[name] = build.ids.take("kb_categories")
        build.rows.add(
            "kb_categories",
            {
                "id": categories[name], "shop_id": build.shop_id, "name": name,
                "parent_id": None, "position": position, "created_at": start,
            },
        )  # fmt: skip
    writer = _Writer(build, author, start)
    for index, (phrasings, answer, category, language) in enumerate(demo_faqs(kind)):
        main, others = phrasings[0], "\n".join(phrasings[1:])
        texts = [{"title": main, "body": answer, "questions": others}]
        published = 1
        if index < _REWORDED:
            first = answer.split("。")[0] + "。"
            texts.insert(0, {"title": main, "body": first, "questions": others})
            texts[1]["note"] = "补充细节"
            published = 2
        elif main == _DRAFTED:
            texts.append({"title": main, "body": f"{answer}{_DRAFT_ADDITION}", "questions": others})
        writer.article(
            kind="faq",
            language=language,
            category_id=categories[category],
            texts=texts,
            published=published,
        )
    for title, body, category, language in demo_articles(kind):
        text = {"title": title, "body": body, "questions": ""}
        writer.article(
            kind="article",
            language=language,
            category_id=categories[category],
            texts=[text],
            published=1,
        )
    title, body, category = _DRAFT_ONLY
    writer.article(
        kind="article",
        language="zh",
        category_id=categories[category],
        texts=[{"title": title, "body": body, "questions": ""}],
        published=None,
    )
