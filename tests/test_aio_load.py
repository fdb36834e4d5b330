"""gilfree.aio under load, by behaviour: tiny awaits run inline, large ones on
the executor; limits queue or refuse calls; map calls what it is given and
draws its items lazily; cancellation frees the thread in every family."""

import asyncio
import contextlib
import functools
import itertools
import subprocess
import sys
import textwrap
import threading
import time

import gilfree
import numpy as np
import pytest
from gilfree._context import TOKEN

HUGE = np.broadcast_to(np.float64(0.5), (10**12,))  # hours of work, no memory


@pytest.fixture
def one_thread():
    """gilfree.aio with a single thread (restored, and its threads shut down, after)."""
    gilfree.aio.set_limits(max_in_flight=1)
    yield
    gilfree.aio.set_limits()
    gilfree.aio.shutdown()


async def _occupy_the_thread():
    """Starts a kernel of hours on gilfree.aio's (only) thread; returns its task."""
    task = asyncio.create_task(gilfree.aio.mse(HUGE, HUGE))
    while gilfree.aio.stats()["in_flight"] == 0:
        await asyncio.sleep(0.001)
    await asyncio.sleep(0.05)
    return task


async def _cancel(task):
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


@pytest.mark.asyncio
async def test_tiny_await_runs_inline_while_the_executor_is_busy(one_thread, rng):
    busy = await _occupy_the_thread()
    try:
        a, b = rng.normal(size=100), rng.normal(size=100)
        got = await asyncio.wait_for(gilfree.aio.mse(a, b), timeout=30)
        assert got == pytest.approx(np.mean((a - b) ** 2), rel=1e-14)  # inline: the same kernel, same value
        z = rng.normal(size=(8, 5))
        t = rng.integers(0, 5, size=8)
        want = np.mean(np.log(np.exp(z).sum(axis=1)) - z[np.arange(8), t])
        assert await asyncio.wait_for(gilfree.aio.cross_entropy(z, t), timeout=30) == pytest.approx(want)
    finally:
        await _cancel(busy)


@pytest.mark.asyncio
async def test_small_arrays_with_large_work_go_to_the_executor(one_thread, rng):
    # few elements, but millions of multiply-adds: the inline budget sends it on
    x = rng.normal(size=(1, 8, 32, 32))
    w = rng.normal(size=(64, 8, 3, 3))
    busy = await _occupy_the_thread()
    conv = asyncio.create_task(gilfree.aio.conv2d(x, w, padding=1, method="direct"))
    await asyncio.sleep(0.2)
    assert not conv.done()  # queued behind the busy thread, not run on the loop
    await _cancel(busy)
    got = await asyncio.wait_for(conv, timeout=60)
    np.testing.assert_array_equal(got, gilfree.conv2d(x, w, padding=1, method="direct"))


@pytest.mark.asyncio
async def test_queue_limit_refuses_at_once_and_recovers():
    gilfree.aio.set_limits(max_in_flight=1, max_queued=1)
    try:
        running = await _occupy_the_thread()
        queued = asyncio.create_task(gilfree.aio.mse(HUGE, HUGE))
        await asyncio.sleep(0.01)
        with pytest.raises(gilfree.aio.Overloaded, match="limit"):
            await gilfree.aio.sum(HUGE)
        assert gilfree.aio.stats()["in_flight"] == 2
        await _cancel(queued)
        await _cancel(running)
        for _ in range(1000):
            if gilfree.aio.stats()["in_flight"] == 0:
                break
            await asyncio.sleep(0.01)
        assert gilfree.aio.stats()["in_flight"] == 0
        assert await gilfree.aio.sum(np.ones(10**6)) == 10**6
    finally:
        gilfree.aio.set_limits()


def test_set_limits_checks_its_arguments():
    with pytest.raises(ValueError, match="max_in_flight"):
        gilfree.aio.set_limits(max_in_flight=0)
    with pytest.raises(ValueError, match="max_queued"):
        gilfree.aio.set_limits(max_queued=-1)
    with pytest.raises(TypeError, match="max_in_flight"):
        gilfree.aio.set_limits(max_in_flight="4")
    for bad in ("x", 1.5, True):  # a wrong type is a TypeError, as for max_in_flight
        with pytest.raises(TypeError, match="max_queued: expected an int or None"):
            gilfree.aio.set_limits(max_queued=bad)


@pytest.mark.asyncio
async def test_map_calls_the_decorated_function(rng):
    calls = []

    @functools.wraps(gilfree.mse)
    def counted(a, b):
        calls.append(threading.current_thread().name)
        return gilfree.mse(a, b)

    xs = [rng.normal(size=50) for _ in range(6)]
    got = await gilfree.aio.map(counted, xs, xs[::-1], concurrency=2)
    assert got == [gilfree.mse(a, b) for a, b in zip(xs, xs[::-1])]
    assert len(calls) == 6 and all(n.startswith("gilfree-aio") for n in calls)

    cached = functools.lru_cache(maxsize=None)(lambda k: k * 2)
    assert await gilfree.aio.map(cached, [1, 2, 1]) == [2, 4, 2]
    assert cached.cache_info().hits == 1  # the cache was used: the decorator ran


@pytest.mark.asyncio
async def test_map_unordered_draws_items_lazily_and_yields_as_they_finish():
    drawn = []

    def items():
        for i in itertools.count():
            drawn.append(i)
            yield 0.05 if i == 0 else 0.0

    async def pause(d):
        await asyncio.sleep(d)
        return d

    order = []
    async for i, _ in gilfree.aio.map_unordered(pause, items(), concurrency=2):
        order.append(i)
        if len(order) == 5:
            break
    assert 0 not in order[:1]  # the slow first item did not hold the others back
    assert len(drawn) <= 5 + 2  # never more than `concurrency` ahead of the results


@pytest.mark.asyncio
async def test_map_unordered_cancels_the_rest_when_left_early():
    tokens = {}

    def work(x):
        tokens[x.size] = TOKEN.get()
        return gilfree.mse(x, x)

    async with contextlib.aclosing(gilfree.aio.map_unordered(work, [np.ones(3), HUGE], concurrency=2)) as it:
        async for _ in it:
            break
    assert tokens[HUGE.size].cancelled and not tokens[3].cancelled


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "call",
    [
        "log_cosh(x, x, return_grad=True)",
        "cross_entropy(z, t)",
        "sum(x)",
        "var(x)",
        "conv2d(img, w3, method='winograd')",
        "conv2d(img, w3, method='gemm')",
        "conv2d(img, w3, method='direct')",
        "convolve(sig, sig, method='fft')",
        "convolve2d(img[0, 0], img[0, 0, :100, :100], method='fft')",
    ],
)
async def test_cancel_stops_every_family_and_frees_the_thread(call, one_thread):
    rng = np.random.default_rng(0)
    env = {
        "x": np.broadcast_to(np.float64(0.5), (10**9,)),  # the grad: 8 GB, untouched past the cancel
        "z": np.broadcast_to(np.float64(0.5), (10**8, 100)),
        "t": np.broadcast_to(np.int64(3), (10**8,)),
        "img": np.broadcast_to(np.float32(0.5), (256, 64, 64, 64)),
        "w3": rng.normal(size=(64, 64, 3, 3)).astype(np.float32),
        "sig": np.broadcast_to(0.5, (2 * 10**7,)),
    }
    env["img"] = env["img"] if "fft" not in call else np.broadcast_to(0.5, (1, 1, 4096, 4096))
    seen = {}

    def work():
        seen["token"] = TOKEN.get()
        return eval("gilfree." + call, {"gilfree": gilfree}, env)

    task = asyncio.create_task(gilfree.aio.run(work))
    while "token" not in seen or seen["token"].chunks_total == 0:
        if task.done():
            task.result()  # it failed before starting: show why
            pytest.fail("the kernel finished at once")
        await asyncio.sleep(0.002)
    await _cancel(task)
    tok = seen["token"]
    # the cancelled call's thread returns (a chunk in flight may finish first:
    # under a sanitizer one chunk can take longer than any fixed wait)
    deadline = time.monotonic() + 300
    while gilfree.aio.stats()["in_flight"]:
        assert time.monotonic() < deadline, "the cancelled kernel never returned"
        await asyncio.sleep(0.01)
    done = tok.chunks_done
    assert done < tok.chunks_total  # stopped, far from its end
    await asyncio.sleep(0.3)
    assert tok.chunks_done == done  # and nothing of it runs on
    small = await asyncio.wait_for(gilfree.aio.run(gilfree.mse, np.ones(3), np.zeros(3)), timeout=30)
    assert small == 1.0  # the one thread was free again


SCOPE_RESULTS = []


@pytest.mark.asyncio(loop_scope="module")
async def test_module_scoped_loop_first():
    SCOPE_RESULTS.append((id(asyncio.get_running_loop()), await gilfree.aio.mse(np.ones(3), np.zeros(3))))


@pytest.mark.asyncio(loop_scope="module")
async def test_module_scoped_loop_second():
    loop_id = id(asyncio.get_running_loop())
    got = await gilfree.aio.sum(np.ones(10**6))
    assert SCOPE_RESULTS and SCOPE_RESULTS[0][0] == loop_id and got == 10**6


def test_no_warnings_and_no_leaked_threads_after_cancel_storms():
    # A storm of awaits, half cancelled, under asyncio's debug mode with
    # warnings as errors: no "Task was destroyed", no never-awaited coroutine;
    # after shutdown() no gilfree.aio thread is left.
    script = textwrap.dedent("""
        import asyncio, random, threading, warnings
        import numpy as np, gilfree
        warnings.simplefilter("error")
        big = np.broadcast_to(0.5, (10**8,))
        async def main():
            rnd = random.Random(1)
            xs = [big if rnd.random() < 0.3 else np.ones(5) for _ in range(300)]
            tasks = [asyncio.create_task(gilfree.aio.mse(x, x)) for x in xs]
            await asyncio.sleep(0.05)
            for t in tasks:
                if rnd.random() < 0.5:
                    t.cancel()
            res = await asyncio.gather(*tasks, return_exceptions=True)
            assert all(isinstance(r, asyncio.CancelledError) or r == 0.0 for r in res), res
            return sum(isinstance(r, asyncio.CancelledError) for r in res)
        for runner in ("asyncio", "uvloop"):
            if runner == "uvloop":
                try:
                    import uvloop
                except ImportError:
                    continue
                n = uvloop.run(main(), debug=True)
            else:
                n = asyncio.run(main(), debug=True)
            print(runner, "cancelled", n > 0)
        gilfree.aio.shutdown()
        print("threads left", [t.name for t in threading.enumerate() if t.name.startswith("gilfree-aio")])
    """)
    proc = subprocess.run(
        [sys.executable, "-X", "dev", "-c", script], capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stderr
    assert "asyncio cancelled True" in proc.stdout, proc.stdout + proc.stderr
    assert "threads left []" in proc.stdout, proc.stdout
    assert "destroyed" not in proc.stderr and "never awaited" not in proc.stderr, proc.stderr


def _thread_cpu_seconds(tid: int) -> float:
    import os

    fields = open(f"/proc/self/task/{tid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.mark.asyncio
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread CPU time from /proc")
async def test_aio_threads_wait_while_the_pool_computes():
    # gilfree.aio's thread hands the parallel shares to the (lower-priority)
    # pool workers and waits: it takes almost no CPU itself, and the result
    # has the same bits as the sync call.
    x = np.random.default_rng(3).normal(size=4 * 10**7)
    y = x[::-1].copy()
    want = gilfree.log_cosh(x, y)

    def work():
        tid = threading.get_native_id()
        before = _thread_cpu_seconds(tid)
        t0 = time.process_time()
        value = gilfree.log_cosh(x, y)
        return value, _thread_cpu_seconds(tid) - before, time.process_time() - t0

    with gilfree.threads(2):
        value, own_cpu, process_cpu = await gilfree.aio.run(work)
    assert value == want
    assert process_cpu > 0.2  # the kernel did run somewhere in this process
    assert own_cpu < 0.2 * process_cpu


@pytest.mark.asyncio
async def test_cancel_stops_a_single_very_long_row(one_thread):
    # cross_entropy over one row of 2**33 classes is one chunk of ~20 s:
    # the row itself checks the token between its class blocks.
    z = np.broadcast_to(np.float64(0.5), (1, 2**33))
    task = asyncio.create_task(gilfree.aio.cross_entropy(z, np.zeros(1, dtype=np.int64)))
    await asyncio.sleep(0.3)
    await _cancel(task)
    small = await asyncio.wait_for(gilfree.aio.run(gilfree.mse, np.ones(3), np.zeros(3)), timeout=10)
    assert small == 1.0  # the thread was free long before the row's end
