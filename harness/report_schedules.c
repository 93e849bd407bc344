/* The schedule study's report (see report.h): every arm's ESR over the dedicated model's, per
   dataset and width, with the spread over seeds, at the compute each arm got. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/atomic_file.h"
#include "report.h"
#include "report_rows.h"
#include "report_sched.h"
#include "report_util.h"
#include "results.h"

#define GOAL 1.10 /* the target: within 10% of the dedicated model's ESR */

void sw_sched_stats(const sw_results *r, const char *model, const char *dataset, const char *ch, sw_sched_stat *s) {
  *s = (sw_sched_stat){.mean = NAN, .min = NAN, .max = NAN};
  double sum = 0;
  for (int i = 0; i < r->n; i++) {
    const sw_rec *x = &r->r[i];
    if (strcmp(x->metric, "esr") || strcmp(x->model, model) || strcmp(x->dataset, dataset) || strcmp(x->channels, ch) ||
        isnan(x->value))
      continue;
    sum += x->value;
    if (!s->n || x->value < s->min) s->min = x->value;
    if (!s->n || x->value > s->max) s->max = x->value;
    s->n++;
  }
  if (s->n) s->mean = sum / s->n;
}

const sw_exp_model *sw_sched_dedicated(const sw_experiment *e, const sw_results *r, const char *dataset, const char *ch) {
  for (int i = 0; i < e->n_models; i++) {
    if (strcmp(e->models[i].role, "dedicated")) continue;
    sw_sched_stat s;
    sw_sched_stats(r, e->models[i].id, dataset, ch, &s);
    if (s.n) return &e->models[i];
  }
  return NULL;
}

int sw_sched_channels(const sw_results *r, const char *dataset, char (*ch)[64], long *macs, int max) {
  int n = 0;
  for (int i = 0; i < r->n; i++) {
    const sw_rec *x = &r->r[i];
    if (strcmp(x->metric, "esr") || strcmp(x->dataset, dataset)) continue;
    int j = 0;
    while (j < n && strcmp(ch[j], x->channels)) j++;
    if (j < n || n >= max) continue;
    snprintf(ch[n], 64, "%s", x->channels);
    macs[n++] = x->macs;
  }
  for (int i = 1; i < n; i++) /* by cost, narrowest first */
    for (int k = i; k > 0 && macs[k] < macs[k - 1]; k--) {
      char t[64];
      long m = macs[k];
      memcpy(t, ch[k], 64); memcpy(ch[k], ch[k - 1], 64); memcpy(ch[k - 1], t, 64);
      macs[k] = macs[k - 1]; macs[k - 1] = m;
    }
  return n;
}

/* An arm's ESR over the dedicated model's at one width: mean over seeds / the dedicated mean, and
   each seed's extremes over the same mean. */
static bool arm_ratio(const sw_experiment *e, const sw_results *r, const sw_exp_model *m, const char *ds, const char *ch,
                      double *q, double *lo, double *hi) {
  const sw_exp_model *ded = sw_sched_dedicated(e, r, ds, ch);
  sw_sched_stat a, d;
  sw_sched_stats(r, m->id, ds, ch, &a);
  if (!ded || !a.n) return false;
  sw_sched_stats(r, ded->id, ds, ch, &d);
  if (!(d.mean > 0)) return false;
  *q = a.mean / d.mean, *lo = a.min / d.mean, *hi = a.max / d.mean;
  return true;
}

/* The compute table: what each arm trained, from its sample_passes rows (mean over cells). */
static void compute_table(sw_buf *md, const sw_experiment *e, const sw_results *r) {
  sw_bp(md, "## Compute per arm\n\nEvery arm gets the same sample-passes: a pass is one forward and backward of one output "
            "sample at the width a sub-step trains; a mini-batch of `sandwich:N` is N + 2 sub-steps, so it trains a "
            "(N + 2)-th of the epochs (with the lr decay per epoch raised to the N + 2, the same learning rate at the same "
            "compute). Passes count what ran (mini-batches x sub-steps x batch x samples), mean over the arm's cells.\n\n"
            "| Arm | schedule | init | best epoch by | epochs | sample-passes |\n|---|---|---|---|---|---|\n");
  for (int i = 0; i < e->n_models; i++) {
    const sw_exp_model *m = &e->models[i];
    double sum = 0, ep = 0;
    int n = 0;
    for (int k = 0; k < r->n; k++)
      if (!strcmp(r->r[k].metric, "sample_passes") && !strcmp(r->r[k].model, m->id)) {
        sum += r->r[k].value;
        ep += r->r[k].epoch;
        n++;
      }
    if (!n) { sw_bp(md, "| %s | %s | | | n/a | n/a |\n", m->id, m->schedule); continue; }
    sw_bp(md, "| %s | %s | %s | %s | %.0f | %.3g |\n", m->id, m->schedule, m->init[0] ? m->init : "standard",
          m->best_by[0] ? m->best_by : "full", ep / n, sum / n);
  }
}

/* One dataset: the ratio table, each arm's worst width of 2 channels and more. */
static void dataset_table(sw_buf *md, const sw_experiment *e, const sw_results *r, int d, double *worst) {
  const char *ds = e->datasets[d].recipe;
  char ch[SW_SCHED_MAX_W][64];
  long macs[SW_SCHED_MAX_W];
  int nc = sw_sched_channels(r, ds, ch, macs, SW_SCHED_MAX_W);
  sw_bp(md, "\n## %s (%s)\n\nEach arm's ESR over the dedicated model's of that width (mean over seeds; in brackets each "
            "seed's lowest and highest over the same mean); **bold**: within %.2fx; *italic*: the arm's own ESR (mean over "
            "seeds) at a width without a dedicated model. The dedicated column is its ESR, mean (min-max) over seeds.\n\n| Channels | MACs/sample | dedicated |", ds, e->datasets[d].tone, GOAL);
  for (int i = 0; i < e->n_models; i++)
    if (strcmp(e->models[i].role, "dedicated")) sw_bp(md, " %s |", e->models[i].id);
  sw_bp(md, "\n|---|---|---|");
  for (int i = 0; i < e->n_models; i++)
    if (strcmp(e->models[i].role, "dedicated")) sw_bp(md, "---|");
  sw_bp(md, "\n");
  for (int i = 0; i < e->n_models; i++) worst[i] = NAN;
  for (int c = nc - 1; c >= 0; c--) {
    const sw_exp_model *ded = sw_sched_dedicated(e, r, ds, ch[c]);
    sw_sched_stat s = {.mean = NAN};
    if (ded) sw_sched_stats(r, ded->id, ds, ch[c], &s);
    if (isnan(s.mean)) sw_bp(md, "| %s | %ld | n/a |", ch[c], macs[c]);
    else sw_bp(md, "| %s | %ld | %.4f (%.4f-%.4f) |", ch[c], macs[c], s.mean, s.min, s.max);
    for (int i = 0; i < e->n_models; i++) {
      const sw_exp_model *m = &e->models[i];
      if (!strcmp(m->role, "dedicated")) continue;
      double q, lo, hi;
      if (!arm_ratio(e, r, m, ds, ch[c], &q, &lo, &hi)) {
        sw_sched_stat a;
        sw_sched_stats(r, m->id, ds, ch[c], &a);
        if (a.n) sw_bp(md, " *%.4f* |", a.mean); /* no dedicated model of this width: the arm's own ESR */
        else sw_bp(md, " n/a |");
        continue;
      }
      const char *b = q <= GOAL ? "**" : "";
      sw_bp(md, " %s%.2f%s (%.2f-%.2f) |", b, q, b, lo, hi);
      if (atoi(ch[c]) >= 2 && (isnan(worst[i]) || q > worst[i])) worst[i] = q;
    }
    sw_bp(md, "\n");
  }
}

/* The goal: every width of 2 channels and more within GOAL on every dataset. */
static void goal(sw_buf *md, const sw_experiment *e, double (*worst)[SW_EXP_MAX], int nd) {
  sw_bp(md, "\n## The goal: within %.2fx of the dedicated model at every width of 2 channels and more, on every dataset\n\n"
            "| Arm |", GOAL);
  for (int d = 0; d < nd; d++) sw_bp(md, " worst, %s |", e->datasets[d].recipe);
  sw_bp(md, " met |\n|---|");
  for (int d = 0; d < nd; d++) sw_bp(md, "---|");
  sw_bp(md, "---|\n");
  int best = -1;
  double best_w = INFINITY;
  for (int i = 0; i < e->n_models; i++) {
    if (!strcmp(e->models[i].role, "dedicated")) continue;
    double w = -INFINITY;
    sw_bp(md, "| %s |", e->models[i].id);
    for (int d = 0; d < nd; d++) {
      if (isnan(worst[d][i])) { sw_bp(md, " n/a |"); w = NAN; continue; }
      sw_bp(md, " %.2f |", worst[d][i]);
      if (worst[d][i] > w) w = worst[d][i];
    }
    sw_bp(md, " %s |\n", isnan(w) ? "n/a" : w <= GOAL ? "yes" : "no");
    if (!isnan(w) && w < best_w) { best_w = w; best = i; }
  }
  if (best >= 0)
    sw_bp(md, "\nClosest: **%s**, worst ratio %.2f (%s the goal).\n", e->models[best].id, best_w, best_w <= GOAL ? "meets" : "misses");
}

/* Per dataset and arm: how far the curves are from converged at the widest and the narrowest
   width of 2 channels or more (mean over seeds). */
static void convergence(sw_buf *md, const sw_experiment *e, const sw_results *r, int nd) {
  sw_bp(md, "\n## How far from converged\n\nHow much each arm's best validation ESR so far fell over the last tenth of its "
            "epochs (mean over seeds, window in brackets): near 0%% the arms are compared where they have stopped moving; "
            "more means they were still improving when the compute ran out.\n\n| Dataset | Arm | widest | 2 channels |\n"
            "|---|---|---|---|\n");
  for (int d = 0; d < nd; d++) {
    const char *ds = e->datasets[d].recipe;
    char ch[SW_SCHED_MAX_W][64];
    long macs[SW_SCHED_MAX_W];
    int nc = sw_sched_channels(r, ds, ch, macs, SW_SCHED_MAX_W);
    if (!nc) continue;
    for (int i = 0; i < e->n_models; i++) {
      const sw_exp_model *m = &e->models[i];
      sw_bp(md, "| %s | %s |", ds, m->id);
      const char *at[2] = {ch[nc - 1], "2"};
      for (int k = 0; k < 2; k++) {
        double sum = 0;
        int n = 0, win = 0;
        for (int s = 0; s < e->n_seeds; s++) {
          double c = sw_results_convergence(r, m->id, ds, at[k], e->seeds[s], &win);
          if (!isnan(c)) { sum += c; n++; }
        }
        if (n) sw_bp(md, " %.1f%% (%d ep) |", 100 * sum / n, win);
        else sw_bp(md, " |");
      }
      sw_bp(md, "\n");
    }
  }
}

/* The committed reference's worst ratios beside this run's. */
static int beside_reference(sw_buf *md, const sw_experiment *e, const char *R, const char *ref, double (*worst)[SW_EXP_MAX],
                            int nd, sw_err *err) {
  if (!ref) return SW_OK;
  char path[4200], why[2048];
  sw_bp(md, "\n## Beside the committed reference\n\n");
  snprintf(path, sizeof path, "%.4000s/results.csv", ref);
  sw_results rr;
  if (sw_results_load(path, &rr, err)) {
    sw_bp(md, "No committed reference for this run yet (`%s/`): `slimwave sweep publish` makes this run one.\n", ref);
    return SW_OK;
  }
  int same = sw_recipe_compare(R, ref, why, sizeof why);
  if (same == 1) sw_bp(md, "The reference `%s/` followed the same recipe.\n\n", ref);
  else if (same == 0) sw_bp(md, "**The reference `%s/` was made with another recipe**: %s.\n\n", ref, why);
  else sw_bp(md, "**The reference `%s/` records no recipe; compare with care.**\n\n", ref);
  sw_bp(md, "| Dataset | Arm | worst ratio here | worst ratio, reference |\n|---|---|---|---|\n");
  for (int d = 0; d < nd; d++) {
    double w2[SW_EXP_MAX];
    sw_buf scratch = {0};
    dataset_table(&scratch, e, &rr, d, w2);
    free(scratch.p);
    for (int i = 0; i < e->n_models; i++) {
      if (!strcmp(e->models[i].role, "dedicated")) continue;
      char a[16] = "n/a", b[16] = "n/a";
      if (!isnan(worst[d][i])) snprintf(a, sizeof a, "%.2f", worst[d][i]);
      if (!isnan(w2[i])) snprintf(b, sizeof b, "%.2f", w2[i]);
      sw_bp(md, "| %s | %s | %s | %s |\n", e->datasets[d].recipe, e->models[i].id, a, b);
    }
  }
  sw_results_free(&rr);
  return SW_OK;
}

int sw_report_schedules(const sw_experiment *e, const char *R, const char *ref, sw_err *err) {
  char path[4200];
  snprintf(path, sizeof path, "%.4000s/results.csv", R);
  sw_results r;
  int rc = sw_results_load(path, &r, err);
  if (rc) return rc;
  int nd = sw_experiment_n_datasets(e);
  sw_buf md = {0};
  sw_bp(&md, "# Schedule study: %s, profile %s, data %s\n\nGenerated by `slimwave report` from `results.csv` (provenance in "
             "`provenance.json`, settings in `recipe.json`). ESR: error-to-signal ratio, %s. A dedicated model is the "
             "architecture at that width trained alone (initialised as a model of that width); an arm is a width schedule "
             "(and init) training one slimmable model for every width.\n\n", e->name, e->profile.name, e->family,
        sw_validation_words(e->val_nam));
  sw_report_training_words(&md, e);
  compute_table(&md, e, &r);
  double worst[SW_EXP_MAX][SW_EXP_MAX];
  for (int d = 0; d < nd; d++) dataset_table(&md, e, &r, d, worst[d]);
  goal(&md, e, worst, nd);
  convergence(&md, e, &r, nd);
  rc = beside_reference(&md, e, R, ref, worst, nd, err);
  snprintf(path, sizeof path, "%.4000s/schedules.md", R);
  if (!rc) rc = sw_write_file_atomic(path, md.p, md.len, err);
  free(md.p);
  sw_results_free(&r);
  return rc;
}
