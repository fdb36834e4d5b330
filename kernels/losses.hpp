// Loss functions: fused single-pass value (+ gradient) kernels.
//
// Every kernel reads each input element once, evaluates the loss (a functor
// of losses_ops.hpp) on blocks of doubles with Eigen's vectorised array
// math, or, for a pointwise loss, in one fused pass of vectors (the sum and
// the gradient together), and reduces per fixed-size chunk; the engine (reduce_engine.hpp)
// combines the chunk partials pairwise in chunk order, so the result is
// bitwise identical for any thread count. float32 and float64 inputs both
// accumulate in float64.
#pragma once

#include <Eigen/Core>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <type_traits>

#include "losses_ops.hpp"
#include "reduce_engine.hpp"
#include "runtime.hpp"
#include "strided.hpp"

namespace gilfree {

enum class Reduction : int { none = 0, mean = 1, sum = 2, batchmean = 3 };

enum class LossKind : int {
  mse = 0,
  mae,
  huber,
  smooth_l1,
  log_cosh,
  pinball,
  poisson_nll,
  binary_cross_entropy,
  binary_cross_entropy_with_logits,
  kl_div,
  hinge,
  squared_hinge,
};

/// Scalar parameters of the elementwise losses (meaning depends on the kind).
struct LossParams {
  double p0 = 0.0;  // delta, beta, quantile, eps
  int flag0 = 0;    // log_input, log_target
  int flag1 = 0;    // full
};

/// Operands of an elementwise loss over one shared shape. weight and extra
/// (pos_weight) may be broadcast views (zero strides); out receives the
/// per-element losses for Reduction::none; grad receives d value / d input.
struct ElementwiseArgs {
  NdShape shape;
  NdOperand input, target, weight, extra, out, grad;
  Reduction reduction = Reduction::mean;
  double batch = 1.0;  // divisor for Reduction::batchmean
};

namespace detail {

struct Block {
  alignas(64) double x[kBlock];
  alignas(64) double y[kBlock];
  alignas(64) double p[kBlock];
  alignas(64) double w[kBlock];
  alignas(64) double l[kBlock];
  alignas(64) double g[kBlock];
};

template <class T>
double sum_weights(const NdShape& s, NdOperand& w, const ExecContext& ctx) {
  NdOperand* ops[1] = {&w};
  const int64_t n = s.size();
  return chunk_sums<1>(num_chunks(n), n / 8, ctx, [&](int64_t c, double* out) {
    alignas(64) double buf[kBlock];
    LaneSum acc;
    for_segments(s, ops, c * kChunk, std::min(n, (c + 1) * kChunk), [&](char* const* ptr, int64_t cnt) {
      for (int64_t o = 0; o < cnt; o += kBlock) {
        int m = static_cast<int>(std::min<int64_t>(kBlock, cnt - o));
        gather<T>(ptr[0] + o * w.strides[s.ndim - 1], w.strides[s.ndim - 1], m, buf);
        acc.add(m, [&](int i) { return buf[i]; });
      }
    });
    out[0] = acc.total();
  })[0];
}

/// The lane term of a pointwise loss: the lane plus the loss at (u, w).
template <class F>
inline auto loss_term(const F& f) {
  return [&f](auto u, auto w, auto lane) { return add_loss(f, u, w, lane); };
}

/// A pointwise loss's sum of m elements and, where g is set, its gradient
/// times gscale into g, in one pass (x, y, g: T in memory, computed in
/// double). The value's bits are those of the sum alone.
template <class T, class F>
inline void fused_pass(const F& f, const T* x, const T* y, int m, double gscale, T* g, LaneSum& acc) {
  const auto term = loss_term(f);
  if (!g) {
    acc.add_terms(x, y, m, term);
    return;
  }
  acc.add_terms(x, y, m, term, [&f, g, gscale](int i, auto u, auto w) { store_as(g + i, f.gradient(u, w) * gscale); });
}

/// fused_pass over R runs of m values at once (m a multiple of kLanes) into
/// empty sums acc[s]: the bits of each run alone. The gradient goes to g[s]
/// where g is set.
template <int R, class T, class F>
inline void fused_pass_streams(const F& f, const T* const* x, const T* const* y, int m, double gscale,
                               T* const* g, LaneSum* acc) {
  const auto term = loss_term(f);
  if (!g) {
    LaneSum::add_terms_streams<R>(x, y, m, term, [](int, int, auto, auto) {}, acc);
    return;
  }
  LaneSum::add_terms_streams<R>(x, y, m, term, [&f, g, gscale](int s, int i, auto u, auto w) {
    store_as(g[s] + i, f.gradient(u, w) * gscale);
  }, acc);
}

/// The engine run with one loss functor: a coalesced `a` (see
/// elementwise_loss), the gradient scale, and whether the weights are summed
/// in the pass (a weighted mean without a gradient). Returns the sums of the
/// losses and of the weights.
template <class T, class F>
std::array<double, 2> loss_sums(const F& loss, ElementwiseArgs& a, double gscale, bool sum_w, const ExecContext& ctx) {
  using CMap = LossIO::CMap;
  const NdShape& s = a.shape;
  NdOperand* ops[6] = {&a.input, &a.target, &a.weight, &a.extra, &a.out, &a.grad};
  const int64_t n = s.size();
  const bool has_w = a.weight.data != nullptr, has_p = a.extra.data != nullptr;
  const bool want_grad = a.grad.data != nullptr, want_out = a.out.data != nullptr;
  const int ax = s.ndim - 1;
  // a pointwise loss without weights or per-element losses: the sum and the
  // gradient in one pass, in place where the operands are contiguous (float32
  // read and written through double vectors), on converted blocks elsewhere
  const bool fused = is_pointwise<F>::value && !has_w && !want_out;
  const int64_t elem = sizeof(T);
  const bool in_place =
      a.input.strides[ax] == elem && a.target.strides[ax] == elem && (!want_grad || a.grad.strides[ax] == elem);
  const auto chunk = [&](int64_t c, double* out) {
    Block b;
    LaneSum acc, wacc;  // by index in the chunk: the same bits for any layout
    for_segments(s, ops, c * kChunk, std::min(n, (c + 1) * kChunk), [&](char* const* ptr, int64_t cnt) {
      if constexpr (is_pointwise<F>::value) {
        if (fused && in_place) {
          fused_pass(loss, reinterpret_cast<const T*>(ptr[0]), reinterpret_cast<const T*>(ptr[1]),
                     static_cast<int>(cnt), gscale, want_grad ? reinterpret_cast<T*>(ptr[5]) : nullptr, acc);
          return;
        }
      }
      for (int64_t o = 0; o < cnt; o += kBlock) {
        const int m = static_cast<int>(std::min<int64_t>(kBlock, cnt - o));
        const double* xp = load_doubles<T>(ptr[0] + o * a.input.strides[ax], a.input.strides[ax], m, b.x);
        const double* yp = load_doubles<T>(ptr[1] + o * a.target.strides[ax], a.target.strides[ax], m, b.y);
        if constexpr (is_pointwise<F>::value) {
          if (fused) {
            fused_pass(loss, xp, yp, m, gscale, want_grad ? b.g : nullptr, acc);
            if (want_grad) scatter<T>(b.g, m, ptr[5] + o * a.grad.strides[ax], a.grad.strides[ax]);
            continue;
          }
        }
        const double* pp = has_p ? load_doubles<T>(ptr[3] + o * a.extra.strides[ax], a.extra.strides[ax], m, b.p) : xp;
        LossIO io{m, CMap(xp, m), CMap(yp, m), CMap(pp, m), has_p, Vec(b.l, m), Vec(b.g, m)};
        if constexpr (is_pointwise<F>::value)
          pointwise_block(loss, io, want_grad);
        else
          loss(io, want_grad);
        if (has_w) {
          gather<T>(ptr[2] + o * a.weight.strides[ax], a.weight.strides[ax], m, b.w);
          CVec w(b.w, m);
          io.l *= w;
          if (want_grad) io.g *= w;
          if (sum_w) wacc.add(m, [&](int i) { return b.w[i]; });
        }
        if (want_out) scatter<T>(b.l, m, ptr[4] + o * a.out.strides[ax], a.out.strides[ax]);
        bool summed = false;
        if constexpr (has_add_loss<F>::value) {
          if (!has_w) {  // the fused pass's sum (madd fuses it): the same value
            fused_pass(loss, xp, yp, m, gscale, static_cast<double*>(nullptr), acc);
            summed = true;
          }
        }
        if (!summed) acc.add(m, [&](int i) { return b.l[i]; });
        if (want_grad) {
          if (gscale != 1.0) io.g *= gscale;
          scatter<T>(b.g, m, ptr[5] + o * a.grad.strides[ax], a.grad.strides[ax]);
        }
      }
    });
    out[0] = acc.total();
    out[1] = wacc.total();
  };
  if constexpr (is_pointwise<F>::value) {
    if (fused && in_place && s.ndim == 1) {  // one contiguous run: R whole chunks read at once
      constexpr int R = runs_at_once(2);  // x and y (a gradient written too was no reason for fewer)
      const auto group = [&](int64_t c0, double* out) {
        if ((c0 + R) * kChunk > n) return false;
        const T *xs[R], *ys[R];
        T* gs[R];
        for (int q = 0; q < R; ++q) {
          const int64_t at = (c0 + q) * kChunk;
          xs[q] = reinterpret_cast<const T*>(a.input.data) + at;
          ys[q] = reinterpret_cast<const T*>(a.target.data) + at;
          gs[q] = want_grad ? reinterpret_cast<T*>(a.grad.data) + at : nullptr;
        }
        LaneSum acc[R];
        fused_pass_streams<R>(loss, xs, ys, static_cast<int>(kChunk), gscale, want_grad ? gs : nullptr, acc);
        for (int q = 0; q < R; ++q) out[2 * q] = acc[q].total();  // (the weight sums stay +0.0)
        return true;
      };
      return chunk_sums<2, R>(num_chunks(n), n * F::kCost, ctx, chunk, kSumBlock, group);
    }
  }
  return chunk_sums<2>(num_chunks(n), n * F::kCost, ctx, chunk);
}

/// Elementwise loss `loss` over any shape and strides (see elementwise_loss).
template <class T, class F>
double elementwise(const F& loss, ElementwiseArgs& a, const ExecContext& ctx) {
  NdShape& s = a.shape;
  const int64_t n = s.size();
  if (n == 0) throw std::invalid_argument("input: must not be empty");
  NdOperand* ops[6] = {&a.input, &a.target, &a.weight, &a.extra, &a.out, &a.grad};
  coalesce(s, ops);
  const bool has_w = a.weight.data != nullptr, want_grad = a.grad.data != nullptr;
  // Gradient scale: known before the pass, except for a weighted mean.
  double gscale = 1.0;
  double wsum = static_cast<double>(n);
  bool wsum_known = true;
  if (a.reduction == Reduction::mean) {
    if (has_w) {
      wsum_known = want_grad;
      if (want_grad) wsum = sum_weights<T>(s, a.weight, ctx);
    }
    gscale = 1.0 / wsum;
  } else if (a.reduction == Reduction::batchmean) {
    gscale = 1.0 / a.batch;
  }
  const bool sum_w = has_w && !wsum_known;  // the weight sum comes with the pass
  const auto sums = loss_sums<T>(loss, a, gscale, sum_w, ctx);
  if (sum_w) wsum = sums[1];
  switch (a.reduction) {
    case Reduction::mean:
      return sums[0] / wsum;
    case Reduction::batchmean:
      return sums[0] / a.batch;
    default:
      return sums[0];
  }
}

}  // namespace detail

/// Elementwise loss over any shape and strides. Returns the reduced value
/// (sum, mean, batchmean); for Reduction::none the per-element losses go to
/// args.out and the return value is their sum. `a` is coalesced in place (its
/// shape and strides merged where contiguous; a few KB not copied per call).
/// The one place where a LossKind becomes its functor (losses_ops.hpp).
template <class T>
double elementwise_loss(LossKind kind, const LossParams& prm, ElementwiseArgs& a, const ExecContext& ctx) {
  using namespace detail;
  switch (kind) {
    case LossKind::mse:
      return elementwise<T>(Mse{}, a, ctx);
    case LossKind::mae:
      return elementwise<T>(Mae{}, a, ctx);
    case LossKind::huber:
      return elementwise<T>(Huber{prm.p0}, a, ctx);
    case LossKind::smooth_l1:
      return elementwise<T>(SmoothL1{prm.p0}, a, ctx);
    case LossKind::log_cosh:
      return elementwise<T>(LogCosh{}, a, ctx);
    case LossKind::pinball:
      return elementwise<T>(Pinball{prm.p0}, a, ctx);
    case LossKind::poisson_nll:
      return elementwise<T>(PoissonNll{prm.p0, prm.flag0 != 0, prm.flag1 != 0}, a, ctx);
    case LossKind::binary_cross_entropy:
      return elementwise<T>(BinaryCrossEntropy{}, a, ctx);
    case LossKind::binary_cross_entropy_with_logits:
      return elementwise<T>(BinaryCrossEntropyWithLogits{}, a, ctx);
    case LossKind::kl_div:
      return elementwise<T>(KlDiv{prm.flag0 != 0}, a, ctx);
    case LossKind::hinge:
      return elementwise<T>(Hinge{}, a, ctx);
    case LossKind::squared_hinge:
      return elementwise<T>(SquaredHinge{}, a, ctx);
  }
  throw std::invalid_argument("kind: unknown loss");
}

}  // namespace gilfree
