"""`kefu bot train --shop`: a shop trains its own model, with its published FAQs, and the
running bot answers with it on the next message."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from typer.testing import CliRunner

from kefu.accounts.permissions import Role
from kefu.accounts.principal import Principal
from kefu.bot.engine import BotEngine
from kefu.bot.intent import IntentModel
from kefu.cli.main import app
from kefu.knowledge import kb
from kefu.knowledge.kb_schemas import KbArticleIn
from kefu.shared.clock import utcnow
from kefu.shared.db import Database
from tests.bot.chat import Chat, enable_bot
from tests.factories import Factory

EXAMPLES = {
    "order_status": [
        "is my stuff on its way",
        "my stuff is not here yet",
        "where has my stuff got to",
        "has my stuff left your warehouse",
        "my stuff seems lost",
        "any news about my stuff",
        "stuff still missing",
        "how far away is my stuff",
    ],
    "wholesale": [
        "do you sell in bulk",
        "bulk price for 500 units",
        "wholesale discount for resellers",
        "can I buy 1000 pieces at a bulk rate",
        "reseller pricing please",
        "bulk order for my company",
        "do you do wholesale",
        "discount for buying in bulk",
    ],
    "greeting": ["hello", "hi", "hey there", "good morning", "hi bot", "hello again"],
}


def _examples(path: Path) -> Path:
    rows = [{"text": t, "label": label} for label, texts in EXAMPLES.items() for t in texts]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), "utf-8")
    return path


async def test_a_shop_trained_model_answers_its_customers(
    factory: Factory, db: Database, database_url: str, tmp_path: Path
) -> None:
    shop = await factory.shop()
    await enable_bot(db, shop)
    owner = await factory.user(shop, role="owner")
    actor = Principal(shop_id=shop.id, role=Role.OWNER, user_id=owner.id)
    async with db.session() as session:
        article = await kb.create_article(
            session,
            actor=actor,
            now=utcnow(),
            data=KbArticleIn(
                title="Do you ship abroad?",
                body="We ship to mainland China only.",
                questions=["international shipping", "can you send it overseas"],
            ),
        )
        await kb.publish_article(
            session, actor=actor, article_id=article.article.id, version_id=None, now=utcnow()
        )
    models = tmp_path / "models"
    command = ["bot", "train", "--examples", str(_examples(tmp_path / "ex.jsonl"))]
    result = await asyncio.to_thread(
        CliRunner().invoke,
        app,
        [*command, "--shop", shop.slug, "--json"],
        env={"KEFU_DATABASE_URL": database_url, "KEFU_MODEL_DIR": str(models)},
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    path = models / f"{shop.id}.joblib"
    assert summary["model"] == str(path) and summary["n_faq"] == 3
    assert f"faq:{article.article.id}" in IntentModel.load(path).labels

    chat = await Chat.open(factory, shop)
    chat.engine = BotEngine(models)
    turn = await chat.say("my stuff is lost somewhere")
    assert turn is not None and turn.intent == "order_status" and turn.action == "ask"


def test_train_refuses_an_unknown_shop(tmp_path: Path, database_url: str) -> None:
    result = CliRunner().invoke(
        app,
        ["bot", "train", "--examples", str(_examples(tmp_path / "ex.jsonl")), "--shop", "nope"],
        env={"KEFU_DATABASE_URL": database_url, "KEFU_MODEL_DIR": str(tmp_path)},
    )
    assert result.exit_code == 2
    assert "nope" in result.output
