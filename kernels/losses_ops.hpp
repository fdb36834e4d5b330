// Loss functors: one small struct per elementwise loss, the way
// scikit-learn's sklearn/_loss has one small function per loss. Each has
//   kCost                      the relative cost of one element (mse = 1),
//                              measured with bench/bench_threshold.py; it
//                              scales the work estimate that decides between
//                              running inline and on the pool;
//   operator()(LossIO&, grad)  the value of m elements into l and, when grad
//                              is set, d value / d input into g (one call:
//                              value and gradient share their temporaries);
// or, for a loss of input and target alone with a few arithmetic operations
// (a "pointwise" loss), instead of operator():
//   loss(x, y), gradient(x, y) the value and d value / d input of one element,
//                              generic over doubles and vectors of 4 (V4d),
//   add_loss(x, y, lane)       optional: lane + loss(x, y), where a fused
//                              multiply-add changes the sum (mse),
// which the engine runs in one fused pass (sum and gradient together, nothing
// stored between) or on blocks (pointwise_block) where weights or the
// per-element losses are asked for.
// elementwise_loss (losses.hpp) runs the engine with one functor; adding a
// loss is one functor here, one LossKind value and one case in its dispatch.
#pragma once

#include <Eigen/Core>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <type_traits>

#include "lanes.hpp"
#include "vmath.hpp"

namespace gilfree {
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

/// A block array of an expression, or of a scalar repeated m times; a block
/// array itself is used as it is (bound to a const reference: no copy).
template <class E>
inline BArr as_block(const E& e, Eigen::Index) {
  return e;
}
inline const BArr& as_block(const BArr& e, Eigen::Index) { return e; }
inline BArr as_block(double v, Eigen::Index m) { return BArr::Constant(m, v); }

/// cond.select(yes, no), branch-free: both sides evaluated first (vectorised),
/// then blended by a plain loop the compiler vectorises. Eigen 3.4's select()
/// runs one coefficient at a time with a branch per element, mispredicted
/// half the time on mixed data (huber on 1e7 doubles: 61 ms, ten times its
/// arithmetic). Each element is the same value select() gives.
template <class C, class Y, class N>
inline BArr blend(const C& cond, const Y& yes, const N& no) {
  const Eigen::Index m = cond.size();
  const BArr& y = as_block(yes, m);  // a temporary lives as long as the reference
  const BArr& n = as_block(no, m);
  const Eigen::internal::evaluator<C> ec(cond);
  BArr r(m);
  for (Eigen::Index i = 0; i < m; ++i) r[i] = ec.coeff(i) ? y[i] : n[i];
  return r;
}

/// v in every lane of a V (a double, or a vector of 4).
template <class V>
inline V splat(double v) {
  if constexpr (std::is_same_v<V, double>)
    return v;
  else
    return V{} + v;
}

/// sign(d) with NaN kept (d * 0.0: NaN, or a zero with d's sign), of a double
/// or a vector of 4.
template <class V>
inline V signum(V d) {
  return d > 0.0 ? splat<V>(1.0) : (d < 0.0 ? splat<V>(-1.0) : d * 0.0);
}

/// signum of each element, in vectors of 4 (branch-free; a scalar loop
/// branches on the sign and mispredicts half the time on mixed data).
template <class E>
inline BArr sign_of(const E& d) {
  BArr r = d;
  Eigen::Index i = 0;
  for (; i + 4 <= r.size(); i += 4) {
    V4d v;
    std::memcpy(&v, r.data() + i, sizeof v);
    v = signum(v);
    std::memcpy(r.data() + i, &v, sizeof v);
  }
  for (; i < r.size(); ++i) r[i] = signum(r[i]);
  return r;
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
  return blend(c == 0.0, 0.0, c * x);
}

/// One block of m elements: the operands as float64 (read in place or
/// gathered) and where the losses (l) and the gradient (g) go.
struct LossIO {
  using CMap = Eigen::Map<const Eigen::ArrayXd>;
  int m;
  CMap x, y, p;  // input, target, extra (pos_weight; x where absent)
  bool has_p;
  Vec l, g;
};

/// Whether a loss functor is pointwise (loss and gradient of one element).
template <class F, class = void>
struct is_pointwise : std::false_type {};
template <class F>
struct is_pointwise<F, std::void_t<decltype(std::declval<const F&>().loss(0.0, 0.0))>> : std::true_type {};

template <class F, class = void>
struct has_add_loss : std::false_type {};
template <class F>
struct has_add_loss<F, std::void_t<decltype(std::declval<const F&>().add_loss(0.0, 0.0, 0.0))>> : std::true_type {};

/// lane + f's loss of (x, y): the one sum of a pointwise loss, whatever path
/// (mse fuses it with madd).
template <class F, class V>
inline V add_loss(const F& f, V x, V y, V lane) {
  if constexpr (has_add_loss<F>::value)
    return f.add_loss(x, y, lane);
  else
    return lane + f.loss(x, y);
}

/// A pointwise loss on a block: loss (and gradient) of each element into l
/// (and g), in vectors of 4 and one at a time for the rest (the same bits).
template <class F>
inline void pointwise_block(const F& f, LossIO& b, bool grad) {
  const double *x = b.x.data(), *y = b.y.data();
  double *l = b.l.data(), *g = b.g.data();
  int i = 0;
  for (; i + 4 <= b.m; i += 4) {
    const V4d u = load4(x + i), w = load4(y + i);
    const V4d lv = f.loss(u, w);
    std::memcpy(l + i, &lv, sizeof lv);
    if (grad) {
      const V4d gv = f.gradient(u, w);
      std::memcpy(g + i, &gv, sizeof gv);
    }
  }
  for (; i < b.m; ++i) {
    l[i] = f.loss(x[i], y[i]);
    if (grad) g[i] = f.gradient(x[i], y[i]);
  }
}

struct Mse {
  static constexpr int64_t kCost = 1;
  template <class V>
  V loss(V x, V y) const {
    const V d = x - y;
    return d * d;
  }
  template <class V>
  V add_loss(V x, V y, V lane) const {
    const V d = x - y;
    return madd(d, d, lane);
  }
  template <class V>
  V gradient(V x, V y) const {
    return 2.0 * (x - y);
  }
};

struct Mae {
  static constexpr int64_t kCost = 1;
  template <class V>
  V loss(V x, V y) const {
    return absval(x - y);
  }
  template <class V>
  V gradient(V x, V y) const {
    return signum(x - y);
  }
};

struct Huber {
  static constexpr int64_t kCost = 1;
  double delta;
  template <class V>
  V loss(V x, V y) const {
    const V d = x - y, a = absval(d);
    return a < delta ? 0.5 * (d * d) : delta * (a - 0.5 * delta);
  }
  template <class V>
  V gradient(V x, V y) const {
    const V d = x - y;
    return absval(d) < delta ? d : delta * signum(d);
  }
};

struct SmoothL1 {
  static constexpr int64_t kCost = 1;
  double beta;
  template <class V>
  V loss(V x, V y) const {
    const V d = x - y, a = absval(d);
    if (beta == 0.0) return a;
    return a < beta ? (0.5 * (d * d)) / beta : a - 0.5 * beta;
  }
  template <class V>
  V gradient(V x, V y) const {
    const V d = x - y;
    if (beta == 0.0) return signum(d);
    return absval(d) < beta ? d / beta : signum(d);
  }
};

struct LogCosh {
  static constexpr int64_t kCost = 8;
  void operator()(LossIO& b, bool grad) const {
    // |d| > 1: |d| + log1p(exp(-2|d|)) - log 2 (no cancellation, exact for 1e30);
    // |d| <= 1: log1p(2 sinh^2(d/2)), accurate to a few ulps relative.
    BArr d = b.x - b.y, a = d.abs();
    BArr sh = sinh_series((0.5 * a).min(0.5));
    BArr t = 2.0 * sh.square();
    BArr e = vmath::exp<BArr>(-2.0 * a);
    // one log1p per element: of t where |d| <= 1, of e elsewhere (same bits as two)
    const BArr arg = blend(a <= 1.0, t, e);
    const BArr lg = log1p_accurate(arg);
    b.l = blend(a <= 1.0, lg, a + lg - M_LN2);
    if (grad) {
      // tanh(a) = 2 sh sqrt(1 + sh^2) / (1 + 2 sh^2) for small a
      const BArr th_small = 2.0 * sh * (1.0 + sh.square()).sqrt() / (1.0 + t), th_large = (1.0 - e) / (1.0 + e);
      const BArr th = blend(a <= 1.0, th_small, th_large);
      b.g = sign_of(d) * th;
    }
  }
};

struct Pinball {
  static constexpr int64_t kCost = 1;
  double q;
  template <class V>
  V loss(V x, V y) const {
    const V diff = y - x;
    return diff >= 0.0 ? q * diff : (q - 1.0) * diff;
  }
  template <class V>
  V gradient(V x, V y) const {
    return y - x >= 0.0 ? splat<V>(-q) : splat<V>(1.0 - q);
  }
};

struct PoissonNll {
  static constexpr int64_t kCost = 4;
  double eps;
  bool log_input, full;
  void operator()(LossIO& b, bool grad) const {
    const auto &x = b.x, &y = b.y;
    if (log_input) {
      BArr ex = vmath::exp<BArr>(x);
      b.l = ex - y * x;
      if (grad) b.g = ex - y;
    } else {
      BArr xe = x + eps;
      b.l = x - y * vmath::log<BArr>(xe);
      if (grad) b.g = 1.0 - y / xe;
    }
    if (full) {  // Stirling term where target > 1
      BArr st = y * vmath::log<BArr>(y) - y + 0.5 * vmath::log<BArr>(2.0 * M_PI * y);
      b.l += blend(y > 1.0, st, 0.0);
    }
  }
};

struct BinaryCrossEntropy {
  static constexpr int64_t kCost = 8;
  void operator()(LossIO& b, bool grad) const {
    const auto &x = b.x, &y = b.y;
    const int m = b.m;
    if (!all_in_unit_interval(x)) throw std::domain_error("input: binary_cross_entropy needs probabilities in [0, 1]");
    if (!all_in_unit_interval(y)) throw std::domain_error("target: binary_cross_entropy needs targets in [0, 1]");
    // torch clamps each log term at -100. log(1 - x) = log(u) - ((u - 1) + x) / u
    // with u = 1 - x: log1p's correction for the rounding of u, exactly 0 for
    // x >= 0.5 where u is exact (Sterbenz); max() keeps x = 1 at 0 / DBL_MIN = 0.
    const BArr u = 1.0 - x;
    const BArr corr = ((u - 1.0) + x) / u.max(std::numeric_limits<double>::min());
    int nonbinary = 0;
    for (int i = 0; i < m; ++i) nonbinary += (y[i] != 0.0) & (y[i] != 1.0);
    if (nonbinary == 0) {  // hard 0/1 targets: one log per element, same bits
      const BArr v = blend(y == 1.0, x, u);
      const BArr c = blend(y == 1.0, 0.0, corr);
      b.l = -(vmath::log<BArr>(v) - c).max(-100.0);
    } else {
      const BArr lx = vmath::log<BArr>(x).max(-100.0);
      const BArr l1x = (vmath::log<BArr>(u) - corr).max(-100.0);
      b.l = -(y * lx + (1.0 - y) * l1x);
    }
    if (grad) b.g = (x - y) / ((1.0 - x) * x).max(1e-12);
  }
};

struct BinaryCrossEntropyWithLogits {
  static constexpr int64_t kCost = 8;
  void operator()(LossIO& b, bool grad) const {
    const auto &x = b.x, &y = b.y, &p = b.p;
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
    if (b.has_p) {
      const auto lw = 1.0 + (p - 1.0) * y;
      b.l = times_or_zero(blend(x >= 0.0, 1.0 - y, 1.0 - y - lw), x) + lw * l1p;
    } else {
      b.l = times_or_zero(blend(x >= 0.0, 1.0 - y, -y), x) + l1p;
    }
    if (grad) {
      // (1-y) - lw sigmoid(-x), written as (1-y) sigmoid(x) - pw y sigmoid(-x):
      // no cancellation for targets 0 and 1
      const auto er = e * r;
      const auto pos = x >= 0.0;
      if (b.has_p)
        b.g = (1.0 - y) * blend(pos, r, er) - p * y * blend(pos, er, r);
      else
        b.g = (1.0 - y) * blend(pos, r, er) - y * blend(pos, er, r);
    }
  }
};

struct KlDiv {
  static constexpr int64_t kCost = 4;
  bool log_target;
  void operator()(LossIO& b, bool grad) const {
    const auto &x = b.x, &y = b.y;
    if (log_target) {
      BArr ey = vmath::exp<BArr>(y);
      b.l = ey * (y - x);
      if (grad) b.g = -ey;
      return;
    }
    double ymin = 0.0;  // a loop: Eigen's boolean any() runs one coefficient at a time
    for (int i = 0; i < b.m; ++i) ymin = std::min(ymin, y[i]);
    if (ymin < 0.0) throw std::domain_error("target: kl_div needs non-negative targets (log_target=False)");
    // xlogy(y, y) - y * x, with 0 * log 0 = 0
    const BArr ylogy = y * vmath::log<BArr>(y);
    b.l = blend(y > 0.0, ylogy, 0.0) - y * x;
    if (grad) b.g = -y;
  }
};

struct Hinge {
  static constexpr int64_t kCost = 1;
  template <class V>
  V loss(V x, V y) const {
    const V mg = 1.0 - y * x;
    return mg < 0.0 ? splat<V>(0.0) : mg;  // max(mg, 0), NaN kept
  }
  template <class V>
  V gradient(V x, V y) const {
    return 1.0 - y * x > 0.0 ? -y : splat<V>(0.0);
  }
};

struct SquaredHinge {
  static constexpr int64_t kCost = 1;
  template <class V>
  V loss(V x, V y) const {
    const V mg = 1.0 - y * x, p = mg < 0.0 ? splat<V>(0.0) : mg;  // max(mg, 0), NaN kept
    return p * p;
  }
  template <class V>
  V gradient(V x, V y) const {
    const V mg = 1.0 - y * x;
    return mg > 0.0 ? (-2.0 * y) * mg : splat<V>(0.0);
  }
};

}  // namespace detail
}  // namespace gilfree
