/* The URI <-> URID table of slimwave's LV2 hosts (urids.h). */
#include "urids.h"

#include <stdlib.h>
#include <string.h>

LV2_URID sw_urids_map(sw_urids *t, const char *uri) {
  for (uint32_t i = 0; i < t->n; i++)
    if (!strcmp(t->uris[i], uri)) return i + 1;
  char **u = realloc(t->uris, sizeof *u * (t->n + 1));
  if (!u) return 0;
  t->uris = u;
  if (!(u[t->n] = strdup(uri))) return 0;
  return ++t->n;
}

const char *sw_urids_unmap(const sw_urids *t, LV2_URID id) { return id >= 1 && id <= t->n ? t->uris[id - 1] : NULL; }

void sw_urids_free(sw_urids *t) {
  for (uint32_t i = 0; i < t->n; i++) free(t->uris[i]);
  free(t->uris);
  *t = (sw_urids){0};
}
