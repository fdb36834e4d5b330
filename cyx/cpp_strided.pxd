# Declarations mirroring kernels/strided.hpp.
from libc.stdint cimport int64_t


cdef extern from "strided.hpp" namespace "gilfree" nogil:
    const int kMaxDims

    cdef cppclass NdOperand:
        char* data
        int64_t strides[64]

    cdef cppclass NdShape:
        int ndim
        int64_t shape[64]
