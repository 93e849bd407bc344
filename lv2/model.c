/* The model behind the plugin (runner.h): a loaded .nam and one prepared streaming instance per
   width step. Everything that allocates happens in sw_plug_model_open (the plugin's worker thread). */
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/nam_file.h"
#include "../core/archs.h"
#include "../core/runner.h"

typedef struct step {
  const sw_net *net;
  sw_widths w;
  double lo;          /* the smallest slim value that selects this step */
  sw_runner *wn;
} step;

struct sw_plug_model {
  sw_model m;
  int n;
  step *s;            /* n steps, narrowest first */
  char path[4096];
};

/* The slim values where a plain model's widths change (as sw_net_width_steps walks them). */
static int plain_steps(sw_plug_model *r) {
  const sw_net *net = &r->m.sub[0];
  sw_widths *w = malloc(sizeof *w * (SW_MAX_ARRAYS * SW_MAX_CHANNELS + 1));
  if (!w) return -1;
  int n = sw_net_width_steps(net, w, SW_MAX_ARRAYS * SW_MAX_CHANNELS + 1);
  r->s = calloc((size_t)n, sizeof *r->s);
  if (!r->s) { free(w); return -1; }
  for (int k = 0; k < n; k++) r->s[k] = (step){.net = net, .w = w[k], .lo = 2.0};
  /* lo: scan the breakpoints j/|A| of every array, as the allowed-channels rule does */
  for (int i = 0; i < net->n_arrays; i++)
    for (int j = 0; j < net->arrays[i].n_allowed; j++) {
      double v = (double)j / net->arrays[i].n_allowed;
      sw_widths at = sw_net_widths_for_slim(net, v);
      for (int k = 0; k < n; k++)
        if (!memcmp(&at, &r->s[k].w, sizeof at) && v < r->s[k].lo) r->s[k].lo = v;
    }
  free(w);
  r->n = n;
  return 0;
}

static int container_steps(sw_plug_model *r) {
  r->s = calloc((size_t)r->m.n_sub, sizeof *r->s);
  if (!r->s) return -1;
  for (int k = 0; k < r->m.n_sub; k++)
    r->s[k] = (step){.net = &r->m.sub[k], .w = sw_net_full_widths(&r->m.sub[k]), .lo = k ? r->m.max_value[k - 1] : 0.0};
  r->n = r->m.n_sub;
  return 0;
}

int sw_plug_model_open(const char *path, double rate, int max_block, const sw_backend *be, sw_plug_model **out, sw_err *err) {
  *out = NULL;
  sw_plug_model *r = calloc(1, sizeof *r);
  if (!r) return sw_fail(err, SW_ENOMEM, "out of memory");
  snprintf(r->path, sizeof r->path, "%s", path);
  int rc = sw_model_load(path, &r->m, err);
  if (rc) { free(r); return rc; }
  for (int k = 0; k < r->m.n_sub && !rc; k++)
    if (r->m.sub[k].sample_rate != rate)
      rc = sw_fail(err, SW_EINPUT, "%s: the model runs at %g Hz, the host at %g Hz", path, r->m.sub[k].sample_rate, rate);
  if (!rc && (r->m.container ? container_steps(r) : plain_steps(r))) rc = sw_fail(err, SW_ENOMEM, "out of memory");
  sw_run_opts o = {.backend = be, .max_block = max_block};
  for (int k = 0; !rc && k < r->n; k++) {
    step *s = &r->s[k];
    if (!(rc = sw_runner_create(s->net, &o, &s->wn, err))) rc = sw_runner_set_widths(s->wn, &s->w, err);
    if (rc && !strncmp(err->msg, "model: ", 7)) { /* name the file, as the loader does */
      char m[sizeof err->msg];
      snprintf(m, sizeof m, "%s: %s", path, err->msg + 7);
      memcpy(err->msg, m, sizeof m);
    }
  }
  if (rc) { sw_plug_model_free(r); return rc; }
  *out = r;
  return SW_OK;
}

void sw_plug_model_free(sw_plug_model *r) {
  if (!r) return;
  for (int k = 0; r->s && k < r->n; k++) sw_runner_free(r->s[k].wn);
  free(r->s);
  sw_model_free(&r->m);
  free(r);
}

int sw_plug_model_steps(const sw_plug_model *r) { return r->n; }

int sw_plug_model_step_for(const sw_plug_model *r, double slim) {
  int k = 0;
  while (k + 1 < r->n && slim >= r->s[k + 1].lo) k++;
  return k;
}

double sw_plug_model_slim_for(const sw_plug_model *r, int step) {
  return step + 1 < r->n ? 0.5 * (r->s[step].lo + r->s[step + 1].lo) : 1.0;
}

int sw_plug_model_channels(const sw_plug_model *r, int step) { return r->s[step].w.c[0]; }
long sw_plug_model_receptive_field(const sw_plug_model *r, int step) { return sw_net_receptive_field(r->s[step].net); }

void sw_plug_model_process(sw_plug_model *r, int step, const float *in, float *out, int n) {
  sw_runner_process(r->s[step].wn, in, out, n);
}

void sw_plug_model_reset(sw_plug_model *r) {
  for (int k = 0; k < r->n; k++) sw_runner_reset(r->s[k].wn);
}

const char *sw_plug_model_path(const sw_plug_model *r) { return r->path; }
long sw_plug_model_macs(const sw_plug_model *r, int step) { return sw_net_macs(r->s[step].net, &r->s[step].w); }

void sw_plug_model_widths_str(const sw_plug_model *r, int step, char *buf, int len) {
  int m = 0;
  buf[0] = 0;
  for (int i = 0; i < r->s[step].w.n && m >= 0 && m < len; i++) m += snprintf(buf + m, (size_t)(len - m), "%s%d", i ? "," : "", r->s[step].w.c[i]);
}

void sw_plug_model_describe(const sw_plug_model *r, char *buf, int len) {
  char lo[64], hi[64];
  sw_plug_model_widths_str(r, 0, lo, sizeof lo);
  sw_plug_model_widths_str(r, r->n - 1, hi, sizeof hi);
  snprintf(buf, (size_t)len, "%s: %s, %d %s (%s .. %s channels), receptive field %ld, backend %s", r->path,
           r->m.container ? "SlimmableContainer" : sw_arch_name(r->m.sub[0].arch), r->n, r->m.container ? "submodels" : "widths", lo, hi,
           sw_net_receptive_field(r->s[r->n - 1].net), sw_runner_backend(r->s[0].wn)->name);
  double g = sw_meta_number(&r->m.meta, "target_gain_db");
  size_t k = strlen(buf);
  if (g == g && g != 0 && k < (size_t)len)
    snprintf(buf + k, (size_t)len - k, "; trained %.2f dB below the device's level (output gain %+.2f dB matches it)", -g, -g);
}
