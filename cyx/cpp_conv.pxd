# Declarations mirroring kernels/conv.hpp.
from libc.stdint cimport int64_t

from _conv cimport Boundary, Family, Method
from cpp_dtype cimport Dtype
from cpp_runtime cimport ExecContext
from gilfree._cyx._runtime cimport raise_kernel_error


cdef extern from "conv.hpp" namespace "gilfree" nogil:
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

    Method choose_method(const Corr2dArgs& a, Family family) except +raise_kernel_error
    void corr2d(Dtype dt, Method method, Family family, const Corr2dArgs& a,
                const ExecContext& ctx) except +raise_kernel_error
