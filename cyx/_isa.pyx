"""Built once per instruction-set level, beside that level's kernel modules:
reports what Eigen vectorises with there."""


cdef extern from "<Eigen/Core>" namespace "Eigen" nogil:
    const char* SimdInstructionSetsInUse()


def simd_in_use():
    """Eigen's instruction sets in use in this level's kernels, e.g. 'AVX512, FMA, AVX2, ...'."""
    return SimdInstructionSetsInUse().decode()
