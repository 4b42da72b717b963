"""Catalog of the customer's chat page, its widget and file picker."""

MESSAGES: dict[str, tuple[str, str]] = {
    # web chat: the customer's chat page, leave-a-message form and the widget's demo host page
    "chat.title": ("在线客服", "Chat with us"),
    "chat.presence.connecting": ("正在连接…", "Connecting…"),
    "chat.presence.online": ("客服在线", "We're online"),
    "chat.presence.offline": ("客服暂时不在线", "We're away right now"),
    "chat.queue.next": ("排队中：您是下一位。", "You're next in line."),
    "chat.queue.ahead": (
        "排队中：您前面还有 {ahead} 位。",
        "You're in line: {ahead} ahead of you.",
    ),
    "chat.queue.wait": (" 预计等待约 {minutes} 分钟。", " Expected wait: about {minutes} min."),
    "chat.queue.wait_unknown": (
        " 客服暂时都在忙，请稍候或留言。",
        " All agents are busy; please wait or leave a message.",
    ),
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
}
