"""Telling what an upload really is from its bytes, and making its name safe to show."""

from __future__ import annotations

import io

import pytest

from kefu.attachments import sniff
from tests.attachments import files


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (files.png(), sniff.PNG),
        (files.JPEG, sniff.JPEG),
        (files.GIF, sniff.GIF),
        (files.WEBP, sniff.WEBP),
        (files.PDF, sniff.PDF),
    ],
)
def test_images_and_pdf_are_known_by_their_bytes_whatever_their_name(
    data: bytes, expected: str
) -> None:
    for name in ("photo.png", "scan.pdf", "noextension", "a.txt"):
        assert sniff.candidate_type(data[:64], name) == expected


@pytest.mark.parametrize("data", [files.SVG, files.HTML, files.EXE, b"\x00\x01binary"])
def test_markup_and_programs_are_refused_even_when_named_like_images(data: bytes) -> None:
    for name in ("cute.png", "cute.jpg", "cute.gif", "cute.pdf", "cute.docx"):
        assert sniff.candidate_type(data[:64], name) is None


def test_text_needs_its_extension_and_plain_utf8_content() -> None:
    assert sniff.candidate_type(b"order 123", "note.txt") == sniff.TEXT
    assert sniff.candidate_type(b"order 123", "note.html") is None
    assert sniff.text_is_plain(io.BytesIO("订单号 123\r\n\tthanks\n".encode()))
    assert sniff.text_is_plain(io.BytesIO("\ufeffwith a BOM".encode()))
    assert not sniff.text_is_plain(io.BytesIO(files.HTML))
    assert not sniff.text_is_plain(io.BytesIO(b"  <svg onload=alert(1)>"))
    assert not sniff.text_is_plain(io.BytesIO(b"nul\x00inside"))
    assert not sniff.text_is_plain(io.BytesIO(b"\xff\xfe not utf-8"))
    # A multi-byte character split across read chunks is still fine.
    assert sniff.text_is_plain(io.BytesIO(("好" * 10).encode()), chunk_size=2)


def test_office_documents_need_extension_structure_and_no_macros() -> None:
    docx, xlsx = files.office("word/"), files.office("xl/")
    assert sniff.candidate_type(docx[:64], "报价.docx") == sniff.DOCX
    assert sniff.candidate_type(xlsx[:64], "orders.xlsx") == sniff.XLSX
    assert sniff.candidate_type(docx[:64], "archive.zip") is None
    assert sniff.office_document_is(io.BytesIO(docx), sniff.DOCX)
    assert not sniff.office_document_is(io.BytesIO(docx), sniff.XLSX)
    macro = files.office("word/", {"word/vbaProject.bin": b"macro"})
    assert not sniff.office_document_is(io.BytesIO(macro), sniff.DOCX)
    assert not sniff.office_document_is(io.BytesIO(b"PK\x03\x04broken"), sniff.DOCX)


@pytest.mark.parametrize(
    ("raw", "content_type", "expected"),
    [
        ("C:\\Users\\me\\照片.png", sniff.PNG, "照片.png"),
        ("../../etc/passwd", sniff.TEXT, "passwd.txt"),
        ('evil<script>"x".pdf', sniff.PDF, "evil_script__x_.pdf"),
        ("photo", sniff.JPEG, "photo.jpg"),
        ("scan.PDF", sniff.PDF, "scan.pdf"),
        ("", sniff.PNG, "file.png"),
        (".hidden.txt", sniff.TEXT, "hidden.txt"),
        ("a\x00b\nc.txt", sniff.TEXT, "a_b_c.txt"),
        ("x" * 300 + ".docx", sniff.DOCX, "x" * 95 + ".docx"),
    ],
)
def test_names_lose_paths_and_control_characters_and_fit_their_type(
    raw: str, content_type: str, expected: str
) -> None:
    assert sniff.safe_name(raw, content_type) == expected
