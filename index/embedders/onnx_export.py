"""Export a sentence-transformers folder to ONNX once, offline, and keep it keyed by the weights' hash.

The graph is the whole sentence embedding (transformer, mean pooling over the attention mask, L2
normalisation), so the runtime only tokenizes and runs it. The transformer is traced with its plain
("eager") attention so ONNX Runtime's transformer optimizer can fuse each layer's attention, layer norms
and GELU into single kernels; the fused graph is kept only when it gives the unfused graph's vectors on a
probe batch. Exports are written to a temporary file and renamed, under a file lock: concurrent processes
never see half a model and export it only once.
"""

from __future__ import annotations

import fcntl
import hashlib
import inspect
import logging
import os
import tempfile
import warnings
from pathlib import Path
from typing import cast

# Bumped when the exported graph or the quantisation recipe changes: the cache key changes, and so does the
# int8 vectors' id (fp32 vectors stay equal to torch's whatever the recipe: tested to cosine > 0.99999).
RECIPE = "2"
OPSET = 17
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
log = logging.getLogger(__name__)


def weights_file(path: Path) -> Path:
    for name in WEIGHT_FILES:
        if (path / name).exists():
            return path / name
    raise FileNotFoundError(f"{path}: no model weights ({' or '.join(WEIGHT_FILES)})")


def weights_digest(path: Path, cache_dir: Path) -> str:
    """SHA-256 of the weights file, remembered per (path, size, mtime) so a start does not re-read 90 MB."""
    weights = weights_file(path)
    st = weights.stat()
    stamp = hashlib.sha1(f"{weights.resolve()}:{st.st_size}:{st.st_mtime_ns}".encode()).hexdigest()[:16]
    memo = cache_dir / "digests" / stamp
    try:
        return memo.read_text().strip()
    except OSError:
        pass
    digest = hashlib.sha256()
    with open(weights, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    _write_atomically(memo, digest.hexdigest().encode())
    return digest.hexdigest()


def cache_key(path: Path, cache_dir: Path) -> str:
    return f"{weights_digest(path, cache_dir)[:16]}-r{RECIPE}"


def onnx_model(path: Path, cache_dir: Path, quantized: bool) -> Path:
    """The cached ONNX file for the folder's weights (fp32 or int8), exported on first use."""
    folder = cache_dir / cache_key(path, cache_dir)
    fp32 = folder / "model.onnx"
    int8 = folder / "model-int8.onnx"
    target = int8 if quantized else fp32
    if target.exists():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "export.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not fp32.exists():  # traced and fused aside, so a crash between the two never leaves it unfused
                staged = folder / "model.traced.onnx"
                _export(path, staged)
                _fuse(path, staged)
                os.replace(staged, fp32)
            if quantized and not int8.exists():
                _quantize(fp32, int8)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return target


def _export(path: Path, target: Path) -> None:
    """TorchScript-based exporter (`dynamo=False`): it needs nothing beyond torch, while the dynamo exporter
    would need onnxscript. Traced with a padded batch so the attention-mask path is in the graph."""
    import torch
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(
        str(path), device="cpu", local_files_only=True, model_kwargs={"attn_implementation": "eager"}
    )
    transformer = cast(torch.nn.Module, model[0].auto_model).eval()
    takes_types = "token_type_ids" in inspect.signature(transformer.forward).parameters

    class SentenceEmbedding(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(
            self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor | None = None
        ) -> torch.Tensor:
            extra = {"token_type_ids": token_type_ids} if token_type_ids is not None else {}
            hidden = self.transformer(input_ids=input_ids, attention_mask=attention_mask, **extra).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1)

    ids = torch.full((2, 12), 1000, dtype=torch.long)
    mask = torch.ones_like(ids)
    mask[1, 7:] = 0
    inputs: tuple = (ids, mask, torch.zeros_like(ids)) if takes_types else (ids, mask)
    names = ["input_ids", "attention_mask", "token_type_ids"][: len(inputs)]
    axes = {name: {0: "batch", 1: "sequence"} for name in names} | {"embedding": {0: "batch"}}
    tmp = _temp_beside(target)
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer notes on shape branches that a padded trace fixes correctly
            torch.onnx.export(
                SentenceEmbedding().eval(), inputs, str(tmp), input_names=names, output_names=["embedding"],
                dynamic_axes=axes, opset_version=OPSET, dynamo=False,
            )  # fmt: skip
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _fuse(path: Path, model: Path) -> None:
    """Replace the exported graph by ONNX Runtime's fused one (attention, skip layer norm, bias GELU as single
    kernels: about 12 % less CPU per chunk for MiniLM) when it reproduces the exported graph's vectors."""
    import json

    from onnxruntime.transformers import optimizer

    config = json.loads((path / "config.json").read_text())
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fused = optimizer.optimize_model(
                str(model), model_type="bert", num_heads=int(config["num_attention_heads"]),
                hidden_size=int(config["hidden_size"]),
            )  # fmt: skip
    except Exception as exc:  # an optimisation, never a requirement: a graph it cannot read is served unfused
        log.warning("%s: served unfused (ONNX Runtime's optimizer failed: %s)", path.name, exc)
        return
    tmp = _temp_beside(model)
    try:
        fused.save_model_to_file(str(tmp))
        if _same_vectors(model, tmp):
            os.replace(tmp, model)
    finally:
        tmp.unlink(missing_ok=True)


def _same_vectors(reference: Path, candidate: Path) -> bool:
    """Both graphs embed a padded probe batch to cosine > 0.99999, row by row."""
    import numpy as np
    import onnxruntime as ort

    rng = np.random.default_rng(0)
    ids = rng.integers(1000, 20000, size=(3, 40), dtype=np.int64)
    mask = np.ones_like(ids)
    mask[1, 25:] = 0
    mask[2, 9:] = 0
    feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
    outputs = []
    for graph in (reference, candidate):
        session = ort.InferenceSession(str(graph), providers=["CPUExecutionProvider"])
        outputs.append(session.run(None, {i.name: feeds[i.name] for i in session.get_inputs()})[0])
    return bool(((outputs[0] * outputs[1]).sum(axis=1) > 0.99999).all())


def _quantize(source: Path, target: Path) -> None:
    """Dynamic int8 quantisation, per output channel (per tensor loses up to 0.09 cosine on short texts). The
    default tensor type covers the fused kernels' outputs, which ONNX shape inference cannot type."""
    from onnx import TensorProto
    from onnxruntime.quantization import QuantType, quantize_dynamic

    tmp = _temp_beside(target)
    advice = _Silence("pre-processing before quantization")  # advice for static quantisation, not this
    logging.getLogger().addFilter(advice)
    try:
        quantize_dynamic(
            str(source), str(tmp), weight_type=QuantType.QInt8, per_channel=True,
            extra_options={"DefaultTensorType": TensorProto.FLOAT},
        )  # fmt: skip
        os.replace(tmp, target)
    finally:
        logging.getLogger().removeFilter(advice)
        tmp.unlink(missing_ok=True)


class _Silence(logging.Filter):
    def __init__(self, words: str) -> None:
        super().__init__()
        self.words = words

    def filter(self, record: logging.LogRecord) -> bool:
        return self.words not in record.getMessage()


def _temp_beside(target: Path) -> Path:
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    os.chmod(name, 0o644)  # readable by a service running as another user than the one who exported
    return Path(name)


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_beside(path)
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
