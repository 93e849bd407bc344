/* Error reporting for library code: functions return a status and fill an sw_err with one line
   that names the file and the problem. Library code never prints or exits; programs decide. */
#ifndef SW_ERR_H
#define SW_ERR_H

/* Status codes double as the CLI's exit codes (documented in README.md). */
enum {
  SW_OK = 0,
  SW_EFAIL = 1,   /* runtime failure not covered below */
  SW_EUSAGE = 2,  /* bad command-line arguments */
  SW_EINPUT = 3,  /* an input file is unreadable, malformed or refused */
  SW_EOUTPUT = 4, /* an output file could not be written */
  SW_ECHECK = 5,  /* a data check failed (datasets) */
  SW_ENOMEM = 6,  /* allocation failed */
};

typedef struct sw_err {
  int code;
  char msg[512];
} sw_err;

/* Sets err (if non-NULL) and returns code, so callers can `return sw_fail(err, SW_EINPUT, ...)`. */
int sw_fail(sw_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
