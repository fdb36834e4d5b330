# Declarations mirroring kernels/loops.hpp.
from libc.stdint cimport int64_t

from _loops cimport ReduceKind
from cpp_runtime cimport ExecContext
from gilfree._cyx._runtime cimport raise_kernel_error
from cpp_strided cimport NdOperand, NdShape


cdef extern from "loops.hpp" namespace "gilfree" nogil:
    cdef enum class ResultType(int):
        invalid
        input
        int64
        float64

    ResultType reduce_result_type(ReduceKind kind, bint integer_input) noexcept

    cdef cppclass LoopArgs:
        NdShape shape
        int nouter
        NdOperand x, y, out
        char* res

    void reduce[T](ReduceKind kind, const LoopArgs& a, double param, const ExecContext& ctx) except +raise_kernel_error
    void cumsum[T](const LoopArgs& a, const ExecContext& ctx) except +raise_kernel_error
    void softmax[T](const LoopArgs& a, const ExecContext& ctx) except +raise_kernel_error
    void axpy[T](double alpha, const LoopArgs& a, const ExecContext& ctx) except +raise_kernel_error
    void clip[T](double lo, double hi, int64_t ilo, int64_t ihi, const LoopArgs& a,
                 const ExecContext& ctx) except +raise_kernel_error
    void histogram[T](const LoopArgs& a, const double* edges, int64_t bins, double first,
                      double last, int64_t* counts, const ExecContext& ctx) except +raise_kernel_error
