"""Rebuild the demo shops' intent models from ../shared/data/bitext and the demo FAQ.

Usage: .venv/bin/python scripts/train_demo_bot.py [DATA_DIR] [--out-dir DIR] [--per-intent N]
       [--evaluate]
Writes src/kefu/bot/models/demo-<kind>.joblib for each demo shop kind (TF-IDF only, no
embeddings, seeded: the same data gives the same model). ``--evaluate`` first scores a
stratified 80/20 split of the same rows with and without sentence embeddings.

Rows: bitext's English intents (at most N per intent, a seeded sample) relabelled to Kefu's
built-in intents where one corresponds, to a demo English FAQ where one answers it, else kept
under their own name (the runtime hands those over with the intent in the note); every
phrasing of the shop kind's FAQs as ``faq:<main question>``; and the Chinese (and a few
English) phrasings below for the built-in intents, which bitext lacks.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

from kefu.bench.bot import stratified_split
from kefu.bot.confidence import faq_label
from kefu.bot.intent import IntentConfig, IntentModel
from kefu.bot.packaged import DEMO_KINDS, demo_model_name, packaged_model_path
from kefu.bot.text import normalize
from kefu.demo.faq import demo_faqs

ROOT = Path(__file__).resolve().parent.parent
BITEXT_FILE = "bitext/customer_service_27_intents.csv"
SEED = 0
_CJK = re.compile(r"[\u3400-\u9fff]")

_EN_SHIPPING = "How long does shipping take?"
_EN_RETURNS = "Can I return an item?"
_EN_REFUND = "When will I get my refund?"

# bitext intent -> Kefu label. Intents not listed keep their own name: the runtime has no flow
# for them (cancel an order, a payment problem, account questions), so it hands the customer to
# a person and the note names the intent.
BITEXT_LABELS = {
    "track_order": "order_status",
    "get_refund": "return_request",
    "change_shipping_address": "address_change",
    "get_invoice": "invoice_request",
    "check_invoice": "invoice_request",
    "contact_human_agent": "human_request",
    "contact_customer_service": "human_request",
    "complaint": "human_request",  # complaints go to people
    "delivery_period": faq_label(_EN_SHIPPING),
    "check_refund_policy": faq_label(_EN_RETURNS),
    "track_refund": faq_label(_EN_REFUND),
}

# The built-in intents in Chinese (and greetings/thanks in English: bitext has none). The
# keyword cues catch the plainest wordings; these teach the model the rest. Chinese requests to
# cancel or change an order, or about a failed payment, are left to the demo FAQ that answers
# them ("怎么取消订单？", "付款失败怎么办？"): one meaning, one label.
# fmt: off
PHRASINGS: dict[str, tuple[str, ...]] = {
    "order_status": (
        "我的包裹怎么还没来", "帮我看看订单到哪里了", "我买的东西现在在哪", "东西寄出来了吗",
        "我的货到什么地方了", "订单一直没动静", "几天了还没送到", "查一下我的订单",
        "包裹是不是丢了", "我的订单什么情况", "帮我催一下", "能帮我查查订单吗",
    ),
    "return_request": (
        "这个我不想要了", "东西不合适想退", "我要把东西寄回去", "不想要了能退吗",
        "买错了要退掉", "帮我申请退货", "这件衣服我要退", "质量太差我要退钱",
        "收到的东西坏了要退", "我想退了这个订单",
    ),
    "exchange_request": (
        "尺码小了想换大一号", "帮我换个尺码", "衣服大了换小一码",
        "收到的型号不对要换", "我想换一件", "能不能换成黑色的", "鞋子挤脚想换大一码",
    ),
    "address_change": (
        "收货地址填错了", "地址写错了帮我改一下", "我搬家了要改地址", "能改一下收件人地址吗",
        "送货地址要换一下", "帮我把地址改成公司", "收件地址不对", "改一下收货信息",
    ),
    "invoice_request": (
        "我要开发票", "帮我开张票", "给我开个电子发票", "公司报销要发票",
        "发票抬头写公司名", "麻烦补开一下发票",
    ),
    "human_request": (
        "我要找人工", "帮我转人工", "叫你们客服来", "我不要跟机器人说话",
        "找个真人", "有没有人在", "人工客服在哪", "我要投诉你们", "太气人了找你们负责人",
        "机器人听不懂，换个人",
    ),
    "greeting": (
        "你好", "您好", "在吗", "在不在", "哈喽", "你好呀", "有人吗", "早上好", "晚上好",
        "hello", "hi there", "hey", "good morning", "good evening", "hi, anyone there?",
    ),
    "thanks": (
        "谢谢", "谢谢你", "多谢", "好的谢谢", "感谢", "辛苦了", "好的明白了", "解决了谢谢",
        "thanks", "thank you", "thanks a lot", "great, thank you", "ok thanks", "cheers",
    ),
}
# fmt: on


def read_bitext(data: Path, per_intent: int) -> list[tuple[str, str]]:
    """At most ``per_intent`` rows per bitext intent (a seeded sample), relabelled."""
    path = data / BITEXT_FILE
    if not path.is_file():
        sys.exit(
            f"error: {path} not found. The demo bot is trained on the public bitext set in "
            f"../shared/data (see its README); pass the data folder as the first argument."
        )
    by_intent: dict[str, list[str]] = defaultdict(list)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for record in csv.DictReader(handle):
            by_intent[record["intent"]].append(record["utterance"].strip())
    rng = random.Random(SEED)
    rows = []
    for intent in sorted(by_intent):
        texts = sorted(set(by_intent[intent]))
        rng.shuffle(texts)
        label = BITEXT_LABELS.get(intent, intent)
        rows.extend((text, label) for text in texts[:per_intent])
    return rows


def shop_rows(kind: str, bitext: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Every training row of one demo shop kind, without duplicates of one text."""
    rows = list(bitext)
    for phrasings, _answer, _category, _language in demo_faqs(kind):
        rows.extend((phrasing, faq_label(phrasings[0])) for phrasing in phrasings)
    rows.extend((text, label) for label, texts in PHRASINGS.items() for text in texts)
    seen: set[str] = set()
    unique = []
    for text, label in rows:
        key = normalize(text)
        if key not in seen:
            seen.add(key)
            unique.append((text, label))
    return unique


def evaluate(rows: list[tuple[str, str]], embeddings: str) -> dict[str, float]:
    """Best-intent accuracy and answered-right share on a stratified 80/20 split of ``rows``."""
    train, test = stratified_split([label for _, label in rows], test_share=0.2, seed=SEED)
    config = IntentConfig(embeddings="never" if embeddings == "never" else "auto", seed=SEED)
    started = time.perf_counter()
    model = IntentModel(config).fit([rows[i][0] for i in train], [rows[i][1] for i in train])
    seconds = time.perf_counter() - started
    predictions = model.predict_many([rows[i][0] for i in test])
    truth = [rows[i][1] for i in test]
    chinese = [bool(_CJK.search(rows[i][0])) for i in test]

    def share(hits: list[bool], among: list[bool] | None = None) -> float:
        chosen = [h for h, keep in zip(hits, among or [True] * len(hits), strict=True) if keep]
        return round(100 * sum(chosen) / max(len(chosen), 1), 2)

    best = [p.best == t for p, t in zip(predictions, truth, strict=True)]
    return {
        "top1": share(best),
        "top1_zh": share(best, chinese),
        "top1_en": share(best, [not c for c in chinese]),
        "answered_right": share([p.label == t for p, t in zip(predictions, truth, strict=True)]),
        "handover": share([p.label is None for p in predictions]),
        "n_test": len(test),
        "n_test_zh": sum(chinese),
        "train_seconds": round(seconds, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--out-dir", type=Path, default=None)
    parser.add_argument("--per-intent", type=int, default=120)
    parser.add_argument("--evaluate", action="store_true")
    args = parser.parse_args()
    bitext = read_bitext(args.data, args.per_intent)
    for kind in DEMO_KINDS:
        rows = shop_rows(kind, bitext)
        if args.evaluate:
            for embeddings in ("never", "auto"):
                print(f"{kind} embeddings={embeddings}: {evaluate(rows, embeddings)}")
        started = time.perf_counter()
        model = IntentModel(IntentConfig(embeddings="never", seed=SEED)).fit(
            [text for text, _ in rows], [label for _, label in rows]
        )
        name = demo_model_name(kind)
        out = args.out_dir / f"{name}.joblib" if args.out_dir else packaged_model_path(name)
        out.parent.mkdir(parents=True, exist_ok=True)
        model.save(out)
        print(
            f"{kind}: {len(rows)} rows, {len(model.labels)} labels, trained in "
            f"{time.perf_counter() - started:.1f} s; wrote {out} "
            f"({out.stat().st_size / 1024:.0f} KiB)"
        )


if __name__ == "__main__":
    main()
