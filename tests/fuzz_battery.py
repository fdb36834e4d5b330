"""A fuzz battery over every public callable of gilfree (issue #9).

Each case is a VALID base call (tests/fuzz_specs.py) plus ONE mutation: a
dtype, a layout, a shape, special values, a huge broadcast view, a parameter
extreme or an ``out=`` alias. Cases run in worker subprocesses (a crash, a
hang or a kill counts) and are judged there:

- TypeError/ValueError: PASS if the message names an argument of the call;
- MemoryError: PASS if the output would be > 1 GiB;
- any other exception, a crash, a time-out: FAIL;
- a result: it must agree with the peer (NumPy/SciPy/torch); a peer that
  rejects the input is fine unless the spec marks the rejection semantic.

Case ``(seed, i)`` is rebuilt from those two numbers alone. Usage::

    python tests/fuzz_battery.py --minutes 30 [--seed S]   # long mode
    python tests/fuzz_battery.py --seed S --case I          # one case, in-process
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import selectors
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fuzz_specs as fs  # noqa: E402
from fuzz_oracle import GIB, _record, _signature_names, run_case  # noqa: E402
from limits import limit  # noqa: E402

KINDS = ("base", "dtype", "layout", "shape", "values", "huge", "param", "out")
DTYPES = (
    "bool int8 int16 int32 int64 uint8 uint16 uint32 uint64 float16 float32 float64 "
    "longdouble complex64 complex128 object datetime64[s] str"
).split()
EXTREMES = (0, -1, 2**31, 2**63, 2**70, -(2**63), math.nan, math.inf, -math.inf, "2", None)
EXTRA_EXTREMES = ([3], np.array(1), np.float32(0.5), np.int64(2**40), True, (1, 2))
LIMIT_S, HUGE_LIMIT_S = limit(10.0), limit(120.0)  # a 2**31-element loss takes ~10 s of one core
WORKER_MEM = 4 * GIB  # address space a worker may add after its imports


def kernels():
    """Every public callable to fuzz: the registered kernels and the thread helpers."""
    import gilfree
    from gilfree._registry import KERNELS

    names = sorted(n for n in gilfree.__all__ if n in KERNELS) + ["set_num_threads", "threads"]
    return names, KERNELS


def applicable(name, call):
    kinds = ["base", "param"]
    if any(isinstance(v, np.ndarray) for v in call.values()):
        kinds += ["dtype", "layout", "shape", "values"]
    if fs.SPECS[name].huge is not None:
        kinds.append("huge")
    if "out" in call and "x" in call:  # the loops' out=; the losses' and conv's have their own tests
        kinds.append("out")
    return [k for k in KINDS if k in kinds]


@dataclass
class Case:
    seed: int
    index: int
    name: str
    kind: str = "base"
    desc: str = "base call"
    arg: str | None = None  # the mutated argument
    call: dict = field(default_factory=dict)
    expected: object = None  # closed form (huge views)
    out_nbytes: int = 0

    @property
    def repro(self):
        return f"python tests/fuzz_battery.py --seed {self.seed} --case {self.index}"

    @property
    def limit(self):
        return HUGE_LIMIT_S if self.kind in ("huge", "param") else LIMIT_S


def plan(seed, i, names=None):
    """(kernel, kind) of case i: kernels round-robin; the kind rotates per round
    and is staggered across kernels, so any run of rounds mixes every kind."""
    names = names or kernels()[0]
    j, rnd = i % len(names), i // len(names)
    return names[j], (j + rnd + seed) % len(KINDS)


def quick_indices(seed, rounds, slow_huge=2, names=None):
    """Cases of the quick mode: `rounds` full rotations (every kernel meets
    every kind `rounds` times), but huge-view cases (seconds each) from the
    first rotation only, and of the kernels whose huge case costs ~10 s of a
    core (spec.slow_huge) only `slow_huge` picked by the seed."""
    names = names or kernels()[0]
    picked, slow = [], []
    for i in range(len(names) * len(KINDS) * rounds):
        name, _ = plan(seed, i, names)
        if _kind_of(seed, i, names) != "huge":
            picked.append(i)
        elif fs.SPECS[name].slow_huge:
            slow.append(i)
        elif i < len(names) * len(KINDS):  # the other huge cases: one rotation
            picked.append(i)
    rng = np.random.default_rng(seed)
    return sorted(picked + [int(i) for i in rng.choice(slow, min(slow_huge, len(slow)), replace=False)])


def _kind_of(seed, i, names):
    return build(seed, i, names).kind


def build(seed, i, names=None):
    """Case (seed, i), rebuilt from those two numbers alone."""
    name, k = plan(seed, i, names)
    rng = np.random.default_rng([seed, i])
    spec = fs.SPECS[name]
    call = spec.base(rng)
    sig = _signature_names(name)
    full = {p: None for p in sig} | _defaults(name) | call
    kinds = applicable(name, full)
    case = Case(seed, i, name, KINDS[k] if KINDS[k] in kinds else "param", call=full)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        MUTATIONS[case.kind](rng, case, spec)
    nb = spec.out_nbytes(case.call) if spec.out_nbytes else 8 * _largest(case.call)
    case.out_nbytes = max(case.out_nbytes, nb)
    return case


def _defaults(name):
    import inspect

    import gilfree

    ps = inspect.signature(getattr(gilfree, name)).parameters.values()
    return {p.name: p.default for p in ps if p.default is not inspect.Parameter.empty}


def _largest(call):
    sizes = [v.size for v in call.values() if isinstance(v, np.ndarray)]
    return max(sizes, default=0) * 2


def _arrays(case):
    return [k for k, v in case.call.items() if isinstance(v, np.ndarray) and k != "out"]


# ------------------------------------------------------------------ mutations


def _mut_base(rng, case, spec):
    pass


def _mut_dtype(rng, case, spec):
    arg = fs._pick(rng, _arrays(case))
    dt = fs._pick(rng, DTYPES)
    a = case.call[arg]
    if dt == "datetime64[s]":
        new = a.astype(np.int64).astype(dt)
    else:
        new = a.astype(dt)
    case.call[arg], case.arg, case.desc = new, arg, f"{arg} as {dt}"


def _misaligned(a):
    buf = np.zeros(a.nbytes + 1, np.uint8)[1:]
    view = buf.view(a.dtype).reshape(a.shape)
    view[...] = a
    return view


def _readonly(a):
    b = a.copy()
    b.flags.writeable = False
    return b


def _strided(a):
    big = np.zeros(a.shape[:-1] + (2 * a.shape[-1],), a.dtype) if a.ndim else np.zeros(2, a.dtype)
    if not a.ndim:
        big[0] = a
        return big[:1:2].reshape(())
    big[..., ::2] = a
    return big[..., ::2]


LAYOUTS = {
    "fortran": np.asfortranarray,
    "negative strides": lambda a: np.flip(np.flip(a).copy()),
    "non-contiguous slice": _strided,
    "read-only": _readonly,
    "misaligned": lambda a: _misaligned(a) if a.dtype.itemsize > 1 else a,
}


def _mut_layout(rng, case, spec):
    arg = fs._pick(rng, _arrays(case))
    how = fs._pick(rng, list(LAYOUTS))
    case.call[arg] = LAYOUTS[how](case.call[arg])
    case.arg, case.desc = arg, f"{arg} {how}"


def _mut_shape(rng, case, spec):
    arg = fs._pick(rng, _arrays(case))
    a = case.call[arg]
    how = fs._pick(rng, ["0-size", "0-d", "extra dim", "mismatched"])
    same = [k for k in _arrays(case) if case.call[k].shape == a.shape] if how != "mismatched" else [arg]
    for k in same:
        b = case.call[k]
        if how == "0-size":
            ax = int(rng.integers(b.ndim)) if b.ndim else None
            b = b.reshape(1)[:0] if ax is None else np.take(b, np.arange(0), axis=ax)
        elif how == "0-d":
            b = b.reshape(-1)[:1].reshape(()) if b.size else np.zeros((), b.dtype)
        elif how == "extra dim":
            b = b[None]
        else:
            b = b[:-1] if b.ndim and b.shape[0] > 1 else np.concatenate([b.reshape(-1), b.reshape(-1)[:1]])
        case.call[k] = b
    case.arg, case.desc = arg, f"{how} ({', '.join(same)})"


SPECIALS = (math.nan, math.inf, -math.inf, 1e308, -1e308, 5e-324)


def _mut_values(rng, case, spec):
    arg = fs._pick(rng, _arrays(case))
    a = case.call[arg].copy()
    case.arg = arg
    if a.size == 0:
        case.desc = f"{arg} empty: no values to set"
        return
    if a.dtype.kind in "iu":
        info = np.iinfo(a.dtype)
        v = fs._pick(rng, [-1, int(info.max), int(info.min), int(np.max(a)) + 1])
        a.reshape(-1)[int(rng.integers(a.size))] = v
        case.desc = f"{arg}[one] = {v}"
    elif rng.random() < 0.2:
        v = fs._pick(rng, [1e30, -1e30, 1e300])
        a[...] = a * v
        case.desc = f"{arg} scaled by {v:g} (huge logits)"
    else:
        v = fs._pick(rng, SPECIALS)
        a.reshape(-1)[int(rng.integers(a.size))] = v
        case.desc = f"{arg}[one] = {v!r}"
    case.call[arg] = a


def _mut_huge(rng, case, spec):
    call, expected, nbytes = spec.huge(rng, case.call)
    case.call = case.call | call
    case.expected, case.out_nbytes = expected, nbytes
    shapes = {k: v.shape for k, v in call.items() if isinstance(v, np.ndarray) and v.size > 2**31}
    case.desc = f"huge broadcast view {shapes}"
    case.arg = next(iter(shapes), None)


def _mut_param(rng, case, spec):
    params = [k for k, v in case.call.items() if not isinstance(v, np.ndarray) or v.ndim == 0]
    arg = fs._pick(rng, params or list(case.call))
    pool = EXTREMES + EXTRA_EXTREMES if rng.random() < 0.3 else EXTREMES
    v = pool[int(rng.integers(len(pool)))]
    case.call[arg], case.arg, case.desc = v, arg, f"{arg}={v!r}"


def _out_like(case):
    x = case.call["x"]
    return x.shape if "y" not in case.call else np.broadcast_shapes(x.shape, case.call["y"].shape)


def _mut_out(rng, case, spec):
    x = case.call["x"]
    shape = _out_like(case)
    dt = np.result_type(x.dtype, np.float64) if "alpha" in case.call else x.dtype
    how = fs._pick(
        rng,
        [
            "out is x",
            "out overlaps x",
            "out wrong dtype",
            "out wrong shape",
            "out read-only",
            "out broadcast",
            "out negative strides",
            "out misaligned",
            "out fresh",
        ],
    )
    if how == "out is x":
        out = x
    elif how == "out overlaps x":
        buf = np.zeros(x.size + 1, x.dtype)
        buf[1:] = x.reshape(-1)
        case.call["x"], out = buf[1:].reshape(x.shape), buf[:-1].reshape(x.shape)
    elif how == "out wrong dtype":
        out = np.zeros(shape, np.int16)
    elif how == "out wrong shape":
        out = np.zeros(shape + (2,), dt)
    elif how == "out read-only":
        out = _readonly(np.zeros(shape, dt))
    elif how == "out broadcast":
        out = np.broadcast_to(np.zeros(1, dt), shape) if shape else np.zeros(shape, dt)
    elif how == "out negative strides":
        out = np.flip(np.zeros(shape, dt))
    elif how == "out misaligned":
        out = _misaligned(np.zeros(shape, dt))
    else:
        out = np.zeros(shape, dt)
    case.call["out"], case.arg, case.desc = out, "out", how


MUTATIONS = {
    "base": _mut_base,
    "dtype": _mut_dtype,
    "layout": _mut_layout,
    "shape": _mut_shape,
    "values": _mut_values,
    "huge": _mut_huge,
    "param": _mut_param,
    "out": _mut_out,
}

# ------------------------------------------------------------------ worker processes


def _limit_memory():
    """Cap the address space a little above what the imports mapped (torch
    maps a lot), so that an accidental huge allocation fails fast."""
    import resource

    with open("/proc/self/status") as f:
        vm = next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmSize:"))
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (vm + WORKER_MEM, hard))


def worker_main():
    import gilfree
    import scipy.signal  # noqa: F401
    import scipy.special  # noqa: F401
    import torch

    torch.set_num_threads(1)
    answer = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # whatever else writes to stdout goes to the log
    _limit_memory()
    names = kernels()[0]
    answer.write("ready\n")
    for line in sys.stdin:
        seed, i = map(int, line.split())
        t0 = time.perf_counter()
        try:
            case = build(seed, i, names)
            ok, outcome = run_case(case, gilfree)
        except BaseException:
            case = Case(seed, i, plan(seed, i, names)[0], "?", "battery error")
            ok, outcome = False, "battery error: " + traceback.format_exc(limit=-2).replace("\n", " | ")
        answer.write(json.dumps(_record(case, ok, outcome) | {"seconds": time.perf_counter() - t0}) + "\n")


WORKER_ENV = {
    "GILFREE_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}


class Worker:
    def __init__(self, sel):
        self.sel = sel
        self.log = tempfile.TemporaryFile("w+")
        env = os.environ | WORKER_ENV
        cmd = [sys.executable, os.path.abspath(__file__), "--worker"]
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log, env=env, text=True, bufsize=1
        )
        self.index, self.deadline = None, math.inf
        ready = self.proc.stdout.readline()
        if ready != "ready\n":
            raise RuntimeError(f"fuzz worker failed to start: {ready!r} {self.log_tail()}")
        sel.register(self.proc.stdout, selectors.EVENT_READ, self)

    def send(self, seed, i, limit):
        self.index, self.limit, self.deadline = i, limit, time.monotonic() + limit
        self.proc.stdin.write(f"{seed} {i}\n")
        self.proc.stdin.flush()

    def log_tail(self):
        self.log.seek(0)
        return " | ".join(self.log.read()[-400:].splitlines())

    def kill(self):
        self.sel.unregister(self.proc.stdout)
        self.proc.kill()
        rc = self.proc.wait()
        return rc


def _died(seed, i, names, why):
    case = build(seed, i, names)
    return _record(case, False, why)


def run(seed, indices, jobs=2, until=math.inf, names=None, progress=None):
    """Runs cases (seed, i) for i in indices on `jobs` workers; a list of records."""
    names = names or kernels()[0]
    sel = selectors.DefaultSelector()
    workers = [Worker(sel) for _ in range(jobs)]
    todo, results = iter(indices), []

    def feed(w):
        i = next(todo, None) if time.monotonic() < until else None
        if i is not None:
            w.send(seed, i, build(seed, i, names).limit)

    def replace(w, why):
        results.append(_died(seed, w.index, names, why))
        workers[workers.index(w)] = fresh = Worker(sel)
        feed(fresh)

    for w in workers:
        feed(w)
    while any(w.index is not None for w in workers):
        busy = [w for w in workers if w.index is not None]
        wait = max(0.0, min(w.deadline for w in busy) - time.monotonic())
        for key, _ in sel.select(timeout=wait):
            w = key.data
            line = w.proc.stdout.readline()
            if not line:
                tail = w.log_tail()
                rc = w.kill()
                replace(w, f"crash: the worker died (exit status {rc}) {tail}")
                continue
            results.append(json.loads(line))
            w.index = None
            if progress:
                progress(results[-1])
            feed(w)
        for w in list(workers):
            if w.index is not None and time.monotonic() > w.deadline:
                w.kill()
                replace(w, f"hang: no answer within the {w.limit:.0f} s limit")
    for w in workers:
        w.proc.stdin.close()
        w.proc.wait()
    return results


# ------------------------------------------------------------------ reports and the CLI


def signature(r):
    """A failure's kind without its numbers: the groups of a report."""
    return (r["name"], r["kind"], re.sub(r"-?\d[\d.e+-]*", "#", r["outcome"])[:90])


def format_failures(seed, records):
    fails = [r for r in records if not r["ok"]]
    lines = [f"fuzz seed {seed}: {len(fails)} of {len(records)} cases failed"]
    for r in fails:
        lines.append(
            f"FAIL {r['name']} [{r['kind']}: {r['desc']}] -> {r['outcome']}\n    repro: {r['repro']}"
        )
    return "\n".join(lines)


def summary(seed, records):
    per_kernel = Counter(r["name"] for r in records)
    fails = [r for r in records if not r["ok"]]
    per_kind = Counter(r["kind"] for r in fails)
    lines = [f"seed {seed}: {len(records)} cases, {len(fails)} failures", "", "cases per kernel:"]
    lines += [
        f"  {k:34s} {n:6d}  ({sum(1 for r in fails if r['name'] == k)} failed)"
        for k, n in sorted(per_kernel.items())
    ]
    lines += ["", "failures per mutation kind:"] + [f"  {k:10s} {n:6d}" for k, n in per_kind.most_common()]
    groups = {}
    for r in fails:
        groups.setdefault(signature(r), []).append(r)
    lines += ["", f"distinct failure signatures: {len(groups)}"]
    for (name, kind, _), rs in sorted(groups.items()):
        r = rs[0]
        lines.append(f"  {name} [{kind}: {r['desc']}] x{len(rs)} -> {r['outcome'][:200]}\n      {r['repro']}")
    return "\n".join(lines)


def _show(v):
    if isinstance(v, np.ndarray):
        f = v.flags
        layout = "C" if f.c_contiguous else "F" if f.f_contiguous else "strided"
        extra = ("" if f.writeable else " read-only") + ("" if f.aligned else " misaligned")
        body = "" if v.size > 12 else f" {v.tolist()!r}"
        return f"array(shape={v.shape}, dtype={v.dtype}, strides={v.strides}, {layout}{extra}){body}"
    return repr(v)


def one_case(seed, i):
    import gilfree

    case = build(seed, i)
    print(f"case {i} of seed {seed}: {case.name} [{case.kind}: {case.desc}]")
    for k, v in case.call.items():
        print(f"  {k} = {_show(v)}")
    ok, outcome = run_case(case, gilfree, verbose=True)
    print(("PASS" if ok else "FAIL") + f": {outcome}")
    return 0 if ok else 1


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int)
    ap.add_argument("--case", type=int, help="run this one case in-process and show the traceback")
    ap.add_argument("--minutes", type=float, help="long mode: run cases until this many minutes have passed")
    ap.add_argument("--cases", type=int, help="run cases 0..N-1")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        return worker_main()
    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "little")
    if args.case is not None:
        return one_case(seed, args.case)
    print(f"fuzz seed {seed}", flush=True)
    until = time.monotonic() + 60 * args.minutes if args.minutes else math.inf
    count = range(args.cases) if args.cases else range(10**9)

    def progress(r):
        if not r["ok"]:
            print(
                f"FAIL {r['name']} [{r['kind']}: {r['desc']}] -> {r['outcome'][:300]}\n    repro: {r['repro']}",
                flush=True,
            )

    records = run(seed, count, args.jobs, until, progress=progress)
    print(summary(seed, records))
    return 1 if any(not r["ok"] for r in records) else 0


if __name__ == "__main__":
    sys.exit(main())
