"""The coefficients of kernels/vmath.hpp's exp polynomial, reproduced.

exp(r) ~ 1 + r + r^2 q(r) on |r| <= 0.3466 (ln2/2 and the rounding of
x/ln2), q of degree 9, minimax in the relative error of exp: a Remez exchange
in 50-digit mpmath. Prints q's coefficients as C hex literals and the worst
relative error of the polynomial with them rounded to double, on a fine grid.

    python tools/exp_minimax.py
"""

import mpmath as mp

mp.mp.dps = 50
A = mp.mpf("0.3466")
DEG = 9
N = DEG + 2  # reference points of the exchange


def target(r):
    """q's ideal values: (exp(r) - 1 - r) / r^2."""
    return (mp.exp(r) - 1 - r) / r**2 if r != 0 else mp.mpf(1) / 2


def weight(r):
    """The relative error of exp is weight(r) * (target(r) - q(r))."""
    return r**2 / mp.exp(r)


def solve(points):
    """q and the levelled error E through the reference points."""
    a = mp.matrix(N, N)
    b = mp.matrix(N, 1)
    for i, x in enumerate(points):
        for j in range(DEG + 1):
            a[i, j] = x**j
        a[i, DEG + 1] = (-1) ** i / weight(x)
        b[i] = target(x)
    sol = mp.lu_solve(a, b)
    return [sol[j] for j in range(DEG + 1)], sol[DEG + 1]


def error(coef, x):
    return weight(x) * (target(x) - mp.polyval(coef[::-1], x))


def alternating_extrema(coef, grid):
    vals = [error(coef, x) for x in grid]
    peaks = []
    for k, v in enumerate(vals):
        if all(abs(v) >= abs(vals[j]) for j in (k - 1, k + 1) if 0 <= j < len(vals)):
            if peaks and mp.sign(peaks[-1][1]) == mp.sign(v):
                if abs(v) > abs(peaks[-1][1]):
                    peaks[-1] = (grid[k], v)
            else:
                peaks.append((grid[k], v))
    return peaks, max(abs(v) for v in vals)


def main():
    grid = [-A + 2 * A * k / 4000 for k in range(4001)]
    # Chebyshev extrema, moved off r = 0 where the weight vanishes
    points = [A * mp.cos(mp.pi * (N - 1 - i) / (N - 1)) + mp.mpf("0.013") for i in range(N)]
    points[-1] = A
    for _ in range(30):
        coef, lev = solve(points)
        peaks, worst = alternating_extrema(coef, grid)
        start = max(range(len(peaks) - N + 1), key=lambda s: min(abs(v) for _, v in peaks[s : s + N]))
        points = [x for x, _ in peaks[start : start + N]]
        if abs(worst - abs(lev)) < 1e-3 * worst:
            break
    rounded = [float(c) for c in coef]
    print(f"levelled relative error {mp.nstr(abs(lev), 4)}")
    print("q:", ", ".join(c.hex() for c in rounded))
    fine = [-A + 2 * A * k / 20000 for k in range(20001)]
    q = [mp.mpf(c) for c in rounded[::-1]]
    rel = max(abs((1 + r * (1 + r * mp.polyval(q, r))) / mp.exp(r) - 1) for r in fine)
    ulp = rel / mp.mpf(2) ** -52
    print(f"with double coefficients: {mp.nstr(rel, 4)} relative ({mp.nstr(ulp, 3)} ulp of 1)")


if __name__ == "__main__":
    main()
