/* CPU and OS feature detection for dispatch: cpuid + xgetbv on x86 (FMA tested separately from
   AVX2, OS support of the YMM/ZMM state checked), AT_HWCAP on 64-bit Arm. */
#ifndef SW_CPU_H
#define SW_CPU_H

#include <stdbool.h>

typedef struct sw_cpu {
  bool sse2, avx, avx2, fma, avx512f, avx512dq, avx512vl, os_ymm, os_zmm, neon;
  char model[128];
} sw_cpu;

const sw_cpu *sw_cpu_get(void);
/* "avx2 fma avx512f ..." (usable features only). */
void sw_cpu_flags(char *buf, int len);

#endif
