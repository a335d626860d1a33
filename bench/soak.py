"""`make soak`: the real-process reliability run. Nothing accepted may be lost.

1. Crash at every ingest stage: for each stage a child ingest SIGKILLs itself there (`tests.faults`);
   a plain `policykb ingest` must then bring the index back to "ok" with every document findable.
2. A served instance under load: 20 clients on 127.0.0.1 search, ask and list for SOAK_SECONDS (120)
   while an admin uploads documents and starts re-scans, and the server is killed (SIGKILL, or SIGTERM
   every other time) and restarted in the middle of ingests.
3. Every upload and re-scan the server accepted (202) must end as a searchable document.

Prints requests, errors, faults injected, faults recovered and documents lost (must be 0); exits 1 when
anything was lost or not recovered. Uses the hashing embedder unless SOAK_EMBEDDER names another.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

from bench.common import ROOT, write_result
from tests.faults import STAGES, make_corpus, marker

CLIENTS = 20
ADMIN = {"X-API-Key": "soak-admin"}
PY = sys.executable


class Tally:
    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.error_samples: list[str] = []

    def add(self, key: str, sample: str = "") -> None:
        with self.lock:
            self.counts[key] += 1
            if sample and key in ("errors", "not recovered", "fault not injected") and len(self.error_samples) < 10:
                self.error_samples.append(sample)


def _env(data: Path, corpus: Path) -> dict[str, str]:
    return {**os.environ, "POLICYKB_DATA_DIR": str(data), "POLICYKB_CORPUS_DIRS": str(corpus),
            "POLICYKB_EMBEDDER": os.environ.get("SOAK_EMBEDDER", "hash"), "POLICYKB_ADMIN_KEYS": "soak-admin",
            "PYTHONPATH": str(ROOT)}  # fmt: skip


CHECK = """
import json, sys
from pathlib import Path
from policykb.service.knowledge_base import KnowledgeBase
from tests.faults import marker
kb = KnowledgeBase()
names, folders = json.loads(sys.argv[1]), json.loads(sys.argv[2])
failed = kb.ingest([Path(f) for f in folders]).failed if folders else []
missing = [n for n in names if not any(
    h.source.endswith(n + ".txt") for h in kb.search(f'"{marker(n)}"', k=3).results)]
print(json.dumps({"missing": missing, "index": kb.status().index, "failed": failed}))
"""


def _check(env: dict[str, str], names: list[str], ingest_first: list[Path] | None = None) -> dict:
    """In a fresh process: optionally ingest (the rerun after a crash), then which documents their unique
    marker phrase does not find, and the index state. A failing check counts every document as missing."""
    folders = json.dumps([str(f) for f in ingest_first or []])
    run = subprocess.run([PY, "-c", CHECK, json.dumps(names), folders], env=env, cwd=ROOT, capture_output=True,
                         text=True)  # fmt: skip
    if run.returncode != 0:
        return {"missing": names, "index": f"check failed: {run.stderr.strip()[-300:]}", "failed": []}
    return json.loads(run.stdout.strip().splitlines()[-1])


def _write_doc(folder: Path, name: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    body = " ".join(f"Line {j} of {name} on patient involvement and access to medicines." for j in range(30))
    (folder / f"{name}.txt").write_text(f"{name} title\n\n{body} {marker(name)}.\n")


# ------------------------------------------------------------------------------------------------ phase 1


def crash_every_stage(work: Path, tally: Tally) -> None:
    corpus, data = work / "stages-corpus", work / "stages-data"
    env = _env(data, corpus)
    names: list[str] = []
    for round_no, stage in enumerate(STAGES):
        for i in range(6):
            names.append(f"r{round_no}-doc{i}")
            _write_doc(corpus, names[-1])
        child = subprocess.run([PY, "-m", "tests.faults", stage, str(data), str(corpus)], env=env, cwd=ROOT,
                               capture_output=True, text=True)  # fmt: skip
        if child.returncode != -signal.SIGKILL:
            tally.add("fault not injected", f"{stage}: exit {child.returncode} {child.stderr[-200:]}")
            continue
        tally.add("faults injected")
        result = _check(env, names, ingest_first=[corpus])
        missing = result["missing"]
        tally.counts["documents accepted"] += 6
        if result["index"] == "ok" and not missing and not result["failed"]:
            tally.add("faults recovered")
        else:
            tally.counts["documents lost"] += len(missing)
            tally.add("not recovered", f"{stage}: index {result['index']}, missing {missing[:3]}")
        print(f"  kill -9 at {stage:17s} -> rerun: index {result['index']}, "
              f"{len(names) - len(missing)}/{len(names)} documents findable", flush=True)  # fmt: skip


# ------------------------------------------------------------------------------------------------ phase 2


class Server:
    def __init__(self, env: dict[str, str], port: int, log: Path) -> None:
        self.env, self.port, self.log = env, port, log
        self.proc: subprocess.Popen[bytes] | None = None
        self.up = threading.Event()

    def start(self) -> None:
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(
                [PY, "-m", "policykb.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
                env=self.env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=1).status_code == 200:
                    self.up.set()
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError(f"the server did not start; see {self.log}")

    def stop(self, sig: int) -> None:
        self.up.clear()
        assert self.proc is not None
        self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _client_loop(base: str, server: Server, stop: threading.Event, tally: Tally, seed: int) -> None:
    rng = random.Random(seed)
    queries = ["patient involvement", "access to medicines", '"sentence 3"', "policy", "vaccine equity"]
    with httpx.Client(base_url=base, timeout=30) as http:
        while not stop.is_set():
            if not server.up.is_set():
                time.sleep(0.1)
                continue
            pick = rng.random()
            try:
                if pick < 0.6:
                    r = http.post("/v1/search", json={"query": rng.choice(queries), "k": 5})
                elif pick < 0.8:
                    r = http.post("/v1/ask", json={"question": "What do patients ask for?"})
                else:
                    r = http.get("/v1/documents", params={"limit": 20})
            except httpx.HTTPError as exc:
                tally.add("refused while restarting" if not server.up.is_set() else "errors", repr(exc)[:200])
                continue
            tally.add("requests")
            if r.status_code >= 500 and server.up.is_set():
                # 503 while the index is being rebuilt after a kill is an honest answer, not a failure
                tally.add("unavailable (503)" if r.status_code == 503 else "errors", f"{r.status_code} {r.text[:200]}")


def serve_under_load(work: Path, seconds: float, tally: Tally) -> None:
    corpus, data = work / "served-corpus", work / "served-data"
    make_corpus(corpus, 40)
    env = _env(data, corpus)
    first = subprocess.run([PY, "-m", "policykb.cli", "ingest", str(corpus)], env=env, cwd=ROOT, capture_output=True)
    if first.returncode != 0:
        raise RuntimeError(f"the first ingest failed: {first.stderr.decode()[-300:]}")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    server = Server(env, port, work / "server.log")
    server.start()
    stop = threading.Event()
    clients = [threading.Thread(target=_client_loop, args=(base, server, stop, tally, i)) for i in range(CLIENTS)]
    for c in clients:
        c.start()
    accepted_jobs: list[str] = []
    uploaded: list[str] = []
    added: list[str] = []
    rng = random.Random(7)
    started = time.time()
    next_kill = started + seconds / 4
    kills = 0
    with httpx.Client(base_url=base, timeout=30, headers=ADMIN) as admin:
        while time.time() - started < seconds:
            n = len(uploaded) + len(added)
            try:
                if rng.random() < 0.7:
                    name = f"upload{n:04d}"
                    body = " ".join(f"Upload {name} line {j} on health policy." for j in range(40))
                    r = admin.post("/v1/documents", files={"files": (f"{name}.txt", f"{body} {marker(name)}.")})
                    if r.status_code == 202:
                        uploaded.append(name)
                        accepted_jobs.append(r.json()["id"])
                else:
                    for j in range(rng.randint(5, 25)):  # new corpus files, then a re-scan
                        added.append(f"added{n + j:04d}")
                        _write_doc(corpus, added[-1])
                    r = admin.post("/v1/reindex")
                    if r.status_code == 202:
                        accepted_jobs.append(r.json()["id"])
            except httpx.HTTPError:
                time.sleep(0.2)
            if time.time() >= next_kill:
                sig = signal.SIGKILL if kills % 2 == 0 else signal.SIGTERM
                server.stop(sig)
                tally.add("faults injected")
                kills += 1
                print(f"  {signal.Signals(sig).name} to the server at {time.time() - started:5.1f} s "
                      f"({len(accepted_jobs)} jobs accepted so far)", flush=True)  # fmt: skip
                server.start()
                next_kill = time.time() + seconds / 4
            time.sleep(rng.uniform(0.2, 1.0))
        stop.set()
        for c in clients:
            c.join()
        unfinished = _wait_for_jobs(admin, accepted_jobs)
    server.stop(signal.SIGTERM)
    initial = [f"doc{i:03d}" for i in range(40)]
    missing = _check(env, initial + uploaded + added)["missing"] if not unfinished else uploaded + added
    tally.counts["documents accepted"] += len(initial) + len(uploaded) + len(added)
    tally.counts["documents lost"] += len(missing)
    tally.counts["jobs accepted"] += len(accepted_jobs)
    tally.counts["jobs not finished"] += len(unfinished)
    if not missing and not unfinished:
        tally.counts["faults recovered"] += kills
    print(f"  {len(uploaded)} uploads and {len(added)} corpus files accepted, {len(missing)} not findable, "
          f"{len(unfinished)} jobs unfinished", flush=True)  # fmt: skip


def _wait_for_jobs(admin: httpx.Client, job_ids: list[str], timeout: float = 600) -> list[str]:
    deadline = time.time() + timeout
    pending = list(job_ids)
    while pending and time.time() < deadline:
        still = []
        for job_id in pending:
            r = admin.get(f"/v1/jobs/{job_id}")
            if r.status_code != 200 or r.json()["status"] in ("queued", "running", "cancelling"):
                still.append(job_id)
            elif r.json()["status"] != "done":
                print(f"  job {job_id} ended {r.json()['status']}: {r.json()['error']}", flush=True)
        pending = still
        if pending:
            time.sleep(1)
    return pending


def main() -> int:
    seconds = float(os.environ.get("SOAK_SECONDS", "120"))
    work = Path(tempfile.mkdtemp(prefix="policykb-soak-"))
    tally = Tally()
    started = time.time()
    try:
        print(f"soak: kill -9 at each of {len(STAGES)} ingest stages", flush=True)
        crash_every_stage(work, tally)
        print(f"soak: {CLIENTS} clients for {seconds:g} s with uploads, re-scans and server kills", flush=True)
        serve_under_load(work, seconds, tally)
    finally:
        keep = os.environ.get("SOAK_KEEP")
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    c = tally.counts
    figures = {k: c[k] for k in ("requests", "errors", "unavailable (503)", "refused while restarting",
                                 "faults injected", "faults recovered", "documents accepted", "documents lost",
                                 "jobs accepted", "jobs not finished", "fault not injected", "not recovered")}  # fmt: skip
    figures["seconds"] = round(time.time() - started, 1)
    for key, value in figures.items():
        print(f"{key:26s} {value}")
    for sample in tally.error_samples:
        print(f"  sample: {sample}")
    write_result("soak", figures)
    ok = c["documents lost"] == 0 and c["faults recovered"] == c["faults injected"] and not c["jobs not finished"]
    return 0 if ok and not c["fault not injected"] and not c["not recovered"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
