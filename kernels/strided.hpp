// N-d strided views and a walker that visits a flat (C-order) range of an
// N-d index space as contiguous-in-index segments along the last axis.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace gilfree {

constexpr int kMaxDims = 64;

/// One operand of an elementwise kernel: a base pointer and byte strides
/// over the shared shape. data == nullptr marks an absent operand.
/// Only strides[0, ndim) of a present operand are meaningful, and only they
/// are read: the arrays are left uninitialised (512 bytes each, zeroed on
/// every call they would cost a tiny call more than its work).
struct NdOperand {
  char* data = nullptr;
  int64_t strides[kMaxDims];
};

/// The shared shape of up to kMaxOps operands; shape[0, ndim) is meaningful.
struct NdShape {
  int ndim = 0;
  int64_t shape[kMaxDims];
  int64_t size() const {
    int64_t n = 1;
    for (int d = 0; d < ndim; ++d) n *= shape[d];
    return n;
  }
};

namespace detail {

/// Merges adjacent axes that every present operand traverses as one, and
/// drops length-1 axes. Logical C order is kept, so the visiting order (and
/// any summation order) depends only on values, never on memory layout.
template <int K>
void coalesce(NdShape& s, NdOperand* (&ops)[K]) {
  int out = 0;
  for (int d = 0; d < s.ndim; ++d) {
    if (s.shape[d] == 1) continue;
    if (out > 0) {
      bool merge = true;
      for (auto* op : ops)
        if (op && op->data && op->strides[out - 1] != op->strides[d] * s.shape[d]) merge = false;
      if (merge) {
        s.shape[out - 1] *= s.shape[d];
        for (auto* op : ops)
          if (op && op->data) op->strides[out - 1] = op->strides[d];
        continue;
      }
    }
    s.shape[out] = s.shape[d];
    for (auto* op : ops)
      if (op && op->data) op->strides[out] = op->strides[d];
    ++out;
  }
  if (out == 0) {  // a single element
    s.shape[0] = 1;
    for (auto* op : ops)
      if (op && op->data) op->strides[0] = 0;
    out = 1;
  }
  s.ndim = out;
}

/// Calls seg(ptrs, count) for each run of the flat range [lo, hi) that lies
/// along the last axis; ptrs[k] points at operand k's first element of the run.
template <int K, class Seg>
void for_segments(const NdShape& s, NdOperand* const (&ops)[K], int64_t lo, int64_t hi, Seg&& seg) {
  const int nd = s.ndim;
  const int64_t inner = s.shape[nd - 1];
  int64_t idx[kMaxDims];
  int64_t rem = lo;
  for (int d = nd - 1; d >= 0; --d) {
    idx[d] = rem % s.shape[d];
    rem /= s.shape[d];
  }
  char* ptr[K];
  for (int k = 0; k < K; ++k) {
    ptr[k] = nullptr;
    if (ops[k] && ops[k]->data) {
      char* p = ops[k]->data;
      for (int d = 0; d < nd; ++d) p += idx[d] * ops[k]->strides[d];
      ptr[k] = p;
    }
  }
  int64_t pos = lo;
  while (pos < hi) {
    int64_t count = std::min(inner - idx[nd - 1], hi - pos);
    seg(ptr, count);
    pos += count;
    if (pos >= hi) break;
    // advance the multi-index by `count` along the last axis, carrying
    for (int k = 0; k < K; ++k)
      if (ptr[k]) ptr[k] += count * ops[k]->strides[nd - 1];
    idx[nd - 1] += count;
    for (int d = nd - 1; d > 0 && idx[d] == s.shape[d]; --d) {
      idx[d] = 0;
      ++idx[d - 1];
      for (int k = 0; k < K; ++k)
        if (ptr[k]) ptr[k] += ops[k]->strides[d - 1] - s.shape[d] * ops[k]->strides[d];
    }
  }
}

/// Copies n elements of T at byte stride `stride` into dst, converted to D
/// (double for the losses and conv, T itself for the loops' block buffers).
template <class T, class D>
inline void gather(const char* src, int64_t stride, int64_t n, D* dst) {
  if (stride == static_cast<int64_t>(sizeof(T))) {
    const T* s = reinterpret_cast<const T*>(src);
    for (int64_t i = 0; i < n; ++i) dst[i] = static_cast<D>(s[i]);
  } else {
    for (int64_t i = 0; i < n; ++i) dst[i] = static_cast<D>(*reinterpret_cast<const T*>(src + i * stride));
  }
}

/// n elements as doubles: read in place when they are contiguous float64,
/// else gathered (and converted) into buf.
template <class T>
inline const double* load_doubles(const char* src, int64_t stride, int64_t n, double* buf) {
  if constexpr (std::is_same_v<T, double>) {
    if (stride == static_cast<int64_t>(sizeof(double))) return reinterpret_cast<const double*>(src);
  }
  gather<T>(src, stride, n, buf);
  return buf;
}

/// Writes n elements of src as T at byte stride `stride`.
template <class T, class S>
inline void scatter(const S* src, int64_t n, char* dst, int64_t stride) {
  if (stride == static_cast<int64_t>(sizeof(T))) {
    T* d = reinterpret_cast<T*>(dst);
    for (int64_t i = 0; i < n; ++i) d[i] = static_cast<T>(src[i]);
  } else {
    for (int64_t i = 0; i < n; ++i) *reinterpret_cast<T*>(dst + i * stride) = static_cast<T>(src[i]);
  }
}

}  // namespace detail
}  // namespace gilfree
