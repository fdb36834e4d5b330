"""notebooks/02-async-patterns.ipynb: gather, aio.map with a progress bar,
asyncio.timeout, cancelling, event-loop lag blocking vs offloaded, and the
example service called from the notebook. ``GILFREE_NB_SMALL=1`` (the test
suite) shrinks the arrays and the durations."""

OUTPUT = "02-async-patterns.ipynb"

CELLS = [
    (
        "md",
        """# Async patterns with gilfree

Every kernel has an awaitable twin in `gilfree.aio`. The work runs on gilfree's threads
without the GIL, so the event loop — here the notebook's own — keeps running.""",
    ),
    (
        "code",
        """import asyncio, os, time
import numpy as np
import warnings
import gilfree

warnings.filterwarnings("ignore", message="IProgress not found")  # tqdm's text bar serves without ipywidgets

SMALL = os.environ.get("GILFREE_NB_SMALL") == "1"  # the test suite runs this notebook small
N = 100_000 if SMALL else 2_000_000
rng = np.random.default_rng(0)
a, b = rng.normal(size=N), rng.normal(size=N)""",
    ),
    ("md", "## gather: several kernels at once"),
    (
        "code",
        """t0 = time.perf_counter()
values = await asyncio.gather(
    gilfree.aio.mse(a, b), gilfree.aio.var(a), gilfree.aio.logsumexp(b), gilfree.aio.log_cosh(a, b)
)
print([round(float(v), 4) for v in values], f"in {1e3 * (time.perf_counter() - t0):.1f} ms")""",
    ),
    ("md", "## aio.map: many calls, bounded concurrency, a tqdm progress bar"),
    (
        "code",
        """chunks = np.array_split(a, 32)
targets = np.array_split(b, 32)
per_chunk = await gilfree.aio.map(gilfree.mse, chunks, targets, concurrency=4, progress=True)
print(len(per_chunk), "results, in order; their weighted mean equals the whole:",
      np.isclose(np.average(per_chunk, weights=[len(c) for c in chunks]), gilfree.mse(a, b)))""",
    ),
    (
        "md",
        """## Timeouts: `asyncio.timeout` bounds CPU time too

When the timeout fires, the awaiting task is cancelled and gilfree stops the native loop at its next
chunk — the thread does not keep burning a core.""",
    ),
    (
        "code",
        """huge = np.broadcast_to(np.float64(0.5), (10**12,))  # about an hour of work
t0 = time.perf_counter()
try:
    async with asyncio.timeout(0.3):
        await gilfree.aio.mse(huge, huge)
except TimeoutError:
    print(f"timed out after {time.perf_counter() - t0:.2f} s; the executor is free again:",
          await gilfree.aio.mse(np.ones(3), np.zeros(3)))""",
    ),
    ("md", "## Cancelling a task"),
    (
        "code",
        """task = asyncio.create_task(gilfree.aio.log_cosh(huge, huge))
await asyncio.sleep(0.2)
task.cancel()
try:
    await task
except asyncio.CancelledError:
    print("cancelled:", task.cancelled())""",
    ),
    (
        "md",
        """## Event-loop lag: blocking vs offloaded

A heartbeat task sleeps 1 ms again and again and records the real gap. Calling the sync kernel
inside a coroutine blocks the loop for the whole call; awaiting `gilfree.aio` keeps the gaps
near 1 ms.""",
    ),
    (
        "code",
        """from gilfree._demo import heartbeat
import matplotlib.pyplot as plt

async def trace(work, seconds):
    gaps, stop = [], asyncio.Event()
    hb = asyncio.create_task(heartbeat(gaps, stop))
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        await work()
    stop.set()
    await hb
    return np.cumsum(gaps), np.asarray(gaps) * 1e3

async def blocking():
    gilfree.log_cosh(a, b, return_grad=True)  # a sync call: the loop waits
    await asyncio.sleep(0)

async def offloaded():
    await gilfree.aio.log_cosh(a, b, return_grad=True)

seconds = 0.3 if SMALL else 2.0
fig, ax = plt.subplots(figsize=(8, 3.5))
for label, work in (("blocking", blocking), ("offloaded (gilfree.aio)", offloaded)):
    t, gap = await trace(work, seconds)
    ax.plot(t, gap, ".-", ms=2, lw=0.6, label=f"{label}: p99 {np.percentile(gap, 99):.1f} ms")
ax.axhline(3, color="tab:red", ls="--", lw=1, label="3 ms")
ax.set_yscale("log")
ax.set_xlabel("time (s)")
ax.set_ylabel("heartbeat gap (ms, 1 ms sleeps)")
ax.set_title("Event-loop lag while log_cosh+grad runs")
ax.legend()
plt.show()""",
    ),
    (
        "md",
        """## Calling a gilfree service

`examples/service/app.py` serves the kernels over HTTP (Starlette + uvicorn). Start it on a free
local port, send it a `.npz` body with httpx, check the answer against a local call, stop it.""",
    ),
    (
        "code",
        """import io, socket, subprocess, sys
from pathlib import Path
import httpx

app = Path("..") / "examples" / "service" / "app.py"
if not app.exists():
    print("service example not found: skipped")
else:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, str(app), "--host", "127.0.0.1", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            for _ in range(300):  # up to ~30 s for the server to start
                try:
                    if (await client.get("/health")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
            body = io.BytesIO()
            np.savez(body, input=a[:10_000], target=b[:10_000])
            r = await client.post("/loss/mse", content=body.getvalue(),
                                  headers={"content-type": "application/x-npz"})
            print("service answered", r.status_code, r.json(),
                  "| local:", float(gilfree.mse(a[:10_000], b[:10_000])))
    finally:
        server.terminate()
        server.wait(timeout=10)""",
    ),
]
