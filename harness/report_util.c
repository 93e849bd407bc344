/* Report helpers (see report_util.h). */
#include "report_util.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/atomic_file.h"

void sw_bp(sw_buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char tmp[4096];
  int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (k < 0) return;
  if ((size_t)k >= sizeof tmp) k = sizeof tmp - 1;
  if (b->len + (size_t)k + 1 > b->cap) {
    b->cap = (b->cap + (size_t)k + 1) * 2;
    b->p = realloc(b->p, b->cap);
    if (!b->p) abort(); /* reports are small; running out here is not recoverable */
  }
  memcpy(b->p + b->len, tmp, (size_t)k + 1);
  b->len += (size_t)k;
}

static cJSON *load_json(const char *dir) {
  char p[4200], *text;
  size_t n;
  sw_err err;
  snprintf(p, sizeof p, "%.4000s/recipe.json", dir);
  if (sw_read_file(p, 1 << 20, &text, &n, &err)) return NULL;
  cJSON *j = cJSON_ParseWithLength(text, n);
  free(text);
  return j;
}

/* Appends "key a vs b; " for every leaf that differs (objects by key, anything else as text). */
static void diff(const cJSON *a, const cJSON *b, const char *key, char *why, int len) {
  if (cJSON_IsObject(a) && cJSON_IsObject(b)) {
    for (const cJSON *x = a->child; x; x = x->next) {
      char k[256];
      snprintf(k, sizeof k, "%s%s%s", key, key[0] ? "." : "", x->string);
      diff(x, cJSON_GetObjectItemCaseSensitive(b, x->string), k, why, len);
    }
    for (const cJSON *y = b->child; y; y = y->next)
      if (!cJSON_GetObjectItemCaseSensitive(a, y->string)) {
        size_t n = strlen(why);
        snprintf(why + n, (size_t)len - n, "%s%s.%s only in the reference", n ? "; " : "", key, y->string);
      }
    return;
  }
  char *sa = a ? cJSON_PrintUnformatted(a) : NULL, *sb = b ? cJSON_PrintUnformatted(b) : NULL;
  if (!sa || !sb || strcmp(sa, sb)) {
    size_t n = strlen(why);
    snprintf(why + n, (size_t)len - n, "%s%s %.60s vs %.60s", n ? "; " : "", key, sa ? sa : "(none)", sb ? sb : "(none)");
  }
  free(sa);
  free(sb);
}

int sw_recipe_compare(const char *R, const char *ref, char *why, int len) {
  why[0] = 0;
  cJSON *a = load_json(R), *b = load_json(ref);
  int rc = -1;
  if (a && b) {
    diff(a, b, "", why, len);
    rc = why[0] ? 0 : 1;
  }
  cJSON_Delete(a);
  cJSON_Delete(b);
  return rc;
}

const char *sw_validation_words(int val_nam) {
  return val_nam ? "scored from RF-1 samples into the validation segment, so every scored output sees segment input only "
                   "(NAM's convention)"
                 : "scored over the whole validation segment, the model run with RF-1 zeros before it";
}
