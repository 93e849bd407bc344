/* Validation (streaming inference over the validation segment, RF-1 zeros before it; with
   cfg.val_nam scored from RF-1 samples into it, as NAM does), the CSV of per-epoch figures and the
   best model with its metadata. */
#include "trainer_priv.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/atomic_file.h"
#include "../core/nam_file.h"
#include "../core/wavenet.h"

typedef struct vjob {
  sw_trainer *tr;
  const sw_net *view;
  double *esr;
  int t, T, rc;
  sw_err err;
} vjob;

static void *val_job(void *p) {
  vjob *j = p;
  sw_trainer *tr = j->tr;
  const sw_dataset *d = tr->data;
  long n = d->val_end - d->val_start;
  float *out = malloc(sizeof(float) * (size_t)n);
  sw_wavenet *wn = NULL;
  sw_run_opts ro = {.backend = tr->cfg.backend, .max_block = 4096};
  if (!out) { j->rc = sw_fail(&j->err, SW_ENOMEM, "out of memory (validation)"); return NULL; }
  if ((j->rc = sw_wavenet_create(j->view, &ro, &wn, &j->err))) { free(out); return NULL; }
  const float *x = d->x + d->val_start, *y = d->y + d->val_start;
  /* NAM's convention: outputs from RF-1 on depend on segment input only (the zero past is out of reach) */
  const long from = tr->cfg.val_nam ? sw_engine_rf(tr->e) - 1 : 0;
  for (int k = j->t; k < tr->n_widths; k += j->T) {
    if ((j->rc = sw_wavenet_set_widths(wn, &tr->widths[k], &j->err))) break;
    sw_wavenet_run(wn, x, out, n, 4096);
    double se = 0, sy = 0;
    for (long t = from; t < n; t++) {
      double e = (double)out[t] - y[t];
      se += e * e;
      sy += (double)y[t] * y[t];
    }
    j->esr[k] = se / (sy > 0 ? sy : 1e-30);
  }
  sw_wavenet_free(wn);
  free(out);
  return NULL;
}

int sw_trainer_validate(sw_trainer *tr, double *esr, sw_err *err) {
  /* a view of the net at the current weights (streaming reads them in place) */
  sw_net view = *tr->net;
  view.head_scale = tr->net->w[tr->net->nw - 1];
  int T = tr->cfg.threads < tr->n_widths ? tr->cfg.threads : tr->n_widths;
  if (T > 64) T = 64;
  vjob jobs[64];
  pthread_t th[64];
  bool started[64] = {0};
  for (int t = 0; t < T; t++) jobs[t] = (vjob){.tr = tr, .view = &view, .esr = esr, .t = t, .T = T};
  for (int t = 1; t < T; t++) started[t] = pthread_create(&th[t], NULL, val_job, &jobs[t]) == 0;
  val_job(&jobs[0]);
  for (int t = 1; t < T; t++) {
    if (started[t]) pthread_join(th[t], NULL);
    else val_job(&jobs[t]);
  }
  for (int t = 0; t < T; t++)
    if (jobs[t].rc) { *err = jobs[t].err; return jobs[t].rc; }
  return SW_OK;
}

static void width_label(const sw_widths *w, char *buf, size_t len) {
  size_t n = 0;
  buf[0] = 0;
  for (int i = 0; i < w->n && n < len; i++) n += (size_t)snprintf(buf + n, len - n, "%s%d", i ? "_" : "c", w->c[i]);
}

int sw_trainer_csv_append(sw_trainer *tr, const sw_train_progress *p, sw_err *err) {
  char line[8192];
  size_t n = 0;
  char lab[64];
  if (!tr->csv_len) {
    n += (size_t)snprintf(line + n, sizeof line - n, "epoch,steps,lr,train_loss");
    for (int j = 0; j < tr->n_widths; j++) {
      width_label(&tr->widths[j], lab, sizeof lab);
      n += (size_t)snprintf(line + n, sizeof line - n, ",esr_%s", lab);
    }
    n += (size_t)snprintf(line + n, sizeof line - n, ",score,best\n");
  }
  n += (size_t)snprintf(line + n, sizeof line - n, "%d,%ld,%.9g,%.9g", p->epoch + 1, tr->global_step,
                        sw_lr_at_epoch(tr->cfg.lr, tr->cfg.decay, p->epoch), p->train_loss);
  for (int j = 0; j < tr->n_widths; j++) n += (size_t)snprintf(line + n, sizeof line - n, ",%.9g", p->val_esr[j]);
  n += (size_t)snprintf(line + n, sizeof line - n, ",%.9g,%d\n", p->score, p->best ? 1 : 0);
  if (n >= sizeof line) return sw_fail(err, SW_EFAIL, "CSV row too long");
  char *c = realloc(tr->csv, tr->csv_len + n + 1);
  if (!c) return sw_fail(err, SW_ENOMEM, "out of memory (CSV)");
  memcpy(c + tr->csv_len, line, n + 1);
  tr->csv = c;
  tr->csv_len += n;
  return tr->cfg.csv_path ? sw_write_file_atomic(tr->cfg.csv_path, tr->csv, tr->csv_len, err) : SW_OK;
}

static char *metadata_json(const sw_trainer *tr, const sw_train_progress *p) {
  const sw_train_cfg *c = &tr->cfg;
  cJSON *md = cJSON_CreateObject();
  const char *base = c->out_path ? strrchr(c->out_path, '/') : NULL;
  base = base ? base + 1 : (c->out_path ? c->out_path : "model");
  char name[128];
  snprintf(name, sizeof name, "%s", base);
  char *dot = strrchr(name, '.');
  if (dot && dot != name) *dot = 0;
  cJSON_AddStringToObject(md, "name", name);
  char date[32];
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tm);
  cJSON_AddStringToObject(md, "date", date);
  /* the target was the device's output times this gain (datasets: a render above full scale) */
  if (tr->data->target_gain_db != 0) cJSON_AddNumberToObject(md, "target_gain_db", tr->data->target_gain_db);
  cJSON *t = cJSON_AddObjectToObject(md, "training");
  cJSON_AddStringToObject(t, "trainer", "slimwave");
  cJSON_AddNumberToObject(t, "validation_esr", p->val_esr[tr->n_widths - 1]);
  cJSON *pw = cJSON_AddArrayToObject(t, "validation_esr_per_width");
  for (int j = 0; j < tr->n_widths; j++) {
    cJSON *e = cJSON_CreateObject();
    cJSON_AddItemToObject(e, "channels", cJSON_CreateIntArray(tr->widths[j].c, tr->widths[j].n));
    cJSON_AddNumberToObject(e, "esr", p->val_esr[j]);
    cJSON_AddItemToArray(pw, e);
  }
  cJSON_AddNumberToObject(t, "epoch", p->epoch + 1);
  cJSON *s = cJSON_AddObjectToObject(t, "settings");
  cJSON_AddStringToObject(s, "data", tr->data->path);
  cJSON_AddStringToObject(s, "arch", c->arch_name ? c->arch_name : "");
  cJSON_AddStringToObject(s, "schedule", tr->sched.str);
  cJSON_AddStringToObject(s, "loss", sw_loss_name(c->loss.kind));
  cJSON_AddStringToObject(s, "validation", c->val_nam ? "nam: scored from RF-1 samples into the segment" : "padded: RF-1 zeros before the segment");
  cJSON_AddStringToObject(s, "init", c->init == SW_INIT_SMALLEST_AND_ZEROS ? "smallest_and_zeros" : "standard");
  cJSON_AddNumberToObject(s, "epochs", c->epochs);
  cJSON_AddNumberToObject(s, "batch", c->batch);
  cJSON_AddNumberToObject(s, "ny", c->ny);
  cJSON_AddNumberToObject(s, "lr", c->lr);
  cJSON_AddNumberToObject(s, "decay", c->decay);
  cJSON_AddNumberToObject(s, "seed", (double)c->seed);
  char by[96];
  snprintf(by, sizeof by, c->best_full_cap > 0 ? "mean ESR over widths, full-width ESR <= %g first" : "mean ESR over widths",
           c->best_full_cap);
  cJSON_AddStringToObject(s, "best_by", c->best_by_mean ? by : "full-width ESR");
  char *text = cJSON_PrintUnformatted(md);
  cJSON_Delete(md);
  return text;
}

int sw_trainer_save_model(sw_trainer *tr, const sw_train_progress *p, sw_err *err) {
  if (!tr->cfg.out_path) return SW_OK;
  sw_model m;
  int rc = sw_model_from_net(tr->net, &m, err);
  if (rc) return rc;
  sw_net *n = &m.sub[0];
  n->head_scale = n->w[n->nw - 1];
  free(n->meta.json);
  n->meta.json = metadata_json(tr, p);
  n->meta.validation_esr = p->val_esr[tr->n_widths - 1];
  if (!n->meta.json) { sw_model_free(&m); return sw_fail(err, SW_ENOMEM, "out of memory (metadata)"); }
  rc = sw_model_save(&m, tr->cfg.out_path, err);
  sw_model_free(&m);
  return rc;
}
