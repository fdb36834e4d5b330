// The deterministic reduction engine shared by the losses and the loops: one
// chunk size, one chunk plan over rows, one pairwise cascade over states, and
// the chunked sums that combine per-chunk partials in bounded memory.
//
// Work is cut into chunks of kChunk elements (or of whole rows) whose bounds
// depend on the shape only; the partial results of the chunks are combined
// in chunk order by a fixed tree. The order of every addition therefore
// depends on the shape alone, never on the thread count: results are bitwise
// identical for any number of threads.
//
// One tree combines everything: the binary-counter Cascade, over states
// pushed in order (the loops' blocks and chunks, the losses' chunk sums and
// their blocks of chunks).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <new>
#include <type_traits>
#include <vector>

#include "lanes.hpp"
#include "runtime.hpp"
#include "strided.hpp"

namespace gilfree {
namespace detail {

constexpr int64_t kChunk = 1 << 15;   // elements per chunk: fixes every combination order
constexpr int64_t kSumBlock = 4096;   // chunk sums held at once by chunk_sums (bounded scratch)
constexpr int64_t kOneBlock = std::numeric_limits<int64_t>::max();  // chunk_sums: every chunk in one block

/// Chunks of kChunk elements covering n elements.
inline int64_t num_chunks(int64_t n) { return (n + kChunk - 1) / kChunk; }

/// Binary-counter pairwise combination of a sequence of states pushed in
/// order: deterministic for a given sequence, error O(log n) for sums.
/// Op provides S identity() and S merge(const S& earlier, const S& later).
/// The slots are raw storage: only st[0, top) hold states (a state type's
/// default member initialisers would otherwise zero all 64 per cascade, more
/// than the work of a short row).
template <class S, class Op>
struct Cascade {
  static_assert(std::is_trivially_copyable_v<S> && std::is_trivially_destructible_v<S>);
  union Slot {
    S s;
    Slot() {}
  };
  Slot st_[64];
  int lvl[64];
  int top = 0;
  const S& st(int i) const { return st_[i].s; }
  void push(S s, const Op& op) {
    int l = 0;
    while (top > 0 && lvl[top - 1] == l) {
      s = op.merge(st(top - 1), s);
      --top;
      ++l;
    }
    new (&st_[top].s) S(s);
    lvl[top++] = l;
  }
  /// The combined state: the newest (smallest) subtree merged first.
  S result(const Op& op) const {
    if (top == 0) return op.identity();
    S r = st(top - 1);
    for (int i = top - 2; i >= 0; --i) r = op.merge(st(i), r);
    return r;
  }
  /// As result(), folded onto the identity (the losses' block stream: a lone
  /// -0.0 comes out as +0.0).
  S total(const Op& op) const {
    S r = op.identity();
    for (int i = top - 1; i >= 0; --i) r = op.merge(st(i), r);
    return r;
  }
};

/// Combines `count` states in order: pairwise for ops with inexact merges
/// (Op::kCascade), a left fold for exact ones.
template <class Op>
typename Op::S combine(const typename Op::S* parts, int64_t count, const Op& op) {
  if constexpr (Op::kCascade) {
    Cascade<typename Op::S, Op> cas;
    for (int64_t p = 0; p < count; ++p) cas.push(parts[p], op);
    return cas.result(op);
  } else {
    typename Op::S s = op.identity();
    for (int64_t p = 0; p < count; ++p) s = op.merge(s, parts[p]);
    return s;
  }
}

/// K sums merged elementwise: the op of chunk_sums' block stream.
template <int K>
struct SumsOp {
  using S = std::array<double, K>;
  S identity() const { return S{}; }
  S merge(const S& a, const S& b) const {
    S r;
    for (int k = 0; k < K; ++k) r[k] = a[k] + b[k];
    return r;
  }
};

/// Sums v[0..n) by the Cascade, folded onto +0.0: deterministic, error
/// O(log n) ulps.
inline double pairwise_sum(const double* v, int64_t n) {
  const SumsOp<1> op;
  Cascade<std::array<double, 1>, SumsOp<1>> cas;
  for (int64_t i = 0; i < n; ++i) cas.push({v[i]}, op);
  return cas.total(op)[0];
}

/// chunk_sums without groups of chunks.
struct NoGroup {
  bool operator()(int64_t, double*) const { return false; }
};

/// Chunks in a block before chunk_sums groups them (enough groups to share
/// among the threads).
constexpr int64_t kGroupMin = 8 * kStreams;

/// K sums over chunks: chunk(c, out) writes chunk c's K values. The chunks
/// run in blocks of `block` chunks (one parallel_for each); a block's chunk
/// values are summed by pairwise_sum and the block sums are streamed through
/// another Cascade, so the scratch is `block` values per sum whatever the size (a
/// huge broadcast input neither allocates in proportion to its length nor
/// delays a cancel by freeing it). `items` is the work estimate of all
/// chunks (parallel_for's threshold). With a `group`, a block of at least
/// kGroupMin chunks runs in groups of R: group(c0, out) may write the values
/// of chunks c0 .. c0 + R - 1 (chunk c0 + s at out[s * K]), reading them at
/// once, or return false before writing any (then chunk() runs each).
template <int K, int R = 1, class F, class G = NoGroup>
std::array<double, K> chunk_sums(int64_t nchunks, int64_t items, const ExecContext& ctx, F&& chunk,
                                 int64_t block = kSumBlock, G&& group = NoGroup{}) {
  static_assert((R == 1) == std::is_same_v<std::decay_t<G>, NoGroup>, "a group, and only a group, has R > 1");
  const int64_t bs = std::min(nchunks, block);
  std::vector<double> part(static_cast<size_t>(bs * K));
  const SumsOp<K> op;
  Cascade<std::array<double, K>, SumsOp<K>> stream;
  const bool blocks = nchunks > bs;
  // chunks per parallel_for index in a block of cnt chunks
  const auto per = [](int64_t cnt) -> int64_t { return cnt >= kGroupMin ? R : 1; };
  const auto indices = [&per](int64_t cnt) { return (cnt + per(cnt) - 1) / per(cnt); };
  if (blocks && ctx.token)  // progress counts all indices from the start
    ctx.token->add_total(nchunks / bs * indices(bs) + (nchunks % bs ? indices(nchunks % bs) : 0));
  for (int64_t lo = 0; lo < nchunks; lo += bs) {
    const int64_t cnt = std::min(bs, nchunks - lo), g = per(cnt);
    if (blocks && ctx.token) ctx.token->add_total(-indices(cnt));  // parallel_for counts them again
    const int64_t block_items = nchunks > 0 ? items / nchunks * cnt + (items % nchunks) * cnt / nchunks : 0;
    parallel_for(indices(cnt), block_items, ctx, [&](int64_t i) {
      const int64_t c0 = i * g, c1 = std::min(cnt, c0 + g);
      double out[R * K] = {};
      if (c1 - c0 < R || !group(lo + c0, out))
        for (int64_t c = c0; c < c1; ++c) chunk(lo + c, out + (c - c0) * K);
      for (int64_t c = c0; c < c1; ++c)
        for (int k = 0; k < K; ++k) part[static_cast<size_t>(k * bs + c)] = out[(c - c0) * K + k];
    });
    std::array<double, K> s;
    for (int k = 0; k < K; ++k) s[k] = pairwise_sum(part.data() + k * bs, cnt);
    if (!blocks) return s;  // one block: the plain pairwise sum of the chunks
    stream.push(s, op);
  }
  return stream.total(op);
}

/// How M rows of n elements are cut into chunks: rows longer than kChunk
/// into parts of kChunk elements (when split), shorter rows grouped
/// kChunk / n to a chunk.
struct Plan {
  int64_t M = 0, n = 0;
  int64_t parts = 1;  // chunks per row (long rows)
  int64_t rows = 1;   // rows per chunk (short rows)
  int64_t nchunks = 0;
  Plan(int64_t M_, int64_t n_, bool split = true) : M(M_), n(n_) {
    if (split && n > kChunk) {
      parts = num_chunks(n);
      nchunks = M * parts;
    } else {
      grouped(std::max<int64_t>(1, kChunk / std::max<int64_t>(n, 1)));
    }
  }
  /// M rows in chunks of `rows_per_chunk` whole rows, whatever their length.
  static Plan of_rows(int64_t M, int64_t n, int64_t rows_per_chunk) {
    Plan p(M, n, false);
    p.grouped(rows_per_chunk);
    return p;
  }
  bool long_rows() const { return parts > 1; }
  /// Calls f(r, lo, hi) for the pieces of chunk c, in order: elements
  /// [lo, hi) of row r (a part of a long row, or a whole row).
  template <class F>
  void pieces(int64_t c, F&& f) const {
    if (long_rows()) {
      const int64_t p = c % parts;
      f(c / parts, p * kChunk, std::min(n, (p + 1) * kChunk));
      return;
    }
    for (int64_t r = c * rows, e = std::min(M, (c + 1) * rows); r < e; ++r) f(r, int64_t(0), n);
  }

 private:
  void grouped(int64_t rpc) {
    parts = 1;
    rows = rpc;
    nchunks = (M + rows - 1) / rows;
  }
};

}  // namespace detail
}  // namespace gilfree
