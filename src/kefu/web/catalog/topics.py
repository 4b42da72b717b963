"""Catalog of the customer-voice page (客户声音: aspects, products, trending topics)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "topics.title": ("客户声音", "Voice of the customer"),
    "topics.intro": (
        "顾客在咨询和投诉里说了什么：哪些方面被抱怨（该改进的）、哪些被称赞、"
        "各商品的问题，以及与上一周期相比升温的话题。",
        "What customers say in their messages and complaints: what they complain about (what to "
        "fix), what they praise, each product's issues, and what is trending against the period "
        "before.",
    ),
    "topics.period": ("周期", "Period"),
    "topics.versus": ("对比 {before}", "against {before}"),
    "topics.complaints_only": ("只看投诉", "Complaints only"),
    "topics.apply": ("查看", "Show"),
    "topics.documents": (
        "会话 {n} 个（投诉 {c} 个，关联到商品 {l} 个）",
        "{n} conversations ({c} complaints, {l} linked to a product)",
    ),
    "topics.truncated": (
        "会话太多，只分析了最新的一部分。",
        "Too many conversations: the newest were analysed.",
    ),
    "topics.to_fix": ("需要改进", "What to fix"),
    "topics.praised": ("受到称赞", "What customers praise"),
    "topics.aspect": ("方面", "Aspect"),
    "topics.conversations": ("会话", "Conversations"),
    "topics.share": ("占比", "Share"),
    "topics.previous": ("上期", "Before"),
    "topics.negative_share": ("负面占比", "Negative"),
    "topics.terms": ("常见说法", "Words used"),
    "topics.examples": ("原话", "In their words"),
    "topics.products": ("按商品", "By product"),
    "topics.product": ("商品", "Product"),
    "topics.complaints": ("投诉", "Complaints"),
    "topics.negative": ("负面方面", "Negative aspects"),
    "topics.positive": ("正面方面", "Positive aspects"),
    "topics.keywords": ("关键词", "Keywords"),
    "topics.trending": ("升温话题", "Trending"),
    "topics.trend.change": ("变化", "Change"),
    "topics.significant": ("显著", "significant"),
    "topics.none": ("这段时间没有足够的消息。", "Not enough messages in this period."),
}
