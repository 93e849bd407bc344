/* The training loop: batching, threads, schedule sub-steps, Adam, epochs (see trainer.h). */
#include "trainer_priv.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

sw_train_cfg sw_train_defaults(void) {
  sw_train_cfg c = {.epochs = 100, .batch = 16, .ny = 8192, .threads = 1, .lr = 0.004, .decay = 0.993, .seed = 0,
                    .loss = sw_loss_default(SW_LOSS_NAM), .init = SW_INIT_STANDARD};
  return c;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

void sw_trainer_free(sw_trainer *tr) {
  if (!tr) return;
  if (tr->sv)
    for (int b = 0; b < tr->B; b++) sw_engine_saved_free(tr->sv[b]);
  if (tr->ws)
    for (int t = 0; t < tr->nthreads; t++) sw_engine_ws_free(tr->ws[t]);
  free(tr->sv);
  free(tr->ws);
  sw_engine_free(tr->e);
  free(tr->xb); free(tr->yb); free(tr->pred); free(tr->teacher); free(tr->gpred);
  free(tr->gitem); free(tr->gsub); free(tr->gtot);
  sw_loss_free(tr->loss);
  sw_adam_free(&tr->adam);
  free(tr->subs);
  free(tr->perm);
  free(tr->csv);
  free(tr);
}

/* Validation widths: every distinct width along the slim values (smallest first, full last),
   at most SW_TRAIN_MAX_WIDTHS of them evenly spread; when not slimmable, the one width the
   schedule trains (fixed:C: C, not the untrained full width, which would pick the best epoch). */
static void pick_widths(sw_trainer *tr) {
  sw_widths all[SW_MAX_CHANNELS * 2];
  int n = 1;
  all[0] = tr->sched.fixed;
  if (sw_schedule_slimmable(&tr->sched)) {
    n = sw_net_width_steps(tr->net, all, SW_MAX_CHANNELS * 2);
    if (n > SW_MAX_CHANNELS * 2) n = SW_MAX_CHANNELS * 2;
  }
  if (n <= SW_TRAIN_MAX_WIDTHS) {
    memcpy(tr->widths, all, sizeof(sw_widths) * (size_t)n);
    tr->n_widths = n;
    return;
  }
  for (int j = 0; j < SW_TRAIN_MAX_WIDTHS; j++) tr->widths[j] = all[(long)j * (n - 1) / (SW_TRAIN_MAX_WIDTHS - 1)];
  tr->n_widths = SW_TRAIN_MAX_WIDTHS;
}

int sw_trainer_create(const sw_train_cfg *cfg, sw_net *net, const sw_dataset *data, sw_trainer **out, sw_err *err) {
  *out = NULL;
  if (cfg->batch < 1 || cfg->batch > 4096) return sw_fail(err, SW_EUSAGE, "--batch %d out of range 1..4096", cfg->batch);
  if (cfg->threads < 1 || cfg->threads > 256) return sw_fail(err, SW_EUSAGE, "--threads %d out of range 1..256", cfg->threads);
  if (cfg->epochs < 0) return sw_fail(err, SW_EUSAGE, "--epochs %d is negative", cfg->epochs);
  sw_trainer *tr = calloc(1, sizeof *tr);
  if (!tr) return sw_fail(err, SW_ENOMEM, "out of memory (trainer)");
  tr->cfg = *cfg;
  tr->net = net;
  tr->data = data;
  tr->B = cfg->batch;
  tr->ny = cfg->ny;
  tr->best = INFINITY;
  tr->best_epoch = -1;
  int rc;
  tr->nthreads = cfg->threads < cfg->batch ? cfg->threads : cfg->batch;
  if ((rc = sw_engine_create(net, cfg->backend, cfg->ny, cfg->tile, cfg->btile, &tr->e, err))) goto fail;
  tr->nw = sw_engine_nw(tr->e);
  tr->win = sw_engine_window(tr->e);
  long span = data->train_end - data->train_start;
  tr->n_win = span >= tr->win ? (span - tr->win) / tr->ny + 1 : 0;
  if (data->train_start < 0 || data->train_end > data->n || data->val_start < 0 || data->val_end > data->n) {
    rc = sw_fail(err, SW_EINPUT, "%s: train/validation spans outside the %ld samples", data->path, data->n);
    goto fail;
  }
  if (tr->n_win < tr->B) {
    rc = sw_fail(err, SW_EINPUT, "%s: training span of %ld samples gives %ld windows of %ld (ny %d + receptive field %ld - 1), fewer than one batch of %d",
                 data->path, span, tr->n_win, tr->win, tr->ny, sw_engine_rf(tr->e), tr->B);
    goto fail;
  }
  long val_n = data->val_end - data->val_start, val_rf1 = cfg->val_nam ? sw_engine_rf(tr->e) - 1 : 0;
  if (val_n < 1) { rc = sw_fail(err, SW_EINPUT, "%s: no validation segment", data->path); goto fail; }
  if (val_n <= val_rf1) {
    rc = sw_fail(err, SW_EINPUT, "%s: validation segment of %ld samples, not longer than the receptive field - 1 (%ld) that NAM's validation skips",
                 data->path, val_n, val_rf1);
    goto fail;
  }
  if ((rc = sw_schedule_parse(cfg->schedule, net, &tr->sched, err))) goto fail;
  if ((rc = sw_schedule_apply_allowed(&tr->sched, net, err))) goto fail;
  pick_widths(tr);
  tr->maxsub = sw_schedule_max_substeps(&tr->sched);
  size_t B = (size_t)tr->B, ny = (size_t)tr->ny;
  tr->subs = calloc((size_t)tr->maxsub, sizeof *tr->subs);
  tr->sv = calloc(B, sizeof *tr->sv);
  tr->ws = calloc((size_t)tr->nthreads, sizeof *tr->ws);
  tr->xb = malloc(sizeof(float) * B * (size_t)tr->win);
  tr->yb = malloc(sizeof(float) * B * ny);
  tr->pred = malloc(sizeof(float) * B * ny);
  tr->teacher = malloc(sizeof(float) * B * ny);
  tr->gpred = malloc(sizeof(float) * B * ny);
  tr->gitem = malloc(sizeof(float) * B * (size_t)tr->nw);
  tr->gsub = malloc(sizeof(float) * (size_t)tr->nw);
  tr->gtot = malloc(sizeof(float) * (size_t)tr->nw);
  tr->perm = malloc(sizeof(long) * (size_t)tr->n_win);
  if (!tr->subs || !tr->sv || !tr->ws || !tr->xb || !tr->yb || !tr->pred || !tr->teacher || !tr->gpred || !tr->gitem ||
      !tr->gsub || !tr->gtot || !tr->perm) { rc = sw_fail(err, SW_ENOMEM, "out of memory (trainer buffers)"); goto fail; }
  for (int b = 0; b < tr->B; b++)
    if ((rc = sw_engine_saved_create(tr->e, &tr->sv[b], err))) goto fail;
  for (int t = 0; t < tr->nthreads; t++)
    if ((rc = sw_engine_ws_create(tr->e, &tr->ws[t], err))) goto fail;
  if ((rc = sw_loss_create(&cfg->loss, tr->B, tr->ny, &tr->loss, err))) goto fail;
  if ((rc = sw_loss_set_threads(tr->loss, cfg->threads < tr->B ? cfg->threads : tr->B, err))) goto fail; /* same result for any n */
  if ((rc = sw_adam_init(&tr->adam, tr->nw - 1, err))) goto fail; /* head_scale is not trained */
  /* Streams: init, data order, schedule; each its own jumped copy of the seed's stream. */
  sw_rng r;
  sw_rng_seed(&r, cfg->seed);
  sw_rng init = r;
  sw_rng_jump(&r);
  tr->rng_epoch = r;
  sw_rng_jump(&r);
  tr->rng_sched = r;
  if ((rc = sw_net_init(net, cfg->init, &init, err))) goto fail;
  if (cfg->resume_path && (rc = sw_checkpoint_read(tr, cfg->resume_path, err))) goto fail;
  *out = tr;
  return SW_OK;
fail:
  sw_trainer_free(tr);
  return rc;
}

long sw_trainer_window(const sw_trainer *tr) { return tr->win; }
int sw_trainer_last_substeps(const sw_trainer *tr, sw_substep *out, int max) {
  for (int k = 0; k < tr->n_subs && k < max; k++) out[k] = tr->subs[k];
  return tr->n_subs;
}
long sw_trainer_fallbacks(const sw_trainer *tr) { return tr->fallbacks; }

int sw_trainer_widths(const sw_trainer *tr, sw_widths *out, int max) {
  for (int j = 0; j < tr->n_widths && j < max; j++) out[j] = tr->widths[j];
  return tr->n_widths;
}

/* Per-window work on threads: window b goes to thread b % T; every window writes only its own
   buffers (its activations, its gradient), so the split does not change any result. */
typedef struct job {
  sw_trainer *tr;
  bool backward;
  int t, T;
} job;

static void *run_job(void *p) {
  job *j = p;
  sw_trainer *tr = j->tr;
  const sw_backend *be = tr->cfg.backend;
  if (be && be->thread_init) be->thread_init();
  for (int b = j->t; b < tr->B; b += j->T) {
    const float *x = tr->xb + (size_t)b * tr->win;
    if (!j->backward) {
      sw_engine_forward(tr->e, tr->ws[j->t], tr->sv[b], x, tr->pred + (size_t)b * tr->ny);
    } else {
      float *g = tr->gitem + (size_t)b * tr->nw;
      memset(g, 0, sizeof(float) * (size_t)tr->nw);
      sw_engine_backward(tr->e, tr->ws[j->t], tr->sv[b], x, tr->gpred + (size_t)b * tr->ny, g, NULL);
    }
  }
  return NULL;
}

static void run_parallel(sw_trainer *tr, bool backward) {
  const int T = tr->nthreads;
  job jobs[256];
  pthread_t th[256];
  bool started[256] = {0};
  for (int t = 0; t < T; t++) jobs[t] = (job){.tr = tr, .backward = backward, .t = t, .T = T};
  for (int t = 1; t < T; t++) started[t] = pthread_create(&th[t], NULL, run_job, &jobs[t]) == 0;
  run_job(&jobs[0]);
  for (int t = 1; t < T; t++) {
    if (started[t]) pthread_join(th[t], NULL);
    else run_job(&jobs[t]); /* could not start a thread: same work, same result */
  }
}

static void zero_block(float *g, int rows, int cols, long ld) {
  for (int r = 0; r < rows; r++) memset(g + r * ld, 0, sizeof(float) * (size_t)cols);
}

/* Boosting: the slice at widths f gets no gradient (schedule.h, sw_substep.frozen). */
static void freeze(const sw_trainer *tr, float *g, const sw_widths *f) {
  if (f->n == 0) return;
  const sw_net *net = tr->net;
  const sw_layout *L = sw_engine_layout(tr->e);
  for (int i = 0; i < net->n_arrays; i++) {
    const sw_array_cfg *a = &net->arrays[i];
    const sw_array_off *o = &L->arrays[i];
    int C = a->channels, fi = f->c[i], fp = i ? f->c[i - 1] : 0;
    int fh = i + 1 < net->n_arrays ? f->c[i + 1] : a->head_size;
    if (i > 0 && fi && fp) zero_block(g + o->r, fi, fp, a->input_size);
    if (!fi) continue;
    for (int l = 0; l < a->n_layers; l++) {
      const sw_layer_off *lo = &o->layers[l];
      int K = a->layers[l].kernel, fm = a->layers[l].gated ? 2 * fi : fi;
      zero_block(g + lo->w, fm, fi * K, (long)C * K);
      zero_block(g + lo->b, 1, fm, 0);
      zero_block(g + lo->m, 1, fm, 0);
      if (lo->v >= 0) { zero_block(g + lo->v, fi, fi, C); zero_block(g + lo->vb, 1, fi, 0); }
    }
    if (fh) {
      zero_block(g + o->g, fh, fi * a->head_kernel, (long)C * a->head_kernel);
      if (o->gb >= 0) zero_block(g + o->gb, 1, fh, 0);
    }
  }
}

double sw_trainer_step(sw_trainer *tr, const long *starts) {
  const sw_dataset *d = tr->data;
  const long rf1 = sw_engine_rf(tr->e) - 1;
  for (int b = 0; b < tr->B; b++) {
    memcpy(tr->xb + (size_t)b * tr->win, d->x + starts[b], sizeof(float) * (size_t)tr->win);
    memcpy(tr->yb + (size_t)b * tr->ny, d->y + starts[b] + rf1, sizeof(float) * (size_t)tr->ny);
  }
  int ns = sw_schedule_step(&tr->sched, &tr->rng_sched, tr->subs, tr->maxsub);
  if (ns < 1) return NAN;
  tr->n_subs = ns;
  double lsum = 0;
  const size_t nw = (size_t)tr->nw;
  memset(tr->gtot, 0, sizeof(float) * nw);
  for (int s = 0; s < ns; s++) {
    const sw_substep *sub = &tr->subs[s];
    sw_err err;
    if (sw_engine_bind(tr->e, &sub->w, &err)) return NAN; /* the schedule's widths are the net's */
    if (sw_engine_fallbacks(tr->e) > tr->fallbacks) tr->fallbacks = sw_engine_fallbacks(tr->e);
    run_parallel(tr, false);
    if (sub->flags & SW_SUB_TEACHER) memcpy(tr->teacher, tr->pred, sizeof(float) * (size_t)tr->B * tr->ny);
    const float *target = (sub->flags & SW_SUB_DISTILL) ? tr->teacher : tr->yb;
    lsum += sw_loss_eval(tr->loss, tr->pred, target, tr->B, tr->gpred, NULL);
    run_parallel(tr, true);
    memcpy(tr->gsub, tr->gitem, sizeof(float) * nw);
    for (int b = 1; b < tr->B; b++) {
      const float *g = tr->gitem + (size_t)b * nw;
      for (size_t k = 0; k < nw; k++) tr->gsub[k] += g[k];
    }
    freeze(tr, tr->gsub, &sub->frozen);
    for (size_t k = 0; k < nw; k++) tr->gtot[k] += tr->gsub[k];
  }
  sw_adam_step(&tr->adam, tr->net->w, tr->gtot, sw_lr_at_epoch(tr->cfg.lr, tr->cfg.decay, tr->epoch));
  tr->global_step++;
  return lsum / ns;
}

int sw_trainer_checkpoint(sw_trainer *tr, sw_err *err) {
  return tr->cfg.ckpt_path ? sw_checkpoint_write(tr, tr->cfg.ckpt_path, err) : SW_OK;
}

int sw_trainer_run(sw_trainer *tr, sw_train_result *res, sw_err *err) {
  memset(res, 0, sizeof *res);
  const sw_train_cfg *c = &tr->cfg;
  const long steps = tr->n_win / tr->B;
  long *starts = malloc(sizeof(long) * (size_t)tr->B);
  if (!starts) return sw_fail(err, SW_ENOMEM, "out of memory");
  double t_run = now_s();
  long steps_run = 0;
  int rc = SW_OK;
  sw_train_progress p = {.epochs = c->epochs, .steps = steps};
  while (tr->epoch < c->epochs) {
    sw_rng r = tr->rng_epoch;
    for (long k = 0; k < tr->n_win; k++) tr->perm[k] = k;
    sw_rng_shuffle_long(&r, tr->perm, tr->n_win);
    double t_epoch = now_s();
    long done_here = 0;
    while (tr->batch_in_epoch < steps) {
      for (int b = 0; b < tr->B; b++)
        starts[b] = tr->data->train_start + tr->perm[tr->batch_in_epoch * tr->B + b] * tr->ny;
      double loss = sw_trainer_step(tr, starts);
      if (!isfinite(loss)) {
        rc = sw_fail(err, SW_EFAIL, "training diverged: loss %g at epoch %d step %ld", loss, tr->epoch + 1, tr->batch_in_epoch + 1);
        goto done;
      }
      tr->epoch_loss_sum += loss;
      tr->batch_in_epoch++;
      done_here++;
      steps_run++;
      double now = now_s();
      p.epoch = tr->epoch;
      p.step = tr->batch_in_epoch;
      p.global_step = tr->global_step;
      p.loss = loss;
      p.epoch_done = false;
      p.samples_per_s = (double)done_here * tr->B * tr->ny / (now - t_epoch);
      long left = (long)(c->epochs - tr->epoch) * steps - tr->batch_in_epoch;
      p.eta_s = (now - t_run) / steps_run * left;
      if (c->progress && c->progress(c->progress_ctx, &p)) {
        res->interrupted = true;
        rc = sw_trainer_checkpoint(tr, err);
        goto done;
      }
    }
    /* end of epoch: validate, log, keep the best, checkpoint */
    p.epoch_done = true;
    p.train_loss = tr->epoch_loss_sum / (double)steps;
    p.n_widths = tr->n_widths;
    memcpy(p.widths, tr->widths, sizeof(sw_widths) * (size_t)tr->n_widths);
    if ((rc = sw_trainer_validate(tr, p.val_esr, err))) goto done;
    double mean = 0;
    for (int j = 0; j < tr->n_widths; j++) mean += p.val_esr[j] / tr->n_widths;
    double full = p.val_esr[tr->n_widths - 1];
    p.score = c->best_by_mean ? mean : full;
    if (c->best_by_mean && c->best_full_cap > 0 && full > c->best_full_cap) p.score = SW_SCORE_OVER_CAP + full;
    p.best = p.score < tr->best;
    if (p.best) {
      tr->best = p.score;
      tr->best_epoch = tr->epoch;
      if ((rc = sw_trainer_save_model(tr, &p, err))) goto done;
    }
    if ((rc = sw_trainer_csv_append(tr, &p, err))) goto done;
    tr->rng_epoch = r;
    tr->epoch++;
    tr->batch_in_epoch = 0;
    tr->epoch_loss_sum = 0;
    if ((rc = sw_trainer_checkpoint(tr, err))) goto done;
    p.eta_s = (now_s() - t_run) / (steps_run ? steps_run : 1) * (double)(c->epochs - tr->epoch) * steps;
    if (c->progress && c->progress(c->progress_ctx, &p)) { res->interrupted = tr->epoch < c->epochs; goto done; }
  }
done:
  free(starts);
  res->epochs_done = tr->epoch;
  res->best_score = tr->best;
  res->best_epoch = tr->best_epoch;
  res->fallbacks = tr->fallbacks;
  return rc;
}
