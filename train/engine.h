/* The training engine: forward over one window saving every activation, and the hand-written
   backward through every op of the WaveNet (SPEC section 1) at any width. One window is
   ny + RF - 1 input samples and gives ny outputs ("valid" convolutions, as NAM trains).

   The orchestration is written once (engine_impl.h) and compiled twice: float over the backend
   ops of core/backend.h (the trainer), double over the reference ops of ops_d.h (the gradient
   check). Weights and gradients are flat blocks in .nam order (sw_layout); a slim width uses
   views into them with the full strides, so only the sliced entries are read or get gradients.
   The engine holds no weights: they are passed to each call. A workspace belongs to one thread. */
#ifndef SW_ENGINE_H
#define SW_ENGINE_H

#include "../core/backend.h"
#include "../core/model.h"

typedef struct sw_engine sw_engine;
typedef struct sw_engine_ws sw_engine_ws;     /* float workspace */
typedef struct sw_engine_wsd sw_engine_wsd;   /* double workspace */

/* The net's config is copied; be = NULL means naive. Ops a backend lacks or declines
   (supports(), or a plan-only backend) run on the naive backend. */
int sw_engine_create(const sw_net *net, const sw_backend *be, int ny, sw_engine **out, sw_err *err);
void sw_engine_free(sw_engine *e);
int sw_engine_ny(const sw_engine *e);
long sw_engine_rf(const sw_engine *e);
long sw_engine_window(const sw_engine *e);  /* ny + RF - 1 */
long sw_engine_nw(const sw_engine *e);      /* flat weight count (incl. head_scale) */
const sw_layout *sw_engine_layout(const sw_engine *e);
const sw_net *sw_engine_net(const sw_engine *e);  /* config only; its weights are not used */
/* Ops that ran on the naive backend because the chosen one lacks or declines them (counted
   since creation, forward and backward; reading it is racy across threads but only informative). */
long sw_engine_fallbacks(const sw_engine *e);

int sw_engine_ws_create(const sw_engine *e, sw_engine_ws **out, sw_err *err);
void sw_engine_ws_free(sw_engine_ws *ws);
int sw_engine_wsd_create(const sw_engine *e, sw_engine_wsd **out, sw_err *err);
void sw_engine_wsd_free(sw_engine_wsd *ws);

/* y[0..ny) = model(x[0..ny+RF-1)) at widths wd with weights w (head_scale = w[last]).
   The activations stay in ws for the backward of the same call sequence. */
void sw_engine_forward(const sw_engine *e, sw_engine_ws *ws, const float *w, const sw_widths *wd,
                       const float *x, float *y);
/* Given gy = dL/dy (ny values) after sw_engine_forward with the same w, wd, x: ADDS dL/dw to
   gw (only the slice of wd; head_scale gets none: it is a constant) and, if gx != NULL, dL/dx
   to gx (ny + RF - 1 values). */
void sw_engine_backward(const sw_engine *e, sw_engine_ws *ws, const float *w, const sw_widths *wd,
                        const float *x, const float *gy, float *gw, float *gx);

void sw_engine_forward_d(const sw_engine *e, sw_engine_wsd *ws, const double *w, const sw_widths *wd,
                         const double *x, double *y);
void sw_engine_backward_d(const sw_engine *e, sw_engine_wsd *ws, const double *w, const sw_widths *wd,
                          const double *x, const double *gy, double *gw, double *gx);

#endif
