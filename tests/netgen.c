/* Synthetic nets and signals for tests (see netgen.h). */
#include "netgen.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long long rng_next(unsigned long long *s) {
  *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
  unsigned long long z = *s;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  return z ^ (z >> 31);
}
static double rng_unit(unsigned long long *s) { return (rng_next(s) >> 11) * (1.0 / 9007199254740992.0); }

int sw_test_make_net(sw_net *net, int n, const sw_arr_spec *s, unsigned seed) {
  memset(net, 0, sizeof *net);
  sw_meta_init(&net->meta);
  net->n_arrays = n;
  net->arrays = calloc((size_t)n, sizeof *net->arrays);
  net->sample_rate = 48000;
  snprintf(net->version, sizeof net->version, "0.7.0");
  for (int i = 0; i < n; i++) {
    sw_array_cfg *a = &net->arrays[i];
    a->input_size = i ? s[i - 1].C : 1;
    a->condition_size = 1;
    a->channels = s[i].C;
    a->head_size = s[i].H;
    a->head_kernel = s[i].head_kernel ? s[i].head_kernel : 1;
    a->head_bias = s[i].head_bias;
    a->layer1x1 = !s[i].no_layer1x1;
    a->n_layers = s[i].n_layers;
    a->layers = calloc((size_t)a->n_layers, sizeof *a->layers);
    for (int l = 0; l < a->n_layers; l++) {
      a->layers[l].kernel = s[i].K;
      a->layers[l].dilation = s[i].dil[l];
      a->layers[l].act.kind = s[i].act;
      a->layers[l].act.alpha = s[i].act == SW_ACT_LEAKY_RELU ? 0.05f : 0.0f;
      a->layers[l].gated = s[i].gated;
    }
    a->slimmable = s[i].allowed != NULL;
    a->n_allowed = s[i].allowed ? s[i].n_allowed : a->channels;
    a->allowed = calloc((size_t)a->n_allowed, sizeof(int));
    for (int j = 0; j < a->n_allowed; j++) a->allowed[j] = s[i].allowed ? s[i].allowed[j] : j + 1;
  }
  net->nw = sw_net_count_weights(net);
  net->w = malloc(sizeof(float) * (size_t)net->nw);
  sw_layout L;
  if (sw_net_check(net, "synthetic", NULL, NULL) || sw_layout_make(net, &L, NULL)) return -1;
  unsigned long long st = seed * 0x9e3779b97f4a7c15ULL + 1;
  /* fan-in scaling per tensor: walk the layout */
  for (long k = 0; k < net->nw; k++) net->w[k] = (float)(2 * rng_unit(&st) - 1);
  for (int i = 0; i < n; i++) {
    const sw_array_cfg *a = &net->arrays[i];
    const sw_array_off *o = &L.arrays[i];
    long C = a->channels;
    for (long k = 0; k < C * a->input_size; k++) net->w[o->r + k] /= sqrtf((float)a->input_size);
    for (int l = 0; l < a->n_layers; l++) {
      long cm = a->layers[l].gated ? 2 * C : C, K = a->layers[l].kernel;
      for (long k = 0; k < cm * C * K; k++) net->w[o->layers[l].w + k] /= sqrtf((float)(C * K));
      if (a->layer1x1)
        for (long k = 0; k < C * C; k++) net->w[o->layers[l].v + k] /= sqrtf((float)C);
    }
    for (long k = 0; k < (long)a->head_size * C * a->head_kernel; k++) net->w[o->g + k] /= sqrtf((float)(C * a->head_kernel));
  }
  net->w[L.head_scale] = net->head_scale = 0.1f;
  sw_layout_free(&L);
  return 0;
}

void sw_test_signal(float *x, long n, unsigned seed) {
  unsigned long long st = seed * 0x2545f4914f6cdd1dULL + 7;
  double ph = 0, f = 110;
  for (long t = 0; t < n; t++) {
    if (t % 4800 == 0) f = 82.4 * pow(2, (double)(rng_next(&st) % 24) / 12);
    double env = exp(-(double)(t % 4800) / 1500.0);
    ph += 2 * M_PI * f / 48000;
    x[t] = (float)(0.4 * env * (sin(ph) + 0.3 * sin(3 * ph)) + 0.02 * (2 * rng_unit(&st) - 1));
  }
}
