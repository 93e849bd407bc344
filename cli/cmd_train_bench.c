/* slimwave train-bench: times full training steps (forward, loss, backward, Adam) on random data
   after a warm-up; prints one JSON line. samples_per_s = batch * ny / median step time. */
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
  "                            [--ny 8192] [--steps 5] [--warmup 1] [--schedule S] [--loss mse|nam|paper|esr]\n"
  "                            [--backend NAME] [--tiles FORWARD,BACKWARD]\n"
  "Times training steps on random data (the loss defaults to MSE, as the PyTorch peer's bench) and prints\n"
  "one JSON line: median and min step time, output samples per second, model FLOP/s (6 x MACs per output\n"
  "sample: forward 2, backward 4; the receptive-field overhead of each window is not counted), and the\n"
  "fraction of the FMA peak measured in the same run: over wall time x cores, and per CPU-second used.\n";

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

int cmd_train_bench(int argc, char **argv) {
  if (cli_is_help(argc, argv)) { fputs(usage, stdout); return 0; }
  const char *arch_s = "standard", *thr_s = NULL, *batch_s = NULL, *ny_s = NULL, *steps_s = NULL, *warm_s = NULL,
             *sched_s = NULL, *loss_s = NULL, *be_s = NULL, *tile_s = NULL;
  cli_opt opts[] = {{"--arch", &arch_s, NULL}, {"--threads", &thr_s, NULL}, {"--batch", &batch_s, NULL},
                    {"--ny", &ny_s, NULL}, {"--steps", &steps_s, NULL}, {"--warmup", &warm_s, NULL},
                    {"--schedule", &sched_s, NULL}, {"--loss", &loss_s, NULL}, {"--backend", &be_s, NULL},
                    {"--tiles", &tile_s, NULL}};
  const char *pos[1];
  int npos = 0;
  sw_err err = {0};
  sw_train_cfg cfg = sw_train_defaults();
  cfg.loss = sw_loss_default(SW_LOSS_MSE);
  long v, steps = 5, warm = 1;
  long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
  cfg.threads = ncpu > 0 ? (int)(ncpu < 256 ? ncpu : 256) : 1;
  int rc = cli_parse(argc, argv, opts, (int)(sizeof opts / sizeof *opts), pos, 0, &npos, &err);
  if (!rc && thr_s && !(rc = cli_int("--threads", thr_s, 1, 256, &v, &err))) cfg.threads = (int)v;
  if (!rc && batch_s && !(rc = cli_int("--batch", batch_s, 1, 4096, &v, &err))) cfg.batch = (int)v;
  if (!rc && ny_s && !(rc = cli_int("--ny", ny_s, 1, 1 << 22, &v, &err))) cfg.ny = (int)v;
  if (!rc && steps_s) rc = cli_int("--steps", steps_s, 1, 100000, &steps, &err);
  if (!rc && warm_s) rc = cli_int("--warmup", warm_s, 0, 100000, &warm, &err);
  if (!rc && loss_s) rc = sw_loss_parse(loss_s, &cfg.loss, &err);
  if (!rc && tile_s) {
    int f = 0, b = 0, n = 0;
    if (sscanf(tile_s, "%d,%d%n", &f, &b, &n) != 2 || tile_s[n] || f < 1 || b < 1 || f > 65536 || b > 65536)
      rc = sw_fail(&err, SW_EUSAGE, "--tiles \"%s\": expected FORWARD,BACKWARD columns, each 1..65536", tile_s);
    cfg.tile = f;
    cfg.btile = b;
  }
  if (!rc && sched_s && strlen(sched_s) >= sizeof cfg.schedule) rc = sw_fail(&err, SW_EUSAGE, "--schedule: too long");
  if (rc) { fprintf(stderr, "slimwave train-bench: %s\n", err.msg); return rc; }
  if (sched_s) snprintf(cfg.schedule, sizeof cfg.schedule, "%s", sched_s);
  cfg.backend = cli_backend(be_s, true, &err);
  if (!cfg.backend) { fprintf(stderr, "slimwave train-bench: %s\n", err.msg); return SW_EUSAGE; }

  sw_net net = {0};
  sw_trainer *tr = NULL;
  sw_dataset d = {0};
  double *t = NULL, *tc = NULL;
  long *starts = NULL;
  if ((rc = sw_arch_load(arch_s, &net, &err))) goto done;
  long rf = sw_net_receptive_field(&net), win = cfg.ny + rf - 1;
  /* random data: exactly one batch of windows */
  d.n = win + (long)(cfg.batch - 1) * cfg.ny;
  d.x = malloc(sizeof(float) * (size_t)d.n);
  d.y = malloc(sizeof(float) * (size_t)d.n);
  t = malloc(sizeof(double) * (size_t)steps);
  tc = malloc(sizeof(double) * (size_t)steps);
  starts = malloc(sizeof(long) * (size_t)cfg.batch);
  if (!d.x || !d.y || !t || !tc || !starts) { rc = sw_fail(&err, SW_ENOMEM, "out of memory"); goto done; }
  sw_rng r;
  sw_rng_seed(&r, 1);
  for (long k = 0; k < d.n; k++) { d.x[k] = (float)sw_rng_range(&r, -0.5, 0.5); d.y[k] = (float)sw_rng_range(&r, -0.5, 0.5); }
  d.rate = 48000;
  d.train_end = d.n;
  d.val_end = cfg.ny;
  snprintf(d.path, sizeof d.path, "random data");
  for (int b = 0; b < cfg.batch; b++) starts[b] = (long)b * cfg.ny;
  if ((rc = sw_trainer_create(&cfg, &net, &d, &tr, &err))) goto done;
  if (cfg.backend->thread_init) cfg.backend->thread_init();
  double loss = 0;
  for (long s = 0; s < warm; s++) loss = sw_trainer_step(tr, starts);
  for (long s = 0; s < steps; s++) {
    double t0 = now_s(), c0 = cpu_s();
    loss = sw_trainer_step(tr, starts);
    t[s] = now_s() - t0;
    tc[s] = cpu_s() - c0;
  }
  qsort(t, (size_t)steps, sizeof *t, cmp_d);
  qsort(tc, (size_t)steps, sizeof *tc, cmp_d);
  double med = steps % 2 ? t[steps / 2] : 0.5 * (t[steps / 2 - 1] + t[steps / 2]);
  double cmed = steps % 2 ? tc[steps / 2] : 0.5 * (tc[steps / 2 - 1] + tc[steps / 2]);
  /* FMA peak of one core, measured now (thread CPU time, so machine load does not lower it) */
  double peak1 = 0;
  const char *peak_isa = "none";
#ifdef SW_HAVE_FMA_PEAK
  sw_fma_peak pk;
  sw_fma_peak_measure(0.3, &pk);
  peak1 = pk.best_gflops;
  peak_isa = pk.best_isa;
#endif
  sw_widths full = sw_net_full_widths(&net);
  long macs = sw_net_macs(&net, &full);
  double sps = cfg.batch * (double)cfg.ny / med, gf = 6.0 * macs * sps / 1e9;
  double gf_cpu = 6.0 * macs * cfg.batch * (double)cfg.ny / cmed / 1e9; /* per CPU-second: load-independent */
  int cores = cfg.threads < ncpu ? cfg.threads : (int)ncpu;
  printf("{\"bench\": \"train\", \"arch\": \"%s\", \"backend\": \"%s\", \"threads\": %d, \"batch\": %d, \"ny\": %d, "
         "\"schedule\": \"%s\", \"loss\": \"%s\", \"steps\": %ld, \"warmup\": %ld, \"step_s_median\": %.6f, "
         "\"step_s_min\": %.6f, \"samples_per_s\": %.1f, \"macs_per_sample\": %ld, \"model_gflop_per_s\": %.3f, "
         "\"cpu_s_median\": %.6f, \"model_gflop_per_cpu_s\": %.3f, \"fma_peak_1core_gflops\": %.2f, \"peak_isa\": \"%s\", "
         "\"cores\": %d, \"fraction_of_peak_wall\": %.4f, \"fraction_of_peak_cpu\": %.4f, "
         "\"naive_fallback_ops\": %ld, \"last_loss\": %.6g}\n",
         arch_s, cfg.backend->name, cfg.threads, cfg.batch, cfg.ny, cfg.schedule[0] ? cfg.schedule : "fixed",
         sw_loss_name(cfg.loss.kind), steps, warm, med, t[0], sps, macs, gf, cmed, gf_cpu, peak1, peak_isa, cores,
         peak1 > 0 ? gf / (peak1 * cores) : 0.0, peak1 > 0 ? gf_cpu / peak1 : 0.0, sw_trainer_fallbacks(tr), loss);
done:
  if (rc) fprintf(stderr, "slimwave train-bench: %s\n", err.msg);
  sw_trainer_free(tr);
  sw_net_free(&net);
  free(d.x);
  free(d.y);
  free(t);
  free(tc);
  free(starts);
  return rc;
}
