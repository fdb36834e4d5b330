"""The example service (examples/service/app.py) behind uvicorn on 127.0.0.1,
driven over HTTP: answers equal the kernels, bad requests are 4xx naming the
problem, oversized bodies 413, a full queue 503, /health answers under load,
and a client that disconnects stops the native work."""

import asyncio
import time

import gilfree
import numpy as np
import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
httpx = pytest.importorskip("httpx")
psutil = pytest.importorskip("psutil")

from service_helpers import from_npy, load_app_module, npz, running_server  # noqa: E402

TIGHT_BODY = 40 << 20  # the long conv (32.5 MB inflated) fits


@pytest.fixture(scope="module")
def server():
    with running_server() as s:
        yield s


@pytest.fixture(scope="module")
def tight_server():
    """One kernel at a time, none queued, bodies up to 40 MiB."""
    with running_server(
        "--max-in-flight", "1", "--max-queued", "0", "--max-body-bytes", str(TIGHT_BODY)
    ) as s:
        yield s


def client(server, timeout=60.0):
    return httpx.AsyncClient(base_url=server.url, timeout=timeout)


def _long_conv():
    """A direct conv2d of many seconds of work in a body of a few kB (constant
    arrays compress well): 2 * 64 * 64 * 31**2 * 256**2 ~ 5e11 flops."""
    x = np.ones((1, 64, 256, 256), dtype=np.float32)
    w = np.ones((64, 64, 31, 31), dtype=np.float32)
    return npz(compressed=True, input=x, weight=w), {"padding": "15", "method": "direct"}


async def _wait_in_flight(c, want, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        k = (await c.get("/health")).json()["in_flight"]
        if (k >= 1) if want == "busy" else (k == want):
            return k
        await asyncio.sleep(0.02)
    raise AssertionError(f"/health in_flight did not become {want} within {timeout} s")


# ------------------------------------------------------------------ answers


def _softplus(z):
    return np.logaddexp(0.0, z)


def _log_softmax(z):
    m = z.max(axis=1, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))


def _loss_cases(rng):
    x, t = rng.normal(size=50), rng.normal(size=50)
    d = x - t
    huber = np.where(np.abs(d) <= 0.5, 0.5 * d * d, 0.5 * (np.abs(d) - 0.25))
    r, q = t - x, 0.9
    z, y, w = rng.normal(size=40), rng.integers(0, 2, size=40).astype(float), rng.uniform(size=40)
    logits, cls = rng.normal(size=(12, 5)), rng.integers(0, 5, size=12)
    lp = _log_softmax(logits)
    ce = 0.9 * -lp[np.arange(12), cls] + 0.1 * -lp.mean(axis=1)
    rate, counts = rng.uniform(0.5, 3.0, size=30), rng.poisson(2.0, size=30).astype(float)
    return [
        ("mse", {}, dict(input=x, target=t), np.mean(d * d)),
        ("huber", {"delta": 0.5, "reduction": "none"}, dict(input=x, target=t), huber),
        (
            "pinball",
            {"quantile": 0.9, "reduction": "sum"},
            dict(input=x, target=t),
            np.sum(np.maximum(q * r, (q - 1) * r)),
        ),
        (
            "binary_cross_entropy_with_logits",
            {"reduction": "sum"},
            dict(input=z, target=y, sample_weight=w),
            np.sum(w * (_softplus(z) - y * z)),
        ),
        ("cross_entropy", {"label_smoothing": 0.1}, dict(input=logits, target=cls), ce.mean()),
        (
            "poisson_nll",
            {"log_input": False},
            dict(input=rate, target=counts),
            np.mean(rate - counts * np.log(rate + 1e-8)),
        ),
    ]


@pytest.mark.asyncio
async def test_losses_equal_the_kernels(server, rng):
    async with client(server) as c:
        for name, params, arrays, want in _loss_cases(rng):
            query = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in params.items()}
            r = await c.post(
                f"/loss/{name}",
                params=query,
                content=npz(**arrays),
                headers={"content-type": "application/x-npz"},
            )
            assert r.status_code == 200, (name, r.text)
            got = np.asarray(r.json()["value"])
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12, err_msg=name)
            sync = getattr(gilfree, name)(**arrays, **params)
            np.testing.assert_array_equal(got, np.asarray(sync), err_msg=name)  # JSON keeps every bit


def _conv_reference(x, w, b, stride, pad, groups):
    """Cross-correlation by its definition (torch's conv2d), in float64."""
    x = np.pad(x.astype(np.float64), [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    n, c, h, wd = x.shape
    co, cg, kh, kw = w.shape
    ho, wo = (h - kh) // stride[0] + 1, (wd - kw) // stride[1] + 1
    out = np.zeros((n, co, ho, wo))
    for o in range(co):
        g = o // (co // groups)
        for i in range(kh):
            for j in range(kw):
                patch = x[
                    :,
                    g * cg : (g + 1) * cg,
                    i : i + stride[0] * ho : stride[0],
                    j : j + stride[1] * wo : stride[1],
                ]
                out[:, o] += np.einsum("nchw,c->nhw", patch, w[o, :, i, j])
    return out + b[None, :, None, None]


@pytest.mark.asyncio
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
async def test_conv2d_equals_the_kernel(server, rng, dtype):
    x = rng.normal(size=(2, 4, 9, 10)).astype(dtype)
    w = rng.normal(size=(6, 2, 3, 3)).astype(dtype)
    b = rng.normal(size=6).astype(dtype)
    async with client(server) as c:
        r = await c.post(
            "/conv2d",
            params={"stride": "2,1", "padding": "1", "groups": "2"},
            content=npz(input=x, weight=w, bias=b),
        )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/x-npy"
    got = from_npy(r.content)
    assert got.dtype == dtype
    np.testing.assert_array_equal(got, gilfree.conv2d(x, w, b, stride=(2, 1), padding=1, groups=2))
    tol = 1e-12 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(got, _conv_reference(x, w, b, (2, 1), 1, 2), rtol=tol, atol=tol)


REDUCE_CASES = [
    ("sum", {"axis": "0"}, lambda x: np.sum(x, axis=0)),
    ("mean", {"axis": "1"}, lambda x: np.mean(x, axis=1)),
    ("var", {"axis": "0", "ddof": "1"}, lambda x: np.var(x, axis=0, ddof=1)),
    ("std", {"axis": "1"}, lambda x: np.std(x, axis=1)),
    ("logsumexp", {"axis": "-1"}, lambda x: np.log(np.exp(x).sum(axis=-1))),
    ("norm", {"axis": "1"}, lambda x: np.sqrt((x * x).sum(axis=1))),
    ("argmax", {"axis": "0"}, lambda x: np.argmax(x, axis=0)),
    ("min", {"axis": "1", "keepdims": "true"}, lambda x: np.min(x, axis=1, keepdims=True)),
    ("max", {}, np.max),
]


@pytest.mark.asyncio
async def test_reductions_equal_the_kernels(server, rng):
    x = rng.normal(size=(6, 7))
    async with client(server) as c:
        for name, query, ref in REDUCE_CASES:
            r = await c.post(f"/reduce/{name}", params=query, content=npz(x=x))
            assert r.status_code == 200, (name, r.text)
            got = from_npy(r.content)
            np.testing.assert_allclose(got, ref(x), rtol=1e-12, err_msg=name)
            assert got.shape == np.shape(ref(x)), name
            kw = {k: (True if v == "true" else int(v)) for k, v in query.items()}
            np.testing.assert_array_equal(got, getattr(gilfree, name)(x, **kw), err_msg=name)


@pytest.mark.asyncio
async def test_an_infinite_loss_is_answered_not_a_500(server):
    async with client(server) as c:
        r = await c.post("/loss/mse", content=npz(input=np.array([np.inf, 1.0]), target=np.zeros(2)))
    assert r.status_code == 200, r.text
    assert r.json()["value"] == np.inf


def test_numpy_handlers_answer_like_the_kernels(rng):
    """The benchmark's NumPy baselines compute the same thing (in-process app)."""
    app_module = load_app_module()
    x = rng.normal(size=(1, 4, 12, 11)).astype(np.float32)
    w = rng.normal(size=(8, 4, 3, 3)).astype(np.float32)
    t = rng.normal(size=30)

    async def ask(handler):
        transport = httpx.ASGITransport(app=app_module.create_app(handler))
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as c:
            conv = await c.post("/conv2d", params={"padding": "same"}, content=npz(input=x, weight=w))
            loss = await c.post(
                "/loss/huber", params={"delta": "0.3"}, content=npz(input=t, target=t[::-1].copy())
            )
            red = await c.post("/reduce/logsumexp", params={"axis": "1"}, content=npz(x=x[0, 0]))
            return from_npy(conv.content), loss.json()["value"], from_npy(red.content)

    for handler in ("numpy-blocking", "numpy-thread"):
        conv, loss, red = asyncio.run(ask(handler))
        np.testing.assert_allclose(conv, gilfree.conv2d(x, w, padding="same"), rtol=1e-4, atol=1e-4)
        assert loss == pytest.approx(float(gilfree.huber(t, t[::-1], delta=0.3)), rel=1e-12)
        np.testing.assert_allclose(red, gilfree.logsumexp(x[0, 0], axis=1), rtol=1e-5)


# ------------------------------------------------------------- bad requests


def _bad_requests():
    x, t = np.ones(4), np.zeros(4)
    good = npz(input=x, target=t)
    img, ker = np.ones((1, 2, 5, 5)), np.ones((3, 2, 3, 3))
    return [
        # (path, query, body, headers, status, words the message names)
        ("/loss/nope", {}, good, {}, 404, ["'nope'", "mse"]),
        ("/reduce/nope", {}, npz(x=x), {}, 404, ["'nope'", "sum"]),
        ("/loss/mse", {}, b"not a zip archive", {}, 400, ["not an .npz"]),
        ("/loss/mse", {}, b"", {}, 400, ["empty"]),
        ("/loss/mse", {}, good[: len(good) // 2], {}, 400, ["body"]),
        ("/loss/mse", {}, npz(input=x), {}, 400, ["missing", "'target'"]),
        ("/loss/mse", {}, npz(input=x, target=t, extra=t), {}, 400, ["unexpected", "'extra'"]),
        (
            "/loss/mse",
            {},
            npz(input=np.array([1.0, None], dtype=object), target=t[:2]),
            {},
            400,
            ["'input'", "object"],
        ),
        ("/loss/mse", {}, npz(input=np.array(["a", "b"]), target=t[:2]), {}, 422, ["input", "dtype"]),
        ("/loss/mse", {}, npz(input=x, target=np.zeros(3)), {}, 422, ["target", "shape"]),
        ("/loss/mse", {"delta": "1"}, good, {}, 400, ["unknown parameter", "'delta'"]),
        ("/loss/huber", {"delta": "abc"}, good, {}, 400, ["delta", "'abc'"]),
        ("/loss/huber", {"delta": "-1"}, good, {}, 422, ["delta", "> 0"]),
        ("/loss/mse", {"reduction": "avg"}, good, {}, 422, ["reduction", "'avg'"]),
        ("/loss/mse", {}, good, {"content-type": "text/plain"}, 415, ["Content-Type", "text/plain"]),
        ("/conv2d", {"stride": "0"}, npz(input=img, weight=ker), {}, 422, ["stride"]),
        ("/conv2d", {"padding": "huge"}, npz(input=img, weight=ker), {}, 422, ["padding", "'huge'"]),
        ("/conv2d", {}, npz(input=img, weight=np.ones((3, 5, 3, 3))), {}, 422, ["weight"]),
        ("/reduce/sum", {"axis": "5"}, npz(x=x), {}, 422, ["axis"]),
        ("/reduce/var", {"ddof": "1", "keepdims": "maybe"}, npz(x=x), {}, 400, ["keepdims", "'maybe'"]),
        ("/reduce/sum", [("axis", "0"), ("axis", "0")], npz(x=x), {}, 400, ["'axis'", "twice"]),
    ]


@pytest.mark.asyncio
async def test_bad_requests_get_a_4xx_naming_the_problem(server):
    async with client(server) as c:
        for path, query, body, headers, status, words in _bad_requests():
            r = await c.post(path, params=query, content=body, headers=headers)
            assert r.status_code == status, (path, query, r.status_code, r.text)
            message = r.json()["error"]
            for word in words:
                assert word in message, (path, query, message)
        assert (await c.get("/health")).json() == {"status": "ok", "in_flight": 0}
    assert server.proc.poll() is None


@pytest.mark.asyncio
async def test_oversized_bodies_get_413(tight_server):
    async def chunks():
        for _ in range(41):
            yield b"\0" * (1 << 20)  # 41 MiB in all, no Content-Length

    bomb = npz(compressed=True, input=np.zeros(TIGHT_BODY // 8 + 1), target=np.zeros(1))
    assert len(bomb) < TIGHT_BODY // 10  # small on the wire, too large inflated
    async with client(tight_server) as c:
        r = await c.post("/loss/mse", content=b"\0" * (TIGHT_BODY + 1))
        assert r.status_code == 413 and "limit" in r.json()["error"], r.text
        r = await c.post("/loss/mse", content=chunks())
        assert r.status_code == 413 and "limit" in r.json()["error"], r.text
        r = await c.post("/loss/mse", content=bomb)
        assert r.status_code == 413 and "'input'" in r.json()["error"], r.text
        r = await c.post("/loss/mse", content=npz(input=np.ones(3), target=np.zeros(3)))
        assert r.json() == {"value": 1.0}


# ------------------------------------------------------------ under load


@pytest.mark.asyncio
async def test_full_queue_gets_503_with_retry_after(tight_server, rng):
    body, query = _long_conv()
    medium = npz(input=rng.normal(size=(1, 8, 64, 64)), weight=rng.normal(size=(16, 8, 3, 3)))
    async with client(tight_server) as c, client(tight_server) as other:
        long = asyncio.create_task(other.post("/conv2d", params=query, content=body))
        try:
            await _wait_in_flight(c, "busy")
            r = await c.post("/conv2d", params={"padding": "1"}, content=medium)
            assert r.status_code == 503, r.text
            assert int(r.headers["retry-after"]) >= 1
            assert "overloaded" in r.json()["error"]
            assert (await c.get("/health")).status_code == 200
        finally:
            long.cancel()  # the client goes away: its kernel is cancelled
            await asyncio.gather(long, return_exceptions=True)
        await _wait_in_flight(c, 0)
        r = await c.post("/conv2d", params={"padding": "1"}, content=medium)
        assert r.status_code == 200, r.text


@pytest.mark.asyncio
async def test_health_answers_while_heavy_requests_run(server, rng):
    x = rng.normal(size=(1, 32, 96, 96)).astype(np.float32)
    w = rng.normal(size=(32, 32, 7, 7)).astype(np.float32)
    body = npz(input=x, weight=w)
    async with client(server) as heavy, client(server, timeout=10.0) as c:
        posts = [
            asyncio.create_task(
                heavy.post("/conv2d", params={"padding": "3", "method": "direct"}, content=body)
            )
            for _ in range(4)
        ]
        seen = []
        while not all(p.done() for p in posts):
            r = await c.get("/health")  # a hung loop would time out here
            assert r.status_code == 200
            seen.append(r.json()["in_flight"])
            await asyncio.sleep(0.02)
        answers = [await p for p in posts]
    assert max(seen) >= 1, seen
    want = gilfree.conv2d(x, w, padding=3, method="direct")
    for r in answers:
        assert r.status_code == 200, r.text
        np.testing.assert_array_equal(from_npy(r.content), want)


def _cpu_seconds(proc):
    t = proc.cpu_times()
    return t.user + t.system


async def _cpu_settles(proc, window=0.5, idle=0.15, timeout=20.0):
    """Waits until ``proc`` burns less than ``idle`` s of CPU in ``window`` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        before = _cpu_seconds(proc)
        await asyncio.sleep(window)
        if _cpu_seconds(proc) - before < idle:
            return
    raise AssertionError(f"the server kept computing for {timeout} s after the client left")


async def _cpu_grows(proc, timeout=60.0):
    """Returns once the server has used CPU time beyond what it had (bounded wait)."""
    before = _cpu_seconds(proc)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        await asyncio.sleep(0.05)
        if _cpu_seconds(proc) > before:
            return
    raise AssertionError(f"the server used no CPU time in {timeout} s with a kernel in flight")


@pytest.mark.asyncio
async def test_a_disconnect_stops_the_native_work(server):
    proc = psutil.Process(server.proc.pid)
    body, query = _long_conv()
    async with client(server) as c:
        async with client(server) as leaving:
            post = asyncio.create_task(leaving.post("/conv2d", params=query, content=body))
            await _wait_in_flight(c, "busy")
            await _cpu_grows(proc)  # the kernel is computing
            post.cancel()  # closes the connection mid-request
            await asyncio.gather(post, return_exceptions=True)
        await _cpu_settles(proc)
        await _wait_in_flight(c, 0)
        assert (await c.get("/health")).json() == {"status": "ok", "in_flight": 0}
