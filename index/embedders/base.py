"""What every embedder offers, the hashing stand-in for tests, and the query-vector cache."""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np


class Embedder(Protocol):
    """`model_id` names the vectors: two embedders with the same id must give the same vectors (the registry
    keys cached embeddings by it, so a new id re-embeds). `batch_size` is how many texts one call embeds best."""

    model_id: str
    dim: int
    max_tokens: int
    batch_size: int

    def count_tokens(self, texts: Sequence[str]) -> list[int]: ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...


class HashEmbedder:
    """Deterministic bag-of-words hashing embedder: a fast stand-in for tests, no model needed."""

    model_id = "hash-256"
    dim = 256
    max_tokens = 512
    batch_size = 64

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


class QueryCache:
    """Least-recently-used query vectors: a repeated query (the UI's re-searches with other filters, paging,
    the answerer after the search) skips the model. Returned rows are copies, so callers cannot corrupt it."""

    def __init__(self, maxsize: int = 1024) -> None:
        self.maxsize = maxsize
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, texts: Sequence[str], embed: Callable[[list[str]], np.ndarray], dim: int) -> np.ndarray:
        out = np.zeros((len(texts), dim), dtype=np.float32)
        missing: dict[str, list[int]] = {}
        with self._lock:
            for row, text in enumerate(texts):
                vector = self._vectors.get(text)
                if vector is None:
                    missing.setdefault(text, []).append(row)
                else:
                    self._vectors.move_to_end(text)
                    out[row] = vector
        if missing:
            vectors = embed(list(missing))
            with self._lock:
                for (text, rows), vector in zip(missing.items(), vectors, strict=True):
                    out[rows] = vector
                    self._vectors[text] = vector.copy()
                    self._vectors.move_to_end(text)
                while len(self._vectors) > self.maxsize:
                    self._vectors.popitem(last=False)
        return out

    def __len__(self) -> int:
        return len(self._vectors)
