// The losses' entries of the bindings: the run-time dtype visited once (see
// dtype.hpp), then the kernels of losses.hpp and losses_rows.hpp.
#pragma once

#include "dtype.hpp"
#include "losses.hpp"
#include "losses_rows.hpp"

namespace gilfree {

/// A loss value, accumulated in double, as the element type T gives it to the caller: rounded
/// to T (a float sum past float's range is inf, as in torch), then widened back exactly.
template <typename T>
inline double as_result(double value) noexcept {
  return static_cast<double>(static_cast<T>(value));
}

/// elementwise_loss<T> for the float element type dt of a's operands (a coalesced in place);
/// the value rounded to T.
inline double elementwise_loss(Dtype dt, LossKind kind, const LossParams& prm, ElementwiseArgs& a,
                               const ExecContext& ctx) {
  return visit_float(dt, [&](auto t) {
    using T = typename decltype(t)::type;
    return as_result<T>(elementwise_loss<T>(kind, prm, a, ctx));
  });
}

/// The row-wise loss `which` (cross_entropy or nll_loss) for the float element type dt; the
/// value rounded to it.
inline double row_loss(Dtype dt, RowLoss which, const RowsArgs& a, const ExecContext& ctx) {
  return visit_float(dt, [&](auto t) {
    using T = typename decltype(t)::type;
    switch (which) {
      case RowLoss::cross_entropy:
        return as_result<T>(cross_entropy<T>(a, ctx));
      case RowLoss::nll_loss:
        return as_result<T>(nll_loss<T>(a, ctx));
    }
    throw std::invalid_argument("which: expected a RowLoss");
  });
}

}  // namespace gilfree
