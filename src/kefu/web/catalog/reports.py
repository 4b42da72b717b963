"""Catalog of the scheduled-reports page (定期报表)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "reports.title": ("定期报表", "Scheduled reports"),
    "reports.intro": (
        "每周、每月或每季度结束时，把与上一周期对比的服务报表发到邮箱。",
        "When each week, month or quarter ends, the service report comparing it with the one "
        "before is e-mailed.",
    ),
    "reports.list": ("已设置的报表", "Schedules"),
    "reports.none": ("还没有定期报表。", "No scheduled reports yet."),
    "reports.new": ("新增定期报表", "New scheduled report"),
    "reports.frequency": ("频率", "Frequency"),
    "reports.frequency.weekly": ("每周", "Weekly"),
    "reports.frequency.monthly": ("每月", "Monthly"),
    "reports.frequency.quarterly": ("每季度", "Quarterly"),
    "reports.format": ("格式", "Format"),
    "reports.recipients": ("收件人", "Recipients"),
    "reports.recipients_hint": (
        "收件人（逗号分隔；留空则发给全部主管和管理员）",
        "Recipients (comma-separated; empty: every supervisor and admin)",
    ),
    "reports.default_recipients": ("全部主管和管理员", "Every supervisor and admin"),
    "reports.next": ("下一期", "Next period"),
    "reports.last_sent": ("上次发送", "Last sent"),
    "reports.actions": ("操作", "Actions"),
    "reports.paused": ("已暂停", "Paused"),
    "reports.pause": ("暂停", "Pause"),
    "reports.resume": ("恢复", "Resume"),
    "reports.delete": ("删除", "Delete"),
    "reports.add": ("添加", "Add"),
    "reports.error": ("无法保存：{message}", "Not saved: {message}"),
}
