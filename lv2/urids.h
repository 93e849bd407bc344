/* A URI <-> URID table for slimwave's small LV2 hosts (the datasets' offline host and the plugin's
   test host): ids are 1-based positions, the table grows on first sight of a URI. */
#ifndef SW_LV2_URIDS_H
#define SW_LV2_URIDS_H

#include <lv2/urid/urid.h>

typedef struct sw_urids {
  char **uris;
  uint32_t n;
} sw_urids;

/* 0 when out of memory. */
LV2_URID sw_urids_map(sw_urids *t, const char *uri);
const char *sw_urids_unmap(const sw_urids *t, LV2_URID id);
void sw_urids_free(sw_urids *t);

#endif
