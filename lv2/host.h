/* A small LV2 host (lilv) that drives slimwave.lv2 for the tests and `slimwave bench --plugin`:
   urid map/unmap, a log that is captured, a worker whose requests run() queues and sw_lv2h_work()
   executes on the caller's thread (their answers reach the plugin at the next run), the model path
   sent as a patch:Set, and state save/restore through lilv. Nothing in sw_lv2h_run allocates. */
#ifndef SW_LV2_HOST_H
#define SW_LV2_HOST_H

#include <stdint.h>

#include "../core/err.h"

typedef struct sw_lv2h sw_lv2h;

/* bundle: a bundle folder loaded alone, or NULL for the plugins on LV2_PATH; uri: the plugin (NULL:
   the bundle's first). */
int sw_lv2h_open(const char *bundle, const char *uri, double rate, sw_lv2h **out, sw_err *err);
void sw_lv2h_close(sw_lv2h *h);

/* The value of a control port (input or output) by symbol, or NULL. */
float *sw_lv2h_control(sw_lv2h *h, const char *sym);
/* Queues a patch:Set of the model path for the next run (the plugin's control port must exist). */
int sw_lv2h_set_model(sw_lv2h *h, const char *path, sw_err *err);
/* Queues a patch:Get: the plugin answers with the path of its model on the notify port. */
int sw_lv2h_get_model(sw_lv2h *h, sw_err *err);
/* The last model path the plugin announced (patch:Set on notify), or "". */
const char *sw_lv2h_notified(const sw_lv2h *h);

/* The audio thread's part: the worker's answers, then run() on n samples (in and out may alias). */
void sw_lv2h_run(sw_lv2h *h, const float *in, float *out, uint32_t n);
/* The worker's part: executes the queued requests; returns how many ran. */
int sw_lv2h_work(sw_lv2h *h);

/* What the plugin logged (instantiation and worker), one message per line. */
const char *sw_lv2h_log(const sw_lv2h *h);
void sw_lv2h_log_clear(sw_lv2h *h);

/* The plugin's state as Turtle (malloc'ed), and a state given as such applied to the plugin. */
char *sw_lv2h_state_save(sw_lv2h *h, sw_err *err);
int sw_lv2h_state_restore(sw_lv2h *h, const char *ttl, sw_err *err);

#endif
