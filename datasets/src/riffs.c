/* Guitar riffs as a standard MIDI file, written by slimwave itself so a fresh machine can make
   program material: strummed chords, single-note lines with bends, palm-muted chugs and
   arpeggios on GM clean (27), jazz (26) and muted (28) electric guitar, with varying dynamics. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/atomic_file.h"
#include "datasets.h"

#define DIVISION 960    /* ticks per quarter; tempo 500000 us/quarter: 1920 ticks per second */
#define TICKS_PER_S 1920.0

typedef struct ev {
  double t;
  int order;            /* insertion order: keeps equal-time events stable */
  uint8_t b[3];
  int len;
} ev;

typedef struct evlist {
  ev *e;
  int n, cap;
  int fail;
} evlist;

static void add(evlist *l, double t, int len, int b0, int b1, int b2) {
  if (l->fail) return;
  if (l->n == l->cap) {
    int cap = l->cap ? l->cap * 2 : 4096;
    ev *e = realloc(l->e, sizeof *e * (size_t)cap);
    if (!e) { l->fail = 1; return; }
    l->e = e, l->cap = cap;
  }
  ev *e = &l->e[l->n];
  e->t = t < 0 ? 0 : t, e->order = l->n, e->len = len;
  e->b[0] = (uint8_t)b0, e->b[1] = (uint8_t)b1, e->b[2] = (uint8_t)b2;
  l->n++;
}

static void note(evlist *l, int ch, double t, double dur, int key, int vel) {
  if (key < 28 || key > 100) return;
  vel = vel < 1 ? 1 : vel > 127 ? 127 : vel;
  add(l, t, 3, 0x90 | ch, key, vel);
  add(l, t + dur, 3, 0x80 | ch, key, 0);
}

/* xorshift64*: the same riffs for the same seed on every machine. */
static uint64_t rnd_state;
static uint32_t rnd(void) {
  rnd_state ^= rnd_state >> 12, rnd_state ^= rnd_state << 25, rnd_state ^= rnd_state >> 27;
  return (uint32_t)((rnd_state * 2685821657736338717ULL) >> 32);
}
static int rint_(int lo, int hi) { return lo + (int)(rnd() % (uint32_t)(hi - lo + 1)); }
static double runi(void) { return rnd() / 4294967296.0; }

static const int chord_shapes[][6] = {
  {0, 7, 12, 16, 19, 24}, /* major, E shape */
  {0, 7, 12, 15, 19, 24}, /* minor */
  {0, 7, 10, 16, 19, -1}, /* dominant 7 */
  {0, 7, 10, 15, 19, -1}, /* minor 7 */
  {0, 7, 11, 16, 19, -1}, /* major 7 */
  {0, 7, 12, -1, -1, -1}, /* power chord */
};
static const int scale_minor_pent[] = {0, 3, 5, 7, 10};
static const int scale_dorian[] = {0, 2, 3, 5, 7, 9, 10};

enum { CH_CLEAN = 0, CH_JAZZ = 1, CH_MUTED = 2 };

static void strum(evlist *l, int ch, double t, double dur, int root, int shape, int vel, int up) {
  int k[6], n = 0;
  for (int i = 0; i < 6; i++) if (chord_shapes[shape][i] >= 0) k[n++] = root + chord_shapes[shape][i];
  double gap = 0.006 + 0.014 * runi();
  for (int i = 0; i < n; i++) {
    int j = up ? n - 1 - i : i;
    note(l, ch, t + gap * i, dur - gap * i, k[j], vel - rint_(0, 12));
  }
}

static void sec_strum(evlist *l, double t0, double t1, double beat, double dyn) {
  int ch = rnd() % 3 ? CH_CLEAN : CH_JAZZ;
  int root = rint_(40, 50);
  static const int prog[] = {0, 5, 7, 3, 8, 10, 2};
  double t = t0;
  int bar = 0;
  while (t + beat * 4 <= t1) {
    int r = root + prog[rint_(0, 6)];
    int shape = rint_(0, 4);
    for (int e = 0; e < 8; e++) {
      if (rnd() % 5 == 0) continue; /* a skipped strum */
      double tt = t + e * beat / 2;
      int vel = (int)(dyn * ((e % 2) ? 70 : 100)) + rint_(-10, 10);
      strum(l, ch, tt, beat / 2 * (rnd() % 4 ? 1.0 : 0.5), r, shape, vel, e % 2);
    }
    t += beat * 4, bar++;
  }
}

static void sec_lead(evlist *l, double t0, double t1, double beat, double dyn) {
  int ch = rnd() % 2 ? CH_JAZZ : CH_CLEAN;
  int root = rint_(52, 60);
  int dorian = rnd() % 2;
  const int *sc = dorian ? scale_dorian : scale_minor_pent;
  int ns = dorian ? 7 : 5;
  int deg = rint_(0, ns - 1), oct = 0;
  double t = t0;
  while (t < t1 - 0.1) {
    static const double lens[] = {0.25, 0.5, 0.5, 1.0, 1.0, 1.5, 2.0};
    double d = beat * lens[rint_(0, 6)];
    if (t + d > t1) d = t1 - t;
    deg += rint_(-2, 2);
    while (deg < 0) deg += ns, oct--;
    while (deg >= ns) deg -= ns, oct++;
    if (oct < -1) oct = -1;
    if (oct > 1) oct = 1;
    int key = root + 12 * oct + sc[deg];
    int vel = (int)(dyn * rint_(60, 120));
    note(l, ch, t, d * 0.95, key, vel);
    if (d >= beat && rnd() % 3 == 0) { /* bend up a whole step and back (range +-2 semitones) */
      for (int s = 1; s <= 8; s++) {
        double f = s <= 4 ? s / 4.0 : (8 - s) / 4.0;
        int v = 8192 + (int)(8191 * f);
        add(l, t + d * 0.2 + s * d * 0.08, 3, 0xE0 | ch, v & 127, v >> 7);
      }
    }
    t += d;
  }
  add(l, t1, 3, 0xE0 | ch, 0, 64); /* pitch wheel back to centre */
}

static void sec_chug(evlist *l, double t0, double t1, double beat, double dyn) {
  int root = rint_(40, 47);
  double t = t0;
  double step = rnd() % 2 ? beat / 4 : beat / 2;
  int n = 0;
  while (t + step <= t1) {
    if (rnd() % 7) {
      int r = root + ((n / 16) % 2 ? (rnd() % 2 ? 5 : 3) : 0);
      int vel = (int)(dyn * (n % 4 == 0 ? 120 : 85)) + rint_(-8, 8);
      if (rnd() % 6 == 0) strum(l, CH_CLEAN, t, step * 2, r, 5, vel, 0); /* an open accent */
      else strum(l, CH_MUTED, t, step * 0.8, r, 5, vel, 0);
    }
    t += step, n++;
  }
}

static void sec_arp(evlist *l, double t0, double t1, double beat, double dyn) {
  int ch = rnd() % 2 ? CH_CLEAN : CH_JAZZ;
  int root = rint_(40, 50);
  double t = t0;
  while (t + beat * 4 <= t1) {
    int shape = rint_(0, 4), r = root + rint_(0, 7);
    int k[6], n = 0;
    for (int i = 0; i < 6; i++) if (chord_shapes[shape][i] >= 0) k[n++] = r + chord_shapes[shape][i];
    for (int e = 0; e < 8; e++) {
      int idx = e < n ? e : 2 * n - 2 - e;
      if (idx < 0) idx = 0;
      note(l, ch, t + e * beat / 2, beat * 2, k[idx], (int)(dyn * rint_(55, 105)));
    }
    t += beat * 4;
  }
}

static int cmp_ev(const void *a, const void *b) {
  const ev *x = a, *y = b;
  long tx = (long)(x->t * TICKS_PER_S + 0.5), ty = (long)(y->t * TICKS_PER_S + 0.5);
  if (tx != ty) return tx < ty ? -1 : 1;
  return x->order - y->order;
}

typedef struct buf { uint8_t *p; size_t n, cap; int fail; } buf;
static void put(buf *b, const void *d, size_t n) {
  if (b->fail) return;
  if (b->n + n > b->cap) {
    size_t cap = (b->cap + n) * 2;
    uint8_t *p = realloc(b->p, cap);
    if (!p) { b->fail = 1; return; }
    b->p = p, b->cap = cap;
  }
  memcpy(b->p + b->n, d, n);
  b->n += n;
}
static void put_vlq(buf *b, uint32_t v) {
  uint8_t t[5];
  int n = 0;
  t[n++] = v & 127;
  while (v >>= 7) t[n++] = (uint8_t)(0x80 | (v & 127));
  while (n) put(b, &t[--n], 1);
}
static void put_be(buf *b, uint32_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; i--) { uint8_t c = (uint8_t)(v >> (8 * i)); put(b, &c, 1); }
}

int sw_riffs_write_midi(const char *path, double seconds, uint64_t seed, sw_err *err) {
  evlist l = {0};
  rnd_state = seed * 0x9E3779B97F4A7C15ULL + 0x2545F4914F6CDD1DULL;
  static const int progs[3] = {27, 26, 28}; /* clean, jazz, muted electric guitar */
  for (int ch = 0; ch < 3; ch++) {
    add(&l, 0, 2, 0xC0 | ch, progs[ch], 0);
    add(&l, 0, 3, 0xB0 | ch, 7, 110);  /* volume */
    add(&l, 0, 3, 0xB0 | ch, 10, 64);  /* pan centre */
    add(&l, 0, 3, 0xB0 | ch, 91, 0);   /* no reverb send */
    add(&l, 0, 3, 0xB0 | ch, 93, 0);   /* no chorus send */
  }
  double t = 0.05, end = seconds - 0.4; /* leave room for release tails */
  while (t < end - 1.0) {
    double len = 4.0 + 4.0 * runi();
    if (t + len > end) len = end - t;
    double beat = 60.0 / rint_(80, 150);
    double dyn = 0.45 + 0.55 * runi();
    switch (rnd() % 4) {
    case 0: sec_strum(&l, t, t + len, beat, dyn); break;
    case 1: sec_lead(&l, t, t + len, beat, dyn); break;
    case 2: sec_chug(&l, t, t + len, beat, dyn); break;
    default: sec_arp(&l, t, t + len, beat, dyn); break;
    }
    t += len + 0.1 * runi();
  }
  if (l.fail) { free(l.e); return sw_fail(err, SW_ENOMEM, "%s: out of memory for MIDI events", path); }
  qsort(l.e, (size_t)l.n, sizeof *l.e, cmp_ev);

  buf tr = {0};
  uint8_t tempo[] = {0xFF, 0x51, 0x03, 0x07, 0xA1, 0x20}; /* 500000 us per quarter */
  put_vlq(&tr, 0), put(&tr, tempo, sizeof tempo);
  long last = 0;
  for (int i = 0; i < l.n; i++) {
    long tk = (long)(l.e[i].t * TICKS_PER_S + 0.5);
    put_vlq(&tr, (uint32_t)(tk - last));
    put(&tr, l.e[i].b, (size_t)l.e[i].len);
    last = tk;
  }
  uint8_t eot[] = {0x00, 0xFF, 0x2F, 0x00};
  put(&tr, eot, sizeof eot);
  free(l.e);

  buf f = {0};
  put(&f, "MThd", 4), put_be(&f, 6, 4), put_be(&f, 0, 2), put_be(&f, 1, 2), put_be(&f, DIVISION, 2);
  put(&f, "MTrk", 4), put_be(&f, (uint32_t)tr.n, 4), put(&f, tr.p, tr.n);
  int rc = (tr.fail || f.fail) ? sw_fail(err, SW_ENOMEM, "%s: out of memory for MIDI data", path)
                               : sw_write_file_atomic(path, f.p, f.n, err);
  free(tr.p);
  free(f.p);
  return rc;
}
