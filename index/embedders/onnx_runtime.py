"""The ONNX Runtime embedder: the same model, tokenizer and pooling as the torch runtime, without torch.

Queries import only onnxruntime and tokenizers; torch loads once, for the first export of a model.
The vectors' id names the runtime and precision, so switching runtime re-embeds what was stored.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from policykb.index.embedders.base import QueryCache
from policykb.index.embedders.models import FolderTokenizer, dimension, is_mean_pooled_and_normalised
from policykb.index.embedders.onnx_export import RECIPE, onnx_model
from policykb.index.embedders.sentence_transformer import GPU_BATCH_SIZE

CUDA = "CUDAExecutionProvider"
log = logging.getLogger(__name__)


class OnnxEmbedder:
    def __init__(self, name: str, path: Path, cache_dir: Path, quantized: bool = False, batch_size: int = 32) -> None:
        if not is_mean_pooled_and_normalised(path):
            raise ValueError(f"{name}: the ONNX runtime needs a mean-pooled, normalised sentence-transformers model")
        self.model_id = f"{name}+onnx-int8-r{RECIPE}" if quantized else f"{name}+onnx-fp32"
        self.path = path
        self.cache_dir = cache_dir
        self.quantized = quantized
        self.batch_size = batch_size
        self._tokenizer = FolderTokenizer(path)
        self.max_tokens = self._tokenizer.max_length - 2
        self.dim = dimension(path)
        self.device = "cpu"
        self._session: Any = None
        self._inputs: list[str] = []
        self._lock = threading.Lock()
        self._queries = QueryCache()

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return self._tokenizer.count_tokens(texts)

    @property
    def session(self) -> Any:
        with self._lock:
            if self._session is None:
                import onnxruntime as ort

                model = onnx_model(self.path, self.cache_dir, self.quantized)
                providers = ["CPUExecutionProvider"]
                if CUDA in ort.get_available_providers() and self.quantized:
                    log.warning(
                        "a GPU is available but int8 kernels run on the CPU: POLICYKB_EMBEDDER_RUNTIME=onnx uses it"
                    )
                elif CUDA in ort.get_available_providers():
                    providers.insert(0, CUDA)
                    self.device = "cuda"
                    self.batch_size = max(self.batch_size, GPU_BATCH_SIZE)
                options = ort.SessionOptions()
                options.log_severity_level = 3
                self._session = ort.InferenceSession(str(model), options, providers=providers)
                self._inputs = [i.name for i in self._session.get_inputs()]
            return self._session

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        """Batches of similar length: texts are sorted by token count so little compute goes to padding.

        int8 runs one text per call: its dynamic quantisation scales a batch's activations as a whole, so a
        text's vector would move with its batch-mates, and a rebuild (whose batches follow the parser's
        timing) would not reproduce the index. On the CPU one text per call is as fast (160-173 against
        161-162 chunks/s for batches of 32, 300 WHO chunks)."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        session = self.session
        encodings = self._tokenizer.encode(texts)
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        size = 1 if self.quantized else self.batch_size
        for start in range(0, len(order), size):
            rows = order[start : start + size]
            feeds = self._tokenizer.pad([encodings[i] for i in rows])
            out[rows] = session.run(None, {name: feeds[name] for name in self._inputs})[0]
        return out

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._queries.get(texts, self._embed, self.dim)
