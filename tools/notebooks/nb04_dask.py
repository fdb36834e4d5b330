"""Writes notebooks/04-dask.ipynb from the cells below (run after editing them):

.venv/bin/python tools/notebooks/nb04_dask.py            # write the notebook
.venv/bin/python tools/notebooks/nb04_dask.py --execute  # write it with its outputs

The notebook runs at a small size unless GILFREE_NB_SMALL=0 is set.
"""

import sys
from pathlib import Path

import nbformat as nbf

NAME = "04-dask.ipynb"

CELLS = [
    (
        "md",
        """# gilfree beyond one machine: Dask arrays and a Dask cluster

`gilfree.dask` runs every gilfree kernel on Dask arrays: each task calls the in-memory
kernel on its block, so Dask's worker threads release the GIL while they compute, and
the results equal the in-memory ones. Everything is lazy until `.compute()`.""",
    ),
    (
        "code",
        """import os
import numpy as np
import dask
import dask.array as da
from dask.diagnostics import ProgressBar
import gilfree
import gilfree.dask as gd

SMALL = os.environ.get("GILFREE_NB_SMALL", "1") != "0"
N = 1_000 if SMALL else 8_192
x = da.random.default_rng(0).normal(size=(N, N), chunks=N // 4).astype(np.float32)
y = da.random.default_rng(1).normal(size=(N, N), chunks=N // 4).astype(np.float32)
x""",
    ),
    ("md", "## A loss and its gradient, lazily: a tree reduction of per-block float64 sums"),
    (
        "code",
        """value, grad = gd.huber(x, y, delta=0.5, return_grad=True)
with ProgressBar():
    value, grad = dask.compute(value, grad)
ref, ref_grad = gilfree.huber(x.compute(), y.compute(), delta=0.5, return_grad=True)
print(value, ref, np.allclose(grad, ref_grad, rtol=1e-6))""",
    ),
    (
        "md",
        """## Convolution with the kernel's halo (`map_overlap`)

Chunks smaller than the halo are merged first; every mode and boundary of
`scipy.signal.convolve2d` is available.""",
    ),
    (
        "code",
        """k = np.random.default_rng(2).normal(size=(7, 7)).astype(np.float32)
smoothed = gd.convolve2d(x, k, mode="same", boundary="symm")
with ProgressBar():
    out = smoothed.compute()
ref = gilfree.convolve2d(x.compute(), k, "same", "symm")
print(out.shape, out.dtype, np.allclose(out, ref, atol=1e-4))""",
    ),
    ("md", "## Reductions with exact mergeable states"),
    (
        "code",
        """with ProgressBar():
    mean, std, lse = dask.compute(gd.mean(x), gd.std(x, axis=0), gd.logsumexp(x, axis=1))
counts, edges = gd.histogram(x, bins=8, range=(-4.0, 4.0))
print(float(mean), std[:3], lse[:3])
print(counts.compute())""",
    ),
    (
        "md",
        """## On a Dask cluster, and cancelling a running kernel

Each task's kernel uses one compute thread by default (`threads_per_task=1`), so a worker
with T threads keeps T cores busy. Cancelling a future stops the native work on the worker
at its next chunk (Dask alone cannot interrupt a running task).""",
    ),
    (
        "code",
        """import logging
import time
from distributed import Client, LocalCluster

logging.getLogger("distributed").setLevel(logging.ERROR)  # its note that a cancelled task was running

with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster, \\
        Client(cluster) as client:
    print(client.compute(gd.mse(x, y), sync=True))
    huge = da.broadcast_to(da.from_array(np.array(0.5)), (10**12,), chunks=10**12)  # an hour of work
    future = client.compute(gd.mse(huge, huge))
    time.sleep(1.0)
    t0 = time.perf_counter()
    future.cancel()
    print("cancelled; the worker is free again:", client.compute(gd.sum(da.ones(4, chunks=2)), sync=True),
          f"after {time.perf_counter() - t0:.2f} s")""",
    ),
]


def build() -> nbf.NotebookNode:
    nb = nbf.v4.new_notebook()
    nb.cells = [
        nbf.v4.new_markdown_cell(src) if kind == "md" else nbf.v4.new_code_cell(src) for kind, src in CELLS
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def main(execute: bool = False) -> None:
    nb = build()
    out = Path(__file__).resolve().parents[2] / "notebooks" / NAME
    if execute:
        import nbclient

        nbclient.NotebookClient(
            nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(out.parent)}}
        ).execute()
    nbf.write(nb, out)
    print(f"wrote {out}")


if __name__ == "__main__":
    main(execute="--execute" in sys.argv)
