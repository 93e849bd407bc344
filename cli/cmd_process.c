/* slimwave process MODEL.nam IN OUT [--slim V | --channels C1[,C2..]] [--block N] [--backend B] [--fast-tanh] */
#include <stdio.h>
#include <stdlib.h>

#include "../core/audio.h"
#include "../core/nam_file.h"
#include "../core/wavenet.h"
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
  "  --fast-tanh    rational tanh (max error 7.3e-5) instead of the exact one\n";

int cmd_process(int argc, char **argv) {
  if (cli_is_help(argc, argv)) { fputs(usage, stdout); return 0; }
  const char *slim_s = NULL, *ch_s = NULL, *block_s = NULL, *be_s = NULL;
  bool fast = false;
  cli_opt opts[] = {{"--slim", &slim_s, NULL}, {"--channels", &ch_s, NULL}, {"--block", &block_s, NULL},
                    {"--backend", &be_s, NULL}, {"--fast-tanh", NULL, &fast}};
  const char *pos[3];
  int npos = 0;
  sw_err err = {0};
  int rc = cli_parse(argc, argv, opts, 5, pos, 3, &npos, &err);
  if (!rc && npos != 3) rc = sw_fail(&err, SW_EUSAGE, "expected MODEL.nam IN OUT");
  if (!rc && slim_s && ch_s) rc = sw_fail(&err, SW_EUSAGE, "--slim and --channels exclude each other");
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
  sw_wavenet *wn = NULL;
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
  if ((rc = sw_wavenet_create(net, &ro, &wn, &err))) goto done;
  if (ch_s) rc = sw_wavenet_set_widths(wn, &widths, &err);
  else if (slim_s && !m.container) rc = sw_wavenet_set_slim(wn, slim, &err);
  if (rc) goto done;
  if (sw_wavenet_fallbacks(wn)) fprintf(stderr, "slimwave process: %d ops ran on the naive backend (declined by %s)\n", sw_wavenet_fallbacks(wn), be->name);
  out = malloc(sizeof(float) * (size_t)in.n);
  if (!out) { rc = sw_fail(&err, SW_ENOMEM, "out of memory"); goto done; }
  sw_wavenet_run(wn, in.x, out, in.n, (int)block);
  rc = sw_audio_write(pos[2], out, in.n, in.rate, &err);
done:
  if (rc) fprintf(stderr, "slimwave process: %s\n", err.msg);
  free(out);
  sw_wavenet_free(wn);
  sw_audio_free(&in);
  sw_model_free(&m);
  return rc;
}
