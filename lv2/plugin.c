/* slimwave.lv2, the audio path: ports, instantiation and run(). run() never allocates, locks or
   calls the kernel: every width of the model was prepared when it was loaded (runner.h), so the
   slim knob only picks another instance. A change of width or model warms the new instance up
   on the live input for its receptive field (its output unused, so its history is the true one),
   then crossfades, both computed meanwhile; denormals are flushed and non-finite input samples
   are replaced by 0 (and counted) before they reach a model's history. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "plugin.h"
#include "ports.h"

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
typedef unsigned fpmode;
static fpmode flush_denormals(void) { fpmode m = _mm_getcsr(); _mm_setcsr(m | 0x8040); return m; } /* FTZ | DAZ */
static void restore_fp(fpmode m) { _mm_setcsr(m); }
#elif defined(__aarch64__)
typedef unsigned long fpmode;
static fpmode flush_denormals(void) {
  fpmode m;
  __asm__ volatile("mrs %0, fpcr" : "=r"(m));
  __asm__ volatile("msr fpcr, %0" ::"r"(m | (1UL << 24))); /* FZ */
  return m;
}
static void restore_fp(fpmode m) { __asm__ volatile("msr fpcr, %0" ::"r"(m)); }
#else
typedef int fpmode;
static fpmode flush_denormals(void) { return 0; }
static void restore_fp(fpmode m) { (void)m; }
#endif

#define FADE_S 0.02  /* crossfade between widths or models */
#define RAMP_S 0.01  /* gains and bypass glide to a new value */

static void ramp_to(sw_ramp *r, float target, int len, bool snap) {
  if (snap) { *r = (sw_ramp){.v = target, .target = target}; return; }
  if (target == r->target) return;
  r->target = target;
  r->left = len;
  r->inc = (target - r->v) / (float)len;
}

/* Fills out[0..k) with the ramp's values; the last step lands exactly on the target. */
static void ramp_fill(sw_ramp *r, float *out, int k) {
  for (int i = 0; i < k; i++) {
    if (r->left > 0) r->v = --r->left ? r->v + r->inc : r->target;
    out[i] = r->v;
  }
}

static float clampf(float v, float lo, float hi, float def) { return !(v == v) ? def : v < lo ? lo : v > hi ? hi : v; }

static bool same_src(sw_src a, sw_src b) { return a.r == b.r && (!a.r || a.step == b.step); }

/* One source over k samples into y: the dry input, or a width of a model on the gained input
   times the output gain (a non-finite model output, from a hostile file, becomes 0). */
static void render(sw_plug *p, sw_src s, int off, float *y, int k) {
  if (!s.r) { memcpy(y, p->x + off, sizeof(float) * (size_t)k); return; }
  sw_plug_model_process(s.r, s.step, p->xg + off, y, k);
  for (int i = 0; i < k; i++) y[i] = isfinite(y[i]) ? y[i] * p->go[off + i] : 0.0f;
}

static void start_move(sw_plug *p, sw_src to) {
  p->next = to;
  p->moving = true;
  p->fade_pos = 0;
  p->warm_left = to.r ? sw_plug_model_receptive_field(to.r, to.step) - 1 : 0;
}

static void finish_move(sw_plug *p) {
  sw_src old = p->cur;
  p->cur = p->next;
  p->moving = false;
  if (old.r && old.r != p->cur.r && old.r != p->newest) sw_plug_retire(p, old.r);
}

void sw_plug_install(sw_plug *p, sw_plug_model *r) {
  sw_plug_model *prev = p->newest;
  p->newest = r;
  p->announce = true;
  sw_plug_set_saved(p, r ? sw_plug_model_path(r) : "");
  if (prev && prev != p->cur.r && !(p->moving && prev == p->next.r)) sw_plug_retire(p, prev);
}

/* Not real-time (activate, restore, cleanup): every runner freed at once, nothing playing. */
void sw_plug_drop_all(sw_plug *p) {
  sw_plug_model *all[3 + SW_NDEAD] = {p->newest, p->cur.r, p->moving ? p->next.r : NULL};
  int n = 3;
  for (int i = 0; i < p->ndead; i++) all[n++] = p->dead[i];
  for (int i = 0; i < n; i++) {
    bool seen = false;
    for (int j = 0; j < i; j++) seen |= all[j] == all[i];
    if (!seen) sw_plug_model_free(all[i]);
  }
  p->newest = NULL;
  p->cur = p->next = (sw_src){0};
  p->moving = false;
  p->ndead = 0;
  sw_plug_set_saved(p, "");
}

static void process_chunk(sw_plug *p, const float *in, float *out, int k) {
  /* the input made safe, gains and bypass mix per sample */
  double bad = 0;
  ramp_fill(&p->gin, p->gi, k);
  ramp_fill(&p->gout, p->go, k);
  ramp_fill(&p->byp, p->bm, k);
  for (int i = 0; i < k; i++) {
    float v = in[i], g = v * p->gi[i];
    if (!isfinite(v) || !isfinite(g)) v = g = 0.0f, bad++;
    p->x[i] = v;
    p->xg[i] = g;
  }
  p->bad += bad;

  sw_src want = {0};
  if (p->newest) want = (sw_src){p->newest, sw_plug_model_step_for(p->newest, clampf(p->slim ? *p->slim : 1.0f, 0, 1, 1))};
  if (p->fresh) {
    p->cur = want; /* its instances are as loaded or reset: silence before the first sample */
    p->fresh = false;
  } else if (!p->moving && !same_src(want, p->cur)) {
    start_move(p, want);
  }

  float *wet = p->a;
  for (int i = 0; i < k;) {
    if (!p->moving) { render(p, p->cur, i, wet + i, k - i); break; }
    if (p->warm_left > 0) { /* the new source catches up on the live input; its output is not heard */
      int m = (int)(k - i < p->warm_left ? k - i : p->warm_left);
      render(p, p->cur, i, wet + i, m);
      render(p, p->next, i, p->b, m);
      p->warm_left -= m;
      i += m;
      continue;
    }
    int m = (int)(k - i < p->fade_len - p->fade_pos ? k - i : p->fade_len - p->fade_pos);
    render(p, p->cur, i, wet + i, m);
    render(p, p->next, i, p->b, m);
    for (int j = 0; j < m; j++) {
      float g = (float)(p->fade_pos + j + 1) / (float)p->fade_len;
      wet[i + j] += (p->b[j] - wet[i + j]) * g;
    }
    p->fade_pos += m;
    i += m;
    if (p->fade_pos == p->fade_len) finish_move(p);
  }
  for (int i = 0; i < k; i++) out[i] = p->bm[i] == 0.0f ? wet[i] : wet[i] + (p->x[i] - wet[i]) * p->bm[i];
}

static void run(LV2_Handle h, uint32_t n) {
  sw_plug *p = h;
  fpmode fp = flush_denormals();
  sw_plug_retry(p);
  sw_plug_read_control(p);
  sw_plug_write_notify(p);
  int ramp = (int)(RAMP_S * p->rate) + 1;
  float in_db = p->in_db ? clampf(*p->in_db, SW_LV2_IN_DB_MIN, SW_LV2_IN_DB_MAX, 0) : 0;
  float out_db = p->out_db ? clampf(*p->out_db, SW_LV2_OUT_DB_MIN, SW_LV2_OUT_DB_MAX, 0) : 0;
  ramp_to(&p->gin, powf(10.0f, in_db / 20.0f), ramp, p->snap);
  ramp_to(&p->gout, powf(10.0f, out_db / 20.0f), ramp, p->snap);
  ramp_to(&p->byp, p->bypass && *p->bypass > 0.5f ? 1.0f : 0.0f, ramp, p->snap);
  p->snap = false;
  for (uint32_t done = 0; done < n;) {
    int k = n - done < SW_CHUNK ? (int)(n - done) : SW_CHUNK;
    process_chunk(p, p->in + done, p->out + done, k);
    done += (uint32_t)k;
  }
  if (p->width) *p->width = p->cur.r ? (float)sw_plug_model_channels(p->cur.r, p->cur.step) : 0.0f;
  if (p->latency) *p->latency = 0.0f;
  if (p->nonfinite) *p->nonfinite = (float)p->bad;
  restore_fp(fp);
}

static void connect_port(LV2_Handle h, uint32_t port, void *data) {
  sw_plug *p = h;
  switch (port) {
  case SW_PORT_IN: p->in = data; break;
  case SW_PORT_OUT: p->out = data; break;
  case SW_PORT_SLIM: p->slim = data; break;
  case SW_PORT_INPUT_DB: p->in_db = data; break;
  case SW_PORT_OUTPUT_DB: p->out_db = data; break;
  case SW_PORT_BYPASS: p->bypass = data; break;
  case SW_PORT_WIDTH: p->width = data; break;
  case SW_PORT_LATENCY: p->latency = data; break;
  case SW_PORT_NONFINITE: p->nonfinite = data; break;
  case SW_PORT_CONTROL: p->control = data; break;
  case SW_PORT_NOTIFY: p->notify = data; break;
  }
}

/* SLIMWAVE_BACKEND or the best backend, but never a library backend: blas and onednn allocate or
   lock inside their calls on some CPUs (tests/test_rt_safety.c). */
static const sw_backend *rt_backend(char *why, size_t len) {
  const sw_backend *b = sw_backend_default(why, len);
  if (b && strcmp(b->name, "blas") && strcmp(b->name, "onednn")) return b;
  static const char *const order[] = {"avx512", "avx2", "neon", "naive"};
  for (size_t i = 0; i < sizeof order / sizeof *order; i++)
    if ((b = sw_backend_find(order[i])) && sw_backend_is_usable(b)) break;
  snprintf(why, len, "backend %s (SLIMWAVE_BACKEND's choice is not real-time safe)", b->name);
  return b;
}

static void cleanup(LV2_Handle h) {
  sw_plug *p = h;
  sw_plug_drop_all(p);
  free(p->x);
  free(p);
}

static LV2_Handle instantiate(const LV2_Descriptor *d, double rate, const char *bundle, const LV2_Feature *const *f) {
  sw_plug *p = calloc(1, sizeof *p);
  if (!p) return NULL;
  p->map = (LV2_URID_Map *)sw_plug_feature(f, LV2_URID__map);
  p->sched = (LV2_Worker_Schedule *)sw_plug_feature(f, LV2_WORKER__schedule);
  lv2_log_logger_init(&p->log, p->map, (LV2_Log_Log *)sw_plug_feature(f, LV2_LOG__log));
  p->rate = rate;
  p->fade_len = (long)(FADE_S * rate) + 1;
  p->snap = p->fresh = true;
  atomic_init(&p->seq, 0);
  char model[4200];
  struct stat st;
  snprintf(model, sizeof model, "%s%s%s", bundle ? bundle : "", bundle && bundle[0] && bundle[strlen(bundle) - 1] != '/' ? "/" : "",
           SW_LV2_BUILTIN_MODEL);
  p->builtin = bundle && !stat(model, &st);
  if (!p->builtin && (!p->map || !p->sched)) {
    lv2_log_error(&p->log, "slimwave: the host does not provide %s, which loading a model file needs\n",
                  p->map ? "work:schedule" : "urid:map");
    free(p);
    return NULL;
  }
  if (p->map) sw_plug_map_uris(p);
  char why[160];
  p->be = rt_backend(why, sizeof why);
  p->x = calloc(7 * SW_CHUNK, sizeof(float));
  if (!p->x) { free(p); return NULL; }
  float **bufs[] = {&p->xg, &p->gi, &p->go, &p->bm, &p->a, &p->b};
  for (int i = 0; i < 6; i++) *bufs[i] = p->x + (i + 1) * SW_CHUNK;
  if (p->builtin) {
    sw_plug_model *r;
    sw_err err;
    if (sw_plug_model_open(model, rate, SW_CHUNK, p->be, &r, &err)) {
      lv2_log_error(&p->log, "slimwave: %s; passing audio through\n", err.msg);
    } else {
      char desc[4600];
      sw_plug_model_describe(r, desc, sizeof desc);
      lv2_log_note(&p->log, "slimwave: %s\n", desc);
      sw_plug_install(p, r);
    }
  } else {
    lv2_log_note(&p->log, "slimwave: %s; no model yet (passing audio through)\n", why);
  }
  (void)d;
  return p;
}

static void activate(LV2_Handle h) {
  sw_plug *p = h;
  /* the newest model's instances back to silence; any other model goes (not the audio thread) */
  sw_plug_model *keep = p->newest;
  if (p->cur.r == keep) p->cur.r = NULL;
  if (p->moving && p->next.r == keep) p->next.r = NULL;
  p->newest = NULL;
  sw_plug_drop_all(p);
  p->newest = keep;
  if (keep) {
    sw_plug_model_reset(keep);
    sw_plug_set_saved(p, sw_plug_model_path(keep));
  }
  p->fresh = p->snap = p->announce = true;
  p->bad = 0;
}

static void deactivate(LV2_Handle h) { (void)h; }

const LV2_Descriptor sw_plug_descriptor_proto = {
  .URI = SW_LV2_URI,
  .instantiate = instantiate,
  .connect_port = connect_port,
  .activate = activate,
  .run = run,
  .deactivate = deactivate,
  .cleanup = cleanup,
  .extension_data = sw_plug_extension_data,
};
