"""The documentation runs: docstring examples, the notebook, the showcase and
the command line."""

import doctest
import subprocess
import sys
from pathlib import Path

import gilfree
import pytest

ROOT = Path(__file__).resolve().parents[1]
MODULES = [
    "gilfree",
    "gilfree.losses",
    "gilfree.loops",
    "gilfree.conv",
    "gilfree.runtime",
    "gilfree.aio",
    "gilfree._config",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    import importlib

    mod = importlib.import_module(name)
    result = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0


def test_every_public_function_has_an_example():
    for name in gilfree.__all__:
        obj = getattr(gilfree, name)
        if callable(obj) and not isinstance(obj, type):
            assert ">>>" in (obj.__doc__ or ""), f"gilfree.{name} has no Examples section"


@pytest.mark.parametrize("path", sorted((ROOT / "notebooks").glob("*.ipynb")), ids=lambda p: p.name)
def test_notebook_runs(path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.read(path, as_version=4)
    nbclient.NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert any("cancelled" in o.get("text", "") for o in outputs)


def test_demo_quick():
    out = subprocess.run(
        [sys.executable, "-m", "gilfree", "demo", "--quick"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    ).stdout
    assert "native work stopped: True" in out
    assert "heartbeat:" in out and "p99" in out and "worst" in out


def test_info_command():
    out = subprocess.run(
        [sys.executable, "-m", "gilfree", "info"], capture_output=True, text=True, timeout=60, check=True
    ).stdout
    for key in (
        "gilfree",
        "numpy",
        "cython",
        "eigen",
        "compiler",
        "simd_in_use",
        "compute_pool_threads",
        "gil_enabled",
    ):
        assert key in out
