"""Optional benchmark peers: numba, JAX (CPU) and numexpr (the `bench-peers` extra).

Each peer is imported if it can be; one that cannot is recorded in SKIPPED
(peer -> why) and left out of every table, never failing a benchmark. The
benchmarks ask for the peers of one case with `peers(case, args, ref, ...)`:
it builds each available implementation, compiles it and checks its result
against gilfree's (`ref`) before any timing, so JIT compilation and warm-up
never reach a measurement; a peer whose result differs is left out of that
case and listed in EXCLUDED (and by `note()`, printed under every table).

Threads, per peer:
- numba: `numba.set_num_threads(k)` before each call (its pool is sized at
  start to all CPUs); `parallel=True` kernels with `prange`, the n = 1e7 rows.
  Its serial (`@njit`, no `parallel`) twins serve the tiny-call benchmark.
- numexpr: `numexpr.set_num_threads(k)` before each call. numexpr has no
  float64 accumulator for float32 input, so it is a peer of float64 rows only.
- JAX: XLA sizes its CPU thread pool once, at start (XLA_FLAGS), and cannot
  change it per call. JAX runs at XLA's default (all CPUs) and appears only in
  the all-thread rows; its 1-thread figure needs a separate process started
  with XLA_FLAGS="--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1".
  float64 is enabled (jax_enable_x64), so float64 rows compute in float64.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import numpy as np

# numba's OpenMP workers (if that threading layer is picked) would otherwise spin
# after each call and take a core from the next candidate timed
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

SKIPPED: dict[str, str] = {}
VERSIONS: dict[str, str] = {}
NAMES = ("numba", "jax", "numexpr")

try:
    import numba
    from numba import prange

    VERSIONS["numba"] = numba.__version__
except Exception as e:  # ImportError, or numba refusing this NumPy version
    numba = None
    prange = range
    SKIPPED["numba"] = f"not importable ({type(e).__name__}: {e})"
try:
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    from jax import lax

    VERSIONS["jax"] = jax.__version__
except Exception as e:
    jax = jnp = lax = None
    SKIPPED["jax"] = f"not importable ({type(e).__name__}: {e})"
try:
    import numexpr

    VERSIONS["numexpr"] = numexpr.__version__
except Exception as e:
    numexpr = None
    SKIPPED["numexpr"] = f"not importable ({type(e).__name__}: {e})"


EXCLUDED: list[str] = []  # peers of one case left out: their result differs from gilfree's


class PeerMismatch(AssertionError):
    """A peer's result differs from gilfree's: the comparison would be meaningless."""


def note() -> str:
    """One line for the benchmark's output and Markdown: peers used and skipped."""
    used = ", ".join(f"{k} {v}" for k, v in VERSIONS.items()) or "none"
    skipped = "; ".join(f"{k}: {v}" for k, v in SKIPPED.items())
    line = f"Peers: {used}" + (f" (skipped: {skipped})" if skipped else "") + "."
    if EXCLUDED:
        line += " Excluded, their result differs from gilfree's: " + "; ".join(EXCLUDED) + "."
    return line


# ---------------------------------------------------------------- numba kernels
# Plain Python, compiled twice below: parallel (prange splits the loop) and
# serial (prange is range). Accumulators are float64 whatever the input dtype.


def _nb_mse(x, y):
    acc = 0.0
    for i in prange(x.size):
        d = float(x[i]) - float(y[i])
        acc += d * d
    return acc / x.size


def _nb_mse_grad(x, y):
    n = x.size
    g = np.empty_like(x)
    acc = 0.0
    for i in prange(n):
        d = float(x[i]) - float(y[i])
        acc += d * d
        g[i] = (2.0 / n) * d
    return acc / n, g


def _nb_sum(a):
    acc = 0.0
    for i in prange(a.size):
        acc += a[i]
    return acc


def _nb_var(a):
    # one pass, shifted by the first element (no cancellation for data far from 0);
    # faster than two passes over a memory-bound array
    n = a.size
    k = float(a[0])
    s1 = 0.0
    s2 = 0.0
    for i in prange(n):
        d = float(a[i]) - k
        s1 += d
        s2 += d * d
    return (s2 - s1 * s1 / n) / n


def _nb_sqdist(a, b):
    acc = 0.0
    for i in prange(a.size):
        d = float(a[i]) - float(b[i])
        acc += d * d
    return acc


def _nb_bce_logits_grad(x, y):
    n = x.size
    g = np.empty_like(x)
    acc = 0.0
    for i in prange(n):
        xi = float(x[i])
        e = np.exp(-abs(xi))
        acc += max(xi, 0.0) - xi * float(y[i]) + np.log1p(e)
        s = 1.0 / (1.0 + e) if xi >= 0 else e / (1.0 + e)
        g[i] = (s - float(y[i])) / n
    return acc / n, g


def _nb_bce_logits(x, y):
    acc = 0.0
    for i in prange(x.size):
        xi = float(x[i])
        acc += max(xi, 0.0) - xi * float(y[i]) + np.log1p(np.exp(-abs(xi)))
    return acc / x.size


def _nb_row_lse(x, r):
    m = float(x[r, 0])
    for j in range(1, x.shape[1]):
        m = max(m, float(x[r, j]))
    s = 0.0
    for j in range(x.shape[1]):
        s += np.exp(float(x[r, j]) - m)
    return m + np.log(s)


def _nb_logsumexp(x):
    out = np.empty(x.shape[0], dtype=x.dtype)
    for r in prange(x.shape[0]):
        out[r] = _row_lse(x, r)
    return out


def _nb_cross_entropy(x, t):
    rows = x.shape[0]
    acc = 0.0
    for r in prange(rows):
        acc += _row_lse(x, r) - float(x[r, t[r]])
    return acc / rows


def _nb_cross_entropy_grad(x, t):
    rows = x.shape[0]
    g = np.empty_like(x)
    acc = 0.0
    for r in prange(rows):
        lse = _row_lse(x, r)
        acc += lse - float(x[r, t[r]])
        for j in range(x.shape[1]):
            g[r, j] = np.exp(float(x[r, j]) - lse) / rows
        g[r, t[r]] -= 1.0 / rows
    return acc / rows, g


def _nb_convolve2d_same(img, ker):
    # SciPy's convolve2d(mode="same") for an odd kernel: zero padding, flipped kernel
    kh, kw = ker.shape
    h, w = img.shape
    ch, cw = (kh - 1) // 2, (kw - 1) // 2
    pad = np.zeros((h + kh - 1, w + kw - 1), dtype=np.float64)
    pad[ch : ch + h, cw : cw + w] = img
    flip = ker[::-1, ::-1].copy()
    out = np.empty((h, w), dtype=img.dtype)
    for i in prange(h):
        for j in range(w):
            acc = 0.0
            for p in range(kh):
                for q in range(kw):
                    acc += flip[p, q] * pad[i + p, j + q]
            out[i, j] = acc
    return out


NUMBA_PAR: dict[str, Callable] = {}
NUMBA_SERIAL: dict[str, Callable] = {}
if numba is not None:
    _row_lse = numba.njit(nogil=True, fastmath=True, inline="always")(_nb_row_lse)
    for _name, _fn in [
        ("mse", _nb_mse),
        ("mse+grad", _nb_mse_grad),
        ("sum", _nb_sum),
        ("var", _nb_var),
        ("sqdist", _nb_sqdist),
        ("bce_logits", _nb_bce_logits),
        ("bce_logits+grad", _nb_bce_logits_grad),
        ("logsumexp", _nb_logsumexp),
        ("cross_entropy", _nb_cross_entropy),
        ("cross_entropy+grad", _nb_cross_entropy_grad),
        ("convolve2d", _nb_convolve2d_same),
    ]:
        NUMBA_PAR[_name] = numba.njit(parallel=True, nogil=True, fastmath=True)(_fn)
        NUMBA_SERIAL[_name] = numba.njit(nogil=True, fastmath=True)(_fn)


# ---------------------------------------------------------------- JAX (jit, CPU)


def _jax_kernels() -> dict[str, Callable]:
    """case -> jitted function of the case's arguments (JAX arrays)."""
    import jax.scipy.signal as jsig
    from jax.scipy.special import logsumexp as jlse

    def mse(x, y):
        return jnp.mean((x - y) ** 2)

    def bce(x, y):
        return jnp.mean(jax.nn.softplus(x) - x * y)

    def ce(x, t):
        return -jnp.mean(jnp.take_along_axis(jax.nn.log_softmax(x, axis=-1), t[:, None], axis=1))

    def conv2d(x, w):
        return lax.conv_general_dilated(
            x, w, (1, 1), [(1, 1), (1, 1)], dimension_numbers=("NCHW", "OIHW", "NCHW")
        )

    fns = {
        "mse": mse,
        "mse+grad": jax.value_and_grad(mse),
        "bce_logits": bce,
        "bce_logits+grad": jax.value_and_grad(bce),
        "cross_entropy": ce,
        "cross_entropy+grad": jax.value_and_grad(ce),
        "sum": jnp.sum,
        "var": jnp.var,
        "sqdist": lambda a, b: jnp.sum((a - b) ** 2),
        "logsumexp": lambda m: jlse(m, axis=-1),
        "conv2d": conv2d,
        "convolve2d": lambda img, ker: jsig.convolve2d(img, ker, mode="same"),
    }
    return {k: jax.jit(f) for k, f in fns.items()}


_JAX: dict[str, Callable] = {}


def _jax_call(case: str, args: tuple) -> Callable[[], object] | None:
    if jax is None:
        return None
    if not _JAX:
        _JAX.update(_jax_kernels())
    fn = _JAX.get(case)
    if fn is None:
        return None
    jargs = tuple(jnp.asarray(a) for a in args)  # on the device once, outside the timing
    return lambda: jax.block_until_ready(fn(*jargs))


# ---------------------------------------------------------------- numexpr (float64)


def _numexpr_call(case: str, args: tuple) -> Callable[[], object] | None:
    if numexpr is None or any(np.asarray(a).dtype != np.float64 for a in args):
        return None
    if case in ("mse", "mse+grad", "sqdist", "bce_logits", "bce_logits+grad"):
        x, y = args
        n = x.size
        names = {"x": x, "y": y, "c": (2.0 if case.startswith("mse") else 1.0) / n}
        if case.startswith("bce"):
            val_expr, div = "sum(where(x > 0, x, 0) - x * y + log1p(exp(-abs(x))))", n
            grad_expr = "(1 / (1 + exp(-x)) - y) * c"
        else:
            val_expr, div, grad_expr = "sum((x - y) ** 2)", (1 if case == "sqdist" else n), "(x - y) * c"

        def val():
            return float(numexpr.evaluate(val_expr, local_dict=names)) / div

        if case.endswith("+grad"):
            return lambda: (val(), numexpr.evaluate(grad_expr, local_dict=names))
        return val
    if case == "sum":
        return lambda: float(numexpr.evaluate("sum(a)", local_dict={"a": args[0]}))
    if case == "var":
        (a,) = args

        def var():  # two passes: a numexpr reduction takes one expression
            m = float(numexpr.evaluate("sum(a)", local_dict={"a": a})) / a.size
            return float(numexpr.evaluate("sum((a - m) ** 2)", local_dict={"a": a, "m": m})) / a.size

        return var
    return None


# ---------------------------------------------------------------- the builder


def _with_threads(setter, k: int, fn: Callable[[], object]) -> Callable[[], object]:
    def run():
        setter(k)
        return fn()

    return run


def agree(got, ref, rtol: float, what: str) -> None:
    """Raises PeerMismatch unless got matches ref (max-abs error <= rtol * max |ref|),
    element by element for (value, grad) pairs."""
    if isinstance(ref, tuple):
        if not isinstance(got, tuple) or len(got) != len(ref):
            raise PeerMismatch(f"{what}: expected a pair (value, grad)")
        for g, r in zip(got, ref, strict=True):
            agree(g, r, rtol, what)
        return
    g = np.asarray(got, dtype=np.float64)
    r = np.asarray(ref, dtype=np.float64)
    if g.shape != r.shape:
        raise PeerMismatch(f"{what}: shape {g.shape}, gilfree's {r.shape}")
    err = float(np.max(np.abs(g - r))) if r.size else 0.0
    scale = float(np.max(np.abs(r))) if r.size else 0.0
    if not err <= rtol * max(scale, np.finfo(np.float64).tiny):
        raise PeerMismatch(f"{what}: max error {err:.3g} > {rtol:g} x {scale:.3g} (gilfree's result)")


def peers(
    case: str,
    args: tuple,
    ref: object,
    *,
    threads: int,
    which: tuple[str, ...] = NAMES,
    rtol: float | None = None,
) -> dict[str, Callable[[], object]]:
    """Zero-argument callables of the available peers of `case` on `args`, each
    checked against gilfree's result `ref` (compiling it) before it is returned.

    numba and numexpr run on `threads` threads (set before every call); JAX on
    XLA's default, so it is returned only when `threads` is all the CPUs.
    `rtol` defaults to 1e-6 for float32 and 1e-10 for float64 arguments.
    """
    dtype = np.result_type(*[np.asarray(a).dtype for a in args if np.asarray(a).dtype.kind == "f"])
    tol = rtol if rtol is not None else (1e-6 if dtype == np.float32 else 1e-10)
    out: dict[str, Callable[[], object]] = {}
    if "numba" in which and case in NUMBA_PAR:
        kernel = NUMBA_PAR[case]
        out["numba"] = _with_threads(numba.set_num_threads, threads, lambda: kernel(*args))
    if "jax" in which and threads == len(os.sched_getaffinity(0)):
        call = _jax_call(case, args)
        if call is not None:
            out["jax"] = call
    if "numexpr" in which:
        call = _numexpr_call(case, args)
        if call is not None:
            out["numexpr"] = _with_threads(numexpr.set_num_threads, threads, call)
    checked = {}
    for name, call in out.items():
        what = f"{name} {case} {dtype} {'x'.join(map(str, np.shape(args[0])))}"
        try:
            agree(call(), ref, tol, what)  # compiles (JIT) before any timing
        except PeerMismatch as e:  # left out of the timing, and said so in the tables' note
            print(f"excluded: {e}", flush=True)
            EXCLUDED.append(str(e))
            continue
        checked[name] = call
    return checked


def tiny_numba(case: str, args: tuple, ref: object) -> Callable[[], object] | None:
    """The serial numba kernel of `case` on `args` (checked, compiled), or None."""
    fn = NUMBA_SERIAL.get(case)
    if fn is None:
        return None
    dtype = np.asarray(args[0]).dtype
    agree(fn(*args), ref, 1e-6 if dtype == np.float32 else 1e-10, f"numba serial {case}")
    return lambda: fn(*args)
