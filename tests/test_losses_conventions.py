"""NumPy/torch conventions of the element-wise losses (issue #11): broadcasting
(NumPy's rules; the gradient of a stretched input summed back, as torch's
autograd does) and the out=/grad_out= buffers, checked before any write."""

import warnings

import gilfree
import numpy as np
import pytest
from loss_reference import elementwise as ref_elementwise

torch = pytest.importorskip("torch")
F = torch.nn.functional

TORCH = {
    "mse": (F.mse_loss, {}),
    "mae": (F.l1_loss, {}),
    "huber": (F.huber_loss, {"delta": 0.8}),
    "smooth_l1": (F.smooth_l1_loss, {"beta": 0.4}),
    "poisson_nll": (F.poisson_nll_loss, {}),
}
# (input shape, target shape): target smaller, input smaller, both stretched, a scalar target
SHAPES = [((4, 3), ()), ((4, 3), (3,)), ((7,), (1, 7)), ((7,), (5, 7)), ((3, 1), (1, 4)), ((2, 1, 3), (4, 1))]


def torch_value_grad(fn, x, y, **kw):
    xt = torch.from_numpy(np.ascontiguousarray(x)).requires_grad_(True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns when the shapes differ
        out = fn(xt, torch.from_numpy(np.ascontiguousarray(y)), **kw)
    out.sum().backward()
    return out.detach().numpy(), xt.grad.numpy()


@pytest.mark.parametrize("name", sorted(TORCH))
@pytest.mark.parametrize("shapes", SHAPES)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_broadcast_matches_torch_autograd(name, shapes, reduction, rng):
    fn, kw = TORCH[name]
    x, y = rng.normal(size=shapes[0]), rng.normal(size=shapes[1])
    if name == "poisson_nll":
        y = rng.poisson(3, size=shapes[1]).astype(float)
    want_v, want_g = torch_value_grad(fn, x, y, reduction=reduction, **kw)
    v, g = getattr(gilfree, name)(x, y, reduction=reduction, return_grad=True, **kw)
    assert np.shape(v) == want_v.shape and g.shape == x.shape
    np.testing.assert_allclose(v, want_v, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(g, want_g, rtol=1e-12, atol=1e-14)


def test_scalar_target_and_row_against_numpy():
    a = np.arange(6.0).reshape(2, 3)
    assert gilfree.mse(a, 0.5) == np.mean((a - 0.5) ** 2)
    x, y = np.linspace(-1, 1, 1000), np.linspace(0, 2, 1000)[None]
    v = gilfree.mae(x, y, reduction="none")
    assert v.shape == (1, 1000)
    np.testing.assert_allclose(v, np.abs(x - y), rtol=1e-15)


@pytest.mark.parametrize(
    "name, kw",
    [("pinball", {"quantile": 0.3}), ("log_cosh", {}), ("hinge", {}), ("squared_hinge", {})],
)
def test_broadcast_weighted_against_formula(name, kw, rng):
    # input (5, 1) stretched along the target's (1, 6) and a (6,) sample weight
    x, y, w = rng.normal(size=(5, 1)), np.sign(rng.normal(size=(1, 6))), rng.uniform(0.5, 2, size=6)
    xb, yb = np.broadcast_arrays(x, y)
    loss, dloss = ref_elementwise(name, xb, yb, **kw)
    want_v = np.sum(w * loss) / np.sum(np.broadcast_to(w, xb.shape))
    want_g = (w * dloss / np.sum(np.broadcast_to(w, xb.shape))).sum(axis=1, keepdims=True)
    v, g = getattr(gilfree, name)(x, y, sample_weight=w, return_grad=True, **kw)
    np.testing.assert_allclose(v, want_v, rtol=1e-13)
    np.testing.assert_allclose(g, want_g, rtol=1e-12, atol=1e-15)


def test_pos_weight_and_weight_broadcast_bce(rng):
    x, y = rng.normal(size=(4, 3)), rng.uniform(size=(3,))
    pw, w = np.array([1.0, 2.0, 0.5]), rng.uniform(size=(4, 1))
    yb = np.broadcast_to(y, x.shape)
    want = F.binary_cross_entropy_with_logits(
        torch.from_numpy(x), torch.from_numpy(np.ascontiguousarray(yb)),
        weight=torch.from_numpy(np.ascontiguousarray(np.broadcast_to(w, x.shape))),
        pos_weight=torch.from_numpy(pw), reduction="sum",
    )  # fmt: skip
    v = gilfree.binary_cross_entropy_with_logits(x, y, sample_weight=w, pos_weight=pw, reduction="sum")
    np.testing.assert_allclose(v, want.item(), rtol=1e-13)


def test_widened_grad_float32_accumulates_in_float64():
    # d sum / d x of (x - y)**2 over a column of y: terms 1e8, 1 (998 times), -1e8, each
    # exact in float32; only a float64 sum keeps the ones (float32 loses them next to 1e8)
    y = np.full((1000, 3), -0.5, np.float32)
    y[0], y[-1] = -5e7, 5e7
    x = np.zeros(3, np.float32)
    _, g = gilfree.mse(x, y, reduction="sum", return_grad=True)
    assert g.dtype == np.float32 and g.shape == (3,)
    np.testing.assert_array_equal(g, [998.0] * 3)
    assert np.float32(2) * (x - y).sum(axis=0, dtype=np.float32)[0] != 998.0  # the trap it avoids


def test_widened_grad_bitwise_identical_across_threads(rng):
    x, y = rng.normal(size=(1, 50_000)), rng.normal(size=(8, 50_000))
    results = []
    for n in (1, 2, 3):
        with gilfree.threads(n):
            results.append(gilfree.log_cosh(x, y, return_grad=True))
    for v, g in results[1:]:
        assert v.tobytes() == results[0][0].tobytes() and g.tobytes() == results[0][1].tobytes()


def test_shapes_that_do_not_broadcast_name_the_argument():
    with pytest.raises(ValueError, match=r"target: shape \(4,\) does not broadcast"):
        gilfree.mse(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError, match=r"sample_weight: shape \(2,\)"):
        gilfree.mse(np.zeros((2, 3)), 0.0, sample_weight=np.ones(2))
    with pytest.raises(ValueError, match="target: must not be empty"):
        gilfree.mse(np.zeros(1), np.zeros(0))


# -- out= and grad_out= -------------------------------------------------------


def test_out_and_grad_out_are_written_and_returned(rng):
    x, y = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    want_v, want_g = gilfree.huber(x, y, reduction="none", return_grad=True)
    out = np.empty((3, 8))[:, ::2].T  # any strides: a transposed, sliced view
    grad_out = np.empty((4, 3))
    v, g = gilfree.huber(x, y, reduction="none", return_grad=True, out=out, grad_out=grad_out)
    assert v is out and g is grad_out
    np.testing.assert_array_equal(out, want_v)
    np.testing.assert_array_equal(grad_out, want_g)
    value, g2 = gilfree.huber(x, y, return_grad=True, grad_out=np.empty_like(x))
    np.testing.assert_array_equal(g2, gilfree.huber(x, y, return_grad=True)[1])


def test_grad_out_of_a_stretched_input(rng):
    x, y = rng.normal(size=(7,)).astype(np.float32), rng.normal(size=(5, 7)).astype(np.float32)
    grad_out, out = np.empty(7, np.float32), np.empty((5, 7), np.float32)
    v, g = gilfree.mse(x, y, reduction="none", return_grad=True, out=out, grad_out=grad_out)
    assert v is out and g is grad_out
    np.testing.assert_allclose(g, (2 * (x.astype(float) - y)).sum(axis=0), rtol=1e-6)
    np.testing.assert_allclose(out, (x.astype(float) - y) ** 2, rtol=1e-6)


def test_grad_out_alone_is_checked_as_fully_as_with_out(rng):
    """grad_out without out (the binding's common call takes a plain buffer whole): every
    buffer it does not take is still judged by the general checks, and every accepted one is
    written in place with the bits of an allocated gradient."""
    base = rng.normal(size=40)
    x, y = base[:12].reshape(4, 3), base[12:24].reshape(4, 3)
    want = gilfree.mse(x, y, return_grad=True)
    for ok in (
        np.empty((4, 3)),
        np.empty((3, 4)).T,
        np.empty((4, 6))[:, ::2],
        base[24:36].copy().reshape(4, 3),
    ):
        v, g = gilfree.mse(x, y, return_grad=True, grad_out=ok)
        assert g is ok and v == want[0]
        np.testing.assert_array_equal(g, want[1])
    readonly = np.zeros((4, 3))
    readonly.flags.writeable = False
    bad = [
        (np.zeros((4, 3), ">f8"), TypeError, "grad_out: expected dtype"),
        (np.zeros((4, 3), np.float32), TypeError, "grad_out: expected dtype float64"),
        (np.zeros((3, 4)), ValueError, r"grad_out: expected shape \(4, 3\)"),
        (readonly, ValueError, "grad_out: expected a writeable array"),
        (_overlapping(), ValueError, "grad_out: expected distinct elements"),
        (base[6:18].reshape(4, 3), ValueError, "sharing no memory with input"),  # half over x, half over y
        (base[18:30].reshape(4, 3), ValueError, "sharing no memory with target"),  # the tail of y
        ([[0.0] * 3] * 4, TypeError, "grad_out: expected a numpy.ndarray"),
    ]
    for buf, exc, match in bad:
        before = np.array(buf, copy=True)
        with pytest.raises(exc, match=match):
            gilfree.mse(x, y, return_grad=True, grad_out=buf)
        np.testing.assert_array_equal(np.asarray(buf), before)
    with pytest.raises(ValueError, match="grad_out: only with return_grad"):
        gilfree.mse(x, y, grad_out=np.zeros((4, 3)))


def _overlapping():
    # overlapping rows over a buffer that holds every element it reaches (offset up to 5)
    return np.lib.stride_tricks.as_strided(np.zeros(6), shape=(4, 3), strides=(8, 8), writeable=True)


X = np.linspace(-1, 1, 12).reshape(4, 3)
Y = np.linspace(0, 1, 12).reshape(4, 3)


@pytest.mark.parametrize(
    "kw, exc, match",
    [
        ({"out": np.zeros((4, 3), np.float32)}, TypeError, "out: expected dtype float64"),
        ({"out": np.zeros((4, 3), ">f8")}, TypeError, "out: expected dtype"),
        ({"out": [[0.0] * 3] * 4}, TypeError, "out: expected a numpy.ndarray, got list"),
        ({"out": np.zeros((3, 4))}, ValueError, r"out: expected shape \(4, 3\)"),
        ({"out": np.zeros((4, 3)), "reduction": "mean"}, ValueError, "out: only for reduction='none'"),
        ({"grad_out": np.zeros((4, 3)), "return_grad": False}, ValueError, "grad_out: only with return_grad"),
        ({"grad_out": np.zeros((4, 1))}, ValueError, r"grad_out: expected shape \(4, 3\)"),
        ({"out": "readonly"}, ValueError, "out: expected a writeable array"),
        ({"out": "self"}, ValueError, "out: expected distinct elements"),
        ({"out": "input"}, ValueError, "out: expected an array sharing no memory with input"),
        ({"out": "target"}, ValueError, "sharing no memory with target"),
        ({"grad_out": "out"}, ValueError, "grad_out: expected an array sharing no memory with out"),
        ({"grad_out": np.zeros((4, 3)), "delta": -1.0}, ValueError, "delta"),
    ],
)
def test_failed_check_leaves_out_untouched(kw, exc, match):
    x, y = X.copy(), Y.copy()
    buf = np.full((4, 3), 7.0)  # a valid buffer, given as out when kw tests grad_out and vice versa
    kw = {"reduction": "none", "return_grad": True, **kw}
    special = {
        "readonly": np.full((4, 3), 7.0),
        "self": _overlapping(),
        "input": x,
        "target": y,
        "out": buf,
    }
    for key in ("out", "grad_out"):
        if isinstance(kw.get(key), str):
            kw[key] = special[kw[key]]
    special["readonly"].flags.writeable = False
    if "out" not in kw and kw["reduction"] == "none":
        kw["out"] = buf
    elif "grad_out" not in kw and kw["return_grad"]:
        kw["grad_out"] = buf
    before = {k: np.array(a, copy=True) for k, a in kw.items() if isinstance(a, np.ndarray)}
    with pytest.raises(exc, match=match):
        gilfree.huber(x, y, **kw)
    for k, a in before.items():
        np.testing.assert_array_equal(kw[k], a, err_msg=k)
    np.testing.assert_array_equal(x, X)
    np.testing.assert_array_equal(y, Y)
