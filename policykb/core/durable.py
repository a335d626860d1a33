"""Writes that survive a crash: a file is complete under its final name or absent, never half-written."""

from __future__ import annotations

import os
import uuid
from pathlib import Path


def fsync_dir(folder: Path) -> None:
    """Make a rename or a new file in `folder` durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(target: Path, data: bytes) -> None:
    """Write `data` to a hidden temporary beside `target`, fsync it, rename it over `target`, fsync the folder."""
    part = target.parent / f".part-{uuid.uuid4().hex}"
    try:
        with open(part, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(part, target)
    finally:
        part.unlink(missing_ok=True)
    fsync_dir(target.parent)
