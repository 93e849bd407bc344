/* Reports from a collected results file: the paper's table (markdown and LaTeX) beside the
   paper's own figures, and the gnuplot plots. */
#ifndef SW_REPORT_H
#define SW_REPORT_H

#include "experiment.h"

/* R/paper-table.md and R/paper-table.tex from R/results.csv; paper_csv (may be NULL) is
   ../shared/paper/paper-table.csv, ablation_csv the ablation. */
int sw_report_paper_table(const sw_experiment *e, const char *R, const char *paper_csv, const char *ablation_csv, sw_err *err);
/* R/plots/{*.png,*.svg} via gnuplot and the scripts in plots_dir. */
int sw_report_plots(const sw_experiment *e, const char *R, const char *plots_dir, sw_err *err);

#endif
