"""The C++ kernels pass their own unit tests without Python
(kernels/tests/test_kernels.cpp, built by meson beside the extension: the
kernels/ layer stays pure C++)."""

import subprocess
from pathlib import Path

import pytest
from gilfree._cyx import _runtime

ROOT = Path(__file__).resolve().parents[1]


def test_kernels_are_pure_cpp():
    for path in (ROOT / "kernels").rglob("*pp"):
        text = path.read_text()
        assert "Python.h" not in text and "numpy/" not in text, path


def _build_dir() -> Path | None:
    """The meson build folder of an editable install (where the C++ tests are
    built), or None for an installed wheel."""
    build = Path(_runtime.__file__).resolve().parents[1]
    return build if (build / "build.ninja").is_file() else None


def _executables() -> list[str]:
    """test_kernels once per instruction-set level of the build, and test_engines."""
    build = _build_dir()
    if build is None:
        return ["test_kernels", "test_engines"]
    found = sorted(
        p.name for p in (build / "kernels" / "tests").glob("test_*") if p.is_file() and p.suffix == ""
    )
    return found or ["test_kernels", "test_engines"]


@pytest.mark.parametrize("name", _executables())
def test_cpp_unit_tests(name):
    build = _build_dir()
    if build is None:
        pytest.skip("an installed wheel: the C++ tests live in the meson build folder")
    exe = build / "kernels" / "tests" / name
    assert exe.is_file(), f"{exe} missing: configure with -Dkernel_tests=true (the default)"
    out = subprocess.run([str(exe)], capture_output=True, text=True, timeout=300)
    if out.returncode == 77:
        pytest.skip(out.stdout.strip())
    assert out.returncode == 0, out.stdout + out.stderr
    assert " 0 failed" in out.stdout
