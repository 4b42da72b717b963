"""The demo shops' knowledge base content: FAQs (several phrasings, one answer) and articles.

Pure data. ``demo_faqs`` is what the demo seed publishes and what the demo bot trains on, so
each answer matches the demo's facts (carriers, warehouses, the 7-day no-reason return policy).
"""

from __future__ import annotations

from dataclasses import dataclass

Entry = tuple[tuple[str, ...], str, str, str]  # (phrasings, answer, category, language)

SHIPPING = "配送与物流"
RETURNS = "退换货与退款"
INVOICE = "发票"
ORDERS = "订单与支付"
PROMOTIONS = "优惠活动"
WARRANTY = "售后与保修"
SIZES = "尺码与商品"
PRESALE = "商品咨询"
CATEGORIES = (SHIPPING, RETURNS, INVOICE, ORDERS, PROMOTIONS, WARRANTY, SIZES, PRESALE)


@dataclass(frozen=True, slots=True)
class _Shop:
    warehouse: str
    carrier: str
    dispatch_hours: int
    return_address: str


_SHOPS = {
    "electronics": _Shop("深圳", "顺丰速运", 24, "广东省深圳市宝安区福永街道极客数码售后仓"),
    "apparel": _Shop("杭州", "中通快递", 48, "浙江省杭州市余杭区仓前街道简衣坊退货仓"),
}


def _common(shop: _Shop) -> list[Entry]:
    return [
        (
            (
                "下单后多久发货？",
                "什么时候发货",
                "多久能发货",
                "今天下单今天能发吗",
                "怎么还没发货",
            ),
            f"现货商品付款后 {shop.dispatch_hours} 小时内从{shop.warehouse}仓发出，大促期间"
            "（如双11）可能顺延 1-2 天；预售商品以商品页写明的发货时间为准。"
            "发货后您会收到短信通知。",
            SHIPPING,
            "zh",
        ),
        (
            ("默认发什么快递？", "发什么快递", "可以指定顺丰吗", "用的哪家快递"),
            f"默认发{shop.carrier}，偏远地区会改用邮政或京东物流以保证送达。"
            "如需指定快递，请下单时在备注里写明，我们会尽量安排（可能需补差价）。",
            SHIPPING,
            "zh",
        ),
        (
            ("发货后几天能到？", "快递几天到", "多久能收到货", "大概什么时候送到"),
            "发货后江浙沪、广东一般 1-2 天送达，其他省份 2-4 天，新疆、西藏等偏远地区 5-7 天。"
            "具体进度可在“我的订单-查看物流”中查询。",
            SHIPPING,
            "zh",
        ),
        (
            ("怎么查物流？", "物流信息在哪看", "快递单号是多少", "物流好几天没更新了"),
            "在“我的订单”中点开订单，选择“查看物流”即可看到快递单号和轨迹。"
            "如果物流超过 48 小时没有更新，请把订单号发给客服，我们帮您联系快递公司核实。",
            SHIPPING,
            "zh",
        ),
        (
            ("偏远地区能发货吗？", "新疆能发吗", "西藏包邮吗", "港澳台可以寄吗"),
            "新疆、西藏、青海等偏远地区可以发货，部分商品需补运费，下单页会自动计算；"
            "港澳台及海外地区暂不支持配送。",
            SHIPPING,
            "zh",
        ),
        (
            (
                "支持七天无理由退货吗？",
                "能退货吗",
                "不想要了可以退吗",
                "七天无理由怎么退",
                "买错了能退吗",
            ),
            "支持。签收后 7 天内，商品及配件、包装完好且不影响二次销售，即可申请七天无理由退货。"
            "定制商品、已激活或拆封的贴身用品等不适用，商品页会特别注明。",
            RETURNS,
            "zh",
        ),
        (
            ("怎么申请退货？", "退货流程是什么", "退货怎么操作", "在哪里申请售后"),
            "在“我的订单”找到对应订单，点击“申请售后”选择退货并填写原因；审核通过后按页面提示的地址寄回"
            f"（{shop.return_address}），并填写退货快递单号。请不要寄到付件。",
            RETURNS,
            "zh",
        ),
        (
            ("退货运费谁出？", "退货要自己付运费吗", "有运费险吗", "退回去的邮费怎么算"),
            "质量问题或发错货的退换运费由我们承担，寄回后在售后申请里上传运费凭证即可报销；"
            "七天无理由退货的运费由买家承担，如果下单时购买了运费险，会按运费险理赔。",
            RETURNS,
            "zh",
        ),
        (
            ("退款多久到账？", "什么时候退款", "退款怎么还没到", "钱什么时候退回来"),
            "我们收到退货并验收后 1-3 个工作日内退款。原路退回：支付宝、微信一般即时到账，"
            "银行卡 1-5 个工作日，信用卡以银行处理为准。",
            RETURNS,
            "zh",
        ),
        (
            ("可以换货吗？", "能换个颜色吗", "换货怎么操作", "想换别的型号"),
            "签收后 7 天内可以换同款不同颜色或规格。"
            "在订单中点击“申请售后”选择换货并注明需要的规格，"
            "收到寄回商品后我们会第一时间发出新商品。如换不同价格的商品，请退货后重新下单。",
            RETURNS,
            "zh",
        ),
        (
            ("收到的商品破损怎么办？", "快递压坏了", "收到货是坏的", "少发了东西", "发错货了"),
            "非常抱歉！请在签收后 48 小时内拍下外包装、商品和快递面单的照片，"
            "在订单中申请售后并上传，"
            "我们核实后为您免费补发或换新，运费由我们承担。",
            RETURNS,
            "zh",
        ),
        (
            ("可以开发票吗？", "能开发票吗", "怎么开发票", "发票怎么申请", "下单忘记开发票了"),
            "可以。下单时在“发票”一栏填写抬头和税号即可开具电子普通发票；"
            "下单时忘记选择的，确认收货后在订单详情点击“申请开票”补开。",
            INVOICE,
            "zh",
        ),
        (
            ("能开增值税专用发票吗？", "能开专票吗", "公司采购要专票", "需要开增票"),
            "可以。请在订单详情点击“申请开票”选择增值税专用发票，并填写公司名称、税号、注册地址电话、"
            "开户行及账号；专票审核后 3-5 个工作日寄出纸质发票。",
            INVOICE,
            "zh",
        ),
        (
            ("电子发票在哪里下载？", "发票开好了在哪看", "发票什么时候开出来", "发票发到哪里"),
            "电子发票在确认收货后 1-2 个工作日内开具，开好后可在订单详情“查看发票”下载，"
            "同时会发送到您下单时留的邮箱。",
            INVOICE,
            "zh",
        ),
        (
            ("发票抬头写错了能重开吗？", "发票开错了", "税号填错了怎么办", "可以换发票抬头吗"),
            "可以重开。请联系客服提供订单号和正确的抬头、税号，原发票我们做红冲处理，"
            "新发票开好后发到您的邮箱，您不需要做任何操作。",
            INVOICE,
            "zh",
        ),
        (
            ("下单后能改地址吗？", "地址填错了", "怎么修改收货地址", "想换个收货地址"),
            "订单发货前可以修改：在订单详情点击“修改地址”，或把订单号和新地址发给客服。"
            "已经发货的订单需要联系快递改派，可能产生额外费用。",
            ORDERS,
            "zh",
        ),
        (
            ("怎么取消订单？", "不想要了能取消吗", "订单可以取消吗", "拍错了想取消"),
            "未发货的订单可在“我的订单”中直接点击“取消订单”，款项原路退回；"
            "已发货的订单无法取消，可以拒收或签收后申请七天无理由退货。",
            ORDERS,
            "zh",
        ),
        (
            ("下单后能改规格吗？", "拍错颜色了能改吗", "能帮我改一下型号吗", "订单能加一件吗"),
            "发货前可以帮您修改同价商品的颜色或规格，请把订单号和需要的规格发给客服；"
            "不同价格的商品或加购，需要取消后重新下单。",
            ORDERS,
            "zh",
        ),
        (
            ("支持哪些付款方式？", "可以用微信支付吗", "能用信用卡吗", "怎么付款"),
            "支持支付宝、微信支付、银联储蓄卡及信用卡，部分商品支持花呗分期。暂不支持货到付款。",
            ORDERS,
            "zh",
        ),
        (
            ("可以分期付款吗？", "支持花呗分期吗", "能免息分期吗", "信用卡分期怎么弄"),
            "单笔满 500 元可以使用花呗或信用卡分期，部分商品支持 3 期或 6 期免息，"
            "具体以结算页显示为准。",
            ORDERS,
            "zh",
        ),
        (
            ("付款失败怎么办？", "付不了款", "支付不成功", "钱扣了订单没显示"),
            "请先检查银行卡余额和支付限额，稍后重试或更换支付方式；"
            "如果已经扣款但订单仍显示待付款，一般 30 分钟内会自动同步，超时未到账会原路退回。",
            ORDERS,
            "zh",
        ),
        (
            ("优惠券怎么用？", "券在哪里用", "怎么使用优惠券", "领的券怎么抵扣"),
            "领取的优惠券在结算页自动选择最优的一张，也可以手动切换；"
            "每笔订单限用一张店铺券，可与平台券叠加。",
            PROMOTIONS,
            "zh",
        ),
        (
            ("优惠券用不了是什么原因？", "券用不了", "为什么不能用券", "优惠券显示不可用"),
            "常见原因：订单金额没达到使用门槛、券已过期、商品不在券的适用范围、或已使用过其他店铺券。"
            "可在“我的-优惠券”查看券的使用条件。",
            PROMOTIONS,
            "zh",
        ),
        (
            ("买贵了能退差价吗？", "降价了能补差价吗", "有价保吗", "刚买就降价了"),
            "支持 7 天价保：签收后 7 天内同款商品降价，可联系客服申请退差价（限时秒杀、"
            "赠品及使用了优惠券后的差额除外）。",
            PROMOTIONS,
            "zh",
        ),
        (
            ("客服什么时间在线？", "人工客服几点上班", "晚上有客服吗", "怎么联系人工"),
            "人工客服每天 9:00-23:00 在线，其余时间智能助手会先为您解答，"
            "需要人工处理的问题我们会在上班后第一时间回复。",
            ORDERS,
            "zh",
        ),
    ]


_ELECTRONICS: list[Entry] = [
    (
        ("商品有保修吗？", "保修多久", "有没有质保", "坏了能保修吗", "保修期是多久"),
        "本店商品均为国行正品，享受全国联保：手机、平板、电脑整机保修 1 年，耳机、手表等配件 1 年，"
        "充电器和数据线 6 个月。保修期内非人为损坏可免费维修。",
        WARRANTY,
        "zh",
    ),
    (
        ("坏了怎么申请保修？", "怎么送修", "保修流程", "售后维修怎么弄"),
        "签收 15 天内出现性能故障可直接申请换新；"
        "15 天后在保修期内，在订单中点击“申请售后”选择维修，"
        "寄回售后仓检测，维修好后我们包邮寄回。也可以带发票到品牌官方售后网点。",
        WARRANTY,
        "zh",
    ),
    (
        ("是正品吗？", "是国行吗", "是不是官方正品", "有没有翻新机"),
        "本店是品牌官方授权店，所有商品均为全新国行正品，可在品牌官网用序列号查询验证，假一赔十。",
        PRESALE,
        "zh",
    ),
    (
        ("激活了还能退吗？", "拆封了能退货吗", "手机激活后能七天无理由吗", "开机了还能退吗"),
        "手机、平板、电脑激活或拆封后不影响七天无理由退货，但需配件齐全、无划痕磕碰，"
        "并退出云账号、恢复出厂设置；屏幕贴膜已撕的按商品页说明收取少量折旧费。",
        RETURNS,
        "zh",
    ),
    (
        ("耳机只有一边有声音怎么办？", "左耳没声音", "耳机连不上", "蓝牙耳机断连"),
        "请先把两只耳机放回充电盒，长按盒子按键 10 秒恢复出厂设置，"
        "再在手机蓝牙中删除设备后重新配对。"
        "仍不正常的话，签收 15 天内可申请换新，之后走保修。",
        WARRANTY,
        "zh",
    ),
    (
        ("支持以旧换新吗？", "旧手机能抵钱吗", "可以回收旧机吗", "以旧换新怎么弄"),
        "支持。在商品页点击“以旧换新”，按提示评估旧机价格，下单时直接抵扣；"
        "新机签收后 7 天内把旧机寄回即可，快递上门取件免运费。",
        PROMOTIONS,
        "zh",
    ),
]

_APPAREL: list[Entry] = [
    (
        ("尺码怎么选？", "我该穿什么码", "身高170体重65穿多大", "尺码偏大还是偏小", "帮我推荐尺码"),
        "每件商品详情页都有尺码表，建议量一下平时合身衣服的胸围、衣长对照选择。"
        "一般身高 160-165 选 S，165-170 选 M，170-175 选 L，175-180 选 XL；"
        "版型偏大或偏小会在详情页注明，也可以把身高体重发给客服帮您推荐。",
        SIZES,
        "zh",
    ),
    (
        ("尺码不合适能换吗？", "买小了能换大一码吗", "换尺码怎么弄", "码数不对能换吗"),
        "可以。签收后 7 天内吊牌完好、未洗涤未穿着，在订单中申请换货并选择新尺码即可，"
        "购买了运费险的换货不用出运费。",
        RETURNS,
        "zh",
    ),
    (
        ("衣服怎么洗？", "可以机洗吗", "会缩水吗", "洗了会掉色吗"),
        "请按衣服内侧洗标操作：纯棉类建议 30℃ 以下冷水洗、反面晾晒，首次洗涤可能轻微缩水 1-2%；"
        "羊毛、羽绒类建议干洗或手洗；深色衣物首次单独洗涤。",
        SIZES,
        "zh",
    ),
    (
        ("收到的颜色和图片不一样？", "有色差吗", "颜色跟图片不一样", "实物比图片深"),
        "我们的图片均为实物拍摄，不同屏幕显示会有轻微色差。如果色差明显，签收 7 天内可以"
        "申请退换，质量或色差严重的情况运费由我们承担。",
        SIZES,
        "zh",
    ),
    (
        ("衣服起球了怎么办？", "起球", "穿了一次就开线了", "质量有问题怎么办"),
        "很抱歉给您带来不好的体验！请拍下问题部位照片，在订单中申请售后：质量问题 30 天内包退换，"
        "运费由我们承担；轻微起球可用剃毛球器处理，不影响穿着。",
        RETURNS,
        "zh",
    ),
    (
        ("断码了还会补货吗？", "什么时候补货", "没有我的尺码了", "卖完了还会有吗"),
        "热销款一般 7-15 天补货，您可以在商品页点击“到货提醒”，补货后第一时间短信通知您。",
        PRESALE,
        "zh",
    ),
]

_ENGLISH: list[Entry] = [
    (
        (
            "How long does shipping take?",
            "When will my order ship?",
            "How many days until delivery?",
            "Where is my parcel?",
        ),
        "In-stock orders ship within 48 hours of payment and usually arrive in 1-4 days in "
        "mainland China. You can follow the parcel under My Orders > Track.",
        SHIPPING,
        "en",
    ),
    (
        (
            "Can I return an item?",
            "What is your return policy?",
            "Do you accept returns?",
            "I want to return my order",
        ),
        "Yes. You can return items within 7 days of delivery for any reason, as long as they "
        "are unused and complete. Open the order, choose Request after-sales and follow the "
        "steps.",
        RETURNS,
        "en",
    ),
    (
        (
            "When will I get my refund?",
            "How long does a refund take?",
            "I have not received my refund",
        ),
        "We refund within 1-3 working days after your return arrives, to the original payment "
        "method. Alipay and WeChat Pay are instant; bank cards take up to 5 working days.",
        RETURNS,
        "en",
    ),
    (
        ("Can I get an invoice?", "Do you issue invoices?", "How do I get a fapiao?"),
        "Yes. Enter the invoice title and tax number at checkout, or request it later under "
        "Order details > Request invoice. The e-invoice is emailed within 1-2 working days.",
        INVOICE,
        "en",
    ),
]


def demo_faqs(shop_kind: str) -> list[Entry]:
    """Every FAQ of the demo shop of ``shop_kind`` (``"electronics"`` or ``"apparel"``) as
    ``(phrasings, answer, category, language)``; the first phrasing is the main question."""
    own = _ELECTRONICS if shop_kind == "electronics" else _APPAREL
    return [*_common(_SHOPS[shop_kind]), *own, *_ENGLISH]


_RETURN_POLICY = """本店支持签收后 7 天内无理由退货、换货。

一、适用条件
1. 商品及配件、赠品、包装齐全，不影响二次销售；
2. 定制类商品、已使用的贴身用品不适用无理由退货，商品页会特别注明。

二、办理流程
1. 在“我的订单”中找到订单，点击“申请售后”，选择退货或换货并填写原因；
2. 审核通过后，按页面地址寄回，并填写退货快递单号；
3. 我们收到并验收后 1-3 个工作日内退款或发出换货商品。

三、运费
质量问题、发错货、破损由本店承担运费；无理由退换由买家承担，购买了运费险的按运费险理赔。

四、退款时效
支付宝、微信即时到账，银行卡 1-5 个工作日，信用卡以银行处理为准。"""

_DELIVERY = "\n\n".join(
    (
        "发货时间：现货商品付款后 24-48 小时内发出，预售商品以商品页为准；"
        "双11、618 等大促期间可能顺延。",
        "快递公司：默认顺丰速运或中通快递，偏远地区改用邮政或京东物流。",
        "送达时间：江浙沪、广东 1-2 天，其他省份 2-4 天，新疆、西藏等偏远地区 5-7 天。",
        "物流异常：超过 48 小时没有物流更新、显示签收但没收到、包裹破损，请把订单号发给客服，"
        "我们会联系快递核实并优先为您处理。",
    )
)

_WARRANTY = """极客数码所有商品均为品牌官方授权的全新国行正品，享受全国联保。

保修期限：手机、平板、电脑整机 1 年；耳机、手表、音箱 1 年；充电器、数据线 6 个月。

15 天换新：签收 15 天内出现非人为性能故障，可直接申请换新，往返运费由我们承担。

保修范围：正常使用下出现的性能故障。进水、摔落等人为损坏及私自拆修不在免费保修范围，可付费维修。

送修方式：在订单中申请售后选择维修并寄回售后仓，或携带发票前往品牌官方售后网点。"""

_SIZE_GUIDE = """简衣坊尺码参考（单位 cm）：

S：身高 155-160，胸围 84-88，腰围 64-68
M：身高 160-165，胸围 88-92，腰围 68-72
L：身高 165-170，胸围 92-96，腰围 72-76
XL：身高 170-175，胸围 96-100，腰围 76-80
XXL：身高 175-180，胸围 100-104，腰围 80-84

测量方法：胸围在腋下最丰满处水平量一圈；腰围在肚脐上方最细处量一圈；衣长从肩颈点量到下摆。

小贴士：介于两个尺码之间时，想穿宽松选大一码；羽绒服、大衣建议正常码，方便内搭。不确定的话，把身高体重发给客服帮您推荐。"""


def demo_articles(shop_kind: str) -> list[tuple[str, str, str, str]]:
    """The demo shop's help articles as ``(title, body, category, language)``."""
    articles = [
        ("退换货政策", _RETURN_POLICY, RETURNS, "zh"),
        ("配送说明", _DELIVERY, SHIPPING, "zh"),
    ]
    if shop_kind == "electronics":
        articles.append(("保修服务说明", _WARRANTY, WARRANTY, "zh"))
    else:
        articles.append(("尺码表与测量方法", _SIZE_GUIDE, SIZES, "zh"))
    articles.append(
        (
            "Returns and refunds (English)",
            "Returns are accepted within 7 days of delivery for any reason if the item is "
            "unused and complete. Start a return under My Orders > Request after-sales. We pay "
            "return shipping for faulty, damaged or wrong items. Refunds go back to the original "
            "payment method within 1-3 working days after the return arrives.",
            RETURNS,
            "en",
        )
    )
    return articles
