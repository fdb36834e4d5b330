"""Helpers of tests/test_service.py: the example service started in a
subprocess on 127.0.0.1, and .npz / .npy bodies."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np

SERVICE = Path(__file__).resolve().parents[1] / "examples" / "service"


def load_app_module():
    """examples/service/app.py as a module (it is not a package)."""
    spec = importlib.util.spec_from_file_location("gilfree_service_app", SERVICE / "app.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, proc: subprocess.Popen, port: int, log) -> None:
        self.proc, self.port, self.log = proc, port, log
        self.url = f"http://127.0.0.1:{port}"

    def log_text(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")


@contextlib.contextmanager
def running_server(*args: str, start_timeout: float = 120.0) -> Iterator[Server]:
    """The service in a subprocess, up (its /health answers) until the block
    ends; killed then, whatever happened."""
    port = free_port()
    cmd = [sys.executable, str(SERVICE / "app.py"), "--port", str(port), *args]
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        server = Server(proc, port, log)
        try:
            _wait_for_health(server, start_timeout)
            yield server
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)


def _wait_for_health(server: Server, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(f"the service exited ({server.proc.returncode}):\n{server.log_text()}")
        try:
            if httpx.get(server.url + "/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the service did not answer /health within {timeout} s:\n{server.log_text()}")


def npz(compressed: bool = False, **arrays) -> bytes:
    buf = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(buf, **arrays)
    return buf.getvalue()


def from_npy(content: bytes) -> np.ndarray:
    return np.load(io.BytesIO(content), allow_pickle=False)
