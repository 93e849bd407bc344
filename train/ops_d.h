/* Double-precision reference ops for the trainer's gradient check: the same contract as the
   float backend ops of core/backend.h (same field names, double pointers), plain loops. The
   engine is compiled once for float (backend ops) and once for double (these). */
#ifndef SW_OPS_D_H
#define SW_OPS_D_H

#include <stdbool.h>
#include <stddef.h>

#include "../core/activation.h"

typedef struct swd_conv_args {
  int cout, cin, K, d, T;
  const double *w; ptrdiff_t ldw;
  const double *b;
  const double *in; ptrdiff_t ldi;
  double *out; ptrdiff_t ldo;
  bool accumulate;
} swd_conv_args;

typedef struct swd_layer_args {
  int C, K, d, T;
  bool gated;
  sw_act act;
  const double *w, *b; ptrdiff_t ldw;
  const double *m;
  const double *v, *vb; ptrdiff_t ldv;
  const double *h; ptrdiff_t ldh;
  const double *x;
  double *h_out; ptrdiff_t ldo;
  double *s; ptrdiff_t lds;
  double *z; ptrdiff_t ldz;
  double *a; ptrdiff_t lda;
  double *scratch;
} swd_layer_args;

typedef struct swd_conv_grad_args {
  int cout, cin, K, d, T;
  const double *w; ptrdiff_t ldw;
  const double *in; ptrdiff_t ldi;
  const double *g_out; ptrdiff_t ldgo;
  double *g_in; ptrdiff_t ldgi;
  double *g_w, *g_b;
} swd_conv_grad_args;

typedef struct swd_layer_grad_args {
  int C, K, d, T;
  bool gated;
  sw_act act;
  const double *w; ptrdiff_t ldw;
  const double *m;
  const double *v; ptrdiff_t ldv;
  const double *h; ptrdiff_t ldh;
  const double *x;
  const double *z; ptrdiff_t ldz;
  const double *a; ptrdiff_t lda;
  const double *g_out; ptrdiff_t ldgo;
  const double *g_s; ptrdiff_t ldgs;
  double *g_h; ptrdiff_t ldgh;
  double *g_x;
  double *g_w, *g_b, *g_m, *g_v, *g_vb;
  double *scratch;
} swd_layer_grad_args;

void swd_conv_forward(const swd_conv_args *a);
void swd_layer_forward(const swd_layer_args *a);
void swd_conv_backward(const swd_conv_grad_args *a);
void swd_layer_backward(const swd_layer_grad_args *a);

/* phi(z) and phi'(z) in double (the fast tanh is trained as the exact tanh). */
double swd_act_apply(sw_act a, double z);
double swd_act_grad(sw_act a, double z, double y);

#endif
