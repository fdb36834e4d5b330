"""The C++ kernels build and pass their own unit tests without Python
(kernels/tests/test_kernels.cpp): the kernels/ layer stays pure C++."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_kernels_are_pure_cpp():
    for path in (ROOT / "kernels").rglob("*pp"):
        text = path.read_text()
        assert "Python.h" not in text and "numpy/" not in text, path


def test_cpp_unit_tests(tmp_path):
    cxx = shutil.which("g++") or shutil.which("c++")
    if cxx is None:
        pytest.skip("no C++ compiler")
    eigen = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "find_eigen.py")], capture_output=True, text=True, check=True
    ).stdout.strip()
    exe = tmp_path / "test_kernels"
    # under tools/test_sanitize.sh the C++ tests are instrumented too
    sanitize = (
        ["-fsanitize=address,undefined", "-fno-sanitize-recover=all"]
        if os.environ.get("GILFREE_SANITIZE")
        else []
    )
    subprocess.run(
        [
            cxx,
            "-std=c++17",
            "-O2",
            "-march=native",
            "-DEIGEN_DONT_PARALLELIZE",
            *sanitize,
            "-I",
            str(ROOT / "kernels"),
            "-isystem",
            eigen,
            str(ROOT / "kernels" / "runtime.cpp"),
            str(ROOT / "kernels" / "tests" / "test_kernels.cpp"),
            "-lpthread",
            "-o",
            str(exe),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    out = subprocess.run([str(exe)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert " 0 failed" in out.stdout
