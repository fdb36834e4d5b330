// Typed loops, the column paths: reductions over a non-last axis whose
// results lie side by side in memory (sum(x, axis=0) of a C-ordered matrix)
// read several matrix columns per pass, with the row path's blocks, so the
// same bits (see loops.hpp).
#pragma once

#include <vector>

#include "loops_rows.hpp"

namespace gilfree {
namespace detail {

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

}  // namespace detail
}  // namespace gilfree
