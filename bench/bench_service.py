"""The example service (examples/service/app.py) under bounded load on
loopback: /health latency and heavy-request throughput with three handlers,
NumPy called in the handler (``numpy-blocking``), NumPy in
``asyncio.to_thread`` (``numpy-thread``) and ``gilfree.aio`` (``gilfree``).

    .venv/bin/python bench/bench_service.py                 # ~1 min
    .venv/bin/python bench/bench_service.py --rounds 2      # interleaved rounds

For each handler the same service starts on a free 127.0.0.1 port; first an
idle /health baseline, then K clients send conv2d requests back to back while
a separate process polls /health every 5 ms over one keep-alive connection.
Every phase is bounded (a time window and a request cap) and the server is
killed after it. Writes bench/results/service.{json,md,png}.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
APP = HERE.parent / "examples" / "service" / "app.py"
HANDLERS = ("numpy-blocking", "numpy-thread", "gilfree")
BASELINE = "numpy-thread"
# OpenBLAS's threads otherwise spin ~0.1 s after each call (bench_losses.py).
SERVER_ENV = {**os.environ, "OPENBLAS_THREAD_TIMEOUT": "4", "OMP_WAIT_POLICY": "PASSIVE"}

# ----------------------------------------------- the /health poller process


def _get_health(sock: socket.socket, buf: bytearray) -> None:
    sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    while b"\r\n\r\n" not in buf:
        buf += sock.recv(65536) or _closed()
    head, _, rest = bytes(buf).partition(b"\r\n\r\n")
    length = int(
        next(h.split(b":")[1] for h in head.split(b"\r\n") if h.lower().startswith(b"content-length"))
    )
    while len(rest) < length:
        rest += sock.recv(65536) or _closed()
    if not head.startswith(b"HTTP/1.1 200"):
        raise RuntimeError(f"/health answered {head[:40]!r}")
    buf[:] = rest[length:]


def _closed() -> bytes:
    raise ConnectionError("the service closed the /health connection")


def poll_health(port: int, seconds: float, interval: float) -> None:
    """Child process: GET /health every `interval` s for `seconds` s over one
    keep-alive connection; prints [[monotonic send time, latency s], ...]."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    buf = bytearray()
    _get_health(sock, buf)  # connection warm
    print("ready", flush=True)
    samples, end = [], time.monotonic() + seconds
    while time.monotonic() < end:
        t0 = time.monotonic()
        _get_health(sock, buf)
        samples.append((t0, time.monotonic() - t0))
        time.sleep(interval)
    print(json.dumps(samples), flush=True)


def start_poller(port: int, seconds: float, interval: float) -> subprocess.Popen:
    cmd = [sys.executable, __file__, "--poll", str(port), str(seconds), str(interval)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    if proc.stdout.readline().strip() != "ready":
        proc.kill()
        raise RuntimeError("the /health poller did not start")
    return proc


def poller_samples(proc: subprocess.Popen, timeout: float) -> list[tuple[float, float]]:
    out, _ = proc.communicate(timeout=timeout)
    return [tuple(s) for s in json.loads(out)]


# ------------------------------------------------------------ the service


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(handler: str) -> tuple[subprocess.Popen, int]:
    import httpx

    port = free_port()
    cmd = [sys.executable, str(APP), "--port", str(port), "--handler", handler]
    proc = subprocess.Popen(cmd, env=SERVER_ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc, port
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"the {handler} service did not start")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# ------------------------------------------------------------ heavy load


def heavy_request(shape: tuple[int, ...], kernel: tuple[int, ...]) -> tuple[bytes, dict, object]:
    import numpy as np

    rng = np.random.default_rng(0)
    x = rng.normal(size=shape).astype(np.float32)
    w = rng.normal(size=kernel).astype(np.float32)
    buf = io.BytesIO()
    np.savez(buf, input=x, weight=w)
    return buf.getvalue(), {"padding": str(kernel[-1] // 2)}, (x, w)


async def heavy_load(
    port: int, body: bytes, query: dict, clients: int, until: float, cap: int
) -> list[float]:
    """`clients` clients post back to back until `until` (monotonic) or `cap`
    requests in all; returns the completion times of the 200 answers."""
    import httpx

    done: list[float] = []
    sent = [0]
    headers = {"content-type": "application/x-npz"}
    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60, limits=limits) as c:

        async def one_client() -> None:
            while time.monotonic() < until and sent[0] < cap:
                sent[0] += 1
                r = await c.post("/conv2d", params=query, content=body, headers=headers)
                if r.status_code == 200:
                    done.append(time.monotonic())

        await asyncio.wait_for(
            asyncio.gather(*(one_client() for _ in range(clients))), until - time.monotonic() + 60
        )
    return done


def check_answer(port: int, body: bytes, query: dict, ref) -> None:
    import httpx
    import numpy as np

    r = httpx.post(f"http://127.0.0.1:{port}/conv2d", params=query, content=body, timeout=60)
    r.raise_for_status()
    np.testing.assert_allclose(np.load(io.BytesIO(r.content)), ref, rtol=1e-3, atol=1e-3)


def run_handler(handler: str, args: argparse.Namespace, body: bytes, query: dict, ref) -> dict:
    proc, port = start_server(handler)
    try:
        for _ in range(3):  # warm-up, and the answer checked against gilfree's sync kernel
            check_answer(port, body, query, ref)
        idle = poller_samples(start_poller(port, args.idle, args.interval), args.idle + 60)
        poller = start_poller(port, args.ramp + args.window, args.interval)
        t0 = time.monotonic()
        lo, hi = t0 + args.ramp, t0 + args.ramp + args.window
        done = asyncio.run(heavy_load(port, body, query, args.clients, hi, args.cap))
        loaded = [lat for t, lat in poller_samples(poller, 120) if lo <= t < hi]
        return {
            "handler": handler,
            "idle": [lat for _, lat in idle],
            "loaded": loaded,
            "completed": sum(lo <= t < hi for t in done),
            "window_s": args.window,
            "loadavg": os.getloadavg(),
        }
    finally:
        stop_server(proc)


# ------------------------------------------------------------------ report


def _ms(xs: list[float], q: float | None) -> float:
    import numpy as np

    return float(1e3 * (np.max(xs) if q is None else np.percentile(xs, q)))


def summarise(runs: list[dict]) -> list[dict]:
    rows = []
    for h in HANDLERS:
        mine = [r for r in runs if r["handler"] == h]
        idle = [x for r in mine for x in r["idle"]]
        loaded = [x for r in mine for x in r["loaded"]]
        rows.append(
            {
                "handler": h,
                "idle_ms": {"p50": _ms(idle, 50), "p99": _ms(idle, 99), "max": _ms(idle, None)},
                "health_ms": {"p50": _ms(loaded, 50), "p99": _ms(loaded, 99), "max": _ms(loaded, None)},
                "health_samples": len(loaded),
                "heavy_per_s": sum(r["completed"] for r in mine) / sum(r["window_s"] for r in mine),
                "loadavg": [r["loadavg"] for r in mine],
            }
        )
    base = next(r for r in rows if r["handler"] == BASELINE)
    for r in rows:
        r["throughput_vs_thread"] = r["heavy_per_s"] / base["heavy_per_s"] if base["heavy_per_s"] else None
        r["p99_vs_thread"] = r["health_ms"]["p99"] / base["health_ms"]["p99"]
    return rows


def markdown(rows: list[dict], command: str, setup: dict) -> str:
    g = next(r for r in rows if r["handler"] == "gilfree")
    b = next(r for r in rows if r["handler"] == BASELINE)
    lines = [
        f"Heavy request: conv2d of a float32 input {setup['shape']} with a {setup['kernel']} weight "
        f"(padding {setup['kernel'][-1] // 2}), {setup['clients']} clients back to back; /health polled every "
        f"{setup['interval'] * 1e3:g} ms from another process over one keep-alive connection; "
        f"{setup['window']:g} s window per handler, {setup['rounds']} round(s); load average before: {setup['loadavg']}.",
        "",
        "| handler | idle /health p50 / p99 / max (ms) | loaded /health p50 / p99 / max (ms) | heavy req/s | req/s vs numpy-thread | p99 vs numpy-thread |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        i, h = r["idle_ms"], r["health_ms"]
        lines.append(
            f"| {r['handler']} | {i['p50']:.2f} / {i['p99']:.2f} / {i['max']:.2f} | {h['p50']:.2f} / {h['p99']:.2f} / "
            f"{h['max']:.2f} | {r['heavy_per_s']:.1f} | {r['throughput_vs_thread']:.2f}x | {r['p99_vs_thread']:.2f}x |"
        )
    lines += [
        "",
        f"Targets (2 cores): gilfree /health p99 <= 5 ms: {'met' if g['health_ms']['p99'] <= 5 else 'NOT met'} "
        f"({g['health_ms']['p99']:.2f} ms); below numpy-thread's: "
        f"{'met' if g['health_ms']['p99'] < b['health_ms']['p99'] else 'NOT met'}; heavy throughput >= 2x numpy-thread's: "
        f"{'met' if g['throughput_vs_thread'] >= 2 else 'NOT met'} ({g['throughput_vs_thread']:.3f}x).",
        "",
        f"Reproduce: `{command}`",
    ]
    return "\n".join(lines) + "\n"


def plot(runs: list[dict], rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4), gridspec_kw={"width_ratios": [2, 1]})
    for i, h in enumerate(HANDLERS):
        color = f"C{i}"
        for key, style in (("loaded", "-"), ("idle", ":")):
            xs = np.sort([1e3 * x for r in runs if r["handler"] == h for x in r[key]])
            ax.plot(xs, np.arange(1, len(xs) + 1) / len(xs), style, color=color, label=f"{h} ({key})")
    ax.axvline(5, color="grey", lw=0.8, ls="--")
    ax.set(
        xscale="log",
        xlabel="/health latency (ms)",
        ylabel="fraction of requests",
        title="/health latency CDF",
    )
    ax.legend(fontsize=7)
    bx.bar([r["handler"] for r in rows], [r["heavy_per_s"] for r in rows], color=["C0", "C1", "C2"])
    bx.set(ylabel="conv2d requests / s", title="heavy throughput")
    bx.tick_params(axis="x", labelsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def versions() -> dict:
    import httpx
    import numpy as np
    import starlette
    import uvicorn

    return {
        "numpy": np.__version__,
        "starlette": starlette.__version__,
        "uvicorn": uvicorn.__version__,
        "httpx": httpx.__version__,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument(
        "--window", type=float, default=8.0, help="measured seconds under load, per handler and round"
    )
    ap.add_argument("--ramp", type=float, default=1.0, help="seconds of load before the window")
    ap.add_argument("--idle", type=float, default=2.0, help="seconds of idle /health baseline")
    ap.add_argument("--interval", type=float, default=0.005, help="seconds between /health polls")
    ap.add_argument("--cap", type=int, default=2000, help="heavy requests at most, per handler and round")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument(
        "--from-json", action="store_true", help="only rebuild service.md and the plot from service.json"
    )
    ap.add_argument("--poll", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.poll:
        return poll_health(int(args.poll[0]), float(args.poll[1]), float(args.poll[2]))
    sys.path.insert(0, str(HERE))
    from _timing import RESULTS, save, update_readme_section

    if args.from_json:
        data = json.loads((RESULTS / "service.json").read_text())
        md = markdown(data["rows"], data["command"], data["setup"])
        (RESULTS / "service.md").write_text(md)
        plot(data["runs"], data["rows"], RESULTS / "service.png")
        return print(md)

    import gilfree

    shape, kernel = (1, 64, 64, 64), (64, 64, 7, 7)
    body, query, (x, w) = heavy_request(shape, kernel)
    ref = gilfree.conv2d(x, w, padding=kernel[-1] // 2)
    loadavg = [round(v, 2) for v in os.getloadavg()]
    runs = []
    for _ in range(args.rounds):
        for h in HANDLERS:
            runs.append(run_handler(h, args, body, query, ref))
            print(
                f"{h}: {runs[-1]['completed']} heavy answers, {len(runs[-1]['loaded'])} /health samples",
                flush=True,
            )
    rows = summarise(runs)
    command = "python bench/bench_service.py " + " ".join(sys.argv[1:])
    setup = {**vars(args), "shape": shape, "kernel": kernel, "loadavg": loadavg}
    setup.pop("poll")
    setup.pop("from_json")
    md = markdown(rows, command.strip(), setup)
    save("service", rows, command.strip(), md, setup=setup, versions=versions(), runs=runs)
    plot(runs, rows, RESULTS / "service.png")
    update_readme_section("service-table", md)  # where the README has the markers
    print(md)


if __name__ == "__main__":
    main()
