// The lanes of every vectorised sum: LaneSum (value i of a chunk feeds lane
// i mod kLanes, the lanes combined pairwise at the end, so a sum's bits depend
// on its values and their order only) and its vector form (four vectors of 4
// doubles, the same lanes and order), with madd, the one place that decides
// whether a product and a sum are fused.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>

#if defined(__x86_64__) && (defined(__FMA__) || defined(__AVX__))
#include <immintrin.h>
#endif

namespace gilfree {
namespace detail {

constexpr int kLanes = 16;  // independent accumulators of the vectorised loops

typedef double V4d __attribute__((vector_size(32)));

/// a * b + c: one fused multiply-add where the build targets FMA (x86-64-v3
/// and up), a product and a sum elsewhere (-ffp-contract=off keeps every
/// other a * b + c unfused). An op's row and column paths both use this, so
/// they agree bit for bit; the instruction-set levels agree to rounding.
template <class V>
inline V madd(V a, V b, V c) {
#if defined(__FMA__) && defined(__x86_64__)
  if constexpr (std::is_same_v<V, double>)
    return std::fma(a, b, c);
  else
    return (V4d)_mm256_fmadd_pd((__m256d)a, (__m256d)b, (__m256d)c);
#else
  return a * b + c;
#endif
}

/// |a| (the sign bit cleared, as std::fabs) of a double or a vector of 4.
template <class V>
inline V absval(V a) {
  if constexpr (std::is_same_v<V, double>) {
    return std::fabs(a);
  } else {
    typedef uint64_t U4 __attribute__((vector_size(32)));
    constexpr uint64_t kMag = ~0ULL >> 1;
    return (V4d)((U4)a & (U4){kMag, kMag, kMag, kMag});
  }
}

/// LaneSum's kLanes lanes as vectors of 4 doubles (lane k in v[k / 4][k % 4]),
/// combined in its pairwise order without leaving the registers.
struct LaneVecs {
  V4d v[kLanes / 4] = {};
  double total() const {
    static_assert(kLanes == 16, "the fold is written for 16 lanes");
    typedef double V2d __attribute__((vector_size(16)));
    const V4d q = (v[0] + v[2]) + (v[1] + v[3]);  // lanes k += k + 8, then k += k + 4
    const V2d h = __builtin_shufflevector(q, q, 0, 1) + __builtin_shufflevector(q, q, 2, 3);  // k += k + 2
    return h[0] + h[1];                                                                        // k += k + 1
  }
};

/// x[0, 4) as a vector of 4 doubles. float32 through one vcvtps2pd where the
/// build has AVX (GCC 12 lowers __builtin_convertvector of 4 floats to two
/// half conversions through the stack: float32 mse value+grad 1e5, 54 us).
template <class T>
inline V4d load4(const T* x) {
#if defined(__AVX__) && defined(__x86_64__)
  if constexpr (std::is_same_v<T, float>) return (V4d)_mm256_cvtps_pd(_mm_loadu_ps(x));
#endif
  typedef T X4 __attribute__((vector_size(4 * sizeof(T))));
  X4 v;
  std::memcpy(&v, x, sizeof v);
  return __builtin_convertvector(v, V4d);
}

/// Calls body(j, u, w, i) with u = x[i, i + 4) and w = y[i, i + 4) as doubles
/// (w = u where y is null), i = g + 4 j, for each group g of kLanes values
/// of [0, m): value i feeds lane i mod kLanes, as in LaneSum. A last partial
/// group is padded with x = pad_x, y = pad_y, which the body must turn into a
/// term that leaves every lane as it is, -0.0 lanes included (a lane is -0.0
/// where fused products underflow below zero); in that group i + 4 j may
/// reach past m, so a body that writes at i must not be given one (add_terms
/// passes whole groups only). Written with vector types: the
/// loop streams from memory faster than the scalar lambda GCC vectorises
/// (norm on 1e7 doubles: 0.81x -> 0.88x numba).
template <class T, class Body>
inline void for_lane_vectors(const T* x, const T* y, int m, double pad_x, double pad_y, Body&& body) {
  static_assert(kLanes % 4 == 0, "lanes in vectors of 4");
  int i = 0;
  if (y) {
    for (; i + kLanes <= m; i += kLanes)
      for (int j = 0; j < kLanes / 4; ++j) body(j, load4(x + i + 4 * j), load4(y + i + 4 * j), i + 4 * j);
  } else {
    for (; i + kLanes <= m; i += kLanes)
      for (int j = 0; j < kLanes / 4; ++j) {
        const V4d u = load4(x + i + 4 * j);
        body(j, u, u, i + 4 * j);
      }
  }
  if (i == m) return;
  double px[kLanes], py[kLanes];
  for (int q = 0; q < kLanes; ++q) {
    px[q] = i + q < m ? static_cast<double>(x[i + q]) : pad_x;
    py[q] = !y ? px[q] : i + q < m ? static_cast<double>(y[i + q]) : pad_y;
  }
  for (int j = 0; j < kLanes / 4; ++j) {
    V4d u, w;
    std::memcpy(&u, px + 4 * j, sizeof u);
    std::memcpy(&w, py + 4 * j, sizeof w);
    body(j, u, w, i + 4 * j);
  }
}

/// Places one core reads at once in the streaming reductions: on the Zen 3
/// VM a sum of 1e7 doubles read from four places 64 KiB apart ran 13-20%
/// faster on one thread than from one (the hardware prefetcher keeps more
/// lines in flight), and no slower on two.
constexpr int kStreams = 4;

/// Runs read at once when each run reads `inputs` arrays: kStreams places in
/// all. For two inputs, four runs at once read no faster than one: a dot
/// product of 1e7 doubles from two runs of each input was 3-5% faster than
/// from four, and mse with its gradient written in the same pass 12-16%.
constexpr int runs_at_once(int inputs) { return kStreams / inputs; }

/// for_lane_vectors over R runs x[s][0, m) (and y[s], or none) at once, m a
/// multiple of kLanes: body(s, j, u, w, i) for each run s in turn, in the
/// order for_lane_vectors gives each run alone (u = x[s][i, i + 4)).
template <int R, class T, class Body>
inline void for_lane_vectors_streams(const T* const* x, const T* const* y, int m, Body&& body) {
  const auto run = [&](auto has_y) {
    for (int i = 0; i < m; i += kLanes)
      for (int s = 0; s < R; ++s)
        for (int j = 0; j < kLanes / 4; ++j) {
          const V4d u = load4(x[s] + i + 4 * j);
          if constexpr (decltype(has_y)::value)
            body(s, j, u, load4(y[s] + i + 4 * j), i + 4 * j);
          else
            body(s, j, u, u, i + 4 * j);
        }
  };
  if (y)
    run(std::true_type{});
  else
    run(std::false_type{});
}

/// v (a double, or a vector of 4) stored at p as T, rounded as static_cast<T>.
template <class T, class V>
inline void store_as(T* p, V v) {
  if constexpr (std::is_same_v<V, double>) {
    *p = static_cast<T>(v);
  } else {
    typedef T X4 __attribute__((vector_size(4 * sizeof(T))));
    const X4 t = __builtin_convertvector(v, X4);
    std::memcpy(p, &t, sizeof t);
  }
}

/// A sum in kLanes lanes by the values' index in the chunk (lane = index mod
/// kLanes), whatever pieces the values arrive in: the result depends on the
/// values and their order only, not on where a layout's segments or the
/// blocks cut them. Vectorisable without reassociation.
struct LaneSum {
  double acc[kLanes] = {};
  int pos = 0;  // lane of the next value
  template <class F>
  void add(int m, F&& f) {
    double a[kLanes];  // a local copy stays in registers (the members could alias f's data)
    for (int k = 0; k < kLanes; ++k) a[k] = acc[k];
    int i = 0, p = pos;
    for (; i < m && p != 0; ++i, p = (p + 1) % kLanes) a[p] += f(i);
    // here p == 0, or no value is left
    for (; i + kLanes <= m; i += kLanes)
      for (int k = 0; k < kLanes; ++k) a[k] += f(i + k);
    // fewer than kLanes values are left (the mask only tells the compiler so;
    // a bounded k-loop here instead kept the loop above from vectorising)
    for (; i < m; ++i, ++p) a[p & (kLanes - 1)] += f(i);
    for (int k = 0; k < kLanes; ++k) acc[k] = a[k];
    pos = p & (kLanes - 1);
  }
  /// add() of the terms f(x[i], y[i], lane) - lane, f mapping a pair of
  /// values and their lane to the lane plus the term, generic over doubles
  /// and vectors of 4 (e.g. madd(d, d, lane), d = x - y): whole groups of
  /// kLanes run through for_lane_vectors, the same lanes and bits as one
  /// value at a time. x and y (not null) are read as doubles. Each value
  /// (or vector of 4 values) is also handed to put(i, x[i], y[i]) with its
  /// index i (a gradient written in the same pass).
  template <class T, class F, class P>
  void add_terms(const T* x, const T* y, int m, F&& f, P&& put) {
    int i = 0;
    const auto one = [&](int k) {
      const double u = static_cast<double>(x[k]), w = static_cast<double>(y[k]);
      acc[pos] = f(u, w, acc[pos]);
      put(k, u, w);
    };
    for (; i < m && pos != 0; ++i, pos = (pos + 1) % kLanes) one(i);
    const int whole = (m - i) / kLanes * kLanes;
    if (whole > 0) {
      LaneVecs v;
      std::memcpy(v.v, acc, sizeof acc);
      for_lane_vectors(x + i, y + i, whole, 0.0, 0.0, [&](int j, V4d u, V4d w, int k) {
        v.v[j] = f(u, w, v.v[j]);
        put(i + k, u, w);
      });
      std::memcpy(acc, v.v, sizeof acc);
      i += whole;
    }
    for (; i < m; ++i, pos = (pos + 1) % kLanes) one(i);
  }
  template <class T, class F>
  void add_terms(const T* x, const T* y, int m, F&& f) {
    add_terms(x, y, m, f, [](int, auto, auto) {});
  }
  /// add_terms of R runs at once into empty sums acc[s], m a multiple of
  /// kLanes: the lanes and bits of each run alone; put(s, i, u, w).
  template <int R, class T, class F, class P>
  static void add_terms_streams(const T* const* x, const T* const* y, int m, F&& f, P&& put, LaneSum* acc) {
    LaneVecs v[R];
    for_lane_vectors_streams<R>(x, y, m, [&](int s, int j, V4d u, V4d w, int i) {
      v[s].v[j] = f(u, w, v[s].v[j]);
      put(s, i, u, w);
    });
    for (int s = 0; s < R; ++s) {
      std::memcpy(acc[s].acc, v[s].v, sizeof acc[s].acc);
      acc[s].pos = 0;
    }
  }
  /// The lanes combined pairwise.
  double total() const {
    LaneVecs v;
    std::memcpy(v.v, acc, sizeof acc);
    return v.total();
  }
};

/// Sum of f(i) for i < m in one LaneSum.
template <class F>
inline double lane_sum(int m, F&& f) {
  LaneSum s;
  s.add(m, f);
  return s.total();
}

}  // namespace detail
}  // namespace gilfree
