"""Catalog of escalation, sub-tasks for other departments and the department staff's task list."""

MESSAGES: dict[str, tuple[str, str]] = {
    "nav.tasks": ("协作任务", "Tasks"),
    # escalation
    "escalate.heading": ("升级", "Escalate"),
    "escalate.intro": (
        "交给更高级别的客服（高级，然后专家）：会话回到队列，由系统重新分配。",
        "Hand to a higher tier (senior, then expert): the conversation goes back to the queue.",
    ),
    "escalate.note": ("升级原因", "Why escalate"),
    "escalate.note_placeholder": (
        "例如：顾客要求主管处理退款纠纷",
        "e.g. refund dispute needs a senior",
    ),
    "escalate.submit": ("升级", "Escalate"),
    "escalate.error.note": ("请写明升级原因。", "Say why you escalate."),
    # sub-tasks on the conversation page
    "subtasks.heading": ("协作任务", "Sub-tasks"),
    "subtasks.empty": ("还没有协作任务。", "No sub-tasks yet."),
    "subtasks.open_count": ("{n} 个进行中", "{n} open"),
    "subtasks.department": ("部门", "Department"),
    "subtasks.title": ("事项", "Title"),
    "subtasks.title_placeholder": ("例如：查询包裹在哪个网点", "e.g. find where the parcel is"),
    "subtasks.note": ("说明", "Note"),
    "subtasks.due": ("截止时间", "Due"),
    "subtasks.due_hint": ("可选，按店铺时区", "Optional, in the shop's time zone"),
    "subtasks.assignee": ("处理人", "Assignee"),
    "subtasks.unassigned": ("未指定", "Anyone"),
    "subtasks.result": ("处理结果", "Result"),
    "subtasks.result_placeholder": (
        "例如：已联系快递，明天送达",
        "e.g. carrier called, arrives tomorrow",
    ),
    "subtasks.create": ("新建协作任务", "New sub-task"),
    "subtasks.create_button": ("发给部门", "Send to department"),
    "subtasks.done": ("完成", "Done"),
    "subtasks.cancel": ("取消任务", "Cancel task"),
    "subtasks.overdue": ("已逾期", "Overdue"),
    "subtasks.no_due": ("不限", "None"),
    "subtasks.status.open": ("进行中", "Open"),
    "subtasks.status.done": ("已完成", "Done"),
    "subtasks.status.cancelled": ("已取消", "Cancelled"),
    "subtasks.dept.logistics": ("物流部", "Logistics"),
    "subtasks.dept.warehouse": ("仓库", "Warehouse"),
    "subtasks.dept.tech": ("技术部", "Tech"),
    "subtasks.error.title": (
        "请填写事项（最多 200 字）。",
        "Enter a title (up to 200 characters).",
    ),
    "subtasks.error.department": ("请选择部门。", "Choose a department."),
    "subtasks.error.due": ("截止时间无效或已过去。", "The deadline is invalid or in the past."),
    "subtasks.error.generic": (
        "提交的内容有误，请检查。",
        "Something is not valid. Check the form.",
    ),
    # the department staff's page
    "tasks.title": ("协作任务", "Sub-tasks"),
    "tasks.intro_department": (
        "{department}需要处理的任务；完成后填写结果，客服会在会话中看到。",
        "Tasks for {department}; write the result when done and the agent sees it in the thread.",
    ),
    "tasks.intro_all": (
        "各部门的协作任务，截止时间早的在前。",
        "Sub-tasks of every department, earliest deadline first.",
    ),
    "tasks.filter.department": ("部门", "Department"),
    "tasks.filter.all": ("全部部门", "All departments"),
    "tasks.filter.open": ("进行中", "Open"),
    "tasks.filter.any": ("全部状态", "Any status"),
    "tasks.filter.apply": ("筛选", "Filter"),
    "tasks.empty": ("没有待处理的任务。", "Nothing to do."),
    "tasks.conversation": ("会话", "Conversation"),
    "tasks.status": ("状态", "Status"),
    "tasks.created": ("创建", "Created"),
    "tasks.actions": ("操作", "Actions"),
    # errors from the services
    "error.detail.subtasks_open": (
        "还有协作任务没有完成：请等相关部门处理完，或先取消任务，再解决会话。",
        "Sub-tasks are still open: wait for the department, or cancel them, then resolve.",
    ),
    "error.detail.escalate_note": ("请写明升级原因。", "Say why you escalate."),
    "error.detail.subtask_closed": ("这个任务已经结束了。", "This sub-task is already closed."),
    "error.detail.subtask_not_found": ("找不到这个协作任务。", "This sub-task does not exist."),
    "error.detail.due_in_past": ("截止时间已经过去。", "The deadline is in the past."),
    "error.detail.escalation_unavailable": (
        "会话已经在最高级别（专家），无法再升级。",
        "The conversation is already with the highest tier (expert).",
    ),
    "error.detail.queue_not_found": ("找不到这个队列。", "This queue no longer exists."),
    "error.detail.not_department_staff": (
        "只能指派给部门同事。",
        "Sub-tasks go to department staff.",
    ),
    "error.detail.wrong_department": (
        "这位同事不在该部门。",
        "This colleague is in another department.",
    ),
}
