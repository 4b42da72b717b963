"""`kefu bot ...`: train an intent model from labelled examples, and evaluate one."""

from __future__ import annotations

import json
import os
import time
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
    out: Annotated[Path, typer.Option(help="Where to write the model file.")] = Path(
        "var/models/bot.joblib"
    ),
    text_column: TextColumn = "text",
    label_column: LabelColumn = "label",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Train an intent model (with its calibrated hand-over threshold) and save it."""
    rows = _rows(examples, text_column, label_column)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from kefu.bot.intent import IntentModel

    started = time.perf_counter()
    model = IntentModel().fit([t for t, _ in rows], [label for _, label in rows])
    seconds = time.perf_counter() - started
    out.parent.mkdir(parents=True, exist_ok=True)
    model.save(out)
    summary = {
        "model": str(out),
        "n_train": len(rows),
        "labels": len(model.labels),
        "train_seconds": round(seconds, 2),
    }
    if as_json:
        typer.echo(json.dumps(summary))
    else:
        Console().print(
            f"trained on {len(rows)} examples of {len(model.labels)} intents in "
            f"{seconds:.1f} s; saved to {out}"
        )


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
