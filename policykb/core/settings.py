"""The one settings object. Every knob is read from `POLICYKB_*` environment variables (or `.env`).

Each field carries its description: `policykb settings` and the README's configuration table are made
from them. Invalid values become one `ConfigError` line naming the variable and the expected form.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from policykb.core.errors import ConfigError

EmbedderName = Literal["minilm", "mpnet", "e5", "hash"]
ENV_PREFIX = "POLICYKB_"

# Lists read from the environment accept a JSON list or a comma-separated value: `a,b` == `["a","b"]`.
StrList = Annotated[list[str], NoDecode]
PathList = Annotated[list[Path], NoDecode]
EmbedderRuntime = Literal["torch", "onnx", "onnx-int8"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_file=".env", extra="ignore")

    data_dir: Path = Field(Path("data"), description="registry, index generations, uploaded originals")
    corpus_dirs: PathList = Field(
        default_factory=lambda: [Path("corpus")], description="folders that re-scans (API, Admin tab) ingest"
    )
    database_url: str | None = Field(
        None, description="unset: the embedded store under data_dir; a postgresql:// URL: a PostgreSQL database"
    )

    # Ingestion
    max_file_mb: float = Field(200.0, gt=0, description="larger files are refused with a clear error")
    chunk_tokens: int = Field(200, ge=16, description="chunk budget in the embedder's own tokens")
    chunk_overlap_tokens: int = Field(32, ge=0, description="overlap when a long block is cut between sentences")
    max_pages: int = Field(3000, ge=1, description="documents with more pages are refused with a per-file error")
    max_chars: int = Field(
        20_000_000, ge=1, description="documents whose extracted text is longer are refused with a per-file error"
    )
    watch: bool = Field(
        True, description="`policykb serve` watches corpus_dirs and ingests new, changed and deleted files"
    )
    watch_poll: bool = Field(
        False, description="watch by polling (network shares, where change notifications do not arrive)"
    )
    watch_debounce_s: float = Field(
        5.0, gt=0, description="quiet seconds before a watched change is ingested; a file must also keep its size"
    )
    fetch_timeout_s: float = Field(30.0, gt=0, description="seconds a link may take to connect and to send each part")
    fetch_allow_private: bool = Field(
        False, description="let links reach private, loopback and link-local addresses (off: only public hosts)"
    )
    parse_timeout_s: float = Field(
        300.0, gt=0, description="seconds one file may take to parse before it is refused with a per-file error"
    )

    # Embeddings and index
    embedder: EmbedderName = Field("minilm", description="embedding model: minilm, mpnet, e5 or hash (test fake)")
    embedder_runtime: EmbedderRuntime = Field(
        "onnx-int8",
        description="minilm and mpnet: torch, onnx (ONNX Runtime fp32) or onnx-int8 (int8 weights, the CPU default;"
        " on a GPU take onnx or torch); vectors kept per runtime",
    )
    models_dir: Path | None = Field(None, description="exported and unpacked models; default <data_dir>/models")
    embed_batch_size: int = Field(32, ge=1, description="texts per embedding batch")
    exact_search_max_chunks: int = Field(200_000, ge=1, description="exact FAISS inner product up to this size")
    ivf_nprobe: int = Field(32, ge=1, description="IVF lists visited per query")
    search_threads: int = Field(1, ge=1, description="FAISS threads per query")
    candidates: int = Field(50, ge=1, description="candidates taken from each half before fusion")
    fusion: Literal["score", "rrf"] = Field("score", description="score: weighted min-max sum; rrf: reciprocal rank")
    dense_weight: float = Field(0.4, ge=0, description="weight of the dense half (lexical weighs 1)")
    rrf_k: int = Field(60, ge=1, description="the RRF constant")
    rerank: bool = Field(True, description="re-order the best fused candidates with the fitted rerank model")
    keep_generations: int = Field(2, ge=1, description="index generations kept on disk")

    # Question answering
    answerer: Literal["extractive", "openai"] = Field(
        "extractive", description="extractive (no LLM) or openai (any OpenAI-compatible endpoint)"
    )
    answer_passages: int = Field(8, ge=1, description="passages retrieved for an answer")
    llm_url: str | None = Field(None, description="OpenAI-compatible endpoint, e.g. http://127.0.0.1:11434/v1")
    llm_model: str | None = Field(None, description="model name at the endpoint")
    llm_api_key: str | None = Field(None, description="key for the endpoint")
    llm_timeout: float = Field(60.0, gt=0, description="seconds before an LLM call fails")

    # Service
    host: str = Field("127.0.0.1", description="address `policykb serve` listens on")
    port: int = Field(8000, ge=1, le=65535, description="port `policykb serve` listens on")
    admin_keys: StrList = Field(default_factory=list, description="API keys of the admin role")
    reader_keys: StrList = Field(default_factory=list, description="API keys of the reader role")
    require_key_for_read: bool = Field(False, description="reads need a reader or admin key too")
    cors_origins: StrList = Field(default_factory=list, description="origins allowed to call the API from a browser")
    max_upload_mb: float = Field(50.0, gt=0, description="upload size limit")
    max_request_mb: float = Field(
        110.0, gt=0, description="largest upload request body (all files); larger ones are refused before reading"
    )
    max_json_kb: int = Field(4096, ge=1, description="largest body of any other request, refused before reading")
    key_failures_per_minute: int = Field(
        10, ge=1, description="wrong API keys one client may send per minute before it gets 429"
    )

    @field_validator("corpus_dirs", "admin_keys", "reader_keys", "cors_origins", mode="before")
    @classmethod
    def _list_from_env(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        text = value.strip()
        if text.startswith("["):
            try:
                return json.loads(text)
            except json.JSONDecodeError as exc:
                raise ValueError(f"not a JSON list ({exc.msg})") from None
        return [part.strip() for part in text.split(",") if part.strip()]


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment (and `overrides`), or one ConfigError line naming the variable."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = str(error["loc"][0]) if error.get("loc") else "?"
            field = Settings.model_fields.get(name)
            expected = f" ({field.description})" if field and field.description else ""
            problems.append(f"{ENV_PREFIX}{name.upper()}: {error['msg']}{expected}")
        raise ConfigError("invalid setting: " + "; ".join(problems)) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
