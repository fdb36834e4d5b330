"""The runtime, by behaviour: thread settings, identical bits for any thread
count, the GIL released during the work, fork safety, prompt exit."""

import multiprocessing as mp
import os
import subprocess
import sys
import textwrap
import threading

import gilfree
import numpy as np
import pytest
from gilfree._context import TOKEN
from gilfree.runtime import Token

N_BIG = 400_000  # many chunks: runs on the pool


def test_set_and_get_num_threads():
    if gilfree.available_cpus() >= 3:
        gilfree.set_num_threads(3)
    else:
        with pytest.warns(RuntimeWarning, match="n: 3 threads on"):
            gilfree.set_num_threads(3)
    assert gilfree.get_num_threads() == 3
    with gilfree.threads(1):
        assert gilfree.get_num_threads() == 1
        with gilfree.threads(2):
            assert gilfree.get_num_threads() == 2
        assert gilfree.get_num_threads() == 1
    assert gilfree.get_num_threads() == 3


def test_default_is_available_cpus_or_env():
    code = "import gilfree; print(gilfree.get_num_threads(), gilfree.available_cpus())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    n, cpus = map(int, out.stdout.split())
    assert n == cpus == len(os.sched_getaffinity(0))
    env = dict(os.environ, GILFREE_NUM_THREADS="3")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.split()[0] == "3"


LOSSES = [
    ("mse", {}),
    ("log_cosh", {}),
    ("binary_cross_entropy_with_logits", {}),
    ("huber", {}),
    ("kl_div", {"log_target": True}),
]


@pytest.mark.parametrize("name,params", LOSSES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_identical_bits_for_any_thread_count(name, params, dtype, rng):
    x = rng.normal(size=N_BIG).astype(dtype)
    y = rng.uniform(size=N_BIG).astype(dtype)
    w = rng.uniform(size=N_BIG).astype(dtype)
    fn = getattr(gilfree, name)
    results = []
    for n in (1, 2, 3, 8):
        with gilfree.threads(n):
            results.append(fn(x, y, sample_weight=w, return_grad=True, **params))
    for value, grad in results[1:]:
        assert value.tobytes() == results[0][0].tobytes()
        assert grad.tobytes() == results[0][1].tobytes()


def test_cross_entropy_identical_bits_for_any_thread_count(rng):
    z = rng.normal(size=(20_000, 50))
    t = rng.integers(0, 50, size=20_000)
    ref = None
    for n in (1, 2, 5):
        with gilfree.threads(n):
            v, g = gilfree.cross_entropy(z, t, label_smoothing=0.1, return_grad=True)
        if ref is None:
            ref = (v, g)
        assert v.tobytes() == ref[0].tobytes() and g.tobytes() == ref[1].tobytes()


def test_same_values_in_other_layouts(rng):
    # the summation order follows the logical index, not the memory layout
    x = rng.normal(size=(700, 600))
    y = rng.normal(size=(700, 600))
    a = gilfree.mse(x, y)
    b = gilfree.mse(np.asfortranarray(x), np.asfortranarray(y))
    assert a.tobytes() == b.tobytes()


def test_gil_is_released_while_a_kernel_runs():
    # a virtual 60M-element input (zero strides) keeps one thread busy for a while
    x = np.broadcast_to(np.float64(0.3), (60_000_000,))
    done = threading.Event()

    def work():
        with gilfree.threads(1):
            gilfree.log_cosh(x, x)
        done.set()

    t = threading.Thread(target=work)
    t.start()
    progress = 0
    while not done.is_set():  # pure-Python work needs the GIL
        progress += 1
    t.join()
    assert progress > 10_000


def _child_mse(args):
    x, y = args
    return float(gilfree.mse(x, y))


@pytest.mark.thread_unsafe(reason="forks: the child inherits locks that the test's other threads may hold")
def test_kernels_work_in_a_forked_child(rng):
    x, y = rng.normal(size=N_BIG), rng.normal(size=N_BIG)
    want = float(np.mean((x - y) ** 2))
    gilfree.set_num_threads(2)
    gilfree.mse(x, y)  # the parent's pool threads exist before the fork
    ctx = mp.get_context("fork")
    with ctx.Pool(2) as pool:
        got = pool.map_async(_child_mse, [(x, y)] * 3).get(timeout=120)
    assert got == pytest.approx([want] * 3, rel=1e-12)


def test_interpreter_exits_promptly_with_kernels_in_flight():
    # A kernel over 10**12 virtual elements would run for hours; the exit
    # hook cancels it, so both the awaited and the threaded call unwind.
    script = textwrap.dedent("""
        import asyncio, threading, time
        import numpy as np, gilfree
        x = np.broadcast_to(np.float64(1.0), (10**12,))
        threading.Thread(target=gilfree.log_cosh, args=(x, x)).start()
        async def main():
            asyncio.ensure_future(gilfree.aio.mse(x, x))
            await asyncio.sleep(0.3)
        asyncio.run(main())
        print("main done", flush=True)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert "main done" in proc.stdout, proc.stderr


def test_token_counts_chunks():
    x = np.broadcast_to(np.float64(1.0), (5_000_000,))
    tok = Token()
    reset = TOKEN.set(tok)
    try:
        gilfree.mse(x, x)
    finally:
        TOKEN.reset(reset)
    assert tok.chunks_total > 100
    assert tok.chunks_done == tok.chunks_total


def test_cancelled_token_raises_kernel_cancelled():
    x = np.broadcast_to(np.float64(1.0), (5_000_000,))
    tok = Token()
    tok.cancel()
    reset = TOKEN.set(tok)
    try:
        with pytest.raises(gilfree.KernelCancelled):
            gilfree.mse(x, x)
    finally:
        TOKEN.reset(reset)
    assert tok.chunks_done == 0


def test_exit_cancels_kernels_quietly():
    # Exit cancels an awaited kernel whose loop runs in a daemon thread, and a
    # sync call in a non-daemon thread, without a traceback from either thread.
    script = textwrap.dedent("""
        import asyncio, threading, time
        import numpy as np, gilfree
        x = np.broadcast_to(np.float64(1.0), (10**12,))
        def loop_thread():
            asyncio.run(gilfree.aio.mse(x, x))
        threading.Thread(target=loop_thread, daemon=True).start()
        threading.Thread(target=gilfree.log_cosh, args=(x, x)).start()
        time.sleep(0.5)
        print("main done", flush=True)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert "main done" in proc.stdout, proc.stderr
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and "Exception in thread" not in proc.stderr, proc.stderr


@pytest.mark.parametrize("n", [0, -1, 2**31, 2**63, 2**70])
def test_set_num_threads_out_of_range_names_the_argument(n):
    with pytest.raises(ValueError, match="n"):
        gilfree.set_num_threads(n)
    with pytest.raises(ValueError, match="n"):
        with gilfree.threads(n):
            pass


def test_sums_over_many_blocks_of_chunks():
    # More chunks than one block of partial sums (4096 chunks of 2**15): the
    # scratch stays one block, the result is exact here and has the same bits
    # for any thread count, and progress counts every chunk from the start.
    n = 3 * 4096 * 2**15 + 12345
    a = np.broadcast_to(np.float64(0.75), (n,))
    b = np.broadcast_to(np.float64(0.25), (n,))
    w = np.broadcast_to(np.float64(2.0), (n,))
    tok = Token()
    reset = TOKEN.set(tok)
    try:
        with gilfree.threads(1):
            one = gilfree.mse(a, b), gilfree.mse(a, b, sample_weight=w), gilfree.huber(a, b, reduction="sum")
    finally:
        TOKEN.reset(reset)
    with gilfree.threads(2):
        two = gilfree.mse(a, b), gilfree.mse(a, b, sample_weight=w), gilfree.huber(a, b, reduction="sum")
    assert one[0] == 0.25 and one[1] == 0.25 and one[2] == 0.125 * n
    assert [float(v).hex() for v in one] == [float(v).hex() for v in two]
    assert tok.chunks_total == tok.chunks_done == 3 * -(-n // 2**15)


def test_set_num_threads_past_the_cpus_warns_and_within_does_not():
    import warnings

    cpus = gilfree.available_cpus()
    with pytest.warns(RuntimeWarning, match=rf"n: {cpus + 1} threads on {cpus} available CPUs"):
        gilfree.set_num_threads(cpus + 1)
    assert gilfree.get_num_threads() == cpus + 1  # allowed: the warning says what it costs
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gilfree.set_num_threads(cpus)
        with gilfree.threads(cpus + 1):  # per call: deliberate, not warned about
            gilfree.sum(np.ones(10))
