// FFT path of the correlation (included by conv.hpp): overlap-save over
// tiles of a fixed FFT size, with Eigen's FFT module (kissfft backend) in
// float64. Scratch is bounded: one tile per chunk (at most kFftTileElems
// values) plus the kernel's spectrum, never the whole padded signal.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <complex>
#include <unsupported/Eigen/FFT>
#include <vector>

#include "conv.hpp"

namespace gilfree {
namespace detail {

constexpr int64_t kFftTileElems = 1 << 20;  // cap on P*Q of one tile
constexpr int64_t kFftLen1d = 1 << 17;      // cap on a 1-D tile

using cplx = std::complex<double>;

/// Sizes 2^a 3^b 5^c (the radices kissfft does fastest) in [lo, hi], multiples of `mult`.
inline std::vector<int64_t> fft_sizes(int64_t lo, int64_t hi, int64_t mult) {
  std::vector<int64_t> v;
  for (int64_t p2 = 1; p2 <= hi; p2 *= 2)
    for (int64_t p3 = p2; p3 <= hi; p3 *= 3)
      for (int64_t p5 = p3; p5 <= hi; p5 *= 5)
        if (p5 >= lo && p5 % mult == 0) v.push_back(p5);
  std::sort(v.begin(), v.end());
  return v;
}

/// FFT length along one axis: k taps, `need` outputs; minimises tiles * L log L.
inline int64_t fft_len(int64_t k, int64_t need, int64_t cap, int64_t mult) {
  if (k == 1 && need == 1 && mult == 1) return 1;
  const int64_t lo = std::max<int64_t>(k + std::min<int64_t>(k, need) - 1, mult);
  const int64_t hi = std::max(lo, std::min(cap, need + k - 1));
  std::vector<int64_t> cand = fft_sizes(lo, std::max(hi, lo) * 2, mult);
  int64_t best = cand.empty() ? lo : cand.front();
  double best_cost = -1.0;
  for (int64_t L : cand) {
    const int64_t per = L - k + 1;
    if (per < 1) continue;
    const double tiles = std::ceil(static_cast<double>(need) / per);
    const double cost = tiles * L * std::log2(static_cast<double>(L) + 1.0);
    if (best_cost < 0 || cost < best_cost) {
      best_cost = cost;
      best = L;
    }
    if (L >= need + k - 1) break;  // one tile covers everything
  }
  return best;
}

struct FftPlan {
  int64_t P, Q, ty, tx, nty, ntx;
};

inline FftPlan fft_plan(const Corr2dArgs& a) {
  FftPlan p;
  if (a.oh == 1 && a.kh == 1) {
    p.P = 1;
    p.Q = fft_len(a.kw, a.ow, kFftLen1d, 4);
  } else {
    p.P = fft_len(a.kh, a.oh, 1024, 1);
    p.Q = fft_len(a.kw, a.ow, std::max<int64_t>(16, kFftTileElems / p.P), 4);
  }
  p.ty = p.P - a.kh + 1;
  p.tx = p.Q - a.kw + 1;
  p.nty = (a.oh + p.ty - 1) / p.ty;
  p.ntx = (a.ow + p.tx - 1) / p.tx;
  return p;
}

inline bool fft_applies(const Corr2dArgs& a) {
  return a.n == 1 && a.c == 1 && a.o == 1 && a.cg == 1 && a.sy == 1 && a.sx == 1 && a.dy == 1 && a.dx == 1;
}

constexpr int64_t kCancelRows = 64;  // rows (or columns) of one FFT tile between token checks

/// One FFT object per thread: it caches twiddles across calls.
inline Eigen::FFT<double>& thread_fft() {
  thread_local Eigen::FFT<double> f;
  f.SetFlag(Eigen::FFT<double>::HalfSpectrum);
  return f;
}

/// 2-D forward transform of a P x Q real block (rows then columns), in place into spec (P x Q/2+1).
/// A long transform checks the token every kCancelRows rows or columns.
inline void rfft2(Eigen::FFT<double>& f, const double* re, int64_t P, int64_t Q, cplx* spec, std::vector<cplx>& col,
                  std::vector<cplx>& tmp, const ExecContext& ctx) {
  const int64_t qh = Q / 2 + 1;
  for (int64_t r = 0; r < P; ++r) {
    if (r % kCancelRows == 0) check_cancel(ctx);
    f.fwd(spec + r * qh, re + r * Q, Q);
  }
  if (P == 1) return;
  for (int64_t q = 0; q < qh; ++q) {
    if (q % kCancelRows == 0) check_cancel(ctx);
    for (int64_t r = 0; r < P; ++r) col[r] = spec[r * qh + q];
    f.fwd(tmp.data(), col.data(), P);
    for (int64_t r = 0; r < P; ++r) spec[r * qh + q] = tmp[r];
  }
}

}  // namespace detail

/// FFT path: one plane (n = c = o = 1), stride and dilation 1, any boundary,
/// optional bias.
/// Computes in float64; chunks are overlap-save tiles.
template <class T>
void corr2d_fft(const Corr2dArgs& a, const ExecContext& ctx) {
  using namespace detail;
  check_args(a);
  require(fft_applies(a), "method: the FFT path needs one plane, stride 1 and dilation 1");
  if (a.n == 0 || a.oh == 0 || a.ow == 0) return;
  const FftPlan pl = fft_plan(a);
  const int64_t P = pl.P, Q = pl.Q, qh = Q / 2 + 1;
  // conj(spectrum of the zero-padded kernel): correlation theorem
  std::vector<cplx> kspec(static_cast<size_t>(P * qh));
  {
    const std::vector<double> K = load_weights<T>(a);
    std::vector<double> pad(static_cast<size_t>(P * Q), 0.0);
    for (int64_t j = 0; j < a.kh; ++j) std::copy(K.data() + j * a.kw, K.data() + (j + 1) * a.kw, pad.data() + j * Q);
    std::vector<cplx> col(P), tmp(P);
    rfft2(thread_fft(), pad.data(), P, Q, kspec.data(), col, tmp, ctx);
    for (auto& z : kspec) z = std::conj(z);
  }
  const double bias = load_bias<T>(a)[0];
  const int64_t eh = a.oh + a.kh - 1, ew = a.ow + a.kw - 1;  // extent of the extended input read
  parallel_for(pl.nty * pl.ntx, a.oh * a.ow * (a.kh * a.kw + 64), ctx, [&](int64_t ch) {
    Eigen::FFT<double>& f = thread_fft();
    const int64_t oy = (ch / pl.ntx) * pl.ty, ox = (ch % pl.ntx) * pl.tx;
    const int64_t rows = std::min(P, eh - oy), cols = std::min(Q, ew - ox);
    std::vector<double> re(static_cast<size_t>(P * Q), 0.0);
    std::vector<cplx> spec(static_cast<size_t>(P * qh)), col(P), tmp(P);
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t m = map_index(a.y0 + oy + r, a.h, a.boundary);
      double* dst = re.data() + r * Q;
      if (m < 0)
        std::fill(dst, dst + cols, a.fill);
      else
        load_row<T>(a.in + m * a.in_s[2], a.in_s[3], a.w, a.x0 + ox, 1, cols, a.boundary, a.fill, dst);
    }
    for (int64_t r = 0; r < P; ++r) {
      if (r % kCancelRows == 0) check_cancel(ctx);
      f.fwd(spec.data() + r * qh, re.data() + r * Q, Q);
    }
    const int64_t ny = std::min(pl.ty, a.oh - oy), nx = std::min(pl.tx, a.ow - ox);
    if (P == 1) {
      for (int64_t q = 0; q < qh; ++q) spec[q] *= kspec[q];
    } else {
      for (int64_t q = 0; q < qh; ++q) {
        if (q % kCancelRows == 0) check_cancel(ctx);
        for (int64_t r = 0; r < P; ++r) col[r] = spec[r * qh + q];
        f.fwd(tmp.data(), col.data(), P);
        for (int64_t r = 0; r < P; ++r) tmp[r] *= kspec[r * qh + q];
        f.inv(col.data(), tmp.data(), P);
        for (int64_t r = 0; r < ny; ++r) spec[r * qh + q] = col[r];
      }
    }
    for (int64_t r = 0; r < ny; ++r) {
      if (r % kCancelRows == 0) check_cancel(ctx);
      f.inv(re.data(), spec.data() + r * qh, Q);
      if (bias != 0.0)
        for (int64_t i = 0; i < nx; ++i) re[i] += bias;
      scatter<T>(re.data(), nx, a.out + (oy + r) * a.out_s[2] + ox * a.out_s[3], a.out_s[3]);
    }
  });
}

}  // namespace gilfree
