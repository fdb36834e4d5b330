"""Bindings of kernels/conv.hpp.

Callers (gilfree.conv) pass validated 4-d views: input (N, C, H, W), weight
(O, C/groups, kh, kw) of the input's dtype (reversed views for convolution),
bias (O,) or None. This layer re-checks what could crash, allocates the
(N, O, OH, OW) output and runs the kernel with the GIL released.
"""
from libc.stdint cimport int64_t

from cpp_conv cimport Corr2dArgs, choose_method as cpp_choose_method, corr2d as cpp_corr2d

include "_common.pxi"


cdef Dtype _fill_args(Corr2dArgs& a, cnp.ndarray x, cnp.ndarray w, object bias,
                      int64_t oh, int64_t ow, int64_t y0, int64_t x0, int64_t sy, int64_t sx,
                      int64_t dy, int64_t dx, Boundary boundary, double fill) except *:
    """Fills a from the operands (all but the output); returns their Dtype."""
    cdef int d
    cdef cnp.ndarray b
    cdef Dtype dt = dtype_of(x, "input", True)
    if x.ndim != 4 or w.ndim != 4:
        raise ValueError("input, weight: expected 4-d views")
    if cnp.PyArray_TYPE(w) != cnp.PyArray_TYPE(x):
        raise TypeError(f"weight: expected dtype {(<object>x).dtype}, got {(<object>w).dtype}")
    if not cnp.PyArray_ISALIGNED(w):
        raise ValueError("weight: array data must be aligned")
    if x.shape[1] % w.shape[1] != 0 or w.shape[0] % (x.shape[1] // w.shape[1]) != 0:
        raise ValueError("groups: channels do not divide into groups")
    if oh < 0 or ow < 0 or sy < 1 or sx < 1 or dy < 1 or dx < 1:
        raise ValueError("conv: invalid geometry")
    a.in_ = <const char*>cnp.PyArray_DATA(x)
    a.n, a.c, a.h, a.w = x.shape[0], x.shape[1], x.shape[2], x.shape[3]
    a.wt = <const char*>cnp.PyArray_DATA(w)
    a.o, a.cg, a.kh, a.kw = w.shape[0], w.shape[1], w.shape[2], w.shape[3]
    for d in range(4):
        a.in_s[d] = x.strides[d]
        a.wt_s[d] = w.strides[d]
    if bias is not None:
        b = <cnp.ndarray?>bias
        if b.ndim != 1 or b.shape[0] != a.o or cnp.PyArray_TYPE(b) != cnp.PyArray_TYPE(x):
            raise ValueError(f"bias: expected shape ({a.o},) and dtype {(<object>x).dtype}")
        if not cnp.PyArray_ISALIGNED(b):
            raise ValueError("bias: array data must be aligned")
        a.bias = <const char*>cnp.PyArray_DATA(b)
        a.bias_s = b.strides[0]
    a.oh, a.ow = oh, ow
    a.y0, a.x0, a.sy, a.sx, a.dy, a.dx = y0, x0, sy, sx, dy, dx
    a.boundary = boundary
    a.fill = fill
    if a.h < 1 or a.w < 1 or a.c < 1 or a.o < 1 or a.cg < 1 or a.kh < 1 or a.kw < 1:
        raise ValueError("conv: empty operand")
    return dt


def corr2d(Family family, Method method, cnp.ndarray x, cnp.ndarray w, object bias, int64_t oh,
           int64_t ow, int64_t y0, int64_t x0, int64_t sy, int64_t sx, int64_t dy, int64_t dx,
           Boundary boundary, double fill, bint reverse_out, object out_buf, int nthreads, Token token):
    """out[b, o, y, x] = bias[o] + sum w[o, c, j, k] * ext(x[b, g*cg+c])[y0+y*sy+j*dy, x0+x*sx+k*dx].

    method: a Method (Method.auto_: the C++ choose_method's for `family`). With reverse_out,
    the result is written reversed along its last two axes. out_buf: the caller's (N, O, oh, ow)
    buffer (checked by the caller: no overlap with the operands), or None (allocated here).
    Returns the (N, O, oh, ow) array.
    """
    cdef Corr2dArgs a
    cdef ExecContext ctx = make_ctx(nthreads, token)
    cdef cnp.ndarray out
    cdef cnp.npy_intp dims[4]
    cdef int d
    cdef Dtype dt = _fill_args(a, x, w, bias, oh, ow, y0, x0, sy, sx, dy, dx, boundary, fill)
    dims[0], dims[1], dims[2], dims[3] = a.n, a.o, oh, ow
    if out_buf is None:
        out = cnp.PyArray_EMPTY(4, dims, cnp.PyArray_TYPE(x), 0)
    else:
        out = <cnp.ndarray?>out_buf
        if out.ndim != 4 or (<object>out).shape != (a.n, a.o, oh, ow):
            raise ValueError(f"out: expected shape {(a.n, a.o, oh, ow)}, got {(<object>out).shape}")
        if cnp.PyArray_TYPE(out) != cnp.PyArray_TYPE(x):
            raise TypeError(f"out: expected dtype {(<object>x).dtype}, got {(<object>out).dtype}")
        if not cnp.PyArray_ISALIGNED(out) or not cnp.PyArray_ISWRITEABLE(out):
            raise ValueError("out: expected an aligned, writeable array")
    a.out = <char*>cnp.PyArray_DATA(out)
    for d in range(4):
        a.out_s[d] = out.strides[d]
    if reverse_out and oh > 0 and ow > 0:
        a.out += (oh - 1) * a.out_s[2] + (ow - 1) * a.out_s[3]
        a.out_s[2] = -a.out_s[2]
        a.out_s[3] = -a.out_s[3]
    with nogil:
        cpp_corr2d(dt, method, family, a, ctx)
    return out


def choose_method(Family family, cnp.ndarray x, cnp.ndarray w, int64_t oh, int64_t ow, int64_t sy,
                  int64_t sx, int64_t dy, int64_t dx):
    """The Method (as an int) that method "auto" runs for corr2d(family, Method.auto_, x, w,
    None, oh, ow, ..., sy, sx, dy, dx) with zero padding (the rule reads sizes only)."""
    cdef Corr2dArgs a
    _fill_args(a, x, w, None, oh, ow, 0, 0, sy, sx, dy, dx, Boundary.fill, 0.0)
    return <int>cpp_choose_method(a, family)
