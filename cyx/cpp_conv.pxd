# Declarations mirroring kernels/conv.hpp.
from libc.stdint cimport int64_t

from cpp_runtime cimport ExecContext


cdef extern from "conv.hpp" namespace "gilfree" nogil:
    cdef enum class Boundary(int):
        fill
        wrap
        symm
        none

    cdef cppclass Corr2dArgs:
        const char* in_ "in"
        int64_t n, c, h, w
        int64_t in_s[4]
        const char* wt
        int64_t o, cg, kh, kw
        int64_t wt_s[4]
        const char* bias
        int64_t bias_s
        char* out
        int64_t oh, ow
        int64_t out_s[4]
        int64_t y0, x0, sy, sx, dy, dx
        Boundary boundary
        double fill

    cdef cppclass Corr2dCost:
        double direct
        double gemm
        double fft

    void corr2d_direct[T](const Corr2dArgs& a, const ExecContext& ctx) except +
    void corr2d_gemm[T](const Corr2dArgs& a, const ExecContext& ctx) except +
    void corr2d_winograd[T](const Corr2dArgs& a, const ExecContext& ctx) except +
    void corr2d_fft[T](const Corr2dArgs& a, const ExecContext& ctx) except +
    Corr2dCost corr2d_cost(const Corr2dArgs& a) except +
