import numpy as np

def elementwise(
    kind: int, input: np.ndarray, target: np.ndarray, weight: np.ndarray | None,
    extra: np.ndarray | None, reduction: int, batch: float, want_grad: bool, p0: float,
    flag0: int, flag1: int, nthreads: int, token: int,
) -> tuple[float, np.ndarray | None, np.ndarray | None]: ...
def rows(
    which: int, input: np.ndarray, target_index: np.ndarray | None, target_prob: np.ndarray | None,
    class_weight: np.ndarray | None, sample_weight: np.ndarray | None, ignore_index: int,
    label_smoothing: float, reduction: int, want_grad: bool, nthreads: int, token: int,
) -> tuple[float, np.ndarray | None, np.ndarray | None]: ...
