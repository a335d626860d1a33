"""Import layers: every import inside the package points down, so a back-edge fails CI.

floor (`policykb.core`) <- `ingest` <- `index` <- `qa` <- service (`policykb.service`) <- faces
(`api`, `ui`, `cli`, `integrations`). Faces reach the layers below only through the service and the floor;
the CLI may use the API's wire format (`policykb.api.schemas`) and start the API app; the API mounts the UI.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest

import policykb

PACKAGE = Path(policykb.__file__).resolve().parent
ROOT = PACKAGE.parent

LAYERS = ["core", "ingest", "index", "qa", "service", "faces"]
FACES = {"api", "ui", "cli", "integrations", "__main__"}  # `python -m policykb` is the command line
# Face-to-face edges that are part of the design, not shortcuts around the service.
FACE_EDGES = {("cli", "api"), ("api", "ui"), ("__main__", "cli")}


def _layer(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "policykb" or len(parts) == 1:
        return None
    return "faces" if parts[1] in FACES else parts[1]


def _modules() -> list[tuple[str, Path]]:
    found = []
    paths = [Path(d, f) for d, _, files in os.walk(PACKAGE, followlinks=True) for f in files if f.endswith(".py")]
    for path in sorted(paths):  # followlinks: the top-level folders are symlinked into the package
        rel = path.relative_to(PACKAGE).with_suffix("")
        parts = ["policykb", *rel.parts]
        if parts[-1] == "__init__":
            parts.pop()
        found.append((".".join(parts), path))
    return found


def _imports(module: str, path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            out.append((name, node.lineno))
    return out


def test_the_package_has_the_expected_layers() -> None:
    names = {m for m, _ in _modules()}
    for layer in ("core", "ingest", "index", "qa", "service", "api", "ui", "cli"):
        assert any(n == f"policykb.{layer}" or n.startswith(f"policykb.{layer}.") for n in names), layer


@pytest.mark.parametrize(("module", "path"), _modules(), ids=lambda v: v if isinstance(v, str) else "")
def test_imports_point_down(module: str, path: Path) -> None:
    here = _layer(module)
    for name, line in _imports(module, path):
        top = name.split(".")[0]
        assert top not in {"ingest", "index", "qa", "api", "ui"}, (
            f"{path.relative_to(ROOT)}:{line} imports `{name}`: import it as policykb.{name}"
        )
        there = _layer(name)
        if here is None or there is None or (there == here and here != "faces"):
            continue
        if here == "faces" and there == "faces":
            face, other = module.split(".")[1], name.split(".")[1]
            assert face == other or (face, other) in FACE_EDGES, (
                f"{path.relative_to(ROOT)}:{line}: face `{face}` imports face `{other}` ({name})"
            )
            continue
        if here == "faces":
            assert there in {"core", "service"}, (
                f"{path.relative_to(ROOT)}:{line}: a face imports `{name}`; faces call only the service"
            )
            continue
        assert LAYERS.index(there) < LAYERS.index(here), (
            f"{path.relative_to(ROOT)}:{line}: layer `{here}` imports `{name}` from the layer above it"
        )


def test_the_check_catches_a_back_edge(tmp_path: Path) -> None:
    """The walker itself: a floor module importing the index is reported."""
    bad = tmp_path / "bad.py"
    bad.write_text("from policykb.index.search import x\nfrom . import sibling\n")
    names = [n for n, _ in _imports("policykb.core.bad", bad)]
    assert names == ["policykb.index.search", "policykb.core"]
    assert LAYERS.index(_layer("policykb.index.search") or "") > LAYERS.index(_layer("policykb.core.bad") or "")
