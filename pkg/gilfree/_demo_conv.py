"""Side-by-side cases of gilfree.conv for the showcase (``python -m gilfree demo``).

Each case is (label, gilfree call, peer label, peer call): zero-argument
callables on the same data, timed by the showcase. Peers that are not
installed (scipy, torch) fall back to NumPy where one exists, else the case
is left out.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from . import conv


def cases(quick: bool) -> list[tuple[str, Callable[[], object], str, Callable[[], object]]]:
    rng = np.random.default_rng(0)
    out: list[tuple[str, Callable[[], object], str, Callable[[], object]]] = []

    n = 200_000 if quick else 1_000_000
    a, v = rng.standard_normal(n), rng.standard_normal(16)
    out.append(
        (f"convolve n={n:.0e} k=16", lambda: conv.convolve(a, v), "numpy.convolve", lambda: np.convolve(a, v))
    )

    side = 256 if quick else 512
    img, ker = rng.standard_normal((side, side)), rng.standard_normal((5, 5))
    try:
        import scipy.signal as ss

        out.append(
            (
                f"convolve2d {side}x{side} 5x5 same",
                lambda: conv.convolve2d(img, ker, "same"),
                "scipy.signal.convolve2d",
                lambda: ss.convolve2d(img, ker, "same"),
            )
        )
    except ImportError:  # pragma: no cover
        pass

    try:
        import torch
        import torch.nn.functional as F
    except ImportError:  # pragma: no cover
        return out
    nb, hw = (2, 28) if quick else (4, 56)
    x = rng.standard_normal((nb, 64, hw, hw))
    w = rng.standard_normal((64, 64, 3, 3))
    tx, tw = torch.from_numpy(x), torch.from_numpy(w)
    out.append(
        (
            f"conv2d f64 N={nb} C=64 {hw}x{hw} 3x3",
            lambda: conv.conv2d(x, w, padding=1),
            "torch conv2d (f64)",
            lambda: F.conv2d(tx, tw, padding=1),
        )
    )
    return out
