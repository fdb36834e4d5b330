"""Ctrl-C (SIGINT) stops a sync kernel called from the main thread: the
calling thread runs Python's pending signal handlers between chunks, so the
KeyboardInterrupt arrives while the native work is still far from done."""

import subprocess
import sys
import textwrap
import time

import pytest

SCRIPT = textwrap.dedent("""
    import os, signal, threading, time
    import numpy as np, gilfree
    from gilfree._context import MAIN_TOKEN
    # Python's own Ctrl-C handler, as an interactive session has it: a child of a
    # background job (`cmd &` in a script) starts with SIGINT ignored, and would
    # never see the signal
    signal.signal(signal.SIGINT, signal.default_int_handler)
    x = np.broadcast_to(np.float64(0.5), (10**12,))   # hours of work
    def fire():
        while MAIN_TOKEN.chunks_total == 0:  # the kernel has started
            time.sleep(0.01)
        time.sleep(0.2)
        os.kill(os.getpid(), signal.SIGINT)
    threading.Thread(target=fire, daemon=True).start()
    try:
        gilfree.{call}
    except KeyboardInterrupt:
        done, total = MAIN_TOKEN.chunks_done, MAIN_TOKEN.chunks_total
        time.sleep(0.2)
        print("interrupted", done < total // 100, MAIN_TOKEN.chunks_done == done)
    # the next call works as usual
    print("after", float(gilfree.mse(np.ones(3), np.zeros(3))))
""")


@pytest.mark.parametrize(
    "call",
    [
        "mse(x, x)",
        "sum(x)",
        "log_cosh(x, x, return_grad=False)",
    ],
)
def test_sigint_stops_a_sync_kernel_in_the_main_thread(call):
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT.replace("{call}", call)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "interrupted True True" in proc.stdout, proc.stdout + proc.stderr
    assert "after 1.0" in proc.stdout, proc.stdout + proc.stderr


def test_calls_from_other_threads_are_not_interrupted():
    # Only the main thread's calls poll for signals: a worker thread's kernel
    # runs to its end although SIGINT arrives meanwhile (and is handled by the
    # main thread's handler as usual).
    script = textwrap.dedent("""
        import os, signal, threading, time
        import numpy as np, gilfree
        x = np.broadcast_to(np.float64(0.5), (3 * 10**8,))
        got = []
        t = threading.Thread(target=lambda: got.append(float(gilfree.mse(x, x + 1))))
        signal.signal(signal.SIGINT, lambda *a: got.append("handled"))
        t.start()
        time.sleep(0.05)
        os.kill(os.getpid(), signal.SIGINT)
        t.join()
        print(sorted(map(str, got)))
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert "['1.0', 'handled']" in proc.stdout, proc.stdout + proc.stderr


def test_jupyter_interrupt_stops_a_running_cell():
    # ipykernel's interrupt sends SIGINT to the kernel process: the cell's
    # sync kernel stops with KeyboardInterrupt and the kernel stays usable.
    jupyter_client = pytest.importorskip("jupyter_client")
    pytest.importorskip("ipykernel")
    km, kc = jupyter_client.manager.start_new_kernel(kernel_name="python3")
    try:
        kc.execute_interactive("import numpy as np, gilfree", timeout=120)
        msg_id = kc.execute(
            "from gilfree._context import MAIN_TOKEN\n"
            "x = np.broadcast_to(np.float64(0.5), (10**12,))\n"
            "gilfree.mse(x, x)",
            stop_on_error=False,  # the next cell runs even if it arrives while this one fails
        )
        # wait until the cell is busy computing, then press "interrupt"
        while True:
            msg = kc.get_iopub_msg(timeout=120)
            if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "execute_input":
                break
        time.sleep(1.0)
        km.interrupt_kernel()
        reply = kc.get_shell_msg(timeout=120)
        while reply["parent_header"].get("msg_id") != msg_id:
            reply = kc.get_shell_msg(timeout=120)
        assert reply["content"]["status"] == "error"
        assert reply["content"]["ename"] == "KeyboardInterrupt"
        seen = []
        out = kc.execute_interactive(
            "print(MAIN_TOKEN.chunks_done < MAIN_TOKEN.chunks_total // 100, float(gilfree.mse(np.ones(2), np.zeros(2))))",
            timeout=120,
            output_hook=lambda m: seen.append(m),
        )
        assert out["content"]["status"] == "ok"
        text = "".join(m["content"].get("text", "") for m in seen if m["msg_type"] == "stream")
        assert "True 1.0" in text, text
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
