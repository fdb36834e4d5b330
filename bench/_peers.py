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

    VERSIONS["numba"] = numba.__version__
except Exception as e:  # ImportError, or numba refusing this NumPy version
    numba = None
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
        line += (
            " Excluded, their result differs from gilfree's (or they failed): " + "; ".join(EXCLUDED) + "."
        )
    return line


# ---------------------------------------------------------------- numba kernels
# Plain Python in bench/_peers_kernels.py, compiled twice: parallel (prange
# splits the loop) and serial (prange is range).

NUMBA_PAR: dict[str, Callable] = {}
NUMBA_SERIAL: dict[str, Callable] = {}
if numba is not None:
    from _peers_kernels import compile_kernels

    NUMBA_PAR, NUMBA_SERIAL = compile_kernels(numba)


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
        "mean": jnp.mean,
        "var": jnp.var,
        "std": jnp.std,
        "min": jnp.min,
        "max": jnp.max,
        "argmin": jnp.argmin,
        "argmax": jnp.argmax,
        "sqdist": lambda a, b: jnp.sum((a - b) ** 2),
        "dot": jnp.dot,
        "norm": jnp.linalg.norm,
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
    # whole-array reductions: value = post(numexpr's reduction of the expression)
    one = {
        "sum": ("sum(a)", float),
        "mean": ("sum(a)", lambda s: s / args[0].size),
        "norm": ("sum(a * a)", np.sqrt),  # the reduction has to be numexpr's last operation
        "dot": ("sum(a * b)", float),
        # min() / max() reductions: in numexpr >= 2.14 (the extra's pin), not in its user guide's list
        "min": ("min(a)", float),
        "max": ("max(a)", float),
    }
    if case in one:
        expr, post = one[case]
        names = dict(zip("ab", args, strict=False))
        return lambda: post(float(numexpr.evaluate(expr, local_dict=names)))
    if case in ("var", "std"):
        (a,) = args
        post = np.sqrt if case == "std" else float

        def var():  # two passes: a numexpr reduction takes one expression
            m = float(numexpr.evaluate("sum(a)", local_dict={"a": a})) / a.size
            return post(float(numexpr.evaluate("sum((a - m) ** 2)", local_dict={"a": a, "m": m})) / a.size)

        return var
    return None  # argmin / argmax: numexpr has no such reduction


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
        except Exception as e:  # e.g. an older numexpr without the reduction: the same
            print(f"excluded: {what}: {type(e).__name__}: {e}", flush=True)
            EXCLUDED.append(f"{what}: failed ({type(e).__name__}: {e})")
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
