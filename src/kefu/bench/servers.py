"""Start and stop the servers a benchmark measures, as real processes on loopback."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(port: int, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with {process.returncode}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"server on port {port} did not become healthy in {timeout} s")


@contextlib.contextmanager
def running(args: list[str], *, port: int, env: dict[str, str], log: Path) -> Iterator[int]:
    """Run ``args`` until the block ends; yields the server's process id once it is healthy."""
    with log.open("wb") as out:
        process = subprocess.Popen(args, env={**os.environ, **env}, stdout=out, stderr=out)
        try:
            wait_healthy(port, process)
            yield process.pid
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def kefu_server_args(port: int) -> list[str]:
    kefu = Path(sys.executable).with_name("kefu")
    return [str(kefu), "serve", "--port", str(port)]


def bare_server_args(url: str, port: int) -> list[str]:
    return [sys.executable, "-m", "kefu.bench.bare", url, str(port)]
