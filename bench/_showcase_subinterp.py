"""Experiment 1's subinterpreter arm, run by Python >= 3.13 (not by gilfree's
interpreter): the ingestion pipeline of bench/_showcase_pipeline.py written
in pure Python (lists of floats: what a subinterpreter can run when NumPy
and gilfree cannot load there), run

* sequentially in one interpreter,
* on N threads of one interpreter (one GIL), and
* on N subinterpreters with their own GIL, each on a thread of its own,

and the import of NumPy (when installed) tried inside a subinterpreter. It
needs only the standard library: ``_interpreters`` (3.13) or
``concurrent.interpreters`` (3.14+). Prints one JSON object.

    python3.13 bench/_showcase_subinterp.py N_DOCS DOC_LEN WORKERS [EXT_DIR]

EXT_DIR holds the showcase's Cython module (bench/showcase_ext) compiled for
this interpreter: built like gilfree's own modules (Cython's defaults), its
import in a subinterpreter is tried too.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time

D, K = 256, 256  # as in bench/_showcase_pipeline.py

# The pipeline, as source: it runs in the main interpreter and in each subinterpreter.
PIPELINE = """
import math, random

def make_model(seed=0):
    r = random.Random(seed)
    s = 1 / math.sqrt(D)
    return [[r.gauss(0, 1) * s for _ in range(K)] for _ in range(D)]

def make_doc(i, doc_len, seed=1):
    r = random.Random(seed * 1_000_003 + i)
    return [r.gauss(0, 1) for _ in range(doc_len)]

def ingest(i, doc, W):
    topic = i % K
    projected, scores = [], []
    for c in range(0, len(doc), D):
        chunk = doc[c:c + D]
        inv = 1 / math.sqrt(sum(v * v for v in chunk))
        p = [0.0] * K
        for v, row in zip(chunk, W):
            v *= inv
            p = [a + v * w for a, w in zip(p, row)]
        m = max(p)
        lse = m + math.log(sum(math.exp(a - m) for a in p))
        projected.append(p)
        scores.append(lse - p[topic])
    top = max(-s for s in scores)
    e = [math.exp(-s - top) for s in scores]
    tot = sum(e)
    return [sum(e[j] / tot * projected[j][k] for j in range(len(e))) for k in range(K)]

def run(first, count, doc_len):
    W = make_model()
    index = []
    for i in range(first, first + count):
        index.append(ingest(i, make_doc(i, doc_len), W))
    return sum(abs(v) for row in index for v in row)
"""


class Interp:
    """create / exec / close over 3.13's ``_interpreters`` or 3.14's
    ``concurrent.interpreters``."""

    def __init__(self) -> None:
        try:
            from concurrent import interpreters

            self._i, self._low = interpreters.create(), None
        except ImportError:
            import _interpreters

            self._i, self._low = _interpreters.create("isolated"), _interpreters

    def exec(self, code: str, **shared) -> None:
        if self._low is None:
            self._i.prepare_main(**shared)
            self._i.exec(code)
            return
        err = self._low.exec(self._i, code, shared)
        if err is not None:
            raise RuntimeError(f"{err.type.__name__}: {err.msg}")

    def close(self) -> None:
        if self._low is None:
            self._i.close()
        else:
            self._low.destroy(self._i)


def _parts(n_docs: int, workers: int) -> list[tuple[int, int]]:
    cuts = [n_docs * w // workers for w in range(workers + 1)]
    return [(lo, hi - lo) for lo, hi in zip(cuts[:-1], cuts[1:])]  # noqa: B905 (3.9-compatible: runs on any 3.13+)


def _on_threads(target, parts) -> None:
    ts = [threading.Thread(target=target, args=p) for p in parts]
    for t in ts:
        t.start()
    for t in ts:
        t.join()


def subinterpreters(n_docs: int, doc_len: int, workers: int) -> tuple[float, float]:
    """Seconds (interpreters created inside the timing) and the checksum."""
    r, w = os.pipe()
    code = f"D, K = {D}, {K}\n{PIPELINE}\nimport os\nos.write(fd, repr(run(first, count, doc_len)).encode() + b'\\n')"
    t0 = time.perf_counter()
    interps = [Interp() for _ in range(workers)]

    def one(k, first, count):
        interps[k].exec(code, fd=w, first=first, count=count, doc_len=doc_len)

    _on_threads(one, [(k, *p) for k, p in enumerate(_parts(n_docs, workers))])
    dt = time.perf_counter() - t0
    for i in interps:
        i.close()
    os.close(w)
    with os.fdopen(r) as f:
        total = sum(float(line) for line in f.read().split())
    return dt, total


def import_in_subinterpreter(module: str, path: str | None = None) -> str:
    """What happens when a subinterpreter imports `module` (found on `path`),
    which loads in the main interpreter."""
    if path:
        sys.path.insert(0, path)
    try:
        __import__(module)
    except ImportError as e:
        return f"skipped: {module} does not load in this interpreter either ({e})"
    i = Interp()
    try:
        i.exec(f"import sys; sys.path.insert(0, {path!r})\n" * bool(path) + f"import {module}")
        return "loaded"
    except Exception as e:  # the interpreter's ImportError, as text
        return f"refused: {e}"
    finally:
        i.close()


def main() -> None:
    n_docs, doc_len, workers = (int(a) for a in sys.argv[1:4])
    ns = {"D": D, "K": K}
    exec(PIPELINE, ns)
    t0 = time.perf_counter()
    seq = ns["run"](0, n_docs, doc_len)
    t_seq = time.perf_counter() - t0
    sums = []
    t0 = time.perf_counter()
    _on_threads(lambda first, count: sums.append(ns["run"](first, count, doc_len)), _parts(n_docs, workers))
    t_thr = time.perf_counter() - t0
    t_sub, sub = subinterpreters(n_docs, doc_len, workers)
    print(
        json.dumps(
            {
                "python": sys.version.split()[0],
                "sequential_s": t_seq,
                "threads_s": t_thr,
                "subinterpreters_s": t_sub,
                "same_result": abs(sub - seq) <= 1e-9 * abs(seq) and abs(sum(sums) - seq) <= 1e-9 * abs(seq),
                "numpy_in_subinterpreter": import_in_subinterpreter("numpy"),
                "cython_module_in_subinterpreter": (
                    import_in_subinterpreter("typed_loop", sys.argv[4])
                    if len(sys.argv) > 4
                    else "skipped: not built"
                ),
            }
        )
    )


if __name__ == "__main__":
    main()
