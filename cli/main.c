/* slimwave: one program, one subcommand per job. Exit codes: see README.md (core/err.h). */
#include <stdio.h>
#include <string.h>

#include "cli.h"

typedef struct cmd {
  const char *name;
  int (*run)(int, char **);
  const char *summary;
} cmd;

static const cmd cmds[] = {
  {"info", cmd_info, "describe a .nam model: architecture, widths, MACs/sample, metadata"},
  {"process", cmd_process, "render an audio file through a model at any width"},
  {"backends", cmd_backends, "list compiled-in and usable backends and the CPU features seen"},
  {"init", cmd_init, "write an untrained model of a preset architecture (for timing)"},
  {"eval", cmd_eval, "validation ESR, MSE and MRSTFT of a model at every width on a dataset"},
  {"counters", cmd_counters, "PAPI counters and software-defined events per width"},
  {"sweep", cmd_sweep, "plan, run and collect the cells of an experiment"},
  {"report", cmd_report, "the paper table and plots of a collected experiment"},
  {"provenance", cmd_provenance, "write the provenance record (commit, CPU, versions) as JSON"},
  {"export", cmd_export, "write a plain model of one width cut from a slimmable one"},
#ifdef SW_HAVE_TRAINER
  {"train", cmd_train, "train a model on a dataset (width schedules, checkpoints, resume)"},
  {"train-bench", cmd_train_bench, "time training steps on random data (one JSON line)"},
  {"distill", cmd_distill, "slim a downloaded model: train a slimmable student of a teacher .nam, with a report"},
  {"capture", cmd_capture, "capture an LV2 plugin as a slimmable model, with a report"},
#endif
  {"lv2", cmd_lv2, "make an LV2 plugin bundle with a model built in (the slim knob in any LV2 host)"},
  {"bench", cmd_bench, "time streaming inference per backend, width and block: CSV with RTF and FMA efficiency"},
  {"dataset", cmd_dataset, "capture signal, latency and data checks, build datasets (LV2, .nam, recordings)"},
};

static void usage(FILE *f) {
  fprintf(f, "usage: slimwave COMMAND [ARGS]   (slimwave COMMAND --help for details)\n\ncommands:\n");
  for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++) fprintf(f, "  %-12s %s\n", cmds[i].name, cmds[i].summary);
  fprintf(f, "\nexit codes: 0 ok, 1 failure, 2 bad arguments, 3 bad input file, 4 cannot write output,\n"
             "            5 data check failed, 6 out of memory\n");
}

int main(int argc, char **argv) {
  if (argc < 2) { usage(stderr); return 2; }
  if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) { usage(stdout); return 0; }
  for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++)
    if (!strcmp(argv[1], cmds[i].name)) return cmds[i].run(argc - 1, argv + 1);
  fprintf(stderr, "slimwave: unknown command \"%s\" (see slimwave --help)\n", argv[1]);
  return 2;
}
