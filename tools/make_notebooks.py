"""Writes notebooks/01_tour.ipynb from the cells below (run after editing them):

.venv/bin/python tools/make_notebooks.py
"""

from pathlib import Path

import nbformat as nbf

CELLS = [
    (
        "md",
        """# gilfree in a notebook

Fast loss kernels that release the GIL, use every core, and can be **awaited** — and
**cancelled** — from the notebook's running event loop (Jupyter supports top-level `await`).""",
    ),
    (
        "code",
        """import numpy as np
import gilfree

gilfree.show_config()""",
    ),
    ("md", "## Plain calls: value, or value and gradient in one pass"),
    (
        "code",
        """rng = np.random.default_rng(0)
pred, target = rng.normal(size=1_000_000), rng.normal(size=1_000_000)
print(gilfree.mse(pred, target))
value, grad = gilfree.huber(pred, target, delta=0.5, return_grad=True)
value, grad.shape, grad.dtype""",
    ),
    (
        "code",
        """logits = rng.normal(size=(10_000, 50))
labels = rng.integers(0, 50, size=10_000)
gilfree.cross_entropy(logits, labels, label_smoothing=0.1)""",
    ),
    ("md", "## Threads: the same bits whatever the thread count"),
    (
        "code",
        """with gilfree.threads(1):
    one = gilfree.log_cosh(pred, target)
two = gilfree.log_cosh(pred, target)
print(one, two, one == two)""",
    ),
    (
        "md",
        """## Await from the notebook's event loop

`gilfree.aio.<name>` runs the kernel on gilfree's executor; the notebook stays responsive.""",
    ),
    (
        "code",
        """import asyncio

results = await asyncio.gather(*(gilfree.aio.mse(pred, target * k) for k in range(4)))
results""",
    ),
    ("md", "Many calls with bounded concurrency and a progress bar:"),
    (
        "code",
        """batches = [rng.normal(size=200_000) for _ in range(16)]
losses = await gilfree.aio.map(gilfree.log_cosh, batches, [target[:200_000]] * 16,
                               concurrency=2, progress=True)
np.round(losses[:4], 4)""",
    ),
    (
        "md",
        """## Cancel a long kernel

Cancelling the await stops the native work at its next chunk (here a kernel over 10¹²
virtual elements, which would run for about an hour).""",
    ),
    (
        "code",
        """huge = np.broadcast_to(np.float64(0.5), (10**12,))
task = asyncio.ensure_future(gilfree.aio.mse(huge, huge))
await asyncio.sleep(0.3)
task.cancel()
try:
    await task
except asyncio.CancelledError:
    print("cancelled; the executor thread is free again:",
          await gilfree.aio.mse(np.ones(3), np.zeros(3)))""",
    ),
]


def main() -> None:
    nb = nbf.v4.new_notebook()
    nb.cells = [
        nbf.v4.new_markdown_cell(src) if kind == "md" else nbf.v4.new_code_cell(src) for kind, src in CELLS
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    out = Path(__file__).resolve().parents[1] / "notebooks" / "01_tour.ipynb"
    nbf.write(nb, out)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
