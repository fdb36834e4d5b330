# What the other binding modules cimport from _runtime (as gilfree._cyx._runtime,
# the name they import it by at run time; see meson.build).
from cpp_runtime cimport CancelToken


cdef class Token:
    cdef CancelToken* ptr
    cdef public object interrupt


# The `except +` handler of every kernel declaration: cancelled_error ->
# KernelCancelled, would_block_error -> WouldBlock, any other C++ exception
# as Cython's default `except +` maps it.
cdef int raise_kernel_error() except -1


# The calling context (gilfree.threads, gilfree.aio's token): what a kernel
# called now runs with. context_token() readies the main thread's token and
# returns a Token or None (typed object: a C function's signature names its
# module, which the kernel modules know by another name).
cdef int context_threads() except -1
cdef object context_token()
# What a kernel that raised KernelCancelled exc raises instead (see _runtime.pyx).
cdef object cancelled(object exc, object tok)
cpdef int check_count(object n, str name=*) except -1
