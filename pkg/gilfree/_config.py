"""gilfree.show_config(): what this build is and how it runs."""

from __future__ import annotations

import os
import platform
import sys
from typing import Any

from . import _build_info, _cyx
from ._cyx import _runtime as _rt


def config() -> dict[str, Any]:
    """Versions, the instruction set and the threading of this build, as a dict."""
    import numpy

    built = _rt.build_info()
    gil = sys._is_gil_enabled() if hasattr(sys, "_is_gil_enabled") else True
    return {
        "gilfree": _build_info.VERSION,
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "numpy": numpy.__version__,
        "numpy_at_build": _build_info.NUMPY_BUILD,
        "cython": _build_info.CYTHON,
        "eigen": built["eigen"],
        "compiler": _build_info.COMPILER,
        "simd_option": _build_info.SIMD_OPTION,
        "isa_levels_built": ", ".join(_cyx.LEVELS),
        "cpu_x86_64_level": _cyx._cpu.x86_64_level(),
        "isa_in_use": _cyx.ISA + (" (forced by GILFREE_ISA)" if os.environ.get("GILFREE_ISA") else ""),
        "simd_in_use": _cyx._isa.simd_in_use(),
        "buildtype": _build_info.BUILDTYPE,
        "machine": platform.machine(),
        "available_cpus": _rt.available_cpus(),
        "compute_pool_threads": _rt.get_num_threads(),
        "gil_enabled": gil,
    }


def show_config(as_dict: bool = False) -> dict[str, Any] | None:
    """Print (or return, with ``as_dict=True``) gilfree's build and runtime
    configuration: versions of gilfree, Python, NumPy, Cython, Eigen and the
    compiler, the instruction set the kernels were built for, the compute
    pool size and whether the interpreter runs with a GIL.

    Examples
    --------
    >>> import gilfree
    >>> sorted(gilfree.show_config(as_dict=True))[:3]
    ['available_cpus', 'buildtype', 'compiler']
    """
    info = config()
    if as_dict:
        return info
    width = max(map(len, info))
    for key, value in info.items():
        print(f"{key:<{width}}  {value}")
    return None
