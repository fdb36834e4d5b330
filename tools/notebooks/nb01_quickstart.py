"""notebooks/01-quickstart.ipynb: install check, sync calls, top-level await,
cancellation, threads. ``GILFREE_NB_SMALL=1`` (the test suite) shrinks the
arrays."""

OUTPUT = "01-quickstart.ipynb"

CELLS = [
    (
        "md",
        """# gilfree quick start

Fast kernels (losses, typed loops, convolution) that release the GIL, use every core, and can be
**awaited** — and **cancelled** — from the notebook's running event loop (Jupyter supports
top-level `await`).""",
    ),
    ("md", "## Install check: versions, instruction set, threads"),
    (
        "code",
        """import os
import numpy as np
import warnings
import gilfree

warnings.filterwarnings("ignore", message="IProgress not found")  # tqdm's text bar serves without ipywidgets

SMALL = os.environ.get("GILFREE_NB_SMALL") == "1"  # the test suite runs this notebook small
N = 10_000 if SMALL else 1_000_000
gilfree.show_config()""",
    ),
    ("md", "## Plain calls: value, or value and gradient in one pass"),
    (
        "code",
        """rng = np.random.default_rng(0)
pred, target = rng.normal(size=N), rng.normal(size=N)
print(gilfree.mse(pred, target), np.mean((pred - target) ** 2))
value, grad = gilfree.huber(pred, target, delta=0.5, return_grad=True)
value, grad.shape, grad.dtype""",
    ),
    (
        "code",
        """logits = rng.normal(size=(N // 100, 50))
labels = rng.integers(0, 50, size=N // 100)
gilfree.cross_entropy(logits, labels, label_smoothing=0.1)""",
    ),
    ("md", "## Threads: the same bits whatever the thread count"),
    (
        "code",
        """with gilfree.threads(1):
    one = gilfree.log_cosh(pred, target)
two = gilfree.log_cosh(pred, target)
print(one, two, "identical:", one == two)""",
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
        """batches = [rng.normal(size=N // 5) for _ in range(16)]
losses = await gilfree.aio.map(gilfree.log_cosh, batches, [target[: N // 5]] * 16,
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
    (
        "md",
        """Next: `02-async-patterns.ipynb` (timeouts, progress bars, event-loop lag, a service) and
`03-benchmarks.ipynb` (the showcase's measurements, on your machine).""",
    ),
]
