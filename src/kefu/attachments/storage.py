"""Where uploaded files live: content-addressed by SHA-256 under their shop, on local disk.

An upload is first received into a temporary file next to the store, counting and hashing as
it goes; only a file that passed every check is moved into place (an atomic rename), so a
refused or interrupted upload never leaves a file behind. ``FileStore`` is the interface an
object store (S3 and the like) would implement later.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

import anyio.to_thread

from kefu.shared.errors import TooLarge

HEAD_BYTES = 64
_KEY = re.compile(r"^\d+/[0-9a-f]{2}/[0-9a-f]{64}$")


@dataclass(frozen=True, slots=True)
class Received:
    """An upload on local disk, not yet kept: its temporary path, size, digest and first bytes."""

    path: Path
    size: int
    sha256: str
    head: bytes


class FileStore(Protocol):
    async def receive(self, chunks: AsyncIterator[bytes], *, max_bytes: int) -> Received: ...
    async def keep(self, received: Received, *, shop_id: int) -> str: ...
    async def discard(self, received: Received) -> None: ...
    def local_path(self, key: str) -> Path: ...


class LocalFileStore:
    """Files under ``root`` (created on first upload): ``<shop id>/<aa>/<sha256>``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._incoming = root / "tmp"

    async def receive(self, chunks: AsyncIterator[bytes], *, max_bytes: int) -> Received:
        """Write ``chunks`` to a temporary file; raises ``TooLarge`` (and deletes it) as soon as
        more than ``max_bytes`` arrive."""
        handle = await anyio.to_thread.run_sync(self._temporary_file)
        path = Path(handle.name)
        digest, size, head = hashlib.sha256(), 0, b""
        try:
            with handle:
                async for chunk in chunks:
                    size += len(chunk)
                    if size > max_bytes:
                        raise TooLarge(
                            f"the file is larger than {max_bytes} bytes",
                            details={"max_bytes": max_bytes},
                        )
                    if len(head) < HEAD_BYTES:
                        head += chunk[: HEAD_BYTES - len(head)]
                    digest.update(chunk)
                    await anyio.to_thread.run_sync(handle.write, chunk)
        except BaseException:
            _remove(path)  # no await here: this also runs when the upload is cancelled
            raise
        return Received(path=path, size=size, sha256=digest.hexdigest(), head=head)

    async def keep(self, received: Received, *, shop_id: int) -> str:
        """Move a checked upload into place and return its key; the same bytes uploaded twice
        in a shop are stored once."""
        key = f"{shop_id}/{received.sha256[:2]}/{received.sha256}"
        target = self.local_path(key)

        def move() -> None:
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists():
                received.path.unlink()
            else:
                os.replace(received.path, target)

        await anyio.to_thread.run_sync(move)
        return key

    async def discard(self, received: Received) -> None:
        await anyio.to_thread.run_sync(_remove, received.path)

    def _temporary_file(self) -> IO[bytes]:
        self._incoming.mkdir(parents=True, exist_ok=True)
        return tempfile.NamedTemporaryFile(dir=self._incoming, prefix="up-", delete=False)

    def local_path(self, key: str) -> Path:
        """The file of ``key``; keys come from the database, but never let one leave the root."""
        if not _KEY.match(key):
            raise ValueError(f"not a storage key: {key!r}")
        return self.root / key


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()
