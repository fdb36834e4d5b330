"""The portable (dispatched) build against a build for this CPU only.

gilfree's default build compiles the kernel modules once per x86-64 level and
imports the best one the CPU runs (see the README, "Instruction sets"). This
benchmark times headline rows of the loss, loop and conv benchmarks with

- ``dispatch``: the best level of the default build (``.venv``), and, forced
  with GILFREE_ISA, its ``x86_64_v3`` (AVX2) level;
- ``native``: a ``-Dsimd=native`` build of the same sources (built on first
  use in ``build/native`` with the virtual environment ``.venv-native``).

Each build runs in its own child process that prepares the inputs once; the
parent asks the children for one timing sample of a case in turn (rounds
interleaved, so both see the same machine drift) and reports the median of
each, and the ratio dispatch / native (1.00 = as fast; above 1 = slower).

    .venv/bin/python bench/bench_isa.py [--quick]

Writes bench/results/isa.{json,md} and the README section between the
``<!-- isa -->`` markers.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import save, update_readme_section  # noqa: E402

COMMAND = "python bench/bench_isa.py"
NATIVE_VENV = ROOT / ".venv-native"
NATIVE_BUILD = ROOT / "build" / "native"

# name -> (setup statements, timed expression); run in the child with np, gilfree, rng.
CASES = {
    "mse f64 1e7": ("a = rng.normal(size=10**7); b = rng.normal(size=10**7)", "gilfree.mse(a, b)"),
    "huber+grad f64 1e7": (
        "a = rng.normal(size=10**7); b = rng.normal(size=10**7)",
        "gilfree.huber(a, b, return_grad=True)",
    ),
    "log_cosh f32 1e7": (
        "a = rng.normal(size=10**7).astype('f4'); b = rng.normal(size=10**7).astype('f4')",
        "gilfree.log_cosh(a, b)",
    ),
    "cross_entropy (1e5, 100)": (
        "z = rng.normal(size=(10**5, 100)); t = rng.integers(0, 100, 10**5)",
        "gilfree.cross_entropy(z, t)",
    ),
    "sum f64 1e7": ("a = rng.normal(size=10**7)", "gilfree.sum(a)"),
    "var f32 1e7": ("a = rng.normal(size=10**7).astype('f4')", "gilfree.var(a)"),
    "logsumexp f64 1e7": ("a = rng.normal(size=10**7)", "gilfree.logsumexp(a)"),
    "softmax (1e4, 1000)": ("z = rng.normal(size=(10**4, 1000))", "gilfree.softmax(z, axis=1)"),
    "conv2d f32 3x3 winograd": (
        "x = rng.normal(size=(4, 64, 56, 56)).astype('f4'); w = rng.normal(size=(64, 64, 3, 3)).astype('f4')",
        "gilfree.conv2d(x, w, padding=1)",
    ),
    "conv2d f32 7x7 gemm": (
        "x = rng.normal(size=(1, 64, 64, 64)).astype('f4'); w = rng.normal(size=(64, 64, 7, 7)).astype('f4')",
        "gilfree.conv2d(x, w, padding=3)",
    ),
    "convolve2d f64 512^2 9x9": (
        "x = rng.normal(size=(512, 512)); k = rng.normal(size=(9, 9))",
        "gilfree.convolve2d(x, k, mode='same', method='direct')",
    ),
    "convolve fft 1e6 x 2e3": (
        "x = rng.normal(size=10**6); k = rng.normal(size=2000)",
        "gilfree.convolve(x, k, method='fft')",
    ),
}

# The child: prepares every case, then answers "case name" lines with one sample (seconds).
CHILD = r"""
import json, sys, time
import numpy as np, gilfree
rng = np.random.default_rng(0)
cases = json.loads(sys.argv[1])
fns = {}
for name, (setup, expr) in cases.items():
    env = {"np": np, "gilfree": gilfree, "rng": rng}
    exec(setup, env)
    fns[name] = eval("lambda: " + expr, env)
    fns[name]()
print(json.dumps({"isa": gilfree.show_config(as_dict=True)["isa_in_use"]}), flush=True)
for line in sys.stdin:
    fn = fns[line.strip()]
    n, t = 1, 0.0
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        t = time.perf_counter() - t0
        if t >= 0.05:
            break
        n *= 4
    print(t / n, flush=True)
"""


def ensure_native() -> Path:
    """The python of a -Dsimd=native editable build (created on first use)."""
    py = NATIVE_VENV / "bin" / "python"
    if not py.exists():
        subprocess.run([sys.executable, "-m", "venv", str(NATIVE_VENV)], check=True)
        site = subprocess.run(
            [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
        base = subprocess.run(
            [sys.executable, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
        Path(site, "gilfree_base_venv.pth").write_text(base + "\n")
    if not (NATIVE_BUILD / "build.ninja").exists():
        print("building gilfree with -Dsimd=native in build/native (a few minutes) ...", flush=True)
        subprocess.run(
            [str(py), "-m", "pip", "install", "-q", "--no-build-isolation", "--no-deps",
             f"-Cbuild-dir={NATIVE_BUILD}", "-Csetup-args=-Dsimd=native", "-e", str(ROOT)],
            check=True,
        )
    return py


class Child:
    def __init__(self, python: str, env: dict[str, str], cases: dict) -> None:
        self.proc = subprocess.Popen(
            [python, "-c", CHILD, json.dumps(cases)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            text=True, env=env, cwd=str(ROOT / "bench"),
        )
        self.isa = json.loads(self.proc.stdout.readline())["isa"]

    def sample(self, case: str) -> float:
        self.proc.stdin.write(case + "\n")
        self.proc.stdin.flush()
        return float(self.proc.stdout.readline())

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="3 rounds instead of 11")
    args = ap.parse_args()
    rounds = 3 if args.quick else 11
    native_py = ensure_native()
    env = {k: v for k, v in os.environ.items() if k != "GILFREE_ISA"}
    builds = {
        "dispatch": Child(sys.executable, env, CASES),
        "native": Child(str(native_py), env, CASES),
        "dispatch v3": Child(sys.executable, {**env, "GILFREE_ISA": "x86_64_v3"}, CASES),
    }
    samples = {b: {c: [] for c in CASES} for b in builds}
    t0 = time.perf_counter()
    for r in range(rounds):
        for case in CASES:
            for b, child in builds.items():
                time.sleep(0.05)  # the previous child's pool threads settle (they spin a while)
                samples[b][case].append(child.sample(case))
        print(f"round {r + 1}/{rounds} done ({time.perf_counter() - t0:.0f} s)", flush=True)
    isa = {b: c.isa for b, c in builds.items()}
    for c in builds.values():
        c.close()
    rows = []
    for case in CASES:
        med = {b: sorted(samples[b][case])[rounds // 2] for b in builds}
        rows.append({"case": case, **{f"{b} s": med[b] for b in builds},
                     "dispatch / native": med["dispatch"] / med["native"],
                     "v3 / native": med["dispatch v3"] / med["native"]})
    ratios = sorted(r["dispatch / native"] for r in rows)
    lines = [
        f"Median of {rounds} interleaved rounds per case, one child process per build "
        f"(dispatch = {isa['dispatch']}, native = {isa['native']}, dispatch v3 = {isa['dispatch v3']}); "
        "default thread count. Ratio above 1: slower than the native build.",
        "",
        "| case | native | dispatch | dispatch / native | x86_64_v3 / native |",
        "| --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        lines.append(f"| {r['case']} | {r['native s'] * 1e3:.3g} ms | {r['dispatch s'] * 1e3:.3g} ms | "
                     f"{r['dispatch / native']:.3f} | {r['v3 / native']:.3f} |")
    lines += ["", f"dispatch / native: median {ratios[len(ratios) // 2]:.3f}, worst {ratios[-1]:.3f} "
              f"(goal: within 5%, i.e. <= 1.05). Reproduce: `{COMMAND}`"]
    md = "\n".join(lines) + "\n"
    print(md)
    save("isa", rows, COMMAND, md, rounds=rounds, isa=isa)
    update_readme_section("isa", md)


if __name__ == "__main__":
    main()
