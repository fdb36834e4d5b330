// Loss functions: fused single-pass value (+ gradient) kernels.
//
// Every kernel reads each input element once, evaluates the loss on blocks
// of doubles with Eigen's vectorised array math, and reduces per fixed-size
// chunk; the engine (reduce_engine.hpp) combines the chunk partials pairwise
// in chunk order, so the result is bitwise identical for any thread count. float32 and float64 inputs both
// accumulate in float64.
#pragma once

#include <Eigen/Core>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <type_traits>
#include <vector>

#include "reduce_engine.hpp"
#include "runtime.hpp"
#include "strided.hpp"
#include "vmath.hpp"

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

constexpr int kBlock = 256;  // doubles per vectorised block: fixes the order of each chunk's sum

/// Block temporaries: dynamic size up to kBlock, stored on the stack (no malloc per block).
using BArr = Eigen::Array<double, Eigen::Dynamic, 1, Eigen::ColMajor, kBlock, 1>;
using Vec = Eigen::Map<Eigen::ArrayXd, Eigen::Aligned64>;
using CVec = Eigen::Map<const Eigen::ArrayXd, Eigen::Aligned64>;

/// log1p(t) for t > -1, vectorised, to ~1 ulp relative: log(u) for u = 1 + t,
/// corrected for the rounding of u (Eigen's vectorised log is relative-accurate
/// near 1; max error 2.6e-16 over t in [1e-15, 1] against long double log1p).
template <class E>
inline BArr log1p_accurate(const E& t) {
  BArr u = 1.0 + t;
  return vmath::log<BArr>(u) - ((u - 1.0) - t) / u;
}

/// Whether every element of v lies in [0, 1] (false for NaN). A plain loop
/// the compiler vectorises: Eigen 3.4 reduces a boolean all() one
/// coefficient at a time (16% of binary_cross_entropy's time).
template <class E>
inline bool all_in_unit_interval(const E& v) {
  const Eigen::internal::evaluator<E> ev(v);
  int64_t bad = 0;
  for (Eigen::Index i = 0; i < v.size(); ++i) {
    const double e = ev.coeff(i);
    bad += static_cast<int64_t>((e >= 0.0) & (e <= 1.0)) ^ 1;  // no branch: vectorises
  }
  return bad == 0;
}

// select(): Eigen 3.4 evaluates it one coefficient at a time. With cheap
// branches the compiler vectorises that loop itself; a transcendental call
// inside a branch (log, exp) would run as scalar libm once per element, so
// such branches are evaluated into a block array (vectorised) first.

/// sign(d) with NaN kept (Eigen's sign() is not vectorised for double here).
template <class E>
inline BArr sign_of(const E& d) {
  return (d > 0.0).select(BArr::Constant(d.size(), 1.0), (d < 0.0).select(BArr::Constant(d.size(), -1.0), d * 0.0));
}

/// sinh(h) for |h| <= 0.5 by its Taylor series (relative error < 1e-19).
template <class E>
inline BArr sinh_series(const E& h) {
  BArr h2 = h.square();
  constexpr int kTerms = 10;  // 0.25^10 / 21! ~ 2e-26
  double c[kTerms + 1];
  c[0] = 1.0;
  for (int k = 1; k <= kTerms; ++k) c[k] = c[k - 1] / ((2.0 * k) * (2.0 * k + 1.0));
  BArr p = BArr::Constant(h.size(), c[kTerms]);
  for (int k = kTerms - 1; k >= 0; --k) p = p * h2 + c[k];
  return h * p;
}

/// c * x with 0 * inf taken as 0 (the limit of the losses' linear terms).
template <class C, class X>
inline BArr times_or_zero(const C& c, const X& x) {
  return (c == 0.0).select(BArr::Zero(x.size()), c * x);
}

struct Block {
  alignas(64) double x[kBlock];
  alignas(64) double y[kBlock];
  alignas(64) double p[kBlock];
  alignas(64) double w[kBlock];
  alignas(64) double l[kBlock];
  alignas(64) double g[kBlock];
};

// Each op fills l (loss) and, when want_grad, g (d loss / d input) for m
// elements. x, y, p point into the caller's arrays (contiguous float64) or
// into the block's gather buffers.
inline void eval_loss(LossKind kind, const LossParams& prm, int m, const double* xp, const double* yp,
                      const double* pp, Block& b, bool has_extra, bool want_grad) {
  using CMap = Eigen::Map<const Eigen::ArrayXd>;
  CMap x(xp, m), y(yp, m), p(pp ? pp : xp, m);
  Vec l(b.l, m), g(b.g, m);
  switch (kind) {
    case LossKind::mse: {
      BArr d = x - y;
      l = d.square();
      if (want_grad) g = 2.0 * d;
      break;
    }
    case LossKind::mae: {
      BArr d = x - y;
      l = d.abs();
      if (want_grad) g = sign_of(d);
      break;
    }
    case LossKind::huber: {
      const double delta = prm.p0;
      BArr d = x - y, a = d.abs();
      l = (a < delta).select(0.5 * d.square(), delta * (a - 0.5 * delta));
      if (want_grad) g = (a < delta).select(d, delta * sign_of(d));
      break;
    }
    case LossKind::smooth_l1: {
      const double beta = prm.p0;
      BArr d = x - y, a = d.abs();
      if (beta == 0.0) {
        l = a;
        if (want_grad) g = sign_of(d);
      } else {
        l = (a < beta).select(0.5 * d.square() / beta, a - 0.5 * beta);
        if (want_grad) g = (a < beta).select(d / beta, sign_of(d));
      }
      break;
    }
    case LossKind::log_cosh: {
      // |d| > 1: |d| + log1p(exp(-2|d|)) - log 2 (no cancellation, exact for 1e30);
      // |d| <= 1: log1p(2 sinh^2(d/2)), accurate to a few ulps relative.
      BArr d = x - y, a = d.abs();
      BArr sh = sinh_series((0.5 * a).min(0.5));
      BArr t = 2.0 * sh.square();
      BArr e = vmath::exp<BArr>(-2.0 * a);
      // one log1p per element: of t where |d| <= 1, of e elsewhere (same bits as two)
      const BArr arg = (a <= 1.0).select(t, e);  // an array: see select() above
      const BArr lg = log1p_accurate(arg);
      l = (a <= 1.0).select(lg, a + lg - M_LN2);
      if (want_grad) {
        // tanh(a) = 2 sh sqrt(1 + sh^2) / (1 + 2 sh^2) for small a
        const BArr th_small = 2.0 * sh * (1.0 + sh.square()).sqrt() / (1.0 + t), th_large = (1.0 - e) / (1.0 + e);
        const BArr th = (a <= 1.0).select(th_small, th_large);
        g = sign_of(d) * th;
      }
      break;
    }
    case LossKind::pinball: {
      const double q = prm.p0;
      BArr diff = y - x;
      l = (diff >= 0.0).select(q * diff, (q - 1.0) * diff);
      if (want_grad) g = (diff >= 0.0).select(BArr::Constant(m, -q), BArr::Constant(m, 1.0 - q));
      break;
    }
    case LossKind::poisson_nll: {
      if (prm.flag0) {  // log_input
        BArr ex = vmath::exp<BArr>(x);
        l = ex - y * x;
        if (want_grad) g = ex - y;
      } else {
        BArr xe = x + prm.p0;
        l = x - y * vmath::log<BArr>(xe);
        if (want_grad) g = 1.0 - y / xe;
      }
      if (prm.flag1) {  // full: Stirling term where target > 1
        BArr st = y * vmath::log<BArr>(y) - y + 0.5 * vmath::log<BArr>(2.0 * M_PI * y);
        l += (y > 1.0).select(st, 0.0);
      }
      break;
    }
    case LossKind::binary_cross_entropy: {
      if (!all_in_unit_interval(x))
        throw std::domain_error("input: binary_cross_entropy needs probabilities in [0, 1]");
      if (!all_in_unit_interval(y))
        throw std::domain_error("target: binary_cross_entropy needs targets in [0, 1]");
      // torch clamps each log term at -100. log(1 - x) = log(u) - ((u - 1) + x) / u
      // with u = 1 - x: log1p's correction for the rounding of u, exactly 0 for
      // x >= 0.5 where u is exact (Sterbenz); max() keeps x = 1 at 0 / DBL_MIN = 0.
      const BArr u = 1.0 - x;
      const BArr corr = ((u - 1.0) + x) / u.max(std::numeric_limits<double>::min());
      int nonbinary = 0;
      for (int i = 0; i < m; ++i) nonbinary += (y[i] != 0.0) & (y[i] != 1.0);
      if (nonbinary == 0) {  // hard 0/1 targets: one log per element, same bits
        const BArr v = (y == 1.0).select(x, u);
        const BArr c = (y == 1.0).select(BArr::Zero(m), corr);
        l = -(vmath::log<BArr>(v) - c).max(-100.0);
      } else {
        const BArr lx = vmath::log<BArr>(x).max(-100.0);
        const BArr l1x = (vmath::log<BArr>(u) - corr).max(-100.0);
        l = -(y * lx + (1.0 - y) * l1x);
      }
      if (want_grad) g = (x - y) / ((1.0 - x) * x).max(1e-12);
      break;
    }
    case LossKind::binary_cross_entropy_with_logits: {
      // (1-y) x + lw softplus(-x), softplus(-x) = max(-x, 0) + log1p(exp(-|x|)).
      // The large terms are added first, so y = 0, x << 0 cancels exactly
      // (torch's order loses ~1e-10 relative there). One exp, one log and one
      // division per element; expressions are fused to keep block passes few.
      BArr e = vmath::exp<BArr>(-x.abs());
      BArr u = 1.0 + e;
      BArr r = u.inverse();  // serves log1p's correction and both sigmoids
      const BArr log_u = vmath::log<BArr>(u);
      const auto l1p = log_u - ((u - 1.0) - e) * r;
      // (1-y) x + lw max(-x, 0) = c x with c = 1-y (x >= 0) or 1-y-lw (x < 0)
      if (has_extra) {
        const auto lw = 1.0 + (p - 1.0) * y;
        l = times_or_zero((x >= 0.0).select(1.0 - y, 1.0 - y - lw), x) + lw * l1p;
      } else {
        l = times_or_zero((x >= 0.0).select(1.0 - y, -y), x) + l1p;
      }
      if (want_grad) {
        // (1-y) - lw sigmoid(-x), written as (1-y) sigmoid(x) - pw y sigmoid(-x):
        // no cancellation for targets 0 and 1
        const auto er = e * r;
        const auto pos = x >= 0.0;
        if (has_extra)
          g = (1.0 - y) * pos.select(r, er) - p * y * pos.select(er, r);
        else
          g = (1.0 - y) * pos.select(r, er) - y * pos.select(er, r);
      }
      break;
    }
    case LossKind::kl_div: {
      if (prm.flag0) {  // log_target
        BArr ey = vmath::exp<BArr>(y);
        l = ey * (y - x);
        if (want_grad) g = -ey;
      } else {
        double ymin = 0.0;  // a loop: Eigen's boolean any() runs one coefficient at a time
        for (int i = 0; i < m; ++i) ymin = std::min(ymin, y[i]);
        if (ymin < 0.0) throw std::domain_error("target: kl_div needs non-negative targets (log_target=False)");
        // xlogy(y, y) - y * x, with 0 * log 0 = 0
        const BArr ylogy = y * vmath::log<BArr>(y);  // evaluated before select(): see above
        l = (y > 0.0).select(ylogy, 0.0) - y * x;
        if (want_grad) g = -y;
      }
      break;
    }
    case LossKind::hinge: {
      BArr mg = 1.0 - y * x;
      l = mg.max(0.0);
      if (want_grad) g = (mg > 0.0).select(-y, 0.0);
      break;
    }
    case LossKind::squared_hinge: {
      BArr mg = 1.0 - y * x;
      l = mg.max(0.0).square();
      if (want_grad) g = (mg > 0.0).select(-2.0 * y * mg, 0.0);
      break;
    }
  }
}

/// Relative cost of one element (an mse element = 1), measured with
/// bench/bench_threshold.py; scales the work estimate that decides between
/// running inline and on the pool.
inline int64_t element_cost(LossKind kind) {
  switch (kind) {
    case LossKind::log_cosh:
    case LossKind::binary_cross_entropy:
    case LossKind::binary_cross_entropy_with_logits:
      return 8;
    case LossKind::poisson_nll:
    case LossKind::kl_div:
      return 4;
    default:
      return 1;
  }
}

template <class T>
double sum_weights(const NdShape& s, NdOperand& w, const ExecContext& ctx) {
  NdOperand* ops[1] = {&w};
  const int64_t n = s.size();
  return chunk_sums<1>(num_chunks(n), n / 8, ctx, [&](int64_t c, double* out) {
    alignas(64) double buf[kBlock];
    double acc = 0.0;
    for_segments(s, ops, c * kChunk, std::min(n, (c + 1) * kChunk), [&](char* const* ptr, int64_t cnt) {
      for (int64_t o = 0; o < cnt; o += kBlock) {
        int m = static_cast<int>(std::min<int64_t>(kBlock, cnt - o));
        gather<T>(ptr[0] + o * w.strides[s.ndim - 1], w.strides[s.ndim - 1], m, buf);
        acc += Eigen::Map<Eigen::ArrayXd, Eigen::Aligned64>(buf, m).sum();
      }
    });
    out[0] = acc;
  })[0];
}

}  // namespace detail

/// Elementwise loss over any shape and strides. Returns the reduced value
/// (sum, mean, batchmean); for Reduction::none the per-element losses go to
/// args.out and the return value is their sum.
template <class T>
double elementwise_loss(LossKind kind, const LossParams& prm, ElementwiseArgs a, const ExecContext& ctx) {
  using namespace detail;
  NdShape& s = a.shape;
  const int64_t n = s.size();
  if (n == 0) throw std::invalid_argument("input: must not be empty");
  NdOperand* ops[6] = {&a.input, &a.target, &a.weight, &a.extra, &a.out, &a.grad};
  coalesce(s, ops);
  const bool has_w = a.weight.data != nullptr, has_p = a.extra.data != nullptr;
  const bool want_grad = a.grad.data != nullptr, want_out = a.out.data != nullptr;

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

  const bool plain_mse = kind == LossKind::mse && !has_w && !want_grad && !want_out;
  const bool sum_w = has_w && !wsum_known;
  const int ax = s.ndim - 1;
  // the loss sum and (for a weighted mean without a gradient) the weight sum
  const auto sums = chunk_sums<2>(num_chunks(n), n * element_cost(kind), ctx, [&](int64_t c, double* out) {
    Block b;
    double acc = 0.0, wacc = 0.0;
    for_segments(s, ops, c * kChunk, std::min(n, (c + 1) * kChunk), [&](char* const* ptr, int64_t cnt) {
      for (int64_t o = 0; o < cnt; o += kBlock) {
        const int m = static_cast<int>(std::min<int64_t>(kBlock, cnt - o));
        const double* xp = load_doubles<T>(ptr[0] + o * a.input.strides[ax], a.input.strides[ax], m, b.x);
        const double* yp = load_doubles<T>(ptr[1] + o * a.target.strides[ax], a.target.strides[ax], m, b.y);
        if (plain_mse) {  // the value alone: one fused pass, nothing stored
          acc += (Eigen::Map<const Eigen::ArrayXd>(xp, m) - Eigen::Map<const Eigen::ArrayXd>(yp, m)).square().sum();
          continue;
        }
        const double* pp = has_p ? load_doubles<T>(ptr[3] + o * a.extra.strides[ax], a.extra.strides[ax], m, b.p) : nullptr;
        eval_loss(kind, prm, m, xp, yp, pp, b, has_p, want_grad);
        Vec l(b.l, m), g(b.g, m);
        if (has_w) {
          gather<T>(ptr[2] + o * a.weight.strides[ax], a.weight.strides[ax], m, b.w);
          CVec w(b.w, m);
          l *= w;
          if (want_grad) g *= w;
          if (sum_w) wacc += w.sum();
        }
        if (want_out) scatter<T>(b.l, m, ptr[4] + o * a.out.strides[ax], a.out.strides[ax]);
        acc += l.sum();
        if (want_grad) {
          if (gscale != 1.0) g *= gscale;
          scatter<T>(b.g, m, ptr[5] + o * a.grad.strides[ax], a.grad.strides[ax]);
        }
      }
    });
    out[0] = acc;
    out[1] = wacc;
  });
  const double total = sums[0];
  if (sum_w) wsum = sums[1];
  switch (a.reduction) {
    case Reduction::mean:
      return total / wsum;
    case Reduction::batchmean:
      return total / a.batch;
    default:
      return total;
  }
}

}  // namespace gilfree
