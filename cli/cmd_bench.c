/* slimwave bench MODEL.nam [--backends all|a,b] [--widths all|full|LIST] [--blocks LIST] [--seconds S]
   [--repeats N] [--input WAV] [--fast-tanh]: CSV rows (header first) on stdout, one per
   backend x width x block, each with its own build and machine facts (SPEC section 6).
   --plugin: the LV2 plugin's run() per block at every width instead (lv2/plugin_bench.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../backends/cpu.h"
#include "../bench/bench.h"
#include "../bench/fma_peak.h"
#include "../core/archs.h"
#include "../core/nam_file.h"
#include "../lv2/plugin_bench.h"
#include "cli.h"

static const char *usage =
  "usage: slimwave bench MODEL.nam [--backends all|NAME,NAME..] [--widths all|full|C1,C2:C1,C2..]\n"
  "                      [--blocks N,N..] [--seconds S] [--repeats N] [--input WAV] [--fast-tanh]\n"
  "       slimwave bench MODEL.nam --plugin [--blocks N,N..] [--seconds S] [--repeats N] [--input WAV]\n"
  "Times streaming inference on one thread and writes CSV (header line first) to stdout, one row\n"
  "per backend x width x block. rtf = audio seconds / median wall seconds; efficiency = GFLOP/s\n"
  "over the single-core FMA peak this run measures (best of AVX2 and, where usable, AVX-512).\n"
  "  --backends   all usable ones (default) or a comma list, e.g. naive,blas\n"
  "  --widths     full (default), all (every width step of the model), or channel lists per\n"
  "               layer array separated by ':', e.g. 16,8:8,4\n"
  "  --blocks     block sizes (default 64)\n"
  "  --seconds S  audio per timed repeat (default 2); --repeats N timed repeats (default 5)\n"
  "  --input WAV  program material (default: the first DI recording in\n"
  "               $SLIMWAVE_SHARED or ../shared, datasets/di_guitar_nam_wasm; else generated)\n"
  "  --fast-tanh  the rational tanh instead of the exact one\n"
  "Repeats of all block sizes, widths and backends are interleaved, so all of them are open at\n"
  "once: memory grows with their product (A1 standard, 4096-sample blocks: ~6 MB each).\n"
  "rtf uses the median wall time, rtf_best the fastest repeat, rtf_cpu the median thread CPU time\n"
  "(not lowered by other load).\n"
  "The FMA peak (thread CPU time) is measured at the start and after every round of repeats; each\n"
  "row divides by the best seen.\n"
  "--plugin: the LV2 plugin of this build (build/lv2/slimwave.lv2) loads MODEL.nam through its worker\n"
  "and its slim knob is moved to every width (a container: every submodel); per width and block size\n"
  "one row: the thread CPU and wall time of run() per block (medians of repeats), the same for the\n"
  "model alone at that width, and the share of the block's real-time budget run() takes.\n";

#define MAX_ITEMS 64

/* CSV field: quoted when it holds a comma, quote or newline. */
static void field(const char *s, int last) {
  if (strpbrk(s, ",\"\n")) {
    putchar('"');
    for (; *s; s++) {
      if (*s == '"') putchar('"');
      putchar(*s == '\n' ? ' ' : *s);
    }
    putchar('"');
  } else {
    fputs(s, stdout);
  }
  putchar(last ? '\n' : ',');
}

static void fieldf(const char *fmt, double v, int last) {
  char b[64];
  if (isfinite(v)) snprintf(b, sizeof b, fmt, v);
  else b[0] = 0;
  field(b, last);
}

static void row(const sw_backend *be, const sw_bench_result *r, bool fast, const char *model, const sw_widths *w,
                int block, const char *material, double rate, const sw_fma_peak *pk, const char *feats) {
  char ch[128], num[64];
  cli_widths_str(w, ch, sizeof ch);
  double flop = 2.0 * (double)r->macs_per_sample * r->audio_s * rate * 1e-9;
  double gflops = flop / r->wall_median, gflops_cpu = flop / r->cpu_median, pkg = pk->best_gflops;
  field(be->name, 0);
  snprintf(num, sizeof num, "%d", r->fallbacks);
  field(num, 0);
  field(r->impl, 0);
  field(fast ? "fast" : "exact", 0);
  field(model, 0);
  field(ch, 0);
  snprintf(num, sizeof num, "%ld", r->macs_per_sample);
  field(num, 0);
  snprintf(num, sizeof num, "%d", block);
  field(num, 0);
  field(material, 0);
  fieldf("%.4f", r->audio_s, 0);
  snprintf(num, sizeof num, "%d", r->repeats);
  field(num, 0);
  fieldf("%.6g", r->wall_median, 0);
  fieldf("%.6g", r->wall_min, 0);
  fieldf("%.6g", r->cpu_median, 0);
  fieldf("%.4g", r->audio_s / r->wall_median, 0);
  fieldf("%.4g", r->audio_s / r->wall_min, 0);
  fieldf("%.4g", r->audio_s / r->cpu_median, 0);
  fieldf("%.4g", gflops, 0);
  fieldf("%.4g", pkg > 0 ? gflops / pkg : NAN, 0);
  fieldf("%.4g", pkg > 0 ? gflops_cpu / pkg : NAN, 0);
  fieldf("%.4g", pkg > 0 ? pkg : NAN, 0);
  field(pk->best_isa, 0);
  fieldf("%.4g", pk->avx2_ok ? pk->avx2_gflops : NAN, 0);
  fieldf("%.4g", pk->avx512_ok ? pk->avx512_gflops : NAN, 0);
  field(sw_cpu_get()->model, 0);
  field(feats, 0);
  field(be->isa, 0);
  field(sw_bench_compiler(), 0);
  field(sw_bench_flags(), 0);
  field("1", 0);
  field(sw_bench_commit(), 1);
  fflush(stdout);
}

static int parse_backends(const char *s, const sw_backend **out, int *n, sw_err *err) {
  *n = 0;
  if (!s || !strcmp(s, "all")) {
    for (int i = 0; i < sw_backend_count() && *n < MAX_ITEMS; i++)
      if (sw_backend_is_usable(sw_backend_at(i))) out[(*n)++] = sw_backend_at(i);
    return SW_OK;
  }
  char buf[512];
  snprintf(buf, sizeof buf, "%s", s);
  for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
    const sw_backend *b = sw_backend_find(t);
    if (!b) return sw_fail(err, SW_EUSAGE, "--backends: no backend \"%s\" in this build (see slimwave backends)", t);
    if (!sw_backend_is_usable(b)) return sw_fail(err, SW_EUSAGE, "--backends: %s cannot run on this CPU", t);
    if (*n >= MAX_ITEMS) return sw_fail(err, SW_EUSAGE, "--backends: too many entries");
    out[(*n)++] = b;
  }
  if (!*n) return sw_fail(err, SW_EUSAGE, "--backends: empty list");
  return SW_OK;
}

static int parse_widths(const char *s, const sw_net *net, sw_widths *out, int *n, sw_err *err) {
  *n = 0;
  if (!s || !strcmp(s, "full")) { out[0] = sw_net_full_widths(net); *n = 1; return SW_OK; }
  if (!strcmp(s, "all")) { *n = sw_net_width_steps(net, out, MAX_ITEMS); return SW_OK; }
  char buf[512];
  snprintf(buf, sizeof buf, "%s", s);
  for (char *save = NULL, *t = strtok_r(buf, ":", &save); t; t = strtok_r(NULL, ":", &save)) {
    if (*n >= MAX_ITEMS) return sw_fail(err, SW_EUSAGE, "--widths: too many entries");
    int rc = cli_widths(t, &out[*n], err);
    if (!rc) rc = sw_net_check_widths(net, &out[*n], err);
    if (rc) return sw_fail(err, SW_EUSAGE, "--widths: %s", err->msg);
    (*n)++;
  }
  if (!*n) return sw_fail(err, SW_EUSAGE, "--widths: empty list");
  return SW_OK;
}

static int parse_blocks(const char *s, int *out, int *n, sw_err *err) {
  *n = 0;
  char buf[512];
  snprintf(buf, sizeof buf, "%s", s ? s : "64");
  for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
    long v;
    if (*n >= MAX_ITEMS) return sw_fail(err, SW_EUSAGE, "--blocks: too many entries");
    int rc = cli_int("--blocks", t, 1, 1 << 16, &v, err);
    if (rc) return rc;
    out[(*n)++] = (int)v;
  }
  if (!*n) return sw_fail(err, SW_EUSAGE, "--blocks: empty list");
  return SW_OK;
}

/* --plugin: a row per width and block size, what the slim knob buys through the plugin's own run(). */
static int plugin_rows(const char *model, const sw_net *net, const float *x, long n, const int *blocks, int nbl, double seconds,
                       int repeats, sw_err *err) {
  char bundle[4200], backend[64] = "", feats[256];
  int rc = cli_lv2_bundle(NULL, bundle, sizeof bundle, err);
  if (rc) return rc;
  sw_cpu_flags(feats, sizeof feats);
  const char *base = strrchr(model, '/');
  puts("model,channels,width_port,macs_per_sample,block,audio_s,repeats,run_cpu_us_per_block,run_wall_us_per_block,"
       "model_cpu_us_per_block,model_wall_us_per_block,budget_us_per_block,run_load,rtf_cpu,rtf_model_cpu,backend,cpu,commit");
  static sw_plugin_bench_row rows[SW_MAX_CHANNELS + SW_MAX_SUBMODELS];
  for (int k = 0; k < nbl && !rc; k++) {
    int nr = 0;
    rc = sw_plugin_bench(bundle, model, net->sample_rate, x, n, blocks[k], seconds, repeats, rows,
                         (int)(sizeof rows / sizeof *rows), &nr, backend, sizeof backend, err);
    for (int i = 0; i < nr; i++) {
      const sw_plugin_bench_row *r = &rows[i];
      double budget = 1e6 * r->block / net->sample_rate;
      field(base ? base + 1 : model, 0);
      field(r->widths, 0);
      printf("%d,%ld,%d,%.4f,%d,%.3f,%.3f,%.3f,%.3f,%.3f,%.4f,%.1f,%.1f,%s,", r->channels, r->macs, r->block, r->audio_s, repeats,
             r->run_cpu_us, r->run_wall_us, r->direct_cpu_us, r->direct_wall_us, budget, r->run_cpu_us / budget,
             budget / r->run_cpu_us, budget / r->direct_cpu_us, backend);
      field(sw_cpu_get()->model, 0);
      field(sw_bench_commit(), 1);
    }
  }
  return rc;
}

int cmd_bench(int argc, char **argv) {
  if (cli_is_help(argc, argv)) { fputs(usage, stdout); return 0; }
  const char *be_s = NULL, *w_s = NULL, *bl_s = NULL, *sec_s = NULL, *rep_s = NULL, *in_s = NULL;
  bool fast = false, plugin = false;
  cli_opt opts[] = {{"--backends", &be_s, NULL}, {"--widths", &w_s, NULL}, {"--blocks", &bl_s, NULL},
                    {"--seconds", &sec_s, NULL}, {"--repeats", &rep_s, NULL}, {"--input", &in_s, NULL},
                    {"--fast-tanh", NULL, &fast}, {"--plugin", NULL, &plugin}};
  const char *pos[1];
  int npos = 0, nbe = 0, nw = 0, nbl = 0, blocks[MAX_ITEMS];
  const sw_backend *bes[MAX_ITEMS];
  sw_widths widths[MAX_ITEMS];
  double seconds = 2.0;
  long repeats = 5;
  sw_err err = {0};
  int rc = cli_parse(argc, argv, opts, 8, pos, 1, &npos, &err);
  if (!rc && npos != 1) rc = sw_fail(&err, SW_EUSAGE, "expected MODEL.nam (see --help)");
  if (!rc && plugin && (be_s || w_s || fast))
    rc = sw_fail(&err, SW_EUSAGE, "--plugin times every width on the plugin's own backend: drop --backends, --widths and --fast-tanh");
  if (!rc && sec_s) rc = cli_double("--seconds", sec_s, 0.001, 3600.0, &seconds, &err);
  if (!rc && rep_s) rc = cli_int("--repeats", rep_s, 1, 1000, &repeats, &err);
  if (!rc) rc = parse_backends(be_s, bes, &nbe, &err);
  if (!rc) rc = parse_blocks(bl_s, blocks, &nbl, &err);
  if (rc) { fprintf(stderr, "slimwave bench: %s\n", err.msg); return rc; }

  sw_model m;
  if ((rc = sw_model_load(pos[0], &m, &err))) { fprintf(stderr, "slimwave bench: %s\n", err.msg); return rc; }
  const sw_net *net = sw_model_pick(&m, 1.0);
  if (net->arch != SW_ARCH_WAVENET) { /* one path for it: the backends are the WaveNet's */
    fprintf(stderr, "slimwave bench: %s runs on the naive path only\n", sw_arch_name(net->arch));
    bes[0] = sw_backend_naive();
    nbe = 1;
  }
  float *x = NULL;
  long n = 0;
  char material[256];
  if ((rc = parse_widths(w_s, net, widths, &nw, &err))) goto done;
  if ((rc = sw_bench_material(in_s, (int)net->sample_rate, &x, &n, material, sizeof material, &err))) goto done;
  if (plugin) { rc = plugin_rows(pos[0], net, x, n, blocks, nbl, seconds, (int)repeats, &err); goto done; }

  sw_fma_peak pk;
  sw_fma_peak_measure(0.3, &pk);
  char feats[256], model[256];
  sw_cpu_flags(feats, sizeof feats);
  const char *base = strrchr(pos[0], '/');
  snprintf(model, sizeof model, "%s", base ? base + 1 : pos[0]);
  puts("backend,fallbacks,impl,tanh,model,channels,macs_per_sample,block,material,audio_s,repeats,wall_s_median,"
       "wall_s_min,cpu_s_median,rtf,rtf_best,rtf_cpu,gflops,efficiency,efficiency_cpu,peak_gflops,peak_isa,"
       "fma_avx2_gflops,fma_avx512_gflops,cpu,cpu_features,isa,compiler,flags,threads,commit");
  fflush(stdout);
  /* The cells of every block size, width and backend are open together and their repeats
     interleaved round-robin, so a slow phase of the machine (on a shared host they last seconds
     to minutes) hits every cell alike and the curves of one run (RTF against width, against
     block size, per backend) stay comparable. Rows come out, block size by block size, once all
     repeats are done; the FMA peak is measured again after every round and each row divides by
     the best seen. */
  const int per_block = nw * nbe, ncell = per_block * nbl;
  sw_bench **cells = calloc((size_t)ncell, sizeof *cells);
  if (!cells) { rc = sw_fail(&err, SW_ENOMEM, "out of memory"); goto done; }
  for (int c = 0; c < ncell && !rc; c++) {
    int k = c / per_block, i = c % per_block;
    rc = sw_bench_open(net, bes[i % nbe], &widths[i / nbe], x, n, blocks[k], seconds, fast, (int)repeats, &cells[c],
                       &err);
  }
  for (int j = 0; j < repeats && !rc; j++) {
    for (int c = 0; c < ncell; c++) sw_bench_repeat(cells[c]);
    sw_fma_peak p2;
    sw_fma_peak_measure(0.1, &p2);
    if (p2.avx2_gflops > pk.avx2_gflops) pk.avx2_gflops = p2.avx2_gflops;
    if (p2.avx512_gflops > pk.avx512_gflops) pk.avx512_gflops = p2.avx512_gflops;
    if (p2.best_gflops > pk.best_gflops) { pk.best_gflops = p2.best_gflops; pk.best_isa = p2.best_isa; }
  }
  for (int c = 0; c < ncell && !rc; c++) {
    int k = c / per_block, i = c % per_block;
    sw_bench_result r;
    sw_bench_result_get(cells[c], &r);
    row(bes[i % nbe], &r, fast, model, &widths[i / nbe], blocks[k], material, net->sample_rate, &pk, feats);
  }
  for (int c = 0; c < ncell; c++) sw_bench_close(cells[c]);
  free(cells);
done:
  if (rc) fprintf(stderr, "slimwave bench: %s\n", err.msg);
  free(x);
  sw_model_free(&m);
  return rc;
}
