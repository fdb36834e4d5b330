# The enums of kernels/conv.hpp, declared once: cpdef in the binding module's
# own .pxd, so Cython also makes each an IntEnum of gilfree._cyx._conv (the
# Python layer builds its string options from them).
cdef extern from "conv.hpp" namespace "gilfree" nogil:
    cpdef enum class Boundary(int):
        fill
        wrap
        symm
        none

    cpdef enum class Mode(int):
        full
        same
        valid

    cpdef enum class Method(int):
        direct
        gemm
        fft
        winograd
        auto_

    cpdef enum class Family(int):
        signal
        torch
