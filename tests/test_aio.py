"""gilfree.aio by behaviour: results equal the sync ones, the loop keeps
ticking, cancellation stops the native work, contextvars arrive."""

import asyncio
import contextvars
import threading
import time

import gilfree
import gilfree._registry
import numpy as np
import pytest
from gilfree._context import TOKEN

HUGE = np.broadcast_to(np.float64(0.5), (10**12,))  # hours of work, no memory


@pytest.mark.asyncio
async def test_gather_equals_sync(rng):
    xs = [rng.normal(size=(50, 8)) for _ in range(24)]
    ys = [rng.uniform(size=(50, 8)) for _ in range(24)]
    names = ["mse", "huber", "log_cosh", "binary_cross_entropy_with_logits"]
    calls = [(getattr(gilfree, n), getattr(gilfree.aio, n), x, y) for n in names for x, y in zip(xs, ys)]
    results = await asyncio.gather(*(afn(x, y, return_grad=True) for _, afn, x, y in calls))
    for (fn, _, x, y), (v, g) in zip(calls, results):
        v0, g0 = fn(x, y, return_grad=True)
        assert v == v0 and np.array_equal(g, g0)


@pytest.mark.asyncio
async def test_every_kernel_has_an_awaitable():
    for name in gilfree.losses.__all__:
        fn = getattr(gilfree.aio, name)
        assert asyncio.iscoroutinefunction(fn)
        assert fn.__wrapped__ is getattr(gilfree, name)


@pytest.mark.asyncio
async def test_event_loop_keeps_ticking(rng):
    x = np.broadcast_to(np.float64(0.5), (40_000_000,))
    gaps = []

    async def heartbeat(stop):
        last = time.perf_counter()
        while not stop.is_set():
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    stop = asyncio.Event()
    hb = asyncio.create_task(heartbeat(stop))
    t0 = time.perf_counter()
    await gilfree.aio.log_cosh(x, x, return_grad=False)
    kernel_time = time.perf_counter() - t0
    stop.set()
    await hb
    # the loop ran all along: many beats, none blocked for a sizeable part of the kernel
    assert len(gaps) > 20
    assert max(gaps) < kernel_time / 3


@pytest.mark.asyncio
async def test_cancel_stops_the_native_work():
    seen = {}

    def work():
        seen["token"] = TOKEN.get()
        return gilfree.mse(HUGE, HUGE)

    task = asyncio.create_task(gilfree.aio.run(work))
    while "token" not in seen or seen["token"].chunks_done < 3:
        await asyncio.sleep(0.005)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    tok = seen["token"]
    assert tok.cancelled
    # the kernel stops within a chunk or two, far from its end
    await asyncio.sleep(0.2)
    done = tok.chunks_done
    await asyncio.sleep(0.3)
    assert tok.chunks_done == done
    assert done < tok.chunks_total / 1000


@pytest.mark.asyncio
async def test_cancelled_await_frees_its_thread():
    gilfree.aio.set_limits(max_in_flight=1)
    try:
        task = asyncio.create_task(gilfree.aio.mse(HUGE, HUGE))
        await asyncio.sleep(0.1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        # the only executor thread must come free: otherwise this waits for hours
        small = await asyncio.wait_for(gilfree.aio.mse(np.ones(3), np.zeros(3)), timeout=30)
        assert small == 1.0
    finally:
        gilfree.aio.set_limits()


USER_VAR = contextvars.ContextVar("user_var", default="unset")


@pytest.mark.asyncio
async def test_contextvars_reach_the_kernel_call():
    USER_VAR.set("from the task")
    assert await gilfree.aio.run(USER_VAR.get) == "from the task"
    with gilfree.threads(1):
        assert await gilfree.aio.run(gilfree.get_num_threads) == 1
    with gilfree.threads(3):
        assert await gilfree.aio.run(gilfree.get_num_threads) == 3


@pytest.mark.asyncio
async def test_runs_on_gilfree_executor_not_the_default():
    import threading

    name = await gilfree.aio.run(lambda: threading.current_thread().name)
    assert name.startswith("gilfree-aio")


@pytest.mark.asyncio
async def test_errors_propagate():
    with pytest.raises(ValueError, match="reduction"):
        await gilfree.aio.mse(np.ones(3), np.ones(3), reduction="bad")


@pytest.mark.asyncio
async def test_map_in_order_with_bounded_concurrency(rng):
    preds = [rng.normal(size=100) for _ in range(20)]
    targets = [rng.normal(size=100) for _ in range(20)]
    got = await gilfree.aio.map(gilfree.mse, preds, targets, concurrency=3, reduction="sum")
    assert got == [gilfree.mse(p, t, reduction="sum") for p, t in zip(preds, targets)]


@pytest.mark.asyncio
async def test_map_progress_bar(capsys, rng):
    preds = [rng.normal(size=10) for _ in range(5)]
    got = await gilfree.aio.map(gilfree.aio.mae, preds, preds, progress="losses")
    assert got == [0.0] * 5
    assert "losses" in capsys.readouterr().err


@pytest.mark.asyncio
async def test_map_failure_cancels_the_rest():
    xs = [HUGE, np.ones(2)]
    ys = [HUGE, np.ones(3)]  # the second call fails at once
    with pytest.raises(ValueError, match="target"):
        await asyncio.wait_for(gilfree.aio.map(gilfree.mse, xs, ys), timeout=60)


def test_works_under_uvloop_if_installed():
    uvloop = pytest.importorskip("uvloop")
    result = uvloop.run(gilfree.aio.mse(np.ones(4), np.zeros(4)))
    assert result == 1.0


@pytest.mark.asyncio
async def test_progress_bar_after_the_min_twin_is_made():
    # gilfree.aio.min, once accessed, is a global of gilfree.aio: the module's
    # own code must still reach the builtin (map's progress bar called min())
    pytest.importorskip("tqdm")
    assert gilfree.aio.min is not None
    out = await gilfree.aio.map(gilfree.sum, [np.ones(3)] * 3, progress="sums")
    assert [float(o) for o in out] == [3.0, 3.0, 3.0]


def _reach_twins(names, barrier, got, errors):
    barrier.wait()
    try:
        for name in names:
            got[name] = getattr(gilfree.aio, name)
    except BaseException as exc:  # noqa: BLE001 - reported by the test
        errors.append(exc)


@pytest.mark.thread_unsafe(reason="removes gilfree.aio's twins, which the test's other threads may be using")
def test_twins_made_once_when_threads_first_reach_them_together():
    """The first access of gilfree.aio.<name> from many threads at once makes one twin
    (before: each thread could make its own, and the ast.parse of the docstring's
    examples, run from several threads at once, raised SystemError on CPython 3.11)."""
    names = sorted(gilfree._registry.KERNELS)
    nthreads = 8
    for _ in range(3):
        for name in names:
            gilfree.aio.__dict__.pop(name, None)
        barrier = threading.Barrier(nthreads)
        got: list[dict] = [{} for _ in range(nthreads)]
        errors: list[BaseException] = []
        threads = [threading.Thread(target=_reach_twins, args=(names, barrier, g, errors)) for g in got]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors
        for name in names:
            assert all(g[name] is got[0][name] for g in got), name
            assert getattr(gilfree.aio, name) is got[0][name]
