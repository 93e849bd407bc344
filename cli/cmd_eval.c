/* slimwave eval MODEL.nam --data MANIFEST [--widths all|full] : validation ESR, MSE and MRSTFT
   distance at each width, as CSV. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/nam_file.h"
#include "../harness/eval.h"
#include "cli.h"

static const char *usage =
  "usage: slimwave eval MODEL.nam --data MANIFEST [--widths all|full] [--backend B] [--val padded|nam]\n"
  "Runs the model on the dataset's validation segment (preceded by receptive-field zeros) at\n"
  "each width and prints CSV: channels, macs_per_sample, esr, mse, mrstft. --val nam scores from\n"
  "RF-1 samples into the segment (NAM's convention), padded (default) the whole segment.\n";

int cmd_eval(int argc, char **argv) {
  if (cli_is_help(argc, argv)) { fputs(usage, stdout); return 0; }
  const char *data = NULL, *widths = "all", *be_s = NULL, *val = "padded";
  cli_opt opts[] = {{"--data", &data, NULL}, {"--widths", &widths, NULL}, {"--backend", &be_s, NULL}, {"--val", &val, NULL}};
  const char *pos[1];
  int npos;
  sw_err err = {0};
  int rc = cli_parse(argc, argv, opts, 4, pos, 1, &npos, &err);
  if (!rc && (npos != 1 || !data)) rc = sw_fail(&err, SW_EUSAGE, "expected MODEL.nam --data MANIFEST");
  if (!rc && strcmp(val, "padded") && strcmp(val, "nam")) rc = sw_fail(&err, SW_EUSAGE, "--val: \"%s\" is neither padded nor nam", val);
  if (rc) { fprintf(stderr, "slimwave eval: %s\n", err.msg); return rc; }
  const sw_backend *be = cli_backend(be_s, true, &err);
  if (!be) { fprintf(stderr, "slimwave eval: %s\n", err.msg); return SW_EUSAGE; }
  sw_model m;
  if ((rc = sw_model_load(pos[0], &m, &err))) { fprintf(stderr, "slimwave eval: %s\n", err.msg); return rc; }
  sw_dataset d;
  if ((rc = sw_dataset_load(data, &d, &err))) { fprintf(stderr, "slimwave eval: %s\n", err.msg); sw_model_free(&m); return rc; }
  const sw_net *net = &m.sub[m.n_sub - 1];
  sw_widths ws[SW_MAX_CHANNELS];
  sw_eval_row er[SW_MAX_CHANNELS];
  int nw = sw_eval_pick_widths(net, widths, ws, SW_MAX_CHANNELS, &err);
  if (nw < 0) rc = SW_EUSAGE;
  else if ((double)d.rate != net->sample_rate) rc = sw_fail(&err, SW_EINPUT, "%s: rate %d Hz, the model expects %g Hz", data, d.rate, net->sample_rate);
  else rc = sw_eval_widths(net, d.x + d.val_start, d.y + d.val_start, d.val_end - d.val_start, !strcmp(val, "nam"), ws, nw, be, er, &err);
  if (!rc) {
    printf("channels,macs_per_sample,esr,mse,mrstft\n");
    for (int j = 0; j < nw; j++) {
      char ch[64];
      cli_widths_str(&ws[j], ch, sizeof ch);
      for (char *p = ch; *p; p++) if (*p == ',') *p = ' ';
      printf("%s,%ld,%.6g,%.6g,%.6g\n", ch, sw_net_macs(net, &ws[j]), er[j].esr, er[j].mse, er[j].mrstft);
    }
  } else {
    fprintf(stderr, "slimwave eval: %s\n", err.msg);
  }
  sw_dataset_free(&d);
  sw_model_free(&m);
  return rc;
}
