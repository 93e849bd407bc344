/* sw_lv2_ttl DIR: writes the Turtle of the plugin that loads model files into the bundle DIR
   (a build step: one port table for the plugin and every bundle `slimwave lv2` makes). */
#include <stdio.h>

#include "ports.h"
#include "ttl.h"

int main(int argc, char **argv) {
  if (argc != 2) { fprintf(stderr, "usage: sw_lv2_ttl BUNDLE_DIR\n"); return 2; }
  sw_err err;
  int rc = sw_lv2_write_ttl(argv[1], SW_LV2_URI, "slimwave", false, &err);
  if (rc) fprintf(stderr, "sw_lv2_ttl: %s\n", err.msg);
  return rc;
}
