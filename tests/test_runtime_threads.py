"""Many callers: kernels called from several Python threads at once give the
bits of a lone single-threaded call, also while another thread resizes the
process-wide pool (calls in flight keep the pool they started on)."""

import contextlib
import threading

import gilfree
import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view
from scipy import signal

N_CALLERS = 4
# the resizer sets up to N_CALLERS threads, past the CPUs of a small machine, on purpose
pytestmark = pytest.mark.filterwarnings("ignore:.*threads on .* available CPUs:RuntimeWarning")
ROUNDS = 3


def _cases():
    """(label, call, independent reference): inputs large enough for the pool,
    covering the per-thread caches (FFT plans, Winograd scratch)."""
    rng = np.random.default_rng(7)
    x, y = rng.standard_normal(300_000), rng.standard_normal(300_000)
    m32 = rng.standard_normal((500, 600)).astype(np.float32)
    a, v = rng.standard_normal(40_000), rng.standard_normal(300)
    img, ker = rng.standard_normal((200, 180)), rng.standard_normal((70, 70))
    cx, cw = rng.standard_normal((2, 8, 40, 40)), rng.standard_normal((8, 8, 3, 3))
    z, t = rng.standard_normal((4000, 40)), rng.integers(0, 40, size=4000)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    windows = sliding_window_view(cx, (3, 3), axis=(2, 3))  # n, c, oh, ow, kh, kw
    return [
        ("mse", lambda: gilfree.mse(x, y), np.mean((x - y) ** 2)),
        ("mse-grad", lambda: gilfree.mse(x, y, return_grad=True)[1], 2 * (x - y) / x.size),
        ("sum-f32", lambda: gilfree.sum(m32, axis=0), m32.astype(np.float64).sum(axis=0)),
        ("convolve-fft", lambda: gilfree.convolve(a, v, method="fft"), np.convolve(a, v)),
        (
            "correlate2d-fft",
            lambda: gilfree.correlate2d(img, ker, method="fft"),
            signal.correlate2d(img, ker),
        ),
        (
            "conv2d-winograd",
            lambda: gilfree.conv2d(cx, cw, method="winograd"),
            np.einsum("ncyxij,ocij->noyx", windows, cw),
        ),
        ("cross_entropy", lambda: gilfree.cross_entropy(z, t), -logp[np.arange(t.size), t].mean()),
    ]


def _bits(r):
    a = np.asarray(r)
    return a.dtype.str, a.shape, a.tobytes()


def _single_thread_bits(cases):
    with gilfree.threads(1):
        one = {label: _bits(call()) for label, call, _ in cases}
    for label, call, want in cases:
        with gilfree.threads(1):
            np.testing.assert_allclose(call(), want, rtol=1e-5, atol=1e-9, err_msg=label)
    return one


def _run_callers(cases, widths, stop=None):
    """Each width's thread runs every case ROUNDS times (in its own order)
    inside gilfree.threads(width) (None: the process-wide size); returns {label: set of bits} and errors."""
    seen = {label: set() for label, _, _ in cases}
    errors = []
    lock = threading.Lock()
    start = threading.Barrier(len(widths))

    def caller(k, width):
        order = cases[k % len(cases) :] + cases[: k % len(cases)]
        try:
            start.wait()
            with gilfree.threads(width) if width else contextlib.nullcontext():
                for _ in range(ROUNDS):
                    for label, call, _ in order:
                        bits = _bits(call())
                        with lock:
                            seen[label].add(bits)
        except BaseException as exc:  # reported by the test, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=caller, args=(k, w)) for k, w in enumerate(widths)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    if stop is not None:
        stop.set()
    return seen, errors


def _assert_single_thread_bits(seen, one):
    for label, bits in seen.items():
        assert bits == {one[label]}, (
            f"{label}: {len(bits)} distinct results, the single-thread one seen: {one[label] in bits}"
        )


def test_concurrent_callers_get_the_single_thread_bits():
    cases = _cases()
    one = _single_thread_bits(cases)
    seen, errors = _run_callers(cases, widths=[1, 2, 3, N_CALLERS])
    assert not errors, errors
    _assert_single_thread_bits(seen, one)


def test_resizing_the_pool_while_kernels_run():
    cases = _cases()
    one = _single_thread_bits(cases)
    stop = threading.Event()
    sizes = []

    def resizer():
        n = 0
        while not stop.is_set():
            n = n % N_CALLERS + 1
            gilfree.set_num_threads(n)  # replaces the C++ pool each time
            sizes.append(n)

    rs = threading.Thread(target=resizer)
    rs.start()
    try:
        # callers without gilfree.threads() follow the process-wide size
        seen, errors = _run_callers(cases, widths=[None] * N_CALLERS)
    finally:
        stop.set()
        rs.join()
    assert not errors, errors
    assert len(set(sizes)) > 1
    _assert_single_thread_bits(seen, one)


@pytest.mark.parametrize("n", [1, 3])
def test_threads_context_is_per_thread(n):
    # gilfree.threads() is a context variable: another thread's setting never leaks here
    inside, outside = [], []
    entered, checked = threading.Event(), threading.Event()

    def other():
        with gilfree.threads(n):
            inside.append(gilfree.get_num_threads())
            entered.set()
            checked.wait(10)

    th = threading.Thread(target=other)
    th.start()
    entered.wait(10)
    outside.append(gilfree.get_num_threads())
    checked.set()
    th.join()
    assert inside == [n]
    assert outside == [gilfree.runtime._rt.get_num_threads()]
