/* Reading a results file back for reports: the rows as records, and the queries tables need. */
#ifndef SW_RESULTS_H
#define SW_RESULTS_H

#include "../core/err.h"

typedef struct sw_rec {
  char model[64], tone[32], dataset[64], channels[64], metric[48], backend[32], schedule[128];
  double width_pct, value;
  long macs;
  int block, epoch, seed;
} sw_rec;

typedef struct sw_results {
  sw_rec *r;
  int n;
} sw_results;

int sw_results_load(const char *path, sw_results *out, sw_err *err);
void sw_results_free(sw_results *r);
/* The value of metric for model/tone at channels (tone NULL: any; backend NULL: any; block < 0:
   any); NaN if absent. */
double sw_results_get(const sw_results *r, const char *model, const char *tone, const char *channels,
                      const char *metric, const char *backend, int block);
/* How far a training curve is from converged: over its val_esr_epoch rows for model, dataset
   (NULL: any), channels and seed (< 0: any), the relative fall of the best ESR so far over the
   last `window` epochs (a tenth of them, at least 1): (best at E-window - best at E) / best at E,
   0 once it has stopped improving. NaN without a curve long enough; *window gets the window. */
double sw_results_convergence(const sw_results *r, const char *model, const char *dataset, const char *channels, int seed,
                              int *window);
/* Largest rtf over backends at block for model/channels; *backend gets its name. */
double sw_results_best_rtf(const sw_results *r, const char *model, const char *channels, int block, char *backend, int len);

#endif
