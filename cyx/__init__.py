"""Private Cython bindings of gilfree's C++ kernels. Use the gilfree package.

The kernel modules (_losses, _loops, _conv) are built once per instruction-set
level (``gilfree._cyx.<name>_<level>``, see meson.options ``simd``). The best level
this CPU supports is picked here, once, at import; the environment variable
``GILFREE_ISA`` forces one of the levels built (e.g. to compare them).
"""

import importlib
import os

from . import _cpu
from ._levels import LEVELS

__all__ = ["ISA", "LEVELS", "usable_levels"]

# The x86-64 level each build level needs from the CPU (0: runs anywhere it
# was built for).
_NEEDS = {"x86_64_v4": 4, "x86_64_v3": 3, "x86_64_v2": 2}


def usable_levels():
    """The levels built here that this CPU can run, best first."""
    have = _cpu.x86_64_level()
    return [level for level in LEVELS if _NEEDS.get(level, 0) <= have]


def _pick():
    usable = usable_levels()
    forced = os.environ.get("GILFREE_ISA", "").strip()
    if forced:
        if forced not in usable:
            raise ImportError(
                f"GILFREE_ISA: expected one of the levels built and supported by this CPU "
                f"{usable}, got {forced!r} (built: {LEVELS})"
            )
        return forced
    if not usable:
        raise ImportError(
            f"gilfree: this CPU (x86-64 level {_cpu.x86_64_level()}) cannot run any level built: {LEVELS}"
        )
    return usable[0]


ISA = _pick()
_losses = importlib.import_module(f"{__name__}._losses_{ISA}")
_loops = importlib.import_module(f"{__name__}._loops_{ISA}")
_conv = importlib.import_module(f"{__name__}._conv_{ISA}")
_isa = importlib.import_module(f"{__name__}._isa_{ISA}")
