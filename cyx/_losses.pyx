"""Bindings of kernels/losses.hpp and kernels/losses_rows.hpp.

Callers (gilfree.losses) pass validated arrays: float32/float64 inputs,
operands of the input's dtype and shape (broadcast views allowed). This
layer only re-checks what could crash, allocates outputs, and calls the
kernel with the GIL released. `elementwise_common` takes the common call
whole (two plain arrays that need no conversion, and a plain gradient buffer)
without a Python-level step.
"""
from libc.stdint cimport int64_t

from cpp_losses cimport ElementwiseArgs, LossParams, RowsArgs, elementwise_loss, row_loss
from gilfree._cyx._runtime cimport cancelled, context_threads, context_token
from gilfree._cyx._runtime import KernelCancelled

include "_common.pxi"


cdef tuple run_elementwise(LossKind kind, cnp.ndarray input, cnp.ndarray target, object weight, object extra,
                           Reduction reduction, double batch, bint want_grad, double p0, int flag0, int flag1,
                           object out_buf, object grad_buf, int nthreads, Token token):
    cdef ElementwiseArgs args
    cdef LossParams prm
    cdef cnp.ndarray out = None, grad = None
    cdef ExecContext ctx = make_ctx(nthreads, token)
    cdef double value
    cdef Dtype dt = dtype_of(input, "input", True)
    set_shape(args.shape, input)
    set_operand(args.input, input, input, "input")
    set_operand(args.target, target, input, "target")
    if weight is not None:
        set_operand(args.weight, <cnp.ndarray?>weight, input, "sample_weight")
    if extra is not None:
        set_operand(args.extra, <cnp.ndarray?>extra, input, "pos_weight")
    if reduction == Reduction.none:
        if out_buf is None:
            out = cnp.PyArray_EMPTY(input.ndim, input.shape, cnp.PyArray_TYPE(input), 0)
        else:
            out = <cnp.ndarray?>out_buf
        set_operand(args.out, out, input, "out")
    if want_grad:
        if grad_buf is None:
            grad = cnp.PyArray_EMPTY(input.ndim, input.shape, cnp.PyArray_TYPE(input), 0)
        else:
            grad = <cnp.ndarray?>grad_buf
        set_operand(args.grad, grad, input, "grad")
    args.reduction = reduction
    args.batch = batch
    prm.p0 = p0
    prm.flag0 = flag0
    prm.flag1 = flag1
    if releases_gil(input):
        with nogil:
            value = elementwise_loss(dt, kind, prm, args, ctx)
    else:
        value = elementwise_loss(dt, kind, prm, args, ctx)
    return value, out, grad


def elementwise(LossKind kind, cnp.ndarray input, cnp.ndarray target, object weight, object extra,
                Reduction reduction, double batch, bint want_grad, double p0, int flag0, int flag1,
                object out_buf, object grad_buf, int nthreads, Token token):
    """Returns (value, per-element losses or None, grad or None); value is rounded to input's dtype.

    out_buf, grad_buf: the caller's buffers for the losses ("none") and the gradient, or None
    (allocated here); the caller has checked them (no overlap with the operands).
    """
    return run_elementwise(kind, input, target, weight, extra, reduction, batch, want_grad, p0, flag0,
                           flag1, out_buf, grad_buf, nthreads, token)


cdef inline void extent(cnp.ndarray a, char** lo, char** hi) noexcept:
    """[lo, hi): the bytes a non-empty array's elements span."""
    cdef char* first = <char*>cnp.PyArray_DATA(a)
    cdef char* last = first
    cdef int d
    for d in range(a.ndim):
        if a.strides[d] < 0:
            first += a.strides[d] * (a.shape[d] - 1)
        else:
            last += a.strides[d] * (a.shape[d] - 1)
    lo[0] = first
    hi[0] = last + cnp.PyArray_ITEMSIZE(a)


cdef bint plain_buffer(object buf, cnp.ndarray x, cnp.ndarray y):
    """Whether buf is a buffer for x's result that needs none of the general checks: an exact
    ndarray of x's dtype and shape, C-contiguous, aligned, writeable and of native byte order,
    whose bytes lie apart
    from x's and y's (any other buffer, good or bad, is for the general path to judge)."""
    if type(buf) is not cnp.ndarray:
        return False
    cdef cnp.ndarray b = <cnp.ndarray>buf
    if cnp.PyArray_TYPE(b) != cnp.PyArray_TYPE(x) or not cnp.PyArray_SAMESHAPE(b, x):
        return False
    if not (cnp.PyArray_ISBEHAVED(b) and cnp.PyArray_IS_C_CONTIGUOUS(b)):  # aligned, writeable, native
        return False
    cdef char *blo, *bhi, *lo, *hi
    extent(b, &blo, &bhi)
    for a in (x, y):
        extent(<cnp.ndarray>a, &lo, &hi)
        if blo < hi and lo < bhi:
            return False
    return True


def elementwise_common(LossKind kind, object input, object target, Reduction reduction, bint want_grad,
                       double p0=0.0, int flag0=0, int flag1=0, object grad_out=None):
    """The common call of an element-wise loss, whole: input and target exact ndarrays of one
    float dtype (float32 or float64, native byte order, aligned) and one non-empty shape, no
    weights, no `out`, and a `grad_out` that is None or a plain buffer (a C-contiguous ndarray
    of the input's dtype and shape apart from the operands), in the calling context
    (gilfree.threads, the cancel token).

    Returns the public result (the value as a NumPy scalar of the dtype, or the losses; with the
    gradient, a pair), or None when the call is not the common one: the caller's general path,
    which converts, broadcasts and checks everything, then takes it.
    """
    if type(input) is not cnp.ndarray or type(target) is not cnp.ndarray:
        return None
    cdef cnp.ndarray x = <cnp.ndarray>input, y = <cnp.ndarray>target
    cdef int t = cnp.PyArray_TYPE(x)
    if (t != cnp.NPY_FLOAT64 and t != cnp.NPY_FLOAT32) or cnp.PyArray_TYPE(y) != t:
        return None
    if not (cnp.PyArray_ISBEHAVED_RO(x) and cnp.PyArray_ISBEHAVED_RO(y)):
        return None
    if not cnp.PyArray_SAMESHAPE(x, y) or cnp.PyArray_SIZE(x) == 0:
        return None
    if grad_out is not None and not (want_grad and plain_buffer(grad_out, x, y)):
        return None
    cdef double batch = x.shape[0] if x.ndim else 1.0  # kl_div's "batchmean" divisor, as the general path's
    cdef Token tok = context_token()
    try:
        value, out, grad = run_elementwise(kind, x, y, None, None, reduction, batch, want_grad, p0, flag0,
                                           flag1, None, grad_out, context_threads(), tok)
    except KernelCancelled as exc:
        raise cancelled(exc, tok) from None
    result = out if reduction == Reduction.none else scalar_of(value, x)
    return (result, grad) if want_grad else result


cdef inline int64_t inner_stride(cnp.ndarray arr) noexcept:
    """The byte stride of arr's third axis (its rows within an outer index), 0 for a 2-d arr."""
    return arr.strides[2] if arr.ndim == 3 else 0


cpdef tuple rows(RowLoss which, cnp.ndarray input, object target_index, object target_prob,
                 object class_weight, object sample_weight, int64_t ignore_index,
                 double label_smoothing, Reduction reduction, bint want_grad, int nthreads, Token token):
    """The row-wise loss `which` (cross_entropy or nll_loss) on (N, C) or (N, C, D) input.

    An (N, C, D) input is N * D rows of C classes (torch's (N, C, d1, ..., dk) with the d axes
    as one); target_index, sample_weight and the per-row losses have N * D elements in the C
    order of (N, D), target_prob and the gradient input's shape.
    Returns (value, per-row losses or None, grad or None).
    """
    cdef RowsArgs a
    cdef cnp.ndarray ti, tp, cw, sw, out = None, grad = None
    cdef ExecContext ctx = make_ctx(nthreads, token)
    cdef double value
    cdef cnp.npy_intp n
    cdef Dtype dt = dtype_of(input, "input", True)
    if input.ndim != 2 and input.ndim != 3:
        raise ValueError(f"input: expected a 2-d or 3-d array, got {input.ndim}-d")
    a.inner = input.shape[2] if input.ndim == 3 else 1
    n = input.shape[0] * a.inner
    a.input = <char*>cnp.PyArray_DATA(input)
    a.n = n
    a.c = input.shape[1]
    a.in_rs = input.strides[0]
    a.in_cs = input.strides[1]
    a.in_is = inner_stride(input)
    if target_index is not None:
        ti = <cnp.ndarray?>target_index
        if ti.ndim != 1 or ti.shape[0] != n or cnp.PyArray_TYPE(ti) != cnp.NPY_INT64:
            raise ValueError(f"target: expected int64 of shape ({n},)")
        if ti.strides[0] % 8:
            raise ValueError("target: unaligned strides")
        a.target_index = <const int64_t*>cnp.PyArray_DATA(ti)
        a.target_index_stride = ti.strides[0] // 8
    elif which == RowLoss.cross_entropy and target_prob is not None:
        tp = <cnp.ndarray?>target_prob
        if not cnp.PyArray_SAMESHAPE(tp, input) or cnp.PyArray_TYPE(tp) != cnp.PyArray_TYPE(input):
            raise ValueError(f"target: expected probabilities of shape {(<object>input).shape} "
                             f"and dtype {(<object>input).dtype}")
        a.target_prob = <char*>cnp.PyArray_DATA(tp)
        a.tp_rs = tp.strides[0]
        a.tp_cs = tp.strides[1]
        a.tp_is = inner_stride(tp)
    else:
        raise ValueError("target: missing")
    if class_weight is not None:
        cw = <cnp.ndarray?>class_weight
        if (cw.ndim != 1 or cw.shape[0] != a.c or cnp.PyArray_TYPE(cw) != cnp.NPY_FLOAT64
                or not cnp.PyArray_IS_C_CONTIGUOUS(cw)):
            raise ValueError(f"class_weight: expected contiguous float64 of shape ({a.c},)")
        a.class_weight = <const double*>cnp.PyArray_DATA(cw)
    if sample_weight is not None:
        sw = <cnp.ndarray?>sample_weight
        if sw.ndim != 1 or sw.shape[0] != n or cnp.PyArray_TYPE(sw) != cnp.PyArray_TYPE(input):
            raise ValueError(f"sample_weight: expected shape ({n},) and dtype {(<object>input).dtype}")
        a.sample_weight = <char*>cnp.PyArray_DATA(sw)
        a.sw_stride = sw.strides[0]
    a.ignore_index = ignore_index
    a.label_smoothing = label_smoothing
    a.reduction = reduction
    if reduction == Reduction.none:
        out = cnp.PyArray_EMPTY(1, &n, cnp.PyArray_TYPE(input), 0)
        a.out = <char*>cnp.PyArray_DATA(out)
        a.out_stride = out.strides[0]
    if want_grad:
        grad = cnp.PyArray_ZEROS(input.ndim, input.shape, cnp.PyArray_TYPE(input), 0)
        a.grad = <char*>cnp.PyArray_DATA(grad)
        a.g_rs = grad.strides[0]
        a.g_cs = grad.strides[1]
        a.g_is = inner_stride(grad)
    if releases_gil(input):
        with nogil:
            value = row_loss(dt, which, a, ctx)
    else:
        value = row_loss(dt, which, a, ctx)
    return value, out, grad


def rows_common(RowLoss which, object input, object target, Reduction reduction, bint want_grad,
                int64_t ignore_index, double label_smoothing=0.0):
    """The common call of a row-wise loss, whole: input an exact (N, C) ndarray of float32 or
    float64 and target an exact (N,) int64 ndarray of class indices (native byte order, aligned,
    not empty), no weights, in the calling context. Returns the public result, or None when the
    call is not the common one (the caller's general path takes it)."""
    if type(input) is not cnp.ndarray or type(target) is not cnp.ndarray:
        return None
    cdef cnp.ndarray x = <cnp.ndarray>input, t = <cnp.ndarray>target
    cdef int typ = cnp.PyArray_TYPE(x)
    if (typ != cnp.NPY_FLOAT64 and typ != cnp.NPY_FLOAT32) or cnp.PyArray_TYPE(t) != cnp.NPY_INT64:
        return None
    if x.ndim != 2 or t.ndim != 1 or t.shape[0] != x.shape[0] or cnp.PyArray_SIZE(x) == 0:
        return None
    if not (cnp.PyArray_ISBEHAVED_RO(x) and cnp.PyArray_ISBEHAVED_RO(t)):
        return None
    tok = context_token()
    try:
        value, out, grad = rows(which, x, t, None, None, None, ignore_index, label_smoothing, reduction,
                                want_grad, context_threads(), tok)
    except KernelCancelled as exc:
        raise cancelled(exc, tok) from None
    result = out if reduction == Reduction.none else scalar_of(value, x)
    return (result, grad) if want_grad else result
