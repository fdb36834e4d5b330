"""The showcase: the claims users choose a concurrency model by, measured on
gilfree's kernels in one run, each judged confirmed / refuted / depends.

1. threads vs processes (fork, spawn) vs subinterpreters on an
   ingestion-like pipeline: throughput and peak memory of the process tree
   (bench/_showcase_pipeline.py, _showcase_exp1.py, _showcase_subinterp.py);
2. one typed loop compiled with ``nogil`` and holding the GIL, and in pure
   Python, on 1..N threads (bench/showcase_ext, _showcase_exp2.py);
3. asyncio: gather vs sequential calls, and the loop's heartbeat while
   blocking vs offloaded (_showcase_async.py);
4. kernel speed against the peers: the headline rows of
   bench/results/{losses,loops,conv}.json, read, not re-run
   (_showcase_kernels.py);
5. thread scaling 1..all cores, kept per machine (_showcase_kernels.py).

    python bench/showcase.py            # quick mode (about 2-3 minutes on 2 cores)
    python bench/showcase.py --full     # larger sizes, more rounds
    python bench/showcase.py --smoke --out DIR   # seconds: the test suite's run

Writes showcase-<host>-<date>.{json,md} and showcase-<host>-<date>-*.png to
bench/results/ (or --out), and, for a quick or full run into bench/results,
the README's section between the ``<!-- showcase -->`` markers.
"""

from __future__ import annotations

import os

# Peers' idle threads sleep at once instead of spinning after a call
# (OpenBLAS: 2^4 cycles instead of 2^28; OpenMP runtimes: passive waits).
os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse  # noqa: E402
import datetime  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import socket  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

import gilfree  # noqa: E402
import numpy as np  # noqa: E402
from _timing import RESULTS, machine, update_readme_section  # noqa: E402

SIZES = {  # experiment 1: (documents, float64 values per document); then the pure-Python arm's
    "smoke": ([(8, 4096), (4, 16384)], (2, 1024)),
    "quick": ([(512, 16384), (64, 262144)], (8, 4096)),
    "full": ([(2048, 16384), (256, 262144), (32, 2097152)], (32, 4096)),
}


def environment() -> dict:
    """The machine and the versions, as the other benchmarks record them, plus
    the host, the ISA the kernels use and the load average."""
    cfg = gilfree.show_config(as_dict=True)
    env = machine()
    env.update(
        host=re.sub(r"[^A-Za-z0-9_.-]", "_", socket.gethostname()) or "host",
        isa=cfg["simd_in_use"],
        numpy=np.__version__,
        gilfree=cfg["gilfree"],
        load_before=[round(x, 2) for x in os.getloadavg()],
    )
    for mod in ("scipy", "torch"):
        try:
            env[mod] = __import__(mod).__version__
        except ImportError:
            env[mod] = None
    return env


def experiments(mode: str, nt: int, tick) -> dict:
    import _showcase_async
    import _showcase_exp1
    import _showcase_exp2
    import _showcase_kernels

    quick, smoke = mode != "full", mode == "smoke"
    rounds = 2 if smoke else (5 if quick else 9)
    sizes, sub = SIZES[mode]
    out = {"1": _showcase_exp1.run(sizes, sub, nt, create_venv=not smoke, tick=tick)}
    out["2"] = _showcase_exp2.run(nt, quick, smoke, tick)
    out["3"] = _showcase_async.run(quick, smoke, tick)
    out["4"] = _showcase_kernels.peers(smoke, rounds)
    tick()
    out["5"] = _showcase_kernels.scaling(nt, quick, smoke, rounds)
    tick()
    return out


def write(data: dict, out: Path, readme: bool) -> Path:
    """JSON, PNG plots and the Markdown summary into `out`; the README section."""
    import matplotlib

    matplotlib.use("Agg")
    import _showcase_plots
    import _showcase_report
    import matplotlib.pyplot as plt

    stem = f"showcase-{data['env']['host']}-{data['date']}"
    out.mkdir(parents=True, exist_ok=True)
    plots = {}
    for name, (fig, label) in _showcase_plots.draw(data, out).items():
        path = out / f"{stem}-{name}.png"
        fig.savefig(path, dpi=100)
        plt.close(fig)
        plots[label] = path.name  # beside the .md; the README's copy links bench/results/
    data["plots"] = plots
    md = _showcase_report.markdown(data, plots)
    (out / f"{stem}.md").write_text(md)
    path = out / f"{stem}.json"
    path.write_text(json.dumps(data, indent=1))
    if readme:
        in_readme = {label: f"bench/results/{name}" for label, name in plots.items()}
        update_readme_section("showcase", _showcase_report.markdown(data, in_readme))
    return path


def main(argv: list[str] | None = None) -> Path:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    g = p.add_mutually_exclusive_group()
    g.add_argument("--full", action="store_true", help="larger sizes and more rounds")
    g.add_argument("--smoke", action="store_true", help="tiny sizes (seconds): checks the machinery only")
    p.add_argument("--out", type=Path, default=RESULTS, help="folder of the results (default bench/results)")
    p.add_argument("--no-readme", action="store_true", help="leave README.md alone")
    p.add_argument(
        "--from-json", type=Path, help="re-judge and redraw a showcase JSON (no measurement) into its folder"
    )
    a = p.parse_args(argv)
    if a.from_json:
        return report(json.loads(a.from_json.read_text()), a.from_json.parent, a.no_readme)
    mode = "full" if a.full else ("smoke" if a.smoke else "quick")
    from tqdm.auto import tqdm

    nt = gilfree.available_cpus()
    t0 = time.perf_counter()
    env = environment()
    total = len(SIZES[mode][0]) * 4 + 1 + 3 + 2 + 2
    with tqdm(total=total, desc=f"showcase ({mode})", unit="step") as bar:
        ex = experiments(mode, nt, lambda: bar.update(1))
    env["load_after"] = [round(x, 2) for x in os.getloadavg()]
    data = {
        "command": "python bench/showcase.py" + {"quick": "", "full": " --full", "smoke": " --smoke"}[mode],
        "mode": mode,
        "date": datetime.date.today().isoformat(),
        "env": env,
        "experiments": ex,
    }
    data["wall_s"] = time.perf_counter() - t0
    return report(data, a.out, a.no_readme)


def report(data: dict, out: Path, no_readme: bool) -> Path:
    """Judges the claims of `data` and writes everything into `out`; the README
    too for a quick or full run into bench/results."""
    import _showcase_report

    data["claims"] = _showcase_report.judge(data)
    readme = not no_readme and data["mode"] != "smoke" and out.resolve() == RESULTS.resolve()
    path = write(data, out, readme)
    for c in data["claims"]:
        print(f"[{c['verdict']}] {c['claim']}: {c['measured']}")
    print(f"wrote {path} ({data['wall_s']:.0f} s of measurement)")
    return path


if __name__ == "__main__":
    main()
