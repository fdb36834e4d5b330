"""The common call (plain same-shape float arrays, no weights or buffers) is
taken whole by the binding: it must give exactly what the general path gives
(the same kernel behind both), and every other call must still reach the
general path's checks. Also gilfree.threads as a C class."""

import asyncio
import contextvars
import warnings

import gilfree
import gilfree._context
import gilfree.runtime
import numpy as np
import pytest
from gilfree._cyx import _losses
from scipy import special
from test_losses_values import ELEMENTWISE  # noqa: E402  (each loss's parameters, written once)


class Plain(np.ndarray):
    """A plain subclass: read as its data by the dtype policy, but not the common call."""


def _operands(name, dtype, shape=(37, 5)):
    rng = np.random.default_rng(len(name))
    x = rng.uniform(0.05, 0.95, shape).astype(dtype)
    y = rng.uniform(0.05, 0.95, shape).astype(dtype)
    if name in ("hinge", "squared_hinge"):
        y = np.where(y > 0.5, 1.0, -1.0).astype(dtype)
    return x, y


def _bits(r):
    if isinstance(r, tuple):
        return tuple(_bits(p) for p in r)
    return (np.asarray(r).dtype, np.asarray(r).shape, np.asarray(r).tobytes())


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("return_grad", [False, True])
def test_common_call_equals_the_general_path(name, dtype, reduction, return_grad):
    fn = getattr(gilfree, name)
    x, y = _operands(name, dtype)
    kw = dict(ELEMENTWISE[name], reduction=reduction, return_grad=return_grad)
    assert _losses.elementwise_common is not None
    common = fn(x, y, **kw)
    general = fn(x.view(Plain), y.view(Plain), **kw)
    assert type(common if not return_grad else common[0]) is type(general if not return_grad else general[0])
    assert _bits(common) == _bits(general)


def test_common_call_result_types_follow_numpy():
    a = np.array([1.0, 2.0, 3.0])
    b = np.array([1.0, 2.0, 5.0])
    r = gilfree.mse(a, b)
    assert type(r) is np.float64 and r == np.mean((a - b) ** 2)
    r32 = gilfree.mse(a.astype(np.float32), b.astype(np.float32))
    assert type(r32) is np.float32 and r32 == np.float32(np.mean((a - b) ** 2))
    v, g = gilfree.mse(a, b, reduction="sum", return_grad=True)
    assert type(v) is np.float64 and v == 4.0 and g.tolist() == [0.0, 0.0, -4.0]


def test_float32_sum_past_its_range_is_inf_without_a_warning():
    x = np.full(4, 3e38, np.float32)
    y = np.zeros(4, np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        common = gilfree.mse(x, y, reduction="sum")
        general = gilfree.mse(x.view(Plain), y.view(Plain), reduction="sum")
    assert type(common) is np.float32 and np.isposinf(common) and np.isposinf(general)
    # torch's float32 sum saturates the same way; NumPy's float64 reference is finite
    assert np.isfinite(np.sum((x.astype(np.float64) - y) ** 2))


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda a: gilfree.mse(a, a, reduction="avg"), ValueError, "reduction"),
        (lambda a: gilfree.mse(a, a, reduction=None), TypeError, "reduction"),
        (lambda a: gilfree.mse(a, a, return_grad="yes"), TypeError, "return_grad"),
        (lambda a: gilfree.mse(a, a[:3]), ValueError, "target"),
        (lambda a: gilfree.mse(a[:0], a[:0]), ValueError, "input"),
        (lambda a: gilfree.mse(a, a.astype(np.complex128)), TypeError, "target"),
        (lambda a: gilfree.mse(np.ma.array(a), a), TypeError, "input"),
    ],
)
def test_other_calls_reach_the_general_checks(call, exc, match):
    with pytest.raises(exc, match=match):
        call(np.linspace(0, 1, 8))


def test_common_call_runs_on_the_context_thread_count_with_same_bits():
    x, y = _operands("mse", np.float64, (1 << 20,))
    with gilfree.threads(1):
        one = gilfree.mse(x, y)
    with gilfree.threads(2):
        two = gilfree.mse(x, y)
    assert one.tobytes() == two.tobytes()
    assert one == pytest.approx(np.mean((x - y) ** 2), rel=1e-12)


def test_common_call_honours_a_cancelled_context_token():
    tok = gilfree.runtime.Token()
    tok.cancel()
    x, y = _operands("mse", np.float64, (1 << 20,))
    ctx = contextvars.copy_context()
    ctx.run(gilfree._context.TOKEN.set, tok)
    with pytest.raises(gilfree.runtime.KernelCancelled):
        ctx.run(gilfree.mse, x, y)


REDUCTIONS = ["sum", "mean", "var", "std", "min", "max", "argmin", "argmax", "logsumexp"]


@pytest.mark.parametrize("name", REDUCTIONS)
@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.float32, np.float64])
@pytest.mark.parametrize("shape", [(1,), (1000,), (37, 29)])
def test_whole_array_reduction_common_call_equals_the_general_path(name, dtype, shape):
    fn = getattr(gilfree, name)
    rng = np.random.default_rng(7)
    x = (rng.standard_normal(shape) * 1000).astype(dtype)
    common = fn(x)
    general = fn(x.view(Plain))
    reference = special.logsumexp(x) if name == "logsumexp" else getattr(np, name)(x)
    if name == "logsumexp" and dtype == np.float32:
        reference = np.float32(reference)
    assert type(common) is type(general) is type(reference)
    assert _bits(common) == _bits(general)
    if name.startswith("arg"):
        assert common == reference
    else:
        assert common == pytest.approx(reference, rel=1e-5 if dtype == np.float32 else 1e-12)


@pytest.mark.parametrize("name", REDUCTIONS)
@pytest.mark.parametrize("dtype", [np.int32, np.float32, np.float64])
@pytest.mark.parametrize("shape, axis", [((1,), -1), ((37, 29), -1), ((37, 29), 1), ((3, 4, 300), -1), ((3, 4, 300), 2)])
def test_last_axis_reduction_common_call_equals_the_general_path(name, dtype, shape, axis):
    fn = getattr(gilfree, name)
    rng = np.random.default_rng(8)
    x = (rng.standard_normal(shape) * 1000).astype(dtype)
    common = fn(x, axis=axis)
    general = fn(x.view(Plain), axis=axis)
    x64 = x.astype(np.float64)  # NumPy sums float32 in float32: the reference in float64
    reference = special.logsumexp(x64, axis=axis) if name == "logsumexp" else getattr(np, name)(x64, axis=axis)
    assert type(common) is type(general)
    assert _bits(common) == _bits(general)
    assert np.shape(common) == np.shape(reference)
    if name.startswith("arg"):
        np.testing.assert_array_equal(common, reference)
    else:
        np.testing.assert_allclose(common, reference, rtol=1e-5 if dtype == np.float32 else 1e-12)


def test_last_axis_common_call_leaves_other_calls_to_the_general_path():
    x = np.arange(12.0).reshape(3, 4)
    np.testing.assert_array_equal(gilfree.sum(x, axis=0), x.sum(axis=0))  # not the last axis
    np.testing.assert_array_equal(gilfree.sum(x, axis=np.int64(-1)), x.sum(axis=-1))  # not an exact int
    assert gilfree.sum(x, axis=-1, keepdims=True).shape == (3, 1)
    with pytest.raises(ValueError, match="x: zero-size"):  # empty: the general path's error
        gilfree.min(np.zeros((3, 0)), axis=-1)
    with pytest.raises(np.exceptions.AxisError):
        gilfree.sum(x, axis=2)
    with pytest.raises(np.exceptions.AxisError):
        gilfree.sum(np.float64(1.0).reshape(()), axis=-2)


def test_reduction_common_call_keeps_nan_and_ddof():
    x = np.array([1.0, np.nan, 3.0])
    assert np.isnan(gilfree.max(x)) and np.isnan(gilfree.min(x)) and gilfree.argmax(x) == 1
    y = np.arange(10.0)
    assert gilfree.var(y, ddof=1) == pytest.approx(np.var(y, ddof=1), rel=1e-15)
    assert gilfree.std(y, ddof=3) == pytest.approx(np.std(y, ddof=3), rel=1e-15)


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: gilfree.min(np.zeros(0)), ValueError, "x:"),
        (lambda: gilfree.var(np.ones(3), ddof=float("nan")), ValueError, "ddof"),
        (lambda: gilfree.sum(np.ones(3), keepdims="no"), TypeError, "keepdims"),
        (lambda: gilfree.sum(np.ones(3, np.complex128)), TypeError, "x"),
    ],
)
def test_other_reductions_reach_the_general_checks(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


_LAYOUTS = [((1,), None), ((1000,), None), ((1000,), -1), ((37, 29), None), ((3, 4, 300), -1)]


@pytest.mark.parametrize(
    "name, shape, axis",
    [("dot", (1,), None), ("dot", (1000,), None)] + [(n, *lay) for n in ("sqdist", "norm") for lay in _LAYOUTS],
)
@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.float32, np.float64])
def test_pair_and_norm_common_call_equals_the_general_path(name, dtype, shape, axis):
    """dot(a, b), sqdist(a, b[, axis]) and norm(x[, axis]) go to the binding's common call:
    the same result, type and dtype as the general path, and NumPy's value."""
    rng = np.random.default_rng(9)
    a, b = ((rng.standard_normal(shape) * 100).astype(dtype) for _ in range(2))
    kw = {} if axis is None else {"axis": axis}
    args = (a,) if name == "norm" else (a, b)
    common = getattr(gilfree, name)(*args, **kw)
    general = getattr(gilfree, name)(*(x.view(Plain) for x in args), **kw)
    assert type(common) is type(general)
    assert _bits(common) == _bits(general)
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    reference = {
        "dot": lambda: np.dot(a, b),
        "sqdist": lambda: ((a64 - b64) ** 2).sum(axis=axis),
        "norm": lambda: np.linalg.norm(a64 if axis is not None else a64.ravel(), axis=axis),
    }[name]()
    assert np.shape(common) == np.shape(reference)
    if name == "dot" and dtype in (np.int32, np.int64):  # integer products wrap as NumPy's
        assert common == reference and np.asarray(common).dtype == np.asarray(reference).dtype
    else:
        np.testing.assert_allclose(common, reference, rtol=1e-5 if dtype == np.float32 else 1e-12)


def test_pair_common_call_leaves_other_calls_to_the_general_checks():
    a = np.arange(6.0)
    with pytest.raises(ValueError, match="a: expected a 1-d array"):
        gilfree.dot(a.reshape(2, 3), a.reshape(2, 3))
    with pytest.raises(ValueError, match="b: expected length 6"):
        gilfree.dot(a, a[:5])
    assert gilfree.dot(a, a.astype(np.float32)) == np.dot(a, a)  # mixed dtypes: promoted
    assert gilfree.sqdist(a.reshape(2, 3), a[:3]) == 27.0  # broadcast: the general path
    with pytest.raises(TypeError, match="b"):
        gilfree.sqdist(a, np.ones(6, np.complex128))
    assert gilfree.norm(np.zeros(0)) == 0.0  # empty: the general path, as np.linalg.norm
    assert gilfree.norm(a.reshape(2, 3), axis=0).shape == (3,)  # not the last axis


@pytest.mark.parametrize("name", ["cross_entropy", "nll_loss"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("return_grad", [False, True])
def test_row_loss_common_call_equals_the_general_path(name, dtype, reduction, return_grad):
    fn = getattr(gilfree, name)
    rng = np.random.default_rng(3)
    x = rng.standard_normal((53, 7)).astype(dtype)
    if name == "nll_loss":
        x = x - np.log(np.exp(x).sum(axis=1, keepdims=True))
    labels = rng.integers(0, 7, 53)
    labels[5] = -100  # ignored
    kw = dict(reduction=reduction, return_grad=return_grad)
    common = fn(x, labels, **kw)
    general = fn(x.view(Plain), labels.view(Plain), **kw)
    assert _bits(common) == _bits(general)
    torch = pytest.importorskip("torch")
    ref = getattr(torch.nn.functional, name)(
        torch.from_numpy(x), torch.from_numpy(labels), reduction=reduction
    )
    value = common[0] if return_grad else common
    np.testing.assert_allclose(value, ref.numpy(), rtol=1e-5 if dtype == np.float32 else 1e-12)


def test_row_loss_common_call_checks_the_labels():
    x = np.zeros((3, 4))
    with pytest.raises(ValueError, match="target"):
        gilfree.cross_entropy(x, np.array([0, 1, 4]))
    with pytest.raises(ValueError, match="target"):
        gilfree.cross_entropy(x, np.array([0, 1]))


# ------------------------------------------------------------------ gilfree.threads


def test_threads_sets_and_restores_the_count():
    before = gilfree.get_num_threads()
    with gilfree.threads(1) as entered:
        assert entered is None
        assert gilfree.get_num_threads() == 1
        with gilfree.threads(np.int64(2)):
            assert gilfree.get_num_threads() == 2
        assert gilfree.get_num_threads() == 1
    assert gilfree.get_num_threads() == before


def test_threads_restores_the_count_when_the_block_raises():
    before = gilfree.get_num_threads()
    with pytest.raises(KeyError), gilfree.threads(1):
        raise KeyError("x")
    assert gilfree.get_num_threads() == before


def test_threads_object_can_be_reused_but_not_reentered():
    t = gilfree.threads(1)
    for _ in range(2):
        with t:
            assert gilfree.get_num_threads() == 1
            with pytest.raises(RuntimeError, match="threads"), t:
                pass
    assert repr(t) == "gilfree.threads(1)"


@pytest.mark.parametrize("n, exc", [("2", TypeError), (True, TypeError), (2.0, TypeError), (0, ValueError)])
def test_threads_rejects_a_bad_count_naming_it(n, exc):
    with pytest.raises(exc, match="n:"):
        gilfree.threads(n)


@pytest.mark.asyncio
async def test_threads_follows_await_and_is_per_task():
    seen = {}

    async def task(n):
        with gilfree.threads(n):
            await asyncio.sleep(0.01)
            seen[n] = gilfree.get_num_threads()

    await asyncio.gather(task(1), task(3))
    assert seen == {1: 1, 3: 3}


# ------------------------------------------------------------ the public function objects
# A kernel with a common call is a CommonCall: f(*required args), no keywords, goes straight
# to its binding entry; it must stand for the documented Python function in every other way.
COMMON = ["mse", "mae", "log_cosh", "hinge", "cross_entropy", "nll_loss"] + [
    "sum",
    "mean",
    "var",
    "std",
    "min",
    "max",
    "argmin",
    "argmax",
    "logsumexp",
    "dot",
    "sqdist",
    "norm",
]


@pytest.mark.parametrize("name", COMMON)
def test_common_call_object_stands_for_its_function(name):
    import inspect
    import pickle

    import cloudpickle

    f = getattr(gilfree, name)
    general = f.__wrapped__
    assert inspect.isfunction(general) and inspect.isroutine(f)
    assert (f.__name__, f.__qualname__, f.__module__, f.__doc__) == (
        general.__name__,
        general.__qualname__,
        general.__module__,
        general.__doc__,
    )
    assert inspect.signature(f) == inspect.signature(general)
    assert f.__kwdefaults__ == general.__kwdefaults__ and f.__defaults__ == general.__defaults__
    assert pickle.loads(pickle.dumps(f)) is f and cloudpickle.loads(cloudpickle.dumps(f)) is f
    assert getattr(gilfree.aio, name).__name__ == name  # its awaitable twin was built from it

    class Holder:
        g = f  # a class attribute stays the plain callable (no bound self)

    assert Holder().g is f


@pytest.mark.parametrize("n", [10, 256, 257, 10_000])
@pytest.mark.parametrize("name", ["mse", "log_cosh", "cross_entropy", "sum", "var", "logsumexp", "argmax"])
def test_positional_keyword_and_general_calls_agree(name, n):
    # around the size below which the binding keeps the GIL (kKeepGilItems), each way in
    rng = np.random.default_rng(n)
    f = getattr(gilfree, name)
    if name == "cross_entropy":
        x, t = rng.normal(size=(n, 3)), rng.integers(0, 3, n)
        calls = [f(x, t), f(input=x, target=t), f(x.view(Plain), t), f.__wrapped__(x, t)]
    elif name in ("mse", "log_cosh"):
        x, y = rng.normal(size=n), rng.normal(size=n)
        calls = [f(x, y), f(x, target=y), f(x.view(Plain), y), f.__wrapped__(x, y)]
    else:
        x = rng.normal(size=n)
        calls = [f(x), f(x=x), f(x.view(Plain)), f.__wrapped__(x)]
    assert len({_bits(c) for c in calls}) == 1


def test_common_call_misuse_is_the_functions_error():
    a = np.ones(3)
    with pytest.raises(TypeError, match="target"):
        gilfree.mse(a)
    with pytest.raises(TypeError, match="unexpected keyword"):
        gilfree.mse(a, a, reduce="sum")
    with pytest.raises(ValueError, match="reduction"):
        gilfree.mse(a, a, reduction="avg")
    with pytest.raises(TypeError, match="argument"):
        gilfree.sum(a, None, None, None, False, 1)


def test_keyword_common_call_takes_only_its_keywords():
    """fn(x, axis=a) is offered to the binding (the reductions' `keywords`); any other
    keyword sends the call to the general path, with the same bits."""
    from gilfree._registry import common_call

    x = np.random.default_rng(3).standard_normal((6, 300))
    by_keyword = gilfree.logsumexp(x, axis=-1)
    assert _bits(by_keyword) == _bits(gilfree.logsumexp(x, axis=-1, keepdims=False))
    assert _bits(by_keyword) == _bits(gilfree.logsumexp.__wrapped__(x, axis=-1))
    assert _bits(gilfree.sum(x, axis=None)) == _bits(gilfree.sum(x))
    with pytest.raises(TypeError, match="keywords"):
        common_call(_losses.elementwise_common, keywords=("nope",))(lambda x: x)
