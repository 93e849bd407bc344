/* A signal's recent past in a linear buffer, for the convolutions of the LSTM/ConvNet/Linear
   runtimes: each row holds `hist` past columns and room for new ones; when a block would not
   fit, the history moves back to the front (amortised over many blocks). No allocation after
   sw_hist_init. */
#ifndef SW_HISTORY_H
#define SW_HISTORY_H

#include <stdlib.h>
#include <string.h>

typedef struct sw_hist {
  float *p;
  int rows;
  long hist, cap, pos; /* row stride cap; columns [pos - hist, pos) are the past */
} sw_hist;

/* Room for new columns: at least a block, and enough that moves stay rare. */
static inline long sw_hist_cap(long hist, int maxT) { return hist + (maxT > 1024 ? maxT : 1024); }
static inline double sw_hist_bytes(int rows, long hist, int maxT) { return (double)rows * sw_hist_cap(hist, maxT) * sizeof(float); }

static inline int sw_hist_init(sw_hist *h, int rows, long hist, int maxT) {
  h->rows = rows;
  h->hist = hist;
  h->cap = sw_hist_cap(hist, maxT);
  h->pos = hist;
  h->p = calloc((size_t)rows * (size_t)h->cap, sizeof(float));
  return h->p ? 0 : -1;
}

static inline void sw_hist_reset(sw_hist *h) {
  memset(h->p, 0, sizeof(float) * (size_t)h->rows * (size_t)h->cap);
  h->pos = h->hist;
}

/* Makes room for T new columns; returns row 0 at the first of them (row r: + r * cap). */
static inline float *sw_hist_room(sw_hist *h, int T) {
  if (h->pos + T > h->cap) {
    for (int r = 0; r < h->rows; r++) {
      float *row = h->p + (size_t)r * (size_t)h->cap;
      memmove(row, row + h->pos - h->hist, sizeof(float) * (size_t)h->hist);
    }
    h->pos = h->hist;
  }
  return h->p + h->pos;
}

static inline void sw_hist_advance(sw_hist *h, int T) { h->pos += T; }

#endif
