"""gilfree.show_config(): what this build is and how it runs."""

from __future__ import annotations

import os
import platform
import sys
from typing import Any, Literal, overload

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


@overload
def show_config(as_dict: Literal[False] = False) -> None: ...
@overload
def show_config(as_dict: Literal[True]) -> dict[str, Any]: ...
@overload
def show_config(as_dict: bool = False) -> dict[str, Any] | None: ...


def show_config(as_dict: bool = False) -> dict[str, Any] | None:
    """Print (or return, with ``as_dict=True``) gilfree's build and runtime configuration.

    Versions of gilfree, Python, NumPy, Cython, Eigen and the compiler, the
    instruction set the kernels were built for, the compute pool size and
    whether the interpreter runs with a GIL.

    Parameters
    ----------
    as_dict : bool, default False
        Return the configuration as a dict instead of printing it.

    Returns
    -------
    dict or None
        The configuration (str keys) with ``as_dict=True``, else None.

    See Also
    --------
    gilfree.get_num_threads, gilfree.available_cpus

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
