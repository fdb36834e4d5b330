# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Experiment 2 of bench/showcase.py: one typed loop compiled twice.

``poly_sum_nogil`` and ``poly_sum_gil`` run the very same C loop (a degree-7
polynomial of every element, summed in float64); the first releases the GIL
around it, the second holds it. ``real`` is a fused type, so the loop is
specialised for float32 and float64 ("fused types" of the claim under test).
"""

ctypedef fused real:
    float
    double

# The polynomial's coefficients, shared with the pure-Python and NumPy versions.
COEFFS = (0.5, -0.25, 0.125, -0.0625, 0.03125, -0.015625, 0.0078125, -0.00390625)


cdef inline double _poly(double x) noexcept nogil:
    return (((((((-0.00390625 * x + 0.0078125) * x - 0.015625) * x + 0.03125) * x
              - 0.0625) * x + 0.125) * x - 0.25) * x + 0.5)


cdef double _loop(const real[::1] x, Py_ssize_t reps) noexcept nogil:
    cdef double acc = 0.0
    cdef Py_ssize_t r, i, n = x.shape[0]
    for r in range(reps):
        for i in range(n):
            acc += _poly(<double>x[i])
    return acc


def poly_sum_nogil(const real[::1] x, Py_ssize_t reps=1):
    """sum over `reps` passes of poly(x[i]), without the GIL."""
    cdef double acc
    with nogil:
        acc = _loop(x, reps)
    return acc


def poly_sum_gil(const real[::1] x, Py_ssize_t reps=1):
    """The same loop, holding the GIL throughout."""
    return _loop(x, reps)
