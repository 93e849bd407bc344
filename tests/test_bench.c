/* `slimwave bench` behaviour (never timings): the CSV has its header, one row per backend x width
   x block asked, every column parses, rtf > 0, macs_per_sample equals sw_net_macs at the row's
   channels, the material is the given file; with --plugin a row per width and block through the
   LV2 plugin; bad arguments fail with one line and exit codes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../core/audio.h"
#include "../core/backend.h"
#include "../core/nam_file.h"
#include "check.h"
#include "netgen.h"

#define MAXF 40
#define MAXR 512

/* Splits one CSV line (quotes with "" escapes) in place; returns the field count. */
static int split_csv(char *s, char **f) {
  int n = 0;
  char *w = s;
  while (n < MAXF) {
    f[n++] = w;
    if (*s == '"') {
      s++;
      for (;;) {
        if (!*s) return -1;
        if (*s == '"' && s[1] == '"') { *w++ = '"'; s += 2; }
        else if (*s == '"') { s++; break; }
        else *w++ = *s++;
      }
    } else {
      while (*s && *s != ',') *w++ = *s++;
    }
    if (!*s) { *w = 0; return n; }
    if (*s != ',') return -1;
    *w++ = 0;
    s++;
  }
  return -1;
}

static int col(char **hdr, int n, const char *name) {
  for (int i = 0; i < n; i++)
    if (!strcmp(hdr[i], name)) return i;
  return -1;
}

/* Runs a shell command with stdout/stderr to files; returns the exit code. */
static int run(const char *cmd, const char *out, const char *errf) {
  char full[4096];
  snprintf(full, sizeof full, "%s >%s 2>%s", cmd, out, errf);
  int st = system(full);
  return st == -1 ? -1 : WEXITSTATUS(st);
}

static long count_lines(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  long n = 0;
  int c, last = '\n';
  while ((c = fgetc(f)) != EOF) { if (c == '\n') n++; last = c; }
  fclose(f);
  return n + (last != '\n');
}

int main(void) {
  char dir[] = "/tmp/sw_test_bench_XXXXXX";
  if (!mkdtemp(dir)) { fprintf(stderr, "mkdtemp failed\n"); return 1; }
  char model[256], wav[256], out[256], errf[256], cmd[2048];
  snprintf(model, sizeof model, "%s/m.nam", dir);
  snprintf(wav, sizeof wav, "%s/in.wav", dir);
  snprintf(out, sizeof out, "%s/out.csv", dir);
  snprintf(errf, sizeof errf, "%s/err.txt", dir);

  static const int d1[] = {1, 2, 4}, d2[] = {1, 8};
  sw_arr_spec spec[2] = {{.C = 4, .H = 2, .K = 3, .n_layers = 3, .dil = d1, .act = SW_ACT_TANH},
                         {.C = 2, .H = 1, .K = 2, .n_layers = 2, .dil = d2, .act = SW_ACT_TANH, .head_bias = true}};
  sw_net net;
  sw_model m;
  sw_err err;
  CHECK(sw_test_make_net(&net, 2, spec, 7) == 0, "make net");
  CHECK(sw_model_from_net(&net, &m, &err) == 0 && sw_model_save(&m, model, &err) == 0, "save model");
  float x[24000];
  sw_test_signal(x, 24000, 3);
  CHECK(sw_audio_write(wav, x, 24000, 48000, &err) == 0, "write input");

  int nbe = 0;
  for (int i = 0; i < sw_backend_count(); i++) nbe += sw_backend_is_usable(sw_backend_at(i));
  sw_widths steps[64];
  int nw = sw_net_width_steps(&net, steps, 64);
  const int nbl = 2;
  snprintf(cmd, sizeof cmd, "%s bench %s --backends all --widths all --blocks 16,64 --seconds 0.02 --repeats 3 --input %s",
           SW_SLIMWAVE_BIN, model, wav);
  CHECK(run(cmd, out, errf) == 0, "bench exits 0: %s", cmd);
  CHECK(count_lines(out) == 1 + (long)nbe * nw * nbl, "%ld lines, want 1 + %d backends x %d widths x %d blocks",
        count_lines(out), nbe, nw, nbl);

  FILE *f = fopen(out, "r");
  static char lines[MAXR][4096];
  int nl = 0;
  while (f && nl < MAXR && fgets(lines[nl], sizeof lines[nl], f)) {
    lines[nl][strcspn(lines[nl], "\n")] = 0;
    nl++;
  }
  if (f) fclose(f);
  char *hdr[MAXF];
  int nh = nl ? split_csv(lines[0], hdr) : 0;
  static const char *need[] = {"backend", "fallbacks", "channels", "macs_per_sample", "block", "material", "audio_s",
                               "wall_s_median", "wall_s_min", "rtf", "gflops", "efficiency", "peak_gflops", "cpu",
                               "isa", "compiler", "flags", "threads", "commit", "fma_avx2_gflops"};
  int c[sizeof need / sizeof *need];
  for (size_t i = 0; i < sizeof need / sizeof *need; i++) {
    c[i] = col(hdr, nh, need[i]);
    CHECK(c[i] >= 0, "header has column %s", need[i]);
  }
  int seen[16][64][2] = {{{0}}};
  for (int r = 1; r < nl; r++) {
    char *fl[MAXF];
    int n = split_csv(lines[r], fl);
    CHECK(n == nh, "row %d: %d fields, header has %d", r, n, nh);
    if (n != nh || c[0] < 0 || c[2] < 0 || c[3] < 0 || c[4] < 0 || c[9] < 0 || c[6] < 0 || c[7] < 0 || c[8] < 0) continue;
    const sw_backend *be = sw_backend_find(fl[c[0]]);
    CHECK(be && sw_backend_is_usable(be), "row %d: backend \"%s\" is a usable one", r, fl[c[0]]);
    sw_widths w = {0};
    char *p = fl[c[2]];
    while (*p && w.n < SW_MAX_ARRAYS) { w.c[w.n++] = (int)strtol(p, &p, 10); if (*p == ',') p++; else break; }
    CHECK(sw_net_check_widths(&net, &w, &err) == 0, "row %d: channels \"%s\" valid", r, fl[c[2]]);
    CHECK(atol(fl[c[3]]) == sw_net_macs(&net, &w), "row %d: macs_per_sample %s, sw_net_macs %ld", r, fl[c[3]], sw_net_macs(&net, &w));
    int blk = atoi(fl[c[4]]);
    CHECK(blk == 16 || blk == 64, "row %d: block %d asked", r, blk);
    double rtf = strtod(fl[c[9]], NULL), med = strtod(fl[c[7]], NULL), mn = strtod(fl[c[8]], NULL);
    double audio = strtod(fl[c[6]], NULL), gf = strtod(fl[c[10]], NULL);
    CHECK(isfinite(rtf) && rtf > 0, "row %d: rtf %s > 0", r, fl[c[9]]);
    CHECK(mn > 0 && mn <= med, "row %d: 0 < wall_s_min %g <= median %g", r, mn, med);
    CHECK(fabs(rtf - audio / med) <= 1e-3 * rtf, "row %d: rtf = audio_s / wall_s_median", r);
    CHECK(fabs(audio - 0.02) < 1e-3, "row %d: audio_s %g", r, audio);
    CHECK(fabs(gf - 2e-9 * atol(fl[c[3]]) * audio * 48000 / med) <= 1e-3 * gf, "row %d: gflops from MACs", r);
    CHECK(!strcmp(fl[c[5]], "in.wav"), "row %d: material \"%s\" is the --input file", r, fl[c[5]]);
    CHECK(!strcmp(fl[c[17]], "1") && *fl[c[18]] && *fl[c[14]] && *fl[c[15]], "row %d: threads 1, commit/isa/compiler set", r);
    if (*fl[c[19]]) CHECK(strtod(fl[c[12]], NULL) >= strtod(fl[c[19]], NULL) && strtod(fl[c[11]], NULL) > 0,
                          "row %d: peak is the best ISA and efficiency > 0", r);
    int bi = -1, wi = -1;
    for (int i = 0; i < sw_backend_count(); i++) if (sw_backend_at(i) == be) bi = i;
    for (int i = 0; i < nw; i++) if (!memcmp(steps[i].c, w.c, sizeof(int) * (size_t)w.n) && steps[i].n == w.n) wi = i;
    if (bi >= 0 && bi < 16 && wi >= 0) seen[bi][wi][blk == 64]++;
  }
  for (int i = 0; i < sw_backend_count() && i < 16; i++)
    for (int w = 0; w < nw; w++)
      for (int b = 0; b < 2; b++)
        if (sw_backend_is_usable(sw_backend_at(i)))
          CHECK(seen[i][w][b] == 1, "backend %s width %d block %d: %d rows", sw_backend_at(i)->name, w, b ? 64 : 16, seen[i][w][b]);

  /* --plugin: a row per width and block through the LV2 plugin's run(), its width port and MACs
     those of the width, times positive, the load the CPU time over the block's budget. */
  snprintf(cmd, sizeof cmd, "%s bench %s --plugin --blocks 16,64 --seconds 0.02 --repeats 2 --input %s", SW_SLIMWAVE_BIN, model, wav);
  CHECK(run(cmd, out, errf) == 0, "bench --plugin exits 0: %s", cmd);
  CHECK(count_lines(out) == 1 + (long)nw * nbl, "--plugin: %ld lines, want 1 + %d widths x %d blocks", count_lines(out), nw, nbl);
  f = fopen(out, "r");
  static char pl[MAXR][4096];
  int np = 0;
  while (f && np < MAXR && fgets(pl[np], sizeof pl[np], f)) pl[np][strcspn(pl[np], "\n")] = 0, np++;
  if (f) fclose(f);
  char *ph[MAXF];
  int nph = np ? split_csv(pl[0], ph) : 0;
  static const char *pneed[] = {"channels", "width_port", "macs_per_sample", "block", "run_cpu_us_per_block",
                                "model_cpu_us_per_block", "budget_us_per_block", "run_load", "backend"};
  int pc[9], have = 1;
  for (int i = 0; i < 9; i++) {
    pc[i] = col(ph, nph, pneed[i]);
    CHECK(pc[i] >= 0, "--plugin header has column %s", pneed[i]);
    have &= pc[i] >= 0;
  }
  for (int r = 1; r < np && have; r++) {
    char *fl[MAXF];
    int n = split_csv(pl[r], fl);
    CHECK(n == nph, "--plugin row %d: %d fields, header has %d", r, n, nph);
    if (n != nph) continue;
    sw_widths w = {0};
    char *p = fl[pc[0]];
    while (*p && w.n < SW_MAX_ARRAYS) { w.c[w.n++] = (int)strtol(p, &p, 10); if (*p == ',') p++; else break; }
    double cpu = strtod(fl[pc[4]], NULL), budget = strtod(fl[pc[6]], NULL), load = strtod(fl[pc[7]], NULL);
    CHECK(sw_net_check_widths(&net, &w, &err) == 0 && atoi(fl[pc[1]]) == w.c[0] && atol(fl[pc[2]]) == sw_net_macs(&net, &w),
          "--plugin row %d: channels %s, width port %s, MACs %s", r, fl[pc[0]], fl[pc[1]], fl[pc[2]]);
    CHECK(cpu > 0 && strtod(fl[pc[5]], NULL) > 0 && fabs(budget - 1e6 * atoi(fl[pc[3]]) / 48000) < 1e-3 &&
          fabs(load - cpu / budget) <= 1e-3 * load + 1e-4, "--plugin row %d: cpu %g us, budget %g us, load %g", r, cpu, budget, load);
    CHECK(sw_backend_find(fl[pc[8]]) != NULL, "--plugin row %d: backend \"%s\"", r, fl[pc[8]]);
  }

  /* Bad input: one line on stderr naming the problem, the documented exit code, no CSV. */
  struct { const char *args; int code; const char *says; } bad[] = {
    {"%s bench %s/missing.nam", SW_EINPUT, "missing.nam"},
    {"%s bench %s/m.nam --blocks 0", SW_EUSAGE, "--blocks"},
    {"%s bench %s/m.nam --backends nosuch", SW_EUSAGE, "nosuch"},
    {"%s bench %s/m.nam --widths 99", SW_EUSAGE, "--widths"},
    {"%s bench %s/m.nam --input /nonexistent.wav", SW_EINPUT, "/nonexistent.wav"},
    {"%s bench %s/m.nam --plugin --widths all", SW_EUSAGE, "--plugin"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    snprintf(cmd, sizeof cmd, bad[i].args, SW_SLIMWAVE_BIN, dir);
    int rc = run(cmd, out, errf);
    char msg[1024] = "";
    FILE *e = fopen(errf, "r");
    if (e) { if (!fgets(msg, sizeof msg, e)) msg[0] = 0; fclose(e); }
    CHECK(rc == bad[i].code, "%s: exit %d, want %d", cmd, rc, bad[i].code);
    CHECK(strstr(msg, bad[i].says) != NULL && count_lines(errf) == 1, "%s: one line naming %s: %s", cmd, bad[i].says, msg);
    CHECK(count_lines(out) == 0, "%s: nothing on stdout", cmd);
  }
  remove(model); remove(wav); remove(out); remove(errf); rmdir(dir);
  sw_model_free(&m);
  sw_net_free(&net);
  return check_summary();
}
