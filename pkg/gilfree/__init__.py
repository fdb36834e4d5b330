"""gilfree: numeric kernels that release the GIL, run on all cores, and can be
awaited and cancelled from asyncio.

>>> import numpy as np, gilfree
>>> gilfree.mse(np.array([0.0, 1.0]), np.array([0.0, 3.0]))
np.float64(2.0)

Every kernel ``gilfree.<name>`` has an awaitable twin ``gilfree.aio.<name>``.
"""

from . import aio  # wraps each kernel on first access, whatever the import order
from ._build_info import VERSION as __version__
from ._config import show_config
from .conv import *  # noqa: F403
from .conv import __all__ as _conv_all
from .loops import *  # noqa: F403
from .loops import __all__ as _loops_all
from .losses import *  # noqa: F403
from .losses import __all__ as _losses_all
from .runtime import (
    KernelCancelled,
    available_cpus,
    get_num_threads,
    set_num_threads,
    threads,
)

__all__ = [
    "KernelCancelled",
    "__version__",
    "aio",
    "available_cpus",
    "get_num_threads",
    "set_num_threads",
    "show_config",
    "threads",
    *_conv_all,
    *_losses_all,
    *_loops_all,
]
