"""A scheduled report as an e-mail: a short summary of the key figures in the body and the report
attached (PDF, HTML or XLSX); and the SMTP relay it is handed to."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from kefu.analytics.formatting import format_relative, format_value
from kefu.analytics.render import ReportFile, texts, verdict
from kefu.analytics.report import Report

SUMMARY_METRICS = (
    "conversations",
    "first_response_time",
    "avg_response_time",
    "resolution_rate",
    "complaint_rate",
    "csat",
    "sla_attainment",
)


@dataclass(frozen=True, slots=True)
class MailRelay:
    """The SMTP server reports are handed to (``KEFU_EMAIL_OUTBOUND_*``)."""

    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    start_tls: bool = True
    timeout_seconds: float = 30.0


def subject(report: Report) -> str:
    if report.zh:
        return f"【客服报告】{report.shop_name} {report.period.label}"
    return f"Customer service report: {report.shop_name} {report.period.label}"


def summary(report: Report) -> str:
    """The body: the period, then one line per key figure with its change and verdict."""
    words = texts(report.locale)
    lines = [
        (
            f"{report.shop_name} {report.period.label} 客服报告（对比 {report.compare.label}），"
            "完整报告见附件。"
            if report.zh
            else f"{report.shop_name}: service report for {report.period.label} "
            f"(compared with {report.compare.label}); the full report is attached."
        ),
        "",
    ]
    for row in report.headline:
        if row.metric.key not in SUMMARY_METRICS:
            continue
        value = format_value(row.change.after, row.metric.unit, report.locale)
        change = format_relative(row.change.relative)
        noise = verdict(row.change, words).text
        lines.append(f"- {row.metric.label(report.locale)}: {value} ({change}, {noise})")
    lines += ["", "— Kefu"]
    return "\n".join(lines)


def compose_report_mail(
    report: Report, file: ReportFile, *, sender: str, recipients: Sequence[str], now: datetime
) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = ", ".join(recipients)
    mail["Subject"] = subject(report)
    mail["Date"] = format_datetime(now)
    mail["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip("> ") or None)
    mail.set_content(summary(report), charset="utf-8")
    maintype, _, rest = file.media_type.partition("/")
    mail.add_attachment(
        file.content,
        maintype=maintype,
        subtype=rest.split(";")[0].strip(),
        filename=file.filename,
    )
    return mail
