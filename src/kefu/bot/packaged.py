"""Intent models shipped inside the package (`kefu/bot/models/<name>.joblib`): the demo shops'
bots, named in a shop's bot settings (`packaged_model`) and used when the shop has no model
file of its own."""

from __future__ import annotations

import importlib.resources
import re
from pathlib import Path

DEMO_KINDS = ("electronics", "apparel")
_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
_SUFFIX = ".joblib"


def demo_model_name(kind: str) -> str:
    """The packaged model of the demo shop of ``kind`` (``kefu.demo.shops.ShopSpec.key``)."""
    return f"demo-{kind}"


def packaged_model_path(name: str) -> Path:
    """Where the packaged model ``name`` lives (whether or not it exists); a name is lower-case
    letters, digits and hyphens, so it can never point outside the package folder."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"not a packaged model name: {name!r}")
    return Path(str(importlib.resources.files("kefu.bot").joinpath("models"))) / f"{name}{_SUFFIX}"


def packaged_models() -> tuple[str, ...]:
    """The names of the packaged intent models present, sorted."""
    folder = packaged_model_path("x").parent
    return tuple(sorted(p.name.removesuffix(_SUFFIX) for p in folder.glob(f"*{_SUFFIX}")))
