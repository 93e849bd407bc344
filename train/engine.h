/* The training engine: the forward pass over one window, saving what the backward needs, and the
   hand-written backward through every op of the WaveNet (SPEC section 1) at any width. A window is
   ny + RF - 1 input samples and gives ny outputs ("valid" convolutions, as NAM trains).

   Both passes execute the model plan (core/plan.h) that streaming inference executes too, so a
   backend, width or kernel change lands in both. They run in time tiles of `tile` columns: the
   forward left to right, each tile through every layer while the layer below's output tile is
   still in cache (the fused layer kernels, saving a); the backward right to left, since a layer's
   input gradient at column t needs dL/dz up to (K-1)d columns after t. Gradients are flat blocks in
   .nam order (sw_layout); a slim width reads and updates only its slice. The weights are the net's,
   read in place: bind a width (sw_engine_bind) after any change of them and before a batch; then
   windows may run on any threads, each with the saved activations of its window
   (sw_engine_saved) and the scratch of its thread (sw_engine_ws). */
#ifndef SW_ENGINE_H
#define SW_ENGINE_H

#include "../core/backend.h"
#include "../core/model.h"

typedef struct sw_engine sw_engine;
typedef struct sw_engine_saved sw_engine_saved;  /* one window's activations */
typedef struct sw_engine_ws sw_engine_ws;        /* one thread's scratch */

/* Time tiles (columns) of the forward and the backward when create is given 0. */
#define SW_ENGINE_TILE 512
#define SW_ENGINE_BTILE 2048

/* be = NULL: naive. Ops the backend lacks or declines run on the naive backend (counted). The net
   must outlive the engine; the engine binds its full width. tile, btile: the time tiles of the
   forward and the backward (0: the defaults above; the result depends on them only by rounding). */
int sw_engine_create(const sw_net *net, const sw_backend *be, int ny, int tile, int btile, sw_engine **out,
                     sw_err *err);
void sw_engine_free(sw_engine *e);
/* Binds widths wd (checked against the net) with the net's current weights. */
int sw_engine_bind(sw_engine *e, const sw_widths *wd, sw_err *err);
int sw_engine_ny(const sw_engine *e);
long sw_engine_rf(const sw_engine *e);
long sw_engine_window(const sw_engine *e);  /* ny + RF - 1 */
long sw_engine_nw(const sw_engine *e);      /* flat weight count (incl. head_scale) */
const sw_layout *sw_engine_layout(const sw_engine *e);
/* Ops bound to the naive backend at the bound width because the chosen one lacks or declines them. */
int sw_engine_fallbacks(const sw_engine *e);

int sw_engine_saved_create(const sw_engine *e, sw_engine_saved **out, sw_err *err);
void sw_engine_saved_free(sw_engine_saved *s);
int sw_engine_ws_create(const sw_engine *e, sw_engine_ws **out, sw_err *err);
void sw_engine_ws_free(sw_engine_ws *ws);

/* y[0..ny) = model(x[0..ny+RF-1)) at the bound width; the activations go to sv. */
void sw_engine_forward(const sw_engine *e, sw_engine_ws *ws, sw_engine_saved *sv, const float *x, float *y);
/* Given gy = dL/dy (ny values) after sw_engine_forward of x into sv at the same binding: ADDS dL/dw
   to gw (only the bound slice; head_scale gets none: it is a constant) and, if gx != NULL, dL/dx to
   gx (ny + RF - 1 values). */
void sw_engine_backward(const sw_engine *e, sw_engine_ws *ws, const sw_engine_saved *sv, const float *x,
                        const float *gy, float *gw, float *gx);

#endif
