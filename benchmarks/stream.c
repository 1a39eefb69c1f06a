/* The streaming ceiling of this host's cores: how much faster two cores read N bytes than one does.
 *
 * A kernel that reads each byte once and does little with it (a row or column sum) runs at the rate its cores
 * read memory. Its naive lowering, vectorised by LLVM, already reads at one core's rate; split over the cores,
 * no schedule can beat it by more than the cores' combined rate over one core's. This measures that ratio: the
 * same N bytes summed (64-bit words, which the compiler vectorises) by one core, twice, the second time timed;
 * then by two (the caller and one spinning helper pinned to another core, each half the bytes, as a split
 * kernel's tasks are), interleaved, medians of many rounds.
 *
 * Usage: stream BYTES [ROUNDS]   prints: bytes one_core_us two_cores_us ratio
 * Built and run by benchmarks/schedules.py (with the C compiler the async runtime is built with).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static uint64_t *words;
static size_t n;
static atomic_int go, done;
static volatile uint64_t sink[2];

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static uint64_t sum(const uint64_t *p, size_t count) {
  uint64_t s = 0;
  for (size_t i = 0; i < count; i++)
    s += p[i];
  return s;
}

static void *helper(void *arg) {
  int seen = 0;
  (void)arg;
  for (;;) {
    int g;
    while ((g = atomic_load(&go)) == seen)
      ;
    seen = g;
    if (g < 0)
      return NULL;
    sink[1] = sum(words + n / 2, n - n / 2);
    atomic_fetch_add(&done, 1);
  }
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  if (argc < 2)
    return 2;
  n = (size_t)atoll(argv[1]) / 8;
  int rounds = argc > 2 ? atoi(argv[2]) : 200;
  words = aligned_alloc(64, (n * 8 + 63) / 64 * 64);
  for (size_t i = 0; i < n; i++)
    words[i] = i;
  cpu_set_t mask, one;
  sched_getaffinity(0, sizeof mask, &mask);
  int cpus[2] = {-1, -1}, k = 0;
  for (int c = 0; c < CPU_SETSIZE && k < 2; c++)
    if (CPU_ISSET(c, &mask))
      cpus[k++] = c;
  if (k < 2) {
    fprintf(stderr, "stream: fewer than 2 cores in this process's mask\n");
    return 1;
  }
  CPU_ZERO(&one);
  CPU_SET(cpus[0], &one);
  pthread_setaffinity_np(pthread_self(), sizeof one, &one);
  pthread_t t;
  pthread_create(&t, NULL, helper, NULL);
  CPU_ZERO(&one);
  CPU_SET(cpus[1], &one);
  pthread_setaffinity_np(t, sizeof one, &one);
  double *t1 = malloc(rounds * sizeof *t1), *t2 = malloc(rounds * sizeof *t2);
  for (int r = 0; r < rounds; r++) {
    sink[0] = sum(words, n);
    double a = now();
    sink[0] = sum(words, n);
    t1[r] = now() - a;
    /* two cores, each its half (as a split kernel's tasks: the helper's half is where the last round left it) */
    int d0 = atomic_load(&done);
    a = now();
    atomic_fetch_add(&go, 1);
    sink[0] = sum(words, n / 2);
    while (atomic_load(&done) == d0)
      ;
    t2[r] = now() - a;
  }
  qsort(t1, rounds, sizeof *t1, cmp);
  qsort(t2, rounds, sizeof *t2, cmp);
  printf("%zu %.3f %.3f %.3f\n", n * 8, t1[rounds / 2] * 1e6, t2[rounds / 2] * 1e6, t1[rounds / 2] / t2[rounds / 2]);
  return 0;
}
