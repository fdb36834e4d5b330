// What the CPU running this process supports: the highest x86-64
// micro-architecture level (1..4; 0 on other architectures). Read once by
// gilfree._cyx to pick the kernel modules built for that level.
#pragma once

namespace gilfree {

inline int cpu_x86_64_level() {
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("x86-64-v4")) return 4;
  if (__builtin_cpu_supports("x86-64-v3")) return 3;
  if (__builtin_cpu_supports("x86-64-v2")) return 2;
  return 1;
#else
  return 0;
#endif
}

}  // namespace gilfree
