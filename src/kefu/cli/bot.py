"""`kefu bot ...`: train an intent model from labelled examples, and evaluate one."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

bot_app = typer.Typer(help="The bot: train and evaluate intent models.", no_args_is_help=True)

TextColumn = Annotated[str, typer.Option(help="Column (or JSON key) holding the text.")]
LabelColumn = Annotated[str, typer.Option(help="Column (or JSON key) holding the label.")]


def _rows(path: Path, text_column: str, label_column: str) -> list[tuple[str, str]]:
    from kefu.bench.bot import RowsError, load_rows

    if not path.is_file():
        raise typer.BadParameter(f"no such file: {path}")
    try:
        rows = load_rows(path, text_column=text_column, label_column=label_column)
    except RowsError as exc:
        raise typer.BadParameter(str(exc)) from exc
    if not rows:
        raise typer.BadParameter(f"{path} has no rows")
    return rows


@bot_app.command("train")
def train(
    examples: Annotated[Path, typer.Option(help="CSV (header row) or JSONL of text and label.")],
    out: Annotated[
        Path | None,
        typer.Option(help="Where to write the model file (default var/models/bot.joblib)."),
    ] = None,
    shop: Annotated[
        str | None,
        typer.Option(
            help="Slug of a shop: write the model where the bot runtime loads it "
            "(KEFU_MODEL_DIR/<shop id>.joblib); a running server picks it up."
        ),
    ] = None,
    with_faq: Annotated[
        bool,
        typer.Option(
            "--with-faq/--no-faq",
            help="With --shop: also train on the phrasings of the shop's published FAQs.",
        ),
    ] = True,
    text_column: TextColumn = "text",
    label_column: LabelColumn = "label",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Train an intent model (with its calibrated hand-over threshold) and save it.

    Labels: a built-in intent (order_status, return_request, ...) runs its flow;
    faq:<article id> or faq:<main question> answers that FAQ; any other label hands over."""
    if shop is not None and out is not None:
        raise typer.BadParameter("give either --out or --shop, not both")
    rows = _rows(examples, text_column, label_column)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from kefu.bot.training import train_and_save

    faq_rows: list[tuple[str, str]] = []
    path = out or Path("var/models/bot.joblib")
    if shop is not None:
        path, faq_rows = asyncio.run(_shop_target(shop, with_faq=with_faq))
    result = train_and_save(rows, path, faq_rows=faq_rows)
    summary = {
        "model": str(result.path),
        "n_train": result.n_train,
        "labels": result.labels,
        "train_seconds": round(result.seconds, 2),
    }
    if shop is not None:
        summary["n_faq"] = result.n_faq
    if as_json:
        typer.echo(json.dumps(summary))
    else:
        faq = f" (+{result.n_faq} FAQ phrasings)" if result.n_faq else ""
        Console().print(
            f"trained on {len(rows)} examples{faq} of {result.labels} intents in "
            f"{result.seconds:.1f} s; saved to {result.path}"
        )


async def _shop_target(slug: str, *, with_faq: bool) -> tuple[Path, list[tuple[str, str]]]:
    """Where the runtime loads ``slug``'s model, and its FAQ rows when asked for."""
    from kefu.accounts import service as accounts
    from kefu.bot.engine import BotEngine
    from kefu.bot.training import published_faq_rows
    from kefu.settings import Settings
    from kefu.shared.db import Database
    from kefu.shared.errors import KefuError

    settings = Settings()
    db = Database(settings.database_url)
    try:
        async with db.session() as session:
            try:
                found = await accounts.require_shop_by_slug(session, slug)
            except KefuError as exc:
                raise typer.BadParameter(exc.message, param_hint="--shop") from exc
            faq = await published_faq_rows(session, shop_id=found.id) if with_faq else []
    finally:
        await db.dispose()
    path = BotEngine(settings.model_dir).model_path(found.id)
    assert path is not None
    return path, faq


@bot_app.command("eval")
def evaluate(
    train: Annotated[Path, typer.Option(help="Labelled training file (CSV or JSONL).")],
    test: Annotated[Path, typer.Option(help="Labelled test file (CSV or JSONL).")],
    oos_label: Annotated[
        str | None,
        typer.Option(
            help="Label of out-of-scope rows (left out of training, must be handed over)."
        ),
    ] = None,
    text_column: TextColumn = "text",
    label_column: LabelColumn = "label",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Train on TRAIN, answer every TEST message one at a time, and score the answers.

    Test rows labelled --oos-label, or with a label not seen in training, are out of scope:
    right only when the bot hands over. Prints accuracy, in_scope_accuracy, oos_recall,
    oos_precision, p50_ms, p99_ms, train_seconds, n_train, n_test (plus top1_accuracy and
    handover_rate)."""
    train_rows = _rows(train, text_column, label_column)
    test_rows = _rows(test, text_column, label_column)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from kefu.bench.bot import evaluate as run_evaluation

    result = run_evaluation(train_rows, test_rows, oos_label, detail=True)
    if as_json:
        typer.echo(json.dumps(result))
        return
    console = Console()
    for key, value in result.items():
        console.print(f"{key:>18}  {value}")
