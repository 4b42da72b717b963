"""Jinja2 rendering for the web UI: one autoescaping environment, the ``_()`` global, responses."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context

from kefu.shared.clock import utcnow
from kefu.web.formatting import clock_time, full_time, money, relative_time
from kefu.web.i18n import LANG_PARAM, Locale, translate
from kefu.web.paths import STATIC_DIR, TEMPLATES_DIR


@pass_context
def _gettext(context: Context, key: str, **params: object) -> str:
    return translate(context["locale"], key, **params)


@pass_context
def _ago(context: Context, moment: datetime) -> str:
    return relative_time(moment, context["now"], context["locale"], context["zone"])


@pass_context
def _clock(context: Context, moment: datetime) -> str:
    return clock_time(moment, context["now"], context["zone"])


@pass_context
def _full(context: Context, moment: datetime) -> str:
    return full_time(moment, context["zone"])


@functools.cache
def static_url(path: str) -> str:
    """``/static/<path>?v=<content hash>`` so browsers refetch a file only when it changes."""
    file = STATIC_DIR / path
    if not file.is_file():
        return f"/static/{path}"
    digest = hashlib.sha256(file.read_bytes()).hexdigest()[:12]
    return f"/static/{path}?v={digest}"


@functools.cache
def environment() -> Environment:
    """Built on first use, not at import. Autoescaping is on for every template: chat text from
    customers is untrusted and must only ever reach the page as text."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["_"] = _gettext
    env.globals["static"] = static_url
    env.filters["ago"] = _ago
    env.filters["clock"] = _clock
    env.filters["fulltime"] = _full
    env.filters["money"] = money
    return env


def other_locale(locale: Locale) -> Locale:
    return "en" if locale == "zh" else "zh"


def switch_language_url(path: str, params: Mapping[str, str], locale: Locale) -> str:
    """The same page in ``locale``: current query kept, ``lang`` replaced."""
    query = [(k, v) for k, v in params.items() if k != LANG_PARAM]
    query.append((LANG_PARAM, locale))
    return f"{path}?{urlencode(query)}"


def render(
    request: Request,
    template: str,
    context: Mapping[str, object],
    *,
    locale: Locale,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
    page_path: str | None = None,
) -> HTMLResponse:
    """Render ``template``; ``page_path`` is the GET address of the page when answering a POST."""
    other = other_locale(locale)
    params = dict(request.query_params) if page_path is None else {}
    full: dict[str, object] = {
        "request": request,
        "locale": locale,
        "other_locale": other,
        "switch_url": switch_language_url(page_path or request.url.path, params, other),
        "viewer": None,
        "zone": UTC,
        "now": utcnow(),
    }
    full.update(context)
    html = environment().get_template(template).render(full)
    return HTMLResponse(html, status_code=status_code, headers=dict(headers or {}))
