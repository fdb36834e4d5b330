"""The dtype policy (README "dtype policy", _validate.compute_dtype) as one
table over every public kernel x every input dtype, and the subclass rule
(masked arrays and arithmetic-overriding subclasses are a TypeError naming
the argument). References come from NumPy/SciPy or tests/loss_reference.py,
expected dtypes from the rules restated here."""

import gilfree
import loss_reference as ref
import numpy as np
import pytest
import scipy.signal
import scipy.special
from gilfree._registry import KERNELS

ACCEPTED = [
    "bool", "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64",
    "float16", "float32", "float64", ">f8", ">i4",
]  # fmt: skip
REJECTED = ["complex128", "object", "str"]
DATA = np.array([1, 0, 2, 1, 3, 1])
DATA01 = np.array([1, 0, 1, 1, 0, 1])  # for the losses: a probability, a 0/1 target


def _native(dt):
    return np.dtype(dt).newbyteorder("=")


def _floating(dt):
    """The float kernels' result: float32 for float16/float32, else float64."""
    dt = _native(dt)
    return np.dtype(np.float32) if dt.kind == "f" and dt.itemsize <= 4 else np.dtype(np.float64)


def _arith(dt):
    """NumPy's result dtype with float16 replaced by float32."""
    dt = _native(dt)
    return np.dtype(np.float32) if dt == np.float16 else dt


def _f(a):
    return np.asarray(a).astype(np.float64)


def _loss(name):
    def call(a):
        return getattr(gilfree, name)(a, _f(a))

    def expect(a):
        val, _ = ref.elementwise(name, _f(a), _f(a))
        return val.mean(), _floating(a.dtype)

    return call, expect, "input", DATA01


# name -> (call(a), expect(a) -> (reference value, expected dtype), the argument's name, data)
def _table():
    t = {
        "sum": (gilfree.sum, lambda a: (np.sum(a), _arith(np.sum(a).dtype)), "x", DATA),
        "cumsum": (gilfree.cumsum, lambda a: (np.cumsum(a), _arith(np.cumsum(a).dtype)), "x", DATA),
        "min": (gilfree.min, lambda a: (np.min(a), _native(a.dtype)), "x", DATA),
        "max": (gilfree.max, lambda a: (np.max(a), _native(a.dtype)), "x", DATA),
        "argmin": (gilfree.argmin, lambda a: (np.argmin(a), np.dtype(np.int64)), "x", DATA),
        "argmax": (gilfree.argmax, lambda a: (np.argmax(a), np.dtype(np.int64)), "x", DATA),
        "dot": (lambda a: gilfree.dot(a, a), lambda a: (np.dot(a, a), _arith(np.dot(a, a).dtype)), "a", DATA),
        "clip": (
            lambda a: gilfree.clip(a, 0, 1),
            lambda a: (np.clip(a, 0, 1), _native(np.clip(a, 0, 1).dtype)),
            "x",
            DATA,
        ),
        "mean": (gilfree.mean, lambda a: (np.mean(_f(a)), _floating(a.dtype)), "x", DATA),
        "var": (gilfree.var, lambda a: (np.var(_f(a)), _floating(a.dtype)), "x", DATA),
        "std": (gilfree.std, lambda a: (np.std(_f(a)), _floating(a.dtype)), "x", DATA),
        "norm": (gilfree.norm, lambda a: (np.linalg.norm(_f(a)), _floating(a.dtype)), "x", DATA),
        "logsumexp": (
            gilfree.logsumexp, lambda a: (scipy.special.logsumexp(_f(a)), _floating(a.dtype)), "x", DATA,
        ),
        "sqdist": (
            lambda a: gilfree.sqdist(a, np.zeros(a.shape, a.dtype)),
            lambda a: (np.sum(_f(a) ** 2), _floating(a.dtype)),
            "a",
            DATA,
        ),
        "softmax": (gilfree.softmax, lambda a: (scipy.special.softmax(_f(a)), _floating(a.dtype)), "x", DATA),
        "axpy": (lambda a: gilfree.axpy(2.0, a, a), lambda a: (3 * _f(a), _floating(a.dtype)), "x", DATA),
        "histogram": (
            lambda a: gilfree.histogram(a, 3)[0],
            lambda a: (np.histogram(_f(a), 3)[0], np.dtype(np.int64)),
            "x",
            DATA,
        ),
        "convolve": (
            lambda a: gilfree.convolve(a, a), lambda a: (np.convolve(_f(a), _f(a)), _floating(a.dtype)), "a", DATA,
        ),
        "correlate": (
            lambda a: gilfree.correlate(a, a[:3], "full"),
            lambda a: (np.correlate(_f(a), _f(a[:3]), "full"), _floating(a.dtype)),
            "a",
            DATA,
        ),
        "convolve2d": (
            lambda a: gilfree.convolve2d(a.reshape(2, 3), a[:4].reshape(2, 2)),
            lambda a: (scipy.signal.convolve2d(_f(a).reshape(2, 3), _f(a[:4]).reshape(2, 2)), _floating(a.dtype)),
            "in1",
            DATA,
        ),
        "correlate2d": (
            lambda a: gilfree.correlate2d(a.reshape(2, 3), a[:4].reshape(2, 2)),
            lambda a: (scipy.signal.correlate2d(_f(a).reshape(2, 3), _f(a[:4]).reshape(2, 2)), _floating(a.dtype)),
            "in1",
            DATA,
        ),
        "conv1d": (
            lambda a: gilfree.conv1d(a.reshape(1, 1, 6), a[:3].reshape(1, 1, 3)),
            lambda a: (np.correlate(_f(a), _f(a[:3]), "valid").reshape(1, 1, 4), _floating(a.dtype)),
            "input",
            DATA,
        ),
        "conv2d": (
            lambda a: gilfree.conv2d(a.reshape(1, 1, 2, 3), a[:4].reshape(1, 1, 2, 2)),
            lambda a: (
                scipy.signal.correlate2d(_f(a).reshape(2, 3), _f(a[:4]).reshape(2, 2), "valid").reshape(1, 1, 1, 2),
                _floating(a.dtype),
            ),
            "input",
            DATA,
        ),
        "cross_entropy": (
            lambda a: gilfree.cross_entropy(a.reshape(2, 3), np.array([0, 2])),
            lambda a: (ref.cross_entropy(_f(a).reshape(2, 3), np.array([0, 2]))[0], _floating(a.dtype)),
            "input",
            DATA,
        ),
        "nll_loss": (
            lambda a: gilfree.nll_loss(a.reshape(2, 3), np.array([0, 2])),
            lambda a: (ref.nll_loss(_f(a).reshape(2, 3), np.array([0, 2]))[0], _floating(a.dtype)),
            "input",
            DATA,
        ),
    }
    for name in (
        "mse", "mae", "huber", "smooth_l1", "log_cosh", "pinball", "poisson_nll", "binary_cross_entropy",
        "binary_cross_entropy_with_logits", "kl_div", "hinge", "squared_hinge",
    ):  # fmt: skip
        t[name] = _loss(name)
    return t


TABLE = _table()


def test_every_public_kernel_is_in_the_table():
    assert sorted(KERNELS) == sorted(TABLE)


@pytest.mark.parametrize("dtype", ACCEPTED)
@pytest.mark.parametrize("name", sorted(TABLE))
def test_accepted_dtype(name, dtype):
    call, expect, _, data = TABLE[name]
    a = data.astype(dtype)
    got = call(a)
    want, want_dtype = expect(a)
    assert got.dtype == want_dtype
    if want_dtype.kind in "biu":
        np.testing.assert_array_equal(got, want)
    else:
        rtol = 1e-6 if want_dtype == np.float32 else 1e-12
        np.testing.assert_allclose(np.asarray(got, np.float64), np.asarray(want, np.float64), rtol=rtol, atol=1e-6)


@pytest.mark.parametrize("dtype", REJECTED)
@pytest.mark.parametrize("name", sorted(TABLE))
def test_rejected_dtype(name, dtype):
    call, _, arg, data = TABLE[name]
    a = data.astype(dtype)
    with pytest.raises(TypeError, match=rf"^{arg}: "):
        call(a)


# ------------------------------------------------------------------ the cases the issue named


def test_sum_of_a_bool_mask_counts():
    mask = np.array([True, False, True, True])
    assert gilfree.sum(mask) == np.sum(mask) == 3
    assert gilfree.sum(mask).dtype == np.int64


def test_unsigned_sums_wrap_as_numpy():
    u = np.array([2**64 - 1, 3, 2**63], np.uint64)
    assert gilfree.sum(u) == np.sum(u)
    assert gilfree.sum(u).dtype == np.uint64
    assert gilfree.min(u) == 3 and gilfree.max(u) == 2**64 - 1
    assert gilfree.argmax(u) == 0 and gilfree.argmin(u) == 1
    np.testing.assert_array_equal(gilfree.clip(u, 4, 2**63 + 5), np.clip(u, 4, 2**63 + 5))


def test_uint64_mean_is_numpy_float64():
    u = np.array([2**64 - 1, 2**63], np.uint64)
    assert gilfree.mean(u) == np.mean(u)


# ------------------------------------------------------------------ subclasses

MASKED = np.ma.array([1.0, 2.0, 100.0], mask=[0, 0, 1])


@pytest.mark.parametrize(
    "call, arg",
    [
        (lambda m: gilfree.sum(m), "x"),
        (lambda m: gilfree.mean(m), "x"),
        (lambda m: gilfree.mse(m, np.zeros(3)), "input"),
        (lambda m: gilfree.mse(np.zeros(3), m), "target"),
        (lambda m: gilfree.dot(np.ones(3), m), "b"),
        (lambda m: gilfree.convolve(m, np.ones(2)), "a"),
    ],
)
def test_masked_array_is_a_type_error_naming_the_argument(call, arg):
    with pytest.raises(TypeError, match=rf"^{arg}: .*masked array"):
        call(MASKED)


class _Units(np.ndarray):
    """An astropy-Quantity-like subclass: arithmetic of its own."""

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return NotImplemented


def test_subclass_with_its_own_arithmetic_is_a_type_error():
    q = np.arange(3.0).view(_Units)
    with pytest.raises(TypeError, match=r"^x: .*_Units"):
        gilfree.sum(q)


def test_memmap_and_matrix_are_read_as_their_data(tmp_path):
    mm = np.memmap(tmp_path / "m.bin", dtype=np.float64, mode="w+", shape=(4,))
    mm[:] = [1.0, 2.0, 3.0, 4.0]
    assert gilfree.sum(mm) == 10.0
    assert gilfree.mse(mm, np.zeros(4)) == np.mean(np.array([1.0, 4.0, 9.0, 16.0]))
    assert gilfree.sum(np.matrix([[1, 2], [3, 4]])) == 10
