"""Storage: where the updater writes and the searcher reads, behind small typed interfaces.

Shape. `base.py` holds the records and Protocols a backend implements; `embedded.py` is the default
backend (the SQLite registry in `index/registry.py` and the FAISS + tantivy generations in
`index/generation.py`); `factory.py` picks the backend from settings. The embedded backend's two halves
stay where they are rather than moving under a backend folder: they are the reference implementation,
other code (bench) reads their files directly, and a second backend is one more module beside
`embedded.py`, not a tree.

Why two sides. A backend is written to (`Catalog` plus `Storage.publish`) by `index.updater`, and read
from (`SnapshotSource` -> `SearchSnapshot`) by `index.search`. Readers only ever see a published
snapshot, whole; writers never block them. `ingest`, `qa` and the faces import neither side's
implementation: the service builds a backend with `open_storage(settings)`.

This package imports nothing at import time so that `index.search` can depend on `base` while
`embedded` depends on `index.search`'s lexical query building.
"""
