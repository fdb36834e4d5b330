// Typed loops, SIMD block primitives: column-tile lane sums and extremes,
// and one-pass block extreme + NaN flag / first-index search (AVX-512
// intrinsics where the build targets it, portable loops otherwise).
#pragma once

#include <algorithm>
#include <cstring>
#include <type_traits>
#include <vector>

#include "loops_common.hpp"

namespace gilfree {
namespace detail {

/// LaneSum's sum of the terms f(u, w, acc) - acc over x (and y) for i < m,
/// f mapping vectors of 4 values and their lanes to the lanes plus the terms
/// (e.g. madd(u, w, acc) for a dot product). The padding, x = -0.0 and
/// y = +0.0 (y null: -0.0), must leave a lane as it is: acc + -0.0 and
/// madd(-0.0, +0.0, acc) do, even for a -0.0 lane (fused products that
/// underflow below zero); a padded square is +0.0, and a sum of squares is
/// never -0.0.
template <class T, class F>
inline double lane_accumulate(const T* x, const T* y, int m, F&& f) {
  LaneVecs a;
  for_lane_vectors(x, y, m, -0.0, 0.0, [&](int j, V4d u, V4d w, int) { a.v[j] = f(u, w, a.v[j]); });
  return a.total();
}

/// lane_accumulate of R runs at once, m a multiple of kLanes: out[s] =
/// lane_accumulate(x[s], y ? y[s] : null, m, f), the same bits.
template <int R, class T, class F>
inline void lane_accumulate_streams(const T* const* x, const T* const* y, int m, F&& f, double* out) {
  LaneVecs a[R];
  for_lane_vectors_streams<R>(x, y, m, [&](int s, int j, V4d u, V4d w, int) { a[s].v[j] = f(u, w, a[s].v[j]); });
  for (int s = 0; s < R; ++s) out[s] = a[s].total();
}

/// One value group's terms of lane_moments: d = u - p into a, d^2 into b.
inline void add_moments(V4d u, double p, V4d& a, V4d& b) {
  const V4d d = u - p;
  a += d;
  b = madd(d, d, b);
}

/// Sums of d and d^2, d = x[i] - p for i < m, in one pass: LaneSum's lanes
/// and order for each (d^2 added with madd).
template <class T>
inline void lane_moments(const T* x, int m, double p, double& s1, double& s2) {
  LaneVecs a, b;
  // padded with p: d = +0.0, and neither sum is ever -0.0
  for_lane_vectors(x, static_cast<const T*>(nullptr), m, p, p,
                   [&](int j, V4d u, V4d, int) { add_moments(u, p, a.v[j], b.v[j]); });
  s1 = a.total();
  s2 = b.total();
}

/// lane_moments of R runs at once, run s about p[s], m a multiple of kLanes:
/// the same bits as each alone.
template <int R, class T>
inline void lane_moments_streams(const T* const* x, int m, const double* p, double* s1, double* s2) {
  LaneVecs a[R], b[R];
  for_lane_vectors_streams<R>(x, static_cast<const T* const*>(nullptr), m,
                              [&](int s, int j, V4d u, V4d, int) { add_moments(u, p[s], a[s].v[j], b[s].v[j]); });
  for (int s = 0; s < R; ++s) {
    s1[s] = a[s].total();
    s2[s] = b[s].total();
  }
}

// ---------------------------------------------------------------- column tiles
// A reduction over a non-last axis whose results are adjacent in memory
// (e.g. sum(x, axis=0) of a C-contiguous matrix) reads kTileW adjacent
// columns of each row at once. tile_block(base, sx, r0, m, out) gives, for
// each column c < kTileW (element (r, c) at base + r * sx + c * sizeof(T)),
// exactly the state op.block would give for rows [r0, r0 + m) of that column.

constexpr int kTileW = 8;  // columns per tile (one 512-bit vector of doubles)

/// For each of kTileW columns, the lanes acc <- f(v, c, acc) over rows [r0,
/// r0 + m) (v the element as a double, c the column), combined: the lanes and
/// order of lane_sum and of for_lane_vectors.
template <class T, class F>
inline void tile_lane_sums(const char* base, int64_t sx, int64_t r0, int m, F&& f, double* out) {
  double acc[kLanes][kTileW] = {};
  int i = 0;
  for (; i + kLanes <= m; i += kLanes)
    for (int k = 0; k < kLanes; ++k) {
      const T* row = reinterpret_cast<const T*>(base + (r0 + i + k) * sx);
      for (int c = 0; c < kTileW; ++c) acc[k][c] = f(to_d(row[c]), c, acc[k][c]);
    }
  for (int k = 0; k < kLanes && i + k < m; ++k) {
    const T* row = reinterpret_cast<const T*>(base + (r0 + i + k) * sx);
    for (int c = 0; c < kTileW; ++c) acc[k][c] = f(to_d(row[c]), c, acc[k][c]);
  }
  for (int w = kLanes / 2; w >= 1; w /= 2)
    for (int k = 0; k < w; ++k)
      for (int c = 0; c < kTileW; ++c) acc[k][c] += acc[k + w][c];
  for (int c = 0; c < kTileW; ++c) out[c] = acc[0][c];
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

/// Portable one-pass extreme + NaN flag of x[0..m), m >= 1: 4 accumulators
/// of GCC vector type (32 bytes: AVX2 registers, two SSE ones below that).
/// Plain lane arrays with a NaN-flag array vectorised poorly (3x slower).
/// A long run is read from kStreams places at once (its quarters), as the
/// streamed sums are, into the same accumulators: the extreme and the NaN
/// flag do not depend on the order (which of +0.0 and -0.0 a tie keeps does,
/// as it does on the layout and the instruction set).
template <class T, bool Max>
inline BlockExt<T> block_ext_generic(const T* x, int m) {
  constexpr int L = 32 / sizeof(T);
  typedef T V __attribute__((vector_size(32)));
  typedef std::conditional_t<sizeof(T) == 8, int64_t, int32_t> I;
  typedef I Mask __attribute__((vector_size(32)));
  V acc[4];
  for (int j = 0; j < 4; ++j)
    for (int q = 0; q < L; ++q) acc[j][q] = x[0];
  Mask nm = {};
  const auto step = [&](const T* p) {  // 4 vectors from p
    for (int j = 0; j < 4; ++j) {
      V v;
      std::memcpy(&v, p + j * L, sizeof v);
      acc[j] = (Max ? v > acc[j] : v < acc[j]) ? v : acc[j];  // NaN compares false: kept out
      if constexpr (is_float_v<T>) nm |= v != v;
    }
  };
  // each stream's whole groups of 4 vectors (none for a run shorter than kStreams blocks)
  const int per = m >= kStreams * kLoopBlock ? m / kStreams / (4 * L) * (4 * L) : 0;
  for (int i = 0; i < per; i += 4 * L)
    for (int s = 0; s < kStreams; ++s) step(x + s * per + i);
  int i = kStreams * per;
  for (; i + 4 * L <= m; i += 4 * L) step(x + i);
  bool nan = false;
  T r = x[0];
  for (; i < m; ++i) {
    r = pick<T, Max>(r, x[i]);
    if constexpr (is_float_v<T>) nan |= x[i] != x[i];
  }
  for (int j = 0; j < 4; ++j)
    for (int q = 0; q < L; ++q) r = pick<T, Max>(r, acc[j][q]);
  for (int q = 0; q < L; ++q) nan |= nm[q] != 0;
  return BlockExt<T>{r, nan};
}

/// Index of the first element equal to t (or the first NaN if t is NaN), or
/// -1: groups of 4 vectors tested at once (no branch per element), then the
/// matching group searched.
template <class T>
inline int find_first_generic(const T* x, int m, T t) {
  constexpr int L = 32 / sizeof(T);
  typedef T V __attribute__((vector_size(32)));
  typedef std::conditional_t<sizeof(T) == 8, int64_t, int32_t> I;
  typedef I Mask __attribute__((vector_size(32)));
  const bool nan = t != t;
  int i = 0;
  for (; i + 4 * L <= m; i += 4 * L) {
    Mask hit = {};
    for (int j = 0; j < 4; ++j) {
      V v;
      std::memcpy(&v, x + i + j * L, sizeof v);
      hit |= nan ? Mask(v != v) : Mask(v == t);
    }
    bool any = false;
    for (int q = 0; q < L; ++q) any |= hit[q] != 0;
    if (any) break;
  }
  for (; i < m; ++i)
    if (nan ? x[i] != x[i] : x[i] == t) return i;
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
  static void store(double* p, V v) { _mm512_storeu_pd(p, v); }
  static V mask_load(V src, uint32_t k, const double* p) { return _mm512_mask_loadu_pd(src, static_cast<__mmask8>(k), p); }
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
  static void store(float* p, V v) { _mm512_storeu_ps(p, v); }
  static V mask_load(V src, uint32_t k, const float* p) { return _mm512_mask_loadu_ps(src, static_cast<__mmask16>(k), p); }
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
  static void store(int32_t* p, V v) { _mm512_storeu_si512(p, v); }
  static V mask_load(V src, uint32_t k, const int32_t* p) {
    return _mm512_mask_loadu_epi32(src, static_cast<__mmask16>(k), p);
  }
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
  static void store(int64_t* p, V v) { _mm512_storeu_si512(p, v); }
  static V mask_load(V src, uint32_t k, const int64_t* p) {
    return _mm512_mask_loadu_epi64(src, static_cast<__mmask8>(k), p);
  }
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
  constexpr uint32_t kAll = L == 32 ? ~0u : (1u << L) - 1;
  auto ext = [](V a, V b) { return Max ? W::vmax(a, b) : W::vmin(a, b); };
  const V x0 = W::set1(x[0]);  // fills masked-off lanes: an element of the block changes nothing
  // head up to a 64-byte boundary (masked load): the other loads never split a cache line
  int i = std::min<int>(m, static_cast<int>((64 - reinterpret_cast<uintptr_t>(x) % 64) % 64 / sizeof(T)));
  const V h = W::mask_load(x0, (1u << i) - 1, x);
  V a0 = h, a1 = x0, a2 = x0, a3 = x0;
  uint32_t nanm = W::unord(h, h);
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
  if (i < m) {  // tail (masked load)
    const V v = W::mask_load(x0, kAll >> (L - (m - i)), x + i);
    a1 = ext(a1, v);
    if constexpr (is_float_v<T>) nanm |= W::unord(v, v);
  }
  a0 = ext(ext(a0, a1), ext(a2, a3));
  return BlockExt<T>{Max ? W::hmax(a0) : W::hmin(a0), nanm != 0};
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



// ---------------------------------------------------------------- column groups
// sum / mean / min / max over a non-last axis read a whole group of adjacent
// columns row by row (contiguous runs of up to kWideGroup elements) instead
// of tile by tile (see reduce_groups in loops_columns.hpp).

constexpr int kTileGroup = 32 * kTileW;  // columns per chunk of the column-tile path
constexpr int kWideGroup = 4096;  // most columns of a group read row by row (long contiguous runs)

/// lane_sum over rows [r0, r0 + m) of each of ncol adjacent columns (element
/// (r, c) at base + r * sx + c * sizeof(T)), same lanes and order as the row
/// path: row i of the block goes to lane i mod kLanes of each column. The
/// rows stream (contiguous runs of ncol elements: the longer, the closer to
/// the memory bandwidth) into kLanes * ncol accumulators (lane k of column c
/// at acc[k * ncol + c]).
template <class T>
inline void group_sums(const char* base, int64_t sx, int64_t r0, int m, int ncol, double* __restrict__ out) {
  thread_local std::vector<double> scratch;  // kept: no allocation (nor page faults) per block
  scratch.assign(static_cast<size_t>(kLanes) * ncol, 0.0);
  double* __restrict__ acc = scratch.data();
  for (int i = 0; i < m; ++i) {
    const T* __restrict__ row = reinterpret_cast<const T*>(base + (r0 + i) * sx);
    double* __restrict__ a = acc + static_cast<int64_t>(i & (kLanes - 1)) * ncol;
    for (int c = 0; c < ncol; ++c) a[c] += to_d(row[c]);
  }
  for (int w = kLanes / 2; w >= 1; w /= 2)
    for (int k = 0; k < w; ++k) {
      double* __restrict__ a = acc + static_cast<int64_t>(k) * ncol;
      const double* __restrict__ b = acc + static_cast<int64_t>(k + w) * ncol;
      for (int c = 0; c < ncol; ++c) a[c] += b[c];
    }
  std::copy(acc, acc + ncol, out);
}

/// Extreme of rows [r0, r0 + m) of each of ncol <= kWideGroup adjacent columns
/// (element (r, c) at base + r * sx + c * sizeof(T)), and per column whether it
/// holds a NaN. Accumulators stay in L1 (best[]); the rows stream.
template <class T, bool Max>
inline void group_extreme(const char* base, int64_t sx, int64_t r0, int m, int ncol, T* best, bool* nan) {
  const T* row0 = reinterpret_cast<const T*>(base + r0 * sx);
  for (int c = 0; c < ncol; ++c) best[c] = row0[c];
  bool any_nan = false;
  int c0 = 0;  // first column of the portable part
#ifdef __AVX512F__
  if constexpr (has_v512_v<T>) {
    using W = V512<T>;
    constexpr int L = W::L;
    const int nv = ncol / L;
    constexpr int kAhead = 4;  // rows prefetched ahead (into L2): short row runs defeat the hardware prefetcher
    uint32_t nm = 0;
    for (int i = 0; i < m; ++i) {  // (row 0 again: its NaN check)
      const T* row = reinterpret_cast<const T*>(base + (r0 + i) * sx);
      const char* ahead = reinterpret_cast<const char*>(row) + (i + kAhead < m ? kAhead * sx : 0);
      for (int v = 0; v < nv; ++v) {
        _mm_prefetch(ahead + v * 64, _MM_HINT_T1);
        const auto x = W::load(row + v * L);
        const auto a = W::load(best + v * L);
        W::store(best + v * L, Max ? W::vmax(x, a) : W::vmin(x, a));  // a on ties
        if constexpr (is_float_v<T>) nm |= W::unord(x, x);
      }
    }
    any_nan = nm != 0;
    c0 = nv * L;
  }
#endif
  if (c0 < ncol) {
    using U = std::conditional_t<sizeof(T) == 8, uint64_t, std::conditional_t<sizeof(T) == 4, uint32_t, uint16_t>>;
    U nl = 0;  // the comparison's width: an OR reduction that vectorises
    T* __restrict__ bst = best;
    for (int i = 0; i < m; ++i) {
      const T* __restrict__ row = reinterpret_cast<const T*>(base + (r0 + i) * sx);
      for (int c = c0; c < ncol; ++c) {  // branch-free (vectorised)
        const T v = row[c];
        bst[c] = (Max ? v > bst[c] : v < bst[c]) ? v : bst[c];
        if constexpr (is_float_v<T>) nl |= static_cast<U>(v != v);
      }
    }
    any_nan |= nl != 0;
  }
  for (int c = 0; c < ncol; ++c) nan[c] = false;
  if (!any_nan) return;
  for (int i = 0; i < m; ++i) {  // rare: which columns hold a NaN
    const T* row = reinterpret_cast<const T*>(base + (r0 + i) * sx);
    for (int c = 0; c < ncol; ++c) nan[c] |= row[c] != row[c];
  }
}

}  // namespace detail
}  // namespace gilfree
