/* Internals shared by engine.c and the two instantiations of engine_impl.h. */
#ifndef SW_ENGINE_PRIV_H
#define SW_ENGINE_PRIV_H

#include <stdatomic.h>

#include "engine.h"

/* Column frame: column 0 is the first output sample; the window's input spans
   [-(RF-1), ny). Every buffer row holds that whole span, so column c sits at row + off + c. */
struct sw_engine {
  sw_net net;             /* config copy (weights not used) */
  sw_layout L;
  const sw_backend *be, *naive;
  int ny, maxC, n_tot;    /* n_tot: layers over all arrays */
  long rf, off, win, nw;
  ptrdiff_t ld;           /* row stride of every buffer */
  long **st;              /* per array: st[l] = first valid column of layer l's input (n_layers + 1) */
  long *sv, *hv;          /* per array: first valid column of s and of the head output */
  int *lbase;             /* per array: index of its first layer among all layers */
  atomic_long fallbacks;
};

void *sw_engine_alloc(size_t bytes);   /* 64-byte aligned, zeroed */

#endif
