/* slimwave.lv2, the control path: the model file as a patch:writable path parameter (patch:Set
   in, patch:Set out when asked or changed), the worker that loads models and frees old ones off
   the audio thread, state save/restore of the path, and the descriptors (a bundle made by
   `slimwave lv2` gives the same binary its own URI, read by lv2_lib_descriptor). */
#include <lv2/atom/util.h>
#include <lv2/patch/patch.h>
#include <lv2/state/state.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin.h"
#include "ports.h"

typedef struct msg {
  uint32_t kind;
  uint32_t len;       /* LOAD: bytes of path, with its NUL; 0: the path was too long */
  sw_plug_model *r;       /* FREE, LOADED */
} msg;

void sw_plug_map_uris(sw_plug *p) {
  LV2_URID_Map *m = p->map;
  p->u = (sw_uris){.atom_Path = m->map(m->handle, LV2_ATOM__Path), .atom_String = m->map(m->handle, LV2_ATOM__String),
                   .atom_URID = m->map(m->handle, LV2_ATOM__URID), .atom_Object = m->map(m->handle, LV2_ATOM__Object),
                   .patch_Set = m->map(m->handle, LV2_PATCH__Set), .patch_Get = m->map(m->handle, LV2_PATCH__Get),
                   .patch_property = m->map(m->handle, LV2_PATCH__property), .patch_value = m->map(m->handle, LV2_PATCH__value),
                   .model = m->map(m->handle, SW_LV2_MODEL_URI)};
  lv2_atom_forge_init(&p->forge, m);
}

/* ---- the path for save(): written by the audio thread (never waits), read by save() ---- */
void sw_plug_set_saved(sw_plug *p, const char *path) {
  unsigned s = atomic_load_explicit(&p->seq, memory_order_relaxed);
  atomic_store_explicit(&p->seq, s + 1, memory_order_relaxed);
  atomic_thread_fence(memory_order_release);
  size_t n = strnlen(path, sizeof p->saved - 1); /* no snprintf on the audio thread */
  memcpy(p->saved, path, n);
  p->saved[n] = 0;
  atomic_store_explicit(&p->seq, s + 2, memory_order_release);
}

static void get_saved(sw_plug *p, char *out) {
  for (;;) {
    unsigned s = atomic_load_explicit(&p->seq, memory_order_acquire);
    if (s & 1) continue;
    memcpy(out, p->saved, SW_MAX_PATH);
    atomic_thread_fence(memory_order_acquire);
    if (atomic_load_explicit(&p->seq, memory_order_relaxed) == s) break;
  }
  out[SW_MAX_PATH - 1] = 0;
}

/* ---- audio thread ---- */
static bool schedule(sw_plug *p, const void *data, uint32_t size) {
  return p->sched && p->sched->schedule_work(p->sched->handle, size, data) == LV2_WORKER_SUCCESS;
}

void sw_plug_retire(sw_plug *p, sw_plug_model *r) {
  msg m = {.kind = SW_MSG_FREE, .r = r};
  if (!schedule(p, &m, sizeof m) && p->ndead < SW_NDEAD) p->dead[p->ndead++] = r; /* else leaked, not blocked on */
}

static void try_load(sw_plug *p) {
  struct { msg m; char path[SW_MAX_PATH]; } req = {.m = {.kind = SW_MSG_LOAD, .len = p->pending_len}};
  memcpy(req.path, p->pending, p->pending_len);
  if (schedule(p, &req, (uint32_t)(sizeof req.m + p->pending_len))) p->load_pending = false;
}

void sw_plug_retry(sw_plug *p) {
  int n = p->ndead;
  p->ndead = 0;
  for (int i = 0; i < n; i++) sw_plug_retire(p, p->dead[i]);
  if (p->load_pending) try_load(p);
}

void sw_plug_read_control(sw_plug *p) {
  if (!p->control || !p->map) return;
  LV2_ATOM_SEQUENCE_FOREACH(p->control, ev) {
    if (ev->body.type != p->u.atom_Object) continue;
    const LV2_Atom_Object *obj = (const LV2_Atom_Object *)&ev->body;
    if (obj->body.otype == p->u.patch_Get) { p->announce = true; continue; }
    if (obj->body.otype != p->u.patch_Set) continue;
    const LV2_Atom *prop = NULL, *val = NULL;
    lv2_atom_object_get(obj, p->u.patch_property, &prop, p->u.patch_value, &val, 0);
    if (!prop || prop->type != p->u.atom_URID || ((const LV2_Atom_URID *)prop)->body != p->u.model) continue;
    if (!val || (val->type != p->u.atom_Path && val->type != p->u.atom_String)) continue;
    /* the latest request wins; the worker logs one whose path does not fit */
    uint32_t len = val->size;
    const char *s = LV2_ATOM_BODY_CONST(val);
    p->pending_len = len > 0 && len <= SW_MAX_PATH && !s[len - 1] ? len : 0;
    memcpy(p->pending, s, p->pending_len);
    p->load_pending = true;
    try_load(p);
  }
}

void sw_plug_write_notify(sw_plug *p) {
  if (!p->notify || !p->map) return;
  const uint32_t cap = p->notify->atom.size;
  LV2_Atom_Forge_Frame seq, obj;
  lv2_atom_forge_set_buffer(&p->forge, (uint8_t *)p->notify, cap);
  lv2_atom_forge_sequence_head(&p->forge, &seq, 0);
  if (p->announce && p->newest) {
    const char *path = sw_plug_model_path(p->newest);
    lv2_atom_forge_frame_time(&p->forge, 0);
    lv2_atom_forge_object(&p->forge, &obj, 0, p->u.patch_Set);
    lv2_atom_forge_key(&p->forge, p->u.patch_property);
    lv2_atom_forge_urid(&p->forge, p->u.model);
    lv2_atom_forge_key(&p->forge, p->u.patch_value);
    lv2_atom_forge_path(&p->forge, path, (uint32_t)strlen(path));
    lv2_atom_forge_pop(&p->forge, &obj);
  }
  lv2_atom_forge_pop(&p->forge, &seq);
  p->announce = false;
}

static LV2_Worker_Status work_response(LV2_Handle h, uint32_t size, const void *data) {
  sw_plug *p = h;
  msg m;
  if (size < sizeof m) return LV2_WORKER_ERR_UNKNOWN;
  memcpy(&m, data, sizeof m);
  if (m.kind == SW_MSG_LOADED) sw_plug_install(p, m.r);
  return LV2_WORKER_SUCCESS;
}

/* ---- worker thread ---- */
static LV2_Worker_Status work(LV2_Handle h, LV2_Worker_Respond_Function respond, LV2_Worker_Respond_Handle rh,
                              uint32_t size, const void *data) {
  sw_plug *p = h;
  msg m;
  if (size < sizeof m) return LV2_WORKER_ERR_UNKNOWN;
  memcpy(&m, data, sizeof m);
  if (m.kind == SW_MSG_FREE) { sw_plug_model_free(m.r); return LV2_WORKER_SUCCESS; }
  if (m.kind != SW_MSG_LOAD) return LV2_WORKER_ERR_UNKNOWN;
  if (!m.len || size < sizeof m + m.len) {
    lv2_log_error(&p->log, "slimwave: refused a model path longer than %d bytes; keeping the %s\n", SW_MAX_PATH - 1,
                  p->builtin ? "built-in model" : "previous model");
    return LV2_WORKER_SUCCESS;
  }
  const char *path = (const char *)data + sizeof m;
  if (p->builtin) {
    lv2_log_error(&p->log, "slimwave: %s: refused, this bundle's model is built in\n", path);
    return LV2_WORKER_SUCCESS;
  }
  sw_err err;
  sw_plug_model *r;
  if (sw_plug_model_open(path, p->rate, SW_CHUNK, p->be, &r, &err)) {
    lv2_log_error(&p->log, "slimwave: refused %s; keeping the previous model\n", err.msg);
    return LV2_WORKER_SUCCESS;
  }
  char desc[4600];
  sw_plug_model_describe(r, desc, sizeof desc);
  lv2_log_note(&p->log, "slimwave: loaded %s\n", desc);
  msg out = {.kind = SW_MSG_LOADED, .r = r};
  if (respond(rh, sizeof out, &out) != LV2_WORKER_SUCCESS) {
    lv2_log_error(&p->log, "slimwave: the host refused the worker's answer; %s not installed\n", path);
    sw_plug_model_free(r);
  }
  return LV2_WORKER_SUCCESS;
}

/* ---- state: the model path ---- */
const void *sw_plug_feature(const LV2_Feature *const *f, const char *uri) {
  for (int i = 0; f && f[i]; i++)
    if (!strcmp(f[i]->URI, uri)) return f[i]->data;
  return NULL;
}

/* The host's abstract path for an absolute one (or back), or NULL without state:mapPath. */
static char *map_path(const LV2_Feature *const *features, const char *path, bool to_abstract) {
  const LV2_State_Map_Path *mp = sw_plug_feature(features, LV2_STATE__mapPath);
  return !mp ? NULL : to_abstract ? mp->abstract_path(mp->handle, path) : mp->absolute_path(mp->handle, path);
}

static void free_path(const LV2_Feature *const *features, char *path) {
  const LV2_State_Free_Path *fp = sw_plug_feature(features, LV2_STATE__freePath);
  if (path && fp) fp->free_path(fp->handle, path);
  else free(path);
}
static LV2_State_Status save(LV2_Handle h, LV2_State_Store_Function store, LV2_State_Handle sh, uint32_t flags,
                             const LV2_Feature *const *features) {
  sw_plug *p = h;
  if (p->builtin || !p->map) return LV2_STATE_SUCCESS;
  char path[SW_MAX_PATH];
  get_saved(p, path);
  if (!path[0]) return LV2_STATE_SUCCESS;
  char *abs = map_path(features, path, true);
  const char *v = abs ? abs : path;
  LV2_State_Status st = store(sh, p->u.model, v, strlen(v) + 1, p->u.atom_Path, LV2_STATE_IS_POD | LV2_STATE_IS_PORTABLE);
  free_path(features, abs);
  (void)flags;
  return st;
}

/* Not concurrent with run(): the model loads here and plays from the next run, at once. */
static LV2_State_Status restore(LV2_Handle h, LV2_State_Retrieve_Function retrieve, LV2_State_Handle sh, uint32_t flags,
                                const LV2_Feature *const *features) {
  sw_plug *p = h;
  if (p->builtin || !p->map) return LV2_STATE_SUCCESS;
  size_t size = 0;
  uint32_t type = 0, fl = 0;
  const char *v = retrieve(sh, p->u.model, &size, &type, &fl);
  if (!v || !size || v[size - 1] || (type != p->u.atom_Path && type != p->u.atom_String)) {
    sw_plug_drop_all(p); /* an empty state is the default: no model */
    p->fresh = true;
    return LV2_STATE_SUCCESS;
  }
  char *abs = map_path(features, v, false);
  const char *path = abs ? abs : v;
  sw_err err;
  sw_plug_model *r;
  LV2_State_Status st = LV2_STATE_SUCCESS;
  if (strlen(path) >= SW_MAX_PATH) {
    lv2_log_error(&p->log, "slimwave: state: a model path longer than %d bytes; keeping the previous model\n", SW_MAX_PATH - 1);
    st = LV2_STATE_ERR_UNKNOWN;
  } else if (sw_plug_model_open(path, p->rate, SW_CHUNK, p->be, &r, &err)) {
    lv2_log_error(&p->log, "slimwave: state: refused %s; keeping the previous model\n", err.msg);
    st = LV2_STATE_ERR_UNKNOWN;
  } else {
    char desc[4600];
    sw_plug_model_describe(r, desc, sizeof desc);
    lv2_log_note(&p->log, "slimwave: state: loaded %s\n", desc);
    sw_plug_drop_all(p);
    sw_plug_install(p, r);
    p->fresh = true;
  }
  free_path(features, abs);
  (void)flags;
  return st;
}

const void *sw_plug_extension_data(const char *uri) {
  static const LV2_Worker_Interface worker = {.work = work, .work_response = work_response, .end_run = NULL};
  static const LV2_State_Interface state = {.save = save, .restore = restore};
  if (!strcmp(uri, LV2_WORKER__interface)) return &worker;
  if (!strcmp(uri, LV2_STATE__interface)) return &state;
  return NULL;
}

/* ---- descriptors ---- */
typedef struct lib {
  LV2_Lib_Descriptor lib;
  LV2_Descriptor d;
  char uri[1024];
} lib;

static const LV2_Descriptor *lib_plugin(LV2_Lib_Handle h, uint32_t i) { return i == 0 ? &((lib *)h)->d : NULL; }
static void lib_cleanup(LV2_Lib_Handle h) { (void)h; }

/* The bundle's own URI (SW_LV2_URI_FILE, one line) when `slimwave lv2` made it, else the generic one.
   The only entry point: lilv prefers lv2_descriptor when a library has both, which knows no bundle.
   Static, not allocated: lilv 0.24 never calls cleanup, and a loaded copy of this binary belongs to
   one bundle (`slimwave lv2` copies it into each), so every call here describes the same plugin. */
LV2_SYMBOL_EXPORT const LV2_Lib_Descriptor *lv2_lib_descriptor(const char *bundle, const LV2_Feature *const *features) {
  static lib L;
  char uri[sizeof L.uri], path[4200];
  snprintf(uri, sizeof uri, "%s", SW_LV2_URI);
  snprintf(path, sizeof path, "%s/%s", bundle ? bundle : ".", SW_LV2_URI_FILE);
  FILE *f = fopen(path, "r");
  if (f) {
    char line[sizeof uri];
    if (fgets(line, sizeof line, f)) {
      line[strcspn(line, "\r\n")] = 0;
      if (line[0]) memcpy(uri, line, sizeof uri);
    }
    fclose(f);
  }
  if (strcmp(L.uri, uri)) memcpy(L.uri, uri, sizeof uri);
  L.d = sw_plug_descriptor_proto;
  L.d.URI = L.uri;
  L.lib = (LV2_Lib_Descriptor){.handle = &L, .size = sizeof L.lib, .cleanup = lib_cleanup, .get_plugin = lib_plugin};
  (void)features;
  return &L.lib;
}
