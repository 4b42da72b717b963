"""Who is looking at a page: the logged-in user, their shop, and the locale they read it in."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import tzinfo
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse

from kefu.accounts import service as accounts
from kefu.accounts.models import Shop, User
from kefu.accounts.permissions import Permission
from kefu.accounts.principal import Principal
from kefu.http.deps import OptionalPrincipal, SessionDep, get_settings
from kefu.routing.models import AgentState, RoutingSettings
from kefu.routing.presence import ROUTABLE_ROLES, Presence
from kefu.shared.errors import NotAuthenticated
from kefu.web.formatting import shop_zone
from kefu.web.i18n import LANG_COOKIE, LANG_PARAM, Locale, choose_locale
from kefu.web.render import render


def request_locale(request: Request, user_locale: str | None = None) -> Locale:
    """Choose the locale and remember it on the request, so error pages use it too."""
    locale = choose_locale(
        param=request.query_params.get(LANG_PARAM),
        cookie=request.cookies.get(LANG_COOKIE),
        user_locale=user_locale,
        accept_language=request.headers.get("accept-language"),
        default=get_settings(request).default_locale,
    )
    request.state.locale = locale
    return locale


def is_htmx(request: Request) -> bool:
    """An htmx swap request; history restores ask for the whole page, so they are not."""
    return (
        request.headers.get("hx-request") == "true"
        and request.headers.get("hx-history-restore-request") != "true"
    )


@dataclass(frozen=True, slots=True)
class Viewer:
    principal: Principal
    user: User
    shop: Shop
    locale: Locale
    csrf_token: str
    zone: tzinfo
    # The header's presence switch: None for people who take no conversations.
    presence: Presence | None = None
    presence_auto: bool = False
    # Minutes without activity after which the workspace sets the agent away (shop setting).
    idle_minutes: float = 10.0

    def can(self, permission: Permission) -> bool:
        return self.principal.can(permission)

    def render(
        self,
        request: Request,
        template: str,
        context: Mapping[str, object],
        *,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        page_path: str | None = None,
    ) -> HTMLResponse:
        full = {"viewer": self, "zone": self.zone, **context}
        return render(
            request,
            template,
            full,
            locale=self.locale,
            status_code=status_code,
            headers=headers,
            page_path=page_path,
        )


async def current_viewer(
    request: Request, session: SessionDep, principal: OptionalPrincipal
) -> Viewer:
    """The session's user (CSRF already checked for writes); raises NotAuthenticated otherwise."""
    if principal is None or principal.user_id is None:
        raise NotAuthenticated("log in to see this page", code="not_authenticated")
    # Both are in the session's identity map or one primary-key lookup away.
    user = await accounts.get_user(session, principal.user_id)
    shop = await accounts.get_shop(session, principal.shop_id)
    csrf = request.session.get("csrf")
    if user is None or shop is None or not isinstance(csrf, str):
        raise NotAuthenticated("log in to see this page", code="not_authenticated")
    presence, presence_auto, idle_minutes = None, False, 10.0
    if principal.role in ROUTABLE_ROLES:
        state = await session.get(AgentState, user.id)
        presence = Presence(state.presence) if state else Presence.OFFLINE
        presence_auto = bool(state and state.presence_auto)
        routing = await session.get(RoutingSettings, shop.id)
        if routing is not None:
            idle_minutes = routing.away_after_seconds / 60
    return Viewer(
        principal=principal,
        user=user,
        shop=shop,
        locale=request_locale(request, user.locale),
        csrf_token=csrf,
        zone=shop_zone(shop.timezone),
        presence=presence,
        presence_auto=presence_auto,
        idle_minutes=idle_minutes,
    )


ViewerDep = Annotated[Viewer, Depends(current_viewer)]
