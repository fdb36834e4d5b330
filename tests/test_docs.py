"""The documentation runs: docstring examples, the notebooks (small sizes,
GILFREE_NB_SMALL=1), the demo and the command line."""

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


def _run_examples(obj, name):
    finder, runner = doctest.DocTestFinder(), doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    tests = [t for t in finder.find(obj, name, globs={}) if t.examples]
    for t in tests:
        runner.run(t)
    return runner.summarize(verbose=False), len(tests)


@pytest.mark.parametrize("name", MODULES)
def test_module_docstring_examples(name):
    import importlib

    mod = importlib.import_module(name)
    result = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


# every public callable by the object, wherever its module is (many live in
# private modules and are re-exported: testmod of the public module misses them)
PUBLIC = sorted(n for n in gilfree.__all__ if callable(getattr(gilfree, n)) and n != "aio")


@pytest.mark.parametrize("name", PUBLIC)
def test_public_examples_run(name):
    result, found = _run_examples(getattr(gilfree, name), f"gilfree.{name}")
    assert found > 0 and result.attempted > 0, f"gilfree.{name} has no Examples section"
    assert result.failed == 0


NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
# What each notebook must show once run, beyond "no cell failed".
EXPECT = {
    "01-quickstart.ipynb": {"text": ["cancelled", "identical: True"], "images": 0},
    "02-async-patterns.ipynb": {
        "text": ["timed out after", "cancelled: True", "service answered 200"],
        "images": 1,
    },
    "03-benchmarks.ipynb": {"text": ["confirmed"], "images": 8},
}


def _texts(outputs) -> str:
    parts = []
    for o in outputs:
        parts.append(o.get("text", ""))
        for key in ("text/plain", "text/markdown"):
            parts.append(o.get("data", {}).get(key, ""))
    return "\n".join(parts)


def test_every_notebook_has_expectations():
    assert {p.name for p in NOTEBOOKS} >= set(EXPECT), "a notebook of EXPECT is missing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    monkeypatch.setenv("GILFREE_NB_SMALL", "1")  # the kernel inherits it: small sizes
    nb = nbformat.read(path, as_version=4)
    nbclient.NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    expect = EXPECT.get(path.name, {"text": [], "images": 0})
    text = _texts(outputs)
    for needle in expect["text"]:
        assert needle in text, f"{path.name} did not print {needle!r}"
    images = sum("image/png" in o.get("data", {}) for o in outputs)
    assert images >= expect["images"], f"{path.name} drew {images} plots, expected {expect['images']}"


def test_committed_notebooks_have_outputs():
    """The notebooks are committed as run (tools/make_notebooks.py executes them)."""
    nbformat = pytest.importorskip("nbformat")
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert all(c.get("outputs") or c.get("execution_count") for c in code), f"{path.name} was not run"


def test_notebooks_match_their_sources():
    """Every notebook's cells are those of its tools/notebooks/nb*.py source."""
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import make_notebooks
    finally:
        sys.path.pop(0)
    for mod in make_notebooks.sources():
        nbformat = pytest.importorskip("nbformat")
        nb = nbformat.read(ROOT / "notebooks" / mod.OUTPUT, as_version=4)
        assert [(c.cell_type[:4].replace("mark", "md"), c.source) for c in nb.cells] == [
            (k, src) for k, src in mod.CELLS
        ], f"{mod.OUTPUT} is stale: run tools/make_notebooks.py"


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


def test_readme_tour_runs_and_prints_what_it_claims():
    text = (ROOT / "README.md").read_text()
    start = text.index("## A short tour")
    code = text[text.index("```python\n", start) + 10 : text.index("```\n", text.index("```python\n", start))]
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "same bits on 1 and N threads: True" in out
    assert "8 awaited losses:" in out and "mapped: 8" in out
    assert "running: 1" in out and "cancelled a running kernel: its thread was free" in out, out
