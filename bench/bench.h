/* The benchmark of the streaming model (SPEC section 6): one thread, blocks of a fixed size,
   real program material, warm-up excluded, median and minimum of repeats. Library code: no
   printing; cli/cmd_bench.c writes the CSV. */
#ifndef SW_BENCH_H
#define SW_BENCH_H

#include "../core/backend.h"
#include "../core/err.h"
#include "../core/model.h"

typedef struct sw_bench_result {
  int fallbacks;          /* ops that ran on naive because the backend declined them */
  long macs_per_sample;
  double audio_s;         /* audio per repeat */
  int repeats;
  double wall_median, wall_min;
  double cpu_median;      /* thread CPU time: what time-slicing with other load does not count */
  char impl[256];         /* the backend's plan_info for the first layer (or head) */
} sw_bench_result;

/* One benchmark cell: net at widths w on backend be, blocks of `block`, x (n samples at the net's
   rate) looped to `seconds` of audio per repeat. Open creates the model and its plans and runs
   the warm-up (neither timed); each repeat streams the whole buffer once, timed. Cells of
   several backends can be opened together and their repeats interleaved, so that changing load
   on the machine hits them alike. */
typedef struct sw_bench sw_bench;
int sw_bench_open(const sw_net *net, const sw_backend *be, const sw_widths *w, const float *x, long n, int block,
                  double seconds, bool fast_tanh, int max_repeats, sw_bench **out, sw_err *err);
void sw_bench_repeat(sw_bench *b);
void sw_bench_result_get(const sw_bench *b, sw_bench_result *r);
void sw_bench_close(sw_bench *b);

/* Program material: `path` if given, else the first DI recording of
   $SLIMWAVE_SHARED (or ../shared)/datasets/di_guitar_nam_wasm, else a generated plucked-string
   signal. `what` names the source ("di_fear.wav" or "generated"). Mono float, malloc'ed. */
int sw_bench_material(const char *path, int rate, float **x, long *n, char *what, int what_len, sw_err *err);

/* Build facts recorded in every row. */
const char *sw_bench_compiler(void);
const char *sw_bench_flags(void);
const char *sw_bench_commit(void);

#endif
