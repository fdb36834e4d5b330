// The typed loops' entries of the bindings: the run-time dtype visited once
// (see dtype.hpp), then the kernels of loops.hpp. reduce() also writes its
// results in their final dtype (reduce_dtype), so no caller casts them;
// cumsum_dtype gives cumsum's output dtype for the caller's allocation.
#pragma once

#include <type_traits>
#include <vector>

#include "dtype.hpp"
#include "loops.hpp"
#include "loops_map.hpp"

namespace gilfree {

/// Dtype of reduce()'s per-row results for input of dtype `in`, as NumPy's:
/// reduce_result_type's, except that a float result of float32 input is
/// float32 and dot keeps an integer input's type (int32 . int32 is int32).
inline Dtype reduce_dtype(ReduceKind kind, Dtype in) {
  const bool integer = in == Dtype::int32 || in == Dtype::int64;
  switch (reduce_result_type(kind, integer)) {
    case ResultType::input:
      return in;
    case ResultType::int64:
      return kind == ReduceKind::dot ? in : Dtype::int64;
    case ResultType::float64:
      return in == Dtype::float32 ? Dtype::float32 : Dtype::float64;
    case ResultType::invalid:
      break;
  }
  throw std::invalid_argument("kind: expected a ReduceKind");
}

namespace detail {

/// reduce<T> into 8-byte results W (what the kernel writes), stored as N (4 bytes) in a.res
/// (reduce_result_width of them per row).
template <class T, class W, class N>
void reduce_narrowed(ReduceKind kind, const LoopArgs& a, double param, const ExecContext& ctx) {
  int64_t rows = reduce_result_width(kind);
  for (int d = 0; d < a.nouter; ++d) rows *= a.shape.shape[d];
  std::vector<W> wide(static_cast<size_t>(rows));
  LoopArgs b = a;
  b.res = reinterpret_cast<char*>(wide.data());
  reduce<T>(kind, b, param, ctx);
  N* out = reinterpret_cast<N*>(a.res);
  for (int64_t r = 0; r < rows; ++r) out[r] = static_cast<N>(wide[r]);
}

}  // namespace detail

/// Reduction `kind` of every row of a.x (element type dt) into a.res, one
/// result per row of dtype reduce_dtype(kind, dt).
inline void reduce(Dtype dt, ReduceKind kind, const LoopArgs& a, double param, const ExecContext& ctx) {
  const Dtype out = reduce_dtype(kind, dt);
  visit_dtype(dt, [&](auto t) {
    using T = typename decltype(t)::type;
    if (reduce_result_type(kind, !std::is_floating_point<T>::value) == ResultType::input || out == Dtype::float64 ||
        out == Dtype::int64)
      reduce<T>(kind, a, param, ctx);
    else if (out == Dtype::float32)
      detail::reduce_narrowed<T, double, float>(kind, a, param, ctx);
    else
      detail::reduce_narrowed<T, int64_t, int32_t>(kind, a, param, ctx);
  });
}

/// Dtype of cumsum()'s output for input of dtype `in` (its kernel's cumsum_out_t).
inline Dtype cumsum_dtype(Dtype in) {
  return visit_dtype(in, [](auto t) { return dtype_of<cumsum_out_t<typename decltype(t)::type>>(); });
}

/// Running sums of every row of a.x (element type dt) into a.out, of dtype cumsum_dtype(dt).
inline void cumsum(Dtype dt, const LoopArgs& a, const ExecContext& ctx) {
  visit_dtype(dt, [&](auto t) { cumsum<typename decltype(t)::type>(a, ctx); });
}

inline void softmax(Dtype dt, const LoopArgs& a, const ExecContext& ctx) {
  visit_float(dt, [&](auto t) { softmax<typename decltype(t)::type>(a, ctx); });
}

inline void axpy(Dtype dt, double alpha, const LoopArgs& a, const ExecContext& ctx) {
  visit_float(dt, [&](auto t) { axpy<typename decltype(t)::type>(alpha, a, ctx); });
}

inline void clip(Dtype dt, double lo, double hi, int64_t ilo, int64_t ihi, const LoopArgs& a, const ExecContext& ctx) {
  visit_dtype(dt, [&](auto t) { clip<typename decltype(t)::type>(lo, hi, ilo, ihi, a, ctx); });
}

inline void clip_bound(Dtype dt, bool upper, const LoopArgs& a, const ExecContext& ctx) {
  visit_dtype(dt, [&](auto t) { clip_bound<typename decltype(t)::type>(upper, a, ctx); });
}

inline void histogram(Dtype dt, const LoopArgs& a, const double* edges, int64_t bins, double first, double last,
                      bool uniform, int64_t* counts, const ExecContext& ctx) {
  visit_dtype(dt, [&](auto t) { histogram<typename decltype(t)::type>(a, edges, bins, first, last, uniform, counts, ctx); });
}

/// Weighted histogram: a.y holds the weights, of dtype wdt.
inline void histogram_weighted(Dtype dt, Dtype wdt, const LoopArgs& a, const double* edges, int64_t bins, double first,
                               double last, bool uniform, double* sums, const ExecContext& ctx) {
  visit_dtype(dt, [&](auto t) {
    visit_dtype(wdt, [&](auto w) {
      histogram_weighted<typename decltype(t)::type, typename decltype(w)::type>(a, edges, bins, first, last, uniform,
                                                                               sums, ctx);
    });
  });
}

}  // namespace gilfree
