/* The training loop end to end on a small synthetic device (a tanh waveshaper after a short
   filter): validation ESR below 0.01 at full width, and at half width with the `uniform`
   schedule; resume after an interruption gives bit-identical weights (and a different thread
   count gives the same weights); the saved .nam loads back with the trained weights and gives
   the trained model's output exactly, also after exporting a slice. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../core/nam_file.h"
#include "../core/wavenet.h"
#include "../train/trainer.h"
#include "check.h"
#include "netgen.h"

static const int dil[] = {1, 2, 4, 8, 16, 32};

static void make_arch(sw_net *net, int C) {
  sw_arr_spec s = {.C = C, .H = 1, .K = 3, .n_layers = 6, .dil = dil, .act = SW_ACT_TANH, .head_bias = true};
  sw_test_make_net(net, 1, &s, 1);
  net->w[net->nw - 1] = net->head_scale = 0.1f;
}

/* x: plucked tones plus noise; y = 0.6 tanh(2 * (0.5 x[t] + 0.3 x[t-1] + 0.2 x[t-3])) */
static void make_data(sw_dataset *d, long train_n, long val_n) {
  memset(d, 0, sizeof *d);
  d->n = train_n + val_n;
  d->x = malloc(sizeof(float) * d->n);
  d->y = malloc(sizeof(float) * d->n);
  sw_test_signal(d->x, d->n, 3);
  for (long t = 0; t < d->n; t++) {
    double f = 0.5 * d->x[t] + (t >= 1 ? 0.3 * d->x[t - 1] : 0) + (t >= 3 ? 0.2 * d->x[t - 3] : 0);
    d->y[t] = (float)(0.6 * tanh(2 * f));
  }
  d->rate = 48000;
  d->train_end = train_n;
  d->val_start = train_n;
  d->val_end = d->n;
  snprintf(d->path, sizeof d->path, "synthetic waveshaper");
}

typedef struct watch {
  long stop_at;          /* global step to stop at (0 = never) */
  sw_net *net;
  float *best_w;         /* weights of the best epoch */
  double last_esr[SW_TRAIN_MAX_WIDTHS];
  int n_widths;
  sw_widths widths[SW_TRAIN_MAX_WIDTHS];
} watch;

static int on_progress(void *ctx, const sw_train_progress *p) {
  watch *w = ctx;
  if (p->epoch_done) {
    memcpy(w->last_esr, p->val_esr, sizeof(double) * p->n_widths);
    memcpy(w->widths, p->widths, sizeof(sw_widths) * p->n_widths);
    w->n_widths = p->n_widths;
    if (p->best && w->best_w) memcpy(w->best_w, w->net->w, sizeof(float) * w->net->nw);
    printf("  epoch %d: loss %.5f, val ESR full %.5f (%d widths)\n", p->epoch + 1, p->train_loss, p->val_esr[p->n_widths - 1], p->n_widths);
    return 0;
  }
  return w->stop_at && p->global_step >= w->stop_at;
}

static int train(sw_train_cfg *cfg, sw_net *net, const sw_dataset *d, watch *w, sw_train_result *res) {
  sw_trainer *tr;
  sw_err err;
  cfg->progress = on_progress;
  cfg->progress_ctx = w;
  w->net = net;
  int rc = sw_trainer_create(cfg, net, d, &tr, &err);
  CHECK(rc == 0, "trainer: %s", err.msg);
  if (rc) return rc;
  rc = sw_trainer_run(tr, res, &err);
  CHECK(rc == 0, "run: %s", err.msg);
  sw_trainer_free(tr);
  return rc;
}

static void run_model(const sw_net *net, const sw_widths *wd, const float *x, float *y, long n) {
  sw_wavenet *wn;
  sw_err err;
  if (sw_wavenet_create(net, NULL, &wn, &err) || sw_wavenet_set_widths(wn, wd, &err)) { CHECK(0, "%s", err.msg); return; }
  sw_wavenet_run(wn, x, y, n, 4096);
  sw_wavenet_free(wn);
}

/* in[k]: weight k is read at widths wd (slice a net whose weights are their own indices). */
static void slice_mask(const sw_net *net, const sw_widths *wd, char *in) {
  sw_net idx, sl;
  sw_err err;
  memset(in, 0, (size_t)net->nw);
  if (wd->n == 0 || wd->c[0] == 0) return;
  sw_net_copy(net, &idx, &err);
  for (long k = 0; k < idx.nw; k++) idx.w[k] = (float)k;
  if (sw_net_slice(&idx, wd, &sl, &err) == 0) {
    for (long k = 0; k < sl.nw - 1; k++) in[(long)sl.w[k]] = 1; /* not head_scale */
    sw_net_free(&sl);
  }
  sw_net_free(&idx);
}

/* Boosting: after one Adam step from zero moments, an entry moves iff its gradient is non-zero,
   so the frozen slice (except the first rechannel, never frozen) and everything outside the
   trained width stay put, and the rest of the trained slice moves. */
static void check_boost(const sw_dataset *d) {
  sw_train_cfg cfg = sw_train_defaults();
  cfg.ny = 1024;
  cfg.loss = sw_loss_default(SW_LOSS_MSE);
  snprintf(cfg.schedule, sizeof cfg.schedule, "allowed:2,4,6,8,boost");
  sw_net net;
  make_arch(&net, 8);
  sw_trainer *tr;
  sw_err err;
  if (sw_trainer_create(&cfg, &net, d, &tr, &err)) { CHECK(0, "boost trainer: %s", err.msg); sw_net_free(&net); return; }
  long starts[16];
  for (int b = 0; b < 16; b++) starts[b] = (long)b * cfg.ny;
  float *w0 = malloc(sizeof(float) * net.nw);
  char *used = malloc(net.nw), *frozen = malloc(net.nw);
  int seen_frozen = 0;
  for (int step = 0; step < 6; step++) {
    memcpy(w0, net.w, sizeof(float) * net.nw);
    sw_trainer_step(tr, starts);
    sw_substep sub;
    CHECK(sw_trainer_last_substeps(tr, &sub, 1) == 1, "boost: one sub-step per mini-batch");
    slice_mask(&net, &sub.w, used);
    slice_mask(&net, &sub.frozen, frozen);
    for (long k = 0; k < net.nw && sub.frozen.n; k++) /* array 0's rechannel is never frozen */
      if (k < net.arrays[0].channels) frozen[k] = 0;
    /* the last layer's residual output feeds nothing: its 1x1 never gets a gradient */
    sw_layout L;
    sw_layout_make(&net, &L, &err);
    const sw_layer_off *last = &L.arrays[0].layers[net.arrays[0].n_layers - 1];
    for (long k = last->v; k < last->vb + net.arrays[0].channels; k++) used[k] = 0;
    sw_layout_free(&L);
    long bad = 0, moved = 0, should = 0;
    for (long k = 0; k < net.nw; k++) {
      bool mv = net.w[k] != w0[k];
      if (step == 0) { /* from zero moments: an entry moves iff its gradient is non-zero */
        if (mv && (!used[k] || frozen[k])) bad++;
        if (used[k] && !frozen[k]) { should++; moved += mv; }
      }
    }
    if (step == 0) {
      CHECK(bad == 0, "boost: %ld frozen or unused entries moved at width %d (frozen %d)", bad, sub.w.c[0], sub.frozen.c[0]);
      CHECK(moved == should, "boost: %ld of %ld trained entries moved", moved, should);
      printf("boost: width %d, frozen %d: %ld trained entries moved, frozen and unused ones did not\n", sub.w.c[0],
             sub.frozen.n ? sub.frozen.c[0] : 0, moved);
    }
    seen_frozen += sub.frozen.n > 0 && sub.frozen.c[0] > 0;
  }
  CHECK(seen_frozen > 0, "boost: no sub-step had a frozen slice in 6 draws");
  free(w0); free(used); free(frozen);
  sw_trainer_free(tr);
  sw_net_free(&net);
}

/* Sandwich and in-place distillation: the sub-steps are the full, the smallest and N random
   widths, teacher first; training runs and lowers the full-width validation ESR. */
static void check_sandwich(const sw_dataset *d, const char *sched) {
  sw_train_cfg cfg = sw_train_defaults();
  cfg.ny = 2048;
  cfg.epochs = 2;
  cfg.threads = 2;
  cfg.lr = 0.005;
  cfg.loss = sw_loss_default(SW_LOSS_MSE);
  snprintf(cfg.schedule, sizeof cfg.schedule, "%s", sched);
  sw_net net;
  make_arch(&net, 8);
  sw_trainer *tr;
  sw_err err;
  if (sw_trainer_create(&cfg, &net, d, &tr, &err)) { CHECK(0, "%s: %s", sched, err.msg); sw_net_free(&net); return; }
  double esr0[SW_TRAIN_MAX_WIDTHS], esr1[SW_TRAIN_MAX_WIDTHS];
  sw_trainer_validate(tr, esr0, &err);
  sw_train_result res;
  CHECK(sw_trainer_run(tr, &res, &err) == 0, "%s: %s", sched, err.msg);
  sw_substep sub[4];
  int ns = sw_trainer_last_substeps(tr, sub, 4);
  int nwid = sw_trainer_validate(tr, esr1, &err) == 0 ? 8 : 0;
  CHECK(ns == 3 && sub[0].w.c[0] == 8 && sub[1].w.c[0] == 1, "%s: sub-steps %d (widths %d, %d)", sched, ns, sub[0].w.c[0], sub[1].w.c[0]);
  bool distill = strstr(sched, "distill") != NULL;
  CHECK(!distill || ((sub[0].flags & SW_SUB_TEACHER) && (sub[1].flags & SW_SUB_DISTILL) && (sub[2].flags & SW_SUB_DISTILL)),
        "%s: teacher/distill flags", sched);
  CHECK(nwid && esr1[7] < 0.5 * esr0[7], "%s: full-width ESR %.4f -> %.4f", sched, esr0[7], esr1[7]);
  printf("%s: full-width validation ESR %.4f -> %.4f after 2 epochs\n", sched, esr0[7], esr1[7]);
  sw_trainer_free(tr);
  sw_net_free(&net);
}

int main(void) {
  char dir[] = "/tmp/sw_test_train_XXXXXX";
  if (!mkdtemp(dir)) { printf("cannot make a temporary folder\n"); return 1; }
  char out[4200], ckpt[4200], csv[4200], small[4200];
  snprintf(out, sizeof out, "%s/model.nam", dir);
  snprintf(ckpt, sizeof ckpt, "%s/model.ckpt", dir);
  snprintf(csv, sizeof csv, "%s/model.csv", dir);
  snprintf(small, sizeof small, "%s/small.nam", dir);
  sw_dataset d;
  make_data(&d, 48000 * 5, 24000);

  /* 1. full width, fixed schedule */
  sw_train_cfg cfg = sw_train_defaults();
  cfg.epochs = 6;
  cfg.ny = 1024;   /* short windows: more steps for the same work */
  cfg.threads = 2;
  cfg.lr = 0.005;
  cfg.decay = 0.93;
  cfg.loss = sw_loss_default(SW_LOSS_MSE);
  cfg.seed = 5;
  cfg.out_path = out;
  cfg.csv_path = csv;
  sw_net net;
  make_arch(&net, 8);
  watch w = {0};
  w.best_w = malloc(sizeof(float) * net.nw);
  sw_train_result res;
  printf("full width, fixed schedule:\n");
  train(&cfg, &net, &d, &w, &res);
  CHECK(w.last_esr[w.n_widths - 1] < 0.01, "full-width validation ESR %.5f not below 0.01", w.last_esr[w.n_widths - 1]);
  CHECK(w.n_widths == 1, "fixed schedule validates %d widths, expected 1", w.n_widths);
  CHECK(access(csv, R_OK) == 0, "no CSV written");
  sw_net_free(&net);
  free(w.best_w);

  /* 1b. fixed:4 trains the leading 4 channels alone: it must validate (and keep the best epoch)
     at those 4, not at the untrained full width */
  make_arch(&net, 8);
  memset(&w, 0, sizeof w);
  snprintf(cfg.schedule, sizeof cfg.schedule, "fixed:4");
  cfg.epochs = 3;
  printf("fixed:4 schedule:\n");
  train(&cfg, &net, &d, &w, &res);
  CHECK(w.n_widths == 1 && w.widths[0].c[0] == 4, "fixed:4 validates %d widths, the first at %d channels, expected 1 at 4",
        w.n_widths, w.widths[0].c[0]);
  CHECK(w.last_esr[0] < 0.05, "fixed:4 validation ESR %.5f not below 0.05 after 3 epochs", w.last_esr[0]);
  sw_net_free(&net);

  /* 2. uniform schedule: full and half width */
  make_arch(&net, 8);
  memset(&w, 0, sizeof w);
  w.best_w = malloc(sizeof(float) * net.nw);
  snprintf(cfg.schedule, sizeof cfg.schedule, "uniform");
  cfg.epochs = 20;
  printf("uniform schedule:\n");
  train(&cfg, &net, &d, &w, &res);
  int half = -1;
  for (int j = 0; j < w.n_widths; j++)
    if (w.widths[j].c[0] == 4) half = j;
  CHECK(w.n_widths == 8 && half >= 0, "uniform over 1..8 validates %d widths", w.n_widths);
  if (half >= 0) CHECK(w.last_esr[half] < 0.01, "half-width validation ESR %.5f not below 0.01", w.last_esr[half]);
  CHECK(w.last_esr[w.n_widths - 1] < 0.01, "uniform: full-width validation ESR %.5f not below 0.01", w.last_esr[w.n_widths - 1]);
  printf("uniform: ESR at width 4 %.5f, at 8 %.5f, at 1 %.5f\n", half >= 0 ? w.last_esr[half] : NAN, w.last_esr[w.n_widths - 1], w.last_esr[0]);

  /* 3. the saved model: best epoch's weights, slimmable, same output as the trained net */
  sw_model m;
  sw_err err;
  CHECK(sw_model_load(out, &m, &err) == 0, "load %s: %s", out, err.msg);
  if (m.n_sub == 1) {
    sw_net *ln = &m.sub[0];
    CHECK(ln->nw == net.nw && memcmp(ln->w, w.best_w, sizeof(float) * net.nw) == 0, "saved weights differ from the best epoch's");
    CHECK(ln->arrays[0].slimmable && ln->arrays[0].n_allowed == 8, "saved model is not slimmable over 8 widths");
    CHECK(!isnan(ln->meta.validation_esr) || (ln->meta.json && strstr(ln->meta.json, "validation_esr")), "no validation ESR in the metadata");
    sw_net cur = net;            /* the trainer's net at the best weights */
    float *keep = net.w;
    cur.w = w.best_w;
    long n = d.val_end - d.val_start;
    float *y1 = malloc(sizeof(float) * n), *y2 = malloc(sizeof(float) * n);
    for (int c = 4; c <= 8; c += 4) {
      sw_widths wd = {.n = 1, .c = {c}};
      run_model(&cur, &wd, d.x + d.val_start, y1, n);
      run_model(ln, &wd, d.x + d.val_start, y2, n);
      CHECK(memcmp(y1, y2, sizeof(float) * n) == 0, "loaded model output differs at width %d", c);
      /* export the slice as a plain model and load it back */
      sw_net sl;
      sw_model sm, back;
      CHECK(sw_net_slice(ln, &wd, &sl, &err) == 0 && sw_model_from_net(&sl, &sm, &err) == 0 &&
            sw_model_save(&sm, small, &err) == 0 && sw_model_load(small, &back, &err) == 0, "export: %s", err.msg);
      sw_widths fw = sw_net_full_widths(&back.sub[0]);
      CHECK(fw.c[0] == c && !back.sub[0].arrays[0].slimmable, "exported model has %d channels", fw.c[0]);
      run_model(&back.sub[0], &fw, d.x + d.val_start, y2, n);
      CHECK(memcmp(y1, y2, sizeof(float) * n) == 0, "exported width-%d model output differs from the slim view", c);
      sw_model_free(&back);
      sw_model_free(&sm);
      sw_net_free(&sl);
    }
    net.w = keep;
    free(y1);
    free(y2);
    printf("saved model and exported slices reproduce the trained output bit for bit\n");
  }
  sw_model_free(&m);
  sw_net_free(&net);
  free(w.best_w);

  /* 4. resume: interrupted mid-epoch then resumed (2 threads) == uninterrupted (1 thread) */
  sw_train_cfg rc = cfg;
  rc.epochs = 3;
  rc.threads = 1;
  rc.loss = sw_loss_default(SW_LOSS_NAM); /* exercises the MRSTFT term too: needs ny > 1025 */
  rc.ny = 2048;
  snprintf(rc.schedule, sizeof rc.schedule, "uniform");
  rc.out_path = NULL;
  rc.csv_path = NULL;
  rc.ckpt_path = ckpt;
  sw_net a, b;
  make_arch(&a, 8);
  memset(&w, 0, sizeof w);
  printf("resume: uninterrupted run\n");
  train(&rc, &a, &d, &w, &res);
  /* mid second epoch (7 steps per epoch), and at its last step: a checkpoint between the last
     batch and the epoch's validation must resume too */
  const long stops[] = {10, 14};
  for (int si = 0; si < 2; si++) {
    rc.threads = 2;
    rc.resume_path = NULL;
    memset(&w, 0, sizeof w);
    w.stop_at = stops[si];
    make_arch(&b, 8);
    printf("resume: run interrupted at step %ld\n", stops[si]);
    train(&rc, &b, &d, &w, &res);
    CHECK(res.interrupted, "the run was not interrupted");
    CHECK(memcmp(a.w, b.w, sizeof(float) * a.nw) != 0, "interrupted weights already equal the final ones");
    sw_net_free(&b);
    make_arch(&b, 8);
    for (long k = 0; k < b.nw - 1; k++) b.w[k] = 0; /* the checkpoint must restore everything */
    rc.resume_path = ckpt;
    w.stop_at = 0;
    printf("resume: continued from the checkpoint\n");
    train(&rc, &b, &d, &w, &res);
    CHECK(!res.interrupted && res.epochs_done == 3, "resumed run (stopped at step %ld) did not finish", stops[si]);
    long diff = 0;
    for (long k = 0; k < a.nw; k++) diff += memcmp(&a.w[k], &b.w[k], sizeof(float)) != 0;
    CHECK(diff == 0, "resumed weights (stopped at step %ld) differ from the uninterrupted run in %ld of %ld entries",
          stops[si], diff, a.nw);
    printf("resumed run equals the uninterrupted one bit for bit: %s\n", diff ? "no" : "yes");
    if (si == 0) sw_net_free(&b);
  }
  /* a bad checkpoint is refused with a message naming it */
  sw_trainer *tr;
  FILE *f = fopen(ckpt, "r+b");
  if (f) { fseek(f, 0, SEEK_SET); fputc('X', f); fclose(f); }
  CHECK(sw_trainer_create(&rc, &b, &d, &tr, &err) == SW_EINPUT && strstr(err.msg, ckpt), "corrupt checkpoint accepted (%s)", err.msg);
  sw_net_free(&a);
  sw_net_free(&b);

  check_boost(&d);
  check_sandwich(&d, "sandwich:1");
  check_sandwich(&d, "sandwich-distill:1");

  remove(out); remove(ckpt); remove(csv); remove(small); rmdir(dir);
  free(d.x);
  free(d.y);
  return check_summary();
}
