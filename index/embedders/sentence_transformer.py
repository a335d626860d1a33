"""The torch runtime: a sentence-transformers model from a local folder, on CUDA when there is one."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from policykb.index.embedders.base import QueryCache
from policykb.index.embedders.models import FolderTokenizer, dimension

GPU_BATCH_SIZE = 256  # a GPU is only busy with wide batches; 200-token texts at 256 use well under 1 GiB


class SentenceTransformerEmbedder:
    """The tokenizer loads at once (the chunker needs it), torch and the model on the first embedding."""

    def __init__(
        self, model_id: str, path: Path, batch_size: int = 32, query_prefix: str = "", passage_prefix: str = ""
    ):
        self.model_id = model_id
        self.path = path
        self.batch_size = batch_size
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        self._tokenizer = FolderTokenizer(path)
        self.max_tokens = self._tokenizer.max_length - 2
        self.dim = dimension(path)
        self.device = "cpu"
        self._model: Any = None
        self._lock = threading.Lock()
        self._queries = QueryCache()

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return self._tokenizer.count_tokens(texts)

    @property
    def model(self) -> Any:
        with self._lock:
            if self._model is None:
                import torch
                from sentence_transformers import SentenceTransformer

                if torch.cuda.is_available():
                    self.device = "cuda"
                    self.batch_size = max(self.batch_size, GPU_BATCH_SIZE)
                self._model = SentenceTransformer(str(self.path), device=self.device, local_files_only=True)
            return self._model

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self.model
        vectors = model.encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True
        )
        return np.asarray(vectors, dtype=np.float32)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode([self.passage_prefix + t for t in texts])

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._queries.get(texts, lambda todo: self._encode([self.query_prefix + t for t in todo]), self.dim)
