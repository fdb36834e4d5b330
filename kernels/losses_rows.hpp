// Row-wise losses: cross_entropy and nll_loss on (N, C) and (N, C, d1, ..., dk).
//
// A row is streamed over its classes in blocks of kClassBlock, so the
// scratch per worker is a few blocks whatever C is (a (1, 2**31) broadcast
// view needs no more than a (1, 1000) array). Rows that fit in one block
// (the common case) read their logits once and keep the exponentials for the
// gradient; longer rows read them again and recompute them for it. Chunks of
// whole rows (the engine's Plan, never split) fix the summation order, and
// the chunk sums are combined by the engine's chunk_sums in one block:
// results are bitwise identical for any thread count. The loss is formed as (max - z[t]) + log(sum exp(z - max)),
// never as (max + log sum) - z[t], which cancels for large logits.
#pragma once

#include <Eigen/Core>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "losses.hpp"
#include "reduce_engine.hpp"
#include "runtime.hpp"
#include "strided.hpp"
#include "vmath.hpp"

namespace gilfree {

/// The row-wise losses of this header.
enum class RowLoss : int { cross_entropy = 0, nll_loss = 1 };

/// Row-wise losses: cross_entropy and nll_loss. Byte strides.
///
/// n rows of c classes. An (N, C) array is N rows (inner = 1). An
/// (N, C, D) array (torch's (N, C, d1, ..., dk) with the d axes as one) is
/// n = N * D rows: row i is (i / inner, i % inner), at byte offset
/// (i / inner) * *_rs + (i % inner) * *_is, its classes at stride *_cs. No
/// copy of a transposed view is needed, and the row order (hence every sum)
/// is the C order of (N, d1, ..., dk).
struct RowsArgs {
  char* input = nullptr;
  int64_t n = 0, c = 0, in_rs = 0, in_cs = 0;
  int64_t inner = 1, in_is = 0;           // rows per outer index, the inner row stride
  const int64_t* target_index = nullptr;  // class indices of the n rows, element stride
  int64_t target_index_stride = 1;
  char* target_prob = nullptr;  // probabilities, same dtype and layout as input
  int64_t tp_rs = 0, tp_cs = 0, tp_is = 0;
  const double* class_weight = nullptr;  // contiguous, length c
  char* sample_weight = nullptr;         // length n, same dtype as input
  int64_t sw_stride = 0;
  int64_t ignore_index = -100;
  double label_smoothing = 0.0;
  Reduction reduction = Reduction::mean;
  char* out = nullptr;  // length n, for Reduction::none
  int64_t out_stride = 0;
  char* grad = nullptr;  // input's layout; must be zero-filled for nll_loss
  int64_t g_rs = 0, g_cs = 0, g_is = 0;

  /// Byte offset of row i for the row strides (rs, is) of one operand.
  int64_t row_offset(int64_t i, int64_t rs, int64_t is) const {
    return inner == 1 ? i * rs : (i / inner) * rs + (i % inner) * is;
  }
};

namespace detail {

constexpr int64_t kClassBlock = 1 << 13;  // classes per block: bounds the scratch per worker
// nll_loss reads one element per row, a cache miss each: the misses of a
// batch of this many rows are started together, in a loop that does nothing
// else, before the rows' other work (see gather_targets).
constexpr int kGatherBatch = 32;

using Arr = Eigen::ArrayXd;

/// The first m entries of a buffer, known to be aligned (Eigen allocates at
/// its maximum alignment): aligned packets, no peeling, as for a whole array.
template <class A>
inline Eigen::Map<A, Eigen::AlignedMax> lead(A& buf, int64_t m) {
  return Eigen::Map<A, Eigen::AlignedMax>(buf.data(), m);
}

template <class T>
inline double sample_w(const RowsArgs& a, int64_t i) {
  return a.sample_weight ? static_cast<double>(*reinterpret_cast<const T*>(a.sample_weight + i * a.sw_stride)) : 1.0;
}

/// The sum over the chunks of `plan` (whole rows) of chunk(c): the chunk sums
/// combined by chunk_sums in one block (the order these losses always had).
template <class F>
double sum_row_chunks(const Plan& plan, int64_t items, const ExecContext& ctx, F&& chunk) {
  return chunk_sums<1>(plan.nchunks, items, ctx, [&](int64_t c, double* out) { out[0] = chunk(c); }, kOneBlock)[0];
}

/// f(std::bool_constant<b>...) for the run-time bools b: the code for each
/// combination compiled apart, with no test in it for an option it does not use.
template <class F>
decltype(auto) with_flags(F&& f) {
  return f();
}
template <class F, class... B>
decltype(auto) with_flags(F&& f, bool b, B... rest) {
  if (b) return with_flags([&f](auto... c) { return f(std::true_type{}, c...); }, rest...);
  return with_flags([&f](auto... c) { return f(std::false_type{}, c...); }, rest...);
}

/// The out-of-range target error, out of line: the string building would
/// otherwise keep the per-row lambda from being inlined into its loop.
[[noreturn, gnu::cold, gnu::noinline]] inline void bad_class_index(int64_t t, int64_t c, int64_t i) {
  throw std::invalid_argument("target: class index " + std::to_string(t) + " out of range [0, " + std::to_string(c) +
                              ") at position " + std::to_string(i));
}

[[noreturn, gnu::cold, gnu::noinline]] inline void bad_class_probability(int64_t i) {
  throw std::domain_error("target: class probabilities must lie in [0, 1] (row " + std::to_string(i) + ")");
}

/// The row layout's invariants: not empty, n a whole number of outer rows.
inline void check_rows(const RowsArgs& a) {
  if (a.n == 0 || a.c == 0) throw std::invalid_argument("input: must not be empty");
  if (a.inner < 1 || a.n % a.inner != 0)
    throw std::invalid_argument("input: " + std::to_string(a.n) + " rows are not a whole number of outer rows of " +
                                std::to_string(a.inner));
}

/// Validates class-index targets and returns the mean's divisor:
/// sum over non-ignored rows of sample_weight * class_weight[target].
template <class T>
double index_denominator(const RowsArgs& a, const ExecContext& ctx) {
  const Plan plan = Plan::of_rows(a.n, a.c, 2 * kChunk);  // a row is O(1) work
  const bool weighted = a.sample_weight || a.class_weight;
  return sum_row_chunks(plan, a.n, ctx, [&](int64_t ch) {
    double acc = 0.0;
    int64_t count = 0;  // unweighted: the rows counted exactly (no chain of dependent adds)
    plan.pieces(ch, [&](int64_t i, int64_t, int64_t) {
      const int64_t t = a.target_index[i * a.target_index_stride];
      if (t == a.ignore_index) return;
      if (t < 0 || t >= a.c) bad_class_index(t, a.c, i);
      if (weighted)
        acc += sample_w<T>(a, i) * (a.class_weight ? a.class_weight[t] : 1.0);
      else
        ++count;
    });
    return weighted ? acc : static_cast<double>(count);
  });
}

/// One row of cross_entropy, streamed over its classes in blocks. The
/// buffers hold one block each: O(kClassBlock) doubles per worker.
template <class T>
struct CeRow {
  const RowsArgs& a;
  const ExecContext& ctx;  // a row longer than one block checks its token per block
  const double eps, gscale;
  const bool plain;  // class index, no class weight, no smoothing: coef is one-hot
  Arr zbuf, ez, coef, g;
  Eigen::ArrayXf ezf;

  CeRow(const RowsArgs& args, const ExecContext& c, double gs)
      : a(args),
        ctx(c),
        eps(args.label_smoothing),
        gscale(gs),
        plain(args.target_index && !args.class_weight && args.label_smoothing == 0.0),
        zbuf(std::min(args.c, kClassBlock)),
        ez(zbuf.size()),
        coef(plain ? 0 : zbuf.size()),
        g(args.grad ? zbuf.size() : 0),
        ezf(std::is_same_v<T, float> ? zbuf.size() : 0) {}

  static constexpr bool contiguous_float(int64_t cs) { return std::is_same_v<T, float> && cs == sizeof(float); }

  /// The row's largest logit (NaN if any is NaN).
  double row_max(const char* row) {
    double mx = -std::numeric_limits<double>::infinity();
    for (int64_t j0 = 0; j0 < a.c; j0 += kClassBlock) {
      const int64_t m = std::min(kClassBlock, a.c - j0);
      if (j0 > 0) check_cancel(ctx);
      double b;
      if constexpr (std::is_same_v<T, float>) {
        if (contiguous_float(a.in_cs)) {
          b = Eigen::Map<const Eigen::ArrayXf>(reinterpret_cast<const float*>(row) + j0, m).maxCoeff<Eigen::PropagateNaN>();
        } else {
          gather<T>(row + j0 * a.in_cs, a.in_cs, m, zbuf.data());
          b = lead(zbuf, m).maxCoeff<Eigen::PropagateNaN>();
        }
      } else {
        b = Eigen::Map<const Arr>(load_doubles<T>(row + j0 * a.in_cs, a.in_cs, m, zbuf.data()), m).maxCoeff<Eigen::PropagateNaN>();
      }
      if (b > mx || std::isnan(b)) mx = b;
      if (std::isnan(mx)) break;
    }
    return mx;
  }

  /// Logits [j0, j0 + m) as doubles, and ez = exp(z - mx) over them. float32
  /// rows take exp in float (twice the SIMD lanes, accurate to the output's
  /// precision); every sum stays in float64.
  EIGEN_STRONG_INLINE const double* block_exp(const char* row, int64_t j0, int64_t m, double mx) {
    if constexpr (std::is_same_v<T, float>) {
      if (contiguous_float(a.in_cs)) {
        Eigen::Map<const Eigen::ArrayXf> zf(reinterpret_cast<const float*>(row) + j0, m);
        lead(ezf, m) = (zf - static_cast<float>(mx)).exp();
        lead(ez, m) = lead(ezf, m).cast<double>();
        if (!plain) lead(zbuf, m) = zf.cast<double>();  // the plain loss reads z[t] alone
        return zbuf.data();
      }
    }
    const double* zp = load_doubles<T>(row + j0 * a.in_cs, a.in_cs, m, zbuf.data());
    lead(ez, m) = Eigen::Map<const Arr>(zp, m) - mx;
    vmath::exp_n(ez.data(), ez.data(), m);
    return zp;
  }

  /// coef_j over [j0, j0 + m): the weight of -log p_j in row i's loss.
  EIGEN_STRONG_INLINE void block_coef(int64_t i, int64_t t, int64_t j0, int64_t m) {
    auto c = lead(coef, m);
    const double C = static_cast<double>(a.c);
    if (a.target_index) {
      if (a.class_weight)
        c = (eps / C) * Eigen::Map<const Arr>(a.class_weight + j0, m);
      else
        c.setConstant(eps / C);
      if (t >= j0 && t < j0 + m) c[t - j0] += (1.0 - eps) * (a.class_weight ? a.class_weight[t] : 1.0);
      return;
    }
    gather<T>(a.target_prob + a.row_offset(i, a.tp_rs, a.tp_is) + j0 * a.tp_cs, a.tp_cs, m, coef.data());
    if (!all_in_unit_interval(c)) bad_class_probability(i);
    if (eps > 0.0) c = c * (1.0 - eps) + eps / C;
    if (a.class_weight) c *= Eigen::Map<const Arr>(a.class_weight + j0, m);
  }

  /// Row i's loss (times its sample weight); writes its gradient row.
  double operator()(int64_t i, int64_t t, double sw, char* grow) {
    const char* row = a.input + a.row_offset(i, a.in_rs, a.in_is);
    const bool one_block = a.c <= kClassBlock;
    const double mx = row_max(row);
    double se = 0.0, csum = 0.0, cdot = 0.0;  // sum ez, sum coef, sum coef (mx - z)
    for (int64_t j0 = 0; j0 < a.c; j0 += kClassBlock) {
      const int64_t m = std::min(kClassBlock, a.c - j0);
      if (!one_block) check_cancel(ctx);
      const double* zp = block_exp(row, j0, m, mx);
      se += lead(ez, m).sum();
      if (plain) continue;
      block_coef(i, t, j0, m);
      csum += lead(coef, m).sum();
      cdot += (lead(coef, m) * (mx - Eigen::Map<const Arr>(zp, m))).sum();
    }
    const double lse = std::log(se);  // log-sum-exp minus mx
    const double loss =
        plain ? sw * ((mx - static_cast<double>(*reinterpret_cast<const T*>(row + t * a.in_cs))) + lse)
              : sw * (cdot + csum * lse);
    if (!grow) return loss;
    const double k = sw * gscale, s = k * (plain ? 1.0 : csum) / se;
    for (int64_t j0 = 0; j0 < a.c; j0 += kClassBlock) {
      const int64_t m = std::min(kClassBlock, a.c - j0);
      if (!one_block) {  // the buffers hold the last block: recompute this one
        check_cancel(ctx);
        block_exp(row, j0, m, mx);
        if (!plain) block_coef(i, t, j0, m);
      }
      if (plain) {
        lead(g, m) = s * lead(ez, m);
        if (t >= j0 && t < j0 + m) g[t - j0] -= k;
      } else {
        lead(g, m) = s * lead(ez, m) - k * lead(coef, m);
      }
      scatter<T>(g.data(), m, grow + j0 * a.g_cs, a.g_cs);
    }
    return loss;
  }
};

}  // namespace detail

/// torch.nn.functional.cross_entropy on (N, C) or (N, C, D) logits: log-sum-exp, loss and
/// softmax gradient per row, streamed over the classes in blocks.
template <class T>
double cross_entropy(const RowsArgs& a, const ExecContext& ctx) {
  using namespace detail;
  check_rows(a);
  double denom = 0.0;
  if (a.target_index) {
    denom = index_denominator<T>(a, ctx);
  } else if (a.reduction == Reduction::mean) {
    if (a.sample_weight) {
      for (int64_t i = 0; i < a.n; ++i) denom += sample_w<T>(a, i);
    } else {
      denom = static_cast<double>(a.n);
    }
  }
  const double gscale = a.reduction == Reduction::mean ? 1.0 / denom : 1.0;
  const Plan plan(a.n, a.c, false);  // whole rows, however long
  const double total = sum_row_chunks(plan, 4 * a.n * a.c, ctx, [&](int64_t ch) {
    CeRow<T> row(a, ctx, gscale);  // once per chunk, not per row
    double acc = 0.0;
    plan.pieces(ch, [&](int64_t i, int64_t, int64_t) {
      char* grow = a.grad ? a.grad + a.row_offset(i, a.g_rs, a.g_is) : nullptr;
      const int64_t t = a.target_index ? a.target_index[i * a.target_index_stride] : -1;
      if (a.target_index && t == a.ignore_index) {
        if (a.out) *reinterpret_cast<T*>(a.out + i * a.out_stride) = T(0);
        if (grow)
          for (int64_t j = 0; j < a.c; ++j) *reinterpret_cast<T*>(grow + j * a.g_cs) = T(0);
        return;
      }
      const double loss = row(i, t, sample_w<T>(a, i), grow);
      if (a.out) *reinterpret_cast<T*>(a.out + i * a.out_stride) = static_cast<T>(loss);
      acc += loss;
    });
    return acc;
  });
  return a.reduction == Reduction::mean ? total / denom : total;
}

namespace detail {

/// v[k] = input[i0 + k, target] as a double for the m rows from i0: the loads
/// alone, so that their cache misses are in flight together (a row's other
/// work between them holds fewer in the out-of-order window). The targets are
/// validated; an ignored row reads its class 0.
template <class T>
inline void gather_targets(const RowsArgs& a, int64_t i0, int m, double* v) {
  const int64_t* ti = a.target_index + i0 * a.target_index_stride;
  const auto col = [&](int k) {
    const int64_t t = ti[k * a.target_index_stride];
    return (t == a.ignore_index ? 0 : t) * a.in_cs;
  };
  const auto at = [](const char* p) { return static_cast<double>(*reinterpret_cast<const T*>(p)); };
  if (a.inner == 1) {
    const char* x = a.input + i0 * a.in_rs;
    for (int k = 0; k < m; ++k) v[k] = at(x + k * a.in_rs + col(k));
  } else {
    for (int k = 0; k < m; ++k) v[k] = at(a.input + a.row_offset(i0 + k, a.in_rs, a.in_is) + col(k));
  }
}

}  // namespace detail

/// torch.nn.functional.nll_loss on (N, C) or (N, C, D) log-probabilities. a.grad, when
/// given, must be zero-filled: only the target entries are written. The rows'
/// work is compiled per option (weights, gradient, per-row output): the plain
/// value runs no test for the others.
template <class T>
double nll_loss(const RowsArgs& a, const ExecContext& ctx) {
  using namespace detail;
  check_rows(a);
  const double denom = index_denominator<T>(a, ctx);
  const double gscale = a.reduction == Reduction::mean ? 1.0 / denom : 1.0;
  const Plan plan = Plan::of_rows(a.n, a.c, kChunk);  // a row is O(1) work
  const auto rows = [&](auto weighted, auto with_grad, auto with_out) {
    return sum_row_chunks(plan, a.n, ctx, [&](int64_t ch) {
      double acc = 0.0;
      const int64_t r1 = std::min(a.n, (ch + 1) * plan.rows);
      for (int64_t i0 = ch * plan.rows; i0 < r1; i0 += kGatherBatch) {
        const int m = static_cast<int>(std::min<int64_t>(kGatherBatch, r1 - i0));
        double v[kGatherBatch];
        gather_targets<T>(a, i0, m, v);
        for (int k = 0; k < m; ++k) {
          const int64_t i = i0 + k, t = a.target_index[i * a.target_index_stride];
          double loss = 0.0;
          if (t != a.ignore_index) {
            double wt = 1.0;
            if constexpr (decltype(weighted)::value) wt = sample_w<T>(a, i) * (a.class_weight ? a.class_weight[t] : 1.0);
            loss = -wt * v[k];
            if constexpr (decltype(with_grad)::value)
              *reinterpret_cast<T*>(a.grad + a.row_offset(i, a.g_rs, a.g_is) + t * a.g_cs) = static_cast<T>(-wt * gscale);
          }
          if constexpr (decltype(with_out)::value) *reinterpret_cast<T*>(a.out + i * a.out_stride) = static_cast<T>(loss);
          acc += loss;
        }
      }
      return acc;
    });
  };
  const double total = with_flags(rows, a.sample_weight || a.class_weight, a.grad != nullptr, a.out != nullptr);
  return a.reduction == Reduction::mean ? total / denom : total;
}

}  // namespace gilfree
