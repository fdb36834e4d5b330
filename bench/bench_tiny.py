"""Per-call cost on tiny inputs: gilfree's sync call, `await gilfree.aio.X`, numba
(serial `@njit`, bench/_peers.py) and the NumPy expression, n = 10, 100, 1000
(2-D cases: n x 10), plus entering and leaving `with gilfree.threads(2):`.

    python bench/bench_tiny.py            # 11 rounds
    python bench/bench_tiny.py --quick    # 3 rounds, a smoke test

Every candidate runs `k` calls back to back per sample (the awaits inside one
running event loop, so a sample is k awaits, not k loop starts), all
candidates of a case in alternation (bench/_timing.py's `interleaved`); the
figure is the best sample / k. numba and NumPy results are checked against
gilfree's first (numba compiled then, outside the timing); numba missing: its
column is blank. Writes bench/results/tiny.{json,md} (tiny-quick.* with --quick).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")

import gilfree  # noqa: E402
import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _peers import agree, tiny_numba  # noqa: E402
from _peers import note as peers_note  # noqa: E402
from _timing import RESULTS, fmt_time, interleaved, save, update_readme_section  # noqa: E402

SIZES = (10, 100, 1000)
CANDIDATES = ("gilfree", "aio", "numba", "numpy")


def np_log_softmax(z):
    m = z.max(axis=1, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))


def np_logsumexp(z):
    m = z.max(axis=1, keepdims=True)
    return m[:, 0] + np.log(np.exp(z - m).sum(axis=1))


def cases(n: int, rng) -> list[tuple[str, str, tuple, dict, object]]:
    """(label, gilfree function name, arguments, keyword arguments, the NumPy expression)."""
    a, b = rng.normal(size=n), rng.normal(size=n)
    z, t = rng.normal(size=(n, 10)), rng.integers(0, 10, size=n)
    rows = np.arange(n)
    return [
        (f"mse n={n}", "mse", (a, b), {}, lambda: np.mean((a - b) ** 2)),
        (f"var n={n}", "var", (a,), {}, lambda: np.var(a)),
        (f"sum n={n}", "sum", (a,), {}, lambda: np.sum(a)),
        (f"dot n={n}", "dot", (a, b), {}, lambda: np.dot(a, b)),
        (f"norm n={n}", "norm", (a,), {}, lambda: np.linalg.norm(a)),
        (f"cross_entropy {n}x10", "cross_entropy", (z, t), {}, lambda: -np_log_softmax(z)[rows, t].mean()),
        (f"logsumexp {n}x10 axis=-1", "logsumexp", (z,), {"axis": -1}, lambda: np_logsumexp(z)),
    ]


def measure(label, name, args, kw, np_fn, loop, k, rounds) -> dict:
    fn, twin = getattr(gilfree, name), getattr(gilfree.aio, name)
    ref = fn(*args, **kw)
    agree(np_fn(), ref, 1e-10, f"numpy {label}")
    nb = tiny_numba(name, args, ref)

    async def awaited():
        for _ in range(k):
            await twin(*args, **kw)

    def batch(call):
        def run():
            for _ in range(k):
                call()

        return run

    fns = {
        "gilfree": batch(lambda: fn(*args, **kw)),
        "aio": lambda: loop.run_until_complete(awaited()),
        "numpy": batch(np_fn),
    }
    if nb is not None:
        fns["numba"] = batch(nb)
    s = interleaved(fns, rounds=rounds, pause=0.005)
    t = {c: min(v) / k for c, v in s.items()}
    peers = {c: t[c] for c in ("numba", "numpy") if c in t}
    best = min(peers, key=peers.__getitem__)
    return {
        "case": label,
        "seconds": t,
        "best_peer": best,
        "ratio_best": peers[best] / t["gilfree"],
        "aio_over_sync": t["aio"] / t["gilfree"],
    }


def threads_cost(k, rounds) -> list[dict]:
    """Seconds to enter and leave `with gilfree.threads(2):` (nothing inside), with three
    floors measured in the same rounds: a `with` block on a C context manager that does
    nothing but bookkeeping (`threading.Lock`, made once), the same on one made for each
    block as `threads(2)` is (`memoryview(b"")`), and setting and resetting a bare
    ContextVar (what `threads(n)` must do so that the count follows `await`)."""
    import contextvars
    import threading

    lock, var = threading.Lock(), contextvars.ContextVar("floor", default=None)

    def run_threads():
        for _ in range(k):
            with gilfree.threads(2):
                pass

    def run_lock():
        for _ in range(k):
            with lock:
                pass

    def run_view():
        empty = b""
        for _ in range(k):
            with memoryview(empty):
                pass

    def run_var():
        for _ in range(k):
            var.reset(var.set(2))

    s = interleaved(
        {"threads": run_threads, "lock": run_lock, "view": run_view, "var": run_var}, rounds=rounds, pause=0.005
    )
    labels = {
        "threads": "with gilfree.threads(2): enter + leave",
        "lock": "floor: with threading.Lock(): enter + leave",
        "view": "floor: with memoryview(b''): make + enter + leave",
        "var": "floor: ContextVar set + reset",
    }
    return [{"case": labels[c], "seconds": {"gilfree": min(v) / k}} for c, v in s.items()]


def markdown(rows, command) -> str:
    calls = [r for r in rows if "best_peer" in r]
    blocks = [r for r in rows if "best_peer" not in r]
    lines = [
        "| case | gilfree (sync) | await gilfree.aio | numba (serial) | NumPy | best peer | "
        "ratio to best peer | await / sync |",
        "|---|---:|---:|---:|---:|---|---:|---:|",
    ]
    for r in calls:
        t = r["seconds"]
        cells = " | ".join(fmt_time(t[c]) if c in t else "" for c in CANDIDATES)
        tail = f"{r['best_peer']} | {r['ratio_best']:.2f}x | {r['aio_over_sync']:.2f}x"
        lines.append(f"| {r['case']} | {cells} | {tail} |")
    lines += ["", "| block (nothing inside) | time |", "|---|---:|"]
    lines += [f"| {r['case']} | {fmt_time(r['seconds']['gilfree'])} |" for r in blocks]
    lines.append("")
    lines.append(
        "Time per call: best of interleaved rounds of back-to-back calls (the awaits inside one "
        "running event loop); ratio to best peer = the faster of numba and NumPy / gilfree's sync "
        "call (> 1: gilfree faster). The blocks' floors ran in the same rounds as `threads(2)`. "
        f"One run: `{command}`. " + peers_note()
    )
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="3 rounds, fewer calls per sample")
    args = ap.parse_args(argv)
    rounds, k = (3, 50) if args.quick else (11, 200)
    rng = np.random.default_rng(0)
    loop = asyncio.new_event_loop()
    rows = []
    try:
        for n in SIZES:
            for label, name, fargs, kw, np_fn in cases(n, rng):
                r = measure(label, name, fargs, kw, np_fn, loop, k, rounds)
                rows.append(r)
                t = r["seconds"]
                print(
                    f"{label:28s} "
                    + "  ".join(f"{c} {fmt_time(t[c]):>9s}" for c in CANDIDATES if c in t)
                    + f"  best peer {r['best_peer']} x{r['ratio_best']:.2f}",
                    flush=True,
                )
    finally:
        loop.close()
    for r in threads_cost(k * 10, rounds):
        rows.append(r)
        print(f"{r['case']}: {fmt_time(r['seconds']['gilfree'])}")
    command = "python bench/bench_tiny.py" + (" --quick" if args.quick else "")
    md = markdown(rows, command)
    save("tiny-quick" if args.quick else "tiny", rows, command, md)
    if not args.quick:
        update_readme_section("tiny-table", md)
    print(md)
    print(f"wrote {RESULTS}/tiny{'-quick' if args.quick else ''}.json and .md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
