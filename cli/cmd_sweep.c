/* slimwave sweep plan|cell|collect|publish|estimate EXPERIMENT ... and slimwave report EXPERIMENT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/atomic_file.h"
#include "../harness/cell.h"
#include "../harness/estimate.h"
#include "../harness/publish.h"
#include "../harness/report.h"
#include "../harness/spawn.h"
#include "../harness/sweep.h"
#include "cli.h"

static const char *usage =
  "usage: slimwave sweep plan EXPERIMENT [--make|--sbatch] [--phase datasets|train|bench] [OPTS]\n"
  "       slimwave sweep submit EXPERIMENT --slurm [OPTS]\n"
  "       slimwave sweep cell EXPERIMENT CELL [--force] [OPTS]\n"
  "       slimwave sweep collect EXPERIMENT [OPTS]\n"
  "       slimwave sweep publish EXPERIMENT [OPTS]\n"
  "       slimwave sweep estimate EXPERIMENT [--epochs 2] [--jobs 2] [OPTS]\n"
  "       slimwave report EXPERIMENT [--shared DIR] [--no-plots] [OPTS]\n"
  "OPTS: --profile smoke|quick|full (default quick)  --data FAMILY (default: the file's, e.g. lv2)\n"
  "      --results DIR (default: this run's own folder, results/<name>-<family>-<profile>)\n"
  "      --reference (the committed reference, results/reference/<name>-<family>-<profile>)\n"
  "plan prints one command per step (dataset builds, train cells, bench cells; --phase picks one),\n"
  "or a makefile for make -j2 (--make), or a Slurm script (--sbatch: bash SCRIPT submit submits a\n"
  "datasets job, the train array and an exclusive bench job that collects and reports).\n"
  "submit --slurm writes that script to RESULTS/slurm/ and submits it. cell runs one cell\n"
  "(skipped if its rows exist). collect checks all rows and writes results.csv, provenance.json\n"
  "and recipe.json. report writes the tables (paper-table.md/.tex, or schedules.md) and the plots,\n"
  "this run's figures beside the committed reference's and the paper's; with --reference it\n"
  "re-renders the reference alone from its committed rows. publish copies a finished, collected\n"
  "run (not its work folder) over the reference, to be committed. estimate trains each model a few\n"
  "epochs on the first dataset (in DIR/estimate/), prints seconds per epoch and predicts the train\n"
  "cells' wall time on --jobs cores: the budget arithmetic of a profile, on this machine.\n";

typedef struct common {
  const char *profile, *data, *results, *phase, *shared, *epochs, *jobs;
  bool make, sbatch, force, no_plots, slurm, reference;
} common;

static int load(const char *path, const common *c, sw_experiment *e, char *R, int len, sw_err *err) {
  int rc = sw_experiment_load(path, c->profile, c->data, e, err);
  if (!rc) rc = sw_cell_check_models(e, err);
  if (rc) return rc;
  if (c->results && c->reference) return sw_fail(err, SW_EUSAGE, "give --results or --reference, not both");
  if (c->results) snprintf(R, (size_t)len, "%s", c->results);
  else if (c->reference) sw_experiment_reference_dir(e, R, len);
  else sw_experiment_results_dir(e, R, len);
  return SW_OK;
}

/* One shell word: as it is when it needs no quoting, else in single quotes. */
static int shell_word(char *buf, int len, const char *s) {
  if (strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+=:,") == strlen(s) && *s)
    return snprintf(buf, (size_t)len, "%s", s);
  int k = snprintf(buf, (size_t)len, "'");
  for (; *s && k < len - 5; s++) k += *s == '\'' ? snprintf(buf + k, (size_t)(len - k), "'\\''") : snprintf(buf + k, (size_t)(len - k), "%c", *s);
  return k + snprintf(buf + k, (size_t)(len - k), "'");
}

/* The options each planned command repeats, as shell words (plans are run by a shell). */
static void opts_str(const common *c, char *buf, int len) {
  int k = snprintf(buf, (size_t)len, "--profile ");
  k += shell_word(buf + k, len - k, c->profile ? c->profile : "quick");
  if (c->data) k += snprintf(buf + k, (size_t)(len - k), " --data "), k += shell_word(buf + k, len - k, c->data);
  if (c->results) k += snprintf(buf + k, (size_t)(len - k), " --results "), shell_word(buf + k, len - k, c->results);
  else if (c->reference) snprintf(buf + k, (size_t)(len - k), " --reference");
}

/* sweep submit --slurm: the --sbatch script, kept in RESULTS/slurm/ (beside the jobs' logs), then
   `bash SCRIPT submit`. */
static int submit_slurm(const sw_experiment *e, const char *R, const char *o, sw_err *err) {
  char dir[4200], path[4400];
  snprintf(dir, sizeof dir, "%s/slurm", R);
  int rc = sw_mkdirs(dir, err);
  if (rc) return rc;
  snprintf(path, sizeof path, "%s/%s-%s.sbatch", dir, e->name, e->profile.name);
  char *text = NULL;
  size_t n = 0;
  FILE *m = open_memstream(&text, &n);
  if (!m) return sw_fail(err, SW_ENOMEM, "out of memory");
  rc = sw_sweep_plan(e, R, SW_PLAN_SBATCH, NULL, o, m, err);
  fclose(m);
  if (!rc) rc = sw_write_file_atomic(path, text, n, err);
  free(text);
  if (rc) return rc;
  fprintf(stderr, "submit: %s\n", path);
  char *argv[] = {"bash", path, "submit", NULL};
  return sw_child_run(argv, NULL, err) ? SW_EFAIL : SW_OK;
}

static int run(const char *verb, int argc, char **argv) {
  common c = {0};
  cli_opt opts[] = {{"--profile", &c.profile, NULL}, {"--data", &c.data, NULL}, {"--results", &c.results, NULL},
                    {"--phase", &c.phase, NULL},     {"--shared", &c.shared, NULL}, {"--make", NULL, &c.make},
                    {"--sbatch", NULL, &c.sbatch},   {"--force", NULL, &c.force}, {"--no-plots", NULL, &c.no_plots},
                    {"--slurm", NULL, &c.slurm}, {"--reference", NULL, &c.reference}, {"--epochs", &c.epochs, NULL},
                    {"--jobs", &c.jobs, NULL}};
  const char *pos[3];
  int npos = 0;
  sw_err err = {0};
  int rc = cli_parse(argc, argv, opts, 13, pos, 3, &npos, &err);
  long ep = 2, jobs = 2;
  if (!rc && c.epochs) rc = cli_int("--epochs", c.epochs, 1, 100000, &ep, &err);
  if (!rc && c.jobs) rc = cli_int("--jobs", c.jobs, 1, 256, &jobs, &err);
  int want = !strcmp(verb, "cell") ? 2 : 1;
  if (!rc && npos != want) rc = sw_fail(&err, SW_EUSAGE, "expected %s", want == 2 ? "EXPERIMENT CELL" : "EXPERIMENT");
  if (!rc && !strcmp(verb, "submit") && !c.slurm) rc = sw_fail(&err, SW_EUSAGE, "submit needs --slurm (the one scheduler it knows)");
  if (rc) { fprintf(stderr, "slimwave %s: %s\n", verb, err.msg); return rc; }
  sw_experiment e;
  char R[4096];
  if ((rc = load(pos[0], &c, &e, R, sizeof R, &err))) { fprintf(stderr, "slimwave %s: %s\n", verb, err.msg); return rc; }
  if (!strcmp(verb, "plan")) {
    char o[4096];
    opts_str(&c, o, sizeof o);
    rc = sw_sweep_plan(&e, R, c.make ? SW_PLAN_MAKE : c.sbatch ? SW_PLAN_SBATCH : SW_PLAN_COMMANDS, c.phase, o, stdout, &err);
  } else if (!strcmp(verb, "submit")) {
    char o[4096];
    opts_str(&c, o, sizeof o);
    rc = submit_slurm(&e, R, o, &err);
  } else if (!strcmp(verb, "cell")) {
    sw_cell cell;
    if (sw_experiment_find_cell(&e, pos[1], &cell)) rc = sw_fail(&err, SW_EUSAGE, "%s: no cell \"%s\" (see slimwave sweep plan)", pos[0], pos[1]);
    else rc = sw_cell_run(&e, &cell, R, c.force, &err);
  } else if (!strcmp(verb, "collect")) {
    int missing = 0;
    rc = sw_sweep_collect(&e, R, argc, argv, &missing, &err);
    if (!rc && missing) rc = sw_fail(&err, SW_EFAIL, "%d cells not run yet (results.csv holds the others)", missing);
    if (!rc) fprintf(stderr, "collect: %s/results.csv, provenance.json and recipe.json written\n", R);
  } else if (!strcmp(verb, "estimate")) {
    rc = sw_sweep_estimate(&e, R, (int)ep, (int)jobs, stdout, &err);
  } else if (!strcmp(verb, "publish")) {
    char ref[4096];
    sw_experiment_reference_dir(&e, ref, sizeof ref);
    rc = sw_sweep_publish(&e, R, ref, &err);
    if (!rc) fprintf(stderr, "publish: %s copied to %s (commit it)\n", R, ref);
  } else {
    char paper[4096], abl[4096];
    const char *sh = c.shared ? c.shared : getenv("SLIMWAVE_SHARED");
    if (!sh || !*sh) sh = "../shared";
    snprintf(paper, sizeof paper, "%s/paper/paper-table.csv", sh);
    snprintf(abl, sizeof abl, "%s/paper/ablation.csv", sh);
    /* this run beside its committed reference (none when re-rendering the reference itself) */
    char ref[4096];
    sw_experiment_reference_dir(&e, ref, sizeof ref);
    const char *refp = strcmp(ref, R) ? ref : NULL;
    bool sched = !strcmp(e.report, "schedules");
    rc = sched ? sw_report_schedules(&e, R, refp, &err) : sw_report_paper_table(&e, R, refp, paper, abl, &err);
    if (!rc && !c.no_plots) rc = sched ? sw_report_schedule_plots(&e, R, "plots", &err) : sw_report_plots(&e, R, "plots", &err);
    if (!rc) fprintf(stderr, "report: %s/%s%s\n", R, sched ? "schedules.md" : "paper-table.md, paper-table.tex", c.no_plots ? "" : ", plots/");
  }
  if (rc) fprintf(stderr, "slimwave %s: %s\n", verb, err.msg);
  return rc;
}

int cmd_sweep(int argc, char **argv) {
  if (argc < 2 || cli_is_help(argc, argv)) { fputs(usage, argc < 2 ? stderr : stdout); return argc < 2 ? SW_EUSAGE : 0; }
  const char *verb = argv[1];
  if (strcmp(verb, "plan") && strcmp(verb, "submit") && strcmp(verb, "cell") && strcmp(verb, "collect") &&
      strcmp(verb, "publish") && strcmp(verb, "estimate")) {
    fprintf(stderr, "slimwave sweep: unknown verb \"%s\" (plan, submit, cell, collect, publish, estimate)\n", verb);
    return SW_EUSAGE;
  }
  return run(verb, argc - 1, argv + 1);
}

int cmd_report(int argc, char **argv) {
  if (cli_is_help(argc, argv)) { fputs(usage, stdout); return 0; }
  return run("report", argc, argv);
}
