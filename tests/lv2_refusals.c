/* lv2_refusals GOOD.nam BAD.nam..: the helper behind `catalogue.py --lv2`: slimwave.lv2 (through
   lv2/host.h) loads GOOD, then is handed every BAD file as its model. For each it prints one line,
   "REFUSED<TAB>path<TAB>the plugin's log" or "LOADED<TAB>path", and checks that the plugin kept
   playing GOOD: it still answers GOOD's path to patch:Get, reports a width, and its output stays
   finite and is not the dry input. Exits 1 when that fails, 2 on a setup problem. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "../lv2/host.h"

#define B 512

int main(int argc, char **argv) {
  if (argc < 2) { fprintf(stderr, "usage: lv2_refusals GOOD.nam BAD.nam..\n"); return 2; }
  sw_lv2h *h;
  sw_err err;
  if (sw_lv2h_open(SW_LV2_BUNDLE_DIR, NULL, 48000, &h, &err)) { fprintf(stderr, "%s\n", err.msg); return 2; }
  static float x[B], y[B];
  for (int t = 0; t < B; t++) x[t] = 0.4f * sinf(0.05f * (float)t);
  int rc = 0;
  for (int i = 1; i < argc; i++) {
    sw_lv2h_log_clear(h);
    if (sw_lv2h_set_model(h, argv[i], &err)) { fprintf(stderr, "%s\n", err.msg); rc = 2; break; }
    for (int k = 0; k < (i == 1 ? 40 : 2); k++) { /* the good model: long enough to warm up and fade in */
      sw_lv2h_run(h, x, y, B);
      sw_lv2h_work(h);
    }
    const char *log = sw_lv2h_log(h);
    if (i == 1) {
      if (!strstr(log, "loaded ")) { fprintf(stderr, "the good model %s did not load: %s\n", argv[1], log); rc = 2; break; }
      continue;
    }
    if (strstr(log, "refused ")) printf("REFUSED\t%s\t%.*s\n", argv[i], (int)strcspn(log, "\n"), log);
    else printf("LOADED\t%s\n", argv[i]);
    sw_lv2h_get_model(h, &err);
    sw_lv2h_run(h, x, y, B);
    bool finite = true, dry = true;
    for (int t = 0; t < B; t++) finite &= isfinite(y[t]) != 0, dry &= y[t] == x[t];
    if (strcmp(sw_lv2h_notified(h), argv[1]) || *sw_lv2h_control(h, "width") < 1 || !finite || dry) {
      printf("NOT RUNNING\t%s\tmodel \"%s\", width %g, output %s\n", argv[i], sw_lv2h_notified(h),
             *sw_lv2h_control(h, "width"), !finite ? "not finite" : dry ? "the dry input" : "ok");
      rc = 1;
    }
  }
  sw_lv2h_close(h);
  return rc;
}
