// Typed loops: fused single-pass reductions, scans and elementwise kernels
// over int32, int64, float32 and float64 arrays of any shape and strides.
//
// Every reduction reads its input in blocks of kBlock elements whose
// boundaries depend only on the logical (C-order) index, never on memory
// layout or thread count. A block yields a small state (a sum, a
// (count, mean, M2) triple, a (max, scaled sum) pair, ...); block states are
// combined by a binary cascade (pairwise) inside a chunk of kChunk elements,
// and chunk states the same way in chunk order. Results are therefore
// bitwise identical for any number of threads. Floating-point work is done
// in double whatever the input type.
//
// Rows: an operand's shape is split into `nouter` leading dimensions, which
// index independent rows (one result per row), and the trailing dimensions,
// which a row reduces or scans in C order. nouter = 0 is the whole array.
#pragma once

#include <Eigen/Core>
#include <cmath>
#include <cstdint>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>


#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "runtime.hpp"
#include "strided.hpp"

namespace gilfree {

/// Reductions of kernels::reduce (codes shared with gilfree.loops).
enum class ReduceKind : int {
  sum = 0,
  mean,
  var,
  std_,
  min,
  max,
  argmin,
  argmax,
  dot,
  sqdist,
  norm1,
  norm2,
  norminf,
  logsumexp,
};

/// Operands of a loop over one shared shape (x, optional y and out).
/// The first `nouter` dimensions index rows; `res` receives one result per
/// row (contiguous, C order over the row dimensions) for reductions.
struct LoopArgs {
  NdShape shape;
  int nouter = 0;
  NdOperand x, y, out;
  char* res = nullptr;
};

namespace detail {

constexpr int64_t kLoopChunk = 1 << 15;  // elements per chunk: fixes every combination order
constexpr int kLoopBlock = 1024;         // elements per block (fits L1 with room to spare)
constexpr int kLanes = 16;               // independent accumulators of the vectorised loops

template <class T>
constexpr bool is_float_v = std::is_floating_point<T>::value;

/// Binary-counter pairwise combination of a sequence of states:
/// deterministic for a given sequence, error O(log n) for sums.
template <class S, class Op>
struct Cascade {
  S st[64];
  int lvl[64];
  int top = 0;
  void push(S s, const Op& op) {
    int l = 0;
    while (top > 0 && lvl[top - 1] == l) {
      s = op.merge(st[top - 1], s);
      --top;
      ++l;
    }
    st[top] = s;
    lvl[top++] = l;
  }
  S result(const Op& op) const {
    if (top == 0) return op.identity();
    S r = st[top - 1];
    for (int i = top - 2; i >= 0; --i) r = op.merge(st[i], r);
    return r;
  }
};

/// Sum of f(i) for i < m in kLanes independent lanes (vectorisable without
/// reassociation), lanes combined pairwise.
template <class F>
inline double lane_sum(int m, F&& f) {
  double acc[kLanes] = {};
  int i = 0;
  for (; i + kLanes <= m; i += kLanes)
    for (int k = 0; k < kLanes; ++k) acc[k] += f(i + k);
  for (int k = 0; k < kLanes && i + k < m; ++k) acc[k] += f(i + k);
  for (int w = kLanes / 2; w >= 1; w /= 2)  // pairwise over the lanes
    for (int k = 0; k < w; ++k) acc[k] += acc[k + w];
  return acc[0];
}

/// Sum of f(i) in wrapping 64-bit integer arithmetic.
template <class F>
inline uint64_t lane_sum_u64(int m, F&& f) {
  uint64_t acc[kLanes] = {};
  int i = 0;
  for (; i + kLanes <= m; i += kLanes)
    for (int k = 0; k < kLanes; ++k) acc[k] += f(i + k);
  for (int k = 0; k < kLanes && i + k < m; ++k) acc[k] += f(i + k);
  uint64_t s = 0;
  for (int k = 0; k < kLanes; ++k) s += acc[k];
  return s;
}

template <class T>
inline double to_d(T v) {
  return static_cast<double>(v);
}

// ---------------------------------------------------------------- column tiles
// A reduction over a non-last axis whose results are adjacent in memory
// (e.g. sum(x, axis=0) of a C-contiguous matrix) reads kTileW adjacent
// columns of each row at once. tile_block(base, sx, r0, m, out) gives, for
// each column c < kTileW (element (r, c) at base + r * sx + c * sizeof(T)),
// exactly the state op.block would give for rows [r0, r0 + m) of that column.

constexpr int kTileW = 8;  // columns per tile (one 512-bit vector of doubles)

/// lane_sum over rows [r0, r0 + m) of each of kTileW columns, same lanes and order.
#ifdef __AVX512F__
/// tile_lane_sums of the values themselves: the kLanes accumulators in registers.
template <class T>
inline void tile_lane_sums_plain(const char* base, int64_t sx, int64_t r0, int m, double* out) {
  static_assert(kLanes == 16 && kTileW == 8, "register tile layout");
  auto ld = [](const char* p) {
    if constexpr (std::is_same<T, double>::value)
      return _mm512_loadu_pd(reinterpret_cast<const double*>(p));
    else
      return _mm512_cvtps_pd(_mm256_loadu_ps(reinterpret_cast<const float*>(p)));
  };
  __m512d acc[kLanes];
  for (int k = 0; k < kLanes; ++k) acc[k] = _mm512_setzero_pd();
  const char* p = base + r0 * sx;
  int i = 0;
  for (; i + kLanes <= m; i += kLanes, p += kLanes * sx)
    for (int k = 0; k < kLanes; ++k) acc[k] = _mm512_add_pd(acc[k], ld(p + k * sx));
  for (int k = 0; k < kLanes && i + k < m; ++k) acc[k] = _mm512_add_pd(acc[k], ld(p + k * sx));
  for (int w = kLanes / 2; w >= 1; w /= 2)
    for (int k = 0; k < w; ++k) acc[k] = _mm512_add_pd(acc[k], acc[k + w]);
  _mm512_storeu_pd(out, acc[0]);
}
#endif

template <class T, class F>
inline void tile_lane_sums(const char* base, int64_t sx, int64_t r0, int m, F&& f, double* out) {
  double acc[kLanes][kTileW] = {};
  int i = 0;
  for (; i + kLanes <= m; i += kLanes)
    for (int k = 0; k < kLanes; ++k) {
      const T* row = reinterpret_cast<const T*>(base + (r0 + i + k) * sx);
      for (int c = 0; c < kTileW; ++c) acc[k][c] += f(to_d(row[c]), c);
    }
  for (int k = 0; k < kLanes && i + k < m; ++k) {
    const T* row = reinterpret_cast<const T*>(base + (r0 + i + k) * sx);
    for (int c = 0; c < kTileW; ++c) acc[k][c] += f(to_d(row[c]), c);
  }
  for (int w = kLanes / 2; w >= 1; w /= 2)
    for (int k = 0; k < w; ++k)
      for (int c = 0; c < kTileW; ++c) acc[k][c] += acc[k + w][c];
  for (int c = 0; c < kTileW; ++c) out[c] = acc[0][c];
}

/// tile_lane_sums of the values (float T).
template <class T>
inline void tile_sums(const char* base, int64_t sx, int64_t r0, int m, double* out) {
#ifdef __AVX512F__
  if constexpr (std::is_same<T, double>::value || std::is_same<T, float>::value)
    return tile_lane_sums_plain<T>(base, sx, r0, m, out);
#endif
  tile_lane_sums<T>(base, sx, r0, m, [](double v, int) { return v; }, out);
}

/// First extreme (or first NaN) of rows [r0, r0 + m) of each of kTileW columns.
template <class T, bool Max>
inline void tile_extreme(const char* base, int64_t sx, int64_t r0, int m, T* best, int64_t* idx, bool* nan) {
  const T* row0 = reinterpret_cast<const T*>(base + r0 * sx);
  for (int c = 0; c < kTileW; ++c) {
    best[c] = row0[c];
    idx[c] = r0;
    nan[c] = row0[c] != row0[c];
  }
  for (int i = 1; i < m; ++i) {
    const T* row = reinterpret_cast<const T*>(base + (r0 + i) * sx);
    const int64_t ri = r0 + i;
    for (int c = 0; c < kTileW; ++c) {  // branch-free (vectorised)
      const T v = row[c];
      const bool isn = v != v;
      const bool upd = (!nan[c]) & (isn | (Max ? v > best[c] : v < best[c]));
      best[c] = upd ? v : best[c];
      idx[c] = upd ? ri : idx[c];
      nan[c] = nan[c] | isn;
    }
  }
}

// ---------------------------------------------------------------- ops
// An op: S identity(); S block(const T* x, const T* y, int m, int64_t i0, const S& prev);
// S merge(const S& earlier, const S& later); void finish(const S&, int64_t n, char* res).
// kCascade: combine pairwise (inexact merges) or fold left (exact merges, where
// block() may use `prev`, the state of everything before the block in its chunk).

template <class T>
struct SumOp {
  static constexpr bool kCascade = is_float_v<T>;
  static constexpr int kResBytes = 8;
  using S = typename std::conditional<is_float_v<T>, double, uint64_t>::type;
  S identity() const { return S(0); }
  S block(const T* x, const T*, int m, int64_t, const S&) const {
    if constexpr (is_float_v<T>)
      return lane_sum(m, [x](int i) { return to_d(x[i]); });
    else
      return lane_sum_u64(m, [x](int i) { return static_cast<uint64_t>(static_cast<int64_t>(x[i])); });
  }
  static constexpr bool kTile = true;
  void tile_block(const char* base, int64_t sx, int64_t r0, int m, S* out) const {
    if constexpr (is_float_v<T>) {
      tile_sums<T>(base, sx, r0, m, out);
    } else {
      for (int c = 0; c < kTileW; ++c) out[c] = 0;
      for (int i = 0; i < m; ++i) {
        const T* row = reinterpret_cast<const T*>(base + (r0 + i) * sx);
        for (int c = 0; c < kTileW; ++c) out[c] += static_cast<uint64_t>(static_cast<int64_t>(row[c]));
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
    return lane_sum(m, [x](int i) { return to_d(x[i]); });
  }
  static constexpr bool kTile = true;
  void tile_block(const char* base, int64_t sx, int64_t r0, int m, S* out) const {
    tile_sums<T>(base, sx, r0, m, out);
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
    // two passes over the shifted block (in L1)
    const double k = shift;
    const double mean = lane_sum(m, [x, k](int i) { return to_d(x[i]) - k; }) / m;
    const double m2 = lane_sum(m, [x, k, mean](int i) {
      const double d = (to_d(x[i]) - k) - mean;
      return d * d;
    });
    return S{static_cast<double>(m), mean, m2};
  }
  static constexpr bool kTile = true;
  void tile_block(const char* base, int64_t sx, int64_t r0, int m, S* out) const {
    double k[kTileW], mean[kTileW], m2[kTileW];
    for (int c = 0; c < kTileW; ++c) k[c] = to_d(reinterpret_cast<const T*>(base)[c]);  // each column's first element
    tile_lane_sums<T>(base, sx, r0, m, [&k](double v, int c) { return v - k[c]; }, mean);
    for (int c = 0; c < kTileW; ++c) mean[c] /= m;
    tile_lane_sums<T>(base, sx, r0, m, [&k, &mean](double v, int c) {
      const double d = (v - k[c]) - mean[c];
      return d * d;
    }, m2);
    for (int c = 0; c < kTileW; ++c) out[c] = S{static_cast<double>(m), mean[c], m2[c]};
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

template <class T>
using CMapA = Eigen::Map<const Eigen::Array<T, Eigen::Dynamic, 1>>;

/// Whether a block holds a NaN: x * 0 is NaN only for NaN and +-inf, so one
/// vectorised sum decides, and only then is the block searched.
template <class T>
inline bool block_has_nan(const T* x, int m) {
  if constexpr (is_float_v<T>) {
    const T probe = (CMapA<T>(x, m) * T(0)).sum();
    if (probe == probe) return false;
    for (int j = 0; j < m; ++j)
      if (x[j] != x[j]) return true;
  }
  return false;
}

/// Largest (Max) or smallest element of a block without NaN (vectorised).
template <class T, bool Max>
inline T block_extreme(const T* x, int m) {
  if constexpr (is_float_v<T> || sizeof(T) == 4) {
    return Max ? CMapA<T>(x, m).maxCoeff() : CMapA<T>(x, m).minCoeff();
  } else {
    T acc[kLanes];
    for (int k = 0; k < kLanes; ++k) acc[k] = x[0];
    int i = 0;
    for (; i + kLanes <= m; i += kLanes)
      for (int k = 0; k < kLanes; ++k) {
        const T v = x[i + k];
        acc[k] = Max ? (v > acc[k] ? v : acc[k]) : (v < acc[k] ? v : acc[k]);
      }
    for (; i < m; ++i) acc[0] = Max ? (x[i] > acc[0] ? x[i] : acc[0]) : (x[i] < acc[0] ? x[i] : acc[0]);
    T r = acc[0];
    for (int k = 1; k < kLanes; ++k) r = Max ? (acc[k] > r ? acc[k] : r) : (acc[k] < r ? acc[k] : r);
    return r;
  }
}

// ---------------------------------------------------------------- block extremes
// One pass per block finds its extreme and whether it holds a NaN (floats):
// AVX-512 intrinsics where the build targets them, else plain lane loops
// (auto-vectorised). Exact operations: any order gives the same result.

/// Extreme of a block and whether it holds a NaN.
template <class T>
struct BlockExt {
  T v;
  bool nan;
};

template <class T, bool Max>
inline T pick(T a, T b) {  // the better of two non-NaN values (a on ties)
  return (Max ? b > a : b < a) ? b : a;
}

/// Portable one-pass extreme + NaN flag of x[0..m), m >= 1.
template <class T, bool Max>
inline BlockExt<T> block_ext_generic(const T* x, int m) {
  T acc[kLanes];
  unsigned char nanl[kLanes] = {};
  for (int k = 0; k < kLanes; ++k) acc[k] = x[0];
  int i = 0;
  for (; i + kLanes <= m; i += kLanes)
    for (int k = 0; k < kLanes; ++k) {
      const T v = x[i + k];
      acc[k] = (Max ? v > acc[k] : v < acc[k]) ? v : acc[k];
      if constexpr (is_float_v<T>) nanl[k] |= static_cast<unsigned char>(v != v);
    }
  bool nan = false;
  for (; i < m; ++i) {
    acc[0] = pick<T, Max>(acc[0], x[i]);
    if constexpr (is_float_v<T>) nan |= x[i] != x[i];
  }
  T r = acc[0];
  for (int k = 1; k < kLanes; ++k) r = pick<T, Max>(r, acc[k]);
  for (int k = 0; k < kLanes; ++k) nan |= nanl[k] != 0;
  return BlockExt<T>{r, nan};
}

/// Index of the first element equal to t (or the first NaN if t is NaN), or -1.
template <class T>
inline int find_first_generic(const T* x, int m, T t) {
  if (t != t) {
    for (int i = 0; i < m; ++i)
      if (x[i] != x[i]) return i;
  } else {
    for (int i = 0; i < m; ++i)
      if (x[i] == t) return i;
  }
  return -1;
}

#ifdef __AVX512F__
template <class T>
struct V512;
template <>
struct V512<double> {
  using V = __m512d;
  static constexpr int L = 8;
  static V load(const double* p) { return _mm512_loadu_pd(p); }
  static V set1(double v) { return _mm512_set1_pd(v); }
  static V vmax(V a, V b) { return _mm512_max_pd(a, b); }
  static V vmin(V a, V b) { return _mm512_min_pd(a, b); }
  static uint32_t unord(V a, V b) { return _mm512_cmp_pd_mask(a, b, _CMP_UNORD_Q); }
  static uint32_t eq(V a, V b) { return _mm512_cmp_pd_mask(a, b, _CMP_EQ_OQ); }
  static double hmax(V a) { return _mm512_reduce_max_pd(a); }
  static double hmin(V a) { return _mm512_reduce_min_pd(a); }
};
template <>
struct V512<float> {
  using V = __m512;
  static constexpr int L = 16;
  static V load(const float* p) { return _mm512_loadu_ps(p); }
  static V set1(float v) { return _mm512_set1_ps(v); }
  static V vmax(V a, V b) { return _mm512_max_ps(a, b); }
  static V vmin(V a, V b) { return _mm512_min_ps(a, b); }
  static uint32_t unord(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_UNORD_Q); }
  static uint32_t eq(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_EQ_OQ); }
  static float hmax(V a) { return _mm512_reduce_max_ps(a); }
  static float hmin(V a) { return _mm512_reduce_min_ps(a); }
};
template <>
struct V512<int32_t> {
  using V = __m512i;
  static constexpr int L = 16;
  static V load(const int32_t* p) { return _mm512_loadu_si512(p); }
  static V set1(int32_t v) { return _mm512_set1_epi32(v); }
  static V vmax(V a, V b) { return _mm512_max_epi32(a, b); }
  static V vmin(V a, V b) { return _mm512_min_epi32(a, b); }
  static uint32_t unord(V, V) { return 0; }
  static uint32_t eq(V a, V b) { return _mm512_cmpeq_epi32_mask(a, b); }
  static int32_t hmax(V a) { return _mm512_reduce_max_epi32(a); }
  static int32_t hmin(V a) { return _mm512_reduce_min_epi32(a); }
};
template <>
struct V512<int64_t> {
  using V = __m512i;
  static constexpr int L = 8;
  static V load(const int64_t* p) { return _mm512_loadu_si512(p); }
  static V set1(int64_t v) { return _mm512_set1_epi64(v); }
  static V vmax(V a, V b) { return _mm512_max_epi64(a, b); }
  static V vmin(V a, V b) { return _mm512_min_epi64(a, b); }
  static uint32_t unord(V, V) { return 0; }
  static uint32_t eq(V a, V b) { return _mm512_cmpeq_epi64_mask(a, b); }
  static int64_t hmax(V a) { return _mm512_reduce_max_epi64(a); }
  static int64_t hmin(V a) { return _mm512_reduce_min_epi64(a); }
};

template <class T, bool Max>
inline BlockExt<T> block_ext_avx512(const T* x, int m) {
  using W = V512<T>;
  using V = typename W::V;
  constexpr int L = W::L;
  auto ext = [](V a, V b) { return Max ? W::vmax(a, b) : W::vmin(a, b); };
  V a0 = W::set1(x[0]), a1 = a0, a2 = a0, a3 = a0;
  uint32_t nanm = 0;
  // scalar head up to a 64-byte boundary: aligned loads never split a cache line
  int i = std::min<int>(m, static_cast<int>((64 - reinterpret_cast<uintptr_t>(x) % 64) % 64 / sizeof(T)));
  T head = x[0];
  bool head_nan = false;
  for (int j = 0; j < i; ++j) {
    head = pick<T, Max>(head, x[j]);
    if constexpr (is_float_v<T>) head_nan |= x[j] != x[j];
  }
  for (; i + 4 * L <= m; i += 4 * L) {
    const V v0 = W::load(x + i), v1 = W::load(x + i + L), v2 = W::load(x + i + 2 * L), v3 = W::load(x + i + 3 * L);
    a0 = ext(a0, v0);
    a1 = ext(a1, v1);
    a2 = ext(a2, v2);
    a3 = ext(a3, v3);
    if constexpr (is_float_v<T>) nanm |= W::unord(v0, v1) | W::unord(v2, v3);
  }
  for (; i + L <= m; i += L) {
    const V v = W::load(x + i);
    a0 = ext(a0, v);
    if constexpr (is_float_v<T>) nanm |= W::unord(v, v);
  }
  a0 = ext(ext(a0, a1), ext(a2, a3));
  T r = pick<T, Max>(head, Max ? W::hmax(a0) : W::hmin(a0));
  bool nan = nanm != 0 || head_nan;
  for (; i < m; ++i) {
    r = pick<T, Max>(r, x[i]);
    if constexpr (is_float_v<T>) nan |= x[i] != x[i];
  }
  return BlockExt<T>{r, nan};
}

template <class T>
inline int find_first_avx512(const T* x, int m, T t) {
  using W = V512<T>;
  constexpr int L = W::L;
  const bool nan = t != t;
  const auto vt = W::set1(t);
  int i = 0;
  for (; i + L <= m; i += L) {
    const auto v = W::load(x + i);
    const uint32_t k = nan ? W::unord(v, v) : W::eq(v, vt);
    if (k) return i + __builtin_ctz(k);
  }
  const int j = find_first_generic(x + i, m - i, t);
  return j < 0 ? -1 : i + j;
}

template <class T>
constexpr bool has_v512_v =
    std::is_same<T, double>::value || std::is_same<T, float>::value || std::is_same<T, int32_t>::value ||
    std::is_same<T, int64_t>::value;
#else
template <class T>
constexpr bool has_v512_v = false;
#endif

/// Extreme (Max: largest) of x[0..m), m >= 1, and whether a NaN is among them.
template <class T, bool Max>
inline BlockExt<T> block_ext(const T* x, int m) {
#ifdef __AVX512F__
  if constexpr (has_v512_v<T>) return block_ext_avx512<T, Max>(x, m);
#endif
  return block_ext_generic<T, Max>(x, m);
}

/// Index of the first element equal to t, or of the first NaN if t is NaN; -1 if none.
template <class T>
inline int find_first(const T* x, int m, T t) {
#ifdef __AVX512F__
  if constexpr (has_v512_v<T>) return find_first_avx512(x, m, t);
#endif
  return find_first_generic(x, m, t);
}

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
  static constexpr bool kTile = true;
  void tile_block(const char* base, int64_t sx, int64_t r0, int m, S* out) const {
    T best[kTileW];
    int64_t idx[kTileW];
    bool nan[kTileW];
    tile_extreme<T, Max>(base, sx, r0, m, best, idx, nan);
    for (int c = 0; c < kTileW; ++c) out[c] = S{nan[c] ? std::numeric_limits<T>::quiet_NaN() : best[c], true};
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
    constexpr int kSub = 2048;
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
  static constexpr bool kTile = false;
  S block(const T* x, const T* y, int m, int64_t, const S&) const {
    if constexpr (is_float_v<T>)
      return lane_sum(m, [x, y](int i) { return to_d(x[i]) * to_d(y[i]); });
    else
      return lane_sum_u64(m, [x, y](int i) {
        return static_cast<uint64_t>(static_cast<int64_t>(x[i])) * static_cast<uint64_t>(static_cast<int64_t>(y[i]));
      });
  }
};


/// sum((x - y)**2) in double.
template <class T>
struct SqdistOp : MeanOp<T> {
  using S = double;
  static constexpr bool kTile = false;  // (nor Norm1Op, derived from it)
  S block(const T* x, const T* y, int m, int64_t, const S&) const {
    return lane_sum(m, [x, y](int i) {
      const double d = to_d(x[i]) - to_d(y[i]);
      return d * d;
    });
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
    const double amax = block_absmax(x, m);
    if (amax != amax) return S{-100000, 0.0, true, false};
    if (amax == std::numeric_limits<double>::infinity()) return S{-100000, 0.0, false, true};
    if (amax == 0.0) return identity();
    int e;
    std::frexp(amax, &e);
    e = std::max(e, -1020);
    const double mult = std::ldexp(1.0, -e);
    const double ssq = lane_sum(m, [x, mult](int i) {
      const double v = to_d(x[i]) * mult;
      return v * v;
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

/// log(sum(exp(x))) as scipy.special.logsumexp: a state is (max, sum of
/// exp(x - max)) plus NaN / +inf flags, merged with rescaling.
template <class T>
struct LseOp {
  static constexpr bool kCascade = true;
  static constexpr int kResBytes = 8;
  struct S {
    double m, s;
    bool nan, posinf;
  };
  S identity() const { return S{-std::numeric_limits<double>::infinity(), 0.0, false, false}; }
  S block(const T* x, const T*, int m, int64_t, const S&) const {
    alignas(64) double buf[kLoopBlock];
    for (int i = 0; i < m; ++i) buf[i] = to_d(x[i]);
    Eigen::Map<Eigen::ArrayXd, Eigen::Aligned64> d(buf, m);
    const double mx = d.maxCoeff<Eigen::PropagateNaN>();
    S r = identity();
    if (mx != mx)
      r.nan = true;
    else if (mx == std::numeric_limits<double>::infinity())
      r.posinf = true;
    else if (mx != -std::numeric_limits<double>::infinity()) {
      r.m = mx;
      r.s = (d - mx).exp().sum();
    }
    return r;
  }
  S merge(const S& a, const S& b) const {
    S r{0.0, 0.0, a.nan || b.nan, a.posinf || b.posinf};
    if (a.s == 0.0) {
      r.m = b.m;
      r.s = b.s;
    } else if (b.s == 0.0) {
      r.m = a.m;
      r.s = a.s;
    } else {
      r.m = std::max(a.m, b.m);
      r.s = a.s * std::exp(a.m - r.m) + b.s * std::exp(b.m - r.m);
    }
    return r;
  }
  static double value(const S& s) {
    if (s.nan) return std::numeric_limits<double>::quiet_NaN();
    if (s.posinf) return std::numeric_limits<double>::infinity();
    if (s.s == 0.0) return -std::numeric_limits<double>::infinity();
    return s.m + std::log(s.s);
  }
  void finish(const S& s, int64_t, char* res) const { *reinterpret_cast<double*>(res) = value(s); }
};

// ---------------------------------------------------------------- rows

/// An operand split into row dimensions (outer) and in-row dimensions (inner).
struct Rows {
  NdShape outer, inner;
  NdOperand ox, oy, oo;  // row strides
  NdOperand ix, iy, io;  // in-row strides; data = the operand's base pointer
  int64_t M = 1, n = 1;
};

inline Rows split_rows(const LoopArgs& a) {
  Rows r;
  const int no = a.nouter, nd = a.shape.ndim;
  r.outer.ndim = no;
  r.inner.ndim = nd - no;
  const NdOperand* src[3] = {&a.x, &a.y, &a.out};
  NdOperand* od[3] = {&r.ox, &r.oy, &r.oo};
  NdOperand* id[3] = {&r.ix, &r.iy, &r.io};
  for (int d = 0; d < nd; ++d) (d < no ? r.outer.shape[d] : r.inner.shape[d - no]) = a.shape.shape[d];
  for (int k = 0; k < 3; ++k) {
    od[k]->data = id[k]->data = src[k]->data;
    for (int d = 0; d < nd; ++d) (d < no ? od[k]->strides[d] : id[k]->strides[d - no]) = src[k]->strides[d];
  }
  r.M = r.outer.size();
  r.n = r.inner.size();
  NdOperand* oops[3] = {&r.ox, &r.oy, &r.oo};
  NdOperand* iops[3] = {&r.ix, &r.iy, &r.io};
  coalesce(r.outer, oops);
  coalesce(r.inner, iops);
  return r;
}

/// Byte offset of row r of an operand (C order over the row dimensions).
inline int64_t row_offset(const NdShape& outer, const NdOperand& op, int64_t r) {
  int64_t off = 0;
  for (int d = outer.ndim - 1; d >= 0; --d) {
    const int64_t len = outer.shape[d];
    off += (r % len) * op.strides[d];
    r /= len;
  }
  return off;
}

/// The op to use for one row (ops that depend on the row's first element
/// provide row(); the others are used as they are).
template <class T, class Op>
auto op_for_row(const Op& op, const char* first, int64_t n, int) -> decltype(op.row(static_cast<const T*>(nullptr))) {
  return n > 0 ? op.row(reinterpret_cast<const T*>(first)) : op;
}
template <class T, class Op>
const Op& op_for_row(const Op& op, const char*, int64_t, long) {
  return op;
}

/// Per-chunk copies of the in-row operands, pointed at one row at a time.
struct RowCursor {
  const Rows& R;
  NdOperand x, y, o;
  explicit RowCursor(const Rows& rows) : R(rows), x(rows.ix), y(rows.iy), o(rows.io) {}
  void seek(int64_t r) {
    if (R.ix.data) x.data = R.ix.data + row_offset(R.outer, R.ox, r);
    if (R.iy.data) y.data = R.iy.data + row_offset(R.outer, R.oy, r);
    if (R.io.data) o.data = R.io.data + row_offset(R.outer, R.oo, r);
  }
};

template <class T>
inline void copy_in(const char* src, int64_t stride, int64_t n, T* dst) {
  for (int64_t i = 0; i < n; ++i) dst[i] = *reinterpret_cast<const T*>(src + i * stride);
}

template <class T>
inline void copy_out(const T* src, int64_t n, char* dst, int64_t stride) {
  for (int64_t i = 0; i < n; ++i) *reinterpret_cast<T*>(dst + i * stride) = src[i];
}

/// Whether an op's result is the same for any block boundaries (exact
/// merges): it may then be given a whole contiguous run as one block.
template <class Op>
constexpr auto any_block_(int) -> decltype(Op::kAnyBlock, bool()) {
  return Op::kAnyBlock;
}
template <class Op>
constexpr bool any_block_(long) {
  return false;
}
template <class Op>
constexpr bool any_block() {
  return any_block_<Op>(0);
}

/// Reduces the in-row flat range [lo, hi) of one row to a state. Blocks start
/// at lo + k * kLoopBlock whatever the strides: the result depends on values only.
template <class T, class Op>
typename Op::S reduce_range(const NdShape& inner, NdOperand& x, NdOperand& y, int64_t lo, int64_t hi,
                            const Op& op) {
  using S = typename Op::S;
  if (lo >= hi) return op.identity();  // (for_segments needs a non-empty shape)
  Cascade<S, Op> cas;
  S fold = op.identity();
  alignas(64) T bx[kLoopBlock];
  alignas(64) T by[kLoopBlock];
  const bool has_y = y.data != nullptr;
  const int ax = inner.ndim - 1;
  const int64_t sx = x.strides[ax], sy = has_y ? y.strides[ax] : 0;
  const bool contig = sx == static_cast<int64_t>(sizeof(T)) && (!has_y || sy == static_cast<int64_t>(sizeof(T)));
  int fill = 0;
  int64_t bstart = lo;
  auto emit = [&](const T* px, const T* py, int m) {
    if constexpr (Op::kCascade)
      cas.push(op.block(px, py, m, bstart, fold), op);
    else
      fold = op.merge(fold, op.block(px, py, m, bstart, fold));
    bstart += m;
  };
  NdOperand* ops[2] = {&x, has_y ? &y : nullptr};
  for_segments(inner, ops, lo, hi, [&](char* const* p, int64_t cnt) {
    int64_t o = 0;
    while (o < cnt) {
      if (fill == 0 && contig && any_block<Op>() && cnt - o >= kLoopBlock) {  // exact op: one call per run
        emit(reinterpret_cast<const T*>(p[0]) + o, has_y ? reinterpret_cast<const T*>(p[1]) + o : nullptr,
             static_cast<int>(cnt - o));
        break;
      }
      if (fill == 0 && contig && cnt - o >= kLoopBlock) {
        emit(reinterpret_cast<const T*>(p[0]) + o, has_y ? reinterpret_cast<const T*>(p[1]) + o : nullptr, kLoopBlock);
        o += kLoopBlock;
        continue;
      }
      const int m = static_cast<int>(std::min<int64_t>(kLoopBlock - fill, cnt - o));
      copy_in<T>(p[0] + o * sx, sx, m, bx + fill);
      if (has_y) copy_in<T>(p[1] + o * sy, sy, m, by + fill);
      fill += m;
      o += m;
      if (fill == kLoopBlock) {
        emit(bx, has_y ? by : nullptr, fill);
        fill = 0;
      }
    }
  });
  if (fill) emit(bx, has_y ? by : nullptr, fill);
  if constexpr (Op::kCascade)
    return cas.result(op);
  else
    return fold;
}

/// Combines the part states of one row in order.
template <class Op>
typename Op::S combine_parts(const typename Op::S* parts, int64_t count, const Op& op) {
  if constexpr (Op::kCascade) {
    Cascade<typename Op::S, Op> cas;
    for (int64_t p = 0; p < count; ++p) cas.push(parts[p], op);
    return cas.result(op);
  } else {
    typename Op::S s = op.identity();
    for (int64_t p = 0; p < count; ++p) s = op.merge(s, parts[p]);
    return s;
  }
}

/// How rows are cut into chunks: long rows into parts of kLoopChunk
/// elements, short rows grouped kLoopChunk / n to a chunk.
struct Plan {
  int64_t parts = 1;  // chunks per row (long rows)
  int64_t rows = 1;   // rows per chunk (short rows)
  int64_t nchunks = 0;
  Plan(int64_t M, int64_t n) {
    if (n > kLoopChunk) {
      parts = (n + kLoopChunk - 1) / kLoopChunk;
      nchunks = M * parts;
    } else {
      rows = std::max<int64_t>(1, kLoopChunk / std::max<int64_t>(n, 1));
      nchunks = (M + rows - 1) / rows;
    }
  }
  bool long_rows() const { return parts > 1; }
};

template <class Op>
constexpr auto has_tile_(int) -> decltype(Op::kTile, bool()) {
  return Op::kTile;
}
template <class Op>
constexpr bool has_tile_(long) {
  return false;
}

/// Column-tile path (see tile_block): rows whose results are adjacent in
/// memory (the last row dimension has unit stride) and a single strided
/// in-row dimension. Chunks are (group of kGroup adjacent rows, part of
/// kLoopChunk elements); every row's blocks and parts are exactly those of
/// the row path, so the result is the same bits for any thread count and
/// either path. Returns false where it does not apply.
template <class T, class Op>
bool reduce_tiles(const LoopArgs& a, const Rows& R, const Op& op, const ExecContext& ctx) {
  using S = typename Op::S;
  constexpr int64_t kGroup = 32 * kTileW;  // rows (columns of the matrix) per chunk
  const int64_t M = R.M, n = R.n, w = sizeof(T);
  if (a.y.data || R.inner.ndim != 1 || R.outer.ndim < 1 || n < 2) return false;
  const int lo_d = R.outer.ndim - 1;
  const int64_t L = R.outer.shape[lo_d], sx = R.ix.strides[0];
  if (R.ox.strides[lo_d] != w || sx == w || L < kTileW) return false;
  const int64_t P = M / L, ngroups = (L + kGroup - 1) / kGroup;
  const int64_t parts = (n + kLoopChunk - 1) / kLoopChunk;
  std::vector<S> st(parts > 1 ? M * parts : 0);
  parallel_for(P * ngroups * parts, M * n, ctx, [&](int64_t ch) {
    const int64_t part = ch % parts, g = (ch / parts) % ngroups, pf = ch / parts / ngroups;
    const int64_t rb = pf * L + g * kGroup, re = pf * L + std::min(L, (g + 1) * kGroup);
    const int64_t lo = part * kLoopChunk, hi = std::min(n, lo + kLoopChunk);
    const int64_t ntile = (re - rb) / kTileW, rt = rb + ntile * kTileW;
    const char* base = R.ix.data + row_offset(R.outer, R.ox, rb);
    auto put = [&](int64_t r, const S& s) {
      if (parts > 1)
        st[r * parts + part] = s;
      else
        op.finish(s, n, a.res + r * Op::kResBytes);
    };
    // full tiles: blocks of kLoopBlock rows, all tiles of the group per block (the block stays in cache)
    std::vector<Cascade<S, Op>> cas(Op::kCascade ? ntile * kTileW : 0);
    std::vector<S> fold(Op::kCascade ? 0 : ntile * kTileW, op.identity());
    S bs[kTileW];
    for (int64_t b = lo; b < hi; b += kLoopBlock) {
      const int m = static_cast<int>(std::min<int64_t>(kLoopBlock, hi - b));
      for (int64_t t = 0; t < ntile; ++t) {
        op.tile_block(base + t * kTileW * w, sx, b, m, bs);
        for (int c = 0; c < kTileW; ++c) {
          if constexpr (Op::kCascade)
            cas[t * kTileW + c].push(bs[c], op);
          else
            fold[t * kTileW + c] = op.merge(fold[t * kTileW + c], bs[c]);
        }
      }
    }
    for (int64_t j = 0; j < ntile * kTileW; ++j) {
      if constexpr (Op::kCascade)
        put(rb + j, cas[j].result(op));
      else
        put(rb + j, fold[j]);
    }
    // the group's last few rows: the row path
    RowCursor cur(R);
    for (int64_t r = rt; r < re; ++r) {
      cur.seek(r);
      put(r, reduce_range<T>(R.inner, cur.x, cur.y, lo, hi, op_for_row<T>(op, cur.x.data, n, 0)));
    }
  });
  if (parts > 1)
    for (int64_t r = 0; r < M; ++r)
      op.finish(combine_parts(st.data() + r * parts, parts, op), n, a.res + r * Op::kResBytes);
  return true;
}

/// One result per row: op.finish writes it at args.res + row * Op::kResBytes.
template <class T, class Op>
void reduce_rows(const LoopArgs& a, const Op& op, const ExecContext& ctx) {
  using S = typename Op::S;
  const Rows R = split_rows(a);
  const int64_t M = R.M, n = R.n;
  if (M == 0) return;
  if constexpr (has_tile_<Op>(0))
    if (reduce_tiles<T>(a, R, op, ctx)) return;
  const Plan plan(M, n);
  const int64_t items = M * std::max<int64_t>(n, 1);
  if (plan.long_rows()) {
    std::vector<S> parts(plan.nchunks);
    parallel_for(plan.nchunks, items, ctx, [&](int64_t c) {
      RowCursor cur(R);
      const int64_t r = c / plan.parts, p = c % plan.parts;
      cur.seek(r);
      parts[c] = reduce_range<T>(R.inner, cur.x, cur.y, p * kLoopChunk, std::min(n, (p + 1) * kLoopChunk),
                                 op_for_row<T>(op, cur.x.data, n, 0));
    });
    for (int64_t r = 0; r < M; ++r)
      op.finish(combine_parts(parts.data() + r * plan.parts, plan.parts, op), n, a.res + r * Op::kResBytes);
  } else {
    parallel_for(plan.nchunks, items, ctx, [&](int64_t c) {
      RowCursor cur(R);
      for (int64_t r = c * plan.rows, e = std::min(M, (c + 1) * plan.rows); r < e; ++r) {
        cur.seek(r);
        op.finish(reduce_range<T>(R.inner, cur.x, cur.y, 0, n, op_for_row<T>(op, cur.x.data, n, 0)), n,
                  a.res + r * Op::kResBytes);
      }
    });
  }
}

/// Inclusive running sum of x into out over the in-row range [lo, hi), starting from acc.
template <class T, class O, class A>
A scan_range(const NdShape& inner, NdOperand& x, NdOperand& o, int64_t lo, int64_t hi, A acc, bool write) {
  NdOperand* ops[2] = {&x, &o};
  const int ax = inner.ndim - 1;
  const int64_t sx = x.strides[ax], so = o.strides[ax];
  for_segments(inner, ops, lo, hi, [&](char* const* p, int64_t cnt) {
    if constexpr (is_float_v<T>) {
      for (int64_t i = 0; i < cnt; ++i) {
        acc += to_d(*reinterpret_cast<const T*>(p[0] + i * sx));
        if (write) *reinterpret_cast<O*>(p[1] + i * so) = static_cast<O>(acc);
      }
    } else {
      for (int64_t i = 0; i < cnt; ++i) {
        acc += static_cast<uint64_t>(static_cast<int64_t>(*reinterpret_cast<const T*>(p[0] + i * sx)));
        if (write) *reinterpret_cast<O*>(p[1] + i * so) = static_cast<O>(static_cast<int64_t>(acc));
      }
    }
  });
  return acc;
}

}  // namespace detail

/// Reduction `kind` of every row of args.x (and args.y for dot / sqdist) into
/// args.res. `param` is ddof for var / std. Result types: double for float
/// sums and every float-valued reduction, int64 for integer sums / dot and
/// arg*, T for min / max.
template <class T>
void reduce(ReduceKind kind, const LoopArgs& a, double param, const ExecContext& ctx) {
  using namespace detail;
  switch (kind) {
    case ReduceKind::sum:
      return reduce_rows<T>(a, SumOp<T>{}, ctx);
    case ReduceKind::mean:
      return reduce_rows<T>(a, MeanOp<T>{}, ctx);
    case ReduceKind::var:
    case ReduceKind::std_: {
      VarOp<T> op;
      op.ddof = param;
      op.take_sqrt = kind == ReduceKind::std_;
      return reduce_rows<T>(a, op, ctx);
    }
    case ReduceKind::min:
      return reduce_rows<T>(a, ExtremeOp<T, false>{}, ctx);
    case ReduceKind::max:
      return reduce_rows<T>(a, ExtremeOp<T, true>{}, ctx);
    case ReduceKind::argmin:
      return reduce_rows<T>(a, ArgOp<T, false>{}, ctx);
    case ReduceKind::argmax:
      return reduce_rows<T>(a, ArgOp<T, true>{}, ctx);
    case ReduceKind::dot:
      if (!a.y.data) throw std::invalid_argument("b: missing");
      return reduce_rows<T>(a, DotOp<T>{}, ctx);
    case ReduceKind::sqdist:
      if (!a.y.data) throw std::invalid_argument("b: missing");
      return reduce_rows<T>(a, SqdistOp<T>{}, ctx);
    case ReduceKind::norm1:
      return reduce_rows<T>(a, Norm1Op<T>{}, ctx);
    case ReduceKind::norm2:
      return reduce_rows<T>(a, Norm2Op<T>{}, ctx);
    case ReduceKind::norminf:
      return reduce_rows<T>(a, NormInfOp<T>{}, ctx);
    case ReduceKind::logsumexp:
      return reduce_rows<T>(a, LseOp<T>{}, ctx);
  }
  throw std::invalid_argument("kind: unknown reduction");
}

/// Running sum of each row of args.x into args.out (int64 for integer T, T
/// for floats; integers wrap). Long rows: part totals, then part offsets.
template <class T>
void cumsum(const LoopArgs& a, const ExecContext& ctx) {
  using namespace detail;
  using O = typename std::conditional<is_float_v<T>, T, int64_t>::type;
  using A = typename std::conditional<is_float_v<T>, double, uint64_t>::type;
  const Rows R = split_rows(a);
  const int64_t M = R.M, n = R.n;
  if (M == 0 || n == 0) return;
  const Plan plan(M, n);
  if (plan.long_rows()) {
    std::vector<A> off(plan.nchunks);
    parallel_for(plan.nchunks, M * n, ctx, [&](int64_t c) {
      RowCursor cur(R);
      const int64_t p = c % plan.parts;
      cur.seek(c / plan.parts);
      off[c] = scan_range<T, O>(R.inner, cur.x, cur.o, p * kLoopChunk, std::min(n, (p + 1) * kLoopChunk), A(0), false);
    });
    for (int64_t r = 0; r < M; ++r) {  // exclusive prefix over each row's parts, in order
      A run = A(0);
      for (int64_t p = 0; p < plan.parts; ++p) {
        const A t = off[r * plan.parts + p];
        off[r * plan.parts + p] = run;
        run += t;
      }
    }
    parallel_for(plan.nchunks, M * n, ctx, [&](int64_t c) {
      RowCursor cur(R);
      const int64_t p = c % plan.parts;
      cur.seek(c / plan.parts);
      scan_range<T, O>(R.inner, cur.x, cur.o, p * kLoopChunk, std::min(n, (p + 1) * kLoopChunk), off[c], true);
    });
  } else {
    parallel_for(plan.nchunks, M * n, ctx, [&](int64_t c) {
      RowCursor cur(R);
      for (int64_t r = c * plan.rows, e = std::min(M, (c + 1) * plan.rows); r < e; ++r) {
        cur.seek(r);
        scan_range<T, O>(R.inner, cur.x, cur.o, 0, n, A(0), true);
      }
    });
  }
}

namespace detail {

/// out = exp(x - max) / sum(exp(x - max)) over [lo, hi) of one row; NaN when
/// the row's max is not finite (as scipy.special.softmax).
template <class T>
void softmax_range(const NdShape& inner, NdOperand& x, NdOperand& o, int64_t lo, int64_t hi,
                   const typename LseOp<T>::S& st) {
  NdOperand* ops[2] = {&x, &o};
  const int ax = inner.ndim - 1;
  const int64_t sx = x.strides[ax], so = o.strides[ax];
  const bool bad = st.nan || st.posinf || st.s == 0.0;
  const double mx = st.m, inv = st.s;
  alignas(64) double buf[kLoopBlock];
  for_segments(inner, ops, lo, hi, [&](char* const* p, int64_t cnt) {
    for (int64_t off = 0; off < cnt; off += kLoopBlock) {
      const int m = static_cast<int>(std::min<int64_t>(kLoopBlock, cnt - off));
      Eigen::Map<Eigen::ArrayXd, Eigen::Aligned64> d(buf, m);
      if (bad) {
        d.setConstant(std::numeric_limits<double>::quiet_NaN());
      } else {
        gather<T>(p[0] + off * sx, sx, m, buf);
        d = (d - mx).exp() / inv;
      }
      scatter<T>(buf, m, p[1] + off * so, so);
    }
  });
}

}  // namespace detail

/// scipy.special.softmax over each row of args.x into args.out (float T).
template <class T>
void softmax(const LoopArgs& a, const ExecContext& ctx) {
  using namespace detail;
  using Op = LseOp<T>;
  using S = typename Op::S;
  const Op op;
  const Rows R = split_rows(a);
  const int64_t M = R.M, n = R.n;
  if (M == 0 || n == 0) return;
  const Plan plan(M, n);
  if (plan.long_rows()) {
    std::vector<S> parts(plan.nchunks);
    parallel_for(plan.nchunks, M * n, ctx, [&](int64_t c) {
      RowCursor cur(R);
      const int64_t p = c % plan.parts;
      cur.seek(c / plan.parts);
      parts[c] = reduce_range<T>(R.inner, cur.x, cur.y, p * kLoopChunk, std::min(n, (p + 1) * kLoopChunk), op);
    });
    std::vector<S> row(M);
    for (int64_t r = 0; r < M; ++r) row[r] = combine_parts(parts.data() + r * plan.parts, plan.parts, op);
    parallel_for(plan.nchunks, M * n, ctx, [&](int64_t c) {
      RowCursor cur(R);
      const int64_t r = c / plan.parts, p = c % plan.parts;
      cur.seek(r);
      softmax_range<T>(R.inner, cur.x, cur.o, p * kLoopChunk, std::min(n, (p + 1) * kLoopChunk), row[r]);
    });
  } else {
    parallel_for(plan.nchunks, M * n, ctx, [&](int64_t c) {
      RowCursor cur(R);
      for (int64_t r = c * plan.rows, e = std::min(M, (c + 1) * plan.rows); r < e; ++r) {
        cur.seek(r);
        const S st = reduce_range<T>(R.inner, cur.x, cur.y, 0, n, op);
        softmax_range<T>(R.inner, cur.x, cur.o, 0, n, st);
      }
    });
  }
}

namespace detail {

/// Runs f(x, y, out, m) on contiguous blocks of every element of the shape
/// (strided operands go through block buffers). y may be absent.
template <class T, class F>
void map_elements(LoopArgs a, const ExecContext& ctx, F&& f) {
  NdShape& s = a.shape;
  const int64_t n = s.size();
  if (n == 0) return;
  NdOperand* ops[3] = {&a.x, a.y.data ? &a.y : nullptr, &a.out};
  coalesce(s, ops);
  const int ax = s.ndim - 1;
  const bool has_y = a.y.data != nullptr;
  const int64_t sx = a.x.strides[ax], sy = has_y ? a.y.strides[ax] : 0, so = a.out.strides[ax];
  const int64_t w = sizeof(T);
  const bool contig = sx == w && so == w && (!has_y || sy == w);
  const int64_t nchunks = (n + kLoopChunk - 1) / kLoopChunk;
  parallel_for(nchunks, n, ctx, [&](int64_t c) {
    alignas(64) T bx[kLoopBlock];
    alignas(64) T by[kLoopBlock];
    alignas(64) T bo[kLoopBlock];
    for_segments(s, ops, c * kLoopChunk, std::min(n, (c + 1) * kLoopChunk), [&](char* const* p, int64_t cnt) {
      if (contig) {
        f(reinterpret_cast<const T*>(p[0]), has_y ? reinterpret_cast<const T*>(p[1]) : nullptr,
          reinterpret_cast<T*>(p[2]), cnt);
        return;
      }
      for (int64_t o = 0; o < cnt; o += kLoopBlock) {
        const int m = static_cast<int>(std::min<int64_t>(kLoopBlock, cnt - o));
        copy_in<T>(p[0] + o * sx, sx, m, bx);
        if (has_y) copy_in<T>(p[1] + o * sy, sy, m, by);
        f(bx, has_y ? by : nullptr, bo, m);
        copy_out<T>(bo, m, p[2] + o * so, so);
      }
    });
  });
}

}  // namespace detail

/// out = alpha * x + y (float T), computed in double.
template <class T>
void axpy(double alpha, const LoopArgs& a, const ExecContext& ctx) {
  detail::map_elements<T>(a, ctx, [alpha](const T* x, const T* y, T* o, int64_t m) {
    for (int64_t i = 0; i < m; ++i) o[i] = static_cast<T>(alpha * static_cast<double>(x[i]) + static_cast<double>(y[i]));
  });
}

/// out = min(max(x, lo), hi) as np.clip: NaN in x stays NaN, a NaN bound
/// makes every element NaN. Float T use (lo, hi), integer T (ilo, ihi).
template <class T>
void clip(double lo, double hi, int64_t ilo, int64_t ihi, const LoopArgs& a, const ExecContext& ctx) {
  if constexpr (detail::is_float_v<T>) {
    const T l = static_cast<T>(lo), h = static_cast<T>(hi);
    const bool nan = lo != lo || hi != hi;
    detail::map_elements<T>(a, ctx, [l, h, nan](const T* x, const T*, T* o, int64_t m) {
      if (nan) {
        for (int64_t i = 0; i < m; ++i) o[i] = std::numeric_limits<T>::quiet_NaN();
        return;
      }
      for (int64_t i = 0; i < m; ++i) {
        T v = x[i];
        v = v < l ? l : v;
        v = v > h ? h : v;
        o[i] = v;
      }
    });
  } else {
    const T l = static_cast<T>(ilo), h = static_cast<T>(ihi);
    detail::map_elements<T>(a, ctx, [l, h](const T* x, const T*, T* o, int64_t m) {
      for (int64_t i = 0; i < m; ++i) {
        T v = x[i];
        v = v < l ? l : v;
        v = v > h ? h : v;
        o[i] = v;
      }
    });
  }
}

/// Counts of x (whole array) in `bins` uniform bins as np.histogram:
/// edges[0..bins] are the bin edges (in the bin dtype, as double), values
/// outside [first, last] are dropped, the last bin is closed.
template <class T>
void histogram(const LoopArgs& args, const double* edges, int64_t bins, double first, double last, int64_t* counts,
               const ExecContext& ctx) {
  using namespace detail;
  NdShape s = args.shape;
  NdOperand x = args.x;
  const int64_t n = s.size();
  for (int64_t b = 0; b < bins; ++b) counts[b] = 0;
  if (n == 0 || bins <= 0) return;
  NdOperand* ops[1] = {&x};
  coalesce(s, ops);
  const int ax = s.ndim - 1;
  const int64_t sx = x.strides[ax];
  const double denom = edges[bins] - edges[0];
  const double e0 = edges[0];
  // integer counts are exact: any chunking gives the same result
  const int64_t chunk = std::max<int64_t>(kLoopChunk, 4 * bins);
  const int64_t nchunks = (n + chunk - 1) / chunk;
  std::mutex mu;
  parallel_for(nchunks, n, ctx, [&](int64_t c) {
    std::vector<int64_t> local(bins, 0);
    for_segments(s, ops, c * chunk, std::min(n, (c + 1) * chunk), [&](char* const* p, int64_t cnt) {
      for (int64_t i = 0; i < cnt; ++i) {
        const double v = to_d(*reinterpret_cast<const T*>(p[0] + i * sx));
        if (!(v >= first && v <= last)) continue;
        int64_t k = static_cast<int64_t>((v - e0) / denom * static_cast<double>(bins));
        k = std::min(std::max<int64_t>(k, 0), bins - 1);
        if (v < edges[k])
          k = std::max<int64_t>(k - 1, 0);
        else if (k != bins - 1 && v >= edges[k + 1])
          ++k;
        ++local[k];
      }
    });
    std::lock_guard<std::mutex> lock(mu);
    for (int64_t b = 0; b < bins; ++b) counts[b] += local[b];
  });
}

}  // namespace gilfree
