"""The knowledge base's categories: everyone reads them, ``knowledge.manage`` keeps them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kefu.accounts import service as accounts
from kefu.accounts.principal import Principal
from kefu.knowledge.kb import access_kb
from kefu.knowledge.kb_schemas import KbCategoryIn, KbCategoryUpdate
from kefu.knowledge.models import KbCategory
from kefu.shared.errors import Conflict, InvalidInput, NotFound


async def list_categories(session: AsyncSession, *, actor: Principal) -> Sequence[KbCategory]:
    """The shop's categories in shelf order (position, then name)."""
    access_kb(actor)
    rows = await session.scalars(
        select(KbCategory)
        .where(KbCategory.shop_id == actor.shop_id)
        .order_by(KbCategory.position, KbCategory.name, KbCategory.id)
    )
    return rows.all()


async def require_category(
    session: AsyncSession, *, actor: Principal, category_id: int
) -> KbCategory:
    access_kb(actor)
    category = await session.get(KbCategory, category_id)
    if category is None or category.shop_id != actor.shop_id:
        raise NotFound(f"no category {category_id}", code="category_not_found")
    return category


async def _check_parent(
    session: AsyncSession, *, actor: Principal, parent_id: int | None, own_id: int | None = None
) -> None:
    """A parent is another top-level category of the shop: one level of nesting, no cycles."""
    if parent_id is None:
        return
    parent = await session.get(KbCategory, parent_id)
    if parent is None or parent.shop_id != actor.shop_id:
        raise InvalidInput(f"no category {parent_id}", code="category_not_found")
    if parent.id == own_id or parent.parent_id is not None:
        raise InvalidInput("a category's parent must be a top-level category", code="bad_parent")


async def _commit(session: AsyncSession, name: str) -> None:
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        raise Conflict(
            f"a category named '{name}' exists", code="category_taken", details={"name": name}
        ) from None


async def _check_free(
    session: AsyncSession, *, actor: Principal, name: str, own_id: int | None = None
) -> None:
    holder = await session.scalar(
        select(KbCategory.id).where(KbCategory.shop_id == actor.shop_id, KbCategory.name == name)
    )
    if holder is not None and holder != own_id:
        raise Conflict(
            f"a category named '{name}' exists", code="category_taken", details={"name": name}
        )


async def create_category(
    session: AsyncSession, *, actor: Principal, data: KbCategoryIn, now: datetime
) -> KbCategory:
    access_kb(actor, write=True)
    await _check_parent(session, actor=actor, parent_id=data.parent_id)
    await _check_free(session, actor=actor, name=data.name)
    category = KbCategory(
        shop_id=actor.shop_id,
        name=data.name,
        parent_id=data.parent_id,
        position=data.position,
        created_at=now,
    )
    session.add(category)
    await session.flush()
    await accounts.record_audit(
        session, actor=actor, action="kb_category.create", target_type="kb_category",
        target_id=category.id, now=now, detail={"name": category.name},
    )  # fmt: skip
    await _commit(session, data.name)
    return category


async def update_category(
    session: AsyncSession,
    *,
    actor: Principal,
    category_id: int,
    data: KbCategoryUpdate,
    now: datetime,
) -> KbCategory:
    access_kb(actor, write=True)
    category = await require_category(session, actor=actor, category_id=category_id)
    changes = data.model_dump(exclude_unset=True)
    if "parent_id" in changes:
        await _check_parent(
            session, actor=actor, parent_id=changes["parent_id"], own_id=category.id
        )
    if "name" in changes:
        await _check_free(session, actor=actor, name=changes["name"], own_id=category.id)
    changed = [name for name, value in changes.items() if getattr(category, name) != value]
    if not changed:
        return category
    for name in changed:
        setattr(category, name, changes[name])
    await accounts.record_audit(
        session, actor=actor, action="kb_category.update", target_type="kb_category",
        target_id=category.id, now=now, detail={"fields": changed, "name": category.name},
    )  # fmt: skip
    await _commit(session, category.name)
    return category
