/* The schedule study's plots (see report.h): per dataset, a Pareto plot of every arm and the
   dedicated models, and ESR against compute at the widest width and at 2 channels. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "report_sched.h"
#include "report_util.h"

/* Pareto data: one block per arm (its widths) and one for the dedicated models (one per width). */
static int pareto(const sw_experiment *e, const sw_results *r, const char *ds, const char *data, const char *out,
                  const char *plots_dir, sw_err *err) {
  char name[200], ch[SW_SCHED_MAX_W][64], titles[2048] = "";
  long macs[SW_SCHED_MAX_W];
  int nc = sw_sched_channels(r, ds, ch, macs, SW_SCHED_MAX_W), blocks = 0;
  snprintf(name, sizeof name, "pareto_%s.dat", ds);
  FILE *f = sw_plot_data(data, name);
  if (!f) return sw_fail(err, SW_EOUTPUT, "%s/%s: cannot write", data, name);
  for (int i = -1; i < e->n_models; i++) { /* -1: the dedicated models */
    if (i >= 0 && !strcmp(e->models[i].role, "dedicated")) continue;
    int pts = 0;
    for (int c = 0; c < nc; c++) {
      const sw_exp_model *m = i < 0 ? sw_sched_dedicated(e, r, ds, ch[c]) : &e->models[i];
      sw_sched_stat s;
      if (!m) continue;
      sw_sched_stats(r, m->id, ds, ch[c], &s);
      if (s.n) fprintf(f, "%ld %g %s\n", macs[c], s.mean, ch[c]), pts++;
    }
    if (!pts) continue; /* an empty block would shift the later titles (gnuplot's index skips it) */
    fprintf(f, "\n\n");
    size_t tl = strlen(titles);
    snprintf(titles + tl, sizeof titles - tl, "%s%s", blocks++ ? " " : "", i < 0 ? "dedicated" : e->models[i].id);
  }
  fclose(f);
  if (!blocks) { sw_plot_skipped(name, "no ESR rows for this dataset yet"); return SW_OK; }
  char vars[8800], script[4200];
  snprintf(vars, sizeof vars, "datafile='%s/%s'; dataset='%s'; narms=%d; titles='%s'", data, name, ds, blocks, titles);
  snprintf(script, sizeof script, "%s/schedules_pareto.gp", plots_dir);
  return sw_gnuplot(script, vars, out, err);
}

/* An arm's mean validation ESR over seeds at epoch ep and channels ch (NaN unless every seed has it). */
static double curve_mean(const sw_results *r, const char *model, const char *ds, const char *ch, int ep, int nseeds) {
  double sum = 0;
  int n = 0;
  for (int i = 0; i < r->n; i++) {
    const sw_rec *x = &r->r[i];
    if (x->epoch == ep && !strcmp(x->metric, "val_esr_epoch") && !strcmp(x->model, model) && !strcmp(x->dataset, ds) &&
        !strcmp(x->channels, ch))
      sum += x->value, n++;
  }
  return n && n >= nseeds ? sum / n : NAN;
}

/* Sample-passes per epoch of a model on a dataset (its sample_passes rows: total / epochs), 0 if none. */
static double passes_per_epoch(const sw_results *r, const char *model, const char *ds, int *epochs) {
  for (int i = 0; i < r->n; i++) {
    const sw_rec *x = &r->r[i];
    if (!strcmp(x->metric, "sample_passes") && !strcmp(x->model, model) && !strcmp(x->dataset, ds) && x->epoch > 0) {
      *epochs = x->epoch;
      return x->value / x->epoch;
    }
  }
  return 0;
}

/* ESR against compute at channels ch: every arm, and the dedicated model of that width. */
static int vs_compute(const sw_experiment *e, const sw_results *r, const char *ds, const char *ch, const char *data,
                      const char *out, const char *plots_dir, sw_err *err) {
  char name[200], titles[2048] = "";
  snprintf(name, sizeof name, "compute_%s_c%s.dat", ds, ch);
  for (char *p = name; *p; p++) if (*p == ' ') *p = '_';
  FILE *f = sw_plot_data(data, name);
  if (!f) return sw_fail(err, SW_EOUTPUT, "%s/%s: cannot write", data, name);
  int blocks = 0;
  const sw_exp_model *ded = sw_sched_dedicated(e, r, ds, ch);
  for (int i = 0; i < e->n_models; i++) {
    const sw_exp_model *m = &e->models[i];
    if (!strcmp(m->role, "dedicated") && m != ded) continue;
    int epochs = 0, pts = 0;
    double ppe = passes_per_epoch(r, m->id, ds, &epochs);
    for (int ep = 1; ppe > 0 && ep <= epochs; ep++) {
      double v = curve_mean(r, m->id, ds, ch, ep, e->n_seeds);
      if (!isnan(v)) fprintf(f, "%g %g\n", ep * ppe, v), pts++;
    }
    if (!pts) continue;
    fprintf(f, "\n\n");
    size_t tl = strlen(titles);
    snprintf(titles + tl, sizeof titles - tl, "%s%s", blocks++ ? " " : "", m->id);
  }
  fclose(f);
  if (!blocks) { sw_plot_skipped(name, "no training curves at this width yet"); return SW_OK; }
  char vars[8800], script[4200];
  snprintf(vars, sizeof vars, "datafile='%s/%s'; dataset='%s'; width='%s'; narms=%d; titles='%s'", data, name, ds, ch, blocks, titles);
  snprintf(script, sizeof script, "%s/esr_vs_compute.gp", plots_dir);
  return sw_gnuplot(script, vars, out, err);
}

int sw_report_schedule_plots(const sw_experiment *e, const char *R, const char *plots_dir, sw_err *err) {
  char data[4200], outdir[4200], out[4400];
  sw_results r;
  int rc = sw_plot_start(R, &r, outdir, data, sizeof data, err);
  if (rc) return rc;
  for (int d = 0; !rc && d < sw_experiment_n_datasets(e); d++) {
    const char *ds = e->datasets[d].recipe;
    snprintf(out, sizeof out, "%s/pareto_%s", outdir, ds);
    rc = pareto(e, &r, ds, data, out, plots_dir, err);
    char ch[SW_SCHED_MAX_W][64];
    long macs[SW_SCHED_MAX_W];
    int nc = sw_sched_channels(&r, ds, ch, macs, SW_SCHED_MAX_W);
    /* the widest width, and 2 channels (the narrowest the goal counts) when there is such a width */
    const char *at[2] = {nc ? ch[nc - 1] : NULL, NULL};
    for (int c = 0; c < nc; c++) if (!strcmp(ch[c], "2") && c != nc - 1) at[1] = ch[c];
    for (int k = 0; !rc && k < 2; k++) {
      if (!at[k]) continue;
      snprintf(out, sizeof out, "%s/compute_%s_c%s", outdir, ds, at[k]);
      for (char *p = out + strlen(outdir); *p; p++) if (*p == ' ') *p = '_';
      rc = vs_compute(e, &r, ds, at[k], data, out, plots_dir, err);
    }
  }
  sw_results_free(&r);
  return rc;
}
