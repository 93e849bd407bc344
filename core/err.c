/* sw_fail: fill an sw_err and pass its code through. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int sw_fail(sw_err *err, int code, const char *fmt, ...) {
  if (err) {
    char buf[sizeof err->msg]; /* the arguments may quote err->msg itself (wrapping a callee's error) */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    memcpy(err->msg, buf, sizeof buf);
    /* Messages quote names from untrusted files: keep them one line, with no terminal escapes. */
    for (char *p = err->msg; *p; p++)
      if ((unsigned char)*p < 0x20 || *p == 0x7f) *p = '?';
    err->code = code;
  }
  return code;
}
