// Winograd path of the correlation (included by conv.hpp): F(m x m, 3x3)
// for 3x3 kernels at stride 1 and dilation 1 with zero padding. Each
// (m+2)x(m+2) input tile and each 3x3 filter is transformed, the (m+2)^2
// transformed planes are multiplied with as many Eigen GEMMs
// (O/groups x C/groups x tiles), and m x m output tiles are transformed
// back. The transforms are vectorised over a row of tiles. Scratch per
// chunk is bounded (kWinoTileElems tiles x channels per transformed plane).
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <vector>

#include "conv.hpp"

namespace gilfree {
namespace detail {

// Tiles x channels per chunk. The transforms run over arrays of a chunk's
// tiles and the GEMMs over its tiles: larger chunks mean fewer, longer calls.
// 2^15 (the transformed input and the products, 4.7 MB each in float32, kept
// per thread) measured 14.2 -> 12.2 ms over 2^13 for 8x64x56x56, 64 3x3
// filters, float32 on one thread (1.46x -> 1.67x torch; 2^14: 1.53x, 2^16: 1.57x).
constexpr int64_t kWinoTileElems = 1 << 15;

/// A per-thread buffer of at least n values of T (slot tells buffers apart); uninitialised.
template <class T, int slot>
T* scratch(int64_t n) {
  thread_local std::vector<T> buf;
  if (static_cast<int64_t>(buf.size()) < n) {
    buf.clear();
    buf.shrink_to_fit();
    buf.resize(static_cast<size_t>(n));
  }
  return buf.data();
}

inline bool winograd_applies(const Corr2dArgs& a) {
  return a.kh == 3 && a.kw == 3 && a.sy == 1 && a.sx == 1 && a.dy == 1 && a.dx == 1 &&
         a.boundary == Boundary::fill && a.fill == 0.0;
}

/// Transform matrices of F(M x M, 3x3) (Lavin and Gray), alpha = M + 2.
template <int M>
struct Wino;

template <>
struct Wino<4> {
  static constexpr int alpha = 6;
  static constexpr double BT[6][6] = {{4, 0, -5, 0, 1, 0},  {0, -4, -4, 1, 1, 0}, {0, 4, -4, -1, 1, 0},
                                      {0, -2, -1, 2, 1, 0}, {0, 2, -1, -2, 1, 0}, {0, 4, 0, -5, 0, 1}};
  static constexpr double G[6][3] = {{1. / 4, 0, 0},           {-1. / 6, -1. / 6, -1. / 6},
                                     {-1. / 6, 1. / 6, -1. / 6}, {1. / 24, 1. / 12, 1. / 6},
                                     {1. / 24, -1. / 12, 1. / 6}, {0, 0, 1}};
  static constexpr double AT[4][6] = {
      {1, 1, 1, 1, 1, 0}, {0, 1, -1, 2, -2, 0}, {0, 1, 1, 4, 4, 0}, {0, 1, -1, 8, -8, 1}};
};

/// d[i] = sum_{k < N} c[k] * p[k][i]: one pass, the N terms fused.
template <class T, int N>
inline void lincomb(T* __restrict d, int64_t n, const T* const* p, const T* c) {
  const T* q[N];
  T cc[N];
  for (int k = 0; k < N; ++k) q[k] = p[k], cc[k] = c[k];
  for (int64_t i = 0; i < n; ++i) {
    T s = cc[0] * q[0][i];
    for (int k = 1; k < N; ++k) s += cc[k] * q[k][i];
    d[i] = s;
  }
}

/// dst = sum_k coef[k] * src(k) over arrays of length n, zero coefficients skipped.
template <class T, int K, class Src>
inline void combine(T* dst, int64_t n, const double (&coef)[K], Src&& src) {
  const T* p[K];
  T c[K];
  int m = 0;
  for (int k = 0; k < K; ++k)
    if (coef[k] != 0.0) p[m] = src(k).data(), c[m] = static_cast<T>(coef[k]), ++m;
  switch (m) {
    case 0: std::fill(dst, dst + n, T(0)); break;
    case 1: lincomb<T, 1>(dst, n, p, c); break;
    case 2: lincomb<T, 2>(dst, n, p, c); break;
    case 3: lincomb<T, 3>(dst, n, p, c); break;
    case 4: lincomb<T, 4>(dst, n, p, c); break;
    case 5: lincomb<T, 5>(dst, n, p, c); break;
    default: lincomb<T, K>(dst, n, p, c); break;
  }
}

template <class T, int MT>
void corr2d_winograd_impl(const Corr2dArgs& a, const ExecContext& ctx) {
  using W = Wino<MT>;
  constexpr int AL = W::alpha, NX = AL * AL;
  using Mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  using A = Eigen::Array<T, Eigen::Dynamic, 1>;
  using CAM = Eigen::Map<const A>;
  const int64_t groups = a.c / a.cg, og = a.o / groups, cg = a.cg;
  // U[xi] = (G g G^T)[xi] as an (o, cg) matrix per xi
  std::vector<T> U(static_cast<size_t>(NX * a.o * cg));
  {
    const std::vector<double> K = load_weights<T>(a);
    for (int64_t o = 0; o < a.o; ++o)
      for (int64_t c = 0; c < cg; ++c) {
        const double* g = K.data() + (o * cg + c) * 9;
        double gg[AL][3];
        for (int r = 0; r < AL; ++r)
          for (int q = 0; q < 3; ++q) gg[r][q] = W::G[r][0] * g[q] + W::G[r][1] * g[3 + q] + W::G[r][2] * g[6 + q];
        for (int r = 0; r < AL; ++r)
          for (int q = 0; q < AL; ++q)
            U[((r * AL + q) * a.o + o) * cg + c] =
                static_cast<T>(gg[r][0] * W::G[q][0] + gg[r][1] * W::G[q][1] + gg[r][2] * W::G[q][2]);
      }
  }
  const std::vector<double> bias = load_bias<T>(a);
  const int64_t tyn = (a.oh + MT - 1) / MT, txn = (a.ow + MT - 1) / MT;
  int64_t rows_per = std::max<int64_t>(1, std::max<int64_t>(16, kWinoTileElems / cg) / txn);
  const int64_t nrb = (tyn + rows_per - 1) / rows_per;
  rows_per = (tyn + nrb - 1) / nrb;  // equal-sized chunks
  const int64_t nchunks = a.n * groups * nrb;
  parallel_for(nchunks, a.n * a.o * a.oh * a.ow * cg * 9, ctx, [&](int64_t ch) {
    const int64_t rb = ch % nrb, g = (ch / nrb) % groups, b = ch / (nrb * groups);
    const int64_t ty0 = rb * rows_per, nty = std::min(tyn, ty0 + rows_per) - ty0, nt = nty * txn;
    // per-thread scratch, reused across chunks and calls (no zeroing, no page faults)
    T* V = scratch<T, 0>(NX * cg * nt);
    T* Mm = scratch<T, 1>(NX * og * nt);
    // Input transform, vectorised over all the tiles of the chunk: D[r][q]
    // gathers element (r, q) of every tile, then t = B^T d and v = t B.
    T* D = scratch<T, 2>(2 * NX * nt);
    T* TT = D + NX * nt;
    const int64_t rs = a.in_s[2], cs = a.in_s[3];
    for (int64_t c = 0; c < cg; ++c) {
      const char* plane = a.in + b * a.in_s[0] + (g * cg + c) * a.in_s[1];
      for (int r = 0; r < AL; ++r)
        for (int64_t ty = 0; ty < nty; ++ty) {
          const int64_t iy = a.y0 + MT * (ty0 + ty) + r;
          T* dst = D + r * AL * nt + ty * txn;
          if (iy < 0 || iy >= a.h) {
            for (int q = 0; q < AL; ++q) std::fill(dst + q * nt, dst + q * nt + txn, T(0));
            continue;
          }
          const char* row = plane + iy * rs;
          auto edge = [&](int64_t tx) {
            for (int q = 0; q < AL; ++q) {
              const int64_t ix = a.x0 + MT * tx + q;
              dst[q * nt + tx] = (ix >= 0 && ix < a.w) ? *reinterpret_cast<const T*>(row + ix * cs) : T(0);
            }
          };
          // tiles lying wholly inside the row: x0 + MT*tx >= 0 and x0 + MT*tx + AL <= w
          const int64_t lo = std::min(txn, a.x0 >= 0 ? 0 : (-a.x0 + MT - 1) / MT);
          const int64_t hi = std::max(lo, std::min(txn, a.w - AL - a.x0 >= 0 ? (a.w - AL - a.x0) / MT + 1 : 0));
          for (int64_t tx = 0; tx < lo; ++tx) edge(tx);
          if (cs == static_cast<int64_t>(sizeof(T))) {
            const T* src = reinterpret_cast<const T*>(row) + a.x0;
            for (int q = 0; q < AL; ++q) {
              T* dq = dst + q * nt;
              for (int64_t tx = lo; tx < hi; ++tx) dq[tx] = src[MT * tx + q];
            }
          } else {
            for (int q = 0; q < AL; ++q)
              for (int64_t tx = lo; tx < hi; ++tx)
                dst[q * nt + tx] = *reinterpret_cast<const T*>(row + (a.x0 + MT * tx + q) * cs);
          }
          for (int64_t tx = hi; tx < txn; ++tx) edge(tx);
        }
      for (int r2 = 0; r2 < AL; ++r2)  // t = B^T d
        for (int q = 0; q < AL; ++q)
          combine<T>(TT + (r2 * AL + q) * nt, nt, W::BT[r2], [&](int r) { return CAM(D + (r * AL + q) * nt, nt); });
      for (int r2 = 0; r2 < AL; ++r2)  // v = t B
        for (int q2 = 0; q2 < AL; ++q2)
          combine<T>(V + ((r2 * AL + q2) * cg + c) * nt, nt, W::BT[q2],
                     [&](int q) { return CAM(TT + (r2 * AL + q) * nt, nt); });
    }
    for (int xi = 0; xi < NX; ++xi) {
      Eigen::Map<const Mat> Ux(U.data() + (xi * a.o + g * og) * cg, og, cg);
      Eigen::Map<const Mat> Vx(V + xi * cg * nt, cg, nt);
      Eigen::Map<Mat> Mx(Mm + xi * og * nt, og, nt);
      Mx.noalias() = Ux * Vx;
    }
    // Output transform y = A^T m A, vectorised over all the tiles of the chunk.
    T* S = scratch<T, 3>((MT * AL + MT) * nt);
    T* Y = S + MT * AL * nt;  // MT arrays: output column j of every tile, one output row i
    for (int64_t o = 0; o < og; ++o) {
      const int64_t oc = g * og + o;
      const T bo = static_cast<T>(bias[oc]);
      char* plane = a.out + b * a.out_s[0] + oc * a.out_s[1];
      const int64_t os = a.out_s[3];
      for (int i = 0; i < MT; ++i)
        for (int q = 0; q < AL; ++q)
          combine<T>(S + (i * AL + q) * nt, nt, W::AT[i],
                     [&](int r) { return CAM(Mm + ((r * AL + q) * og + o) * nt, nt); });
      for (int i = 0; i < MT; ++i) {
        for (int j = 0; j < MT; ++j)
          combine<T>(Y + j * nt, nt, W::AT[j], [&](int q) { return CAM(S + (i * AL + q) * nt, nt); });
        for (int64_t ty = 0; ty < nty; ++ty) {
          const int64_t oy = MT * (ty0 + ty) + i;
          if (oy >= a.oh) break;
          char* d = plane + oy * a.out_s[2];
          const int64_t full = a.ow / MT;  // tiles whose MT columns all exist
          if (os == static_cast<int64_t>(sizeof(T))) {
            T* dt = reinterpret_cast<T*>(d);
            for (int64_t tx = 0; tx < full; ++tx)
              for (int j = 0; j < MT; ++j) dt[MT * tx + j] = Y[j * nt + ty * txn + tx] + bo;
          } else {
            for (int64_t tx = 0; tx < full; ++tx)
              for (int j = 0; j < MT; ++j)
                *reinterpret_cast<T*>(d + (MT * tx + j) * os) = Y[j * nt + ty * txn + tx] + bo;
          }
          for (int64_t tx = full; tx < txn; ++tx)
            for (int j = 0; j < MT && MT * tx + j < a.ow; ++j)
              *reinterpret_cast<T*>(d + (MT * tx + j) * os) = Y[j * nt + ty * txn + tx] + bo;
        }
      }
    }
  });
}

}  // namespace detail

/// Winograd path: 3x3 kernels, stride 1, dilation 1, zero padding, any groups;
/// F(4x4, 3x3). Accumulates in T, like the
/// GEMM path. Chunks are (batch, group, tile rows).
template <class T>
void corr2d_winograd(const Corr2dArgs& a, const ExecContext& ctx) {
  using namespace detail;
  check_args(a);
  require(winograd_applies(a), "method: the Winograd path needs a 3x3 kernel, stride 1, dilation 1 and zero padding");
  if (a.n == 0 || a.oh == 0 || a.ow == 0) return;
  corr2d_winograd_impl<T, 4>(a, ctx);
}

}  // namespace gilfree
