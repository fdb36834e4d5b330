"""gilfree.loops: identical bits for any thread count, awaitable twins equal
to the plain calls, cancellation, and the module's docstring examples."""

import asyncio
import doctest

import gilfree
import gilfree.loops
import numpy as np
import pytest


def calls(rng):
    """(label, zero-argument call) on inputs large enough to run on the pool."""
    x = rng.standard_normal((600, 700))
    y = rng.standard_normal((600, 700))
    f32 = x.astype(np.float32)[:, ::-1]
    i32 = rng.integers(-1000, 1000, size=(700, 600)).astype(np.int32).T
    v = rng.standard_normal(500_000)
    w = rng.standard_normal(500_000)
    out = []
    for name in ("sum", "mean", "var", "std", "min", "max", "argmin", "argmax", "logsumexp"):
        fn = getattr(gilfree, name)
        for arr, tag in ((x, "f64"), (f32, "f32"), (i32, "i32"), (x.T, "f64T")):
            for axis in (None, 0, 1):
                out.append((f"{name}-{tag}-{axis}", lambda fn=fn, a=arr, ax=axis: fn(a, axis=ax)))
    for o in (1, 2, np.inf):
        out.append((f"norm-{o}", lambda o=o: gilfree.norm(x.reshape(-1), o)))
        out.append((f"norm-{o}-axis0", lambda o=o: gilfree.norm(x, o, axis=0)))
    out += [
        ("dot", lambda: gilfree.dot(v, w)),
        ("sqdist", lambda: gilfree.sqdist(x, y)),
        ("sqdist-axis", lambda: gilfree.sqdist(x, y, axis=0)),
        ("softmax", lambda: gilfree.softmax(x)),
        ("softmax-None", lambda: gilfree.softmax(x, axis=None)),
        ("softmax-0", lambda: gilfree.softmax(f32, axis=0)),
        ("cumsum", lambda: gilfree.cumsum(x)),
        ("cumsum-0", lambda: gilfree.cumsum(x, axis=0)),
        ("cumsum-f32", lambda: gilfree.cumsum(f32, axis=1)),
        ("axpy", lambda: gilfree.axpy(0.3, x, y)),
        ("clip", lambda: gilfree.clip(x, -0.5, 0.5)),
        ("histogram", lambda: gilfree.histogram(v, 50)[0]),
    ]
    return out


def as_bytes(r):
    a = np.asarray(r)
    return a.dtype.str, a.shape, a.tobytes()


def test_identical_bits_for_any_thread_count(rng):
    cases = calls(rng)
    with gilfree.threads(1):
        one = {label: as_bytes(c()) for label, c in cases}
    for n in (2, 3, 8):
        with gilfree.threads(n):
            for label, c in cases:
                assert as_bytes(c()) == one[label], (label, n)


@pytest.mark.asyncio
async def test_async_equals_sync(rng):
    x = rng.standard_normal((300, 400))
    y = rng.standard_normal((300, 400))
    v = rng.standard_normal(1000)
    args = {
        "sum": (x,),
        "mean": (x,),
        "var": (x,),
        "std": (x,),
        "min": (x,),
        "max": (x,),
        "argmin": (x,),
        "argmax": (x,),
        "logsumexp": (x,),
        "norm": (x,),
        "softmax": (x,),
        "cumsum": (x,),
        "dot": (v, v[::-1]),
        "sqdist": (x, y),
        "axpy": (2.0, x, y),
        "clip": (x, -1.0, 1.0),
        "histogram": (x,),
    }
    assert set(args) == set(gilfree.loops.__all__)
    for name, a in args.items():
        got = await getattr(gilfree.aio, name)(*a)
        want = getattr(gilfree, name)(*a)
        if name == "histogram":
            got, want = got[0], want[0]
        assert as_bytes(got) == as_bytes(want), name
    got = await gilfree.aio.sum(x, axis=1, keepdims=True)
    assert as_bytes(got) == as_bytes(gilfree.sum(x, axis=1, keepdims=True))


@pytest.mark.asyncio
async def test_cancel_stops_the_kernel(rng):
    big = rng.standard_normal(20_000_000)
    task = asyncio.ensure_future(gilfree.aio.logsumexp(big))
    await asyncio.sleep(0.005)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    # the pool is free again and the results are right
    small = big[:1000]
    assert gilfree.sum(small) == pytest.approx(np.sum(small))


def test_top_level_exports():
    for name in gilfree.loops.__all__:
        assert getattr(gilfree, name) is getattr(gilfree.loops, name)
        assert name in gilfree.__all__
        assert hasattr(gilfree.aio, name)
    import builtins

    assert builtins.sum([1, 2]) == 3  # the builtins themselves are untouched


@pytest.mark.thread_unsafe(reason="doctest patches linecache.getlines and sys.stdout process-wide")
def test_docstring_examples():
    result = doctest.testmod(gilfree.loops, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 17
    assert result.failed == 0


def test_demo_cases():
    from gilfree._demo_loops import cases

    got = cases(quick=True)
    assert 2 <= len(got) <= 4
    for label, fn, peer_label, peer in got:
        assert isinstance(label, str) and isinstance(peer_label, str)
        a, b = fn(), peer()
        np.testing.assert_allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol=1e-9)
