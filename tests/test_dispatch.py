"""One place for each decision: the conv method of "auto" (C++ choose_method),
the result dtype of the reductions (C++ reduce_dtype, allocated once by the
binding)."""

import itertools

import gilfree
import numpy as np
import pytest
import scipy.signal as ss
from gilfree._cyx import _conv, _loops
from gilfree._cyx._conv import Family, Method
from gilfree._cyx._loops import ReduceKind


def _torch_rule(cin, cout, groups, ks, stride, dilation):
    """conv2d's documented rule of method="auto"."""
    og, cg = cout // groups, cin // groups
    wino = ks == (3, 3) and stride == (1, 1) and dilation == (1, 1)
    if og >= 4 and cg >= 8 and wino:
        return Method.winograd
    if og >= 4 and cg * ks[0] * ks[1] >= 8:
        return Method.gemm
    return Method.direct


def _choose(family, x, w, oh, ow, sy=1, sx=1, dy=1, dx=1):
    return Method(_conv.choose_method(family, x, w, oh, ow, sy, sx, dy, dx))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_torch_auto_follows_the_documented_rule(dtype):
    grid = itertools.product(
        [1, 3, 8, 16], [1, 4, 8], [1, 2, "dw"], [(1, 1), (3, 3), (5, 5), (3, 1), (1, 8)], [1, 2]
    )
    for cin, cout, grp, ks, s in grid:
        groups = cin if grp == "dw" else grp
        if cin % groups or cout % groups:
            continue
        for stride, dilation in (((s, s), (1, 1)), ((1, 1), (s, s))):
            x = np.ones((1, cin, 12, 12), dtype)
            w = np.ones((cout, cin // groups) + ks, dtype)
            got = _choose(Family.torch, x, w, 4, 4, *stride, *dilation)
            assert got is _torch_rule(cin, cout, groups, ks, stride, dilation), (cin, cout, groups, ks, s)


def test_signal_auto_never_takes_the_fft_below_64_taps():
    x = np.ones((1, 1, 1, 10**6))
    for k in (1, 16, 63):
        assert _choose(Family.signal, x, np.ones((1, 1, 1, k)), 1, 10**6 + k - 1) is Method.direct
    assert _choose(Family.signal, x, np.ones((1, 1, 1, 4096)), 1, 10**6 + 4095) is Method.fft
    img = np.ones((1, 1, 512, 512))
    assert _choose(Family.signal, img, np.ones((1, 1, 7, 7)), 512, 512) is Method.direct  # 49 taps


def test_signal_auto_takes_the_fft_only_where_it_applies():
    # the FFT path computes one plane with stride and dilation 1: else direct, however large
    x = np.ones((1, 1, 1, 10**5))
    w = np.ones((1, 1, 1, 2000))
    assert _choose(Family.signal, x, w, 1, 10**5) is Method.fft
    assert _choose(Family.signal, x, w, 1, 10**4, 1, 2) is Method.direct
    assert (
        _choose(Family.signal, np.ones((1, 2, 1, 10**5)), np.ones((1, 2, 1, 2000)), 1, 10**5) is Method.direct
    )


def test_auto_runs_the_chosen_method(rng):
    a, v = rng.standard_normal(20000), rng.standard_normal(3000)
    auto = gilfree.convolve(a, v)
    assert np.array_equal(auto, gilfree.convolve(a, v, method="fft"))
    np.testing.assert_allclose(auto, np.convolve(a, v), rtol=0, atol=1e-9 * np.abs(auto).max())
    img, ker = rng.standard_normal((40, 50)), rng.standard_normal((3, 3))
    assert np.array_equal(gilfree.convolve2d(img, ker), gilfree.convolve2d(img, ker, method="direct"))
    np.testing.assert_allclose(gilfree.convolve2d(img, ker), ss.convolve2d(img, ker), rtol=0, atol=1e-12)
    x = rng.standard_normal((2, 16, 10, 9)).astype(np.float32)
    w = rng.standard_normal((8, 16, 3, 3)).astype(np.float32)
    assert np.array_equal(gilfree.conv2d(x, w, padding=1), gilfree.conv2d(x, w, padding=1, method="winograd"))
    w5 = rng.standard_normal((8, 16, 5, 5)).astype(np.float32)
    assert np.array_equal(gilfree.conv2d(x, w5), gilfree.conv2d(x, w5, method="gemm"))


def test_auto_is_a_method_value_of_the_binding():
    with pytest.raises(ValueError, match="method"):
        gilfree.conv2d(np.ones((1, 1, 5, 5)), np.ones((1, 1, 2, 2)), method="fft")
    assert Method.auto_.name == "auto_" and {m.name for m in Family} == {"signal", "torch"}


_NP_REDUCTIONS = {
    ReduceKind.sum: np.sum,
    ReduceKind.mean: np.mean,
    ReduceKind.var: np.var,
    ReduceKind.std_: np.std,
    ReduceKind.min: np.min,
    ReduceKind.max: np.max,
    ReduceKind.argmin: np.argmin,
    ReduceKind.argmax: np.argmax,
    ReduceKind.norm1: lambda x, axis: np.linalg.norm(x, 1, axis),
    ReduceKind.norm2: lambda x, axis: np.linalg.norm(x, 2, axis),
    ReduceKind.norminf: lambda x, axis: np.linalg.norm(x, np.inf, axis),
}


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.float32, np.float64])
@pytest.mark.parametrize("kind", list(_NP_REDUCTIONS))
def test_binding_allocates_the_reduction_in_its_final_dtype(kind, dtype):
    x = (np.arange(24).reshape(4, 6) % 7 + 1).astype(dtype)
    ref = _NP_REDUCTIONS[kind](x, axis=1)
    if np.dtype(dtype) == np.float32 and kind in (ReduceKind.norm1, ReduceKind.norm2, ReduceKind.norminf):
        assert ref.dtype == np.float32
    res = _loops.run_reduce(kind, x, None, 1, 0.0, 1, None)
    assert res.dtype == ref.dtype
    np.testing.assert_allclose(res, ref, rtol=1e-6)


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.float32, np.float64])
def test_binding_dot_and_sqdist_dtypes(dtype):
    x = np.arange(1, 7, dtype=dtype)
    y = x[::-1].copy()
    dot = _loops.run_reduce(ReduceKind.dot, x, y, 0, 0.0, 1, None)
    assert dot.dtype == np.dot(x, y).dtype and dot[0] == np.dot(x, y)
    sq = _loops.run_reduce(ReduceKind.sqdist, x, y, 0, 0.0, 1, None)
    want = np.float32 if dtype == np.float32 else np.float64
    assert sq.dtype == want and sq[0] == np.sum((x.astype(np.float64) - y) ** 2)


def test_int32_dot_wraps_in_int32():
    x = np.full(4, 2**30, np.int32)
    with np.errstate(over="ignore"):
        ref = np.dot(x, np.full(4, 3, np.int32))
    got = gilfree.dot(x, np.full(4, 3, np.int32))
    assert got.dtype == np.int32 and got == ref


def test_float32_results_are_rounded_once():
    x = np.float32(1) + np.arange(1000, dtype=np.float32) * np.float32(1e-7)
    ref = np.float32(np.sum(x.astype(np.float64)))  # float64 sum rounded to float32 once
    res = _loops.run_reduce(ReduceKind.sum, x, None, 0, 0.0, 1, None)
    assert res.dtype == np.float32 and res[0] == ref
