"""`kefu bot train` and `kefu bot eval`: the public command lines shops script against."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from kefu.bot.intent import IntentModel
from kefu.cli.main import app

EVAL_KEYS = {
    "accuracy",
    "in_scope_accuracy",
    "oos_recall",
    "oos_precision",
    "p50_ms",
    "p99_ms",
    "train_seconds",
    "n_train",
    "n_test",
}
TRAIN = {
    "track_order": [
        "where is my order",
        "track my package",
        "订单到哪了",
        "我的快递到哪了",
        "when will my order arrive",
        "物流信息查一下",
    ],
    "refund": [
        "I want a refund",
        "退款怎么办",
        "refund my money please",
        "我要退钱",
        "can I get my money back",
        "申请退款",
    ],
    "invoice": [
        "I need an invoice",
        "开发票",
        "please send the invoice",
        "发票怎么开",
        "invoice for my order",
        "要一张发票",
    ],
}


def _csv(path: Path, rows: list[tuple[str, str]], header: str = "text,label") -> Path:
    path.write_text(header + "\n" + "".join(f"{t},{label}\n" for t, label in rows), "utf-8")
    return path


def _train_rows() -> list[tuple[str, str]]:
    return [(text, label) for label, texts in TRAIN.items() for text in texts]


def test_eval_prints_one_json_object_with_the_documented_keys(tmp_path: Path) -> None:
    train = _csv(tmp_path / "train.csv", _train_rows())
    test = tmp_path / "test.jsonl"
    test.write_text(
        "\n".join(
            json.dumps({"text": t, "label": label}, ensure_ascii=False)
            for t, label in [
                ("where's my parcel", "track_order"),
                ("退款", "refund"),
                ("今天天气怎么样", "oos"),
            ]
        ),
        "utf-8",
    )
    result = CliRunner().invoke(
        app,
        ["bot", "eval", "--train", str(train), "--test", str(test), "--oos-label", "oos", "--json"],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report) >= EVAL_KEYS
    assert (report["n_train"], report["n_test"]) == (18, 3)
    assert 0.0 <= report["accuracy"] <= 1.0 and report["p99_ms"] >= report["p50_ms"] > 0


def test_eval_names_a_missing_column_and_train_writes_a_loadable_model(tmp_path: Path) -> None:
    train = _csv(tmp_path / "train.csv", _train_rows(), header="utterance,intent")
    runner = CliRunner()
    refused = runner.invoke(
        app, ["bot", "eval", "--train", str(train), "--test", str(train)], env={"COLUMNS": "400"}
    )
    assert refused.exit_code == 2
    assert "no column 'text'" in refused.output
    out = tmp_path / "m.joblib"
    trained = runner.invoke(
        app,
        [
            "bot",
            "train",
            "--examples",
            str(train),
            "--text-column",
            "utterance",
            "--label-column",
            "intent",
            "--out",
            str(out),
            "--json",
        ],
    )
    assert trained.exit_code == 0, trained.output
    assert json.loads(trained.stdout)["labels"] == 3
    model = IntentModel.load(out)
    assert model.predict("I need an invoice for my order").best == "invoice"
