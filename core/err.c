/* sw_fail: fill an sw_err and pass its code through. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>

int sw_fail(sw_err *err, int code, const char *fmt, ...) {
  if (err) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    /* Messages quote names from untrusted files: keep them one line, with no terminal escapes. */
    for (char *p = err->msg; *p; p++)
      if ((unsigned char)*p < 0x20 || *p == 0x7f) *p = '?';
    err->code = code;
  }
  return code;
}
