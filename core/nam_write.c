/* .nam writer: legacy keys for plain A1 nets (what NAM's trainer writes), 0.7 keys when a net
   needs them (per-layer kernels or activations, head kernel > 1, inactive layer 1x1), and the
   0.7 "slimmable" key on slimmable arrays; LSTM, ConvNet and Linear configs with the trainer's keys. Weights round-trip exactly (cJSON prints up to 17
   significant digits when 15 do not round-trip). */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "archs.h"
#include "atomic_file.h"
#include "nam_file.h"

static bool needs07(const sw_array_cfg *a) {
  if (a->head_kernel != 1 || !a->layer1x1) return true;
  for (int l = 1; l < a->n_layers; l++)
    if (a->layers[l].kernel != a->layers[0].kernel || a->layers[l].act.kind != a->layers[0].act.kind ||
        a->layers[l].act.alpha != a->layers[0].act.alpha || a->layers[l].gated != a->layers[0].gated)
      return true;
  return a->layers[0].act.kind == SW_ACT_LEAKY_RELU && a->layers[0].act.alpha != 0.01f;
}

static cJSON *act_json(sw_act a, bool obj) {
  if (!obj) return cJSON_CreateString(sw_act_name(a.kind));
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "type", sw_act_name(a.kind));
  if (a.kind == SW_ACT_LEAKY_RELU) cJSON_AddNumberToObject(o, "negative_slope", a.alpha);
  return o;
}

static cJSON *inactive(void) {
  cJSON *o = cJSON_CreateObject();
  cJSON_AddBoolToObject(o, "active", 0);
  cJSON_AddBoolToObject(o, "shift", 1);
  cJSON_AddNumberToObject(o, "groups", 1);
  return o;
}

static cJSON *array_json(const sw_array_cfg *a) {
  cJSON *L = cJSON_CreateObject();
  bool f07 = needs07(a);
  cJSON_AddNumberToObject(L, "input_size", a->input_size);
  cJSON_AddNumberToObject(L, "condition_size", a->condition_size);
  if (f07) {
    cJSON *h = cJSON_AddObjectToObject(L, "head");
    cJSON_AddNumberToObject(h, "out_channels", a->head_size);
    cJSON_AddNumberToObject(h, "kernel_size", a->head_kernel);
    cJSON_AddBoolToObject(h, "bias", a->head_bias);
  } else {
    cJSON_AddNumberToObject(L, "head_size", a->head_size);
  }
  cJSON_AddNumberToObject(L, "channels", a->channels);
  int *tmp = malloc(sizeof(int) * (size_t)a->n_layers);
  for (int l = 0; l < a->n_layers; l++) tmp[l] = a->layers[l].kernel;
  if (f07) cJSON_AddItemToObject(L, "kernel_sizes", cJSON_CreateIntArray(tmp, a->n_layers));
  else cJSON_AddNumberToObject(L, "kernel_size", a->layers[0].kernel);
  for (int l = 0; l < a->n_layers; l++) tmp[l] = a->layers[l].dilation;
  cJSON_AddItemToObject(L, "dilations", cJSON_CreateIntArray(tmp, a->n_layers));
  free(tmp);
  if (f07) {
    cJSON *acts = cJSON_AddArrayToObject(L, "activation");
    for (int l = 0; l < a->n_layers; l++) cJSON_AddItemToArray(acts, act_json(a->layers[l].act, true));
    cJSON *gm = cJSON_AddArrayToObject(L, "gating_mode");
    cJSON *sec = cJSON_AddArrayToObject(L, "secondary_activation");
    for (int l = 0; l < a->n_layers; l++) {
      cJSON_AddItemToArray(gm, cJSON_CreateString(a->layers[l].gated ? "gated" : "none"));
      cJSON_AddItemToArray(sec, a->layers[l].gated ? act_json((sw_act){SW_ACT_SIGMOID, 0}, true) : cJSON_CreateNull());
    }
    cJSON_AddNumberToObject(L, "bottleneck", a->channels);
    cJSON *h1 = cJSON_AddObjectToObject(L, "head1x1");
    cJSON_AddBoolToObject(h1, "active", 0);
    cJSON_AddNumberToObject(h1, "out_channels", a->head_size);
    cJSON_AddNumberToObject(h1, "groups", 1);
    cJSON *l1 = cJSON_AddObjectToObject(L, "layer1x1");
    cJSON_AddBoolToObject(l1, "active", a->layer1x1);
    cJSON_AddNumberToObject(l1, "groups", 1);
    cJSON_AddNumberToObject(L, "groups_input", 1);
    cJSON_AddNumberToObject(L, "groups_input_mixin", 1);
    static const char *const films[] = {"conv_pre_film", "conv_post_film", "input_mixin_pre_film",
                                        "input_mixin_post_film", "activation_pre_film", "activation_post_film",
                                        "layer1x1_post_film", "head1x1_post_film"};
    for (size_t i = 0; i < sizeof films / sizeof *films; i++) cJSON_AddItemToObject(L, films[i], inactive());
  } else {
    cJSON_AddItemToObject(L, "activation", act_json(a->layers[0].act, false));
    cJSON_AddBoolToObject(L, "gated", a->layers[0].gated);
    cJSON_AddBoolToObject(L, "head_bias", a->head_bias);
  }
  if (a->slimmable) {
    cJSON *s = cJSON_AddObjectToObject(L, "slimmable");
    cJSON_AddStringToObject(s, "method", "slice_channels_uniform");
    cJSON *kw = cJSON_AddObjectToObject(s, "kwargs");
    cJSON_AddItemToObject(kw, "allowed_channels", cJSON_CreateIntArray(a->allowed, a->n_allowed));
  } else if (f07) {
    cJSON_AddNullToObject(L, "slimmable");
  }
  return L;
}

static int add_meta(cJSON *root, const sw_meta *m) {
  if (!m->json) return 0;
  cJSON *md = cJSON_Parse(m->json);
  if (!md) return -1;
  cJSON_AddItemToObject(root, "metadata", md);
  return 0;
}

/* The config of an LSTM, ConvNet or Linear, with the keys NAM's trainer writes. */
static cJSON *arch_config(const sw_net *net) {
  cJSON *cfg = cJSON_CreateObject();
  if (net->arch == SW_ARCH_LSTM) {
    cJSON_AddNumberToObject(cfg, "input_size", net->lstm.input_size);
    cJSON_AddNumberToObject(cfg, "hidden_size", net->lstm.hidden_size);
    cJSON_AddNumberToObject(cfg, "num_layers", net->lstm.num_layers);
  } else if (net->arch == SW_ARCH_CONVNET) {
    const sw_convnet_cfg *c = &net->convnet;
    sw_act a = c->act;
    cJSON_AddNumberToObject(cfg, "channels", c->channels);
    cJSON_AddItemToObject(cfg, "dilations", cJSON_CreateIntArray(c->dilations, c->n_blocks));
    cJSON_AddBoolToObject(cfg, "batchnorm", c->batchnorm);
    cJSON_AddItemToObject(cfg, "activation", act_json(a, a.kind == SW_ACT_LEAKY_RELU && a.alpha != 0.01f));
  } else {
    cJSON_AddNumberToObject(cfg, "receptive_field", net->linear.receptive_field);
    cJSON_AddBoolToObject(cfg, "bias", net->linear.bias);
  }
  return cfg;
}

static cJSON *net_json(const sw_net *net, const char *version) {
  cJSON *root = cJSON_CreateObject();
  if (net->arch != SW_ARCH_WAVENET) {
    cJSON_AddStringToObject(root, "version", version);
    add_meta(root, &net->meta);
    cJSON_AddStringToObject(root, "architecture", sw_arch_name(net->arch));
    cJSON_AddItemToObject(root, "config", arch_config(net));
  } else {
    bool any07 = false, slim = false;
    for (int i = 0; i < net->n_arrays; i++) {
      any07 |= needs07(&net->arrays[i]);
      slim |= net->arrays[i].slimmable;
    }
    /* NAM Core reads 0.7 keys only from 0.7 files. */
    const char *v = (any07 || slim) && strncmp(version, "0.7", 3) ? "0.7.0" : version;
    cJSON_AddStringToObject(root, "version", v);
    add_meta(root, &net->meta);
    cJSON_AddStringToObject(root, "architecture", "WaveNet");
    cJSON *cfg = cJSON_AddObjectToObject(root, "config");
    cJSON *layers = cJSON_AddArrayToObject(cfg, "layers");
    for (int i = 0; i < net->n_arrays; i++) cJSON_AddItemToArray(layers, array_json(&net->arrays[i]));
    cJSON_AddNullToObject(cfg, "head");
    cJSON_AddNumberToObject(cfg, "head_scale", net->head_scale);
  }
  cJSON *w = cJSON_AddArrayToObject(root, "weights");
  for (long k = 0; k < net->nw; k++) cJSON_AddItemToArray(w, cJSON_CreateNumber(net->w[k]));
  cJSON_AddNumberToObject(root, "sample_rate", net->sample_rate);
  return root;
}

char *sw_model_to_json(const sw_model *m, sw_err *err) {
  cJSON *root;
  if (m->container) {
    root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "version", m->version[0] ? m->version : "0.7.0");
    cJSON_AddStringToObject(root, "architecture", "SlimmableContainer");
    cJSON *subs = cJSON_AddArrayToObject(cJSON_AddObjectToObject(root, "config"), "submodels");
    for (int i = 0; i < m->n_sub; i++) {
      cJSON *s = cJSON_CreateObject();
      cJSON_AddNumberToObject(s, "max_value", m->max_value[i]);
      cJSON_AddItemToObject(s, "model", net_json(&m->sub[i], m->sub[i].version));
      cJSON_AddItemToArray(subs, s);
    }
    add_meta(root, &m->meta);
  } else {
    root = net_json(&m->sub[0], m->sub[0].version[0] ? m->sub[0].version : "0.5.4");
  }
  char *text = cJSON_PrintUnformatted(root);
  cJSON_Delete(root);
  if (!text) sw_fail(err, SW_ENOMEM, "out of memory writing JSON");
  return text;
}

int sw_model_save(const sw_model *m, const char *path, sw_err *err) {
  char *text = sw_model_to_json(m, err);
  if (!text) return SW_ENOMEM;
  int rc = sw_write_file_atomic(path, text, strlen(text), err);
  free(text);
  return rc;
}

int sw_model_from_net(const sw_net *net, sw_model *out, sw_err *err) {
  memset(out, 0, sizeof *out);
  sw_meta_init(&out->meta);
  out->sub = calloc(1, sizeof *out->sub);
  if (!out->sub) return sw_fail(err, SW_ENOMEM, "out of memory");
  int rc = sw_net_copy(net, &out->sub[0], err);
  if (rc) { free(out->sub); out->sub = NULL; return rc; }
  out->n_sub = 1;
  snprintf(out->version, sizeof out->version, "%s", net->version);
  return SW_OK;
}
