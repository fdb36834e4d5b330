# cython: embedsignature=True
"""Bindings of kernels/runtime.hpp: the compute pool and the cancel token,
and the calling context every kernel call reads (its thread count and cancel
token, two context variables): gilfree._context and the binding modules'
common-call entries read it from here, in C."""
import contextvars
import operator
import threading

cimport cython

from cpython.contextvars cimport PyContextVar_Reset, PyContextVar_Set, get_value
from cpython.exc cimport PyErr_CheckSignals
from cpython.object cimport PyObject
from cpython.pythread cimport PyThread_get_thread_ident
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


# ------------------------------------------------------------------ the calling context
# gilfree.threads(n) sets THREADS; gilfree.aio sets TOKEN for the calls it runs.
THREADS = contextvars.ContextVar("gilfree_threads", default=None)
TOKEN = contextvars.ContextVar("gilfree_token", default=None)
cdef object _THREADS = THREADS
cdef object _TOKEN = TOKEN
cdef unsigned long _MAIN_THREAD = threading.main_thread().ident
# Sync calls from the main thread run with this token: between chunks the
# kernel's calling thread runs Python's pending signal handlers, so Ctrl-C
# (and Jupyter's interrupt, the same SIGINT) stops the native work.
MAIN_TOKEN = Token(interruptible=True)
cdef Token _MAIN_TOKEN = MAIN_TOKEN


cdef int context_threads() except -1:
    value = get_value(_THREADS)
    return _get_num_threads() if value is None else <int>value


cdef object context_token():
    cdef Token tok = get_value(_TOKEN)
    if tok is None and PyThread_get_thread_ident() == _MAIN_THREAD:
        tok = _MAIN_TOKEN
        tok.ptr.reset()
        tok.ptr.set_inline_budget(0)
        tok.interrupt = None
    return tok


cdef object cancelled(object exc, object tok):
    """What a cancelled kernel raises: the signal handler's exception that
    stopped it (KeyboardInterrupt), SystemExit at interpreter exit, or exc."""
    if tok is not None and (<Token>tok).interrupt is not None:
        return (<Token>tok).interrupt
    if _abort_requested():
        # The interpreter is exiting: end the calling thread quietly (an
        # exact SystemExit is the one exception threading does not print;
        # an awaiting task passes it out of its loop the same way).
        return SystemExit()
    return exc


def num_threads():
    """Threads a kernel called in this context uses."""
    return context_threads()


def current_token():
    """The cancel token of a kernel called in this context (None: none)."""
    return context_token()


def call_kernel(fn, *args):
    """fn(*args, nthreads, token) for this context: every binding call that is
    not a common-call entry goes through here."""
    tok = context_token()
    try:
        return fn(*args, context_threads(), tok)
    except KernelCancelled as exc:
        raise cancelled(exc, tok) from None


cpdef int check_count(object n, str name="n") except -1:
    """A thread (or call) count: an int in [1, MAX_THREADS]."""
    if type(n) is not int:
        if isinstance(n, bool):
            raise TypeError(f"{name}: expected an int >= 1, got bool")
        try:
            n = operator.index(n)  # numpy integers
        except TypeError:
            raise TypeError(f"{name}: expected an int >= 1, got {type(n).__name__}") from None
    cdef long long v = 0  # 0: out of range (a huge int too)
    try:
        v = n  # C comparisons below, not two Python ones: part of threads(n)'s cost
    except OverflowError:
        pass
    if v < 1 or v > kMaxThreads:
        raise ValueError(f"{name}: expected an int in [1, {kMaxThreads}], got {n}")
    return <int>v


@cython.freelist(8)  # `with threads(n):` allocates one per block: reuse the memory
@cython.final  # not subclassable: a few ns less per block in a scratch A/B (258 against 269 ns)
cdef class threads:
    """threads(n)
--

Run the kernels called in this block (and in tasks it starts) on n threads.

    The process-wide setting (:func:`set_num_threads`) does not change: the
    count is a context variable, so it follows ``await`` and gilfree.aio's
    thread hand-off. Entering and leaving the block costs a context-variable
    set and reset (a fraction of a microsecond).

    Parameters
    ----------
    n : int
        The number of threads, from 1 to ``gilfree.runtime.MAX_THREADS``.

    Raises
    ------
    TypeError
        If n is not an int.
    ValueError
        If n is out of range.
    RuntimeError
        If the same ``threads`` object is entered again before it is left.

    See Also
    --------
    set_num_threads, get_num_threads

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> a = np.linspace(0, 1, 10**6)
    >>> with gilfree.threads(1):
    ...     one = gilfree.mse(a, a[::-1])
    >>> bool(one == gilfree.mse(a, a[::-1]))  # bitwise identical for any thread count
    True
    """

    cdef readonly object n  # the count as a Python int, boxed once, not on every enter
    cdef object _reset

    def __cinit__(self, n):
        self.n = check_count(n)

    def __enter__(self):
        if self._reset is not None:
            raise RuntimeError("threads: this block is entered already; use one threads(n) per with")
        self._reset = PyContextVar_Set(_THREADS, self.n)

    def __exit__(self, exc_type, exc, tb):
        reset, self._reset = self._reset, None
        PyContextVar_Reset(_THREADS, reset)

    def __repr__(self):
        return f"gilfree.threads({self.n})"


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


cdef extern from "Python.h":
    object PyObject_Vectorcall(object callable, PyObject** args, size_t nargsf, PyObject* kwnames)


cdef class CommonCall:
    """A public kernel whose common call a binding takes whole.

    CommonCall(general, fast, prefix, nargs, suffix, keywords=()): called with exactly `nargs`
    positional arguments and no keywords, it first calls ``fast(*prefix, *args, *suffix)``, a
    binding's common-call entry (the result, or None when the arguments need the general
    checks); with keywords among `keywords` too, ``fast(*prefix, *args, *suffix, **kwargs)``.
    Any other call, and every None, goes to `general`, the documented Python function. It
    stands for `general` (name, docstring, signature through ``__wrapped__``, other attributes
    read from it) and pickles by reference, as a function does.
    """
    cdef readonly object __wrapped__
    cdef object fast
    cdef tuple prefix, suffix
    cdef frozenset keywords
    cdef Py_ssize_t nargs
    cdef dict __dict__

    def __init__(self, general, fast, tuple prefix, Py_ssize_t nargs, tuple suffix, keywords=()):
        if not callable(general) or not callable(fast):
            raise TypeError("general, fast: expected callables")
        if len(prefix) + nargs + len(suffix) > 8:
            raise ValueError("prefix, nargs, suffix: at most 8 arguments in all")
        self.__wrapped__ = general
        self.fast = fast
        self.prefix = prefix
        self.nargs = nargs
        self.suffix = suffix
        self.keywords = frozenset(keywords)
        for name in ("__module__", "__name__", "__qualname__", "__doc__"):
            setattr(self, name, getattr(general, name))

    def __call__(self, *args, **kwargs):
        cdef PyObject* stack[8]
        cdef Py_ssize_t n = 0
        if kwargs and len(args) == self.nargs and self.keywords.issuperset(kwargs):
            res = self.fast(*self.prefix, *args, *self.suffix, **kwargs)
            if res is not None:
                return res
        elif not kwargs and len(args) == self.nargs:
            for item in self.prefix:
                stack[n] = <PyObject*>item
                n += 1
            for item in args:
                stack[n] = <PyObject*>item
                n += 1
            for item in self.suffix:
                stack[n] = <PyObject*>item
                n += 1
            res = PyObject_Vectorcall(self.fast, stack, n, NULL)
            if res is not None:
                return res
        return self.__wrapped__(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.__wrapped__, name)

    def __get__(self, obj, objtype):
        # a method descriptor (inspect.isroutine: help() and doctest see a routine) that, as a
        # class attribute, stays this callable (no binding)
        return self

    def __reduce__(self):
        return self.__qualname__

    def __repr__(self):
        return f"<gilfree kernel {self.__module__}.{self.__qualname__}>"
