/* slimwave counters MODEL.nam [--widths all|full] [--input WAV] [--block N] [--backend B]
   PAPI hardware presets (NA with the reason where the machine has none) and slimwave's
   software-defined events per width, as CSV. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "../core/audio.h"
#include "../core/nam_file.h"
#include "../harness/counters.h"
#include "../harness/eval.h"
#include "cli.h"

static const char *usage =
  "usage: slimwave counters MODEL.nam [--widths all|full] [--input WAV] [--block N] [--backend B]\n"
  "Runs the model over the input (default: 2 s of a guitar-like test tone) at every width and\n"
  "prints CSV: channels, MACs/sample by formula, counter, value per sample, note. Hardware\n"
  "presets read NA with PAPI's reason on machines without counters.\n";

int cmd_counters(int argc, char **argv) {
  if (cli_is_help(argc, argv)) { fputs(usage, stdout); return 0; }
  const char *widths = "all", *input = NULL, *block_s = NULL, *be_s = NULL;
  cli_opt opts[] = {{"--widths", &widths, NULL}, {"--input", &input, NULL}, {"--block", &block_s, NULL}, {"--backend", &be_s, NULL}};
  const char *pos[1];
  int npos;
  long block = 64;
  sw_err err = {0};
  int rc = cli_parse(argc, argv, opts, 4, pos, 1, &npos, &err);
  if (!rc && npos != 1) rc = sw_fail(&err, SW_EUSAGE, "expected MODEL.nam");
  if (!rc && block_s) rc = cli_int("--block", block_s, 1, 65536, &block, &err);
  if (rc) { fprintf(stderr, "slimwave counters: %s\n", err.msg); return rc; }
  const sw_backend *be = cli_backend(be_s, false, &err);
  if (!be) { fprintf(stderr, "slimwave counters: %s\n", err.msg); return SW_EUSAGE; }
  sw_model m;
  if ((rc = sw_model_load(pos[0], &m, &err))) { fprintf(stderr, "slimwave counters: %s\n", err.msg); return rc; }
  const sw_net *net = &m.sub[m.n_sub - 1];
  sw_audio in = {0};
  float *x;
  long n;
  if (input) {
    if ((rc = sw_audio_read(input, &in, &err))) { fprintf(stderr, "slimwave counters: %s\n", err.msg); sw_model_free(&m); return rc; }
    x = in.x; n = in.n;
  } else {
    n = 96000;
    x = in.x = malloc(sizeof(float) * (size_t)n);
    for (long t = 0; t < n; t++) x[t] = (float)(0.3 * sin(2 * M_PI * 110 * t / 48000.0) * exp(-(t % 24000) / 8000.0));
  }
  sw_widths ws[SW_MAX_CHANNELS];
  int nw = sw_eval_pick_widths(net, widths, ws, SW_MAX_CHANNELS, &err);
  sw_runner *wn = NULL;
  sw_run_opts o = {.backend = be, .max_block = (int)block};
  if (nw < 0) rc = SW_EUSAGE;
  else rc = sw_runner_create(net, &o, &wn, &err);
  if (!rc) {
    printf("channels,macs_per_sample_formula,counter,per_sample,backend,block,note\n");
    for (int j = 0; j < nw && !rc; j++) {
      if ((rc = sw_runner_set_widths(wn, &ws[j], &err))) break;
      sw_counter_value v[SW_COUNTERS_MAX];
      int k = sw_counters_run(wn, x, n, (int)block, v);
      char ch[64];
      cli_widths_str(&ws[j], ch, sizeof ch);
      for (char *p = ch; *p; p++) if (*p == ',') *p = ' ';
      for (int i = 0; i < k; i++) {
        if (isnan(v[i].total)) printf("%s,%ld,%s,NA,%s,%ld,%s\n", ch, sw_net_macs(net, &ws[j]), v[i].name, sw_runner_backend(wn)->name, block, v[i].why);
        else printf("%s,%ld,%s,%.6g,%s,%ld,per sample over %ld samples\n", ch, sw_net_macs(net, &ws[j]), v[i].name, v[i].total / n, sw_runner_backend(wn)->name, block, n);
      }
    }
  }
  if (rc) fprintf(stderr, "slimwave counters: %s\n", err.msg);
  sw_runner_free(wn);
  sw_audio_free(&in);
  sw_model_free(&m);
  return rc;
}
