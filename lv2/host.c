/* A small LV2 host for slimwave.lv2 (host.h), on lilv. */
#include "host.h"

#include <lilv/lilv.h>
#include <lv2/atom/forge.h>
#include <lv2/atom/util.h>
#include <lv2/core/lv2.h>
#include <lv2/log/log.h>
#include <lv2/patch/patch.h>
#include <lv2/urid/urid.h>
#include <lv2/worker/worker.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ports.h"
#include "urids.h"

#define ATOM_CAP 16384
#define NQ 32          /* queued worker requests and answers */
#define REQ_BYTES 4096
#define LOG_BYTES 65536

typedef struct slot { uint32_t size; char data[REQ_BYTES]; } slot;

struct sw_lv2h {
  LilvWorld *world;
  const LilvPlugin *plug;
  LilvInstance *inst;
  const LV2_Worker_Interface *worker;
  uint32_t nports;
  float *val;                 /* control values by port index */
  int ain, aout, ctl, note;   /* port indices, -1 if none */
  LV2_Atom_Sequence *ctl_buf, *note_buf;
  LV2_Atom_Forge forge;
  sw_urids urids;
  LV2_URID_Map map;
  LV2_URID_Unmap unmap;
  LV2_Worker_Schedule sched;
  LV2_Log_Log log;
  LV2_Feature f_map, f_unmap, f_sched, f_log;
  const LV2_Feature *features[5];
  slot *req, *resp;           /* NQ each: rings, only touched on the caller's thread */
  int nreq, nresp;
  char logbuf[LOG_BYTES];
  size_t loglen;
  char notified[REQ_BYTES];
  LV2_URID u_object, u_path, u_urid, u_set, u_get, u_property, u_value, u_model, u_seq, u_chunk;
};

static LV2_URID map_uri(LV2_URID_Map_Handle hd, const char *uri) { return sw_urids_map(&((sw_lv2h *)hd)->urids, uri); }
static const char *unmap_uri(LV2_URID_Unmap_Handle hd, LV2_URID id) { return sw_urids_unmap(&((sw_lv2h *)hd)->urids, id); }

static int log_vprintf(LV2_Log_Handle hd, LV2_URID type, const char *fmt, va_list ap) {
  sw_lv2h *h = hd;
  if (h->loglen + 1 >= LOG_BYTES) return 0;
  int k = vsnprintf(h->logbuf + h->loglen, LOG_BYTES - h->loglen, fmt, ap);
  if (k > 0) h->loglen += (size_t)k < LOG_BYTES - h->loglen ? (size_t)k : LOG_BYTES - h->loglen - 1;
  (void)type;
  return k;
}

static int log_printf(LV2_Log_Handle hd, LV2_URID type, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int k = log_vprintf(hd, type, fmt, ap);
  va_end(ap);
  return k;
}

static LV2_Worker_Status push(slot *q, int *n, uint32_t size, const void *data) {
  if (*n >= NQ || size > REQ_BYTES) return LV2_WORKER_ERR_NO_SPACE;
  q[*n].size = size;
  memcpy(q[*n].data, data, size);
  (*n)++;
  return LV2_WORKER_SUCCESS;
}

static LV2_Worker_Status schedule(LV2_Worker_Schedule_Handle hd, uint32_t size, const void *data) {
  sw_lv2h *h = hd;
  return push(h->req, &h->nreq, size, data);
}

static LV2_Worker_Status respond(LV2_Worker_Respond_Handle hd, uint32_t size, const void *data) {
  sw_lv2h *h = hd;
  return push(h->resp, &h->nresp, size, data);
}

static bool port_is(const sw_lv2h *h, const LilvPort *po, const char *uri) {
  LilvNode *n = lilv_new_uri(h->world, uri);
  bool r = lilv_port_is_a(h->plug, po, n);
  lilv_node_free(n);
  return r;
}

int sw_lv2h_open(const char *bundle, const char *uri, double rate, sw_lv2h **out, sw_err *err) {
  *out = NULL;
  sw_lv2h *h = calloc(1, sizeof *h);
  if (!h) return sw_fail(err, SW_ENOMEM, "out of memory");
  h->ain = h->aout = h->ctl = h->note = -1;
  h->req = calloc(2 * NQ, sizeof *h->req);
  h->world = lilv_world_new();
  int rc = SW_OK;
  if (!h->req || !h->world) { rc = sw_fail(err, SW_ENOMEM, "out of memory"); goto fail; }
  h->resp = h->req + NQ;
  if (bundle) {
    char dir[4200];
    snprintf(dir, sizeof dir, "%s%s", bundle, bundle[0] && bundle[strlen(bundle) - 1] == '/' ? "" : "/");
    LilvNode *b = lilv_new_file_uri(h->world, NULL, dir);
    lilv_world_load_specifications(h->world);
    lilv_world_load_bundle(h->world, b);
    lilv_node_free(b);
  } else {
    lilv_world_load_all(h->world);
  }
  const LilvPlugins *all = lilv_world_get_all_plugins(h->world);
  if (uri) {
    LilvNode *u = lilv_new_uri(h->world, uri);
    h->plug = u ? lilv_plugins_get_by_uri(all, u) : NULL;
    lilv_node_free(u);
  } else if (lilv_plugins_size(all) > 0) {
    h->plug = lilv_plugins_get(all, lilv_plugins_begin(all));
  }
  if (!h->plug) { rc = sw_fail(err, SW_EINPUT, "LV2 plugin %s not found%s%s", uri ? uri : "", bundle ? " in " : " (LV2_PATH)", bundle ? bundle : ""); goto fail; }

  h->map = (LV2_URID_Map){h, map_uri};
  h->unmap = (LV2_URID_Unmap){h, unmap_uri};
  h->sched = (LV2_Worker_Schedule){h, schedule};
  h->log = (LV2_Log_Log){h, log_printf, log_vprintf};
  h->f_map = (LV2_Feature){LV2_URID__map, &h->map};
  h->f_unmap = (LV2_Feature){LV2_URID__unmap, &h->unmap};
  h->f_sched = (LV2_Feature){LV2_WORKER__schedule, &h->sched};
  h->f_log = (LV2_Feature){LV2_LOG__log, &h->log};
  const LV2_Feature *f[] = {&h->f_map, &h->f_unmap, &h->f_sched, &h->f_log, NULL};
  memcpy(h->features, f, sizeof f);
  /* every URI mapped now: run() must not grow the table */
  h->u_object = map_uri(h, LV2_ATOM__Object), h->u_path = map_uri(h, LV2_ATOM__Path), h->u_urid = map_uri(h, LV2_ATOM__URID);
  h->u_set = map_uri(h, LV2_PATCH__Set), h->u_get = map_uri(h, LV2_PATCH__Get), h->u_property = map_uri(h, LV2_PATCH__property);
  h->u_value = map_uri(h, LV2_PATCH__value), h->u_model = map_uri(h, SW_LV2_MODEL_URI);
  h->u_seq = map_uri(h, LV2_ATOM__Sequence), h->u_chunk = map_uri(h, LV2_ATOM__Chunk);
  lv2_atom_forge_init(&h->forge, &h->map);

  h->nports = lilv_plugin_get_num_ports(h->plug);
  h->val = calloc(h->nports + 1, sizeof(float) * 3);
  h->ctl_buf = calloc(1, ATOM_CAP);
  h->note_buf = calloc(1, ATOM_CAP);
  if (!h->val || !h->ctl_buf || !h->note_buf) { rc = sw_fail(err, SW_ENOMEM, "out of memory"); goto fail; }
  float *lo = h->val + h->nports + 1, *def = lo + h->nports + 1;
  lilv_plugin_get_port_ranges_float(h->plug, lo, NULL, def);
  for (uint32_t i = 0; i < h->nports; i++) {
    const LilvPort *po = lilv_plugin_get_port_by_index(h->plug, i);
    bool in = port_is(h, po, LV2_CORE__InputPort);
    h->val[i] = def[i] == def[i] ? def[i] : 0.0f;
    if (port_is(h, po, LV2_CORE__AudioPort)) *(in ? &h->ain : &h->aout) = (int)i;
    else if (port_is(h, po, LV2_ATOM__AtomPort)) *(in ? &h->ctl : &h->note) = (int)i;
  }
  h->inst = lilv_plugin_instantiate(h->plug, rate, h->features);
  if (!h->inst) {
    rc = sw_fail(err, SW_EINPUT, "LV2 plugin %s: instantiation failed: %.*s", lilv_node_as_uri(lilv_plugin_get_uri(h->plug)),
                 (int)strcspn(h->logbuf, "\n"), h->logbuf);
    goto fail;
  }
  h->worker = lilv_instance_get_extension_data(h->inst, LV2_WORKER__interface);
  for (uint32_t i = 0; i < h->nports; i++) {
    void *b = (int)i == h->ctl ? (void *)h->ctl_buf : (int)i == h->note ? (void *)h->note_buf : (void *)&h->val[i];
    if ((int)i != h->ain && (int)i != h->aout) lilv_instance_connect_port(h->inst, i, b);
  }
  /* an empty input sequence */
  lv2_atom_forge_set_buffer(&h->forge, (uint8_t *)h->ctl_buf, ATOM_CAP);
  LV2_Atom_Forge_Frame fr;
  lv2_atom_forge_sequence_head(&h->forge, &fr, 0);
  lilv_instance_activate(h->inst);
  *out = h;
  return SW_OK;
fail:
  sw_lv2h_close(h);
  return rc;
}

void sw_lv2h_close(sw_lv2h *h) {
  if (!h) return;
  if (h->inst) {
    lilv_instance_deactivate(h->inst);
    while (h->worker && sw_lv2h_work(h)) { /* requests left (models to free): the plugin owns every answer */
      for (int i = 0; i < h->nresp; i++) h->worker->work_response(lilv_instance_get_handle(h->inst), h->resp[i].size, h->resp[i].data);
      h->nresp = 0;
    }
    lilv_instance_free(h->inst);
  }
  sw_urids_free(&h->urids);
  free(h->val);
  free(h->ctl_buf);
  free(h->note_buf);
  free(h->req);
  if (h->world) lilv_world_free(h->world);
  free(h);
}

float *sw_lv2h_control(sw_lv2h *h, const char *sym) {
  LilvNode *s = lilv_new_string(h->world, sym);
  const LilvPort *po = lilv_plugin_get_port_by_symbol(h->plug, s);
  lilv_node_free(s);
  if (!po) return NULL;
  uint32_t i = lilv_port_get_index(h->plug, po);
  return (int)i == h->ain || (int)i == h->aout || (int)i == h->ctl || (int)i == h->note ? NULL : &h->val[i];
}

/* Appends an object event to the next run's input sequence (after the events already there). */
static int send(sw_lv2h *h, bool set, const char *path, sw_err *err) {
  if (h->ctl < 0) return sw_fail(err, SW_EUSAGE, "this plugin has no control port (a bundle with its model built in)");
  LV2_Atom_Sequence *seq = h->ctl_buf;
  uint32_t used = (uint32_t)sizeof(LV2_Atom) + seq->atom.size;
  lv2_atom_forge_set_buffer(&h->forge, (uint8_t *)seq + lv2_atom_pad_size(used), ATOM_CAP - lv2_atom_pad_size(used));
  LV2_Atom_Forge_Frame obj;
  uint32_t before = h->forge.offset;
  bool ok = lv2_atom_forge_frame_time(&h->forge, 0) &&
            lv2_atom_forge_object(&h->forge, &obj, 0, set ? h->u_set : h->u_get);
  if (ok && set)
    ok = lv2_atom_forge_key(&h->forge, h->u_property) && lv2_atom_forge_urid(&h->forge, h->u_model) &&
         lv2_atom_forge_key(&h->forge, h->u_value) && lv2_atom_forge_path(&h->forge, path, (uint32_t)strlen(path));
  if (ok) lv2_atom_forge_pop(&h->forge, &obj);
  if (!ok) return sw_fail(err, SW_EUSAGE, "the control buffer is full");
  seq->atom.size += lv2_atom_pad_size(h->forge.offset - before);
  return SW_OK;
}

int sw_lv2h_set_model(sw_lv2h *h, const char *path, sw_err *err) { return send(h, true, path, err); }
int sw_lv2h_get_model(sw_lv2h *h, sw_err *err) { return send(h, false, NULL, err); }
const char *sw_lv2h_notified(const sw_lv2h *h) { return h->notified; }

void sw_lv2h_run(sw_lv2h *h, const float *in, float *out, uint32_t n) {
  LV2_Handle ph = lilv_instance_get_handle(h->inst);
  for (int i = 0; i < h->nresp; i++) h->worker->work_response(ph, h->resp[i].size, h->resp[i].data);
  h->nresp = 0;
  if (h->note >= 0) h->note_buf->atom = (LV2_Atom){.size = ATOM_CAP - sizeof(LV2_Atom), .type = h->u_chunk};
  lilv_instance_connect_port(h->inst, (uint32_t)h->ain, (void *)in);
  lilv_instance_connect_port(h->inst, (uint32_t)h->aout, out);
  lilv_instance_run(h->inst, n);
  if (h->worker && h->worker->end_run) h->worker->end_run(ph);
  if (h->ctl >= 0) h->ctl_buf->atom.size = sizeof(LV2_Atom_Sequence_Body); /* events consumed */
  if (h->note < 0 || h->note_buf->atom.type != h->u_seq) return;
  LV2_ATOM_SEQUENCE_FOREACH(h->note_buf, ev) {
    const LV2_Atom_Object *o = (const LV2_Atom_Object *)&ev->body;
    if (ev->body.type != h->u_object || o->body.otype != h->u_set) continue;
    const LV2_Atom *v = NULL;
    lv2_atom_object_get(o, h->u_value, &v, 0);
    if (v && v->type == h->u_path && v->size < sizeof h->notified) memcpy(h->notified, LV2_ATOM_BODY_CONST(v), v->size);
  }
}

int sw_lv2h_work(sw_lv2h *h) {
  int n = h->nreq;
  LV2_Handle ph = lilv_instance_get_handle(h->inst);
  for (int i = 0; i < n && h->worker; i++) h->worker->work(ph, respond, h, h->req[i].size, h->req[i].data);
  h->nreq = 0;
  return n;
}

const char *sw_lv2h_log(const sw_lv2h *h) { return h->logbuf; }
void sw_lv2h_log_clear(sw_lv2h *h) { h->loglen = 0, h->logbuf[0] = 0; }

static const void *get_value(const char *sym, void *ud, uint32_t *size, uint32_t *type) {
  sw_lv2h *h = ud;
  float *v = sw_lv2h_control(h, sym);
  *size = v ? sizeof(float) : 0;
  *type = v ? map_uri(h, LV2_ATOM__Float) : 0;
  return v;
}

static void set_value(const char *sym, void *ud, const void *value, uint32_t size, uint32_t type) {
  sw_lv2h *h = ud;
  float *v = sw_lv2h_control(h, sym);
  if (v && size == sizeof(float) && type == map_uri(h, LV2_ATOM__Float)) memcpy(v, value, sizeof(float));
}

char *sw_lv2h_state_save(sw_lv2h *h, sw_err *err) {
  LilvState *st = lilv_state_new_from_instance(h->plug, h->inst, &h->map, NULL, NULL, NULL, NULL, get_value, h, 0, h->features);
  if (!st) { sw_fail(err, SW_EFAIL, "lilv could not save the plugin's state"); return NULL; }
  char *s = lilv_state_to_string(h->world, &h->map, &h->unmap, st, "urn:slimwave:state", NULL);
  lilv_state_free(st);
  if (!s) sw_fail(err, SW_EFAIL, "lilv could not write the plugin's state");
  return s;
}

int sw_lv2h_state_restore(sw_lv2h *h, const char *ttl, sw_err *err) {
  LilvState *st = lilv_state_new_from_string(h->world, &h->map, ttl);
  if (!st) return sw_fail(err, SW_EINPUT, "lilv could not read the state");
  lilv_state_restore(st, h->inst, set_value, h, 0, h->features);
  lilv_state_free(st);
  return SW_OK;
}
