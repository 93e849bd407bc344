/* The paper table (see report.h). Every figure comes from R/results.csv (and the reference's and
   the paper's files beside it); nothing is typed in. */
#include "report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/atomic_file.h"
#include "../core/model.h"
#include "provenance.h"
#include "report_rows.h"
#include "report_util.h"
#include "results.h"

static void fmt_esr(char *s, size_t n, double v) {
  if (isnan(v)) snprintf(s, n, "n/a");
  else snprintf(s, n, "%.4f", v);
}

static void ratio(char *s, size_t n, double ours, double theirs) {
  if (isnan(ours) || isnan(theirs) || theirs == 0) snprintf(s, n, "n/a");
  else snprintf(s, n, "%.2f", ours / theirs);
}

/* The slimmable model's ESR over the fixed one's, as a signed percentage. */
static void fmt_penalty(char *s, size_t n, double slim, double fixed) {
  if (isnan(slim) || isnan(fixed) || fixed == 0) snprintf(s, n, "n/a");
  else snprintf(s, n, "%+.0f%%", 100 * (slim / fixed - 1));
}

static void fmt_rtf(char *s, size_t n, const sw_results *r, const char *model, const char *ch) {
  char be[32];
  double rtf = sw_results_best_rtf(r, model, ch, 64, be, sizeof be);
  if (isnan(rtf)) snprintf(s, n, "n/a");
  else snprintf(s, n, "%.0fx (%s)", rtf, be);
}

/* One table row: label, RTF (best backend), then ESR per tone. */
static void row(sw_buf *md, sw_buf *tex, const sw_experiment *e, const sw_results *r, const sw_trow *t) {
  char s[64];
  fmt_rtf(s, sizeof s, r, t->m->id, t->ch);
  sw_bp(md, "| %s | %s |", t->label, s);
  sw_bp(tex, "%s & %s", t->label, s);
  for (int d = 0; d < sw_experiment_n_datasets(e); d++) {
    fmt_esr(s, sizeof s, sw_results_get(r, t->m->id, e->datasets[d].tone, t->ch, "esr", NULL, -1));
    sw_bp(md, " %s |", s);
    sw_bp(tex, " & %s", s);
  }
  sw_bp(md, "\n");
  sw_bp(tex, " \\\\\n");
}

/* The dedicated model (trained alone) with ESR rows at channels ch for tone, or NULL. */
static const sw_exp_model *dedicated_at(const sw_experiment *e, const sw_results *r, const char *tone, const char *ch) {
  for (int i = 0; i < e->n_models; i++) {
    const char *role = e->models[i].role;
    if ((!strcmp(role, "fixed_full") || !strcmp(role, "fixed_half") || !strcmp(role, "dedicated")) &&
        !isnan(sw_results_get(r, e->models[i].id, tone, ch, "esr", NULL, -1)))
      return &e->models[i];
  }
  return NULL;
}

/* Every width of the slimmable model, each beside the model of that width trained alone. */
static void every_width(sw_buf *md, const sw_experiment *e, const sw_results *r, const sw_exp_model *slim) {
  sw_wid w[SW_MAX_CHANNELS];
  int ns = sw_widths_of(r, slim->id, w, SW_MAX_CHANNELS), nd = sw_experiment_n_datasets(e);
  if (!ns) return;
  sw_bp(md, "\n## Every width of the slimmable model (%s)\n\n\"x dedicated\": its ESR over that of the model of the same "
            "width trained alone (1.00 = no penalty for slimming).\n\n| Width | Channels | MACs/sample | RTF |", slim->id);
  for (int d = 0; d < nd; d++) sw_bp(md, " ESR %s | x dedicated |", e->datasets[d].tone);
  sw_bp(md, "\n|---|---|---|---|");
  for (int d = 0; d < nd; d++) sw_bp(md, "---|---|");
  sw_bp(md, "\n");
  for (int i = ns - 1; i >= 0; i--) {
    char s[64], q[32];
    fmt_rtf(s, sizeof s, r, slim->id, w[i].ch);
    sw_bp(md, "| %.1f%% | %s | %ld | %s |", w[i].pct, w[i].ch, w[i].macs, s);
    for (int d = 0; d < nd; d++) {
      const char *tone = e->datasets[d].tone;
      double v = sw_results_get(r, slim->id, tone, w[i].ch, "esr", NULL, -1);
      const sw_exp_model *ded = dedicated_at(e, r, tone, w[i].ch);
      fmt_esr(s, sizeof s, v);
      ratio(q, sizeof q, v, ded ? sw_results_get(r, ded->id, tone, w[i].ch, "esr", NULL, -1) : NAN);
      sw_bp(md, " %s | %s |", s, q);
    }
    sw_bp(md, "\n");
  }
}

/* Reads the paper's table: model,width,rtf,esr_clean,esr_crunch,esr_rhythm,esr_lead. */
typedef struct paper_row { char model[32], width[16]; double v[6]; } paper_row;
static int read_paper(const char *path, paper_row *rows, int max) {
  char *text;
  size_t n;
  sw_err err;
  if (!path || sw_read_file(path, 1 << 20, &text, &n, &err)) return 0;
  int k = 0;
  char *save = NULL;
  for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    if (line[0] == '#' || !strncmp(line, "model,", 6) || k >= max) continue;
    paper_row *p = &rows[k];
    char *f[8];
    int nf = 0;
    for (char *q = line; nf < 8;) { f[nf++] = q; char *c = strchr(q, ','); if (!c) break; *c = 0; q = c + 1; }
    if (nf < 7) continue;
    snprintf(p->model, sizeof p->model, "%s", f[0]);
    snprintf(p->width, sizeof p->width, "%s", f[1]);
    for (int j = 0; j < 5; j++) p->v[j] = f[2 + j][0] ? strtod(f[2 + j], NULL) : NAN;
    k++;
  }
  free(text);
  return k;
}

static const char *const paper_tones[] = {"clean", "crunch", "rhythm", "lead"};

/* The paper's figures of each table row (by its model/width), tone by tone. */
static void paper_values(const sw_experiment *e, const paper_row *pr, int np, sw_trow *rows, int n) {
  for (int j = 0; j < n; j++)
    for (int i = 0; i < np && rows[j].paper_model[0]; i++) {
      if (strcmp(pr[i].model, rows[j].paper_model) || strcmp(pr[i].width, rows[j].paper_width)) continue;
      rows[j].paper_rtf = pr[i].v[0];
      for (int d = 0; d < sw_experiment_n_datasets(e); d++)
        for (int k = 0; k < 4; k++)
          if (!strcmp(paper_tones[k], e->datasets[d].tone)) rows[j].paper_esr[d] = pr[i].v[1 + k];
    }
}

static void paper_section(sw_buf *md, const sw_experiment *e, const sw_results *r, const paper_row *pr, int np) {
  const sw_exp_model *nam = sw_experiment_by_role(e, "nam_standard"), *slim = sw_experiment_by_role(e, "slimmable");
  sw_bp(md, "\n## The paper's table and ours/theirs\n\nThe paper's figures as given in `shared/paper/paper-table.csv` (a "
            "secondary summary; its RTF was measured on the authors' machine with NeuralAmpModelerCore). Ratios are "
            "ours / theirs: RTF > 1 means faster here, ESR < 1 means more accurate here.\n\n");
  sw_bp(md, "| Model | RTF paper | RTF ours/paper |");
  for (int t = 0; t < 4; t++) sw_bp(md, " ESR %s paper | ours/paper |", paper_tones[t]);
  sw_bp(md, "\n|---|---|---|---|---|---|---|---|---|---|---|\n");
  for (int i = 0; i < np; i++) {
    const sw_exp_model *m = !strcmp(pr[i].model, "nam_standard") ? nam : slim;
    const char *ch = NULL;
    sw_wid wm[SW_MAX_CHANNELS];
    int nm = m ? sw_widths_of(r, m->id, wm, SW_MAX_CHANNELS) : 0;
    if (nm) ch = sw_wid_closest(wm, nm, strtod(pr[i].width, NULL))->ch;
    double rtf = ch ? sw_results_best_rtf(r, m->id, ch, 64, NULL, 0) : NAN;
    char rs[32];
    ratio(rs, sizeof rs, rtf, pr[i].v[0]);
    sw_bp(md, "| %s %s | %.0fx | %s |", pr[i].model, pr[i].width, pr[i].v[0], rs);
    for (int t = 0; t < 4; t++) {
      double ours = ch ? sw_results_get(r, m->id, paper_tones[t], ch, "esr", NULL, -1) : NAN;
      ratio(rs, sizeof rs, ours, pr[i].v[1 + t]);
      sw_bp(md, " %.4f | %s |", pr[i].v[1 + t], rs);
    }
    sw_bp(md, "\n");
  }
}

static void ablation(sw_buf *md, const sw_experiment *e, const sw_results *r, const char *ablation_csv) {
  const sw_exp_model *slim = sw_experiment_by_role(e, "slimmable");
  const sw_exp_model *ff = sw_experiment_by_role(e, "fixed_full"), *fh = sw_experiment_by_role(e, "fixed_half");
  char *text;
  size_t n;
  sw_err e2;
  if (!ablation_csv || !ff || !fh || !slim || sw_read_file(ablation_csv, 1 << 20, &text, &n, &e2)) return;
  double pf = NAN, ph = NAN, psf = NAN, psh = NAN;
  char *save = NULL;
  for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    char a[64];
    double x = NAN, y = NAN;
    if (line[0] == '#') continue;
    char *c1 = strchr(line, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
    if (!c1 || !c2) continue;
    snprintf(a, sizeof a, "%.*s", (int)(c1 - line), line);
    if (c2 > c1 + 1) x = strtod(c1 + 1, NULL);
    if (c2[1]) y = strtod(c2 + 1, NULL);
    if (!strcmp(a, "fixed_full_width")) pf = x;
    else if (!strcmp(a, "fixed_half_width")) ph = y;
    else if (!strcmp(a, "slimmable")) { psf = x; psh = y; }
  }
  free(text);
  const char *tone = e->datasets[0].tone;
  sw_wid a[SW_MAX_CHANNELS], b[SW_MAX_CHANNELS], w[SW_MAX_CHANNELS];
  int na = sw_widths_of(r, ff->id, a, SW_MAX_CHANNELS), nb = sw_widths_of(r, fh->id, b, SW_MAX_CHANNELS);
  int ns = sw_widths_of(r, slim->id, w, SW_MAX_CHANNELS);
  double of = na ? sw_results_get(r, ff->id, tone, a[0].ch, "esr", NULL, -1) : NAN;
  double oh = nb ? sw_results_get(r, fh->id, tone, b[0].ch, "esr", NULL, -1) : NAN;
  double osf = ns ? sw_results_get(r, slim->id, tone, sw_wid_closest(w, ns, 100)->ch, "esr", NULL, -1) : NAN;
  double osh = ns ? sw_results_get(r, slim->id, tone, sw_wid_closest(w, ns, 50)->ch, "esr", NULL, -1) : NAN;
  /* n/a where a cell has not run yet (a partial full profile) */
  char v[8][16], pen[4][16];
  const double vals[8] = {of, pf, oh, ph, osf, psf, osh, psh};
  for (int k = 0; k < 8; k++) fmt_esr(v[k], sizeof v[k], vals[k]);
  for (int k = 0; k < 4; k++) fmt_penalty(pen[k], sizeof pen[k], vals[4 + k], vals[k]);
  sw_bp(md, "\n## Ablation (%s tone): slimmable vs dedicated fixed-width models\n\n"
            "| Configuration | ESR full (ours) | ESR full (paper) | ESR half (ours) | ESR half (paper) |\n|---|---|---|---|---|\n"
            "| Fixed full-width training | %s | %s | | |\n| Fixed half-width training | | | %s | %s |\n"
            "| Slimmable training | %s | %s | %s | %s |\n"
            "\nSlimmable penalty at full width: ours %s, paper %s; at half width: ours %s, paper %s.\n",
        tone, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], pen[0], pen[1], pen[2], pen[3]);
}

int sw_report_paper_table(const sw_experiment *e, const char *R, const char *ref, const char *paper_csv,
                          const char *ablation_csv, sw_err *err) {
  char path[4096];
  snprintf(path, sizeof path, "%s/results.csv", R);
  sw_results r;
  int rc = sw_results_load(path, &r, err);
  if (rc) return rc;
  sw_buf md = {0}, tex = {0};
  sw_bp(&md, "# Paper table: %s, profile %s, data %s\n\n", e->name, e->profile.name, e->family);
  /* the bench cells' stamps name the machine(s) the RTF column came from */
  char cpus[1024];
  snprintf(path, sizeof path, "%s/provenance.json", R);
  int ncpu = sw_provenance_cell_cpus(path, "/bench__", cpus, sizeof cpus);
  sw_bp(&md, "Generated by `slimwave report` from `results.csv` (provenance in `provenance.json`, settings in "
             "`recipe.json`). RTF: real-time factor (audio seconds per wall second, one thread, 64-sample blocks, median "
             "of repeats) of the fastest backend, named in brackets, ");
  if (ncpu == 1) sw_bp(&md, "on %s (the bench cells' machine)", cpus);
  else if (ncpu > 1) sw_bp(&md, "**on several machines, so its figures do not compare across rows**: %s", cpus);
  else sw_bp(&md, "on a machine not recorded (no bench cell stamps)");
  sw_bp(&md, ". ESR: error-to-signal ratio on each tone's validation segment, %s.\n\n", sw_validation_words(e->val_nam));
  sw_report_training_words(&md, e);
  sw_bp(&md, "| Model | RTF |");
  sw_bp(&tex, "%% Generated by slimwave report from results.csv\n\\begin{tabular}{l r");
  for (int d = 0; d < sw_experiment_n_datasets(e); d++) { sw_bp(&md, " ESR %s |", e->datasets[d].tone); sw_bp(&tex, " r"); }
  sw_bp(&md, "\n|---|---|");
  sw_bp(&tex, "}\n\\hline\nModel & RTF");
  for (int d = 0; d < sw_experiment_n_datasets(e); d++) { sw_bp(&md, "---|"); sw_bp(&tex, " & ESR %s", e->datasets[d].tone); }
  sw_bp(&md, "\n");
  sw_bp(&tex, " \\\\\n\\hline\n");
  sw_trow rows[SW_TROWS_MAX];
  int nr = sw_table_rows(e, &r, rows, SW_TROWS_MAX);
  for (int i = 0; i < nr; i++) row(&md, &tex, e, &r, &rows[i]);
  sw_bp(&tex, "\\hline\n\\end{tabular}\n");
  const sw_exp_model *slim = sw_experiment_by_role(e, "slimmable");
  if (slim) every_width(&md, e, &r, slim);
  paper_row pr[16];
  int np = read_paper(paper_csv, pr, 16);
  if (np) paper_section(&md, e, &r, pr, np);
  ablation(&md, e, &r, ablation_csv);
  sw_report_convergence(&md, e, &r, rows, nr);
  paper_values(e, pr, np, rows, nr);
  rc = sw_report_beside_reference(&md, e, &r, R, ref, rows, nr, err);
  snprintf(path, sizeof path, "%s/paper-table.md", R);
  if (!rc) rc = sw_write_file_atomic(path, md.p, md.len, err);
  snprintf(path, sizeof path, "%s/paper-table.tex", R);
  if (!rc) rc = sw_write_file_atomic(path, tex.p, tex.len, err);
  free(md.p);
  free(tex.p);
  sw_results_free(&r);
  return rc;
}
