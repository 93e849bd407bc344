/* Shared test helpers (see check.h). */
#include "check.h"

#include <stdlib.h>
#include <sys/stat.h>

int sw_t_pass, sw_t_fail;

int check_summary(void) {
  printf("%d passed, %d failed\n", sw_t_pass, sw_t_fail);
  return sw_t_fail ? 1 : 0;
}

const char *sw_test_shared(void) {
  static char buf[4096];
  const char *env = getenv("SLIMWAVE_SHARED");
  struct stat st;
  if (env && *env) return stat(env, &st) == 0 ? env : NULL;
  snprintf(buf, sizeof buf, "%s/../shared", SW_SOURCE_DIR);
  return stat(buf, &st) == 0 && S_ISDIR(st.st_mode) ? buf : NULL;
}

const char *sw_test_path(const char *dir, const char *file) {
  static char bufs[8][4096];
  static int i;
  char *b = bufs[i++ & 7];
  snprintf(b, 4096, "%s/%s", dir, file);
  return b;
}
