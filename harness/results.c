/* Results file reader (see results.h). */
#include "results.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/atomic_file.h"
#include "rows.h"

int sw_results_load(const char *path, sw_results *out, sw_err *err) {
  memset(out, 0, sizeof *out);
  int nrows;
  int rc = sw_rows_check(path, &nrows, err);
  if (rc) return rc;
  char *text;
  size_t len;
  if ((rc = sw_read_file(path, 256u << 20, &text, &len, err))) return rc;
  out->r = calloc((size_t)nrows, sizeof *out->r);
  if (!out->r) { free(text); return sw_fail(err, SW_ENOMEM, "out of memory"); }
  char *save = NULL, *line = strtok_r(text, "\n", &save);
  while ((line = strtok_r(NULL, "\n", &save)) && out->n < nrows) {
    char *f[SW_ROWS_FIELDS];
    sw_csv_split(line, f, SW_ROWS_FIELDS);
    sw_rec *x = &out->r[out->n++];
    snprintf(x->dataset, sizeof x->dataset, "%s", f[3]);
    snprintf(x->tone, sizeof x->tone, "%s", f[4]);
    snprintf(x->model, sizeof x->model, "%s", f[5]);
    snprintf(x->schedule, sizeof x->schedule, "%s", f[7]);
    x->seed = atoi(f[8]);
    snprintf(x->channels, sizeof x->channels, "%s", f[9]);
    x->width_pct = strtod(f[10], NULL);
    x->macs = strtol(f[11], NULL, 10);
    snprintf(x->metric, sizeof x->metric, "%s", f[12]);
    x->value = strcmp(f[13], "NA") ? strtod(f[13], NULL) : NAN;
    snprintf(x->backend, sizeof x->backend, "%s", f[14]);
    x->block = f[15][0] ? atoi(f[15]) : -1;
    x->epoch = f[16][0] ? atoi(f[16]) : -1;
  }
  free(text);
  return SW_OK;
}

void sw_results_free(sw_results *r) {
  free(r->r);
  memset(r, 0, sizeof *r);
}

double sw_results_get(const sw_results *r, const char *model, const char *tone, const char *channels,
                      const char *metric, const char *backend, int block) {
  for (int i = 0; i < r->n; i++) {
    const sw_rec *x = &r->r[i];
    if (strcmp(x->model, model) || strcmp(x->metric, metric) || strcmp(x->channels, channels)) continue;
    if (tone && strcmp(x->tone, tone)) continue;
    if (backend && strcmp(x->backend, backend)) continue;
    if (block >= 0 && x->block != block) continue;
    return x->value;
  }
  return NAN;
}

double sw_results_best_rtf(const sw_results *r, const char *model, const char *channels, int block, char *backend, int len) {
  double best = NAN;
  if (backend) backend[0] = 0;
  for (int i = 0; i < r->n; i++) {
    const sw_rec *x = &r->r[i];
    if (strcmp(x->model, model) || strcmp(x->metric, "rtf") || strcmp(x->channels, channels) || x->block != block) continue;
    if (isnan(best) || x->value > best) {
      best = x->value;
      if (backend) snprintf(backend, (size_t)len, "%s", x->backend);
    }
  }
  return best;
}

static bool on_curve(const sw_rec *x, const char *model, const char *dataset, const char *channels, int seed) {
  return !strcmp(x->metric, "val_esr_epoch") && !strcmp(x->model, model) && !strcmp(x->channels, channels) &&
         (!dataset || !strcmp(x->dataset, dataset)) && (seed < 0 || x->seed == seed) && x->epoch >= 1;
}

double sw_results_convergence(const sw_results *r, const char *model, const char *dataset, const char *channels, int seed,
                              int *window) {
  /* the curve by epoch (epochs count from 1; rows come in any order) */
  int last = 0;
  for (int i = 0; i < r->n; i++)
    if (on_curve(&r->r[i], model, dataset, channels, seed) && r->r[i].epoch > last) last = r->r[i].epoch;
  *window = last / 10 > 1 ? last / 10 : 1;
  if (last < 2) return NAN;
  double *v = malloc(sizeof(double) * (size_t)(last + 1));
  if (!v) return NAN;
  for (int e = 0; e <= last; e++) v[e] = NAN;
  for (int i = 0; i < r->n; i++)
    if (on_curve(&r->r[i], model, dataset, channels, seed)) v[r->r[i].epoch] = r->r[i].value;
  double best = INFINITY, before = NAN;
  for (int e = 1; e <= last; e++) {
    if (v[e] < best) best = v[e];
    if (e == last - *window) before = best;
  }
  free(v);
  return isfinite(before) && best > 0 ? (before - best) / best : NAN;
}
