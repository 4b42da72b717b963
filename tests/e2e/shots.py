"""Screenshots for people reviewing the UI: written only when ``KEFU_E2E_SHOTS`` names a folder."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def shoot(page: Any, name: str) -> None:
    folder = os.environ.get("KEFU_E2E_SHOTS")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    # caret="initial": hiding the caret would inject a <style> that our CSP (rightly) refuses.
    page.screenshot(path=str(Path(folder) / name), caret="initial")
