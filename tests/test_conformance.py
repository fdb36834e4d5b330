"""The peers' own tests, run against gilfree's functions.

SciPy's and NumPy's test modules for the functions gilfree claims to follow
ship in their wheels. tests/conformance/gilfree_peers.py (a pytest plugin)
points the names those modules imported at gilfree's functions; this test runs
the chosen classes in a child pytest and reads each outcome. A failure passes
only if it matches one of DIFFERENCES: the explicit list of what gilfree does
not support or does differently, each with its reason (also in the README,
"Conformance"). Any other failure fails this test.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent / "conformance"

# peer test module -> the classes run (those of the functions gilfree offers)
SUITES = {
    "scipy.signal.tests.test_signaltools": ["TestConvolve2d", "TestCorrelate2d"],
    "scipy.special.tests.test_logsumexp": ["TestLogSumExp", "TestSoftmax"],
    "numpy._core.tests.test_numeric": ["TestConvolve", "TestCorrelate"],
    # np.sum/mean/var/std/min/max/argmin/argmax (TestStats also calls ndarray methods and
    # NumPy's own _methods, which stay NumPy's); TestClip: gilfree.clip's own helper
    "numpy._core.tests.test_multiarray": [
        "TestArgmaxArgminCommon",
        "TestArgmax",
        "TestArgmin",
        "TestMinMax",
        "TestStats",
    ],
}

# (test id pattern, failure message pattern, reason): unsupported features and
# deliberate differences. Patterns are regular expressions (re.search).
DIFFERENCES = [
    (r"", r"dtype complex|got complex|expected real numbers", "complex input: the kernels are real (float32/float64)"),
    (r"TestConvolve2d", r"dtypes do not match", "integer inputs give float64 (SciPy keeps the integer type)"),
    (r"TestSoftmax::test_softmax_fixtures", r"Not equal to tolerance", "softmax's default axis is the last (SciPy's: None)"),
    (r"TestSoftmax::test_softmax_scalar", r"0d-array", "softmax of a 0-d input is a 0-d array (SciPy: a scalar)"),
    (
        r"TestArg(max|min)::test_combinations|TestMinMax::test_datetime",
        r"got array of dtype (datetime64|timedelta64|object)",
        "datetime, timedelta and object arrays: the dtype policy takes bool, integers and floats",
    ),
    (r"TestStats::test_(mean|var|std)_where", r"unexpected keyword argument 'where'", "where=: not supported"),
    (
        r"TestConvolve::test_mode|TestCorrelate::test_mode",
        r"mode: expected a str",
        "an int mode (NumPy's old codes 0, 1, 2, and -1): a TypeError, gilfree takes the names only",
    ),
    (
        r"TestConvolve::test_convolve_empty_input_error_message",
        r"'a: must not be empty'",
        "the empty-input message is gilfree's ('a: must not be empty'; NumPy's: 'a cannot be empty')",
    ),
]


def run_peers(tmp_path: Path) -> list[dict[str, str]]:
    report = tmp_path / "peers.json"
    pattern = " or ".join(c for classes in SUITES.values() for c in classes)
    cmd = [
        sys.executable, "-m", "pytest", "-c", str(HERE / "pytest.ini"), "-p", "gilfree_peers", "-q",
        "-p", "no:cacheprovider", "-p", "no:randomly", "--pyargs", *SUITES, "-k", pattern,
    ]
    env = {
        **os.environ,
        "GILFREE_PEERS_REPORT": str(report),
        "GILFREE_PEERS_CLASSES": json.dumps(SUITES),  # the plugin keeps exactly these classes
        "PYTHONPATH": str(HERE),
    }
    proc = subprocess.run(cmd, cwd=HERE, env=env, capture_output=True, text=True, timeout=900)
    assert report.exists(), proc.stdout[-3000:] + proc.stderr[-3000:]
    return json.loads(report.read_text())


def reason_for(outcome: dict[str, str]) -> str | None:
    for id_pat, msg_pat, reason in DIFFERENCES:
        if re.search(id_pat, outcome["id"]) and re.search(msg_pat, outcome["message"]):
            return reason
    return None


def test_peer_suites_pass_except_the_listed_differences(tmp_path):
    pytest.importorskip("scipy")
    outcomes = run_peers(tmp_path)
    passed = [o for o in outcomes if o["outcome"] == "passed"]
    failed = [o for o in outcomes if o["outcome"] == "failed"]
    unexplained = [f"{o['id']}: {o['message'][:300]}" for o in failed if reason_for(o) is None]
    assert not unexplained, "peer tests failing for no listed reason:\n" + "\n".join(unexplained)
    for module, classes in SUITES.items():
        for cls in classes:  # each class ran, and passed somewhere (a rename upstream must not empty it)
            assert any(f"::{cls}::" in o["id"] and o["outcome"] == "passed" for o in outcomes), f"{module}::{cls}"
    counts: dict[str, int] = {}
    for o in failed:
        counts[reason_for(o) or "?"] = counts.get(reason_for(o) or "?", 0) + 1
    print(f"\npeer tests: {len(passed)} passed, {len(failed)} failed as listed: {counts}")
    for module in SUITES:  # the README's per-file counts
        mine = [o for o in outcomes if o["module"] == module]
        npass = sum(o["outcome"] == "passed" for o in mine)
        nfail = sum(o["outcome"] == "failed" for o in mine)
        print(f"{module}: {npass} passed, {nfail} failed as listed, {len(mine) - npass - nfail} skipped")
    assert all(o["module"] in SUITES for o in outcomes), "a test from outside SUITES ran"
