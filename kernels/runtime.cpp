// The process-wide compute pool: Eigen's ThreadPool, created lazily, resized by
// set_num_threads, abandoned (never joined) in a forked child.
#include "runtime.hpp"

#define EIGEN_USE_THREADS
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <Eigen/Core>
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <unsupported/Eigen/CXX11/ThreadPool>

namespace gilfree {
namespace {

// Eigen's thread environment, with each worker lowering its own priority
// first (ThreadPoolTempl calls CreateThread on the Env type it is given).
struct WorkerEnv : Eigen::StlThreadEnvironment {
  EnvThread* CreateThread(std::function<void()> f) {
    return Eigen::StlThreadEnvironment::CreateThread([f = std::move(f)] {
      lower_thread_priority();
      f();
    });
  }
};
using Pool = Eigen::ThreadPoolTempl<WorkerEnv>;

// How often the calling thread of a kernel runs its token's poll function.
constexpr auto kPollInterval = std::chrono::milliseconds(20);
// How often a delegating caller checks its token while its shares wait for a worker.
constexpr auto kDelegateWait = std::chrono::milliseconds(2);

thread_local bool t_delegating = false;

std::atomic<bool> g_abort{false};
// Work estimate (an mse element = 1) below which a kernel runs inline: two
// threads first beat one at ~131072 mse elements here (bench/bench_threshold.py).
std::atomic<int64_t> g_parallel_threshold{1 << 17};

// Held on the heap and never destroyed: no static destructor joins threads at
// exit, and a forked child simply drops its parent's pool.
struct PoolHolder {
  std::mutex mu;
  std::shared_ptr<Pool> pool;  // (nthreads - 1) workers
  int nthreads = 0;                         // 0: not decided yet
};

void atfork_prepare();
void atfork_parent();
void atfork_child();

PoolHolder& holder() {
  static PoolHolder* h = [] {
    auto* p = new PoolHolder;
    pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
    return p;
  }();
  return *h;
}

void atfork_prepare() { holder().mu.lock(); }
void atfork_parent() { holder().mu.unlock(); }
void atfork_child() {
  PoolHolder& h = holder();
  // The parent's worker threads do not exist here: leak the pool object
  // rather than run a destructor that would wait for them.
  if (h.pool) new std::shared_ptr<Pool>(std::move(h.pool));
  h.pool.reset();
  g_abort.store(false);
  h.mu.unlock();
}

int default_threads() {
  if (const char* env = std::getenv("GILFREE_NUM_THREADS")) {
    try {
      int n = std::stoi(env);
      if (n >= 1) return std::min(n, kMaxThreads);
    } catch (...) {
    }
  }
  return available_cpus();
}

// Returns a pool with at least `workers` threads (grows it if needed).
std::shared_ptr<Pool> pool_with(int workers) {
  PoolHolder& h = holder();
  std::lock_guard<std::mutex> lock(h.mu);
  if (h.nthreads == 0) h.nthreads = default_threads();
  if (!h.pool || h.pool->NumThreads() < workers) {
    int n = std::max(workers, h.nthreads - 1);
    h.pool = std::make_shared<Pool>(n);
  }
  return h.pool;
}

// A helper that the scheduler woke on its computing caller's CPU moves off
// it for the length of its share. Seen on a 2-vCPU VM: after the pool had
// been idle for a few ms, a woken worker was placed on (and preempted) the
// caller's CPU, and the two time-shared one core for the whole call (a 4000 x
// 1000 logsumexp on 2 threads took as long as on one: 8.5 ms, not 4.2) while
// the other CPU idled. The mask is restored when the share is done.
class OffCallerCpu {
 public:
  explicit OffCallerCpu(int caller_cpu) {
#ifdef __linux__
    if (caller_cpu < 0 || sched_getcpu() != caller_cpu) return;
    if (sched_getaffinity(0, sizeof(saved_), &saved_) != 0) return;
    cpu_set_t away = saved_;
    CPU_CLR(caller_cpu, &away);
    if (CPU_COUNT(&away) == 0) return;
    moved_ = sched_setaffinity(0, sizeof(away), &away) == 0;
#else
    (void)caller_cpu;
#endif
  }
  ~OffCallerCpu() {
#ifdef __linux__
    if (moved_) sched_setaffinity(0, sizeof(saved_), &saved_);
#endif
  }
  OffCallerCpu(const OffCallerCpu&) = delete;
  OffCallerCpu& operator=(const OffCallerCpu&) = delete;

 private:
#ifdef __linux__
  cpu_set_t saved_;
#endif
  bool moved_ = false;
};

// Shared by the caller and the helper tasks of one run_chunks call. Helpers
// that start after the caller closed it touch nothing but this state.
struct RunState {
  std::mutex mu;
  std::condition_variable cv;
  int active = 0;
  bool closed = false;
  std::atomic<int64_t> next{0};
  std::atomic<bool> stop{false};
  std::exception_ptr error;
};

// Runs the token's poll function on the calling thread about every
// kPollInterval (a clock read per chunk; nothing when there is none). The
// deadline lives on the token: a kernel whose parallel sections each end
// within the interval (chunk_sums' blocks of a long loss) polls all the same;
// with a per-section deadline such a call never ran Python's signal handlers
// and ignored Ctrl-C.
class Poller {
 public:
  explicit Poller(CancelToken* tok) : tok_(tok && tok->has_poll() ? tok : nullptr) {}
  void maybe() noexcept {
    if (!tok_) return;
    const int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                            std::chrono::steady_clock::now().time_since_epoch())
                            .count();
    const int64_t interval = std::chrono::duration_cast<std::chrono::nanoseconds>(kPollInterval).count();
    if (tok_->next_poll_ns == 0) {  // the call's first chunk: the clock starts
      tok_->next_poll_ns = now + interval;
      return;
    }
    if (now < tok_->next_poll_ns) return;
    tok_->poll();
    tok_->next_poll_ns = now + interval;
  }

 private:
  CancelToken* tok_;
};

}  // namespace

int worker_nice() noexcept {
  static const int nice = [] {
    if (const char* env = std::getenv("GILFREE_WORKER_NICE")) {
      try {
        return std::clamp(std::stoi(env), 0, 19);
      } catch (...) {
      }
    }
    return kDefaultWorkerNice;
  }();
  return nice;
}

void delegate_compute_to_pool() noexcept { t_delegating = true; }

void lower_thread_priority() noexcept {
  int nice = worker_nice();
  if (nice <= 0) return;
#ifdef __linux__
  // On Linux a nice value belongs to a thread: PRIO_PROCESS with a thread id.
  auto tid = static_cast<id_t>(syscall(SYS_gettid));
  int now = getpriority(PRIO_PROCESS, tid);
  if (now < nice) setpriority(PRIO_PROCESS, tid, nice);  // only ever lowered
#endif
}

bool CancelToken::cancelled() const noexcept {
  return flag_.load(std::memory_order_relaxed) || g_abort.load(std::memory_order_relaxed);
}

int available_cpus() noexcept {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    int n = CPU_COUNT(&set);
    if (n >= 1) return n;
  }
  unsigned hc = std::thread::hardware_concurrency();
  return hc ? static_cast<int>(hc) : 1;
}

int get_num_threads() noexcept {
  PoolHolder& h = holder();
  std::lock_guard<std::mutex> lock(h.mu);
  if (h.nthreads == 0) h.nthreads = default_threads();
  return h.nthreads;
}

void set_num_threads(int n) {
  if (n < 1 || n > kMaxThreads)
    throw std::invalid_argument("n: number of threads must be in [1, " + std::to_string(kMaxThreads) +
                                "], got " + std::to_string(n));
  PoolHolder& h = holder();
  std::lock_guard<std::mutex> lock(h.mu);
  h.nthreads = n;
  // Calls in flight keep the old pool alive through their shared_ptr.
  if (h.pool && h.pool->NumThreads() != n - 1) h.pool.reset();
}

int64_t get_parallel_threshold() noexcept { return g_parallel_threshold.load(); }
void set_parallel_threshold(int64_t items) {
  if (items < 0) throw std::invalid_argument("items: threshold must be >= 0");
  g_parallel_threshold.store(items);
}

void request_abort_all() noexcept { g_abort.store(true); }
bool abort_requested() noexcept { return g_abort.load(); }

namespace detail {

void run_chunks(int64_t nchunks, int64_t items, const ExecContext& ctx,
                const std::function<void(int64_t)>& body) {
  CancelToken* tok = ctx.token;
  if (nchunks <= 0) return;
  if (tok) {
    tok->charge(items);  // before any work: a call over its inline budget does none
    tok->add_total(nchunks);
  }
  Poller poller(tok);
  int64_t width = std::min<int64_t>(std::clamp(ctx.nthreads, 1, kMaxThreads), nchunks);
  if (items < g_parallel_threshold.load(std::memory_order_relaxed)) width = 1;

  if (width == 1) {
    for (int64_t i = 0; i < nchunks; ++i) {
      poller.maybe();
      if (tok ? tok->cancelled() : g_abort.load(std::memory_order_relaxed)) throw cancelled_error();
      body(i);
      if (tok) tok->add_done(1);
    }
    return;
  }

  auto state = std::make_shared<RunState>();
  // Guided scheduling: each grab takes a contiguous run of chunks, a share of
  // what is left (large runs first, single chunks at the end for balance).
  // Which thread runs a chunk never changes a result (chunk partials are
  // combined in index order); contiguous runs keep two threads from writing
  // into the same 2 MiB transparent huge page of a fresh output at once, where
  // both would fault and zero it (measured: 2 threads no faster than 1 when
  // single chunks alternate). The token is still checked before every chunk.
  auto work = [&body, tok, nchunks, width](RunState& st, Poller* poll) {
    for (;;) {
      int64_t lo = st.next.load(std::memory_order_relaxed), take = 0;
      do {
        if (lo >= nchunks) return;
        take = std::max<int64_t>(1, (nchunks - lo) / (2 * width));
      } while (!st.next.compare_exchange_weak(lo, lo + take, std::memory_order_relaxed));
      for (int64_t i = lo; i < lo + take; ++i) {
        if (poll) poll->maybe();
        if (st.stop.load(std::memory_order_relaxed)) return;
        if (tok ? tok->cancelled() : g_abort.load(std::memory_order_relaxed)) {
          st.stop.store(true);
          return;
        }
        try {
          body(i);
        } catch (...) {
          std::lock_guard<std::mutex> lock(st.mu);
          if (!st.error) st.error = std::current_exception();
          st.stop.store(true);
          return;
        }
        if (tok) tok->add_done(1);
      }
    }
  };

  // A delegating caller (gilfree.aio's threads) hands every share to the
  // pool's lower-priority workers and only waits: the threads that compute
  // are then never more than the pool's, and a thread that takes the GIL
  // between kernels never runs at the workers' low priority.
  const bool delegate = t_delegating;
  const int64_t helpers = delegate ? width : width - 1;
  auto pool = pool_with(static_cast<int>(helpers));
#ifdef __linux__
  const int caller_cpu = delegate ? -1 : sched_getcpu();  // a delegating caller leaves its CPU
#else
  const int caller_cpu = -1;
#endif
  for (int64_t k = 0; k < helpers; ++k) {
    pool->Schedule([state, work, caller_cpu]() {
      {
        std::lock_guard<std::mutex> lock(state->mu);
        if (state->closed) return;  // the caller finished without us
        ++state->active;
      }
      const OffCallerCpu off(caller_cpu);
      work(*state, nullptr);
      std::lock_guard<std::mutex> lock(state->mu);
      if (--state->active == 0) state->cv.notify_all();
    });
  }
#ifdef __linux__
  // a helper woken onto this CPU gets it at once (and then moves off, see
  // OffCallerCpu) instead of waiting for this thread's time slice to end
  if (caller_cpu >= 0) sched_yield();
#endif
  if (!delegate) work(*state, &poller);
  {
    // Done when every chunk is taken (or the run stopped) and no helper is
    // inside; `closed` is set under the same lock hold, so a helper that
    // starts later touches nothing but the state.
    std::unique_lock<std::mutex> lock(state->mu);
    auto done = [&] { return state->active == 0 && (state->stop.load() || state->next.load() >= nchunks); };
    while (!state->cv.wait_for(lock, delegate ? kDelegateWait : kPollInterval, done)) {
      lock.unlock();
      poller.maybe();  // the caller keeps polling while helpers finish
      if (tok ? tok->cancelled() : g_abort.load(std::memory_order_relaxed)) state->stop.store(true);
      lock.lock();
    }
    state->closed = true;
  }
  if (state->error) std::rethrow_exception(state->error);
  if (state->stop.load() || state->next.load() < nchunks) throw cancelled_error();
}

}  // namespace detail

std::string compiler_version() {
#if defined(__clang__)
  return std::string("clang ") + __clang_version__;
#elif defined(__GNUC__)
  return std::string("gcc ") + __VERSION__;
#else
  return "unknown";
#endif
}

int eigen_version_major() { return EIGEN_WORLD_VERSION; }
int eigen_version_minor() { return EIGEN_MAJOR_VERSION; }
int eigen_version_patch() { return EIGEN_MINOR_VERSION; }

}  // namespace gilfree
