/* The list of compiled-in backends and the run-time choice: SLIMWAVE_BACKEND, else the best
   usable one. Which backends exist is decided by CMake (SW_HAVE_* on this file only). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/backend.h"

extern const sw_backend sw_backend_naive_impl;
#ifdef SW_HAVE_AVX2
extern const sw_backend sw_backend_avx2_impl;
#endif
#ifdef SW_HAVE_AVX512
extern const sw_backend sw_backend_avx512_impl;
#endif
#ifdef SW_HAVE_NEON
extern const sw_backend sw_backend_neon_impl;
#endif
#ifdef SW_HAVE_BLAS
extern const sw_backend sw_backend_blas_impl;
#endif
#ifdef SW_HAVE_ONEDNN
extern const sw_backend sw_backend_onednn_impl;
#endif

static const sw_backend *const all[] = {
  &sw_backend_naive_impl,
#ifdef SW_HAVE_BLAS
  &sw_backend_blas_impl,
#endif
#ifdef SW_HAVE_ONEDNN
  &sw_backend_onednn_impl,
#endif
#ifdef SW_HAVE_AVX2
  &sw_backend_avx2_impl,
#endif
#ifdef SW_HAVE_AVX512
  &sw_backend_avx512_impl,
#endif
#ifdef SW_HAVE_NEON
  &sw_backend_neon_impl,
#endif
};

int sw_backend_count(void) { return (int)(sizeof all / sizeof *all); }
const sw_backend *sw_backend_at(int i) { return i >= 0 && i < sw_backend_count() ? all[i] : NULL; }

const sw_backend *sw_backend_find(const char *name) {
  for (int i = 0; i < sw_backend_count(); i++)
    if (!strcmp(all[i]->name, name)) return all[i];
  return NULL;
}

bool sw_backend_is_usable(const sw_backend *b) { return b && (!b->usable || b->usable()); }

const sw_backend *sw_backend_default(char *why, size_t why_len) {
  const char *env = getenv("SLIMWAVE_BACKEND");
  if (env && *env) {
    const sw_backend *b = sw_backend_find(env);
    if (!b) { snprintf(why, why_len, "SLIMWAVE_BACKEND=%s: no such backend compiled in", env); return NULL; }
    if (!sw_backend_is_usable(b)) { snprintf(why, why_len, "SLIMWAVE_BACKEND=%s: this CPU cannot run it", env); return NULL; }
    snprintf(why, why_len, "backend %s (from SLIMWAVE_BACKEND)", b->name);
    return b;
  }
  static const char *const order[] = {"avx512", "avx2", "neon", "naive"};
  for (size_t i = 0; i < sizeof order / sizeof *order; i++) {
    const sw_backend *b = sw_backend_find(order[i]);
    if (b && sw_backend_is_usable(b)) {
      snprintf(why, why_len, "backend %s (best usable on this CPU)", b->name);
      return b;
    }
  }
  snprintf(why, why_len, "backend naive");
  return &sw_backend_naive_impl;
}
