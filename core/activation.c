/* Activation names as written in .nam files. */
#include "activation.h"

#include <string.h>

static const struct { const char *name; sw_act_kind kind; } names[] = {
  {"Tanh", SW_ACT_TANH},         {"ReLU", SW_ACT_RELU},         {"LeakyReLU", SW_ACT_LEAKY_RELU},
  {"Sigmoid", SW_ACT_SIGMOID},   {"Hardtanh", SW_ACT_HARDTANH}, {"Identity", SW_ACT_IDENTITY},
};

const char *sw_act_name(sw_act_kind k) {
  if (k == SW_ACT_FAST_TANH) return "Tanh"; /* the fast tanh is a run-time option, stored as Tanh */
  for (size_t i = 0; i < sizeof names / sizeof *names; i++)
    if (names[i].kind == k) return names[i].name;
  return "Identity";
}

int sw_act_parse(const char *name, sw_act *out) {
  for (size_t i = 0; i < sizeof names / sizeof *names; i++)
    if (!strcmp(names[i].name, name)) {
      out->kind = names[i].kind;
      out->alpha = names[i].kind == SW_ACT_LEAKY_RELU ? 0.01f : 0.0f;
      return 0;
    }
  return -1;
}
