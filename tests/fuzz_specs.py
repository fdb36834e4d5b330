"""Per-kernel specs of the fuzz battery (tests/fuzz_battery.py): how to build a
VALID random call of each public kernel, and an independent peer (NumPy,
SciPy, torch, or tests/loss_reference.py) that computes the reference.

A spec's ``huge(rng, call)`` returns ``(call, expected, out_nbytes)``: the call
on broadcast views of more than 2**31 elements, a closed-form expected
result (None: the output is > 1 GiB, so only a MemoryError or a result of
the right shape is acceptable) and the bytes of the output it would produce.
"""

from __future__ import annotations

import math

import loss_reference as ref
import numpy as np
from fuzz_specs_base import F32, F64, HUGE, NATIVE, ShapeOnly, Spec, _arr, _bcast, _f64, _pick, _shape  # noqa: F401
from fuzz_specs_loops import (  # noqa: F401
    _array_out_huge,
    _axpy_base,
    _axpy_peer,
    _clip_base,
    _clip_peer,
    _hist_base,
    _hist_huge,
    _hist_nbytes,
    _hist_peer,
    _loop_base,
    _lse_peer,
    _nbytes_of_inputs,
    _norm_peer,
    _np_reduce,
    _pair_base,
    _reduce_huge,
    _softmax_peer,
    _sqdist_peer,
    _var_peer,
)

# ------------------------------------------------------------ elementwise losses

_RANGES = {  # name: (input range, target range)
    "binary_cross_entropy": ((0.01, 0.99), (0.0, 1.0)),
    "kl_div": ((-3.0, 0.0), (0.0, 1.0)),
    "poisson_nll": ((-2.0, 2.0), (0.0, 5.0)),
}
_LOSS_PARAMS = {
    "huber": lambda r: {"delta": float(r.uniform(0.1, 3))},
    "smooth_l1": lambda r: {"beta": float(_pick(r, [0.0, r.uniform(0.1, 2)]))},
    "pinball": lambda r: {"quantile": float(r.uniform(0.05, 0.95))},
    "poisson_nll": lambda r: {
        "log_input": bool(r.integers(2)),
        "full": bool(r.integers(2)),
        "eps": float(_pick(r, [1e-8, r.uniform(0, 1e-3)])),
    },
    "kl_div": lambda r: {"log_target": bool(r.integers(2))},
}
ELEMENTWISE = (
    "mse mae huber smooth_l1 log_cosh pinball poisson_nll binary_cross_entropy "
    "binary_cross_entropy_with_logits kl_div hinge squared_hinge"
).split()


def _loss_base(name):
    def base(rng):
        p = _LOSS_PARAMS.get(name, lambda r: {})(rng)
        shp = _shape(rng)
        (xl, xh), (yl, yh) = _RANGES.get(name, ((-3.0, 3.0), (-3.0, 3.0)))
        if name == "poisson_nll" and not p["log_input"]:
            xl = 0.01
        if name == "kl_div" and p["log_target"]:
            yl, yh = -3.0, 0.0
        x = _arr(rng, shp, xl, xh)
        y = _arr(rng, shp, yl, yh, (x.dtype.type,))
        if name in ("hinge", "squared_hinge"):
            y = rng.choice([-1.0, 1.0], shp).astype(x.dtype)
        reds = ["none", "mean", "sum"] + (["batchmean"] if name == "kl_div" else [])
        call = {"input": x, "target": y, "reduction": _pick(rng, reds), "return_grad": bool(rng.integers(2))}
        if rng.random() < 0.3:
            call["sample_weight"] = _arr(rng, shp, 0.0, 2.0, (x.dtype.type,))
        if name == "binary_cross_entropy_with_logits" and rng.random() < 0.4:
            call["pos_weight"] = _pick(rng, [float(rng.uniform(0.5, 3)), rng.uniform(0.5, 3, shp[-1:])])
        return call | p

    return base


def _sum_to(g, shape):
    """A gradient over the broadcast shape summed back to input's shape (torch's autograd rule)."""
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape) if n != g.shape[lead + i])
    return g.sum(axis=axes).reshape(shape) if axes else g


def _loss_peer(name):
    def peer(c):
        p = {
            k: c[k] for k in ("delta", "beta", "quantile", "log_input", "full", "eps", "log_target") if k in c
        }
        if c.get("pos_weight") is not None:
            p["pos_weight"] = _f64(c["pos_weight"])
        x = np.asarray(c["input"])
        val, grad = ref.elementwise(name, x, c["target"], **p)
        w = None if c["sample_weight"] is None else _f64(c["sample_weight"])
        if w is not None:  # the operands broadcast together (NumPy's rules)
            shape = np.broadcast_shapes(val.shape, w.shape)
            val, grad, w = (np.broadcast_to(a, shape) for a in (val, grad, w))
        val, grad = ref.reduce(val, grad, c["reduction"], w, x.shape[0] if x.ndim else 1)
        return (val, _sum_to(np.asarray(grad), x.shape)) if c["return_grad"] else val

    return peer


def _loss_huge(name):
    def huge(rng, c):
        small = {k: (np.asarray(v).reshape(-1)[:1] if isinstance(v, np.ndarray) else v) for k, v in c.items()}
        if isinstance(c.get("pos_weight"), np.ndarray):
            small["pos_weight"] = float(c["pos_weight"].reshape(-1)[0])
        small["return_grad"] = False
        red = small["reduction"]
        big = {k: (_bcast(v[0], (HUGE,)) if isinstance(v, np.ndarray) else v) for k, v in small.items()}
        out = 0 if red != "none" else HUGE * 8
        if red == "none":
            return big, None, out
        val = _loss_peer(name)(small)
        return big, (val * HUGE if red == "sum" else val), out

    return huge


def _loss_nbytes(c):
    x = c.get("input")
    n = x.size if isinstance(x, np.ndarray) else 1
    return 8 * n * (int(c.get("return_grad") is True) + int(c.get("reduction") == "none"))


# ------------------------------------------------------------ (N, C) losses


def _rows_base(name):
    def base(rng):
        n, k = int(rng.integers(1, 6)), int(rng.integers(1, 7))
        unbatched = rng.random() < 0.2
        shp = (k,) if unbatched else (n, k)
        x = _arr(rng, shp, -4.0, 4.0)
        if name == "nll_loss":
            x = (x - np.log(np.exp(x.astype(F64)).sum(-1, keepdims=True))).astype(x.dtype)
        tdt = _pick(rng, [np.int64, np.int32])
        t = rng.integers(0, k, () if unbatched else (n,)).astype(tdt)
        if name == "cross_entropy" and rng.random() < 0.25:
            t = rng.dirichlet(np.ones(k), () if unbatched else n).astype(x.dtype).reshape(shp)
        call = {"input": x, "target": t, "reduction": _pick(rng, ["none", "mean", "sum"])}
        call["return_grad"] = bool(rng.integers(2))
        if rng.random() < 0.3:
            call["class_weight"] = rng.uniform(0.1, 2, k)
        if rng.random() < 0.3:
            call["sample_weight"] = rng.uniform(0.1, 2, shp[:-1])
        if rng.random() < 0.3:
            call["ignore_index"] = int(rng.integers(0, k))
        if name == "cross_entropy" and rng.random() < 0.3:
            call["label_smoothing"] = float(rng.uniform(0, 1))
        return call

    return base


def _rows_peer(name):
    def peer(c):
        x, t = np.asarray(c["input"]), np.asarray(c["target"])
        if t.dtype.kind in "iu":  # torch: a class index must lie in [0, C) unless ignored
            bad = (t != c["ignore_index"]) & ((t < 0) | (t >= x.shape[-1]))
            if np.any(bad):
                raise IndexError("target: class index out of range")
        kw = {
            "reduction": c["reduction"],
            "class_weight": c["class_weight"],
            "ignore_index": c["ignore_index"],
            "sample_weight": c["sample_weight"],
        }
        if name == "cross_entropy":
            val, grad = ref.cross_entropy(_f64(x), t, label_smoothing=c["label_smoothing"], **kw)
        else:
            val, grad = ref.nll_loss(_f64(x), t, **kw)
        if x.ndim == 1:
            val = val.reshape(()) if isinstance(val, np.ndarray) else val
            grad = grad.reshape(x.shape)
        return (val, grad) if c["return_grad"] else val

    return peer


def _rows_huge(name):
    def huge(rng, c):
        k, n = (2**20, HUGE // 2**20 + 1) if rng.random() < 0.5 else (HUGE, 1)  # many rows, or 2**31 classes
        z = float(rng.uniform(-3, 3))
        big = c | {"input": _bcast(z, (n, k)), "target": np.zeros(n, np.int64), "return_grad": False}
        big |= {"reduction": "mean", "class_weight": None, "sample_weight": None, "ignore_index": -100}
        if name == "cross_entropy":
            big["label_smoothing"] = 0.0
            return big, math.log(k), 0
        return big, -z, 0

    return huge


# ------------------------------------------------------------ 1-d / 2-d convolution

_CONV_DT = (F32, F64, np.int64)


def _np_conv_base(rng):
    long = rng.random() < 0.15
    a = _arr(rng, (int(rng.integers(1, 120 if long else 40)),), dtypes=_CONV_DT)
    v = _arr(rng, (int(rng.integers(1, 90 if long else 12)),), dtypes=_CONV_DT)
    if rng.random() < 0.3:
        a, v = v, a
    return {
        "a": a,
        "v": v,
        "mode": _pick(rng, ["full", "same", "valid"]),
        "method": _pick(rng, ["auto", "direct", "fft"]),
    }


def _fft_maybe(c, arrays):
    """True when the FFT path may run and an input is not finite (or near overflow)."""
    if c["method"] == "direct":
        return False
    fl = [_f64(a) for a in arrays]
    return any(a.dtype.kind == "f" and not np.all(np.abs(a) < 1e300) for a in fl)


def _np_conv_peer(fn):
    def peer(c):
        a, v = _f64(c["a"]), _f64(c["v"])
        with np.errstate(all="ignore"):
            r = fn(a, v, c["mode"])
        return ShapeOnly(r.shape) if _fft_maybe(c, (a, v)) else r

    return peer


def _np_conv_huge(rng, c):
    big = c | {"a": _bcast(float(rng.uniform(-2, 2)), (HUGE,)), "method": "direct"}
    return big, None, HUGE * 8


def _sig2d_base(rng):
    big = rng.random() < 0.15
    in1 = _arr(rng, (int(rng.integers(1, 13)), int(rng.integers(1, 40 if big else 13))), dtypes=_CONV_DT)
    in2 = _arr(
        rng, (int(rng.integers(1, 10 if big else 5)), int(rng.integers(1, 10 if big else 5))), dtypes=_CONV_DT
    )
    if rng.random() < 0.2:
        in1, in2 = in2, in1
    bnd = _pick(rng, ["fill", "wrap", "symm", "pad", "circular", "symmetric"])
    fill = _pick(rng, [0, float(rng.uniform(-2, 2)), int(rng.integers(-3, 4)), np.float64(1.5)])
    return {
        "in1": in1,
        "in2": in2,
        "mode": _pick(rng, ["full", "same", "valid"]),
        "boundary": bnd,
        "fillvalue": fill,
        "method": _pick(rng, ["auto", "direct", "fft"]),
    }


def _sig2d_peer(name):
    def peer(c):
        import scipy.signal

        a, b = _f64(c["in1"]), _f64(c["in2"])
        fn = getattr(scipy.signal, name)
        with np.errstate(all="ignore"):
            r = fn(a, b, c["mode"], c["boundary"], c["fillvalue"])
        fill = np.asarray(c["fillvalue"], dtype=object).reshape(-1)
        nonfinite = _fft_maybe(c, (a, b)) or not all(abs(float(f)) < 1e300 for f in fill if f is not None)
        return ShapeOnly(r.shape) if nonfinite and c["method"] != "direct" else r

    return peer


def _sig2d_huge(rng, c):
    big = c | {"in1": _bcast(1.0, (2**16, 2**15 + 1)), "method": "direct"}
    return big, None, 2**31 * 8


# ------------------------------------------------------------ torch-style conv


def _torch_conv_base(nd):
    def base(rng):
        g = int(rng.integers(1, 3))
        wide = rng.random() < 0.3
        cg, og = (8, 4) if wide else (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
        ks = (3,) * nd if rng.random() < 0.4 else tuple(int(k) for k in rng.integers(1, 5, nd))
        st = tuple(int(s) for s in rng.integers(1, 4, nd))
        dil = tuple(int(d) for d in rng.integers(1, 3, nd))
        pad = _pick(rng, ["int", "same", "valid"])
        if pad == "same":
            st = (1,) * nd
        pads = tuple(int(p) for p in rng.integers(0, 3, nd)) if pad == "int" else (0,) * nd
        lo = [d * (k - 1) + 1 - 2 * p for d, k, p in zip(dil, ks, pads)]
        sizes = tuple(max(1, m) + int(rng.integers(0, 12 if nd == 1 else 6)) for m in lo)
        n = int(rng.integers(1, 4))
        xs = (g * cg, *sizes) if rng.random() < 0.2 else (n, g * cg, *sizes)
        x = _arr(rng, xs)
        call = {"input": x, "weight": _arr(rng, (g * og, cg, *ks), dtypes=(x.dtype.type,)), "groups": g}
        call["bias"] = _arr(rng, (g * og,), dtypes=(x.dtype.type,)) if rng.random() < 0.5 else None
        call["stride"] = st if rng.random() < 0.5 else st[0]
        call["dilation"] = dil if rng.random() < 0.5 else dil[0]
        call["padding"] = pad if pad != "int" else (pads if rng.random() < 0.5 else pads[0])
        meths = ["auto", "direct", "gemm"]
        if nd == 2 and ks == (3, 3) and set(st) == {1} and set(dil) == {1}:
            meths.append("winograd")
        call["method"] = _pick(rng, meths)
        return call

    return base


def _torch_conv_peer(nd):
    def peer(c):
        import torch

        def t(a):
            return None if a is None else torch.from_numpy(np.array(_f64(a)))

        fn = getattr(torch.nn.functional, f"conv{nd}d")
        with torch.no_grad():
            r = fn(
                t(c["input"]),
                t(c["weight"]),
                t(c["bias"]),
                c["stride"],
                c["padding"],
                c["dilation"],
                c["groups"],
            )
        return r.numpy()

    return peer


def _tuple(x, nd):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,) * nd


def _torch_conv_nbytes(nd):
    def nbytes(c):
        try:
            x, w = np.asarray(c["input"]), np.asarray(c["weight"])
            st, dil = _tuple(c["stride"], nd), _tuple(c["dilation"], nd)
            pad = (0,) * nd if isinstance(c["padding"], str) else _tuple(c["padding"], nd)
            outs = [
                (n + 2 * p - d * (k - 1) - 1) // s + 1
                for n, p, d, k, s in zip(x.shape[-nd:], pad, dil, w.shape[2:], st)
            ]
            return 8 * math.prod(x.shape[: -nd - 1]) * w.shape[0] * math.prod(max(o, 1) for o in outs)
        except Exception:
            return 0

    return nbytes


def _torch_conv_huge(nd):
    def huge(rng, c):
        z = float(rng.uniform(-2, 2))
        w = rng.uniform(-1, 1, (1, 1) + (3,) * nd)
        sizes = (HUGE,) if nd == 1 else (2**16, 2**15 + 1)
        st = 2 ** int(rng.integers(12, 31 if nd == 1 else 16)) + int(rng.integers(0, 3))
        big = {"input": _bcast(z, (1, 1, *sizes)), "weight": w, "bias": None, "stride": st, "padding": 0}
        big |= {"dilation": 1, "groups": 1, "method": _pick(rng, ["direct", "gemm"])}
        outs = tuple((n - 3) // st + 1 for n in sizes)
        return big, np.full((1, 1, *outs), z * w.sum()), 8 * math.prod(outs)

    return huge


# ------------------------------------------------------------ the table


def _build():
    specs = {}
    for name in ELEMENTWISE:
        specs[name] = Spec(
            _loss_base(name), _loss_peer(name), huge=_loss_huge(name), out_nbytes=_loss_nbytes, slow_huge=True
        )
    for name in ("cross_entropy", "nll_loss"):
        specs[name] = Spec(
            _rows_base(name),
            _rows_peer(name),
            semantic=(IndexError,),
            huge=_rows_huge(name),
            out_nbytes=_loss_nbytes,
            slow_huge=True,
        )
    for name, fn in (("convolve", np.convolve), ("correlate", np.correlate)):
        specs[name] = Spec(
            _np_conv_base, _np_conv_peer(fn), rtol64=1e-8, semantic=(ValueError,), huge=_np_conv_huge
        )
    for name in ("convolve2d", "correlate2d"):
        specs[name] = Spec(
            _sig2d_base, _sig2d_peer(name), rtol64=1e-8, semantic=(ValueError,), huge=_sig2d_huge
        )
    for nd in (1, 2):
        specs[f"conv{nd}d"] = Spec(
            _torch_conv_base(nd),
            _torch_conv_peer(nd),
            rtol64=1e-8,
            semantic=(RuntimeError,),
            huge=_torch_conv_huge(nd),
            out_nbytes=_torch_conv_nbytes(nd),
        )
    empty_err = (ValueError,)
    red = {
        "sum": (np.sum, (), lambda c, n: c.astype(np.int64) * n if c.dtype.kind == "i" else float(c) * n),
        "mean": (np.mean, (), lambda c, n: float(c)),
        "min": (np.min, empty_err, lambda c, n: c),
        "max": (np.max, empty_err, lambda c, n: c),
        "argmin": (np.argmin, empty_err, lambda c, n: 0),
        "argmax": (np.argmax, empty_err, lambda c, n: 0),
    }
    for name, (fn, sem, closed) in red.items():
        specs[name] = Spec(_loop_base(), _np_reduce(fn), dtype=True, semantic=sem, huge=_reduce_huge(closed))
    for name in ("var", "std"):
        ddof = lambda r: {"ddof": _pick(r, [0, 1, 0.5])}  # noqa: E731
        specs[name] = Spec(_loop_base(ddof), _var_peer(name), dtype=True, huge=_reduce_huge(lambda c, n: 0.0))
    specs["logsumexp"] = Spec(_loop_base(), _lse_peer, huge=_reduce_huge(lambda c, n: float(c) + math.log(n)))
    ords = {
        1: lambda c, n: abs(float(c)) * n,
        2: lambda c, n: abs(float(c)) * math.sqrt(n),
        np.inf: lambda c, n: abs(float(c)),
    }

    def norm_huge(rng, call):
        big, _, nb = _reduce_huge(lambda c, n: 0)(rng, call)
        c = big["x"].reshape(-1)[0]
        return big, ords[call["ord"]](c, HUGE), nb

    ordx = lambda r: {"ord": _pick(r, [1, 2, np.inf])}  # noqa: E731
    specs["norm"] = Spec(_loop_base(ordx), _norm_peer, semantic=empty_err, huge=norm_huge)
    specs["softmax"] = Spec(
        lambda r: {"x": _arr(r, _shape(r), dtypes=NATIVE), "axis": _pick(r, [-1, None, 0])},
        _softmax_peer,
        huge=_array_out_huge,
        out_nbytes=_nbytes_of_inputs,
    )
    specs["cumsum"] = Spec(
        lambda r: {"x": _arr(r, _shape(r), dtypes=NATIVE), "axis": _pick(r, [None, 0, -1])},
        lambda c: np.cumsum(c["x"], axis=c["axis"]),
        dtype=True,
        huge=_array_out_huge,
        out_nbytes=_nbytes_of_inputs,
    )
    specs["dot"] = Spec(
        _pair_base(False), lambda c: np.dot(c["a"], c["b"]), dtype=True, huge=_reduce_huge_pair("dot")
    )
    specs["sqdist"] = Spec(_pair_base(True), _sqdist_peer, huge=_reduce_huge_pair("sqdist"))
    specs["axpy"] = Spec(_axpy_base, _axpy_peer, huge=_array_out_huge, out_nbytes=_nbytes_of_inputs)
    specs["clip"] = Spec(
        _clip_base, _clip_peer, dtype=True, huge=_array_out_huge, out_nbytes=_nbytes_of_inputs
    )
    specs["histogram"] = Spec(_hist_base, _hist_peer, dtype=True, huge=_hist_huge, out_nbytes=_hist_nbytes)
    return specs


def _reduce_huge_pair(name):
    def huge(rng, call):
        c1, c2 = float(rng.uniform(-2, 2)), float(rng.uniform(-2, 2))
        big = call | {"a": _bcast(c1, (HUGE,)), "b": _bcast(c2, (HUGE,))}
        if name == "sqdist":
            big |= {"axis": None, "keepdims": False}
            return big, (c1 - c2) ** 2 * HUGE, 0
        return big, c1 * c2 * HUGE, 0

    return huge


# ------------------------------------------------------------ runtime helpers

_PROBE = np.arange(100_000, dtype=F64)


def _threads_run(which):
    def run(gilfree, c):
        old = gilfree.get_num_threads()
        try:
            if which == "set_num_threads":
                r = gilfree.set_num_threads(c["n"])
                got, s = gilfree.get_num_threads(), gilfree.sum(_PROBE)
            else:
                with gilfree.threads(c["n"]):
                    r, got, s = None, gilfree.get_num_threads(), gilfree.sum(_PROBE)
        finally:
            gilfree.set_num_threads(old)
        return (r, got, s)

    return run


def _threads_peer(c):
    import operator

    n = c["n"]
    if isinstance(n, bool):
        raise TypeError("n: bool")
    n = operator.index(n)
    if n < 1:
        raise ValueError("n: must be >= 1")
    return (None, n, float(np.sum(_PROBE)))


def _threads_spec(which):
    return Spec(lambda r: {"n": int(r.integers(1, 4))}, _threads_peer, run=_threads_run(which))


SPECS = _build()
SPECS["set_num_threads"] = _threads_spec("set_num_threads")
SPECS["threads"] = _threads_spec("threads")
