"""Instruction-set dispatch: the kernel modules are built once per x86-64
level and the best one this CPU supports is picked at import (GILFREE_ISA
forces one). Every level present here gives the same results."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from gilfree import _cyx

# Each kernel family on inputs long enough for the vector paths and several
# chunks; the results come back as float64 lists.
_PROGRAM = r"""
import json, numpy as np, gilfree
rng = np.random.default_rng(7)
out = {"isa": gilfree.show_config(as_dict=True)["isa_in_use"]}
for dt in ("float32", "float64"):
    a = rng.normal(size=200_003).astype(dt)
    b = rng.normal(size=200_003).astype(dt)
    logits = rng.normal(size=(501, 37)).astype(dt)
    labels = rng.integers(0, 37, size=501)
    img = rng.normal(size=(2, 8, 33, 35)).astype(dt)
    w3 = rng.normal(size=(8, 8, 3, 3)).astype(dt)
    w5 = rng.normal(size=(4, 8, 5, 5)).astype(dt)
    res = {
        "mse": gilfree.mse(a, b),
        "huber_grad": gilfree.huber(a, b, delta=0.7, return_grad=True)[1][::997],
        "log_cosh": gilfree.log_cosh(a, b),
        "cross_entropy": gilfree.cross_entropy(logits, labels, label_smoothing=0.1),
        "sum": gilfree.sum(a),
        "var": gilfree.var(a),
        "logsumexp": gilfree.logsumexp(a),
        "norm": gilfree.norm(a),
        "softmax": gilfree.softmax(logits, axis=1)[::50].ravel(),
        "conv2d_winograd": gilfree.conv2d(img, w3, padding=1, method="winograd").ravel()[::101],
        "conv2d_gemm": gilfree.conv2d(img, w5, padding=2, method="gemm").ravel()[::101],
        "convolve2d": gilfree.convolve2d(img[0, 0], w5[0, 0], mode="same").ravel()[::7],
        "convolve_fft": gilfree.convolve(a[:5000], b[:300], method="fft")[::31],
    }
    out[dt] = {k: np.asarray(v, dtype=np.float64).ravel().tolist() for k, v in res.items()}
print(json.dumps(out))
"""


def _run(level: str | None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("GILFREE_ISA", None)
    if level is not None:
        env["GILFREE_ISA"] = level
    return subprocess.run(
        [sys.executable, "-c", _PROGRAM], env=env, capture_output=True, text=True, timeout=300
    )


def _results(level: str | None) -> dict:
    proc = _run(level)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.splitlines()[-1])


def test_default_is_the_best_level_this_cpu_runs():
    assert _cyx.ISA == _cyx.usable_levels()[0] or os.environ.get("GILFREE_ISA")
    assert _results(None)["isa"] == _cyx.usable_levels()[0]


@pytest.mark.parametrize("level", _cyx.usable_levels())
def test_every_level_gives_the_same_results(level):
    best = _cyx.usable_levels()[0]
    ref, got = _results(best), _results(level)
    assert got["isa"].startswith(level)
    for dt, rtol in (("float64", 1e-12), ("float32", 2e-5)):
        for name, values in ref[dt].items():
            np.testing.assert_allclose(
                got[dt][name], values, rtol=rtol, atol=rtol, err_msg=f"{name} {dt} at {level} vs {best}"
            )


def test_unknown_level_is_a_clear_error():
    proc = _run("x86_64_v9")
    assert proc.returncode != 0
    assert "GILFREE_ISA" in proc.stderr and "x86_64_v9" in proc.stderr


# Bits that must not depend on the level: an element's loss does not depend on
# its neighbours or position (the exp/log fallbacks of levels without AVX-512
# once took the C library's log for a whole block holding one subnormal, and
# Eigen's scalar code for unaligned heads), and a sum does not depend on the
# memory layout (block sums once followed the data's alignment).
_BITS = r"""
import numpy as np, gilfree
rng = np.random.default_rng(3)
x = rng.uniform(0, 1, 2048); x[:4] = [0.0, 1.0, 1e-300, 0.5]
y = rng.integers(0, 2, 2048).astype(float)
hard = gilfree.binary_cross_entropy(x, y, reduction="none")
ys = y.copy(); ys[::256] = 0.5
soft = gilfree.binary_cross_entropy(x, ys, reduction="none")
keep = np.ones(2048, bool); keep[::256] = False
a, b = rng.normal(size=(700, 600)), rng.normal(size=(700, 600))
z = rng.normal(size=1001) * 30
shifted = gilfree.log_cosh(z[1:], np.zeros(1000), reduction="none")
whole = gilfree.log_cosh(z, np.zeros(1001), reduction="none")
print(bool((hard[keep] == soft[keep]).all()),
      gilfree.mse(a, b).tobytes() == gilfree.mse(np.asfortranarray(a), np.asfortranarray(b)).tobytes(),
      bool((whole[1:] == shifted).all()))
"""


@pytest.mark.parametrize("level", _cyx.usable_levels())
def test_results_do_not_depend_on_position_or_layout(level):
    env = dict(os.environ, GILFREE_ISA=level)
    proc = subprocess.run([sys.executable, "-c", _BITS], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["True", "True", "True"]
