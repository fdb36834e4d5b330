# cython: embedsignature=True
"""Bindings of kernels/runtime.hpp: the compute pool and the cancel token."""
from cpython.exc cimport PyErr_CheckSignals
from libc.stdint cimport int64_t
from libcpp.exception cimport delegate_to_exception_handlers

from cpp_runtime cimport (
    CancelToken,
    cancelled_error,
    would_block_error,
    abort_requested as _abort_requested,
    available_cpus as _available_cpus,
    compiler_version as _compiler_version,
    eigen_version_major,
    eigen_version_minor,
    eigen_version_patch,
    get_num_threads as _get_num_threads,
    kMaxThreads,
    delegate_compute_to_pool as _delegate_compute_to_pool,
    lower_thread_priority as _lower_thread_priority,
    worker_nice as _worker_nice,
    get_parallel_threshold as _get_parallel_threshold,
    request_abort_all as _request_abort_all,
    set_num_threads as _set_num_threads,
    set_parallel_threshold as _set_parallel_threshold,
)


MAX_THREADS = kMaxThreads


class KernelCancelled(RuntimeError):
    """A kernel stopped early because its await was cancelled (or the
    interpreter is exiting)."""
    __module__ = "gilfree.runtime"  # where Python code (and pickle) finds it


class WouldBlock(Exception):
    """A call's work exceeded its token's inline budget before any of it ran
    (gilfree.aio then hands the call to a thread)."""
    __module__ = "gilfree.runtime"


cdef void _on_cancelled(const cancelled_error& exc) except *:
    raise KernelCancelled("the kernel was cancelled before it finished")


cdef void _on_would_block(const would_block_error& exc) except *:
    raise WouldBlock()


cdef int raise_kernel_error() except -1:
    # Runs inside the C++ catch block: the handlers are tried in order, and
    # an exception none of them takes is rethrown to Cython's default mapping.
    delegate_to_exception_handlers(_on_cancelled, _on_would_block)
    return 0


cdef int _run_signal_handlers(void* arg) noexcept nogil:
    """PollFn of an interruptible token: runs Python's pending signal handlers
    (on the main thread); one that raises (Ctrl-C) cancels the kernel, and its
    exception is kept on the token for the caller to raise."""
    with gil:
        try:
            PyErr_CheckSignals()
        except BaseException as exc:
            (<Token>arg).interrupt = exc
            return 1
    return 0


cdef class Token:
    """Owns one C++ CancelToken; the bindings take the Token itself."""

    def __cinit__(self, bint interruptible=False):
        self.ptr = new CancelToken()
        self.interrupt = None
        if interruptible:
            self.ptr.set_poll(_run_signal_handlers, <void*>self)

    def __dealloc__(self):
        del self.ptr

    def cancel(self):
        self.ptr.cancel()

    def reset(self, int64_t inline_budget=0):
        """Ready for the next call: not cancelled, no progress, no interrupt,
        and the given inline budget (0: none)."""
        self.ptr.reset()
        self.ptr.set_inline_budget(inline_budget)
        self.interrupt = None

    @property
    def inline_budget(self):
        return self.ptr.inline_budget()

    @inline_budget.setter
    def inline_budget(self, int64_t items):
        self.ptr.set_inline_budget(items)

    @property
    def cancelled(self):
        return self.ptr.cancelled()

    @property
    def chunks_done(self):
        return self.ptr.chunks_done()

    @property
    def chunks_total(self):
        return self.ptr.chunks_total()


def get_num_threads():
    return _get_num_threads()


def set_num_threads(int n):
    _set_num_threads(n)


def available_cpus():
    return _available_cpus()


def get_parallel_threshold():
    return _get_parallel_threshold()


def set_parallel_threshold(int64_t items):
    _set_parallel_threshold(items)


def worker_nice():
    return _worker_nice()


def lower_thread_priority():
    """Gives the calling thread the pool workers' priority."""
    _lower_thread_priority()


def delegate_compute_to_pool():
    """The calling thread's kernels run their parallel shares on the pool only
    (gilfree.aio's threads: they wait at normal priority, the workers compute)."""
    _delegate_compute_to_pool()


def request_abort_all():
    _request_abort_all()


def abort_requested():
    return _abort_requested()


def build_info():
    return {
        "eigen": f"{eigen_version_major()}.{eigen_version_minor()}.{eigen_version_patch()}",
        "compiler": _compiler_version().decode(),
    }
