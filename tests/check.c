/* Shared test helpers (see check.h). */
#include "check.h"

#include <stdlib.h>
#include <string.h>
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

int sw_test_backend_wanted(const char *name) {
  const char *list = getenv("SW_TEST_BACKENDS");
  if (!list || !*list) return 1;
  size_t n = strlen(name);
  for (const char *p = list; (p = strstr(p, name)); p += n)
    if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0')) return 1;
  return 0;
}
