/* The capture signal: NAM's v3 layout (SPEC section 5) with our own content. Validation segment,
   silence, two blips, sine sweeps, stepped noise, general material (real DI guitar or fluidsynth
   riffs), silence, the validation segment again (bit-identical). */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "datasets.h"

#define VAL_S 9.0

int sw_layout5_make(long n, int rate, sw_layout5 *l, sw_err *err) {
  memset(l, 0, sizeof *l);
  double R = rate;
  if (rate <= 0 || n < (long)((SW_SIG_MIN_SECONDS - 0.1) * R)) /* 0.1 s: resampling may shorten */
    return sw_fail(err, SW_EINPUT, "%.2f s is shorter than the shortest capture signal (%.0f s)", rate > 0 ? n / R : 0.0, SW_SIG_MIN_SECONDS);
  l->rate = rate, l->n = n;
  l->val1_start = 0, l->val1_end = (long)(VAL_S * R);
  l->blip1 = (long)(10.5 * R), l->blip2 = (long)(11.5 * R);
  l->quiet_start = (long)(10.0 * R), l->quiet_end = (long)(10.4 * R);
  l->sweep_start = (long)(12.0 * R), l->noise_start = (long)(15.0 * R), l->general_start = (long)(17.0 * R);
  l->val2_start = n - (long)(VAL_S * R), l->val2_end = n;
  l->general_end = l->val2_start - (long)(0.5 * R);
  l->train_start = (long)(10.0 * R), l->train_end = l->val2_start;
  return SW_OK;
}

static void fade(float *x, long n, long k) {
  if (k > n / 2) k = n / 2;
  for (long i = 0; i < k; i++) {
    float g = (float)(0.5 - 0.5 * cos(M_PI * (i + 0.5) / k));
    x[i] *= g, x[n - 1 - i] *= g;
  }
}

static float peak(const float *x, long n) {
  float p = 0;
  for (long i = 0; i < n; i++) p = fabsf(x[i]) > p ? fabsf(x[i]) : p;
  return p;
}

static void scale_to(float *x, long n, float target) {
  float p = peak(x, n);
  if (p > 0) for (long i = 0; i < n; i++) x[i] *= target / p;
}

/* ---- DI files ---- */

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int excluded(const char *path, const char *excl) {
  if (!excl) return 0;
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  size_t bl = strlen(base);
  for (const char *p = excl; *p;) {
    size_t k = strcspn(p, ",");
    if (k == bl && !strncmp(p, base, k)) return 1;
    p += k + (p[k] == ',');
  }
  return 0;
}

static int audio_ext(const char *name) {
  const char *d = strrchr(name, '.');
  return d && (!strcasecmp(d, ".wav") || !strcasecmp(d, ".flac") || !strcasecmp(d, ".aif") || !strcasecmp(d, ".aiff"));
}

static int push(sw_dilist *l, const char *path) {
  char **p = realloc(l->p, sizeof *p * (size_t)(l->n + 1));
  if (!p) return -1;
  l->p = p;
  if (!(l->p[l->n] = strdup(path))) return -1;
  l->n++;
  return 0;
}

void sw_dilist_free(sw_dilist *l) {
  for (int i = 0; i < l->n; i++) free(l->p[i]);
  free(l->p);
}

int sw_di_collect(const char *spec, const char *excl, sw_dilist *l, sw_err *err) {
  char item[4096];
  for (const char *p = spec; *p;) {
    size_t k = strcspn(p, ",");
    snprintf(item, sizeof item, "%.*s", (int)k, p);
    p += k + (p[k] == ',');
    if (!item[0]) continue;
    struct stat st;
    if (stat(item, &st)) return sw_fail(err, SW_EINPUT, "%s: DI file or folder not found", item);
    if (S_ISDIR(st.st_mode)) {
      DIR *d = opendir(item);
      if (!d) return sw_fail(err, SW_EINPUT, "%s: cannot list the folder", item);
      sw_dilist sub = {0};
      struct dirent *e;
      int bad = 0;
      char full[8300];
      while ((e = readdir(d)))
        if (e->d_name[0] != '.' && audio_ext(e->d_name)) {
          snprintf(full, sizeof full, "%s/%s", item, e->d_name);
          if (!excluded(full, excl)) bad |= push(&sub, full);
        }
      closedir(d);
      if (sub.n) qsort(sub.p, (size_t)sub.n, sizeof *sub.p, cmp_str);
      for (int i = 0; i < sub.n && !bad; i++) bad |= push(l, sub.p[i]);
      sw_dilist_free(&sub);
      if (bad) return sw_fail(err, SW_ENOMEM, "out of memory");
    } else if (!excluded(item, excl) && push(l, item)) {
      return sw_fail(err, SW_ENOMEM, "out of memory");
    }
  }
  if (!l->n) return sw_fail(err, SW_EINPUT, "%s: no DI audio files (.wav, .flac, .aif) found", spec);
  return SW_OK;
}

/* Validation from the first 9 s of the first file; general material from the rest of it and the
   other files in turn, cycled at gains 1, 0.5, 1.4, 0.25 (capped at peak 0.9) until full. */
static int di_material(const sw_signal_opts *o, int rate, float *val, long nval, float *gen, long ngen, char *desc,
                       size_t dlen, sw_err *err) {
  sw_dilist l = {0};
  int rc = sw_di_collect(o->di, o->di_exclude, &l, err);
  sw_wav *w = calloc((size_t)(l.n ? l.n : 1), sizeof *w);
  if (!rc && !w) rc = sw_fail(err, SW_ENOMEM, "out of memory");
  double total = 0;
  for (int i = 0; !rc && i < l.n; i++) {
    if ((rc = sw_wav_read(l.p[i], &w[i], err))) break;
    if (w[i].rate != rate) {
      if (!o->resample) { rc = sw_fail(err, SW_EINPUT, "%s: sample rate %d Hz, the signal is %d Hz (use --resample)", l.p[i], w[i].rate, rate); break; }
      if ((rc = sw_wav_resample(&w[i], rate, l.p[i], err))) break;
    }
    total += w[i].n;
  }
  if (!rc && w[0].n < nval + rate) rc = sw_fail(err, SW_EINPUT, "%s: needs at least %.0f s for the validation segment", l.p[0], VAL_S + 1);
  if (!rc) {
    memcpy(val, w[0].x, sizeof(float) * (size_t)nval);
    fade(val, nval, rate / 200);
    static const float gains[] = {1.0f, 0.5f, 1.4f, 0.25f};
    long pos = 0;
    for (int cycle = 0; pos < ngen; cycle++) {
      for (int i = 0; i < l.n && pos < ngen; i++) {
        long from = i == 0 ? nval : 0, k = w[i].n - from;
        if (k > ngen - pos) k = ngen - pos;
        if (k <= 0) continue;
        float g = gains[cycle % 4], p = peak(w[i].x + from, k);
        if (p * g > 0.9f) g = 0.9f / p;
        for (long j = 0; j < k; j++) gen[pos + j] = g * w[i].x[from + j];
        fade(gen + pos, k, rate / 200);
        pos += k;
      }
    }
    int m = snprintf(desc, dlen, "real DI guitar: %d files (%.1f s) cycled at gains 1, 0.5, 1.4, 0.25:", l.n, total / rate);
    for (int i = 0; i < l.n && m > 0 && (size_t)m < dlen; i++) {
      const char *b = strrchr(l.p[i], '/');
      m += snprintf(desc + m, dlen - (size_t)m, " %s", b ? b + 1 : l.p[i]);
    }
  }
  for (int i = 0; w && i < l.n; i++) sw_wav_free(&w[i]);
  free(w);
  sw_dilist_free(&l);
  return rc;
}

/* ---- synthetic parts ---- */
static uint64_t noise_state;
static double unoise(void) {
  noise_state ^= noise_state >> 12, noise_state ^= noise_state << 25, noise_state ^= noise_state >> 27;
  return ((noise_state * 2685821657736338717ULL) >> 11) * (1.0 / 9007199254740992.0);
}

static void sweeps(float *x, int rate) {
  double f0 = 20.0, f1 = fmin(20000.0, 0.45 * rate), T = 1.4;
  long n = (long)(T * rate);
  static const float amp[2] = {0.25f, 0.6f};
  for (int s = 0; s < 2; s++) {
    float *y = x + (long)(s * 1.5 * rate);
    double k = log(f1 / f0);
    for (long i = 0; i < n; i++) {
      double t = (double)i / rate;
      y[i] = (float)(amp[s] * sin(2 * M_PI * f0 * T / k * (exp(t / T * k) - 1)));
    }
    fade(y, n, rate / 50);
  }
}

static void noise(float *x, int rate) {
  static const double dbfs[4] = {-40, -30, -22, -16};
  long n = rate / 2;
  noise_state = 0x5EED0123456789ULL;
  for (int s = 0; s < 4; s++) {
    double rms = pow(10, dbfs[s] / 20);
    float *y = x + s * n;
    for (long i = 0; i < n; i++) {
      double g = (unoise() + unoise() + unoise() + unoise() - 2.0) * sqrt(3.0); /* ~N(0,1) */
      double v = rms * g;
      y[i] = (float)(v > 0.9 ? 0.9 : v < -0.9 ? -0.9 : v);
    }
    fade(y, n, rate / 200);
  }
}

int sw_signal_make(const sw_signal_opts *o, float **out, long *nout, char *desc, size_t dlen, sw_err *err) {
  *out = NULL, *nout = 0;
  int rate = o->rate ? o->rate : 48000;
  double secs = o->seconds > 0 ? o->seconds : SW_SIG_SECONDS;
  if (rate < 8000 || rate > 192000) return sw_fail(err, SW_EUSAGE, "sample rate %d Hz out of range 8000..192000", rate);
  if (secs < SW_SIG_MIN_SECONDS || secs > 3600) return sw_fail(err, SW_EUSAGE, "signal length %g s out of range %.0f..3600", secs, SW_SIG_MIN_SECONDS);
  long n = (long)llround(secs * rate);
  sw_layout5 l;
  int rc = sw_layout5_make(n, rate, &l, err);
  if (rc) return rc;
  float *x = calloc((size_t)n, sizeof(float));
  if (!x) return sw_fail(err, SW_ENOMEM, "out of memory for a %g s signal", secs);
  long nval = l.val1_end, ngen = l.general_end - l.general_start;
  if (o->di) {
    rc = di_material(o, rate, x, nval, x + l.general_start, ngen, desc, dlen, err);
  } else {
    uint64_t seed = o->seed ? o->seed : 1;
    float *g = NULL, *v = NULL;
    long gn, vn;
    rc = sw_synth_guitar((double)ngen / rate, rate, seed, &g, &gn, err);
    if (!rc) rc = sw_synth_guitar((double)nval / rate, rate, seed + 1000003, &v, &vn, err);
    if (!rc && (peak(g, gn) <= 0 || peak(v, vn) <= 0)) rc = sw_fail(err, SW_EFAIL, "fluidsynth rendered silence");
    if (!rc) {
      scale_to(g, gn, 0.5f), scale_to(v, vn, 0.5f);
      fade(g, gn, rate / 200), fade(v, vn, rate / 200);
      memcpy(x, v, sizeof(float) * (size_t)nval);
      memcpy(x + l.general_start, g, sizeof(float) * (size_t)ngen);
      snprintf(desc, dlen, "fluidsynth riffs (seed %llu, %s, GM programs 27 clean, 26 jazz, 28 muted), peak 0.5",
               (unsigned long long)seed, sw_synth_soundfont());
    }
    free(g), free(v);
  }
  if (rc) { free(x); return rc; }
  x[l.blip1] = 0.5f, x[l.blip2] = 0.5f;
  sweeps(x + l.sweep_start, rate);
  noise(x + l.noise_start, rate);
  memcpy(x + l.val2_start, x, sizeof(float) * (size_t)nval);
  *out = x, *nout = n;
  return SW_OK;
}
