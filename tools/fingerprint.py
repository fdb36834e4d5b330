"""Bitwise fingerprint of every public kernel, for refactors that must not
change a single result bit.

    python tools/fingerprint.py --out before.json      # record
    python tools/fingerprint.py --compare before.json after.json

Every kernel of gilfree._registry.KERNELS is called on fixed seeded inputs
of several sizes (1, 100, 10**5, 3 * 10**6 elements) and dtypes, through
several paths (reductions, gradients, weights, strided views, axes), under
1 and N threads; each result's dtype, shape and bytes go into a sha256. An
error is fingerprinted by its type, so it must stay the same too. A kernel
that no case calls makes --out fail: add a case for it below.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Callable, Iterator
from functools import partial

import numpy as np

SIZES = (1, 100, 10**5, 3 * 10**6)
FLOATS = (np.float32, np.float64)
NATIVE = (np.int32, np.int64, np.float32, np.float64)
THREADS = (1, 2, 4)

Case = tuple[str, Callable[[], object]]  # (label, call)


def _rng(*key) -> np.random.Generator:
    """A generator seeded from the key (stable across runs, unlike hash())."""
    return np.random.default_rng(int.from_bytes(hashlib.sha256(repr(key).encode()).digest()[:4], "little"))


def _data(key, n, dt, lo=-3.0, hi=3.0) -> np.ndarray:
    rng = _rng(*key, n, np.dtype(dt).name)
    if np.dtype(dt).kind == "i":
        return rng.integers(-100, 101, n).astype(dt)
    return rng.uniform(lo, hi, n).astype(dt)


def _square(n) -> tuple[int, int]:
    """A 2-D shape of about n elements, rows shorter than columns."""
    r = max(1, int(np.sqrt(n / 3)))
    return r, max(1, n // r)


# ---------------------------------------------------------------- losses

_LOSS_RANGES = {  # name: (input range, target range)
    "binary_cross_entropy": ((0.0, 1.0), (0.0, 1.0)),
    "poisson_nll": ((0.01, 3.0), (0.0, 4.0)),
    "kl_div": ((-3.0, 0.0), (0.0, 1.0)),
    "hinge": ((-2.0, 2.0), (-1.0, 1.0)),
    "squared_hinge": ((-2.0, 2.0), (-1.0, 1.0)),
}
_LOSS_EXTRA = {  # name: extra keyword variants
    "huber": [{"delta": 0.7}],
    "smooth_l1": [{"beta": 0.0}, {"beta": 0.5}],
    "pinball": [{"quantile": 0.2}],
    "poisson_nll": [{"log_input": False}, {"full": True}],
    "binary_cross_entropy_with_logits": [{"pos_weight": "array"}],
    "kl_div": [{"log_target": True}],
}
ELEMENTWISE = (
    "mse mae huber smooth_l1 log_cosh pinball poisson_nll binary_cross_entropy "
    "binary_cross_entropy_with_logits kl_div hinge squared_hinge"
).split()


def _loss_cases(g, name) -> Iterator[Case]:
    fn = getattr(g, name)
    (xl, xh), (yl, yh) = _LOSS_RANGES.get(name, ((-3.0, 3.0), (-3.0, 3.0)))
    for n in SIZES:
        for dt in FLOATS:
            x = _data((name, "x"), n, dt, xl, xh)
            y = _data((name, "y"), n, dt, yl, yh)
            if name in ("hinge", "squared_hinge"):
                y = np.where(y >= 0, 1, -1).astype(dt)
            if name == "binary_cross_entropy" and n > 1:
                y[: n // 2] = np.round(y[: n // 2])  # hard and soft targets
            w = _data((name, "w"), n, dt, 0.0, 2.0)
            extras = [{}] + _LOSS_EXTRA.get(name, [])
            for ex in extras:
                kw = {k: (_data((name, "p"), n, dt, 0.5, 2.0) if v == "array" else v) for k, v in ex.items()}
                tag = f"{name}/{n}/{np.dtype(dt).name}/{sorted(ex.items())}"
                for red in ("mean", "sum", "none"):
                    yield f"{tag}/{red}", partial(fn, x, y, reduction=red, **kw)
                    yield (
                        f"{tag}/{red}/grad",
                        partial(fn, x, y, reduction=red, return_grad=True, **kw),
                    )
                yield f"{tag}/w/mean", partial(fn, x, y, sample_weight=w, **kw)
                yield f"{tag}/w/mean/grad", partial(fn, x, y, sample_weight=w, return_grad=True, **kw)
                yield f"{tag}/w/none", partial(fn, x, y, sample_weight=w, reduction="none", **kw)
            if n >= 100:  # strided and broadcast operands (n elements)
                x2 = _data((name, "x2"), 2 * n, dt, xl, xh)[::2]
                y2 = np.broadcast_to(y[:1], (n,))
                yield f"{name}/{n}/{np.dtype(dt).name}/strided", partial(fn, x2, y, return_grad=True)
                yield f"{name}/{n}/{np.dtype(dt).name}/bcast", partial(fn, x2, y2, reduction="sum")
                r, c = _square(n)
                x3 = x[: r * c].reshape(r, c).T
                y3 = y[: r * c].reshape(c, r)
                yield (
                    f"{name}/{n}/{np.dtype(dt).name}/2d",
                    partial(fn, x3, y3, sample_weight=np.broadcast_to(w[:r], (c, r)), return_grad=True),
                )


def _rows_shapes(n) -> list[tuple[int, int]]:
    if n == 1:
        return [(1, 1)]
    shapes = [(max(1, n // 10), 10), (max(1, n // 1000), 1000)]
    if n >= 10**5:
        shapes.append((max(1, n // 30000), 30000))  # rows longer than one class block
    return shapes


def _rows_cases(g, name) -> Iterator[Case]:
    fn = getattr(g, name)
    for n in SIZES:
        for dt in FLOATS:
            for r, c in _rows_shapes(n):
                tag = f"{name}/{r}x{c}/{np.dtype(dt).name}"
                z = _data((name, "z", r, c), r * c, dt).reshape(r, c)
                if name == "nll_loss":
                    z = -np.abs(z)
                t = _rng(name, "t", r, c).integers(0, c, r)
                t[::7] = -100
                cw = _data((name, "cw"), c, np.float64, 0.5, 2.0)
                sw = _data((name, "sw"), r, dt, 0.0, 2.0)
                for red in ("mean", "sum", "none"):
                    yield f"{tag}/{red}", partial(fn, z, t, reduction=red, return_grad=True)
                yield f"{tag}/cw", partial(fn, z, t, class_weight=cw, sample_weight=sw, return_grad=True)
                yield f"{tag}/T", partial(fn, np.asfortranarray(z), t)
                if name == "cross_entropy":
                    p = _data((name, "p", r, c), r * c, dt, 0.0, 1.0).reshape(r, c)
                    yield (
                        f"{tag}/ls",
                        partial(fn, z, t, label_smoothing=0.1, class_weight=cw, return_grad=True),
                    )
                    yield f"{tag}/prob", partial(fn, z, p, sample_weight=sw, return_grad=True)
                    yield f"{tag}/prob/ls", partial(fn, z, p, label_smoothing=0.2, reduction="sum")


# ---------------------------------------------------------------- loops

_REDUCE = {  # name: (dtypes, extra keyword variants)
    "sum": (NATIVE, [{}]),
    "mean": (NATIVE, [{}]),
    "var": (NATIVE, [{}, {"ddof": 1}]),
    "std": (NATIVE, [{}]),
    "min": (NATIVE, [{}]),
    "max": (NATIVE, [{}]),
    "argmin": (NATIVE, [{}]),
    "argmax": (NATIVE, [{}]),
    "norm": (NATIVE, [{}, {"ord": 1}, {"ord": np.inf}]),
    "logsumexp": (NATIVE, [{}]),
}


def _layouts(key, n, dt) -> Iterator[tuple[str, np.ndarray, list]]:
    """(label, array, axes) for the row, tile, long-row and strided paths."""
    x = _data(key, n, dt, -30.0, 30.0) if np.dtype(dt).kind == "f" else _data(key, n, dt)
    yield "flat", x, [None]
    r, c = _square(n)
    m = x[: r * c].reshape(r, c)
    yield "2d", m, [None, 0, -1]
    yield "F", m.T, [0, -1]
    if n >= 10**5:
        yield "long", x[: 3 * (n // 3)].reshape(3, n // 3), [-1, None]
    yield "step", _data(key + ("s",), 2 * n, dt)[::2], [None]
    if n >= 100:
        yield "3d", x[: (n // 10) * 10].reshape(n // 10, 5, 2).transpose(1, 0, 2), [None, 0, 1, 2]


def _loop_cases(g, name) -> Iterator[Case]:
    fn = getattr(g, name)
    if name in _REDUCE:
        dts, variants = _REDUCE[name]
        for n in SIZES:
            for dt in dts:
                for lab, x, axes in _layouts((name,), n, dt):
                    for ax in axes:
                        for kw in variants:
                            yield (
                                f"{name}/{n}/{np.dtype(dt).name}/{lab}/{ax}/{kw}",
                                partial(fn, x, axis=ax, **kw),
                            )
        return
    for n in SIZES:
        for dt in NATIVE:
            tag = f"{name}/{n}/{np.dtype(dt).name}"
            for lab, x, axes in _layouts((name,), n, dt):
                y = _data((name, "y", lab), x.size, dt).reshape(x.shape)
                if name in ("softmax", "cumsum"):
                    for ax in axes:
                        yield f"{tag}/{lab}/{ax}", partial(fn, x, axis=ax)
                elif name == "sqdist":
                    for ax in axes:
                        yield f"{tag}/{lab}/{ax}", partial(fn, x, y, axis=ax)
                elif name == "dot":
                    yield f"{tag}/{lab}", partial(fn, x.ravel(), y.ravel())
                elif name == "axpy":
                    yield f"{tag}/{lab}", partial(fn, 0.75, x, y)
                elif name == "clip":
                    yield f"{tag}/{lab}", partial(fn, x, -10, 20)
                elif name == "histogram":
                    yield f"{tag}/{lab}", partial(fn, x, bins=37)
                    yield f"{tag}/{lab}/range", partial(fn, x, bins=5, range=(-2.0, 2.5))


# ---------------------------------------------------------------- conv


def _conv_cases(g, name) -> Iterator[Case]:
    fn = getattr(g, name)
    for n in SIZES:
        for dt in FLOATS:
            tag = f"{name}/{n}/{np.dtype(dt).name}"
            if name in ("convolve", "correlate"):
                a = _data((name, "a"), n, dt)
                for k in (1, 5, 64):
                    v = _data((name, "v"), k, dt)
                    for mode in ("full", "same", "valid"):
                        if mode == "valid" and k > n:
                            continue
                        yield f"{tag}/{k}/{mode}", partial(fn, a, v, mode, method="direct")
            elif name in ("convolve2d", "correlate2d"):
                r, c = _square(n)
                a = _data((name, "a"), r * c, dt).reshape(r, c)
                k = _data((name, "k"), 9, dt).reshape(3, 3)
                for mode in ("full", "same", "valid"):
                    if mode == "valid" and (r < 3 or c < 3):
                        continue
                    yield f"{tag}/{mode}", partial(fn, a, k, mode, method="direct")
                yield f"{tag}/symm", partial(fn, a, k, "same", boundary="symm", method="direct")
            elif name == "conv1d":
                x = _data((name, "x"), 2 * 3 * (n // 6), dt).reshape(2, 3, n // 6)
                w = _data((name, "w"), 4 * 3 * 3, dt).reshape(4, 3, 3)
                b = _data((name, "b"), 4, dt)
                yield f"{tag}", partial(fn, x, w, b, padding=1, method="direct")
            elif name == "conv2d":
                s = max(3, int(np.sqrt(max(n, 1) / 6)))
                x = _data((name, "x"), 2 * 3 * s * s, dt).reshape(2, 3, s, s)
                w = _data((name, "w"), 4 * 3 * 9, dt).reshape(4, 3, 3, 3)
                yield f"{tag}", partial(fn, x, w, padding=1, stride=1, method="direct")
                yield f"{tag}/g", partial(fn, x[:, :2], w[:, :1], groups=2, method="direct")


# ---------------------------------------------------------------- driver

_FAMILIES = {
    **{k: _loss_cases for k in ELEMENTWISE},
    "cross_entropy": _rows_cases,
    "nll_loss": _rows_cases,
    **{k: _loop_cases for k in list(_REDUCE) + "dot sqdist softmax cumsum axpy clip histogram".split()},
    **{k: _conv_cases for k in "convolve correlate convolve2d correlate2d conv1d conv2d".split()},
}


def _digest(res) -> str:
    h = hashlib.sha256()

    def feed(r):
        if isinstance(r, tuple):
            h.update(b"(")
            for e in r:
                feed(e)
            h.update(b")")
            return
        a = np.asarray(r)
        h.update(f"{a.dtype.str}{a.shape}".encode())
        h.update(np.ascontiguousarray(a).tobytes())

    feed(res)
    return h.hexdigest()


def _call(call) -> str:
    try:
        return _digest(call())
    except Exception as e:  # the error type is part of the fingerprint
        return f"error:{type(e).__name__}"


def record(only: str | None = None) -> dict[str, str]:
    import gilfree
    from gilfree._registry import KERNELS

    missing = sorted(set(KERNELS) - set(_FAMILIES))
    if missing:
        sys.exit(f"no fingerprint cases for: {', '.join(missing)} (add them to tools/fingerprint.py)")
    out: dict[str, str] = {}
    for name in sorted(KERNELS):
        if only and name not in only.split(","):
            continue
        for label, call in _FAMILIES[name](gilfree, name):
            digests = {}
            for t in THREADS:
                with gilfree.threads(t):
                    digests[t] = _call(call)
            first = digests[THREADS[0]]
            out[label] = first
            for t, d in digests.items():
                if d != first:
                    out[f"{label}@threads={t}"] = d  # a thread-count dependence: shows as a difference
        print(f"{name}: done", file=sys.stderr)
    return out


def compare(a: dict[str, str], b: dict[str, str]) -> int:
    keys = sorted(set(a) | set(b))
    bad = [k for k in keys if a.get(k) != b.get(k)]
    for k in bad[:50]:
        print(f"DIFF {k}: {a.get(k, 'missing')[:16]} != {b.get(k, 'missing')[:16]}")
    print(f"{len(keys) - len(bad)} identical, {len(bad)} different, of {len(keys)}")
    return 1 if bad else 0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--out", help="record every fingerprint into this JSON file")
    g.add_argument("--compare", nargs=2, metavar=("A", "B"), help="compare two recorded files")
    p.add_argument("--only", help="comma-separated kernel names (with --out)")
    args = p.parse_args(argv)
    if args.compare:
        with open(args.compare[0]) as fa, open(args.compare[1]) as fb:
            return compare(json.load(fa), json.load(fb))
    res = record(args.only)
    with open(args.out, "w") as f:
        json.dump(res, f, indent=0, sort_keys=True)
    print(f"{len(res)} fingerprints -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
