"""Loss functions side by side: gilfree vs the NumPy expression, torch.nn.functional
(CPU) and scikit-learn's sklearn._loss, measured in one run on this machine; the
headline losses (mse, binary_cross_entropy_with_logits, cross_entropy) also vs
numba, JAX and numexpr where installed (`pip install -e ".[bench-peers]"`,
bench/_peers.py; a missing one is skipped with a note).

    .venv/bin/python bench/bench_losses.py            # full grid (a few minutes)
    .venv/bin/python bench/bench_losses.py --quick    # n <= 1e5 only

Writes bench/results/losses.{json,md,png}. Every ratio compares timings taken
in this run, with every library limited to the same number of threads.
"""

from __future__ import annotations

import argparse
import os
import sys

# The peers' OpenMP workers (torch, scikit-learn) otherwise keep spinning after
# each call and take a core from whatever is timed next: passive waiting, set
# before they load, keeps every measurement to its own threads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
# NumPy's OpenBLAS threads likewise spin ~0.1 s after each call (2^28 cycles) unless
# told to sleep at once (2^4 cycles): they would take a core from the next timing.
os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")

import gilfree  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from _peers import note as peers_note  # noqa: E402
from _peers import peers as peer_fns  # noqa: E402
from _timing import RESULTS, fmt_time, interleaved, save, update_readme_section  # noqa: E402

# the headline losses -> their case in bench/_peers.py
PEER_CASES = {
    "mse": "mse",
    "binary_cross_entropy_with_logits": "bce_logits",
    "cross_entropy": "cross_entropy",
}
PEERS = ["numpy", "torch", "sklearn", "numba", "jax", "numexpr"]

try:
    import torch
    import torch.nn.functional as F
except ImportError:  # pragma: no cover
    torch = None
try:
    from sklearn._loss import loss as sk_loss
except ImportError:  # pragma: no cover
    sk_loss = None


def expit(x):
    return 1.0 / (1.0 + np.exp(-x))


def log_softmax(z):
    m = z.max(axis=1, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))


def make_case(name, n, dtype, rng):
    """Returns (dict impl -> (value_fn, value_grad_fn) of zero-argument callables,
    the arguments of gilfree's call, or None for the losses without peers of
    bench/_peers.py)."""
    impls = {}
    if name == "cross_entropy":
        c = 100
        rows = max(1, n // c)
        x = rng.normal(size=(rows, c)).astype(dtype)
        t = rng.integers(0, c, size=rows)
        y_float = t.astype(dtype)

        def np_val():
            return -log_softmax(x)[np.arange(rows), t].mean()

        def np_grad():
            lp = log_softmax(x)
            g = np.exp(lp)
            g[np.arange(rows), t] -= 1
            return -lp[np.arange(rows), t].mean(), g / rows

        impls["numpy"] = (np_val, np_grad)
        impls["gilfree"] = (
            lambda: gilfree.cross_entropy(x, t),
            lambda: gilfree.cross_entropy(x, t, return_grad=True),
        )
        if torch is not None:
            xt, tt = torch.from_numpy(x), torch.from_numpy(t)
            impls["torch"] = (lambda: F.cross_entropy(xt, tt), torch_grad(F.cross_entropy, xt, tt))
        if sk_loss is not None:
            sk = sk_loss.HalfMultinomialLoss(n_classes=c)
            impls["sklearn"] = sk_pair(sk, y_float, x)
        return impls, (x, t)

    if name in MORE:
        return more_case(name, n, dtype, rng), None
    x = rng.normal(size=n).astype(dtype)
    if name == "binary_cross_entropy_with_logits":
        y = rng.integers(0, 2, size=n).astype(dtype)
        np_val = lambda: np.mean(np.logaddexp(0, x) - y * x)  # noqa: E731
        np_grad = lambda: (np.mean(np.logaddexp(0, x) - y * x), (expit(x) - y) / n)  # noqa: E731
        tf, sk = F.binary_cross_entropy_with_logits if torch else None, "HalfBinomialLoss"
    elif name == "poisson_nll":
        y = rng.poisson(2.0, size=n).astype(dtype)
        np_val = lambda: np.mean(np.exp(x) - y * x)  # noqa: E731
        np_grad = lambda: (np.mean(np.exp(x) - y * x), (np.exp(x) - y) / n)  # noqa: E731
        tf, sk = F.poisson_nll_loss if torch else None, "HalfPoissonLoss"
    elif name == "huber":
        y = rng.normal(size=n).astype(dtype)

        def np_val():
            d = x - y
            a = np.abs(d)
            return np.mean(np.where(a < 1, 0.5 * d * d, a - 0.5))

        def np_grad():
            d = x - y
            a = np.abs(d)
            return np.mean(np.where(a < 1, 0.5 * d * d, a - 0.5)), np.clip(d, -1, 1) / n

        tf, sk = F.huber_loss if torch else None, None
    else:  # mse
        y = rng.normal(size=n).astype(dtype)
        np_val = lambda: np.mean((x - y) ** 2)  # noqa: E731

        def np_grad():
            d = x - y
            return np.mean(d * d), (2.0 / n) * d

        tf, sk = F.mse_loss if torch else None, "HalfSquaredError"
    impls = assemble(name, x, y, np_val, np_grad, tf, sk and sk_loss and getattr(sk_loss, sk)())
    return impls, ((x, y) if name in PEER_CASES else None)  # numba/JAX/numexpr: the headline losses


def assemble(name, x, y, np_val, np_grad, tf, sk):
    """impl -> (value, value+grad) callables: gilfree, the NumPy pair, torch's
    function tf and the scikit-learn loss object sk (either may be None)."""
    fn = getattr(gilfree, name)
    impls = {"numpy": (np_val, np_grad), "gilfree": (lambda: fn(x, y), lambda: fn(x, y, return_grad=True))}
    if tf is not None:
        xt, yt = torch.from_numpy(x), torch.from_numpy(y)
        impls["torch"] = (lambda: tf(xt, yt), torch_grad(tf, xt, yt))
    if sk:
        impls["sklearn"] = sk_pair(sk, y, x)
    return impls


def more_case(name, n, dtype, rng):
    """The losses without a benchmark target: gilfree against the NumPy
    expression, torch (its function, or the expression where torch has none)
    and scikit-learn where it defines the loss. Same (value, value+grad) pairs."""
    from scipy.special import xlogy

    x = rng.normal(size=n).astype(dtype)
    y = rng.normal(size=n).astype(dtype)
    tf = sk = None
    if name == "mae":
        np_val = lambda: np.mean(np.abs(x - y))  # noqa: E731
        np_grad = lambda: (np_val(), np.sign(x - y) / n)  # noqa: E731
        tf = F.l1_loss if torch else None
    elif name == "smooth_l1":

        def np_val():
            d = x - y
            a = np.abs(d)
            return np.mean(np.where(a < 1, 0.5 * d * d, a - 0.5))

        np_grad = lambda: (np_val(), np.clip(x - y, -1, 1) / n)  # noqa: E731
        tf = F.smooth_l1_loss if torch else None
    elif name == "log_cosh":
        np_val = lambda: np.mean(np.logaddexp(x - y, y - x) - np.log(2.0))  # noqa: E731
        np_grad = lambda: (np_val(), np.tanh(x - y) / n)  # noqa: E731
        tf = (lambda a, b: torch.log(torch.cosh(a - b)).mean()) if torch else None
    elif name == "pinball":

        def np_val():
            d = y - x
            return np.mean(np.maximum(0.5 * d, -0.5 * d))

        np_grad = lambda: (np_val(), np.where(y - x >= 0, -0.5, 0.5) / n)  # noqa: E731
        sk = "PinballLoss"
    elif name == "binary_cross_entropy":
        x = rng.uniform(0.01, 0.99, size=n).astype(dtype)
        y = rng.integers(0, 2, size=n).astype(dtype)
        np_val = lambda: -np.mean(y * np.log(x) + (1 - y) * np.log1p(-x))  # noqa: E731
        np_grad = lambda: (np_val(), (x - y) / (x * (1 - x)) / n)  # noqa: E731
        tf = F.binary_cross_entropy if torch else None
    elif name == "kl_div":
        x = np.log(rng.uniform(0.01, 1.0, size=n)).astype(dtype)
        y = rng.uniform(0.0, 1.0, size=n).astype(dtype)
        np_val = lambda: np.mean(xlogy(y, y) - y * x)  # noqa: E731
        np_grad = lambda: (np_val(), -y / n)  # noqa: E731
        tf = (lambda a, b: F.kl_div(a, b, reduction="mean")) if torch else None
    elif name in ("hinge", "squared_hinge"):
        y = np.where(rng.random(n) < 0.5, -1.0, 1.0).astype(dtype)
        p = 1 if name == "hinge" else 2
        np_val = lambda: np.mean(np.maximum(0, 1 - y * x) ** p)  # noqa: E731

        def np_grad():
            m = 1 - y * x
            return np_val(), np.where(m > 0, -p * y * np.maximum(0, m) ** (p - 1), 0) / n

        tf = (lambda a, b: torch.relu(1 - b * a).pow(p).mean()) if torch else None
    else:  # nll_loss on (n / 100, 100) log-probabilities
        c = 100
        rows = max(1, n // c)
        x = log_softmax(rng.normal(size=(rows, c))).astype(dtype)
        y = rng.integers(0, c, size=rows)
        np_val = lambda: -x[np.arange(rows), y].mean()  # noqa: E731

        def np_grad():
            g = np.zeros_like(x)
            g[np.arange(rows), y] = -1.0 / rows
            return np_val(), g

        tf = F.nll_loss if torch else None
    return assemble(name, x, y, np_val, np_grad, tf, sk and sk_loss and getattr(sk_loss, sk)(quantile=0.5))


def torch_grad(fn, xt, yt):
    xg = xt.clone().requires_grad_(True)

    def run():
        xg.grad = None
        out = fn(xg, yt)
        out.backward()
        return out

    return run


_SK_THREADS = [1]


def sk_pair(sk, y, raw):
    def val():
        return sk.loss(y_true=y, raw_prediction=raw, n_threads=_SK_THREADS[0]).mean()

    def grad():
        loss, g = sk.loss_gradient(y_true=y, raw_prediction=raw, n_threads=_SK_THREADS[0])
        return loss.mean(), g

    return val, grad


LOSSES = ["mse", "huber", "poisson_nll", "binary_cross_entropy_with_logits", "cross_entropy"]  # with targets
MORE = [
    "mae",
    "smooth_l1",
    "log_cosh",
    "pinball",
    "binary_cross_entropy",
    "kl_div",
    "hinge",
    "squared_hinge",
    "nll_loss",
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="n <= 1e5")
    ap.add_argument("--losses", nargs="*", default=LOSSES + MORE)
    ap.add_argument(
        "--from-json",
        action="store_true",
        help="only rebuild losses.md and the README table from results/losses.json",
    )
    args = ap.parse_args()
    if args.from_json:
        import json

        data = json.loads((RESULTS / "losses.json").read_text())
        md = markdown(data["rows"], data["command"])
        (RESULTS / "losses.md").write_text(md)
        update_readme(data["rows"], data["command"])
        plot(data["rows"])
        print(summary(data["rows"]))
        return
    # the losses with targets on the grid; the others at 1e3 and 1e6 (time)
    sizes = [10**3, 10**5] if args.quick else [10**3, 10**5, 10**7]
    more_sizes = [10**3, 10**5] if args.quick else [10**3, 10**6]
    all_threads = gilfree.available_cpus()
    thread_counts = sorted({1, all_threads})
    rng = np.random.default_rng(0)
    rows = []
    for name in args.losses:
        for n in more_sizes if name in MORE else sizes:
            for dtype in (np.float64, np.float32):
                impls, case_args = make_case(name, n, dtype, rng)
                for threads in thread_counts:
                    if torch is not None:
                        torch.set_num_threads(threads)
                    _SK_THREADS[0] = threads
                    for mode, k in (("value", 0), ("value+grad", 1)):
                        fns = {impl: pair[k] for impl, pair in impls.items()}
                        with gilfree.threads(threads):
                            if case_args is not None:  # numba, JAX, numexpr: checked against gilfree's
                                ref = fns["gilfree"]()
                                case = PEER_CASES[name] + ("+grad" if k else "")
                                fns.update(
                                    peer_fns(case, case_args, tuple(ref) if k else ref, threads=threads)
                                )
                            # all candidates in alternation, sharing the VM's drift; large
                            # cases: more rounds against this VM's swings
                            samples = interleaved(fns, rounds=9 if n >= 10**6 else 5, pause=0.05)
                        times = {impl: min(v) for impl, v in samples.items()}
                        row = {
                            "loss": name,
                            "n": n,
                            "dtype": np.dtype(dtype).name,
                            "threads": threads,
                            "mode": mode,
                            "seconds": times,
                        }
                        rows.append(row)
                        ratios = "  ".join(
                            f"x{times[p] / times['gilfree']:.2f} vs {p}" for p in times if p != "gilfree"
                        )
                        print(
                            f"{name:34s} n={n:<9.0e} {row['dtype']:8s} t={threads} {mode:11s} "
                            f"gilfree {fmt_time(times['gilfree']):>9s}  {ratios}",
                            flush=True,
                        )
    command = "make bench  # or: .venv/bin/python bench/bench_losses.py" + (" --quick" if args.quick else "")
    md = markdown(rows, command)
    save("losses", rows, command, md)
    plot(rows)
    update_readme(rows, command)
    print(md)
    print(summary(rows))
    print(f"wrote {RESULTS}/losses.json, losses.md, losses.png")


def _time(rows, loss, n, dtype, threads, mode, impl):
    for r in rows:
        if (r["loss"], r["n"], r["dtype"], r["threads"], r["mode"]) == (loss, n, dtype, threads, mode):
            return r["seconds"].get(impl)
    return None


def summary(rows) -> str:
    """The issue's targets against this run's measurements (float64 unless noted)."""
    top = max(r["threads"] for r in rows)
    big = max(r["n"] for r in rows)
    small = min(r["n"] for r in rows)
    lines = ["| target | measured | met |", "|---|---|---|"]

    def ratio(loss, n, threads, mode, peer, dtype="float64"):
        a = _time(rows, loss, n, dtype, threads, mode, peer)
        b = _time(rows, loss, n, dtype, threads, mode, "gilfree")
        return None if a is None or b is None else a / b

    def add(label, value, goal):
        if value is None:
            return
        lines.append(f"| {label} | {value:.2f}x | {'yes' if value >= goal else 'no'} |")

    add(f"mse n={big:.0e}, 1 thread, >= 3x the NumPy expression", ratio("mse", big, 1, "value", "numpy"), 3.0)
    add(f"mse n={big:.0e}, 1 thread, >= 1.5x torch", ratio("mse", big, 1, "value", "torch"), 1.5)
    torch_targets = [
        (f"bce_with_logits value+grad n={big:.0e}", "binary_cross_entropy_with_logits", "value+grad", 2.0),
        (f"cross_entropy N={big // 100:.0e}, C=100", "cross_entropy", "value", 1.5),
    ]
    for label, loss, mode, goal in torch_targets:
        for t in dict.fromkeys((1, top)):
            width = "1 thread" if t == 1 else f"{t} threads"
            peer = "torch fwd+bwd" if mode == "value+grad" else "torch"
            add(f"{label}, {width}, >= {goal:g}x {peer}", ratio(loss, big, t, mode, "torch"), goal)
    for loss in dict.fromkeys(r["loss"] for r in rows):
        add(
            f"{loss} n={small:.0e}: a sync call costs no more than NumPy (>= 1x)",
            ratio(loss, small, 1, "value", "numpy"),
            1.0,
        )
    return "\n".join(lines) + "\n"


def best_peer(seconds) -> tuple[str, float] | tuple[None, None]:
    """The fastest peer of a row and its time / gilfree's time (> 1: gilfree faster)."""
    times = {p: seconds[p] for p in PEERS if p in seconds}
    if not times:
        return None, None
    p = min(times, key=times.__getitem__)
    return p, times[p] / seconds["gilfree"]


def headline(rows) -> str:
    """The headline losses at the largest n, float64: every peer's time, the best
    peer and the ratio to it."""
    big = max(r["n"] for r in rows)
    sel = [r for r in rows if r["loss"] in PEER_CASES and r["n"] == big and r["dtype"] == "float64"]
    if not sel:
        return ""
    lines = [
        "| loss | n | threads | mode | gilfree | "
        + " | ".join(PEERS)
        + " | best peer | ratio to best peer |",
        "|---|---|---|---|---|" + "---|" * len(PEERS) + "---|---|",
    ]
    for r in sel:
        t = r["seconds"]
        p, ratio = best_peer(t)
        cells = [fmt_time(t[q]) if q in t else "" for q in PEERS]
        lines.append(
            f"| {r['loss']} | {r['n']:.0e} | {r['threads']} | {r['mode']} | {fmt_time(t['gilfree'])} | "
            + " | ".join(cells)
            + (f" | {p} | {ratio:.2f}x |" if p else " | | |")
        )
    return "\n".join(lines) + "\n"


def update_readme(rows, command) -> None:
    update_readme_section(
        "losses-table",
        summary(rows)
        + "\n"
        + headline(rows)
        + "\nRatios are peer time / gilfree time, best of 5 (9 rounds for n >= 1e6) interleaved "
        "rounds, measured in one run "
        "(OpenMP peers with OMP_WAIT_POLICY=PASSIVE, so no library's idle threads spin on the cores "
        "while another is timed) "
        f"on this project's 2-core machine: `{command}`. The full grid (n = 1e3, 1e5, 1e7; float32 "
        "and float64; 1 and all threads; value and value+grad; vs NumPy, torch and scikit-learn) "
        "is in [bench/results/losses.md](bench/results/losses.md), plotted in "
        "[bench/results/losses.png](bench/results/losses.png). Thread scaling (all threads against "
        "one) has its own benchmark and section below, measured against this machine's ceilings. "
        "JAX runs at XLA's default thread count (all CPUs) and appears in the all-thread rows only. "
        + peers_note()
        + "\n",
    )


def markdown(rows, command) -> str:
    peers = PEERS
    lines = [
        "| loss | n | dtype | threads | mode | gilfree | "
        + " | ".join(f"vs {p}" for p in peers)
        + " | best peer | ratio to best peer |",
        "|---|---|---|---|---|---|" + "---|" * len(peers) + "---|---|",
    ]
    for r in rows:
        t = r["seconds"]
        cells = [f"{t[p] / t['gilfree']:.2f}x" if p in t else "" for p in peers]
        p, ratio = best_peer(t)
        lines.append(
            f"| {r['loss']} | {r['n']:.0e} | {r['dtype']} | {r['threads']} | {r['mode']} | "
            f"{fmt_time(t['gilfree'])} | "
            + " | ".join(cells)
            + (f" | {p} | {ratio:.2f}x |" if p else " | | |")
        )
    lines.append("")
    lines.append(
        "Ratios are peer time / gilfree time (> 1: gilfree faster), best of 5 (9 for n >= 1e6) "
        f"interleaved rounds, one run: `{command}`. A blank cell: the peer has no such "
        "implementation (numexpr: float64 only; JAX: all-thread rows only, XLA's default "
        "thread count). " + peers_note()
    )
    return "\n".join(lines) + "\n"


def plot(rows) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:  # pragma: no cover
        return
    sel = [r for r in rows if r["dtype"] == "float64"]
    losses = list(dict.fromkeys(r["loss"] for r in sel))
    ncols = 3
    nrows = (len(losses) + ncols - 1) // ncols
    fig, axes = plt.subplots(nrows, ncols, figsize=(6 * ncols, 4 * nrows), sharey=True, squeeze=False)
    for ax in axes.flat[len(losses) :]:
        ax.set_visible(False)
    for ax, name in zip(axes.flat, losses, strict=False):
        rs = [r for r in sel if r["loss"] == name]
        labels = [
            f"n=1e{len(str(r['n'])) - 1}\n{r['threads']}t {'v+g' if r['mode'] != 'value' else 'v'}"
            for r in rs
        ]
        xs = np.arange(len(rs))
        for i, peer in enumerate(["numpy", "torch", "sklearn"]):
            ys = [r["seconds"][peer] / r["seconds"]["gilfree"] if peer in r["seconds"] else 0 for r in rs]
            ax.bar(xs + (i - 1) * 0.27, ys, 0.27, label=f"vs {peer}")
        ax.axhline(1.0, color="k", lw=0.8)
        ax.set_yscale("log")
        ax.set_title(name, fontsize=10)
        ax.set_xticks(xs, labels, fontsize=7)
    axes[0][0].set_ylabel("speed-up (peer time / gilfree time)")
    axes[0][0].legend(fontsize=8)
    fig.suptitle("gilfree losses, float64: speed-up over the peers, one run (higher is better; 1 = parity)")
    fig.tight_layout()
    fig.savefig(RESULTS / "losses.png", dpi=110)


if __name__ == "__main__":
    main()
