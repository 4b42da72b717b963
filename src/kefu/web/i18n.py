"""The web UI's message catalog (Chinese first, English) and how a request's locale is chosen."""

from __future__ import annotations

from typing import Literal, TypeGuard

Locale = Literal["zh", "en"]
LOCALES: tuple[Locale, ...] = ("zh", "en")
LANG_COOKIE = "kefu_lang"
LANG_PARAM = "lang"

# key: (中文, English). Placeholders use str.format names and must match in both languages.
CATALOG: dict[str, tuple[str, str]] = {
    # shell
    "app.name": ("客服", "Kefu"),
    "app.tagline": ("电商客服工作台", "Customer service for e-commerce"),
    "nav.conversations": ("会话", "Conversations"),
    "nav.logout": ("退出登录", "Log out"),
    "nav.skip": ("跳到主要内容", "Skip to main content"),
    "lang.switch": ("English", "中文"),
    "lang.switch_title": ("切换到英文界面", "Switch the interface to Chinese"),
    "common.close": ("关闭", "Close"),
    # login
    "login.title": ("登录", "Log in"),
    "login.heading": ("登录客服工作台", "Log in to your service desk"),
    "login.email": ("邮箱", "E-mail"),
    "login.password": ("密码", "Password"),
    "login.submit": ("登录", "Log in"),
    "login.error.missing": ("请输入邮箱和密码。", "Enter your e-mail and password."),
    "login.error.bad_credentials": ("邮箱或密码不正确。", "Wrong e-mail or password."),
    "login.error.rate_limited": (
        "登录失败次数过多，请 {minutes} 分钟后再试。",
        "Too many failed attempts. Try again in {minutes} min.",
    ),
    "login.error.csrf": (
        "登录页面已过期，请重新输入密码后提交。",
        "The login page had expired. Enter your password again.",
    ),
    # inbox
    "inbox.title": ("会话列表", "Conversations"),
    "inbox.search": ("搜索", "Search"),
    "inbox.search_placeholder": (
        "搜索顾客、主题或消息内容…",
        "Search customers, subjects or messages…",
    ),
    "inbox.apply": ("筛选", "Apply"),
    "inbox.reset": ("清除筛选", "Clear filters"),
    "inbox.assignee": ("负责人", "Assignee"),
    "inbox.assignee.all": ("全部", "Everyone"),
    "inbox.assignee.me": ("我的", "Mine"),
    "inbox.assignee.none": ("未分配", "Unassigned"),
    "inbox.channel": ("渠道", "Channel"),
    "inbox.channel.all": ("全部渠道", "All channels"),
    "inbox.tag": ("标签", "Tag"),
    "inbox.tag.all": ("全部标签", "All tags"),
    "inbox.priority": ("优先级", "Priority"),
    "inbox.priority.all": ("全部优先级", "All priorities"),
    "inbox.status.all": ("全部", "All"),
    "inbox.total": ("共 {total} 个会话", "{total} conversations"),
    "inbox.range": ("第 {first}–{last} 个，共 {total} 个", "{first}–{last} of {total}"),
    "inbox.empty": ("没有符合条件的会话。", "No conversations match these filters."),
    "inbox.prev": ("上一页", "Previous"),
    "inbox.next": ("下一页", "Next"),
    "inbox.unassigned": ("未分配", "Unassigned"),
    "inbox.no_preview": ("（无消息）", "(no messages)"),
    "inbox.col.customer": ("顾客", "Customer"),
    "inbox.col.conversation": ("会话", "Conversation"),
    "inbox.col.status": ("状态", "Status"),
    "inbox.col.assignee": ("负责人", "Assignee"),
    "inbox.col.updated": ("最近消息", "Last message"),
    "inbox.loading": ("加载中…", "Loading…"),
    # statuses, channels, priorities, senders
    "status.open": ("待处理", "Open"),
    "status.pending": ("等待回复", "Pending"),
    "status.resolved": ("已解决", "Resolved"),
    "status.closed": ("已关闭", "Closed"),
    "channel.web": ("网页", "Web"),
    "channel.email": ("邮件", "E-mail"),
    "channel.im": ("即时消息", "IM"),
    "priority.low": ("低", "Low"),
    "priority.normal": ("普通", "Normal"),
    "priority.high": ("高", "High"),
    "priority.urgent": ("紧急", "Urgent"),
    "sender.customer": ("顾客", "Customer"),
    "sender.agent": ("客服", "Agent"),
    "sender.bot": ("机器人", "Bot"),
    "sender.system": ("系统", "System"),
    "vip.badge": ("VIP{level}", "VIP {level}"),
    "vip.none": ("普通顾客", "Regular customer"),
    # conversation page
    "conversation.title": ("会话 #{id}", "Conversation #{id}"),
    "conversation.back": ("返回会话列表", "Back to conversations"),
    "conversation.no_subject": ("（无主题）", "(no subject)"),
    "conversation.timeline": ("消息记录", "Messages"),
    "conversation.empty": ("还没有消息。", "No messages yet."),
    "conversation.internal": ("内部备注", "Internal note"),
    "conversation.internal_hint": (
        "仅团队可见，顾客看不到",
        "Visible to your team only, never to the customer",
    ),
    "conversation.truncated": (
        "只显示最早的 {shown} 条消息，共 {total} 条。",
        "Showing the first {shown} of {total} messages.",
    ),
    # live updates
    "live.customer_typing": ("对方正在输入…", "Customer is typing…"),
    "live.reconnecting": (
        "实时连接已断开，正在重新连接…",
        "Live updates lost their connection. Reconnecting…",
    ),
    "live.enable_notifications": ("开启桌面通知", "Enable notifications"),
    "live.notify_title": ("会话 #{id} 有新消息", "New message in conversation #{id}"),
    "live.notify_body_hidden": ("点击查看", "Click to read it"),
    "reply.label": ("回复内容", "Reply"),
    "reply.placeholder": (
        "输入回复，Ctrl+Enter 发送…",
        "Type a reply, Ctrl+Enter to send…",
    ),
    "reply.note_placeholder": (
        "写一条内部备注，Ctrl+Enter 保存…",
        "Write an internal note, Ctrl+Enter to save…",
    ),
    "reply.internal": ("内部备注", "Internal note"),
    "reply.send": ("发送", "Send"),
    "reply.sending": ("发送中…", "Sending…"),
    "reply.error.blank": ("回复内容不能为空。", "The reply is empty."),
    "reply.error.invalid": (
        "回复中含有无法保存的字符。",
        "The reply contains characters that cannot be stored.",
    ),
    "reply.error.too_long": (
        "回复太长了，最多 {max} 个字。",
        "The reply is too long: {max} characters at most.",
    ),
    "reply.no_permission": (
        "你的角色不能回复此会话。",
        "Your role cannot reply in this conversation.",
    ),
    # attachments (kefu-attach.js adds the file picker to the reply form)
    "attach.files": ("附件", "Attachments"),
    "attach.button": ("添加图片或文件", "Attach an image or file"),
    "attach.uploading": ("上传中…", "Uploading…"),
    "attach.remove": ("移除", "Remove"),
    "attach.too_large": ("文件太大：最大 {max}。", "The file is too large: {max} at most."),
    "attach.unsupported": (
        "不能发送此类文件：只支持图片、PDF、文本和 Office 文档。",
        "This kind of file cannot be sent: images, PDF, text and Office documents only.",
    ),
    "attach.too_many": ("一条消息最多 {max} 个附件。", "At most {max} files per message."),
    "attach.failed": ("上传失败，请重试。", "The upload failed. Try again."),
    "panel.status": ("状态", "Status"),
    "panel.priority": ("优先级", "Priority"),
    "panel.channel": ("渠道", "Channel"),
    "panel.assignee": ("负责人", "Assignee"),
    "panel.created": ("创建时间", "Created"),
    "panel.first_response": ("首次响应", "First response"),
    "panel.no_response": ("尚未回复", "Not answered yet"),
    "panel.assign_me": ("分配给我", "Assign to me"),
    "panel.release": ("取消分配", "Unassign me"),
    "panel.tags": ("标签", "Tags"),
    "panel.no_tags": ("暂无标签", "No tags"),
    "panel.add_tag": ("添加标签", "Add tag"),
    "panel.tag_placeholder": ("新标签", "New tag"),
    "panel.remove_tag": ("移除标签 {tag}", "Remove tag {tag}"),
    "panel.tag_error": (
        "标签需要 1 到 {max} 个字。",
        "A tag has 1 to {max} characters.",
    ),
    "action.status.open": ("重新打开", "Reopen"),
    "action.status.pending": ("设为等待回复", "Mark pending"),
    "action.status.resolved": ("标记为已解决", "Resolve"),
    "action.status.closed": ("关闭会话", "Close"),
    "customer.heading": ("顾客信息", "Customer"),
    "customer.name": ("姓名", "Name"),
    "customer.vip": ("会员等级", "VIP level"),
    "customer.email": ("邮箱", "E-mail"),
    "customer.phone": ("电话", "Phone"),
    "customer.tags": ("顾客标签", "Customer tags"),
    "customer.note": ("备注", "Note"),
    "customer.unknown": ("未填写", "Not given"),
    "customer.anonymous": ("匿名顾客", "Anonymous customer"),
    # agent workspace: customer sidebar, transfer, canned replies, open tabs, sound
    "nav.canned_replies": ("快捷回复", "Canned replies"),
    "sidebar.label": ("会话与顾客详情", "Conversation and customer details"),
    "customer.since": ("首次到访", "Customer since"),
    "customer.identities": ("联系方式与渠道账号", "Contacts and channel accounts"),
    "identity.kind.web": ("网页访客", "Web visitor"),
    "identity.kind.email": ("邮箱", "E-mail"),
    "identity.kind.phone": ("手机", "Phone"),
    "identity.kind.im": ("即时消息", "IM"),
    "history.heading": ("历史会话", "Conversations"),
    "history.current": ("当前", "this one"),
    "history.none": ("没有其他会话。", "No other conversations."),
    "history.more": ("还有 {n} 个更早的会话", "{n} earlier conversations"),
    "orders.heading": ("最近订单", "Latest orders"),
    "orders.none": ("这位顾客还没有订单。", "This customer has no orders yet."),
    "order.status.pending_payment": ("待付款", "Awaiting payment"),
    "order.status.paid": ("已付款", "Paid"),
    "order.status.shipped": ("已发货", "Shipped"),
    "order.status.delivered": ("已签收", "Delivered"),
    "order.status.completed": ("已完成", "Completed"),
    "order.status.cancelled": ("已取消", "Cancelled"),
    "shipment.status.pending": ("待揽收", "Awaiting pickup"),
    "shipment.status.in_transit": ("运输中", "In transit"),
    "shipment.status.out_for_delivery": ("派送中", "Out for delivery"),
    "shipment.status.delivered": ("已签收", "Delivered"),
    "shipment.status.exception": ("物流异常", "Exception"),
    "shipment.all_events": ("全部 {n} 条物流轨迹", "All {n} tracking events"),
    "shipment.no_events": ("暂无物流轨迹", "No tracking events yet"),
    "returns.heading": ("退换货", "Returns and exchanges"),
    "returns.refund": ("退款 {amount}", "refund {amount}"),
    "return.kind.return": ("退货", "Return"),
    "return.kind.exchange": ("换货", "Exchange"),
    "return.status.requested": ("已申请", "Requested"),
    "return.status.approved": ("已同意", "Approved"),
    "return.status.rejected": ("已拒绝", "Rejected"),
    "return.status.received": ("已收到退货", "Received"),
    "return.status.refunded": ("已退款", "Refunded"),
    "return.status.completed": ("已完成", "Completed"),
    "transfer.heading": ("转接会话", "Transfer"),
    "transfer.to": ("转接给", "Transfer to"),
    "transfer.choose": ("选择同事或小组…", "Choose a colleague or team…"),
    "transfer.colleagues": ("同事", "Colleagues"),
    "transfer.teams": ("小组", "Teams"),
    "transfer.me": ("我", "me"),
    "transfer.reason": ("转接原因（内部备注）", "Why (an internal note)"),
    "transfer.reason_placeholder": (
        "例如：顾客要求退款，需售后组处理",
        "e.g. Refund requested, for the after-sales team",
    ),
    "transfer.submit": ("转接", "Transfer"),
    "transfer.error.note": (
        "请写明转接原因，最多 {max} 个字。",
        "Say why, in {max} characters at most.",
    ),
    "transfer.error.target": ("请选择要转接的同事或小组。", "Choose a colleague or a team."),
    "canned.hint": ("输入 / 插入快捷回复", "Type / for canned replies"),
    "canned.suggestions": ("快捷回复", "Canned replies"),
    "canned.no_match": ("没有匹配“{query}”的快捷回复", "No canned reply matches “{query}”"),
    "canned.page_title": ("快捷回复", "Canned replies"),
    "canned.page_intro": (
        "在回复框输入 / 加快捷短语即可插入，顾客姓名、订单号等会自动填好。",
        "Type / and a shortcut in the reply box; names and order numbers are filled in.",
    ),
    "canned.search_placeholder": ("搜索快捷短语或标题…", "Search shortcuts or titles…"),
    "canned.new": ("新建快捷回复", "New canned reply"),
    "canned.shortcut": ("快捷短语", "Shortcut"),
    "canned.title_label": ("标题", "Title"),
    "canned.body": ("回复内容", "Reply text"),
    "canned.language": ("语言", "Language"),
    "canned.language.zh": ("中文", "Chinese"),
    "canned.language.en": ("英文", "English"),
    "canned.placeholders_hint": ("可用占位符：", "Placeholders you can use:"),
    "canned.save": ("保存", "Save"),
    "canned.actions": ("操作", "Actions"),
    "canned.edit": ("编辑", "Edit"),
    "canned.delete": ("删除", "Delete"),
    "canned.delete_named": ("删除快捷回复 {shortcut}", "Delete canned reply {shortcut}"),
    "canned.empty": ("还没有快捷回复。", "No canned replies yet."),
    "canned.edit_title": ("编辑快捷回复", "Edit canned reply"),
    "canned.back": ("返回快捷回复", "Back to canned replies"),
    "canned.error.shortcut": (
        "快捷短语以 / 开头，最多 {max} 个字符，只能包含文字、数字、- 和 _。",
        "A shortcut starts with / and has up to {max} letters, digits, '-' or '_'.",
    ),
    "canned.error.title": ("请填写标题。", "Enter a title."),
    "canned.error.body": ("请填写回复内容。", "Enter the reply text."),
    "canned.error.generic": ("提交的内容有误，请检查。", "Something is not valid. Check the form."),
    "canned.error.taken": (
        "这个快捷短语已被使用，请换一个。",
        "This shortcut is taken. Choose another.",
    ),
    "tabs.label": ("已打开的会话", "Open conversations"),
    "tabs.close": ("关闭 {name}", "Close {name}"),
    "tabs.unread": ("有新消息", "new messages"),
    "sound.on": ("提示音：开", "Sound: on"),
    "sound.off": ("提示音：关", "Sound: off"),
    "sound.title": ("新消息提示音：点击切换", "Sound for new messages: click to switch"),
    "error.detail.transfer_unchanged": (
        "会话已经在这位同事或小组名下。",
        "The conversation is already with this colleague or team.",
    ),
    "error.detail.user_not_found": (
        "找不到这位同事，可能已被移除。",
        "This colleague no longer exists.",
    ),
    "error.detail.team_not_found": ("找不到这个小组。", "This team no longer exists."),
    "error.detail.canned_reply_not_found": (
        "找不到这条快捷回复，可能已被删除。",
        "This canned reply does not exist or was deleted.",
    ),
    # time
    "time.just_now": ("刚刚", "just now"),
    "time.minutes_ago": ("{n} 分钟前", "{n} min ago"),
    "time.hours_ago": ("{n} 小时前", "{n} h ago"),
    "time.days_ago": ("{n} 天前", "{n} d ago"),
    # errors
    "error.title": ("出错了", "Something went wrong"),
    "error.back": ("返回会话列表", "Back to conversations"),
    "error.400": ("请求有误", "Bad request"),
    "error.401": ("请先登录", "Please log in"),
    "error.403": ("没有权限", "Not allowed"),
    "error.404": ("找不到页面", "Not found"),
    "error.409": ("操作冲突", "Conflict"),
    "error.422": ("输入有误", "Invalid input"),
    "error.429": ("请求过于频繁", "Too many requests"),
    "error.500": ("服务器出错", "Server error"),
    "error.detail.generic": (
        "请求没有完成，请稍后重试。",
        "The request could not be completed. Please try again.",
    ),
    "error.detail.forbidden": (
        "你的角色没有权限执行这个操作，如需权限请联系店铺管理员。",
        "Your role may not do this. Ask your shop's administrator if you need it.",
    ),
    "error.detail.csrf_failed": (
        "页面已过期，请刷新页面后重试。",
        "This page has expired. Reload it and try again.",
    ),
    "error.detail.conversation_not_found": (
        "找不到这个会话。它可能不存在，或属于其他店铺。",
        "This conversation does not exist or belongs to another shop.",
    ),
    "error.detail.not_found": ("找不到你要的内容。", "We could not find what you asked for."),
    "error.detail.invalid_transition": (
        "会话当前的状态不允许这个操作，请刷新页面。",
        "The conversation's current status does not allow this. Reload the page.",
    ),
    "error.detail.invalid_input": (
        "提交的内容有误，请检查后重试。",
        "Something in the form is not valid. Check it and try again.",
    ),
    "error.detail.not_assignable": (
        "这个用户不能接待会话。",
        "This user cannot take conversations.",
    ),
    "error.detail.idempotency_key_reused": (
        "这个表单已在另一个会话中提交过，请刷新页面。",
        "This form was already sent in another conversation. Reload the page.",
    ),
    "error.detail.rate_limited": ("请求过于频繁，请稍后再试。", "Too many requests. Try later."),
    # web chat: the customer's chat page, leave-a-message form and the widget's demo host page
    "chat.title": ("在线客服", "Chat with us"),
    "chat.presence.connecting": ("正在连接…", "Connecting…"),
    "chat.presence.online": ("客服在线", "We're online"),
    "chat.presence.offline": ("客服暂时不在线", "We're away right now"),
    "chat.reconnecting": ("连接已断开，正在重新连接…", "Connection lost. Reconnecting…"),
    "chat.hello": ("您好！请问有什么可以帮您？", "Hi! How can we help you today?"),
    "chat.input_label": ("输入消息", "Your message"),
    "chat.placeholder": ("输入消息，Enter 发送…", "Type a message, Enter to send…"),
    "chat.send": ("发送", "Send"),
    "chat.minimise": ("收起聊天窗口", "Minimise the chat"),
    "chat.state.sending": ("发送中", "Sending"),
    "chat.state.sent": ("已发送", "Sent"),
    "chat.state.read": ("已读", "Read"),
    "chat.state.failed": ("发送失败", "Not sent"),
    "chat.sender.agent": ("客服", "Agent"),
    "chat.sender.bot": ("智能助手", "Assistant"),
    "chat.sender.system": ("系统消息", "Notice"),
    "chat.agent_typing": ("客服正在输入…", "The agent is typing…"),
    "chat.status.pending": ("客服正在等待您的回复。", "We're waiting for your reply."),
    "chat.status.resolved": (
        "客服已将问题标记为已解决。如还有疑问，直接回复即可。",
        "We've marked this as solved. Reply if you still need help.",
    ),
    "chat.status.closed": (
        "会话已结束。发送新消息会开始新的会话。",
        "This chat has ended. A new message starts a new chat.",
    ),
    "chat.identity_error": (
        "登录状态已失效，请刷新页面后再联系客服。",
        "Your sign-in is no longer valid. Reload the page to chat.",
    ),
    "chat.attachment": ("附件", "Attachment"),
    # the chat's file picker (chat-attach.js); {name}, {max}, {percent} are filled in there
    "chat.attach.button": ("发送图片或文件", "Send an image or file"),
    "chat.attach.files": ("待发送的文件", "Files to send"),
    "chat.attach.uploading": ("上传中…", "Uploading…"),
    "chat.attach.progress": ("上传中 {percent}%", "Uploading {percent}%"),
    "chat.attach.remove": ("移除 {name}", "Remove {name}"),
    "chat.attach.wait": (
        "文件还在上传，请稍候再发送。",
        "Files are still uploading. Send in a moment.",
    ),
    "chat.attach.error": ("{name}：{error}", "{name}: {error}"),
    "chat.attach.too_large": ("文件太大，最大 {max}。", "The file is too large: {max} at most."),
    "chat.attach.too_many": ("一条消息最多 {max} 个文件。", "At most {max} files per message."),
    "chat.attach.unsupported": (
        "不能发送这种文件：只支持图片（JPG、PNG、GIF、WebP）、PDF、文本和 Office 文档。",
        "This kind of file cannot be sent: images (JPG, PNG, GIF, WebP), PDF, text and "
        "Office documents only.",
    ),
    "chat.attach.rate_limited": ("上传太频繁，请稍后再试。", "Too many uploads. Try again later."),
    "chat.attach.failed": ("上传失败，请重试。", "The upload failed. Try again."),
    "chat.leave.heading": ("客服暂时不在线，请留言", "We're away. Leave us a message"),
    "chat.leave.intro": (
        "留下联系方式，客服上线后会尽快联系您。",
        "Leave your contact details and we'll get back to you soon.",
    ),
    "chat.leave.name": ("您的称呼", "Your name"),
    "chat.leave.email": ("邮箱", "E-mail"),
    "chat.leave.phone": ("手机号", "Phone"),
    "chat.leave.contact_hint": ("邮箱和手机号至少填一项。", "Give an e-mail or a phone number."),
    "chat.leave.body": ("留言内容", "Message"),
    "chat.leave.submit": ("提交留言", "Send message"),
    "chat.leave.sent": (
        "留言已收到，我们会尽快联系您。",
        "Thanks! We got your message and will get back to you soon.",
    ),
    "chat.leave.error.name": ("请填写您的称呼。", "Enter your name."),
    "chat.leave.error.contact": (
        "请填写邮箱或手机号，以便我们联系您。",
        "Enter an e-mail address or a phone number so we can reach you.",
    ),
    "chat.leave.error.email": ("邮箱格式不正确。", "That e-mail address does not look right."),
    "chat.leave.error.phone": ("手机号格式不正确。", "That phone number does not look right."),
    "chat.leave.error.body": ("请填写留言内容。", "Enter a message."),
    "chat.leave.error.rate_limited": (
        "提交过于频繁，请稍后再试。",
        "Too many messages. Please try again later.",
    ),
    "chat.leave.error.generic": (
        "留言没有提交成功，请稍后重试。",
        "Your message could not be sent. Please try again.",
    ),
    "chat.missing.title": ("找不到这家店铺", "Shop not found"),
    "chat.missing.detail": (
        "链接可能有误，或这家店铺没有开通在线客服。",
        "The link may be wrong, or this shop does not offer chat.",
    ),
    "chat.demo.title": ("客服挂件演示", "Chat widget demo"),
    "chat.demo.intro": (
        "这是一张模拟的店铺页面：右下角的按钮就是嵌入的在线客服。",
        "This is a stand-in shop page: the button at the bottom right is the embedded chat.",
    ),
    "chat.demo.snippet": (
        "在店铺页面中加入这一行即可：",
        "Add this one line to the shop's pages:",
    ),
    "chat.demo.product": ("无线降噪耳机", "Wireless noise-cancelling headphones"),
    # admin: channel settings (IM webhooks and their dead letters, e-mail, the web chat widget)
    "nav.channels": ("渠道设置", "Channels"),
    "channels.title": ("渠道设置", "Channels"),
    "channels.intro": (
        "管理顾客联系店铺的渠道：即时通讯平台、邮件和网页聊天挂件。",
        "How customers reach the shop: IM platforms, e-mail and the web chat widget.",
    ),
    "channels.back": ("返回渠道设置", "Back to channels"),
    "channels.actions": ("操作", "Actions"),
    "channels.created": ("创建时间", "Created"),
    "channels.time": ("时间", "Time"),
    "channels.attempts": ("尝试次数", "Attempts"),
    "channels.last_error": ("最后错误", "Last error"),
    "channels.conversation": ("会话", "Conversation"),
    "channels.conversation_link": ("会话 #{id}", "Conversation #{id}"),
    "channels.older": ("更早的记录", "Older"),
    "channels.copy": ("复制", "Copy"),
    "channels.copied": ("已复制", "Copied"),
    "channels.secret.once": (
        "请立即复制并妥善保存：离开本页后将不再显示。",
        "Copy it now and keep it safe: it will not be shown again.",
    ),
    "channels.notice.created": ("渠道已创建。", "The channel was created."),
    "channels.notice.enabled": ("渠道已启用。", "The channel is on."),
    "channels.notice.disabled": (
        "渠道已停用：不再接收消息，回复也不会发出。",
        "The channel is off: events are refused and replies are not sent.",
    ),
    "channels.notice.rotated": ("已生成新密钥。", "A new secret was made."),
    "channels.notice.retried": (
        "已重新排队，几秒内发送。",
        "Queued again; it is sent within seconds.",
    ),
    "channels.webhook.heading": ("即时通讯 / 社交平台", "IM / social platforms"),
    "channels.webhook.intro": (
        "微信、WhatsApp 等平台通过签名的 Webhook 接入；客服的回复会发送到回调地址。",
        "WeChat, WhatsApp and others connect through signed webhooks; agents' replies are "
        "posted to the callback URL.",
    ),
    "channels.webhook.name": ("名称", "Name"),
    "channels.webhook.name_placeholder": ("例如：微信公众号", "e.g. WeChat account"),
    "channels.webhook.platform": ("平台", "Platform"),
    "channels.webhook.platform_hint": (
        "平台标识由小写字母、数字、- 和 _ 组成，创建后不能修改（它是发送者身份的前缀）。",
        "The platform label is lowercase letters, digits, '-' and '_', and cannot change "
        "later (it prefixes the senders' identities).",
    ),
    "channels.webhook.callback_url": ("回调地址", "Callback URL"),
    "channels.webhook.inbound_url": (
        "接收地址（平台推送到这里）",
        "Inbound URL (the platform posts here)",
    ),
    "channels.webhook.state": ("状态", "State"),
    "channels.webhook.enabled": ("已启用", "On"),
    "channels.webhook.disabled": ("已停用", "Off"),
    "channels.webhook.enable": ("启用", "Turn on"),
    "channels.webhook.disable": ("停用", "Turn off"),
    "channels.webhook.enable_named": ("启用 {name}", "Turn on {name}"),
    "channels.webhook.disable_named": ("停用 {name}", "Turn off {name}"),
    "channels.webhook.manage": ("详情与投递", "Details & deliveries"),
    "channels.webhook.dead_count": ("{n} 条发送失败", "{n} dead"),
    "channels.webhook.empty": ("还没有接入任何平台。", "No platform is connected yet."),
    "channels.webhook.new": ("接入新平台", "Connect a platform"),
    "channels.webhook.create": ("创建并生成密钥", "Create and make a secret"),
    "channels.webhook.settings": ("渠道设置", "Channel settings"),
    "channels.webhook.rotate": ("更换签名密钥", "Rotate the signing secret"),
    "channels.webhook.rotate_hint": (
        "更换后旧密钥仍可验证收到的消息 24 小时；发出的回复立即使用新密钥签名。",
        "The old secret still verifies inbound events for 24 hours; replies are signed with "
        "the new one at once.",
    ),
    "channels.webhook.secret_new": ("签名密钥", "Signing secret"),
    "channels.webhook.secret_grace": (
        "旧密钥在 {time} 之前仍然有效。",
        "The old secret keeps working until {time}.",
    ),
    "channels.webhook.error.name": (
        "请填写名称（最多 100 个字符）。",
        "Enter a name (up to 100 characters).",
    ),
    "channels.webhook.error.platform": (
        "平台标识以小写字母开头，最多 32 个字符，只能包含小写字母、数字、- 和 _。",
        "The platform label starts with a lowercase letter and has up to 32 lowercase "
        "letters, digits, '-' or '_'.",
    ),
    "channels.webhook.error.callback_url": (
        "回调地址须是完整的 http:// 或 https:// 地址，且不能包含用户名或密码。",
        "The callback URL must be a full http:// or https:// address without a user name "
        "or password.",
    ),
    "channels.webhook.error.generic": (
        "提交的内容有误，请检查。",
        "Something is not valid. Check the form.",
    ),
    "channels.delivery.heading": ("回复投递", "Reply deliveries"),
    "channels.delivery.intro": (
        "发送失败的回复（死信）不会再自动重试；修好回调地址后可以重新发送。",
        "Dead letters are no longer retried by themselves; fix the callback, then send them again.",
    ),
    "channels.delivery.filter": ("按投递状态筛选", "Filter by delivery state"),
    "channels.delivery.recipient": ("接收人", "Recipient"),
    "channels.delivery.text": ("回复内容", "Reply"),
    "channels.delivery.status": ("状态", "State"),
    "channels.delivery.pending": ("待发送", "Pending"),
    "channels.delivery.retrying": ("重试中", "Retrying"),
    "channels.delivery.delivered": ("已送达", "Delivered"),
    "channels.delivery.dead": ("发送失败", "Dead"),
    "channels.delivery.retry": ("重新发送", "Retry"),
    "channels.delivery.retry_named": ("重新发送投递 #{id}", "Retry delivery #{id}"),
    "channels.delivery.empty": ("没有这个状态的投递记录。", "No deliveries in this state."),
    "channels.delivery.empty_dead": (
        "没有发送失败的回复。",
        "No dead letters: every reply went out or is on its way.",
    ),
    "channels.filter.dead": ("发送失败", "Dead letters"),
    "channels.filter.retrying": ("重试中", "Retrying"),
    "channels.filter.pending": ("待发送", "Pending"),
    "channels.filter.delivered": ("已送达", "Delivered"),
    "channels.filter.all": ("全部", "All"),
    "channels.email.heading": ("邮件", "E-mail"),
    "channels.email.intro": (
        "顾客发到店铺邮箱的邮件会成为会话；客服的回复通过邮件发出。",
        "Mail to the shop's address becomes a conversation; agents' replies go out by mail.",
    ),
    "channels.email.address": ("店铺收件地址", "The shop's address"),
    "channels.email.inbound_on": ("收信已开启。", "Receiving is on."),
    "channels.email.inbound_off": (
        "本服务器未开启收信（KEFU_EMAIL_SMTP_PORT）。",
        "Receiving is off on this server (KEFU_EMAIL_SMTP_PORT).",
    ),
    "channels.email.outbound_on": ("发信已开启。", "Sending is on."),
    "channels.email.outbound_off": (
        "未配置发信服务器（KEFU_EMAIL_OUTBOUND_HOST）。",
        "No outgoing mail server is set (KEFU_EMAIL_OUTBOUND_HOST).",
    ),
    "channels.email.failed": ("发送失败的邮件", "Replies that could not be mailed"),
    "channels.email.failed_empty": ("没有发送失败的邮件。", "Every reply was mailed."),
    "channels.email.recipient": ("收件人", "Recipient"),
    "channels.webchat.heading": ("网页聊天挂件", "Web chat widget"),
    "channels.webchat.intro": (
        "把这一行代码加到店铺网页中，右下角就会出现在线客服按钮。",
        "Add this one line to the shop's pages: a chat button appears at the bottom right.",
    ),
    "channels.webchat.snippet": ("嵌入代码", "Embed code"),
    "channels.webchat.chat_page": ("打开聊天页面", "Open the chat page"),
    "channels.webchat.demo": ("在演示页面中试用", "Try it on a demo page"),
    "channels.webchat.secret": ("顾客身份密钥", "Identity secret"),
    "channels.webchat.secret_set": ("已设置", "Set"),
    "channels.webchat.secret_unset": ("未设置", "Not set"),
    "channels.webchat.secret_hint": (
        "店铺服务器用它签名已登录顾客的身份（docs/webchat.md）。",
        "The shop's server signs logged-in customers' identities with it (docs/webchat.md).",
    ),
    "channels.webchat.secret_new": ("顾客身份密钥", "Identity secret"),
    "channels.webchat.create": ("生成密钥", "Create a secret"),
    "channels.webchat.rotate": ("更换密钥", "Rotate the secret"),
    "channels.webchat.rotate_warning": (
        "更换后，用旧密钥签名的身份立即失效。",
        "Identities signed with the old secret stop working at once.",
    ),
    "error.detail.webhook_channel_not_found": (
        "找不到这个渠道。它可能不存在，或属于其他店铺。",
        "This channel does not exist or belongs to another shop.",
    ),
    "error.detail.webhook_delivery_not_found": (
        "找不到这条投递记录。它可能不存在，或属于其他店铺。",
        "This delivery does not exist or belongs to another shop.",
    ),
    "error.detail.delivery_not_dead": (
        "这条回复已在发送队列中或已送达，请刷新页面。",
        "This reply is already queued or delivered. Reload the page.",
    ),
    "error.detail.channel_disabled": (
        "渠道已停用，请先启用再重新发送。",
        "The channel is off. Turn it on before retrying.",
    ),
}


def is_locale(value: object) -> TypeGuard[Locale]:
    return value in LOCALES


def translate(locale: Locale, key: str, **params: object) -> str:
    """The ``locale`` text for ``key``, formatted with ``params``; unknown keys raise KeyError."""
    zh, en = CATALOG[key]
    text = zh if locale == "zh" else en
    return text.format(**params) if params else text


def locale_of_tag(tag: str) -> Locale | None:
    """Map a language tag (``zh-CN``, ``zh-Hant-TW``, ``en_GB``) to a supported locale."""
    primary = tag.strip().replace("_", "-").split("-", 1)[0].lower()
    return primary if is_locale(primary) else None


def parse_accept_language(header: str) -> list[Locale]:
    """Supported locales in the order the browser prefers them (highest ``q`` first)."""
    weighted: list[tuple[float, int, Locale]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.partition(";")
        locale = locale_of_tag(tag)
        if locale is None:
            continue
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            weighted.append((-quality, position, locale))
    seen: list[Locale] = []
    for _, _, locale in sorted(weighted):
        if locale not in seen:
            seen.append(locale)
    return seen


def choose_locale(
    *,
    param: str | None,
    cookie: str | None,
    user_locale: str | None,
    accept_language: str | None,
    default: Locale,
) -> Locale:
    """``?lang=``, then its cookie, the user's setting, the browser, then the default."""
    for explicit in (param, cookie, user_locale):
        if explicit and (locale := locale_of_tag(explicit)) is not None:
            return locale
    if accept_language:
        preferred = parse_accept_language(accept_language)
        if preferred:
            return preferred[0]
    return default
