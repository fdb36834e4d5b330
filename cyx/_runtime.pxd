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
