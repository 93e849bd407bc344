/* The paper table (see report.h). Every figure comes from R/results.csv; nothing is typed in. */
#include "report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/atomic_file.h"
#include "../core/model.h"
#include "provenance.h"
#include "results.h"

typedef struct wid { char ch[64]; double pct; long macs; } wid;

/* Distinct widths of a model's esr and rtf rows (a model timed but not trained yet has only
   the latter), by increasing width. */
static int widths_of(const sw_results *r, const char *model, wid *out, int max) {
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
    for (int k = i; k > 0 && out[k].pct < out[k - 1].pct; k--) { wid t = out[k]; out[k] = out[k - 1]; out[k - 1] = t; }
  return n;
}

static const wid *closest(const wid *w, int n, double pct) {
  const wid *b = NULL;
  for (int i = 0; i < n; i++)
    if (!b || fabs(w[i].pct - pct) < fabs(b->pct - pct)) b = &w[i];
  return b;
}

typedef struct buf { char *p; size_t len, cap; } buf;
static void bp(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#include <stdarg.h>
static void bp(buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char tmp[2048];
  int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (k < 0) return;
  if ((size_t)k >= sizeof tmp) k = sizeof tmp - 1;
  if (b->len + (size_t)k + 1 > b->cap) {
    b->cap = (b->cap + (size_t)k + 1) * 2;
    b->p = realloc(b->p, b->cap);
    if (!b->p) abort();
  }
  memcpy(b->p + b->len, tmp, (size_t)k + 1);
  b->len += (size_t)k;
}

static void ratio(char *s, size_t n, double ours, double theirs) {
  if (isnan(ours) || isnan(theirs) || theirs == 0) snprintf(s, n, "n/a");
  else snprintf(s, n, "%.2f", ours / theirs);
}

static void fmt_esr(char *s, size_t n, double v) {
  if (isnan(v)) snprintf(s, n, "n/a");
  else snprintf(s, n, "%.4f", v);
}

/* The slimmable model's ESR over the fixed one's, as a signed percentage. */
static void fmt_penalty(char *s, size_t n, double slim, double fixed) {
  if (isnan(slim) || isnan(fixed) || fixed == 0) snprintf(s, n, "n/a");
  else snprintf(s, n, "%+.0f%%", 100 * (slim / fixed - 1));
}

/* One table row: label, RTF (best backend), then ESR per tone. */
static void row(buf *md, buf *tex, const sw_experiment *e, const sw_results *r, const char *label, const sw_exp_model *m,
                const char *ch) {
  char be[32], s[64];
  double rtf = sw_results_best_rtf(r, m->id, ch, 64, be, sizeof be);
  if (isnan(rtf)) snprintf(s, sizeof s, "n/a");
  else snprintf(s, sizeof s, "%.0fx (%s)", rtf, be);
  bp(md, "| %s | %s |", label, s);
  bp(tex, "%s & %s", label, isnan(rtf) ? "n/a" : s);
  for (int d = 0; d < sw_experiment_n_datasets(e); d++) {
    fmt_esr(s, sizeof s, sw_results_get(r, m->id, e->datasets[d].tone, ch, "esr", NULL, -1));
    bp(md, " %s |", s);
    bp(tex, " & %s", s);
  }
  bp(md, "\n");
  bp(tex, " \\\\\n");
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

int sw_report_paper_table(const sw_experiment *e, const char *R, const char *paper_csv, const char *ablation_csv, sw_err *err) {
  char path[4096];
  snprintf(path, sizeof path, "%s/results.csv", R);
  sw_results r;
  int rc = sw_results_load(path, &r, err);
  if (rc) return rc;
  const sw_exp_model *nam = sw_experiment_by_role(e, "nam_standard"), *slim = sw_experiment_by_role(e, "slimmable");
  const sw_exp_model *ff = sw_experiment_by_role(e, "fixed_full"), *fh = sw_experiment_by_role(e, "fixed_half");
  buf md = {0}, tex = {0};
  bp(&md, "# Paper table: %s, profile %s, data %s\n\n", e->name, e->profile.name, e->family);
  /* the bench cells' stamps name the machine(s) the RTF column came from */
  char cpus[1024];
  snprintf(path, sizeof path, "%s/provenance.json", R);
  int ncpu = sw_provenance_cell_cpus(path, "/bench__", cpus, sizeof cpus);
  bp(&md, "Generated by `slimwave report` from `results.csv` (provenance in `provenance.json`). RTF: real-time factor "
          "(audio seconds per wall second, one thread, 64-sample blocks, median of repeats) of the fastest backend, "
          "named in brackets, ");
  if (ncpu == 1) bp(&md, "on %s (the bench cells' machine)", cpus);
  else if (ncpu > 1) bp(&md, "**on several machines, so its figures do not compare across rows**: %s", cpus);
  else bp(&md, "on a machine not recorded (no bench cell stamps)");
  bp(&md, ". ESR: error-to-signal ratio on each tone's validation segment.\n\n");
  bp(&md, "| Model | RTF |");
  bp(&tex, "%% Generated by slimwave report from results.csv\n\\begin{tabular}{l r");
  for (int d = 0; d < sw_experiment_n_datasets(e); d++) { bp(&md, " ESR %s |", e->datasets[d].tone); bp(&tex, " r"); }
  bp(&md, "\n|---|---|");
  bp(&tex, "}\n\\hline\nModel & RTF");
  for (int d = 0; d < sw_experiment_n_datasets(e); d++) { bp(&md, "---|"); bp(&tex, " & ESR %s", e->datasets[d].tone); }
  bp(&md, "\n");
  bp(&tex, " \\\\\n\\hline\n");
  wid w[SW_MAX_CHANNELS];
  if (nam) {
    int n = widths_of(&r, nam->id, w, SW_MAX_CHANNELS);
    if (n) row(&md, &tex, e, &r, "NAM A1 standard (fixed)", nam, w[n - 1].ch);
  }
  int ns = slim ? widths_of(&r, slim->id, w, SW_MAX_CHANNELS) : 0;
  static const double pcts[] = {100, 75, 50, 25};
  for (int i = 0; i < 4 && ns; i++) {
    const wid *c = closest(w, ns, pcts[i]);
    char label[128];
    snprintf(label, sizeof label, "Slimmable %.0f%% (%s ch)", pcts[i], c->ch);
    row(&md, &tex, e, &r, label, slim, c->ch);
  }
  wid wf[SW_MAX_CHANNELS];
  if (ff && widths_of(&r, ff->id, wf, SW_MAX_CHANNELS)) row(&md, &tex, e, &r, "Fixed full width (trained alone)", ff, wf[0].ch);
  if (fh && widths_of(&r, fh->id, wf, SW_MAX_CHANNELS)) row(&md, &tex, e, &r, "Fixed half width (trained alone)", fh, wf[0].ch);
  bp(&tex, "\\hline\n\\end{tabular}\n");

  /* every width of the slimmable model */
  if (ns) {
    bp(&md, "\n## Every width of the slimmable model (%s)\n\n| Width | Channels | MACs/sample | RTF |", slim->id);
    for (int d = 0; d < sw_experiment_n_datasets(e); d++) bp(&md, " ESR %s |", e->datasets[d].tone);
    bp(&md, "\n|---|---|---|---|");
    for (int d = 0; d < sw_experiment_n_datasets(e); d++) bp(&md, "---|");
    bp(&md, "\n");
    for (int i = ns - 1; i >= 0; i--) {
      char be[32], s[64];
      double rtf = sw_results_best_rtf(&r, slim->id, w[i].ch, 64, be, sizeof be);
      if (isnan(rtf)) snprintf(s, sizeof s, "n/a"); else snprintf(s, sizeof s, "%.0fx (%s)", rtf, be);
      bp(&md, "| %.1f%% | %s | %ld | %s |", w[i].pct, w[i].ch, w[i].macs, s);
      for (int d = 0; d < sw_experiment_n_datasets(e); d++) {
        fmt_esr(s, sizeof s, sw_results_get(&r, slim->id, e->datasets[d].tone, w[i].ch, "esr", NULL, -1));
        bp(&md, " %s |", s);
      }
      bp(&md, "\n");
    }
  }

  /* beside it: the paper's figures and ours/theirs */
  paper_row pr[16];
  int np = read_paper(paper_csv, pr, 16);
  static const char *const tones[] = {"clean", "crunch", "rhythm", "lead"};
  if (np) {
    bp(&md, "\n## The paper's table and ours/theirs\n\nThe paper's figures as given in `shared/paper/paper-table.csv` (a "
            "secondary summary; its RTF was measured on the authors' machine with NeuralAmpModelerCore). Ratios are "
            "ours / theirs: RTF > 1 means faster here, ESR < 1 means more accurate here.\n\n");
    bp(&md, "| Model | RTF paper | RTF ours/paper |");
    for (int t = 0; t < 4; t++) bp(&md, " ESR %s paper | ours/paper |", tones[t]);
    bp(&md, "\n|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (int i = 0; i < np; i++) {
      const sw_exp_model *m = !strcmp(pr[i].model, "nam_standard") ? nam : slim;
      const char *ch = NULL;
      wid wm[SW_MAX_CHANNELS];
      int nm = m ? widths_of(&r, m->id, wm, SW_MAX_CHANNELS) : 0;
      if (nm) ch = closest(wm, nm, strtod(pr[i].width, NULL))->ch;
      double rtf = ch ? sw_results_best_rtf(&r, m->id, ch, 64, NULL, 0) : NAN;
      char rs[32];
      ratio(rs, sizeof rs, rtf, pr[i].v[0]);
      bp(&md, "| %s %s | %.0fx | %s |", pr[i].model, pr[i].width, pr[i].v[0], rs);
      for (int t = 0; t < 4; t++) {
        double ours = ch ? sw_results_get(&r, m->id, tones[t], ch, "esr", NULL, -1) : NAN;
        ratio(rs, sizeof rs, ours, pr[i].v[1 + t]);
        bp(&md, " %.4f | %s |", pr[i].v[1 + t], rs);
      }
      bp(&md, "\n");
    }
  }
  if (ablation_csv && ff && fh && slim) {
    char *text;
    size_t n;
    sw_err e2;
    if (!sw_read_file(ablation_csv, 1 << 20, &text, &n, &e2)) {
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
      wid a[SW_MAX_CHANNELS], b[SW_MAX_CHANNELS];
      int na = widths_of(&r, ff->id, a, SW_MAX_CHANNELS), nb = widths_of(&r, fh->id, b, SW_MAX_CHANNELS);
      double of = na ? sw_results_get(&r, ff->id, tone, a[0].ch, "esr", NULL, -1) : NAN;
      double oh = nb ? sw_results_get(&r, fh->id, tone, b[0].ch, "esr", NULL, -1) : NAN;
      double osf = ns ? sw_results_get(&r, slim->id, tone, closest(w, ns, 100)->ch, "esr", NULL, -1) : NAN;
      double osh = ns ? sw_results_get(&r, slim->id, tone, closest(w, ns, 50)->ch, "esr", NULL, -1) : NAN;
      /* n/a where a cell has not run yet (a partial full profile) */
      char v[8][16], pen[4][16];
      const double vals[8] = {of, pf, oh, ph, osf, psf, osh, psh};
      for (int k = 0; k < 8; k++) fmt_esr(v[k], sizeof v[k], vals[k]);
      for (int k = 0; k < 4; k++) fmt_penalty(pen[k], sizeof pen[k], vals[4 + k], vals[k]);
      bp(&md, "\n## Ablation (%s tone): slimmable vs dedicated fixed-width models\n\n"
              "| Configuration | ESR full (ours) | ESR full (paper) | ESR half (ours) | ESR half (paper) |\n|---|---|---|---|---|\n"
              "| Fixed full-width training | %s | %s | | |\n| Fixed half-width training | | | %s | %s |\n"
              "| Slimmable training | %s | %s | %s | %s |\n"
              "\nSlimmable penalty at full width: ours %s, paper %s; at half width: ours %s, paper %s.\n",
         tone, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], pen[0], pen[1], pen[2], pen[3]);
    }
  }
  snprintf(path, sizeof path, "%s/paper-table.md", R);
  rc = sw_write_file_atomic(path, md.p, md.len, err);
  snprintf(path, sizeof path, "%s/paper-table.tex", R);
  if (!rc) rc = sw_write_file_atomic(path, tex.p, tex.len, err);
  free(md.p);
  free(tex.p);
  sw_results_free(&r);
  return rc;
}
