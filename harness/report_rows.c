/* Paper-table rows, convergence and the reference comparison (see report_rows.h). */
#include "report_rows.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "../core/model.h"
#include "provenance.h"

int sw_widths_of(const sw_results *r, const char *model, sw_wid *out, int max) {
  int n = 0;
  for (int i = 0; i < r->n; i++) {
    const sw_rec *x = &r->r[i];
    if (strcmp(x->model, model) || (strcmp(x->metric, "esr") && strcmp(x->metric, "rtf"))) continue;
    int j = 0;
    while (j < n && strcmp(out[j].ch, x->channels)) j++;
    if (j < n || n >= max) continue;
    snprintf(out[n].ch, sizeof out[n].ch, "%s", x->channels);
    out[n].pct = x->width_pct;
    out[n].macs = x->macs;
    n++;
  }
  for (int i = 1; i < n; i++)
    for (int k = i; k > 0 && out[k].pct < out[k - 1].pct; k--) { sw_wid t = out[k]; out[k] = out[k - 1]; out[k - 1] = t; }
  return n;
}

const sw_wid *sw_wid_closest(const sw_wid *w, int n, double pct) {
  const sw_wid *b = NULL;
  for (int i = 0; i < n; i++)
    if (!b || fabs(w[i].pct - pct) < fabs(b->pct - pct)) b = &w[i];
  return b;
}

static void add(sw_trow *rows, int *n, int max, const char *label, const sw_exp_model *m, const char *ch, const char *pm,
                const char *pw) {
  if (*n >= max) return;
  sw_trow *t = &rows[(*n)++];
  snprintf(t->paper_model, sizeof t->paper_model, "%s", pm);
  snprintf(t->paper_width, sizeof t->paper_width, "%s", pw);
  snprintf(t->label, sizeof t->label, "%s", label);
  snprintf(t->ch, sizeof t->ch, "%s", ch);
  t->m = m;
  t->paper_rtf = NAN;
  for (int d = 0; d < SW_EXP_MAX; d++) t->paper_esr[d] = NAN;
}

int sw_table_rows(const sw_experiment *e, const sw_results *r, sw_trow *rows, int max) {
  static const struct { const char *role, *label, *paper; } fixed[] = {
    {"nam_nano", "NAM A1 nano (fixed)", ""}, {"nam_standard", "NAM A1 standard (fixed)", "nam_standard"}};
  sw_wid w[SW_MAX_CHANNELS];
  int n = 0;
  for (size_t k = 0; k < sizeof fixed / sizeof *fixed; k++) {
    const sw_exp_model *m = sw_experiment_by_role(e, fixed[k].role);
    int nw = m ? sw_widths_of(r, m->id, w, SW_MAX_CHANNELS) : 0;
    if (nw) add(rows, &n, max, fixed[k].label, m, w[nw - 1].ch, fixed[k].paper, "100%");
  }
  const sw_exp_model *slim = sw_experiment_by_role(e, "slimmable");
  int ns = slim ? sw_widths_of(r, slim->id, w, SW_MAX_CHANNELS) : 0;
  static const double pcts[] = {100, 75, 50, 25};
  for (int i = 0; i < 4 && ns; i++) {
    const sw_wid *c = sw_wid_closest(w, ns, pcts[i]);
    char label[128], pw[16];
    snprintf(label, sizeof label, "Slimmable %.0f%% (%s ch)", pcts[i], c->ch);
    snprintf(pw, sizeof pw, "%.0f%%", pcts[i]);
    add(rows, &n, max, label, slim, c->ch, "slimmable", pw);
  }
  static const struct { const char *role, *label; } alone[] = {
    {"fixed_full", "Fixed full width (trained alone)"}, {"fixed_half", "Fixed half width (trained alone)"}};
  for (size_t k = 0; k < sizeof alone / sizeof *alone; k++) {
    const sw_exp_model *m = sw_experiment_by_role(e, alone[k].role);
    if (m && sw_widths_of(r, m->id, w, SW_MAX_CHANNELS)) add(rows, &n, max, alone[k].label, m, w[0].ch, "", "");
  }
  return n;
}

void sw_report_training_words(sw_buf *md, const sw_experiment *e) {
  const sw_exp_profile *p = &e->profile;
  sw_bp(md, "Training (profile %s): %d epoch%s, mini-batches of %d x %d samples, Adam lr %g, ", p->name, p->epochs,
        p->epochs == 1 ? "" : "s", p->batch, p->ny, p->lr);
  if (p->data_seconds > 0) sw_bp(md, "on a capture signal shortened to %g s; ", p->data_seconds);
  else sw_bp(md, "on the whole capture signal; ");
  sw_bp(md, "loss and lr decay per epoch by model:");
  for (int i = 0; i < e->n_models; i++) {
    const sw_exp_model *m = &e->models[i];
    sw_bp(md, "%s %s %s, %g", i ? ";" : "", m->id, m->loss[0] ? m->loss : "nam", m->decay > 0 ? m->decay : p->decay);
  }
  sw_bp(md, " (loss nam: MSE + 2e-4 MRSTFT of the pre-emphasised signals, NAM's default; paper: MSE + 2e-4 MRSTFT of "
            "the raw signals, the paper's code). Seeds:");
  for (int s = 0; s < e->n_seeds; s++) sw_bp(md, " %d", e->seeds[s]);
  sw_bp(md, ".\n\n");
}

void sw_report_convergence(sw_buf *md, const sw_experiment *e, const sw_results *r, const sw_trow *rows, int n) {
  int nd = sw_experiment_n_datasets(e);
  sw_bp(md, "\n## How far from converged\n\nFor each cell, how much its best validation ESR so far fell over the last "
            "tenth of its epochs (window in brackets): near 0%% it has stopped improving; 20%% means it was still "
            "falling by a fifth per tenth of training, so longer training would change the figures above.\n\n| Model |");
  for (int d = 0; d < nd; d++) sw_bp(md, " %s |", e->datasets[d].tone);
  sw_bp(md, "\n|---|");
  for (int d = 0; d < nd; d++) sw_bp(md, "---|");
  sw_bp(md, "\n");
  for (int i = 0; i < n; i++) {
    sw_bp(md, "| %s |", rows[i].label);
    for (int d = 0; d < nd; d++) {
      int win;
      double c = sw_results_convergence(r, rows[i].m->id, e->datasets[d].recipe, rows[i].ch, -1, &win);
      if (isnan(c)) sw_bp(md, " n/a |");
      else sw_bp(md, " %.1f%% (%d ep) |", 100 * c, win);
    }
    sw_bp(md, "\n");
  }
}

static void fmt(char *s, size_t n, double v, const char *f) {
  if (isnan(v)) snprintf(s, n, "n/a");
  else snprintf(s, n, f, v);
}

int sw_report_beside_reference(sw_buf *md, const sw_experiment *e, const sw_results *r, const char *R, const char *ref,
                               const sw_trow *rows, int n, sw_err *err) {
  if (!ref) return SW_OK; /* the reference itself, re-rendered */
  char path[4200], why[2048], cpus[1024], refcpus[1024];
  sw_bp(md, "\n## This machine beside the committed reference and the paper\n\n");
  snprintf(path, sizeof path, "%.4000s/results.csv", ref);
  struct stat st;
  if (stat(path, &st)) {
    sw_bp(md, "No committed reference for this run yet (`%s/`): `slimwave sweep publish` makes this run one.\n", ref);
    return SW_OK;
  }
  sw_results rr;
  int rc = sw_results_load(path, &rr, err);
  if (rc) return rc;
  int same = sw_recipe_compare(R, ref, why, sizeof why);
  if (same == 1) sw_bp(md, "The reference `%s/` followed the same recipe (`recipe.json`). ", ref);
  else if (same == 0) sw_bp(md, "**The reference `%s/` was made with another recipe, so its figures do not compare one to one**: %s. ", ref, why);
  else sw_bp(md, "**The reference `%s/` records no recipe (it predates `recipe.json`; see its provenance and README), so "
                 "compare with care.** ", ref);
  snprintf(path, sizeof path, "%.4000s/provenance.json", R);
  int nc = sw_provenance_cell_cpus(path, "/", cpus, sizeof cpus);
  snprintf(path, sizeof path, "%.4000s/provenance.json", ref);
  int nrc = sw_provenance_cell_cpus(path, "/", refcpus, sizeof refcpus);
  sw_bp(md, "Here: %s; the reference: %s. The paper's RTF is the authors' machine with NeuralAmpModelerCore.\n\n",
        nc ? cpus : "CPU not recorded", nrc ? refcpus : "CPU not recorded");
  sw_bp(md, "| Model | tone | ESR here | ESR reference | ESR paper | RTF here | RTF reference | RTF paper |\n"
            "|---|---|---|---|---|---|---|---|\n");
  for (int i = 0; i < n; i++) {
    const char *id = rows[i].m->id, *ch = rows[i].ch;
    char a[32], b[32], c[32], x[32], y[32], z[32];
    fmt(x, sizeof x, sw_results_best_rtf(r, id, ch, 64, NULL, 0), "%.0fx");
    fmt(y, sizeof y, sw_results_best_rtf(&rr, id, ch, 64, NULL, 0), "%.0fx");
    fmt(z, sizeof z, rows[i].paper_rtf, "%.0fx");
    for (int d = 0; d < sw_experiment_n_datasets(e); d++) {
      const char *tone = e->datasets[d].tone;
      fmt(a, sizeof a, sw_results_get(r, id, tone, ch, "esr", NULL, -1), "%.4f");
      fmt(b, sizeof b, sw_results_get(&rr, id, tone, ch, "esr", NULL, -1), "%.4f");
      fmt(c, sizeof c, rows[i].paper_esr[d], "%.4f");
      sw_bp(md, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", rows[i].label, tone, a, b, c, x, y, z);
    }
  }
  sw_results_free(&rr);
  return SW_OK;
}
