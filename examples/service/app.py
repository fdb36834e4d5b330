"""gilfree behind a real ASGI server: a Starlette app, served by uvicorn.

Run it with ``python examples/service/app.py --port 8000`` (see README.md
beside this file). Endpoints:

- ``POST /loss/{name}``: .npz body with ``input``, ``target`` (optional
  ``sample_weight``, ``class_weight``, ...); query ``reduction`` and the
  loss's parameters; answers JSON ``{"value": ...}``.
- ``POST /conv2d``: .npz body with ``input``, ``weight`` (optional ``bias``);
  query ``stride``, ``padding``, ``dilation``, ``groups``, ``method``;
  answers the result as .npy.
- ``POST /reduce/{name}``: .npz body with ``x``; query ``axis`` (and
  ``ddof``, ``ord``, ``keepdims`` where the reduction has them); answers .npy.
- ``GET /health``: ``{"status": "ok", "in_flight": k}``, no kernel touched.

Behaviour under load: kernels run through ``gilfree.aio`` (the event loop
stays free), at most ``--max-in-flight`` at once and ``--max-queued``
waiting; one more gets 503 with Retry-After. A client that disconnects
cancels its kernel, and the native work stops. A bad request gets a 4xx with
a JSON ``{"error": ...}`` naming the problem, never a 500.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import inspect
import io
import json
import zipfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import gilfree
import gilfree.aio
import numpy as np
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

NPZ = "application/x-npz"
NPY = "application/x-npy"
HANDLERS = ("gilfree", "numpy-blocking", "numpy-thread")
DEFAULT_MAX_BODY = 64 << 20
RETRY_AFTER_S = 1
MAX_ARRAYS = 8  # members of one .npz body
# What a client may send as the body; anything else is 415.
_BODY_TYPES = {NPZ, "application/octet-stream", "application/zip"}
# Parameters never taken from a request.
_NOT_FROM_REQUEST = {"return_grad", "out"}

LOSSES = {name: getattr(gilfree, name) for name in gilfree.losses.__all__}
REDUCTIONS = {
    name: fn
    for name in gilfree.loops.__all__
    if list(inspect.signature(fn := getattr(gilfree, name)).parameters)[:1] == ["x"]
    and "axis" in inspect.signature(fn).parameters
}


class BadRequest(Exception):
    """A request the service refuses, with its HTTP status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class _Json(JSONResponse):
    """JSON that keeps non-finite floats (written NaN / Infinity, as Python's
    json does): a loss may legitimately be inf; Starlette's JSONResponse
    would fail on it with a 500."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, separators=(",", ":")).encode()


def _error(status: int, message: str, **headers: str) -> Response:
    return _Json({"error": message}, status_code=status, headers=headers or None)


# ---------------------------------------------------------------- the body


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 past ``limit`` bytes: by its
    Content-Length before reading, and by counting while it streams."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise BadRequest(400, f"Content-Length: expected a number of bytes, got {declared!r}")
        if int(declared) > limit:
            raise BadRequest(413, f"body: {declared} bytes, the limit is {limit} bytes")
    kind = request.headers.get("content-type", NPZ).split(";")[0].strip().lower()
    if kind not in _BODY_TYPES:
        raise BadRequest(415, f"Content-Type: expected {NPZ}, got {kind!r}")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BadRequest(413, f"body: more than {limit} bytes, the limit is {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def load_npz(body: bytes, limit: int) -> dict[str, np.ndarray]:
    """The arrays of an .npz body, never unpickling (object arrays are
    refused, as np.load(allow_pickle=False) does), and refused with 413 when
    their declared sizes pass ``limit`` bytes in all (a compressed member
    cannot inflate past it)."""
    if not body:
        raise BadRequest(400, "body: empty, expected an .npz archive (numpy.savez)")
    try:
        archive = zipfile.ZipFile(io.BytesIO(body))
    except zipfile.BadZipFile as exc:
        raise BadRequest(400, f"body: not an .npz archive (numpy.savez): {exc}") from None
    arrays: dict[str, np.ndarray] = {}
    budget = limit
    with archive:
        if len(archive.infolist()) > MAX_ARRAYS:
            raise BadRequest(400, f"body: {len(archive.infolist())} arrays, at most {MAX_ARRAYS}")
        for info in archive.infolist():
            name = info.filename.removesuffix(".npy")
            try:
                with archive.open(info) as member:
                    arrays[name] = _read_npy(member, name, budget)
            except BadRequest:
                raise
            except Exception as exc:  # zlib, zipfile, npy header: all malformed bodies
                raise BadRequest(400, f"body: array {name!r} unreadable: {exc}") from None
            budget -= arrays[name].nbytes
    return arrays


def _read_npy(member: Any, name: str, budget: int) -> np.ndarray:
    version = np.lib.format.read_magic(member)
    read_header = (
        np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
    )
    shape, fortran, dtype = read_header(member)
    if dtype.hasobject:
        raise BadRequest(400, f"body: array {name!r} holds Python objects (dtype {dtype}), not accepted")
    nbytes = int(np.prod(shape, dtype=object)) * dtype.itemsize
    if nbytes > budget:
        raise BadRequest(413, f"body: array {name!r} of shape {shape} needs {nbytes} bytes, over the limit")
    data = member.read(nbytes)
    if len(data) != nbytes:
        raise BadRequest(400, f"body: array {name!r} truncated: {len(data)} of {nbytes} bytes")
    return np.frombuffer(data, dtype=dtype).reshape(shape, order="F" if fortran else "C")


def npy_bytes(result: Any) -> bytes:
    buf = io.BytesIO()
    np.save(buf, np.asarray(result), allow_pickle=False)
    return buf.getvalue()


# ---------------------------------------------------------- the parameters


def _parse_query(param: inspect.Parameter, text: str) -> Any:
    """A query value, typed by the default of the kernel's parameter."""
    name, default = param.name, param.default
    if isinstance(default, bool):
        low = text.lower()
        if low in ("true", "1", "yes"):
            return True
        if low in ("false", "0", "no"):
            return False
        raise BadRequest(400, f"{name}: expected true or false, got {text!r}")
    if isinstance(default, int) or name == "axis":
        parts = text.split(",")
        if all(p.strip().lstrip("-").isdigit() for p in parts):
            ints = tuple(int(p) for p in parts)
            return ints[0] if len(parts) == 1 else ints
    if isinstance(default, str):
        return text
    try:
        return float(text)
    except ValueError:
        if isinstance(default, int):
            return text  # e.g. padding="same": the kernel checks it and names it
        raise BadRequest(400, f"{name}: expected a number, got {text!r}") from None


def bind(fn: Callable[..., Any], arrays: dict[str, np.ndarray], request: Request) -> dict[str, Any]:
    """Keyword arguments for ``fn`` from the body's arrays and the query,
    checked against its signature (unknown or repeated names are 400)."""
    params = {n: p for n, p in inspect.signature(fn).parameters.items() if n not in _NOT_FROM_REQUEST}
    required = [n for n, p in params.items() if p.default is p.empty]
    kwargs: dict[str, Any] = {}
    for name, arr in arrays.items():
        if name not in params:
            raise BadRequest(
                400, f"body: unexpected array {name!r} for {fn.__name__}; arrays it takes: {sorted(params)}"
            )
        kwargs[name] = arr
    for name, text in request.query_params.multi_items():
        if name not in params or name in required:
            accepted = sorted(set(params) - set(required))
            raise BadRequest(
                400, f"query: unknown parameter {name!r} for {fn.__name__}; accepted: {accepted}"
            )
        if name in kwargs:
            raise BadRequest(400, f"query: parameter {name!r} given twice (or also as an array)")
        kwargs[name] = _parse_query(params[name], text)
    missing = [n for n in required if n not in kwargs]
    if missing:
        raise BadRequest(400, f"body: missing array {missing[0]!r} for {fn.__name__} (needs {required})")
    return kwargs


# -------------------------------------------------------- running a kernel

Runner = Callable[[Callable[..., Any], dict[str, Any]], Awaitable[Any]]


async def _run_gilfree(fn: Callable[..., Any], kwargs: dict[str, Any]) -> Any:
    return await getattr(gilfree.aio, fn.__name__)(**kwargs)


def _numpy_runner(in_thread: bool) -> Runner:
    """NumPy peers of the kernels (examples/service/numpy_handlers.py), called
    in the handler or in asyncio.to_thread: the benchmark's baselines."""
    path = Path(__file__).with_name("numpy_handlers.py")
    spec = importlib.util.spec_from_file_location("gilfree_service_numpy_handlers", path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]

    async def run(fn: Callable[..., Any], kwargs: dict[str, Any]) -> Any:
        peer = module.KERNELS.get(fn.__name__)
        if peer is None:
            raise BadRequest(501, f"{fn.__name__}: no NumPy handler (have {sorted(module.KERNELS)})")
        if in_thread:
            return await asyncio.to_thread(peer, **kwargs)
        return peer(**kwargs)

    return run


def make_runner(handler: str) -> Runner:
    if handler == "gilfree":
        return _run_gilfree
    if handler in ("numpy-blocking", "numpy-thread"):
        return _numpy_runner(in_thread=handler == "numpy-thread")
    raise ValueError(f"handler: expected one of {list(HANDLERS)}, got {handler!r}")


class ClientGone(Exception):
    """The client disconnected before its answer was ready."""


async def _wait_disconnect(request: Request) -> None:
    while (await request.receive())["type"] != "http.disconnect":
        pass


async def until_disconnect(request: Request, work: Awaitable[Any]) -> Any:
    """The result of ``work``, raced against the client's disconnect: when the
    client goes, the work is cancelled (a gilfree.aio await then stops its
    native kernel) and ClientGone raised. Starlette does not do this itself."""
    task = asyncio.ensure_future(work)
    watcher = asyncio.ensure_future(_wait_disconnect(request))
    try:
        await asyncio.wait({task, watcher}, return_when=asyncio.FIRST_COMPLETED)
    finally:  # also when this endpoint is itself cancelled (server shutdown)
        watcher.cancel()
        gone = not task.done()
        if gone:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
    if gone:
        raise ClientGone
    return task.result()


# ----------------------------------------------------------------- the app


def create_app(
    handler: str = "gilfree",
    max_body: int = DEFAULT_MAX_BODY,
    max_queued: int | None = None,
    max_in_flight: int | None = None,
) -> Starlette:
    """The service as an ASGI app; gilfree.aio's limits are set at startup
    and its threads shut down at shutdown (they are process-wide)."""
    run = make_runner(handler)

    async def compute(request: Request, table: dict[str, Callable[..., Any]], name: str) -> Any:
        fn = table.get(name)
        if fn is None:
            raise BadRequest(404, f"{request.url.path}: unknown name {name!r}; known: {sorted(table)}")
        arrays = load_npz(await read_body(request, max_body), max_body)
        kwargs = bind(fn, arrays, request)
        return await until_disconnect(request, run(fn, kwargs))

    async def loss(request: Request) -> Response:
        value = await compute(request, LOSSES, request.path_params["name"])
        value = np.asarray(value)
        return _Json({"value": value.tolist() if value.ndim else float(value)})

    async def conv2d(request: Request) -> Response:
        out = await compute(request, {"conv2d": gilfree.conv2d}, "conv2d")
        return Response(npy_bytes(out), media_type=NPY)

    async def reduce(request: Request) -> Response:
        out = await compute(request, REDUCTIONS, request.path_params["name"])
        return Response(npy_bytes(out), media_type=NPY)

    async def health(request: Request) -> Response:
        return _Json({"status": "ok", "in_flight": gilfree.aio.stats()["in_flight"]})

    def lifespan(app: Starlette) -> Any:
        return _Limits(max_in_flight, max_queued)

    routes = [
        Route("/loss/{name}", _answers(loss), methods=["POST"]),
        Route("/conv2d", _answers(conv2d), methods=["POST"]),
        Route("/reduce/{name}", _answers(reduce), methods=["POST"]),
        Route("/health", health, methods=["GET"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan)


def _answers(endpoint: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
    """The endpoint, with every refusal turned into its 4xx/503 JSON answer."""

    async def answered(request: Request) -> Response:
        try:
            return await endpoint(request)
        except BadRequest as exc:
            return _error(exc.status, str(exc))
        except gilfree.aio.Overloaded as exc:
            return _error(503, f"overloaded, retry later: {exc}", **{"Retry-After": str(RETRY_AFTER_S)})
        except (TypeError, ValueError, OverflowError) as exc:
            # gilfree's own messages name the argument, what it expected and got
            return _error(422, str(exc))
        except MemoryError:
            return _error(413, "the request needs more memory than the server can give it")
        except (ClientGone, ClientDisconnect):
            return Response(status_code=499)  # nobody reads it

    answered.__name__ = endpoint.__name__
    return answered


class _Limits:
    def __init__(self, max_in_flight: int | None, max_queued: int | None) -> None:
        self.limits = dict(max_in_flight=max_in_flight, max_queued=max_queued)

    async def __aenter__(self) -> None:
        gilfree.aio.set_limits(**self.limits)

    async def __aexit__(self, *exc: object) -> None:
        gilfree.aio.set_limits()
        gilfree.aio.shutdown(wait=False)


app = create_app()  # the default service: ``uvicorn app:app`` from this folder


def main(argv: list[str] | None = None) -> None:
    import uvicorn

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--max-in-flight", type=int, default=None, help="kernels running at once")
    p.add_argument("--max-queued", type=int, default=None, help="kernels waiting; more get 503")
    p.add_argument("--max-body-bytes", type=int, default=DEFAULT_MAX_BODY, help="larger bodies get 413")
    p.add_argument("--handler", choices=HANDLERS, default="gilfree", help="numpy-*: benchmark baselines")
    args = p.parse_args(argv)
    app = create_app(args.handler, args.max_body_bytes, args.max_queued, args.max_in_flight)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", timeout_graceful_shutdown=2)


if __name__ == "__main__":
    main()
