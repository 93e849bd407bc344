/* PAPI presets and SDE counters (see counters.h). Without PAPI in the build every value is NA
   with that reason. */
#include "counters.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const presets[] = {"PAPI_TOT_INS", "PAPI_TOT_CYC", "PAPI_L1_DCM", "PAPI_L2_DCM",
                                      "PAPI_SP_OPS", "PAPI_VEC_SP", "PAPI_BR_MSP"};
static const char *const sde_names[] = {"MACS", "ACTIVATIONS", "SAMPLES", "WEIGHT_BYTES"};

#ifdef SW_HAVE_PAPI
#include <papi.h>
#include <sde_lib.h>

static sw_runner *current; /* the model the SDE callbacks read */

static long long sde_read(void *param) {
  if (!current) return 0;
  const sw_work_counters *w = sw_runner_counters(current);
  switch ((int)(long)param) {
  case 0: return w->macs;
  case 1: return w->activations;
  case 2: return w->samples;
  default: return w->weight_bytes;
  }
}

static int init_state; /* 0 not tried, 1 ok, -1 failed */
static char init_why[160];

static int papi_init(void) {
  if (init_state) return init_state;
  papi_handle_t h = papi_sde_init("slimwave");
  for (int i = 0; i < 4; i++)
    papi_sde_register_counter_cb(h, sde_names[i], PAPI_SDE_RO | PAPI_SDE_DELTA, PAPI_SDE_long_long, sde_read, (void *)(long)i);
  int r = PAPI_library_init(PAPI_VER_CURRENT);
  if (r != PAPI_VER_CURRENT) {
    snprintf(init_why, sizeof init_why, "PAPI_library_init failed: %s", r > 0 ? "version mismatch" : PAPI_strerror(r));
    init_state = -1;
  } else init_state = 1;
  return init_state;
}

bool sw_counters_available(void) { return true; }

/* One event at a time (presets may not combine in one event set); the run is repeated. */
static void measure(const char *event, sw_runner *wn, const float *x, long n, int block, float *y, sw_counter_value *v) {
  snprintf(v->name, sizeof v->name, "%s", event);
  v->total = NAN;
  v->why[0] = 0;
  if (papi_init() < 0) { snprintf(v->why, sizeof v->why, "%s", init_why); return; }
  int es = PAPI_NULL, r;
  if ((r = PAPI_create_eventset(&es)) != PAPI_OK) { snprintf(v->why, sizeof v->why, "PAPI_create_eventset: %s", PAPI_strerror(r)); return; }
  if ((r = PAPI_add_named_event(es, event)) != PAPI_OK) {
    snprintf(v->why, sizeof v->why, "%s: %s (this machine exposes no such counter)", event, PAPI_strerror(r));
    PAPI_destroy_eventset(&es);
    return;
  }
  sw_runner_reset(wn);
  current = wn;
  long long val = 0;
  if ((r = PAPI_start(es)) != PAPI_OK) {
    snprintf(v->why, sizeof v->why, "PAPI_start: %s", PAPI_strerror(r));
  } else {
    for (long t = 0; t < n; t += block) sw_runner_process(wn, x + t, y, n - t < block ? n - t : block);
    if ((r = PAPI_stop(es, &val)) != PAPI_OK) snprintf(v->why, sizeof v->why, "PAPI_stop: %s", PAPI_strerror(r));
    else v->total = (double)val;
  }
  current = NULL;
  PAPI_cleanup_eventset(es);
  PAPI_destroy_eventset(&es);
}

int sw_counters_run(sw_runner *wn, const float *x, long n, int block, sw_counter_value *out) {
  int k = 0;
  float *y = malloc(sizeof(float) * (size_t)block);
  if (!y) return 0;
  for (size_t i = 0; i < sizeof presets / sizeof *presets; i++) measure(presets[i], wn, x, n, block, y, &out[k++]);
  for (size_t i = 0; i < sizeof sde_names / sizeof *sde_names; i++) {
    char ev[64];
    snprintf(ev, sizeof ev, "sde:::slimwave::%s", sde_names[i]);
    measure(ev, wn, x, n, block, y, &out[k++]);
  }
  free(y);
  return k;
}

#else

bool sw_counters_available(void) { return false; }

int sw_counters_run(sw_runner *wn, const float *x, long n, int block, sw_counter_value *out) {
  (void)wn; (void)x; (void)n; (void)block;
  int k = 0;
  for (size_t i = 0; i < sizeof presets / sizeof *presets; i++, k++) {
    snprintf(out[k].name, sizeof out[k].name, "%s", presets[i]);
    out[k].total = NAN;
    snprintf(out[k].why, sizeof out[k].why, "built without PAPI (libpapi-dev not found)");
  }
  for (size_t i = 0; i < sizeof sde_names / sizeof *sde_names; i++, k++) {
    snprintf(out[k].name, sizeof out[k].name, "sde:::slimwave::%s", sde_names[i]);
    out[k].total = NAN;
    snprintf(out[k].why, sizeof out[k].why, "built without PAPI (libpapi-dev not found)");
  }
  return k;
}

#endif
