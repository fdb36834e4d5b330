// Typed loops, the row engine: an operand split into rows (one result per
// row), cursors over rows, the chunk plan's pieces on the pool, and the
// reduction of one row's range block by block (see loops.hpp).
#pragma once

#include "loops_ops_args.hpp"

namespace gilfree {
namespace detail {
// ---------------------------------------------------------------- rows

/// An operand split into row dimensions (outer) and in-row dimensions (inner).
struct Rows {
  NdShape outer, inner;
  NdOperand ox, oy, oo;  // row strides
  NdOperand ix, iy, io;  // in-row strides; data = the operand's base pointer
  int64_t M = 1, n = 1;
};

inline Rows split_rows(const LoopArgs& a) {
  Rows r;
  const int no = a.nouter, nd = a.shape.ndim;
  r.outer.ndim = no;
  r.inner.ndim = nd - no;
  const NdOperand* src[3] = {&a.x, &a.y, &a.out};
  NdOperand* od[3] = {&r.ox, &r.oy, &r.oo};
  NdOperand* id[3] = {&r.ix, &r.iy, &r.io};
  for (int d = 0; d < nd; ++d) (d < no ? r.outer.shape[d] : r.inner.shape[d - no]) = a.shape.shape[d];
  for (int k = 0; k < 3; ++k) {
    od[k]->data = id[k]->data = src[k]->data;
    if (!src[k]->data) continue;  // an absent operand's strides are never read
    for (int d = 0; d < nd; ++d) (d < no ? od[k]->strides[d] : id[k]->strides[d - no]) = src[k]->strides[d];
  }
  r.M = r.outer.size();
  r.n = r.inner.size();
  NdOperand* oops[3] = {&r.ox, &r.oy, &r.oo};
  NdOperand* iops[3] = {&r.ix, &r.iy, &r.io};
  coalesce(r.outer, oops);
  coalesce(r.inner, iops);
  return r;
}

/// Byte offset of row r of an operand (C order over the row dimensions).
inline int64_t row_offset(const NdShape& outer, const NdOperand& op, int64_t r) {
  int64_t off = 0;
  for (int d = outer.ndim - 1; d >= 0; --d) {
    const int64_t len = outer.shape[d];
    off += (r % len) * op.strides[d];
    r /= len;
  }
  return off;
}

/// The op to use for one row (ops that depend on the row's first element
/// provide row(); the others are used as they are).
template <class T, class Op>
auto op_for_row(const Op& op, const char* first, int64_t n, int) -> decltype(op.row(static_cast<const T*>(nullptr))) {
  return n > 0 ? op.row(reinterpret_cast<const T*>(first)) : op;
}
template <class T, class Op>
const Op& op_for_row(const Op& op, const char*, int64_t, long) {
  return op;
}

/// Per-chunk copies of the in-row operands, pointed at one row at a time.
struct RowCursor {
  const Rows& R;
  NdOperand x, y, o;  // strides: the inner.ndim meaningful ones only (a copy per chunk)
  explicit RowCursor(const Rows& rows) : R(rows) {
    const NdOperand* src[3] = {&rows.ix, &rows.iy, &rows.io};
    NdOperand* dst[3] = {&x, &y, &o};
    for (int k = 0; k < 3; ++k) {
      dst[k]->data = src[k]->data;
      std::copy_n(src[k]->strides, rows.inner.ndim, dst[k]->strides);
    }
  }
  void seek(int64_t r) {
    if (R.ix.data) x.data = R.ix.data + row_offset(R.outer, R.ox, r);
    if (R.iy.data) y.data = R.iy.data + row_offset(R.outer, R.oy, r);
    if (R.io.data) o.data = R.io.data + row_offset(R.outer, R.oo, r);
  }
};

/// Runs f(cur, r, lo, hi, c) for every piece of every chunk of the plan on
/// the pool: elements [lo, hi) of row r (see Plan::pieces), with cur at row r.
template <class F>
void for_pieces(const Rows& R, const Plan& plan, const ExecContext& ctx, F&& f) {
  parallel_for(plan.nchunks, R.M * std::max<int64_t>(R.n, 1), ctx, [&](int64_t c) {
    RowCursor cur(R);  // once per chunk, not per row
    plan.pieces(c, [&](int64_t r, int64_t lo, int64_t hi) {
      cur.seek(r);
      f(cur, r, lo, hi, c);
    });
  });
}

/// Whether an op's result is the same for any block boundaries (exact
/// merges): it may then be given a whole contiguous run as one block.
template <class Op>
constexpr auto any_block_(int) -> decltype(Op::kAnyBlock, bool()) {
  return Op::kAnyBlock;
}
template <class Op>
constexpr bool any_block_(long) {
  return false;
}
template <class Op>
constexpr bool any_block() {
  return any_block_<Op>(0);
}

/// The cascade of the blocks of a contiguous run x[0, n) (and y), with
/// streamed ops: R = streamed_runs<Op> blocks from R places of a window of up
/// to kChunk elements are read at once (see runs_at_once), the states kept
/// and pushed in block order: the states and bits of block by block.
template <class T, class Op>
typename Op::S reduce_streamed(const T* x, const T* y, int64_t n, int64_t i0, const Op& op) {
  using S = typename Op::S;
  constexpr int R = streamed_runs<Op>;
  static_assert(Op::kCascade && kLoopBlock % kLanes == 0 && R > 0);
  constexpr int kWindow = static_cast<int>(kChunk / kLoopBlock);
  const auto at = [](const T* p, int64_t b) { return p ? p + b * kLoopBlock : nullptr; };
  Cascade<S, Op> cas;
  const int64_t whole = n / kLoopBlock;
  int64_t b0 = 0;
  while (whole - b0 >= R) {
    const int w = static_cast<int>(std::min<int64_t>(kWindow, whole - b0)), q = w / R;
    S st[kWindow];
    for (int t = 0; t < q; ++t) {  // block t of each stream's q blocks
      const T *xs[R], *ys[R];
      S out[R];
      for (int s = 0; s < R; ++s) {
        xs[s] = at(x, b0 + s * q + t);
        ys[s] = at(y, b0 + s * q + t);
      }
      op.template blocks<R>(xs, y ? ys : nullptr, kLoopBlock, out);
      for (int s = 0; s < R; ++s) st[s * q + t] = out[s];
    }
    for (int b = R * q; b < w; ++b)
      st[b] = op.block(at(x, b0 + b), at(y, b0 + b), kLoopBlock, i0 + (b0 + b) * kLoopBlock, op.identity());
    for (int b = 0; b < w; ++b) cas.push(st[b], op);
    b0 += w;
  }
  for (; b0 * kLoopBlock < n; ++b0) {
    const int m = static_cast<int>(std::min<int64_t>(kLoopBlock, n - b0 * kLoopBlock));
    cas.push(op.block(at(x, b0), at(y, b0), m, i0 + b0 * kLoopBlock, op.identity()), op);
  }
  return cas.result(op);
}

/// Reduces the in-row flat range [lo, hi) of one row to a state. Blocks start
/// at lo + k * kLoopBlock whatever the strides: the result depends on values only.
template <class T, class Op>
typename Op::S reduce_range(const NdShape& inner, NdOperand& x, NdOperand& y, int64_t lo, int64_t hi,
                            const Op& op) {
  using S = typename Op::S;
  if (lo >= hi) return op.identity();  // (for_segments needs a non-empty shape)
  S fold = op.identity();
  const bool has_y = y.data != nullptr;
  const int ax = inner.ndim - 1;
  const int64_t sx = x.strides[ax], sy = has_y ? y.strides[ax] : 0;
  const bool contig = sx == static_cast<int64_t>(sizeof(T)) && (!has_y || sy == static_cast<int64_t>(sizeof(T)));
  if (inner.ndim == 1 && contig && hi - lo <= kLoopBlock) {
    // one contiguous run of at most a block (a short row): the one block the
    // loop below would emit, read in place; a cascade of one state is that state
    const T* px = reinterpret_cast<const T*>(x.data) + lo;
    const T* py = has_y ? reinterpret_cast<const T*>(y.data) + lo : nullptr;
    const S b = op.block(px, py, static_cast<int>(hi - lo), lo, fold);
    if constexpr (Op::kCascade)
      return b;
    else
      return op.merge(fold, b);
  }
  if constexpr (streamed_runs<Op> > 0) {
    if (inner.ndim == 1 && contig && hi - lo >= streamed_runs<Op> * kLoopBlock)
      return reduce_streamed(reinterpret_cast<const T*>(x.data) + lo,
                             has_y ? reinterpret_cast<const T*>(y.data) + lo : nullptr, hi - lo, lo, op);
  }
  Cascade<S, Op> cas;
  alignas(64) T bx[kLoopBlock];
  alignas(64) T by[kLoopBlock];
  int fill = 0;
  int64_t bstart = lo;
  auto emit = [&](const T* px, const T* py, int m) {
    if constexpr (Op::kCascade)
      cas.push(op.block(px, py, m, bstart, fold), op);
    else
      fold = op.merge(fold, op.block(px, py, m, bstart, fold));
    bstart += m;
  };
  NdOperand* ops[2] = {&x, has_y ? &y : nullptr};
  for_segments(inner, ops, lo, hi, [&](char* const* p, int64_t cnt) {
    int64_t o = 0;
    while (o < cnt) {
      if (fill == 0 && contig && any_block<Op>() && cnt - o >= kLoopBlock) {  // exact op: one call per run
        emit(reinterpret_cast<const T*>(p[0]) + o, has_y ? reinterpret_cast<const T*>(p[1]) + o : nullptr,
             static_cast<int>(cnt - o));
        break;
      }
      if (fill == 0 && contig && cnt - o >= kLoopBlock) {
        emit(reinterpret_cast<const T*>(p[0]) + o, has_y ? reinterpret_cast<const T*>(p[1]) + o : nullptr, kLoopBlock);
        o += kLoopBlock;
        continue;
      }
      const int m = static_cast<int>(std::min<int64_t>(kLoopBlock - fill, cnt - o));
      gather<T>(p[0] + o * sx, sx, m, bx + fill);
      if (has_y) gather<T>(p[1] + o * sy, sy, m, by + fill);
      fill += m;
      o += m;
      if (fill == kLoopBlock) {
        emit(bx, has_y ? by : nullptr, fill);
        fill = 0;
      }
    }
  });
  if (fill) emit(bx, has_y ? by : nullptr, fill);
  if constexpr (Op::kCascade)
    return cas.result(op);
  else
    return fold;
}

}  // namespace detail
}  // namespace gilfree
