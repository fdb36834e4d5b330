"""Experiment 1 of bench/showcase.py, driven from gilfree's interpreter:
every variant of bench/_showcase_pipeline.py at each size, and the
subinterpreter arm (bench/_showcase_subinterp.py) under Python >= 3.13.

The 3.13 interpreter is found on PATH, under ~/.pyenv, or named by
``GILFREE_SHOWCASE_PYTHON``. NumPy's refusal is shown in a throwaway venv of
that interpreter with NumPy installed (build/showcase-py313, created on first
use by pip); when that cannot be done the row says "skipped: <why>".
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

from _showcase_pipeline import CHILD_ENV, VARIANTS, run_measured, run_variant

HERE = Path(__file__).resolve().parent
VENV = HERE.parent / "build" / "showcase-py313"
SUBINTERP = HERE / "_showcase_subinterp.py"


def find_python313() -> tuple[str | None, str]:
    """(path of a CPython >= 3.13, how it was found) or (None, why not)."""
    named = os.environ.get("GILFREE_SHOWCASE_PYTHON")
    candidates = [named] if named else []
    candidates += [shutil.which(f"python3.{m}") for m in (13, 14, 15)]
    candidates += sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.1[3-9]*/bin/python3.1[3-9]")))
    for c in filter(None, candidates):
        try:
            out = subprocess.run(
                [c, "-c", "import sys, _interpreters; print(sys.version_info >= (3, 13))"],
                capture_output=True,
                text=True,
                timeout=30,
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        if out.stdout.strip() == "True":
            return c, "found"
    return None, "no CPython >= 3.13 with _interpreters found (set GILFREE_SHOWCASE_PYTHON)"


def numpy_venv(python: str, create: bool) -> tuple[str, str]:
    """(interpreter to run the arm with, note): the venv with NumPy when it
    exists or can be made, else `python` itself and why not."""
    vpy = VENV / "bin" / "python"
    if not vpy.exists() and create:
        try:
            subprocess.run(
                [python, "-m", "venv", "--clear", str(VENV)], check=True, capture_output=True, timeout=120
            )
            subprocess.run(
                [str(vpy), "-m", "pip", "install", "-q", "numpy"],
                check=True,
                capture_output=True,
                timeout=600,
            )
        except (OSError, subprocess.SubprocessError) as e:
            shutil.rmtree(VENV, ignore_errors=True)
            return python, f"skipped: could not install NumPy for {python} ({type(e).__name__})"
    if not vpy.exists():
        return python, "skipped: no venv with NumPy (smoke run)"
    return str(vpy), "venv with NumPy"


def subinterpreter_arm(n_docs: int, doc_len: int, workers: int, create_venv: bool) -> dict:
    python, why = find_python313()
    if python is None:
        return {"variant": "subinterpreters (pure Python)", "skipped": why}
    py, note = numpy_venv(python, create_venv)
    try:
        sys.path.insert(0, str(HERE))
        from showcase_ext.build import build_for

        ext_dir = [str(build_for(py).parent)]
    except (OSError, subprocess.SubprocessError) as e:
        ext_dir = []
        note += f"; Cython module not built for {python} ({type(e).__name__})"
    r = run_measured([py, str(SUBINTERP), str(n_docs), str(doc_len), str(workers), *ext_dir], env=CHILD_ENV)
    if "skipped" in r["numpy_in_subinterpreter"] and "skipped" in note:
        r["numpy_in_subinterpreter"] = note
    return {
        "variant": "subinterpreters (pure Python)",
        "docs": n_docs,
        "doc_len": doc_len,
        "workers": workers,
        "docs_per_s": n_docs / r["subinterpreters_s"],
        "docs_per_s_threads": n_docs / r["threads_s"],
        "docs_per_s_sequential": n_docs / r["sequential_s"],
        "speedup_vs_sequential": r["sequential_s"] / r["subinterpreters_s"],
        "interpreter": py,
        **r,
    }


def run(
    sizes: list[tuple[int, int]], sub_size: tuple[int, int], workers: int, create_venv: bool, tick
) -> dict:
    """Rows of every variant at every (docs, doc_len) size; the subinterpreter
    arm at `sub_size` (pure Python is far slower: fewer, shorter documents).
    `tick()` advances the progress bar once per measurement."""
    rows = []
    for n_docs, doc_len in sizes:
        for v in VARIANTS:
            rows.append(run_variant(v, n_docs, doc_len, workers))
            tick()
    sub = subinterpreter_arm(*sub_size, workers, create_venv)
    tick()
    return {"rows": rows, "subinterpreters": sub, "ratios": ratios(rows)}


def ratios(rows: list[dict]) -> list[dict]:
    """threads+gilfree against each process variant, per size: throughput
    (cold and warm) and peak memory (RSS and PSS)."""
    out = []
    for size in sorted({(r["docs"], r["doc_len"]) for r in rows}):
        at = {r["variant"]: r for r in rows if (r["docs"], r["doc_len"]) == size}
        t = at["threads+gilfree"]
        for v in (v for v in VARIANTS if v.startswith("processes")):
            p = at[v]
            out.append(
                {
                    "docs": size[0],
                    "doc_len": size[1],
                    "against": v,
                    "throughput": t["docs_per_s"] / p["docs_per_s"],
                    "throughput_warm": t["docs_per_s_warm"] / p["docs_per_s_warm"],
                    "memory_rss": t["peak_rss_mib"] / p["peak_rss_mib"],
                    "memory_pss": t["peak_pss_mib"] / p["peak_pss_mib"],
                }
            )
    return out
