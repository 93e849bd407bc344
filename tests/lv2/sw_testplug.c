/* A test device for the LV2 host: y[t] = gain * x[t - delay], with the delay reported on the
   latency port or not (report = 1/0), so tests know the exact answer. */
#include <lv2/core/lv2.h>
#include <stdlib.h>
#include <string.h>

#define MAXD 64

typedef struct {
  const float *in, *gain, *delay, *report;
  float *out, *latency;
  float hist[MAXD];
} plug;

static LV2_Handle instantiate(const LV2_Descriptor *d, double rate, const char *path, const LV2_Feature *const *f) {
  return calloc(1, sizeof(plug));
}

static void connect_port(LV2_Handle h, uint32_t port, void *data) {
  plug *p = h;
  switch (port) {
  case 0: p->in = data; break;
  case 1: p->out = data; break;
  case 2: p->gain = data; break;
  case 3: p->delay = data; break;
  case 4: p->report = data; break;
  case 5: p->latency = data; break;
  }
}

static void activate(LV2_Handle h) { memset(((plug *)h)->hist, 0, sizeof ((plug *)h)->hist); }

static void run(LV2_Handle h, uint32_t n) {
  plug *p = h;
  int d = (int)*p->delay;
  if (d < 0) d = 0;
  if (d > MAXD) d = MAXD;
  for (uint32_t i = 0; i < n; i++) {
    float x = p->in[i], y = d ? p->hist[MAXD - d] : x;
    memmove(p->hist, p->hist + 1, sizeof(float) * (MAXD - 1));
    p->hist[MAXD - 1] = x;
    p->out[i] = *p->gain * y;
  }
  if (p->latency) *p->latency = *p->report > 0.5f ? (float)d : 0.0f;
}

static void cleanup(LV2_Handle h) { free(h); }

static const LV2_Descriptor desc = {"urn:slimwave:test-gain-delay", instantiate, connect_port, activate, run, NULL, cleanup, NULL};

LV2_SYMBOL_EXPORT const LV2_Descriptor *lv2_descriptor(uint32_t i) { return i == 0 ? &desc : NULL; }
