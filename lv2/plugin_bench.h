/* `slimwave bench --plugin`: the CPU time of slimwave.lv2's run() per block at every width of a
   model, beside the same width streamed directly (sw_plug_model_process, as `slimwave bench` times
   the model), so a musician sees what the slim knob buys and what the plugin adds. */
#ifndef SW_LV2_PLUGIN_BENCH_H
#define SW_LV2_PLUGIN_BENCH_H

#include "../core/err.h"

typedef struct sw_plugin_bench_row {
  char widths[64];            /* channels per layer array ("16,8"; a container: its submodel's) */
  int channels;               /* the plugin's width port at this step */
  long macs;                  /* multiply-adds per sample */
  int block;
  double audio_s;             /* audio per repeat */
  double run_wall_us, run_cpu_us;       /* per block through run(): medians over repeats */
  double direct_wall_us, direct_cpu_us; /* per block through the model alone */
} sw_plugin_bench_row;

/* bundle: the plugin's bundle folder; x: n samples of program material at rate (the model's), looped
   to `seconds` per repeat. Fills rows (one per width step, narrowest first, at most max) and the
   backend the plugin logged. */
int sw_plugin_bench(const char *bundle, const char *model, double rate, const float *x, long n, int block, double seconds,
                    int repeats,
                    sw_plugin_bench_row *rows, int max, int *nrows, char *backend, int blen, sw_err *err);

#endif
