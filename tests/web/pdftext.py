"""The text of a PDF written by reportlab, for assertions (no PDF library needed).

reportlab writes page content as ASCII85- and Flate-encoded streams whose text operators
take literal strings: ``(Arrests) Tj``. We decode the streams and join those strings.
"""

from __future__ import annotations

import base64
import contextlib
import re
import zlib

STREAM = re.compile(rb"stream\r?\n(.*?)\s*endstream", re.S)
LITERAL = re.compile(rb"\((.*?)(?<!\\)\)")
ESCAPE = re.compile(rb"\\([0-7]{1,3}|.)", re.S)


def _unescape(raw: bytes) -> str:
    def one(match: re.Match[bytes]) -> bytes:
        code = match.group(1)
        if code.isdigit():
            return bytes([int(code, 8)])
        return {b"n": b"\n", b"r": b"\r", b"t": b"\t"}.get(code, code)

    return ESCAPE.sub(one, raw).decode("cp1252", errors="replace")


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-")
    texts: list[str] = []
    for stream in STREAM.findall(data):
        content = stream.strip()
        if content.endswith(b"~>"):
            content = base64.a85decode(content[:-2], ignorechars=b" \t\n\r\v")
        with contextlib.suppress(zlib.error):
            content = zlib.decompress(content)
        if b"BT" in content and (b"Tj" in content or b"TJ" in content):  # text, not images
            texts.extend(_unescape(s) for s in LITERAL.findall(content))
    return " ".join(texts)
