"""NumPy's conventions on gilfree's reductions (issue #11): sum, mean, var, std,
min, max with a tuple axis, dtype= (sum/mean/var/std), out=, keepdims, and
NumPy's positional order; argmin/argmax with out= and an int axis. References
are NumPy's own functions (float64 results compared at rtol 1e-12)."""

import inspect

import gilfree
import numpy as np
import pytest

REDUCTIONS = ["sum", "mean", "var", "std", "min", "max"]
AXES = [None, 0, -1, 2, -3, (0,), (0, 2), (2, 0), (-1, 1), (0, 1, 2, 3), (), (1, 2, 3)]
FLOAT_RESULTS = {"mean", "var", "std"}


def _ref(name, x, axis, keepdims=False, **kw):
    """NumPy's result computed in float64 for the float reductions (gilfree accumulates in float64)."""
    if name in FLOAT_RESULTS or (name == "sum" and x.dtype.kind == "f"):
        x = x.astype(np.float64)
    return getattr(np, name)(x, axis=axis, keepdims=keepdims, **kw)


def _data(rng, dtype):
    x = rng.normal(size=(6, 5, 7, 4)) * 50
    if np.dtype(dtype).kind in "iub":
        x = np.abs(x) if np.dtype(dtype).kind in "ub" else x
        x = x.astype(dtype) if dtype != np.bool_ else x > 40
    else:
        x = x.astype(dtype)
    return x.transpose(2, 0, 3, 1)[:, ::2]  # (7, 3, 4, 5), no contiguous layout


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", AXES, ids=str)
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int32, np.int64, np.uint8, np.bool_])
@pytest.mark.parametrize("name", REDUCTIONS)
def test_matches_numpy(name, dtype, axis, keepdims, rng):
    x = _data(rng, dtype)
    res = getattr(gilfree, name)(x, axis, keepdims=keepdims)
    want = _ref(name, x, axis, keepdims)
    assert np.shape(res) == np.shape(want)
    if name in ("min", "max") or (name == "sum" and dtype != np.float32 and np.dtype(dtype).kind != "f"):
        assert res.dtype == want.dtype
        np.testing.assert_array_equal(res, want)
    else:
        tol = 1e-12 if dtype != np.float32 else 1e-6
        np.testing.assert_allclose(res, want, rtol=tol, atol=tol * 1e-2)
        if dtype == np.float32:
            assert res.dtype == np.float32
    if axis is not None and axis != () and not keepdims and np.ndim(want) == 0:
        assert np.ndim(res) == 0 and not isinstance(res, np.ndarray)  # a NumPy scalar, as NumPy gives


@pytest.mark.parametrize("name", REDUCTIONS)
def test_tuple_axis_equals_none_and_the_int_axis(name, rng):
    x = rng.normal(size=(30, 40, 5))
    fn = getattr(gilfree, name)
    assert fn(x, (0, 1, 2)) == fn(x)  # every axis: the same pass, the same bits
    np.testing.assert_array_equal(fn(x, (1,)), fn(x, 1))
    np.testing.assert_array_equal(fn(x, (-1, 0)), fn(x, (0, 2)))


@pytest.mark.parametrize("name", ["sum", "mean", "var", "std", "min", "max", "argmin", "argmax"])
def test_0d_input(name):
    fn, ref = getattr(gilfree, name), getattr(np, name)
    assert fn(np.float64(2.5)) == ref(np.float64(2.5))
    if name in ("sum", "min", "max", "argmin", "argmax"):  # NumPy: axis 0 and -1 of a 0-d array
        for axis in (0, -1):
            assert fn(np.float64(2.5), axis) == ref(np.float64(2.5), axis)
    else:  # NumPy's mean/var/std raise AxisError for those, as gilfree's do
        for axis in (0, -1):
            with pytest.raises(np.exceptions.AxisError):
                ref(np.float64(2.5), axis)
            with pytest.raises(np.exceptions.AxisError):
                fn(np.float64(2.5), axis)
    if name in REDUCTIONS:
        assert fn(np.float64(2.5), ()) == ref(np.float64(2.5), ())
        for axis in (1, (0,)):
            with pytest.raises(np.exceptions.AxisError):
                ref(np.float64(2.5), axis)
            with pytest.raises(np.exceptions.AxisError):
                fn(np.float64(2.5), axis)


# ------------------------------------------------------------------ threads


@pytest.mark.parametrize("axis", [(0, 2), (1, 2), (0, 1, 2), (2,), None])
@pytest.mark.parametrize("name", REDUCTIONS)
def test_same_bits_on_1_and_2_threads(name, axis, rng):
    x = rng.normal(size=(40, 300, 90)).transpose(2, 0, 1)  # large enough for the pool, strided
    fn = getattr(gilfree, name)
    with gilfree.threads(1):
        one = fn(x, axis)
    with gilfree.threads(2):
        two = fn(x, axis)
    np.testing.assert_array_equal(np.asarray(one).view(np.uint64), np.asarray(two).view(np.uint64))
    np.testing.assert_allclose(one, _ref(name, x, axis), rtol=1e-12, atol=1e-12)


# ------------------------------------------------------------------ dtype=


@pytest.mark.parametrize("dtype", [np.int8, np.uint8, np.int16, np.int32, np.uint64, np.bool_])
@pytest.mark.parametrize("src", [np.int32, np.int64, np.float64, np.uint8])
def test_sum_integer_dtype_casts_the_input_and_wraps_as_numpy(src, dtype, rng):
    x = (rng.normal(size=(50, 30)) * 300).astype(src) if src != np.uint8 else rng.integers(0, 255, (50, 30))
    x = np.asarray(x, dtype=src)
    for axis in (None, 0, (0, 1)):
        with np.errstate(all="ignore"):
            want = np.sum(x, axis, dtype)
        res = gilfree.sum(x, axis, dtype)
        assert res.dtype == want.dtype == np.dtype(dtype)
        np.testing.assert_array_equal(res, want)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, "f8", float])
@pytest.mark.parametrize("name", ["sum", "mean", "var", "std"])
@pytest.mark.parametrize("src", [np.float32, np.float64, np.int32, np.int64, np.uint8])
def test_float_dtype_is_the_result_dtype(name, src, dtype, rng):
    x = (rng.normal(size=(20, 30)) * 20).astype(src) if src != np.uint8 else rng.integers(0, 50, (20, 30))
    x = np.asarray(x, dtype=src)
    for axis in (None, 1, (0, 1)):
        res = getattr(gilfree, name)(x, axis, dtype)
        assert res.dtype == np.dtype(dtype)
        want = getattr(np, name)(x.astype(np.float64), axis)  # float64 accumulation, then the cast
        tol = {2: 1e-3, 4: 1e-6, 8: 1e-12}[np.dtype(dtype).itemsize]
        np.testing.assert_allclose(res, want, rtol=tol)


def test_float64_dtype_on_float32_keeps_float64_precision(rng):
    x = (rng.normal(size=10_000) + 1000).astype(np.float32)
    exact = np.mean(x.astype(np.float64))
    assert gilfree.mean(x, dtype=np.float64) == pytest.approx(exact, rel=1e-14)
    assert gilfree.var(x, None, np.float64) == pytest.approx(np.var(x.astype(np.float64)), rel=1e-12)


@pytest.mark.parametrize(
    "name, dtype",
    [
        ("sum", np.complex128),
        ("sum", object),
        ("sum", "U3"),
        ("sum", np.longdouble),
        ("sum", "m8[s]"),
        ("mean", np.int64),
        ("var", np.bool_),
        ("std", np.complex64),
        ("mean", object),
    ],
)
def test_rejected_dtype_names_dtype(name, dtype):
    with pytest.raises(TypeError, match="^dtype: expected"):
        getattr(gilfree, name)(np.ones(3), dtype=dtype)


def test_dtype_that_is_not_a_dtype():
    with pytest.raises(TypeError, match="^dtype: expected a NumPy dtype"):
        gilfree.sum(np.ones(3), dtype=3.5)


# ------------------------------------------------------------------ out=


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", [None, 1, (0, 2), -1])
@pytest.mark.parametrize("name", REDUCTIONS)
def test_out_matches_numpy_and_is_returned(name, axis, keepdims, rng):
    x = rng.normal(size=(4, 5, 6))
    want = _ref(name, x, axis, keepdims)
    out = np.full(np.shape(want)[::-1], 7.0).T  # a Fortran-order (or 0-d) buffer
    res = getattr(gilfree, name)(x, axis, out=out, keepdims=keepdims)
    assert res is out
    np.testing.assert_allclose(out, want, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("name", ["argmin", "argmax"])
def test_arg_out_and_keepdims(name, rng):
    x = rng.normal(size=(4, 5, 6))
    fn, ref = getattr(gilfree, name), getattr(np, name)
    for axis in (None, 0, -1):
        for keepdims in (False, True):
            want = ref(x, axis, keepdims=keepdims)
            out = np.empty(np.shape(want), np.intp)
            assert fn(x, axis, out, keepdims=keepdims) is out
            np.testing.assert_array_equal(out, want)
    out32 = np.empty(5, np.int32)  # same_kind: int64 -> int32 is allowed (as NumPy's out=)
    assert fn(x[0], 1, out32) is out32
    np.testing.assert_array_equal(out32, ref(x[0], 1))


def test_out_casting_same_kind(rng):
    x = rng.normal(size=(3, 4))
    out32 = np.empty(4, np.float32)
    gilfree.sum(x, 0, None, out32)
    np.testing.assert_allclose(out32, np.sum(x, 0).astype(np.float32), rtol=1e-6)
    outf = np.empty(4)
    gilfree.max(np.arange(12, dtype=np.int32).reshape(3, 4), 0, outf)  # int into float: same_kind
    np.testing.assert_array_equal(outf, [8.0, 9.0, 10.0, 11.0])
    outi = np.full(4, -1, np.int64)
    with pytest.raises(TypeError, match=r"^out: expected a dtype float64 casts to with casting='same_kind'"):
        gilfree.mean(x, 0, out=outi)
    np.testing.assert_array_equal(outi, -1)
    with pytest.raises(TypeError, match="^out: expected a dtype int64"):
        gilfree.argmax(x, 0, np.empty(4, np.uint8))
    outf = np.empty(4)  # int64 -> float64 is same_kind (NumPy's argmax refuses it)
    np.testing.assert_array_equal(gilfree.argmax(x, 0, outf), np.argmax(x, 0).astype(np.float64))
    outu = np.zeros(4, np.uint8)
    with pytest.raises(TypeError, match="^out: expected a dtype int64"):  # NumPy casts unsafely here
        gilfree.sum(np.ones((3, 4), np.int64), 0, out=outu)


def _bad_outs(x):
    ro = np.zeros(4)
    ro.flags.writeable = False
    big = np.zeros(10)
    return [
        ([0.0] * 4, TypeError, "^out: expected a numpy.ndarray, got list"),
        (np.zeros(5), ValueError, r"^out: expected shape \(4,\)"),
        (np.zeros((1, 4)), ValueError, r"^out: expected shape \(4,\)"),
        (ro, ValueError, "^out: expected a writeable array"),
        (
            np.lib.stride_tricks.as_strided(big, (4,), (0,), writeable=True),
            ValueError,
            "^out: expected distinct",
        ),
        (x[0], ValueError, "^out: expected an array sharing no memory with x"),
    ]


@pytest.mark.parametrize("name", REDUCTIONS + ["argmin", "argmax"])
def test_bad_out_is_rejected_before_anything_is_written(name):
    x = np.arange(12.0).reshape(3, 4)
    for out, exc, match in _bad_outs(x):
        before, x_before = np.array(out, copy=True), x.copy()
        with pytest.raises(exc, match=match):
            getattr(gilfree, name)(x, 0, out=out)
        np.testing.assert_array_equal(np.asarray(out), before)
        np.testing.assert_array_equal(x, x_before)


def test_out_for_a_full_reduction_is_0d():
    out = np.zeros(())
    assert gilfree.sum(np.arange(4.0), out=out) is out
    assert out[()] == 6.0
    with pytest.raises(ValueError, match=r"^out: expected shape \(\)"):
        gilfree.sum(np.arange(4.0), out=np.zeros(1))


# ------------------------------------------------------------------ axis errors


@pytest.mark.parametrize("name", REDUCTIONS)
def test_tuple_axis_errors(name):
    fn, x = getattr(gilfree, name), np.ones((2, 3, 4))
    with pytest.raises(ValueError, match=r"^axis: duplicate value"):
        fn(x, (0, -3))
    with pytest.raises(np.exceptions.AxisError):
        fn(x, (0, 3))
    with pytest.raises(TypeError, match="^axis: expected None, an int or a tuple of ints"):
        fn(x, (0, 1.0))
    with pytest.raises(TypeError, match="^axis: expected None, an int or a tuple of ints"):
        fn(x, [0, 1])
    with pytest.raises(TypeError, match="^axis: expected None, an int or a tuple of ints"):
        fn(x, True)


@pytest.mark.parametrize("name", ["argmin", "argmax"])
def test_arg_axis_is_an_int_only(name):
    with pytest.raises(TypeError, match="^axis: expected None or an int, got tuple"):
        getattr(gilfree, name)(np.ones((2, 3)), (0, 1))
    with pytest.raises(TypeError):  # keepdims is keyword-only, as in NumPy
        getattr(gilfree, name)(np.ones((2, 3)), 0, None, True)


@pytest.mark.parametrize("name", ["min", "max"])
def test_empty_tuple_axis_reduction(name):
    fn = getattr(gilfree, name)
    with pytest.raises(ValueError, match="zero-size array"):
        fn(np.zeros((3, 0, 2)), (1, 2))
    np.testing.assert_array_equal(fn(np.zeros((0, 3)), 1), getattr(np, name)(np.zeros((0, 3)), 1))


# ------------------------------------------------------------------ positional order


@pytest.mark.parametrize("name", ["sum", "mean", "var", "std", "min", "max", "argmin", "argmax"])
def test_parameters_in_numpys_order(name):
    ours = list(inspect.signature(getattr(gilfree, name)).parameters.values())
    theirs = list(inspect.signature(getattr(np, name)).parameters.values())
    assert [p.name for p in ours[1:]] == [p.name for p in theirs[1 : len(ours)]]
    for p, q in zip(ours[1:], theirs[1:], strict=False):
        assert (p.kind == p.KEYWORD_ONLY) == (q.kind == q.KEYWORD_ONLY), p.name


def test_positional_calls_as_numpy(rng):
    x = rng.normal(size=(4, 5, 6))
    out = np.empty((4, 1, 1))
    assert gilfree.var(x, (1, 2), np.float64, out, 1, True) is out
    np.testing.assert_allclose(out, np.var(x, (1, 2), np.float64, None, 1, True), rtol=1e-12)
    np.testing.assert_allclose(gilfree.std(x, 0, None, None, 2), np.std(x, 0, None, None, 2), rtol=1e-12)
    assert gilfree.sum(x, 2, np.float32, None, True).shape == np.sum(x, 2, np.float32, None, True).shape
    np.testing.assert_array_equal(gilfree.max(x, (0, 1), None, True), np.max(x, (0, 1), None, True))
    o = np.empty(6, np.intp)
    np.testing.assert_array_equal(gilfree.argmax(x[0], 0, o), np.argmax(x[0], 0))
