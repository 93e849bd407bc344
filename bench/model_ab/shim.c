/* Compiled into each revision's shared library by tools/model-ab.sh: one model at one width
   behind plain functions, so the driver (ab.c) needs no struct layout from either revision. */
#include <stdio.h>
#include <stdlib.h>

#include "core/backend.h"
#include "core/model.h"
#include "core/nam_file.h"
#include "core/wavenet.h"

/* NULL with a one-line message on stderr when the model, backend or widths are refused. */
void *ab_make(const char *path, const char *backend, const char *widths, int block) {
  sw_model *m = calloc(1, sizeof *m); /* lives as long as the program: the instance points into it */
  sw_err e = {0};
  if (!m || sw_model_load(path, m, &e)) { fprintf(stderr, "model-ab: %s\n", m ? e.msg : "out of memory"); return NULL; }
  const sw_backend *be = sw_backend_find(backend);
  if (!be || !sw_backend_is_usable(be)) { fprintf(stderr, "model-ab: backend %s not usable here\n", backend); return NULL; }
  const sw_net *net = sw_model_pick(m, 1.0); /* the full-width net of a container */
  sw_run_opts o = {.backend = be, .max_block = block};
  sw_wavenet *wn;
  if (sw_wavenet_create(net, &o, &wn, &e)) { fprintf(stderr, "model-ab: %s\n", e.msg); return NULL; }
  if (widths && *widths) {
    sw_widths w = sw_net_full_widths(net);
    const char *p = widths;
    int i = 0;
    for (; i < net->n_arrays; i++) { /* one integer per layer array, comma-separated, nothing else */
      char *end;
      w.c[i] = (int)strtol(p, &end, 10);
      if (end == p || (*end != ',' && *end) || (*end == ',') != (i + 1 < net->n_arrays)) break;
      p = end + (*end == ',');
    }
    if (i < net->n_arrays) {
      fprintf(stderr, "model-ab: widths %s: expected %d comma-separated channel counts\n", widths, net->n_arrays);
      return NULL;
    }
    if (sw_wavenet_set_widths(wn, &w, &e)) { fprintf(stderr, "model-ab: widths %s: %s\n", widths, e.msg); return NULL; }
  }
  if (sw_wavenet_fallbacks(wn)) fprintf(stderr, "model-ab: %d ops fell back to naive\n", sw_wavenet_fallbacks(wn));
  return wn;
}

void ab_process(void *wn, const float *in, float *out, long n) { sw_wavenet_process(wn, in, out, n); }
