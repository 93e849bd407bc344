/* Engine set-up shared by the float and double instantiations: config copy, layout, and the
   valid column range of every intermediate (see engine_priv.h). */
#include "engine_priv.h"

#include <stdlib.h>
#include <string.h>

void *sw_engine_alloc(size_t bytes) {
  bytes = (bytes + 63) & ~(size_t)63;
  void *p = aligned_alloc(64, bytes ? bytes : 64);
  if (p) memset(p, 0, bytes ? bytes : 64);
  return p;
}

void sw_engine_free(sw_engine *e) {
  if (!e) return;
  if (e->st)
    for (int i = 0; i < e->net.n_arrays; i++) free(e->st[i]);
  free(e->st);
  free(e->sv);
  free(e->hv);
  free(e->lbase);
  sw_layout_free(&e->L);
  sw_net_free(&e->net);
  free(e);
}

int sw_engine_create(const sw_net *net, const sw_backend *be, int ny, sw_engine **out, sw_err *err) {
  *out = NULL;
  long nw;
  int rc = sw_net_check(net, "model", &nw, err);
  if (rc) return rc;
  if (ny < 1 || ny > (1 << 22)) return sw_fail(err, SW_EUSAGE, "window of %d output samples out of range 1..%d", ny, 1 << 22);
  sw_engine *e = calloc(1, sizeof *e);
  if (!e) return sw_fail(err, SW_ENOMEM, "out of memory (training engine)");
  if ((rc = sw_net_copy(net, &e->net, err))) { free(e); return rc; }
  if ((rc = sw_layout_make(net, &e->L, err))) { sw_engine_free(e); return rc; }
  e->naive = sw_backend_naive();
  e->be = be ? be : e->naive;
  e->ny = ny;
  e->nw = nw;
  e->rf = sw_net_receptive_field(net);
  e->off = e->rf - 1;
  e->win = ny + e->off;
  e->ld = (e->win + 15) & ~15L;
  atomic_init(&e->fallbacks, 0);
  int n = net->n_arrays;
  e->st = calloc((size_t)n, sizeof *e->st);
  e->sv = calloc((size_t)n, sizeof *e->sv);
  e->hv = calloc((size_t)n, sizeof *e->hv);
  e->lbase = calloc((size_t)n, sizeof *e->lbase);
  if (!e->st || !e->sv || !e->hv || !e->lbase) goto oom;
  long start = -e->off;
  e->maxC = 1;
  for (int i = 0; i < n; i++) {
    const sw_array_cfg *a = &net->arrays[i];
    if (a->channels > e->maxC) e->maxC = a->channels;
    if (a->head_size > e->maxC) e->maxC = a->head_size;
    e->lbase[i] = e->n_tot;
    e->n_tot += a->n_layers;
    if (!(e->st[i] = calloc((size_t)a->n_layers + 1, sizeof(long)))) goto oom;
    e->st[i][0] = start;
    for (int l = 0; l < a->n_layers; l++)
      e->st[i][l + 1] = e->st[i][l] + (long)(a->layers[l].kernel - 1) * a->layers[l].dilation;
    long sv = e->st[i][a->n_layers];
    if (i > 0 && e->hv[i - 1] > sv) sv = e->hv[i - 1];
    e->sv[i] = sv;
    e->hv[i] = sv + a->head_kernel - 1;
    start = e->st[i][a->n_layers];
  }
  /* The receptive field sums every path, so the output is always valid from column 0. */
  if (e->hv[n - 1] > 0) { sw_engine_free(e); return sw_fail(err, SW_EFAIL, "internal: receptive field too short for the model's paths"); }
  *out = e;
  return SW_OK;
oom:
  sw_engine_free(e);
  return sw_fail(err, SW_ENOMEM, "out of memory (training engine)");
}

int sw_engine_ny(const sw_engine *e) { return e->ny; }
long sw_engine_rf(const sw_engine *e) { return e->rf; }
long sw_engine_window(const sw_engine *e) { return e->win; }
long sw_engine_nw(const sw_engine *e) { return e->nw; }
const sw_layout *sw_engine_layout(const sw_engine *e) { return &e->L; }
const sw_net *sw_engine_net(const sw_engine *e) { return &e->net; }
long sw_engine_fallbacks(const sw_engine *e) { return atomic_load(&((sw_engine *)e)->fallbacks); }
