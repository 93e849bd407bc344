/* Plot data from results.csv and gnuplot runs over the scripts in plots/ (see report.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../core/atomic_file.h"
#include "../core/model.h"
#include "report.h"
#include "report_util.h"
#include "results.h"
#include "spawn.h"

/* Opens a data file (plain write: data files are regenerated as a whole on every report and
   the plots made from them are written atomically). */
FILE *sw_plot_data(const char *dir, const char *name) {
  char p[4400];
  snprintf(p, sizeof p, "%.4000s/%.300s", dir, name);
  return fopen(p, "w");
}

static bool seen(char (*list)[64], int n, const char *s) {
  for (int i = 0; i < n; i++) if (!strcmp(list[i], s)) return true;
  return false;
}

int sw_gnuplot(const char *script, const char *vars, const char *out_base, sw_err *err) {
  static const char *const terms[][2] = {{"pngcairo size 900,600 font ',11'", "png"}, {"svg size 900,600 font ',11'", "svg"}};
  for (int t = 0; t < 2; t++) {
    char out[4300], e[8192];
    snprintf(out, sizeof out, "%s.%s", out_base, terms[t][1]);
    char tmp[4400];
    if (sw_atomic_tmpname(out, tmp, sizeof tmp, err)) return SW_EOUTPUT;
    snprintf(e, sizeof e, "%s; set terminal %s; set output '%s'", vars, terms[t][0], tmp);
    char *argv[] = {"gnuplot", "-e", e, (char *)script, NULL};
    if (sw_child_run(argv, NULL, err)) { remove(tmp); return SW_EFAIL; }
    if (sw_atomic_rename(tmp, out, err)) return SW_EOUTPUT;
  }
  return SW_OK;
}

/* A plot without data (cells not run yet: a partial full profile) is left out, with a note. */
void sw_plot_skipped(const char *what, const char *why) {
  fprintf(stderr, "report: plot %s left out: %s\n", what, why);
}

int sw_plot_start(const char *R, sw_results *r, char *outdir, char *data, size_t len, sw_err *err) {
  char path[4200];
  snprintf(path, sizeof path, "%.4000s/results.csv", R);
  int rc = sw_results_load(path, r, err);
  if (rc) return rc;
  snprintf(outdir, len, "%.4000s/plots", R);
  snprintf(data, len, "%.4000s/plots/data", R);
  mkdir(outdir, 0777);
  mkdir(data, 0777);
  return SW_OK;
}

int sw_report_plots(const sw_experiment *e, const char *R, const char *plots_dir, sw_err *err) {
  char data[4200], outdir[4200];
  sw_results r;
  int rc = sw_plot_start(R, &r, outdir, data, sizeof data, err);
  if (rc) return rc;
  const sw_exp_model *slim = sw_experiment_by_role(e, "slimmable");
  char backends[16][64];
  int nb = 0;
  for (int i = 0; i < r.n; i++)
    if (!strcmp(r.r[i].metric, "rtf") && r.r[i].block == 64 && !seen(backends, nb, r.r[i].backend) && nb < 16)
      snprintf(backends[nb++], 64, "%s", r.r[i].backend);

  /* Pareto per tone: ESR (y) against best RTF (x); one data block per model. */
  for (int d = 0; d < sw_experiment_n_datasets(e) && !rc; d++) {
    char name[128];
    snprintf(name, sizeof name, "pareto_%s.dat", e->datasets[d].tone);
    FILE *f = sw_plot_data(data, name);
    if (!f) { rc = sw_fail(err, SW_EOUTPUT, "%s/%s: cannot write", data, name); break; }
    /* a block only for a model with points: gnuplot's `index` skips empty blocks, so an empty one
       would shift the later models' titles onto the wrong curves */
    int pts = 0, shown = 0;
    char titles[1024] = "", ptypes[256] = "";
    for (int m = 0; m < e->n_models; m++) {
      int mp = 0;
      for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < r.n; i++) {
          const sw_rec *x = &r.r[i];
          if (strcmp(x->model, e->models[m].id) || strcmp(x->tone, e->datasets[d].tone) || strcmp(x->metric, "esr")) continue;
          double rtf = sw_results_best_rtf(&r, x->model, x->channels, 64, NULL, 0);
          if (isnan(rtf) || isnan(x->value)) continue;
          if (pass) fprintf(f, "%g %g \"%s\"\n", rtf, x->value, x->channels);
          else if (!mp++) fprintf(f, "# model %s\n", e->models[m].id);
        }
      if (!mp) continue;
      fprintf(f, "\n\n");
      pts += mp;
      size_t tl = strlen(titles), pl = strlen(ptypes);
      snprintf(titles + tl, sizeof titles - tl, "%s%s", shown ? " " : "", e->models[m].id);
      snprintf(ptypes + pl, sizeof ptypes - pl, "%s%d", shown ? " " : "", m + 5); /* a model keeps its marker */
      shown++;
    }
    fclose(f);
    if (!pts) {
      snprintf(name, sizeof name, "pareto_%s", e->datasets[d].tone);
      sw_plot_skipped(name, "no model of this tone has both ESR and RTF rows yet");
      continue;
    }
    char vars[6000], out[4300], script[4200];
    snprintf(vars, sizeof vars, "datafile='%s/%s'; tone='%s'; titles='%s'; ptypes='%s'; nmodels=%d", data, name,
             e->datasets[d].tone, titles, ptypes, shown);
    snprintf(out, sizeof out, "%s/pareto_%s", outdir, e->datasets[d].tone);
    snprintf(script, sizeof script, "%s/pareto.gp", plots_dir);
    rc = sw_gnuplot(script, vars, out, err);
  }
  /* RTF and efficiency against width, one line per backend (the slimmable model). */
  const char *metrics[] = {"rtf", "efficiency"};
  for (int mi = 0; mi < 2 && !rc && slim && nb; mi++) {
    char vars[6000], out[4300], script[4200], names[1024] = "";
    int pts = 0;
    for (int b = 0; b < nb; b++) {
      char name[128];
      snprintf(name, sizeof name, "%s_%.32s.dat", metrics[mi], backends[b]);
      FILE *f = sw_plot_data(data, name);
      if (!f) { rc = sw_fail(err, SW_EOUTPUT, "%s/%s: cannot write", data, name); break; }
      fprintf(f, "# channels macs_per_sample %s\n", metrics[mi]);
      for (int i = 0; i < r.n; i++) {
        const sw_rec *x = &r.r[i];
        if (strcmp(x->model, slim->id) || strcmp(x->metric, metrics[mi]) || strcmp(x->backend, backends[b]) || x->block != 64)
          continue;
        fprintf(f, "%d %ld %g\n", atoi(x->channels), x->macs, x->value);
        pts++;
      }
      fclose(f);
      strncat(names, backends[b], sizeof names - strlen(names) - 2);
      strcat(names, " ");
    }
    if (!rc && !pts) { sw_plot_skipped(metrics[mi], "the slimmable model has no rows of it yet"); continue; }
    snprintf(vars, sizeof vars, "datadir='%s'; metric='%s'; backends='%s'", data, metrics[mi], names);
    snprintf(out, sizeof out, "%s/%s_vs_width", outdir, metrics[mi]);
    snprintf(script, sizeof script, "%s/backend_width.gp", plots_dir);
    if (!rc) rc = sw_gnuplot(script, vars, out, err);
  }
  /* Counters per sample against width (SDE through PAPI), first tone, slimmable model. */
  if (!rc && slim) {
    FILE *f = sw_plot_data(data, "counters.dat");
    if (f) {
      fprintf(f, "# channels macs_formula sde_macs sde_activations sde_weight_bytes\n");
      int pts = 0;
      for (int i = 0; i < r.n; i++) {
        const sw_rec *x = &r.r[i];
        if (strcmp(x->model, slim->id) || strcmp(x->tone, e->datasets[0].tone) || strcmp(x->metric, "esr")) continue;
        pts++;
        fprintf(f, "%d %ld %g %g %g\n", atoi(x->channels), x->macs,
                sw_results_get(&r, slim->id, x->tone, x->channels, "sde:::slimwave::MACS", NULL, -1),
                sw_results_get(&r, slim->id, x->tone, x->channels, "sde:::slimwave::ACTIVATIONS", NULL, -1),
                sw_results_get(&r, slim->id, x->tone, x->channels, "sde:::slimwave::WEIGHT_BYTES", NULL, -1));
      }
      fclose(f);
      char vars[4400], out[4300], script[4200];
      snprintf(vars, sizeof vars, "datafile='%s/counters.dat'", data);
      snprintf(out, sizeof out, "%s/counters_vs_width", outdir);
      snprintf(script, sizeof script, "%s/counters.gp", plots_dir);
      if (pts) rc = sw_gnuplot(script, vars, out, err);
      else sw_plot_skipped("counters", "the slimmable model has no rows yet");
    }
  }
  /* Training curves: validation ESR per epoch for each width (slimmable model, first tone). */
  if (!rc && slim) {
    FILE *f = sw_plot_data(data, "curves.dat");
    char chans[SW_MAX_CHANNELS][64];
    int nc = 0;
    for (int i = 0; i < r.n; i++)
      if (!strcmp(r.r[i].model, slim->id) && !strcmp(r.r[i].metric, "val_esr_epoch") && !seen(chans, nc, r.r[i].channels) && nc < SW_MAX_CHANNELS)
        snprintf(chans[nc++], 64, "%s", r.r[i].channels);
    if (f) {
      for (int c = 0; c < nc; c++) {
        fprintf(f, "# channels %s\n", chans[c]);
        for (int i = 0; i < r.n; i++) {
          const sw_rec *x = &r.r[i];
          if (!strcmp(x->model, slim->id) && !strcmp(x->tone, e->datasets[0].tone) && !strcmp(x->metric, "val_esr_epoch") && !strcmp(x->channels, chans[c]))
            fprintf(f, "%d %g\n", x->epoch, x->value);
        }
        fprintf(f, "\n\n");
      }
      fclose(f);
      if (nc) {
        char vars[6000], out[4300], script[4200], names[1024] = "";
        for (int c = 0; c < nc; c++) { strncat(names, chans[c], sizeof names - strlen(names) - 2); strcat(names, " "); }
        snprintf(vars, sizeof vars, "datafile='%s/curves.dat'; widths='%s'; tone='%s'", data, names, e->datasets[0].tone);
        snprintf(out, sizeof out, "%s/training_curves", outdir);
        snprintf(script, sizeof script, "%s/training_curves.gp", plots_dir);
        rc = sw_gnuplot(script, vars, out, err);
      } else {
        sw_plot_skipped("training curves", "the slimmable model has no rows yet");
      }
    }
  }
  sw_results_free(&r);
  return rc;
}
