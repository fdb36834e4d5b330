# The enums of kernels/losses.hpp and kernels/losses_rows.hpp, declared once:
# cpdef in the binding module's own .pxd, so Cython also makes each an IntEnum
# of gilfree._cyx._losses (the Python layer builds its options from them).
cdef extern from "losses.hpp" namespace "gilfree" nogil:
    cpdef enum class Reduction(int):
        none
        mean
        sum
        batchmean

    cpdef enum class LossKind(int):
        mse
        mae
        huber
        smooth_l1
        log_cosh
        pinball
        poisson_nll
        binary_cross_entropy
        binary_cross_entropy_with_logits
        kl_div
        hinge
        squared_hinge


cdef extern from "losses_rows.hpp" namespace "gilfree" nogil:
    cpdef enum class RowLoss(int):
        cross_entropy
        nll_loss
