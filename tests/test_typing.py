"""The typed API as checkers see it: mypy --strict and pyright over
tests/typing/. Every ``usage_*.py`` must check clean (and runs, so that the
types checked are the ones returned); in every ``misuse_*.py`` exactly the
lines ending in ``# error`` must be reported, by each checker. Also: the
committed gilfree/aio.pyi is tools/make_aio_stub.py's output, and every
kernel is annotated.

The checkers read gilfree from a tree of links made here (the package
sources, the bindings' stubs), as from an installed wheel; their settings
are command-line flags, so no global configuration changes.
"""

from __future__ import annotations

import inspect
import json
import os
import re
import runpy
import shutil
import subprocess
import sys
from pathlib import Path

import gilfree
import pytest
from gilfree import _registry
from limits import SANITIZED

ROOT = Path(__file__).resolve().parents[1]
TYPING = ROOT / "tests" / "typing"
USAGE = sorted(TYPING.glob("usage_*.py"))
MISUSE = sorted(TYPING.glob("misuse_*.py"))
FILES = USAGE + MISUSE
PYTHON_VERSION = "3.10"  # the oldest Python gilfree supports


def _tool(name: str) -> str:
    exe = Path(sys.executable).parent / name
    path = str(exe) if exe.exists() else shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (pip install -e .[test] installs it)")
    return path


@pytest.fixture(scope="module")
def typed_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """gilfree as installed: pkg/gilfree's files, _build_info, _cyx's stubs."""
    root = tmp_path_factory.mktemp("typed")
    pkg = root / "gilfree"
    pkg.mkdir()
    for f in (ROOT / "pkg" / "gilfree").iterdir():
        if f.suffix in (".py", ".pyi") or f.name == "py.typed":
            (pkg / f.name).symlink_to(f)
    (pkg / "_build_info.py").symlink_to(Path(gilfree._build_info.__file__))
    (pkg / "_cyx").symlink_to(ROOT / "cyx", target_is_directory=True)
    return root


def _expected(path: Path) -> set[int]:
    lines = path.read_text().splitlines()
    return {n for n, line in enumerate(lines, 1) if line.rstrip().endswith("# error")}


def _by_file(found: list[tuple[str, int]]) -> dict[Path, set[int]]:
    out: dict[Path, set[int]] = {f: set() for f in FILES}
    for name, line in found:
        out.setdefault(Path(name).resolve(), set()).add(line)
    return out


@pytest.fixture(scope="module")
def mypy_errors(typed_tree: Path) -> dict[Path, set[int]]:
    cmd = [
        _tool("mypy"),
        "--strict",
        "--follow-imports=silent",  # report the files checked, as for an installed package
        f"--python-version={PYTHON_VERSION}",
        f"--cache-dir={typed_tree / '.mypy_cache'}",
        "--no-color-output",
        "--show-error-codes",
        *map(str, FILES),
    ]
    env = {**os.environ, "MYPYPATH": str(typed_tree)}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    found = [
        (m[1], int(m[2])) for m in re.finditer(r"^(.+?\.py):(\d+): error: .*$", proc.stdout, re.MULTILINE)
    ]
    return _by_file([(str(ROOT / f), n) for f, n in found])


@pytest.fixture(scope="module")
def pyright_errors(typed_tree: Path) -> dict[Path, set[int]]:
    config = typed_tree / "pyrightconfig.json"
    config.write_text(
        json.dumps(
            {
                "extraPaths": [str(typed_tree)],
                "pythonVersion": PYTHON_VERSION,
                "typeCheckingMode": "standard",
            }
        )
    )
    cmd = [
        _tool("pyright"),
        "--outputjson",
        "--pythonpath",
        sys.executable,
        "-p",
        str(config),
        *map(str, FILES),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=600)
    report = json.loads(proc.stdout)
    found = [
        (d["file"], d["range"]["start"]["line"] + 1)
        for d in report["generalDiagnostics"]
        if d["severity"] == "error"
    ]
    return _by_file(found)


CHECKERS = ["mypy_errors", "pyright_errors"]
# The sanitizer pass (tools/test_sanitize.sh) preloads ASan into every child: the
# checkers (Python and Node programs) would run under it and test nothing of ours.
_static = pytest.mark.skipif(SANITIZED, reason="static checks: not rerun in the sanitizer pass")


@_static
@pytest.mark.parametrize("checker", CHECKERS)
@pytest.mark.parametrize("path", USAGE, ids=lambda p: p.name)
def test_usage_checks_clean(path: Path, checker: str, request: pytest.FixtureRequest) -> None:
    errors = request.getfixturevalue(checker)[path.resolve()]
    assert not errors, f"{checker} reports lines {sorted(errors)} of {path.name}"


@_static
@pytest.mark.parametrize("checker", CHECKERS)
@pytest.mark.parametrize("path", MISUSE, ids=lambda p: p.name)
def test_misuse_is_caught(path: Path, checker: str, request: pytest.FixtureRequest) -> None:
    errors = request.getfixturevalue(checker)[path.resolve()]
    expected = _expected(path)
    assert expected, f"{path.name} marks no line '# error'"
    assert errors == expected, (
        f"{checker} on {path.name}: missed lines {sorted(expected - errors)}, "
        f"reported unmarked lines {sorted(errors - expected)}"
    )


@pytest.mark.parametrize("path", USAGE, ids=lambda p: p.name)
def test_usage_runs(path: Path) -> None:
    """The documented usage runs, and its runtime isinstance checks hold."""
    runpy.run_path(str(path), run_name="__usage__")


@pytest.mark.skipif(sys.version_info < (3, 11), reason="typing.get_overloads needs Python 3.11")
def test_aio_stub_is_current() -> None:
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import make_aio_stub
    finally:
        sys.path.pop(0)
    committed = (ROOT / "pkg" / "gilfree" / "aio.pyi").read_text()
    assert committed == make_aio_stub.stub_text(), "aio.pyi is stale: run python tools/make_aio_stub.py"


@pytest.mark.parametrize("name", sorted(_registry.KERNELS))
def test_kernel_is_annotated(name: str) -> None:
    sig = inspect.signature(_registry.KERNELS[name])
    missing = [p.name for p in sig.parameters.values() if p.annotation is inspect.Parameter.empty]
    assert not missing, f"gilfree.{name}: parameters {missing} have no annotation"
    assert sig.return_annotation is not inspect.Signature.empty, f"gilfree.{name}: no return annotation"
