// Deterministic parallel sums over chunks, in bounded memory: the chunks run
// in blocks of kSumBlock (one parallel_for each), a block's chunk values are
// summed pairwise, and the block sums are merged by a streaming pairwise
// (binary-counter) tree. The order of additions depends on the number of
// chunks only, so the result is identical for any thread count; the scratch
// is kSumBlock values per sum whatever the size, so a huge (broadcast) input
// neither allocates in proportion to its length nor delays a cancel by
// freeing it.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "runtime.hpp"
#include "strided.hpp"

namespace gilfree {
namespace detail {

constexpr int64_t kSumBlock = 4096;  // chunks per block

/// Streaming pairwise merge of values pushed in order.
template <int K>
class PairwiseStream {
 public:
  void push(const std::array<double, K>& v) { push_at(v, 0); }
  std::array<double, K> total() const {
    std::array<double, K> acc{};
    for (size_t i = stack_.size(); i-- > 0;) {  // the newest (smallest) subtree first
      for (int k = 0; k < K; ++k) acc[k] = stack_[i].v[k] + acc[k];
    }
    return acc;
  }

 private:
  struct Node {
    std::array<double, K> v;
    int level;
  };
  void push_at(std::array<double, K> v, int level) {
    while (!stack_.empty() && stack_.back().level == level) {
      for (int k = 0; k < K; ++k) v[k] = stack_.back().v[k] + v[k];
      stack_.pop_back();
      ++level;
    }
    stack_.push_back({v, level});
  }
  std::vector<Node> stack_;
};

/// Sums of K values per chunk: chunk(c, out) writes chunk c's K values.
/// `items` is the work estimate of all chunks (parallel_for's threshold).
template <int K, class F>
std::array<double, K> chunked_sums(int64_t nchunks, int64_t items, const ExecContext& ctx, F&& chunk) {
  const int64_t bs = std::min(nchunks, kSumBlock);
  std::vector<double> part(static_cast<size_t>(bs * K));
  PairwiseStream<K> stream;
  const bool blocks = nchunks > bs;
  if (blocks && ctx.token) ctx.token->add_total(nchunks);  // progress counts all chunks from the start
  for (int64_t lo = 0; lo < nchunks; lo += bs) {
    const int64_t cnt = std::min(bs, nchunks - lo);
    if (blocks && ctx.token) ctx.token->add_total(-cnt);  // parallel_for counts them again
    const int64_t block_items = nchunks > 0 ? items / nchunks * cnt + (items % nchunks) * cnt / nchunks : 0;
    parallel_for(cnt, block_items, ctx, [&](int64_t c) {
      double out[K] = {};
      chunk(lo + c, out);
      for (int k = 0; k < K; ++k) part[static_cast<size_t>(k * bs + c)] = out[k];
    });
    std::array<double, K> s;
    for (int k = 0; k < K; ++k) s[k] = pairwise_sum(part.data() + k * bs, cnt);
    if (!blocks) return s;  // one block: the plain pairwise sum of the chunks
    stream.push(s);
  }
  return stream.total();
}

}  // namespace detail
}  // namespace gilfree
