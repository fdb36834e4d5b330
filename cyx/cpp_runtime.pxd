# Declarations mirroring kernels/runtime.hpp.
from libc.stdint cimport int64_t
from libcpp.string cimport string


cdef extern from "runtime.hpp" namespace "gilfree" nogil:
    ctypedef int (*PollFn)(void* arg) noexcept

    cdef cppclass cancelled_error:
        pass

    cdef cppclass would_block_error:
        pass

    cdef cppclass CancelToken:
        void cancel() noexcept
        bint cancelled() noexcept
        void reset() noexcept
        int64_t chunks_done() noexcept
        int64_t chunks_total() noexcept
        void set_inline_budget(int64_t items) noexcept
        int64_t inline_budget() noexcept
        void set_poll(PollFn fn, void* arg) noexcept

    cdef cppclass ExecContext:
        int nthreads
        CancelToken* token

    const int kMaxThreads
    const int64_t kKeepGilItems
    int get_num_threads() noexcept
    void set_num_threads(int n) except +
    int available_cpus() noexcept
    int64_t get_parallel_threshold() noexcept
    void set_parallel_threshold(int64_t items) except +
    int worker_nice() noexcept
    void lower_thread_priority() noexcept
    void delegate_compute_to_pool() noexcept
    void request_abort_all() noexcept
    bint abort_requested() noexcept
    string compiler_version() except +
    int eigen_version_major() noexcept
    int eigen_version_minor() noexcept
    int eigen_version_patch() noexcept
