/* Recipes (datasets/recipes/NAME.json) and building datasets into the cache, with the manifest
   and its provenance; reuse when the recipe, its inputs and the tool versions are unchanged. */
#ifndef SW_RECIPE_H
#define SW_RECIPE_H

#include "dataset.h"
#include "datasets.h"

#define SW_MAX_STAGES 8

typedef struct sw_recipe {
  char name[128], description[512], tone[32];
  int pair;                   /* 1: a recorded input/output pair; 0: a device on the capture signal */
  /* device on the capture signal */
  char di[4096], di_exclude[512];
  double seconds;             /* 0: 190 */
  uint64_t seed;
  sw_stage st[SW_MAX_STAGES];
  int nst;
  /* recorded pair */
  char input[4096], output[4096];
  double val_fraction;        /* validation = the last fraction (default 0.3) */
  char layout[16];            /* "nam-v3" or "custom" (pairs) */
  char override[128];         /* checks accepted although they fail */
  int resample;
  int needs_shared;           /* paths use $SHARED/ */
  char *json;                 /* the recipe text, hashed into the cache key */
} sw_recipe;

int sw_parse_set(const char *s, sw_lv2_set *out, sw_err *err);
/* NAME (datasets/recipes/NAME.json) or a path to a .json file. */
int sw_recipe_load(const char *name_or_path, sw_recipe *r, sw_err *err);
int sw_recipe_parse(const char *text, const char *what, sw_recipe *r, sw_err *err);
void sw_recipe_free(sw_recipe *r);
/* The built-in recipe names, sorted; returns the count (at most max). */
int sw_recipe_list(char (*names)[128], int max);
const char *sw_recipe_dir(void);
const char *sw_cache_dir(void);

typedef struct sw_build_opts {
  const char *cache;          /* NULL: $SLIMWAVE_DATASET_CACHE or datasets/cache */
  const char *out_dir;        /* exact folder (overrides cache/name) */
  double seconds;             /* 0: the recipe's */
  int force;
  const char *override;       /* extra checks to accept */
} sw_build_opts;

typedef struct sw_build_result {
  char dir[4096], manifest[4096], key[65];
  int reused, skipped;        /* skipped: needs ../shared, which is absent */
  char why[512];
  sw_check_report checks;
  double seconds;
  double target_gain_db;      /* a rendered device's output above full scale was scaled by this (0: not) */
  double device_peak;         /* ... from this peak */
} sw_build_result;

int sw_recipe_build(const sw_recipe *r, const sw_build_opts *o, sw_build_result *res, sw_err *err);

/* Manifest writing (manifest.c): the fields of datasets/README.md. */
typedef struct sw_manifest_out {
  const char *name, *input, *output, *layout, *override;
  int rate;
  long latency, delay;        /* the applied shift and the raw blip delay (delay < -1e9: none) */
  long train[2], val[2];
  double target_gain_db;      /* written when nonzero: the output is the device's times this gain */
  const char *source_json;    /* a JSON object (text) */
  const char *provenance_json;/* a JSON object (text) */
} sw_manifest_out;
int sw_manifest_write(const char *path, const sw_manifest_out *m, sw_err *err);

/* Loader with options (sw_dataset_load uses the defaults). */
typedef struct sw_load_opts {
  const char *override;       /* checks to accept in addition to the manifest's */
  int resample;               /* resample audio whose rate differs from the manifest's */
  int verify_hash;            /* compare sha256 with the manifest's (default on in sw_dataset_load) */
} sw_load_opts;
typedef struct sw_load_report {
  sw_check_report checks;
  char warn[512];             /* e.g. a multichannel file */
} sw_load_report;
int sw_dataset_load_ex(const char *manifest, const sw_load_opts *o, sw_dataset *out, sw_load_report *rep, sw_err *err);

#endif
