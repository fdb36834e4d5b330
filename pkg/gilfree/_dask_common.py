"""What every gilfree.dask function shares: the task wrapper (threads per
task, cancellation on a distributed worker), Dask arguments and their
chunks, and exact float64 partial states."""

from __future__ import annotations

import contextlib
import functools
import threading
import time

import dask.array as da
import numpy as np

from . import _validate as v
from ._context import TOKEN, Token, check_count
from .runtime import threads

_F32 = np.dtype(np.float32)

# ------------------------------------------------------------------ tasks


def _check_threads(n: object) -> int | None:
    """threads_per_task: None (gilfree's process-wide setting) or an int >= 1."""
    return None if n is None else check_count(n, "threads_per_task")


class _Watcher:
    """One daemon thread per worker process: every 50 ms it looks up the
    Dask tasks running gilfree kernels and cancels the token of those whose
    key the worker no longer wants (a cancelled or released future), so the
    native work stops at its next chunk."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[int, tuple] = {}
        self._thread: threading.Thread | None = None

    def add(self, worker, key, token) -> int:
        with self._lock:
            ident = id(token)
            self._running[ident] = (worker, key, token)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="gilfree-dask-watcher", daemon=True)
                self._thread.start()
        return ident

    def remove(self, ident: int) -> None:
        with self._lock:
            self._running.pop(ident, None)

    def _run(self) -> None:
        while True:
            time.sleep(0.05)
            with self._lock:
                running = list(self._running.values())
            for worker, key, token in running:
                ts = worker.state.tasks.get(key)
                if ts is None or ts.state not in ("executing", "long-running", "resumed"):
                    token.cancel()


_WATCHER = _Watcher()


def _distributed_task():
    """(worker, key) of the Dask task running on this thread, else None."""
    try:
        from distributed.worker import get_worker, thread_state
    except ImportError:
        return None
    key = getattr(thread_state, "key", None)
    if key is None:
        return None
    try:
        return get_worker(), key
    except ValueError:
        return None


def _in_task(n, fn, *args, computing_meta=False, **kwargs):
    """fn(*args, **kwargs) on n compute threads (None: gilfree's setting);
    on a distributed worker, cancelling the task's future stops the kernel.
    When Dask only infers a result's type (computing_meta), the block itself."""
    if computing_meta:
        return args[0]
    limit = contextlib.nullcontext() if n is None else threads(n)
    where = _distributed_task()
    if where is None:
        with limit:
            return fn(*args, **kwargs)
    token = Token()
    reset = TOKEN.set(token)
    ident = _WATCHER.add(*where, token)
    try:
        with limit:
            return fn(*args, **kwargs)
    finally:
        _WATCHER.remove(ident)
        TOKEN.reset(reset)


def task(fn, n):
    """fn wrapped to run as a Dask task on n threads (picklable)."""
    return functools.partial(_in_task, n, fn)


# ------------------------------------------------------------------ arguments


def as_dask(x: object, name: str) -> da.Array:
    """x as a Dask array (a NumPy array-like becomes one chunk)."""
    if isinstance(x, da.Array):
        return x
    return da.asarray(v.as_array(x, name))


def float_dtype(x: da.Array, name: str) -> np.dtype:
    """The dtype gilfree's losses and conv compute x in (TypeError as in memory)."""
    return v.as_float(np.empty(0, x.dtype), name).dtype


def align(ref: da.Array, other: object, name: str, refname: str) -> da.Array:
    """other as a Dask array of ref's shape and chunks. A NumPy array-like
    of a shape that broadcasts to ref's is split into ref's chunks; a Dask
    array must have them already (its size-1 axes excepted): else a
    ValueError naming `name`."""
    is_dask = isinstance(other, da.Array)
    if not is_dask:
        other = v.as_array(other, name)
    try:
        fits = np.broadcast_shapes(other.shape, ref.shape) == ref.shape and other.ndim <= ref.ndim
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(
            f"{name}: expected shape {ref.shape} (the shape of {refname}) or one that broadcasts to it, "
            f"got {other.shape}"
        )
    lead = ref.ndim - other.ndim
    want = tuple(
        ref.chunks[lead + j] if n == ref.shape[lead + j] else (n,) for j, n in enumerate(other.shape)
    )
    if not is_dask:
        other = da.from_array(other, chunks=want)
    elif other.chunks != want:
        raise ValueError(
            f"{name}: expected the chunks of {refname}, {want}, got {other.chunks}; "
            f"rechunk it with .rechunk({want})"
        )
    return other if other.shape == ref.shape else da.broadcast_to(other, ref.shape, chunks=ref.chunks)


def whole_axis(x: da.Array, axis: int, name: str, what: str) -> None:
    """ValueError naming `name` when x is chunked along axis."""
    if len(x.chunks[axis]) > 1:
        raise ValueError(
            f"{name}: {what} needs axis {axis} in one chunk, got {len(x.chunks[axis])} chunks "
            f"{x.chunks[axis]}; rechunk with x.rechunk({{{axis}: -1}})"
        )


def f64(block: np.ndarray) -> np.ndarray:
    """A float32 block as float64 (a float64 partial state is exact; the
    kernels compute in float64 either way), anything else unchanged."""
    return block.astype(np.float64) if block.dtype == _F32 else block
