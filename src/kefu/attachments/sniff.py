"""What a file really is, from its bytes: the few types Kefu accepts, and safe file names.

The client's declared content type is never trusted. Images and PDF are told by their magic
bytes whatever they are called; office documents (zip containers) and plain text also need the
right extension, and their whole content is checked. Anything a browser could run as a page
(HTML, SVG, XML) is refused, so a file served back can never script the Kefu origin.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
import zipfile
from typing import IO

HEAD_BYTES = 64
MAX_NAME_CHARS = 100

JPEG, PNG, GIF, WEBP = "image/jpeg", "image/png", "image/gif", "image/webp"
PDF, TEXT = "application/pdf", "text/plain"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

EXTENSIONS = {
    JPEG: (".jpg", ".jpeg"),
    PNG: (".png",),
    GIF: (".gif",),
    WEBP: (".webp",),
    PDF: (".pdf",),
    TEXT: (".txt",),
    DOCX: (".docx",),
    XLSX: (".xlsx",),
    PPTX: (".pptx",),
}
# The folder every part of an office document of that type lives under.
_OFFICE_FOLDERS = {DOCX: "word/", XLSX: "xl/", PPTX: "ppt/"}
ALLOWED_TYPES = tuple(EXTENSIONS)

# Markup that a browser would render (text files are served as text, but refuse them anyway).
_MARKUP = re.compile(rb"<\s*(!doctype|html|script|svg|\?xml|iframe|body|head)\b", re.IGNORECASE)
_UNSAFE_NAME_CHARS = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')


def is_image(content_type: str) -> bool:
    return content_type in (JPEG, PNG, GIF, WEBP)


def _magic_type(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n") and head[12:16] == b"IHDR":
        return PNG
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"%PDF-"):
        return PDF
    return None


def extension(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""


def candidate_type(head: bytes, name: str) -> str | None:
    """The type the first bytes and the name point to, before the content check; None: refused."""
    found = _magic_type(head)
    if found is not None:
        return found
    ext = extension(name)
    if head.startswith(b"PK\x03\x04"):
        return next((t for t in (DOCX, XLSX, PPTX) if ext in EXTENSIONS[t]), None)
    if ext in EXTENSIONS[TEXT]:
        return TEXT
    return None


def office_document_is(file: IO[bytes], content_type: str) -> bool:
    """A genuine OOXML document of ``content_type``: a readable zip with the content-types part,
    its parts under the type's folder, and no macros."""
    try:
        with zipfile.ZipFile(file) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    folder = _OFFICE_FOLDERS[content_type]
    return (
        "[Content_Types].xml" in names
        and any(n.startswith(folder) for n in names)
        and not any(n.lower().endswith("vbaproject.bin") for n in names)
    )


def text_is_plain(file: IO[bytes], chunk_size: int = 64 * 1024) -> bool:
    """UTF-8 text without NUL or other control characters (tabs and line breaks allowed) that
    does not open like HTML or SVG (it is served as text in any case)."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    first = True
    while chunk := file.read(chunk_size):
        if first and _MARKUP.search(chunk[:4096]):
            return False
        first = False
        try:
            text = decoder.decode(chunk)
        except UnicodeDecodeError:
            return False
        if any(ord(ch) < 32 and ch not in "\t\n\r\f" for ch in text):
            return False
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def safe_name(raw: str, content_type: str) -> str:
    """A display and download name: the last path part of ``raw``, without control or path
    characters, at most ``MAX_NAME_CHARS``, with an extension that fits ``content_type``."""
    name = unicodedata.normalize("NFC", raw.replace("\\", "/").rsplit("/", 1)[-1])
    name = " ".join(_UNSAFE_NAME_CHARS.sub("_", name).split()).lstrip(".").strip()
    suffixes = EXTENSIONS[content_type]
    ext = extension(name)
    if ext not in suffixes:
        ext = suffixes[0]
        name = f"{name or 'file'}{ext}"
    stem = name[: len(name) - len(ext)] or "file"
    return stem[: MAX_NAME_CHARS - len(ext)] + ext
