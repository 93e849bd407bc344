/* One cell: dataset, training, evaluation, counters, timing, rows. Long steps run as slimwave
   subprocesses so that an interrupted cell restarts cleanly from the trainer's checkpoint. */
#include "cell.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/atomic_file.h"
#include "../core/nam_file.h"
#include "../core/runner.h"
#include "../train/init.h"
#include "../train/schedule.h"
#include "counters.h"
#include "eval.h"
#include "provenance.h"
#include "rows.h"
#include "spawn.h"

static bool exists(const char *p) {
  struct stat st;
  return stat(p, &st) == 0;
}

void sw_cell_rows_path(const char *results_dir, const sw_cell *c, char *buf, int len) {
  snprintf(buf, (size_t)len, "%s/rows/%s.csv", results_dir, c->id);
}

void sw_cell_dataset_opts(const sw_experiment *e, char *buf, int len) {
  /* The data lives with the sweep (datasets/cache under the working directory, beside results/),
     not in the source tree of whichever build the binary came from; a shortened signal gets its own
     cache, so profiles never rebuild each other's data. */
  if (e->profile.data_seconds > 0)
    snprintf(buf, (size_t)len, "--seconds %g --cache datasets/cache/s%g", e->profile.data_seconds, e->profile.data_seconds);
  else
    snprintf(buf, (size_t)len, "--cache datasets/cache");
}

int sw_cell_dataset(const sw_experiment *e, const char *recipe, char *manifest, int len, sw_err *err) {
  char opts[256], out[4096];
  sw_cell_dataset_opts(e, opts, sizeof opts);
  if (e->profile.data_seconds > 0) snprintf(out, sizeof out, "datasets/cache/.%s-%gs.log", recipe, e->profile.data_seconds);
  else snprintf(out, sizeof out, "datasets/cache/.%s-full.log", recipe);
  for (char *p = out + 15; *p; p++) if (*p == ' ' || *p == '/') *p = '_';
  char *argv[12] = {(char *)sw_self_exe(), "dataset", "build", (char *)recipe, NULL};
  int na = 4;
  char *sv = NULL;
  for (char *w = strtok_r(opts, " ", &sv); w && na < 11; w = strtok_r(NULL, " ", &sv)) argv[na++] = w;
  argv[na] = NULL;
  if (sw_mkdirs("datasets/cache", err)) return SW_EOUTPUT;
  if (sw_child_run(argv, out, err)) return SW_EFAIL;
  /* the build names the manifest it wrote or reused: the last word ending in manifest.json */
  char *text;
  size_t n;
  int rc = sw_read_file(out, 1 << 20, &text, &n, err);
  if (rc) return rc;
  manifest[0] = 0;
  char *save = NULL;
  for (char *w = strtok_r(text, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save)) {
    size_t wl = strlen(w);
    if (wl >= 13 && !strcmp(w + wl - 13, "manifest.json")) snprintf(manifest, (size_t)len, "%s", w);
  }
  free(text);
  if (!manifest[0]) return sw_fail(err, SW_EFAIL, "dataset %s: the build named no manifest (see %s)", recipe, out);
  if (!exists(manifest)) return sw_fail(err, SW_EFAIL, "dataset %s: the build reported \"%s\", which does not exist", recipe, manifest);
  return SW_OK;
}

/* full_c0: channels of the first array of the model's architecture before a cut ("channels"), so
   that a dedicated 4-channel model reads 50% beside the 8-channel one; 0 = the net's own. */
static void ctx_for(const sw_experiment *e, const sw_cell *c, const sw_net *net, int full_c0, const sw_widths *w, sw_row_ctx *x) {
  const sw_exp_model *m = &e->models[c->model];
  *x = (sw_row_ctx){.experiment = e->name, .profile = e->profile.name, .cell = c->id,
                    .dataset = e->datasets[c->dataset].recipe, .tone = e->datasets[c->dataset].tone, .model = m->id,
                    .arch = m->arch, .schedule = m->schedule, .seed = c->seed};
  if (!net || !w) return;
  int k = 0;
  for (int i = 0; i < w->n; i++) k += snprintf(x->channels + k, sizeof x->channels - (size_t)k, "%s%d", i ? "," : "", w->c[i]);
  x->width_pct = 100.0 * w->c[0] / (full_c0 > 0 ? full_c0 : net->arrays[0].channels);
  x->macs = sw_net_macs(net, w);
}

/* The model's architecture, cut to its "channels" when it has them (weights zero but head_scale);
   *full_c0 gets the uncut first array's channels. */
static int load_arch(const sw_experiment *e, const sw_exp_model *m, sw_net *out, int *full_c0, sw_err *err) {
  char arch[4400];
  sw_experiment_arch_path(e, m, arch, sizeof arch);
  int rc = sw_arch_load(arch, out, err);
  if (rc) return rc;
  *full_c0 = out->arrays[0].channels;
  if (!m->channels[0]) return SW_OK;
  sw_widths w = {.n = 0};
  for (char *p = (char *)m->channels; *p && w.n < SW_MAX_ARRAYS; p += *p == ',') w.c[w.n++] = (int)strtol(p, &p, 10);
  sw_net cut;
  if (w.n != out->n_arrays)
    rc = sw_fail(err, SW_EINPUT, "%s: model %s: channels \"%s\" give %d arrays, its arch has %d", e->path, m->id, m->channels, w.n, out->n_arrays);
  if (!rc) rc = sw_net_check_widths(out, &w, err);
  if (!rc) rc = sw_net_slice(out, &w, &cut, err);
  sw_net_free(out);
  if (!rc) *out = cut;
  return rc;
}

int sw_cell_train_plan(const sw_experiment *e, const sw_exp_model *m, sw_train_plan *out, sw_err *err) {
  sw_net net;
  int full_c0, rc = load_arch(e, m, &net, &full_c0, err);
  if (rc) return rc;
  sw_schedule s;
  rc = sw_schedule_parse(m->schedule, &net, &s, err);
  sw_net_free(&net);
  if (rc) {
    char why[sizeof err->msg];
    snprintf(why, sizeof why, "%s", err->msg);
    return sw_fail(err, rc, "%s: model %s: %s", e->path, m->id, why);
  }
  const sw_exp_profile *p = &e->profile;
  out->passes = sw_schedule_max_substeps(&s);
  out->epochs = p->epochs;
  out->decay = m->decay > 0 ? m->decay : p->decay;
  if (p->equal_passes && out->passes > 1) {
    if (p->epochs % out->passes)
      return sw_fail(err, SW_EINPUT, "%s: profile %s: equal_passes needs epochs (%d) divisible by the %d sub-steps of a "
                     "mini-batch of model %s (%s)", e->path, p->name, p->epochs, out->passes, m->id, m->schedule);
    out->epochs = p->epochs / out->passes;
    out->decay = pow(out->decay, out->passes);
  }
  return SW_OK;
}

int sw_cell_check_models(const sw_experiment *e, sw_err *err) {
  for (int i = 0; i < e->n_models; i++) {
    sw_train_plan plan;
    int rc = sw_cell_train_plan(e, &e->models[i], &plan, err);
    if (rc) return rc;
  }
  return SW_OK;
}

/* The --arch a cell's trainer or init gets: the arch itself or, for a model with "channels", the
   cut one, written to dir/arch.nam once (the trainer takes a whole .nam as an arch, ignoring its
   weights, and initialises it as a model of that width). */
static int arch_arg(const sw_experiment *e, const sw_exp_model *m, const char *dir, char *buf, size_t len, sw_err *err) {
  if (!m->channels[0]) {
    sw_experiment_arch_path(e, m, buf, (int)len);
    return SW_OK;
  }
  snprintf(buf, len, "%.3700s/arch.nam", dir);
  if (exists(buf)) return SW_OK;
  sw_net net;
  sw_model mo;
  int full_c0, rc = load_arch(e, m, &net, &full_c0, err);
  if (rc) return rc;
  if (!(rc = sw_model_from_net(&net, &mo, err))) {
    rc = sw_model_save(&mo, buf, err);
    sw_model_free(&mo);
  }
  sw_net_free(&net);
  return rc;
}

int sw_cell_train(const sw_experiment *e, const sw_cell *c, const char *manifest, const char *work, int n_epochs, sw_err *err) {
  if (strlen(work) > 3700) return sw_fail(err, SW_EOUTPUT, "%s: path too long", work);
  const sw_exp_model *m = &e->models[c->model];
  const sw_exp_profile *p = &e->profile;
  char model[3800], done[4200], ckpt[4200], epochs[16], batch[16], ny[16], lr[32], decay[32], seed[16], threads[16], arch[4400];
  snprintf(model, sizeof model, "%.3700s/model.nam", work);
  snprintf(done, sizeof done, "%.3700s/train.done", work);
  if (!n_epochs && exists(done) && exists(model)) return SW_OK;
  sw_train_plan plan;
  int rc = sw_cell_train_plan(e, m, &plan, err);
  if (!rc) rc = arch_arg(e, m, work, arch, sizeof arch, err);
  if (rc) return rc;
  /* the trainer keeps MODEL.ckpt and MODEL.csv beside MODEL.nam */
  snprintf(ckpt, sizeof ckpt, "%.3700s/model.ckpt", work);
  snprintf(epochs, sizeof epochs, "%d", n_epochs ? n_epochs : plan.epochs);
  snprintf(batch, sizeof batch, "%d", p->batch);
  snprintf(ny, sizeof ny, "%d", p->ny);
  snprintf(lr, sizeof lr, "%g", p->lr);
  snprintf(decay, sizeof decay, "%.17g", plan.decay);
  snprintf(seed, sizeof seed, "%d", c->seed);
  snprintf(threads, sizeof threads, "%d", p->threads);
  char *argv[40] = {(char *)sw_self_exe(), "train", "--data", (char *)manifest, "--arch", arch, "--schedule",
                    (char *)m->schedule, "--epochs", epochs, "--batch", batch, "--ny", ny, "--lr", lr, "--decay", decay,
                    "--seed", seed, "--threads", threads, "--out", model, NULL};
  int k = 24;
  if (m->loss[0]) { argv[k++] = "--loss"; argv[k++] = (char *)m->loss; }
  if (m->init[0]) { argv[k++] = "--init"; argv[k++] = (char *)m->init; }
  if (m->best_by[0]) { argv[k++] = "--best-by"; argv[k++] = (char *)m->best_by; }
  if (e->val_nam) { argv[k++] = "--val"; argv[k++] = "nam"; }
  if (exists(ckpt)) { argv[k++] = "--resume"; argv[k++] = ckpt; }
  argv[k] = NULL;
  if (sw_child_run(argv, NULL, err)) return SW_EFAIL;
  return n_epochs ? SW_OK : sw_write_file_atomic(done, "ok\n", 3, err);
}

/* An untrained model of the cell's architecture (slimwave init, seeded by the cell) in dir. */
static int init_model(const sw_experiment *e, const sw_cell *c, const char *dir, char *model, int len, sw_err *err) {
  const sw_exp_model *m = &e->models[c->model];
  char arch[4400], seed[16];
  snprintf(model, (size_t)len, "%.3700s/untrained.nam", dir);
  int rc = arch_arg(e, m, dir, arch, sizeof arch, err);
  if (rc) return rc;
  snprintf(seed, sizeof seed, "%d", c->seed);
  char *argv[] = {(char *)sw_self_exe(), "init", "--arch", arch, "--out", model, "--seed", seed, NULL};
  return sw_child_run(argv, NULL, err) ? SW_EFAIL : SW_OK;
}

/* The trainer's per-epoch CSV (epoch, steps, ..., esr_c<c0>[_<c1>..] per width) into rows, and the
   compute it took: sample_passes = mini-batches x sub-steps per mini-batch x batch x ny (a row at
   the widest width evaluated, `top`), so that arms compare at equal compute. */
static void curve_rows(const sw_experiment *e, const sw_cell *c, const sw_net *net, int full_c0, const sw_widths *top,
                       int passes, const char *work, sw_rows *rows) {
  char path[4200], *text;
  size_t n;
  sw_err err;
  snprintf(path, sizeof path, "%.3800s/model.csv", work);
  if (sw_read_file(path, 16 << 20, &text, &n, &err)) return;
  char *save = NULL, *line = strtok_r(text, "\n", &save);
  char *hdr[64];
  char hcopy[4096];
  snprintf(hcopy, sizeof hcopy, "%s", line ? line : "");
  int nh = sw_csv_split(hcopy, hdr, 64), epoch = 0;
  double steps = 0;
  while ((line = strtok_r(NULL, "\n", &save))) {
    char *f[64];
    int nf = sw_csv_split(line, f, 64);
    epoch = atoi(f[0]);
    if (nf > 1) steps = strtod(f[1], NULL);
    for (int j = 1; j < nf && j < nh && j < 64; j++) {
      if (strncmp(hdr[j], "esr_c", 5)) continue;
      sw_widths w = {.n = 0};
      for (char *p = hdr[j] + 5; *p && w.n < SW_MAX_ARRAYS;) {
        w.c[w.n++] = (int)strtol(p, &p, 10);
        if (*p == '_') p++; else break;
      }
      if (w.n != net->n_arrays) continue;
      sw_row_ctx x;
      ctx_for(e, c, net, full_c0, &w, &x);
      sw_rows_add(rows, &x, "val_esr_epoch", strtod(f[j], NULL), NULL, -1, epoch, NULL);
    }
  }
  free(text);
  if (epoch < 1) return;
  sw_row_ctx x;
  char note[160];
  ctx_for(e, c, net, full_c0, top, &x);
  snprintf(note, sizeof note, "%.0f mini-batches x %d sub-steps x %d x %d samples", steps, passes, e->profile.batch, e->profile.ny);
  sw_rows_add(rows, &x, "sample_passes", steps * passes * e->profile.batch * e->profile.ny, NULL, -1, epoch, note);
}

/* ESR, MSE and MRSTFT at the widths the model is evaluated at (*top gets the widest), and the
   work counters per width. */
static int evaluate(const sw_experiment *e, const sw_cell *c, const char *manifest, const sw_net *net, int full_c0,
                    sw_widths *top, sw_rows *rows, sw_err *err) {
  sw_dataset d;
  int rc = sw_dataset_load(manifest, &d, err);
  if (rc) return rc;
  const sw_exp_model *m = &e->models[c->model];
  char which[200];
  if (!strcmp(m->eval_widths, "train")) snprintf(which, sizeof which, "train:%s", m->schedule);
  else snprintf(which, sizeof which, "%s", m->eval_widths);
  sw_widths ws[SW_MAX_CHANNELS];
  int nw = sw_eval_pick_widths(net, which, ws, SW_MAX_CHANNELS, err);
  sw_eval_row *er = nw > 0 ? calloc((size_t)nw, sizeof *er) : NULL;
  if (nw <= 0 || !er) { sw_dataset_free(&d); free(er); return nw <= 0 ? SW_EINPUT : SW_ENOMEM; }
  const float *x = d.x + d.val_start, *y = d.y + d.val_start;
  long n = d.val_end - d.val_start;
  const sw_backend *be = e->eval_best ? sw_backend_default(NULL, 0) : sw_backend_naive();
  rc = sw_eval_widths(net, x, y, n, e->val_nam, ws, nw, be, er, err);
  const char *seg = e->val_nam ? "validation segment from RF-1 samples in (NAM)" : "validation segment";
  for (int j = 0; !rc && j < nw; j++) {
    sw_row_ctx cx;
    ctx_for(e, c, net, full_c0, &ws[j], &cx);
    sw_rows_add(rows, &cx, "esr", er[j].esr, NULL, -1, -1, seg);
    sw_rows_add(rows, &cx, "mse", er[j].mse, NULL, -1, -1, seg);
    sw_rows_add(rows, &cx, "mrstft", er[j].mrstft, NULL, -1, -1, isnan(er[j].mrstft) ? "segment too short" : seg);
  }
  *top = ws[nw - 1];
  /* counters per width on the first 2 s of the validation input, 64-sample blocks */
  sw_runner *wn = NULL;
  sw_run_opts o = {.max_block = 64};
  long nc = n < 96000 ? n : 96000;
  if (!rc && e->counters && !(rc = sw_runner_create(net, &o, &wn, err))) {
    for (int j = 0; !rc && j < nw; j++) {
      if ((rc = sw_runner_set_widths(wn, &ws[j], err))) break;
      sw_counter_value v[SW_COUNTERS_MAX];
      int k = sw_counters_run(wn, x, nc, 64, v);
      sw_row_ctx cx;
      ctx_for(e, c, net, full_c0, &ws[j], &cx);
      for (int i = 0; i < k; i++) sw_rows_add(rows, &cx, v[i].name, isnan(v[i].total) ? NAN : v[i].total / nc, "naive", 64, -1, v[i].why[0] ? v[i].why : "per sample");
    }
    sw_runner_free(wn);
  }
  free(er);
  sw_dataset_free(&d);
  return rc;
}

static void widths_str(const sw_widths *w, char *buf, size_t len) {
  size_t k = 0;
  buf[0] = 0;
  for (int i = 0; i < w->n && k < len; i++) k += (size_t)snprintf(buf + k, len - k, "%s%d", i ? "," : "", w->c[i]);
}

/* slimwave bench CSV (header names) into rows. */
static int bench(const sw_experiment *e, const sw_cell *c, const char *model, const char *work, const sw_net *net,
                 int full_c0, const char *weights, sw_rows *rows, sw_err *err) {
  char out[4200], secs[32], reps[16], widths[1024] = "all";
  snprintf(out, sizeof out, "%.3800s/bench.csv", work);
  snprintf(secs, sizeof secs, "%g", e->profile.bench_seconds);
  snprintf(reps, sizeof reps, "%d", e->profile.bench_repeats);
  /* time the widths the model is evaluated at: every width of a slimmable model, the trained
     width of a fixed one */
  const sw_exp_model *m = &e->models[c->model];
  if (strcmp(m->eval_widths, "all")) {
    char which[200];
    sw_widths w[1];
    if (!strcmp(m->eval_widths, "train")) snprintf(which, sizeof which, "train:%s", m->schedule);
    else snprintf(which, sizeof which, "full");
    if (sw_eval_pick_widths(net, which, w, 1, err) != 1) return SW_EINPUT;
    widths_str(&w[0], widths, sizeof widths);
  }
  char *argv[] = {(char *)sw_self_exe(), "bench", (char *)model, "--backends", (char *)e->profile.backends, "--widths", widths,
                  "--blocks", (char *)e->profile.blocks, "--seconds", secs, "--repeats", reps, NULL};
  if (sw_child_run(argv, out, err)) return SW_EFAIL;
  char *text;
  size_t n;
  int rc = sw_read_file(out, 64 << 20, &text, &n, err);
  if (rc) return rc;
  char *save = NULL, *line = strtok_r(text, "\n", &save), *h[64];
  int nh = line ? sw_csv_split_quoted(line, h, 64) : 0;
  int ib = -1, ic = -1, ik = -1, ir = -1, ie = -1, ig = -1, iw = -1, ifb = -1;
  for (int j = 0; j < nh && j < 64; j++) {
    if (!strcmp(h[j], "backend")) ib = j;
    else if (!strcmp(h[j], "channels")) ic = j;
    else if (!strcmp(h[j], "block")) ik = j;
    else if (!strcmp(h[j], "rtf")) ir = j;
    else if (!strcmp(h[j], "efficiency")) ie = j;
    else if (!strcmp(h[j], "gflops")) ig = j;
    else if (!strcmp(h[j], "wall_s_median")) iw = j;
    else if (!strcmp(h[j], "fallbacks")) ifb = j;
  }
  if (ib < 0 || ic < 0 || ik < 0 || ir < 0) { free(text); return sw_fail(err, SW_EINPUT, "%s: bench output lacks backend/channels/block/rtf columns", out); }
  while ((line = strtok_r(NULL, "\n", &save))) {
    char *f[64];
    int nf = sw_csv_split_quoted(line, f, 64);
    if (nf < nh) continue;
    sw_widths w = {.n = 0};
    for (char *p = f[ic]; *p && w.n < SW_MAX_ARRAYS;) {
      w.c[w.n++] = (int)strtol(p, &p, 10);
      while (*p && (*p < '0' || *p > '9')) p++;
    }
    if (w.n != net->n_arrays) continue;
    sw_row_ctx x;
    ctx_for(e, c, net, full_c0, &w, &x);
    char note[200];
    if (ifb >= 0 && strcmp(f[ifb], "0")) snprintf(note, sizeof note, "%s; %s ops fell back to naive", weights, f[ifb]);
    else snprintf(note, sizeof note, "%s", weights);
    int block = atoi(f[ik]);
    sw_rows_add(rows, &x, "rtf", strtod(f[ir], NULL), f[ib], block, -1, note);
    if (ie >= 0) sw_rows_add(rows, &x, "efficiency", strtod(f[ie], NULL), f[ib], block, -1, note);
    if (ig >= 0) sw_rows_add(rows, &x, "gflops", strtod(f[ig], NULL), f[ib], block, -1, note);
    if (iw >= 0) sw_rows_add(rows, &x, "wall_s_median", strtod(f[iw], NULL), f[ib], block, -1, note);
  }
  free(text);
  return SW_OK;
}

/* One process per training folder: two runs of a cell at once (two makes, or a make beside a Slurm
   job) would train into the same checkpoint. The lock is an flock on work/<id>/lock, which the
   kernel drops when the process ends, however it ends. Returns the descriptor to close, or -1. */
static int lock_work(const char *work, const char *cell, sw_err *err) {
  char path[4096];
  snprintf(path, sizeof path, "%.4000s/lock", work);
  int fd = open(path, O_RDWR | O_CREAT, 0666); /* inherited by the trainer: the lock lives while it does */
  if (fd < 0) { sw_fail(err, SW_EOUTPUT, "%s: cannot open: %s", path, strerror(errno)); return -1; }
  if (flock(fd, LOCK_EX | LOCK_NB) == 0) return fd;
  int e = errno;
  close(fd);
  if (e == EWOULDBLOCK)
    sw_fail(err, SW_EFAIL, "cell %s: %s is held by another slimwave process (this cell or one sharing its model "
            "is running); run each cell once at a time", cell, path);
  else sw_fail(err, SW_EOUTPUT, "%s: cannot lock: %s", path, strerror(e));
  return -1;
}

static int cell_run_locked(const sw_experiment *e, const sw_cell *c, const char *results_dir, const char *work,
                           const char *rows_path, sw_err *err);

int sw_cell_run(const sw_experiment *e, const sw_cell *c, const char *results_dir, bool force, sw_err *err) {
  char rows_path[4096], work[3800], tid[256];
  sw_cell_rows_path(results_dir, c, rows_path, sizeof rows_path);
  int nrows;
  sw_err e2;
  if (!force && exists(rows_path) && sw_rows_check(rows_path, &nrows, &e2) == SW_OK) {
    fprintf(stderr, "cell %s: done (%d rows), skipped\n", c->id, nrows);
    return SW_OK;
  }
  sw_cell_train_id(e, c, tid, sizeof tid);
  snprintf(work, sizeof work, "%.3000s/work/%s", results_dir, tid);
  char rows_dir[4200];
  snprintf(rows_dir, sizeof rows_dir, "%s/rows", results_dir);
  int rc = sw_mkdirs(rows_dir, err);
  if (!rc) rc = sw_mkdirs(work, err);
  if (rc) return rc;
  int lock = lock_work(work, c->id, err);
  if (lock < 0) return err->code;
  rc = cell_run_locked(e, c, results_dir, work, rows_path, err);
  close(lock);
  return rc;
}

static int cell_run_locked(const sw_experiment *e, const sw_cell *c, const char *results_dir, const char *work,
                           const char *rows_path, sw_err *err) {
  char model[3900], manifest[4096];
  int rc;
  fprintf(stderr, "cell %s: start\n", c->id);
  snprintf(model, sizeof model, "%.3700s/model.nam", work);
  char bwork[4200], done[4200], note[128] = "";
  snprintf(bwork, sizeof bwork, "%.3000s/work/%s", results_dir, c->id);
  snprintf(done, sizeof done, "%.3700s/train.done", work);
  if (!c->bench) {
    if ((rc = sw_cell_dataset(e, e->datasets[c->dataset].recipe, manifest, sizeof manifest, err))) return rc;
    if ((rc = sw_cell_train(e, c, manifest, work, 0, err))) return rc;
  } else if (exists(done) && exists(model)) {
    snprintf(note, sizeof note, "trained weights");
  } else {
    /* A bench cell times the model its train cell trained. Where there is none (a fresh checkout
       keeps the rows but not work/; another host trained it), it times an untrained model of the
       same architecture rather than train hours for a timing: the SIMD kernels have no
       data-dependent paths (FTZ/DAZ, a clamped rational tanh), and a trained and an untrained
       paper model timed alike within the noise. So every bench cell can run on one machine. */
    if ((rc = sw_mkdirs(bwork, err)) || (rc = init_model(e, c, bwork, model, sizeof model, err))) return rc;
    snprintf(note, sizeof note, "untrained weights (seed %d): no trained model here", c->seed);
  }
  sw_train_plan plan;
  sw_net arch;
  int full_c0;
  if ((rc = sw_cell_train_plan(e, &e->models[c->model], &plan, err))) return rc;
  if ((rc = load_arch(e, &e->models[c->model], &arch, &full_c0, err))) return rc;
  sw_net_free(&arch);
  sw_model m;
  if ((rc = sw_model_load(model, &m, err))) return rc;
  const sw_net *net = &m.sub[0];
  sw_rows rows = {0};
  sw_widths top;
  if (c->bench) {
    rc = sw_mkdirs(bwork, err);
    if (!rc) rc = bench(e, c, model, bwork, net, full_c0, note, &rows, err);
  } else {
    rc = evaluate(e, c, manifest, net, full_c0, &top, &rows, err);
    if (!rc) curve_rows(e, c, net, full_c0, &top, plan.passes, work, &rows);
  }
  if (!rc && !rows.n) rc = sw_fail(err, SW_EFAIL, "cell %s produced no rows", c->id);
  if (!rc) rc = sw_rows_save(&rows, rows_path, err);
  if (!rc) rc = sw_stamp_write(rows_path, err);
  if (!rc) fprintf(stderr, "cell %s: %d rows -> %s\n", c->id, rows.n, rows_path);
  sw_rows_free(&rows);
  sw_model_free(&m);
  return rc;
}
