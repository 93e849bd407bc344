/* slimwave train-bench: times full training steps (forward, loss, backward, Adam) on random data
   after a warm-up; prints one JSON line per width. samples_per_s = batch * ny / median step time. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef SW_HAVE_FMA_PEAK
#include "../bench/fma_peak.h"
#endif
#include "../train/init.h"
#include "../train/rng.h"
#include "../train/trainer.h"
#include "cli.h"

static const char *usage =
  "usage: slimwave train-bench [--arch standard|lite|feather|nano|paper|CONFIG.json] [--threads N] [--batch 16]\n"
  "                            [--ny 8192] [--steps 5] [--warmup 1] [--channels W[:W...]] [--schedule S]\n"
  "                            [--loss mse|nam|paper|esr] [--backend NAME] [--tiles FORWARD,BACKWARD]\n"
  "Times training steps on random data (the loss defaults to MSE, as the PyTorch peer's bench) and prints\n"
  "one JSON line per width: median and min step time, output samples per second, model FLOP/s (6 x MACs\n"
  "per output sample at the widths trained: forward 2, backward 4; the receptive-field overhead of each\n"
  "window is not counted), and the fraction of the FMA peak measured in the same run: over wall time x\n"
  "cores, and per CPU-second used. --channels trains at fixed widths, one line each: W is C (the first\n"
  "array; the others at the same slim value, as `fixed:C`) or C0,C1 (per array), e.g. 16:8:4 or 16,8:4,2.\n"
  "--schedule times a schedule instead (MACs then average the widths its steps drew).\n";

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static double cpu_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double median(double *v, long n) {
  qsort(v, (size_t)n, sizeof *v, cmp_d);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

typedef struct bench_in {
  sw_train_cfg cfg;
  const char *arch;
  long steps, warm, ncpu;
  double peak1;
  const char *peak_isa;
  sw_dataset *d;
  const long *starts;
} bench_in;

/* One schedule: create a trainer, warm up, time the steps, print the line. */
static int bench_one(bench_in *in, const char *widths_label, sw_err *err) {
  sw_net net = {0};
  sw_trainer *tr = NULL;
  double *t = malloc(sizeof(double) * (size_t)in->steps), *tc = malloc(sizeof(double) * (size_t)in->steps);
  int rc = (t && tc) ? sw_arch_load(in->arch, &net, err) : sw_fail(err, SW_ENOMEM, "out of memory");
  if (!rc) rc = sw_trainer_create(&in->cfg, &net, in->d, &tr, err);
  if (rc) goto done;
  if (in->cfg.backend->thread_init) in->cfg.backend->thread_init();
  double loss = 0, macs_sum = 0;
  long passes = 0;
  for (long s = 0; s < in->warm; s++) loss = sw_trainer_step(tr, in->starts);
  for (long s = 0; s < in->steps; s++) {
    double t0 = now_s(), c0 = cpu_s();
    loss = sw_trainer_step(tr, in->starts);
    t[s] = now_s() - t0;
    tc[s] = cpu_s() - c0;
    sw_substep sub[16];
    int ns = sw_trainer_last_substeps(tr, sub, 16);
    for (int k = 0; k < ns && k < 16; k++) macs_sum += (double)sw_net_macs(&net, &sub[k].w);
    passes += ns;
  }
  const double med = median(t, in->steps), cmed = median(tc, in->steps), tmin = t[0];
  const bench_in *b = in;
  sw_widths full = sw_net_full_widths(&net);
  /* MACs per output sample per step: the sum over the step's passes (a sandwich step is several) */
  double macs = macs_sum / (double)in->steps, macs_full = (double)sw_net_macs(&net, &full);
  double sps = b->cfg.batch * (double)b->cfg.ny / med, gf = 6.0 * macs * sps / 1e9;
  double gf_cpu = 6.0 * macs * b->cfg.batch * (double)b->cfg.ny / cmed / 1e9; /* per CPU-second: load-independent */
  int cores = b->cfg.threads < b->ncpu ? b->cfg.threads : (int)b->ncpu;
  printf("{\"bench\": \"train\", \"arch\": \"%s\", \"backend\": \"%s\", \"threads\": %d, \"batch\": %d, \"ny\": %d, "
         "\"schedule\": \"%s\", \"widths\": \"%s\", \"passes_per_step\": %.3f, \"loss\": \"%s\", \"steps\": %ld, "
         "\"warmup\": %ld, \"step_s_median\": %.6f, \"step_s_min\": %.6f, \"samples_per_s\": %.1f, "
         "\"macs_per_sample\": %.1f, \"mac_ratio\": %.4f, \"model_gflop_per_s\": %.3f, \"cpu_s_median\": %.6f, "
         "\"model_gflop_per_cpu_s\": %.3f, \"fma_peak_1core_gflops\": %.2f, \"peak_isa\": \"%s\", \"cores\": %d, "
         "\"fraction_of_peak_wall\": %.4f, \"fraction_of_peak_cpu\": %.4f, \"naive_fallback_ops\": %ld, "
         "\"last_loss\": %.6g}\n",
         b->arch, b->cfg.backend->name, b->cfg.threads, b->cfg.batch, b->cfg.ny,
         b->cfg.schedule[0] ? b->cfg.schedule : "fixed", widths_label, (double)passes / (double)b->steps,
         sw_loss_name(b->cfg.loss.kind), b->steps, b->warm, med, tmin, sps, macs, macs / macs_full, gf, cmed, gf_cpu,
         b->peak1, b->peak_isa, cores, b->peak1 > 0 ? gf / (b->peak1 * cores) : 0.0,
         b->peak1 > 0 ? gf_cpu / b->peak1 : 0.0, sw_trainer_fallbacks(tr), loss);
  fflush(stdout);
done:
  sw_trainer_free(tr);
  sw_net_free(&net);
  free(t);
  free(tc);
  return rc;
}

int cmd_train_bench(int argc, char **argv) {
  if (cli_is_help(argc, argv)) { fputs(usage, stdout); return 0; }
  const char *arch_s = "standard", *thr_s = NULL, *batch_s = NULL, *ny_s = NULL, *steps_s = NULL, *warm_s = NULL,
             *sched_s = NULL, *loss_s = NULL, *be_s = NULL, *tile_s = NULL, *ch_s = NULL;
  cli_opt opts[] = {{"--arch", &arch_s, NULL}, {"--threads", &thr_s, NULL}, {"--batch", &batch_s, NULL},
                    {"--ny", &ny_s, NULL}, {"--steps", &steps_s, NULL}, {"--warmup", &warm_s, NULL},
                    {"--schedule", &sched_s, NULL}, {"--loss", &loss_s, NULL}, {"--backend", &be_s, NULL},
                    {"--tiles", &tile_s, NULL}, {"--channels", &ch_s, NULL}};
  const char *pos[1];
  int npos = 0;
  sw_err err = {0};
  bench_in in = {.cfg = sw_train_defaults(), .arch = arch_s, .steps = 5, .warm = 1, .peak_isa = "none"};
  in.cfg.loss = sw_loss_default(SW_LOSS_MSE);
  long v;
  in.ncpu = sysconf(_SC_NPROCESSORS_ONLN);
  in.cfg.threads = in.ncpu > 0 ? (int)(in.ncpu < 256 ? in.ncpu : 256) : 1;
  int rc = cli_parse(argc, argv, opts, (int)(sizeof opts / sizeof *opts), pos, 0, &npos, &err);
  in.arch = arch_s;
  if (!rc && thr_s && !(rc = cli_int("--threads", thr_s, 1, 256, &v, &err))) in.cfg.threads = (int)v;
  if (!rc && batch_s && !(rc = cli_int("--batch", batch_s, 1, 4096, &v, &err))) in.cfg.batch = (int)v;
  if (!rc && ny_s && !(rc = cli_int("--ny", ny_s, 1, 1 << 22, &v, &err))) in.cfg.ny = (int)v;
  if (!rc && steps_s) rc = cli_int("--steps", steps_s, 1, 100000, &in.steps, &err);
  if (!rc && warm_s) rc = cli_int("--warmup", warm_s, 0, 100000, &in.warm, &err);
  if (!rc && loss_s) rc = sw_loss_parse(loss_s, &in.cfg.loss, &err);
  if (!rc && tile_s) rc = cli_tiles(tile_s, &in.cfg.tile, &in.cfg.btile, &err);
  if (!rc && sched_s && strlen(sched_s) >= sizeof in.cfg.schedule) rc = sw_fail(&err, SW_EUSAGE, "--schedule: too long");
  if (!rc && sched_s && ch_s) rc = sw_fail(&err, SW_EUSAGE, "--channels and --schedule: give one (--channels W is the schedule fixed:W)");
  if (!rc && ch_s && (strlen(ch_s) > 200 || !*ch_s || strspn(ch_s, "0123456789,:") != strlen(ch_s)))
    rc = sw_fail(&err, SW_EUSAGE, "--channels \"%s\": expected widths like 16:8:4 or 16,8:4,2", ch_s);
  if (rc) { fprintf(stderr, "slimwave train-bench: %s\n", err.msg); return rc; }
  if (sched_s) snprintf(in.cfg.schedule, sizeof in.cfg.schedule, "%s", sched_s);
  in.cfg.backend = cli_backend(be_s, true, &err);
  if (!in.cfg.backend) { fprintf(stderr, "slimwave train-bench: %s\n", err.msg); return SW_EUSAGE; }

  sw_net net = {0};
  sw_dataset d = {0};
  long *starts = NULL;
  if ((rc = sw_arch_load(arch_s, &net, &err))) goto done;
  long rf = sw_net_receptive_field(&net), win = in.cfg.ny + rf - 1;
  /* random data: exactly one batch of windows */
  d.n = win + (long)(in.cfg.batch - 1) * in.cfg.ny;
  d.x = malloc(sizeof(float) * (size_t)d.n);
  d.y = malloc(sizeof(float) * (size_t)d.n);
  starts = malloc(sizeof(long) * (size_t)in.cfg.batch);
  if (!d.x || !d.y || !starts) { rc = sw_fail(&err, SW_ENOMEM, "out of memory"); goto done; }
  sw_rng r;
  sw_rng_seed(&r, 1);
  for (long k = 0; k < d.n; k++) { d.x[k] = (float)sw_rng_range(&r, -0.5, 0.5); d.y[k] = (float)sw_rng_range(&r, -0.5, 0.5); }
  d.rate = 48000;
  d.train_end = d.n;
  d.val_end = in.cfg.ny;
  snprintf(d.path, sizeof d.path, "random data");
  for (int b = 0; b < in.cfg.batch; b++) starts[b] = (long)b * in.cfg.ny;
  in.d = &d;
  in.starts = starts;
#ifdef SW_HAVE_FMA_PEAK
  /* FMA peak of one core, measured now (thread CPU time, so machine load does not lower it) */
  sw_fma_peak pk;
  sw_fma_peak_measure(0.3, &pk);
  in.peak1 = pk.best_gflops;
  in.peak_isa = pk.best_isa;
#endif
  if (!ch_s) {
    char label[64];
    sw_widths full = sw_net_full_widths(&net);
    cli_widths_str(&full, label, sizeof label);
    rc = bench_one(&in, sched_s ? "schedule" : label, &err);
  } else {
    /* each width spec W becomes the schedule fixed:W (commas between arrays written as '/') */
    char list[256];
    snprintf(list, sizeof list, "%s", ch_s);
    for (char *save = NULL, *w = strtok_r(list, ":", &save); w && !rc; w = strtok_r(NULL, ":", &save)) {
      snprintf(in.cfg.schedule, sizeof in.cfg.schedule, "fixed:%s", w);
      for (char *c = in.cfg.schedule; *c; c++) if (*c == ',') *c = '/';
      rc = bench_one(&in, w, &err);
    }
  }
done:
  if (rc) fprintf(stderr, "slimwave train-bench: %s\n", err.msg);
  sw_net_free(&net);
  free(d.x);
  free(d.y);
  free(starts);
  return rc;
}
