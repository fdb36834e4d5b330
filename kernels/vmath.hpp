// Vectorised exp and log for double, accurate to about 1 ulp.
//
// Eigen 3.4's packet exp (a Pade approximant with a division) and log (Cephes'
// rational approximation with a software frexp) cost 1.2 and 1.8 ns per
// element on this project's AVX-512 machine; the loss and loop kernels spend
// most of their time in them. With AVX-512 the exponent and mantissa come from
// single instructions (getexp/getmant), the result is scaled by scalef (which
// also rounds subnormal results once), and the reduced argument is evaluated
// with a polynomial:
//
//   exp(x) = 2^n * exp(r), n = round(x / ln 2), r = x - n ln 2 in two parts
//            (Cody-Waite), exp(r) by its Taylor polynomial of degree 13
//            (|r| <= ln2/2: truncation < 5e-18 relative);
//   log(x) = e ln 2 + log(m), m in [sqrt(1/2), sqrt(2)), log(m) = 2 atanh(s),
//            s = (m-1)/(m+1), with the minimax coefficients of fdlibm's e_log.c
//            (< 1 ulp).
//
// Special values follow IEEE/C99: exp(-inf) = 0, exp(+inf) = +inf, overflow to
// +inf, gradual underflow; log(0) = -inf, log(x < 0) = NaN, log(+inf) = +inf;
// NaN in, NaN out. Without AVX-512 both fall back to Eigen's functions (and
// the C library's where Eigen's are not exact).
// kernels/tests/test_kernels.cpp checks them against long double expl/logl.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstdint>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace gilfree {
namespace vmath {

#if defined(__AVX512F__)
namespace detail {

inline __m512d exp8(__m512d x) {
  const __m512d log2e = _mm512_set1_pd(1.4426950408889634074);
  const __m512d ln2_hi = _mm512_set1_pd(6.93147180369123816490e-01);  // 32 significant bits: n * ln2_hi is exact
  const __m512d ln2_lo = _mm512_set1_pd(1.90821492927058770002e-10);
  // clamp (NaN passes through: max/min return their second operand on NaN)
  x = _mm512_min_pd(_mm512_set1_pd(710.0), _mm512_max_pd(_mm512_set1_pd(-746.0), x));
  const __m512d n = _mm512_roundscale_pd(_mm512_mul_pd(x, log2e), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512d r = _mm512_fnmadd_pd(n, ln2_hi, x);
  r = _mm512_fnmadd_pd(n, ln2_lo, r);
  // Taylor coefficients 1/k!, k = 13 .. 2, then p = 1 + r (1 + r (1/2 + ...))
  __m512d p = _mm512_set1_pd(1.0 / 6227020800.0);
  p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0 / 479001600.0));
  p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0 / 39916800.0));
  p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0 / 3628800.0));
  p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0 / 362880.0));
  p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0 / 40320.0));
  p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0 / 5040.0));
  p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0 / 720.0));
  p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0 / 120.0));
  p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0 / 24.0));
  p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0 / 6.0));
  p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(0.5));
  p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0));
  p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0));
  return _mm512_scalef_pd(p, n);
}

inline __m512d log8(__m512d x) {
  const __m512d one = _mm512_set1_pd(1.0);
  // m in [1, 2) and the exponent; NaN for negative x (sign control)
  __m512d m = _mm512_getmant_pd(x, _MM_MANT_NORM_1_2, _MM_MANT_SIGN_nan);
  __m512d e = _mm512_getexp_pd(x);
  const __mmask8 big = _mm512_cmp_pd_mask(m, _mm512_set1_pd(1.4142135623730950488), _CMP_GT_OQ);
  m = _mm512_mask_mul_pd(m, big, m, _mm512_set1_pd(0.5));  // exact
  e = _mm512_mask_add_pd(e, big, e, one);
  const __m512d f = _mm512_sub_pd(m, one);  // exact (Sterbenz), in [-0.29, 0.42)
  const __m512d hfsq = _mm512_mul_pd(_mm512_mul_pd(_mm512_set1_pd(0.5), f), f);
  const __m512d s = _mm512_div_pd(f, _mm512_add_pd(_mm512_set1_pd(2.0), f));
  const __m512d z = _mm512_mul_pd(s, s);
  const __m512d w = _mm512_mul_pd(z, z);
  __m512d t1 = _mm512_fmadd_pd(w, _mm512_set1_pd(1.531383769920937332e-01), _mm512_set1_pd(2.222219843214978396e-01));
  t1 = _mm512_fmadd_pd(w, t1, _mm512_set1_pd(3.999999999940941908e-01));
  t1 = _mm512_mul_pd(w, t1);
  __m512d t2 = _mm512_fmadd_pd(w, _mm512_set1_pd(1.479819860511658591e-01), _mm512_set1_pd(1.818357216161805012e-01));
  t2 = _mm512_fmadd_pd(w, t2, _mm512_set1_pd(2.857142874366239149e-01));
  t2 = _mm512_fmadd_pd(w, t2, _mm512_set1_pd(6.666666666666735130e-01));
  t2 = _mm512_mul_pd(z, t2);
  const __m512d R = _mm512_add_pd(t2, t1);
  // log(x) = e ln2_hi - ((hfsq - (s (hfsq + R) + e ln2_lo)) - f)
  const __m512d inner = _mm512_fmadd_pd(e, _mm512_set1_pd(1.90821492927058770002e-10),
                                        _mm512_mul_pd(s, _mm512_add_pd(hfsq, R)));
  __m512d res = _mm512_fmsub_pd(e, _mm512_set1_pd(6.93147180369123816490e-01),
                                _mm512_sub_pd(_mm512_sub_pd(hfsq, inner), f));
  // exact special values: log(0) = -inf, log(+inf) = +inf
  const __mmask8 zero = _mm512_cmp_pd_mask(x, _mm512_setzero_pd(), _CMP_EQ_OQ);
  const __mmask8 inf = _mm512_cmp_pd_mask(x, _mm512_set1_pd(INFINITY), _CMP_EQ_OQ);
  res = _mm512_mask_mov_pd(res, zero, _mm512_set1_pd(-INFINITY));
  res = _mm512_mask_mov_pd(res, inf, _mm512_set1_pd(INFINITY));
  return res;
}

template <class F>
inline void apply8(const double* x, double* r, int64_t n, F&& f) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm512_storeu_pd(r + i, f(_mm512_loadu_pd(x + i)));
  if (i < n) {
    const __mmask8 k = static_cast<__mmask8>((1u << (n - i)) - 1);
    _mm512_mask_storeu_pd(r + i, k, f(_mm512_mask_loadu_pd(_mm512_set1_pd(1.0), k, x + i)));
  }
}

}  // namespace detail

/// r[i] = exp(x[i]) for i < n (r may equal x).
inline void exp_n(const double* x, double* r, int64_t n) { detail::apply8(x, r, n, detail::exp8); }
/// r[i] = log(x[i]) for i < n (r may equal x).
inline void log_n(const double* x, double* r, int64_t n) { detail::apply8(x, r, n, detail::log8); }
#else
namespace detail {
/// r[i] = f(x[i]) with Eigen's vectorised f on groups of 8 through an aligned
/// buffer (a short last group padded), so that every element takes the same
/// code whatever its position, alignment or neighbours; the arguments where
/// Eigen's f is not exact (exact(v) false: subnormal results of exp, e.g.
/// exp(-inf) = 5.6e-309 with SSE; subnormal arguments of log) are redone by
/// the C library, element by element. r may equal x.
template <class F, class Exact, class Libm>
inline void apply_groups(const double* x, double* r, int64_t n, F&& f, Exact&& exact, Libm&& libm) {
  using Group = Eigen::Array<double, 8, 1>;
  alignas(64) double buf[8];
  for (int64_t i = 0; i < n; i += 8) {
    const int m = static_cast<int>(std::min<int64_t>(8, n - i));
    for (int k = 0; k < 8; ++k) buf[k] = k < m ? x[i + k] : 1.0;
    Eigen::Map<Group, Eigen::Aligned64> g(buf);
    g = f(g);
    for (int k = 0; k < m; ++k) r[i + k] = exact(x[i + k]) ? buf[k] : libm(x[i + k]);
  }
}
}  // namespace detail

inline void exp_n(const double* x, double* r, int64_t n) {
  detail::apply_groups(
      x, r, n, [](const auto& g) { return g.exp(); }, [](double v) { return !(v < -708.0); },
      [](double v) { return std::exp(v); });
}
inline void log_n(const double* x, double* r, int64_t n) {
  detail::apply_groups(
      x, r, n, [](const auto& g) { return g.log(); },
      [](double v) { return !(v < 2.2250738585072014e-308); },  // below the smallest normal
      [](double v) { return std::log(v); });
}
#endif

/// exp / log of an Eigen array expression of doubles, as an array of type A
/// (the expression is evaluated first, vectorised).
template <class A, class E>
inline A exp(const E& e) {
  A r = e;
  exp_n(r.data(), r.data(), r.size());
  return r;
}
template <class A, class E>
inline A log(const E& e) {
  A r = e;
  log_n(r.data(), r.data(), r.size());
  return r;
}

}  // namespace vmath
}  // namespace gilfree
