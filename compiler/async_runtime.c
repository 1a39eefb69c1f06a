/* NeuroJIT's async runtime: MLIR's async runtime ABI (the `mlirAsyncRuntime*` functions a kernel lowered with
 * `async-parallel-for` and `convert-async-to-llvm` calls), with a thread pool that waits the way a BLAS does.
 *
 * Why not MLIR's own libmlir_async_runtime.so: its pool (llvm::ThreadPool) puts a worker to sleep on a condition
 * variable the moment the queue is empty, and the caller of a parallel kernel sleeps too while it awaits the
 * last task. Waking a sleeping thread on another (virtual) core costs from tens of microseconds to a millisecond,
 * so a 2-thread matmul of 512 was no faster than one thread (2.48 vs 2.56 ms) while OpenBLAS, whose threads spin
 * between calls, scaled 1.85x. Here idle workers and a waiting caller spin for a while (NEUROJIT_SPIN_US
 * microseconds, default 2000; 0 sleeps at once) before they sleep, and a waiting caller runs queued tasks itself.
 *
 * The pool has one worker per core of the creating thread's CPU mask, less one: the caller of a kernel runs a
 * share of its tasks, so cores - 1 workers fill the cores without a spinning thread taking a core from a busy
 * one; each is pinned off the caller's core (see place). It starts on the first task (or on
 * mlirAsyncRuntimGetNumWorkerThreads) and again in a forked child. Its threads are named "nj-async".
 *
 * Semantics follow MLIR's reference runtime (mlir/lib/ExecutionEngine/AsyncRuntime.cpp): tokens and values are
 * created with two references (the caller's and the task's, dropped when the task emplaces them), groups with
 * one and a count of tokens to await; awaiters run in the thread that makes an object ready.
 *
 * Built two ways: as a shared library the JIT binds (compiler/runtime.py, symbols visible), and compiled into an
 * exported libkernel.so with NJ_HIDDEN (compiler/export.py), so the library needs only libc and libpthread.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#ifdef NJ_HIDDEN
#define API __attribute__((visibility("hidden")))
#else
#define API __attribute__((visibility("default")))
#endif

typedef void (*nj_resume)(void *);

enum { UNAVAILABLE = 0, AVAILABLE = 1, FAILED = 2 };

typedef struct nj_object nj_object;

/* Something to do when an object becomes ready: resume a coroutine, or count a token into a group. */
typedef struct nj_waiter {
  struct nj_waiter *next;
  nj_resume resume;
  void *handle;
  nj_object *group; /* set: count the token into this group (the waiter holds a reference to it) */
} nj_waiter;

/* A token, a value or a group: one layout, the fields a kind does not use stay zero. */
struct nj_object {
  _Atomic int64_t refs;
  _Atomic int state;       /* token, value: UNAVAILABLE, AVAILABLE or FAILED */
  _Atomic bool settled;    /* ready, and its awaiters have run: what a blocking await waits for (as MLIR's) */
  _Atomic int64_t pending; /* group: tokens still to become ready */
  _Atomic int64_t errors;  /* group: tokens that became ready with an error */
  _Atomic int64_t rank;    /* group: tokens added so far */
  pthread_mutex_t mu;
  pthread_cond_t cv;
  nj_waiter *waiters; /* guarded by mu; LIFO, run in FIFO order */
  void *storage;      /* value: its payload */
};

typedef struct nj_task {
  struct nj_task *next;
  nj_resume resume;
  void *handle;
} nj_task;

static struct {
  pthread_mutex_t mu; /* guards the queue, sleepers and the start */
  pthread_cond_t cv;
  nj_task *head, *tail;
  _Atomic int64_t queued;
  int sleepers;
  int placed_off; /* the caller's core when the workers were last placed */
  pthread_t *ids; /* the workers */
  int cores; /* in the creating thread's CPU mask */
  int threads;
  bool started;
  _Atomic bool stop;
  int64_t spin_ns;
  int64_t default_spin_ns; /* as NEUROJIT_SPIN_US set it at start */
} pool = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline void relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

/* ---- the pool ---------------------------------------------------------------------------------------------- */

static nj_task *pop(void) {
  if (atomic_load_explicit(&pool.queued, memory_order_acquire) == 0)
    return NULL;
  pthread_mutex_lock(&pool.mu);
  nj_task *t = pool.head;
  if (t) {
    pool.head = t->next;
    if (!pool.head)
      pool.tail = NULL;
    atomic_fetch_sub(&pool.queued, 1);
  }
  pthread_mutex_unlock(&pool.mu);
  return t;
}

/* NEUROJIT_STACK_SHIFT (bytes; the evaluator's workers set it): each task a pool thread runs runs at a random depth
 * below the thread's stack pointer, up to that many bytes, as each call of a kernel does from the evaluator's trampolines
 * (compiler/jit.py): what one task leaves in stack memory it did not initialise is not where the next task's
 * frame lies (a cache of results kept there, found again by tasks run at the same depth, games the timing). */
static long stack_shift;
static _Thread_local uint64_t shift_state;
static _Thread_local bool in_pool; /* this thread is one of the pool's workers */

static bool run_one(void) {
  nj_task *t = pop();
  if (!t)
    return false;
  if (stack_shift > 0 && in_pool) { /* (a caller's depth is already random: its call's, from the trampoline; a
                                        second shift on top of that one could pass the end of its stack) */
    uint64_t s = shift_state ^ (uint64_t)now_ns() ^ (uint64_t)(uintptr_t)&t;
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    shift_state = s;
    volatile char *below = __builtin_alloca((size_t)(s % (uint64_t)stack_shift) / 64 * 64 + 64);
    below[0] = 0;
    __asm__ volatile("" : : "r"(below) : "memory");
    t->resume(t->handle);
  } else {
    t->resume(t->handle);
  }
  free(t);
  return true;
}


static void *worker(void *arg) {
  (void)arg;
  in_pool = true;
  while (!atomic_load(&pool.stop)) {
    if (run_one())
      continue;
    int64_t deadline = now_ns() + __atomic_load_n(&pool.spin_ns, __ATOMIC_RELAXED);
    for (unsigned i = 1; atomic_load_explicit(&pool.queued, memory_order_acquire) == 0; i++) {
      if (atomic_load_explicit(&pool.stop, memory_order_relaxed))
        break;
      relax();
      if ((i & 63) == 0 && now_ns() > deadline) {
        pthread_mutex_lock(&pool.mu);
        while (atomic_load(&pool.queued) == 0 && !atomic_load(&pool.stop)) {
          pool.sleepers++;
          pthread_cond_wait(&pool.cv, &pool.mu);
          pool.sleepers--;
        }
        pthread_mutex_unlock(&pool.mu);
        break;
      }
    }
  }
  return NULL;
}

static void after_fork_in_child(void) {
  /* the child has only the forking thread: no workers; start a pool of its own on its first task */
  pthread_mutex_init(&pool.mu, NULL);
  pthread_cond_init(&pool.cv, NULL);
  pool.head = pool.tail = NULL;
  atomic_store(&pool.queued, 0);
  pool.sleepers = 0;
  pool.ids = NULL; /* the parent's workers do not exist here (their array is the parent's to free) */
  in_pool = false; /* a task that forked: its child is an ordinary caller */
  pool.started = false;
}

/* Pin each worker to a core of the caller's CPU mask other than the caller's own, the i-th worker to the i-th
   such core (cycling). Unpinned, a worker woken by a caller was often placed on the caller's core, and both
   stayed there for many calls (the scheduler does not move a thread that ran in the last half millisecond): a
   2-thread matmul of 512 took 4.6 ms instead of 1.3 in one round out of three. Pinned, the caller is the thread
   the scheduler moves, and it lands on an idle core. Done at start and again when a caller (never a worker)
   runs on another core than the last placement; a caller confined to one core leaves the pins alone (whoever
   confined it placed the threads too: the evaluator's pool does), as does a process forbidden to set them. */
static void place(int here) { /* pool.mu held */
  pool.placed_off = here;
  cpu_set_t mask;
  if (here < 0 || sched_getaffinity(0, sizeof mask, &mask) != 0 || CPU_COUNT(&mask) < 2)
    return;
  int cpu = -1;
  for (int i = 0; i < pool.threads; i++) {
    for (int step = 0; step < CPU_SETSIZE; step++) {
      cpu = (cpu + 1) % CPU_SETSIZE;
      if (CPU_ISSET(cpu, &mask) && cpu != here)
        break;
    }
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    pthread_setaffinity_np(pool.ids[i], sizeof one, &one);
  }
}

static void start(void) {
  if (__atomic_load_n(&pool.started, __ATOMIC_ACQUIRE))
    return;
  pthread_mutex_lock(&pool.mu);
  if (!pool.started) {
    cpu_set_t mask;
    pool.cores = sched_getaffinity(0, sizeof mask, &mask) == 0 ? CPU_COUNT(&mask) : 1;
    pool.threads = pool.cores > 1 ? pool.cores - 1 : 1;
    const char *spin = getenv("NEUROJIT_SPIN_US");
    long us = spin && *spin ? strtol(spin, NULL, 10) : 2000;
    pool.spin_ns = (us > 0 ? us : 0) * 1000;
    pool.default_spin_ns = pool.spin_ns;
    const char *shift = getenv("NEUROJIT_STACK_SHIFT");
    stack_shift = shift && *shift ? strtol(shift, NULL, 10) : 0;
    static bool registered;
    if (!registered) {
      pthread_atfork(NULL, NULL, after_fork_in_child);
      registered = true;
    }
    pool.ids = calloc((size_t)pool.threads, sizeof(pthread_t));
    /* a worker's stack holds the shift and below it the task's frames, as much as a main thread has (8 MiB):
       the default (RLIMIT_STACK, or 2 MiB where that is unlimited) overflowed at the evaluator's 4 MiB shift */
    pthread_attr_t attr;
    bool inited = pthread_attr_init(&attr) == 0;
    bool sized = inited && pthread_attr_setstacksize(&attr, (size_t)(stack_shift > 0 ? stack_shift : 0) + (8u << 20)) == 0;
    int made = 0;
    for (int i = 0; pool.ids && i < pool.threads; i++) {
      if (pthread_create(&pool.ids[made], sized ? &attr : NULL, worker, NULL) == 0) {
        pthread_setname_np(pool.ids[made], "nj-async");
        made++;
      }
    }
    pool.threads = made;
    if (inited)
      pthread_attr_destroy(&attr);
    place(sched_getcpu());
    __atomic_store_n(&pool.started, true, __ATOMIC_RELEASE);
  }
  pthread_mutex_unlock(&pool.mu);
}

__attribute__((destructor)) static void finish(void) {
  /* unloading the library (dlclose) must not leave workers running its code: they are joined (a second each
     at most, so an exit never hangs on a task that does not end); no thread is placed after this */
  if (!pool.started)
    return;
  pthread_mutex_lock(&pool.mu);
  atomic_store(&pool.stop, true);
  pthread_cond_broadcast(&pool.cv);
  int threads = pool.threads;
  pool.threads = 0;
  pthread_mutex_unlock(&pool.mu);
  for (int i = 0; pool.ids && i < threads; i++) {
    if (pthread_equal(pool.ids[i], pthread_self()))
      continue;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 1;
    pthread_timedjoin_np(pool.ids[i], NULL, &until);
  }
}

/* ---- reference counted objects ----------------------------------------------------------------------------- */

static nj_object *make(int64_t refs) {
  nj_object *o = calloc(1, sizeof *o);
  if (!o)
    abort();
  atomic_init(&o->refs, refs);
  pthread_mutex_init(&o->mu, NULL);
  pthread_cond_init(&o->cv, NULL);
  return o;
}

static void release(nj_object *o, int64_t count) {
  if (atomic_fetch_sub(&o->refs, count) == count) {
    pthread_mutex_destroy(&o->mu);
    pthread_cond_destroy(&o->cv);
    free(o->storage);
    free(o);
  }
}

static void run_waiters(nj_waiter *w, bool failed);

/* Awaiters have run: release blocking awaiters (under the lock: one that saw `settled` while spinning takes
   the lock once before it returns, so the object outlives this unlock even if its caller frees it then). */
static void mark_settled(nj_object *o) {
  pthread_mutex_lock(&o->mu);
  atomic_store(&o->settled, true);
  pthread_cond_broadcast(&o->cv);
  pthread_mutex_unlock(&o->mu);
}

/* A token became ready: count it into the group; the last one runs the group's awaiters. */
static void count_into(nj_object *group, bool failed) {
  pthread_mutex_lock(&group->mu);
  if (failed)
    atomic_fetch_add(&group->errors, 1);
  nj_waiter *w = NULL;
  bool last = atomic_fetch_sub(&group->pending, 1) == 1;
  if (last) {
    w = group->waiters;
    group->waiters = NULL;
  }
  pthread_mutex_unlock(&group->mu);
  if (last) {
    run_waiters(w, false);
    mark_settled(group);
  }
}

static void run_waiters(nj_waiter *w, bool failed) {
  nj_waiter *fifo = NULL;
  while (w) { /* reverse: awaiters run in the order they were added */
    nj_waiter *next = w->next;
    w->next = fifo;
    fifo = w;
    w = next;
  }
  while (fifo) {
    nj_waiter *next = fifo->next;
    if (fifo->group) {
      count_into(fifo->group, failed);
      release(fifo->group, 1);
    } else {
      fifo->resume(fifo->handle);
    }
    free(fifo);
    fifo = next;
  }
}

static void push_waiter(nj_object *o, nj_resume resume, void *handle, nj_object *group) {
  nj_waiter *w = malloc(sizeof *w);
  if (!w)
    abort();
  w->resume = resume;
  w->handle = handle;
  w->group = group;
  w->next = o->waiters;
  o->waiters = w;
}

/* A token or value reaches its final state: wake blocking awaiters, run the others, drop the task's reference. */
static void settle(nj_object *o, int state) {
  pthread_mutex_lock(&o->mu);
  atomic_store(&o->state, state);
  nj_waiter *w = o->waiters;
  o->waiters = NULL;
  pthread_mutex_unlock(&o->mu);
  run_waiters(w, state == FAILED);
  mark_settled(o);
  release(o, 1);
}

/* Ready: an awaiter registered now runs at once (its list has been taken). */
static bool ready(nj_object *o, bool group) {
  return group ? atomic_load(&o->pending) == 0 : atomic_load(&o->state) != UNAVAILABLE;
}

/* Blocking await (the caller of a parallel kernel): run queued tasks and spin, then sleep; returns once the
   object is ready and its awaiters have run (continuations, counting into groups), as MLIR's does. */
static void await_ready(nj_object *o) {
  start();
  int64_t deadline = now_ns() + __atomic_load_n(&pool.spin_ns, __ATOMIC_RELAXED);
  for (unsigned i = 1; !atomic_load(&o->settled); i++) {
    if (run_one())
      continue;
    relax();
    if ((i & 63) == 0 && now_ns() > deadline)
      break;
  }
  pthread_mutex_lock(&o->mu);
  while (!atomic_load(&o->settled))
    pthread_cond_wait(&o->cv, &o->mu);
  pthread_mutex_unlock(&o->mu);
}

/* Run `resume(handle)` now if the object is ready, else when it becomes ready. */
static void await_then(nj_object *o, bool group, void *handle, nj_resume resume) {
  pthread_mutex_lock(&o->mu);
  if (ready(o, group)) {
    pthread_mutex_unlock(&o->mu);
    resume(handle);
    return;
  }
  push_waiter(o, resume, handle, NULL);
  pthread_mutex_unlock(&o->mu);
}

/* ---- MLIR's async runtime ABI ------------------------------------------------------------------------------ */

API void mlirAsyncRuntimeAddRef(void *o, int64_t count) { atomic_fetch_add(&((nj_object *)o)->refs, count); }

API void mlirAsyncRuntimeDropRef(void *o, int64_t count) { release(o, count); }

API void *mlirAsyncRuntimeCreateToken(void) { return make(2); }

API void *mlirAsyncRuntimeCreateValue(int64_t size) {
  nj_object *o = make(2);
  o->storage = calloc(1, size > 0 ? (size_t)size : 1);
  if (!o->storage)
    abort();
  return o;
}

API void *mlirAsyncRuntimeCreateGroup(int64_t size) {
  nj_object *o = make(1);
  atomic_store(&o->pending, size);
  atomic_store(&o->settled, size <= 0); /* nothing to await */
  return o;
}

API int64_t mlirAsyncRuntimeAddTokenToGroup(void *token, void *group) {
  nj_object *t = token, *g = group;
  int64_t rank = atomic_fetch_add(&g->rank, 1);
  pthread_mutex_lock(&t->mu);
  int state = atomic_load(&t->state);
  if (state == UNAVAILABLE) {
    atomic_fetch_add(&g->refs, 1); /* the group lives until the token is counted into it */
    push_waiter(t, NULL, NULL, g);
    pthread_mutex_unlock(&t->mu);
  } else {
    pthread_mutex_unlock(&t->mu);
    count_into(g, state == FAILED);
  }
  return rank;
}

API void mlirAsyncRuntimeEmplaceToken(void *token) { settle(token, AVAILABLE); }
API void mlirAsyncRuntimeEmplaceValue(void *value) { settle(value, AVAILABLE); }
API void mlirAsyncRuntimeSetTokenError(void *token) { settle(token, FAILED); }
API void mlirAsyncRuntimeSetValueError(void *value) { settle(value, FAILED); }

API bool mlirAsyncRuntimeIsTokenError(void *token) { return atomic_load(&((nj_object *)token)->state) == FAILED; }
API bool mlirAsyncRuntimeIsValueError(void *value) { return atomic_load(&((nj_object *)value)->state) == FAILED; }
API bool mlirAsyncRuntimeIsGroupError(void *group) { return atomic_load(&((nj_object *)group)->errors) > 0; }

API void mlirAsyncRuntimeAwaitToken(void *token) { await_ready(token); }
API void mlirAsyncRuntimeAwaitValue(void *value) { await_ready(value); }
API void mlirAsyncRuntimeAwaitAllInGroup(void *group) { await_ready(group); }

API void *mlirAsyncRuntimeGetValueStorage(void *value) { return ((nj_object *)value)->storage; }

API void mlirAsyncRuntimeExecute(void *handle, nj_resume resume) {
  start();
  nj_task *t = malloc(sizeof *t);
  if (!t)
    abort();
  t->next = NULL;
  t->resume = resume;
  t->handle = handle;
  int here = in_pool ? -1 : sched_getcpu();
  pthread_mutex_lock(&pool.mu);
  if (here >= 0 && here != pool.placed_off && !atomic_load(&pool.stop))
    place(here);
  if (pool.tail)
    pool.tail->next = t;
  else
    pool.head = t;
  pool.tail = t;
  atomic_fetch_add_explicit(&pool.queued, 1, memory_order_release);
  if (pool.sleepers > 0)
    pthread_cond_signal(&pool.cv);
  pthread_mutex_unlock(&pool.mu);
}

API void mlirAsyncRuntimeAwaitTokenAndExecute(void *token, void *handle, nj_resume resume) {
  await_then(token, false, handle, resume);
}

API void mlirAsyncRuntimeAwaitValueAndExecute(void *value, void *handle, nj_resume resume) {
  await_then(value, false, handle, resume);
}

API void mlirAsyncRuntimeAwaitAllInGroupAndExecute(void *group, void *handle, nj_resume resume) {
  await_then(group, true, handle, resume);
}

/* sic: MLIR's spelling. Threads the pool runs tasks on, besides the callers that await them. */
API int64_t mlirAsyncRuntimGetNumWorkerThreads(void) {
  start();
  return pool.threads;
}

/* NeuroJIT's own: the cores the pool was sized for (its threads and the caller). */
API int64_t neurojitAsyncRuntimeCores(void) {
  start();
  return pool.cores;
}

/* NeuroJIT's own: how long idle workers and a waiting caller spin before they sleep, in microseconds from now on
   (< 0: as NEUROJIT_SPIN_US set it at start); returns the previous setting. Spinning pays where the thread
   waited for runs on another core; where every thread of the process shares one core (the evaluator's workers
   between timings) it only delays that thread, and the evaluator sets 0 there (evaluator/worker.py). */
API int64_t neurojitAsyncRuntimeSetSpin(int64_t us) {
  start();
  int64_t ns = us < 0 ? pool.default_spin_ns : us * 1000;
  return __atomic_exchange_n(&pool.spin_ns, ns, __ATOMIC_RELAXED) / 1000;
}

API void mlirAsyncRuntimePrintCurrentThreadId(void) {
  printf("Current thread id: %lu\n", (unsigned long)pthread_self());
  fflush(stdout);
}
