// Typed loops, common part: the reduction codes, LoopArgs, the block size
// and the lane sums shared by every loop kernel (the chunk plan and the
// pairwise cascade are the engine's: reduce_engine.hpp). See loops.hpp for
// the design.
#pragma once

#include <Eigen/Core>
#include <cmath>
#include <cstdint>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>


#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "reduce_engine.hpp"
#include "runtime.hpp"
#include "strided.hpp"
#include "vmath.hpp"

namespace gilfree {

/// Reductions of kernels::reduce (codes shared with gilfree.loops).
enum class ReduceKind : int {
  sum = 0,
  mean,
  var,
  std_,
  min,
  max,
  argmin,
  argmax,
  dot,
  sqdist,
  norm1,
  norm2,
  norminf,
  logsumexp,
  norm0,       // count of nonzero elements (np.linalg.norm ord=0)
  normneginf,  // min |x|
  normp,       // (sum |x|**p)**(1/p), p = param
  logsumexp_b, // weighted by y (scipy's b=): two results per row, see reduce_result_width
};

/// Element type of the per-row results that reduce<T>(kind, ...) writes.
enum class ResultType : int { invalid = 0, input, int64, float64 };

/// What reduce<T>(kind) writes per row for an integer (or a floating) T:
/// min/max keep T, argmin/argmax give int64, integer sum/dot give int64,
/// everything else float64. invalid: kind is not a ReduceKind.
constexpr ResultType reduce_result_type(ReduceKind kind, bool integer_input) noexcept {
  switch (kind) {
    case ReduceKind::min:
    case ReduceKind::max:
      return ResultType::input;
    case ReduceKind::argmin:
    case ReduceKind::argmax:
      return ResultType::int64;
    case ReduceKind::sum:
    case ReduceKind::dot:
      return integer_input ? ResultType::int64 : ResultType::float64;
    case ReduceKind::mean:
    case ReduceKind::var:
    case ReduceKind::std_:
    case ReduceKind::sqdist:
    case ReduceKind::norm1:
    case ReduceKind::norm2:
    case ReduceKind::norminf:
    case ReduceKind::logsumexp:
    case ReduceKind::norm0:
    case ReduceKind::normneginf:
    case ReduceKind::normp:
    case ReduceKind::logsumexp_b:
      return ResultType::float64;
  }
  return ResultType::invalid;
}

/// Results per row that reduce<T>(kind) writes: 2 for logsumexp_b (log|sum|
/// or NaN, then the sum's sign), 1 for the others.
constexpr int reduce_result_width(ReduceKind kind) noexcept { return kind == ReduceKind::logsumexp_b ? 2 : 1; }

/// Operands of a loop over one shared shape (x, optional y and out).
/// The first `nouter` dimensions index rows; `res` receives one result per
/// row (contiguous, C order over the row dimensions) for reductions.
struct LoopArgs {
  NdShape shape;
  int nouter = 0;
  NdOperand x, y, out;
  char* res = nullptr;
};

namespace detail {

constexpr int kLoopBlock = 1024;  // elements per block (fits L1 with room to spare); fixes the cascade's leaves

template <class T>
constexpr bool is_float_v = std::is_floating_point<T>::value;

/// Sum of f(i) in wrapping 64-bit integer arithmetic.
template <class F>
inline uint64_t lane_sum_u64(int m, F&& f) {
  uint64_t acc[kLanes] = {};
  int i = 0;
  for (; i + kLanes <= m; i += kLanes)
    for (int k = 0; k < kLanes; ++k) acc[k] += f(i + k);
  for (int k = 0; k < kLanes && i + k < m; ++k) acc[k] += f(i + k);
  uint64_t s = 0;
  for (int k = 0; k < kLanes; ++k) s += acc[k];
  return s;
}

template <class T>
inline double to_d(T v) {
  return static_cast<double>(v);
}


}  // namespace detail
}  // namespace gilfree
