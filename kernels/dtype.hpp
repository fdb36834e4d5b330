// Element types: the one place where a run-time dtype becomes a C++ type.
//
// The bindings pass a Dtype with the raw (char*, strides) operands; each
// family's entry visits it once and calls its template on the element type.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <type_traits>

namespace gilfree {

/// Element types the kernels read (NumPy's int32, int64, float32, float64).
enum class Dtype : int { int32 = 0, int64 = 1, float32 = 2, float64 = 3 };

/// A C++ type carried as a value: the argument of a visitor.
template <class T>
struct TypeTag {
  using type = T;
};

/// The Dtype of element type T (one of the four).
template <class T>
constexpr Dtype dtype_of() {
  if constexpr (std::is_same_v<T, int32_t>) return Dtype::int32;
  else if constexpr (std::is_same_v<T, int64_t>) return Dtype::int64;
  else if constexpr (std::is_same_v<T, float>) return Dtype::float32;
  else {
    static_assert(std::is_same_v<T, double>, "dtype_of: not an element type");
    return Dtype::float64;
  }
}

/// f(TypeTag<T>{}) for the element type T of d (any of the four).
template <class F>
decltype(auto) visit_dtype(Dtype d, F&& f) {
  switch (d) {
    case Dtype::int32:
      return f(TypeTag<int32_t>{});
    case Dtype::int64:
      return f(TypeTag<int64_t>{});
    case Dtype::float32:
      return f(TypeTag<float>{});
    case Dtype::float64:
      return f(TypeTag<double>{});
  }
  throw std::invalid_argument("dtype: expected int32, int64, float32 or float64");
}

/// f(TypeTag<T>{}) for a floating element type T of d; invalid_argument otherwise.
template <class F>
decltype(auto) visit_float(Dtype d, F&& f) {
  switch (d) {
    case Dtype::float32:
      return f(TypeTag<float>{});
    case Dtype::float64:
      return f(TypeTag<double>{});
    default:
      break;
  }
  throw std::invalid_argument("dtype: expected float32 or float64");
}

}  // namespace gilfree
