"""Word lists: English sentiment, anger cues in Chinese and English, Chinese stop words.

Kept small and explicit so a shop can read them; matched after `kefu.bot.text.normalize`.
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


POSITIVE_EN = _words(
    "good great excellent amazing awesome love loved lovely perfect happy glad thanks thank "
    "helpful fast quick nice fantastic wonderful best satisfied pleased recommend works "
    "appreciate brilliant smooth easy friendly"
)
NEGATIVE_EN = _words(
    "bad terrible awful horrible worst poor broken damaged late slow wrong missing never "
    "disappointed disappointing angry annoyed useless rude unacceptable ridiculous refund "
    "scam fraud hate problem issue complaint fake defective cheated waste delayed lost "
    "frustrated furious upset stolen rubbish garbage"
)
NEGATE_EN = _words("not no never don't doesn't didn't isn't wasn't won't can't cannot")
ANGER_EN = (
    "ridiculous",
    "worst",
    "lawyer",
    "sue",
    "scam",
    "fraud",
    "unacceptable",
    "furious",
    "disgusting",
    "pathetic",
    "rubbish",
    "garbage",
    "useless",
    "cheated",
    "liar",
    "liars",
    "report you",
    "money back",
    "never again",
    "wtf",
    "damn",
)
ANGER_ZH = (
    "投诉",
    "差评",
    "骗子",
    "垃圾",
    "退钱",
    "欺骗",
    "骗人",
    "坑人",
    "忽悠",
    "气死",
    "太差",
    "什么玩意",
    "无语",
    "恶心",
    "报警",
    "消协",
    "12315",
    "曝光",
    "滚",
    "投诉你们",
    "要求赔偿",
    "再也不",
    "废物",
)
# Function words that only add noise to FAQ matching; question words stay, they carry intent.
STOPWORDS_ZH = _words(
    "的 了 吗 呢 吧 啊 呀 是 我 你 他 她 它 们 这 那 个 和 与 及 就 都 也 还 在 有 请 一下"
)
