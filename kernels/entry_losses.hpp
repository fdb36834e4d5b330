// The losses' entries of the bindings: the run-time dtype visited once (see
// dtype.hpp), then the kernels of losses.hpp and losses_rows.hpp.
#pragma once

#include "dtype.hpp"
#include "losses.hpp"
#include "losses_rows.hpp"

namespace gilfree {

/// elementwise_loss<T> for the float element type dt of a's operands.
inline double elementwise_loss(Dtype dt, LossKind kind, const LossParams& prm, const ElementwiseArgs& a,
                               const ExecContext& ctx) {
  return visit_float(dt, [&](auto t) { return elementwise_loss<typename decltype(t)::type>(kind, prm, a, ctx); });
}

/// The row-wise loss `which` (cross_entropy or nll_loss) for the float element type dt.
inline double row_loss(Dtype dt, RowLoss which, const RowsArgs& a, const ExecContext& ctx) {
  return visit_float(dt, [&](auto t) {
    using T = typename decltype(t)::type;
    switch (which) {
      case RowLoss::cross_entropy:
        return cross_entropy<T>(a, ctx);
      case RowLoss::nll_loss:
        return nll_loss<T>(a, ctx);
    }
    throw std::invalid_argument("which: expected a RowLoss");
  });
}

}  // namespace gilfree
