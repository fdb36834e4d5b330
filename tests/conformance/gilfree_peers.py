"""pytest plugin: the peers' own test modules, with their references to the
functions gilfree offers pointed at gilfree's (see tests/test_conformance.py).

Loaded with ``-p gilfree_peers`` (tests/conformance on sys.path). It imports
each peer test module under its own name before collection and replaces the
names it imported from the peer library by gilfree's functions."""

from __future__ import annotations

import importlib
import importlib.util
import json
import os

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
    "numpy._core.tests.test_multiarray": {},  # np.sum, np.argmax, ...: patched on the np it uses
}

# numpy test module -> {np.<name>: gilfree's function} (the ndarray methods, a.sum(),
# stay NumPy's: they cannot be patched)
NUMPY_NAMES = {
    "numpy._core.tests.test_numeric": {"convolve": gilfree.convolve, "correlate": gilfree.correlate},
    "numpy._core.tests.test_multiarray": {
        **{n: getattr(gilfree, n) for n in ("sum", "mean", "var", "std", "min", "max", "argmin", "argmax")},
        "amin": gilfree.min,
        "amax": gilfree.max,
    },
}


class _NumpyShim:
    """A test module's ``np``, with the names of NUMPY_NAMES[module] from gilfree."""

    def __init__(self, np, names):
        self._np = np
        self._names = names

    def __getattr__(self, name):
        fn = self._names.get(name)
        return getattr(self._np, name) if fn is None else fn


def _patch(mod, modname):
    for name, fn in PATCHES[modname].items():
        assert hasattr(mod, name), f"{modname} has no {name}: the peer's tests changed"
        setattr(mod, name, fn)
    if modname in NUMPY_NAMES and not isinstance(mod.np, _NumpyShim):
        for name in NUMPY_NAMES[modname]:
            assert hasattr(mod.np, name), f"numpy has no {name}"
        mod.np = _NumpyShim(mod.np, NUMPY_NAMES[modname])


def _origin(modname):
    return os.path.realpath(importlib.util.find_spec(modname).origin)


def pytest_configure(config):
    for modname in PATCHES:
        _patch(importlib.import_module(modname), modname)


def pytest_collection_modifyitems(session, config, items):
    """The modules pytest collected, patched too (NumPy's test folders are not
    packages, so pytest imports test_numeric.py as the top-level module
    ``test_numeric``, not the ``numpy._core.tests.test_numeric`` patched above);
    only the classes GILFREE_PEERS_CLASSES names for each module are kept (``-k``
    matches substrings: SciPy's TestConvolve would run with NumPy's)."""
    by_file = {_origin(m): m for m in PATCHES}
    wanted = json.loads(os.environ.get("GILFREE_PEERS_CLASSES", "{}"))
    keep, drop, found = [], [], set()
    for item in items:
        mod = getattr(item, "module", None)
        modname = None if mod is None else by_file.get(os.path.realpath(mod.__file__))
        if modname is None:
            drop.append(item)
            continue
        _patch(mod, modname)
        found.add(modname)
        cls = getattr(item, "cls", None)
        if wanted and (cls is None or cls.__name__ not in wanted.get(modname, ())):
            drop.append(item)
            continue
        _MODULE[item.nodeid] = modname
        keep.append(item)
    assert found == set(PATCHES), f"no test collected from {sorted(set(PATCHES) - found)}"
    items[:] = keep
    config.hook.pytest_deselected(items=drop)


_MODULE: dict[str, str] = {}  # test id -> the peer module it comes from
_REPORT: list[dict[str, str]] = []


def pytest_runtest_logreport(report):
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        msg = ""
        if report.failed and report.longrepr is not None:
            crash = getattr(report.longrepr, "reprcrash", None)
            msg = crash.message if crash is not None else str(report.longrepr)[-500:]
        module = _MODULE.get(report.nodeid, "?")
        _REPORT.append({"id": report.nodeid, "module": module, "outcome": report.outcome, "message": msg})


def pytest_sessionfinish(session):
    out = os.environ.get("GILFREE_PEERS_REPORT")
    if out:
        with open(out, "w") as f:
            json.dump(_REPORT, f)
