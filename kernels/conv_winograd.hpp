// Winograd F(2x2, 3x3) path of the correlation (included by conv.hpp): for
// 3x3 kernels at stride 1 and dilation 1 with zero padding. Each 4x4 input
// tile and 3x3 filter is transformed, the 16 transformed planes are
// multiplied with 16 Eigen GEMMs (O/groups x C/groups x tiles), and 2x2
// output tiles are transformed back: 2.25x fewer multiplications than the
// GEMM path. Scratch per chunk is bounded (kWinoTileElems transformed values).
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <vector>

#include "conv.hpp"

namespace gilfree {
namespace detail {

constexpr int64_t kWinoTileElems = 1 << 15;  // tiles x channels per chunk

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

/// v = B^T d B for a 4x4 tile d (row-major), B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1].
template <class T>
inline void wino_input(const T* d, T* v) {
  T t[16];
  for (int q = 0; q < 4; ++q) {
    t[0 + q] = d[0 + q] - d[8 + q];
    t[4 + q] = d[4 + q] + d[8 + q];
    t[8 + q] = d[8 + q] - d[4 + q];
    t[12 + q] = d[4 + q] - d[12 + q];
  }
  for (int r = 0; r < 4; ++r) {
    const T* s = t + 4 * r;
    v[4 * r + 0] = s[0] - s[2];
    v[4 * r + 1] = s[1] + s[2];
    v[4 * r + 2] = s[2] - s[1];
    v[4 * r + 3] = s[1] - s[3];
  }
}

}  // namespace detail

/// Winograd path: 3x3 kernels, stride 1, dilation 1, zero padding, any groups.
/// Accumulates in T, like the GEMM path. Chunks are (batch, group, tile rows).
template <class T>
void corr2d_winograd(const Corr2dArgs& a, const ExecContext& ctx) {
  using namespace detail;
  using Mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  using Map = Eigen::Map<Mat>;
  using CMap = Eigen::Map<const Mat>;
  check_args(a);
  require(winograd_applies(a), "method: the Winograd path needs a 3x3 kernel, stride 1, dilation 1 and zero padding");
  if (a.n == 0 || a.oh == 0 || a.ow == 0) return;
  const int64_t groups = a.c / a.cg, og = a.o / groups, cg = a.cg;
  // U[xi] = (G g G^T)[xi] as an (o, cg) matrix per xi, G = [1 0 0; .5 .5 .5; .5 -.5 .5; 0 0 1]
  std::vector<T> U(static_cast<size_t>(16 * a.o * cg));
  {
    const std::vector<double> K = load_weights<T>(a);
    for (int64_t o = 0; o < a.o; ++o)
      for (int64_t c = 0; c < cg; ++c) {
        const double* g = K.data() + (o * cg + c) * 9;
        double gg[12], u[16];
        for (int q = 0; q < 3; ++q) {
          gg[0 + q] = g[q];
          gg[3 + q] = 0.5 * (g[q] + g[3 + q] + g[6 + q]);
          gg[6 + q] = 0.5 * (g[q] - g[3 + q] + g[6 + q]);
          gg[9 + q] = g[6 + q];
        }
        for (int r = 0; r < 4; ++r) {
          const double* s = gg + 3 * r;
          u[4 * r + 0] = s[0];
          u[4 * r + 1] = 0.5 * (s[0] + s[1] + s[2]);
          u[4 * r + 2] = 0.5 * (s[0] - s[1] + s[2]);
          u[4 * r + 3] = s[2];
        }
        for (int xi = 0; xi < 16; ++xi) U[(xi * a.o + o) * cg + c] = static_cast<T>(u[xi]);
      }
  }
  const std::vector<double> bias = load_bias<T>(a);
  const int64_t tyn = (a.oh + 1) / 2, txn = (a.ow + 1) / 2;
  const int64_t rows_per = std::max<int64_t>(1, std::max<int64_t>(16, kWinoTileElems / cg) / txn);
  const int64_t nrb = (tyn + rows_per - 1) / rows_per;
  const int64_t nchunks = a.n * groups * nrb;
  parallel_for(nchunks, a.n * a.o * a.oh * a.ow * cg * 9, ctx, [&](int64_t ch) {
    const int64_t rb = ch % nrb, g = (ch / nrb) % groups, b = ch / (nrb * groups);
    const int64_t ty0 = rb * rows_per, nty = std::min(tyn, ty0 + rows_per) - ty0, nt = nty * txn;
    // per-thread scratch, reused across chunks and calls (no zeroing, no page faults)
    T* V = scratch<T, 0>(16 * cg * nt);
    T* M = scratch<T, 1>(16 * og * nt);
    // Input transform, vectorised over the tiles of a row: each of the 4
    // input rows is split into even and odd columns, so column q of tile tx
    // is ev[tx], od[tx], ev[tx+1], od[tx+1] for q = 0..3.
    const int64_t L = txn + 1;
    std::vector<T> eo(static_cast<size_t>(8 * L)), tt(static_cast<size_t>(16 * txn));
    for (int64_t c = 0; c < cg; ++c) {
      const char* plane = a.in + b * a.in_s[0] + (g * cg + c) * a.in_s[1];
      const int64_t rs = a.in_s[2], cs = a.in_s[3];
      for (int64_t ty = 0; ty < nty; ++ty) {
        const int64_t iy0 = a.y0 + 2 * (ty0 + ty);
        for (int r = 0; r < 4; ++r) {
          T* ev = eo.data() + 2 * r * L;
          T* od = ev + L;
          const int64_t iy = iy0 + r;
          if (iy < 0 || iy >= a.h) {
            std::fill(ev, ev + 2 * L, T(0));
            continue;
          }
          const char* row = plane + iy * rs;
          auto at = [&](int64_t ix) {
            return (ix >= 0 && ix < a.w) ? *reinterpret_cast<const T*>(row + ix * cs) : T(0);
          };
          // interior: 0 <= x0 + 2i and x0 + 2i + 1 < w
          const int64_t lo = std::min(L, a.x0 >= 0 ? 0 : (-a.x0 + 1) / 2);
          const int64_t hi = std::max(lo, std::min(L, a.w - 1 - a.x0 > 0 ? (a.w - 2 - a.x0) / 2 + 1 : 0));
          for (int64_t i = 0; i < lo; ++i) ev[i] = at(a.x0 + 2 * i), od[i] = at(a.x0 + 2 * i + 1);
          if (cs == static_cast<int64_t>(sizeof(T))) {
            const T* src = reinterpret_cast<const T*>(row) + a.x0;
            for (int64_t i = lo; i < hi; ++i) ev[i] = src[2 * i], od[i] = src[2 * i + 1];
          } else {
            for (int64_t i = lo; i < hi; ++i) ev[i] = at(a.x0 + 2 * i), od[i] = at(a.x0 + 2 * i + 1);
          }
          for (int64_t i = hi; i < L; ++i) ev[i] = at(a.x0 + 2 * i), od[i] = at(a.x0 + 2 * i + 1);
        }
        using A = Eigen::Array<T, Eigen::Dynamic, 1>;
        using AM = Eigen::Map<A>;
        using CAM = Eigen::Map<const A>;
        auto col = [&](int r, int q) {  // column q of the tiles' input row r
          return CAM(eo.data() + 2 * r * L + (q & 1) * L + (q >> 1), txn);
        };
        for (int q = 0; q < 4; ++q) {  // t = B^T d, rows combined
          AM(tt.data() + (0 + q) * txn, txn) = col(0, q) - col(2, q);
          AM(tt.data() + (4 + q) * txn, txn) = col(1, q) + col(2, q);
          AM(tt.data() + (8 + q) * txn, txn) = col(2, q) - col(1, q);
          AM(tt.data() + (12 + q) * txn, txn) = col(1, q) - col(3, q);
        }
        for (int r = 0; r < 4; ++r) {  // v = t B, columns combined
          auto tq = [&](int q) { return CAM(tt.data() + (4 * r + q) * txn, txn); };
          auto vout = [&](int q) { return AM(V + ((4 * r + q) * cg + c) * nt + ty * txn, txn); };
          vout(0) = tq(0) - tq(2);
          vout(1) = tq(1) + tq(2);
          vout(2) = tq(2) - tq(1);
          vout(3) = tq(1) - tq(3);
        }
      }
    }
    for (int xi = 0; xi < 16; ++xi) {
      CMap Ux(U.data() + (xi * a.o + g * og) * cg, og, cg);
      CMap Vx(V + xi * cg * nt, cg, nt);
      Map Mx(M + xi * og * nt, og, nt);
      Mx.noalias() = Ux * Vx;
    }
    // Output transform y = A^T m A, A^T = [1 1 1 0; 0 1 -1 -1], vectorised over a tile row.
    using A = Eigen::Array<T, Eigen::Dynamic, 1>;
    using AM = Eigen::Map<A>;
    using CAM = Eigen::Map<const A>;
    std::vector<T> sbuf(static_cast<size_t>(8 * txn)), y0(txn), y1(txn);
    for (int64_t o = 0; o < og; ++o) {
      const int64_t oc = g * og + o;
      const T bo = static_cast<T>(bias[oc]);
      char* plane = a.out + b * a.out_s[0] + oc * a.out_s[1];
      for (int64_t ty = 0; ty < nty; ++ty) {
        auto m = [&](int xi) { return CAM(M + (xi * og + o) * nt + ty * txn, txn); };
        for (int q = 0; q < 4; ++q) {
          AM(sbuf.data() + q * txn, txn) = m(q) + m(4 + q) + m(8 + q);
          AM(sbuf.data() + (4 + q) * txn, txn) = m(4 + q) - m(8 + q) - m(12 + q);
        }
        const int64_t oy = 2 * (ty0 + ty);
        for (int r = 0; r < 2 && oy + r < a.oh; ++r) {
          auto sq = [&](int q) { return CAM(sbuf.data() + (4 * r + q) * txn, txn); };
          AM(y0.data(), txn) = sq(0) + sq(1) + sq(2) + bo;
          AM(y1.data(), txn) = sq(1) - sq(2) - sq(3) + bo;
          char* d = plane + (oy + r) * a.out_s[2];
          const int64_t os = a.out_s[3];
          for (int64_t tx = 0; tx < txn; ++tx) {
            *reinterpret_cast<T*>(d + 2 * tx * os) = y0[tx];
            if (2 * tx + 1 < a.ow) *reinterpret_cast<T*>(d + (2 * tx + 1) * os) = y1[tx];
          }
        }
      }
    }
  });
}

}  // namespace gilfree
