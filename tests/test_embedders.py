"""Embedder runtimes: ONNX vectors match torch's, the export is cached by the weights' hash and reused,
each runtime names its vectors, query vectors are cached, and ingest batches cover every text once."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from policykb.core.settings import Settings
from policykb.index.embedders import (
    HashEmbedder,
    OnnxEmbedder,
    QueryCache,
    SentenceTransformerEmbedder,
    minilm_path,
    onnx_export,
)
from policykb.index.embedders.batching import LengthBatches
from policykb.index.embedders.factory import get_embedder
from policykb.index.storage.factory import open_storage
from policykb.index.updater import Updater

TEXTS = [
    "Hand hygiene is the single most important measure to prevent health care-associated infections.",
    "Intermittent preventive treatment of malaria in pregnancy with sulfadoxine-pyrimethamine.",
    "Patient organisations should be involved in the design of health technology assessments.",
    "How are infection prevention and control programmes organised at national level?",
]


# ------------------------------------------------------------------------------------------ query cache


class CountingEmbedder(HashEmbedder):
    def __init__(self) -> None:
        self.calls: list[list[str]] = []
        self.cache = QueryCache(maxsize=2)

    def embed_queries(self, texts):  # type: ignore[no-untyped-def]
        return self.cache.get(texts, self._count, self.dim)

    def _count(self, texts: list[str]) -> np.ndarray:
        self.calls.append(texts)
        return self._embed(texts)


def test_a_repeated_query_skips_the_model() -> None:
    embedder = CountingEmbedder()
    first = embedder.embed_queries(["malaria", "hand hygiene"])
    again = embedder.embed_queries(["hand hygiene", "malaria", "hand hygiene"])
    assert embedder.calls == [["malaria", "hand hygiene"]]
    np.testing.assert_array_equal(again, first[[1, 0, 1]])
    np.testing.assert_array_equal(first, HashEmbedder().embed_queries(["malaria", "hand hygiene"]))


def test_the_query_cache_forgets_the_least_recently_used_and_hands_out_copies() -> None:
    embedder = CountingEmbedder()
    embedder.embed_queries(["a b", "c d"])
    embedder.embed_queries(["a b"])  # "c d" is now the oldest
    embedder.embed_queries(["e f"])
    assert len(embedder.cache) == 2
    embedder.embed_queries(["a b"])
    embedder.embed_queries(["c d"])
    assert embedder.calls == [["a b", "c d"], ["e f"], ["c d"]]
    vector = embedder.embed_queries(["c d"])
    vector[:] = 0
    assert np.linalg.norm(embedder.embed_queries(["c d"])) > 0.99


# ------------------------------------------------------------------------------------- runtimes' ids


def test_each_runtime_names_its_vectors_so_a_switch_re_embeds(tmp_path: Path) -> None:
    ids = set()
    versions = set()
    for runtime in ("torch", "onnx", "onnx-int8"):
        settings = Settings(data_dir=tmp_path / runtime, embedder="minilm", embedder_runtime=runtime)
        embedder = get_embedder(settings)  # builds no session and loads no model
        ids.add(embedder.model_id)
        updater = Updater(open_storage(settings), embedder, 200, 32, 1 << 20)
        versions.add(updater.versions)
    assert len(ids) == 3
    assert len(versions) == 3
    assert "all-MiniLM-L6-v2" in ids  # the torch runtime keeps the id that existing indexes were built with


# ------------------------------------------------------------------------------------------ export cache


@pytest.fixture
def fake_export(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    calls = {"export": 0, "fuse": 0, "quantize": 0}

    def export(path: Path, target: Path) -> None:
        calls["export"] += 1
        target.write_bytes(b"fp32 " + (path / "model.safetensors").read_bytes())

    def fuse(path: Path, model: Path) -> None:
        calls["fuse"] += 1

    def quantize(source: Path, target: Path) -> None:
        calls["quantize"] += 1
        target.write_bytes(b"int8 " + source.read_bytes())

    monkeypatch.setattr(onnx_export, "_export", export)
    monkeypatch.setattr(onnx_export, "_fuse", fuse)
    monkeypatch.setattr(onnx_export, "_quantize", quantize)
    return calls


def model_folder(tmp_path: Path, weights: bytes) -> Path:
    folder = tmp_path / "model"
    folder.mkdir(exist_ok=True)
    (folder / "model.safetensors").write_bytes(weights)
    return folder


def test_the_cache_key_follows_the_weights_hash(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    folder = model_folder(tmp_path, b"weights one")
    first = onnx_export.cache_key(folder, cache)
    assert onnx_export.cache_key(folder, cache) == first
    (folder / "model.safetensors").write_bytes(b"weights two")
    os.utime(folder / "model.safetensors", ns=(1, 1))
    second = onnx_export.cache_key(folder, cache)
    assert second != first
    (folder / "model.safetensors").write_bytes(b"weights one")
    assert onnx_export.cache_key(folder, cache) == first  # same bytes, same key, whatever the file's date


def test_the_export_is_reused_not_redone(tmp_path: Path, fake_export: dict[str, int]) -> None:
    cache = tmp_path / "cache"
    folder = model_folder(tmp_path, b"weights")
    fp32 = onnx_export.onnx_model(folder, cache, quantized=False)
    int8 = onnx_export.onnx_model(folder, cache, quantized=True)
    assert onnx_export.onnx_model(folder, cache, quantized=True) == int8
    assert onnx_export.onnx_model(folder, cache, quantized=False) == fp32
    assert fake_export == {"export": 1, "fuse": 1, "quantize": 1}
    assert int8.read_bytes() == b"int8 fp32 weights"
    assert not [p for p in fp32.parent.iterdir() if p.name.endswith(".tmp")]


def test_concurrent_first_uses_export_once(tmp_path: Path, fake_export: dict[str, int]) -> None:
    cache = tmp_path / "cache"
    folder = model_folder(tmp_path, b"weights")
    results: list[Path] = []
    threads = [
        threading.Thread(target=lambda: results.append(onnx_export.onnx_model(folder, cache, True))) for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 1
    assert fake_export == {"export": 1, "fuse": 1, "quantize": 1}


# ----------------------------------------------------------------------------------- length batches


items = st.lists(st.tuples(st.text("abc", min_size=1, max_size=6), st.text("xy ", max_size=60)), max_size=80)


@given(st.lists(items, max_size=5), st.integers(min_value=1, max_value=9))
def test_length_batches_hand_out_every_text_once(rounds: list[list[tuple[str, str]]], size: int) -> None:
    def count(texts):  # type: ignore[no-untyped-def]
        return [len(t) for t in texts]

    batches = LengthBatches(count, size, width=4)
    out: list[tuple[str, str]] = []
    first_text: dict[str, str] = {}
    for round_items in rounds:
        for sha, text in round_items:
            first_text.setdefault(sha, text)
        batches.add(round_items)
        for batch in batches.full():
            assert len(batch) == size
            lengths = [len(text) for _, text in batch]
            assert max(lengths) // 4 == min(lengths) // 4  # one bucket: little padding
            out += batch
    for batch in batches.rest():
        assert 0 < len(batch) <= size
        out += batch
    assert sorted(sha for sha, _ in out) == sorted(first_text)
    assert len(batches) == 0


# ------------------------------------------------------------------------------------ the real model


@pytest.fixture(scope="session")
def torch_vectors() -> np.ndarray:
    return SentenceTransformerEmbedder("all-MiniLM-L6-v2", minilm_path()).embed_passages(TEXTS)


@pytest.mark.model
@pytest.mark.parametrize(("quantized", "floor"), [(False, 0.99999), (True, 0.98)])
def test_onnx_vectors_match_torch(models_dir: Path, torch_vectors: np.ndarray, quantized: bool, floor: float) -> None:
    embedder = OnnxEmbedder("all-MiniLM-L6-v2", minilm_path(), models_dir / "onnx", quantized)
    vectors = embedder.embed_passages(TEXTS)
    cosines = (vectors * torch_vectors).sum(axis=1)
    assert cosines.min() > floor, cosines
    # Batched with padding or one by one: the same vectors in fp32; int8 embeds one text per call (its
    # activations' scale is per batch), so a text's vector never depends on what is embedded beside it.
    alone = np.vstack([embedder.embed_passages([t]) for t in TEXTS])
    if quantized:
        assert np.array_equal(alone, vectors)
    else:
        assert (alone * vectors).sum(axis=1).min() > 0.99999
    assert embedder.count_tokens(TEXTS) == SentenceTransformerEmbedder("m", minilm_path()).count_tokens(TEXTS)


@pytest.mark.model
def test_the_served_graph_is_fused_and_reproduces_the_exported_one(models_dir: Path) -> None:
    import onnx

    fp32 = onnx_export.onnx_model(minilm_path(), models_dir / "onnx", quantized=False)
    int8 = onnx_export.onnx_model(minilm_path(), models_dir / "onnx", quantized=True)
    kernels = {node.op_type for node in onnx.load(str(fp32), load_external_data=False).graph.node}
    assert {"Attention", "SkipLayerNormalization", "BiasGelu"} <= kernels  # one kernel per attention block
    assert onnx_export._same_vectors(fp32, fp32)
    assert not onnx_export._same_vectors(fp32, int8)  # the check can fail: int8 is 0.98-0.99 away


def test_int8_vectors_are_named_by_the_quantisation_recipe() -> None:
    embedder = OnnxEmbedder("all-MiniLM-L6-v2", minilm_path(), Path("unused"), quantized=True)
    assert embedder.model_id == f"all-MiniLM-L6-v2+onnx-int8-r{onnx_export.RECIPE}"
    assert OnnxEmbedder("all-MiniLM-L6-v2", minilm_path(), Path("unused")).model_id == "all-MiniLM-L6-v2+onnx-fp32"


@pytest.mark.model
def test_int8_stays_on_the_cpu_and_says_so_when_a_gpu_is_there(
    models_dir: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import onnxruntime

    monkeypatch.setattr(
        onnxruntime, "get_available_providers", lambda: ["CUDAExecutionProvider", "CPUExecutionProvider"]
    )
    embedder = OnnxEmbedder("all-MiniLM-L6-v2", minilm_path(), models_dir / "onnx", quantized=True)
    with caplog.at_level("WARNING"):
        assert embedder.session.get_providers() == ["CPUExecutionProvider"]
    assert embedder.device == "cpu"
    assert "POLICYKB_EMBEDDER_RUNTIME=onnx" in caplog.text


@pytest.mark.model
def test_a_graph_the_optimizer_cannot_read_is_served_unfused(
    models_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from onnxruntime.transformers import optimizer

    def fail(*args: object, **kwargs: object) -> None:
        raise ValueError("unknown attention pattern")

    exported = tmp_path / "model.onnx"
    exported.write_bytes(onnx_export.onnx_model(minilm_path(), models_dir / "onnx", quantized=False).read_bytes())
    before = exported.read_bytes()
    monkeypatch.setattr(optimizer, "optimize_model", fail)
    with caplog.at_level("WARNING"):
        onnx_export._fuse(minilm_path(), exported)
    assert exported.read_bytes() == before
    assert "served unfused" in caplog.text
