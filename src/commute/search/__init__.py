"""Search: the compiled engine, its kernels and graph contraction."""
