"""gilfree.loops hardening (issue #9): logsumexp accuracy when one term
dominates, histogram bins that do not fit the data range, clip's NumPy 2
(NEP 50) promotion of its bounds, 0-d softmax / cumsum, and integer
arguments far outside the int64 range. References: NumPy, SciPy, formulas."""

import math
import warnings

import gilfree
import numpy as np
import pytest
from scipy.special import logsumexp as sp_logsumexp
from scipy.special import softmax as sp_softmax

HUGE_INTS = [2**63, 2**70, -(2**63)]

# ------------------------------------------------------------------ logsumexp


def lse_formula(x):
    """m + log1p(sum of exp(x_i - m) over all but one largest element), in float64."""
    x = np.asarray(x, dtype=np.float64).ravel()
    k = int(np.argmax(x))
    rest = np.delete(x, k)
    return x[k] + math.log1p(math.fsum(np.exp(rest - x[k])))


@pytest.mark.parametrize("gap", [40.0, 20.0, 60.0, 700.0])
def test_logsumexp_one_dominant_term(gap):
    # SciPy's regression test gh18295: log(1 + tiny) must keep the tiny part
    x = np.array([0.0, -gap])
    want = sp_logsumexp(x)
    assert want == pytest.approx(lse_formula(x), rel=1e-15, abs=0)
    assert gilfree.logsumexp(x) == pytest.approx(want, rel=1e-15, abs=0)
    assert gilfree.logsumexp(x[::-1]) == pytest.approx(want, rel=1e-15, abs=0)
    got32 = gilfree.logsumexp(x.astype(np.float32))
    assert got32.dtype == np.float32
    assert got32 == np.float32(want)


def test_logsumexp_dominant_term_axis():
    x = np.array([[0.0, -40.0, -45.0], [-20.0, 3.0, 3.0 - 30.0], [5.0, 5.0, -50.0]])
    for axis in (0, 1, -1):
        want = sp_logsumexp(x, axis=axis)
        np.testing.assert_allclose(gilfree.logsumexp(x, axis=axis), want, rtol=1e-15, atol=0)
        np.testing.assert_allclose(
            gilfree.logsumexp(x, axis=axis, keepdims=True), sp_logsumexp(x, axis=axis, keepdims=True), rtol=1e-15
        )
        got32 = gilfree.logsumexp(x.astype(np.float32), axis=axis)
        np.testing.assert_array_equal(got32, sp_logsumexp(x.astype(np.float32).astype(np.float64), axis=axis).astype(np.float32))


@pytest.mark.parametrize("where", [0, 1023, 1024, 77_777, 99_999])
def test_logsumexp_dominant_term_long_rows(where):
    # the largest term in any block or chunk of a row long enough to be split
    x = np.full(100_000, -50.0)
    x[::7] = -45.0
    x[where] = 0.0
    want = lse_formula(x)
    assert gilfree.logsumexp(x) == pytest.approx(want, rel=1e-14, abs=0)
    rows = np.stack([x, np.roll(x, 5000)])
    np.testing.assert_allclose(gilfree.logsumexp(rows, axis=1), [want, want], rtol=1e-14)
    np.testing.assert_allclose(gilfree.logsumexp(rows.T, axis=0), [want, want], rtol=1e-14)
    one, two = (_with_threads(n, lambda: gilfree.logsumexp(rows, axis=1)) for n in (1, 2))
    assert one.tobytes() == two.tobytes()


def _with_threads(n, fn):
    with gilfree.threads(n):
        return fn()


def test_logsumexp_ties_and_specials():
    assert gilfree.logsumexp(np.zeros(3)) == pytest.approx(math.log(3.0), rel=1e-15, abs=0)
    assert gilfree.logsumexp(np.full(5000, 2.0)) == pytest.approx(2.0 + math.log(5000.0), rel=1e-15, abs=0)
    for x in ([-np.inf, -np.inf], [-np.inf, 0.0], [np.inf, 0.0], [np.nan, 0.0], [-np.inf, np.inf]):
        arr = np.array(x)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            want = sp_logsumexp(arr)
        np.testing.assert_array_equal(gilfree.logsumexp(arr), want)
    assert gilfree.logsumexp(np.array([])) == -np.inf


def test_softmax_dominant_term():
    x = np.array([[0.0, -40.0], [-20.0, 0.0], [1.0, 1.0]])
    np.testing.assert_allclose(gilfree.softmax(x), sp_softmax(x, axis=-1), rtol=1e-15)
