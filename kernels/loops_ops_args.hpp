// Typed loops, reduction ops of the NumPy / SciPy arguments: the vector norms
// of np.linalg.norm beyond 1, 2 and inf (ord 0, -inf, any p) and the weighted
// logsumexp of scipy.special.logsumexp(b=, return_sign=). See loops_ops.hpp
// for what an op provides.
#pragma once

#include "loops_ops.hpp"

namespace gilfree {
namespace detail {

/// The number of nonzero elements (np.linalg.norm ord=0; NaN counts), as a double.
template <class T>
struct Norm0Op : SqdistOp<T> {
  using S = double;
  S block(const T* x, const T*, int m, int64_t, const S&) const {
    return lane_sum(m, [x](int i) { return to_d(x[i]) != 0.0 ? 1.0 : 0.0; });
  }
};

/// min(|x|), NaN propagating (np.linalg.norm ord=-inf).
template <class T>
struct NormNegInfOp {
  static constexpr bool kCascade = false;
  static constexpr int kResBytes = 8;
  using S = double;
  S identity() const { return std::numeric_limits<double>::infinity(); }
  S block(const T* x, const T*, int m, int64_t, const S&) const {
    if (block_has_nan(x, m)) return std::numeric_limits<double>::quiet_NaN();
    if constexpr (std::is_same<T, double>::value)
      return CMapA<double>(x, m).abs().minCoeff();
    else
      return CMapA<T>(x, m).template cast<double>().abs().minCoeff();
  }
  S merge(const S& a, const S& b) const {
    if (a != a) return a;
    if (b != b) return b;
    return b < a ? b : a;
  }
  void finish(const S& s, int64_t, char* res) const { *reinterpret_cast<double*>(res) = s; }
};

/// (sum |x|**p)**(1/p) for any p, as np.linalg.norm computes it (no scaling:
/// |x|**p overflows to inf, and |0|**p is inf for p < 0, as there).
template <class T>
struct NormPOp : SqdistOp<T> {
  using S = double;
  double p = 2.0;
  S block(const T* x, const T*, int m, int64_t, const S&) const {
    const double q = p;
    return lane_sum(m, [x, q](int i) { return std::pow(std::fabs(to_d(x[i])), q); });
  }
  void finish(const S& s, int64_t, char* res) const { *reinterpret_cast<double*>(res) = std::pow(s, 1.0 / p); }
};

/// log|sum(b * exp(x))| and the sum's sign, as scipy.special.logsumexp(x, b=b,
/// return_sign=True): elements with b == 0 take no part (even inf or NaN x);
/// around the largest x of the others, m, the state keeps wm, the sum of b over
/// the elements equal to m, and t, the sum of b * exp(x - m) over the rest;
/// the result is log1p(t / wm) + log|wm| + m, SciPy's form. Infinite terms (x
/// = +inf or b = +-inf) are flagged by sign: both signs, or inf * 0, give NaN.
template <class T>
struct LseBOp {
  static constexpr bool kCascade = true;
  static constexpr int kResBytes = 16;  // (value, sign)
  static constexpr double kInf = std::numeric_limits<double>::infinity();
  struct S {
    double m, wm, t;
    bool nan, pinf, ninf;
  };
  bool with_sign = false;  // false: a negative sum gives NaN (SciPy without return_sign)
  S identity() const { return S{-kInf, 0.0, 0.0, false, false, false}; }
  S block(const T* x, const T* y, int m, int64_t, const S&) const {
    alignas(64) double bx[kLoopBlock];
    alignas(64) double bb[kLoopBlock];
    S r = identity();
    for (int i = 0; i < m; ++i) {
      const double v = to_d(x[i]), b = to_d(y[i]);
      bb[i] = 0.0;
      bx[i] = -kInf;
      if (b == 0.0) continue;
      if (v != v || b != b) {
        r.nan = true;
      } else if (v == kInf || b == kInf || b == -kInf) {
        if (v == -kInf)
          r.nan = true;  // inf * exp(-inf)
        else
          (b > 0 ? r.pinf : r.ninf) = true;
      } else if (v != -kInf) {
        bb[i] = b;
        bx[i] = v;
        r.m = v > r.m ? v : r.m;
      }
    }
    if (r.m == -kInf) return r;
    const double mx = r.m;
    for (int i = 0; i < m; ++i) {
      if (bx[i] == mx) {
        r.wm += bb[i];
        bb[i] = 0.0;
      }
      bx[i] -= mx;
    }
    vmath::exp_n(bx, bx, m);
    r.t = lane_sum(m, [&bx, &bb](int i) { return bb[i] == 0.0 ? 0.0 : bb[i] * bx[i]; });
    return r;
  }
  S merge(const S& a, const S& b) const {
    S r{0.0, 0.0, 0.0, a.nan || b.nan, a.pinf || b.pinf, a.ninf || b.ninf};
    if (b.m == -kInf || (a.m != -kInf && a.m == b.m)) {
      r.m = a.m;
      r.wm = a.wm + (b.m == -kInf ? 0.0 : b.wm);
      r.t = a.t + (b.m == -kInf ? 0.0 : b.t);
    } else if (a.m == -kInf) {
      r.m = b.m;
      r.wm = b.wm;
      r.t = b.t;
    } else if (a.m > b.m) {
      const double e = std::exp(b.m - a.m);
      r.m = a.m;
      r.wm = a.wm;
      r.t = a.t + (b.t * e + b.wm * e);
    } else {
      const double e = std::exp(a.m - b.m);
      r.m = b.m;
      r.wm = b.wm;
      r.t = b.t + (a.t * e + a.wm * e);
    }
    return r;
  }
  static double sign(double v) { return v > 0 ? 1.0 : (v < 0 ? -1.0 : (v == 0 ? 0.0 : v)); }
  /// (value, sign) of a state; n == 0 (no elements) gives SciPy's (-inf, -1).
  static void value(const S& s, int64_t n, double* val, double* sg) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    if (n == 0) {
      *val = -kInf;
      *sg = -1.0;
    } else if (s.nan || (s.pinf && s.ninf)) {
      *val = *sg = nan;
    } else if (s.pinf || s.ninf) {
      *val = kInf;
      *sg = s.pinf ? 1.0 : -1.0;
    } else if (s.m == -kInf || (s.wm == 0.0 && s.t == 0.0)) {
      *val = -kInf;
      *sg = 0.0;
    } else if (s.wm == 0.0) {  // the largest terms cancel: the rest, directly
      *val = std::log(std::fabs(s.t)) + s.m;
      *sg = sign(s.t);
    } else {
      double q = s.t == 0.0 ? 0.0 : s.t / s.wm;
      *sg = sign(q + 1.0) * sign(s.wm);
      if (q < -1.0) q = -q - 2.0;
      *val = std::log1p(q) + std::log(std::fabs(s.wm)) + s.m;
    }
  }
  void finish(const S& s, int64_t n, char* res) const {
    double* out = reinterpret_cast<double*>(res);
    value(s, n, out, out + 1);
    if (!with_sign && out[1] < 0) out[0] = std::numeric_limits<double>::quiet_NaN();
  }
};

}  // namespace detail
}  // namespace gilfree
