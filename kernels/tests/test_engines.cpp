// C++-only tests of the convolution and loop engines against naive loops
// written here (long double): every conv path, boundaries, groups, strides;
// the reduction engine on strided rows. Same bits for any thread count.
// Built by meson (kernels/tests/meson.build), run by `meson test` and by
// tests/test_cpp_kernels.py.
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <thread>
#include <vector>

#include "check.hpp"
#include "conv.hpp"
#include "loops.hpp"
#include "runtime.hpp"

namespace {

using gilfree::Boundary;
using gilfree::Corr2dArgs;
using gilfree::ExecContext;

std::vector<double> normal(size_t n, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> d;
  std::vector<double> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

int64_t wrap(int64_t i, int64_t n) { return ((i % n) + n) % n; }

/// The sample at (row, col) of one plane as SciPy extends it past the edges.
long double sample(const std::vector<double>& x, int64_t base, int64_t h, int64_t w, int64_t r, int64_t c,
                   Boundary b, double fill) {
  if (r < 0 || r >= h || c < 0 || c >= w) {
    if (b == Boundary::fill) return fill;
    if (b == Boundary::wrap) r = wrap(r, h), c = wrap(c, w);
    if (b == Boundary::symm) {
      r = wrap(r, 2 * h), c = wrap(c, 2 * w);
      r = r < h ? r : 2 * h - 1 - r;
      c = c < w ? c : 2 * w - 1 - c;
    }
  }
  return x[base + r * w + c];
}

/// A contiguous (n, c, h, w) x (o, cg, kh, kw) correlation and its naive result.
struct ConvCase {
  std::vector<double> in, wt, bias, out;
  Corr2dArgs a;
  ConvCase(int64_t n, int64_t c, int64_t h, int64_t w, int64_t o, int64_t cg, int64_t k, int64_t pad, int64_t s,
           int64_t d, Boundary b, double fill)
      : in(normal(n * c * h * w, 1)), wt(normal(o * cg * k * k, 2)), bias(normal(o, 3)) {
    a.n = n, a.c = c, a.h = h, a.w = w, a.o = o, a.cg = cg, a.kh = a.kw = k;
    a.y0 = a.x0 = -pad, a.sy = a.sx = s, a.dy = a.dx = d, a.boundary = b, a.fill = fill;
    a.oh = (h + 2 * pad - d * (k - 1) - 1) / s + 1;
    a.ow = (w + 2 * pad - d * (k - 1) - 1) / s + 1;
    out.assign(n * o * a.oh * a.ow, -7.0);
    const int64_t e = sizeof(double);
    const int64_t is[4] = {c * h * w * e, h * w * e, w * e, e}, ws[4] = {cg * k * k * e, k * k * e, k * e, e},
                  os[4] = {o * a.oh * a.ow * e, a.oh * a.ow * e, a.ow * e, e};
    std::memcpy(a.in_s, is, sizeof is), std::memcpy(a.wt_s, ws, sizeof ws), std::memcpy(a.out_s, os, sizeof os);
    a.in = reinterpret_cast<const char*>(in.data());
    a.wt = reinterpret_cast<const char*>(wt.data());
    a.bias = reinterpret_cast<const char*>(bias.data());
    a.bias_s = e;
    a.out = reinterpret_cast<char*>(out.data());
  }
  std::vector<double> naive() const {
    std::vector<double> r(out.size());
    const int64_t og = a.o / (a.c / a.cg);
    for (int64_t b = 0; b < a.n; ++b)
      for (int64_t o = 0; o < a.o; ++o)
        for (int64_t y = 0; y < a.oh; ++y)
          for (int64_t x = 0; x < a.ow; ++x) {
            long double s = bias[o];
            for (int64_t q = 0; q < a.cg; ++q) {
              const int64_t ch = (o / og) * a.cg + q, base = (b * a.c + ch) * a.h * a.w;
              for (int64_t i = 0; i < a.kh; ++i)
                for (int64_t j = 0; j < a.kw; ++j)
                  s += static_cast<long double>(wt[((o * a.cg + q) * a.kh + i) * a.kw + j]) *
                       sample(in, base, a.h, a.w, a.y0 + y * a.sy + i * a.dy, a.x0 + x * a.sx + j * a.dx,
                              a.boundary, a.fill);
            }
            r[((b * a.o + o) * a.oh + y) * a.ow + x] = static_cast<double>(s);
          }
    return r;
  }
};

bool close(const std::vector<double>& got, const std::vector<double>& want, double tol) {
  if (got.size() != want.size()) return false;
  for (size_t i = 0; i < got.size(); ++i)
    if (!(std::fabs(got[i] - want[i]) <= tol * (1.0 + std::fabs(want[i])))) {
      std::printf("  element %zu: got %.17g, want %.17g\n", i, got[i], want[i]);
      return false;
    }
  return true;
}

template <class Path>
void check_path(const char* what, ConvCase& c, Path&& path, double tol) {
  std::printf("%s\n", what);
  const std::vector<double> want = c.naive();
  std::vector<double> first;
  for (int threads : {1, 2, 3}) {
    gilfree::CancelToken tok;
    path(c.a, ExecContext{threads, &tok});
    CHECK(close(c.out, want, tol));
    if (threads == 1) first = c.out;
    CHECK(std::memcmp(first.data(), c.out.data(), first.size() * sizeof(double)) == 0);
    c.out.assign(c.out.size(), -7.0);
  }
}

void test_conv_paths_against_naive() {
  gilfree::set_parallel_threshold(0);  // several chunks even for these small cases
  auto direct = [](const Corr2dArgs& a, const ExecContext& x) { gilfree::corr2d_direct<double>(a, x); };
  auto gemm = [](const Corr2dArgs& a, const ExecContext& x) { gilfree::corr2d_gemm<double>(a, x); };
  auto wino = [](const Corr2dArgs& a, const ExecContext& x) { gilfree::corr2d_winograd<double>(a, x); };
  auto fft = [](const Corr2dArgs& a, const ExecContext& x) { gilfree::corr2d_fft<double>(a, x); };
  for (Boundary b : {Boundary::fill, Boundary::wrap, Boundary::symm}) {
    ConvCase c(2, 4, 13, 17, 6, 2, 3, 2, 1, 1, b, b == Boundary::fill ? 0.5 : 0.0);  // groups 2
    check_path("direct, boundaries", c, direct, 1e-13);
  }
  ConvCase strided(2, 4, 19, 23, 4, 4, 3, 1, 2, 2, Boundary::fill, 0.0);
  check_path("direct, stride 2, dilation 2", strided, direct, 1e-13);
  check_path("gemm, stride 2, dilation 2", strided, gemm, 1e-12);
  ConvCase wg(2, 6, 21, 18, 4, 3, 3, 1, 1, 1, Boundary::fill, 0.0);  // 3x3, stride 1: Winograd applies
  check_path("winograd", wg, wino, 1e-11);
  check_path("gemm, 3x3", wg, gemm, 1e-12);
  ConvCase plane(1, 1, 70, 90, 1, 1, 9, 8, 1, 1, Boundary::fill, 0.0);  // one plane: the FFT applies
  check_path("fft", plane, fft, 1e-11);
  check_path("direct, 9x9", plane, direct, 1e-13);
}

void test_conv_cancelled_before_work() {
  ConvCase c(1, 2, 40, 40, 2, 2, 5, 2, 1, 1, Boundary::fill, 0.0);
  gilfree::CancelToken tok;
  tok.cancel();
  bool threw = false;
  try {
    gilfree::corr2d_direct<double>(c.a, ExecContext{2, &tok});
  } catch (const gilfree::cancelled_error&) {
    threw = true;
  }
  CHECK(threw);
  CHECK(c.out[0] == -7.0);  // no output written
}

/// Rows of a (rows, cols) matrix viewed with a column step of 3.
struct RowsCase {
  std::vector<double> base, res;
  gilfree::LoopArgs a;
  RowsCase(int64_t rows, int64_t cols) : base(normal(rows * cols * 3, 4)), res(rows, -1.0) {
    a.shape.ndim = 2, a.shape.shape[0] = rows, a.shape.shape[1] = cols;
    a.nouter = 1;
    a.x.data = reinterpret_cast<char*>(base.data());
    a.x.strides[0] = cols * 3 * sizeof(double), a.x.strides[1] = 3 * sizeof(double);
    a.res = reinterpret_cast<char*>(res.data());
  }
  double at(int64_t r, int64_t c) const { return base[(r * a.shape.shape[1] + c) * 3]; }
};

void test_reductions_against_naive() {
  gilfree::set_parallel_threshold(0);
  const int64_t rows = 3, cols = 200'003;  // several chunks per row
  RowsCase c(rows, cols);
  for (auto kind : {gilfree::ReduceKind::sum, gilfree::ReduceKind::var, gilfree::ReduceKind::logsumexp,
                    gilfree::ReduceKind::norm2}) {
    std::vector<double> first;
    for (int threads : {1, 2, 4}) {
      gilfree::reduce<double>(kind, c.a, 0.0, ExecContext{threads, nullptr});
      if (threads == 1) first = c.res;
      CHECK(std::memcmp(first.data(), c.res.data(), rows * sizeof(double)) == 0);
    }
    for (int64_t r = 0; r < rows; ++r) {
      long double s = 0, s2 = 0, m = -INFINITY, e = 0;
      for (int64_t j = 0; j < cols; ++j) s += c.at(r, j), s2 += (long double)c.at(r, j) * c.at(r, j);
      for (int64_t j = 0; j < cols; ++j) m = std::max<long double>(m, c.at(r, j));
      for (int64_t j = 0; j < cols; ++j) e += std::exp((long double)c.at(r, j) - m);
      const long double mean = s / cols;
      long double ss = 0;
      for (int64_t j = 0; j < cols; ++j) ss += (c.at(r, j) - mean) * (c.at(r, j) - mean);
      long double want = kind == gilfree::ReduceKind::sum   ? s
                         : kind == gilfree::ReduceKind::var ? ss / cols
                         : kind == gilfree::ReduceKind::norm2 ? std::sqrt(s2)
                                                              : m + std::log(e);
      CHECK(std::fabs(c.res[r] - (double)want) <= 1e-12 * (1.0 + std::fabs((double)want)));
    }
  }
  int64_t idx[rows];
  c.base[(1 * cols + 777) * 3] = 1e9;  // row 1's maximum, twice: the first wins
  c.base[(1 * cols + 90'000) * 3] = 1e9;
  c.a.res = reinterpret_cast<char*>(idx);
  gilfree::reduce<double>(gilfree::ReduceKind::argmax, c.a, 0.0, ExecContext{2, nullptr});
  CHECK(idx[1] == 777);
}

int g_polls = 0;
int count_poll(void*) {
  ++g_polls;
  return 0;
}

// A call made of many parallel sections, each far shorter than the poll
// interval (20 ms), as chunk_sums' blocks of a long loss: the calling thread
// still polls about every interval (with a deadline per section it never
// did, and Ctrl-C went unnoticed). Inline sections and pool sections.
void test_poll_across_short_sections() {
  gilfree::CancelToken tok;
  tok.set_poll(count_poll, nullptr);
  auto nap = [](int64_t) { std::this_thread::sleep_for(std::chrono::microseconds(100)); };
  const auto t0 = std::chrono::steady_clock::now();
  for (int k = 0; std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(150); ++k) {
    if (k % 2)
      gilfree::parallel_for(4, 4, ExecContext{1, &tok}, nap);  // below the threshold: inline
    else
      gilfree::parallel_for(4, int64_t(1) << 40, ExecContext{2, &tok}, nap);  // on the pool
  }
  CHECK(g_polls >= 3);
}

}  // namespace

int main() {
  test_conv_paths_against_naive();
  test_conv_cancelled_before_work();
  test_reductions_against_naive();
  test_poll_across_short_sections();
  return gilfree_test::report();
}
