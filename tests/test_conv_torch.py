"""gilfree.conv1d/conv2d vs torch.nn.functional."""

import gilfree
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

SETTINGS = settings(max_examples=50, deadline=None)
pytestmark = pytest.mark.filterwarnings("ignore:Using padding=.same. with even kernel:UserWarning")


def _tol(dtype, ref):
    scale = max(1.0, float(np.max(np.abs(ref))) if ref.size else 1.0)
    return dict(rtol=0, atol=(1e-4 if dtype == np.float32 else 1e-11) * scale)


def _maybe_strided(x, strided):
    if not strided:
        return x
    big = np.empty(x.shape[:-1] + (2 * x.shape[-1],), x.dtype)
    big[..., ::2] = x
    return big[..., ::2]  # same values, non-contiguous


@st.composite
def conv_case(draw, nd):
    groups = draw(st.integers(1, 3))
    cg = draw(st.integers(1, 3))
    og = draw(st.integers(1, 4))
    ks = tuple(draw(st.integers(1, 4)) for _ in range(nd))
    dil = tuple(draw(st.integers(1, 2)) for _ in range(nd))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    pad_kind = draw(st.sampled_from(["int", "tuple", "same", "valid"]))
    if pad_kind == "same":
        stride = (1,) * nd
        padding = "same"
    elif pad_kind == "valid":
        padding = "valid"
    elif pad_kind == "int":
        padding = draw(st.integers(0, 3))
    else:
        padding = tuple(draw(st.integers(0, 3)) for _ in range(nd))
    pads = (
        (0,) * nd if isinstance(padding, str) else ((padding,) * nd if isinstance(padding, int) else padding)
    )
    span = [d * (k - 1) + 1 for d, k in zip(dil, ks)]
    sizes = tuple(draw(st.integers(max(1, s - 2 * p), s - 2 * p + 8)) for s, p in zip(span, pads))
    batch = draw(st.sampled_from([None, 1, 2]))
    return dict(
        groups=groups,
        cg=cg,
        og=og,
        ks=ks,
        dil=dil,
        stride=stride,
        padding=padding,
        sizes=sizes,
        batch=batch,
        bias=draw(st.booleans()),
        strided=draw(st.booleans()),
        dtype=draw(st.sampled_from([np.float64, np.float32])),
        method=draw(st.sampled_from(["auto", "direct", "gemm", "winograd"])),
        seed=draw(st.integers(0, 2**31)),
    )


def _check(nd, c):
    rng = np.random.default_rng(c["seed"])
    cin, cout = c["groups"] * c["cg"], c["groups"] * c["og"]
    shape = ((c["batch"],) if c["batch"] else ()) + (cin,) + c["sizes"]
    x = _maybe_strided(rng.standard_normal(shape).astype(c["dtype"]), c["strided"])
    w = rng.standard_normal((cout, c["cg"]) + c["ks"]).astype(c["dtype"])
    b = rng.standard_normal(cout).astype(c["dtype"]) if c["bias"] else None
    ours = gilfree.conv1d if nd == 1 else gilfree.conv2d
    ref = F.conv1d if nd == 1 else F.conv2d
    args = (x, w, b, c["stride"], c["padding"], c["dil"], c["groups"])
    if c["method"] == "winograd" and not (
        nd == 2 and c["ks"] == (3, 3) and c["stride"] == (1, 1) and c["dil"] == (1, 1)
    ):
        with pytest.raises(ValueError, match="method"):
            ours(*args, method="winograd")
        return
    got = ours(*args, method=c["method"])
    tb = None if b is None else torch.from_numpy(b.astype(np.float64))
    want = ref(
        torch.from_numpy(np.ascontiguousarray(x, np.float64)),
        torch.from_numpy(w.astype(np.float64)),
        tb,
        c["stride"],
        c["padding"],
        c["dil"],
        c["groups"],
    ).numpy()
    assert got.dtype == c["dtype"]
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, **_tol(c["dtype"], want))


@SETTINGS
@given(conv_case(1))
def test_conv1d_matches_torch(case):
    _check(1, case)


@SETTINGS
@given(conv_case(2))
def test_conv2d_matches_torch(case):
    _check(2, case)


@pytest.mark.parametrize("method", ["direct", "gemm", "winograd", "auto"])
def test_conv2d_resnet_block_shape(method):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 16, 14, 14)).astype(np.float32)
    w = rng.standard_normal((32, 16, 3, 3)).astype(np.float32)
    b = rng.standard_normal(32).astype(np.float32)
    stride = 1 if method == "winograd" else 2
    got = gilfree.conv2d(x, w, b, stride=stride, padding=1, method=method)
    want = F.conv2d(torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(b), stride=stride, padding=1)
    np.testing.assert_allclose(got, want.numpy(), rtol=1e-4, atol=1e-4)


def test_depthwise_and_even_same_padding():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((1, 6, 9, 10))
    w = rng.standard_normal((12, 1, 4, 2))
    got = gilfree.conv2d(x, w, padding="same", dilation=(1, 3), groups=6)
    want = F.conv2d(torch.from_numpy(x), torch.from_numpy(w), padding="same", dilation=(1, 3), groups=6)
    np.testing.assert_allclose(got, want.numpy(), atol=1e-12)


def test_integer_inputs_and_lists():
    x = [[[1, 2, 3, 4]]]
    got = gilfree.conv1d(x, [[[1, -1]]])
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, [[[-1.0, -1.0, -1.0]]])


def test_zero_batch():
    out = gilfree.conv2d(np.zeros((0, 3, 5, 5)), np.ones((2, 3, 3, 3)))
    assert out.shape == (0, 2, 3, 3)


def test_gemm_and_direct_agree_on_broadcast_views():
    x = np.broadcast_to(np.float64(0.5), (2, 8, 20, 20))  # zero strides
    w = np.broadcast_to(np.arange(9.0).reshape(3, 3), (4, 8, 3, 3))
    d = gilfree.conv2d(x, w, padding=1, method="direct")
    g = gilfree.conv2d(x, w, padding=1, method="gemm")
    np.testing.assert_allclose(d, g, atol=1e-12)
    assert d[0, 0, 5, 5] == 0.5 * 36 * 8


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("hw,pad", [((1, 1), 1), ((2, 3), 1), ((7, 8), 0), ((9, 6), (2, 0))])
def test_winograd_edges(dtype, hw, pad):
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 8, *hw)).astype(dtype)
    w = rng.standard_normal((8, 4, 3, 3)).astype(dtype)
    if any((n + 2 * p - 2) < 1 for n, p in zip(hw, (pad, pad) if isinstance(pad, int) else pad)):
        return
    got = gilfree.conv2d(x, w, padding=pad, groups=2, method="winograd")
    want = F.conv2d(
        torch.from_numpy(x.astype(np.float64)), torch.from_numpy(w.astype(np.float64)), padding=pad, groups=2
    ).numpy()
    np.testing.assert_allclose(got, want, **_tol(dtype, want))


@settings(max_examples=30, deadline=None)
@given(
    h=st.integers(1, 13),
    w=st.integers(1, 13),
    pad=st.integers(0, 2),
    groups=st.integers(1, 2),
    cg=st.integers(1, 9),
    og=st.integers(1, 5),
    batch=st.integers(1, 2),
    dtype=st.sampled_from([np.float32, np.float64]),
    seed=st.integers(0, 2**31),
)
def test_winograd_matches_torch(h, w, pad, groups, cg, og, batch, dtype, seed):
    if h + 2 * pad < 3 or w + 2 * pad < 3:
        return
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, groups * cg, h, w)).astype(dtype)
    wt = rng.standard_normal((groups * og, cg, 3, 3)).astype(dtype)
    b = rng.standard_normal(groups * og).astype(dtype)
    got = gilfree.conv2d(x, wt, b, padding=pad, groups=groups, method="winograd")
    want = F.conv2d(
        torch.from_numpy(x.astype(np.float64)),
        torch.from_numpy(wt.astype(np.float64)),
        torch.from_numpy(b.astype(np.float64)),
        padding=pad,
        groups=groups,
    ).numpy()
    np.testing.assert_allclose(got, want, **_tol(dtype, want))
