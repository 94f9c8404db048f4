/*
 * libtorch's CPU build links Intel MKL statically and exports its symbols. MKL asks
 * mkl_serv_intel_cpu_true() whether it runs on an Intel CPU and, when not, uses generic
 * kernels instead of the AVX2 / AVX-512 ones the CPU supports (it still checks the CPU's
 * feature bits before using any instruction set). The kit loads this library with
 * RTLD_GLOBAL before libtorch, so MKL's call resolves here on AMD CPUs. Measured on an
 * AMD EPYC (Zen 4), BERT-base forward, 2 threads: 6.9 s -> 4.2 s per batch of 32 x 128.
 * See environment.md; RESEARCH_MKL_AMD_FIX=0 turns it off.
 */
int mkl_serv_intel_cpu_true(void) { return 1; }
