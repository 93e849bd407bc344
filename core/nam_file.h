/* Reading and writing .nam files (JSON, cJSON): versions 0.5.x to 0.7.x, the legacy and 0.7
   config forms, SlimmableContainer. SPEC section 2. */
#ifndef SW_NAM_FILE_H
#define SW_NAM_FILE_H

#include "model.h"

/* The reader's byte budget, checked before parsing (a valid-looking file must not make it
   allocate without bound): a file of at most SW_MAX_FILE_BYTES, and its text, string copies, JSON
   tree and weights within SW_MAX_LOAD_BYTES. A file of SW_MAX_WEIGHTS weights written with 17
   digits each takes about 250 MiB; running a model takes at most SW_MAX_STATE_BYTES more. */
#define SW_MAX_FILE_BYTES (192L << 20)
#define SW_MAX_LOAD_BYTES (384L << 20)

/* path names the file in messages. */
int sw_model_load(const char *path, sw_model *out, sw_err *err);
int sw_model_parse(const char *text, size_t len, const char *path, sw_model *out, sw_err *err);

/* Writes atomically (temporary file, then rename). A plain model writes net sub[0]. Slimmable
   arrays (net->arrays[i].slimmable) carry the 0.7 "slimmable" key. */
int sw_model_save(const sw_model *m, const char *path, sw_err *err);
/* The JSON text (malloc'ed) of a model. */
char *sw_model_to_json(const sw_model *m, sw_err *err);
/* Wraps one net as a plain model (deep copy). */
int sw_model_from_net(const sw_net *net, sw_model *out, sw_err *err);

#endif
