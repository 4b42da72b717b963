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


def _groups(separator: str | None = None, **groups: str) -> dict[str, str]:
    """word -> category from category=words (space-separated, or by `separator`)."""
    return {
        word.strip(): category
        for category, words in groups.items()
        for word in words.split(separator)
        if word.strip()
    }


def _overrides(table: str) -> dict[tuple[str, str], int]:
    """(category or term, word) -> polarity from lines "key: word+ word-"."""
    pairs: dict[tuple[str, str], int] = {}
    for line in table.strip().splitlines():
        key, words = line.split(":")
        for word in words.split():
            pairs[(key.strip(), word[:-1])] = 1 if word.endswith("+") else -1
    return pairs


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
            "物流 快递 发货 送货 配送 到货 收货 运输 快递员 送货员 快递小哥 快递师傅 小哥 派送 "
            "速度 物流速度 发货速度 送货速度 配送速度 顺丰 京东物流 时效 运费 邮费"
        ),
        _phrases(
            "delivery, shipping, shipment, courier, arrival, dispatch, postage, parcel, tracking"
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
            "质量 品质 做工 质感 用料 材质 工艺 面料 布料 料子 手感 针脚 做工质量 "
            "产品质量 商品质量 耐用性"
        ),
        _phrases("quality, build, build quality, material, materials, fabric, stitching"),
    ),
    AspectCategory(
        "authenticity",
        "正品",
        "authenticity",
        _words("真假 真伪 防伪 行货 正版"),
        _phrases("authenticity"),
    ),
    AspectCategory(
        "price",
        "价格",
        "price",
        _words("价格 价钱 价位 性价比 售价 定价 价格保护 价保 差价 活动 赠品 折扣 钱"),
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
        "尺码大小",
        "size",
        _words("尺码 码数 尺寸 大小 码子 版型 长度 长短 肥瘦 个头 个儿 分量 容量 份量 规格"),
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
            "性能 运行 系统 反应 配置 处理器 散热 内存 硬盘 显卡 芯片 信号 网速 网络 wifi 蓝牙 "
            "运行速度 开机 游戏 软件 噪音 噪声 风扇 发热 加热 温度 水温 热水 出水 功能 服务器 "
            "按键 键盘 触摸板 摄像头 拍照 像素 声音 音质 音效 喇叭 音量 cpu"
        ),
        _phrases(
            "performance, speed, processor, system, software, camera, signal, wifi, bluetooth, "
            "keyboard, fan, noise, sound, speaker, speakers, heating, temperature, features"
        ),
    ),
    AspectCategory(
        "usability",
        "使用",
        "ease of use",
        _words("操作 使用 用法 说明书 上手 界面 使用方法 使用体验 用起来 易用性"),
        _phrases("ease of use, interface, instructions, manual, usability"),
    ),
    AspectCategory(
        "battery",
        "电池",
        "battery",
        _words("电池 续航 待机 电量 充电 耗电 掉电 电池续航 待机时间 充电器"),
        _phrases("battery, battery life, charge, charging, charger"),
    ),
    AspectCategory(
        "screen",
        "屏幕",
        "screen",
        _words("屏幕 屏 分辨率 画面 画质 亮度 显示屏 触屏 液晶屏 屏幕显示 显示效果 清晰度"),
        _phrases("screen, display, resolution, brightness, touchscreen"),
    ),
    AspectCategory(
        "taste",
        "味道",
        "taste & smell",
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
        _words("效果 功效 去屑 止痒 控油 滋润 柔顺度 洗后 洗完 用后 头屑 头皮 头皮屑"),
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
            "洗手间 淋浴 设施 设备 宽带"
        ),
        _phrases("room, rooms, bed, bathroom, shower, facilities, wifi, air conditioning"),
    ),
    AspectCategory(
        "cleanliness",
        "卫生",
        "cleanliness",
        _words("卫生 清洁 卫生条件 床单 毛巾 地毯 马桶"),
        _phrases("cleanliness, hygiene, towels, sheets, carpet"),
    ),
    AspectCategory(
        "location",
        "位置",
        "location",
        _words("位置 地段 地理位置 交通 周边 环境 地点 停车 停车场 地铁 景点 机场 车站"),
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
    "好 不错 满意 喜欢 很好 棒 赞 漂亮 好看 好用 舒服 舒适 方便 清晰 流畅 快 及时 迅速 耐用 结实 "
    "精致 细致 完好 完整 新鲜 好吃 香 甜 实惠 划算 值 值得 超值 合适 合身 柔软 干净 整洁 安静 "
    "热情 周到 耐心 专业 贴心 礼貌 准时 给力 强大 很强 超强 稳定 靠谱 推荐 优秀 完美 惊喜 好评 "
    "清爽 柔顺 顺滑 有效 明显 大气 时尚 实用 够用 顺畅 灵敏 省电 持久 清楚 细腻 厚实 可口 正宗 "
    "宽敞 齐全 便利 一流 挺好 可以 还行 高 正 好闻 麻利 神速 飞快 很快 平整 牢固 精美 物美价廉 "
    "物超所值 性价比高 没话说 无可挑剔 放心 信赖 满分 高端 上档次 爽 快捷 保真 新 好喝 入味 香甜 "
    "多汁 饱满 标准 正好 刚好 真材实料 值得购买 酸甜 过硬 轻松 正品 足 便宜 赞赞 优惠 易用 "
    "有保证 优质 脆 脆甜 清甜 松软 香浓 顺手 杠杠滴 杠杠的 物有所值 丰富 美观 合理 均匀 艳丽 "
    "没得说 不俗 适中 有竞争力 满足 贴合 佩服 舒心 省心"
)
NEGATIVE_ZH = _words(
    "差 不好 烂 垃圾 坏 破 破损 损坏 漏 慢 贵 难看 难用 难吃 难闻 难喝 失望 后悔 糟糕 问题 毛病 "
    "故障 卡 卡顿 死机 发烫 烫 脏 臭 吵 旧 掉色 起球 缩水 褪色 开线 色差 粗糙 劣质 假 次品 敷衍 "
    "冷淡 恶劣 推诿 拖 拖延 麻烦 不行 一般 凑合 不值 坑 骗 坑爹 过期 变质 腐烂 烂了 坏了 苦 涩 "
    "模糊 暗 刺眼 漏水 变形 裂 碎 压坏 压扁 松 勒 闷 潮湿 简陋 陈旧 老化 破旧 狭小 嘈杂 霉 发霉 "
    "痒 干涩 毛躁 过敏 不满 不满意 差评 无语 郁闷 生气 气人 可惜 遗憾 不足 缺点 弱 短 太差 很差 "
    "极差 差劲 坑人 骗人 不靠谱 没收到 没到 不发货 没发货 少发 漏发 发错 错发 坏的 烂的 破了 "
    "碎了 不亮 不能用 用不了 没法用 不灵 失灵 晃 异响 黑屏 蓝屏 重启 掉线 断网 不耐用 容易坏 "
    "不新鲜 酸 硬 难受 刺鼻 不舒服 不准 不符 不一样 缺 无效 没效果 没用 不管用 脱发 掉发 油腻 "
    "霉味 异味 噪音大 不好用 退款难 不退 不换 不理 不回 没人理 不处理 欺骗 坑钱 上当 受骗 掉漆 "
    "划痕 瑕疵 污渍 线头 脱线 开胶 偏大 偏小 偏贵 假货 山寨 翻新 翻新机 冒牌 盗版 水货 假冒 严重 "
    "费电 蟑螂 虫子 退货 换货 小气 不值得 太慢 很慢 忽悠 垃圾货 漏液 划伤 凹陷 残次品 降价 "
    "降价了 跌价 就降价 就便宜 有什么用 有毛用 有啥用 不咋地 不怎么样 不咋样 无力吐槽 吐槽 "
    "有待提高 有待改进 需要改进 要提高 有待加强 需改进 待改进 普通 熏人 恐怖 无法忍受 受不了 "
    "短斤少两 缺斤少两 塑料味 怪味 开不了机 蚊子 打结 货不对板 不对板 不对 不爽 没味道 油 污垢 "
    "无法接受 吃力 不兼容 用不惯 误差 花了 发毛 太黑 不能忍受 脏乱差 惨不忍睹 不通情理 困难 延迟 "
    "不一致 没回应 没反应 没有反应 大小不一 撕开 起头屑 不够用 太薄 降了 就降了 一股味 有伤 伤疤 "
    "碰伤 磕碰 没法吃 不能吃"
)
# Opinion words that name their aspect, e.g. 便宜 is about the price.
IMPLICIT_ZH = _groups(
    price="便宜 贵 偏贵 实惠 划算 超值 物美价廉 物超所值 性价比高 不值 坑钱 优惠 降价 降价了 跌价 "
    "降了 就降价 就便宜",
    taste="好吃 难吃 好喝 难喝 香甜 多汁 可口 甜 脆 脆甜 清甜 香浓 酸甜 塑料味 怪味 没味道",
    freshness="新鲜 不新鲜 过期 变质 腐烂 发霉",
    size="合身 偏大 偏小 短斤少两 缺斤少两",
    appearance="漂亮 好看 难看 色差",
    quality="耐用 不耐用 容易坏 劣质 粗糙 起球 掉色 褪色 缩水 开线 脱线 开胶 次品 真材实料 线头 "
    "瑕疵 残次品 掉漆 划痕 有伤 伤疤 碰伤 磕碰",
    packaging="破损 压坏 压扁",
    performance="卡 卡顿 死机 发烫 蓝屏 异响 掉线 断网 开不了机",
    screen="黑屏",
    installation="漏水",
    battery="省电 费电",
    authenticity="假货 山寨 翻新 翻新机 冒牌 盗版 水货 保真 正品 假冒",
    delivery="没收到 没到 不发货 没发货 神速 少发 漏发 发错 错发 太慢",
    after_sales="退款难 不退 不换 退货 换货",
    service="没人理 不理 不回 敷衍 推诿 热情 耐心 礼貌 冷淡",
    cleanliness="脏 干净 整洁 霉味 异味 蟑螂 虫子 污渍 蚊子",
    location="嘈杂",
    room="宽敞 狭小",
    effect="去屑 脱发 掉发 没效果 毛躁 柔顺 打结",
    usability="好用 难用 易用 不好用",
)

POSITIVE_EN = _phrases(
    "good, great, excellent, amazing, awesome, perfect, love, loved, lovely, nice, fine, fast, "
    "quick, quickly, cheap, affordable, comfortable, soft, sturdy, solid, durable, clear, bright, "
    "sharp, crisp, smooth, responsive, friendly, helpful, polite, fresh, delicious, tasty, "
    "clean, quiet, spacious, beautiful, pretty, gorgeous, stylish, accurate, happy, satisfied, "
    "pleased, recommend, recommended, works, worth, best, fantastic, wonderful, brilliant, "
    "reliable, easy, well, intact, on time, long, strong, decent, superb, elegant, convenient, "
    "efficient, prompt, generous, well made, well packed, value for money, authentic, genuine, "
    "easy to use"
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
    "does not work, waste, waste of money, junk, hate, annoying, unacceptable, too big, "
    "too small, not worth, too long, took forever, overheating, drained, hard to use, runs small, "
    "runs large, runs big"
)
IMPLICIT_EN = _groups(
    ",",
    price="cheap, affordable, expensive, overpriced, pricey, value for money",
    taste="delicious, tasty, bland",
    freshness="stale, rotten, moldy, mouldy, spoiled, fresh",
    authenticity="fake, counterfeit, authentic, genuine",
    service="rude, unhelpful, polite, ignored",
    delivery="never arrived, late, delayed, took forever",
    performance="laggy, lags, overheats, crashes, freezes",
    quality="flimsy, well made, fell apart, falls apart, durable, sturdy, shrank, shrunk, faded",
    cleanliness="dirty, smelly",
    room="spacious",
    packaging="well packed",
    appearance="ugly, gorgeous, stylish",
    size="too big, too small, runs small, runs large, runs big",
    usability="easy to use, hard to use",
)

# Opinion words whose polarity depends on the aspect: (category or term, word) -> polarity.
# "快" is good for delivery but bad for a battery draining; 大 is good for a room, bad for a size.
OVERRIDES = _overrides(
    """
    price: 高- 低+ 便宜+ cheap+ low+ high-
    性价比: 高+ 低-
    quality: 低- 薄-
    room: 简单-
    usability: 简单+
    头皮屑: 多-
    battery: 快- fast- quickly- 长+ 久+
    充电: 快+
    charging: fast+
    charge: fast+
    charger: fast+
    size: 大- 小- 长- 短- small- big- large- tiny- huge-
    个头: 大+ 小-
    分量: 足+ 少-
    份量: 足+ 少-
    容量: 大+ 小-
    room: 大+ 小- small- big- large-
    screen: 大+ 高+ 亮+ big+ large+
    噪音: 大- 小+ 高-
    噪声: 大- 小+
    noise: loud-
    头屑: 多- 少+
    delivery: 久- 长- fast+
    taste: 酸- 淡- 浓+ 香+ 重- 大-
    effect: 明显+ 好+
    location: 近+ 远- 偏僻- 方便+
    performance: 快+ fast+ loud-
    """
)
# Words that only carry polarity next to an aspect that gives them one (see OVERRIDES).
CONTEXT_ONLY = _words(
    "大 小 长 久 多 少 亮 淡 浓 近 远 重 低 薄 简单 偏僻 low high big large small tiny huge"
)

NEGATORS_ZH = _words(
    "不 没 没有 无 未 别 不太 不是 不够 不算 并不 并没有 从不 毫无 不怎么 没啥 没什么 无法 不要 "
    "不会 不能 不如 没有想象的 没有想像的 没有想象中 没想象中 没有预期的"
)
NEGATORS_EN = _words(
    "not no never don't doesn't didn't isn't wasn't aren't weren't won't can't cannot couldn't "
    "hardly barely nothing"
)
DEGREE_ZH = _words(
    "很 非常 太 特别 超 超级 挺 比较 十分 极 极其 最 有点 有些 稍微 略 蛮 相当 更 真 真的 偏 "
    "还 还是 也 都 一点 有点儿 实在 确实 够 巨 好像 越来越 那么 这么 特 贼"
)
COPULAS_EN = _words("is are was were looks look feels feel seems tastes smells")
DEGREE_EN = _words("very really so too extremely quite pretty super rather fairly a bit totally")
# Clause boundaries inside a sentence: contrast words start a new clause.
CONTRAST_ZH = ("但是", "不过", "可是", "然而", "只是", "但")
CONTRAST_EN = _words("but however although though yet")
# Nouns that are never an aspect on their own (the goods, the shop, people, time).
NOT_ASPECTS = _words(
    "东西 商品 宝贝 产品 京东 淘宝 天猫 网上 东东 感觉 时候 朋友 老公 老婆 孩子 宝宝 家人 妈妈 "
    "同事 问题 地方 事情 时间 一次 第一次 下次 以后 总体 整体 总的来说 总之 印象 体验 结果 "
    "评论 块钱 读后感 心得 感受 原因 情况 样子 有点 左右 部分 方面 名声 品牌 牌子 小时 "
    "购物 网购 评价 好评 差评 满意 机器 手机 电脑 平板 酒店 衣服 水果 书 本书 这本书 东东 "
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
