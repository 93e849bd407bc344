/* Provenance of a results folder: git commit, date, CPU, compiler, library versions, dataset
   hashes and the command line, as JSON, so every figure says where it came from. */
#ifndef SW_PROVENANCE_H
#define SW_PROVENANCE_H

#include "../core/err.h"

/* Writes path atomically. manifests: dataset manifest paths (their provenance and sha256s are
   embedded), may be empty. */
int sw_provenance_write(const char *path, int argc, char **argv, const char *const *manifests, int n_manifests, sw_err *err);
/* "abc1234" (+"-dirty") or "unknown": the source tree's git commit, read at run time. */
void sw_git_commit(char *buf, int len);

#endif
