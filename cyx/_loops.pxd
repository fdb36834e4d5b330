# The enum of kernels/loops_common.hpp that Python reads, declared once: cpdef
# in the binding module's own .pxd, so Cython also makes it an IntEnum of
# gilfree._cyx._loops.
cdef extern from "loops.hpp" namespace "gilfree" nogil:
    cpdef enum class ReduceKind(int):
        sum
        mean
        var
        std_
        min
        max
        argmin
        argmax
        dot
        sqdist
        norm1
        norm2
        norminf
        logsumexp
        norm0
        normneginf
        normp
        logsumexp_b
