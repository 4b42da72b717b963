"""Training a shop's own intent model: its labelled examples plus, optionally, the phrasings of
its published FAQs (`faq:<article id>`), written where the runtime's `BotEngine` loads it.

The file is replaced atomically, so a running server never reads half a model; the engine
notices the new modification time on the next message and loads it.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from kefu.bot.confidence import FAQ_PREFIX
from kefu.bot.intent import IntentConfig, IntentModel
from kefu.knowledge.kb import questions_of
from kefu.knowledge.kb_schemas import ArticleKind, ArticleStatus
from kefu.knowledge.models import KbArticle, KbVersion

Row = tuple[str, str]


@dataclass(frozen=True, slots=True)
class TrainedModel:
    path: Path
    n_train: int
    n_faq: int
    labels: int
    seconds: float


async def published_faq_rows(session: AsyncSession, *, shop_id: int) -> list[Row]:
    """Every phrasing (main question first) of the shop's published FAQs, labelled
    `faq:<article id>`, in article order."""
    rows = await session.execute(
        select(KbArticle.id, KbVersion)
        .join(KbVersion, KbVersion.id == KbArticle.current_version_id)
        .where(
            and_(
                KbArticle.shop_id == shop_id,
                KbArticle.status == ArticleStatus.PUBLISHED.value,
                KbArticle.kind == ArticleKind.FAQ.value,
            )
        )
        .order_by(KbArticle.id)
    )
    return [
        (text, f"{FAQ_PREFIX}{article_id}")
        for article_id, version in rows.tuples()
        for text in (version.title, *questions_of(version))
        if text.strip()
    ]


def train_and_save(
    examples: Sequence[Row],
    path: Path,
    *,
    faq_rows: Sequence[Row] = (),
    config: IntentConfig | None = None,
) -> TrainedModel:
    """Fit a model on ``examples`` + ``faq_rows`` and write it to ``path`` atomically.
    CPU work of seconds to minutes: run it outside an event loop."""
    rows = [*examples, *faq_rows]
    started = time.perf_counter()
    model = IntentModel(config).fit([t for t, _ in rows], [label for _, label in rows])
    seconds = time.perf_counter() - started
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        model.save(Path(temporary))
        os.chmod(temporary, 0o644)  # mkstemp's 0600 would hide it from a server run as another user
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return TrainedModel(path, len(rows), len(faq_rows), len(model.labels), seconds)
