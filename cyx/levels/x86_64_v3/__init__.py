"""gilfree's kernel modules built for one instruction-set level (see gilfree._cyx)."""
