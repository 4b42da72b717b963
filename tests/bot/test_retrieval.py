from __future__ import annotations

from kefu.bot.retrieval import Document, FaqIndex

FAQS = [
    Document("ship-zh", "快递多久能到？", "一般下单后3到5天送达。"),
    Document("refund-zh", "怎么申请退款？", "在订单详情页点击申请退款。"),
    Document("invoice-zh", "可以开发票吗？", "可以，在订单页申请电子发票。"),
    Document("return-en", "How do I return an item?", "Open your orders and choose Return."),
    Document("pay-en", "Which payment methods do you accept?", "Visa, Mastercard and Alipay."),
    Document("hours-en", "What are your opening hours?", "We answer 9:00 to 21:00 every day."),
]


def test_finds_the_chinese_faq() -> None:
    index = FaqIndex(FAQS)
    assert index.search("我的快递什么时候能到")[0].id == "ship-zh"
    assert index.search("我想退款")[0].id == "refund-zh"
    assert index.search("能开发票吗")[0].id == "invoice-zh"


def test_finds_the_english_faq() -> None:
    index = FaqIndex(FAQS)
    assert index.search("can I return these shoes")[0].id == "return-en"
    assert index.search("do you accept alipay")[0].id == "pay-en"


def test_relevance_is_one_for_the_question_itself() -> None:
    hit = FaqIndex(FAQS).search("What are your opening hours?")[0]
    assert hit.id == "hours-en"
    assert hit.relevance == 1.0


def test_no_hits_for_unknown_words_or_an_empty_index() -> None:
    assert FaqIndex(FAQS).search("zebra xylophone") == []
    assert FaqIndex([]).search("refund") == []
