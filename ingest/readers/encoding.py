"""Bytes to text: the charset is detected, never assumed; binary bytes are refused."""

from __future__ import annotations

import re

from charset_normalizer import from_bytes

from policykb.core.errors import IngestError
from policykb.ingest.clean import scrub

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def decode(data: bytes) -> str:
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise IngestError("binary content in a text file")
    best = from_bytes(data).best()
    if best is None:
        raise IngestError("binary content in a text file (no text encoding fits)")
    text = str(best)
    if len(_CONTROL.findall(text[:8192])) > 0.05 * max(1, len(text[:8192])):
        raise IngestError("binary content in a text file")
    return scrub(_CONTROL.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")))
