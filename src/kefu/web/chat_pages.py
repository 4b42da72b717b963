"""The customer's side of web chat: the chat page (standalone, or framed by the widget on a
shop's site) and a demo shop page that embeds the widget."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import HTMLResponse

from kefu.accounts import service as accounts
from kefu.accounts.models import Shop
from kefu.attachments import sniff
from kefu.attachments.schemas import MAX_ATTACHMENTS
from kefu.http.deps import SessionDep, get_settings
from kefu.web.i18n import LANG_COOKIE, LANG_PARAM, Locale, choose_locale, is_locale, translate
from kefu.web.render import render
from kefu.web.routing import SECURITY_HEADERS, PageRoute

# Any shop may frame its chat page: a per-shop allow-list of origins would need every shop to
# register every domain it sells on, and the page shows only what the visitor themself wrote and
# was told. Everything else in the policy stays as strict as on the agents' pages.
EMBEDDABLE_CSP = (
    SECURITY_HEADERS["Content-Security-Policy"].replace(
        "frame-ancestors 'none'", "frame-ancestors *"
    )
    + "; connect-src 'self'"
)

# What the file picker offers: the types Kefu accepts, and their names for pickers that go by
# name. The server still decides by the bytes.
UPLOAD_ACCEPT = ",".join(
    [*sniff.ALLOWED_TYPES, *(ext for exts in sniff.EXTENSIONS.values() for ext in exts)]
)

ShopSlug = Annotated[str, Path(max_length=64)]
TokenQuery = Annotated[str, Query(max_length=4096, pattern=r"^[A-Za-z0-9_.=-]*$")]


class EmbeddablePageRoute(PageRoute):
    """A page other sites may show in an iframe: no X-Frame-Options, ``frame-ancestors *``."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def embeddable_handler(request: Request) -> Response:
            response = await handler(request)
            del response.headers["x-frame-options"]
            response.headers["content-security-policy"] = EMBEDDABLE_CSP
            return response

        return embeddable_handler


router = APIRouter(include_in_schema=False)
embeddable = APIRouter(route_class=EmbeddablePageRoute)
pages = APIRouter(route_class=PageRoute)


def _locale(request: Request, shop: Shop | None) -> Locale:
    """The visitor's choice or browser first; the shop's own language before Kefu's default."""
    default = get_settings(request).default_locale
    if shop is not None and is_locale(shop.locale):
        default = shop.locale
    locale = choose_locale(
        param=request.query_params.get(LANG_PARAM),
        cookie=request.cookies.get(LANG_COOKIE),
        user_locale=None,
        accept_language=request.headers.get("accept-language"),
        default=default,
    )
    request.state.locale = locale
    return locale


def _missing(request: Request) -> HTMLResponse:
    return render(request, "chat/missing.html", {}, locale=_locale(request, None), status_code=404)


def _texts(locale: Locale) -> dict[str, str]:
    """The strings chat.js shows, by the short names it uses."""
    keys = [
        "presence.connecting",
        "presence.online",
        "presence.offline",
        "state.sending",
        "state.sent",
        "state.read",
        "state.failed",
        "sender.agent",
        "sender.bot",
        "sender.system",
        "status.pending",
        "status.resolved",
        "status.closed",
        "identity_error",
        "attachment",
        "attach.files",
        "attach.uploading",
        "attach.progress",
        "attach.remove",
        "attach.wait",
        "attach.error",
        "attach.too_large",
        "attach.too_many",
        "attach.unsupported",
        "attach.rate_limited",
        "attach.failed",
        "leave.sent",
        "queue.next",
        "queue.ahead",
        "queue.wait",
        "queue.wait_unknown",
        "leave.error.name",
        "leave.error.contact",
        "leave.error.email",
        "leave.error.phone",
        "leave.error.body",
        "leave.error.rate_limited",
        "leave.error.generic",
    ]
    return {key: translate(locale, f"chat.{key}") for key in keys}


@embeddable.get("/chat/{shop_slug}", response_class=HTMLResponse)
async def chat_page(
    request: Request,
    shop_slug: ShopSlug,
    session: SessionDep,
    embed: bool = False,
    identity: TokenQuery = "",
) -> HTMLResponse:
    """The chat. ``embed=1`` when the widget frames it; ``identity`` is the shop's signed
    token for a signed-in customer, checked when the chat connects."""
    shop = await accounts.get_shop_by_slug(session, shop_slug)
    if shop is None:
        return _missing(request)
    locale = _locale(request, shop)
    config = {
        "shop": shop.slug,
        "ws_path": f"/ws/chat/{shop.slug}",
        "leave_url": f"/api/v1/webchat/{shop.slug}/leave-message",
        "upload": {
            "max_bytes": get_settings(request).upload_max_bytes,
            "max_files": MAX_ATTACHMENTS,
        },
        "identity": identity,
        "embed": embed,
        "locale": locale,
        "text": _texts(locale),
    }
    context = {"shop": shop, "embed": embed, "config": config, "accept": UPLOAD_ACCEPT}
    return render(request, "chat/page.html", context, locale=locale)


@pages.get("/chat/{shop_slug}/demo-host", response_class=HTMLResponse)
async def demo_host(request: Request, shop_slug: ShopSlug, session: SessionDep) -> HTMLResponse:
    """A stand-in shop page with the widget's one-line snippet, to see the widget at work."""
    shop = await accounts.get_shop_by_slug(session, shop_slug)
    if shop is None:
        return _missing(request)
    origin = str(request.base_url).rstrip("/")
    context = {"shop": shop, "origin": origin}
    return render(request, "chat/demo_host.html", context, locale=_locale(request, shop))


router.include_router(embeddable)
router.include_router(pages)
