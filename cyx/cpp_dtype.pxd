# Declarations mirroring kernels/dtype.hpp.
cdef extern from "dtype.hpp" namespace "gilfree" nogil:
    cdef enum class Dtype(int):
        int32
        int64
        float32
        float64
