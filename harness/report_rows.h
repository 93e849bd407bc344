/* The paper table's rows (which model at which width stands for "NAM A1 standard", "Slimmable
   75%", ...) and the sections that follow them row by row: how far each cell is from converged,
   and this run beside its committed reference and the paper. */
#ifndef SW_REPORT_ROWS_H
#define SW_REPORT_ROWS_H

#include "experiment.h"
#include "report_util.h"
#include "results.h"

typedef struct sw_wid { char ch[64]; double pct; long macs; } sw_wid;
/* Distinct widths of a model's esr and rtf rows (a model timed but not trained yet has only the
   latter), by increasing width. */
int sw_widths_of(const sw_results *r, const char *model, sw_wid *out, int max);
const sw_wid *sw_wid_closest(const sw_wid *w, int n, double pct);

#define SW_TROWS_MAX 16
typedef struct sw_trow {
  char label[128], ch[64];
  char paper_model[32], paper_width[16]; /* its row in the paper's table ("" = none) */
  const sw_exp_model *m;
  double paper_rtf, paper_esr[SW_EXP_MAX]; /* the paper's figures (by dataset), NaN where it has none */
} sw_trow;

/* The table's rows present in r: NAM A1 nano and standard, the slimmable model at 100/75/50/25%,
   the paper architecture trained alone at full and half width. Paper figures start as NaN. */
int sw_table_rows(const sw_experiment *e, const sw_results *r, sw_trow *rows, int max);
/* A paragraph on how the models were trained (loss, epochs, lr decay, data), from the experiment. */
void sw_report_training_words(sw_buf *md, const sw_experiment *e);
/* "How far from converged": per row and tone, the fall of the best validation ESR over the last
   tenth of the epochs (sw_results_convergence). */
void sw_report_convergence(sw_buf *md, const sw_experiment *e, const sw_results *r, const sw_trow *rows, int n);
/* This machine's figures beside the committed reference's (ref: its folder, NULL when R is the
   reference itself) and the paper's, row by row and tone by tone, with whether the recipes match. */
int sw_report_beside_reference(sw_buf *md, const sw_experiment *e, const sw_results *r, const char *R, const char *ref,
                               const sw_trow *rows, int n, sw_err *err);

#endif
