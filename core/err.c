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
    err->code = code;
  }
  return code;
}
