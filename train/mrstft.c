/* Multi-resolution STFT loss (auraloss defaults, as NAM uses them) and its gradient, with
   FFTW. Per resolution: centered frames over a reflect-padded signal, periodic Hann
   window zero-padded (centered) to the FFT size, one-sided spectrum,
   |X| = sqrt(max(re^2 + im^2, 1e-8)); SC = ||Y|-|X||_F / ||Y||_F over the whole batch, plus
   mean |log|X| - log|Y||; the three resolutions averaged.
   Windows are independent except for three sums per resolution, so the work is split over
   threads by windows and the per-window sums are reduced in window order: the result is the
   same bit for bit for any thread count.
   Two precisions from one body (mrstft_impl.h): double for the gradient checks and the
   reference, float (the trainer's) with per-frame partial sums in float and the totals in double. */
#include <fftw3.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "loss.h"

#define NRES 3
static const int FFT_N[NRES] = {1024, 2048, 512};
static const int HOP[NRES] = {120, 240, 50};
static const int WIN[NRES] = {600, 1200, 240};
#define MAXN 2048
#define MAG_EPS 1e-8
#define MAX_THREADS 64

/* FFTW's planner is not thread-safe: serialise our plan creation and destruction. */
static pthread_mutex_t plan_lock = PTHREAD_MUTEX_INITIALIZER;

#define R double
#define F(x) fftw_##x
#define SQRT sqrt
#define LOG log
#define NM(x) x##_d
#define API(x) sw_mrstft_##x
#define MR sw_mrstft
#define EVAL sw_mrstft_d
#define RES res_d
#define WORKER worker_d
#define JOB job_d
#include "mrstft_impl.h"
#undef R
#undef F
#undef SQRT
#undef LOG
#undef NM
#undef API
#undef MR
#undef EVAL
#undef RES
#undef WORKER
#undef JOB

/* The float path's per-bin log loop calls glibc's vector logf (libmvec, which libm.so pulls in on
   x86-64; at most 4 ulp): declared here with the simd attribute that glibc's own header only
   attaches under -ffast-math, so `omp simd` turns that loop into calls of 4 logs at a time. */
#if defined(__x86_64__) && defined(__GLIBC__) && !defined(__clang__) /* clang has no simd attribute */
__attribute__((simd("notinbranch"))) float logf(float);
#endif

#define R float
#define F(x) fftwf_##x
#define SQRT sqrtf
#define LOG logf
#define NM(x) x##_f
#define API(x) sw_mrstft_f_##x
#define MR sw_mrstft_f
#define EVAL sw_mrstft_f_eval
#define RES res_f
#define WORKER worker_f
#define JOB job_f
#include "mrstft_impl.h"
