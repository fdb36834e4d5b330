"""gilfree.aio under load: the figures behind the guarantees of issue #8.

1. heartbeat: a 1 ms asyncio heartbeat while awaited kernels saturate every
   core (gilfree.aio vs NumPy in asyncio.to_thread, and an idle loop);
2. tiny awaits: ``await gilfree.aio.<kernel>`` on tiny inputs against the
   sync call and ``asyncio.to_thread``, and where inline stops paying;
3. cancellation: from ``task.cancel()`` to the kernel's thread running the
   next call, per family and path;
4. Ctrl-C: from SIGINT to KeyboardInterrupt in a sync call on the main thread;
5. exit: from the end of the main program to process exit with kernels in flight.

    python bench/bench_aio.py [--quick]

Writes bench/results/aio.{json,md,png} and the README section between the
``<!-- aio -->`` markers.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import textwrap
import time

os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")  # NumPy's BLAS threads sleep after a call

import gilfree
import numpy as np
from _timing import RESULTS, fmt_time, interleaved, save, update_readme_section
from gilfree._context import TOKEN
from gilfree._demo import heartbeat as loop_heartbeat

COMMAND = "python bench/bench_aio.py"
GRAD = True  # the heartbeat's kernels return their gradient too


def _stats(gaps_s: list[float]) -> dict[str, float]:
    g = np.asarray(gaps_s) * 1e3
    return {
        "ticks": len(g),
        "p50": float(np.percentile(g, 50)),
        "p99": float(np.percentile(g, 99)),
        "max": float(g.max()),
    }


async def _heartbeat_during(work) -> tuple[dict[str, float], list[float], float]:
    gaps: list[float] = []
    stop = asyncio.Event()
    hb = asyncio.create_task(loop_heartbeat(gaps, stop))
    await asyncio.sleep(0.05)
    gaps.clear()
    t0 = time.perf_counter()
    await work()
    wall = time.perf_counter() - t0
    stop.set()
    await hb
    return _stats(gaps), gaps, wall


def heartbeat(quick: bool) -> tuple[list[dict], dict[str, list[float]]]:
    n = 10**7 if quick else 4 * 10**7
    a = np.random.default_rng(0).normal(size=n)
    b = a[::-1].copy()
    calls = 2 * gilfree.available_cpus()
    rounds = 2 if quick else 5

    async def idle():
        await asyncio.sleep(0.5 if quick else 2.0)

    async def ours():
        for _ in range(rounds):
            await asyncio.gather(*(gilfree.aio.log_cosh(a, b, return_grad=GRAD) for _ in range(calls)))

    def np_log_cosh():
        r = a - b
        return np.mean(np.log(np.cosh(r))), np.tanh(r) / n

    async def numpy_thread():
        for _ in range(rounds):
            await asyncio.gather(*(asyncio.to_thread(np_log_cosh) for _ in range(calls)))

    async def warm_up():  # both executors' threads started before the clock runs
        await asyncio.gather(*(gilfree.aio.log_cosh(a[:1000], b[:1000]) for _ in range(calls)))
        await asyncio.gather(*(gilfree.aio.run(gilfree.mse, a[:1000], b[:1000]) for _ in range(calls)))
        await asyncio.gather(*(asyncio.to_thread(np.sum, a[:1000]) for _ in range(calls)))

    async def measured(work):
        await warm_up()
        return await _heartbeat_during(work)

    rows, traces = [], {}
    for label, work in (
        ("idle loop", idle),
        (f"gilfree.aio.log_cosh+grad x{calls}", ours),
        (f"NumPy log_cosh+grad in asyncio.to_thread x{calls}", numpy_thread),
    ):
        st, gaps, wall = asyncio.run(measured(work))
        rows.append({"case": label, **st, "wall_s": wall})
        traces[label] = gaps
    return rows, traces


def tiny(quick: bool) -> list[dict]:
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=100), rng.normal(size=100)
    z, t = rng.normal(size=(10, 10)), rng.integers(0, 10, size=10)
    img, w = rng.normal(size=(1, 1, 8, 8)), rng.normal(size=(1, 1, 3, 3))
    cases = {
        "mse n=100": (gilfree.mse, (a, b)),
        "cross_entropy 10x10": (gilfree.cross_entropy, (z, t)),
        "var n=100": (gilfree.var, (a,)),
        "logsumexp 10x10": (gilfree.logsumexp, (z,)),
        "conv2d 8x8 3x3": (gilfree.conv2d, (img, w)),
    }
    loop = asyncio.new_event_loop()
    rows = []
    k = 200

    for label, (fn, args) in cases.items():
        twin = getattr(gilfree.aio, fn.__name__)

        async def awaited(twin=twin, args=args):
            for _ in range(k):
                await twin(*args)

        async def to_thread(fn=fn, args=args):
            for _ in range(k // 10):
                await asyncio.to_thread(fn, *args)

        def sync(fn=fn, args=args):
            for _ in range(k):
                fn(*args)

        s = interleaved(
            {
                "sync": sync,
                "aio": lambda awaited=awaited: loop.run_until_complete(awaited()),
                "to_thread": lambda to_thread=to_thread: loop.run_until_complete(to_thread()),
            },
            rounds=5 if quick else 11,
        )
        t_sync, t_aio, t_thr = min(s["sync"]) / k, min(s["aio"]) / k, min(s["to_thread"]) / (k // 10)
        rows.append(
            {"case": label, "sync_s": t_sync, "aio_s": t_aio, "to_thread_s": t_thr, "ratio": t_aio / t_sync}
        )
    loop.close()
    return rows


def inline_crossover(quick: bool) -> list[dict]:
    """mse at growing sizes: awaited inline (the twin) vs handed to a thread."""
    loop = asyncio.new_event_loop()
    rows = []
    for e in range(8, 19, 2 if quick else 1):
        n = 1 << e
        a = np.random.default_rng(e).normal(size=n)
        b = a[::-1].copy()

        async def inline(a=a, b=b):
            return gilfree.aio._run_inline(gilfree.mse, (a, b), {}, budget=0)  # the inline path, unbounded

        async def thread(a=a, b=b):
            return await gilfree.aio.run(gilfree.mse, a, b)

        s = interleaved(
            {
                "inline": lambda f=inline: loop.run_until_complete(f()),
                "thread": lambda f=thread: loop.run_until_complete(f()),
            },
            rounds=5 if quick else 9,
        )
        rows.append({"n": n, "inline_s": min(s["inline"]), "thread_s": min(s["thread"])})
    loop.close()
    return rows


def cancel_latency(quick: bool) -> list[dict]:
    rng = np.random.default_rng(2)
    x = np.broadcast_to(0.5, (10**10,))
    img = np.broadcast_to(np.float32(0.5), (256, 64, 64, 64))
    w3 = rng.normal(size=(64, 64, 3, 3)).astype(np.float32)
    big2 = np.broadcast_to(0.5, (1, 1, 4096, 4096))
    cases = {
        "mse (loss)": lambda: gilfree.mse(x, x),
        "cross_entropy 1e8x100": lambda: gilfree.cross_entropy(
            np.broadcast_to(0.5, (10**8, 100)), np.broadcast_to(np.int64(1), (10**8,))
        ),
        "var (loop)": lambda: gilfree.var(x),
        "conv2d direct": lambda: gilfree.conv2d(img, w3, method="direct"),
        "conv2d gemm": lambda: gilfree.conv2d(img, w3, method="gemm"),
        "conv2d winograd": lambda: gilfree.conv2d(img, w3, method="winograd"),
        "convolve2d fft": lambda: gilfree.convolve2d(big2[0, 0], big2[0, 0, :300, :300], method="fft"),
        "convolve fft 2e7": lambda: gilfree.convolve(x[: 2 * 10**7], x[: 2 * 10**7], method="fft"),
    }

    async def one(fn) -> float:
        seen = {}

        def work():
            seen["tok"] = TOKEN.get()
            return fn()

        task = asyncio.create_task(gilfree.aio.run(work))
        while "tok" not in seen or seen["tok"].chunks_done == 0:
            if task.done():
                task.result()
            await asyncio.sleep(0.001)
        await asyncio.sleep(0.1)
        t0 = time.perf_counter()
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
        await gilfree.aio.run(int)  # runs when the only thread is free again
        return time.perf_counter() - t0

    gilfree.aio.set_limits(max_in_flight=1)
    rows = []
    try:
        for label, fn in cases.items():
            lat = [asyncio.run(one(fn)) for _ in range(2 if quick else 5)]
            rows.append({"case": label, "median_s": float(np.median(lat)), "max_s": float(max(lat))})
    finally:
        gilfree.aio.set_limits()
    return rows


_SIGINT = textwrap.dedent("""
    import os, signal, threading, time
    import numpy as np, gilfree
    from gilfree._context import MAIN_TOKEN
    # Python's own Ctrl-C handler, as an interactive session has it: a child of a
    # background job (`cmd &` in a script) starts with SIGINT ignored, and would
    # never see the signal
    signal.signal(signal.SIGINT, signal.default_int_handler)
    x = np.broadcast_to(np.float64(0.5), (10**12,))
    t = {}
    def fire():
        while MAIN_TOKEN.chunks_done == 0:
            time.sleep(0.005)
        time.sleep(0.2)
        t["sig"] = time.perf_counter()
        os.kill(os.getpid(), signal.SIGINT)
    threading.Thread(target=fire).start()
    try:
        gilfree.CALL
    except KeyboardInterrupt:
        print(time.perf_counter() - t["sig"])
""")

_EXIT = textwrap.dedent("""
    import asyncio, sys, threading, time
    import numpy as np, gilfree
    x = np.broadcast_to(np.float64(1.0), (10**12,))
    threading.Thread(target=gilfree.log_cosh, args=(x, x)).start()
    async def main():
        for _ in range(4):
            asyncio.ensure_future(gilfree.aio.mse(x, x))
        await asyncio.sleep(0.3)
    asyncio.run(main())
    sys.stderr.write(repr(time.time()))
""")


def interrupts(quick: bool) -> list[dict]:
    rows = []
    for call in (
        "mse(x, x)",
        "sum(x)",
        "conv2d(np.broadcast_to(0.5, (10**4, 8, 64, 64)), np.ones((8, 8, 5, 5)))",
    ):
        lat = []
        for _ in range(2 if quick else 5):
            out = subprocess.run(
                [sys.executable, "-c", _SIGINT.replace("CALL", call)],
                capture_output=True,
                text=True,
                timeout=300,
            )
            lat.append(float(out.stdout.strip().splitlines()[-1]))
        rows.append(
            {
                "case": f"SIGINT during {call.split('(')[0]}",
                "median_s": float(np.median(lat)),
                "max_s": max(lat),
            }
        )
    exits = []
    for _ in range(2 if quick else 5):
        out = subprocess.run([sys.executable, "-c", _EXIT], capture_output=True, text=True, timeout=300)
        exits.append(time.time() - float(out.stderr.strip().splitlines()[-1]))
    rows.append(
        {"case": "exit with 5 kernels in flight", "median_s": float(np.median(exits)), "max_s": max(exits)}
    )
    return rows


def plot(traces: dict[str, list[float]], path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    for label, gaps in traces.items():
        g = np.sort(np.asarray(gaps) * 1e3)
        ax.plot(g, 1 - np.arange(len(g)) / len(g), label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.axvline(3, color="grey", ls=":", label="goal: p99 <= 3 ms")
    ax.axvline(10, color="grey", ls="--", label="goal: max <= 10 ms")
    ax.set_xlabel("heartbeat gap (ms), 1 ms sleeps")
    ax.set_ylabel("fraction of gaps longer")
    ax.set_title("Event loop while awaited kernels saturate the cores")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def markdown(hb, tw, cross, cancel, intr, ncpu) -> str:
    ms = lambda s: f"{s * 1e3:.1f} ms"  # noqa: E731
    out = [
        f"Measured with `{COMMAND}` on {ncpu} CPUs.",
        "",
        "**Heartbeat** (1 ms sleeps; goal with gilfree.aio: p99 <= 3 ms, max <= 10 ms)",
        "",
    ]
    out += ["| load | ticks | p50 | p99 | max | wall |", "|---|---:|---:|---:|---:|---:|"]
    out += [
        f"| {r['case']} | {r['ticks']} | {r['p50']:.2f} ms | {r['p99']:.2f} ms | {r['max']:.2f} ms | {r['wall_s']:.2f} s |"
        for r in hb
    ]
    out += ["", "**Tiny awaits** (goal: `await gilfree.aio.<kernel>` <= 2x the sync call)", ""]
    out += ["| case | sync | await gilfree.aio | ratio | asyncio.to_thread |", "|---|---:|---:|---:|---:|"]
    out += [
        f"| {r['case']} | {fmt_time(r['sync_s'])} | {fmt_time(r['aio_s'])} | {r['ratio']:.2f}x | {fmt_time(r['to_thread_s'])} |"
        for r in tw
    ]
    out += [
        "",
        "**Inline or thread** (mse awaited inline vs handed to gilfree.aio's thread; the inline budget is 16384 elements)",
        "",
    ]
    out += ["| n | inline | thread |", "|---:|---:|---:|"]
    out += [f"| {r['n']} | {fmt_time(r['inline_s'])} | {fmt_time(r['thread_s'])} |" for r in cross]
    out += [
        "",
        "**Cancellation** (from `task.cancel()` to the kernel's only thread running the next call; goal <= 10 ms)",
        "",
    ]
    out += ["| kernel | median | max |", "|---|---:|---:|"]
    out += [f"| {r['case']} | {ms(r['median_s'])} | {ms(r['max_s'])} |" for r in cancel]
    out += ["", "**Ctrl-C and exit** (goal: KeyboardInterrupt within 100 ms; exit within 1 s)", ""]
    out += ["| case | median | max |", "|---|---:|---:|"]
    out += [f"| {r['case']} | {ms(r['median_s'])} | {ms(r['max_s'])} |" for r in intr]
    return "\n".join(out) + "\n"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true")
    args = p.parse_args()
    hb, traces = heartbeat(args.quick)
    print(hb)
    tw = tiny(args.quick)
    print(tw)
    cross = inline_crossover(args.quick)
    cancel = cancel_latency(args.quick)
    print(cancel)
    intr = interrupts(args.quick)
    md = markdown(hb, tw, cross, cancel, intr, gilfree.available_cpus())
    print(md)
    name = "aio-quick" if args.quick else "aio"
    save(name, hb + tw + cancel + intr, COMMAND + (" --quick" if args.quick else ""), md, crossover=cross)
    plot(traces, RESULTS / f"{name}.png")
    if not args.quick:
        update_readme_section("aio", md + "\n![heartbeat gaps](bench/results/aio.png)\n")


if __name__ == "__main__":
    main()
