/* Test helpers: a CHECK that is on in every build type, the summary line, where ../shared is. */
#ifndef SW_CHECK_H
#define SW_CHECK_H

#include <stdio.h>

extern int sw_t_pass, sw_t_fail;

#define CHECK(cond, ...)                                              \
  do {                                                                \
    if (cond) sw_t_pass++;                                            \
    else {                                                            \
      sw_t_fail++;                                                    \
      fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);            \
      fprintf(stderr, __VA_ARGS__);                                   \
      fputc('\n', stderr);                                            \
    }                                                                 \
  } while (0)

/* Prints "N passed, N failed" and returns the exit code (1 if anything failed). */
int check_summary(void);

/* ../shared (or $SLIMWAVE_SHARED), or NULL (the caller prints why it skips and exits 77). */
const char *sw_test_shared(void);
/* Path join into a static rotating buffer. */
const char *sw_test_path(const char *dir, const char *file);
#define SW_TEST_SKIP 77
/* Whether a test that loops over backends runs this one: all, or those in $SW_TEST_BACKENDS
   (a comma list; valgrind runs the naive and SIMD backends, not the JIT/BLAS libraries). */
int sw_test_backend_wanted(const char *name);

#endif
