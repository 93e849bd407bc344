/* Reports from a collected results file: the paper's table (markdown and LaTeX) beside the
   paper's own figures and the committed reference's, the schedule study, and the gnuplot plots. */
#ifndef SW_REPORT_H
#define SW_REPORT_H

#include "experiment.h"

/* R/paper-table.md and R/paper-table.tex from R/results.csv; ref (NULL: R is the reference) is the
   committed reference folder whose figures go beside this run's; paper_csv (may be NULL) is
   ../shared/paper/paper-table.csv, ablation_csv the ablation. */
int sw_report_paper_table(const sw_experiment *e, const char *R, const char *ref, const char *paper_csv,
                          const char *ablation_csv, sw_err *err);
/* R/plots/{*.png,*.svg} via gnuplot and the scripts in plots_dir. */
int sw_report_plots(const sw_experiment *e, const char *R, const char *plots_dir, sw_err *err);
/* The schedule study (experiments/schedules.json): R/schedules.md from R/results.csv, each arm's
   ESR per dataset and width over the dedicated model's (mean over seeds, min-max), the compute
   each arm got, how far from converged, and the reference beside it. */
int sw_report_schedules(const sw_experiment *e, const char *R, const char *ref, sw_err *err);
/* Its plots: a Pareto plot of every arm (ESR against MACs per sample) and ESR against compute
   (sample-passes) per dataset. */
int sw_report_schedule_plots(const sw_experiment *e, const char *R, const char *plots_dir, sw_err *err);

#endif
