/* The double-precision reference of the trainer's forward and backward over one window (ny + RF - 1
   input samples, ny outputs) at any width: the ground truth of tests/test_train_grad.c. Weights
   are passed to each call in .nam order; backward ADDS dL/dw to gw and, if gx != NULL, dL/dx. */
#ifndef SW_REF_TRAIN_D_H
#define SW_REF_TRAIN_D_H

#include "../core/model.h"

typedef struct sw_ref_train sw_ref_train;
typedef struct sw_ref_train_ws sw_ref_train_ws;

int sw_ref_train_create(const sw_net *net, int ny, sw_ref_train **out, sw_err *err);
void sw_ref_train_free(sw_ref_train *e);
long sw_ref_train_window(const sw_ref_train *e);
long sw_ref_train_rf(const sw_ref_train *e);
const sw_layout *sw_ref_train_layout(const sw_ref_train *e);
int sw_ref_train_ws_create(const sw_ref_train *e, sw_ref_train_ws **out, sw_err *err);
void sw_ref_train_ws_free(sw_ref_train_ws *ws);
void sw_ref_train_forward(const sw_ref_train *e, sw_ref_train_ws *ws, const double *w, const sw_widths *wd,
                          const double *x, double *y);
void sw_ref_train_backward(const sw_ref_train *e, sw_ref_train_ws *ws, const double *w, const sw_widths *wd,
                           const double *x, const double *gy, double *gw, double *gx);

#endif
