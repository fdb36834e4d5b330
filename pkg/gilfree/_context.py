"""The state a kernel call reads from its context, shared by gilfree.runtime
and gilfree.aio (both import it; it imports neither): the thread count and
cancel token of the calling context, and the one function every binding call
goes through. They live in the _runtime binding (C), where the binding
modules' common-call entries read them without a Python call."""

from __future__ import annotations

from ._cyx import _runtime as _rt

Token = _rt.Token
KernelCancelled = _rt.KernelCancelled
WouldBlock = _rt.WouldBlock
MAX_THREADS = _rt.MAX_THREADS

THREADS = _rt.THREADS  # gilfree.threads(n) sets it
TOKEN = _rt.TOKEN  # gilfree.aio sets it for the calls it runs
MAIN_TOKEN = _rt.MAIN_TOKEN  # sync calls from the main thread: Ctrl-C stops the kernel
check_count = _rt.check_count
num_threads = _rt.num_threads
current_token = _rt.current_token
call_kernel = _rt.call_kernel
