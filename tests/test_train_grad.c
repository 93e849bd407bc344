/* The trainer's hand-written backward against central finite differences, in double (the reference
   of ref_train_d.c), for every parameter kind (rechannel R, conv W/b, mixin M, 1x1 V/b, head G/bias)
   and for the input, at full and slim widths, one and two layer arrays, gated and not: relative
   error <= 1e-6. Entries outside
   a slim slice (and head_scale) get exactly zero gradient. The engine's forward equals the
   independent offline reference (tests/ref_wavenet.c), and the product's float engine (naive and
   default backends, default and tiny time tiles) matches the double one to float tolerance. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../train/engine.h"
#include "ref_train_d.h"
#include "check.h"
#include "netgen.h"
#include "ref_wavenet.h"

enum { K_R, K_W, K_B, K_M, K_V, K_VB, K_G, K_GB, K_HS, NKIND };
static const char *kind_name[NKIND] = {"rechannel R", "conv W", "conv bias", "mixin M", "1x1 V", "1x1 bias", "head G", "head bias", "head_scale"};
static int kinds_checked[NKIND];

static void label(const sw_net *net, const sw_layout *L, int *kind) {
  for (int i = 0; i < net->n_arrays; i++) {
    const sw_array_cfg *a = &net->arrays[i];
    const sw_array_off *o = &L->arrays[i];
    long C = a->channels;
    for (long k = 0; k < C * a->input_size; k++) kind[o->r + k] = K_R;
    for (int l = 0; l < a->n_layers; l++) {
      const sw_layer_off *lo = &o->layers[l];
      long cm = a->layers[l].gated ? 2 * C : C;
      for (long k = 0; k < cm * C * a->layers[l].kernel; k++) kind[lo->w + k] = K_W;
      for (long k = 0; k < cm; k++) { kind[lo->b + k] = K_B; kind[lo->m + k] = K_M; }
      if (lo->v >= 0) {
        for (long k = 0; k < C * C; k++) kind[lo->v + k] = K_V;
        for (long k = 0; k < C; k++) kind[lo->vb + k] = K_VB;
      }
    }
    for (long k = 0; k < (long)a->head_size * C * a->head_kernel; k++) kind[o->g + k] = K_G;
    for (long k = 0; o->gb >= 0 && k < a->head_size; k++) kind[o->gb + k] = K_GB;
  }
  kind[L->head_scale] = K_HS;
}

/* in_slice[k]: weight k is read by the model at widths wd (found by slicing a net whose
   weights are their own indices). */
static void slice_mask(const sw_net *net, const sw_widths *wd, char *in_slice) {
  sw_net idx, sl;
  sw_err err;
  sw_net_copy(net, &idx, &err);
  for (long k = 0; k < idx.nw; k++) idx.w[k] = (float)k;
  memset(in_slice, 0, (size_t)net->nw);
  CHECK(sw_net_slice(&idx, wd, &sl, &err) == 0, "slice: %s", err.msg);
  for (long k = 0; k < sl.nw; k++) in_slice[(long)sl.w[k]] = 1;
  sw_net_free(&idx);
  sw_net_free(&sl);
}

static double loss_of(const sw_ref_train *e, sw_ref_train_ws *ws, int ny, const double *w, const sw_widths *wd,
                      const double *x, const double *r, double *y) {
  sw_ref_train_forward(e, ws, w, wd, x, y);
  double L = 0;
  for (int t = 0; t < ny; t++) L += r[t] * y[t];
  return L;
}

static void check_case(const char *name, const sw_net *net, const sw_widths *wd, int ny) {
  sw_ref_train *e;
  sw_ref_train_ws *ws;
  sw_err err;
  if (sw_ref_train_create(net, ny, &e, &err) || sw_ref_train_ws_create(e, &ws, &err)) {
    CHECK(0, "%s: %s", name, err.msg);
    return;
  }
  long nw = net->nw, win = sw_ref_train_window(e);
  double *w = malloc(sizeof(double) * nw), *gw = calloc(nw, sizeof(double)), *x = malloc(sizeof(double) * win);
  double *gx = calloc(win, sizeof(double)), *r = malloc(sizeof(double) * ny), *y = malloc(sizeof(double) * ny);
  float *xf = malloc(sizeof(float) * win);
  int *kind = malloc(sizeof(int) * nw);
  char *in_slice = malloc(nw);
  label(net, sw_ref_train_layout(e), kind);
  slice_mask(net, wd, in_slice);
  for (long k = 0; k < nw; k++) w[k] = net->w[k];
  sw_test_signal(xf, win, 7);
  for (long t = 0; t < win; t++) x[t] = xf[t] * 4; /* drive the tanh into its curve */
  for (int t = 0; t < ny; t++) r[t] = sin(0.7 * t) + 0.3;

  /* forward equals the independent offline reference over the same window */
  double *ref = malloc(sizeof(double) * win);
  sw_ref_forward(net, wd, false, xf, win, ref);
  sw_ref_train_forward(e, ws, w, wd, x, y);
  double fe = 0, fr = 0;
  for (long t = 0; t < win; t++) xf[t] = (float)x[t];
  sw_ref_forward(net, wd, false, xf, win, ref);
  for (int t = 0; t < ny; t++) { fe += (y[t] - ref[sw_ref_train_rf(e) - 1 + t]) * (y[t] - ref[sw_ref_train_rf(e) - 1 + t]); fr += y[t] * y[t]; }
  CHECK(fe <= 1e-12 * fr, "%s: engine forward differs from the offline reference (normalised %.3g)", name, fe / fr);

  loss_of(e, ws, ny, w, wd, x, r, y);
  sw_ref_train_backward(e, ws, w, wd, x, r, gw, gx);
  double gmax = 0;
  for (long k = 0; k < nw; k++) gmax = fmax(gmax, fabs(gw[k]));
  const double h = 1e-5;
  double worst[NKIND] = {0}, worst_x = 0;
  int nonzero_out = 0, tested = 0;
  for (long k = 0; k < nw; k++) {
    if (!in_slice[k] || kind[k] == K_HS) {
      if (gw[k] != 0.0) nonzero_out++;
      continue;
    }
    double w0 = w[k];
    w[k] = w0 + h;
    double lp = loss_of(e, ws, ny, w, wd, x, r, y);
    w[k] = w0 - h;
    double lm = loss_of(e, ws, ny, w, wd, x, r, y);
    w[k] = w0;
    double fd = (lp - lm) / (2 * h);
    /* relative to the entry, floored at 1e-3 of the largest gradient (entries near 0) */
    double rel = fabs(fd - gw[k]) / fmax(fabs(fd), 1e-3 * gmax);
    if (rel > worst[kind[k]]) worst[kind[k]] = rel;
    kinds_checked[kind[k]]++;
    tested++;
  }
  double gxmax = 0;
  for (long t = 0; t < win; t++) gxmax = fmax(gxmax, fabs(gx[t]));
  for (long t = 0; t < win; t += (win > 64 ? 3 : 1)) {
    double x0 = x[t];
    x[t] = x0 + h;
    double lp = loss_of(e, ws, ny, w, wd, x, r, y);
    x[t] = x0 - h;
    double lm = loss_of(e, ws, ny, w, wd, x, r, y);
    x[t] = x0;
    double fd = (lp - lm) / (2 * h);
    worst_x = fmax(worst_x, fabs(fd - gx[t]) / fmax(fabs(fd), 1e-3 * gxmax));
  }
  for (int k = 0; k < NKIND; k++)
    CHECK(worst[k] <= 1e-6, "%s: %s gradient relative error %.3g", name, kind_name[k], worst[k]);
  CHECK(worst_x <= 1e-6, "%s: input gradient relative error %.3g", name, worst_x);
  CHECK(nonzero_out == 0, "%s: %d entries outside the slice got a gradient", name, nonzero_out);
  double wmax = 0;
  for (int k = 0; k < NKIND; k++) wmax = fmax(wmax, worst[k]);
  printf("%-34s %4d params checked, worst rel err %.2e (input %.2e), outside-slice grads all 0: %s\n", name, tested,
         wmax, worst_x, nonzero_out ? "no" : "yes");

  /* the float engine (naive, then the default backend; default time tiles, then tiles of 5 and 7
     columns, so that every op meets tile edges) against the double one */
  for (int bi = 0; bi < 4; bi++) {
    if (bi % 2 == 1 && sw_backend_default(NULL, 0) == sw_backend_naive()) continue;
    char why[128];
    const sw_backend *be = bi % 2 == 0 ? sw_backend_naive() : sw_backend_default(why, sizeof why);
    const int tile = bi < 2 ? 0 : 5, btile = bi < 2 ? 0 : 7;
    if (!be) continue;
    sw_engine *ef;
    sw_engine_ws *wf;
    sw_engine_saved *sv;
    if (sw_engine_create(net, be, ny, tile, btile, &ef, &err) || sw_engine_ws_create(ef, &wf, &err) ||
        sw_engine_saved_create(ef, &sv, &err) || sw_engine_bind(ef, wd, &err)) {
      CHECK(0, "%s", err.msg);
      continue;
    }
    if (be->thread_init) be->thread_init();
    float *gwf = calloc(nw, sizeof(float)), *gxf = calloc(win, sizeof(float)), *yf = malloc(sizeof(float) * ny);
    float *rf = malloc(sizeof(float) * ny);
    for (int t = 0; t < ny; t++) rf[t] = (float)r[t];
    sw_engine_forward(ef, wf, sv, xf, yf);
    sw_engine_backward(ef, wf, sv, xf, rf, gwf, gxf);
    double eg = 0, ng = 0, ey = 0, ny2 = 0, ex = 0, nx = 0;
    loss_of(e, ws, ny, w, wd, x, r, y);
    for (int t = 0; t < ny; t++) { ey += (yf[t] - y[t]) * (yf[t] - y[t]); ny2 += y[t] * y[t]; }
    for (long k = 0; k < nw; k++) { eg += (gwf[k] - gw[k]) * (gwf[k] - gw[k]); ng += gw[k] * gw[k]; }
    for (long t = 0; t < win; t++) { ex += (gxf[t] - gx[t]) * (gxf[t] - gx[t]); nx += gx[t] * gx[t]; }
    int bad_out = 0;
    for (long k = 0; k < nw; k++)
      if ((!in_slice[k] || kind[k] == K_HS) && gwf[k] != 0.0f) bad_out++;
    /* float32 sums over ~100 terms: relative L2 error ~1e-6; 1e-4 leaves room, catches any wrong op */
    CHECK(sqrt(ey / ny2) <= 1e-5, "%s (%s float, tiles %d/%d): output rel L2 error %.3g", name, be->name, tile, btile, sqrt(ey / ny2));
    CHECK(sqrt(eg / ng) <= 1e-4, "%s (%s float, tiles %d/%d): weight gradient rel L2 error %.3g", name, be->name, tile, btile, sqrt(eg / ng));
    CHECK(sqrt(ex / nx) <= 1e-4, "%s (%s float, tiles %d/%d): input gradient rel L2 error %.3g", name, be->name, tile, btile, sqrt(ex / nx));
    CHECK(bad_out == 0, "%s (%s float): %d entries outside the slice got a gradient", name, be->name, bad_out);
    printf("%-34s float %-6s tiles %d/%d vs double: y %.1e, grad %.1e, input grad %.1e (rel L2)\n", name, be->name,
           tile, btile, sqrt(ey / ny2), sqrt(eg / ng), sqrt(ex / nx));
    free(gwf); free(gxf); free(yf); free(rf);
    sw_engine_saved_free(sv);
    sw_engine_ws_free(wf);
    sw_engine_free(ef);
  }
  free(w); free(gw); free(x); free(gx); free(r); free(y); free(xf); free(kind); free(in_slice); free(ref);
  sw_ref_train_ws_free(ws);
  sw_ref_train_free(e);
}

int main(void) {
  static const int dil3[] = {1, 2, 4}, dil2[] = {1, 3};
  struct { const char *name; int n; sw_arr_spec s[2]; int slim[2]; } cases[] = {
    {"1 array tanh", 1, {{.C = 4, .H = 1, .K = 3, .n_layers = 3, .dil = dil3, .act = SW_ACT_TANH, .head_bias = true}}, {2}},
    {"1 array gated", 1, {{.C = 3, .H = 1, .K = 2, .n_layers = 3, .dil = dil3, .act = SW_ACT_TANH, .gated = true, .head_bias = true}}, {2}},
    {"2 arrays (head kernel 2)", 2,
     {{.C = 4, .H = 3, .K = 2, .n_layers = 2, .dil = dil2, .act = SW_ACT_TANH, .head_kernel = 2},
      {.C = 3, .H = 1, .K = 3, .n_layers = 2, .dil = dil2, .act = SW_ACT_TANH, .head_bias = true}}, {2, 2}},
    {"2 arrays gated", 2,
     {{.C = 3, .H = 2, .K = 3, .n_layers = 2, .dil = dil2, .act = SW_ACT_TANH, .gated = true, .head_bias = true},
      {.C = 2, .H = 1, .K = 2, .n_layers = 3, .dil = dil3, .act = SW_ACT_SIGMOID, .gated = true}}, {1, 1}},
    {"1 array no 1x1", 1, {{.C = 3, .H = 1, .K = 3, .n_layers = 2, .dil = dil2, .act = SW_ACT_TANH, .no_layer1x1 = true}}, {2}},
  };
  for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
    sw_net net;
    CHECK(sw_test_make_net(&net, cases[c].n, cases[c].s, 11 + (unsigned)c) == 0, "make net");
    net.w[net.nw - 1] = net.head_scale = 0.5f;
    char nm[96];
    sw_widths full = sw_net_full_widths(&net), slim = {.n = cases[c].n};
    for (int i = 0; i < cases[c].n; i++) slim.c[i] = cases[c].slim[i];
    snprintf(nm, sizeof nm, "%s, full", cases[c].name);
    check_case(nm, &net, &full, 24);
    snprintf(nm, sizeof nm, "%s, slim", cases[c].name);
    check_case(nm, &net, &slim, 24);
    sw_net_free(&net);
  }
  for (int k = 0; k < K_HS; k++) CHECK(kinds_checked[k] > 0, "no %s entry was checked", kind_name[k]);
  return check_summary();
}
