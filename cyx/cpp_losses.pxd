# Declarations mirroring kernels/losses.hpp, kernels/losses_rows.hpp and their
# entries (kernels/entry_losses.hpp).
from libc.stdint cimport int64_t

from _losses cimport LossKind, Reduction, RowLoss
from cpp_dtype cimport Dtype
from cpp_runtime cimport ExecContext
from gilfree._cyx._runtime cimport raise_kernel_error
from cpp_strided cimport NdOperand, NdShape


cdef extern from "losses.hpp" namespace "gilfree" nogil:
    cdef cppclass LossParams:
        double p0
        int flag0
        int flag1

    cdef cppclass ElementwiseArgs:
        NdShape shape
        NdOperand input, target, weight, extra, out, grad
        Reduction reduction
        double batch



cdef extern from "losses_rows.hpp" namespace "gilfree" nogil:
    cdef cppclass RowsArgs:
        char* input
        int64_t n, c, in_rs, in_cs
        int64_t inner, in_is
        const int64_t* target_index
        int64_t target_index_stride
        char* target_prob
        int64_t tp_rs, tp_cs, tp_is
        const double* class_weight
        char* sample_weight
        int64_t sw_stride
        int64_t ignore_index
        double label_smoothing
        Reduction reduction
        char* out
        int64_t out_stride
        char* grad
        int64_t g_rs, g_cs, g_is



cdef extern from "entry_losses.hpp" namespace "gilfree" nogil:
    double elementwise_loss(Dtype dt, LossKind kind, const LossParams& prm, ElementwiseArgs& a,
                            const ExecContext& ctx) except +raise_kernel_error
    double row_loss(Dtype dt, RowLoss which, const RowsArgs& a, const ExecContext& ctx) except +raise_kernel_error
