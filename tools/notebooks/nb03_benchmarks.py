"""notebooks/03-benchmarks.ipynb: the newest showcase JSON
(bench/results/showcase-*.json), its claims and its plots. With none there it
runs the showcase's smoke mode into a temporary folder first."""

OUTPUT = "03-benchmarks.ipynb"

CELLS = [
    (
        "md",
        """# Benchmarks: the claims, measured

`python bench/showcase.py` measures the claims users choose a concurrency model by (threads vs
processes vs subinterpreters, nogil vs GIL-holding loops, asyncio, speed against NumPy/SciPy/torch,
thread scaling) and writes `bench/results/showcase-<host>-<date>.json`. This notebook loads the
newest one and draws its plots: rerun the showcase on your machine and run the notebook again to
compare.""",
    ),
    (
        "code",
        """import json, subprocess, sys, tempfile
from pathlib import Path
from IPython.display import Markdown, display
import matplotlib.pyplot as plt

BENCH = Path("..").resolve() / "bench"
sys.path.insert(0, str(BENCH))
import _showcase_plots, _showcase_report

results = BENCH / "results"
newest = lambda p: (json.loads(p.read_text())["date"], p.stat().st_mtime)  # noqa: E731
runs = sorted(results.glob("showcase-*.json"), key=newest)
if not runs:  # a fresh checkout without results: a smoke run (seconds, tiny sizes)
    results = Path(tempfile.mkdtemp())
    subprocess.run([sys.executable, str(BENCH / "showcase.py"), "--smoke", "--out", str(results)], check=True)
    runs = sorted(results.glob("showcase-*.json"))
data = json.loads(runs[-1].read_text())
env = data["env"]
print(f"{runs[-1].name}: {data['mode']} run on {env['host']} ({env['cpu']}, {env['cpus']} CPUs), "
      f"load average {env['load_before']}")""",
    ),
    ("md", "## Every claim, judged"),
    (
        "code",
        """rows = ["| # | claim | claimed | measured | verdict |", "|---|---|---|---|---|"]
rows += [f"| {c['experiment']} | {c['claim']} | {c['claimed']} | {c['measured']} | **{c['verdict']}** |"
         for c in data["claims"]]
display(Markdown("\\n".join(rows)))
print({v: sum(c["verdict"] == v for c in data["claims"]) for v in ("confirmed", "refuted", "depends")})""",
    ),
    ("md", "## The plots"),
    (
        "code",
        """for name, (fig, label) in _showcase_plots.draw(data, results).items():
    display(fig)
    plt.close(fig)""",
    ),
    (
        "md",
        """## Your machine

Run `python bench/showcase.py` (about three minutes on two cores; `--full` for larger sizes) from
the repository root, then rerun this notebook: the scaling plot adds your machine's curve beside the
others found in `bench/results/`.""",
    ),
]
