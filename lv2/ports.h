/* The ports and URIs of slimwave.lv2, shared by the plugin, its Turtle description (ttl.c) and
   the hosts that drive it (host.c, the tests, slimwave bench --plugin). */
#ifndef SW_LV2_PORTS_H
#define SW_LV2_PORTS_H

#define SW_LV2_URI "urn:slimwave:lv2"
#define SW_LV2_MODEL_URI SW_LV2_URI "#model"     /* the patch:writable path parameter */
#define SW_LV2_MODEL_PREFIX "urn:slimwave:model:" /* bundles made by `slimwave lv2` */
#define SW_LV2_BINARY "slimwave.so"
#define SW_LV2_BUILTIN_MODEL "model.nam"           /* in a bundle with its model built in */
#define SW_LV2_URI_FILE "plugin.uri"               /* ... and that bundle's own plugin URI */

enum {
  SW_PORT_IN, SW_PORT_OUT,
  SW_PORT_SLIM, SW_PORT_INPUT_DB, SW_PORT_OUTPUT_DB, SW_PORT_BYPASS,
  SW_PORT_WIDTH, SW_PORT_LATENCY, SW_PORT_NONFINITE,
  SW_PORT_CONTROL, SW_PORT_NOTIFY,   /* atom ports: only the plugin that loads files has them */
  SW_PORT_COUNT
};
#define SW_PORT_COUNT_BUILTIN SW_PORT_CONTROL

#define SW_LV2_IN_DB_MIN (-24.0f)
#define SW_LV2_IN_DB_MAX 24.0f
#define SW_LV2_OUT_DB_MIN (-40.0f)
#define SW_LV2_OUT_DB_MAX 40.0f

#endif
