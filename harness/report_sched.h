/* Queries the schedule study's table and plots share: an arm's ESR over seeds, the dedicated
   model of a width, the widths of a dataset. */
#ifndef SW_REPORT_SCHED_H
#define SW_REPORT_SCHED_H

#include "experiment.h"
#include "results.h"

#define SW_SCHED_MAX_W 64

typedef struct sw_sched_stat { double mean, min, max; int n; } sw_sched_stat;
/* ESR of model on dataset at channels over its seeds (n = 0, NaN: none). */
void sw_sched_stats(const sw_results *r, const char *model, const char *dataset, const char *ch, sw_sched_stat *s);
/* The model with role "dedicated" that has ESR rows at ch on dataset, or NULL. */
const sw_exp_model *sw_sched_dedicated(const sw_experiment *e, const sw_results *r, const char *dataset, const char *ch);
/* Distinct channels with ESR rows on dataset, by MACs per sample (narrowest first); returns how many. */
int sw_sched_channels(const sw_results *r, const char *dataset, char (*ch)[64], long *macs, int max);

#endif
