"""A shop's bot settings: reading them (defaults when never set) and changing them (admins)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from kefu.accounts import service as accounts
from kefu.accounts.permissions import Permission
from kefu.accounts.principal import Principal
from kefu.bot.engine import BotEngine
from kefu.bot.packaged import packaged_models
from kefu.bot.schemas import BotSettingsOut, BotSettingsUpdate
from kefu.bot.tables import BotSettings
from kefu.shared.errors import InvalidInput

NULLABLE = frozenset({"handoff_vip_level", "packaged_model"})


def _view(row: BotSettings | None, engine: BotEngine | None, shop_id: int) -> BotSettingsOut:
    path = engine.model_path(shop_id) if engine is not None else None
    has_model = path is not None and path.is_file()
    if row is None:
        return BotSettingsOut(has_model=has_model)
    return BotSettingsOut.model_validate(row).model_copy(update={"has_model": has_model})


async def read_settings(
    session: AsyncSession, *, actor: Principal, engine: BotEngine | None = None
) -> BotSettingsOut:
    actor.require(Permission.BOT_MANAGE)
    return _view(await session.get(BotSettings, actor.shop_id), engine, actor.shop_id)


async def update_settings(
    session: AsyncSession,
    *,
    actor: Principal,
    data: BotSettingsUpdate,
    now: datetime,
    engine: BotEngine | None = None,
) -> BotSettingsOut:
    """Change the fields given, write an audit row and commit. The worker picks a newly
    enabled shop up within its refresh interval (30 s)."""
    actor.require(Permission.BOT_MANAGE)
    if data.packaged_model is not None and data.packaged_model not in packaged_models():
        raise InvalidInput(
            f"no packaged model '{data.packaged_model}' "
            f"(there are: {', '.join(packaged_models()) or 'none'})"
        )
    row = await session.get(BotSettings, actor.shop_id)
    if row is None:
        row = BotSettings(
            shop_id=actor.shop_id,
            enabled=False,
            handoff_vip_level=None,
            max_out_of_scope=2,
            return_window_days=7,
            greeting_zh="",
            greeting_en="",
            updated_at=now,
        )
        session.add(row)
    changes = {
        name: value
        for name, value in data.model_dump(exclude_unset=True).items()
        if value is not None or name in NULLABLE
    }
    for name, value in changes.items():
        setattr(row, name, value)
    row.updated_at = now
    await accounts.record_audit(
        session,
        actor=actor,
        action="bot.settings",
        target_type="bot_settings",
        target_id=actor.shop_id,
        now=now,
        detail=changes,
    )
    await session.commit()
    return _view(row, engine, actor.shop_id)
