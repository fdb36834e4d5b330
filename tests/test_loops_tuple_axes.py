"""Tuple axes where NumPy / SciPy take them (issue #11): logsumexp and softmax
over several axes (references: scipy.special), norm over two axes, the matrix
norms (reference: np.linalg.norm), with their errors; same bits for 1 and 2
threads."""

from __future__ import annotations

import gilfree
import numpy as np
import pytest

special = pytest.importorskip("scipy.special")

AXES = [(0, 2), (2, 0), (-1, 1), (1,), (0, 1, 2), ()]
DTYPES = [np.int32, np.float32, np.float64]


def _tol(dtype):
    return 2e-6 if np.dtype(dtype) == np.float32 else 1e-13


def _data(dtype, layout, seed=0):
    rng = np.random.default_rng(seed)  # per test: parallel threads share the module
    x = rng.normal(size=(6, 5, 8)) * 10
    x = x.astype(dtype) if np.dtype(dtype).kind == "f" else np.round(x).astype(dtype)
    return {"c": x, "transposed": x.transpose(2, 0, 1), "sliced": x[::2, :, ::3]}[layout]


def _same_bits(fn):
    with gilfree.threads(1):
        one = fn()
    with gilfree.threads(2):
        two = fn()
    one, two = (one if isinstance(one, tuple) else (one,)), (two if isinstance(two, tuple) else (two,))
    for a, b in zip(one, two, strict=True):
        assert np.asarray(a).tobytes() == np.asarray(b).tobytes()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("layout", ["c", "transposed", "sliced"])
@pytest.mark.parametrize("axis", AXES)
@pytest.mark.parametrize("keepdims", [False, True])
def test_logsumexp_tuple_axis_as_scipy(dtype, layout, axis, keepdims):
    x = _data(dtype, layout)
    got = gilfree.logsumexp(x, axis=axis, keepdims=keepdims)
    want = special.logsumexp(x.astype(np.float64), axis=axis, keepdims=keepdims)
    assert np.shape(got) == np.shape(want)
    np.testing.assert_allclose(got, want, rtol=_tol(dtype))
    b = np.linspace(-1.0, 2.0, x.shape[-1])  # broadcast along the last axis; negative scales too
    got, sgn = gilfree.logsumexp(x, axis=axis, b=b, keepdims=keepdims, return_sign=True)
    want, wsgn = special.logsumexp(x.astype(np.float64), axis=axis, b=b, keepdims=keepdims, return_sign=True)
    assert np.shape(got) == np.shape(want) == np.shape(sgn)
    np.testing.assert_allclose(got, want, rtol=_tol(dtype) * 10)
    np.testing.assert_array_equal(sgn, wsgn)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("layout", ["c", "transposed", "sliced"])
@pytest.mark.parametrize("axis", AXES)
def test_softmax_tuple_axis_as_scipy(dtype, layout, axis):
    x = _data(dtype, layout)
    got = gilfree.softmax(x, axis=axis)
    want = special.softmax(x.astype(np.float64), axis=axis)
    assert got.shape == x.shape and got.dtype == (np.float32 if dtype == np.float32 else np.float64)
    np.testing.assert_allclose(got, want, rtol=_tol(dtype) * 10, atol=1e-300)


MATRIX_ORDS = [None, "fro", "f", 1, -1, np.inf, -np.inf]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("layout", ["c", "transposed", "sliced"])
@pytest.mark.parametrize("ord", MATRIX_ORDS)
@pytest.mark.parametrize("axis", [(0, 1), (1, 0), (2, 0), (-1, -2), (0, 2)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_matrix_norms_as_numpy(dtype, layout, ord, axis, keepdims):
    x = _data(dtype, layout)
    got = gilfree.norm(x, ord, axis, keepdims)
    want = np.linalg.norm(x.astype(np.float64), ord, axis, keepdims)
    assert np.shape(got) == np.shape(want)
    assert np.asarray(got).dtype == (np.float32 if dtype == np.float32 else np.float64)
    np.testing.assert_allclose(got, want, rtol=_tol(dtype))


@pytest.mark.parametrize("ord", [1, -1, np.inf, -np.inf, "fro"])
@pytest.mark.parametrize("keepdims", [False, True])
def test_matrix_norm_of_a_2d_array_with_axis_none(ord, keepdims):
    x = _data(np.float64, "c")[:, :, 3]
    got = gilfree.norm(x, ord, keepdims=keepdims)
    want = np.linalg.norm(x, ord, keepdims=keepdims)
    assert np.shape(got) == np.shape(want)
    np.testing.assert_allclose(got, want, rtol=1e-13)


@pytest.mark.parametrize("shape", [(3, 0), (0, 3), (2, 0, 3), (0, 2, 2)])
@pytest.mark.parametrize("ord", [1, -1, np.inf, -np.inf, None])
def test_matrix_norms_of_empty_matrices_as_numpy(shape, ord):
    x = np.ones(shape)
    axis = (0, 1) if len(shape) == 2 else (0, 2)
    try:
        want = np.linalg.norm(x, ord, axis)
    except ValueError:  # the smallest sum of no columns (rows)
        with pytest.raises(ValueError, match="zero-size array to reduction operation minimum"):
            gilfree.norm(x, ord, axis)
        return
    got = gilfree.norm(x, ord, axis)
    assert np.shape(got) == np.shape(want)
    np.testing.assert_array_equal(got, want)


def test_matrix_norm_nan_propagates():
    x = np.array([[1.0, np.nan], [3.0, 4.0]])
    for ord in (1, -1, np.inf, -np.inf, "fro"):
        assert np.isnan(gilfree.norm(x, ord)) and np.isnan(np.linalg.norm(x, ord))


def test_tuple_axis_errors():
    x = np.ones((2, 3, 4))
    for ord in (2, -2, "nuc", 3):  # singular values, or no matrix norm at all
        with pytest.raises(ValueError, match="ord: .*matrix norm"):
            gilfree.norm(x, ord, (0, 1))
    with pytest.raises(ValueError, match="ord: 'fro' is a matrix norm"):
        gilfree.norm(x, "fro", 0)
    with pytest.raises(ValueError, match="axis: improper number of dimensions"):
        gilfree.norm(x, 1, (0, 1, 2))
    with pytest.raises(ValueError, match="x: improper number of dimensions.*ord=1"):
        gilfree.norm(x, 1)
    for fn in (lambda a: gilfree.norm(x, 1, a), lambda a: gilfree.logsumexp(x, a), lambda a: gilfree.softmax(x, a)):
        with pytest.raises(ValueError, match="axis: duplicate"):
            fn((0, 0))
        with pytest.raises(np.exceptions.AxisError):
            fn((0, 3))
        with pytest.raises(TypeError, match="axis"):
            fn((0, 1.0))


def test_tuple_axes_same_bits_for_threads():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(40, 30, 500))
    b = rng.normal(size=500)
    _same_bits(lambda: gilfree.logsumexp(x, axis=(0, 2)))
    _same_bits(lambda: gilfree.logsumexp(x, axis=(2, 0), b=b, return_sign=True))
    _same_bits(lambda: gilfree.softmax(x, axis=(0, 2)))
    for ord in MATRIX_ORDS:
        _same_bits(lambda ord=ord: gilfree.norm(x, ord, (2, 0)))
