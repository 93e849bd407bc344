/* Real-time checks shared by the tests of code that must not allocate, lock or call the kernel
   (tests/test_rt_safety.c: sw_wavenet_process; tests/test_lv2_plugin.c: the plugin's run()):
   - allocations: malloc & co. are interposed in the test binary (ASan builds: the sanitizer's
     allocation hooks instead), counted only while sw_rt_counting is set; free counts too.
   - locks: pthread mutex/rwlock/spin/sem/cond entry points interposed the same way (the binary
     exports them, so calls from shared libraries land here too).
   - system calls: sw_rt_run_sealed runs a function in a forked child under a seccomp filter that
     traps every system call but exit (sw_rt_seal), and reports the call's number.
   The binary must be linked with ENABLE_EXPORTS and compile this file itself (not via a library). */
#ifndef SW_RT_HOOKS_H
#define SW_RT_HOOKS_H

#include <stdbool.h>

extern volatile int sw_rt_counting;
extern long sw_rt_allocs, sw_rt_frees, sw_rt_locks;

typedef struct sw_rt_usable {
  bool allocs;   /* false under valgrind, which replaces malloc before our definitions */
  bool syscalls; /* false without seccomp filters (or under valgrind) */
} sw_rt_usable;

/* Installs the hooks and shows each checker catching a deliberate violation (CHECKs), so a test
   built on them can fail; then zeroes the counters. */
void sw_rt_hooks_init(sw_rt_usable *u);
/* In a child: every system call but exit traps from now on. Returns nonzero if it cannot. */
int sw_rt_seal(void);
/* Runs fn(arg) in a child (fn seals itself once set up). Returns -1 when it exited cleanly, the
   trapped system call's number, or -2 when the child failed otherwise. */
long sw_rt_run_sealed(void (*fn)(const void *arg), const void *arg);

#endif
