import numpy as np

def corr2d(
    method: int, x: np.ndarray, w: np.ndarray, bias: np.ndarray | None, oh: int, ow: int,
    y0: int, x0: int, sy: int, sx: int, dy: int, dx: int, boundary: int, fill: float,
    reverse_out: bool, nthreads: int, token: int,
) -> np.ndarray: ...
def cost(
    x: np.ndarray, w: np.ndarray, oh: int, ow: int, sy: int, sx: int, dy: int, dx: int,
) -> tuple[float, float, float]: ...
