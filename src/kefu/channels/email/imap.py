"""Inbound mail from an existing mailbox: polls one IMAP folder and stores its unread mail."""

from __future__ import annotations

import asyncio
import contextlib
import imaplib
import logging
import re
import ssl
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from kefu.accounts.service import get_shop_by_slug
from kefu.channels.email.parse import parse_mail
from kefu.channels.email.service import receive_mail
from kefu.settings import Settings
from kefu.shared.clock import utcnow
from kefu.shared.db import Database

log = logging.getLogger(__name__)

# Keywords on mail Kefu will not import, so an agent can find it in the mailbox.
TOO_LARGE = "$KefuTooLarge"
UNREADABLE = "$KefuUnreadable"
MAX_BACKOFF_SECONDS = 900.0
STOP_GRACE_SECONDS = 10.0
_UID = re.compile(rb"\bUID (\d+)")


@dataclass(frozen=True, slots=True)
class ImapConfig:
    host: str
    port: int
    user: str
    password: str = field(repr=False)
    shop_slug: str
    ssl: bool = True
    folder: str = "INBOX"
    poll_seconds: float = 60.0
    max_bytes: int = 10 * 1024 * 1024
    move_to: str | None = None  # None: imported mail stays in the folder, marked \Seen
    timeout_seconds: float = 30.0

    @classmethod
    def from_settings(cls, settings: Settings) -> ImapConfig:
        """The ``KEFU_EMAIL_IMAP_*`` settings (which require user, password and shop)."""
        assert settings.email_imap_host is not None, "IMAP polling is not configured"
        assert settings.email_imap_user is not None and settings.email_imap_shop is not None
        assert settings.email_imap_password is not None
        default_port = 993 if settings.email_imap_ssl else 143
        return cls(
            host=settings.email_imap_host,
            port=settings.email_imap_port or default_port,
            user=settings.email_imap_user,
            password=settings.email_imap_password.get_secret_value(),
            shop_slug=settings.email_imap_shop,
            ssl=settings.email_imap_ssl,
            folder=settings.email_imap_folder,
            poll_seconds=settings.email_imap_poll_seconds,
            max_bytes=settings.email_max_bytes,
            move_to=settings.email_imap_move_to,
        )


class ImapError(Exception):
    """The server refused a command, or the account or folder cannot be used."""


@dataclass
class PollResult:
    imported: int = 0  # new Kefu messages
    duplicates: int = 0  # mail Kefu had already stored (a crash before it was marked)
    skipped: int = 0  # too large or unreadable: flagged, never imported
    failed: int = 0  # storing failed: left unread, tried again by the next poll


def _quote(mailbox: str) -> str:
    return '"' + mailbox.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _detail(data: Sequence[object]) -> str:
    text = b" ".join(d for d in data if isinstance(d, bytes)).decode("utf-8", "replace")
    return text or "no reason given"


class Mailbox:
    """One blocking imaplib connection, kept between polls, with the few commands the poller
    needs. Call its methods from a worker thread (``asyncio.to_thread``); a lock keeps them one
    at a time."""

    def __init__(self, config: ImapConfig) -> None:
        self.config = config
        self._conn: imaplib.IMAP4 | None = None
        self._capabilities: frozenset[str] = frozenset()
        self._lock = threading.Lock()

    def open(self) -> None:
        """Select the folder, over the kept connection if it is alive, else a new one."""
        with self._lock:
            if self._conn is not None:
                try:
                    self._select(self._conn)
                    return
                except (imaplib.IMAP4.abort, OSError):
                    self._drop()
            conn = self._connect()
            try:
                self._select(conn)
            except BaseException:
                _logout(conn)
                raise
            self._conn = conn

    def close(self) -> None:
        with self._lock:
            self._drop()

    def unseen(self) -> tuple[list[int], list[int]]:
        """UIDs of unread mail in the folder: those to import and those too large to."""
        with self._lock:
            large = set(self._search("UNSEEN", "UNDELETED", "LARGER", str(self.config.max_bytes)))
            every = self._search("UNSEEN", "UNDELETED")
        return [uid for uid in every if uid not in large], sorted(large)

    def fetch(self, uid: int) -> bytes | None:
        """The mail's bytes, without marking it read; None when it is gone."""
        with self._lock:
            data = self._ok(self._session().uid("FETCH", str(uid), "(BODY.PEEK[])"), "FETCH")
        for item in data:
            if isinstance(item, tuple) and len(item) == 2:
                found = _UID.search(item[0])
                if found is None or int(found.group(1)) == uid:
                    return bytes(item[1])
        return None

    def flag(self, uid: int, *keywords: str) -> None:
        """Mark the mail \\Seen and with ``keywords``, or only \\Seen where the server takes no
        keywords of ours."""
        with self._lock:
            conn = self._session()
            flags = "(" + " ".join(["\\Seen", *keywords]) + ")"
            typ, data = conn.uid("STORE", str(uid), "+FLAGS.SILENT", flags)
            if typ != "OK" and keywords:
                typ, data = conn.uid("STORE", str(uid), "+FLAGS.SILENT", "(\\Seen)")
            self._ok((typ, data), "STORE")

    def done(self, uid: int) -> None:
        """Mark an imported mail read, and move it when so configured. A move the server refuses
        is logged: the mail is read by then, so it is not imported again."""
        self.flag(uid)
        if self.config.move_to is None:
            return
        with self._lock:
            try:
                self._move(self._session(), uid, self.config.move_to)
            except ImapError as error:
                log.warning("imported mail %d stays in %s: %s", uid, self.config.folder, error)

    def _move(self, conn: imaplib.IMAP4, uid: int, target: str) -> None:
        if "MOVE" in self._capabilities:
            self._ok(conn.uid("MOVE", str(uid), _quote(target)), "MOVE")
            return
        self._ok(conn.uid("COPY", str(uid), _quote(target)), "COPY")
        self._ok(conn.uid("STORE", str(uid), "+FLAGS.SILENT", "(\\Deleted)"), "STORE")
        if "UIDPLUS" in self._capabilities:  # else leave it deleted: EXPUNGE would take others'
            self._ok(conn.uid("EXPUNGE", str(uid)), "EXPUNGE")

    def _connect(self) -> imaplib.IMAP4:
        config = self.config
        conn: imaplib.IMAP4
        if config.ssl:
            context = ssl.create_default_context()
            conn = imaplib.IMAP4_SSL(
                config.host, config.port, ssl_context=context, timeout=config.timeout_seconds
            )
        else:
            conn = imaplib.IMAP4(config.host, config.port, timeout=config.timeout_seconds)
        try:
            conn.login(config.user, config.password)
        except imaplib.IMAP4.error as error:
            _logout(conn)
            raise ImapError(f"login as {config.user!r} refused: {error}") from None
        typ, data = conn.capability()
        words = data[0].decode("ascii", "replace").upper().split() if typ == "OK" else []
        self._capabilities = frozenset(words)
        return conn

    def _select(self, conn: imaplib.IMAP4) -> None:
        typ, data = conn.select(_quote(self.config.folder))
        if typ != "OK":
            raise ImapError(f"cannot open folder {self.config.folder!r}: {_detail(data)}")

    def _session(self) -> imaplib.IMAP4:
        if self._conn is None:
            raise ImapError("not connected")
        return self._conn

    def _search(self, *criteria: str) -> list[int]:
        data = self._ok(self._session().uid("SEARCH", *criteria), "SEARCH")
        words = b" ".join(d for d in data if isinstance(d, bytes)).split()
        return sorted(int(w) for w in words)

    @staticmethod
    def _ok(response: tuple[str, Sequence[object]], command: str) -> Sequence[object]:
        typ, data = response
        if typ != "OK":
            raise ImapError(f"{command} refused: {_detail(data)}")
        return data

    def _drop(self) -> None:
        if self._conn is not None:
            _logout(self._conn)
            self._conn = None


def _logout(conn: imaplib.IMAP4) -> None:
    try:
        conn.logout()
    except Exception:
        # A dead connection fails LOGOUT before imaplib closes its socket.
        with contextlib.suppress(Exception):
            conn.shutdown()


class ImapPoller:
    """Imports the unread mail of one mailbox into one shop, every ``poll_seconds``.

    A mail is marked read only once ``receive_mail`` has committed it, so a crash in between
    loses nothing: the mail is fetched again and deduplicated by its Message-ID."""

    def __init__(
        self, db: Database, config: ImapConfig, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self.db = db
        self.config = config
        self.clock = clock
        self.mailbox = Mailbox(config)
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    async def poll(self) -> PollResult:
        """Import the folder's unread mail once. Raises when the server or shop cannot be
        reached; a mail that fails to store is counted and left unread."""
        result = PollResult()
        shop_id = await self._shop_id()
        await asyncio.to_thread(self.mailbox.open)
        fitting, too_large = await asyncio.to_thread(self.mailbox.unseen)
        for uid in too_large:
            await self._skip(uid, TOO_LARGE, "larger than KEFU_EMAIL_MAX_BYTES", result)
        for uid in fitting:
            if self._stopping.is_set():
                break
            await self._import(uid, shop_id, result)
        return result

    async def _shop_id(self) -> int:
        async with self.db.session() as session:
            shop = await get_shop_by_slug(session, self.config.shop_slug)
        if shop is None:
            raise ImapError(f"no shop {self.config.shop_slug!r} (KEFU_EMAIL_IMAP_SHOP)")
        return shop.id

    async def _import(self, uid: int, shop_id: int, result: PollResult) -> None:
        raw = await asyncio.to_thread(self.mailbox.fetch, uid)
        if raw is None:
            return  # expunged since the search
        if len(raw) > self.config.max_bytes:
            await self._skip(uid, TOO_LARGE, "larger than KEFU_EMAIL_MAX_BYTES", result)
            return
        try:
            mail = parse_mail(raw)
        except Exception as error:
            # Fetching it again cannot make it readable.
            await self._skip(uid, UNREADABLE, f"unreadable ({error})", result)
            return
        try:
            async with self.db.session() as session:
                _message, created = await receive_mail(
                    session, shop_id=shop_id, mail=mail, now=self.clock()
                )
        except Exception:
            log.exception(
                "storing mail %r (IMAP UID %d) failed; it stays unread", mail.message_id, uid
            )
            result.failed += 1
            return
        await asyncio.to_thread(self.mailbox.done, uid)
        if created:
            result.imported += 1
        else:
            result.duplicates += 1

    async def _skip(self, uid: int, keyword: str, reason: str, result: PollResult) -> None:
        log.warning(
            "not importing mail %d of %s in %s: %s; flagged %s",
            uid,
            self.config.user,
            self.config.folder,
            reason,
            keyword,
        )
        await asyncio.to_thread(self.mailbox.flag, uid, keyword)
        result.skipped += 1

    async def start(self) -> None:
        if self._task is None:
            self._stopping.clear()
            self._task = asyncio.create_task(self._run(), name="kefu-imap-poller")

    async def stop(self) -> None:
        """Finish the mail being stored, stop polling and log out; safe to call twice."""
        task, self._task = self._task, None
        if task is not None:
            self._stopping.set()
            with contextlib.suppress(TimeoutError):  # wait_for has cancelled it then
                await asyncio.wait_for(task, STOP_GRACE_SECONDS)
        await asyncio.to_thread(self.mailbox.close)

    async def _run(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            delay = self.config.poll_seconds
            try:
                result = await self.poll()
            except Exception as error:
                failures += 1
                delay = min(delay * 2 ** min(failures - 1, 16), MAX_BACKOFF_SECONDS)
                self._log_failure(error, delay)
                await asyncio.to_thread(self.mailbox.close)
            else:
                failures = 0
                if result != PollResult():
                    log.info("IMAP %s in %s: %s", self.config.user, self.config.folder, result)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), delay)

    def _log_failure(self, error: Exception, delay: float) -> None:
        expected = isinstance(error, ImapError | imaplib.IMAP4.error | OSError)
        log.error(
            "polling IMAP %s@%s:%d failed: %s; next try in %.0f s",
            self.config.user,
            self.config.host,
            self.config.port,
            error,
            delay,
            exc_info=not expected,
        )
