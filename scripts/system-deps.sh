#!/usr/bin/env bash
# OS libraries Kefu itself needs at run time, installed from the OS packages when missing:
# Pango (WeasyPrint renders the PDF reports with it) and a CJK font so Chinese text in those
# reports is not drawn as empty boxes; HarfBuzz's subsetter for fast PDFs; poppler's tools
# for the tests that read the PDFs back. Used by `make install`; does nothing when all are there.
set -euo pipefail

missing=()
ldconfig -p | grep -q 'libpango-1.0.so' || missing+=(libpango-1.0-0)
ldconfig -p | grep -q 'libpangoft2-1.0.so' || missing+=(libpangoft2-1.0-0)
# Without HarfBuzz's subsetter WeasyPrint falls back to a pure-Python one: 25 s for a page.
ldconfig -p | grep -q 'libharfbuzz-subset.so' || missing+=(libharfbuzz-subset0)
# pdfinfo/pdftotext: the report tests read the PDFs they make back.
command -v pdftotext >/dev/null || missing+=(poppler-utils)
fc-list :lang=zh 2>/dev/null | grep -q . || missing+=(fonts-noto-cjk)
command -v fc-list >/dev/null || missing+=(fontconfig)
[ ${#missing[@]} = 0 ] && exit 0

echo "system-deps: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
$sudo apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
