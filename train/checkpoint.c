/* Checkpoints: a small binary file (native byte order, like the float weights it holds) with
   everything a resume needs to continue bit for bit: weights, Adam moments and step, epoch and
   mini-batch position, the data-order stream as of the epoch's start, the schedule stream and
   count, the best score so far and the CSV text. The settings that shape training are stored
   too and must match on resume. Written atomically (temporary file, then rename). */
#include "trainer_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/atomic_file.h"

#define CK_MAGIC "SWCKPT01"
#define CK_END "SWCKEND1"

typedef struct ck_head {
  char magic[8];
  int64_t nw, ny, batch, loss_kind, init_kind, epoch, batch_in_epoch, global_step, best_epoch, adam_step, sched_steps;
  uint64_t seed, rng_epoch[4], rng_sched[4], csv_len;
  double lr, decay, epoch_loss_sum, best;
  char schedule[128];
} ck_head;

int sw_checkpoint_write(const sw_trainer *tr, const char *path, sw_err *err) {
  ck_head h;
  memset(&h, 0, sizeof h);
  memcpy(h.magic, CK_MAGIC, 8);
  h.nw = tr->nw;
  h.ny = tr->ny;
  h.batch = tr->B;
  h.loss_kind = tr->cfg.loss.kind;
  h.init_kind = tr->cfg.init;
  h.epoch = tr->epoch;
  h.batch_in_epoch = tr->batch_in_epoch;
  h.global_step = tr->global_step;
  h.best_epoch = tr->best_epoch;
  h.adam_step = tr->adam.step;
  h.sched_steps = tr->sched.n_steps;
  h.seed = tr->cfg.seed;
  memcpy(h.rng_epoch, tr->rng_epoch.s, sizeof h.rng_epoch);
  memcpy(h.rng_sched, tr->rng_sched.s, sizeof h.rng_sched);
  h.csv_len = tr->csv_len;
  h.lr = tr->cfg.lr;
  h.decay = tr->cfg.decay;
  h.epoch_loss_sum = tr->epoch_loss_sum;
  h.best = tr->best;
  snprintf(h.schedule, sizeof h.schedule, "%s", tr->sched.str);
  sw_atomic a;
  int rc = sw_atomic_open(&a, path, err);
  if (rc) return rc;
  size_t na = (size_t)tr->adam.n, nw = (size_t)tr->nw;
  bool ok = fwrite(&h, sizeof h, 1, a.f) == 1 && fwrite(tr->net->w, sizeof(float), nw, a.f) == nw &&
            fwrite(tr->adam.m, sizeof(float), na, a.f) == na && fwrite(tr->adam.v, sizeof(float), na, a.f) == na &&
            (tr->csv_len == 0 || fwrite(tr->csv, 1, tr->csv_len, a.f) == tr->csv_len) && fwrite(CK_END, 8, 1, a.f) == 1;
  if (!ok) {
    sw_atomic_abort(&a);
    return sw_fail(err, SW_EOUTPUT, "%s: cannot write the checkpoint", path);
  }
  return sw_atomic_commit(&a, err);
}

#define MISMATCH(what, fmt, ck, now) \
  sw_fail(err, SW_EINPUT, "%s: checkpoint made with %s " fmt ", this run has " fmt, path, what, ck, now)

int sw_checkpoint_read(sw_trainer *tr, const char *path, sw_err *err) {
  char *data;
  size_t n;
  int rc = sw_read_file(path, (size_t)1 << 31, &data, &n, err);
  if (rc) return rc;
  ck_head h;
  if (n < sizeof h || memcmp(data, CK_MAGIC, 8)) { free(data); return sw_fail(err, SW_EINPUT, "%s: not a slimwave checkpoint", path); }
  memcpy(&h, data, sizeof h);
  h.schedule[sizeof h.schedule - 1] = 0;
  size_t na = (size_t)tr->adam.n, nw = (size_t)tr->nw;
  if (h.nw != tr->nw) rc = MISMATCH("an architecture of", "%ld weights", (long)h.nw, (long)tr->nw);
  else if (h.ny != tr->ny) rc = MISMATCH("--ny", "%ld", (long)h.ny, (long)tr->ny);
  else if (h.batch != tr->B) rc = MISMATCH("--batch", "%ld", (long)h.batch, (long)tr->B);
  else if (h.seed != tr->cfg.seed) rc = MISMATCH("--seed", "%llu", (unsigned long long)h.seed, (unsigned long long)tr->cfg.seed);
  else if (h.lr != tr->cfg.lr) rc = MISMATCH("--lr", "%g", h.lr, tr->cfg.lr);
  else if (h.decay != tr->cfg.decay) rc = MISMATCH("--decay", "%g", h.decay, tr->cfg.decay);
  else if (h.loss_kind != tr->cfg.loss.kind) rc = MISMATCH("loss", "%s", sw_loss_name((sw_loss_kind)h.loss_kind), sw_loss_name(tr->cfg.loss.kind));
  else if (strcmp(h.schedule, tr->sched.str)) rc = MISMATCH("--schedule", "\"%s\"", h.schedule, tr->sched.str);
  else if (h.epoch < 0 || h.batch_in_epoch < 0 || h.csv_len > n ||
           n != sizeof h + (nw + 2 * na) * sizeof(float) + h.csv_len + 8 ||
           memcmp(data + n - 8, CK_END, 8))
    rc = sw_fail(err, SW_EINPUT, "%s: checkpoint is truncated or corrupt", path);
  if (rc) { free(data); return rc; }
  const char *p = data + sizeof h;
  memcpy(tr->net->w, p, nw * sizeof(float)); p += nw * sizeof(float);
  memcpy(tr->adam.m, p, na * sizeof(float)); p += na * sizeof(float);
  memcpy(tr->adam.v, p, na * sizeof(float)); p += na * sizeof(float);
  free(tr->csv);
  tr->csv = malloc(h.csv_len + 1);
  if (!tr->csv) { free(data); return sw_fail(err, SW_ENOMEM, "out of memory"); }
  memcpy(tr->csv, p, h.csv_len);
  tr->csv[h.csv_len] = 0;
  tr->csv_len = h.csv_len;
  tr->net->head_scale = tr->net->w[nw - 1];
  tr->adam.step = h.adam_step;
  tr->epoch = (int)h.epoch;
  tr->batch_in_epoch = h.batch_in_epoch;
  tr->global_step = h.global_step;
  tr->best_epoch = (int)h.best_epoch;
  tr->best = h.best;
  tr->epoch_loss_sum = h.epoch_loss_sum;
  tr->sched.n_steps = h.sched_steps;
  memcpy(tr->rng_epoch.s, h.rng_epoch, sizeof h.rng_epoch);
  memcpy(tr->rng_sched.s, h.rng_sched, sizeof h.rng_sched);
  free(data);
  /* == batches per epoch is valid: stopped after the epoch's last batch, before its validation */
  if (tr->batch_in_epoch < 0 || tr->batch_in_epoch > tr->n_win / tr->B)
    return sw_fail(err, SW_EINPUT, "%s: checkpoint position (batch %ld) beyond this data's %ld batches per epoch", path,
                   tr->batch_in_epoch, tr->n_win / tr->B);
  return SW_OK;
}
