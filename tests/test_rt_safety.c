/* Real-time safety of sw_runner_process (sw_wavenet_process for a WaveNet; the LSTM, ConvNet and
   Linear runtimes): no allocation, no lock and no system call inside it, for every usable backend,
   at several widths and block sizes (split blocks included).
   - allocations: malloc & co. are interposed in this binary (ASan builds: the sanitizer's
     allocation hooks instead), counted only while process runs; free counts too.
   - locks: pthread mutex/rwlock/spin/sem/cond entry points interposed the same way (this binary
     exports them, so calls from shared libraries such as OpenBLAS land here too).
   - system calls: a forked child builds the model, then installs a seccomp filter that traps
     every system call but exit, and runs process; the trap handler reports the call's number.
   Each checker is first shown to catch a deliberate violation, so the test can fail. */
#include <dlfcn.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../core/nam_file.h"
#include "../backends/cpu.h"
#include "../core/runner.h"
#include "check.h"

static volatile int counting;
static long n_alloc, n_free, n_lock;
#define BUMP(x) do { if (counting) __atomic_add_fetch(&(x), 1, __ATOMIC_RELAXED); } while (0)

/* ---- allocation counting ---- */
#if defined(__SANITIZE_ADDRESS__)
#define SW_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SW_ASAN 1
#endif
#endif

#ifdef SW_ASAN
/* from <sanitizer/allocator_interface.h>, which gcc does not install (its libasan has the call) */
int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void *, size_t),
                                              void (*free_hook)(const volatile void *));
static void on_malloc(const volatile void *p, size_t n) { (void)p; (void)n; BUMP(n_alloc); }
static void on_free(const volatile void *p) { if (p) BUMP(n_free); }
static void alloc_hooks_init(void) { __sanitizer_install_malloc_and_free_hooks(on_malloc, on_free); }
#else
/* glibc supports replacing malloc: its own internal calls come here too. */
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);
void *malloc(size_t n) { BUMP(n_alloc); return __libc_malloc(n); }
void *calloc(size_t a, size_t b) { BUMP(n_alloc); return __libc_calloc(a, b); }
void *realloc(void *p, size_t n) { BUMP(n_alloc); return __libc_realloc(p, n); }
void free(void *p) { if (p) BUMP(n_free); __libc_free(p); }
void *memalign(size_t al, size_t n) { BUMP(n_alloc); return __libc_memalign(al, n); }
void *aligned_alloc(size_t al, size_t n) { BUMP(n_alloc); return __libc_memalign(al, n); }
void *valloc(size_t n) { BUMP(n_alloc); return __libc_memalign((size_t)sysconf(_SC_PAGESIZE), n); }
void *pvalloc(size_t n) {
  size_t pg = (size_t)sysconf(_SC_PAGESIZE);
  BUMP(n_alloc);
  return __libc_memalign(pg, (n + pg - 1) / pg * pg);
}
int posix_memalign(void **out, size_t al, size_t n) {
  if (al % sizeof(void *) || (al & (al - 1))) return EINVAL;
  BUMP(n_alloc);
  void *p = __libc_memalign(al, n);
  if (!p && n) return ENOMEM;
  *out = p;
  return 0;
}
static void alloc_hooks_init(void) {}
#endif

/* ---- lock counting: forward to the real functions found once, before counting starts ---- */
#define REAL(ret, name, params, args)                                          \
  static ret(*real_##name) params;                                             \
  ret name params {                                                            \
    BUMP(n_lock);                                                              \
    if (!real_##name) *(void **)&real_##name = dlsym(RTLD_NEXT, #name); /* before main */ \
    return real_##name args;                                                   \
  }
REAL(int, pthread_mutex_lock, (pthread_mutex_t * m), (m))
REAL(int, pthread_mutex_trylock, (pthread_mutex_t * m), (m))
REAL(int, pthread_rwlock_rdlock, (pthread_rwlock_t * l), (l))
REAL(int, pthread_rwlock_wrlock, (pthread_rwlock_t * l), (l))
REAL(int, pthread_spin_lock, (pthread_spinlock_t * l), (l))
REAL(int, sem_wait, (sem_t * s), (s))
REAL(int, pthread_cond_wait, (pthread_cond_t * c, pthread_mutex_t *m), (c, m))

static int lock_hooks_init(void) {
#define FIND(name) if (!(*(void **)&real_##name = dlsym(RTLD_NEXT, #name))) return -1
  FIND(pthread_mutex_lock); FIND(pthread_mutex_trylock); FIND(pthread_rwlock_rdlock);
  FIND(pthread_rwlock_wrlock); FIND(pthread_spin_lock); FIND(sem_wait); FIND(pthread_cond_wait);
  return 0;
}

/* ---- system calls: seccomp in a child ---- */
static volatile long *trapped; /* shared page: [0] = syscall number caught */

static void on_sigsys(int sig, siginfo_t *si, void *ctx) {
  (void)sig; (void)ctx;
  trapped[0] = si->si_syscall;
  syscall(SYS_exit_group, 42); /* allowed by the filter */
}

/* Everything but exit/exit_group traps (SIGSYS). */
static int seccomp_lock_down(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_sigsys;
  sa.sa_flags = SA_SIGINFO;
  if (sigaction(SIGSYS, &sa, NULL)) return -1;
  struct sock_filter f[] = {
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_exit_group, 2, 0),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_exit, 1, 0),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = {.len = sizeof f / sizeof *f, .filter = f};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) return -1;
  return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

/* Runs fn(arg) in a child under the filter (set up by fn through lock_down). Returns -1 when
   clean, the trapped system call number, or -2 when the child failed otherwise. */
typedef void (*child_fn)(const void *arg);
static long run_sealed(child_fn fn, const void *arg) {
  trapped[0] = -1;
  pid_t pid = fork();
  if (pid < 0) return -2;
  if (pid == 0) {
    fn(arg);
    syscall(SYS_exit_group, 0); /* no atexit handlers (sanitizers' reports make system calls) */
  }
  int st;
  if (waitpid(pid, &st, 0) != pid) return -2;
  if (WIFEXITED(st) && WEXITSTATUS(st) == 0) return -1;
  if (WIFEXITED(st) && WEXITSTATUS(st) == 42) return trapped[0];
  return -2;
}

static int seccomp_usable = 1;
static int alloc_counting_usable = 1; /* valgrind replaces malloc before our definitions */

static void child_violation(const void *arg) {
  (void)arg;
  if (seccomp_lock_down()) syscall(SYS_exit_group, 7);
  syscall(SYS_getppid); /* must be caught */
}

/* ---- models ---- */
/* A 2-array model in the 0.7 form: a gated layer, LeakyReLU, head kernel 4 with bias, no 1x1
   in the second array, slimmable. Weights from a fixed generator. */
static char *make_model_json(void) {
  static const char *cfg =
    "{\"version\":\"0.7.0\",\"architecture\":\"WaveNet\",\"sample_rate\":48000,\"config\":{\"layers\":["
    "{\"input_size\":1,\"condition_size\":1,\"channels\":8,\"head\":{\"out_channels\":4,\"kernel_size\":4,\"bias\":true},"
    "\"kernel_sizes\":[3,3,2],\"dilations\":[1,8,64],\"activation\":[\"Tanh\",{\"type\":\"LeakyReLU\",\"negative_slope\":0.1},\"Tanh\"],"
    "\"gating_mode\":[\"none\",\"gated\",\"none\"],\"slimmable\":{\"method\":\"slice_channels_uniform\",\"kwargs\":{\"allowed_channels\":[2,4,8]}}},"
    "{\"input_size\":8,\"condition_size\":1,\"channels\":4,\"head\":{\"out_channels\":1,\"kernel_size\":1,\"bias\":false},"
    "\"kernel_sizes\":[2,2],\"dilations\":[2,512],\"activation\":\"Tanh\",\"layer1x1\":{\"active\":false,\"groups\":1},"
    "\"slimmable\":{\"method\":\"slice_channels_uniform\",\"kwargs\":{\"allowed_channels\":[1,2,4]}}}"
    "],\"head\":null},\"weights\":[";
  /* The weight count comes from the loader itself: parse once with one weight and read the
     count it asks for from the message. */
  sw_model m;
  sw_err err;
  size_t len = strlen(cfg) + 16;
  char *js = malloc(len);
  snprintf(js, len, "%s0]}", cfg);
  long want = 0;
  if (sw_model_parse(js, strlen(js), "rt.nam", &m, &err) == 0) { sw_model_free(&m); free(js); return NULL; }
  const char *p = strstr(err.msg, "needs ");
  if (!p || sscanf(p, "needs %ld", &want) != 1) { fprintf(stderr, "%s\n", err.msg); free(js); return NULL; }
  free(js);
  len = strlen(cfg) + (size_t)want * 12 + 16;
  js = malloc(len);
  size_t n = (size_t)snprintf(js, len, "%s", cfg);
  unsigned s = 12345;
  for (long i = 0; i < want; i++) {
    s = s * 1103515245u + 12345u;
    double w = i == want - 1 ? 0.5 : ((s >> 8) % 2001 - 1000) / 4000.0;
    n += (size_t)snprintf(js + n, len - n, "%s%.4f", i ? "," : "", w);
  }
  snprintf(js + n, len - n, "]}");
  return js;
}

typedef struct job {
  const sw_net *net;
  const sw_backend *be;
  const char *name;
  double slim; /* sealed runs: the one width the child runs at */
} job;

static const int blocks[] = {1, 7, 64, 256, 300, 1000};
static const double slims[] = {1.0, 0.0, 0.5};

/* Unsealed: process at three widths, counting allocations and locks. Sealed (in a child): set
   the width (which may rebuild plans), install the filter, then process. */
static void exercise(const job *j, int sealed, long *allocs, long *frees, long *locks) {
  sw_run_opts o = {.backend = j->be, .max_block = 256};
  sw_runner *wn;
  sw_err err;
  if (sw_runner_create(j->net, &o, &wn, &err)) {
    if (sealed) syscall(SYS_exit_group, 9);
    CHECK(0, "%s [%s]: create: %s", j->name, j->be->name, err.msg);
    return;
  }
  static float x[2048], y[2048];
  for (int t = 0; t < 2048; t++) x[t] = 0.3f * (float)((t * 37 % 101) - 50) / 50.0f;
  for (int k = 0; k < (sealed ? 1 : 3); k++) {
    if (sw_runner_set_slim(wn, sealed ? j->slim : slims[k], &err)) {
      if (sealed) syscall(SYS_exit_group, 9);
      CHECK(0, "%s: set_slim: %s", j->name, err.msg);
      break;
    }
    if (sealed && seccomp_lock_down()) syscall(SYS_exit_group, 7);
    long a0 = n_alloc, f0 = n_free, l0 = n_lock;
    counting = 1;
    for (size_t b = 0; b < sizeof blocks / sizeof *blocks; b++) sw_runner_process(wn, x, y, blocks[b]);
    counting = 0;
    if (allocs) { *allocs += n_alloc - a0; *frees += n_free - f0; *locks += n_lock - l0; }
  }
  if (!sealed) sw_runner_free(wn);
}

static void child_job(const void *arg) { exercise((const job *)arg, 1, NULL, NULL, NULL); }

/* Known violations inside third-party libraries that a backend wraps, reported on every run
   (as KNOWN) but not failed; everything else fails. Remove an entry once its backend is clean.
   avx512: only on CPUs with usable AVX-512, where the libraries pick other kernels (found with gdb
   breakpoints on malloc and pthread_mutex_lock while counting). */
typedef struct exempt {
  const char *backend;
  bool avx512, allocs, locks;
  const char *why;
} exempt;
static const exempt exempts[] = {
  /* the scratchpad is ours (user mode); the argument map is not: 2.6 has no other execute call */
  {"onednn", false, true, false, "oneDNN 2.6's dnnl_primitive_execute builds a std::unordered_map of the arguments (operator new) on every call"},
  {"onednn", true, false, true, "on AVX-512 CPUs oneDNN 2.6's kernels lock a library mutex inside dnnl_primitive_execute (under its parallel())"},
  {"blas", true, true, false, "on AVX-512 CPUs OpenBLAS 0.3.21's cblas_sgemm takes its small-matrix kernel (sgemm_small_kernel_nn_SKYLAKEX), which mallocs on every call"},
};

static void check_job(const job *j) {
  long a = 0, f = 0, l = 0;
  exercise(j, 0, &a, &f, &l);
  const sw_cpu *cpu = sw_cpu_get();
  bool ok_allocs = false, ok_locks = false;
  for (size_t i = 0; i < sizeof exempts / sizeof *exempts; i++) {
    const exempt *ex = &exempts[i];
    if (strcmp(ex->backend, j->be->name) || (ex->avx512 && !(cpu->avx512f && cpu->os_zmm))) continue;
    ok_allocs |= ex->allocs;
    ok_locks |= ex->locks;
    if ((ex->allocs && (a || f)) || (ex->locks && l))
      printf("KNOWN %s [%s]: %ld allocations, %ld locks inside process: %s\n", j->name, j->be->name, a, l, ex->why);
  }
  if (alloc_counting_usable && !ok_allocs) CHECK(a == 0 && f == 0, "%s [%s]: %ld allocations, %ld frees inside process", j->name, j->be->name, a, f);
  if (!ok_locks) CHECK(l == 0, "%s [%s]: %ld lock calls inside process", j->name, j->be->name, l);
  if (alloc_counting_usable) printf("%-30s %-8s allocations %ld, frees %ld, locks %ld", j->name, j->be->name, a, f, l);
  else printf("%-30s %-8s allocations not counted, locks %ld", j->name, j->be->name, l);
  if (!seccomp_usable) { printf(", system calls: not checked\n"); return; }
  long bad = -1;
  for (int k = 0; k < 3 && bad == -1; k++) {
    job js = *j;
    js.slim = slims[k];
    bad = run_sealed(child_job, &js);
  }
  /* a backend exempt for its allocations may make the allocator's own calls (ASan's allocator
     maps fresh memory where glibc reuses a freed chunk) */
  bool mm = bad == SYS_mmap || bad == SYS_munmap || bad == SYS_brk || bad == SYS_madvise || bad == SYS_mremap;
  long known = ok_allocs && mm ? bad : -1;
  if (known >= 0) bad = -1;
  CHECK(bad == -1, "%s [%s]: %s %ld inside process", j->name, j->be->name,
        bad == -2 ? "child failed," : "system call", bad);
  if (known >= 0) printf(", system calls: %ld, KNOWN (the allocator serving the allocations above)\n", known);
  else printf(", system calls %s\n", bad == -1 ? "none" : "SEEN");
}

static int under_valgrind(void) {
  const char *p = getenv("LD_PRELOAD");
  return p && strstr(p, "vgpreload");
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  alloc_hooks_init();
  CHECK(lock_hooks_init() == 0, "cannot find the real pthread functions");
  trapped = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  CHECK(trapped != MAP_FAILED, "mmap");
  if (sw_t_fail) return check_summary();

  /* The checkers catch violations. */
  counting = 1;
  void *volatile p = malloc(24);
  free(p);
  pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
  pthread_mutex_lock(&mu);
  pthread_mutex_unlock(&mu);
  counting = 0;
  CHECK(n_lock == 1, "lock counter missed a pthread_mutex_lock (%ld)", n_lock);
  if (under_valgrind()) {
    seccomp_usable = alloc_counting_usable = 0;
    printf("under valgrind: allocation and system-call checks skipped (it replaces malloc; its own calls would trap)\n");
  } else {
    CHECK(n_alloc == 1 && n_free == 1, "allocation counter missed a malloc/free (%ld, %ld)", n_alloc, n_free);
    long r = run_sealed(child_violation, NULL);
    if (r == -2) {
      seccomp_usable = 0;
      printf("seccomp filters unavailable here: system-call check skipped\n");
    } else {
      CHECK(r == SYS_getppid, "seccomp check missed a getppid() (got %ld)", r);
    }
  }
  n_alloc = n_free = n_lock = 0;

  sw_model models[8];
  const char *names[8];
  int nm = 0;
  sw_err err;
  char *js = make_model_json();
  CHECK(js != NULL, "could not build the test model");
  if (js) {
    int rc = sw_model_parse(js, strlen(js), "rt.nam", &models[nm], &err);
    CHECK(rc == 0, "test model: %s", err.msg);
    if (!rc) names[nm++] = "generated 2-array gated";
    free(js);
  }
  /* NAM's other architectures (the LSTM comes from ../shared, in a container with WaveNets) */
  static const char *const other[][2] = {
    {"ConvNet bn", "{\"version\":\"0.5.4\",\"architecture\":\"ConvNet\",\"config\":{\"channels\":2,\"dilations\":[1,4],"
                   "\"batchnorm\":true,\"activation\":\"Tanh\"},\"weights\":[0.1,0.2,0.3,0.4,0,0,1,1,1,1,0.1,0.2,1e-5,"
                   "0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0,0,1,1,1,1,0.1,0.2,1e-5,0.5,0.5,0.01]}"},
    {"Linear", "{\"version\":\"0.5.4\",\"architecture\":\"Linear\",\"config\":{\"receptive_field\":5,\"bias\":true},"
               "\"weights\":[0.5,0.25,0.125,0.0625,0.03125,0.01]}"},
  };
  for (int i = 0; i < 2; i++) {
    int rc = sw_model_parse(other[i][1], strlen(other[i][1]), other[i][0], &models[nm], &err);
    CHECK(rc == 0, "%s: %s", other[i][0], err.msg);
    if (!rc) names[nm++] = other[i][0];
  }
  const char *sh = sw_test_shared();
  static const char *shared_models[] = {"core_wavenet_a1_standard.nam", "na_boss_sd1_a2.nam", "core_slimmable_wavenet.nam",
                                        "core_slimmable_container_lstm.nam"};
  if (sh) {
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/models", sh);
    for (int i = 0; i < 4; i++) {
      int rc = sw_model_load(sw_test_path(dir, shared_models[i]), &models[nm], &err);
      CHECK(rc == 0, "%s", err.msg);
      if (!rc) names[nm++] = shared_models[i];
    }
  } else {
    printf("../shared not found: real models not checked\n");
  }
  for (int b = 0; b < sw_backend_count(); b++) {
    const sw_backend *be = sw_backend_at(b);
    if (!sw_backend_is_usable(be) || !sw_test_backend_wanted(be->name)) continue;
    for (int i = 0; i < nm; i++)
      for (int s = 0; s < models[i].n_sub; s++) {
        job j = {.net = &models[i].sub[s], .be = be, .name = names[i]};
        check_job(&j);
      }
  }
  for (int i = 0; i < nm; i++) sw_model_free(&models[i]);
  return check_summary();
}
