/* Presets (weight counts, MACs, receptive field of SPEC section 1), CONFIG.json architectures
   through the core reader (and their refusals), and the two initialisations: bounds per
   tensor, spread, determinism, head_scale untouched, smallest_and_zeros' zero pattern. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../train/init.h"
#include "check.h"

static void presets(void) {
  static const struct { const char *name; long nw, macs; } want[] = {
      {"standard", 13802, 13320}, {"lite", 6554, 6228}, {"feather", 3026, 2808}, {"nano", 842, 732}, {"paper", 7098, 6856}};
  for (int i = 0; i < 5; i++) {
    sw_net net;
    sw_err err;
    int rc = sw_preset_make(want[i].name, &net, &err);
    CHECK(rc == 0, "preset %s: %s", want[i].name, rc ? err.msg : "");
    if (rc) continue;
    sw_widths full = sw_net_full_widths(&net);
    CHECK(net.nw == want[i].nw, "%s: %ld weights, SPEC says %ld", want[i].name, net.nw, want[i].nw);
    CHECK(sw_net_macs(&net, &full) == want[i].macs, "%s: %ld MACs/sample, SPEC says %ld", want[i].name, sw_net_macs(&net, &full), want[i].macs);
    float hs = !strcmp(want[i].name, "paper") ? 0.01f : 0.02f;
    CHECK(net.w[net.nw - 1] == hs && net.head_scale == hs, "%s: head_scale %g", want[i].name, net.w[net.nw - 1]);
    if (!strcmp(want[i].name, "paper")) CHECK(sw_net_receptive_field(&net) == 5116, "paper RF %ld", sw_net_receptive_field(&net));
    sw_net_free(&net);
  }
  sw_net net;
  sw_err err;
  int rc = sw_preset_make("huge", &net, &err);
  CHECK(rc == SW_EUSAGE && strstr(err.msg, "\"huge\"") && strstr(err.msg, "standard"), "unknown preset refused: %s", err.msg);
}

static const char *write_tmp(const char *name, const char *text) {
  static char path[8][256];
  static int k;
  char *p = path[k++ & 7];
  snprintf(p, 256, "%s/sw_test_init_%d_%s", P_tmpdir, (int)getpid(), name);
  FILE *f = fopen(p, "w");
  if (f) { fputs(text, f); fclose(f); }
  return p;
}

static void configs(void) {
  sw_net net, ref;
  sw_err err;
  /* the paper preset as a bare config object */
  const char *cfg_paper =
      "{\"layers\": [{\"input_size\": 1, \"condition_size\": 1, \"head_size\": 1, \"channels\": 8, \"kernel_size\": 6,"
      " \"dilations\": [1,4,16,64,256,1,4,16,64,256,1,4,16,64,256], \"activation\": \"Tanh\", \"gated\": false,"
      " \"head_bias\": true}], \"head\": null, \"head_scale\": 0.01}";
  const char *p1 = write_tmp("paper.json", cfg_paper);
  int rc = sw_arch_load(p1, &net, &err);
  CHECK(rc == 0, "config object: %s", rc ? err.msg : "");
  sw_preset_make("paper", &ref, &err);
  if (!rc) {
    CHECK(net.nw == 7098 && net.w[net.nw - 1] == 0.01f && net.head_scale == 0.01f, "config: %ld weights, head_scale %g", net.nw, net.w[net.nw - 1]);
    CHECK(memcmp(net.w, ref.w, sizeof(float) * (size_t)ref.nw) == 0, "config = preset (all zero but head_scale)");
    sw_net_free(&net);
  }
  sw_net_free(&ref);
  /* a whole .nam (weights ignored), 0.7 keys: per-layer kernels, gating_mode, slimmable list */
  const char *nam07 =
      "{\"version\": \"0.7.0\", \"architecture\": \"WaveNet\", \"config\": {\"layers\": [{\"input_size\": 1, \"condition_size\": 1,"
      " \"channels\": 6, \"kernel_sizes\": [3, 2], \"dilations\": [1, 2], \"activation\": {\"type\": \"Tanh\"},"
      " \"gating_mode\": [\"gated\", \"none\"], \"head\": {\"out_channels\": 1, \"kernel_size\": 4, \"bias\": true},"
      " \"slimmable\": {\"method\": \"slice_channels_uniform\", \"kwargs\": {\"allowed_channels\": [2, 6]}}}],"
      " \"head_scale\": 0.5}, \"weights\": [1, 2, 3]}";
  const char *p2 = write_tmp("a07.nam", nam07);
  rc = sw_arch_load(p2, &net, &err);
  CHECK(rc == 0, "0.7 .nam as architecture: %s", rc ? err.msg : "");
  if (!rc) {
    /* R 6 + layer 1 gated (12*6*3 + 12 + 12 + 36 + 6) + layer 2 (6*6*2 + 6 + 6 + 36 + 6) + head 1*6*4 + 1 + 1 */
    long want = 6 + (216 + 12 + 12 + 36 + 6) + (72 + 6 + 6 + 36 + 6) + 24 + 1 + 1;
    CHECK(net.nw == want && sw_net_count_weights(&net) == want, "0.7 config: %ld weights, expected %ld", net.nw, want);
    CHECK(net.arrays[0].layers[0].gated && !net.arrays[0].layers[1].gated && net.arrays[0].head_kernel == 4, "0.7 keys parsed");
    CHECK(net.arrays[0].n_allowed == 2 && net.arrays[0].allowed[0] == 2 && net.arrays[0].slimmable, "slimmable list parsed");
    CHECK(net.head_scale == 0.5f, "head_scale from the config");
    sw_net_free(&net);
  }
  CHECK(sw_arch_load("standard", &net, &err) == 0 && net.nw == 13802, "preset by name");
  sw_net_free(&net);
  /* refusals name the file */
  const char *p3 = write_tmp("lstm.nam", "{\"version\": \"0.5.4\", \"architecture\": \"LSTM\", \"config\": {}, \"weights\": []}");
  rc = sw_arch_load(p3, &net, &err);
  CHECK(rc == SW_EINPUT && strstr(err.msg, p3) && strstr(err.msg, "LSTM"), "LSTM refused: %s", err.msg);
  const char *p4 = write_tmp("bad.json", "{\"layers\": [{\"input_size\": 1, \"condition_size\": 1, \"head_size\": 1, \"kernel_size\": 3,"
                                         " \"dilations\": [1], \"activation\": \"Tanh\"}]}");
  rc = sw_arch_load(p4, &net, &err);
  CHECK(rc == SW_EINPUT && strstr(err.msg, p4) && strstr(err.msg, "channels"), "missing channels refused: %s", err.msg);
  const char *p5 = write_tmp("junk.json", "{\"layers\": ");
  rc = sw_arch_load(p5, &net, &err);
  CHECK(rc == SW_EINPUT && strstr(err.msg, p5) && strstr(err.msg, "malformed"), "malformed JSON refused: %s", err.msg);
  const char *p6 = write_tmp("obj.json", "{\"foo\": 1}");
  rc = sw_arch_load(p6, &net, &err);
  CHECK(rc == SW_EINPUT && strstr(err.msg, "layers"), "object without layers refused: %s", err.msg);
  rc = sw_arch_load("/nonexistent/arch.json", &net, &err);
  CHECK(rc != 0 && strstr(err.msg, "/nonexistent/arch.json"), "missing file refused: %s", err.msg);
  const char *ps[] = {p1, p2, p3, p4, p5, p6};
  for (int i = 0; i < 6; i++) unlink(ps[i]);
}

typedef struct tens { long off, n; double fan; } tens;

/* Every tensor of a full init within its bound, spread over it (max |w| close to the bound,
   mean square near b^2/3), head_scale untouched. */
static void standard_init(void) {
  sw_net net;
  sw_err err;
  sw_rng r;
  sw_preset_make("standard", &net, &err);
  sw_rng_seed(&r, 1);
  CHECK(sw_net_init(&net, SW_INIT_STANDARD, &r, &err) == 0, "init: %s", err.msg);
  sw_layout L;
  sw_layout_make(&net, &L, &err);
  int inb = 1;
  double worst_ratio = 1;
  for (int i = 0; i < 2; i++) {
    const sw_array_cfg *a = &net.arrays[i];
    long C = a->channels;
    tens t[64];
    int nt = 0;
    t[nt++] = (tens){L.arrays[i].r, C * a->input_size, (double)a->input_size};
    for (int l = 0; l < a->n_layers; l++) {
      const sw_layer_off *o = &L.arrays[i].layers[l];
      t[nt++] = (tens){o->w, C * C * 3, C * 3.0};
      t[nt++] = (tens){o->b, C, C * 3.0};
      t[nt++] = (tens){o->m, C, 1.0};
      t[nt++] = (tens){o->v, C * C, (double)C};
      t[nt++] = (tens){o->vb, C, (double)C};
    }
    t[nt++] = (tens){L.arrays[i].g, a->head_size * C, (double)C};
    if (L.arrays[i].gb >= 0) t[nt++] = (tens){L.arrays[i].gb, a->head_size, (double)C};
    for (int k = 0; k < nt; k++) {
      double b = 1 / sqrt(t[k].fan), mx = 0, ms = 0;
      for (long j = 0; j < t[k].n; j++) {
        double w = net.w[t[k].off + j];
        inb &= fabs(w) <= b;
        mx = fmax(mx, fabs(w));
        ms += w * w;
      }
      /* big tensors: max |w| > 0.9 b and mean square within 20% of b^2/3 */
      if (t[k].n >= 256) {
        double ratio = ms / t[k].n / (b * b / 3);
        if (mx < 0.9 * b || fabs(ratio - 1) > 0.2) worst_ratio = ratio;
      }
    }
  }
  CHECK(inb, "every weight within 1/sqrt(fan_in) of its tensor");
  CHECK(worst_ratio == 1, "large tensors spread over U(-b, b) (mean square ratio %g)", worst_ratio);
  CHECK(net.w[net.nw - 1] == 0.02f, "head_scale untouched");
  /* deterministic per seed, different across seeds */
  sw_net b2;
  sw_net_copy(&net, &b2, &err);
  sw_rng_seed(&r, 1);
  sw_net_init(&b2, SW_INIT_STANDARD, &r, &err);
  CHECK(memcmp(net.w, b2.w, sizeof(float) * (size_t)net.nw) == 0, "same seed, same weights");
  sw_rng_seed(&r, 2);
  sw_net_init(&b2, SW_INIT_STANDARD, &r, &err);
  CHECK(memcmp(net.w, b2.w, sizeof(float) * (size_t)net.nw) != 0, "other seed, other weights");
  sw_layout_free(&L);
  sw_net_free(&b2);
  sw_net_free(&net);
}

/* smallest_and_zeros: the slice at the smallest widths is initialised (every entry nonzero),
   everything else is zero, so the full net computes exactly what the smallest one does. */
static void smallest_and_zeros(void) {
  sw_net nets[2];
  sw_err err;
  sw_preset_make("paper", &nets[0], &err);
  sw_preset_make("standard", &nets[1], &err);
  /* paper with NAM's list 2,4,8 */
  nets[0].arrays[0].n_allowed = 3;
  nets[0].arrays[0].allowed[0] = 2; nets[0].arrays[0].allowed[1] = 4; nets[0].arrays[0].allowed[2] = 8;
  for (int k = 0; k < 2; k++) {
    sw_net *net = &nets[k];
    sw_rng r;
    sw_rng_seed(&r, 5);
    CHECK(sw_net_init(net, SW_INIT_SMALLEST_AND_ZEROS, &r, &err) == 0, "init: %s", err.msg);
    sw_widths s = sw_net_widths_for_slim(net, 0.0);
    sw_net small;
    CHECK(sw_net_slice(net, &s, &small, &err) == 0, "slice: %s", err.msg);
    long nz_small = 0, nz_full = 0;
    for (long j = 0; j + 1 < small.nw; j++) nz_small += small.w[j] != 0;
    for (long j = 0; j + 1 < net->nw; j++) nz_full += net->w[j] != 0;
    CHECK(nz_small == small.nw - 1 && nz_full == nz_small, "net %d: %ld of %ld slice entries set, %ld nonzero in the full net", k, nz_small, small.nw - 1, nz_full);
    /* bound of the slice: its conv weights use fan_in = c_min * K */
    sw_layout L;
    sw_layout_make(net, &L, &err);
    const sw_layer_cfg *ly = &net->arrays[0].layers[0];
    double b = 1 / sqrt((double)s.c[0] * ly->kernel), mx = 0;
    long C = net->arrays[0].channels;
    for (long row = 0; row < s.c[0]; row++)
      for (long j = 0; j < s.c[0] * ly->kernel; j++) mx = fmax(mx, fabs(net->w[L.arrays[0].layers[0].w + row * C * ly->kernel + j]));
    CHECK(mx <= b && mx > 0.3 * b, "net %d: slice conv weights within 1/sqrt(%d*%d): max %g", k, s.c[0], ly->kernel, mx);
    sw_layout_free(&L);
    sw_net_free(&small);
    sw_net_free(net);
  }
  sw_init_kind kind;
  CHECK(sw_init_parse("smallest_and_zeros", &kind, &err) == 0 && kind == SW_INIT_SMALLEST_AND_ZEROS, "parse init");
  int rc = sw_init_parse("xavier", &kind, &err);
  CHECK(rc == SW_EUSAGE && strstr(err.msg, "xavier"), "unknown init refused: %s", err.msg);
}

int main(void) {
  presets();
  configs();
  standard_init();
  smallest_and_zeros();
  return check_summary();
}
