"""gilfree.dask on a real dask.distributed cluster: a LocalCluster of two
worker processes on 127.0.0.1 (real scheduler, TCP on loopback). A
representative subset of test_dask.py, and the cancellation of a running
kernel."""

import time

import gilfree
import numpy as np
import pytest

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")
psutil = pytest.importorskip("psutil")
import gilfree.dask as gd  # noqa: E402

pytestmark = pytest.mark.thread_unsafe(reason="one shared LocalCluster")


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    )
    with cluster, distributed.Client(cluster) as c:
        yield c


def test_loss_with_grad_on_cluster(client, rng):
    x, y = rng.normal(size=(200, 30)), rng.normal(size=(200, 30))
    w = rng.uniform(0.5, 2.0, size=(200, 30))
    dx = da.from_array(x, chunks=(37, 11))
    value, grad = gd.huber(dx, y, sample_weight=w, delta=0.5, return_grad=True)
    got_value, got_grad = client.compute([value, grad], sync=True)
    ref, ref_grad = gilfree.huber(x, y, sample_weight=w, delta=0.5, return_grad=True)
    np.testing.assert_allclose(got_value, ref, rtol=1e-12)
    np.testing.assert_allclose(got_grad, ref_grad, rtol=1e-12)


def test_conv_on_cluster(client, rng):
    img = rng.normal(size=(120, 90)).astype(np.float32)
    k = rng.normal(size=(7, 7)).astype(np.float32)
    out = gd.convolve2d(da.from_array(img, chunks=((2, 50, 68), (3, 87))), k, mode="same", boundary="wrap")
    got = client.compute(out, sync=True)
    np.testing.assert_allclose(got, gilfree.convolve2d(img, k, "same", "wrap"), rtol=1e-5, atol=1e-5)


def test_reduction_and_histogram_on_cluster(client, rng):
    x = rng.normal(size=(300, 40)) + 1e6
    d = da.from_array(x, chunks=(70, 15))
    var, lse = client.compute([gd.var(d, axis=0, ddof=1), gd.logsumexp(d, axis=1, keepdims=True)], sync=True)
    np.testing.assert_allclose(var, gilfree.var(x, axis=0, ddof=1), rtol=1e-10)
    np.testing.assert_allclose(lse, gilfree.logsumexp(x, axis=1, keepdims=True), rtol=1e-12)
    counts, edges = gd.histogram(d, bins=20)
    ref_counts, ref_edges = np.histogram(x, bins=20)
    got_counts, got_edges = client.compute([counts, edges], sync=True)
    np.testing.assert_array_equal(got_counts, ref_counts)
    np.testing.assert_allclose(got_edges, ref_edges, rtol=1e-15)


def _long_kernel():
    """About an hour of mse on one thread, over a broadcast view (no memory)."""
    huge = da.broadcast_to(da.from_array(np.array(0.5)), (10**12,), chunks=10**12)  # a view on the worker
    return gd.mse(huge, huge)


def _cpu_seconds(pid):
    t = psutil.Process(pid).cpu_times()
    return t.user + t.system


def _settled(pid, quiet=0.3, timeout=20.0):
    """True once the process's CPU time grows by less than 0.05 s over `quiet` seconds."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        before = _cpu_seconds(pid)
        time.sleep(quiet)
        if _cpu_seconds(pid) - before < 0.05:
            return True
    return False


def test_cancelled_future_stops_the_native_work(client):
    pids = client.run(lambda: __import__("os").getpid())
    future = client.compute(_long_kernel())
    deadline = time.monotonic() + 30
    # wait until one worker burns CPU: the kernel is running there
    busy = None
    while busy is None and time.monotonic() < deadline:
        before = {a: _cpu_seconds(p) for a, p in pids.items()}
        time.sleep(0.3)
        busy = next((a for a, p in pids.items() if _cpu_seconds(p) - before[a] > 0.2), None)
    assert busy is not None, "the kernel did not start"
    future.cancel()
    assert _settled(pids[busy]), "the worker kept computing after the cancel"
    # the worker is free again: a new task runs at once
    small = gd.sum(da.ones(10, chunks=5))
    assert client.compute(small, sync=True) == 10.0
