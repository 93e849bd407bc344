/* What the reports share: a growing text buffer, and how a run's recipe compares with its
   committed reference's (so a table says whether their figures are comparable). */
#ifndef SW_REPORT_UTIL_H
#define SW_REPORT_UTIL_H

#include <stddef.h>
#include <stdio.h>

#include "../core/err.h"

typedef struct sw_buf { char *p; size_t len, cap; } sw_buf;
void sw_bp(sw_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* R/recipe.json against ref/recipe.json: 1 the same, 0 they differ (why: the settings that do,
   "profile.epochs 100 vs 12; ..."), -1 the reference has none (made before recipes were
   recorded) or the run has none (not collected yet). */
int sw_recipe_compare(const char *R, const char *ref, char *why, int len);

/* "NAM's convention: scored from RF-1 samples into the validation segment" or the padded one. */
const char *sw_validation_words(int val_nam);

/* Plots (plots.c): a data file dir/name opened for writing (regenerated whole by every report);
   gnuplot running script with vars ("a='x'; b=2") into out_base.png and .svg, written atomically;
   a note on stderr for a plot left out. */
FILE *sw_plot_data(const char *dir, const char *name);
/* R/results.csv into r, and R/plots/ and R/plots/data/ made (outdir, data: len bytes each). */
struct sw_results;
int sw_plot_start(const char *R, struct sw_results *r, char *outdir, char *data, size_t len, sw_err *err);
int sw_gnuplot(const char *script, const char *vars, const char *out_base, sw_err *err);
void sw_plot_skipped(const char *what, const char *why);

#endif
