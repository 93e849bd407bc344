/* A minimal offline LV2 host through lilv: one mono plugin, control values by port symbol,
   fixed blocks, and the features Guitarix asks for (urid map/unmap, options with block bounds,
   bounded/fixed block length, a worker run synchronously, which LV2 allows offline, and log). */
#include <lilv/lilv.h>
#include <lv2/atom/atom.h>
#include <lv2/buf-size/buf-size.h>
#include <lv2/core/lv2.h>
#include <lv2/log/log.h>
#include <lv2/options/options.h>
#include <lv2/parameters/parameters.h>
#include <lv2/urid/urid.h>
#include <lv2/worker/worker.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "../../lv2/urids.h"
#include "datasets.h"

#define BLOCK 256
#define ATOM_CAP 8192
#define MAX_RESP 64

typedef struct port {
  char sym[64], name[128];
  int kind;          /* 0 control in, 1 control out, 2 audio in, 3 audio out, 4 atom in, 5 atom out, 6 other */
  float val, lo, hi, def;
  void *buf;
} port;

struct sw_lv2 {
  LilvWorld *world;
  const LilvPlugin *plug;
  LilvInstance *inst;
  char uri[512], pname[256];
  port *ports;
  uint32_t nports;
  int ain, aout, lat;    /* port indices, -1 if none */
  float in[BLOCK], out[BLOCK];
  /* features */
  sw_urids urids;
  LV2_URID_Map map;
  LV2_URID_Unmap unmap;
  LV2_Worker_Schedule sched;
  LV2_Log_Log log;
  LV2_Options_Option opts[6];
  int32_t blk_min, blk_max, blk_nom;
  float rate_f;
  LV2_Feature f_map, f_unmap, f_sched, f_log, f_opts, f_bounded, f_fixed, f_pow2;
  const LV2_Feature *features[9];
  const LV2_Worker_Interface *worker;
  struct { uint32_t size; char data[1024]; } resp[MAX_RESP];
  int nresp;
  LV2_URID atom_seq, atom_chunk;
};

/* Guitarix prints to stdout and stderr ("using block size", "mlock"); keep it off ours: the
   host reports through sw_err only. Returns the saved descriptors (fd 1 in the low half). */
static long quiet_begin(void) {
  fflush(stdout), fflush(stderr);
  int o = dup(1), e = dup(2), nul = open("/dev/null", O_WRONLY);
  if (nul >= 0) {
    if (o >= 0) dup2(nul, 1);
    if (e >= 0) dup2(nul, 2);
    close(nul);
  }
  return ((long)(e + 1) << 32) | (unsigned)(o + 1);
}
static void quiet_end(long saved) {
  int o = (int)(saved & 0xffffffff) - 1, e = (int)(saved >> 32) - 1;
  fflush(stdout), fflush(stderr);
  if (o >= 0) dup2(o, 1), close(o);
  if (e >= 0) dup2(e, 2), close(e);
}

static LV2_URID map_uri(LV2_URID_Map_Handle h, const char *uri) { return sw_urids_map(&((sw_lv2 *)h)->urids, uri); }
static const char *unmap_uri(LV2_URID_Unmap_Handle h, LV2_URID id) { return sw_urids_unmap(&((sw_lv2 *)h)->urids, id); }

static LV2_Worker_Status respond(LV2_Worker_Respond_Handle h, uint32_t size, const void *data) {
  sw_lv2 *p = h;
  if (p->nresp >= MAX_RESP || size > sizeof p->resp[0].data) return LV2_WORKER_ERR_NO_SPACE;
  p->resp[p->nresp].size = size;
  memcpy(p->resp[p->nresp].data, data, size);
  p->nresp++;
  return LV2_WORKER_SUCCESS;
}

/* Offline: the work runs at once, its responses are delivered after the current run(). */
static LV2_Worker_Status schedule(LV2_Worker_Schedule_Handle h, uint32_t size, const void *data) {
  sw_lv2 *p = h;
  if (!p->worker || !p->worker->work) return LV2_WORKER_ERR_UNKNOWN;
  return p->worker->work(lilv_instance_get_handle(p->inst), respond, p, size, data);
}

static int log_printf(LV2_Log_Handle h, LV2_URID type, const char *fmt, ...) { return 0; }
static int log_vprintf(LV2_Log_Handle h, LV2_URID type, const char *fmt, va_list ap) { return 0; }

static void reset_atoms(sw_lv2 *p) {
  for (uint32_t i = 0; i < p->nports; i++) {
    LV2_Atom *a = p->ports[i].buf;
    if (p->ports[i].kind == 4) a->size = sizeof(LV2_Atom_Sequence_Body), a->type = p->atom_seq,
                               ((LV2_Atom_Sequence *)a)->body.unit = 0, ((LV2_Atom_Sequence *)a)->body.pad = 0;
    if (p->ports[i].kind == 5) a->size = ATOM_CAP - sizeof(LV2_Atom), a->type = p->atom_chunk;
  }
}

static void run_block(sw_lv2 *p) {
  reset_atoms(p);
  lilv_instance_run(p->inst, BLOCK);
  for (int i = 0; i < p->nresp; i++)
    if (p->worker && p->worker->work_response) p->worker->work_response(lilv_instance_get_handle(p->inst), p->resp[i].size, p->resp[i].data);
  p->nresp = 0;
  if (p->worker && p->worker->end_run) p->worker->end_run(lilv_instance_get_handle(p->inst));
}

static int node_is(const LilvPlugin *pl, const LilvPort *po, LilvWorld *w, const char *uri) {
  LilvNode *n = lilv_new_uri(w, uri);
  int r = lilv_port_is_a(pl, po, n);
  lilv_node_free(n);
  return r;
}

static void setup_features(sw_lv2 *p, double rate) {
  p->map = (LV2_URID_Map){p, map_uri};
  p->unmap = (LV2_URID_Unmap){p, unmap_uri};
  p->sched = (LV2_Worker_Schedule){p, schedule};
  p->log = (LV2_Log_Log){p, log_printf, log_vprintf};
  p->blk_min = p->blk_max = p->blk_nom = BLOCK;
  p->rate_f = (float)rate;
  LV2_URID tint = map_uri(p, LV2_ATOM__Int), tfloat = map_uri(p, LV2_ATOM__Float);
  p->opts[0] = (LV2_Options_Option){LV2_OPTIONS_INSTANCE, 0, map_uri(p, LV2_BUF_SIZE__minBlockLength), sizeof(int32_t), tint, &p->blk_min};
  p->opts[1] = (LV2_Options_Option){LV2_OPTIONS_INSTANCE, 0, map_uri(p, LV2_BUF_SIZE__maxBlockLength), sizeof(int32_t), tint, &p->blk_max};
  p->opts[2] = (LV2_Options_Option){LV2_OPTIONS_INSTANCE, 0, map_uri(p, LV2_BUF_SIZE__nominalBlockLength), sizeof(int32_t), tint, &p->blk_nom};
  p->opts[3] = (LV2_Options_Option){LV2_OPTIONS_INSTANCE, 0, map_uri(p, LV2_PARAMETERS__sampleRate), sizeof(float), tfloat, &p->rate_f};
  p->opts[4] = (LV2_Options_Option){LV2_OPTIONS_INSTANCE, 0, 0, 0, 0, NULL};
  p->atom_seq = map_uri(p, LV2_ATOM__Sequence), p->atom_chunk = map_uri(p, LV2_ATOM__Chunk);
  p->f_map = (LV2_Feature){LV2_URID__map, &p->map};
  p->f_unmap = (LV2_Feature){LV2_URID__unmap, &p->unmap};
  p->f_sched = (LV2_Feature){LV2_WORKER__schedule, &p->sched};
  p->f_log = (LV2_Feature){LV2_LOG__log, &p->log};
  p->f_opts = (LV2_Feature){LV2_OPTIONS__options, p->opts};
  p->f_bounded = (LV2_Feature){LV2_BUF_SIZE__boundedBlockLength, NULL};
  p->f_fixed = (LV2_Feature){LV2_BUF_SIZE__fixedBlockLength, NULL};
  p->f_pow2 = (LV2_Feature){LV2_BUF_SIZE__powerOf2BlockLength, NULL};
  const LV2_Feature *f[] = {&p->f_map, &p->f_unmap, &p->f_sched, &p->f_log, &p->f_opts, &p->f_bounded, &p->f_fixed, &p->f_pow2, NULL};
  memcpy(p->features, f, sizeof f);
}

void sw_lv2_describe(const sw_lv2 *p, char *buf, size_t len) {
  int m = snprintf(buf, len, "%s (%s)\n", p->pname, p->uri);
  for (uint32_t i = 0; i < p->nports && m > 0 && (size_t)m < len; i++)
    if (p->ports[i].kind == 0)
      m += snprintf(buf + m, len - (size_t)m, "  %-14s %-20s %g .. %g, default %g\n", p->ports[i].sym, p->ports[i].name,
                    p->ports[i].lo, p->ports[i].hi, p->ports[i].def);
}

static void symbols(const sw_lv2 *p, char *buf, size_t len) {
  int m = 0;
  buf[0] = 0;
  for (uint32_t i = 0; i < p->nports && m >= 0 && (size_t)m < len; i++)
    if (p->ports[i].kind == 0) m += snprintf(buf + m, len - (size_t)m, "%s%s", m ? ", " : "", p->ports[i].sym);
}

int sw_lv2_open(const char *uri, const sw_lv2_set *sets, int nsets, double rate, sw_lv2 **out, sw_err *err) {
  *out = NULL;
  sw_lv2 *p = calloc(1, sizeof *p);
  if (!p) return sw_fail(err, SW_ENOMEM, "out of memory");
  snprintf(p->uri, sizeof p->uri, "%s", uri);
  p->ain = p->aout = p->lat = -1;
  int rc = SW_OK;
  long q = quiet_begin();
  p->world = lilv_world_new();
  lilv_world_load_all(p->world);
  quiet_end(q);
  LilvNode *u = lilv_new_uri(p->world, uri);
  p->plug = u ? lilv_plugins_get_by_uri(lilv_world_get_all_plugins(p->world), u) : NULL;
  lilv_node_free(u);
  if (!p->plug) { rc = sw_fail(err, SW_EINPUT, "LV2 plugin %s: not installed (see lv2ls)", uri); goto fail; }
  LilvNode *nm = lilv_plugin_get_name(p->plug);
  snprintf(p->pname, sizeof p->pname, "%s", nm ? lilv_node_as_string(nm) : uri);
  lilv_node_free(nm);
  setup_features(p, rate);

  /* Refuse a plugin that needs a feature we do not provide, naming it. */
  LilvNodes *req = lilv_plugin_get_required_features(p->plug);
  LILV_FOREACH(nodes, it, req) {
    const char *f = lilv_node_as_uri(lilv_nodes_get(req, it));
    int have = !strcmp(f, LV2_CORE__hardRTCapable) || !strcmp(f, LV2_CORE__inPlaceBroken);
    for (int i = 0; p->features[i] && !have; i++) have = !strcmp(p->features[i]->URI, f);
    if (!have) { rc = sw_fail(err, SW_EINPUT, "LV2 plugin %s: requires feature %s, which slimwave's host does not provide", uri, f); break; }
  }
  lilv_nodes_free(req);
  if (rc) goto fail;

  p->nports = lilv_plugin_get_num_ports(p->plug);
  p->ports = calloc(p->nports ? p->nports : 1, sizeof *p->ports);
  float *lo = calloc(p->nports + 1, sizeof(float) * 3);
  if (!p->ports || !lo) { free(lo); rc = sw_fail(err, SW_ENOMEM, "out of memory"); goto fail; }
  float *hi = lo + p->nports + 1, *def = hi + p->nports + 1;
  lilv_plugin_get_port_ranges_float(p->plug, lo, hi, def);
  int nain = 0, naout = 0;
  if (lilv_plugin_has_latency(p->plug)) p->lat = (int)lilv_plugin_get_latency_port_index(p->plug);
  for (uint32_t i = 0; i < p->nports; i++) {
    const LilvPort *po = lilv_plugin_get_port_by_index(p->plug, i);
    port *q = &p->ports[i];
    snprintf(q->sym, sizeof q->sym, "%s", lilv_node_as_string(lilv_port_get_symbol(p->plug, po)));
    LilvNode *pn = lilv_port_get_name(p->plug, po);
    snprintf(q->name, sizeof q->name, "%s", pn ? lilv_node_as_string(pn) : q->sym);
    lilv_node_free(pn);
    int in = node_is(p->plug, po, p->world, LV2_CORE__InputPort);
    if (node_is(p->plug, po, p->world, LV2_CORE__ControlPort)) q->kind = in ? 0 : 1;
    else if (node_is(p->plug, po, p->world, LV2_CORE__AudioPort)) q->kind = in ? 2 : 3;
    else if (node_is(p->plug, po, p->world, LV2_ATOM__AtomPort)) q->kind = in ? 4 : 5;
    else q->kind = 6;
    q->lo = lo[i], q->hi = hi[i], q->def = isnan(def[i]) ? (isnan(lo[i]) ? 0 : lo[i]) : def[i];
    q->val = q->def;
    if (q->kind == 2) p->ain = (int)i, nain++;
    if (q->kind == 3) p->aout = (int)i, naout++;
    if (q->kind == 6) {
      LilvNode *opt = lilv_new_uri(p->world, LV2_CORE__connectionOptional);
      int ok = lilv_port_has_property(p->plug, po, opt);
      lilv_node_free(opt);
      if (!ok) { rc = sw_fail(err, SW_EINPUT, "LV2 plugin %s: port %s has a type this host does not support (CV?)", uri, q->sym); break; }
    }
  }
  free(lo);
  if (rc) goto fail;
  if (nain != 1 || naout != 1) { rc = sw_fail(err, SW_EINPUT, "LV2 plugin %s: %d audio inputs and %d outputs; only mono plugins (1 in, 1 out) are supported", uri, nain, naout); goto fail; }

  for (int s = 0; s < nsets; s++) {
    port *q = NULL;
    for (uint32_t i = 0; i < p->nports && !q; i++)
      if (p->ports[i].kind == 0 && !strcmp(p->ports[i].sym, sets[s].name)) q = &p->ports[i];
    if (!q) {
      char syms[1024];
      symbols(p, syms, sizeof syms);
      rc = sw_fail(err, SW_EUSAGE, "LV2 plugin %s: no control port \"%s\" (ports: %s)", uri, sets[s].name, syms);
      goto fail;
    }
    if (!isnan(q->lo) && !isnan(q->hi) && (sets[s].value < q->lo || sets[s].value > q->hi)) {
      rc = sw_fail(err, SW_EUSAGE, "LV2 plugin %s: %s=%g outside its range %g .. %g", uri, q->sym, sets[s].value, q->lo, q->hi);
      goto fail;
    }
    q->val = (float)sets[s].value;
  }

  q = quiet_begin();
  p->inst = lilv_plugin_instantiate(p->plug, rate, p->features);
  if (p->inst) p->worker = lilv_instance_get_extension_data(p->inst, LV2_WORKER__interface);
  quiet_end(q);
  if (!p->inst) { rc = sw_fail(err, SW_EINPUT, "LV2 plugin %s: instantiation failed at %g Hz", uri, rate); goto fail; }
  for (uint32_t i = 0; i < p->nports; i++) {
    port *q = &p->ports[i];
    void *b = q->kind <= 1 ? (void *)&q->val : q->kind == 2 ? (void *)p->in : q->kind == 3 ? (void *)p->out : NULL;
    if (q->kind == 4 || q->kind == 5) {
      if (!(q->buf = calloc(1, ATOM_CAP))) { rc = sw_fail(err, SW_ENOMEM, "out of memory"); goto fail; }
      b = q->buf;
    }
    lilv_instance_connect_port(p->inst, i, b);
  }
  q = quiet_begin();
  lilv_instance_activate(p->inst);
  quiet_end(q);
  *out = p;
  return SW_OK;
fail:
  sw_lv2_close(p);
  return rc;
}

long sw_lv2_latency(const sw_lv2 *p) {
  return p->lat >= 0 ? lrintf(p->ports[p->lat].val) : 0;
}

void sw_lv2_run(sw_lv2 *p, const float *in, float *out, long n) {
  long q = quiet_begin();
  for (long i = 0; i < n; i += BLOCK) {
    long k = n - i < BLOCK ? n - i : BLOCK;
    memset(p->in, 0, sizeof p->in);
    if (in) memcpy(p->in, in + i, sizeof(float) * (size_t)k);
    run_block(p); /* always whole blocks (fixedBlockLength); the tail of the last is padding */
    if (out) memcpy(out + i, p->out, sizeof(float) * (size_t)k);
  }
  quiet_end(q);
}

void sw_lv2_close(sw_lv2 *p) {
  if (!p) return;
  long q = quiet_begin();
  if (p->inst) {
    lilv_instance_deactivate(p->inst);
    lilv_instance_free(p->inst);
  }
  for (uint32_t i = 0; p->ports && i < p->nports; i++) free(p->ports[i].buf);
  free(p->ports);
  sw_urids_free(&p->urids);
  if (p->world) lilv_world_free(p->world);
  quiet_end(q);
  free(p);
}
