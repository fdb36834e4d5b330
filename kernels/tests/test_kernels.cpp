// C++-only unit tests of the runtime, the loss, loop and conv kernels: no Python involved.
// Built by meson (kernels/tests/meson.build), run by `meson test` and by
// tests/test_cpp_kernels.py.
#include <array>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <stdexcept>
#include <vector>

#include "conv.hpp"
#include "cpu.hpp"
#include "loops.hpp"
#include "losses.hpp"
#include "losses_rows.hpp"
#include "runtime.hpp"
#include "vmath.hpp"
#include "check.hpp"

namespace {

gilfree::ElementwiseArgs contiguous(std::vector<double>& x, std::vector<double>& y) {
  gilfree::ElementwiseArgs a;
  a.shape.ndim = 1;
  a.shape.shape[0] = static_cast<int64_t>(x.size());
  a.input.data = reinterpret_cast<char*>(x.data());
  a.input.strides[0] = sizeof(double);
  a.target.data = reinterpret_cast<char*>(y.data());
  a.target.strides[0] = sizeof(double);
  return a;
}

void test_every_chunk_once() {
  gilfree::set_parallel_threshold(0);
  for (int threads : {1, 2, 3, 4})
    for (int64_t n : {1, 2, 3, 7, 1000, 4097}) {
      std::vector<std::atomic<int>> seen(n);
      gilfree::CancelToken tok;
      gilfree::ExecContext ctx{threads, &tok};
      gilfree::parallel_for(n, 1 << 30, ctx, [&](int64_t i) { seen[i].fetch_add(1); });
      bool once = true;
      for (auto& s : seen) once = once && s.load() == 1;
      CHECK(once);
      CHECK(tok.chunks_done() == n && tok.chunks_total() == n);
    }
}

/// Threads take contiguous runs of chunks (guided scheduling), not alternate
/// single chunks: few changes of thread along the chunk index.
void test_chunks_run_in_contiguous_runs() {
  gilfree::set_parallel_threshold(0);
  const int64_t n = 1000;
  std::vector<int> owner(n, -1);
  std::atomic<int> next_id{0};
  gilfree::ExecContext ctx{2, nullptr};
  gilfree::parallel_for(n, 1 << 30, ctx, [&](int64_t i) {
    thread_local int id = -1;
    if (id < 0) id = next_id++;
    owner[i] = id;
    volatile double s = 0;  // a little work, so both threads take part
    for (int k = 0; k < 20000; ++k) s = s + k;
  });
  int switches = 0;
  for (int64_t i = 1; i < n; ++i) switches += owner[i] != owner[i - 1];
  CHECK(switches <= 64);
  CHECK(owner[0] >= 0 && owner[n - 1] >= 0);
}

void test_exception_propagates() {
  gilfree::ExecContext ctx{4, nullptr};
  bool caught = false;
  try {
    gilfree::parallel_for(100, 1 << 30, ctx, [](int64_t i) {
      if (i == 37) throw std::invalid_argument("chunk 37");
    });
  } catch (const std::invalid_argument& e) {
    caught = std::strcmp(e.what(), "chunk 37") == 0;
  }
  CHECK(caught);
}

void test_cancelled_token_stops_before_work() {
  gilfree::CancelToken tok;
  tok.cancel();
  gilfree::ExecContext ctx{2, &tok};
  std::atomic<int> ran{0};
  bool threw = false;
  try {
    gilfree::parallel_for(100, 1 << 30, ctx, [&](int64_t) { ran++; });
  } catch (const gilfree::cancelled_error&) {
    threw = true;
  }
  CHECK(threw);
  CHECK(ran.load() == 0);
  CHECK(tok.chunks_done() == 0);
}

void test_mse_same_bits_any_thread_count() {
  std::vector<double> x(300001), y(300001);
  for (size_t i = 0; i < x.size(); ++i) {
    x[i] = std::sin(0.001 * i) * 1e3;
    y[i] = std::cos(0.002 * i);
  }
  double ref = 0.0;
  for (size_t i = 0; i < x.size(); ++i) ref += (x[i] - y[i]) * (x[i] - y[i]);
  ref /= x.size();
  double first = 0.0;
  for (int threads : {1, 2, 3, 7}) {
    auto a = contiguous(x, y);
    double v = gilfree::elementwise_loss<double>(gilfree::LossKind::mse, {}, a, {threads, nullptr});
    if (threads == 1) first = v;
    CHECK(std::memcmp(&v, &first, sizeof v) == 0);
    CHECK(std::fabs(v - ref) <= 1e-12 * ref);
  }
}

void test_logsumexp_dominant_term_any_thread_count() {
  // the log1p form around the largest term (SciPy gh18295): log(1 + e^-40) is 4.25e-18, not 0
  std::vector<double> x(200001, -60.0);
  x[123457] = 0.0;  // the largest term, in a later chunk than the others
  x[5] = -40.0;
  const double ref = std::log1p(std::exp(-40.0) + 199999 * std::exp(-60.0));
  double first = 0.0;
  for (int threads : {1, 2, 3, 7}) {
    gilfree::LoopArgs a;
    a.shape.ndim = 1;
    a.shape.shape[0] = static_cast<int64_t>(x.size());
    a.x.data = reinterpret_cast<char*>(x.data());
    a.x.strides[0] = sizeof(double);
    double v = 0.0;
    a.res = reinterpret_cast<char*>(&v);
    gilfree::reduce<double>(gilfree::ReduceKind::logsumexp, a, 0.0, {threads, nullptr});
    if (threads == 1) first = v;
    CHECK(std::memcmp(&v, &first, sizeof v) == 0);
    CHECK(std::fabs(v - ref) <= 1e-14 * ref);
  }
}

void test_log_cosh_huge_residual() {
  std::vector<double> x{1e30, -1e30, 0.0}, y{0.0, 0.0, 0.0};
  auto a = contiguous(x, y);
  a.reduction = gilfree::Reduction::sum;
  double v = gilfree::elementwise_loss<double>(gilfree::LossKind::log_cosh, {}, a, {1, nullptr});
  CHECK(std::isfinite(v));
  CHECK(std::fabs(v - 2e30) <= 1e-15 * 2e30);
}

void test_bad_input_throws() {
  std::vector<double> x{0.5, 1.5}, y{1.0, 0.0};
  auto a = contiguous(x, y);
  bool threw = false;
  try {
    gilfree::elementwise_loss<double>(gilfree::LossKind::binary_cross_entropy, {}, a, {1, nullptr});
  } catch (const std::domain_error&) {
    threw = true;
  }
  CHECK(threw);
}

/// cross_entropy streams a row over its classes: a stride-0 row of several
/// blocks needs no row-sized scratch; all-equal logits of any magnitude give
/// log C (the loss is formed as (max - z[t]) + log sum, which cannot cancel).
void test_cross_entropy_streamed_row() {
  const int64_t c = 3 * gilfree::detail::kClassBlock + 5;
  for (double z : {0.0, 1e16, -1e300}) {
    int64_t t = c - 1;
    std::vector<double> grad(c, 0.0);
    gilfree::RowsArgs a;
    a.input = reinterpret_cast<char*>(&z);
    a.n = 1;
    a.c = c;
    a.in_cs = 0;  // a broadcast view
    a.target_index = &t;
    a.grad = reinterpret_cast<char*>(grad.data());
    a.g_cs = sizeof(double);
    const double v = gilfree::cross_entropy<double>(a, {2, nullptr});
    CHECK(std::fabs(v - std::log(static_cast<double>(c))) <= 1e-15 * v);
    CHECK(grad[0] == 1.0 / c && grad[c / 2] == 1.0 / c && grad[c - 1] == 1.0 / c - 1.0);
  }
}

/// An (N, C, D) array is N * D rows: row i = (i / D, i % D), its classes at
/// the stride of axis 1. nll_loss picks x[n, t, d], with the gradient written
/// there; a row layout that is not a whole number of outer rows is refused.
void test_rows_outer_inner_layout() {
  const int64_t N = 2, C = 3, D = 4;
  std::vector<double> x(N * C * D), grad(N * C * D, 0.0), out(N * D);
  for (size_t k = 0; k < x.size(); ++k) x[k] = -0.5 * static_cast<double>(k + 1);
  std::vector<int64_t> t{0, 1, 2, 1, 2, 0, 1, 0};  // (N, D) in C order
  gilfree::RowsArgs a;
  a.input = reinterpret_cast<char*>(x.data());
  a.n = N * D;
  a.c = C;
  a.inner = D;
  a.in_rs = C * D * sizeof(double);
  a.in_cs = D * sizeof(double);
  a.in_is = sizeof(double);
  a.target_index = t.data();
  a.reduction = gilfree::Reduction::none;
  a.out = reinterpret_cast<char*>(out.data());
  a.out_stride = sizeof(double);
  a.grad = reinterpret_cast<char*>(grad.data());
  a.g_rs = a.in_rs;
  a.g_cs = a.in_cs;
  a.g_is = a.in_is;
  const double total = gilfree::nll_loss<double>(a, {2, nullptr});
  double want = 0.0;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t d = 0; d < D; ++d) {
      const int64_t at = (n * C + t[n * D + d]) * D + d;
      CHECK(out[n * D + d] == -x[at]);
      CHECK(grad[at] == -1.0);
      want -= x[at];
    }
  CHECK(total == want);
  bool threw = false;
  a.n = N * D - 1;
  try {
    gilfree::nll_loss<double>(a, {1, nullptr});
  } catch (const std::invalid_argument&) {
    threw = true;
  }
  CHECK(threw);
}

/// Distance in units in the last place between two finite doubles (or 0 when
/// both are the same special value).
int64_t ulp_distance(double a, double b) {
  if (a == b || (a != a && b != b)) return 0;
  if (!std::isfinite(a) || !std::isfinite(b) || (a < 0) != (b < 0)) return std::numeric_limits<int64_t>::max();
  int64_t ia, ib;
  std::memcpy(&ia, &a, 8);
  std::memcpy(&ib, &b, 8);
  return ia > ib ? ia - ib : ib - ia;
}

/// vmath exp/log against long double exp/log over wide random ranges
/// (subnormal arguments and results included), and exact special values:
/// at most 1 ulp with the polynomials (AVX2 or AVX-512), 4 with the fallback
/// (Eigen's functions).
void test_vmath_exp_log_accuracy() {
  const double lo_exp = -745.0, lo_log_exp = -1074.0;
  const int64_t tol = gilfree::vmath::polynomial ? 1 : 4;
  std::mt19937_64 gen(7);
  std::vector<double> x;
  std::uniform_real_distribution<double> wide(lo_exp, 709.7), unit(-1.0, 1.0), tiny(-1e-8, 1e-8);
  for (int i = 0; i < 200000; ++i) x.push_back(wide(gen));
  for (int i = 0; i < 50000; ++i) x.push_back(unit(gen));
  for (int i = 0; i < 10000; ++i) x.push_back(tiny(gen));
  x.push_back(0.0);
  x.push_back(-0.0);
  std::vector<double> r(x.size());
  gilfree::vmath::exp_n(x.data(), r.data(), static_cast<int64_t>(x.size()));
  int64_t worst = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double ref = static_cast<double>(std::exp(static_cast<long double>(x[i])));
    worst = std::max(worst, ulp_distance(r[i], ref));
  }
  std::printf("vmath exp: worst %lld ulp\n", static_cast<long long>(worst));
  CHECK(worst <= tol);

  std::vector<double> y;
  std::uniform_real_distribution<double> expo(lo_log_exp, 1023.9), mant(1.0, 2.0), near1(0.9, 1.1);
  for (int i = 0; i < 200000; ++i) y.push_back(std::ldexp(mant(gen), static_cast<int>(expo(gen))));
  for (int i = 0; i < 50000; ++i) y.push_back(near1(gen));
  y.push_back(std::numeric_limits<double>::max());
  std::vector<double> ly(y.size());
  gilfree::vmath::log_n(y.data(), ly.data(), static_cast<int64_t>(y.size()));
  worst = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    const double ref = static_cast<double>(std::log(static_cast<long double>(y[i])));
    worst = std::max(worst, ulp_distance(ly[i], ref));
  }
  std::printf("vmath log: worst %lld ulp\n", static_cast<long long>(worst));
  CHECK(worst <= tol);

  const double inf = std::numeric_limits<double>::infinity(), nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> sx{-inf, inf, nan, 710.0, 709.78, -746.0, -745.2, 1e-320, 0.0, -0.0, -1.0, 1.0, 2.0};
  std::vector<double> se(sx.size()), sl(sx.size());
  gilfree::vmath::exp_n(sx.data(), se.data(), static_cast<int64_t>(sx.size()));  // tail of 5: masked
  gilfree::vmath::log_n(sx.data(), sl.data(), static_cast<int64_t>(sx.size()));
  CHECK(se[0] == 0.0 && se[1] == inf && se[2] != se[2] && se[3] == inf);
  CHECK(ulp_distance(se[4], static_cast<double>(std::exp(static_cast<long double>(sx[4])))) <= 1);
  CHECK(se[5] == 0.0 && se[6] == 0.0);
  CHECK(ulp_distance(sl[7], static_cast<double>(std::log(static_cast<long double>(sx[7])))) <= 1);
  const double dmin = std::numeric_limits<double>::denorm_min();
  std::vector<double> sub{dmin, 0.0};
  gilfree::vmath::log_n(sub.data(), sub.data(), 1);
  CHECK(ulp_distance(sub[0], static_cast<double>(std::log(static_cast<long double>(dmin)))) <= 1);
  CHECK(ulp_distance(se[10], static_cast<double>(std::exp(-1.0L))) <= 1);
  CHECK(ulp_distance(se[11], static_cast<double>(std::exp(1.0L))) <= 1);
  CHECK(sl[0] != sl[0] && sl[1] == inf && sl[2] != sl[2] && sl[8] == -inf && sl[9] == -inf);
  CHECK(sl[10] != sl[10] && sl[11] == 0.0);
  CHECK(ulp_distance(sl[12], static_cast<double>(std::log(2.0L))) <= 1);
}

/// vmath::exp_sum against its definition written out: exp_n's terms of
/// x[i] - shift, term skip dropped, summed in 16 lanes by index and combined
/// pairwise, bit for bit; lengths around the group of 16 and the skipped term
/// in a full group, in the tail and absent; arguments below -705 (the
/// general path) and -inf (a zero term) among the normal ones.
void test_vmath_exp_sum_is_its_definition() {
  constexpr int kL = 16;
  std::mt19937_64 gen(3);
  std::uniform_real_distribution<double> u(-30.0, 0.0);
  for (int n : {0, 1, 5, 15, 16, 17, 33, 100, 1024}) {
    for (bool wide : {false, true}) {
      std::vector<double> x(n);
      for (double& v : x) v = u(gen);
      if (wide && n > 3) {
        x[1] = -720.0;
        x[n - 2] = -std::numeric_limits<double>::infinity();
        x[n / 2] = -745.5;  // a subnormal term
      }
      for (int skip : {-1, 0, n / 2, n - 1}) {
        if (skip >= n) continue;
        const double shift = 0.25;
        std::vector<double> t(n);
        for (int i = 0; i < n; ++i) t[i] = x[i] - shift;
        gilfree::vmath::exp_n(t.data(), t.data(), n);
        double acc[kL] = {};
        for (int i = 0; i < n; ++i) acc[i % kL] += i == skip ? 0.0 : t[i];
        for (int w = kL / 2; w >= 1; w /= 2)
          for (int k = 0; k < w; ++k) acc[k] += acc[k + w];
        const double got = gilfree::vmath::exp_sum<kL>(x.data(), n, shift, skip);
        CHECK(std::memcmp(&got, &acc[0], sizeof got) == 0);
      }
    }
  }
}

/// The lanes (lanes.hpp, loops_simd.hpp) against their definition written
/// one value at a time: value i feeds lane i mod 16 through madd (or +), the
/// lanes are combined pairwise; bit for bit, for lengths around the group of
/// 16, LaneSum fed in pieces that cut the groups anywhere, and -0.0 lanes
/// (the padding of a partial group must leave every lane as it is).
void test_lanes_are_their_definition() {
  using namespace gilfree::detail;
  constexpr int kL = 16;
  std::mt19937_64 gen(5);
  std::normal_distribution<double> nd;
  const auto fold = [](std::array<double, kL> acc) {
    for (int w = kL / 2; w >= 1; w /= 2)
      for (int k = 0; k < w; ++k) acc[k] += acc[k + w];
    return acc[0];
  };
  const auto same = [](double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; };
  for (int n : {0, 1, 5, 15, 16, 17, 31, 33, 100, 1024, 1031}) {
    std::vector<double> x(n), y(n);
    for (int i = 0; i < n; ++i) {
      x[i] = i % 7 == 3 ? -0.0 : nd(gen);
      y[i] = i % 5 == 1 ? -0.0 : nd(gen);
    }
    const double p = 0.3;
    std::array<double, kL> dot{}, ssq{}, sum{}, s1{}, s2{}, sq{}, ab{};
    for (int i = 0; i < n; ++i) {
      const int k = i % kL;
      const double d = x[i] - p, e = x[i] - y[i];
      dot[k] = madd(x[i], y[i], dot[k]);
      ssq[k] = madd(x[i], x[i], ssq[k]);
      sum[k] += x[i];
      s1[k] += d;
      s2[k] = madd(d, d, s2[k]);
      sq[k] = madd(e, e, sq[k]);
      ab[k] += std::fabs(e);
    }
    CHECK(same(lane_accumulate(x.data(), y.data(), n, [](V4d a, V4d b, V4d acc) { return madd(a, b, acc); }), fold(dot)));
    CHECK(same(lane_accumulate(x.data(), static_cast<const double*>(nullptr), n,
                               [](V4d a, V4d, V4d acc) { return madd(a, a, acc); }),
               fold(ssq)));
    CHECK(same(lane_total(x.data(), n), fold(sum)));
    double m1, m2;
    lane_moments(x.data(), n, p, m1, m2);
    CHECK(same(m1, fold(s1)) && same(m2, fold(s2)));
    for (int cut : {1, 7, 16, 23}) {  // LaneSum in pieces of `cut` values
      LaneSum a, b;
      for (int i = 0; i < n; i += cut) {
        const int m = std::min(cut, n - i);
        a.add_terms(x.data() + i, y.data() + i, m, [](auto u, auto w, auto lane) {
          const auto e = u - w;
          return madd(e, e, lane);
        });
        b.add_terms(x.data() + i, y.data() + i, m, [](auto u, auto w, auto lane) { return lane + absval(u - w); });
      }
      CHECK(same(a.total(), fold(sq)) && same(b.total(), fold(ab)));
    }
  }
  // fused products that underflow below zero leave -0.0 lanes (with FMA): the
  // padding of a partial group must keep them
  for (int n : {16, 17, 33, 47}) {
    std::vector<double> x(n, 1e-200), y(n, -1e-200);
    std::array<double, kL> dot{};
    for (int i = 0; i < n; ++i) dot[i % kL] = madd(x[i], y[i], dot[i % kL]);
    CHECK(same(lane_accumulate(x.data(), y.data(), n, [](V4d a, V4d b, V4d acc) { return madd(a, b, acc); }), fold(dot)));
  }
}

/// One row of doubles correlated with a 3-tap kernel: out[i] = sum_k w[k] * ext(x)[x0 + i*sx + k*dx].
struct Conv1dCase {
  std::vector<double> x, w, out;
  gilfree::Corr2dArgs a;
  Conv1dCase(std::vector<double> xv, std::vector<double> wv, int64_t ow) : x(xv), w(wv), out(ow, -1.0) {
    const int64_t d = sizeof(double);
    a.in = reinterpret_cast<const char*>(x.data());
    a.w = static_cast<int64_t>(x.size());
    a.wt = reinterpret_cast<const char*>(w.data());
    a.kw = static_cast<int64_t>(w.size());
    a.out = reinterpret_cast<char*>(out.data());
    a.ow = ow;
    for (int i = 0; i < 4; ++i) a.in_s[i] = a.wt_s[i] = a.out_s[i] = d;
  }
};

/// conv (issue #9): a stride or dilation far beyond the input sizes no
/// scratch, coordinates beyond int64 are refused, and Boundary::none keeps
/// an inf weight off the samples beyond the edges (numpy.convolve).
void test_conv_huge_stride_and_absent_samples() {
  gilfree::ExecContext ctx{1, nullptr};
  const double inf = std::numeric_limits<double>::infinity();
  Conv1dCase c({1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 10, 100}, 2);
  c.a.x0 = -1;
  c.a.sx = int64_t(1) << 40;  // out[0] reads columns -1, 0, 1; out[1] only columns beyond the row
  gilfree::corr2d_direct<double>(c.a, ctx);
  CHECK(c.out[0] == 210.0 && c.out[1] == 0.0);
  c.out.assign(2, -1.0);
  gilfree::corr2d_gemm<double>(c.a, ctx);
  CHECK(c.out[0] == 210.0 && c.out[1] == 0.0);
  c.a.sx = 3;
  c.a.dx = int64_t(1) << 40;  // taps 1 and 2 beyond the row
  c.a.x0 = 0;
  gilfree::corr2d_direct<double>(c.a, ctx);
  CHECK(c.out[0] == 1.0 && c.out[1] == 4.0);
  c.a.dx = std::numeric_limits<int64_t>::max();  // (kw - 1) * dx overflows int64
  bool threw = false;
  try {
    gilfree::corr2d_direct<double>(c.a, ctx);
  } catch (const std::invalid_argument&) {
    threw = true;
  }
  CHECK(threw);
  Conv1dCase n({0.5, -0.25, 1.0}, {inf, inf, inf}, 5);  // numpy.convolve "full": [inf, nan, nan, nan, inf]
  n.a.x0 = -2;
  n.a.boundary = gilfree::Boundary::none;
  gilfree::corr2d_direct<double>(n.a, ctx);
  CHECK(n.out[0] == inf && n.out[1] != n.out[1] && n.out[3] != n.out[3] && n.out[4] == inf);
}

}  // namespace

/// The x86-64 level this executable was compiled for.
constexpr int compiled_level() {
#if defined(__AVX512F__)
  return 4;
#elif defined(__AVX2__)
  return 3;
#elif defined(__SSE4_2__)
  return 2;
#else
  return 0;
#endif
}

int main() {
  if (gilfree::cpu_x86_64_level() < compiled_level()) {
    std::printf("skipped: compiled for x86-64-v%d, this CPU runs v%d\n", compiled_level(),
                gilfree::cpu_x86_64_level());
    return 77;  // meson's "skipped"
  }
  test_vmath_exp_log_accuracy();
  test_vmath_exp_sum_is_its_definition();
  test_lanes_are_their_definition();
  test_every_chunk_once();
  test_chunks_run_in_contiguous_runs();
  test_exception_propagates();
  test_cancelled_token_stops_before_work();
  test_mse_same_bits_any_thread_count();
  test_log_cosh_huge_residual();
  test_logsumexp_dominant_term_any_thread_count();
  test_bad_input_throws();
  test_conv_huge_stride_and_absent_samples();
  test_cross_entropy_streamed_row();
  test_rows_outer_inner_layout();
  return gilfree_test::report();
}
