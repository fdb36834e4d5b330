"""The oracle of the fuzz battery (tests/fuzz_battery.py): judges one case's
outcome in the process that ran it.

- TypeError/ValueError: PASS if the message names an argument of the call
  (``x: ...``, ``'x'``, ``x=``); an AxisError may name ``axis`` its own way;
- MemoryError: PASS only if the output would be > 1 GiB;
- any other exception (or a RuntimeWarning raised from gilfree's code, an
  error under the project's pytest settings): FAIL; so is an input modified
  by a call that then raised;
- a result: it must agree with the peer; a peer that rejects the input is
  fine unless the spec marks that rejection semantic. Tolerances: the spec's
  rtol64 / rtol32 (float32 results), relative to each element plus the
  largest finite peer value (errors of sums and FFTs scale with the data);
  NaN positions and infinities must match exactly.
"""

from __future__ import annotations

import dataclasses
import re
import traceback
import warnings

import fuzz_specs as fs
import numpy as np

GIB = 2**30


def _signature_names(name):
    import inspect

    import gilfree

    return list(inspect.signature(getattr(gilfree, name)).parameters)


def _named(msg, names, exc):
    """The argument names a message mentions ("x: ...", "'x'", "x=", ...)."""
    found = [n for n in names if re.search(rf"(^|[\s'\"`(,]){re.escape(n)}([:='\"`),]|$)", msg)]
    if isinstance(exc, np.exceptions.AxisError) and "axis" in names and "axis" in msg:
        found.append("axis")
    return found


def _snapshot(call):
    return {k: (v.copy() if isinstance(v, np.ndarray) and v.nbytes < 2**26 else v) for k, v in call.items()}


def _changed(call, snap):
    for k, v in call.items():
        s = snap[k]
        if k == "out" or not isinstance(v, np.ndarray) or v is s or v.dtype.kind not in "biuf":
            continue
        if not np.array_equal(v, s, equal_nan=v.dtype.kind == "f"):
            return k
    return None


def _judge_error(case, exc, snap):
    msg = f"{type(exc).__name__}: {str(exc)[:300]}"
    changed = _changed(case.call, snap)
    if changed:
        return False, f"{msg} -- but {changed} was modified before the error"
    if isinstance(exc, MemoryError):
        if case.out_nbytes > GIB:
            return True, msg
        return False, f"{msg} -- the output would be only {case.out_nbytes} bytes"
    if isinstance(exc, (TypeError, ValueError)):
        names = _named(str(exc), _signature_names(case.name), exc)
        if not names:
            return False, f"{msg} -- the message names no argument"
        return True, msg + (
            "" if case.arg in names or case.arg is None else f" [names {names}, not {case.arg}]"
        )
    return False, msg


def _first(mask):
    return tuple(int(i) for i in np.argwhere(mask)[0]) if mask.ndim else ()


def _compare_arrays(res, ref, spec, path):
    a, b = np.asarray(res), np.asarray(ref)
    if a.shape != b.shape:
        return f"{path}: shape {a.shape}, peer {b.shape}"
    # the dtype policy (README): float16 is computed and returned in float32
    if spec.dtype and a.dtype != b.dtype and not (a.dtype == np.float32 and b.dtype == np.float16):
        return f"{path}: dtype {a.dtype}, peer {b.dtype}"
    if a.dtype.kind in "biu" and b.dtype.kind in "biu":
        bad = a != b
        return f"{path}: at {_first(bad)} {a[bad].flat[0]}, peer {b[bad].flat[0]}" if np.any(bad) else None
    if a.dtype.kind not in "biuf" or b.dtype.kind not in "biuf":
        return f"{path}: dtype {a.dtype}, peer {b.dtype} (not comparable)"
    if a.dtype.kind == "f" and b.dtype.kind == "f" and a.dtype.itemsize < b.dtype.itemsize:
        with np.errstate(
            over="ignore"
        ):  # the peer's value as the result's dtype holds it (1e60 -> inf in float32)
            b = b.astype(a.dtype)
    if a.dtype == np.float32 and b.dtype == np.float16:  # compared at the peer's precision
        a = a.astype(np.float16)
    x, y = a.astype(np.float64), b.astype(np.float64)
    rtol = (
        spec.rtol32 if np.float32 in (a.dtype.type, b.dtype.type) and a.dtype != np.float64 else spec.rtol64
    )
    fin = np.isfinite(y)
    scale = float(np.max(np.abs(y[fin]), initial=0.0)) or 1.0
    with np.errstate(invalid="ignore"):
        bad = (np.isnan(x) != np.isnan(y)) | (np.isinf(y) & (x != y)) | (np.isinf(x) & ~np.isinf(y))
        bad |= fin & np.isfinite(x) & (np.abs(x - y) > rtol * (np.abs(y) + scale))
    if np.any(bad):
        j = _first(bad)
        return (
            f"{path}: at {j} {x[j]!r}, peer {y[j]!r} (rtol {rtol:g}, {int(bad.sum())} of {bad.size} differ)"
        )
    return None


def compare(res, ref, spec, path="result"):
    """None when res agrees with ref, else what differs."""
    if isinstance(ref, tuple):
        if not isinstance(res, tuple) or len(res) != len(ref):
            return f"{path}: expected a {len(ref)}-tuple, got {type(res).__name__}"
        for k, (a, b) in enumerate(zip(res, ref)):
            err = compare(a, b, spec, f"{path}[{k}]")
            if err:
                return err
        return None
    if ref is None or res is None:
        return None if res is ref else f"{path}: {res!r}, peer {ref!r}"
    if isinstance(ref, fs.ShapeOnly):
        shape = np.shape(res)
        return None if shape == ref.shape else f"{path}: shape {shape}, peer {ref.shape}"
    return _compare_arrays(res, ref, spec, path)


def _judge_result(case, res, snap, spec):
    out = case.call.get("out")
    if isinstance(out, np.ndarray) and isinstance(res, np.ndarray) and res is not out:
        if not np.array_equal(out, res, equal_nan=res.dtype.kind == "f"):
            return False, "returned a result but did not write it to out="
    if case.kind == "huge":
        if case.expected is None:
            return True, "result of a huge view (no closed form)"
        err = compare(
            res, case.expected, dataclasses.replace(spec, dtype=False)
        )  # closed forms are Python numbers
        return err is None, err or "agrees with the closed form"
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = spec.peer(snap)
    except Exception as exc:
        what = f"{type(exc).__name__}: {str(exc)[:200]}"
        if isinstance(exc, spec.semantic):
            return False, f"returned a result where the peer rejects the input ({what})"
        return True, f"peer rejects ({what}); gilfree accepts"
    err = compare(res, ref, spec)
    return err is None, err or "agrees with the peer"


def run_case(case, gilfree, verbose=False):
    """(ok, outcome) of one case, in this process."""
    spec = fs.SPECS[case.name]
    snap = _snapshot(case.call)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("error", category=RuntimeWarning, module="gilfree")
            res = spec.run(gilfree, case.call) if spec.run else getattr(gilfree, case.name)(**case.call)
    except Exception as exc:
        if verbose:
            traceback.print_exc()
        return _judge_error(case, exc, snap)
    return _judge_result(case, res, snap, spec)


def _record(case, ok, outcome):
    return {
        "index": case.index,
        "name": case.name,
        "kind": case.kind,
        "desc": case.desc,
        "ok": bool(ok),
        "outcome": outcome,
        "repro": case.repro,
    }
