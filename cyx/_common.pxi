# Shared helpers of the binding modules (textually included; no policy here).
cimport numpy as cnp
from cpp_dtype cimport Dtype
from cpp_runtime cimport ExecContext, kKeepGilItems
from cpp_strided cimport NdOperand, NdShape
from gilfree._cyx._runtime cimport Token

cnp.import_array()


cdef inline ExecContext make_ctx(int nthreads, Token token) noexcept:
    """The kernel's context: `token` may be None (no cancel token)."""
    cdef ExecContext ctx
    ctx.nthreads = nthreads if nthreads > 0 else 1
    ctx.token = token.ptr if token is not None else NULL
    return ctx


cdef inline bint releases_gil(cnp.ndarray arr) noexcept:
    """Whether a call over arr releases the GIL (kKeepGilItems: a tiny call keeps it)."""
    return cnp.PyArray_SIZE(arr) > kKeepGilItems


cdef inline void set_shape(NdShape& s, cnp.ndarray arr) noexcept:
    cdef int d
    s.ndim = cnp.PyArray_NDIM(arr)
    for d in range(s.ndim):
        s.shape[d] = cnp.PyArray_DIMS(arr)[d]


cdef inline int set_operand(NdOperand& op, cnp.ndarray arr, cnp.ndarray like, str name) except -1:
    """Points op at arr, which must have like's shape and dtype."""
    cdef int d
    if not cnp.PyArray_SAMESHAPE(arr, like):
        raise ValueError(f"{name}: expected shape {(<object>like).shape}, got {(<object>arr).shape}")
    if cnp.PyArray_TYPE(arr) != cnp.PyArray_TYPE(like):
        raise TypeError(f"{name}: expected dtype {(<object>like).dtype}, got {(<object>arr).dtype}")
    if not cnp.PyArray_ISALIGNED(arr):
        raise ValueError(f"{name}: array data must be aligned")
    op.data = <char*>cnp.PyArray_DATA(arr)
    for d in range(cnp.PyArray_NDIM(arr)):
        op.strides[d] = cnp.PyArray_STRIDES(arr)[d]
    return 0


cdef inline Dtype dtype_of(cnp.ndarray arr, str name, bint floats_only) except *:
    """The kernels' Dtype of arr (float32/float64 only if floats_only), which must be aligned."""
    cdef int t = cnp.PyArray_TYPE(arr)
    cdef Dtype dt
    if t == cnp.NPY_FLOAT64:
        dt = Dtype.float64
    elif t == cnp.NPY_FLOAT32:
        dt = Dtype.float32
    elif t == cnp.NPY_INT64 and not floats_only:
        dt = Dtype.int64
    elif t == cnp.NPY_INT32 and not floats_only:
        dt = Dtype.int32
    else:
        want = "float32 or float64" if floats_only else "int32, int64, float32 or float64"
        raise TypeError(f"{name}: expected {want}, got {(<object>arr).dtype}")
    if not cnp.PyArray_ISALIGNED(arr):
        raise ValueError(f"{name}: array data must be aligned")
    return dt


cdef inline int typenum_of(Dtype dt) noexcept:
    """NumPy's type number of a Dtype."""
    if dt == Dtype.float64:
        return cnp.NPY_FLOAT64
    if dt == Dtype.float32:
        return cnp.NPY_FLOAT32
    if dt == Dtype.int64:
        return cnp.NPY_INT64
    return cnp.NPY_INT32


cdef extern from "numpy/arrayobject.h":
    object PyArray_Scalar(void* data, cnp.dtype descr, object base)


cdef inline object scalar_of(double value, cnp.ndarray like):
    """value as a NumPy scalar of like's float dtype (value is exact in it: the kernels round)."""
    cdef float f
    if cnp.PyArray_TYPE(like) == cnp.NPY_FLOAT32:
        f = <float>value
        return PyArray_Scalar(&f, <cnp.dtype>cnp.PyArray_DESCR(like), None)
    return PyArray_Scalar(&value, <cnp.dtype>cnp.PyArray_DESCR(like), None)
