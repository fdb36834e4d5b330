// gilfree runtime: the process-wide compute pool, the chunked parallel-for and
// the cancel token. Pure C++17: no Python, no NumPy.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>

namespace gilfree {

/// Thrown by a kernel that stopped early because its token was cancelled.
struct cancelled_error : std::runtime_error {
  cancelled_error() : std::runtime_error("gilfree: kernel cancelled") {}
};

/// Thrown before any work when a call's work exceeds its token's inline
/// budget: the caller should run it elsewhere (gilfree.aio hands it to a thread).
struct would_block_error : std::runtime_error {
  would_block_error() : std::runtime_error("gilfree: kernel would block") {}
};

/// Called by the calling thread of a kernel (never by pool workers) about
/// every kPollInterval; returning true cancels the kernel. Python uses it to
/// run pending signal handlers (Ctrl-C) during a sync call.
using PollFn = int (*)(void* arg);  // nonzero: cancel (must not throw)

/// Cancellation flag and progress counter shared between a kernel and its caller.
/// The kernel checks it between chunks; another thread may cancel() at any time.
class CancelToken {
 public:
  void cancel() noexcept { flag_.store(true, std::memory_order_relaxed); }
  bool cancelled() const noexcept;
  void reset() noexcept {
    flag_.store(false);
    done_.store(0);
    total_.store(0);
    spent_ = 0;
    next_poll_ns = 0;
  }
  int64_t chunks_done() const noexcept { return done_.load(std::memory_order_relaxed); }
  int64_t chunks_total() const noexcept { return total_.load(std::memory_order_relaxed); }
  void add_done(int64_t n) noexcept { done_.fetch_add(n, std::memory_order_relaxed); }
  void add_total(int64_t n) noexcept { total_.fetch_add(n, std::memory_order_relaxed); }

  /// Work (in the units of parallel_for's `items`) the calls made with this
  /// token may do in all before they throw would_block_error; 0: no limit.
  void set_inline_budget(int64_t items) noexcept { budget_ = items; }
  int64_t inline_budget() const noexcept { return budget_; }
  /// Charges `items` of work; throws would_block_error past the budget.
  void charge(int64_t items) {
    spent_ += items;
    if (budget_ > 0 && spent_ > budget_) throw would_block_error();
  }
  void set_poll(PollFn fn, void* arg) noexcept {
    poll_ = fn;
    poll_arg_ = arg;
  }
  bool has_poll() const noexcept { return poll_ != nullptr; }
  /// Runs the poll function; cancels the token when it asks to.
  void poll() noexcept {
    if (poll_ && poll_(poll_arg_)) cancel();
  }
  /// When the calling thread polls next (steady clock, ns; 0: at its first
  /// chunk the clock starts). Kept here, not per parallel section: a call made
  /// of many sections, each shorter than the poll interval, still polls.
  int64_t next_poll_ns = 0;

 private:
  std::atomic<bool> flag_{false};
  std::atomic<int64_t> done_{0};
  std::atomic<int64_t> total_{0};
  int64_t budget_ = 0;  // set and charged by the calling thread only
  int64_t spent_ = 0;
  PollFn poll_ = nullptr;
  void* poll_arg_ = nullptr;
};

/// How one kernel call may run: its width (threads, the caller included) and token.
struct ExecContext {
  int nthreads = 1;
  CancelToken* token = nullptr;  // may be null
};

/// Most threads a kernel may use (a pool this wide is already far past any
/// CPU count a process sees; beyond it thread creation itself would fail).
constexpr int kMaxThreads = 1024;

/// A binding keeps the GIL through a call over at most this many elements:
/// its whole work (well under a microsecond) is shorter than releasing and
/// retaking the GIL; every larger call releases it.
constexpr int64_t kKeepGilItems = 256;

/// Number of threads the pool serves (the calling thread counted), >= 1.
int get_num_threads() noexcept;
/// Resize the process-wide pool to n threads (caller included); 1 <= n <= kMaxThreads.
void set_num_threads(int n);
/// CPUs this process may run on (sched affinity), >= 1.
int available_cpus() noexcept;
/// Work below this many items runs inline on the calling thread.
int64_t get_parallel_threshold() noexcept;
void set_parallel_threshold(int64_t items);
/// Scheduling priority (nice increment) of the pool's worker threads, read
/// from GILFREE_WORKER_NICE once (default kDefaultWorkerNice, clamped to
/// 0..19): workers below the event loop's thread let it preempt them at once.
constexpr int kDefaultWorkerNice = 5;
int worker_nice() noexcept;
/// Lowers the calling thread's priority to worker_nice() (Linux: per thread).
void lower_thread_priority() noexcept;
/// From now on the calling thread does not compute its kernels' parallel
/// shares itself: the pool's workers do, and it waits (gilfree.aio's threads).
void delegate_compute_to_pool() noexcept;
/// Make every running and future kernel stop at its next chunk (interpreter exit).
void request_abort_all() noexcept;
bool abort_requested() noexcept;

/// For kernels whose single chunk is long (an FFT tile, a kernel's spectrum):
/// throws cancelled_error when the call's token (or interpreter exit) says so.
inline void check_cancel(const ExecContext& ctx) {
  if (ctx.token ? ctx.token->cancelled() : abort_requested()) throw cancelled_error();
}

namespace detail {
void run_chunks(int64_t nchunks, int64_t items, const ExecContext& ctx,
                const std::function<void(int64_t)>& body);
}  // namespace detail

/// Run body(i) for i in [0, nchunks). Chunks are independent; the caller
/// combines per-chunk results in index order, so results do not depend on
/// ctx.nthreads. `items` (the work size) decides inline vs pool execution.
/// Checks the token between chunks and throws cancelled_error when set; the
/// first exception thrown by a chunk is rethrown here after all workers stop.
template <class F>
void parallel_for(int64_t nchunks, int64_t items, const ExecContext& ctx, F&& body) {
  detail::run_chunks(nchunks, items, ctx, std::function<void(int64_t)>(std::forward<F>(body)));
}

/// Compile-time facts about this build, for show_config().
std::string compiler_version();
int eigen_version_major();
int eigen_version_minor();
int eigen_version_patch();

}  // namespace gilfree
