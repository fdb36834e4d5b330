"""Private Cython bindings of gilfree's C++ kernels. Use the gilfree package.

The kernel modules (_losses, _loops, _conv) are built once per instruction-set
level (``gilfree._cyx.<level>.<name>``, see meson.options ``simd``). The best level
this CPU supports is picked here, once, at import; the environment variable
``GILFREE_ISA`` forces one of the levels built (e.g. to compare them).
"""

import importlib
import os
import sys

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
# The picked level's modules are gilfree._cyx._losses etc. (their .pyi stubs
# sit here), so `from gilfree._cyx._losses import Reduction` finds them.
_losses = importlib.import_module(f"{__name__}.{ISA}._losses")
_loops = importlib.import_module(f"{__name__}.{ISA}._loops")
_conv = importlib.import_module(f"{__name__}.{ISA}._conv")
_isa = importlib.import_module(f"{__name__}.{ISA}._isa")
for _name, _module in (("_losses", _losses), ("_loops", _loops), ("_conv", _conv), ("_isa", _isa)):
    sys.modules[f"{__name__}.{_name}"] = _module
