// Typed loops: fused single-pass reductions and scans (softmax, cumsum)
// over int32, int64, float32 and float64 arrays of any shape and strides.
//
// Every reduction reads its input in blocks of kLoopBlock elements whose
// boundaries depend only on the logical (C-order) index, never on memory
// layout or thread count. A block yields a small state (a sum, a
// (count, mean, M2) triple, a (max, scaled sum) pair, ...); block states are
// combined by the engine's Cascade (pairwise) inside a chunk of kChunk
// elements, and chunk states the same way in chunk order (reduce_engine.hpp). Results are therefore
// bitwise identical for any number of threads. Floating-point work is done
// in double whatever the input type.
//
// Rows: an operand's shape is split into `nouter` leading dimensions, which
// index independent rows (one result per row), and the trailing dimensions,
// which a row reduces or scans in C order. nouter = 0 is the whole array.
#pragma once

#include "loops_columns.hpp"

namespace gilfree {
namespace detail {

/// Each row's state, for long rows: the parts are reduced on the pool, then
/// combined row by row in order.
template <class T, class Op>
std::vector<typename Op::S> long_row_states(const Rows& R, const Plan& plan, const Op& op, const ExecContext& ctx) {
  std::vector<typename Op::S> parts(plan.nchunks), rows(R.M);
  for_pieces(R, plan, ctx, [&](RowCursor& cur, int64_t, int64_t lo, int64_t hi, int64_t c) {
    parts[c] = reduce_range<T>(R.inner, cur.x, cur.y, lo, hi, op_for_row<T>(op, cur.x.data, R.n, 0));
  });
  for (int64_t r = 0; r < R.M; ++r) rows[r] = combine(parts.data() + r * plan.parts, plan.parts, op);
  return rows;
}

template <class Op>
constexpr auto has_rows_block_(int) -> decltype(&Op::rows_block, bool()) {
  return true;
}
template <class Op>
constexpr bool has_rows_block_(long) {
  return false;
}

constexpr int64_t kShortRow = 256;   // rows up to this long go through rows_block (when the op has it)
constexpr int kRowsPerBatch = 128;   // short rows per rows_block call (and at most kLoopBlock elements)

/// Short contiguous rows, several per op.rows_block call: the op's states of
/// the rows are those block() gives for each (a short row is one block), so
/// the bits are the row path's; the batch shares the vector work (e.g. one
/// exp over every row's elements instead of a short one per row). Returns
/// false where it does not apply.
template <class T, class Op>
bool reduce_short_rows(const LoopArgs& a, const Rows& R, const Plan& plan, const Op& op, const ExecContext& ctx) {
  using S = typename Op::S;
  const int64_t n = R.n;
  if (plan.long_rows() || R.inner.ndim != 1 || R.iy.data || n < 1 || n > kShortRow ||
      R.ix.strides[0] != static_cast<int64_t>(sizeof(T)))
    return false;
  const int g = static_cast<int>(std::min<int64_t>(kRowsPerBatch, kLoopBlock / n));
  parallel_for(plan.nchunks, R.M * n, ctx, [&](int64_t c) {
    RowCursor cur(R);
    const T* rows[kRowsPerBatch];
    S st[kRowsPerBatch];
    const int64_t r0 = c * plan.rows, r1 = std::min(R.M, r0 + plan.rows);
    for (int64_t rb = r0; rb < r1; rb += g) {
      const int cnt = static_cast<int>(std::min<int64_t>(g, r1 - rb));
      for (int j = 0; j < cnt; ++j) {
        cur.seek(rb + j);
        rows[j] = reinterpret_cast<const T*>(cur.x.data);
      }
      op.rows_block(rows, cnt, static_cast<int>(n), st);
      for (int j = 0; j < cnt; ++j) op.finish(st[j], n, a.res + (rb + j) * Op::kResBytes);
    }
  });
  return true;
}

/// One result per row: op.finish writes it at args.res + row * Op::kResBytes.
template <class T, class Op>
void reduce_rows(const LoopArgs& a, const Op& op, const ExecContext& ctx) {
  const Rows R = split_rows(a);
  const int64_t M = R.M, n = R.n;
  if (M == 0) return;
  if constexpr (has_group_rows_<Op>(0)) {
    if (reduce_groups<T>(a, R, op, ctx)) return;
  } else if constexpr (has_tile_<Op>(0)) {
    if (reduce_tiles<T>(a, R, op, ctx)) return;
  }
  const Plan plan(M, n);
  if constexpr (has_rows_block_<Op>(0))
    if (reduce_short_rows<T>(a, R, plan, op, ctx)) return;
  if (plan.long_rows()) {
    const auto st = long_row_states<T>(R, plan, op, ctx);
    for (int64_t r = 0; r < M; ++r) op.finish(st[r], n, a.res + r * Op::kResBytes);
    return;
  }
  for_pieces(R, plan, ctx, [&](RowCursor& cur, int64_t r, int64_t lo, int64_t hi, int64_t) {
    op.finish(reduce_range<T>(R.inner, cur.x, cur.y, lo, hi, op_for_row<T>(op, cur.x.data, n, 0)), n,
              a.res + r * Op::kResBytes);
  });
}

/// Inclusive running sum of x into out over the in-row range [lo, hi), starting from acc.
template <class T, class O, class A>
A scan_range(const NdShape& inner, NdOperand& x, NdOperand& o, int64_t lo, int64_t hi, A acc, bool write) {
  NdOperand* ops[2] = {&x, &o};
  const int ax = inner.ndim - 1;
  const int64_t sx = x.strides[ax], so = o.strides[ax];
  for_segments(inner, ops, lo, hi, [&](char* const* p, int64_t cnt) {
    if constexpr (is_float_v<T>) {
      for (int64_t i = 0; i < cnt; ++i) {
        acc += to_d(*reinterpret_cast<const T*>(p[0] + i * sx));
        if (write) *reinterpret_cast<O*>(p[1] + i * so) = static_cast<O>(acc);
      }
    } else {
      for (int64_t i = 0; i < cnt; ++i) {
        acc += static_cast<uint64_t>(static_cast<int64_t>(*reinterpret_cast<const T*>(p[0] + i * sx)));
        if (write) *reinterpret_cast<O*>(p[1] + i * so) = static_cast<O>(static_cast<int64_t>(acc));
      }
    }
  });
  return acc;
}

/// Both passes of the chunked scan in one: writes the running sum started at
/// `off` (what the second pass writes) and returns the chunk's own sum started
/// at 0 (what the first pass returns), with the same additions, so the bits
/// are those of the two-pass scan. For one thread: the input is read once.
template <class T, class O, class A>
A scan_range_fused(const NdShape& inner, NdOperand& x, NdOperand& o, int64_t lo, int64_t hi, A off) {
  NdOperand* ops[2] = {&x, &o};
  const int ax = inner.ndim - 1;
  const int64_t sx = x.strides[ax], so = o.strides[ax];
  A tot = A(0), acc = off;
  for_segments(inner, ops, lo, hi, [&](char* const* p, int64_t cnt) {
    for (int64_t i = 0; i < cnt; ++i) {
      A v;
      if constexpr (is_float_v<T>)
        v = to_d(*reinterpret_cast<const T*>(p[0] + i * sx));
      else
        v = static_cast<uint64_t>(static_cast<int64_t>(*reinterpret_cast<const T*>(p[0] + i * sx)));
      tot += v;
      acc += v;
      if constexpr (is_float_v<T>)
        *reinterpret_cast<O*>(p[1] + i * so) = static_cast<O>(acc);
      else
        *reinterpret_cast<O*>(p[1] + i * so) = static_cast<O>(static_cast<int64_t>(acc));
    }
  });
  return tot;
}

}  // namespace detail

/// Reduction `kind` of every row of args.x (and args.y for dot / sqdist) into
/// args.res. `param` is ddof for var / std, p for normp, return_sign (nonzero)
/// for logsumexp_b (whose y is b). Result types: double for float
/// sums and every float-valued reduction, int64 for integer sums / dot and
/// arg*, T for min / max.
template <class T>
void reduce(ReduceKind kind, const LoopArgs& a, double param, const ExecContext& ctx) {
  using namespace detail;
  switch (kind) {
    case ReduceKind::sum:
      return reduce_rows<T>(a, SumOp<T>{}, ctx);
    case ReduceKind::mean:
      return reduce_rows<T>(a, MeanOp<T>{}, ctx);
    case ReduceKind::var:
    case ReduceKind::std_: {
      VarOp<T> op;
      op.ddof = param;
      op.take_sqrt = kind == ReduceKind::std_;
      return reduce_rows<T>(a, op, ctx);
    }
    case ReduceKind::min:
      return reduce_rows<T>(a, ExtremeOp<T, false>{}, ctx);
    case ReduceKind::max:
      return reduce_rows<T>(a, ExtremeOp<T, true>{}, ctx);
    case ReduceKind::argmin:
      return reduce_rows<T>(a, ArgOp<T, false>{}, ctx);
    case ReduceKind::argmax:
      return reduce_rows<T>(a, ArgOp<T, true>{}, ctx);
    case ReduceKind::dot:
      if (!a.y.data) throw std::invalid_argument("b: missing");
      return reduce_rows<T>(a, DotOp<T>{}, ctx);
    case ReduceKind::sqdist:
      if (!a.y.data) throw std::invalid_argument("b: missing");
      return reduce_rows<T>(a, SqdistOp<T>{}, ctx);
    case ReduceKind::norm1:
      return reduce_rows<T>(a, Norm1Op<T>{}, ctx);
    case ReduceKind::norm2:
      return reduce_rows<T>(a, Norm2Op<T>{}, ctx);
    case ReduceKind::norminf:
      return reduce_rows<T>(a, NormInfOp<T>{}, ctx);
    case ReduceKind::logsumexp:
      return reduce_rows<T>(a, LseOp<T>{}, ctx);
    case ReduceKind::norm0:
      return reduce_rows<T>(a, Norm0Op<T>{}, ctx);
    case ReduceKind::normneginf:
      return reduce_rows<T>(a, NormNegInfOp<T>{}, ctx);
    case ReduceKind::normp: {
      NormPOp<T> op;
      op.p = param;
      return reduce_rows<T>(a, op, ctx);
    }
    case ReduceKind::logsumexp_b: {
      if (!a.y.data) throw std::invalid_argument("b: missing");
      LseBOp<T> op;
      op.with_sign = param != 0.0;
      return reduce_rows<T>(a, op, ctx);
    }
  }
  throw std::invalid_argument("kind: unknown reduction");
}

/// Element type of cumsum's output for input T: int64 for integers (as
/// NumPy's), T for floats.
template <class T>
using cumsum_out_t = typename std::conditional<detail::is_float_v<T>, T, int64_t>::type;

/// Running sum of each row of args.x into args.out (cumsum_out_t<T>;
/// integers wrap). Long rows: part totals, then part offsets.
template <class T>
void cumsum(const LoopArgs& a, const ExecContext& ctx) {
  using namespace detail;
  using O = cumsum_out_t<T>;
  using A = typename std::conditional<is_float_v<T>, double, uint64_t>::type;
  const Rows R = split_rows(a);
  const int64_t M = R.M, n = R.n;
  if (M == 0 || n == 0) return;
  const Plan plan(M, n);
  if (!plan.long_rows()) {
    for_pieces(R, plan, ctx, [&](RowCursor& cur, int64_t, int64_t lo, int64_t hi, int64_t) {
      scan_range<T, O>(R.inner, cur.x, cur.o, lo, hi, A(0), true);
    });
  } else if (ctx.nthreads <= 1 || M * n < get_parallel_threshold()) {
    // one thread: chunks run in order on the caller, so each chunk's offset is
    // known when it starts and both passes fuse into one read of the input
    A run = A(0);
    for_pieces(R, plan, ExecContext{1, ctx.token}, [&](RowCursor& cur, int64_t, int64_t lo, int64_t hi, int64_t) {
      if (lo == 0) run = A(0);
      run += scan_range_fused<T, O, A>(R.inner, cur.x, cur.o, lo, hi, run);
    });
  } else {
    std::vector<A> off(plan.nchunks);
    for_pieces(R, plan, ctx, [&](RowCursor& cur, int64_t, int64_t lo, int64_t hi, int64_t c) {
      off[c] = scan_range<T, O>(R.inner, cur.x, cur.o, lo, hi, A(0), false);
    });
    for (int64_t r = 0; r < M; ++r) {  // exclusive prefix over each row's parts, in order
      A run = A(0);
      for (int64_t p = 0; p < plan.parts; ++p) {
        const A t = off[r * plan.parts + p];
        off[r * plan.parts + p] = run;
        run += t;
      }
    }
    for_pieces(R, plan, ctx, [&](RowCursor& cur, int64_t, int64_t lo, int64_t hi, int64_t c) {
      scan_range<T, O>(R.inner, cur.x, cur.o, lo, hi, off[c], true);
    });
  }
}

namespace detail {

/// out = exp(x - max) / sum(exp(x - max)) over [lo, hi) of one row; NaN when
/// the row's max is not finite (as scipy.special.softmax).
template <class T>
void softmax_range(const NdShape& inner, NdOperand& x, NdOperand& o, int64_t lo, int64_t hi,
                   const typename LseOp<T>::S& st) {
  NdOperand* ops[2] = {&x, &o};
  const int ax = inner.ndim - 1;
  const int64_t sx = x.strides[ax], so = o.strides[ax];
  const bool bad = st.nan || st.posinf || st.m == -std::numeric_limits<double>::infinity();
  const double mx = st.m, denom = 1.0 + st.t;  // sum(exp(x - max)): t and the max's own term
  alignas(64) double buf[kLoopBlock];
  for_segments(inner, ops, lo, hi, [&](char* const* p, int64_t cnt) {
    for (int64_t off = 0; off < cnt; off += kLoopBlock) {
      const int m = static_cast<int>(std::min<int64_t>(kLoopBlock, cnt - off));
      Eigen::Map<Eigen::ArrayXd, Eigen::Aligned64> d(buf, m);
      if (bad) {
        d.setConstant(std::numeric_limits<double>::quiet_NaN());
      } else {
        gather<T>(p[0] + off * sx, sx, m, buf);
        d -= mx;
        vmath::exp_n(buf, buf, m);
        d /= denom;
      }
      scatter<T>(buf, m, p[1] + off * so, so);
    }
  });
}

}  // namespace detail

/// scipy.special.softmax over each row of args.x into args.out (float T).
template <class T>
void softmax(const LoopArgs& a, const ExecContext& ctx) {
  using namespace detail;
  const LseOp<T> op;
  const Rows R = split_rows(a);
  const int64_t M = R.M, n = R.n;
  if (M == 0 || n == 0) return;
  const Plan plan(M, n);
  if (plan.long_rows()) {
    const auto row = long_row_states<T>(R, plan, op, ctx);
    for_pieces(R, plan, ctx, [&](RowCursor& cur, int64_t r, int64_t lo, int64_t hi, int64_t) {
      softmax_range<T>(R.inner, cur.x, cur.o, lo, hi, row[r]);
    });
    return;
  }
  for_pieces(R, plan, ctx, [&](RowCursor& cur, int64_t, int64_t lo, int64_t hi, int64_t) {
    softmax_range<T>(R.inner, cur.x, cur.o, lo, hi, reduce_range<T>(R.inner, cur.x, cur.y, lo, hi, op));
  });
}

}  // namespace gilfree
