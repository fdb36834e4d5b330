"""What every fuzz spec module shares: the Spec record, the size of a huge
broadcast view, and the random array builders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

HUGE = 2**31 + 7  # elements of a huge broadcast view
F32, F64 = np.float32, np.float64
NATIVE = (np.int32, np.int64, np.float32, np.float64)


class ShapeOnly:
    """A peer answer that only fixes the shape (FFT paths on non-finite data
    spread NaN over a tile, as documented: the values are not comparable)."""

    def __init__(self, shape):
        self.shape = tuple(shape)


@dataclass
class Spec:
    base: Callable[[np.random.Generator], dict]
    peer: Callable[[dict], Any]
    rtol64: float = 1e-9
    rtol32: float = 1e-4
    dtype: bool = False  # the result dtype must be the peer's
    semantic: tuple = ()  # peer exceptions that gilfree must share (it must reject too)
    huge: Callable | None = None
    out_nbytes: Callable[[dict], int] | None = None
    slow_huge: bool = False  # its huge-view case costs ~10 s of a core
    run: Callable | None = None  # run(gilfree, call) -> result; default: the kernel called with call


def _shape(rng, lo=1, hi=3, size=6):
    return tuple(int(s) for s in rng.integers(1, size + 1, int(rng.integers(lo, hi + 1))))


def _arr(rng, shape, lo=-3.0, hi=3.0, dtypes=(F32, F64)):
    dt = dtypes[int(rng.integers(len(dtypes)))]
    if np.dtype(dt).kind == "i":
        return rng.integers(-100, 101, shape).astype(dt)
    return rng.uniform(lo, hi, shape).astype(dt)


def _pick(rng, seq):
    return seq[int(rng.integers(len(seq)))]


def _f64(a):
    """a as float64 for a peer (ints included); other dtypes as they are."""
    a = np.asarray(a)
    return a.astype(F64) if a.dtype.kind in "iuf" else a


def _bcast(value, shape):
    return np.broadcast_to(np.asarray(value), shape)
