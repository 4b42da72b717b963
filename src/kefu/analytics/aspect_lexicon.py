"""The aspect lexicon: aspect categories with their Chinese and English terms, opinion words with
their polarity (general, implying an aspect, or depending on the aspect), negators, degree words
and the stop words of keyword extraction.

Written by the Kefu team for e-commerce service messages and product reviews; matched after
`kefu.bot.text.normalize` (lower case, half width). Edit freely: a shop reads it as a word list.
"""

from __future__ import annotations

from dataclasses import dataclass

from kefu.bot.lexicon import STOPWORDS_ZH as _BOT_STOPWORDS_ZH


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _phrases(text: str) -> frozenset[str]:
    """Comma-separated entries, for English terms of several words."""
    return frozenset(part.strip() for part in text.split(",") if part.strip())


@dataclass(frozen=True)
class AspectCategory:
    key: str
    zh: str
    en: str
    terms_zh: frozenset[str]
    terms_en: frozenset[str]

    @property
    def label(self) -> str:
        return f"{self.zh}/{self.en}"


OTHER = "other"  # open-vocabulary aspects: nouns found by POS next to an opinion word

CATEGORIES: tuple[AspectCategory, ...] = (
    AspectCategory(
        "delivery",
        "物流",
        "delivery",
        _words(
            "物流 快递 发货 送货 配送 到货 收货 运输 快递员 送货员 快递小哥 小哥 派送 速度 "
            "物流速度 发货速度 送货速度 配送速度 顺丰 京东物流 时效 运费 邮费"
        ),
        _phrases(
            "delivery, shipping, shipment, courier, arrived, arrival, shipped, dispatch, "
            "postage, parcel, tracking, delivered"
        ),
    ),
    AspectCategory(
        "packaging",
        "包装",
        "packaging",
        _words("包装 外包装 包装盒 盒子 箱子 纸箱 泡沫 冰袋 封口 塑封 袋子 快递盒 防震"),
        _phrases("packaging, package, box, wrapping, packing, packed"),
    ),
    AspectCategory(
        "quality",
        "质量",
        "quality",
        _words(
            "质量 品质 做工 质感 用料 材质 工艺 面料 布料 料子 手感 线头 针脚 做工质量 "
            "产品质量 商品质量 耐用性 瑕疵"
        ),
        _phrases("quality, build, build quality, material, materials, fabric, stitching"),
    ),
    AspectCategory(
        "authenticity",
        "正品",
        "authenticity",
        _words("正品 真假 真伪 防伪 假货 行货 水货 假冒 翻新机 山寨 冒牌"),
        _phrases("authentic, genuine, counterfeit, fake, knockoff, original"),
    ),
    AspectCategory(
        "price",
        "价格",
        "price",
        _words("价格 价钱 价位 性价比 售价 定价 价格保护 价保 差价 优惠 活动 赠品 折扣 降价 钱"),
        _phrases("price, cost, value, value for money, discount, deal, coupon"),
    ),
    AspectCategory(
        "service",
        "客服",
        "service",
        _words(
            "客服 服务 态度 服务态度 商家 卖家 店家 掌柜 售前 回复 前台 服务员 工作人员 "
            "店员 员工 导购 人工客服"
        ),
        _phrases(
            "service, customer service, support, staff, agent, seller, reply, response, "
            "reception, receptionist"
        ),
    ),
    AspectCategory(
        "after_sales",
        "售后",
        "after-sales",
        _words("售后 售后服务 退货 换货 退款 维修 保修 三包 退换 退换货 返修 理赔 补发 发票"),
        _phrases("after sales, after-sales, return, returns, refund, warranty, repair, exchange"),
    ),
    AspectCategory(
        "size",
        "尺码",
        "size",
        _words("尺码 码数 尺寸 大小 码子 号码 版型 长度 肥瘦 个头 个儿 分量 容量 份量 规格"),
        _phrases("size, sizing, fit, fits, length"),
    ),
    AspectCategory(
        "appearance",
        "外观",
        "appearance",
        _words("外观 颜色 样子 款式 设计 造型 颜值 外形 样式 图案 色彩 实物 外表 颜色搭配"),
        _phrases("look, looks, color, colour, design, style, appearance"),
    ),
    AspectCategory(
        "performance",
        "性能",
        "performance",
        _words(
            "性能 运行 系统 反应 配置 处理器 散热 内存 硬盘 显卡 芯片 信号 网速 wifi 蓝牙 "
            "运行速度 开机 游戏 软件 噪音 噪声 风扇 发热 加热 温度 水温 功能 操作 按键 键盘 "
            "触摸板 摄像头 拍照 像素 声音 音质 音效 喇叭 音量 cpu"
        ),
        _phrases(
            "performance, speed, processor, system, software, camera, signal, wifi, bluetooth, "
            "keyboard, fan, noise, sound, speaker, speakers, heating, temperature, features"
        ),
    ),
    AspectCategory(
        "battery",
        "电池",
        "battery",
        _words("电池 续航 待机 电量 充电 耗电 掉电 电池续航 待机时间 充电器 费电"),
        _phrases("battery, battery life, charge, charging, charger"),
    ),
    AspectCategory(
        "screen",
        "屏幕",
        "screen",
        _words("屏幕 屏 显示 分辨率 画面 画质 亮度 显示屏 触屏 液晶屏 屏幕显示 显示效果 清晰度"),
        _phrases("screen, display, resolution, brightness, touchscreen"),
    ),
    AspectCategory(
        "taste",
        "味道",
        "taste/smell",
        _words("味道 口感 口味 味儿 香味 气味 香气 甜度 果肉 水分 汁水 奶味 奶香"),
        _phrases("taste, flavor, flavour, smell, scent, texture"),
    ),
    AspectCategory(
        "freshness",
        "新鲜度",
        "freshness",
        _words("新鲜度 保质期 生产日期 日期 坏果 烂果 保鲜"),
        _phrases("freshness, expiry, expiration, best before, shelf life"),
    ),
    AspectCategory(
        "effect",
        "效果",
        "effect",
        _words("效果 功效 去屑 止痒 控油 滋润 柔顺度 洗后 洗完 用后 头屑 头皮"),
        _phrases("effect, effects, results, dandruff, scalp"),
    ),
    AspectCategory(
        "installation",
        "安装",
        "installation",
        _words("安装 安装师傅 师傅 安装费 材料费 上门 安装服务"),
        _phrases("installation, install, installer, technician, setup"),
    ),
    AspectCategory(
        "room",
        "房间",
        "room",
        _words(
            "房间 客房 床 床铺 被子 枕头 隔音 窗户 空调 房型 装修 大堂 电梯 浴室 卫生间 "
            "洗手间 热水 淋浴 设施 设备 网络 宽带 电视"
        ),
        _phrases("room, rooms, bed, bathroom, shower, facilities, wifi, air conditioning"),
    ),
    AspectCategory(
        "cleanliness",
        "卫生",
        "cleanliness",
        _words("卫生 清洁 卫生条件 床单 毛巾 地毯 蟑螂 霉味 异味"),
        _phrases("cleanliness, hygiene, towels, sheets, carpet"),
    ),
    AspectCategory(
        "location",
        "位置",
        "location",
        _words("位置 地段 地理位置 交通 周边 环境 地点 停车 停车场 地铁 景点"),
        _phrases("location, neighbourhood, neighborhood, parking, area"),
    ),
    AspectCategory(
        "food",
        "餐饮",
        "food",
        _words("早餐 早饭 自助餐 餐厅 饭菜 晚餐 午餐 菜品 伙食"),
        _phrases("breakfast, restaurant, dinner, food, meal, meals"),
    ),
    AspectCategory(
        "content",
        "内容",
        "content",
        _words("内容 故事 情节 作者 文字 文笔 翻译 观点 思想 插图 章节 语言 描写"),
        _phrases("content, story, plot, author, writing, translation, chapter"),
    ),
    AspectCategory(
        "print",
        "印刷",
        "print",
        _words("印刷 纸张 纸质 字迹 排版 装帧 印刷质量 书皮 封面 字体"),
        _phrases("print, printing, paper, cover, binding"),
    ),
)

CATEGORY_BY_KEY: dict[str, AspectCategory] = {c.key: c for c in CATEGORIES}

# Opinion words with a polarity of their own.
POSITIVE_ZH = _words(
    "好 不错 满意 喜欢 很好 棒 赞 漂亮 好看 好用 舒服 舒适 方便 清晰 流畅 快 及时 迅速 耐用 "
    "结实 精致 细致 完好 完整 新鲜 好吃 香 甜 实惠 划算 值 值得 超值 合适 合身 柔软 干净 整洁 "
    "安静 热情 周到 耐心 专业 贴心 礼貌 准时 给力 强 稳定 靠谱 推荐 优秀 完美 惊喜 好评 清爽 "
    "柔顺 顺滑 有效 明显 大气 时尚 实用 够用 顺畅 灵敏 省电 持久 清楚 细腻 厚实 可口 正宗 宽敞 "
    "齐全 便利 一流 挺好 可以 还行 高 nice 正 好闻 麻利 神速 飞快 很快 平整 牢固 精美 "
    "喜欢的 物美价廉 物超所值 性价比高 没话说 无可挑剔 放心 信赖 满分 高端 上档次 爽 快捷 "
    "及时雨 保真 新 齐 好喝 入味 醇 香甜 多汁 饱满 标准 正好 刚好 真材实料 值得购买 不错的"
)
NEGATIVE_ZH = _words(
    "差 不好 烂 垃圾 坏 破 破损 损坏 漏 慢 贵 难看 难用 难吃 难闻 难喝 失望 后悔 糟糕 问题 毛病 "
    "故障 卡 卡顿 死机 发烫 烫 脏 臭 吵 旧 掉色 起球 缩水 褪色 开线 色差 粗糙 劣质 假 次品 "
    "敷衍 冷淡 恶劣 推诿 拖 拖延 麻烦 不行 一般 凑合 不值 坑 骗 坑爹 过期 变质 腐烂 烂了 坏了 "
    "苦 涩 模糊 暗 刺眼 漏水 变形 裂 碎 压坏 压扁 松 勒 闷 潮湿 简陋 陈旧 老化 破旧 狭小 嘈杂 "
    "霉 发霉 痒 干涩 毛躁 过敏 不满 不满意 差评 无语 郁闷 生气 气人 可惜 遗憾 不足 缺点 弱 短 低 "
    "小气 垃圾货 太差 很差 极差 差劲 坑人 骗人 不靠谱 没收到 没到 不发货 没发货 少发 漏发 发错 "
    "错发 少了 坏的 烂的 破了 碎了 不亮 不能用 用不了 没法用 不灵 失灵 晃 异响 噪 慢吞吞 黑屏 "
    "蓝屏 重启 掉线 断网 退货 不耐用 容易坏 不新鲜 酸 硬 难受 刺鼻 不舒服 麻 不准 不符 不一样 "
    "缺 空 无效 没效果 没用 不管用 脱发 掉发 油腻 霉味 异味 噪音大 退款难 不退 不换 不理 不回 "
    "没人理 不处理 欺骗 坑钱 上当 受骗 掉漆 划痕 瑕疵 污渍 线头 脱线 开胶 偏大 偏小 偏贵 "
    "假货 山寨 翻新 冒牌 盗版 水货"
)
# Opinion words that name their aspect, e.g. 便宜 is about the price.
IMPLICIT_ZH: dict[str, str] = {
    "便宜": "price",
    "贵": "price",
    "偏贵": "price",
    "实惠": "price",
    "划算": "price",
    "超值": "price",
    "物美价廉": "price",
    "物超所值": "price",
    "性价比高": "price",
    "不值": "price",
    "坑钱": "price",
    "好吃": "taste",
    "难吃": "taste",
    "好喝": "taste",
    "难喝": "taste",
    "香甜": "taste",
    "多汁": "taste",
    "可口": "taste",
    "新鲜": "freshness",
    "不新鲜": "freshness",
    "过期": "freshness",
    "变质": "freshness",
    "腐烂": "freshness",
    "发霉": "freshness",
    "合身": "size",
    "偏大": "size",
    "偏小": "size",
    "漂亮": "appearance",
    "好看": "appearance",
    "难看": "appearance",
    "色差": "appearance",
    "耐用": "quality",
    "不耐用": "quality",
    "容易坏": "quality",
    "劣质": "quality",
    "粗糙": "quality",
    "起球": "quality",
    "掉色": "quality",
    "褪色": "quality",
    "缩水": "quality",
    "开线": "quality",
    "脱线": "quality",
    "开胶": "quality",
    "次品": "quality",
    "破损": "packaging",
    "压坏": "packaging",
    "压扁": "packaging",
    "卡顿": "performance",
    "死机": "performance",
    "发烫": "performance",
    "黑屏": "screen",
    "蓝屏": "performance",
    "异响": "performance",
    "掉线": "performance",
    "断网": "performance",
    "漏水": "installation",
    "省电": "battery",
    "假货": "authenticity",
    "山寨": "authenticity",
    "翻新": "authenticity",
    "冒牌": "authenticity",
    "盗版": "authenticity",
    "水货": "authenticity",
    "保真": "authenticity",
    "真材实料": "quality",
    "没收到": "delivery",
    "没到": "delivery",
    "不发货": "delivery",
    "没发货": "delivery",
    "神速": "delivery",
    "少发": "delivery",
    "漏发": "delivery",
    "发错": "delivery",
    "错发": "delivery",
    "退款难": "after_sales",
    "不退": "after_sales",
    "不换": "after_sales",
    "没人理": "service",
    "不理": "service",
    "不回": "service",
    "敷衍": "service",
    "推诿": "service",
    "热情": "service",
    "耐心": "service",
    "礼貌": "service",
    "冷淡": "service",
    "脏": "cleanliness",
    "干净": "cleanliness",
    "整洁": "cleanliness",
    "霉味": "cleanliness",
    "异味": "cleanliness",
    "嘈杂": "location",
    "宽敞": "room",
    "狭小": "room",
    "去屑": "effect",
    "脱发": "effect",
    "掉发": "effect",
    "没效果": "effect",
    "毛躁": "effect",
    "柔顺": "effect",
    "盗版书": "authenticity",
}

POSITIVE_EN = _phrases(
    "good, great, excellent, amazing, awesome, perfect, love, loved, lovely, nice, fine, fast, "
    "quick, quickly, cheap, affordable, comfortable, soft, sturdy, solid, durable, clear, bright, "
    "sharp, crisp, smooth, responsive, friendly, helpful, polite, fresh, delicious, tasty, "
    "clean, quiet, spacious, beautiful, pretty, gorgeous, stylish, accurate, happy, satisfied, "
    "pleased, recommend, recommended, works, worth, best, fantastic, wonderful, brilliant, "
    "reliable, easy, well, intact, on time, long, strong, decent, superb, elegant, convenient, "
    "efficient, prompt, generous, well made, well packed, value for money"
)
NEGATIVE_EN = _phrases(
    "bad, poor, terrible, awful, horrible, worst, broken, damaged, defective, faulty, cracked, "
    "torn, ripped, dented, leaking, leaks, leaked, late, slow, slowly, delayed, lost, missing, "
    "wrong, expensive, overpriced, pricey, rude, unhelpful, useless, flimsy, fake, counterfeit, "
    "stale, rotten, moldy, mouldy, spoiled, bland, dirty, noisy, loud, tight, loose, "
    "uncomfortable, itchy, dim, blurry, laggy, lags, lag, freezes, crashes, overheats, dies, died, "
    "dead, drains, disappointing, disappointed, problem, problems, issue, issues, cheaply, "
    "scratched, stained, smelly, faded, shrank, shrunk, ugly, weak, short, unresponsive, "
    "ignored, never arrived, fell apart, falls apart, stopped working, doesn't work, "
    "does not work, waste, waste of money, junk, hate, annoying, unacceptable, horrible, "
    "small, tiny, huge, too big, too small, not worth"
)
IMPLICIT_EN: dict[str, str] = {
    "cheap": "price",
    "affordable": "price",
    "expensive": "price",
    "overpriced": "price",
    "pricey": "price",
    "value for money": "price",
    "delicious": "taste",
    "tasty": "taste",
    "bland": "taste",
    "stale": "freshness",
    "rotten": "freshness",
    "moldy": "freshness",
    "mouldy": "freshness",
    "spoiled": "freshness",
    "fresh": "freshness",
    "fake": "authenticity",
    "counterfeit": "authenticity",
    "rude": "service",
    "unhelpful": "service",
    "polite": "service",
    "ignored": "service",
    "never arrived": "delivery",
    "late": "delivery",
    "delayed": "delivery",
    "laggy": "performance",
    "lags": "performance",
    "overheats": "performance",
    "crashes": "performance",
    "freezes": "performance",
    "flimsy": "quality",
    "well made": "quality",
    "fell apart": "quality",
    "falls apart": "quality",
    "durable": "quality",
    "sturdy": "quality",
    "shrank": "quality",
    "shrunk": "quality",
    "faded": "quality",
    "dirty": "cleanliness",
    "smelly": "cleanliness",
    "spacious": "room",
    "well packed": "packaging",
    "ugly": "appearance",
    "gorgeous": "appearance",
    "stylish": "appearance",
    "too big": "size",
    "too small": "size",
}

# Opinion words whose polarity depends on the aspect: (category or term, word) -> polarity.
# "快" is good for delivery but bad for a battery draining; 大 is good for a room, bad for a size.
OVERRIDES: dict[tuple[str, str], int] = {
    ("price", "高"): -1,
    ("price", "低"): 1,
    ("price", "便宜"): 1,
    ("price", "cheap"): 1,
    ("price", "low"): 1,
    ("price", "high"): -1,
    ("battery", "快"): -1,
    ("battery", "fast"): -1,
    ("battery", "quickly"): -1,
    ("battery", "长"): 1,
    ("battery", "久"): 1,
    ("充电", "快"): 1,
    ("charging", "fast"): 1,
    ("charge", "fast"): 1,
    ("charger", "fast"): 1,
    ("size", "大"): -1,
    ("size", "小"): -1,
    ("size", "长"): -1,
    ("size", "短"): -1,
    ("个头", "大"): 1,
    ("个头", "小"): -1,
    ("分量", "足"): 1,
    ("分量", "少"): -1,
    ("容量", "大"): 1,
    ("容量", "小"): -1,
    ("room", "大"): 1,
    ("room", "小"): -1,
    ("room", "small"): -1,
    ("room", "big"): 1,
    ("room", "large"): 1,
    ("screen", "大"): 1,
    ("screen", "高"): 1,
    ("screen", "亮"): 1,
    ("screen", "big"): 1,
    ("screen", "large"): 1,
    ("噪音", "大"): -1,
    ("噪音", "小"): 1,
    ("噪声", "大"): -1,
    ("噪声", "小"): 1,
    ("声音", "大"): -1,
    ("声音", "小"): 1,
    ("noise", "loud"): -1,
    ("delivery", "久"): -1,
    ("delivery", "长"): -1,
    ("taste", "酸"): -1,
    ("taste", "淡"): -1,
    ("taste", "浓"): 1,
    ("taste", "香"): 1,
    ("effect", "明显"): 1,
    ("effect", "好"): 1,
    ("location", "近"): 1,
    ("location", "远"): -1,
    ("location", "偏"): -1,
    ("location", "偏僻"): -1,
    ("location", "方便"): 1,
    ("performance", "快"): 1,
    ("performance", "大"): -1,
    ("performance", "高"): -1,
    ("performance", "fast"): 1,
    ("performance", "loud"): -1,
    ("delivery", "fast"): 1,
}
# Words that only carry polarity next to an aspect that gives them one (see OVERRIDES).
CONTEXT_ONLY = _words("大 小 长 久 足 少 亮 淡 浓 近 远 偏僻 low high big large")

NEGATORS_ZH = _words("不 没 没有 无 未 别 不太 不是 不够 不算 并不 并没有 从不 毫无 不怎么 不大 没啥 没什么")
NEGATORS_EN = _words(
    "not no never don't doesn't didn't isn't wasn't aren't weren't won't can't cannot couldn't "
    "hardly barely nothing"
)
DEGREE_ZH = _words(
    "很 非常 太 特别 超 超级 挺 比较 十分 极 极其 最 有点 有些 稍微 略 蛮 相当 更 真 真的 偏 "
    "还 还是 也 都 好 一点 有点儿 实在 确实 够 巨 超好"
)
DEGREE_EN = _words("very really so too extremely quite pretty super rather fairly a bit totally")
# Clause boundaries inside a sentence: contrast words start a new clause.
CONTRAST_ZH = ("但是", "不过", "可是", "然而", "只是", "但")
CONTRAST_EN = _words("but however although though yet")
# Nouns that are never an aspect on their own (the goods, the shop, people, time).
NOT_ASPECTS = _words(
    "东西 商品 宝贝 产品 京东 淘宝 天猫 网上 东东 感觉 时候 朋友 老公 老婆 孩子 宝宝 家人 妈妈 "
    "同事 问题 地方 事情 时间 一次 第一次 下次 以后 价格 总体 整体 总的来说 总之 印象 体验 "
    "购物 网购 评价 好评 差评 满意 速度 机器 手机 电脑 平板 酒店 衣服 水果 书 本书 这本书 "
    "nothing thing things product item order stuff everything anything"
)

STOPWORDS_ZH = _BOT_STOPWORDS_ZH | _words(
    "一个 一些 一下 一点 一样 没有 什么 这个 那个 还是 就是 但是 因为 所以 可以 如果 而且 "
    "已经 非常 比较 真的 自己 我们 你们 他们 感觉 觉得 东西 还有 不是 这样 那样 这么 那么 "
    "怎么 为什么 其他 之后 之前 然后 时候 知道 可能 应该 以后 现在 今天 昨天 还是 只是 "
    "不过 其实 而且 或者 以及 不错 很 太 挺 特别 也 都 又 再 就 才 被 把 给 让 从 到 对 说 "
    "要 会 能 想 去 来 用 买 看 个 上 下 里 中 后 前 次 为 并 与 或 等 等等 啦 哦 嗯 哈 哈哈"
)
STOPWORDS_EN = _words(
    "the a an and or but is are was were be been being to of in on for with it its it's this "
    "that these those i i'm i've me my we our you your he she they them their there here what "
    "which who when where why how all any both each few more most other some such no nor not "
    "only own same so than too very can will just don't should now have has had do does did "
    "from at by about as into after before up down out off over under again then once also "
    "would could get got one still even much many am if because while ok okay please thanks "
    "thank hi hello"
)
