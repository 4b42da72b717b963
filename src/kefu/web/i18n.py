"""The web UI's message catalog (Chinese first, English) and how a request's locale is chosen."""

from __future__ import annotations

from typing import Literal, TypeGuard

from kefu.web.catalog import (
    admin,
    analytics,
    board,
    bot,
    chat,
    knowledge,
    reports,
    routing,
    sla,
    subtasks,
    topics,
    wfm,
    workspace,
    workspace_tools,
)

Locale = Literal["zh", "en"]
LOCALES: tuple[Locale, ...] = ("zh", "en")
LANG_COOKIE = "kefu_lang"
LANG_PARAM = "lang"

# key: (中文, English). Placeholders use str.format names and must match in both languages.
# key: (中文, English). Placeholders use str.format names and must match in both languages.
CATALOG: dict[str, tuple[str, str]] = {
    **workspace.MESSAGES,
    **workspace_tools.MESSAGES,
    **chat.MESSAGES,
    **admin.MESSAGES,
    **knowledge.MESSAGES,
    **bot.MESSAGES,
    **routing.MESSAGES,
    **board.MESSAGES,
    **subtasks.MESSAGES,
    **sla.MESSAGES,
    **analytics.MESSAGES,
    **wfm.MESSAGES,
    **topics.MESSAGES,
    **reports.MESSAGES,
}


def is_locale(value: object) -> TypeGuard[Locale]:
    return value in LOCALES


def translate(locale: Locale, key: str, **params: object) -> str:
    """The ``locale`` text for ``key``, formatted with ``params``; unknown keys raise KeyError."""
    zh, en = CATALOG[key]
    text = zh if locale == "zh" else en
    return text.format(**params) if params else text


def locale_of_tag(tag: str) -> Locale | None:
    """Map a language tag (``zh-CN``, ``zh-Hant-TW``, ``en_GB``) to a supported locale."""
    primary = tag.strip().replace("_", "-").split("-", 1)[0].lower()
    return primary if is_locale(primary) else None


def parse_accept_language(header: str) -> list[Locale]:
    """Supported locales in the order the browser prefers them (highest ``q`` first)."""
    weighted: list[tuple[float, int, Locale]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.partition(";")
        locale = locale_of_tag(tag)
        if locale is None:
            continue
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            weighted.append((-quality, position, locale))
    seen: list[Locale] = []
    for _, _, locale in sorted(weighted):
        if locale not in seen:
            seen.append(locale)
    return seen


def choose_locale(
    *,
    param: str | None,
    cookie: str | None,
    user_locale: str | None,
    accept_language: str | None,
    default: Locale,
) -> Locale:
    """``?lang=``, then its cookie, the user's setting, the browser, then the default."""
    for explicit in (param, cookie, user_locale):
        if explicit and (locale := locale_of_tag(explicit)) is not None:
            return locale
    if accept_language:
        preferred = parse_accept_language(accept_language)
        if preferred:
            return preferred[0]
    return default
