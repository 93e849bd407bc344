/* Timing a profile's models to size it (see estimate.h). */
#include "estimate.h"

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "cell.h"
#include "spawn.h"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/* CPU seconds of the children waited for so far: a trainer's own work, which a machine busy with
   other jobs inflates far less than its wall time */
static double children_cpu_s(void) {
  struct rusage u;
  getrusage(RUSAGE_CHILDREN, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + 1e-6 * (u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

static int cmp_desc(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x < y) - (x > y);
}

int sw_sweep_estimate(const sw_experiment *e, const char *R, int epochs, int jobs, FILE *out, sw_err *err) {
  if (epochs < 1 || jobs < 1) return sw_fail(err, SW_EUSAGE, "estimate: --epochs and --jobs must be at least 1");
  char manifest[4096];
  int rc = sw_cell_dataset(e, e->datasets[0].recipe, manifest, sizeof manifest, err);
  if (rc) return rc;
  int nd = sw_experiment_n_datasets(e), ncells = 0;
  double *cell_s = malloc(sizeof(double) * (size_t)(e->n_models * nd * e->n_seeds + 1)), total = 0;
  if (!cell_s) return sw_fail(err, SW_ENOMEM, "out of memory");
  fprintf(out, "model,schedule,passes_per_minibatch,epochs,wall_s_per_epoch,cpu_s_per_epoch,cells,core_seconds\n");
  for (int m = 0; m < e->n_models && !rc; m++) {
    const sw_exp_model *x = &e->models[m];
    sw_train_plan plan;
    if ((rc = sw_cell_train_plan(e, x, &plan, err))) break;
    char work[4200];
    snprintf(work, sizeof work, "%.3000s/estimate/%s", R, x->id);
    char *rm[] = {"rm", "-rf", work, NULL}, *mk[] = {"mkdir", "-p", work, NULL};
    if ((rc = sw_child_run(rm, NULL, err) || sw_child_run(mk, NULL, err) ? SW_EOUTPUT : SW_OK)) break;
    sw_cell c = {.model = m, .dataset = 0, .seed = e->seeds[0]};
    fprintf(stderr, "estimate: %s, %d epochs\n", x->id, epochs);
    double t0 = now_s(), c0 = children_cpu_s();
    if ((rc = sw_cell_train(e, &c, manifest, work, epochs, err))) break;
    double wall = (now_s() - t0) / epochs, cpu = (children_cpu_s() - c0) / epochs, one = cpu * plan.epochs;
    int cells = nd * e->n_seeds;
    for (int k = 0; k < cells; k++) cell_s[ncells++] = one;
    total += one * cells;
    fprintf(out, "%s,\"%s\",%d,%d,%.3f,%.3f,%d,%.0f\n", x->id, x->schedule, plan.passes, plan.epochs, wall, cpu, cells, one * cells);
    fflush(out);
  }
  if (!rc) {
    /* longest cells first onto the least loaded core: what make -jN does to a sweep, roughly */
    qsort(cell_s, (size_t)ncells, sizeof *cell_s, cmp_desc);
    double load[256] = {0}, wall = 0;
    int nj = jobs < 256 ? jobs : 256;
    for (int i = 0; i < ncells; i++) {
      int k = 0;
      for (int j = 1; j < nj; j++) if (load[j] < load[k]) k = j;
      load[k] += cell_s[i];
    }
    for (int j = 0; j < nj; j++) if (load[j] > wall) wall = load[j];
    fprintf(stderr, "estimate: %d train cells, %.0f core-seconds (%.1f core-hours); on %d idle cores about %.0f s (%.1f min) "
                    "of training, the longest cell %.0f s; dataset builds, evaluation and bench cells come on top\n",
            ncells, total, total / 3600, nj, wall, wall / 60, ncells ? cell_s[0] : 0.0);
  }
  free(cell_s);
  return rc;
}
