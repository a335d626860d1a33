"""From paths on disk to documents and chunks: discovery, metadata overrides, parsing, chunking.

Pure functions over files; the registry-aware orchestration (gates, duplicates, pruning) lives in
`index.updater`, which calls these.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policykb.core.errors import IngestError
from policykb.core.types import DOC_TYPES, Chunk, Document
from policykb.ingest import metadata
from policykb.ingest.chunker import Chunker
from policykb.ingest.limits import ParseLimits, bounded
from policykb.ingest.readers import SUPPORTED_EXTENSIONS, format_of, parse

PARSER_VERSION = "32"
MANIFEST = "manifest.json"
SIDECAR_SUFFIX = ".meta.json"
OVERRIDABLE = {
    "title",
    "doc_type",
    "date",
    "organisations",
    "language",
    "source",
    "url",
    "meeting",
    "agenda_item",
    "source_url",
}


@dataclass
class SourceFile:
    path: Path  # absolute, symlinks resolved
    source: str  # display path: relative to the ingested root


@dataclass
class Failure:
    path: str
    error: str


def discover(paths: list[Path], roots: Sequence[Path] = ()) -> Iterator[SourceFile | Failure]:
    """Files under `paths` (recursively, following symlinks once); loops and odd entries become Failures.
    A source is named relative to the path given, or to the one of `roots` that holds it (a watched folder
    names a file in it the same way whether the folder or the file was ingested)."""
    bases = [r.resolve() for r in roots]
    for given in paths:
        if not given.exists():
            if given.is_symlink():
                yield Failure(str(given), "broken symbolic link")
            else:
                yield Failure(str(given), "no such file or directory")
            continue
        root = given.resolve()
        base = next((b for b in bases if root.is_relative_to(b)), None)
        if root.is_file():
            if not _is_metadata_file(root):
                yield SourceFile(root, str(root.relative_to(base)) if base else given.name)
            continue
        yield from _walk(root, base or root, {_dir_key(root)})


def _walk(directory: Path, root: Path, ancestors: set[tuple[int, int]]) -> Iterator[SourceFile | Failure]:
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError as exc:
        yield Failure(str(directory), f"cannot read directory: {exc.strerror or exc}")
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = Path(entry.path)
        try:
            if entry.is_dir(follow_symlinks=True):
                key = _dir_key(path)
                if key in ancestors:
                    yield Failure(str(path), "symbolic link loop: the link points back into a folder above it")
                    continue
                yield from _walk(path, root, ancestors | {key})
            elif entry.is_file(follow_symlinks=True):
                if not _is_metadata_file(path):
                    yield SourceFile(path.resolve(), str(path.relative_to(root)))
            elif entry.is_symlink():
                yield Failure(str(path), "broken symbolic link")
        except OSError as exc:  # ELOOP from a self-referencing link, permission errors, ...
            yield Failure(str(path), _os_reason(exc))


def _dir_key(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_dev, st.st_ino


def _is_metadata_file(path: Path) -> bool:
    return path.name == MANIFEST or path.name.endswith(SIDECAR_SUFFIX)


def _os_reason(exc: OSError) -> str:
    if exc.errno == 40:
        return "symbolic link loop"
    if isinstance(exc, PermissionError):
        return "permission denied: the file is not readable"
    return f"cannot read: {exc.strerror or exc}"


def check_file(path: Path, max_bytes: int) -> os.stat_result:
    """Cheap checks before any read: supported type, size limit."""
    if format_of(path) is None:
        raise IngestError(
            f"unsupported file type '{path.suffix or path.name}' (supported: {', '.join(SUPPORTED_EXTENSIONS)})"
        )
    st = path.stat()
    if st.st_size > max_bytes:
        raise IngestError(f"file too large: {st.st_size / 1e6:.1f} MB is over the {max_bytes / 1e6:.0f} MB limit")
    return st


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except PermissionError as exc:
        raise IngestError("permission denied: the file is not readable") from exc
    except OSError as exc:
        raise IngestError(_os_reason(exc)) from exc


def overrides_for(path: Path) -> dict[str, Any]:
    """Metadata set by hand: the folder's manifest.json, then the file's sidecar (which wins)."""
    merged: dict[str, Any] = {}
    manifest = path.parent / MANIFEST
    if manifest.exists():
        data = _load_json(manifest)
        entries = data.get("documents", data) if isinstance(data, dict) else None
        if not isinstance(entries, dict):
            raise IngestError(f"{manifest}: expected an object mapping file names to metadata")
        entry = entries.get(path.name, {})
        merged.update(_validated(entry, manifest))
    for sidecar in (path.with_name(path.name + SIDECAR_SUFFIX), path.with_name(path.stem + SIDECAR_SUFFIX)):
        if sidecar.exists():
            merged.update(_validated(_load_json(sidecar), sidecar))
            break
    return merged


def _load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IngestError(f"invalid metadata file {path.name}: {exc}") from exc


def _validated(entry: Any, origin: Path) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise IngestError(f"{origin.name}: metadata must be an object")
    unknown = set(entry) - OVERRIDABLE
    if unknown:
        raise IngestError(
            f"{origin.name}: unknown metadata field(s) {sorted(unknown)} (allowed: {sorted(OVERRIDABLE)})"
        )
    out = dict(entry)
    if "doc_type" in out and out["doc_type"] not in DOC_TYPES:
        raise IngestError(f"{origin.name}: doc_type {out['doc_type']!r} is not one of {', '.join(DOC_TYPES)}")
    if "date" in out and out["date"] is not None:
        date = metadata.normalise_date(str(out["date"]))
        if date is None:
            raise IngestError(f"{origin.name}: date {out['date']!r} is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)")
        out["date"] = date
    if "organisations" in out:
        orgs = out["organisations"]
        out["organisations"] = [orgs] if isinstance(orgs, str) else list(orgs)
    return out


def overrides_hash(overrides: dict[str, Any]) -> str:
    return hashlib.sha1(json.dumps(overrides, sort_keys=True).encode()).hexdigest()[:16]


def doc_id_for(path: Path) -> str:
    """Stable for a source path: the same file keeps its id across updates."""
    return hashlib.sha1(str(path).encode("utf-8")).hexdigest()[:16]


def build_document(
    source_file: SourceFile,
    data: bytes,
    sha256: str,
    overrides: dict[str, Any],
    chunker: Chunker,
    parse_limits: ParseLimits | None = None,
    doc_id: str | None = None,
) -> tuple[Document, list[Chunk], list[str]]:
    """Parse, describe and chunk one file. Returns the document, its chunks and the metadata reasons (why this
    doc_type, why this date). `doc_id`: the id the document already has (a moved file keeps its own)."""
    path = source_file.path
    with bounded(parse_limits or ParseLimits()):
        parsed = parse(path, data)
    title = overrides.get("title") or metadata.extract_title(parsed, path.stem)
    if "doc_type" in overrides:
        doc_type, reasons = overrides["doc_type"], ["set in metadata file"]
    else:
        doc_type, reasons = metadata.classify(title, parsed.text)
    organisations = overrides.get("organisations") or metadata.extract_organisations(parsed.text)
    if "date" in overrides:
        date, date_reason = overrides["date"], "date: set in metadata file"
    else:
        date, date_reason = metadata.extract_date(parsed, title)
    meeting, agenda_item = metadata.extract_meeting(title, parsed.text)
    meeting, agenda_item = overrides.get("meeting", meeting), overrides.get("agenda_item", agenda_item)
    doc_id = doc_id or doc_id_for(path)
    document = Document(
        doc_id=doc_id,
        source=overrides.get("source") or source_file.source,
        path=str(path),
        title=title,
        doc_type=doc_type,
        date=date,
        organisations=organisations,
        language=overrides.get("language") or metadata.detect_language(parsed.text),
        pages=len(parsed.page_starts) or None,
        sha256=sha256,
        format=format_of(path) or "unknown",
        text=parsed.text,
        page_starts=parsed.page_starts,
        page_labels=parsed.page_labels,
        url=overrides.get("url") or parsed.url,
        meeting=meeting,
        agenda_item=agenda_item,
        source_url=overrides.get("source_url"),
    )
    chunks = chunker.chunk(doc_id, parsed.text, parsed.blocks, parsed.page_starts)
    if not chunks:
        raise IngestError("no text found in the file")
    return document, chunks, [*reasons, date_reason]
