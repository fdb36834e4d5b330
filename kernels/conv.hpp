// Convolution and correlation: one problem, four algorithms.
//
// Every public function of gilfree.conv (numpy convolve/correlate, scipy
// convolve2d/correlate2d, torch conv1d/conv2d) is a batch of strided,
// dilated 2-D cross-correlations over an extended input (Corr2dArgs);
// convolution is correlation with a reversed kernel (a negative-stride view),
// 1-D is a plane of height 1. Four paths compute it:
//   - corr2d_direct (this file): per output row, register-blocked
//     multiply-adds over row buffers in float64; any boundary.
//   - corr2d_gemm (conv_gemm.hpp): patch packing into an Eigen GEMM, bounded
//     scratch per chunk; zero padding (torch).
//   - corr2d_fft (conv_fft.hpp): overlap-save tiles with Eigen's FFT module;
//     one plane, stride and dilation 1, any boundary.
//   - corr2d_winograd (conv_winograd.hpp): F(4x4, 3x3) tiles and Eigen GEMMs;
//     3x3 kernels, stride and dilation 1, zero padding (torch conv2d).
// Each output value is computed by a fixed sequence of operations that does
// not depend on the chunking or the thread count.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "dtype.hpp"
#include "runtime.hpp"
#include "strided.hpp"

namespace gilfree {

/// How the input is extended beyond its edges: fill, wrap, symm as in
/// scipy.signal.convolve2d (the fill value is multiplied by the weights like
/// any sample, so 0 * inf is NaN, as in SciPy and torch); none: there are no
/// samples beyond the edges and the terms that would read them are left out
/// (numpy.convolve: an inf weight never meets the implicit zeros).
enum class Boundary : int { fill = 0, wrap = 1, symm = 2, none = 3 };

/// Output extent of the 1-d and 2-d convolutions (numpy / scipy.signal names):
/// every overlap, the input's size centred, or the full overlaps only.
enum class Mode : int { full = 0, same = 1, valid = 2 };

/// Algorithm of corr2d: one per corr2d_<method> below, or auto_: the one
/// choose_method picks for the call's Family.
enum class Method : int { direct = 0, gemm = 1, fft = 2, winograd = 3, auto_ = 4 };

/// The functions a correlation serves, whose method "auto" follows one rule:
/// signal (NumPy and scipy.signal: direct or FFT by the cost model), torch
/// (conv1d/conv2d: Winograd, GEMM or direct by the channel counts).
enum class Family : int { signal = 0, torch = 1 };

/// A batch of 2-D cross-correlations, all strides in bytes:
///   out[b, o, y, x] = bias[o] + sum_{c < cg, j < kh, k < kw} wt[o, c, j, k] *
///       ext(in[b, g*cg + c])[y0 + y*sy + j*dy, x0 + x*sx + k*dx]
/// with g = o / (o_total / groups), groups = c_total / cg, and ext() the
/// input extended by `boundary` (fill uses `fill`; none leaves the terms out).
struct Corr2dArgs {
  const char* in = nullptr;  // (n, c, h, w)
  int64_t n = 1, c = 1, h = 1, w = 1;
  int64_t in_s[4] = {};
  const char* wt = nullptr;  // (o, cg, kh, kw)
  int64_t o = 1, cg = 1, kh = 1, kw = 1;
  int64_t wt_s[4] = {};
  const char* bias = nullptr;  // (o,), optional
  int64_t bias_s = 0;
  char* out = nullptr;  // (n, o, oh, ow)
  int64_t oh = 1, ow = 1;
  int64_t out_s[4] = {};
  int64_t y0 = 0, x0 = 0, sy = 1, sx = 1, dy = 1, dx = 1;
  Boundary boundary = Boundary::fill;
  double fill = 0.0;
};

/// Estimated single-thread cost (nanoseconds) of the direct and FFT paths;
/// fft < 0 when the FFT path does not apply.
struct Corr2dCost {
  double direct = 0.0;
  double fft = -1.0;
};

namespace detail {

constexpr int64_t kColBlock = 8192;      // outputs of one row segment in a chunk, at most
constexpr int64_t kColMacs = 1 << 24;    // multiply-adds of one row segment (large kernels: bounds a
                                         // chunk's time, so the cancel latency, to about 1 ms a thread)
constexpr int64_t kMinColBlock = 256;    // ...but a segment has at least this many outputs, so the loads of
                                         // its input span stay small against its multiply-adds
constexpr int64_t kAccElems = 1 << 15;   // accumulator doubles per chunk
constexpr int64_t kChunkMacs = 1 << 18;  // target multiply-adds per chunk
constexpr int64_t kEmptySlot = std::numeric_limits<int64_t>::min();

// Cost model of method="auto" (ns, one thread); see corr2d_cost.
constexpr double kDirectNsPerMac = 0.065;
constexpr double kDirectNsPerRowTap = 0.4;
constexpr double kFftNsPerPoint = 2.0;
constexpr double kFftNsPerLoad = 2.0;
constexpr int64_t kFftMinTaps = 64;  // "auto" never picks the FFT for a smaller kernel (scipy #10887)

inline void require(bool ok, const std::string& msg) {
  if (!ok) throw std::invalid_argument(msg);
}

/// Whether the coordinates o0 + i*s + j*d (i < n, j < k) read along one axis
/// lie in [-2^62, 2^62] (s, d >= 1): a margin of 2^62 for the sums the paths
/// form from them (a polyphase segment start, a block's first column).
inline bool axis_fits(int64_t o0, int64_t n, int64_t s, int64_t k, int64_t d) noexcept {
  constexpr int64_t L = int64_t(1) << 62, M = std::numeric_limits<int64_t>::max();
  if (n < 1 || k < 1) return true;
  if (o0 < -L || o0 > L || n - 1 > M / s) return false;
  const int64_t ext = (n - 1) * s;
  if (k - 1 > (M - ext) / d) return false;
  const int64_t span = ext + (k - 1) * d;  // last coordinate - first
  return o0 < 0 ? o0 + span <= L : span <= L - o0;
}

/// [lo, hi): the i in [0, len) whose column c0 + i*step lies in [0, n) (step >= 1).
inline void inside_range(int64_t c0, int64_t step, int64_t n, int64_t len, int64_t& lo, int64_t& hi) noexcept {
  lo = c0 >= 0 ? 0 : (-c0) / step + ((-c0) % step != 0);
  hi = c0 > n - 1 ? 0 : (n - 1 - c0) / step + 1;
  lo = std::min(lo, len);
  hi = std::max(lo, std::min(hi, len));
}

/// Validates the sizes of a Corr2dArgs (callers validate first; this guards the C++ API).
inline void check_args(const Corr2dArgs& a) {
  require(a.in && a.wt && a.out, "conv: null operand");
  require(a.n >= 0 && a.c >= 1 && a.h >= 1 && a.w >= 1, "input: every dimension must be >= 1");
  require(a.o >= 1 && a.cg >= 1 && a.kh >= 1 && a.kw >= 1, "weight: every dimension must be >= 1");
  require(a.c % a.cg == 0, "groups: input channels must be divisible by groups");
  require(a.o % (a.c / a.cg) == 0, "groups: output channels must be divisible by groups");
  require(a.oh >= 0 && a.ow >= 0, "out: negative size");
  require(a.sy >= 1 && a.sx >= 1, "stride: must be >= 1");
  require(a.dy >= 1 && a.dx >= 1, "dilation: must be >= 1");
  require(a.boundary != Boundary::none || a.fill == 0.0, "fill: must be 0 with Boundary::none");
  require(axis_fits(a.y0, a.oh, a.sy, a.kh, a.dy) && axis_fits(a.x0, a.ow, a.sx, a.kw, a.dx),
          "padding: the extended input's coordinates do not fit in int64");
}

/// Maps index i of an extended axis of length n to [0, n), or -1 for the fill value.
inline int64_t map_index(int64_t i, int64_t n, Boundary b) noexcept {
  if (i >= 0 && i < n) return i;
  switch (b) {
    case Boundary::wrap: {
      const int64_t r = i % n;
      return r < 0 ? r + n : r;
    }
    case Boundary::symm: {  // ... 1 0 | 0 1 ... n-1 | n-1 n-2 ...
      const int64_t k = i >= 0 ? i % (2 * n) : (-(i + 1)) % (2 * n);
      return k >= n ? 2 * n - k - 1 : k;
    }
    default:
      return -1;
  }
}

/// dst[i] = ext(row)[c0 + i*step] for i < len; row holds n values of T at byte stride cs.
template <class T>
void load_row(const char* row, int64_t cs, int64_t n, int64_t c0, int64_t step, int64_t len,
              Boundary b, double fill, double* dst) {
  int64_t lo, hi;
  inside_range(c0, step, n, len, lo, hi);
  auto ext = [&](int64_t i) {
    const int64_t m = map_index(c0 + i * step, n, b);
    return m < 0 ? fill : static_cast<double>(*reinterpret_cast<const T*>(row + m * cs));
  };
  for (int64_t i = 0; i < lo; ++i) dst[i] = ext(i);
  // one sample needs no stride (step * cs may not fit in int64 then)
  if (hi > lo) gather<T>(row + (c0 + lo * step) * cs, hi - lo > 1 ? cs * step : 0, hi - lo, dst + lo);
  for (int64_t i = hi; i < len; ++i) dst[i] = ext(i);
}

/// acc[i] += sum_t coef[t] * ptr[t][i] for i < n, taps in order; the
/// accumulators of a block of outputs stay in registers across the taps.
inline void accumulate(double* acc, int64_t n, const double* const* ptr, const double* coef, int64_t ntaps) {
  if (ntaps == 0) return;
  int64_t i = 0;
  {
    using V = Eigen::Array<double, 32, 1>;
    for (; i + 32 <= n; i += 32) {
      V s = V::Map(acc + i);
      for (int64_t t = 0; t < ntaps; ++t) s += coef[t] * V::Map(ptr[t] + i);
      V::Map(acc + i) = s;
    }
  }
  {
    using V = Eigen::Array<double, 8, 1>;
    for (; i + 8 <= n; i += 8) {
      V s = V::Map(acc + i);
      for (int64_t t = 0; t < ntaps; ++t) s += coef[t] * V::Map(ptr[t] + i);
      V::Map(acc + i) = s;
    }
  }
  for (; i < n; ++i) {
    double s = acc[i];
    for (int64_t t = 0; t < ntaps; ++t) s += coef[t] * ptr[t][i];
    acc[i] = s;
  }
}

/// The weights as contiguous doubles, (o, cg, kh, kw).
template <class T>
std::vector<double> load_weights(const Corr2dArgs& a) {
  std::vector<double> k(static_cast<size_t>(a.o * a.cg * a.kh * a.kw));
  double* d = k.data();
  for (int64_t o = 0; o < a.o; ++o)
    for (int64_t c = 0; c < a.cg; ++c)
      for (int64_t j = 0; j < a.kh; ++j, d += a.kw)
        gather<T>(a.wt + o * a.wt_s[0] + c * a.wt_s[1] + j * a.wt_s[2], a.wt_s[3], a.kw, d);
  return k;
}

template <class T>
std::vector<double> load_bias(const Corr2dArgs& a) {
  std::vector<double> b(static_cast<size_t>(a.o), 0.0);
  if (a.bias) gather<T>(a.bias, a.bias_s, a.o, b.data());
  return b;
}

/// How the direct path splits the outputs into chunks, and how it lays out
/// an input row: nseg segments of lp values, segment s holding
/// ext(row)[c0(s) + i*sx] from cx0, the first column a chunk reads.
///  - polyphase: sx segments, c0(s) = cx0 + s; the tap at offset k*dx reads
///    segment (k*dx) % sx from (k*dx) / sx, so the taps share one load of the
///    extended span, (cb-1)*sx + (kw-1)*dx + 1 values;
///  - per tap: kw segments of cb values, c0(k) = cx0 + k*dx; used when the
///    span is over twice that size, since a stride or a dilation beyond the
///    block would make the polyphase buffer (and the time to fill it) grow
///    with it. Both read the same values: the results are the same bits.
struct DirectPlan {
  int64_t cb, ncb, rb, nrb, lp, nseg;
  bool poly;
};

inline DirectPlan direct_plan(const Corr2dArgs& a) {
  DirectPlan p;
  const int64_t macs_per_out = std::max<int64_t>(1, a.kh * a.kw * a.cg);
  p.cb = std::max<int64_t>(1, std::min({a.ow, kColBlock, std::max(kMinColBlock, kColMacs / macs_per_out)}));
  p.ncb = (a.ow + p.cb - 1) / p.cb;
  const int64_t row_macs = p.cb * macs_per_out;
  p.rb = std::min({std::max<int64_t>(a.oh, 1), std::max<int64_t>(1, kAccElems / p.cb),
                   std::max<int64_t>(1, (kChunkMacs + row_macs - 1) / row_macs)});
  p.nrb = (a.oh + p.rb - 1) / p.rb;
  const double span = static_cast<double>(p.cb - 1) * a.sx + static_cast<double>(a.kw - 1) * a.dx + 1.0;
  p.poly = span + a.sx <= 2.0 * a.kw * p.cb;  // exact in double whenever true
  p.nseg = p.poly ? a.sx : a.kw;
  p.lp = p.poly ? (static_cast<int64_t>(span) + a.sx - 1) / a.sx : p.cb;
  return p;
}

/// The weights of the direct path and what they allow.
struct DirectKernel {
  std::vector<double> K, bias;
  bool skip_fill_rows;  // rows wholly beyond the edges add nothing: no load, no multiply-add
  bool ranged;          // Boundary::none with a non-finite weight: those taps see real samples only
};

template <class T>
DirectKernel direct_kernel(const Corr2dArgs& a) {
  DirectKernel k{load_weights<T>(a), load_bias<T>(a), false, false};
  const bool finite = std::all_of(k.K.begin(), k.K.end(), [](double v) { return std::isfinite(v); });
  // a row of zeros adds nothing unless a weight is inf or NaN (0 * inf is NaN in SciPy and torch)
  k.skip_fill_rows = a.boundary == Boundary::none || (a.boundary == Boundary::fill && a.fill == 0.0 && finite);
  k.ranged = a.boundary == Boundary::none && !finite;
  return k;
}

/// The input rows that the output rows of one chunk read, in kh slots laid
/// out as DirectPlan says, kept across output rows of a plane.
template <class T>
struct RowCache {
  const Corr2dArgs& a;
  const DirectPlan& pl;
  const int64_t cx0;
  const char* plane = nullptr;
  std::vector<double> buf;
  std::vector<int64_t> tag, need;

  RowCache(const Corr2dArgs& args, const DirectPlan& plan, int64_t first_col)
      : a(args), pl(plan), cx0(first_col), buf(static_cast<size_t>(a.kh * pl.nseg * pl.lp)), tag(a.kh), need(a.kh) {}

  void start_plane(const char* p) {
    plane = p;
    std::fill(tag.begin(), tag.end(), kEmptySlot);
  }
  /// The input rows (or -1: the fill value) that output row y reads.
  void select(int64_t y) {
    for (int64_t j = 0; j < a.kh; ++j) need[j] = map_index(a.y0 + y * a.sy + j * a.dy, a.h, a.boundary);
  }
  /// Slot of need[j], loaded into a slot no row of this output row needs if absent.
  const double* row(int64_t j) {
    const int64_t slot = pl.nseg * pl.lp;
    int64_t s = std::find(tag.begin(), tag.end(), need[j]) - tag.begin();
    if (s < a.kh) return buf.data() + s * slot;
    for (s = 0; s < a.kh; ++s)
      if (std::find(need.begin(), need.end(), tag[s]) == need.end()) break;
    double* dst = buf.data() + s * slot;
    tag[s] = need[j];
    if (need[j] < 0) {
      std::fill(dst, dst + slot, a.fill);
      return dst;
    }
    const char* src = plane + need[j] * a.in_s[2];
    for (int64_t g = 0; g < pl.nseg; ++g)
      load_row<T>(src, a.in_s[3], a.w, pl.poly ? cx0 + g : cx0 + g * a.dx, a.sx, pl.lp, a.boundary, a.fill,
                  dst + g * pl.lp);
    return dst;
  }
  /// Where tap k of a row slot starts.
  const double* tap(const double* base, int64_t k) const {
    if (!pl.poly) return base + k * pl.lp;
    const int64_t off = k * a.dx;
    return base + (off % a.sx) * pl.lp + off / a.sx;
  }
};

/// One chunk of the direct path: (batch, output channel, row block, column block).
template <class T>
void direct_chunk(const Corr2dArgs& a, const DirectPlan& pl, const DirectKernel& dk, int64_t ch) {
  int64_t t = ch;
  const int64_t xb = t % pl.ncb;
  t /= pl.ncb;
  const int64_t yb = t % pl.nrb;
  t /= pl.nrb;
  const int64_t oc = t % a.o, b = t / a.o;
  const int64_t ys = yb * pl.rb, ye = std::min(a.oh, ys + pl.rb);
  const int64_t xs = xb * pl.cb, nx = std::min(a.ow, xs + pl.cb) - xs;
  const int64_t g = oc / (a.o / (a.c / a.cg)), taps = a.kh * a.kw;
  RowCache<T> rc(a, pl, a.x0 + xs * a.sx);
  std::vector<double> acc(static_cast<size_t>((ye - ys) * nx), dk.bias[oc]);
  std::vector<const double*> ptr(taps), lptr(taps);
  std::vector<double> coef(taps), lcoef(taps);
  std::vector<int64_t> lk(taps);
  for (int64_t c = 0; c < a.cg; ++c) {
    rc.start_plane(a.in + b * a.in_s[0] + (g * a.cg + c) * a.in_s[1]);
    const double* Kc = dk.K.data() + (oc * a.cg + c) * taps;
    for (int64_t y = ys; y < ye; ++y) {
      rc.select(y);
      int64_t nt = 0, nl = 0;
      for (int64_t j = 0; j < a.kh; ++j) {
        if (rc.need[j] < 0 && dk.skip_fill_rows) continue;
        const double* base = rc.row(j);
        for (int64_t k = 0; k < a.kw; ++k) {
          const double w = Kc[j * a.kw + k];
          if (dk.ranged && !std::isfinite(w)) {
            lptr[nl] = rc.tap(base, k), lcoef[nl] = w, lk[nl++] = k;
          } else {
            ptr[nt] = rc.tap(base, k), coef[nt++] = w;
          }
        }
      }
      double* ay = acc.data() + (y - ys) * nx;
      accumulate(ay, nx, ptr.data(), coef.data(), nt);
      for (int64_t l = 0; l < nl; ++l) {  // after the finite taps, on the real samples only
        int64_t lo, hi;
        inside_range(rc.cx0 + lk[l] * a.dx, a.sx, a.w, nx, lo, hi);
        const double* p = lptr[l] + lo;
        accumulate(ay + lo, hi - lo, &p, &lcoef[l], 1);
      }
    }
  }
  char* dst = a.out + b * a.out_s[0] + oc * a.out_s[1] + xs * a.out_s[3];
  for (int64_t y = ys; y < ye; ++y) scatter<T>(acc.data() + (y - ys) * nx, nx, dst + y * a.out_s[2], a.out_s[3]);
}

}  // namespace detail

/// Direct path: any boundary, stride, dilation and groups; accumulates in float64.
/// Chunks are (batch, output channel, row block, column block) on the compute pool;
/// scratch per chunk is bounded by the block and the kernel size, whatever the
/// stride and dilation.
template <class T>
void corr2d_direct(const Corr2dArgs& a, const ExecContext& ctx) {
  using namespace detail;
  check_args(a);
  if (a.n == 0 || a.oh == 0 || a.ow == 0) return;
  const DirectKernel dk = direct_kernel<T>(a);
  const DirectPlan pl = direct_plan(a);
  const int64_t nchunks = a.n * a.o * pl.nrb * pl.ncb;
  parallel_for(nchunks, a.n * a.o * a.oh * a.ow * a.kh * a.kw * a.cg, ctx,
               [&](int64_t ch) { direct_chunk<T>(a, pl, dk, ch); });
}

}  // namespace gilfree

#include "conv_fft.hpp"
#include "conv_gemm.hpp"
#include "conv_winograd.hpp"

namespace gilfree {

/// Estimated single-thread cost of the direct and FFT paths, in nanoseconds
/// (constants measured on the 2-core AVX-512 development machine: 1-D n=1e6
/// and 512x512 kernels of growing size, method "direct" vs "fft", one thread).
inline Corr2dCost corr2d_cost(const Corr2dArgs& a) {
  using namespace detail;
  Corr2dCost c;
  const double outs = static_cast<double>(a.n) * a.o * a.oh * a.ow;
  const double macs = outs * a.cg * a.kh * a.kw;
  c.direct = macs * kDirectNsPerMac + outs * a.cg * a.kh * kDirectNsPerRowTap;
  if (fft_applies(a)) {
    const FftPlan pl = fft_plan(a);
    const double tile = static_cast<double>(pl.P) * pl.Q;
    c.fft = pl.nty * pl.ntx * (tile * std::log2(tile + 1.0) * kFftNsPerPoint + tile * kFftNsPerLoad);
  }
  return c;
}

/// The path of method "auto", the one rule of each Family:
///  - signal: the FFT when it applies, the kernel has at least kFftMinTaps
///    taps and the cost model says it is cheaper; else direct;
///  - torch: Winograd for 3x3 stride-1 kernels when each group has at least
///    4 output and 8 input channels; else GEMM when each group has at least
///    4 output channels and 8 weights per output; else direct (depthwise).
inline Method choose_method(const Corr2dArgs& a, Family family) {
  using namespace detail;
  if (family == Family::torch) {
    const int64_t og = a.o / (a.c / a.cg);  // output channels per group
    if (og >= 4 && a.cg >= 8 && winograd_applies(a)) return Method::winograd;
    if (og >= 4 && a.cg * a.kh * a.kw >= 8) return Method::gemm;
    return Method::direct;
  }
  const Corr2dCost c = corr2d_cost(a);
  return c.fft >= 0 && a.kh * a.kw >= kFftMinTaps && c.fft < c.direct ? Method::fft : Method::direct;
}

/// The correlation of `a` by `method` (auto_: choose_method's for `family`).
template <class T>
void corr2d(Method method, Family family, const Corr2dArgs& a, const ExecContext& ctx) {
  detail::check_args(a);
  switch (method == Method::auto_ ? choose_method(a, family) : method) {
    case Method::direct:
      return corr2d_direct<T>(a, ctx);
    case Method::gemm:
      return corr2d_gemm<T>(a, ctx);
    case Method::fft:
      return corr2d_fft<T>(a, ctx);
    case Method::winograd:
      return corr2d_winograd<T>(a, ctx);
    case Method::auto_:
      break;
  }
  throw std::invalid_argument("method: expected a Method");
}

/// corr2d<T> for the float element type dt of a's operands.
inline void corr2d(Dtype dt, Method method, Family family, const Corr2dArgs& a, const ExecContext& ctx) {
  visit_float(dt, [&](auto t) { corr2d<typename decltype(t)::type>(method, family, a, ctx); });
}

}  // namespace gilfree
