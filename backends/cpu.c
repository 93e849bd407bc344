/* Feature bits from the CPU and the OS, read once. */
#include "cpu.h"

#include <stdio.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
static unsigned long long xgetbv0(void) {
  unsigned eax, edx;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return ((unsigned long long)edx << 32) | eax;
}
#elif defined(__aarch64__)
#include <sys/auxv.h>
#ifndef HWCAP_ASIMD
#define HWCAP_ASIMD (1 << 1)
#endif
#endif

static sw_cpu cpu;
static int cpu_done;

static void detect(void) {
#if defined(__x86_64__) || defined(__i386__)
  unsigned a, b, c, d;
  if (__get_cpuid(1, &a, &b, &c, &d)) {
    cpu.sse2 = d & (1u << 26);
    bool osxsave = c & (1u << 27);
    cpu.avx = c & (1u << 28);
    cpu.fma = c & (1u << 12);
    if (osxsave) {
      unsigned long long x = xgetbv0();
      cpu.os_ymm = (x & 0x6) == 0x6;          /* XMM and YMM state */
      cpu.os_zmm = (x & 0xe6) == 0xe6;        /* plus opmask, ZMM_Hi256, Hi16_ZMM */
    }
  }
  if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
    cpu.avx2 = b & (1u << 5);
    cpu.avx512f = b & (1u << 16);
    cpu.avx512dq = b & (1u << 17);
    cpu.avx512vl = b & (1u << 31);
  }
  unsigned brand[12];
  if (__get_cpuid(0x80000000, &a, &b, &c, &d) && a >= 0x80000004) {
    for (unsigned i = 0; i < 3; i++) __get_cpuid(0x80000002 + i, &brand[4 * i], &brand[4 * i + 1], &brand[4 * i + 2], &brand[4 * i + 3]);
    memcpy(cpu.model, brand, 48);
    cpu.model[48] = 0;
  }
#elif defined(__aarch64__)
  cpu.neon = (getauxval(AT_HWCAP) & HWCAP_ASIMD) != 0;
  snprintf(cpu.model, sizeof cpu.model, "aarch64");
#endif
  /* trim */
  char *p = cpu.model;
  while (*p == ' ') p++;
  memmove(cpu.model, p, strlen(p) + 1);
  for (int n = (int)strlen(cpu.model); n > 0 && cpu.model[n - 1] == ' '; n--) cpu.model[n - 1] = 0;
  if (!cpu.model[0]) snprintf(cpu.model, sizeof cpu.model, "unknown");
}

const sw_cpu *sw_cpu_get(void) {
  if (!cpu_done) { detect(); cpu_done = 1; }
  return &cpu;
}

void sw_cpu_flags(char *buf, int len) {
  const sw_cpu *c = sw_cpu_get();
  buf[0] = 0;
  int n = 0;
#define ADD(cond, s) if ((cond) && n < len) n += snprintf(buf + n, (size_t)(len - n), "%s%s", n ? " " : "", s)
  ADD(c->sse2, "sse2");
  ADD(c->avx && c->os_ymm, "avx");
  ADD(c->avx2 && c->os_ymm, "avx2");
  ADD(c->fma && c->os_ymm, "fma");
  ADD(c->avx512f && c->os_zmm, "avx512f");
  ADD(c->avx512dq && c->os_zmm, "avx512dq");
  ADD(c->avx512vl && c->os_zmm, "avx512vl");
  ADD(c->neon, "neon");
#undef ADD
}
