"""notebooks/04-dask.ipynb runs at a small size without an error output, and
matches the cells it is generated from (tools/notebooks/nb04_dask.py)."""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.thread_unsafe(reason="starts a Jupyter kernel")


def _generator():
    spec = importlib.util.spec_from_file_location("nb04_dask", ROOT / "tools" / "notebooks" / "nb04_dask.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_dask_notebook_runs(monkeypatch):
    pytest.importorskip("dask.array")
    pytest.importorskip("distributed")
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    monkeypatch.setenv("GILFREE_NB_SMALL", "1")
    path = ROOT / "notebooks" / "04-dask.ipynb"
    nb = nbformat.read(path, as_version=4)
    want = [src for _, src in _generator().CELLS]
    assert [c.source for c in nb.cells] == want, (
        "regenerate it: python tools/notebooks/nb04_dask.py --execute"
    )
    nbclient.NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = "".join(o.get("text", "") for o in outputs)
    assert "cancelled; the worker is free again: 4.0" in text
    assert "[####" in text  # Dask's progress bar
