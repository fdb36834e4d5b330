# Declarations mirroring kernels/loops.hpp.
from libc.stdint cimport int64_t

from cpp_runtime cimport ExecContext
from cpp_strided cimport NdOperand, NdShape


cdef extern from "loops.hpp" namespace "gilfree" nogil:
    cdef enum class ReduceKind(int):
        sum

    cdef cppclass LoopArgs:
        NdShape shape
        int nouter
        NdOperand x, y, out
        char* res

    void reduce[T](ReduceKind kind, const LoopArgs& a, double param, const ExecContext& ctx) except +
    void cumsum[T](const LoopArgs& a, const ExecContext& ctx) except +
    void softmax[T](const LoopArgs& a, const ExecContext& ctx) except +
    void axpy[T](double alpha, const LoopArgs& a, const ExecContext& ctx) except +
    void clip[T](double lo, double hi, int64_t ilo, int64_t ihi, const LoopArgs& a,
                 const ExecContext& ctx) except +
    void histogram[T](const LoopArgs& a, const double* edges, int64_t bins, double first,
                      double last, int64_t* counts, const ExecContext& ctx) except +
