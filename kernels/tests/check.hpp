// The check macro and the tally of the C++ unit tests (one per executable).
#pragma once

#include <cstdio>

namespace gilfree_test {

inline int passed = 0, failed = 0;

inline int report() {
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}

}  // namespace gilfree_test

#define CHECK(cond)                                                  \
  do {                                                               \
    if (cond) {                                                      \
      ++gilfree_test::passed;                                        \
    } else {                                                         \
      ++gilfree_test::failed;                                        \
      std::printf("FAILED %s:%d: %s\n", __FILE__, __LINE__, #cond);  \
    }                                                                \
  } while (0)
