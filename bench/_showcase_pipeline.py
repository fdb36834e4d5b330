"""Experiment 1 of bench/showcase.py: an ingestion-like pipeline run by
threads, by processes (fork and spawn) and, on Python >= 3.13, by
subinterpreters (bench/_showcase_subinterp.py).

A document is a float64 array. Ingesting it: cut it into chunks of D values,
normalise each chunk, project the chunks with a (D, K) matrix, score each
projected chunk with a loss (cross-entropy against the document's topic),
reduce the chunks to one K-vector weighted by softmax(-score), and append
that vector to the index. The gilfree pipeline calls gilfree's kernels
(norm, cross_entropy, softmax); the NumPy one writes the same formulas in
NumPy. The projection is a BLAS matrix product in both, held to one thread.

Each variant runs in a child process of its own (``python
bench/_showcase_pipeline.py VARIANT ...``), so the peak memory that the
parent samples (RSS of the child's whole process tree, psutil) belongs to
that variant alone. The child times the job twice: cold (pool created inside
the timing, as a one-shot ingestion job pays it) and warm (the same pool
again).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

D, K = 256, 256  # chunk length, projected width (= number of topics)
VARIANTS = ("threads+gilfree", "threads+numpy", "processes+gilfree (fork)", "processes+gilfree (spawn)")
# Worker processes and BLAS: one compute thread each, so no variant oversubscribes
# the cores; OpenBLAS's idle threads sleep at once instead of spinning.
CHILD_ENV = {
    "GILFREE_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "OPENBLAS_THREAD_TIMEOUT": "4",
    "OMP_WAIT_POLICY": "PASSIVE",
}

_W = None  # the projection matrix, set in each worker process by _init


def make_model(seed: int = 0):
    import numpy as np

    return np.random.default_rng(seed).normal(size=(D, K)) / np.sqrt(D)


def make_docs(n_docs: int, doc_len: int, seed: int = 1):
    import numpy as np

    rng = np.random.default_rng(seed)
    return [rng.normal(size=doc_len) for _ in range(n_docs)]


def ingest_gilfree(i: int, doc, W=None):
    import gilfree

    W = _W if W is None else W
    chunks = doc.reshape(-1, D)
    x = chunks / gilfree.norm(chunks, axis=1, keepdims=True)
    p = x @ W
    topic = topics(i, len(p))
    score = gilfree.cross_entropy(p, topic, reduction="none")
    w = gilfree.softmax(-score)
    return w @ p


def ingest_numpy(i: int, doc, W=None):
    import numpy as np

    W = _W if W is None else W
    chunks = doc.reshape(-1, D)
    x = chunks / np.linalg.norm(chunks, axis=1, keepdims=True)
    p = x @ W
    topic = topics(i, len(p))
    m = p.max(axis=1, keepdims=True)
    lse = np.log(np.exp(p - m).sum(axis=1)) + m[:, 0]
    score = lse - p[np.arange(len(p)), topic]
    e = np.exp(-score - (-score).max())
    return (e / e.sum()) @ p


def topics(i: int, rows: int):
    import numpy as np

    return np.full(rows, i % K, dtype=np.int64)


def _init(W) -> None:
    global _W
    _W = W


def _one_thread(fn):
    """fn run with gilfree on one compute thread in the calling thread (the
    workers, not gilfree's pool, give the parallelism in every variant)."""

    def run(i, doc):
        import gilfree

        with gilfree.threads(1):
            return fn(i, doc)

    return run


def run_job(variant: str, docs, W, workers: int) -> dict:
    """Seconds for the cold and the warm job, and the index's checksum."""
    import multiprocessing as mp

    import numpy as np

    def job(pool, fn) -> tuple[float, list]:
        t0 = time.perf_counter()
        index = list(pool.map(fn, range(len(docs)), docs))  # results in order: append to the index
        return time.perf_counter() - t0, index

    if variant.startswith("threads"):
        fn = ingest_gilfree if variant.endswith("gilfree") else ingest_numpy
        fn = _one_thread(lambda i, d, fn=fn: fn(i, d, W))
        t0 = time.perf_counter()
        with ThreadPoolExecutor(workers) as pool:
            start = time.perf_counter() - t0
            cold, index = job(pool, fn)
            warm, _ = job(pool, fn)
    else:
        ctx = mp.get_context("fork" if "fork" in variant else "spawn")
        t0 = time.perf_counter()
        with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init, initargs=(W,)) as pool:
            start = time.perf_counter() - t0
            cold, index = job(pool, ingest_gilfree)
            warm, _ = job(pool, ingest_gilfree)
    cold += start
    emb = np.asarray(index)
    return {"cold_s": cold, "warm_s": warm, "checksum": float(np.abs(emb).sum()), "index_shape": emb.shape}


class TreeMemory:
    """Peak memory of a process and all its descendants, sampled every
    `period` seconds on a thread: the sum of RSS (what `ps` shows; pages
    shared after fork() counted in every process) and of PSS (shared pages
    split between their sharers), in MiB."""

    def __init__(self, pid: int, period: float = 0.02) -> None:
        import psutil

        self.proc = psutil.Process(pid)
        self.period = period
        self.peak_rss = self.peak_pss = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        import psutil

        rss = pss = 0
        try:
            procs = [self.proc, *self.proc.children(recursive=True)]
        except psutil.Error:
            return
        for p in procs:
            try:
                info = p.memory_full_info()
            except psutil.Error:
                continue
            rss += info.rss
            pss += getattr(info, "pss", info.rss)
        self.peak_rss = max(self.peak_rss, rss / 2**20)
        self.peak_pss = max(self.peak_pss, pss / 2**20)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.period)

    def stop(self) -> dict[str, float]:
        self._stop.set()
        self._thread.join()
        return {"peak_rss_mib": self.peak_rss, "peak_pss_mib": self.peak_pss}


def run_measured(cmd: list[str], env: dict | None = None, timeout: float = 600) -> dict:
    """Runs `cmd` (which prints one JSON object last), sampling its process
    tree's memory; the JSON with the peaks added."""
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **(env or {})}
    )
    mem = TreeMemory(proc.pid)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    peaks = mem.stop()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:3])} failed ({proc.returncode}):\n{err[-2000:]}")
    return {**json.loads(out.strip().splitlines()[-1]), **peaks}


def run_variant(variant: str, n_docs: int, doc_len: int, workers: int) -> dict:
    """One variant in a child process: throughput (docs/s, cold and warm) and
    peak memory of its process tree."""
    cmd = [sys.executable, __file__, variant, str(n_docs), str(doc_len), str(workers)]
    r = run_measured(cmd, env=CHILD_ENV)
    return {
        "variant": variant,
        "docs": n_docs,
        "doc_len": doc_len,
        "workers": workers,
        "docs_per_s": n_docs / r["cold_s"],
        "docs_per_s_warm": n_docs / r["warm_s"],
        **r,
    }


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="one variant of the showcase's ingestion pipeline")
    p.add_argument("variant", choices=VARIANTS)
    p.add_argument("n_docs", type=int)
    p.add_argument("doc_len", type=int)
    p.add_argument("workers", type=int)
    a = p.parse_args(argv)
    if a.doc_len % D:
        p.error(f"doc_len must be a multiple of {D}, got {a.doc_len}")
    import gilfree  # noqa: F401  (imported before the clock runs, as by a service)

    docs, W = make_docs(a.n_docs, a.doc_len), make_model()
    print(json.dumps(run_job(a.variant, docs, W, a.workers)))


if __name__ == "__main__":
    main()
