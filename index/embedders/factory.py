"""The embedder that settings name, one per process and configuration (a model loads once)."""

from __future__ import annotations

import threading
from pathlib import Path

from policykb.core.settings import Settings
from policykb.index.embedders.base import Embedder, HashEmbedder
from policykb.index.embedders.models import minilm_path, mpnet_path

_EMBEDDERS: dict[tuple[str, str, int, Path], Embedder] = {}
_EMBEDDERS_LOCK = threading.Lock()

NAMES = {"minilm": "all-MiniLM-L6-v2", "mpnet": "all-mpnet-base-v2"}


def models_dir(settings: Settings) -> Path:
    return Path(settings.models_dir or Path(settings.data_dir) / "models")


def get_embedder(settings: Settings) -> Embedder:
    key = (settings.embedder, settings.embedder_runtime, settings.embed_batch_size, models_dir(settings))
    with _EMBEDDERS_LOCK:
        if key not in _EMBEDDERS:
            _EMBEDDERS[key] = _make(settings)
        return _EMBEDDERS[key]


def _make(settings: Settings) -> Embedder:
    if settings.embedder == "hash":
        return HashEmbedder()
    if settings.embedder == "e5":
        from policykb.index.embedders.e5 import E5Embedder

        return E5Embedder()
    if settings.embedder not in NAMES:
        raise ValueError(f"unknown embedder {settings.embedder!r}")
    name = NAMES[settings.embedder]
    path = minilm_path() if settings.embedder == "minilm" else mpnet_path(models_dir(settings))
    if settings.embedder_runtime == "torch":
        from policykb.index.embedders.sentence_transformer import SentenceTransformerEmbedder

        return SentenceTransformerEmbedder(name, path, settings.embed_batch_size)
    from policykb.index.embedders.onnx_runtime import OnnxEmbedder

    quantized = settings.embedder_runtime == "onnx-int8"
    return OnnxEmbedder(name, path, models_dir(settings) / "onnx", quantized, settings.embed_batch_size)
