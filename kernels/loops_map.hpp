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

/// One side of np.clip with an array bound y (broadcast to x's shape):
/// out = max(x, y) (lower) or min(x, y) (upper) with NumPy's clip comparisons,
/// NaN in x or y giving NaN. np.clip(x, lo, hi) is the upper pass over the
/// lower pass's result (out may be x itself).
template <class T>
void clip_bound(bool upper, const LoopArgs& a, const ExecContext& ctx) {
  detail::map_elements<T>(a, ctx, [upper](const T* x, const T* y, T* o, int64_t m) {
    for (int64_t i = 0; i < m; ++i) {
      const T v = x[i], b = y[i];
      if (v != v)
        o[i] = v;
      else
        o[i] = (upper ? v < b : v > b) ? v : b;
    }
  });
}

namespace detail {

/// np.histogram's bin of a value: -1 outside [first, last] (and NaN); uniform
/// edges by NumPy's computed index and its one-step correction, others by a
/// binary search (edges[k] <= v < edges[k + 1]); the last bin is closed.
struct BinFinder {
  const double* edges;
  int64_t bins;
  double first, last;
  bool uniform;
  int64_t operator()(double v) const {
    if (!(v >= first && v <= last)) return -1;
    if (!uniform) {
      if (v >= edges[bins]) return bins - 1;
      return std::upper_bound(edges, edges + bins + 1, v) - edges - 1;
    }
    int64_t k = static_cast<int64_t>((v - edges[0]) / (edges[bins] - edges[0]) * static_cast<double>(bins));
    k = std::min(std::max<int64_t>(k, 0), bins - 1);
    if (v < edges[k])
      k = std::max<int64_t>(k - 1, 0);
    else if (k != bins - 1 && v >= edges[k + 1])
      ++k;
    return k;
  }
};

/// Runs f(chunk, px, pw, cnt) over the chunks of x (and the weights y, when
/// present) on the pool; the chunks depend on n and bins only.
template <class F>
int64_t hist_chunks(const LoopArgs& args, int64_t bins, const ExecContext& ctx, F&& f) {
  NdShape s = args.shape;
  NdOperand x = args.x, w = args.y;
  const int64_t n = s.size();
  const int64_t chunk = std::max<int64_t>(kChunk, 4 * bins);
  const int64_t nchunks = (n + chunk - 1) / chunk;
  NdOperand* ops[2] = {&x, w.data ? &w : nullptr};
  coalesce(s, ops);
  const int ax = s.ndim - 1;
  const int64_t sx = x.strides[ax], sw = w.data ? w.strides[ax] : 0;
  parallel_for(nchunks, n, ctx, [&](int64_t c) {
    for_segments(s, ops, c * chunk, std::min(n, (c + 1) * chunk),
                 [&](char* const* p, int64_t cnt) { f(c, p[0], sx, w.data ? p[1] : nullptr, sw, cnt); });
  });
  return nchunks;
}

}  // namespace detail

/// Counts of x (whole array) in `bins` bins as np.histogram: edges[0..bins]
/// are the bin edges (in the bin dtype, as double; `uniform`: equal widths),
/// values outside [first, last] are dropped, the last bin is closed.
template <class T>
void histogram(const LoopArgs& args, const double* edges, int64_t bins, double first, double last, bool uniform,
               int64_t* counts, const ExecContext& ctx) {
  using namespace detail;
  for (int64_t b = 0; b < bins; ++b) counts[b] = 0;
  if (args.shape.size() == 0 || bins <= 0) return;
  const BinFinder find{edges, bins, first, last, uniform};
  std::mutex mu;  // integer counts are exact: any order of the chunks' sums gives the same result
  hist_chunks(args, bins, ctx, [&](int64_t, const char* px, int64_t sx, const char*, int64_t, int64_t cnt) {
    std::vector<int64_t> local(bins, 0);
    for (int64_t i = 0; i < cnt; ++i) {
      const int64_t k = find(to_d(*reinterpret_cast<const T*>(px + i * sx)));
      if (k >= 0) ++local[k];
    }
    std::lock_guard<std::mutex> lock(mu);
    for (int64_t b = 0; b < bins; ++b) counts[b] += local[b];
  });
}

/// Sums of the weights args.y (element type W, x's shape) per bin of x, in
/// double: each chunk sums its elements in order, and the chunks' sums are
/// added in chunk order (the same bits for any thread count).
template <class T, class W>
void histogram_weighted(const LoopArgs& args, const double* edges, int64_t bins, double first, double last,
                        bool uniform, double* sums, const ExecContext& ctx) {
  using namespace detail;
  for (int64_t b = 0; b < bins; ++b) sums[b] = 0.0;
  const int64_t n = args.shape.size();
  if (n == 0 || bins <= 0) return;
  const BinFinder find{edges, bins, first, last, uniform};
  const int64_t chunk = std::max<int64_t>(kChunk, 4 * bins);
  std::vector<double> part(static_cast<size_t>((n + chunk - 1) / chunk * bins), 0.0);
  const int64_t nchunks =
      hist_chunks(args, bins, ctx, [&](int64_t c, const char* px, int64_t sx, const char* pw, int64_t sw, int64_t cnt) {
        double* local = part.data() + c * bins;
        for (int64_t i = 0; i < cnt; ++i) {
          const int64_t k = find(to_d(*reinterpret_cast<const T*>(px + i * sx)));
          if (k >= 0) local[k] += to_d(*reinterpret_cast<const W*>(pw + i * sw));
        }
      });
  for (int64_t c = 0; c < nchunks; ++c)
    for (int64_t b = 0; b < bins; ++b) sums[b] += part[c * bins + b];
}

}  // namespace gilfree
