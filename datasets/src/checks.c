/* Latency calibration from the blips and the data checks of SPEC section 5. Each check says in
   one line what it measured; a failed check can be overridden by name, and the override is
   reported as such. */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "datasets.h"

#define LOOKAHEAD 1000   /* samples scanned before each blip (a negative delay is possible) */
#define LOOKBACK 10000   /* samples scanned after */

int sw_calibrate(const float *y, long ny, const sw_layout5 *l, sw_calib *c, sw_err *err) {
  memset(c, 0, sizeof *c);
  if (ny < l->blip2 + LOOKBACK) return sw_fail(err, SW_EINPUT, "output too short for the blips (%ld samples)", ny);
  double bg = 0;
  for (long i = l->quiet_start; i < l->quiet_end; i++) bg = fmax(bg, fabs(y[i]));
  double thr = fmax(bg + 3e-4, 1.001 * bg);
  c->background = bg, c->threshold = thr;
  for (long k = 0; k < LOOKAHEAD + LOOKBACK; k++) {
    long j = k - LOOKAHEAD;
    double a = 0.5 * ((double)y[l->blip1 + j] + (double)y[l->blip2 + j]);
    if (fabs(a) > thr) {
      c->found = 1, c->delay = j, c->latency = j - 1;
      return SW_OK;
    }
  }
  return SW_OK;
}

double sw_esr(const float *a, const float *b, long n) {
  double num = 0, den = 0;
  for (long i = 0; i < n; i++) {
    double d = (double)a[i] - b[i];
    num += d * d, den += (double)b[i] * b[i];
  }
  return den > 0 ? num / den : (num > 0 ? INFINITY : 0.0);
}

const char *sw_check_state_str(int s) {
  return s == 0 ? "ok" : s == 1 ? "FAILED" : s == 2 ? "FAILED (overridden)" : "not applicable";
}

static int overridden(const char *ov, const char *name) {
  if (!ov) return 0;
  size_t nl = strlen(name);
  for (const char *p = ov; *p;) {
    size_t k = strcspn(p, ",");
    if ((k == 3 && !strncmp(p, "all", 3)) || (k == nl && !strncmp(p, name, k))) return 1;
    p += k + (p[k] == ',');
  }
  return 0;
}

static const char *names[SW_CK_N] = {"rate", "length", "clipping", "latency", "validation-repeat"};

static int valid_override(const char *ov, sw_err *err) {
  if (!ov) return SW_OK;
  for (const char *p = ov; *p;) {
    size_t k = strcspn(p, ",");
    int ok = k == 3 && !strncmp(p, "all", 3);
    for (int i = 0; i < SW_CK_N && !ok; i++) ok = strlen(names[i]) == k && !strncmp(p, names[i], k);
    if (!ok) return sw_fail(err, SW_EUSAGE, "override: unknown check \"%.*s\" (rate, length, clipping, latency, validation-repeat, all)", (int)k, p);
    p += k + (p[k] == ',');
  }
  return SW_OK;
}

static void set(sw_check_report *r, int i, int ok, const char *ov, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void set(sw_check_report *r, int i, int ok, const char *ov, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(r->c[i].msg, sizeof r->c[i].msg, fmt, ap);
  va_end(ap);
  r->c[i].state = ok ? 0 : overridden(ov, names[i]) ? 2 : 1;
  if (r->c[i].state == 1) r->failed++;
}

int sw_checks_run(const char *xp, const sw_wav *x, const char *yp, const sw_wav *y, const sw_layout5 *l,
                  const char *ov, sw_check_report *r, sw_err *err) {
  memset(r, 0, sizeof *r);
  int rc = valid_override(ov, err);
  if (rc) return rc;
  for (int i = 0; i < SW_CK_N; i++) r->c[i].name = names[i], r->c[i].state = 3;

  if (x->rate == y->rate) set(r, SW_CK_RATE, 1, ov, "both %d Hz", x->rate);
  else set(r, SW_CK_RATE, 0, ov, "%s is %d Hz but %s is %d Hz (resample with --resample)", xp, x->rate, yp, y->rate);

  long d = x->n - y->n;
  int len_ok = labs(d) <= x->rate;
  set(r, SW_CK_LENGTH, len_ok, ov, "input %.3f s, output %.3f s: they differ by %ld samples (%s 1 s)", (double)x->n / x->rate,
      (double)y->n / y->rate, labs(d), len_ok ? "within" : "more than");

  double pk = 0;
  long at = 0, nclip = 0;
  for (long i = 0; i < y->n; i++) {
    double a = fabs(y->x[i]);
    if (a > pk) pk = a, at = i;
    nclip += a >= y->full;
  }
  if (nclip) set(r, SW_CK_CLIP, 0, ov, "%s clips: %ld samples at full scale (peak %.4f at %.3f s); lower the output level", yp, nclip, pk, (double)at / y->rate);
  else set(r, SW_CK_CLIP, 1, ov, "%s peak %.4f (%.2f dBFS) at %.3f s, below full scale", yp, pk, 20 * log10(pk > 0 ? pk : 1e-30), (double)at / y->rate);

  if (!l) return SW_OK; /* a custom layout: no blips, no repeated validation segment */
  if ((rc = sw_calibrate(y->x, y->n, l, &r->calib, err))) {
    set(r, SW_CK_LATENCY, 0, ov, "%s: %s", yp, err->msg);
    return SW_OK;
  }
  const sw_calib *c = &r->calib;
  if (!c->found) set(r, SW_CK_LATENCY, 0, ov, "%s: no response to the blips at %.1f and %.1f s above the background %.2g (is this the capture signal's output?)",
                     yp, (double)l->blip1 / l->rate, (double)l->blip2 / l->rate, c->background);
  else set(r, SW_CK_LATENCY, 1, ov, "blip response starts %ld samples after the blips (background %.2g, threshold %.2g); latency %ld with one sample of safety",
           c->delay, c->background, c->threshold, c->latency);

  /* The two validation segments of the aligned output must match. */
  /* Compare where both shifted segments lie inside the output (the shift may push an edge out). */
  long lat = c->found ? c->latency : 0, len = l->val1_end - l->val1_start;
  long a0 = l->val1_start + lat, b0 = l->val2_start + lat, skip = a0 < 0 ? -a0 : 0;
  if (b0 + len > y->n) len = y->n - b0;
  len -= skip, a0 += skip, b0 += skip;
  if (len < l->rate) {
    set(r, SW_CK_REPEAT, 0, ov, "%s: the second validation segment is missing (output ends at %.3f s)", yp, (double)y->n / y->rate);
    return SW_OK;
  }
  double esr = sw_esr(y->x + a0, y->x + b0, len);
  r->repeat_esr = esr;
  set(r, SW_CK_REPEAT, esr <= 0.01, ov, esr <= 0.01 ? "the two validation segments of the output agree: ESR %.3g <= 0.01"
                                                  : "the two validation segments of the output differ: ESR %.3g > 0.01 (a time-varying device, noise or drift?)", esr);
  return SW_OK;
}
