"""What every public kernel must have (gilfree._registry.KERNELS): identical
bits for 1 and N threads, an awaitable twin whose result equals the sync one,
and cancellation that stops the native work. A kernel missing from SAMPLES
fails here: adding a kernel means adding its sample arguments."""

from __future__ import annotations

import asyncio
import time

import gilfree
import numpy as np
import pytest
from gilfree._context import TOKEN
from gilfree._registry import KERNELS

LARGE = 300_000  # elements: several chunks of every family, above the parallel threshold
HUGE = 10**11  # elements of a broadcast view: hours of work, no memory


def _vec(n, lo=-2.0, hi=2.0, seed=0):
    return np.random.default_rng(seed).uniform(lo, hi, n)


def _bcast(value, shape):
    return np.broadcast_to(np.float64(value), shape)


def _loss(lo=-2.0, hi=2.0, tlo=-2.0, thi=2.0, **kw):
    """An elementwise loss: (input, target) of n elements, reduction mean."""

    def make(n):
        return (_vec(n, lo, hi, 1), _vec(n, tlo, thi, 2)), kw

    def huge():
        return (_bcast((lo + hi) / 2, (HUGE,)), _bcast((tlo + thi) / 2, (HUGE,))), kw

    return make, huge


def _rows(make_target):
    def make(n):
        c = 10
        return (_vec((n // c, c)), make_target(n // c, c)), {}

    def huge():  # nll_loss reads one class per row: the rows must be many, too
        n, c = HUGE // 10, 10
        return (_bcast(0.5, (n, c)), np.broadcast_to(np.int64(0), (n,))), {}

    return make, huge


def _reduction(**kw):
    def make(n):
        return (_vec(n),), kw

    def huge():
        return (_bcast(0.5, (HUGE,)),), kw

    return make, huge


def _pair(**kw):
    def make(n):
        return (_vec(n, seed=1), _vec(n, seed=2)), kw

    def huge():
        return (_bcast(0.5, (HUGE,)), _bcast(0.25, (HUGE,))), kw

    return make, huge


def _elementwise_out(make):
    """A kernel whose output is as large as its input: no broadcast view of
    hours of work fits in memory, so its cancellation is checked with a
    token cancelled before the call (it still runs chunk by chunk)."""
    return make, None


def _conv1d_np(n):
    return (_vec(n), _vec(64, seed=3)), {"method": "direct"}


def _conv2d_signal(n):
    side = int(n**0.5)
    return (_vec((side, side)), _vec((5, 5), seed=3)), {"method": "direct"}


# Few taps per output keep each chunk short (under a sanitizer too); the
# calls still have hundreds of chunks.
def _huge_1d():
    return (_bcast(0.5, (4 * 10**6,)), _bcast(0.25, (256,))), {"mode": "valid", "method": "direct"}


def _huge_2d():
    return (_bcast(0.5, (3000, 3000)), _bcast(0.25, (16, 16))), {"mode": "valid", "method": "direct"}


def _torch(nd):
    def make(n):
        side = n // 8 if nd == 1 else int((n // 8) ** 0.5)
        x = _vec((2, 4) + (side,) * nd)
        return (x, _vec((8, 4) + (3,) * nd, seed=3)), {"padding": 1}

    def huge():
        side = 4 * 10**6 if nd == 1 else 3000
        # a chunk holds up to 8192 outputs of a row: few taps keep it short
        # (well under a millisecond; still short under a sanitizer), while
        # the call has hundreds of chunks
        k = 256 if nd == 1 else 16
        return (_bcast(0.5, (1, 1) + (side,) * nd), _bcast(0.25, (1, 1) + (k,) * nd)), {"method": "direct"}

    return make, huge


SAMPLES = {
    "convolve": (_conv1d_np, _huge_1d),
    "correlate": (_conv1d_np, _huge_1d),
    "convolve2d": (_conv2d_signal, _huge_2d),
    "correlate2d": (_conv2d_signal, _huge_2d),
    "conv1d": _torch(1),
    "conv2d": _torch(2),
    "clip": _elementwise_out(lambda n: ((_vec(n), -1.0, 1.0), {})),
    "histogram": (
        lambda n: ((_vec(n),), {"bins": 16, "range": (-2.0, 2.0)}),
        lambda: ((_bcast(0.5, (HUGE,)),), {"bins": 16, "range": (0.0, 1.0)}),
    ),
    "sum": _reduction(),
    "mean": _reduction(),
    "var": _reduction(ddof=1),
    "std": _reduction(),
    "min": _reduction(),
    "max": _reduction(),
    "argmin": _reduction(),
    "argmax": _reduction(),
    "dot": _pair(),
    "sqdist": _pair(),
    "norm": _reduction(ord=1),
    "logsumexp": _reduction(),
    "softmax": _elementwise_out(lambda n: ((_vec((n // 100, 100)),), {})),
    "cumsum": _elementwise_out(lambda n: ((_vec(n),), {})),
    "axpy": _elementwise_out(lambda n: ((0.5, _vec(n, seed=1), _vec(n, seed=2)), {})),
    "mse": _loss(),
    "mae": _loss(),
    "huber": _loss(delta=0.5),
    "smooth_l1": _loss(beta=0.5),
    "log_cosh": _loss(),
    "pinball": _loss(quantile=0.3),
    "poisson_nll": _loss(tlo=0.0, thi=4.0),
    "binary_cross_entropy": _loss(lo=0.05, hi=0.95, tlo=0.0, thi=1.0),
    "binary_cross_entropy_with_logits": _loss(tlo=0.0, thi=1.0),
    "kl_div": _loss(lo=-3.0, hi=0.0, tlo=0.0, thi=1.0),
    "hinge": _loss(),
    "squared_hinge": _loss(),
    "cross_entropy": _rows(lambda n, c: np.random.default_rng(4).integers(0, c, n)),
    "nll_loss": _rows(lambda n, c: np.random.default_rng(4).integers(0, c, n)),
}

NAMES = sorted(KERNELS)


def _same(a, b):
    """Identical values and dtypes, bit for bit (NaN equal to NaN); tuples
    (histogram's counts and edges) item by item."""
    if isinstance(a, tuple):
        return isinstance(b, tuple) and len(a) == len(b) and all(map(_same, a, b))
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def test_every_kernel_has_samples():
    assert sorted(SAMPLES) == NAMES, "every public kernel needs sample arguments in SAMPLES"


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("size", [1000, LARGE])
def test_bits_do_not_depend_on_threads(name, size):
    args, kwargs = SAMPLES[name][0](size)
    fn = KERNELS[name]
    with gilfree.threads(1):
        one = fn(*args, **kwargs)
    for n in (2, 4):
        with gilfree.threads(n):
            assert _same(fn(*args, **kwargs), one), f"{name}: threads({n}) differs from threads(1)"


@pytest.mark.asyncio
@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("size", [1000, LARGE])
async def test_awaitable_equals_sync(name, size):
    args, kwargs = SAMPLES[name][0](size)
    got = await getattr(gilfree.aio, name)(*args, **kwargs)
    assert _same(got, KERNELS[name](*args, **kwargs))


@pytest.mark.parametrize("name", [n for n in NAMES if SAMPLES[n][1] is None])
def test_cancelled_token_stops_a_kernel(name):
    args, kwargs = SAMPLES[name][0](LARGE)
    tok = gilfree.runtime.Token()
    tok.cancel()
    reset = TOKEN.set(tok)
    try:
        with gilfree.threads(2), pytest.raises(gilfree.KernelCancelled):
            KERNELS[name](*args, **kwargs)
    finally:
        TOKEN.reset(reset)


@pytest.mark.asyncio
@pytest.mark.parametrize("name", [n for n in NAMES if SAMPLES[n][1] is not None])
async def test_cancel_stops_a_running_kernel(name):
    args, kwargs = SAMPLES[name][1]()
    seen = {}

    def work():
        seen["token"] = TOKEN.get()
        return KERNELS[name](*args, **kwargs)

    gilfree.aio.set_limits(max_in_flight=1)
    try:
        task = asyncio.create_task(gilfree.aio.run(work))
        deadline = time.monotonic() + 60
        # the kernel has started: it has planned its chunks (under a sanitizer
        # one chunk of the largest samples can take longer than the deadline)
        while "token" not in seen or seen["token"].chunks_total < 1:
            assert time.monotonic() < deadline and not task.done(), f"{name}: did not start"
            await asyncio.sleep(0.002)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        # the one executor thread comes free: a hung kernel would make this time out
        small = await asyncio.wait_for(gilfree.aio.run(lambda: seen["token"].cancelled), timeout=30)
        assert small is True
        tok = seen["token"]
        assert tok.chunks_done < tok.chunks_total
    finally:
        gilfree.aio.set_limits()


def test_binding_rejects_an_address_for_a_token():
    from gilfree._cyx import _loops

    with pytest.raises(TypeError, match="token"):
        _loops.run_reduce(_loops.ReduceKind.sum, np.ones(3), None, 0, 0.0, 1, 12345)
