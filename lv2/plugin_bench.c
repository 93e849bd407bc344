/* `slimwave bench --plugin` (plugin_bench.h): one plugin instance moved to each width step, settled,
   then repeats of run() alternating with repeats of the model alone at that step. */
#include "plugin_bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "host.h"
#include "model.h"

static double clock_s(clockid_t c) {
  struct timespec ts;
  clock_gettime(c, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static int cmp(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return (x > y) - (x < y); }
static double median(double *v, int n) { qsort(v, (size_t)n, sizeof *v, cmp); return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]); }

typedef struct stream { const float *x; long n, pos; float *y; } stream;

/* One repeat: `blocks` blocks of x (looped) through the plugin (h) or the runner (r at step);
   wall and thread CPU seconds. */
static void repeat(sw_lv2h *h, sw_plug_model *r, int step, stream *s, int block, long blocks, double *wall, double *cpu) {
  double w0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
  for (long b = 0; b < blocks; b++) {
    if (s->pos + block > s->n) s->pos = 0;
    if (h) sw_lv2h_run(h, s->x + s->pos, s->y, (uint32_t)block);
    else sw_plug_model_process(r, step, s->x + s->pos, s->y, block);
    s->pos += block;
  }
  *wall = clock_s(CLOCK_MONOTONIC) - w0, *cpu = clock_s(CLOCK_THREAD_CPUTIME_ID) - c0;
}

int sw_plugin_bench(const char *bundle, const char *model, double rate, const float *x, long n, int block, double seconds,
                    int repeats,
                    sw_plugin_bench_row *rows, int max, int *nrows, char *backend, int blen, sw_err *err) {
  *nrows = 0;
  if (n < block) return sw_fail(err, SW_EINPUT, "the program material is shorter than a block");
  sw_lv2h *h = NULL;
  sw_plug_model *r = NULL;
  int rc = sw_lv2h_open(bundle, NULL, rate, &h, err);
  if (rc) return rc;
  float *slim = sw_lv2h_control(h, "slim"), *width = sw_lv2h_control(h, "width");
  if (!slim || !width) rc = sw_fail(err, SW_EINPUT, "%s: not the slimwave plugin (no slim or width port)", bundle);
  if (!rc) rc = sw_lv2h_set_model(h, model, err);
  float *y = malloc(sizeof(float) * (size_t)block);
  double *t = malloc(sizeof(double) * 4 * (size_t)repeats);
  if (!rc && (!y || !t)) rc = sw_fail(err, SW_ENOMEM, "out of memory");
  stream s = {.x = x, .n = n, .y = y};
  double d0, d1;
  if (!rc) {
    repeat(h, NULL, 0, &s, block, 1, &d0, &d1); /* the patch:Set, then the worker loads */
    sw_lv2h_work(h);
    const char *log = sw_lv2h_log(h), *ld = strstr(log, "loaded "), *be = ld ? strstr(ld, "backend ") : NULL;
    if (!ld) rc = sw_fail(err, SW_EINPUT, "the plugin refused the model: %.*s", (int)strcspn(log, "\n"), log);
    else snprintf(backend, (size_t)blen, "%.*s", be ? (int)strcspn(be + 8, ";\n") : 0, be ? be + 8 : "");
  }
  char why[128];
  if (!rc) rc = sw_plug_model_open(model, rate, block > 512 ? 512 : block, sw_backend_default(why, sizeof why), &r, err);
  long blocks = (long)(seconds * rate / block) + 1, settle = (long)rate / block + 1;
  for (int k = 0; !rc && k < sw_plug_model_steps(r) && k < max; k++) {
    sw_plugin_bench_row *row = &rows[k];
    memset(row, 0, sizeof *row);
    *slim = (float)sw_plug_model_slim_for(r, k);
    repeat(h, NULL, 0, &s, block, settle, &d0, &d1); /* one second: warm-up and crossfade done */
    row->channels = sw_plug_model_channels(r, k);
    if ((int)*width != row->channels) { rc = sw_fail(err, SW_EFAIL, "the plugin plays width %g, not %d", *width, row->channels); break; }
    repeat(NULL, r, k, &s, block, settle, &d0, &d1);
    for (int j = 0; j < repeats; j++) {
      repeat(h, NULL, 0, &s, block, blocks, &t[j], &t[repeats + j]);
      repeat(NULL, r, k, &s, block, blocks, &t[2 * repeats + j], &t[3 * repeats + j]);
    }
    double per = 1e6 / (double)blocks;
    row->run_wall_us = per * median(t, repeats), row->run_cpu_us = per * median(t + repeats, repeats);
    row->direct_wall_us = per * median(t + 2 * repeats, repeats), row->direct_cpu_us = per * median(t + 3 * repeats, repeats);
    sw_plug_model_widths_str(r, k, row->widths, sizeof row->widths);
    row->macs = sw_plug_model_macs(r, k);
    row->block = block;
    row->audio_s = (double)blocks * block / rate;
    (*nrows)++;
  }
  free(y), free(t);
  sw_plug_model_free(r);
  sw_lv2h_close(h);
  return rc;
}
