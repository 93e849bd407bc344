/* The real-time checkers (rt_hooks.h): interposed allocation and lock functions, a seccomp
   sandbox for system calls, and the proof that each catches a violation. */
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

#include "check.h"
#include "rt_hooks.h"

volatile int sw_rt_counting;
long sw_rt_allocs, sw_rt_frees, sw_rt_locks;
#define BUMP(x) do { if (sw_rt_counting) __atomic_add_fetch(&(x), 1, __ATOMIC_RELAXED); } while (0)

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
static void on_malloc(const volatile void *p, size_t n) { (void)p; (void)n; BUMP(sw_rt_allocs); }
static void on_free(const volatile void *p) { if (p) BUMP(sw_rt_frees); }
static void alloc_hooks_init(void) { __sanitizer_install_malloc_and_free_hooks(on_malloc, on_free); }
#else
/* glibc supports replacing malloc: its own internal calls come here too. */
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);
void *malloc(size_t n) { BUMP(sw_rt_allocs); return __libc_malloc(n); }
void *calloc(size_t a, size_t b) { BUMP(sw_rt_allocs); return __libc_calloc(a, b); }
void *realloc(void *p, size_t n) { BUMP(sw_rt_allocs); return __libc_realloc(p, n); }
void free(void *p) { if (p) BUMP(sw_rt_frees); __libc_free(p); }
void *memalign(size_t al, size_t n) { BUMP(sw_rt_allocs); return __libc_memalign(al, n); }
void *aligned_alloc(size_t al, size_t n) { BUMP(sw_rt_allocs); return __libc_memalign(al, n); }
void *valloc(size_t n) { BUMP(sw_rt_allocs); return __libc_memalign((size_t)sysconf(_SC_PAGESIZE), n); }
void *pvalloc(size_t n) {
  size_t pg = (size_t)sysconf(_SC_PAGESIZE);
  BUMP(sw_rt_allocs);
  return __libc_memalign(pg, (n + pg - 1) / pg * pg);
}
int posix_memalign(void **out, size_t al, size_t n) {
  if (al % sizeof(void *) || (al & (al - 1))) return EINVAL;
  BUMP(sw_rt_allocs);
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
    BUMP(sw_rt_locks);                                                              \
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
int sw_rt_seal(void) {
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
long sw_rt_run_sealed(void (*fn)(const void *arg), const void *arg) {
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


static void child_violation(const void *arg) {
  (void)arg;
  if (sw_rt_seal()) syscall(SYS_exit_group, 7);
  syscall(SYS_getppid); /* must be caught */
}

static int under_valgrind(void) {
  const char *p = getenv("LD_PRELOAD");
  return p && strstr(p, "vgpreload");
}

void sw_rt_hooks_init(sw_rt_usable *u) {
  *u = (sw_rt_usable){.allocs = true, .syscalls = true};
  alloc_hooks_init();
  CHECK(lock_hooks_init() == 0, "cannot find the real pthread functions");
  trapped = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  CHECK(trapped != MAP_FAILED, "mmap");
  if (sw_t_fail) return;

  /* The checkers catch violations. */
  sw_rt_counting = 1;
  void *volatile p = malloc(24);
  free(p);
  pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
  pthread_mutex_lock(&mu);
  pthread_mutex_unlock(&mu);
  sw_rt_counting = 0;
  CHECK(sw_rt_locks == 1, "lock counter missed a pthread_mutex_lock (%ld)", sw_rt_locks);
  if (under_valgrind()) {
    u->syscalls = u->allocs = false;
    printf("under valgrind: allocation and system-call checks skipped (it replaces malloc; its own calls would trap)\n");
  } else {
    CHECK(sw_rt_allocs == 1 && sw_rt_frees == 1, "allocation counter missed a malloc/free (%ld, %ld)", sw_rt_allocs, sw_rt_frees);
    long r = sw_rt_run_sealed(child_violation, NULL);
    if (r == -2) {
      u->syscalls = false;
      printf("seccomp filters unavailable here: system-call check skipped\n");
    } else {
      CHECK(r == SYS_getppid, "seccomp check missed a getppid() (got %ld)", r);
    }
  }
  sw_rt_allocs = sw_rt_frees = sw_rt_locks = 0;
}
