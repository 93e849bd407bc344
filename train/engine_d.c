/* The engine in double over the reference ops of ops_d.h: the gradient check's ground truth. */
#include "ops_d.h"

#define REAL double
#define WS sw_engine_wsd
#define FN(name) name##_d
#define CONV_ARGS swd_conv_args
#define LAYER_ARGS swd_layer_args
#define CONV_GRAD swd_conv_grad_args
#define LAYER_GRAD swd_layer_grad_args
#define CONV_FWD(e, a) swd_conv_forward(a)
#define LAYER_FWD(e, a) swd_layer_forward(a)
#define CONV_BWD(e, a) swd_conv_backward(a)
#define LAYER_BWD(e, a) swd_layer_backward(a)
#include "engine_impl.h"

int sw_engine_wsd_create(const sw_engine *e, sw_engine_wsd **out, sw_err *err) { return ws_create_d(e, out, err); }
void sw_engine_wsd_free(sw_engine_wsd *ws) { ws_free_d(ws); }
void sw_engine_forward_d(const sw_engine *e, sw_engine_wsd *ws, const double *w, const sw_widths *wd,
                         const double *x, double *y) { forward_d(e, ws, w, wd, x, y); }
void sw_engine_backward_d(const sw_engine *e, sw_engine_wsd *ws, const double *w, const sw_widths *wd,
                          const double *x, const double *gy, double *gw, double *gx) { backward_d(e, ws, w, wd, x, gy, gw, gx); }
