"""Side-by-side cases of the typed loops for the showcase (`python -m gilfree demo`)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def cases(quick: bool) -> list[tuple[str, Callable[[], object], str, Callable[[], object]]]:
    """(label, gilfree call, peer label, peer call): zero-argument callables
    of about 1-50 ms each (smaller when quick)."""
    import gilfree

    n = 10**6 if quick else 10**7
    rng = np.random.default_rng(0)
    a = rng.standard_normal(n)
    b = rng.standard_normal(n)
    side = 300 if quick else 1000
    m = rng.standard_normal((side, side))
    out = [
        (
            f"sqdist float64 n={n:.0e}",
            lambda: gilfree.sqdist(a, b),
            "np.sum((a - b)**2)",
            lambda: np.sum((a - b) ** 2),
        ),
        (f"var float64 n={n:.0e}", lambda: gilfree.var(a), "np.var", lambda: np.var(a)),
    ]
    try:
        from scipy.special import logsumexp
    except ImportError:  # pragma: no cover
        logsumexp = None
    if logsumexp is not None:
        out.append(
            (
                f"logsumexp {side}x{side}, axis=-1",
                lambda: gilfree.logsumexp(m, axis=-1),
                "scipy.special.logsumexp",
                lambda: logsumexp(m, axis=-1),
            )
        )
    out.append((f"argmax float64 n={n:.0e}", lambda: gilfree.argmax(a), "np.argmax", lambda: np.argmax(a)))
    return out
