/* slimwave train: train a WaveNet on a dataset (SPEC section 4); progress on stderr, the best
   model as .nam, a CSV of per-epoch validation ESR and a checkpoint beside it. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../core/atomic_file.h"
#include "../train/init.h"
#include "../train/trainer.h"
#include "cli.h"

static const char *usage =
  "usage: slimwave train --data DATASET --arch standard|lite|feather|nano|paper|CONFIG.json --out MODEL.nam\n"
  "                      [--schedule S] [--epochs N] [--batch 16] [--ny 8192] [--lr 0.004] [--decay 0.993]\n"
  "                      [--seed N] [--threads N] [--backend NAME] [--resume CKPT] [--loss nam|paper|esr|mse]\n"
  "                      [--init standard|smallest_and_zeros] [--best-by full|mean|mean:CAP] [--val padded|nam]\n"
  "                      [--tiles FORWARD,BACKWARD]\n"
  "Trains from scratch (or from CKPT) and writes, beside MODEL.nam: MODEL.csv (validation ESR per epoch and\n"
  "width) and MODEL.ckpt (checkpoint, every epoch and on Ctrl-C/SIGTERM). MODEL.nam holds the best epoch.\n"
  "  --schedule S  fixed | fixed:C | uniform | allowed[:LIST] [,boost] | sandwich:N | sandwich-distill:N\n"
  "  --threads N   worker threads (default: all cores); results do not depend on it\n"
  "  --best-by     keep the epoch with the best full-width ESR (default) or mean ESR over widths;\n"
  "                mean:CAP ranks epochs whose full-width ESR is above CAP after all that meet it\n"
  "  --val         validation ESR over the whole segment with receptive-field zeros before it (padded,\n"
  "                default), or from RF-1 samples into it, where the output sees only segment input (nam:\n"
  "                NAM's trainer scores so)\n"
  "  --tiles F,B   the engine's time tiles in columns (default 512,2048): speed only; they change the\n"
  "                order of sums, so results change by rounding\n";

static volatile sig_atomic_t stop_flag;
static void on_signal(int sig) { (void)sig; stop_flag = 1; }

typedef struct prog { bool tty; double last_val; int n_widths; } prog;

static void fmt_time(double s, char *buf, size_t n) {
  long t = (long)(s + 0.5);
  if (t >= 3600) snprintf(buf, n, "%ldh%02ldm", t / 3600, t / 60 % 60);
  else snprintf(buf, n, "%ldm%02lds", t / 60, t % 60);
}

static int on_progress(void *ctx, const sw_train_progress *p) {
  prog *g = ctx;
  char eta[32];
  fmt_time(p->eta_s, eta, sizeof eta);
  if (!p->epoch_done) {
    char val[32] = "-"; /* none before the first validation */
    if (!isnan(g->last_val)) snprintf(val, sizeof val, "%.5g", g->last_val);
    if (g->tty)
      fprintf(stderr, "\repoch %d/%d step %ld/%ld loss %.5g val ESR %s %.0f samples/s ETA %s   ", p->epoch + 1,
              p->epochs, p->step, p->steps, p->loss, val, p->samples_per_s, eta);
    return stop_flag;
  }
  double full = p->val_esr[p->n_widths - 1];
  g->last_val = full;
  fprintf(stderr, "%sepoch %d/%d loss %.5g val ESR %.5g", g->tty ? "\r" : "", p->epoch + 1, p->epochs, p->train_loss, full);
  if (p->n_widths > 1) {
    double mean = 0;
    for (int j = 0; j < p->n_widths; j++) mean += p->val_esr[j] / p->n_widths;
    fprintf(stderr, " (%d widths: smallest %.5g, mean %.5g)", p->n_widths, p->val_esr[0], mean);
  }
  fprintf(stderr, " %.0f samples/s ETA %s%s\n", p->samples_per_s, eta, p->best ? " *best" : "");
  return stop_flag;
}

/* MODEL.nam -> MODEL<ext> */
static char *beside(const char *out, const char *ext) {
  size_t n = strlen(out);
  const char *dot = strrchr(out, '.'), *slash = strrchr(out, '/');
  if (dot && (!slash || dot > slash) && dot != out) n = (size_t)(dot - out);
  char *p = malloc(n + strlen(ext) + 1);
  if (p) { memcpy(p, out, n); strcpy(p + n, ext); }
  return p;
}

int cmd_train(int argc, char **argv) {
  if (cli_is_help(argc, argv)) { fputs(usage, stdout); return 0; }
  const char *data_s = NULL, *arch_s = NULL, *out_s = NULL, *sched_s = NULL, *ep_s = NULL, *batch_s = NULL,
             *ny_s = NULL, *lr_s = NULL, *decay_s = NULL, *seed_s = NULL, *thr_s = NULL, *be_s = NULL,
             *resume_s = NULL, *loss_s = NULL, *init_s = NULL, *best_s = NULL, *val_s = NULL, *tile_s = NULL;
  cli_opt opts[] = {{"--data", &data_s, NULL}, {"--arch", &arch_s, NULL}, {"--out", &out_s, NULL},
                    {"--schedule", &sched_s, NULL}, {"--epochs", &ep_s, NULL}, {"--batch", &batch_s, NULL},
                    {"--ny", &ny_s, NULL}, {"--lr", &lr_s, NULL}, {"--decay", &decay_s, NULL},
                    {"--seed", &seed_s, NULL}, {"--threads", &thr_s, NULL}, {"--backend", &be_s, NULL},
                    {"--resume", &resume_s, NULL}, {"--loss", &loss_s, NULL}, {"--init", &init_s, NULL},
                    {"--best-by", &best_s, NULL}, {"--val", &val_s, NULL}, {"--tiles", &tile_s, NULL}};
  const char *pos[1];
  int npos = 0;
  sw_err err = {0};
  sw_train_cfg cfg = sw_train_defaults();
  long v;
  long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
  cfg.threads = ncpu > 0 ? (int)(ncpu < 256 ? ncpu : 256) : 1;
  int rc = cli_parse(argc, argv, opts, (int)(sizeof opts / sizeof *opts), pos, 0, &npos, &err);
  if (!rc && (!data_s || !arch_s || !out_s)) rc = sw_fail(&err, SW_EUSAGE, "--data, --arch and --out are required (see --help)");
  if (!rc && ep_s && !(rc = cli_int("--epochs", ep_s, 0, 1000000, &v, &err))) cfg.epochs = (int)v;
  if (!rc && batch_s && !(rc = cli_int("--batch", batch_s, 1, 4096, &v, &err))) cfg.batch = (int)v;
  if (!rc && ny_s && !(rc = cli_int("--ny", ny_s, 1, 1 << 22, &v, &err))) cfg.ny = (int)v;
  if (!rc && thr_s && !(rc = cli_int("--threads", thr_s, 1, 256, &v, &err))) cfg.threads = (int)v;
  if (!rc && tile_s) rc = cli_tiles(tile_s, &cfg.tile, &cfg.btile, &err);
  if (!rc && seed_s && !(rc = cli_int("--seed", seed_s, 0, 0x7fffffffffffffffL, &v, &err))) cfg.seed = (uint64_t)v;
  if (!rc && lr_s) rc = cli_double("--lr", lr_s, 1e-12, 10, &cfg.lr, &err);
  if (!rc && decay_s) rc = cli_double("--decay", decay_s, 1e-6, 1, &cfg.decay, &err);
  if (!rc && loss_s) rc = sw_loss_parse(loss_s, &cfg.loss, &err);
  if (!rc && init_s) rc = sw_init_parse(init_s, &cfg.init, &err);
  if (!rc && best_s) {
    if (!strcmp(best_s, "mean")) cfg.best_by_mean = true;
    else if (!strncmp(best_s, "mean:", 5)) {
      cfg.best_by_mean = true;
      rc = cli_double("--best-by mean:CAP", best_s + 5, 1e-9, 1e9, &cfg.best_full_cap, &err);
    } else if (strcmp(best_s, "full")) rc = sw_fail(&err, SW_EUSAGE, "--best-by: \"%s\" is neither full, mean nor mean:CAP", best_s);
  }
  if (!rc && val_s) {
    if (!strcmp(val_s, "nam")) cfg.val_nam = true;
    else if (strcmp(val_s, "padded")) rc = sw_fail(&err, SW_EUSAGE, "--val: \"%s\" is neither padded nor nam", val_s);
  }
  if (!rc && sched_s && strlen(sched_s) >= sizeof cfg.schedule) rc = sw_fail(&err, SW_EUSAGE, "--schedule: too long");
  if (rc) { fprintf(stderr, "slimwave train: %s\n", err.msg); return rc; }
  if (sched_s) snprintf(cfg.schedule, sizeof cfg.schedule, "%s", sched_s);
  cfg.backend = cli_backend(be_s, false, &err);
  if (!cfg.backend) { fprintf(stderr, "slimwave train: %s\n", err.msg); return SW_EUSAGE; }
  cfg.arch_name = arch_s;
  cfg.resume_path = resume_s;
  cfg.out_path = out_s;
  char *ckpt = beside(out_s, ".ckpt"), *csv = beside(out_s, ".csv");
  cfg.ckpt_path = ckpt;
  cfg.csv_path = csv;
  prog g = {.tty = isatty(2), .last_val = NAN};
  cfg.progress = on_progress;
  cfg.progress_ctx = &g;

  sw_net net = {0};
  sw_dataset data = {0};
  sw_trainer *tr = NULL;
  bool have_data = false;
#ifdef SW_HAVE_DATASETS
  if ((rc = sw_dataset_load(data_s, &data, &err))) goto done;
  have_data = true;
#else
  rc = sw_fail(&err, SW_EUSAGE, "%s: this build has no dataset loader (datasets/ missing)", data_s);
  goto done;
#endif
  if ((rc = sw_arch_load(arch_s, &net, &err))) goto done;
  /* refuse an unwritable output before spending an epoch on it */
  const char *outs[3] = {out_s, ckpt, csv};
  for (int k = 0; k < 3 && !rc; k++) {
    sw_atomic a;
    if (!(rc = sw_atomic_open(&a, outs[k], &err))) sw_atomic_abort(&a);
  }
  if (rc) goto done;
  if ((rc = sw_trainer_create(&cfg, &net, &data, &tr, &err))) goto done;
  fprintf(stderr, "slimwave train: %s, %ld weights, receptive field %ld, window %ld, schedule \"%s\", %d threads%s%s\n",
          arch_s, net.nw, sw_net_receptive_field(&net), sw_trainer_window(tr), cfg.schedule[0] ? cfg.schedule : "fixed",
          cfg.threads, resume_s ? ", resuming from " : "", resume_s ? resume_s : "");
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  sw_train_result res;
  rc = sw_trainer_run(tr, &res, &err);
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  if (res.fallbacks) fprintf(stderr, "slimwave train: %ld ops ran on the naive backend (declined by %s)\n", res.fallbacks, cfg.backend->name);
  if (!rc && res.interrupted) {
    fprintf(stderr, "%sslimwave train: interrupted in epoch %d; checkpoint %s (continue with --resume %s)\n",
            g.tty ? "\n" : "", res.epochs_done + 1, ckpt, ckpt);
    rc = SW_EFAIL;
  } else if (!rc) {
    fprintf(stderr, "slimwave train: done, best epoch %d (score %.6g): %s; per-epoch figures %s\n", res.best_epoch + 1,
            res.best_score, out_s, csv);
  }
done:
  if (rc && err.msg[0]) fprintf(stderr, "slimwave train: %s\n", err.msg);
  sw_trainer_free(tr);
  sw_net_free(&net);
  if (have_data) {
#ifdef SW_HAVE_DATASETS
    sw_dataset_free(&data);
#endif
  }
  free(ckpt);
  free(csv);
  return rc;
}
