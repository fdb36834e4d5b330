// Typed loops, reduction ops: the per-block state, merge and finish of sum,
// mean, var, min/max, arg*, dot, sqdist, norms and logsumexp.
#pragma once

#include <cstring>

#include "loops_simd.hpp"

namespace gilfree {
namespace detail {

// ---------------------------------------------------------------- ops
// An op: S identity(); S block(const T* x, const T* y, int m, int64_t i0, const S& prev);
// S merge(const S& earlier, const S& later); void finish(const S&, int64_t n, char* res).
// kCascade: combine pairwise (inexact merges) or fold left (exact merges, where
// block() may use `prev`, the state of everything before the block in its chunk).

// An op may also read R blocks at once (R = streamed_runs below):
// template <int R> void blocks(const T* const* x, const T* const* y, int m,
// S* out) gives out[s] = block(x[s], y[s], m, ...) for s < R, y null where
// the op has no y, m a multiple of kLanes.

// The lane terms of the sum-like ops: acc + the term of values u (and w),
// one definition for block() and blocks().
struct AddTerm {
  V4d operator()(V4d u, V4d, V4d acc) const { return acc + u; }
};
struct DotTerm {
  V4d operator()(V4d u, V4d w, V4d acc) const { return madd(u, w, acc); }
};
struct SqdistTerm {
  V4d operator()(V4d u, V4d w, V4d acc) const {
    const V4d d = u - w;
    return madd(d, d, acc);
  }
};
struct SquareTerm {
  V4d operator()(V4d u, V4d, V4d acc) const { return madd(u, u, acc); }
};

/// LaneSum's sum of x[0, m) as doubles (vector types for the floats).
template <class T>
inline double lane_total(const T* x, int m) {
  if constexpr (is_float_v<T>)
    return lane_accumulate(x, static_cast<const T*>(nullptr), m, AddTerm{});
  else
    return lane_sum(m, [x](int i) { return to_d(x[i]); });
}

/// lane_total of R runs at once (float T).
template <int R, class T>
inline void lane_totals(const T* const* x, int m, double* out) {
  lane_accumulate_streams<R>(x, static_cast<const T* const*>(nullptr), m, AddTerm{}, out);
}

template <class T>
struct SumOp {
  static constexpr bool kCascade = is_float_v<T>;
  static constexpr int kResBytes = 8;
  using S = typename std::conditional<is_float_v<T>, double, uint64_t>::type;
  S identity() const { return S(0); }
  S block(const T* x, const T*, int m, int64_t, const S&) const {
    if constexpr (is_float_v<T>)
      return lane_total(x, m);
    else
      return lane_sum_u64(m, [x](int i) { return static_cast<uint64_t>(static_cast<int64_t>(x[i])); });
  }
  template <int R>
  void blocks(const T* const* x, const T* const*, int m, S* out) const {
    lane_totals<R>(x, m, out);
  }
  static constexpr bool kGroupRows = true;  // whole column groups row by row (group_sums)
  void group_block(const char* base, int64_t sx, int64_t r0, int m, int ncol, S* out) const {
    if constexpr (is_float_v<T>) {
      group_sums<T>(base, sx, r0, m, ncol, out);
    } else {
      for (int c = 0; c < ncol; ++c) out[c] = 0;
      for (int i = 0; i < m; ++i) {
        const T* row = reinterpret_cast<const T*>(base + (r0 + i) * sx);
        for (int c = 0; c < ncol; ++c) out[c] += static_cast<uint64_t>(static_cast<int64_t>(row[c]));
      }
    }
  }
  S merge(const S& a, const S& b) const { return a + b; }
  void finish(const S& s, int64_t, char* res) const {
    if constexpr (is_float_v<T>)
      *reinterpret_cast<double*>(res) = s;
    else
      *reinterpret_cast<int64_t*>(res) = static_cast<int64_t>(s);
  }
};

template <class T>
struct MeanOp {
  static constexpr bool kCascade = true;
  static constexpr int kResBytes = 8;
  using S = double;
  S identity() const { return 0.0; }
  S block(const T* x, const T*, int m, int64_t, const S&) const {
    return lane_total(x, m);
  }
  template <int R>
  void blocks(const T* const* x, const T* const*, int m, S* out) const {
    lane_totals<R>(x, m, out);
  }
  static constexpr bool kGroupRows = true;
  void group_block(const char* base, int64_t sx, int64_t r0, int m, int ncol, S* out) const {
    group_sums<T>(base, sx, r0, m, ncol, out);
  }
  S merge(const S& a, const S& b) const { return a + b; }
  void finish(const S& s, int64_t n, char* res) const {
    *reinterpret_cast<double*>(res) = n > 0 ? s / static_cast<double>(n) : std::numeric_limits<double>::quiet_NaN();
  }
};

/// Count, mean and sum of squared deviations; merged with Chan et al.'s formula.
struct Moments {
  double n = 0, mean = 0, m2 = 0;
};

constexpr int kPivot = 16;  // values whose mean is a var block's pivot

template <class T>
struct VarOp {
  static constexpr bool kCascade = true;
  static constexpr int kResBytes = 8;
  using S = Moments;
  double ddof = 0.0;
  bool take_sqrt = false;
  S identity() const { return S{}; }
  double shift = 0.0;  // the row's first element: keeps block means small (large offsets)
  VarOp row(const T* first) const {
    VarOp r = *this;
    r.shift = to_d(*first);
    return r;
  }
  S block(const T* x, const T*, int m, int64_t, const S&) const {
    const double p = pivot(x, m);
    double s1, s2;
    lane_moments(x, m, p, s1, s2);
    return from_pass(x, m, p, s1, s2);
  }
  template <int R>
  void blocks(const T* const* x, const T* const*, int m, S* out) const {
    double p[R], s1[R], s2[R];
    for (int s = 0; s < R; ++s) p[s] = pivot(x[s], m);
    lane_moments_streams<R>(x, m, p, s1, s2);
    for (int s = 0; s < R; ++s) out[s] = from_pass(x[s], m, p[s], s1[s], s2[s]);
  }
  /// x[i] - shift, as a function of i.
  auto shifted(const T* x) const {
    return [x, k = shift](int i) { return to_d(x[i]) - k; };
  }
  /// The one-pass sums' pivot of block x[0, m): shift + block_pivot.
  double pivot(const T* x, int m) const { return shift + block_pivot(m, shifted(x)); }
  /// The block's state from its sums about p (two passes where they cancel).
  S from_pass(const T* x, int m, double p, double s1, double s2) const {
    if (!one_pass_ok(s1, s2, m)) return two_pass(m, shifted(x));
    return from_sums(m, p - shift, s1, s2);
  }
  /// Near the block's mean: the mean of its first kPivot (shifted) values,
  /// summed in order. The pivot of the one-pass sums is shift + this (rounded:
  /// any value near the mean does).
  template <class Y>
  static double block_pivot(int m, Y&& y) {
    const int q = std::min(m, kPivot);
    double c = 0.0;
    for (int i = 0; i < q; ++i) c += y(i);
    return c / q;
  }
  /// One pass: m2 = s2 - s1^2 / m about the pivot c. Exact enough unless that
  /// cancels: s1^2 / m (the pivot's distance from the mean, squared, times m)
  /// is at most a quarter of s2, so m2 keeps three quarters of s2 and its
  /// error stays a few ulps of s2. NaN / inf: not ok (the two passes decide).
  static bool one_pass_ok(double s1, double s2, int m) { return std::isfinite(s2) && s1 * s1 <= 0.25 * s2 * m; }
  /// The state from the sums about the pivot, c = pivot - shift.
  static S from_sums(int m, double c, double s1, double s2) {
    return S{static_cast<double>(m), c + s1 / m, s2 - s1 * (s1 / m)};
  }
  /// Two passes over the block (in L1): the mean, then the squared deviations.
  template <class Y>
  static S two_pass(int m, Y&& y) {
    const double mean = lane_sum(m, y) / m;
    const double m2 = lane_sum(m, [&y, mean](int i) {
      const double d = y(i) - mean;
      return d * d;
    });
    return S{static_cast<double>(m), mean, m2};
  }
  static constexpr bool kTile = true;
  void tile_block(const char* base, int64_t sx, int64_t r0, int m, S* out) const {
    // the row path's block() for each column: same pivots, lanes and order
    double k[kTileW], p[kTileW], s1[kTileW], s2[kTileW];
    for (int col = 0; col < kTileW; ++col) {
      k[col] = to_d(reinterpret_cast<const T*>(base)[col]);  // each column's first element
      const double kc = k[col];
      p[col] = kc + block_pivot(m, [&](int i) { return to_d(reinterpret_cast<const T*>(base + (r0 + i) * sx)[col]) - kc; });
    }
    tile_lane_sums<T>(base, sx, r0, m, [&p](double v, int col, double a) { return a + (v - p[col]); }, s1);
    tile_lane_sums<T>(base, sx, r0, m, [&p](double v, int col, double a) {
      const double d = v - p[col];
      return madd(d, d, a);  // as lane_moments
    }, s2);
    bool all_ok = true;
    for (int col = 0; col < kTileW; ++col) all_ok &= one_pass_ok(s1[col], s2[col], m);
    double mean[kTileW], m2[kTileW];
    if (!all_ok) {  // rare: the two-pass form, for the columns that need it
      tile_lane_sums<T>(base, sx, r0, m, [&k](double v, int col, double a) { return a + (v - k[col]); }, mean);
      for (int col = 0; col < kTileW; ++col) mean[col] /= m;
      tile_lane_sums<T>(base, sx, r0, m, [&k, &mean](double v, int col, double a) {
        const double d = (v - k[col]) - mean[col];
        return a + d * d;
      }, m2);
    }
    for (int col = 0; col < kTileW; ++col)
      out[col] = one_pass_ok(s1[col], s2[col], m) ? from_sums(m, p[col] - k[col], s1[col], s2[col])
                                                  : S{static_cast<double>(m), mean[col], m2[col]};
  }
  S merge(const S& a, const S& b) const {
    if (a.n == 0) return b;
    if (b.n == 0) return a;
    const double n = a.n + b.n, d = b.mean - a.mean;
    return S{n, a.mean + d * (b.n / n), a.m2 + b.m2 + d * d * (a.n * b.n / n)};
  }
  void finish(const S& s, int64_t n, char* res) const {
    double v;
    if (n == 0) {
      v = std::numeric_limits<double>::quiet_NaN();
    } else {
      const double dof = std::max(static_cast<double>(n) - ddof, 0.0);
      v = s.m2 / dof;
      if (take_sqrt) v = std::sqrt(v);
    }
    *reinterpret_cast<double*>(res) = v;
  }
};


/// min/max value; NaN (floats) propagates.
template <class T, bool Max>
struct ExtremeOp {
  static constexpr bool kCascade = false;
  static constexpr bool kAnyBlock = true;
  static constexpr int kResBytes = sizeof(T);
  struct S {
    T v;
    bool any;
  };
  S identity() const { return S{T(0), false}; }
  S block(const T* x, const T*, int m, int64_t, const S&) const {
    const BlockExt<T> e = block_ext<T, Max>(x, m);
    if (e.nan) return S{std::numeric_limits<T>::quiet_NaN(), true};
    return S{e.v, true};
  }
  static constexpr bool kGroupRows = true;  // whole column groups row by row
  /// The states of rows [r0, r0 + m) of ncol adjacent columns.
  void group_block(const char* base, int64_t sx, int64_t r0, int m, int ncol, S* out) const {
    T best[kWideGroup];
    bool nan[kWideGroup];
    group_extreme<T, Max>(base, sx, r0, m, ncol, best, nan);
    for (int c = 0; c < ncol; ++c) out[c] = S{nan[c] ? std::numeric_limits<T>::quiet_NaN() : best[c], true};
  }
  S merge(const S& a, const S& b) const {
    if (!a.any) return b;
    if (!b.any) return a;
    if constexpr (is_float_v<T>) {
      if (a.v != a.v) return a;
      if (b.v != b.v) return b;
    }
    return (Max ? b.v > a.v : b.v < a.v) ? b : a;
  }
  void finish(const S& s, int64_t, char* res) const { *reinterpret_cast<T*>(res) = s.v; }
};

/// argmin/argmax: the first extreme, or the first NaN.
template <class T, bool Max>
struct ArgOp {
  static constexpr bool kCascade = false;
  static constexpr bool kAnyBlock = true;
  static constexpr int kResBytes = 8;
  struct S {
    T v;
    int64_t idx;  // -1: no element yet, or a block that cannot win (see block)
    bool any;
  };
  S identity() const { return S{T(0), -1, false}; }
  static bool isnan_(T v) {
    if constexpr (is_float_v<T>)
      return v != v;
    else
      return false;
  }
  S block(const T* x, const T* y, int m, int64_t i0, const S& prev) const {
    if (prev.any && isnan_(prev.v)) return S{prev.v, -1, false};  // a NaN already won
    // Sub-blocks in order: only the one where the extreme last strictly
    // improved is searched (a NaN sub-block is searched at once: it wins).
    constexpr int kSub = (1 << 15) / sizeof(T);  // 32 KiB: few fixed costs, a short rescan (in L1 / L2)
    bool have = prev.any;
    T best = prev.v;
    int win = -1;  // start of the sub-block holding the first extreme of this block
    for (int s0 = 0; s0 < m; s0 += kSub) {
      const int len = std::min(kSub, m - s0);
      const BlockExt<T> e = block_ext<T, Max>(x + s0, len);
      if (e.nan) {
        const T nan = std::numeric_limits<T>::quiet_NaN();
        return S{nan, i0 + s0 + find_first(x + s0, len, nan), true};
      }
      if (!have || (Max ? e.v > best : e.v < best)) {
        best = e.v;
        win = s0;
        have = true;
      }
    }
    // no sub-block strictly beats what came before: this block cannot hold the first extreme
    if (win < 0) return S{best, -1, false};
    return S{best, i0 + win + find_first(x + win, std::min(kSub, m - win), best), true};
  }
  static constexpr bool kTile = true;
  void tile_block(const char* base, int64_t sx, int64_t r0, int m, S* out) const {
    T best[kTileW];
    int64_t idx[kTileW];
    bool nan[kTileW];
    tile_extreme<T, Max>(base, sx, r0, m, best, idx, nan);
    for (int c = 0; c < kTileW; ++c) out[c] = S{nan[c] ? std::numeric_limits<T>::quiet_NaN() : best[c], idx[c], true};
  }
  S merge(const S& a, const S& b) const {
    if (!a.any) return b;
    if (!b.any) return a;
    if (isnan_(a.v)) return a;
    if (isnan_(b.v)) return b;
    return (Max ? b.v > a.v : b.v < a.v) ? b : a;
  }
  void finish(const S& s, int64_t, char* res) const { *reinterpret_cast<int64_t*>(res) = s.any ? s.idx : -1; }
};

/// sum(x * y): float in double, integers wrapping in 64 bits.
template <class T>
struct DotOp : SumOp<T> {
  using typename SumOp<T>::S;
  static constexpr bool kGroupRows = false;
  S block(const T* x, const T* y, int m, int64_t, const S&) const {
    if constexpr (is_float_v<T>)
      return lane_accumulate(x, y, m, DotTerm{});
    else
      return lane_sum_u64(m, [x, y](int i) {
        return static_cast<uint64_t>(static_cast<int64_t>(x[i])) * static_cast<uint64_t>(static_cast<int64_t>(y[i]));
      });
  }
  template <int R>
  void blocks(const T* const* x, const T* const* y, int m, S* out) const {
    lane_accumulate_streams<R>(x, y, m, DotTerm{}, out);
  }
};


/// sum((x - y)**2) in double.
template <class T>
struct SqdistOp : MeanOp<T> {
  using S = double;
  static constexpr bool kGroupRows = false;  // (nor Norm1Op, derived from it)
  S block(const T* x, const T* y, int m, int64_t, const S&) const { return lane_accumulate(x, y, m, SqdistTerm{}); }
  template <int R>
  void blocks(const T* const* x, const T* const* y, int m, S* out) const {
    lane_accumulate_streams<R>(x, y, m, SqdistTerm{}, out);
  }
  void finish(const S& s, int64_t, char* res) const { *reinterpret_cast<double*>(res) = s; }
};

/// sum(|x|) in double.
template <class T>
struct Norm1Op : SqdistOp<T> {
  using S = double;
  S block(const T* x, const T*, int m, int64_t, const S&) const {
    return lane_sum(m, [x](int i) { return std::fabs(to_d(x[i])); });
  }
};

/// Largest |x| of a block in double, NaN if the block holds one.
template <class T>
inline double block_absmax(const T* x, int m) {
  if (block_has_nan(x, m)) return std::numeric_limits<double>::quiet_NaN();
  if constexpr (std::is_same<T, double>::value)
    return CMapA<double>(x, m).abs().maxCoeff();
  else
    return CMapA<T>(x, m).template cast<double>().abs().maxCoeff();
}

/// max(|x|), NaN propagating.
template <class T>
struct NormInfOp {
  static constexpr bool kCascade = false;
  static constexpr int kResBytes = 8;
  using S = double;
  S identity() const { return 0.0; }
  S block(const T* x, const T*, int m, int64_t, const S&) const { return block_absmax(x, m); }
  S merge(const S& a, const S& b) const {
    if (a != a) return a;
    if (b != b) return b;
    return b > a ? b : a;
  }
  void finish(const S& s, int64_t, char* res) const { *reinterpret_cast<double*>(res) = s; }
};

/// sqrt(sum(x**2)) without overflow or underflow: each block is scaled by a
/// power of two (exact) taken from its largest |x|; states are (2**e, ssq).
template <class T>
struct Norm2Op {
  static constexpr bool kCascade = true;
  static constexpr int kResBytes = 8;
  struct S {
    int e;
    double ssq;
    bool nan, inf;
  };
  S identity() const { return S{-100000, 0.0, false, false}; }
  S block(const T* x, const T*, int m, int64_t, const S&) const {
    // One unscaled pass first: a sum of squares in [2**-900, 2**900] neither
    // overflowed nor lost anything that matters to underflow (each flushed
    // square is < 2**-1022), and the same bits as the scaled pass (power-of-two
    // scaling is exact). Only other blocks are rescanned with scaling.
    return from_plain(x, m, lane_accumulate(x, static_cast<const T*>(nullptr), m, SquareTerm{}));
  }
  template <int R>
  void blocks(const T* const* x, const T* const*, int m, S* out) const {
    double plain[R];
    lane_accumulate_streams<R>(x, static_cast<const T* const*>(nullptr), m, SquareTerm{}, plain);
    for (int s = 0; s < R; ++s) out[s] = from_plain(x[s], m, plain[s]);
  }
  /// The state of block x[0, m) from its unscaled sum of squares.
  S from_plain(const T* x, int m, double plain) const {
    if (plain >= 0x1p-900 && plain <= 0x1p900) return S{0, plain, false, false};
    if (plain != plain) return S{-100000, 0.0, true, false};  // only a NaN element makes the sum NaN
    return scaled(x, m);
  }
  S scaled(const T* x, int m) const {
    const double amax = block_absmax(x, m);
    if (amax != amax) return S{-100000, 0.0, true, false};
    if (amax == std::numeric_limits<double>::infinity()) return S{-100000, 0.0, false, true};
    if (amax == 0.0) return identity();
    int e;
    std::frexp(amax, &e);
    e = std::max(e, -1020);
    const double mult = std::ldexp(1.0, -e);
    const double ssq = lane_accumulate(x, static_cast<const T*>(nullptr), m, [mult](V4d u, V4d, V4d acc) {
      const V4d v = u * mult;
      return madd(v, v, acc);
    });
    return S{e, ssq, false, false};
  }
  S merge(const S& a, const S& b) const {
    if (a.e == b.e) return S{a.e, a.ssq + b.ssq, a.nan || b.nan, a.inf || b.inf};
    S r{std::max(a.e, b.e), 0.0, a.nan || b.nan, a.inf || b.inf};
    r.ssq = std::ldexp(a.ssq, 2 * (a.e - r.e)) + std::ldexp(b.ssq, 2 * (b.e - r.e));
    return r;
  }
  void finish(const S& s, int64_t, char* res) const {
    double v;
    if (s.nan)
      v = std::numeric_limits<double>::quiet_NaN();
    else if (s.inf)
      v = std::numeric_limits<double>::infinity();
    else
      v = std::ldexp(std::sqrt(s.ssq), s.e);
    *reinterpret_cast<double*>(res) = v;
  }
};

/// log(sum(exp(x))) as scipy.special.logsumexp, in the log1p form around the
/// largest term (SciPy gh18295): a state is (m, t), the max and the sum of
/// exp(x - m) over every element but one equal to m (whose term is exactly 1),
/// plus NaN / +inf flags; the result is m + log1p(t), so a dominant term does
/// not swamp the small ones (log(1 + 4e-18) would be 0). m = -inf: no finite
/// element yet.
template <class T>
struct LseOp {
  static constexpr bool kCascade = true;
  static constexpr int kResBytes = 8;
  struct S {
    double m, t;
    bool nan, posinf;
  };
  static constexpr double kNegInf = -std::numeric_limits<double>::infinity();
  S identity() const { return S{kNegInf, 0.0, false, false}; }
  S block(const T* x, const T*, int m, int64_t, const S&) const {
    if constexpr (std::is_same_v<T, double>) {
      return of_doubles(x, m, x + m);  // a row's next block, or the next row
    } else {
      double buf[kLoopBlock];
      for (int i = 0; i < m; ++i) buf[i] = to_d(x[i]);
      return of_doubles(buf, m, nullptr);
    }
  }
  /// The state of m doubles but t, and the index of the term left out of t
  /// (the first largest, exactly 1; -1: t is 0).
  static S max_state(const double* d, int m, int& left_out) {
    left_out = -1;
    if (m == 0) return S{kNegInf, 0.0, false, false};
    const BlockExt<double> e = block_ext<double, true>(d, m);
    const double mx = e.v;
    S r{kNegInf, 0.0, e.nan, !e.nan && mx == std::numeric_limits<double>::infinity()};
    if (!r.nan && !r.posinf && mx != kNegInf) {
      r.m = mx;
      left_out = find_first(d, m, mx);
    }
    return r;
  }
  /// The state of m doubles: t in one pass of exp (vmath::exp_sum), ahead
  /// prefetched meanwhile (may be null).
  static S of_doubles(const double* d, int m, const double* ahead) {
    int k;
    S r = max_state(d, m, k);
    if (k >= 0) r.t = vmath::exp_sum<kLanes>(d, m, r.m, k, ahead);
    return r;
  }
  /// block() of g short rows at once (rows[j]: n contiguous elements, g * n <=
  /// kLoopBlock): the same states, with one exp over every row's elements.
  void rows_block(const T* const* rows, int g, int n, S* out) const {
    alignas(64) double buf[kLoopBlock];
    int left_out[kLoopBlock];  // per row: the index of the term left out of t, -1: no sum
    for (int j = 0; j < g; ++j) {
      double* b = buf + j * n;
      for (int i = 0; i < n; ++i) b[i] = to_d(rows[j][i]);
      out[j] = max_state(b, n, left_out[j]);
      if (left_out[j] >= 0)
        for (int i = 0; i < n; ++i) b[i] -= out[j].m;
    }
    vmath::exp_n(buf, buf, static_cast<int64_t>(g) * n);  // elementwise: each term as exp_sum computes it
    for (int j = 0; j < g; ++j) {
      if (left_out[j] < 0) continue;
      double* b = buf + j * n;
      b[left_out[j]] = 0.0;
      out[j].t = lane_sum(n, [b](int i) { return b[i]; });  // exp_sum's order
    }
  }
  /// The state of a's and b's elements, b's largest term (1) counted in t when a's max is not below b's.
  S merge(const S& a, const S& b) const {
    S r{0.0, 0.0, a.nan || b.nan, a.posinf || b.posinf};
    if (b.m == kNegInf) {
      r.m = a.m;
      r.t = a.t;
    } else if (a.m == kNegInf) {
      r.m = b.m;
      r.t = b.t;
    } else if (a.m >= b.m) {
      const double e = std::exp(b.m - a.m);
      r.m = a.m;
      r.t = a.t + (b.t * e + e);
    } else {
      const double e = std::exp(a.m - b.m);
      r.m = b.m;
      r.t = b.t + (a.t * e + e);
    }
    return r;
  }
  static double value(const S& s) {
    if (s.nan) return std::numeric_limits<double>::quiet_NaN();
    if (s.posinf) return std::numeric_limits<double>::infinity();
    if (s.m == kNegInf) return kNegInf;
    return s.m + std::log1p(s.t);
  }
  void finish(const S& s, int64_t, char* res) const { *reinterpret_cast<double*>(res) = value(s); }
};


/// The ops whose blocks() the row engine calls, and the blocks it reads at
/// once (runs_at_once of the op's inputs; 0: one at a time): listed here, so
/// an op derived from one of them (Norm1Op from SqdistOp) does not inherit a
/// blocks() that is not its block().
template <class Op>
constexpr int streamed_runs = 0;
template <class T>
constexpr int streamed_runs<SumOp<T>> = is_float_v<T> ? runs_at_once(1) : 0;
template <class T>
constexpr int streamed_runs<MeanOp<T>> = is_float_v<T> ? runs_at_once(1) : 0;
template <class T>
constexpr int streamed_runs<DotOp<T>> = is_float_v<T> ? runs_at_once(2) : 0;
template <class T>
constexpr int streamed_runs<SqdistOp<T>> = runs_at_once(2);
template <class T>
constexpr int streamed_runs<VarOp<T>> = runs_at_once(1);
template <class T>
constexpr int streamed_runs<Norm2Op<T>> = runs_at_once(1);

}  // namespace detail
}  // namespace gilfree
