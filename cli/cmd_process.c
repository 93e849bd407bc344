/* slimwave process MODEL.nam IN OUT [--slim V | --channels C1[,C2..] | --sweep] [--block N] [--backend B] [--fast-tanh] */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "../core/atomic_file.h"
#include "../core/audio.h"
#include "../core/archs.h"
#include "../core/nam_file.h"
#include "../core/runner.h"
#include "cli.h"

static const char *usage =
  "usage: slimwave process MODEL.nam IN OUT [--slim V | --channels C1[,C2..]] [--block N]\n"
  "                        [--backend NAME] [--fast-tanh]\n"
  "Renders IN (any format libsndfile reads; mono, or the first channel) through the model and\n"
  "writes OUT as 32-bit float WAV. The rate of IN must match the model's.\n"
  "  --slim V       width by slim value in [0,1] (0 smallest, 1 full; containers pick a submodel)\n"
  "  --channels C   explicit channels per layer array, e.g. 8 or 12,6\n"
  "  --block N      streaming block size (default 64)\n"
  "  --backend B    a backend from `slimwave backends` (default: SLIMWAVE_BACKEND or the best)\n"
  "  --fast-tanh    rational tanh (max error 7.3e-5) instead of the exact one\n"
  "  --sweep        OUT is a folder: render IN at every width (every submodel of a container)\n"
  "                 into OUT/<channels>.wav, with OUT/widths.csv: channels, MACs/sample, ESR\n"
  "                 against the full width, real-time factor of the render (one thread)\n";

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/* sw_runner_create does not know the file: "model: ..." becomes "PATH: ..." */
static void name_model(sw_err *err, const char *path) {
  if (strncmp(err->msg, "model: ", 7)) return;
  char m[sizeof err->msg];
  snprintf(m, sizeof m, "%s: %s", path, err->msg + 7);
  memcpy(err->msg, m, sizeof m);
}

/* Renders x at widths w of net into y; returns the real-time factor of the render. */
static double render(sw_runner *wn, const float *x, float *y, long n, int block, double rate) {
  sw_runner_reset(wn);
  double t0 = now_s();
  for (long t = 0; t < n; t += block) sw_runner_process(wn, x + t, y + t, n - t < block ? n - t : block);
  double dt = now_s() - t0;
  return dt > 0 ? (n / rate) / dt : 0;
}

static int sweep(const sw_model *m, const sw_audio *in, const char *dir, const sw_run_opts *ro, sw_err *err) {
  if (mkdir(dir, 0777) && errno != EEXIST) return sw_fail(err, SW_EOUTPUT, "%s: cannot create folder: %s", dir, strerror(errno));
  struct stat st;
  if (stat(dir, &st) || !S_ISDIR(st.st_mode)) return sw_fail(err, SW_EOUTPUT, "%s: not a folder (--sweep writes a folder)", dir);
  /* the entries: every width step of a plain model, every submodel of a container */
  int n_entries = 0;
  const sw_net *nets[SW_MAX_CHANNELS + SW_MAX_SUBMODELS];
  sw_widths ws[SW_MAX_CHANNELS + SW_MAX_SUBMODELS];
  if (m->container) {
    for (int i = 0; i < m->n_sub; i++) { nets[n_entries] = &m->sub[i]; ws[n_entries++] = sw_net_full_widths(&m->sub[i]); }
  } else {
    int k = sw_net_width_steps(&m->sub[0], ws, SW_MAX_CHANNELS);
    for (n_entries = 0; n_entries < k && n_entries < SW_MAX_CHANNELS; n_entries++) nets[n_entries] = &m->sub[0];
  }
  float *full = malloc(sizeof(float) * (size_t)in->n), *y = malloc(sizeof(float) * (size_t)in->n);
  char *csv = malloc(64 * 1024);
  size_t len = 0;
  int rc = full && y && csv ? SW_OK : sw_fail(err, SW_ENOMEM, "out of memory");
  if (!rc) len = (size_t)snprintf(csv, 64 * 1024, "channels,macs_per_sample,esr_vs_full,rtf,backend,block,file\n");
  /* the reference: the last entry (full width, or the largest submodel) */
  for (int j = n_entries - 1; !rc && j >= 0; j--) {
    sw_runner *wn = NULL;
    if ((rc = sw_runner_create(nets[j], ro, &wn, err))) break;
    if ((rc = sw_runner_set_widths(wn, &ws[j], err))) { sw_runner_free(wn); break; }
    double rtf = render(wn, in->x, y, in->n, ro->max_block, in->rate);
    const char *bname = sw_runner_backend(wn)->name;
    sw_runner_free(wn);
    if (j == n_entries - 1) memcpy(full, y, sizeof(float) * (size_t)in->n);
    double se = 0, sf = 0;
    for (long t = 0; t < in->n; t++) { double e = (double)y[t] - full[t]; se += e * e; sf += (double)full[t] * full[t]; }
    char ch[64], file[4200];
    cli_widths_str(&ws[j], ch, sizeof ch);
    for (char *p = ch; *p; p++) if (*p == ',') *p = '-';
    snprintf(file, sizeof file, "%s/%s%s.wav", dir, m->container ? "sub-" : "", ch);
    if ((rc = sw_audio_write(file, y, in->n, in->rate, err))) break;
    if (len < 60 * 1024)
      len += (size_t)snprintf(csv + len, 64 * 1024 - len, "%s,%ld,%.6g,%.1f,%s,%d,%s%s.wav\n", ch, sw_net_macs(nets[j], &ws[j]),
                              sf > 0 ? se / sf : 0.0, rtf, bname, ro->max_block, m->container ? "sub-" : "", ch);
    fprintf(stderr, "slimwave process: %s channels: ESR vs full %.3g, %.0fx real time\n", ch, sf > 0 ? se / sf : 0.0, rtf);
  }
  if (!rc) {
    char path[4200];
    snprintf(path, sizeof path, "%s/widths.csv", dir);
    rc = sw_write_file_atomic(path, csv, len, err);
  }
  free(full); free(y); free(csv);
  return rc;
}

int cmd_process(int argc, char **argv) {
  if (cli_is_help(argc, argv)) { fputs(usage, stdout); return 0; }
  const char *slim_s = NULL, *ch_s = NULL, *block_s = NULL, *be_s = NULL;
  bool fast = false, do_sweep = false;
  cli_opt opts[] = {{"--slim", &slim_s, NULL}, {"--channels", &ch_s, NULL}, {"--block", &block_s, NULL},
                    {"--backend", &be_s, NULL}, {"--fast-tanh", NULL, &fast}, {"--sweep", NULL, &do_sweep}};
  const char *pos[3];
  int npos = 0;
  sw_err err = {0};
  int rc = cli_parse(argc, argv, opts, 6, pos, 3, &npos, &err);
  if (!rc && npos != 3) rc = sw_fail(&err, SW_EUSAGE, "expected MODEL.nam IN OUT");
  if (!rc && slim_s && ch_s) rc = sw_fail(&err, SW_EUSAGE, "--slim and --channels exclude each other");
  if (!rc && do_sweep && (slim_s || ch_s)) rc = sw_fail(&err, SW_EUSAGE, "--sweep renders every width: drop --slim/--channels");
  double slim = 1.0;
  long block = 64;
  sw_widths widths = {0};
  if (!rc && slim_s) rc = cli_double("--slim", slim_s, 0.0, 1.0, &slim, &err);
  if (!rc && ch_s) rc = cli_widths(ch_s, &widths, &err);
  if (!rc && block_s) rc = cli_int("--block", block_s, 1, 1 << 20, &block, &err);
  if (rc) { fprintf(stderr, "slimwave process: %s\n", err.msg); return rc; }
  const sw_backend *be = cli_backend(be_s, false, &err);
  if (!be) { fprintf(stderr, "slimwave process: %s\n", err.msg); return SW_EUSAGE; }

  sw_model m;
  sw_audio in = {0};
  sw_runner *wn = NULL;
  float *out = NULL;
  if ((rc = sw_model_load(pos[0], &m, &err))) { fprintf(stderr, "slimwave process: %s\n", err.msg); return rc; }
  const sw_net *net = sw_model_pick(&m, slim);
  if ((rc = sw_audio_read(pos[1], &in, &err))) goto done;
  if (in.channels > 1) fprintf(stderr, "slimwave process: warning: %s has %d channels; using the first\n", pos[1], in.channels);
  if ((double)in.rate != net->sample_rate) {
    rc = sw_fail(&err, SW_EINPUT, "%s: sample rate %d Hz, but the model expects %g Hz", pos[1], in.rate, net->sample_rate);
    goto done;
  }
  sw_run_opts ro = {.backend = be, .max_block = (int)block, .fast_tanh = fast};
  if (do_sweep) { rc = sweep(&m, &in, pos[2], &ro, &err); goto done; }
  if ((rc = sw_runner_create(net, &ro, &wn, &err))) { name_model(&err, pos[0]); goto done; }
  if (ch_s) rc = sw_runner_set_widths(wn, &widths, &err);
  else if (slim_s && !m.container) rc = sw_runner_set_slim(wn, slim, &err);
  if (rc) goto done;
  if (net->arch != SW_ARCH_WAVENET && be != sw_backend_naive())
    fprintf(stderr, "slimwave process: %s runs on the naive path (backends are for WaveNets)\n", sw_arch_name(net->arch));
  if (sw_runner_fallbacks(wn)) fprintf(stderr, "slimwave process: %d ops ran on the naive backend (declined by %s)\n", sw_runner_fallbacks(wn), be->name);
  out = malloc(sizeof(float) * (size_t)in.n);
  if (!out) { rc = sw_fail(&err, SW_ENOMEM, "out of memory"); goto done; }
  sw_runner_run(wn, in.x, out, in.n, (int)block);
  rc = sw_audio_write(pos[2], out, in.n, in.rate, &err);
done:
  if (rc) fprintf(stderr, "slimwave process: %s\n", err.msg);
  free(out);
  sw_runner_free(wn);
  sw_audio_free(&in);
  sw_model_free(&m);
  return rc;
}
