"""gilfree.conv and the runtime: thread-count independence, asyncio, cancellation."""

import asyncio
import threading

import gilfree
import numpy as np
import pytest
from gilfree._context import TOKEN
from gilfree._cyx import _runtime as _rt
from gilfree.runtime import KernelCancelled, Token


@pytest.fixture
def always_parallel():
    old = _rt.get_parallel_threshold()
    _rt.set_parallel_threshold(0)  # even small calls go to the pool
    yield
    _rt.set_parallel_threshold(old)


def _calls(rng):
    a, v = rng.standard_normal(30000), rng.standard_normal(37)
    img, ker = rng.standard_normal((300, 257)), rng.standard_normal((5, 6))
    x, w = rng.standard_normal((3, 4, 40, 33)), rng.standard_normal((6, 2, 3, 3))
    return [
        lambda m: gilfree.convolve(a, v, "same", method=m),
        lambda m: gilfree.correlate(v, a, "full", method=m),
        lambda m: gilfree.convolve2d(img, ker, "same", "symm", method=m),
        lambda m: gilfree.correlate2d(img, ker, "full", "fill", 2.0, method=m),
        lambda m: gilfree.conv1d(x[:, :, 0], w[:, :, 0], stride=2, groups=2, method=m),
        lambda m: gilfree.conv2d(x.astype(np.float32), w.astype(np.float32), padding=1, groups=2, method=m),
    ]


@pytest.mark.parametrize("i", range(6))
def test_direct_paths_bitwise_identical_for_any_thread_count(always_parallel, i):
    call = _calls(np.random.default_rng(i))[i]
    with gilfree.threads(1):
        one = call("direct")
    for n in (2, 3, 7):
        with gilfree.threads(n):
            np.testing.assert_array_equal(call("direct"), one)


def test_fft_and_gemm_deterministic_across_threads(always_parallel):
    calls = _calls(np.random.default_rng(9))
    for call, method in ((calls[0], "fft"), (calls[2], "fft"), (calls[5], "gemm"), (calls[5], "winograd")):
        with gilfree.threads(1):
            one = call(method)
        with gilfree.threads(4):
            np.testing.assert_array_equal(call(method), one)


def test_aio_names_exist():
    for name in gilfree.conv.__all__:
        assert name in gilfree.__all__
        assert callable(getattr(gilfree.aio, name))


@pytest.mark.asyncio
async def test_awaited_results_equal_sync():
    rng = np.random.default_rng(5)
    a, v = rng.standard_normal(1000), rng.standard_normal(9)
    img, ker = rng.standard_normal((40, 50)), rng.standard_normal((3, 4))
    x, w = rng.standard_normal((2, 3, 12, 12)), rng.standard_normal((4, 3, 3, 3))
    pairs = [
        ("convolve", (a, v), {"mode": "same"}),
        ("correlate", (a, v), {}),
        ("convolve2d", (img, ker), {"boundary": "wrap"}),
        ("correlate2d", (img, ker), {"mode": "same"}),
        ("conv1d", (x[:, :, 0], w[:, :, 0]), {"padding": 1}),
        ("conv2d", (x, w), {"stride": 2, "bias": np.ones(4)}),
    ]
    results = await asyncio.gather(*(getattr(gilfree.aio, n)(*args, **kw) for n, args, kw in pairs))
    for (name, args, kw), got in zip(pairs, results):
        np.testing.assert_array_equal(got, getattr(gilfree, name)(*args, **kw))


def _huge_conv2d():
    # zero-stride views: a large problem without the memory (about 1e11 multiply-adds)
    x = np.broadcast_to(np.float64(1.0), (1, 256, 300, 300))
    w = np.broadcast_to(np.float64(1e-3), (16, 256, 11, 11))
    return gilfree.conv2d(x, w)


def test_cancelling_a_large_conv2d_stops_it_early():
    tok = Token()
    outcome = {}

    def work():
        TOKEN.set(tok)
        try:
            _huge_conv2d()
            outcome["result"] = "finished"
        except KernelCancelled:
            outcome["result"] = "cancelled"

    th = threading.Thread(target=work)
    th.start()
    while tok.chunks_done == 0 and th.is_alive():
        th.join(0.005)
    tok.cancel()
    th.join(60)
    assert not th.is_alive()
    assert outcome["result"] == "cancelled"
    assert 0 < tok.chunks_done < tok.chunks_total


@pytest.mark.asyncio
async def test_cancelling_the_await_stops_the_native_work():
    seen = {}
    stopped = threading.Event()

    def fn():
        seen["token"] = TOKEN.get()
        try:
            return _huge_conv2d()
        finally:
            stopped.set()

    task = asyncio.ensure_future(gilfree.aio.run(fn))
    while "token" not in seen or seen["token"].chunks_done == 0:
        await asyncio.sleep(0.005)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await asyncio.get_running_loop().run_in_executor(None, stopped.wait, 60)
    tok = seen["token"]
    assert tok.cancelled and tok.chunks_done < tok.chunks_total


def test_a_huge_kernel_is_cut_into_short_chunks():
    # 1-d direct convolution with a 2e5-tap kernel: each output is 2e5
    # multiply-adds. A chunk must stay a bounded amount of work whatever the
    # taps (it is the cancel latency): at most 2**24 multiply-adds a row
    # segment, or 256 outputs, whichever is more. Before the bound a chunk held
    # 8192 outputs (1.6e9 multiply-adds, seconds under a sanitizer).
    taps, n = 200_000, 400_000
    a = np.broadcast_to(np.float64(1.0), (n,))
    v = np.broadcast_to(np.float64(1e-3), (taps,))
    outputs = n - taps + 1
    tok = Token()
    outcome = {}

    def work():
        TOKEN.set(tok)
        try:
            gilfree.convolve(a, v, mode="valid", method="direct")
            outcome["result"] = "finished"
        except KernelCancelled:
            outcome["result"] = "cancelled"

    th = threading.Thread(target=work)
    th.start()
    while tok.chunks_total == 0 and th.is_alive():
        th.join(0.002)
    total = tok.chunks_total
    tok.cancel()
    th.join(60)
    assert not th.is_alive() and outcome["result"] == "cancelled"
    per_chunk = -(-outputs // total)  # outputs of one chunk (a 1-d output is one row)
    assert per_chunk <= max(256, 2**24 // taps)
    assert tok.chunks_done < total
