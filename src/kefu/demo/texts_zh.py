"""Chinese dialogue corpus for the demo: how customers ask and agents answer, by topic."""

from __future__ import annotations

from dataclasses import replace

from kefu.demo.topic import Corpus, OrderNeed, Topic

LOGISTICS = Topic(
    key="logistics", tag="物流", team="售后组", needs=OrderNeed.SHIPPED,
    subjects=("订单{order_no}物流查询", "快递什么时候到？", "物流好几天没更新了", "我的包裹到哪了",
              "查询快递进度"),
    openers=(
        "我的订单{order_no}到哪了？怎么还没收到",
        "订单号{order_no}，物流两天没更新了，是不是丢件了？",
        "请问{order_no}这单发的什么快递？大概什么时候能到{city}？",
        "买的{product}显示已发货，但是查不到物流信息",
        "急用！{order_no}周末之前能送到吗",
        "快递显示派送中一整天了还没送到，订单{order_no}",
        "帮我查下{order_no}的物流，谢谢",
        "{carrier}的单号{tracking_no}一直停在{hub}，怎么回事",
    ),
    replies=(
        "我这边帮您查询一下，请稍等~",
        "收到，马上为您核实订单{order_no}的物流情况，请稍候。",
        "这边看到您的包裹由{carrier}承运，运单号{tracking_no}，我帮您看下最新进度。",
        "亲，不要着急，我这就帮您查一下哦。",
    ),
    exchanges=(
        ("好的", "包裹目前已到达【{hub}】，正在发往{city}，预计{days}天内送达哦。"),
        ("怎么这么慢，别家都是第二天就到了",
         "非常抱歉让您久等了，近期快递量比较大，物流有些延迟，已帮您催促{carrier}加急派送。"),
        ("能给我快递员电话吗？",
         "派送员电话可以在{carrier}官方小程序里查到，运单号是{tracking_no}。"),
        ("那如果丢件了怎么办？",
         "您放心，如果确认丢件，我们会第一时间为您补发或者全额退款，不会让您有损失。"),
        ("能放快递柜吗？", "可以的，已帮您联系快递员放到就近的快递柜，到柜后会短信通知取件码。"),
        ("显示已签收但我没收到啊",
         "请您先看看门口、快递柜或驿站，我这边同时联系{carrier}核实签收情况，24小时内回复您。"),
        ("好吧，那我再等等", "好的，我会持续跟进这单的物流，有异常第一时间联系您。"),
    ),
    notes=(
        ("已联系{carrier}网点催件，运单{tracking_no}，明天跟进", ""),
        ("@物流 这单在{hub}滞留超过48小时，麻烦帮忙发起催件", "logistics"),
        ("客户比较着急，优先处理", ""),
    ),
)  # fmt: skip

_SENT_BACK = (
    ("退货地址是哪里？",
     "寄回地址：{return_address}，收件人：售后部。包裹里请附上写有订单号的纸条哦。"),
    ("需要保留包装吗？", "麻烦保留原包装和配件、赠品，寄回时一起放进去，以免影响处理哦。"),
    ("好的，我已经寄出了，单号是{return_tracking}",
     "好的，已为您备注寄回单号{return_tracking}，仓库签收后会尽快处理。"),
)  # fmt: skip
_REFUND_EXCHANGES = (
    *_SENT_BACK,
    ("[图片]", "收到，照片看得很清楚，我这边给您办理退货退款，运费由我们承担。"),
    ("运费谁出？", "这种情况来回运费都由我们承担，您先垫付，我们收到后连同货款一起退给您。"),
    ("退款多久到账？",
     "仓库收到退货后24小时内审核，审核通过后{refund}元原路退回，一般1-3个工作日到账。"),
)  # fmt: skip
_SWAP_EXCHANGES = (
    *_SENT_BACK,
    ("[图片]", "收到，照片看得很清楚，我这边给您办理换货，运费由我们承担。"),
    ("运费谁出？", "换货来回运费都由我们承担，您先垫付，新货发出时把运费补给您。"),
    ("换的新货什么时候发？", "仓库收到您寄回的商品后会优先为您发出新货，预计2-3天。"),
)  # fmt: skip
_RETURN_REPLIES = (
    "非常抱歉给您带来不好的体验，麻烦您拍一下商品问题的照片，我这边帮您申请售后。",
    "可以的亲，订单{order_no}还在七天无理由退换期内，我帮您提交申请。",
    "好的，我先帮您查一下这笔订单的售后状态，请稍等。",
)
_REFUND_NOTES = (
    ("@仓库 客户会寄回{order_no}，收到后请优先验货", "warehouse"),
    ("已提交退货申请（{reason}），质检通过后退款{refund}元", ""),
)
_SWAP_NOTES = (
    ("@仓库 客户会寄回{order_no}换货，验货后请优先发新品", "warehouse"),
    ("已提交换货申请，原因：{reason}", ""),
)

RETURNS_ELECTRONICS = Topic(
    key="returns", tag="退货", team="售后组", needs=OrderNeed.DELIVERED, return_kind="return",
    subjects=("申请退货", "退款什么时候到账", "{order_no}退货咨询"),
    openers=(
        "买的{product}有质量问题，开机就黑屏，能退吗？订单{order_no}",
        "订单{order_no}的{product}还没拆封，可以七天无理由退货吗",
        "申请了退货，退款什么时候到账？订单号{order_no}",
        "收到的{product}和描述不符，要退货",
    ),
    replies=_RETURN_REPLIES,
    exchanges=_REFUND_EXCHANGES,
    notes=_REFUND_NOTES,
)  # fmt: skip

EXCHANGE_ELECTRONICS = Topic(
    key="exchange", tag="换货", team="售后组", needs=OrderNeed.DELIVERED, return_kind="exchange",
    subjects=("申请换货", "想换一台新的", "{order_no}换货咨询"),
    openers=(
        "{product}收到后发现屏幕有划痕，想换一台新的",
        "{product}充不进电，想换货",
        "耳机左边没声音，能换一个吗？订单{order_no}",
        "换货的{product}寄回去好几天了，新的什么时候发？",
    ),
    replies=_RETURN_REPLIES,
    exchanges=(
        *_SWAP_EXCHANGES,
        ("能直接换成别的颜色吗？", "可以的，同型号同价位可以换颜色，我帮您备注。"),
    ),
    notes=(
        *_SWAP_NOTES,
        ("@技术 客户反馈{product}升级系统后无法开机，麻烦看下是不是已知问题", "tech"),
    ),
)  # fmt: skip

RETURNS_APPAREL = Topic(
    key="returns", tag="退货", team="售后组", needs=OrderNeed.DELIVERED, return_kind="return",
    subjects=("申请退货", "退款什么时候到账", "{order_no}退货咨询"),
    openers=(
        "{product}颜色和图片差太多了，想退货",
        "洗了一次就起球了，这质量也太差了吧，要退货",
        "订单{order_no}退货已经寄回去了，什么时候退款？",
        "{product}有线头还有污渍，申请退货",
    ),
    replies=_RETURN_REPLIES,
    exchanges=(
        *_REFUND_EXCHANGES,
        ("吊牌剪了还能退吗？", "吊牌剪掉但不影响二次销售的话也可以退，请保持衣服干净未穿着哦。"),
    ),
    notes=_REFUND_NOTES,
)  # fmt: skip

EXCHANGE_APPAREL = Topic(
    key="exchange", tag="换货", team="售后组", needs=OrderNeed.DELIVERED, return_kind="exchange",
    subjects=("换尺码", "申请换货", "{order_no}换货咨询"),
    openers=(
        "衣服尺码不合适，想换大一号，订单{order_no}",
        "买的{size}码穿着偏小，能换{size_up}码吗？",
        "{product}想换个颜色可以吗？",
    ),
    replies=_RETURN_REPLIES,
    exchanges=(
        *_SWAP_EXCHANGES,
        ("{size_up}码还有货吗？", "{size_up}码有现货，换货单已经帮您锁定库存了。"),
    ),
    notes=_SWAP_NOTES,
)  # fmt: skip

INVOICE = Topic(
    key="invoice", tag="发票", team="售后组", needs=OrderNeed.PAID,
    subjects=("开发票", "申请增值税专用发票", "发票抬头填错了", "发票什么时候开"),
    openers=(
        "订单{order_no}需要开发票，抬头是{invoice_title}",
        "我们公司采购的，需要开增值税专用发票，怎么操作？",
        "发票抬头写错了，能重开吗？订单{order_no}",
        "请问电子发票在哪里下载？",
        "下单时忘记选发票了，现在还能补开吗",
    ),
    replies=(
        "可以的，麻烦您提供一下发票抬头和税号，我们为您开具电子发票。",
        "好的亲，我们支持电子普通发票和增值税专用发票，请问您需要哪一种？",
        "我先帮您查下订单{order_no}的开票状态。",
    ),
    exchanges=(
        ("抬头：{invoice_title}，税号：{tax_no}",
         "已收到，电子发票会在1-2个工作日内发送到您的邮箱，也可以在订单详情页下载。"),
        ("发到我邮箱{email}吧", "好的，已备注发送到{email}，开好后会有邮件通知。"),
        ("专票需要什么资料？",
         "需要公司名称、税号、注册地址、电话、开户行及账号，纸质专票会随后邮寄给您。"),
        ("能开明细吗？", "可以的，发票会按商品明细开具，显示{product}。"),
        ("重开的话原来的发票怎么办？",
         "原发票我们会做红冲处理，您不需要操作，新发票开好后直接发您。"),
    ),
    notes=(("财务已确认，{order_no}发票今天开出", ""), ("客户要专票，已转财务处理", "")),
)  # fmt: skip

PRESALE_ELECTRONICS = Topic(
    key="presale", tag="售前", team="售前组", needs=OrderNeed.NONE,
    subjects=("{product}咨询", "售前咨询", "想问下{product}", "有货吗"),
    openers=(
        "{product}是国行正品吗？有保修吗？",
        "请问{product}现在下单什么时候发货？",
        "{product}支持多少瓦快充？",
        "这个{product}和上一代比有什么区别？",
        "{product}有现货吗？今天能发吗",
        "买{product}送充电头吗？",
        "{product}能分期吗？有没有免息",
    ),
    replies=(
        "您好，{product}是官方授权的国行正品，全国联保一年，支持七天无理由退货哦。",
        "亲，{product}目前有现货，16点前付款当天发出。",
        "您好，我来为您介绍一下~",
    ),
    exchanges=(
        ("有什么优惠吗？", "现在领店铺券可以满1000减{coupon}，叠加平台补贴更划算哦。"),
        ("支持以旧换新吗？", "支持的，下单时选择以旧换新，旧机估价最高可抵{amount}元。"),
        ("可以开发票吗", "可以开具电子发票，下单时填写发票抬头即可。"),
        ("续航怎么样？", "正常使用一天一充没问题，充电半小时能充到80%左右。"),
        ("发什么快递？", "默认发顺丰，偏远地区发EMS，下单后一般1-3天送达。"),
        ("支持分期吗", "支持花呗和信用卡分期，3期和6期免息。"),
        ("好的，那我下单了", "感谢支持！下单后我这边帮您备注优先发货。"),
    ),
)  # fmt: skip

PRESALE_APPAREL = Topic(
    key="presale", tag="售前", team="售前组", needs=OrderNeed.NONE,
    subjects=("{product}尺码咨询", "售前咨询", "想问下{product}", "还会补货吗"),
    openers=(
        "身高165，体重110斤，{product}穿什么码？",
        "{product}会不会掉毛、起球？",
        "{product}是什么面料的？",
        "这件{product}偏大还是偏小？",
        "{product}还会补货吗？{size}码没了",
        "{product}有实物图吗？颜色正不正",
    ),
    replies=(
        "亲，根据您的身高体重，建议选{size}码，这款是宽松版型哦。",
        "您好，这款面料是{fabric}，亲肤不易起球，可以放心购买。",
        "您好，我帮您看下库存哦~",
    ),
    exchanges=(
        ("会缩水吗？", "建议冷水手洗或者机洗轻柔模式，不要暴晒，基本不会缩水的。"),
        ("有什么优惠吗", "现在店铺满299减{coupon}，关注店铺还能再领5元无门槛券哦。"),
        ("不合适能退吗", "支持七天无理由退换，还送运费险，不合适退换都没有运费。"),
        ("偏色吗？", "我们是实物拍摄，可能会有轻微色差，整体和图片很接近的。"),
        ("什么时候发货", "48小时内发货，默认中通快递，大部分地区2-3天能收到。"),
        ("那我拍{size}码", "好的亲，{size}码很适合您，期待您的好评哦~"),
    ),
)  # fmt: skip

COMPLAINT = Topic(
    key="complaint", tag="投诉", team="投诉组", needs=OrderNeed.SHIPPED,
    subjects=("投诉", "我要投诉", "对服务很不满意", "投诉快递员", "商品质量投诉"),
    openers=(
        "我要投诉！订单{order_no}说好48小时发货，结果拖了好几天",
        "快递员态度太差了，不送上门还骂人，单号{tracking_no}",
        "你们的客服一直不回消息，这就是你们的服务？",
        "收到的{product}是二手的吧？包装都被拆过了",
        "退款拖了一个星期还没到账，再不处理我就去平台投诉了",
        "第三次联系你们了，订单{order_no}的问题一直没解决！",
    ),
    replies=(
        "非常抱歉给您带来了不好的购物体验，我是投诉专员{agent}，这件事由我全程跟进。",
        "实在抱歉，您反馈的问题我们非常重视，我马上核实情况。",
        "您好，我是{agent}，非常理解您的心情，请您把情况详细跟我说一下。",
    ),
    exchanges=(
        ("你们打算怎么处理？",
         "核实后确实是我们的问题，可以全额退款，或者补发新品并补偿{coupon}元无门槛券，您看哪个合适？"),
        ("我要求赔偿", "理解您的诉求，除了正常售后，我们额外补偿您{amount}元，今天之内到账。"),
        ("快递员的事你们管不管", "已经向{carrier}提交了投诉，他们会在24小时内联系您处理。"),
        ("好吧，希望尽快处理", "一定的，今天下班前我会给您回电同步处理进度，再次向您致歉。"),
        ("这次就算了，下次再这样就不买了",
         "非常感谢您的谅解，我们会改进，也给您的账户备注了优先服务。"),
    ),
    notes=(
        ("客户情绪激动，已升级主管处理，48小时内回访", ""),
        ("补偿{coupon}元券已审批，投诉原因已记录", ""),
        ("@仓库 查一下{order_no}出库时的包装照片", "warehouse"),
        ("@物流 {carrier}派送员投诉，单号{tracking_no}，请对接网点", "logistics"),
    ),
)  # fmt: skip

ADDRESS = Topic(
    key="address", tag="修改地址", team="售后组", needs=OrderNeed.UNSHIPPED,
    subjects=("修改收货地址", "地址填错了", "改地址"),
    openers=(
        "订单{order_no}地址填错了，能帮我改一下吗？",
        "刚下的单，收货地址要改成公司地址",
        "还没发货吧？我想换个收件人电话，订单{order_no}",
    ),
    replies=(
        "可以的，订单还没出库，请把新的收货地址和电话发给我。",
        "我先看下订单{order_no}的发货状态，请稍等~",
    ),
    exchanges=(
        ("{address}，电话{phone}", "好的，已为您修改为：{address}，请您核对一下。"),
        ("改好了吗？", "已经修改成功了，发货后物流会按新地址派送。"),
        ("要是已经发货了还能改吗",
         "已发货的话需要联系快递转寄，可能会产生少量转寄费，我可以帮您申请拦截改派。"),
        ("谢谢，麻烦了", "不客气，这是我们应该做的~"),
    ),
    notes=(("@仓库 {order_no}改地址，出库前请核对新地址", "warehouse"),),
)  # fmt: skip

COUPON = Topic(
    key="coupon", tag="优惠券", team="售前组", needs=OrderNeed.NONE,
    subjects=("优惠券问题", "券用不了", "活动咨询", "价保申请"),
    openers=(
        "领的满{threshold}减{coupon}的券为什么用不了？",
        "昨天买的{product}今天降价了{amount}元，能退差价吗？",
        "这次大促什么时候开始？有什么优惠",
        "会员有没有专属优惠？",
        "定金可以退吗？",
    ),
    replies=(
        "您好，这张券需要购买指定商品满{threshold}元才能使用哦，我帮您看下订单金额。",
        "亲，我们支持30天价保，我帮您申请差价退款。",
        "您好，活动详情是这样的~",
    ),
    exchanges=(
        ("为什么这么麻烦", "抱歉让您费心了，我直接给您补发一张{coupon}元无门槛券，已经到账户了。"),
        ("差价什么时候退？", "差价{amount}元已经申请，1-3个工作日原路退回。"),
        ("活动价能保持到什么时候？", "本次活动持续到本月底，活动期间买贵退差价。"),
        ("会员等级怎么升？", "累计消费满2000元升级为VIP1，VIP会员享受专属客服和生日礼券哦。"),
    ),
)  # fmt: skip

URGE = Topic(
    key="urge", tag="催发货", team="售后组", needs=OrderNeed.UNSHIPPED,
    subjects=("催发货", "什么时候发货", "怎么还不发货"),
    openers=(
        "订单{order_no}怎么还没发货？",
        "付款两天了还没发货，能催一下吗，订单{order_no}",
        "急用，{product}今天能发出吗？",
    ),
    replies=(
        "亲，近期订单量比较大，仓库正在加急处理，我帮您催一下。",
        "我查一下订单{order_no}，请稍等。",
    ),
    exchanges=(
        ("大概什么时候能发", "您的订单预计明天中午前发出，发出后会有短信通知。"),
        ("能发顺丰吗？", "可以帮您备注改发顺丰，需要补{amount}元运费差价哦。"),
        ("好的，麻烦快点", "已经给仓库备注加急了，请您放心。"),
    ),
    notes=(("@仓库 {order_no}客户催发货，麻烦优先出库", "warehouse"),),
)  # fmt: skip

_BASE = Corpus(
    topics=(),
    bot_greetings=(
        "您好，我是{shop}智能助手，请问有什么可以帮您？可以直接输入“查物流”“退换货”等问题。",
        "欢迎光临{shop}！请简单描述您的问题，我来为您解答或转接人工客服。",
    ),
    bot_handoffs=("正在为您转接人工客服，请稍候…", "已为您转接人工客服，当前排队{queue}人。"),
    customer_prefixes=("", "", "", "你好，", "在吗？", "客服你好，", "亲，", "您好，"),
    agent_prefixes=("", "", "亲，", "您好，", "亲亲，"),
    agent_intros=("您好，我是客服{agent}，很高兴为您服务。", "您好，{agent}为您服务~"),
    customer_closings=("好的，谢谢", "好的，辛苦了", "明白了，谢谢", "行吧", "OK 谢谢", "嗯嗯好的"),
    agent_closings=(
        "不客气，还有其他可以帮您的吗？",
        "感谢您的耐心等待，祝您生活愉快~",
        "不客气哦，有问题随时联系我们~",
        "好的，那就不打扰您了，祝您购物愉快！",
    ),
    department_answers={
        "logistics": ("已联系{carrier}网点，明天上午前派送", "网点反馈今天已重新派件"),
        "warehouse": ("已核实，{order_no}今天下午出库", "收到，到货后第一时间验货反馈"),
        "tech": ("已知问题，建议客户长按电源键15秒强制重启", "已复现，建议走换货流程"),
    },
    email_customer="您好：\n\n{body}\n\n{customer}",
    email_agent="尊敬的{customer}您好：\n\n{body}\n\n{shop}客服中心 {agent}",
)  # fmt: skip

ELECTRONICS_ZH = replace(
    _BASE,
    topics=(LOGISTICS, RETURNS_ELECTRONICS, EXCHANGE_ELECTRONICS, INVOICE, PRESALE_ELECTRONICS,
            COMPLAINT, ADDRESS, COUPON, URGE),
)  # fmt: skip
APPAREL_ZH = replace(
    _BASE,
    topics=(LOGISTICS, RETURNS_APPAREL, EXCHANGE_APPAREL, INVOICE, PRESALE_APPAREL, COMPLAINT,
            ADDRESS, COUPON, URGE),
)  # fmt: skip
