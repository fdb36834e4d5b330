# Declarations mirroring kernels/loops.hpp and its entries (kernels/entry_loops.hpp).
from libc.stdint cimport int64_t

from _loops cimport ReduceKind
from cpp_dtype cimport Dtype
from cpp_runtime cimport ExecContext
from gilfree._cyx._runtime cimport raise_kernel_error
from cpp_strided cimport NdOperand, NdShape


cdef extern from "loops.hpp" namespace "gilfree" nogil:
    cdef cppclass LoopArgs:
        NdShape shape
        int nouter
        NdOperand x, y, out
        char* res


cdef extern from "entry_loops.hpp" namespace "gilfree" nogil:
    Dtype reduce_dtype(ReduceKind kind, Dtype dt) except +raise_kernel_error
    void reduce(Dtype dt, ReduceKind kind, const LoopArgs& a, double param,
                const ExecContext& ctx) except +raise_kernel_error
    Dtype cumsum_dtype(Dtype dt) except +raise_kernel_error
    void cumsum(Dtype dt, const LoopArgs& a, const ExecContext& ctx) except +raise_kernel_error
    void softmax(Dtype dt, const LoopArgs& a, const ExecContext& ctx) except +raise_kernel_error
    void axpy(Dtype dt, double alpha, const LoopArgs& a, const ExecContext& ctx) except +raise_kernel_error
    void clip(Dtype dt, double lo, double hi, int64_t ilo, int64_t ihi, const LoopArgs& a,
              const ExecContext& ctx) except +raise_kernel_error
    void clip_bound(Dtype dt, bint upper, const LoopArgs& a, const ExecContext& ctx) except +raise_kernel_error
    void histogram(Dtype dt, const LoopArgs& a, const double* edges, int64_t bins, double first,
                   double last, bint uniform, int64_t* counts, const ExecContext& ctx) except +raise_kernel_error
    void histogram_weighted(Dtype dt, Dtype wdt, const LoopArgs& a, const double* edges, int64_t bins,
                            double first, double last, bint uniform, double* sums,
                            const ExecContext& ctx) except +raise_kernel_error
    int reduce_result_width(ReduceKind kind)
