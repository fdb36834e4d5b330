"""pytest plugin: the peers' own test modules, with their references to the
functions gilfree offers pointed at gilfree's (see tests/test_conformance.py).

Loaded with ``-p gilfree_peers`` (tests/conformance on sys.path). It imports
each peer test module under its own name before collection and replaces the
names it imported from the peer library by gilfree's functions."""

from __future__ import annotations

import importlib

import gilfree

# peer test module -> {name in that module: gilfree's function}
PATCHES = {
    "scipy.signal.tests.test_signaltools": {
        "convolve2d": gilfree.convolve2d,
        "correlate2d": gilfree.correlate2d,
    },
    "scipy.special.tests.test_logsumexp": {
        "logsumexp": gilfree.logsumexp,
        "softmax": gilfree.softmax,
    },
    "numpy._core.tests.test_numeric": {},  # np.convolve / np.correlate: patched on the np it uses
}


class _NumpyShim:
    """The test module's ``np``, with convolve and correlate from gilfree."""

    def __init__(self, np):
        self._np = np

    def __getattr__(self, name):
        if name == "convolve":
            return gilfree.convolve
        if name == "correlate":
            return gilfree.correlate
        return getattr(self._np, name)


def pytest_configure(config):
    for modname, names in PATCHES.items():
        mod = importlib.import_module(modname)
        for name, fn in names.items():
            assert hasattr(mod, name), f"{modname} has no {name}: the peer's tests changed"
            setattr(mod, name, fn)
        if modname.startswith("numpy."):
            mod.np = _NumpyShim(mod.np)


_REPORT: list[dict[str, str]] = []


def pytest_runtest_logreport(report):
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        msg = ""
        if report.failed and report.longrepr is not None:
            crash = getattr(report.longrepr, "reprcrash", None)
            msg = crash.message if crash is not None else str(report.longrepr)[-500:]
        _REPORT.append({"id": report.nodeid, "outcome": report.outcome, "message": msg})


def pytest_sessionfinish(session):
    import json
    import os

    out = os.environ.get("GILFREE_PEERS_REPORT")
    if out:
        with open(out, "w") as f:
            json.dump(_REPORT, f)
