"""Writes every notebook of notebooks/ from its source in tools/notebooks/,
then runs it and writes its outputs back (so the committed notebook shows a
real run, and a diff of its source stays reviewable):

    .venv/bin/python tools/make_notebooks.py              # all notebooks, executed
    .venv/bin/python tools/make_notebooks.py --no-execute # sources only
    .venv/bin/python tools/make_notebooks.py nb02         # the notebooks whose file starts so

A source is any tools/notebooks/nb*.py that defines ``OUTPUT`` (the file name
under notebooks/, e.g. ``"04-dask.ipynb"``) and ``CELLS``, a list of
``("md" | "code", source)``.
"""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path

import nbformat as nbf

ROOT = Path(__file__).resolve().parents[1]
SOURCES = Path(__file__).resolve().parent / "notebooks"
NOTEBOOKS = ROOT / "notebooks"
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


def sources() -> list:
    """The notebook source modules (those with OUTPUT and CELLS), by file name."""
    mods = []
    for path in sorted(SOURCES.glob("nb*.py")):
        spec = importlib.util.spec_from_file_location(f"_nb_{path.stem}", path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        if hasattr(mod, "OUTPUT") and hasattr(mod, "CELLS"):
            mod.SOURCE = path
            mods.append(mod)
    return mods


def build(cells) -> nbf.NotebookNode:
    nb = nbf.v4.new_notebook()
    nb.cells = [
        nbf.v4.new_markdown_cell(src) if kind == "md" else nbf.v4.new_code_cell(src) for kind, src in cells
    ]
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    return nb


def execute(nb: nbf.NotebookNode, timeout: int = 600) -> None:
    """Runs `nb` in place from notebooks/ (relative paths as a user has them)."""
    import nbclient

    nbclient.NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    ).execute()


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("only", nargs="*", help="prefixes of the source files to write (default: all)")
    p.add_argument("--no-execute", action="store_true", help="write the sources without outputs")
    a = p.parse_args(argv)
    for mod in sources():
        if a.only and not any(mod.SOURCE.name.startswith(o) for o in a.only):
            continue
        nb = build(mod.CELLS)
        if not a.no_execute:
            execute(nb)
        out = NOTEBOOKS / mod.OUTPUT
        nbf.write(nb, out)
        print(f"wrote {out.relative_to(ROOT)}{'' if a.no_execute else ' (executed)'}")


if __name__ == "__main__":
    main()
