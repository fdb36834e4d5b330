"""Compiles typed_loop.pyx at run time into build/showcase_ext/ (Cython's
command line, then the C compiler Python was built with) and imports it.

No setuptools and no meson: the extension is the showcase's own, outside
gilfree's build. The module is rebuilt when the .pyx is newer than it.
``build_for(python)`` compiles the same C for another interpreter (its
headers and suffix), for the subinterpreter experiment.
"""

from __future__ import annotations

import importlib.util
import json
import shlex
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BUILD = HERE.parents[1] / "build" / "showcase_ext"
NAME = "typed_loop"
_ASK = "import json, sysconfig; print(json.dumps([sysconfig.get_paths()['include'], sysconfig.get_config_var('EXT_SUFFIX'), sysconfig.get_config_var('CC')]))"


def build_for(python: str = sys.executable) -> Path:
    """The extension module compiled for `python` (built if missing or stale)."""
    include, suffix, cc = json.loads(
        subprocess.run([python, "-c", _ASK], capture_output=True, text=True, check=True).stdout
    )
    pyx, c = HERE / f"{NAME}.pyx", BUILD / f"{NAME}.c"
    so = BUILD / f"{NAME}{suffix}"
    BUILD.mkdir(parents=True, exist_ok=True)
    if not c.exists() or c.stat().st_mtime < pyx.stat().st_mtime:
        subprocess.run([sys.executable, "-m", "cython", "-3", str(pyx), "-o", str(c)], check=True)
    if not so.exists() or so.stat().st_mtime < c.stat().st_mtime:
        cmd = [*shlex.split(cc or "cc"), "-O2", "-fPIC", "-shared", f"-I{include}", str(c), "-o", str(so)]
        subprocess.run(cmd, check=True, capture_output=True)
    return so


def load():
    """The compiled typed_loop module for this interpreter."""
    so = build_for()
    spec = importlib.util.spec_from_file_location(NAME, so)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod
