/* The Turtle description of slimwave.lv2 from one port table (ttl.h). */
#include "ttl.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../core/atomic_file.h"
#include "ports.h"

enum { AUDIO_IN, AUDIO_OUT, CTRL_IN, CTRL_OUT, ATOM_IN, ATOM_OUT };

typedef struct port_desc {
  int index, kind;
  const char *sym, *name;
  float def, lo, hi;
  const char *extra;  /* more Turtle, or NULL */
} port_desc;

static const port_desc ports[] = {
  {SW_PORT_IN, AUDIO_IN, "in", "In", 0, 0, 0, NULL},
  {SW_PORT_OUT, AUDIO_OUT, "out", "Out", 0, 0, 0, NULL},
  {SW_PORT_SLIM, CTRL_IN, "slim", "Slim", 1, 0, 1,
   "rdfs:comment \"Width of the model: 0 the narrowest, 1 the full width (NAM's allowed-channels rule; a "
   "SlimmableContainer picks a submodel). Changes crossfade.\""},
  {SW_PORT_INPUT_DB, CTRL_IN, "input", "Input gain", 0, SW_LV2_IN_DB_MIN, SW_LV2_IN_DB_MAX, "units:unit units:db"},
  {SW_PORT_OUTPUT_DB, CTRL_IN, "output", "Output gain", 0, SW_LV2_OUT_DB_MIN, SW_LV2_OUT_DB_MAX, "units:unit units:db"},
  {SW_PORT_BYPASS, CTRL_IN, "bypass", "Bypass", 0, 0, 1, "lv2:portProperty lv2:toggled"},
  {SW_PORT_WIDTH, CTRL_OUT, "width", "Channels in use", 0, 0, 256,
   "lv2:portProperty lv2:integer ; rdfs:comment \"Channels of the first layer array of the width playing (0: no model)\""},
  {SW_PORT_LATENCY, CTRL_OUT, "latency", "Latency", 0, 0, 0,
   "lv2:designation lv2:latency ; lv2:portProperty lv2:reportsLatency , lv2:integer"},
  {SW_PORT_NONFINITE, CTRL_OUT, "nonfinite", "Bad input samples", 0, 0, 16777216,
   "lv2:portProperty lv2:integer ; rdfs:comment \"NaN or infinite input samples replaced by 0 since activation\""},
  {SW_PORT_CONTROL, ATOM_IN, "control", "Control", 0, 0, 0,
   "atom:bufferType atom:Sequence ; atom:supports patch:Message ; lv2:designation lv2:control"},
  {SW_PORT_NOTIFY, ATOM_OUT, "notify", "Notify", 0, 0, 0,
   "atom:bufferType atom:Sequence ; atom:supports patch:Message ; lv2:designation lv2:control"},
};

bool sw_lv2_uri_ok(const char *uri) {
  const char *colon = strchr(uri, ':');
  if (!colon || colon == uri || strlen(uri) > 900) return false;
  for (const char *p = uri; *p; p++)
    if ((unsigned char)*p <= ' ' || strchr("<>\"{}|\\^`", *p)) return false;
  return true;
}

typedef struct sbuf { char *p; size_t n, cap; bool oom; } sbuf;
static void put(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(sbuf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int k = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (k < 0 || b->oom) return;
  if (b->n + (size_t)k + 1 > b->cap) {
    size_t cap = (b->n + (size_t)k + 1) * 2;
    char *p = realloc(b->p, cap);
    if (!p) { b->oom = true; return; }
    b->p = p, b->cap = cap;
  }
  va_start(ap, fmt);
  vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
  va_end(ap);
  b->n += (size_t)k;
}

/* A Turtle string literal body: quotes, backslashes and control characters escaped. */
static void put_string(sbuf *b, const char *s) {
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') put(b, "\\%c", c);
    else if (c < 0x20) put(b, "\\u%04X", c);
    else put(b, "%c", c);
  }
}

static int write_buf(const char *dir, const char *name, sbuf *b, sw_err *err) {
  char path[4200];
  if (b->oom || !b->p) return sw_fail(err, SW_ENOMEM, "out of memory");
  if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path) return sw_fail(err, SW_EOUTPUT, "%s: path too long", dir);
  int rc = sw_write_file_atomic(path, b->p, b->n, err);
  if (!rc) chmod(path, 0644); /* an installed bundle is read by every user (the atomic writer makes 0600) */
  return rc;
}

int sw_lv2_write_ttl(const char *dir, const char *uri, const char *name, bool builtin, sw_err *err) {
  if (!sw_lv2_uri_ok(uri)) return sw_fail(err, SW_EUSAGE, "\"%s\" is not a usable plugin URI (scheme:rest, no spaces, quotes or <>)", uri);
  sbuf m = {0}, t = {0};
  put(&m, "@prefix lv2: <http://lv2plug.in/ns/lv2core#> .\n@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n\n");
  put(&m, "<%s> a lv2:Plugin ;\n  lv2:binary <%s> ;\n  rdfs:seeAlso <slimwave.ttl> .\n", uri, SW_LV2_BINARY);

  put(&t, "@prefix atom: <http://lv2plug.in/ns/ext/atom#> .\n@prefix doap: <http://usefulinc.com/ns/doap#> .\n"
          "@prefix log: <http://lv2plug.in/ns/ext/log#> .\n@prefix lv2: <http://lv2plug.in/ns/lv2core#> .\n"
          "@prefix patch: <http://lv2plug.in/ns/ext/patch#> .\n@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
          "@prefix state: <http://lv2plug.in/ns/ext/state#> .\n@prefix units: <http://lv2plug.in/ns/extensions/units#> .\n"
          "@prefix urid: <http://lv2plug.in/ns/ext/urid#> .\n@prefix work: <http://lv2plug.in/ns/ext/worker#> .\n\n");
  if (!builtin)
    put(&t, "<%s>\n  a lv2:Parameter ;\n  rdfs:label \"Model\" ;\n  rdfs:comment \"A .nam file (WaveNet or SlimmableContainer)\" ;\n"
            "  rdfs:range atom:Path .\n\n", SW_LV2_MODEL_URI);
  put(&t, "<%s>\n  a lv2:Plugin , lv2:SimulatorPlugin ;\n  doap:name \"", uri);
  put_string(&t, name);
  put(&t, "\" ;\n  doap:license <https://spdx.org/licenses/MIT> ;\n"
          "  rdfs:comment \"A slimmable Neural Amp Modeler WaveNet: the slim knob trades fidelity for CPU.\" ;\n"
          "  lv2:optionalFeature lv2:hardRTCapable , log:log%s ;\n", builtin ? " , urid:map , work:schedule" : " , state:mapPath");
  if (!builtin)
    put(&t, "  lv2:requiredFeature urid:map , work:schedule ;\n  lv2:extensionData work:interface , state:interface ;\n"
            "  patch:writable <%s> ;\n", SW_LV2_MODEL_URI);
  else
    put(&t, "  lv2:extensionData work:interface ;\n");
  int n = builtin ? SW_PORT_COUNT_BUILTIN : SW_PORT_COUNT;
  for (int i = 0; i < n; i++) {
    const port_desc *p = &ports[i];
    static const char *const type[] = {"lv2:AudioPort , lv2:InputPort", "lv2:AudioPort , lv2:OutputPort",
                                       "lv2:ControlPort , lv2:InputPort", "lv2:ControlPort , lv2:OutputPort",
                                       "atom:AtomPort , lv2:InputPort", "atom:AtomPort , lv2:OutputPort"};
    put(&t, "%s [\n    a %s ;\n    lv2:index %d ;\n    lv2:symbol \"%s\" ;\n    lv2:name \"%s\"", i ? " ," : "  lv2:port",
        type[p->kind], p->index, p->sym, p->name);
    if (p->kind == CTRL_IN || (p->kind == CTRL_OUT && p->hi > p->lo))
      put(&t, " ;\n    lv2:default %g ;\n    lv2:minimum %g ;\n    lv2:maximum %g", p->def, p->lo, p->hi);
    if (p->extra) put(&t, " ;\n    %s", p->extra);
    put(&t, "\n  ]");
  }
  put(&t, " .\n");
  int rc = write_buf(dir, "manifest.ttl", &m, err);
  if (!rc) rc = write_buf(dir, "slimwave.ttl", &t, err);
  free(m.p), free(t.p);
  return rc;
}
