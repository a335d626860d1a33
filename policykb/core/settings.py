"""The one settings object. Every knob is read from `POLICYKB_*` environment variables (or `.env`)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

EmbedderName = Literal["minilm", "mpnet", "e5", "hash"]
EmbedderRuntime = Literal["torch", "onnx", "onnx-int8"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="POLICYKB_", env_file=".env", extra="ignore")

    data_dir: Path = Path("data")
    corpus_dirs: list[Path] = Field(default_factory=lambda: [Path("corpus")])

    # Ingestion
    max_file_mb: float = 200.0
    chunk_tokens: int = 200
    chunk_overlap_tokens: int = 32

    # Embeddings and index
    embedder: EmbedderName = "minilm"
    # minilm and mpnet: torch (sentence-transformers) or ONNX Runtime, fp32 or int8; vectors are kept per runtime
    embedder_runtime: EmbedderRuntime = "onnx"
    models_dir: Path | None = None  # exported and unpacked models; default <data_dir>/models
    embed_batch_size: int = 32
    exact_search_max_chunks: int = 200_000
    ivf_nprobe: int = 32
    search_threads: int = 1
    candidates: int = 50
    fusion: Literal["score", "rrf"] = "score"
    dense_weight: float = 0.4
    rrf_k: int = 60
    keep_generations: int = 2

    # Question answering
    answerer: Literal["extractive", "openai"] = "extractive"
    answer_passages: int = 8
    llm_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = None
    llm_timeout: float = 60.0

    # Service
    host: str = "127.0.0.1"
    port: int = 8000
    admin_keys: list[str] = Field(default_factory=list)
    reader_keys: list[str] = Field(default_factory=list)
    require_key_for_read: bool = False
    cors_origins: list[str] = Field(default_factory=list)
    max_upload_mb: float = 50.0


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
