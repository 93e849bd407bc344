/* slimwave.lv2's instance, shared by the audio path (plugin.c) and the control path (control.c:
   worker, patch messages, state, descriptors). */
#ifndef SW_LV2_PLUGIN_H
#define SW_LV2_PLUGIN_H

#include <lv2/atom/forge.h>
#include <lv2/core/lv2.h>
#include <lv2/log/logger.h>
#include <lv2/urid/urid.h>
#include <lv2/worker/worker.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "model.h"

#define SW_CHUNK 512             /* run() works in pieces of at most this many samples */
#define SW_MAX_PATH 2048         /* a model path (with its NUL) a patch:Set may carry */
#define SW_NDEAD 16              /* runners waiting for the worker to free them */

typedef struct sw_src {          /* what plays: a runner's width step, or (r NULL) the dry input */
  sw_plug_model *r;
  int step;
} sw_src;

typedef struct sw_ramp {         /* a control value moving linearly to its target */
  float v, target, inc;
  int left;
} sw_ramp;

typedef struct sw_uris {
  LV2_URID atom_Path, atom_String, atom_URID, atom_Object, patch_Set, patch_Get, patch_property, patch_value, model;
} sw_uris;

typedef struct sw_plug {
  /* ports */
  const float *in, *slim, *in_db, *out_db, *bypass;
  float *out, *width, *latency, *nonfinite;
  const LV2_Atom_Sequence *control;
  LV2_Atom_Sequence *notify;
  /* host */
  LV2_URID_Map *map;
  LV2_Worker_Schedule *sched;
  LV2_Log_Logger log;
  LV2_Atom_Forge forge;
  sw_uris u;
  double rate;
  const sw_backend *be;
  bool builtin;                  /* a bundle made by `slimwave lv2`: its model is fixed */
  /* audio thread: what plays and where it is going */
  sw_plug_model *newest;             /* the model last installed */
  sw_src cur, next;
  bool moving, fresh;            /* fresh: the first run after activate plays its width at once */
  long warm_left, fade_pos, fade_len;
  sw_ramp gin, gout, byp;
  bool snap;                     /* controls jump to their values on the first run */
  double bad;                    /* non-finite input samples replaced */
  bool announce;                 /* tell the host the model path (patch:Set on notify) */
  bool load_pending;             /* a load the worker has not accepted yet */
  char pending[SW_MAX_PATH];
  uint32_t pending_len;
  sw_plug_model *dead[SW_NDEAD];
  int ndead;
  float *x, *xg, *gi, *go, *bm, *a, *b;  /* SW_CHUNK floats each */
  /* the path of the model in use, for save() on another thread: a sequence lock the audio thread
     writes without waiting */
  atomic_uint seq;
  char saved[SW_MAX_PATH];
} sw_plug;

/* control.c */
enum { SW_MSG_LOAD = 1, SW_MSG_FREE, SW_MSG_LOADED };
void sw_plug_read_control(sw_plug *p);          /* patch messages in, loads scheduled */
void sw_plug_write_notify(sw_plug *p);          /* the model path out when asked or changed */
void sw_plug_retire(sw_plug *p, sw_plug_model *r);  /* hand to the worker to free */
void sw_plug_retry(sw_plug *p);                 /* retries what the worker queue refused */
void sw_plug_set_saved(sw_plug *p, const char *path);
const void *sw_plug_extension_data(const char *uri);
const void *sw_plug_feature(const LV2_Feature *const *f, const char *uri); /* a host feature's data, or NULL */
void sw_plug_map_uris(sw_plug *p);
/* plugin.c */
void sw_plug_install(sw_plug *p, sw_plug_model *r);  /* a loaded model becomes the newest (audio thread) */
void sw_plug_drop_all(sw_plug *p);               /* frees every runner now (not real-time) */
extern const LV2_Descriptor sw_plug_descriptor_proto;

#endif
