"""Shop mail addresses: ``<shop-slug>@<domain>`` in both directions, and Kefu's Message-IDs."""

from __future__ import annotations

import uuid
from email.utils import formataddr

from kefu.channels.email.parse import normalize_id


def shop_slug_for(recipient: str, domain: str) -> str | None:
    """The shop slug a recipient address names, or None when it is not one of ours.

    ``abc-shop@kefu.example`` and ``abc-shop+anything@kefu.example`` both reach shop
    ``abc-shop``; the domain compares case-insensitively."""
    local, at, host = recipient.strip().strip("<>").rpartition("@")
    if not at or not local or host.lower().rstrip(".") != domain.lower().rstrip("."):
        return None
    slug = local.split("+", 1)[0].lower()
    return slug or None


def shop_address(slug: str, domain: str) -> str:
    return f"{slug}@{domain}"


def shop_from_header(name: str, slug: str, domain: str) -> str:
    """``"店铺名" <slug@domain>``, with the name encoded for any charset."""
    return formataddr((name, shop_address(slug, domain)), charset="utf-8")


def new_message_id(domain: str) -> str:
    """A fresh, unguessable Message-ID (stored form, without brackets)."""
    return normalize_id(f"{uuid.uuid4().hex}.kefu@{domain}")
