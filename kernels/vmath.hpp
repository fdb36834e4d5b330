// Vectorised exp and log for double, accurate to about 1 ulp.
//
// Eigen 3.4's packet exp (a Pade approximant with a division) and log (Cephes'
// rational approximation with a software frexp) cost 1.2 and 1.8 ns per
// element on this project's AVX-512 machine; the loss and loop kernels spend
// most of their time in them. Here both are written once, over a register
// type (Vec8: AVX-512, Vec4: AVX2 with FMA), and the reduced argument is
// evaluated with a polynomial:
//
//   exp(x) = 2^n * exp(r), n = round(x / ln 2), r = x - n ln 2 in two parts
//            (Cody-Waite), exp(r) by a minimax polynomial of degree 11
//            (|r| <= ln2/2: 1.1e-17 relative) in Estrin's scheme, and
//            where |x| <= 705 (AVX2) n added to the exponent field of exp(r);
//   log(x) = e ln 2 + log(m), m in [sqrt(1/2), sqrt(2)), log(m) = 2 atanh(s),
//            s = (m-1)/(m+1), with the minimax coefficients of fdlibm's e_log.c
//            (< 1 ulp).
//
// Both register types run the same operations in the same order, and their
// scale(p, n) = p * 2^n and split(x) = (m, e) are exact up to the one final
// rounding of p * 2^n (AVX-512's scalef; two exact power-of-two factors with
// AVX2), so the AVX2 and AVX-512 builds give the same bits.
//
// Special values follow IEEE/C99: exp(-inf) = 0, exp(+inf) = +inf, overflow to
// +inf, gradual underflow; log(0) = -inf, log(x < 0) = NaN, log(+inf) = +inf;
// NaN in, NaN out. Without AVX2 and FMA both fall back to Eigen's functions
// (and the C library's where Eigen's are not exact).
// kernels/tests/test_kernels.cpp checks them against long double expl/logl.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstdint>

#if defined(__AVX512F__) || (defined(__AVX2__) && defined(__FMA__))
#include <immintrin.h>
#define GILFREE_VMATH_POLY 1
#endif

namespace gilfree {
namespace vmath {

/// true where exp_n / log_n are the polynomials below (within 1 ulp), false
/// where they are Eigen's functions (within 4 ulp)
#if defined(GILFREE_VMATH_POLY)
inline constexpr bool polynomial = true;
#else
inline constexpr bool polynomial = false;
#endif

#if defined(GILFREE_VMATH_POLY)
namespace detail {

#if defined(__AVX512F__)
/// 8 doubles in an AVX-512 register.
struct Vec8 {
  using R = __m512d;
  using M = __mmask8;
  static constexpr int width = 8;
  static R set(double v) { return _mm512_set1_pd(v); }
  static R load(const double* p) { return _mm512_loadu_pd(p); }
  static void store(double* p, R v) { _mm512_storeu_pd(p, v); }
  static R add(R a, R b) { return _mm512_add_pd(a, b); }
  static R sub(R a, R b) { return _mm512_sub_pd(a, b); }
  static R mul(R a, R b) { return _mm512_mul_pd(a, b); }
  static R div(R a, R b) { return _mm512_div_pd(a, b); }
  static R fmadd(R a, R b, R c) { return _mm512_fmadd_pd(a, b, c); }    // a b + c
  static R fnmadd(R a, R b, R c) { return _mm512_fnmadd_pd(a, b, c); }  // c - a b
  static R fmsub(R a, R b, R c) { return _mm512_fmsub_pd(a, b, c); }    // a b - c
  // min(a, x) / max(a, x) return x where x is NaN
  static R min(R a, R x) { return _mm512_min_pd(a, x); }
  static R max(R a, R x) { return _mm512_max_pd(a, x); }
  static bool all_le(R, double) { return false; }  // scalef needs no fast path
  static R scale_normal(R p, R) { return p; }
  static M gt(R a, R b) { return _mm512_cmp_pd_mask(a, b, _CMP_GT_OQ); }
  static M eq(R a, R b) { return _mm512_cmp_pd_mask(a, b, _CMP_EQ_OQ); }
  static R select(M k, R yes, R no) { return _mm512_mask_mov_pd(no, k, yes); }
  /// p * 2^n (n integral), rounded once
  static R scale(R p, R n) { return _mm512_scalef_pd(p, n); }
  /// x = m 2^e with m in [1, 2) for finite x > 0 (subnormal x too); m is NaN
  /// for x < 0 and NaN x
  static void split(R x, R& m, R& e) {
    m = _mm512_getmant_pd(x, _MM_MANT_NORM_1_2, _MM_MANT_SIGN_nan);
    e = _mm512_getexp_pd(x);
  }
};
#else
/// 4 doubles in an AVX2 register (FMA too).
struct Vec4 {
  using R = __m256d;
  using M = __m256d;
  static constexpr int width = 4;
  static R set(double v) { return _mm256_set1_pd(v); }
  static R load(const double* p) { return _mm256_loadu_pd(p); }
  static void store(double* p, R v) { _mm256_storeu_pd(p, v); }
  static R add(R a, R b) { return _mm256_add_pd(a, b); }
  static R sub(R a, R b) { return _mm256_sub_pd(a, b); }
  static R mul(R a, R b) { return _mm256_mul_pd(a, b); }
  static R div(R a, R b) { return _mm256_div_pd(a, b); }
  static R fmadd(R a, R b, R c) { return _mm256_fmadd_pd(a, b, c); }
  static R fnmadd(R a, R b, R c) { return _mm256_fnmadd_pd(a, b, c); }
  static R fmsub(R a, R b, R c) { return _mm256_fmsub_pd(a, b, c); }
  static R min(R a, R x) { return _mm256_min_pd(a, x); }
  static R max(R a, R x) { return _mm256_max_pd(a, x); }
  /// |x| <= v in every lane (false for NaN)
  static bool all_le(R x, double v) {
    return _mm256_movemask_pd(_mm256_cmp_pd(_mm256_andnot_pd(set(-0.0), x), set(v), _CMP_LE_OQ)) == 0xF;
  }
  /// p * 2^n, y's bits: 1.5 2^52 + n, the result normal: n added to p's exponent field
  static R scale_normal(R p, R y) {
    return _mm256_castsi256_pd(_mm256_add_epi64(_mm256_castpd_si256(p), _mm256_slli_epi64(_mm256_castpd_si256(y), 52)));
  }
  static M gt(R a, R b) { return _mm256_cmp_pd(a, b, _CMP_GT_OQ); }
  static M eq(R a, R b) { return _mm256_cmp_pd(a, b, _CMP_EQ_OQ); }
  static R select(M k, R yes, R no) { return _mm256_blendv_pd(no, yes, k); }
  /// 2^k for integral k in [-1022, 1023], built from its exponent bits
  static R pow2(R k) {
    const __m256i e = _mm256_cvtepi32_epi64(_mm256_cvtpd_epi32(k));
    return _mm256_castsi256_pd(_mm256_slli_epi64(_mm256_add_epi64(e, _mm256_set1_epi64x(1023)), 52));
  }
  /// p * 2^n for |n| <= 1100 and p in [0.5, 2] (NaN p: NaN): n = a + b with
  /// 2^a, 2^b normal; p 2^a is exact, the second product rounds once. Where
  /// every |n| <= 1020 (the result is normal), one exact product by 2^n, its
  /// bits made by adding 2^52 + 1023 (the same bits, a third of the work)
  static R scale(R p, R n) {
    const R in_range = _mm256_cmp_pd(_mm256_andnot_pd(set(-0.0), n), set(1020.0), _CMP_LE_OQ);
    if (_mm256_movemask_pd(in_range) == 0xF) {
      const __m256i bits = _mm256_castpd_si256(add(n, set(4503599627371519.0)));  // 2^52 + 1023 + n
      return mul(p, _mm256_castsi256_pd(_mm256_slli_epi64(bits, 52)));
    }
    const R a = _mm256_floor_pd(_mm256_mul_pd(n, set(0.5)));
    return mul(mul(p, pow2(a)), pow2(sub(n, a)));
  }
  static void split(R x, R& m, R& e) {
    // subnormal x is scaled into the normal range first (exact)
    const R sub_mask = _mm256_cmp_pd(x, set(2.2250738585072014e-308), _CMP_LT_OQ);
    const R xs = select(sub_mask, mul(x, set(4503599627370496.0)), x);  // 2^52
    const __m256i bits = _mm256_castpd_si256(xs);
    const __m256i mant = _mm256_and_si256(bits, _mm256_set1_epi64x(0x000fffffffffffffLL));
    m = _mm256_castsi256_pd(_mm256_or_si256(mant, _mm256_set1_epi64x(0x3ff0000000000000LL)));
    // the biased exponent (0..2047) as a double: 2^52 + k - 2^52
    const __m256i k = _mm256_and_si256(_mm256_srli_epi64(bits, 52), _mm256_set1_epi64x(0x7ff));
    const R magic = set(4503599627370496.0);
    const R kd = sub(_mm256_castsi256_pd(_mm256_or_si256(k, _mm256_castpd_si256(magic))), magic);
    e = sub(kd, select(sub_mask, set(1023.0 + 52.0), set(1023.0)));
    // NaN for x < 0 and NaN x (x >= 0 is false for both)
    m = select(_mm256_cmp_pd(x, _mm256_setzero_pd(), _CMP_GE_OQ), m, set(NAN));
  }
};
#endif

/// exp(x) = 2^n exp(r) without the range's edges (the callers clamp and scale);
/// y: x / ln 2 + 1.5 2^52, whose low bits are n, and n as a double
template <class V>
inline typename V::R exp_core(typename V::R x, typename V::R& y, typename V::R& n) {
  using R = typename V::R;
  const R magic = V::set(0x1.8p52);
  y = V::fmadd(x, V::set(1.4426950408889634074), magic);  // rounded once: n = round(x / ln2)
  n = V::sub(y, magic);
  R r = V::fnmadd(n, V::set(6.93147180369123816490e-01), x);  // ln2_hi, 32 significant bits: n * ln2_hi is exact
  r = V::fnmadd(n, V::set(1.90821492927058770002e-10), r);    // ln2_lo
  // exp(r) = 1 + r (1 + r q), q of degree 9: the minimax polynomial of
  // relative error on |r| <= 0.3466 (a Remez exchange in 50-digit mpmath,
  // tools/exp_minimax.py; with its coefficients rounded to double, relative
  // error 1.1e-17 < 0.05 ulp), in Estrin's scheme: a chain of 4 products
  // instead of Horner's 10; q's rounding is scaled by r^2 <= 0.121 in the result
  const auto c = [](int j) {
    static constexpr double k[] = {0x1.000000000000ap-1,  0x1.55555555554fap-3,  0x1.5555555550880p-5,
                                   0x1.1111111127bcdp-7,  0x1.6c16c184293aap-10, 0x1.a01a012a5e576p-13,
                                   0x1.a0199a0ed588ep-16, 0x1.71df254742770p-19, 0x1.28ad706f19d18p-22,
                                   0x1.ad7f7a0ace3dap-26};  // tools/exp_minimax.py
    return V::set(k[j]);
  };
  const R r2 = V::mul(r, r);
  const R r4 = V::mul(r2, r2);
  const R b0 = V::fmadd(V::fmadd(c(3), r, c(2)), r2, V::fmadd(c(1), r, c(0)));
  const R b1 = V::fmadd(V::fmadd(c(7), r, c(6)), r2, V::fmadd(c(5), r, c(4)));
  const R q = V::fmadd(V::fmadd(V::fmadd(c(9), r, c(8)), r4, b1), r4, b0);
  const R one = V::set(1.0);
  return V::fmadd(r, V::fmadd(r, q, one), one);
}

/// exp(x) for |x| <= 705 (V::all_le(x, 705.0) true: a normal result)
template <class V>
inline typename V::R exp_normal(typename V::R x) {
  typename V::R y, n;
  const typename V::R p = exp_core<V>(x, y, n);
  return V::scale_normal(p, y);
}

template <class V>
inline typename V::R exp_v(typename V::R x) {
  using R = typename V::R;
  if (V::all_le(x, 705.0)) return exp_normal<V>(x);
  R y, n;  // |x| <= 705: a normal result
  x = V::min(V::set(710.0), V::max(V::set(-746.0), x));  // clamp (NaN passes through)
  const R p = exp_core<V>(x, y, n);
  return V::scale(p, n);
}

template <class V>
inline typename V::R log_v(typename V::R x) {
  using R = typename V::R;
  const R one = V::set(1.0);
  R m, e;
  V::split(x, m, e);
  const auto big = V::gt(m, V::set(1.4142135623730950488));
  m = V::select(big, V::mul(m, V::set(0.5)), m);  // exact
  e = V::select(big, V::add(e, one), e);
  const R f = V::sub(m, one);  // exact (Sterbenz), in [-0.29, 0.42)
  const R hfsq = V::mul(V::mul(V::set(0.5), f), f);
  const R s = V::div(f, V::add(V::set(2.0), f));
  const R z = V::mul(s, s);
  const R w = V::mul(z, z);
  R t1 = V::fmadd(w, V::set(1.531383769920937332e-01), V::set(2.222219843214978396e-01));
  t1 = V::fmadd(w, t1, V::set(3.999999999940941908e-01));
  t1 = V::mul(w, t1);
  R t2 = V::fmadd(w, V::set(1.479819860511658591e-01), V::set(1.818357216161805012e-01));
  t2 = V::fmadd(w, t2, V::set(2.857142874366239149e-01));
  t2 = V::fmadd(w, t2, V::set(6.666666666666735130e-01));
  t2 = V::mul(z, t2);
  const R big_r = V::add(t2, t1);
  // log(x) = e ln2_hi - ((hfsq - (s (hfsq + R) + e ln2_lo)) - f)
  const R inner = V::fmadd(e, V::set(1.90821492927058770002e-10), V::mul(s, V::add(hfsq, big_r)));
  R res = V::fmsub(e, V::set(6.93147180369123816490e-01), V::sub(V::sub(hfsq, inner), f));
  // exact special values: log(0) = -inf, log(+inf) = +inf
  res = V::select(V::eq(x, V::set(0.0)), V::set(-INFINITY), res);
  return V::select(V::eq(x, V::set(INFINITY)), V::set(INFINITY), res);
}

#if defined(__AVX512F__)
using Vec = Vec8;
#else
using Vec = Vec4;
#endif

/// r[i] = f(x[i]) for i < n, a short last group through a buffer padded with 1.0
template <class F>
inline void apply(const double* x, double* r, int64_t n, F&& f) {
  constexpr int W = Vec::width;
  int64_t i = 0;
  for (; i + W <= n; i += W) Vec::store(r + i, f(Vec::load(x + i)));
  if (i < n) {
    double buf[W];
    const int m = static_cast<int>(n - i);
    for (int k = 0; k < W; ++k) buf[k] = k < m ? x[i + k] : 1.0;
    Vec::store(buf, f(Vec::load(buf)));
    for (int k = 0; k < m; ++k) r[i + k] = buf[k];
  }
}

}  // namespace detail

/// r[i] = exp(x[i]) for i < n (r may equal x).
inline void exp_n(const double* x, double* r, int64_t n) {
  detail::apply(x, r, n, [](auto v) { return detail::exp_v<detail::Vec>(v); });
}
/// r[i] = log(x[i]) for i < n (r may equal x).
inline void log_n(const double* x, double* r, int64_t n) {
  detail::apply(x, r, n, [](auto v) { return detail::log_v<detail::Vec>(v); });
}

/// The sum of exp(x[i] - shift) over i < n, i != skip, in Lanes lanes by
/// index (lane = i mod Lanes) combined pairwise, for shift >= every x[i] (the
/// terms in [0, 1]): each term is exp_n's value of x[i] - shift, and the order
/// is a LaneSum's over those terms (one pass, the terms never stored). ahead:
/// the data wanted next, prefetched meanwhile (n values; null: none).
template <int Lanes>
inline double exp_sum(const double* x, int n, double shift, int skip, const double* ahead = nullptr) {
  using V = detail::Vec;
  using R = V::R;
  constexpr int G = Lanes / V::width;  // registers per group of Lanes values
  static_assert(Lanes % V::width == 0 && (Lanes & (Lanes - 1)) == 0, "lanes: a power of two, whole registers");
  const R s = V::set(shift);
  R acc[G];
  for (int g = 0; g < G; ++g) acc[g] = V::set(0.0);
  alignas(64) double t[Lanes];
  const int skip_group = skip < 0 ? -1 : skip - skip % Lanes;
  int i = 0;
  for (; i + Lanes <= n; i += Lanes) {
    R e[G];
    if (ahead) {
      _mm_prefetch(reinterpret_cast<const char*>(ahead + i), _MM_HINT_T0);
      _mm_prefetch(reinterpret_cast<const char*>(ahead + i + 8), _MM_HINT_T0);
    }
    R lo = V::sub(V::load(x + i), s);
    e[0] = lo;
    for (int g = 1; g < G; ++g) {
      e[g] = V::sub(V::load(x + i + g * V::width), s);
      lo = V::min(lo, e[g]);
    }
    if (V::all_le(lo, 705.0)) {  // every argument in [-705, 0]: one check for the group
      for (int g = 0; g < G; ++g) e[g] = detail::exp_normal<V>(e[g]);
    } else {
      for (int g = 0; g < G; ++g) e[g] = detail::exp_v<V>(e[g]);
    }
    if (i == skip_group) {
      for (int g = 0; g < G; ++g) V::store(t + g * V::width, e[g]);
      t[skip - i] = 0.0;
      for (int g = 0; g < G; ++g) e[g] = V::load(t + g * V::width);
    }
    for (int g = 0; g < G; ++g) acc[g] = V::add(acc[g], e[g]);
  }
  if (i < n) {  // fewer than Lanes values: padded with -inf, whose term is +0
    for (int k = 0; k < Lanes; ++k) t[k] = i + k < n ? x[i + k] - shift : -INFINITY;
    if (i == skip_group) t[skip - i] = -INFINITY;
    for (int g = 0; g < G; ++g) acc[g] = V::add(acc[g], detail::exp_v<V>(V::load(t + g * V::width)));
  }
  for (int g = 0; g < G; ++g) V::store(t + g * V::width, acc[g]);
  for (int w = Lanes / 2; w >= 1; w /= 2)
    for (int k = 0; k < w; ++k) t[k] += t[k + w];
  return t[0];
}
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

/// exp_sum as above, through exp_n.
template <int Lanes>
inline double exp_sum(const double* x, int n, double shift, int skip, const double* = nullptr) {
  double acc[Lanes] = {};
  double t[256];
  for (int i0 = 0; i0 < n; i0 += 256) {  // 256: a multiple of Lanes
    const int m = std::min(256, n - i0);
    for (int k = 0; k < m; ++k) t[k] = x[i0 + k] - shift;
    exp_n(t, t, m);
    if (skip >= i0 && skip < i0 + m) t[skip - i0] = 0.0;
    for (int k = 0; k < m; ++k) acc[k % Lanes] += t[k];
  }
  for (int w = Lanes / 2; w >= 1; w /= 2)
    for (int k = 0; k < w; ++k) acc[k] += acc[k + w];
  return acc[0];
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
