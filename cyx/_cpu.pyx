"""What this CPU supports (built for the lowest instruction-set level, so it
loads everywhere)."""


cdef extern from "cpu.hpp" namespace "gilfree" nogil:
    int cpu_x86_64_level()


def x86_64_level():
    """The highest x86-64 micro-architecture level of this CPU (1 to 4), or 0
    on another architecture."""
    return cpu_x86_64_level()
