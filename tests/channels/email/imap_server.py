"""A real IMAP server for the tests: Dovecot on a free loopback port, with one maildir account,
its configuration, mail and log in a temporary directory."""

from __future__ import annotations

import contextlib
import imaplib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

USER = "shop-mailbox"
PASSWORD = "mailbox-secret"
NOBODY = 65534  # Dovecot refuses mail access as root


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


class ImapServer:
    """``dovecot -F`` serving ``USER`` / ``PASSWORD`` on ``port``; ``stop`` and ``start`` again
    keep the mail (a restart)."""

    def __init__(self, binary: str) -> None:
        self.binary = binary
        # Not pytest's tmp_path: the mail user (nobody, when we are root) must reach the maildir.
        self.root = Path(tempfile.mkdtemp(prefix="kefu-dovecot-"))
        self.root.chmod(0o755)
        self.port = _free_port()
        self.log = self.root / "dovecot.log"
        self.config = self.root / "dovecot.conf"
        self._process: subprocess.Popen[bytes] | None = None
        self._write_config()

    def _write_config(self) -> None:
        root = os.geteuid() == 0
        uid, gid = (NOBODY, NOBODY) if root else (os.getuid(), os.getgid())
        mail = self.root / "mail"
        mail.mkdir()
        os.chown(mail, uid, gid)
        (self.root / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
        own = "" if root else _unprivileged(pwd.getpwuid(os.getuid()).pw_name)
        self.config.write_text(
            f"""protocols = imap
listen = 127.0.0.1
base_dir = {self.root}/run
state_dir = {self.root}/state
instance_name = kefu-test-{self.port}
log_path = {self.log}
ssl = no
disable_plaintext_auth = no
auth_failure_delay = 0
auth_mechanisms = plain
first_valid_uid = 1
first_valid_gid = 1
mail_location = maildir:{mail}/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.root}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={mail}/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
# No growing delay for the wrong-password test's repeated failures (Dovecot's auth penalty).
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
{"" if root else "  chroot ="}
}}
{own}"""
        )

    def start(self) -> None:
        assert self._process is None, "already running"
        self._process = subprocess.Popen(
            [self.binary, "-F", "-c", str(self.config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, to end its sessions with it
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                self._process = None
                raise RuntimeError(f"dovecot exited at start: {self.read_log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"dovecot did not listen on {self.port}: {self.read_log()}")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        # IMAP sessions outlive the master; a restart must drop them, as a real one does.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        # Login and imap processes end with the master; wait until the port is free again.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
            except OSError:
                return
            time.sleep(0.05)

    def remove(self) -> None:
        self.stop()
        # Processes being killed may still write their last state files: try again briefly.
        for _ in range(20):
            shutil.rmtree(self.root, ignore_errors=True)
            if not self.root.exists():
                return
            time.sleep(0.05)

    def read_log(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else "(no log)"

    def client(self, folder: str = "INBOX") -> imaplib.IMAP4:
        """A logged-in connection with ``folder`` selected (the test's own mail client)."""
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        client.login(USER, PASSWORD)
        client.select(folder)
        return client

    def append(self, raw: bytes, folder: str = "INBOX") -> None:
        """Put an unread mail into ``folder``, as a delivery would."""
        client = self.client()
        try:
            typ, data = client.append(folder, None, None, raw)
            assert typ == "OK", data
        finally:
            client.logout()

    def flags(self, folder: str = "INBOX") -> list[set[str]]:
        """The flags of each mail in ``folder``, oldest first."""
        client = self.client(folder)
        try:
            typ, data = client.uid("FETCH", "1:*", "(FLAGS)")
            assert typ == "OK", data
        finally:
            client.logout()
        found: list[set[str]] = []
        for item in data:
            if isinstance(item, bytes) and b"FLAGS (" in item:
                inner = item.split(b"FLAGS (", 1)[1].split(b")", 1)[0]
                found.append(set(inner.decode().split()) - {"\\Recent"})
        return found

    def set_unseen(self, folder: str = "INBOX") -> None:
        """Mark every mail unread again, as if Kefu had crashed before marking it."""
        client = self.client(folder)
        try:
            client.uid("STORE", "1:*", "-FLAGS", "(\\Seen)")
        finally:
            client.logout()


def _unprivileged(user: str) -> str:
    """Settings for running Dovecot as an ordinary user: every service as that user, no chroot
    (nor for anvil, see the configuration above)."""
    return f"""default_login_user = {user}
default_internal_user = {user}
service imap-login {{
  chroot =
}}
service auth {{
  user = {user}
}}
"""
