"""Hardening of the loss family (issue #9): bounded scratch for very many
classes, accuracy at extreme logit magnitudes, and range-checked scalar
parameters. References are closed forms, NumPy (tests/loss_reference.py)
or torch in float64, never gilfree."""

import json
import math
import subprocess
import sys
import textwrap

import gilfree
import loss_reference as ref
import numpy as np
import pytest
from limits import limit

torch = pytest.importorskip("torch")
F = torch.nn.functional

# --------------------------------------------------------- bounded scratch (2)

# Runs in a child: the address space is capped at what the process already
# maps (after a warm-up call has started the compute pool) plus a margin,
# and the peak resident size is reported. The kernel used to allocate five
# float64 buffers of length C per worker (10 GB for C = 2**28).
_CHILD = textwrap.dedent(
    """
    import json, resource, sys
    import numpy as np, gilfree

    def vm_bytes():
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024

    C, grad, margin = int(sys.argv[1]), sys.argv[2] == "1", int(sys.argv[3])
    gilfree.cross_entropy(np.zeros((64, 4096)), np.zeros(64, dtype=np.int64), return_grad=True)
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    out_bytes = 8 * C if grad else 0
    resource.setrlimit(resource.RLIMIT_AS, (vm_bytes() + out_bytes + margin, resource.RLIM_INFINITY))
    res = {}
    for dt in (np.float64, np.float32):
        x = np.broadcast_to(dt(3.5), (1, C))  # constant logits: 0 bytes of input
        t = np.array([C // 3])
        name = np.dtype(dt).name
        try:
            if grad:
                v, g = gilfree.cross_entropy(x, t, return_grad=True)
                res[name] = [float(v), float(g[0, 0]), float(g[0, C // 3]), float(g[0, -1])]
                del g
            else:
                q = np.broadcast_to(dt(1.0 / C), (1, C))  # uniform class probabilities
                res[name] = [
                    float(gilfree.cross_entropy(x, t)),
                    float(gilfree.cross_entropy(x, t, label_smoothing=0.25)),
                    float(gilfree.cross_entropy(x, q)),
                    float(gilfree.nll_loss(x, t)),
                ]
        except MemoryError as exc:
            res[name] = "MemoryError: " + str(exc)
    res["rss_growth"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - rss0
    print(json.dumps(res))
    """
)


def _run_child(c, grad, margin):
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, str(c), "1" if grad else "0", str(margin)],
        capture_output=True,
        text=True,
        timeout=limit(120),
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_cross_entropy_many_classes_value_in_bounded_memory():
    c = 2**28  # 2 GB of float64 logits if they were materialised
    res = _run_child(c, grad=False, margin=512 << 20)
    for dt, rtol in (("float64", 1e-14), ("float32", 1e-6)):
        assert isinstance(res[dt], list), res[dt]
        ce, ce_ls, ce_prob, nll = res[dt]
        # constant logits: -log p_j = log C for every class
        np.testing.assert_allclose([ce, ce_ls, ce_prob], math.log(c), rtol=rtol)
        assert nll == -3.5
    assert res["rss_growth"] < 512 << 20


def test_cross_entropy_many_classes_grad_in_bounded_memory():
    c = 2**26  # the gradient itself is 512 MB (float64); scratch must not scale with C
    res = _run_child(c, grad=True, margin=512 << 20)
    for dt, rtol in (("float64", 1e-14), ("float32", 1e-6)):
        assert isinstance(res[dt], list), res[dt]
        v, g0, gt, glast = res[dt]
        np.testing.assert_allclose(v, math.log(c), rtol=rtol)
        np.testing.assert_allclose([g0, gt, glast], [1.0 / c, 1.0 / c - 1.0, 1.0 / c], rtol=rtol)
    assert res["rss_growth"] < (8 * c) + (512 << 20)


@pytest.mark.parametrize("c", [8193, 3 * 8192 + 17, 40000])  # classes per block: 8192
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_cross_entropy_rows_longer_than_a_block(c, dtype):
    """Rows streamed in several blocks: value and grad against NumPy for the
    plain, class-weighted, smoothed and probability-target paths, and the
    same bits for 1 and 2 threads."""
    rng = np.random.default_rng(7)
    n = 5
    x = (rng.normal(size=(n, c)) * 4).astype(dtype)
    x[1, c - 1] = 40.0  # the maximum in the last block
    x[2, 0] = 40.0  # ... and in the first
    t = rng.integers(0, c, n)
    t[3] = -100
    cw = rng.uniform(0.5, 2.0, c)
    prob = rng.dirichlet(np.ones(c), n).astype(dtype)
    tol = 1e-12 if dtype == np.float64 else 2e-6
    cases = [
        (t, {}),
        (t, {"class_weight": cw, "label_smoothing": 0.2}),
        (prob, {"label_smoothing": 0.1}),
        (t, {"reduction": "none"}),
    ]
    for target, kw in cases:
        results = []
        for threads in (1, 2):
            with gilfree.threads(threads):
                results.append(gilfree.cross_entropy(x, target, return_grad=True, **kw))
        (v1, g1), (v2, g2) = results
        assert np.array_equal(np.asarray(v1), np.asarray(v2)) and np.array_equal(g1, g2)
        rv, rg = ref.cross_entropy(x.astype(np.float64), target, **kw)
        np.testing.assert_allclose(v1, rv, rtol=tol, atol=tol)
        np.testing.assert_allclose(g1, rg, rtol=tol, atol=tol * 1e-3)


# --------------------------------------------------- large-magnitude logits (3)

_F64_SCALES = [1e8, 1e12, 1e16, 1e17, 1e100, 1e300, -1e300]
_F32_SCALES = [1e8, 1e16, 1e30, 3e38, -3e38]


def _scales():
    return [(np.float64, s) for s in _F64_SCALES] + [(np.float32, s) for s in _F32_SCALES]


@pytest.mark.parametrize(("dtype", "scale"), _scales())
def test_cross_entropy_equal_large_logits_is_log_c(dtype, scale):
    """All-equal logits: the loss is log C whatever their magnitude, the
    gradient softmax - onehot = 1/C - onehot (torch gives the same)."""
    n, c = 3, 5
    x = np.full((n, c), scale, dtype=dtype)
    t = np.array([0, 2, 4])
    rtol = 1e-15 if dtype == np.float64 else 1e-7
    expect_g = (np.full((n, c), 1.0 / c) - np.eye(c)[t]) / n
    v, g = gilfree.cross_entropy(x, t, return_grad=True)
    np.testing.assert_allclose(v, math.log(5), rtol=rtol)
    np.testing.assert_allclose(g, expect_g, rtol=rtol)
    # label smoothing keeps the row's coefficients summing to 1
    np.testing.assert_allclose(gilfree.cross_entropy(x, t, label_smoothing=0.3), math.log(5), rtol=rtol)
    # class weights: mean = sum_i w[t_i] (1 - eps + eps * mean(w)) log C / sum_i w[t_i]
    cw = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    eps = 0.3
    per = (cw[t] * (1 - eps) + eps * cw.mean()) * math.log(5)
    got = gilfree.cross_entropy(x, t, class_weight=cw, label_smoothing=eps)
    np.testing.assert_allclose(got, per.sum() / cw[t].sum(), rtol=rtol)
    # uniform probability targets
    q = np.full((n, c), 1.0 / c, dtype=dtype)
    np.testing.assert_allclose(gilfree.cross_entropy(x, q), math.log(5), rtol=rtol)


@pytest.mark.parametrize("scale", [1e8, 1e12, 1e15, 2.0**60])
def test_cross_entropy_large_offset_logits_match_torch(scale):
    """Logits scale + d with small exact offsets d: the loss depends on d
    only (closed form: log_softmax of d), and torch float64 agrees."""
    d = np.array([[0.0, 1.0, -2.0, 0.5], [3.0, 0.0, 0.0, -1.0]])
    ulp = np.spacing(scale)
    d = np.round(d / ulp) * ulp  # exactly representable next to scale
    x = scale + d
    assert np.array_equal(x - scale, d)
    t = np.array([2, 1])
    cw = np.array([0.5, 1.0, 2.0, 1.5])
    for kw in ({}, {"label_smoothing": 0.2}, {"class_weight": cw, "label_smoothing": 0.1}):
        v, g = gilfree.cross_entropy(x, t, return_grad=True, **kw)
        rv, rg = ref.cross_entropy(d, t, **kw)  # closed form on the offsets
        xt = torch.tensor(x, requires_grad=True)
        tkw = {"weight": torch.tensor(cw)} if "class_weight" in kw else {}
        tv = F.cross_entropy(xt, torch.tensor(t), label_smoothing=kw.get("label_smoothing", 0.0), **tkw)
        tv.backward()
        np.testing.assert_allclose(v, rv, rtol=1e-14)
        np.testing.assert_allclose(v, tv.item(), rtol=1e-14)
        np.testing.assert_allclose(g, rg, rtol=1e-13, atol=1e-16)
        np.testing.assert_allclose(g, xt.grad.numpy(), rtol=1e-13, atol=1e-16)


@pytest.mark.parametrize(("dtype", "scale"), _scales())
def test_nll_loss_extreme_magnitudes(dtype, scale):
    """-w[t] x[t] summed in float64: no overflow of the float32 sum of
    values near its maximum, no loss of the class weights."""
    x = np.array([[scale, 0.0, -scale], [0.5 * scale, scale, 0.0]], dtype=dtype)
    t = np.array([0, 1])
    cw = np.array([0.25, 2.0, 1.0])
    v, g = gilfree.nll_loss(x, t, class_weight=cw, return_grad=True)
    xt = torch.tensor(x.astype(np.float64), requires_grad=True)
    tv = F.nll_loss(xt, torch.tensor(t), weight=torch.tensor(cw))
    tv.backward()
    rtol = 1e-15 if dtype == np.float64 else 1e-7
    np.testing.assert_allclose(v, tv.item(), rtol=rtol)
    np.testing.assert_allclose(g, xt.grad.numpy(), rtol=rtol)


@pytest.mark.parametrize(("dtype", "scale"), _scales())
def test_bce_with_logits_extreme_magnitudes(dtype, scale):
    a = abs(float(dtype(scale)))
    x = np.array([a, -a, a, -a, 0.0], dtype=dtype)
    y = np.array([1.0, 0.0, 0.0, 1.0, 0.5], dtype=dtype)
    # closed form: softplus(-x) for y = 1, softplus(x) for y = 0
    closed = np.array([0.0, 0.0, a, a, math.log(2)])
    pw = np.array([2.0, 2.0, 2.0, 2.0, 2.0])
    for kw, weights in (({}, np.ones(5)), ({"pos_weight": pw}, 1 + (pw - 1) * y.astype(np.float64))):
        per, g = gilfree.binary_cross_entropy_with_logits(x, y, reduction="none", return_grad=True, **kw)
        xt = torch.tensor(x.astype(np.float64), requires_grad=True)
        tkw = {"pos_weight": torch.tensor(pw)} if kw else {}
        tv = F.binary_cross_entropy_with_logits(
            xt, torch.tensor(y.astype(np.float64)), reduction="sum", **tkw
        )
        tv.backward()
        expect = closed.copy()
        expect[[0, 3, 4]] *= weights[[0, 3, 4]]
        with np.errstate(over="ignore"):  # 2 * 3e38 is inf in float32, as in the result
            expect = expect.astype(dtype)
        np.testing.assert_allclose(per, expect, rtol=1e-7 if dtype == np.float32 else 1e-15)
        np.testing.assert_allclose(g, xt.grad.numpy().astype(dtype), rtol=1e-7, atol=0)


@pytest.mark.parametrize(("dtype", "scale"), _scales())
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_extreme_magnitudes(dtype, scale, log_target):
    s = -abs(float(scale))  # log-probabilities are <= 0
    x = np.array([[s, 0.0], [0.5 * s, -1.0]], dtype=dtype)
    y = np.array([[0.25, 0.75], [0.5, 0.5]], dtype=dtype)
    if log_target:
        y = np.log(y.astype(np.float64)).astype(dtype)
    v, g = gilfree.kl_div(x, y, reduction="batchmean", return_grad=True, log_target=log_target)
    xt = torch.tensor(x.astype(np.float64), requires_grad=True)
    tv = F.kl_div(xt, torch.tensor(y.astype(np.float64)), reduction="batchmean", log_target=log_target)
    tv.backward()
    rtol = 1e-15 if dtype == np.float64 else 1e-7
    np.testing.assert_allclose(v, tv.item(), rtol=rtol)
    np.testing.assert_allclose(g, xt.grad.numpy(), rtol=rtol)


# ------------------------------------------------ range-checked parameters (4)


@pytest.mark.parametrize("loss", [gilfree.cross_entropy, gilfree.nll_loss])
@pytest.mark.parametrize("bad", [2**63, -(2**63) - 1, 2**70, np.uint64(2**63)])
def test_ignore_index_outside_int64_names_the_argument(loss, bad):
    with pytest.raises(ValueError, match="ignore_index"):
        loss(np.zeros((2, 3)), np.array([0, 1]), ignore_index=bad)


@pytest.mark.parametrize("loss", [gilfree.cross_entropy, gilfree.nll_loss])
@pytest.mark.parametrize("ignore", [-(2**63), 2**63 - 1])
def test_ignore_index_at_int64_ends_never_matches(loss, ignore):
    rng = np.random.default_rng(3)
    x = np.log(rng.dirichlet(np.ones(4), 3))
    t = np.array([0, 3, 1])
    name = "cross_entropy" if loss is gilfree.cross_entropy else "nll_loss"
    rv, _ = getattr(ref, name)(x, t)
    np.testing.assert_allclose(loss(x, t, ignore_index=ignore), rv, rtol=1e-14)


@pytest.mark.parametrize("loss", [gilfree.cross_entropy, gilfree.nll_loss])
def test_uint64_class_index_beyond_int64_is_not_ignored(loss):
    """2**64 - 1 must not wrap to -1 and match ignore_index=-1."""
    t = np.array([2**64 - 1, 1], dtype=np.uint64)
    with pytest.raises(ValueError, match="target"):
        loss(np.zeros((2, 3)), t, ignore_index=-1)


_PARAMS = [
    ("huber", "delta"),
    ("smooth_l1", "beta"),
    ("pinball", "quantile"),
    ("poisson_nll", "eps"),
    ("cross_entropy", "label_smoothing"),
    ("cross_entropy", "ignore_index"),
    ("nll_loss", "ignore_index"),
    ("poisson_nll", "log_input"),
    ("poisson_nll", "full"),
    ("kl_div", "log_target"),
    ("mse", "return_grad"),
    ("cross_entropy", "return_grad"),
]


def _call(name, **kw):
    if name in ("cross_entropy", "nll_loss"):
        return getattr(gilfree, name)(np.log(np.full((2, 3), 1 / 3)), np.array([0, 2]), **kw)
    x = np.array([0.25, 0.5, 1.0])
    return getattr(gilfree, name)(x, x[::-1].copy(), **kw)


@pytest.mark.parametrize(("name", "param"), _PARAMS)
@pytest.mark.parametrize("bad", [2**63, 2**70, -(2**70), float("nan"), float("inf"), float("-inf")])
def test_scalar_parameters_never_overflow_silently(name, param, bad):
    """Every scalar parameter at 2**63, 2**70, nan, +-inf: a finite result
    (a valid value such as delta = 2**70) or a TypeError/ValueError that
    names the parameter; never an OverflowError or a NaN."""
    try:
        value = _call(name, **{param: bad})
    except (TypeError, ValueError) as exc:
        assert param in str(exc)
        return
    assert np.all(np.isfinite(value))


def test_float32_sum_beyond_float32_range_is_inf_without_warning():
    # float64 accumulation past float32's largest value: torch gives inf (and no warning)
    torch = pytest.importorskip("torch")
    x = np.full(4, -1.0, np.float32)
    t = np.full(4, 1e30, np.float32)  # (1 + 1e30)**2 overflows float32
    got = gilfree.squared_hinge(x, t, reduction="sum")
    want = torch.clamp(1 - torch.from_numpy(x) * torch.from_numpy(t), min=0).pow(2).sum()
    assert got.dtype == np.float32 and np.isinf(got) and bool(torch.isinf(want))
