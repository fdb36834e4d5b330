"""Loss functions: value and gradient in one fused pass, without the GIL.

Every loss takes ``(input, target, *, sample_weight=None, reduction="mean",
return_grad=False, **params)``:

- ``input``, ``target``: float32 or float64 arrays of any shape and strides
  (other real numbers are converted to float64; complex, bool, object and
  str are a TypeError). The result has the input's dtype; sums are
  accumulated in float64 whatever the dtype.
- ``reduction``: ``"mean"``, ``"sum"`` or ``"none"`` (per-element losses).
  With ``sample_weight`` (the shape of the per-sample losses), ``"mean"`` is
  ``sum(w * l) / sum(w)``.
- ``return_grad=True`` returns ``(value, grad)``: ``grad`` is d value / d
  input, the input's shape and dtype, computed in the same pass. For
  ``reduction="none"`` it is the gradient of ``value.sum()``.

Results are bitwise identical for any number of threads.
"""

from ._losses_classification import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    hinge,
    kl_div,
    squared_hinge,
)
from ._losses_regression import huber, log_cosh, mae, mse, pinball, poisson_nll, smooth_l1
from ._losses_rows import cross_entropy, nll_loss

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "hinge",
    "huber",
    "kl_div",
    "log_cosh",
    "mae",
    "mse",
    "nll_loss",
    "pinball",
    "poisson_nll",
    "smooth_l1",
    "squared_hinge",
]
