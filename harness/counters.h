/* PAPI counters per width: the hardware presets where the machine exposes them (NA with PAPI's
   reason where not), and slimwave's own software-defined events (libsde: MACs, activations,
   samples, weight bytes), read back through PAPI on every machine. */
#ifndef SW_COUNTERS_H
#define SW_COUNTERS_H

#include <stdbool.h>

#include "../core/runner.h"

#define SW_COUNTERS_MAX 16

typedef struct sw_counter_value {
  char name[48];     /* "PAPI_TOT_INS", "sde:::slimwave::MACS", ... */
  double total;      /* over the run; NaN when unavailable */
  char why[160];     /* reason when unavailable */
} sw_counter_value;

/* Processes x through wn (reset first) in blocks, counting. Returns the number of values. */
int sw_counters_run(sw_runner *wn, const float *x, long n, int block, sw_counter_value *out);
/* Whether this build has PAPI at all. */
bool sw_counters_available(void);

#endif
