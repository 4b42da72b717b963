"""How times read on agents' screens: relative ages and local clock times in the shop's zone."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kefu.web.i18n import Locale, translate


def shop_zone(name: str | None) -> tzinfo:
    """The shop's time zone, or UTC when its name is unknown to this system."""
    if not name:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def relative_time(then: datetime, now: datetime, locale: Locale, zone: tzinfo = UTC) -> str:
    """``刚刚`` / ``5 分钟前`` / ``3 小时前`` / ``2 天前``, then a plain date after a week."""
    seconds = max(0, int((now - then).total_seconds()))
    if seconds < 60:
        return translate(locale, "time.just_now")
    if seconds < 3600:
        return translate(locale, "time.minutes_ago", n=seconds // 60)
    if seconds < 86400:
        return translate(locale, "time.hours_ago", n=seconds // 3600)
    if seconds < 7 * 86400:
        return translate(locale, "time.days_ago", n=seconds // 86400)
    return then.astimezone(zone).strftime("%Y-%m-%d")


def full_time(moment: datetime, zone: tzinfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def clock_time(moment: datetime, now: datetime, zone: tzinfo) -> str:
    """``14:03`` today, ``05-01 14:03`` this year, else the full date and time."""
    local, today = moment.astimezone(zone), now.astimezone(zone)
    if local.date() == today.date():
        return local.strftime("%H:%M")
    if local.year == today.year:
        return local.strftime("%m-%d %H:%M")
    return local.strftime("%Y-%m-%d %H:%M")


_CURRENCY_SIGNS = {"CNY": "¥", "USD": "$", "EUR": "€", "HKD": "HK$", "JPY": "¥", "GBP": "£"}


def money(cents: int, currency: str = "CNY") -> str:
    """``¥1,299.00`` from integer minor units; an unknown currency is written out by its code."""
    sign = _CURRENCY_SIGNS.get(currency.upper())
    amount = f"{abs(cents) / 100:,.2f}"
    text = f"{sign}{amount}" if sign else f"{amount} {currency.upper()}"
    return f"-{text}" if cents < 0 else text
