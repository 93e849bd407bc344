/* The Turtle description of slimwave.lv2 (manifest.ttl and slimwave.ttl), written from one port
   table for both kinds of bundle: the plugin that loads a model file (build/lv2/slimwave.lv2) and
   a bundle with its model built in (`slimwave lv2`). */
#ifndef SW_LV2_TTL_H
#define SW_LV2_TTL_H

#include <stdbool.h>

#include "../core/err.h"

/* Writes DIR/manifest.ttl and DIR/slimwave.ttl (atomically). builtin: no atom ports and no
   parameter. name is escaped; uri must be an absolute URI without spaces, quotes or angle brackets. */
int sw_lv2_write_ttl(const char *dir, const char *uri, const char *name, bool builtin, sw_err *err);
bool sw_lv2_uri_ok(const char *uri);

#endif
