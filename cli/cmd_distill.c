/* slimwave distill TEACHER.nam --out SLIM.nam | slimwave capture --lv2 URI --out MODEL.nam:
   a slimmable student of a model or plugin, evaluated at every width on held-out real DI, with
   a report (harness/distill.h). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../datasets/src/recipe.h"
#include "../harness/distill.h"
#include "cli.h"

static const char *usage_distill =
  "usage: slimwave distill TEACHER.nam --out SLIM.nam [--arch same|standard|lite|feather|nano|paper|CONFIG.json]\n"
  "                        [--schedule sandwich-distill:2] [--epochs 100] [--di DIR|FILE[,..]] [--holdout FILE]\n"
  "                        [--seconds 190] [--threads N] [--work DIR] [--ny N] [--batch N] [--lr X]\n"
  "                        [--from-scratch]\n";
static const char *usage_capture =
  "usage: slimwave capture --lv2 URI [--set SYMBOL=VALUE ..] --out MODEL.nam [--arch standard|lite|...|CONFIG.json]\n"
  "                        [--schedule sandwich-distill:2] [--epochs 100] [--di DIR|FILE[,..]] [--holdout FILE]\n"
  "                        [--seconds 190] [--threads N] [--work DIR] [--ny N] [--batch N] [--lr X]\n";
static const char *usage_common =
  "Renders the capture signal (real DI from --di, else fluidsynth guitar) through the device, trains a\n"
  "slimmable student on it, evaluates every width against the device on a held-out recording\n"
  "(--holdout, default di_hammer_lead.wav from the DI folder when present, else fluidsynth guitar with\n"
  "another seed), times every width (one thread, 64-sample blocks, fastest backend) and writes the\n"
  "report SLIM.md with SLIM-pareto.png/.svg beside SLIM.nam. Work files (dataset, checkpoint, per-epoch\n"
  "CSV) go to --work (default SLIM.work/); run the same command again to continue an interrupted run.\n"
  "The epoch kept has the lowest mean validation ESR over all widths among the epochs whose full width\n"
  "meets ESR 0.01 (until one does, the lowest full-width ESR).\n"
  "  --arch same   the teacher's own architecture (a container: its largest submodel); default for\n"
  "                distill; capture defaults to standard\n"
  "  --from-scratch  (distill, --arch same) train from a fresh init instead of the teacher's weights\n"
  "  --ny, --batch, --lr  training windows, batch and learning rate (see slimwave train --help)\n";

static void on_note(void *ctx, const char *line) { fprintf(stderr, "slimwave %s: %s\n", (const char *)ctx, line); }

static int run(int argc, char **argv, bool capture) {
  const char *cmd = capture ? "capture" : "distill";
  if (cli_is_help(argc, argv)) { fputs(capture ? usage_capture : usage_distill, stdout); fputs(usage_common, stdout); return 0; }
  sw_distill_opts o = {.note = on_note, .note_ctx = (void *)cmd};
  sw_err err = {0};
  const char *ep = NULL, *secs = NULL, *thr = NULL, *ny = NULL, *batch = NULL, *lr = NULL;
  cli_opt opts[] = {{"--out", &o.out, NULL},           {"--arch", &o.arch, NULL},     {"--schedule", &o.schedule, NULL},
                    {"--epochs", &ep, NULL},           {"--di", &o.di, NULL},         {"--holdout", &o.holdout, NULL},
                    {"--seconds", &secs, NULL},        {"--threads", &thr, NULL},     {"--work", &o.work, NULL},
                    {"--ny", &ny, NULL},               {"--batch", &batch, NULL},     {"--lr", &lr, NULL},
                    {"--from-scratch", NULL, &o.from_scratch}, {"--lv2", &o.lv2, NULL}};
  const char *pos[1];
  int npos = 0, rc = capture ? cli_take_sets(&argc, argv, o.sets, &o.nsets, &err) : SW_OK;
  int nopts = (int)(sizeof opts / sizeof *opts) - (capture ? 0 : 1);
  if (!rc) rc = cli_parse(argc, argv, opts, nopts, pos, 1, &npos, &err);
  if (!rc && capture && (npos || !o.lv2)) rc = sw_fail(&err, SW_EUSAGE, "expected --lv2 URI (see --help)");
  if (!rc && !capture && npos != 1) rc = sw_fail(&err, SW_EUSAGE, "expected TEACHER.nam (see --help)");
  if (!rc && !o.out) rc = sw_fail(&err, SW_EUSAGE, "--out MODEL.nam is required");
  long v;
  double s;
  if (!rc && ep && !(rc = cli_int("--epochs", ep, 1, 1000000, &v, &err))) o.epochs = (int)v;
  if (!rc && thr && !(rc = cli_int("--threads", thr, 1, 256, &v, &err))) o.threads = (int)v;
  if (!rc && ny && !(rc = cli_int("--ny", ny, 1, 1 << 22, &v, &err))) o.ny = (int)v;
  if (!rc && batch && !(rc = cli_int("--batch", batch, 1, 4096, &v, &err))) o.batch = (int)v;
  if (!rc && lr) rc = cli_double("--lr", lr, 1e-12, 10, &o.lr, &err);
  if (!rc && capture && o.from_scratch) rc = sw_fail(&err, SW_EUSAGE, "--from-scratch applies to distill (a plugin has no weights)");
  if (!rc && secs && !(rc = cli_double("--seconds", secs, SW_SIG_MIN_SECONDS, 3600, &s, &err))) o.seconds = s;
  if (rc) { fprintf(stderr, "slimwave %s: %s\n", cmd, err.msg); return rc; }
  if (!capture) o.teacher = pos[0];
  sw_distill_result res;
  if ((rc = sw_distill_run(&o, &res, &err))) { fprintf(stderr, "slimwave %s: %s\n", cmd, err.msg); return rc; }
  if (res.plot_warning[0]) fprintf(stderr, "slimwave %s: warning: %s\n", cmd, res.plot_warning);
  const sw_distill_row *full = &res.rows[res.n - 1];
  fprintf(stderr, "slimwave %s: %s (%d widths; full width ESR %.4g vs the %s on the held-out input, %.0fx real time); report %s\n",
          cmd, o.out, res.n, full->esr, capture ? "plugin" : "teacher", full->rtf, res.report);
  return 0;
}

int cmd_distill(int argc, char **argv) { return run(argc, argv, false); }
int cmd_capture(int argc, char **argv) { return run(argc, argv, true); }
