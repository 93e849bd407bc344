/* fork/exec with optional stdout capture (see spawn.h). */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../core/atomic_file.h"

const char *sw_self_exe(void) {
  static char buf[4096];
  if (!buf[0]) {
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) snprintf(buf, sizeof buf, "slimwave");
    else buf[n] = 0;
  }
  return buf;
}

/* The running child, to which a stop request sent to this process alone (kill PID, a scheduler's
   SIGTERM) is passed on: a trainer then checkpoints and exits instead of training on, orphaned.
   Once the child has ended, this process takes the signal itself (it does not go on to the next
   step or cell). */
static volatile sig_atomic_t child_pid, stop_sig;
static void forward(int sig) {
  stop_sig = sig;
  if (child_pid > 0) kill((pid_t)child_pid, sig);
}
static const int forwarded[] = {SIGTERM, SIGINT, SIGHUP};

int sw_child_run(char *const argv[], const char *out_path, sw_err *err) {
  char tmp[4096] = "";
  int fd = -1;
  if (out_path) {
    if (sw_atomic_tmpname(out_path, tmp, sizeof tmp, err)) return -1;
    fd = open(tmp, O_WRONLY | O_TRUNC);
    if (fd < 0) { remove(tmp); sw_fail(err, SW_EOUTPUT, "%s: cannot write: %s", out_path, strerror(errno)); return -1; }
  }
  fflush(stdout);
  fflush(stderr);
  /* blocked until the forwarding is in place, so none falls between fork and sigaction */
  sigset_t stop, mask;
  sigemptyset(&stop);
  for (int i = 0; i < 3; i++) sigaddset(&stop, forwarded[i]);
  sigprocmask(SIG_BLOCK, &stop, &mask);
  pid_t pid = fork();
  if (pid < 0) {
    if (fd >= 0) { close(fd); remove(tmp); }
    sw_fail(err, SW_EFAIL, "cannot start %s: %s", argv[0], strerror(errno));
    sigprocmask(SIG_SETMASK, &mask, NULL);
    return -1;
  }
  if (pid == 0) {
    sigprocmask(SIG_SETMASK, &mask, NULL);
    if (fd >= 0) { dup2(fd, 1); close(fd); }
    execvp(argv[0], argv);
    fprintf(stderr, "slimwave: cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  if (fd >= 0) close(fd);
  struct sigaction fw = {.sa_handler = forward, .sa_flags = SA_RESTART}, old[3];
  sigemptyset(&fw.sa_mask);
  child_pid = pid;
  for (int i = 0; i < 3; i++) sigaction(forwarded[i], &fw, &old[i]);
  sigprocmask(SIG_SETMASK, &mask, NULL);
  int st = 0;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
  sigprocmask(SIG_BLOCK, &stop, NULL);
  child_pid = 0;
  for (int i = 0; i < 3; i++) sigaction(forwarded[i], &old[i], NULL);
  int sig = stop_sig;
  stop_sig = 0;
  if (sig) raise(sig); /* pending until the mask is restored */
  sigprocmask(SIG_SETMASK, &mask, NULL);
  int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
  if (out_path) {
    if (code == 0) { if (sw_atomic_rename(tmp, out_path, err)) return -1; }
    else remove(tmp);
  }
  if (code) sw_fail(err, SW_EFAIL, "%s exited with code %d", argv[0], code);
  return code;
}
