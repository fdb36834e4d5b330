"""Bindings of kernels/loops.hpp.

Callers (gilfree.loops) pass validated arrays of a native dtype (int32,
int64, float32, float64) with the reduced axis already moved last (a view).
This layer re-checks what could crash (dtypes, shapes, alignment),
allocates reduction results, and calls the kernels with the GIL released.
"""
from libc.stdint cimport int32_t, int64_t

from cpp_loops cimport (
    LoopArgs,
    ResultType,
    axpy,
    clip,
    cumsum,
    histogram,
    reduce,
    reduce_result_type,
    softmax,
)

include "_common.pxi"

ctypedef fused numeric:
    int32_t
    int64_t
    float
    double

ctypedef fused real:
    float
    double

cdef int _dtype_code(cnp.ndarray arr, str name, bint floats_only) except -1:
    cdef int t = cnp.PyArray_TYPE(arr)
    if t == cnp.NPY_FLOAT64 or t == cnp.NPY_FLOAT32:
        pass
    elif (t == cnp.NPY_INT64 or t == cnp.NPY_INT32) and not floats_only:
        pass
    else:
        want = "float32 or float64" if floats_only else "int32, int64, float32 or float64"
        raise TypeError(f"{name}: expected {want}, got {(<object>arr).dtype}")
    if not cnp.PyArray_ISALIGNED(arr):
        raise ValueError(f"{name}: array data must be aligned")
    return t


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


cdef int _reduce(numeric tag, ReduceKind kind, const LoopArgs& a, double param,
                 const ExecContext& ctx) except -1 nogil:
    if numeric is int32_t:
        reduce[int32_t](kind, a, param, ctx)
    elif numeric is int64_t:
        reduce[int64_t](kind, a, param, ctx)
    elif numeric is float:
        reduce[float](kind, a, param, ctx)
    else:
        reduce[double](kind, a, param, ctx)
    return 0


cdef int _cumsum(numeric tag, const LoopArgs& a, const ExecContext& ctx) except -1 nogil:
    if numeric is int32_t:
        cumsum[int32_t](a, ctx)
    elif numeric is int64_t:
        cumsum[int64_t](a, ctx)
    elif numeric is float:
        cumsum[float](a, ctx)
    else:
        cumsum[double](a, ctx)
    return 0


cdef int _clip(numeric tag, double lo, double hi, int64_t ilo, int64_t ihi, const LoopArgs& a,
               const ExecContext& ctx) except -1 nogil:
    if numeric is int32_t:
        clip[int32_t](lo, hi, ilo, ihi, a, ctx)
    elif numeric is int64_t:
        clip[int64_t](lo, hi, ilo, ihi, a, ctx)
    elif numeric is float:
        clip[float](lo, hi, ilo, ihi, a, ctx)
    else:
        clip[double](lo, hi, ilo, ihi, a, ctx)
    return 0


cdef int _histogram(numeric tag, const LoopArgs& a, const double* edges, int64_t bins, double first,
                    double last, int64_t* counts, const ExecContext& ctx) except -1 nogil:
    if numeric is int32_t:
        histogram[int32_t](a, edges, bins, first, last, counts, ctx)
    elif numeric is int64_t:
        histogram[int64_t](a, edges, bins, first, last, counts, ctx)
    elif numeric is float:
        histogram[float](a, edges, bins, first, last, counts, ctx)
    else:
        histogram[double](a, edges, bins, first, last, counts, ctx)
    return 0


cdef int _softmax(real tag, const LoopArgs& a, const ExecContext& ctx) except -1 nogil:
    if real is float:
        softmax[float](a, ctx)
    else:
        softmax[double](a, ctx)
    return 0


cdef int _axpy(real tag, double alpha, const LoopArgs& a, const ExecContext& ctx) except -1 nogil:
    if real is float:
        axpy[float](alpha, a, ctx)
    else:
        axpy[double](alpha, a, ctx)
    return 0


cdef int _check_nouter(cnp.ndarray x, int nouter) except -1:
    if nouter < 0 or nouter > cnp.PyArray_NDIM(x):
        raise ValueError(f"axis: bad row split {nouter} for a {cnp.PyArray_NDIM(x)}-d array")
    return 0


cdef int _result_typenum(ReduceKind kind, int t) except -1:
    """NumPy type of reduce<T>(kind)'s per-row results, as C++ declares it."""
    cdef ResultType r = reduce_result_type(kind, t == cnp.NPY_INT32 or t == cnp.NPY_INT64)
    if r == ResultType.input:
        return t
    if r == ResultType.int64:
        return cnp.NPY_INT64
    if r == ResultType.float64:
        return cnp.NPY_FLOAT64
    raise ValueError(f"kind: expected a ReduceKind, got {<int>kind}")


def run_reduce(ReduceKind kind, cnp.ndarray x, object y, int nouter, double param, int nthreads,
               Token token):
    """Reduction `kind` over the trailing ndim - nouter axes of x: one result
    per row (a 1-d array over the leading nouter axes, C order). y (b): the
    second operand of the reductions that take one."""
    cdef LoopArgs a
    cdef ExecContext ctx = make_ctx(nthreads, token)
    cdef int t = _dtype_code(x, "x", False)
    cdef int rt = _result_typenum(kind, t)
    cdef cnp.npy_intp m = 1
    cdef int d
    cdef cnp.ndarray res
    _check_nouter(x, nouter)
    set_shape(a.shape, x)
    a.nouter = nouter
    _point(a.x, x, x, t, "x")
    if y is not None:
        _point(a.y, <cnp.ndarray?>y, x, t, "b")
    for d in range(nouter):
        m *= x.shape[d]
    res = cnp.PyArray_EMPTY(1, &m, rt, 0)
    a.res = <char*>cnp.PyArray_DATA(res)
    with nogil:
        if t == cnp.NPY_INT32:
            _reduce[int32_t](0, kind, a, param, ctx)
        elif t == cnp.NPY_INT64:
            _reduce[int64_t](0, kind, a, param, ctx)
        elif t == cnp.NPY_FLOAT32:
            _reduce[float](0, kind, a, param, ctx)
        else:
            _reduce[double](0, kind, a, param, ctx)
    return res


def run_cumsum(cnp.ndarray x, cnp.ndarray out, int nouter, int nthreads, Token token):
    """Running sums along the trailing ndim - nouter axes of x (C order) into
    out: int64 for integer x, x's dtype for floats."""
    cdef LoopArgs a
    cdef ExecContext ctx = make_ctx(nthreads, token)
    cdef int t = _dtype_code(x, "x", False)
    _check_nouter(x, nouter)
    set_shape(a.shape, x)
    a.nouter = nouter
    _point(a.x, x, x, t, "x")
    _point(a.out, out, x, cnp.NPY_INT64 if t == cnp.NPY_INT32 or t == cnp.NPY_INT64 else t, "out")
    _writable(out, "out")
    with nogil:
        if t == cnp.NPY_INT32:
            _cumsum[int32_t](0, a, ctx)
        elif t == cnp.NPY_INT64:
            _cumsum[int64_t](0, a, ctx)
        elif t == cnp.NPY_FLOAT32:
            _cumsum[float](0, a, ctx)
        else:
            _cumsum[double](0, a, ctx)
    return out


def run_softmax(cnp.ndarray x, cnp.ndarray out, int nouter, int nthreads, Token token):
    """softmax over the trailing ndim - nouter axes of x into out (x's dtype)."""
    cdef LoopArgs a
    cdef ExecContext ctx = make_ctx(nthreads, token)
    cdef int t = _dtype_code(x, "x", True)
    _check_nouter(x, nouter)
    set_shape(a.shape, x)
    a.nouter = nouter
    _point(a.x, x, x, t, "x")
    _point(a.out, out, x, t, "out")
    _writable(out, "out")
    with nogil:
        if t == cnp.NPY_FLOAT32:
            _softmax[float](0, a, ctx)
        else:
            _softmax[double](0, a, ctx)
    return out


def run_axpy(double alpha, cnp.ndarray x, cnp.ndarray y, cnp.ndarray out, int nthreads, Token token):
    """out = alpha * x + y; all three of one float dtype and shape (x and y
    may be broadcast views)."""
    cdef LoopArgs a
    cdef ExecContext ctx = make_ctx(nthreads, token)
    cdef int t = _dtype_code(out, "out", True)
    set_shape(a.shape, out)
    _point(a.x, x, out, t, "x")
    _point(a.y, y, out, t, "y")
    _point(a.out, out, out, t, "out")
    _writable(out, "out")
    with nogil:
        if t == cnp.NPY_FLOAT32:
            _axpy[float](0, alpha, a, ctx)
        else:
            _axpy[double](0, alpha, a, ctx)
    return out


def run_clip(cnp.ndarray x, cnp.ndarray out, double lo, double hi, int64_t ilo, int64_t ihi,
             int nthreads, Token token):
    """out = np.clip(x, lo, hi); (lo, hi) for float x, (ilo, ihi) for integer x."""
    cdef LoopArgs a
    cdef ExecContext ctx = make_ctx(nthreads, token)
    cdef int t = _dtype_code(x, "x", False)
    set_shape(a.shape, x)
    _point(a.x, x, x, t, "x")
    _point(a.out, out, x, t, "out")
    _writable(out, "out")
    with nogil:
        if t == cnp.NPY_INT32:
            _clip[int32_t](0, lo, hi, ilo, ihi, a, ctx)
        elif t == cnp.NPY_INT64:
            _clip[int64_t](0, lo, hi, ilo, ihi, a, ctx)
        elif t == cnp.NPY_FLOAT32:
            _clip[float](0, lo, hi, ilo, ihi, a, ctx)
        else:
            _clip[double](0, lo, hi, ilo, ihi, a, ctx)
    return out


def run_histogram(cnp.ndarray x, cnp.ndarray edges, double first, double last, int nthreads,
                  Token token):
    """Counts (int64) of x in the uniform bins with the given float64 edges;
    values outside [first, last] are dropped."""
    cdef LoopArgs a
    cdef ExecContext ctx = make_ctx(nthreads, token)
    cdef int t = _dtype_code(x, "x", False)
    cdef cnp.npy_intp bins
    cdef cnp.ndarray counts
    if (cnp.PyArray_TYPE(edges) != cnp.NPY_FLOAT64 or cnp.PyArray_NDIM(edges) != 1
            or not cnp.PyArray_IS_C_CONTIGUOUS(edges) or edges.shape[0] < 2):
        raise ValueError("bins: edges must be a contiguous float64 array of at least 2 values")
    bins = edges.shape[0] - 1
    set_shape(a.shape, x)
    _point(a.x, x, x, t, "x")
    counts = cnp.PyArray_EMPTY(1, &bins, cnp.NPY_INT64, 0)
    with nogil:
        if t == cnp.NPY_INT32:
            _histogram[int32_t](0, a, <const double*>cnp.PyArray_DATA(edges), bins, first, last,
                                <int64_t*>cnp.PyArray_DATA(counts), ctx)
        elif t == cnp.NPY_INT64:
            _histogram[int64_t](0, a, <const double*>cnp.PyArray_DATA(edges), bins, first, last,
                                <int64_t*>cnp.PyArray_DATA(counts), ctx)
        elif t == cnp.NPY_FLOAT32:
            _histogram[float](0, a, <const double*>cnp.PyArray_DATA(edges), bins, first, last,
                              <int64_t*>cnp.PyArray_DATA(counts), ctx)
        else:
            _histogram[double](0, a, <const double*>cnp.PyArray_DATA(edges), bins, first, last,
                               <int64_t*>cnp.PyArray_DATA(counts), ctx)
    return counts
