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
  NdOperand x, y, o;
  explicit RowCursor(const Rows& rows) : R(rows), x(rows.ix), y(rows.iy), o(rows.io) {}
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

template <class Op>
constexpr auto has_tile_(int) -> decltype(Op::kTile, bool()) {
  return Op::kTile;
}
template <class Op>
constexpr bool has_tile_(long) {
  return false;
}

template <class Op>
constexpr auto has_group_rows_(int) -> decltype(Op::kGroupRows, bool()) {
  return Op::kGroupRows;
}
template <class Op>
constexpr bool has_group_rows_(long) {
  return false;
}

/// Whether rows (matrix columns) of R lie side by side: results adjacent in
/// memory (the last row dimension has unit stride), one strided in-row
/// dimension, e.g. sum(x, axis=0) of a C-contiguous matrix. L: rows side by side.
template <class T>
bool columns_side_by_side(const LoopArgs& a, const Rows& R, int64_t& L) {
  if (a.y.data || R.inner.ndim != 1 || R.outer.ndim < 1 || R.n < 2) return false;
  const int lo_d = R.outer.ndim - 1;
  L = R.outer.shape[lo_d];
  const int64_t w = sizeof(T);
  return R.ox.strides[lo_d] == w && R.ix.strides[0] != w && L >= kTileW;
}

/// Column-tile path (see tile_block), for side-by-side columns. Chunks are
/// (group of kTileGroup adjacent rows, part of kChunk elements); every row's
/// blocks and parts are exactly those of the row path, so the result is the
/// same bits for any thread count and either path. Returns false where it
/// does not apply.
template <class T, class Op>
bool reduce_tiles(const LoopArgs& a, const Rows& R, const Op& op, const ExecContext& ctx) {
  using S = typename Op::S;
  constexpr int64_t kGroup = kTileGroup;  // rows (matrix columns) per chunk
  const int64_t M = R.M, n = R.n, w = sizeof(T), sx = R.ix.strides[0];
  int64_t L = 0;
  if (!columns_side_by_side<T>(a, R, L)) return false;
  const int64_t P = M / L, ngroups = (L + kGroup - 1) / kGroup;
  const int64_t parts = Plan(M, n).parts;
  std::vector<S> st(parts > 1 ? M * parts : 0);
  parallel_for(P * ngroups * parts, M * n, ctx, [&](int64_t ch) {
    const int64_t part = ch % parts, g = (ch / parts) % ngroups, pf = ch / parts / ngroups;
    const int64_t rb = pf * L + g * kGroup, re = pf * L + std::min(L, (g + 1) * kGroup);
    const int64_t lo = part * kChunk, hi = std::min(n, lo + kChunk);
    const int64_t ncol = (re - rb) / kTileW * kTileW, rt = rb + ncol;
    const char* base = R.ix.data + row_offset(R.outer, R.ox, rb);
    auto put = [&](int64_t r, const S& s) {
      if (parts > 1)
        st[r * parts + part] = s;
      else
        op.finish(s, n, a.res + r * Op::kResBytes);
    };
    // blocks of kLoopBlock rows, all tiles of the group per block (the block stays in cache)
    std::vector<Cascade<S, Op>> cas(Op::kCascade ? ncol : 0);
    std::vector<S> fold(Op::kCascade ? 0 : ncol, op.identity());
    S bs[kTileW];
    for (int64_t b = lo; b < hi; b += kLoopBlock) {
      const int m = static_cast<int>(std::min<int64_t>(kLoopBlock, hi - b));
      for (int64_t t = 0; t < ncol; t += kTileW) {
        op.tile_block(base + t * w, sx, b, m, bs);
        for (int c = 0; c < kTileW; ++c) {
          if constexpr (Op::kCascade)
            cas[t + c].push(bs[c], op);
          else
            fold[t + c] = op.merge(fold[t + c], bs[c]);
        }
      }
    }
    for (int64_t j = 0; j < ncol; ++j) put(rb + j, Op::kCascade ? cas[j].result(op) : fold[j]);
    // the group's last few rows: the row path
    RowCursor cur(R);
    for (int64_t r = rt; r < re; ++r) {
      cur.seek(r);
      put(r, reduce_range<T>(R.inner, cur.x, cur.y, lo, hi, op_for_row<T>(op, cur.x.data, n, 0)));
    }
  });
  if (parts > 1)
    for (int64_t r = 0; r < M; ++r)
      op.finish(combine(st.data() + r * parts, parts, op), n, a.res + r * Op::kResBytes);
  return true;
}

/// Combines row r's block states blk[0..nb) as the row path does: a cascade
/// (or fold, exact ops) over each part's blocks, then the parts combined.
template <class Op>
typename Op::S combine_blocks(const typename Op::S* blk, int64_t nb, const Op& op) {
  using S = typename Op::S;
  constexpr int64_t kPer = kChunk / kLoopBlock;  // blocks per part of a long row
  auto part = [&](int64_t b0, int64_t b1) {
    if constexpr (Op::kCascade) {
      Cascade<S, Op> cas;
      for (int64_t b = b0; b < b1; ++b) cas.push(blk[b], op);
      return cas.result(op);
    } else {
      S f = op.identity();
      for (int64_t b = b0; b < b1; ++b) f = op.merge(f, blk[b]);
      return f;
    }
  };
  if (nb <= kPer) return part(0, nb);
  std::vector<S> parts;
  for (int64_t b0 = 0; b0 < nb; b0 += kPer) parts.push_back(part(b0, std::min(nb, b0 + kPer)));
  return combine(parts.data(), static_cast<int64_t>(parts.size()), op);
}

/// Column-group path, for side-by-side columns: ops with kGroupRows read a
/// group of up to kWideGroup adjacent rows (matrix columns) element by
/// element of their rows, in contiguous runs as long as the group (memory
/// runs at the bandwidth only with long runs). Chunks are (group, block of
/// kLoopBlock elements): every row's blocks are exactly those of the row
/// path, their states are kept (one per block: 1/kLoopBlock of the input)
/// and combined per row as the row path does, so the result is the same bits
/// for any thread count and either path. Returns false where it does not apply.
template <class T, class Op>
bool reduce_groups(const LoopArgs& a, const Rows& R, const Op& op, const ExecContext& ctx) {
  using S = typename Op::S;
  const int64_t M = R.M, n = R.n, sx = R.ix.strides[0];
  int64_t L = 0;
  if (!columns_side_by_side<T>(a, R, L)) return false;
  const int64_t P = M / L, nb = (n + kLoopBlock - 1) / kLoopBlock;
  // groups as wide as allowed, of equal widths: the longer the runs, the closer to the
  // memory bandwidth (narrower groups for a second thread ran slower on either)
  const int64_t ngroups = (L + kWideGroup - 1) / kWideGroup, G = (L + ngroups - 1) / ngroups;
  std::vector<S> blk(static_cast<size_t>(M * nb));  // row r's block b at r * nb + b
  parallel_for(P * ngroups * nb, M * n, ctx, [&](int64_t ch) {
    const int64_t b = ch % nb, g = (ch / nb) % ngroups, pf = ch / nb / ngroups;
    const int64_t rb = pf * L + g * G, re = pf * L + std::min(L, (g + 1) * G);
    const int m = static_cast<int>(std::min<int64_t>(kLoopBlock, n - b * kLoopBlock));
    std::vector<S> bs(re - rb);
    op.group_block(R.ix.data + row_offset(R.outer, R.ox, rb), sx, b * kLoopBlock, m, static_cast<int>(re - rb),
                   bs.data());
    for (int64_t j = 0; j < re - rb; ++j) blk[(rb + j) * nb + b] = bs[j];
  });
  parallel_for(M, M * nb, ctx, [&](int64_t r) {
    op.finish(combine_blocks(blk.data() + r * nb, nb, op), n, a.res + r * Op::kResBytes);
  });
  return true;
}

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
