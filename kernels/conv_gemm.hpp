// GEMM path of the correlation (included by conv.hpp): for each chunk of
// (batch, group, output pixels), the input patches are packed into a
// bounded panel and multiplied by the group's weights with Eigen's GEMM.
// No im2col matrix of a whole image or batch is ever built.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cstring>
#include <vector>

#include "conv.hpp"

namespace gilfree {
namespace detail {

constexpr int64_t kPanelElems = 1 << 18;  // packed patch values per chunk (scratch cap)

/// dst[i] = src[i * stride] (bytes) for i < n, no conversion.
template <class T>
inline void copy_strided(const char* src, int64_t stride, int64_t n, T* dst) {
  if (stride == static_cast<int64_t>(sizeof(T))) {
    std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(T));
  } else {
    for (int64_t i = 0; i < n; ++i) dst[i] = *reinterpret_cast<const T*>(src + i * stride);
  }
}

struct GemmPlan {
  int64_t kdim, pblk, npb, kb, nkb;
};

inline GemmPlan gemm_plan(const Corr2dArgs& a) {
  GemmPlan p;
  p.kdim = a.cg * a.kh * a.kw;
  const int64_t npix = std::max<int64_t>(1, a.oh * a.ow);
  p.pblk = std::clamp<int64_t>(kPanelElems / p.kdim, 64, 2048);
  p.pblk = std::min(npix, (p.pblk + 15) / 16 * 16);
  p.npb = (npix + p.pblk - 1) / p.pblk;
  p.kb = std::min(p.kdim, std::max<int64_t>(1, kPanelElems / p.pblk));
  p.nkb = (p.kdim + p.kb - 1) / p.kb;
  return p;
}

/// Packs patch rows [r0, r0 + nr) of the pixels [p0, p0 + np) of image b, group g:
/// panel(r, p) = ext0(in[b, g*cg + c])[y0 + y*sy + j*dy, x0 + x*sx + k*dx], r = (c, j, k).
template <class T>
void pack_patches(const Corr2dArgs& a, int64_t b, int64_t g, int64_t r0, int64_t nr, int64_t p0, int64_t np,
                  T* panel) {
  for (int64_t r = 0; r < nr; ++r) {
    const int64_t rr = r0 + r, k = rr % a.kw, j = (rr / a.kw) % a.kh, c = rr / (a.kw * a.kh);
    const char* plane = a.in + b * a.in_s[0] + (g * a.cg + c) * a.in_s[1];
    T* dst = panel + r * np;
    int64_t p = p0;
    const int64_t pe = p0 + np;
    while (p < pe) {
      const int64_t y = p / a.ow, xa = p % a.ow, xe = std::min(a.ow, xa + (pe - p));
      const int64_t cnt = xe - xa;
      const int64_t iy = a.y0 + y * a.sy + j * a.dy;
      if (iy < 0 || iy >= a.h) {
        std::fill(dst, dst + cnt, T(0));
      } else {
        // columns ix = c0 + x*sx, x in [xa, xe), valid where 0 <= ix < w
        const int64_t c0 = a.x0 + k * a.dx;
        int64_t lo, hi;
        inside_range(c0, a.sx, a.w, xe, lo, hi);
        lo = std::max(lo, xa);
        hi = std::max(hi, lo);
        std::fill(dst, dst + (lo - xa), T(0));
        if (hi > lo)  // one sample needs no stride (sx * in_s[3] may not fit in int64 then)
          copy_strided<T>(plane + iy * a.in_s[2] + (c0 + lo * a.sx) * a.in_s[3], hi - lo > 1 ? a.sx * a.in_s[3] : 0,
                          hi - lo, dst + (lo - xa));
        std::fill(dst + (hi - xa), dst + cnt, T(0));
      }
      dst += cnt;
      p += cnt;
    }
  }
}

}  // namespace detail

/// GEMM path: zero padding (Boundary::fill with fill 0), any stride, dilation
/// and groups. Accumulates in T (float32 data in float32, like torch's CPU
/// path). Chunks are (batch, group, pixel block); scratch per chunk is
/// bounded by kPanelElems packed values plus the (O/groups, pixels) result.
template <class T>
void corr2d_gemm(const Corr2dArgs& a, const ExecContext& ctx) {
  using namespace detail;
  using Mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  check_args(a);
  require(a.boundary == Boundary::fill && a.fill == 0.0, "method: the GEMM path needs zero padding");
  if (a.n == 0 || a.oh == 0 || a.ow == 0) return;
  const int64_t groups = a.c / a.cg, og = a.o / groups;
  const GemmPlan pl = gemm_plan(a);
  // weights as an (o, cg*kh*kw) row-major matrix of T
  Mat W(a.o, pl.kdim);
  for (int64_t o = 0; o < a.o; ++o)
    for (int64_t c = 0; c < a.cg; ++c)
      for (int64_t j = 0; j < a.kh; ++j)
        copy_strided<T>(a.wt + o * a.wt_s[0] + c * a.wt_s[1] + j * a.wt_s[2], a.wt_s[3], a.kw,
                        W.data() + o * pl.kdim + (c * a.kh + j) * a.kw);
  const std::vector<double> bias = load_bias<T>(a);
  const int64_t npix = a.oh * a.ow;
  const int64_t nchunks = a.n * groups * pl.npb;
  parallel_for(nchunks, a.n * a.o * npix * pl.kdim, ctx, [&](int64_t ch) {
    const int64_t pb = ch % pl.npb, g = (ch / pl.npb) % groups, b = ch / (pl.npb * groups);
    const int64_t p0 = pb * pl.pblk, np = std::min(npix, p0 + pl.pblk) - p0;
    Mat panel(pl.kb, np), Y(og, np);
    for (int64_t kbi = 0; kbi < pl.nkb; ++kbi) {
      const int64_t r0 = kbi * pl.kb, nr = std::min(pl.kdim, r0 + pl.kb) - r0;
      pack_patches<T>(a, b, g, r0, nr, p0, np, panel.data());
      auto Wg = W.block(g * og, r0, og, nr);
      if (kbi == 0)
        Y.noalias() = Wg * panel.topRows(nr);
      else
        Y.noalias() += Wg * panel.topRows(nr);
    }
    for (int64_t o = 0; o < og; ++o) {
      const int64_t oc = g * og + o;
      const T bo = static_cast<T>(bias[oc]);
      char* plane = a.out + b * a.out_s[0] + oc * a.out_s[1];
      const T* yr = Y.data() + o * np;
      int64_t p = p0;
      const int64_t pe = p0 + np;
      while (p < pe) {
        const int64_t y = p / a.ow, xa = p % a.ow, cnt = std::min(a.ow - xa, pe - p);
        char* d = plane + y * a.out_s[2] + xa * a.out_s[3];
        for (int64_t i = 0; i < cnt; ++i) *reinterpret_cast<T*>(d + i * a.out_s[3]) = yr[i] + bo;
        yr += cnt;
        p += cnt;
      }
    }
  });
}

}  // namespace gilfree
