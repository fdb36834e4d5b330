// Typed loops, elementwise: axpy and clip over arrays of any shape and
// strides (strided operands go through block buffers), and histogram.
// No reduction order is involved: each output element depends on its own
// inputs only (histogram's counts are exact integer sums).
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <mutex>
#include <vector>

#include "loops.hpp"

namespace gilfree {

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
  parallel_for(num_chunks(n), n, ctx, [&](int64_t c) {
    alignas(64) T bx[kLoopBlock];
    alignas(64) T by[kLoopBlock];
    alignas(64) T bo[kLoopBlock];
    for_segments(s, ops, c * kChunk, std::min(n, (c + 1) * kChunk), [&](char* const* p, int64_t cnt) {
      if (contig) {
        f(reinterpret_cast<const T*>(p[0]), has_y ? reinterpret_cast<const T*>(p[1]) : nullptr,
          reinterpret_cast<T*>(p[2]), cnt);
        return;
      }
      for (int64_t o = 0; o < cnt; o += kLoopBlock) {
        const int m = static_cast<int>(std::min<int64_t>(kLoopBlock, cnt - o));
        gather<T>(p[0] + o * sx, sx, m, bx);
        if (has_y) gather<T>(p[1] + o * sy, sy, m, by);
        f(bx, has_y ? by : nullptr, bo, m);
        scatter<T>(bo, m, p[2] + o * so, so);
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
  const int64_t chunk = std::max<int64_t>(kChunk, 4 * bins);
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
