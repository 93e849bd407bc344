/* Provenance of a results folder: git commit, date, CPU, compiler, library versions, dataset
   hashes and the command line, as JSON, so every figure says where it came from. */
#ifndef SW_PROVENANCE_H
#define SW_PROVENANCE_H

#include "../core/err.h"

/* Writes path atomically. manifests: dataset manifest paths (their provenance and sha256s are
   embedded), may be empty. stamps: the cells' stamps (sw_stamp_write), embedded under "cells"
   with the distinct commits under "cell_commits" and CPU models under "cell_cpus": a resumed
   sweep's cells may come from older commits, and other machines, than the one collecting them. */
int sw_provenance_write(const char *path, int argc, char **argv, const char *const *manifests, int n_manifests,
                        const char *const *stamps, int n_stamps, sw_err *err);
/* The stamp of a cell's rows (rows/CELL.csv -> rows/CELL.stamp.json): the commit this program was
   built from (the code that produced them; the tree's HEAD when unknown), the date, the CPU model
   and usable features, the default backend and the compiler, written atomically. A binary copied aside for a long run keeps its own commit while the tree moves on. */
void sw_stamp_path(const char *rows_path, char *buf, int len);
int sw_stamp_write(const char *rows_path, sw_err *err);
/* The distinct CPU models in the stamps of the cells whose stamp path contains part (e.g.
   "/bench__"), read from the provenance file at path, "; "-separated into buf; returns how many
   (0 when the file or its stamps are absent). A stamp without one counts as "an unrecorded CPU". */
int sw_provenance_cell_cpus(const char *path, const char *part, char *buf, int len);
/* "abc1234" (+"-dirty") or "unknown": the source tree's git commit, read at run time. */
void sw_git_commit(char *buf, int len);

#endif
