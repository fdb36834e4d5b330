"""Private Cython bindings of gilfree's C++ kernels. Use the gilfree package."""
