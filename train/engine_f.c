/* The engine in float over the backend ops (the trainer). An op the backend lacks or declines
   runs on the naive backend. Plans are not used: they assume fixed weights, and training
   changes the weights every step, so a plan-only backend runs on the naive path here. */
#include "../core/backend.h"

#include "engine_priv.h"

static bool use_be(const sw_engine *e, const void *fn, bool has_plan, const sw_shape *s) {
  const sw_backend *be = e->be;
  if (be == e->naive) return false;
  if (fn && !has_plan && (!be->supports || be->supports(s))) return true;
  atomic_fetch_add_explicit(&((sw_engine *)e)->fallbacks, 1, memory_order_relaxed);
  return false;
}

static sw_shape conv_shape(const sw_conv_args *a) {
  return (sw_shape){.is_layer = false, .C = a->cout, .cin = a->cin, .K = a->K, .d = a->d, .has_bias = a->b != NULL, .max_T = a->T};
}

static void conv_fwd(const sw_engine *e, const sw_conv_args *a) {
  sw_shape s = conv_shape(a);
  if (use_be(e, (const void *)e->be->conv_forward, e->be->conv_plan != NULL, &s)) e->be->conv_forward(a, NULL);
  else e->naive->conv_forward(a, NULL);
}

static void layer_fwd(const sw_engine *e, const sw_layer_args *a) {
  sw_shape s = {.is_layer = true, .C = a->C, .cin = a->C, .K = a->K, .d = a->d, .gated = a->gated,
                .has_v = a->v != NULL, .has_bias = true, .act = a->act, .max_T = a->T};
  if (use_be(e, (const void *)e->be->layer_forward, e->be->layer_plan != NULL, &s)) e->be->layer_forward(a, NULL);
  else e->naive->layer_forward(a, NULL);
}

static void conv_bwd(const sw_engine *e, const sw_conv_grad_args *a) {
  sw_shape s = {.is_layer = false, .C = a->cout, .cin = a->cin, .K = a->K, .d = a->d, .has_bias = a->g_b != NULL, .max_T = a->T};
  if (use_be(e, (const void *)e->be->conv_backward, false, &s)) e->be->conv_backward(a);
  else e->naive->conv_backward(a);
}

static void layer_bwd(const sw_engine *e, const sw_layer_grad_args *a) {
  sw_shape s = {.is_layer = true, .C = a->C, .cin = a->C, .K = a->K, .d = a->d, .gated = a->gated,
                .has_v = a->v != NULL, .has_bias = true, .act = a->act, .max_T = a->T};
  if (use_be(e, (const void *)e->be->layer_backward, false, &s)) e->be->layer_backward(a);
  else e->naive->layer_backward(a);
}

#define REAL float
#define WS sw_engine_ws
#define FN(name) name##_f
#define CONV_ARGS sw_conv_args
#define LAYER_ARGS sw_layer_args
#define CONV_GRAD sw_conv_grad_args
#define LAYER_GRAD sw_layer_grad_args
#define CONV_FWD(e, a) conv_fwd(e, a)
#define LAYER_FWD(e, a) layer_fwd(e, a)
#define CONV_BWD(e, a) conv_bwd(e, a)
#define LAYER_BWD(e, a) layer_bwd(e, a)
#include "engine_impl.h"

int sw_engine_ws_create(const sw_engine *e, sw_engine_ws **out, sw_err *err) { return ws_create_f(e, out, err); }
void sw_engine_ws_free(sw_engine_ws *ws) { ws_free_f(ws); }
void sw_engine_forward(const sw_engine *e, sw_engine_ws *ws, const float *w, const sw_widths *wd,
                       const float *x, float *y) { forward_f(e, ws, w, wd, x, y); }
void sw_engine_backward(const sw_engine *e, sw_engine_ws *ws, const float *w, const sw_widths *wd,
                        const float *x, const float *gy, float *gw, float *gx) { backward_f(e, ws, w, wd, x, gy, gw, gx); }
