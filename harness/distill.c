/* slimwave distill / capture orchestration (see distill.h): inputs checked before anything is
   written, then dataset, training, evaluation and report, each step restartable. */
#include "distill.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "../core/atomic_file.h"
#include "../core/archs.h"
#include "../core/audio.h"
#include "../core/nam_file.h"
#include "../datasets/src/dataset.h"
#include "../train/init.h"
#include "../train/trainer.h"
#include "spawn.h"

#define PATHN 4096

static void note(const sw_distill_opts *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(const sw_distill_opts *o, const char *fmt, ...) {
  if (!o->note) return;
  char line[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  o->note(o->note_ctx, line);
}

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

static bool is_dir(const char *p) { struct stat st; return !stat(p, &st) && S_ISDIR(st.st_mode); }
static bool is_file(const char *p) { struct stat st; return !stat(p, &st) && S_ISREG(st.st_mode); }

/* Copies s into out, cut to len - 1 bytes (paths longer than PATH_MAX are refused by the OS anyway). */
static void copy_str(char *out, size_t len, const char *s) {
  size_t l = strlen(s);
  if (l >= len) l = len - 1;
  memcpy(out, s, l);
  out[l] = 0;
}

/* Absolute paths keep the dataset's key (which names its inputs) stable across working folders. */
static void absolute(const char *p, char *out, size_t len) {
  char buf[PATH_MAX];
  copy_str(out, len, realpath(p, buf) ? buf : p);
}

/* Each comma-separated piece made absolute; the first piece holding the default held-out file
   names it in hold (if hold is empty). */
static int di_resolve(const char *di, char *out, size_t len, char *hold, size_t hlen, sw_err *err) {
  char *copy = strdup(di), *save = NULL;
  if (!copy) return sw_fail(err, SW_ENOMEM, "out of memory");
  size_t m = 0;
  out[0] = 0;
  int rc = SW_OK;
  for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
    if (!is_dir(t) && !is_file(t)) { rc = sw_fail(err, SW_EINPUT, "%s: no such DI file or folder", t); break; }
    char a[PATHN], h[PATHN + 64];
    absolute(t, a, sizeof a);
    m += (size_t)snprintf(out + m, m < len ? len - m : 0, "%s%s", m ? "," : "", a);
    if (hold[0]) continue;
    snprintf(h, sizeof h, "%s/%s", a, SW_DISTILL_HOLDOUT);
    if (is_dir(a) && is_file(h)) copy_str(hold, hlen, h);
    else if (is_file(a) && !strcmp(basename(a), SW_DISTILL_HOLDOUT)) snprintf(hold, hlen, "%s", a);
  }
  free(copy);
  if (!rc && m >= len) rc = sw_fail(err, SW_EUSAGE, "--di: too long");
  return rc;
}

static double read_seconds(const char *path) {
  FILE *f = fopen(path, "r");
  double s = 0;
  if (f) { if (fscanf(f, "%lf", &s) != 1) s = 0; fclose(f); }
  return s;
}

/* The epoch of the last row of the trainer's CSV (0 without one). */
static int csv_epochs(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) return 0;
  char line[8192];
  int e = 0;
  while (fgets(line, sizeof line, f)) {
    int v;
    if (sscanf(line, "%d,", &v) == 1) e = v;
  }
  fclose(f);
  return e;
}

/* Checks every input; fills the absolute teacher path, resolved DI and held-out file. */
static int check_inputs(const sw_distill_opts *o, sw_model *teacher, char *tpath, char *di, char *hold, sw_err *err) {
  if (!!o->teacher == !!o->lv2) return sw_fail(err, SW_EUSAGE, "give a teacher .nam or an LV2 plugin URI");
  if (!o->out || !o->out[0]) return sw_fail(err, SW_EUSAGE, "--out MODEL.nam is required");
  if (o->epochs < 0) return sw_fail(err, SW_EUSAGE, "--epochs %d is negative", o->epochs);
  int rc;
  if (o->teacher) {
    if ((rc = sw_model_load(o->teacher, teacher, err))) return rc;
    const sw_net *net = sw_model_pick(teacher, 1.0);
    if (net->sample_rate != 48000) {
      sw_fail(err, SW_EINPUT, "%s: the model runs at %g Hz; the capture signal is 48 kHz", o->teacher, net->sample_rate);
      sw_model_free(teacher);
      return SW_EINPUT;
    }
    if (net->arch != SW_ARCH_WAVENET && o->arch && !strcmp(o->arch, "same")) {
      sw_fail(err, SW_EUSAGE, "--arch same: %s has architecture %s; the slimmable student is a WaveNet (use standard, lite, ...)",
              o->teacher, sw_arch_name(net->arch));
      sw_model_free(teacher);
      return SW_EUSAGE;
    }
    absolute(o->teacher, tpath, PATHN);
  } else {
    if (o->arch && !strcmp(o->arch, "same"))
      return sw_fail(err, SW_EUSAGE, "--arch same needs a teacher model; a plugin has no architecture (use standard, lite, ...)");
    sw_lv2 *p;
    if ((rc = sw_lv2_open(o->lv2, o->sets, o->nsets, 48000, &p, err))) return rc;
    sw_lv2_close(p);
  }
  rc = SW_OK;
  if (o->arch && strcmp(o->arch, "same")) {
    sw_net a;
    if (!(rc = sw_arch_load(o->arch, &a, err))) sw_net_free(&a);
  }
  hold[0] = 0;
  di[0] = 0;
  if (!rc && o->holdout) {
    sw_audio h;
    if (!(rc = sw_audio_read(o->holdout, &h, err))) { sw_audio_free(&h); absolute(o->holdout, hold, PATHN); }
  }
  if (!rc && o->di) rc = di_resolve(o->di, di, PATHN, hold, PATHN, err);
  if (!rc) {
    char d[PATHN];
    snprintf(d, sizeof d, "%s", o->out);
    const char *dir = dirname(d);
    if (is_dir(o->out)) rc = sw_fail(err, SW_EOUTPUT, "%s: is a folder (--out names the model file)", o->out);
    else if (!is_dir(dir)) rc = sw_fail(err, SW_EOUTPUT, "%s: folder %s does not exist", o->out, dir);
  }
  if (rc && o->teacher) sw_model_free(teacher);
  return rc;
}

static int make_dir(const char *p, sw_err *err) {
  if (mkdir(p, 0777) && errno != EEXIST) return sw_fail(err, SW_EOUTPUT, "%s: cannot create folder: %s", p, strerror(errno));
  if (!is_dir(p)) return sw_fail(err, SW_EOUTPUT, "%s: exists and is not a folder", p);
  return SW_OK;
}

/* "same": the teacher itself, or (container) its largest submodel written as a plain model. */
static int arch_same(const sw_model *t, const char *tpath, const char *work, char *out, sw_err *err) {
  if (!t->container) { snprintf(out, PATHN, "%s", tpath); return SW_OK; }
  if (snprintf(out, PATHN, "%s/teacher_arch.nam", work) >= PATHN) return sw_fail(err, SW_EUSAGE, "%s: path too long", work);
  if (is_file(out)) return SW_OK;
  sw_model m;
  int rc = sw_model_from_net(sw_model_pick(t, 1.0), &m, err);
  if (rc) return rc;
  rc = sw_model_save(&m, out, err);
  sw_model_free(&m);
  return rc;
}

static int step_dataset(const sw_distill_opts *o, const char *tpath, const char *di, const char *hold, const char *work,
                        sw_err *err) {
  char *argv[16 + 2 * SW_MAX_SETS];
  char data[PATHN + 16], log[PATHN + 16], secs[32], sets[SW_MAX_SETS][96], excl[PATHN];
  int k = 0;
  snprintf(data, sizeof data, "%s/data", work);
  snprintf(log, sizeof log, "%s/dataset.log", work);
  argv[k++] = (char *)sw_self_exe();
  argv[k++] = "dataset";
  argv[k++] = "build";
  if (o->teacher) { argv[k++] = "--nam"; argv[k++] = (char *)tpath; }
  else {
    argv[k++] = "--lv2";
    argv[k++] = (char *)o->lv2;
    for (int i = 0; i < o->nsets; i++) {
      snprintf(sets[i], sizeof sets[i], "%s=%.17g", o->sets[i].name, o->sets[i].value);
      argv[k++] = "--set";
      argv[k++] = sets[i];
    }
  }
  argv[k++] = "--out";
  argv[k++] = data;
  if (di[0]) {
    argv[k++] = "--di";
    argv[k++] = (char *)di;
    if (hold[0]) {
      char h[PATHN];
      snprintf(h, sizeof h, "%s", hold);
      snprintf(excl, sizeof excl, "%s", basename(h));
      argv[k++] = "--exclude";
      argv[k++] = excl;
    }
  }
  if (o->seconds > 0) {
    snprintf(secs, sizeof secs, "%.17g", o->seconds);
    argv[k++] = "--seconds";
    argv[k++] = secs;
  }
  argv[k] = NULL;
  note(o, "capture signal through the %s (%s)", o->teacher ? "teacher" : "plugin", log);
  if (sw_child_run(argv, log, err)) return sw_fail(err, SW_EFAIL, "the dataset build failed (%s)", err->msg);
  return SW_OK;
}

/* distill: work/train.json, the dataset's manifest with latency 0. The blip calibration keeps one
   sample of safety for hardware (latency -1 for an instant response), which would teach the student
   the teacher delayed by a sample; a .nam teacher is sample-aligned by construction. */
static int aligned_manifest(const char *work, char *out, sw_err *err) {
  char src[PATHN + 32], dir[PATHN + 16];
  snprintf(src, sizeof src, "%s/data/manifest.json", work);
  snprintf(dir, sizeof dir, "%s/data", work);
  snprintf(out, PATHN + 32, "%s/train.json", work);
  char *text;
  size_t n;
  int rc = sw_read_file(src, 1 << 22, &text, &n, err);
  if (rc) return rc;
  cJSON *j = cJSON_ParseWithLength(text, n);
  free(text);
  if (!cJSON_IsObject(j)) { cJSON_Delete(j); return sw_fail(err, SW_EINPUT, "%s: malformed JSON", src); }
  const char *keys[] = {"input", "output"};
  for (int i = 0; i < 2 && !rc; i++) {
    const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, keys[i]));
    if (!v) { rc = sw_fail(err, SW_EINPUT, "%s: no \"%s\"", src, keys[i]); break; }
    char p[2 * PATHN + 8], a[PATHN];
    if (v[0] == '/') snprintf(p, sizeof p, "%s", v);
    else snprintf(p, sizeof p, "%s/%s", dir, v);
    absolute(p, a, sizeof a);
    cJSON_ReplaceItemInObjectCaseSensitive(j, keys[i], cJSON_CreateString(a));
  }
  if (!rc) cJSON_ReplaceItemInObjectCaseSensitive(j, "latency", cJSON_CreateNumber(0));
  char *t = rc ? NULL : cJSON_Print(j);
  cJSON_Delete(j);
  if (rc) return rc;
  if (!t) return sw_fail(err, SW_ENOMEM, "out of memory");
  rc = sw_write_file_atomic(out, t, strlen(t), err);
  free(t);
  return rc;
}

/* The training settings the child gets; the warm-start checkpoint must carry the same ones.
   Starting from the teacher is fine-tuning: the trainer's lr 0.004 pulled the full width of both
   standard teachers away from them (validation ESR 0.019 and 0.050 after one epoch), 0.001 kept
   it (0.0056 and 0.0046), so that is the default there. */
#define WARM_LR 0.001
static sw_train_cfg train_cfg(const sw_distill_opts *o, bool warm) {
  sw_train_cfg c = sw_train_defaults();
  c.epochs = o->epochs ? o->epochs : 100;
  if (o->ny > 0) c.ny = o->ny;
  if (o->batch > 0) c.batch = o->batch;
  if (o->lr > 0) c.lr = o->lr;
  else if (warm) c.lr = WARM_LR;
  snprintf(c.schedule, sizeof c.schedule, "%s", o->schedule ? o->schedule : "sandwich-distill:2");
  return c;
}

/* --arch same: a checkpoint at epoch 0 holding the teacher's weights, so training starts from the
   teacher (full width already matches it) and spends its budget on the narrower widths. */
static int warm_start(const sw_distill_opts *o, const sw_net *tn, const char *arch, const char *data, const char *work,
                      sw_err *err) {
  char ckpt[PATHN + 32];
  snprintf(ckpt, sizeof ckpt, "%s/student.ckpt", work);
  sw_net net;
  sw_dataset d;
  sw_trainer *tr = NULL;
  int rc = sw_arch_load(arch, &net, err);
  if (rc) return rc;
  if ((rc = sw_dataset_load(data, &d, err))) { sw_net_free(&net); return rc; }
  sw_train_cfg c = train_cfg(o, true);
  c.ckpt_path = ckpt;
  c.arch_name = arch;
  char why[128];
  c.backend = sw_backend_default(why, sizeof why);
  if (net.nw != tn->nw) rc = sw_fail(err, SW_EFAIL, "%s: %ld weights, the teacher %ld: cannot start from the teacher", arch, net.nw, tn->nw);
  if (!rc) rc = sw_trainer_create(&c, &net, &d, &tr, err);
  if (!rc) {
    memcpy(net.w, tn->w, sizeof(float) * (size_t)net.nw);
    rc = sw_trainer_checkpoint(tr, err);
  }
  sw_trainer_free(tr);
  sw_dataset_free(&d);
  sw_net_free(&net);
  return rc;
}

static int step_train(const sw_distill_opts *o, const sw_net *warm, const char *arch, const char *data, const char *work,
                      sw_distill_result *res, sw_err *err) {
  char *argv[64];
  char student[PATHN + 32], ckpt[PATHN + 32], csv[PATHN + 32], tfile[PATHN + 32], ep[32], thr[32];
  snprintf(student, sizeof student, "%s/student.nam", work);
  snprintf(ckpt, sizeof ckpt, "%s/student.ckpt", work);
  snprintf(csv, sizeof csv, "%s/student.csv", work);
  snprintf(tfile, sizeof tfile, "%s/train_seconds", work);
  int epochs = o->epochs ? o->epochs : 100;
  int done = csv_epochs(csv);
  res->train_s = read_seconds(tfile);
  char mark[PATHN + 32];
  snprintf(mark, sizeof mark, "%s/warm_start", work);
  res->lr = train_cfg(o, is_file(mark)).lr;
  if (done >= epochs && is_file(student)) {
    note(o, "training: %d epochs done already (%s)", done, student);
    res->epochs_done = done;
    return SW_OK;
  }
  bool resuming = is_file(ckpt);
  if (!resuming) remove(mark); /* a fresh start: the marker tells how this checkpoint began */
  if (warm && !resuming) {
    /* marker first: a crash between the two leaves a marker without a checkpoint, redone next run */
    int rc = sw_write_file_atomic(mark, "teacher weights\n", 16, err);
    if (rc || (rc = warm_start(o, warm, arch, data, work, err))) return rc;
    note(o, "the student starts from the teacher's weights (%s)", ckpt);
  }
  snprintf(ep, sizeof ep, "%d", epochs);
  sw_train_cfg c = train_cfg(o, is_file(mark)); /* the checkpoint's start decides, not this run's options */
  res->lr = c.lr;
  char ny[32], batch[32], lr[48];
  snprintf(ny, sizeof ny, "%d", c.ny);
  snprintf(batch, sizeof batch, "%d", c.batch);
  snprintf(lr, sizeof lr, "%.17g", c.lr);
  int k = 0;
  argv[k++] = (char *)sw_self_exe();
  argv[k++] = "train";
  argv[k++] = "--data"; argv[k++] = (char *)data;
  argv[k++] = "--arch"; argv[k++] = (char *)arch;
  argv[k++] = "--out"; argv[k++] = student;
  argv[k++] = "--schedule"; argv[k++] = (char *)(o->schedule ? o->schedule : "sandwich-distill:2");
  argv[k++] = "--epochs"; argv[k++] = ep;
  argv[k++] = "--ny"; argv[k++] = ny;
  argv[k++] = "--batch"; argv[k++] = batch;
  argv[k++] = "--lr"; argv[k++] = lr;
  /* the epoch best for every width among those whose full width meets the target: starting from
     the teacher, epoch 1 has the best full width and still untrained narrow widths */
  char best[48];
  snprintf(best, sizeof best, "mean:%g", SW_DISTILL_TARGET_ESR);
  argv[k++] = "--best-by"; argv[k++] = best;
  if (o->threads > 0) { snprintf(thr, sizeof thr, "%d", o->threads); argv[k++] = "--threads"; argv[k++] = thr; }
  if (is_file(ckpt)) { argv[k++] = "--resume"; argv[k++] = ckpt; }
  argv[k] = NULL;
  note(o, "training %s, %s, %d epochs%s (%s)", arch, c.schedule, epochs, resuming ? ", continuing from the checkpoint" : "", csv);
  double t0 = now_s();
  /* Ctrl-C reaches the trainer too: it checkpoints and exits; this process waits for that */
  void (*old_int)(int) = signal(SIGINT, SIG_IGN), (*old_term)(int) = signal(SIGTERM, SIG_IGN);
  int code = sw_child_run(argv, NULL, err);
  signal(SIGINT, old_int);
  signal(SIGTERM, old_term);
  res->train_s += now_s() - t0;
  char s[64];
  int n = snprintf(s, sizeof s, "%.3f\n", res->train_s);
  sw_err e2;
  sw_write_file_atomic(tfile, s, (size_t)n, &e2); /* losing the timing must not lose the run */
  res->epochs_done = csv_epochs(csv);
  if (code) return sw_fail(err, SW_EFAIL, "training stopped (%s); run the same command again to continue from %s", err->msg, ckpt);
  if (!is_file(student)) return sw_fail(err, SW_EFAIL, "%s: training wrote no model", student);
  return SW_OK;
}

int sw_distill_run(const sw_distill_opts *o, sw_distill_result *res, sw_err *err) {
  memset(res, 0, sizeof *res);
  sw_model teacher = {0}, student = {0};
  char tpath[PATHN] = "", di[PATHN], hold[PATHN], work[PATHN], arch[PATHN], path[PATHN + 64];
  int rc = check_inputs(o, &teacher, tpath, di, hold, err);
  if (rc) return rc;
  if (o->work) snprintf(work, sizeof work, "%s", o->work);
  else {
    size_t n = strlen(o->out);
    if (n > 4 && !strcmp(o->out + n - 4, ".nam")) n -= 4;
    snprintf(work, sizeof work, "%.*s.work", (int)n, o->out);
  }
  float *x = NULL;
  long nx = 0;
  sw_dataset d = {0};
  bool have_d = false;
  if ((rc = make_dir(work, err))) goto done;
  /* the default student: the teacher's own architecture when it is a WaveNet, else the standard one */
  bool same = o->teacher && sw_model_pick(&teacher, 1.0)->arch == SW_ARCH_WAVENET;
  if (!o->arch || !strcmp(o->arch, "same")) {
    if (same) rc = arch_same(&teacher, tpath, work, arch, err);
    else snprintf(arch, sizeof arch, "standard");
    if (o->teacher && !same)
      note(o, "the teacher's architecture is %s: the student is the standard WaveNet (--arch to choose another)",
           sw_arch_name(sw_model_pick(&teacher, 1.0)->arch));
  } else {
    snprintf(arch, sizeof arch, "%s", o->arch);
  }
  if (rc || (rc = step_dataset(o, tpath, di, hold, work, err))) goto done;
  const sw_net *warm = NULL;
  if (same && !o->from_scratch && (!o->arch || !strcmp(o->arch, "same"))) warm = sw_model_pick(&teacher, 1.0);
  snprintf(path, sizeof path, "%s/warm_start", work);
  char manifest[PATHN + 32];
  if (o->teacher) rc = aligned_manifest(work, manifest, err);
  else snprintf(manifest, sizeof manifest, "%s/data/manifest.json", work);
  if (rc || (rc = step_train(o, warm, arch, manifest, work, res, err))) goto done;
  res->warm = is_file(path); /* the truth of the checkpoint, whatever this run asked */
  snprintf(path, sizeof path, "%s/student.nam", work);
  if ((rc = sw_model_load(path, &student, err))) goto done;
  /* the dataset's latency: the student learnt the device's output shifted by it */
  if ((rc = sw_dataset_load(manifest, &d, err))) goto done;
  have_d = true;
  if ((rc = sw_distill_holdout(hold[0] ? hold : NULL, work, &x, &nx, res->holdout, sizeof res->holdout, err))) goto done;
  note(o, "evaluating every width on %s and timing it", res->holdout);
  sw_stage dev = {0};
  if (o->teacher) { dev.kind = SW_DEV_NAM; snprintf(dev.model, sizeof dev.model, "%s", tpath); }
  else {
    dev.kind = SW_DEV_LV2;
    snprintf(dev.uri, sizeof dev.uri, "%s", o->lv2);
    memcpy(dev.sets, o->sets, sizeof dev.sets);
    dev.nsets = o->nsets;
  }
  if (d.target_gain_db != 0)
    note(o, "the %s's output went above full scale: the target is it scaled by %.2f dB (target_gain_db in %s's metadata)",
         o->teacher ? "teacher" : "plugin", d.target_gain_db, o->out);
  if ((rc = sw_distill_measure(&student.sub[0], &dev, d.latency, d.target_gain_db, x, nx, res, err))) goto done;
  if (o->teacher) { /* what the musician had: the teacher's own cost */
    const sw_net *tn = sw_model_pick(&teacher, 1.0);
    sw_widths tw = sw_net_full_widths(tn);
    res->teacher.w = tw;
    res->teacher.macs = sw_net_macs(tn, &tw);
    res->teacher.esr = 0;
    if ((rc = sw_distill_time(tn, &tw, x, nx, &res->teacher, err))) goto done;
    res->have_teacher_row = true;
  }
  /* the student beside the report; the work folder keeps the training files */
  if ((rc = sw_model_save(&student, o->out, err))) goto done;
  char what[1200], csv[PATHN + 32];
  if (o->teacher) snprintf(what, sizeof what, "teacher %s", tpath);
  else {
    int m = snprintf(what, sizeof what, "LV2 plugin %s", o->lv2);
    for (int i = 0; i < o->nsets && m > 0 && (size_t)m < sizeof what; i++)
      m += snprintf(what + m, sizeof what - (size_t)m, " %s=%g", o->sets[i].name, o->sets[i].value);
  }
  snprintf(csv, sizeof csv, "%s/student.csv", work);
  sw_distill_info info = {.what = what, .arch = arch, .schedule = o->schedule ? o->schedule : "sandwich-distill:2",
                          .signal = di[0] ? di : "fluidsynth guitar (no --di)", .work = work, .train_csv = csv,
                          .seconds = (double)d.n / d.rate, .threads = o->threads, .latency = d.latency,
                          .target_gain_db = d.target_gain_db};
  rc = sw_distill_report(o, &info, res, err);
done:
  free(x);
  if (have_d) sw_dataset_free(&d);
  if (student.sub) sw_model_free(&student);
  if (o->teacher) sw_model_free(&teacher);
  return rc;
}
