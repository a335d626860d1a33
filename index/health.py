"""Is the live generation what the registry says it should be?

The registry is the source of truth; a generation is derived from it. They disagree when a writer died
(or the disk filled) after registering documents but before `CURRENT` was renamed, when someone damaged
the generation's files, or when `CURRENT` was lost. Every ingest asks `index_health` and republishes
unless the answer is "ok"; `policykb status` and `/readyz` report it.
"""

from __future__ import annotations

from pathlib import Path

from policykb.index.generation import GENERATIONS, current_manifest, damage_of, published_before, read_current
from policykb.index.registry import Registry
from policykb.index.storage.base import IndexHealth


def index_health(registry: Registry, data_dir: Path, model_id: str, deep: bool = True) -> IndexHealth:
    """`deep` also checks every file against its checksum (seconds on a large index: ingest, repair and
    `status`); shallow checks file presence (cheap enough for every `/readyz`). Both compare the chunk
    count and content hash the generation was built from with the registry's."""
    name = read_current(data_dir)
    chunks, content_hash = registry.content_state()
    if name is None:
        if published_before(data_dir):
            return IndexHealth("missing", "CURRENT is missing: no generation is live", None)
        if chunks:
            return IndexHealth("behind", f"no generation published yet for {chunks} registered chunks", None)
        return IndexHealth("empty", "nothing ingested yet", None)
    damage = damage_of(data_dir / GENERATIONS / name, deep=deep)
    if damage is not None:
        return IndexHealth("damaged", f"generation {name}: {damage}", name)
    manifest = current_manifest(data_dir) or {}
    if manifest.get("model") != model_id:
        return IndexHealth("behind", f"generation {name} was built with {manifest.get('model')}, not {model_id}", name)
    if manifest.get("chunks") != chunks or manifest.get("content_hash") not in (None, content_hash):
        return IndexHealth(
            "behind", f"generation {name} holds {manifest.get('chunks')} chunks; the registry holds {chunks}"
            + ("" if manifest.get("chunks") != chunks else " of other content"), name
        )  # fmt: skip
    return IndexHealth("ok", f"generation {name} matches the registry ({chunks} chunks)", name)
