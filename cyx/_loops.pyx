"""Bindings of kernels/loops.hpp (through its entries, kernels/entry_loops.hpp).

Callers (gilfree.loops) pass validated arrays of a native dtype (int32,
int64, float32, float64) with the reduced axis already moved last (a view).
This layer re-checks what could crash (dtypes, shapes, alignment),
allocates reduction results in the dtype C++ gives them (reduce_dtype), and
calls the kernels with the GIL released.
"""
from libc.stdint cimport int64_t

from cpp_loops cimport (LoopArgs, axpy, clip, clip_bound, cumsum, cumsum_dtype, histogram, histogram_weighted,
                       reduce, reduce_dtype, reduce_result_width, softmax)

from gilfree._cyx._runtime cimport cancelled, context_threads, context_token
from gilfree._cyx._runtime import KernelCancelled

include "_common.pxi"


cdef int _point(NdOperand& op, cnp.ndarray arr, cnp.ndarray like, int typenum, str name) except -1:
    """Points op at arr, which must have like's shape and the given dtype."""
    cdef int d
    if not cnp.PyArray_SAMESHAPE(arr, like):
        raise ValueError(f"{name}: expected shape {(<object>like).shape}, got {(<object>arr).shape}")
    if cnp.PyArray_TYPE(arr) != typenum:
        raise TypeError(f"{name}: expected dtype {cnp.PyArray_DescrFromType(typenum)}, got {(<object>arr).dtype}")
    if not cnp.PyArray_ISALIGNED(arr):
        raise ValueError(f"{name}: array data must be aligned")
    op.data = <char*>cnp.PyArray_DATA(arr)
    for d in range(cnp.PyArray_NDIM(arr)):
        op.strides[d] = cnp.PyArray_STRIDES(arr)[d]
    return 0


cdef int _writable(cnp.ndarray arr, str name) except -1:
    if not cnp.PyArray_ISWRITEABLE(arr):
        raise ValueError(f"{name}: array is read-only")
    return 0


cdef int _check_nouter(cnp.ndarray x, int nouter) except -1:
    if nouter < 0 or nouter > cnp.PyArray_NDIM(x):
        raise ValueError(f"axis: bad row split {nouter} for a {cnp.PyArray_NDIM(x)}-d array")
    return 0


def run_reduce(ReduceKind kind, cnp.ndarray x, object y, int nouter, double param, int nthreads,
               Token token):
    """Reduction `kind` over the trailing ndim - nouter axes of x: one result
    per row (a 1-d array over the leading nouter axes, C order) in its final
    dtype; reduce_result_width(kind) results per row (logsumexp_b: value and
    sign, consecutive). y (b): the second operand of the reductions that take one."""
    cdef LoopArgs a
    cdef ExecContext ctx = make_ctx(nthreads, token)
    cdef Dtype dt = dtype_of(x, "x", False)
    cdef int rt = typenum_of(reduce_dtype(kind, dt))
    cdef cnp.npy_intp m = 1
    cdef int d
    cdef cnp.ndarray res
    _check_nouter(x, nouter)
    set_shape(a.shape, x)
    a.nouter = nouter
    _point(a.x, x, x, cnp.PyArray_TYPE(x), "x")
    if y is not None:
        _point(a.y, <cnp.ndarray?>y, x, cnp.PyArray_TYPE(x), "b")
    for d in range(nouter):
        m *= x.shape[d]
    m *= reduce_result_width(kind)
    res = cnp.PyArray_EMPTY(1, &m, rt, 0)
    a.res = <char*>cnp.PyArray_DATA(res)
    with nogil:
        reduce(dt, kind, a, param, ctx)
    return res


def reduce_common(ReduceKind kind, object x, double param=0.0, object axis=None):
    """The common call of a reduction: all of x (axis None), or its last axis (axis -1 or
    ndim - 1, an int), of an exact ndarray of a kernel dtype (int32, int64, float32, float64;
    native byte order, aligned), not empty, in the calling context (gilfree.threads, the cancel
    token). Returns the result in the dtype C++ gives it (reduce_dtype): a NumPy scalar for the
    whole array (or a 1-d one), else an array of x's leading shape; or None when the call is
    not the common one (the caller's general path, which converts and checks everything, then
    takes it)."""
    return _reduce_common(kind, x, None, param, axis)


def reduce_pair_common(ReduceKind kind, object x, object y, object axis=None):
    """reduce_common for the reductions of two operands (dot, sqdist): y an exact ndarray of
    x's dtype and shape, as x is checked; for dot both 1-d (np.dot's inner product: any other
    call is for the general path to judge)."""
    if kind == ReduceKind.dot and (type(x) is not cnp.ndarray or cnp.PyArray_NDIM(<cnp.ndarray>x) != 1):
        return None
    return _reduce_common(kind, x, y, 0.0, axis)


cdef object _reduce_common(ReduceKind kind, object x, object y, double param, object axis):
    if type(x) is not cnp.ndarray or (y is not None and type(y) is not cnp.ndarray):
        return None
    cdef cnp.ndarray arr = <cnp.ndarray>x, res = None
    cdef int t = cnp.PyArray_TYPE(arr)
    cdef int nd = cnp.PyArray_NDIM(arr)
    if t != cnp.NPY_FLOAT64 and t != cnp.NPY_FLOAT32 and t != cnp.NPY_INT64 and t != cnp.NPY_INT32:
        return None
    if not cnp.PyArray_ISBEHAVED_RO(arr) or cnp.PyArray_SIZE(arr) == 0 or reduce_result_width(kind) != 1:
        return None
    if y is not None:
        if cnp.PyArray_TYPE(<cnp.ndarray>y) != t or not cnp.PyArray_SAMESHAPE(<cnp.ndarray>y, arr):
            return None
        if not cnp.PyArray_ISBEHAVED_RO(<cnp.ndarray>y):
            return None
    cdef int nouter = 0
    if axis is not None:
        if type(axis) is not int or nd == 0 or not (axis == -1 or axis == nd - 1):
            return None
        nouter = nd - 1
    cdef LoopArgs a
    cdef Dtype dt = dtype_of(arr, "x", False)
    cdef int rt = typenum_of(reduce_dtype(kind, dt))
    cdef int64_t one = 0  # 8 bytes: room for the one result of any reduce_dtype
    cdef Token tok = context_token()
    cdef ExecContext ctx = make_ctx(context_threads(), tok)
    set_shape(a.shape, arr)
    a.nouter = nouter
    _point(a.x, arr, arr, t, "x")
    if y is not None:
        _point(a.y, <cnp.ndarray>y, arr, t, "b")
    if nouter:
        res = cnp.PyArray_EMPTY(nouter, cnp.PyArray_DIMS(arr), rt, 0)
        a.res = <char*>cnp.PyArray_DATA(res)
    else:
        a.res = <char*>&one
    try:
        if releases_gil(arr):
            with nogil:
                reduce(dt, kind, a, param, ctx)
        else:
            reduce(dt, kind, a, param, ctx)
    except KernelCancelled as exc:
        raise cancelled(exc, tok) from None
    return res if nouter else PyArray_Scalar(&one, cnp.PyArray_DescrFromType(rt), None)


def cumsum_result_dtype(cnp.ndarray x):
    """The dtype of cumsum's output for x (C++'s cumsum_dtype)."""
    return cnp.PyArray_DescrFromType(typenum_of(cumsum_dtype(dtype_of(x, "x", False))))


def run_cumsum(cnp.ndarray x, cnp.ndarray out, int nouter, int nthreads, Token token):
    """Running sums along the trailing ndim - nouter axes of x (C order) into
    out, of dtype cumsum_result_dtype(x)."""
    cdef LoopArgs a
    cdef ExecContext ctx = make_ctx(nthreads, token)
    cdef Dtype dt = dtype_of(x, "x", False)
    _check_nouter(x, nouter)
    set_shape(a.shape, x)
    a.nouter = nouter
    _point(a.x, x, x, cnp.PyArray_TYPE(x), "x")
    _point(a.out, out, x, typenum_of(cumsum_dtype(dt)), "out")
    _writable(out, "out")
    with nogil:
        cumsum(dt, a, ctx)
    return out


def run_softmax(cnp.ndarray x, cnp.ndarray out, int nouter, int nthreads, Token token):
    """softmax over the trailing ndim - nouter axes of x into out (x's dtype)."""
    cdef LoopArgs a
    cdef ExecContext ctx = make_ctx(nthreads, token)
    cdef Dtype dt = dtype_of(x, "x", True)
    _check_nouter(x, nouter)
    set_shape(a.shape, x)
    a.nouter = nouter
    _point(a.x, x, x, cnp.PyArray_TYPE(x), "x")
    _point(a.out, out, x, cnp.PyArray_TYPE(x), "out")
    _writable(out, "out")
    with nogil:
        softmax(dt, a, ctx)
    return out


def run_axpy(double alpha, cnp.ndarray x, cnp.ndarray y, cnp.ndarray out, int nthreads, Token token):
    """out = alpha * x + y; all three of one float dtype and shape (x and y
    may be broadcast views)."""
    cdef LoopArgs a
    cdef ExecContext ctx = make_ctx(nthreads, token)
    cdef Dtype dt = dtype_of(out, "out", True)
    cdef int t = cnp.PyArray_TYPE(out)
    set_shape(a.shape, out)
    _point(a.x, x, out, t, "x")
    _point(a.y, y, out, t, "y")
    _point(a.out, out, out, t, "out")
    _writable(out, "out")
    with nogil:
        axpy(dt, alpha, a, ctx)
    return out


def run_clip(cnp.ndarray x, cnp.ndarray out, double lo, double hi, int64_t ilo, int64_t ihi,
             int nthreads, Token token):
    """out = np.clip(x, lo, hi); (lo, hi) for float x, (ilo, ihi) for integer x."""
    cdef LoopArgs a
    cdef ExecContext ctx = make_ctx(nthreads, token)
    cdef Dtype dt = dtype_of(x, "x", False)
    set_shape(a.shape, x)
    _point(a.x, x, x, cnp.PyArray_TYPE(x), "x")
    _point(a.out, out, x, cnp.PyArray_TYPE(x), "out")
    _writable(out, "out")
    with nogil:
        clip(dt, lo, hi, ilo, ihi, a, ctx)
    return out


def run_clip_bound(bint upper, cnp.ndarray x, cnp.ndarray y, cnp.ndarray out, int nthreads, Token token):
    """out = min(x, y) (upper) or max(x, y), np.clip's comparisons; x, y and
    out of one dtype and shape (x and y may be broadcast views, out may be x)."""
    cdef LoopArgs a
    cdef ExecContext ctx = make_ctx(nthreads, token)
    cdef Dtype dt = dtype_of(out, "out", False)
    cdef int t = cnp.PyArray_TYPE(out)
    set_shape(a.shape, out)
    _point(a.x, x, out, t, "x")
    _point(a.y, y, out, t, "lo, hi")
    _point(a.out, out, out, t, "out")
    _writable(out, "out")
    with nogil:
        clip_bound(dt, upper, a, ctx)
    return out


def run_histogram(cnp.ndarray x, cnp.ndarray edges, double first, double last, bint uniform,
                  object weights, int nthreads, Token token):
    """Counts (int64) of x in the bins with the given float64 edges (uniform:
    of equal width), or with weights (x's shape) the float64 sums of the
    weights per bin; values outside [first, last] are dropped."""
    cdef LoopArgs a
    cdef ExecContext ctx = make_ctx(nthreads, token)
    cdef Dtype dt = dtype_of(x, "x", False)
    cdef Dtype wdt
    cdef cnp.npy_intp bins
    cdef cnp.ndarray res, w
    if (cnp.PyArray_TYPE(edges) != cnp.NPY_FLOAT64 or cnp.PyArray_NDIM(edges) != 1
            or not cnp.PyArray_IS_C_CONTIGUOUS(edges) or edges.shape[0] < 1):
        raise ValueError("bins: edges must be a contiguous float64 array of at least 1 value")
    bins = edges.shape[0] - 1
    set_shape(a.shape, x)
    _point(a.x, x, x, cnp.PyArray_TYPE(x), "x")
    if weights is None:
        res = cnp.PyArray_EMPTY(1, &bins, cnp.NPY_INT64, 0)
        with nogil:
            histogram(dt, a, <const double*>cnp.PyArray_DATA(edges), bins, first, last, uniform,
                      <int64_t*>cnp.PyArray_DATA(res), ctx)
        return res
    w = <cnp.ndarray?>weights
    wdt = dtype_of(w, "weights", False)
    _point(a.y, w, x, cnp.PyArray_TYPE(w), "weights")
    res = cnp.PyArray_EMPTY(1, &bins, cnp.NPY_FLOAT64, 0)
    with nogil:
        histogram_weighted(dt, wdt, a, <const double*>cnp.PyArray_DATA(edges), bins, first, last, uniform,
                           <double*>cnp.PyArray_DATA(res), ctx)
    return res
