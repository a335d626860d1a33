"""Is the live generation what the registry says it should be?

The registry is the source of truth; a generation is derived from it. They disagree when a writer died
(or the disk filled) after registering documents but before `CURRENT` was renamed, when someone damaged
the generation's files, or when `CURRENT` was lost. Every ingest asks `index_health` and republishes
unless the answer is "ok"; `policykb status` and `/readyz` report it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from policykb.index.generation import GENERATIONS, current_manifest, damage_of, read_current
from policykb.index.registry import Registry

State = Literal["ok", "empty", "behind", "damaged", "missing"]


@dataclass
class IndexHealth:
    state: State  # empty: nothing ingested yet; behind: the registry holds more (or other) than is published
    detail: str
    generation: str | None

    @property
    def serving(self) -> bool:
        """Queries are answered from an intact generation (possibly one that is behind)."""
        return self.state in ("ok", "behind")

    def as_dict(self) -> dict:
        return asdict(self)


def index_health(registry: Registry, data_dir: Path, model_id: str, deep: bool = True) -> IndexHealth:
    """`deep` also checks every file against its checksum and the registry's content hash (seconds on a
    large index: ingest, repair and `status`); shallow compares data version, counts and file presence
    (cheap enough for every `/readyz`)."""
    name = read_current(data_dir)
    chunks = registry.counts()["chunks"]
    if name is None:
        root = data_dir / GENERATIONS
        if root.is_dir() and any(p.name.isdigit() for p in root.iterdir()):
            return IndexHealth("missing", "CURRENT is missing: no generation is live", None)
        if chunks:
            return IndexHealth("behind", f"no generation published yet for {chunks} registered chunks", None)
        return IndexHealth("empty", "nothing ingested yet", None)
    folder = data_dir / GENERATIONS / name
    damage = damage_of(folder) if deep else _missing_file(folder)
    if damage is not None:
        return IndexHealth("damaged", f"generation {name}: {damage}", name)
    manifest = current_manifest(data_dir) or {}
    if manifest.get("model") != model_id:
        return IndexHealth("behind", f"generation {name} was built with {manifest.get('model')}, not {model_id}", name)
    version = registry.data_version()
    if manifest.get("data_version") != version or manifest.get("chunks") != chunks:
        return IndexHealth(
            "behind",
            f"generation {name} holds {manifest.get('chunks')} chunks at data version {manifest.get('data_version')};"
            f" the registry holds {chunks} at version {version}",
            name,
        )
    if deep and manifest.get("content_hash") not in (None, registry.content_state()[1]):
        return IndexHealth("behind", f"generation {name} does not hold the registry's chunks", name)
    return IndexHealth("ok", f"generation {name} matches the registry ({chunks} chunks)", name)


def _missing_file(folder: Path) -> str | None:
    try:
        files = json.loads((folder / "manifest.json").read_text()).get("files") or {}
    except (OSError, ValueError):
        return "its manifest cannot be read"
    return next((f"{rel} is missing" for rel in files if not (folder / rel).is_file()), None)
