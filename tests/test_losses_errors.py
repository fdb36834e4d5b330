"""Bad input: every malformed call raises TypeError or ValueError whose
message names the offending argument; nothing crashes, nothing is returned."""

import gilfree
import numpy as np
import pytest

X = np.linspace(-1, 1, 12).reshape(3, 4)
P = np.full((3, 4), 0.5)
Z = np.zeros((5, 3))  # logits
T = np.array([0, 1, 2, 1, 0])

CASES = [
    # (id, callable, args, kwargs, exception, argument named in the message)
    ("complex input", gilfree.mse, (X + 1j, X), {}, TypeError, "input"),
    ("complex input", gilfree.mse, (X + 0j, X), {}, TypeError, "input"),
    ("object input", gilfree.mse, (np.array([1, "a"], dtype=object), np.ones(2)), {}, TypeError, "input"),
    ("str input", gilfree.mae, ("abc", X), {}, TypeError, "input"),
    ("None input", gilfree.mae, (None, X), {}, TypeError, "input"),
    ("dict input", gilfree.huber, ({"a": 1}, X), {}, TypeError, "input"),
    (
        "datetime input",
        gilfree.mse,
        (np.array(["2020-01-01"], dtype="datetime64[D]"), np.ones(1)),
        {},
        TypeError,
        "input",
    ),
    ("complex target", gilfree.mse, (X, X + 1j), {}, TypeError, "target"),
    ("str target", gilfree.mse, (X, "x"), {}, TypeError, "target"),
    ("ragged target", gilfree.mse, (np.ones(2), [[1.0], [1.0, 2.0]]), {}, TypeError, "target"),
    ("shape mismatch", gilfree.mse, (X, X[:2]), {}, ValueError, "target"),
    ("transposed target", gilfree.mae, (X, X.T), {}, ValueError, "target"),
    ("empty", gilfree.mse, (np.empty(0), np.empty(0)), {}, ValueError, "input"),
    ("empty 2d", gilfree.log_cosh, (np.empty((0, 3)), np.empty((0, 3))), {}, ValueError, "input"),
    ("bad reduction", gilfree.mse, (X, X), {"reduction": "avg"}, ValueError, "reduction"),
    ("reduction None", gilfree.mse, (X, X), {"reduction": None}, TypeError, "reduction"),
    ("batchmean outside kl_div", gilfree.mse, (X, X), {"reduction": "batchmean"}, ValueError, "reduction"),
    ("return_grad str", gilfree.mse, (X, X), {"return_grad": "yes"}, TypeError, "return_grad"),
    ("sample_weight shape", gilfree.mse, (X, X), {"sample_weight": np.ones(5)}, ValueError, "sample_weight"),
    ("sample_weight complex", gilfree.mse, (X, X), {"sample_weight": X * 1j}, TypeError, "sample_weight"),
    ("sample_weight str", gilfree.mae, (X, X), {"sample_weight": "w"}, TypeError, "sample_weight"),
    ("negative delta", gilfree.huber, (X, X), {"delta": -1.0}, ValueError, "delta"),
    ("zero delta", gilfree.huber, (X, X), {"delta": 0}, ValueError, "delta"),
    ("nan delta", gilfree.huber, (X, X), {"delta": float("nan")}, ValueError, "delta"),
    ("str delta", gilfree.huber, (X, X), {"delta": "1"}, TypeError, "delta"),
    ("negative beta", gilfree.smooth_l1, (X, X), {"beta": -0.1}, ValueError, "beta"),
    ("quantile 0", gilfree.pinball, (X, X), {"quantile": 0.0}, ValueError, "quantile"),
    ("quantile 1", gilfree.pinball, (X, X), {"quantile": 1.0}, ValueError, "quantile"),
    ("quantile 1.5", gilfree.pinball, (X, X), {"quantile": 1.5}, ValueError, "quantile"),
    ("quantile list", gilfree.pinball, (X, X), {"quantile": [0.5]}, TypeError, "quantile"),
    ("negative eps", gilfree.poisson_nll, (X, X), {"eps": -1e-8}, ValueError, "eps"),
    ("log_input str", gilfree.poisson_nll, (X, X), {"log_input": "no"}, TypeError, "log_input"),
    ("bce input > 1", gilfree.binary_cross_entropy, (P + 0.6, P), {}, ValueError, "input"),
    ("bce input < 0", gilfree.binary_cross_entropy, (P - 0.6, P), {}, ValueError, "input"),
    (
        "bce input nan",
        gilfree.binary_cross_entropy,
        (np.array([np.nan]), np.array([0.5])),
        {},
        ValueError,
        "input",
    ),
    ("bce target > 1", gilfree.binary_cross_entropy, (P, P + 0.7), {}, ValueError, "target"),
    (
        "pos_weight shape",
        gilfree.binary_cross_entropy_with_logits,
        (X, P),
        {"pos_weight": np.ones(3)},
        ValueError,
        "pos_weight",
    ),
    (
        "pos_weight str",
        gilfree.binary_cross_entropy_with_logits,
        (X, P),
        {"pos_weight": "a"},
        TypeError,
        "pos_weight",
    ),
    ("kl negative target", gilfree.kl_div, (X, X), {}, ValueError, "target"),
    ("kl log_target str", gilfree.kl_div, (X, P), {"log_target": "yes"}, TypeError, "log_target"),
    (
        "ce 3-d input, (N,) target",
        gilfree.cross_entropy,
        (np.zeros((2, 3, 4)), np.zeros(2, int)),
        {},
        ValueError,
        "target",
    ),
    (
        "ce class out of range",
        gilfree.cross_entropy,
        (Z, np.array([0, 1, 3, 1, 0])),
        {},
        ValueError,
        "target",
    ),
    ("ce negative class", gilfree.cross_entropy, (Z, np.array([0, -1, 2, 1, 0])), {}, ValueError, "target"),
    ("ce target length", gilfree.cross_entropy, (Z, T[:4]), {}, ValueError, "target"),
    ("ce bool target", gilfree.cross_entropy, (Z, T > 0), {}, TypeError, "target"),
    ("ce prob target shape", gilfree.cross_entropy, (Z, np.full((5, 2), 0.5)), {}, ValueError, "target"),
    ("ce prob outside [0,1]", gilfree.cross_entropy, (Z, np.full((5, 3), 1.5)), {}, ValueError, "target"),
    (
        "ce class_weight shape",
        gilfree.cross_entropy,
        (Z, T),
        {"class_weight": np.ones(4)},
        ValueError,
        "class_weight",
    ),
    ("ce class_weight str", gilfree.cross_entropy, (Z, T), {"class_weight": "w"}, TypeError, "class_weight"),
    (
        "ce label_smoothing 2",
        gilfree.cross_entropy,
        (Z, T),
        {"label_smoothing": 2.0},
        ValueError,
        "label_smoothing",
    ),
    (
        "ce label_smoothing neg",
        gilfree.cross_entropy,
        (Z, T),
        {"label_smoothing": -0.1},
        ValueError,
        "label_smoothing",
    ),
    (
        "ce ignore_index float",
        gilfree.cross_entropy,
        (Z, T),
        {"ignore_index": 1.5},
        TypeError,
        "ignore_index",
    ),
    (
        "ce sample_weight shape",
        gilfree.cross_entropy,
        (Z, T),
        {"sample_weight": np.ones(3)},
        ValueError,
        "sample_weight",
    ),
    ("ce empty", gilfree.cross_entropy, (np.zeros((0, 3)), np.zeros(0, int)), {}, ValueError, "input"),
    ("ce zero classes", gilfree.cross_entropy, (np.zeros((2, 0)), np.zeros(2, int)), {}, ValueError, "input"),
    ("nll class out of range", gilfree.nll_loss, (Z, np.array([0, 1, 9, 1, 0])), {}, ValueError, "target"),
    ("nll float target", gilfree.nll_loss, (Z, np.zeros((5, 3))), {}, TypeError, "target"),
    (
        "nll unbatched target shape",
        gilfree.nll_loss,
        (np.zeros(3), np.array([1, 2])),
        {},
        ValueError,
        "target",
    ),
    ("threads 0", gilfree.set_num_threads, (0,), {}, ValueError, "n"),
    ("threads str", gilfree.set_num_threads, ("2",), {}, TypeError, "n"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_malformed_call(case):
    _, fn, args, kwargs, exc, argname = case
    with pytest.raises(exc) as info:
        fn(*args, **kwargs)
    assert argname in str(info.value), f"message does not name {argname!r}: {info.value}"


def test_table_is_large_enough():
    assert len(CASES) >= 40


def test_unknown_keyword_is_a_type_error():
    with pytest.raises(TypeError, match="delta"):
        gilfree.mse(X, X, delta=1.0)


def test_threads_context_validates():
    with pytest.raises(ValueError, match="n"):
        with gilfree.threads(-2):
            pass


def test_float_parameter_too_large_for_float64_names_it():
    with pytest.raises(ValueError, match="delta"):
        gilfree.huber(X, X, delta=2**2000)
