/* Stress harness for compiler/async_runtime.c (tests/compiler/test_async_runtime.py builds it with -I compiler):
 * drives MLIR's async runtime ABI the way lowered code does, from several caller threads at once, and checks
 * every result. Rounds: a flat fan-out into a group (with errors), MLIR's async-parallel-for dispatch (a group
 * of n - 1, tasks that split their range and spawn), nested tasks that continue with AwaitAllInGroupAndExecute,
 * values awaited by another thread and by a continuation. Usage: async_stress ROUNDS CALLERS FORKS (a child
 * forked from the main thread after each batch runs rounds too); FORK_DURING=N also forks N children while the
 * callers are mid-flight; SEED=N varies the rounds. */
#include "async_runtime.c"

#include <assert.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHECK(c)                                                                                              \
  do {                                                                                                         \
    if (!(c)) {                                                                                                \
      fprintf(stderr, "CHECK failed %s:%d: %s\n", __FILE__, __LINE__, #c);                                   \
      abort();                                                                                                 \
    }                                                                                                          \
  } while (0)

static _Thread_local unsigned rng_state = 12345;
static unsigned rnd(void) {
  rng_state = rng_state * 1103515245u + 12345u;
  return (rng_state >> 8) & 0xffffff;
}
static void work(unsigned n) {
  volatile unsigned x = 0;
  for (unsigned i = 0; i < n; i++)
    x += i;
}

/* ---- 1. flat fan-out into a group -------------------------------------------------------------------------- */
typedef struct {
  void *tok;
  _Atomic int *slot;
  int val;
  int fail;
} leaf_t;

static void leaf(void *h) {
  leaf_t *l = h;
  work(rnd() % 2000);
  atomic_store_explicit(l->slot, l->val, memory_order_relaxed);
  if (l->fail)
    mlirAsyncRuntimeSetTokenError(l->tok);
  else
    mlirAsyncRuntimeEmplaceToken(l->tok);
  free(l);
}

static void fanout_round(int with_errors) {
  int n = 1 + rnd() % 48;
  _Atomic int *slots = calloc(n, sizeof *slots);
  void *g = mlirAsyncRuntimeCreateGroup(n);
  int nerr = 0;
  void *toks[64];
  for (int i = 0; i < n; i++) {
    void *t = mlirAsyncRuntimeCreateToken();
    toks[i] = t;
    leaf_t *l = malloc(sizeof *l);
    l->tok = t;
    l->slot = &slots[i];
    l->val = i + 1;
    l->fail = with_errors && (rnd() % 7 == 0);
    nerr += l->fail;
    int keep = rnd() % 4 == 0; /* sometimes keep the token to check IsTokenError after the await */
    if (keep)
      mlirAsyncRuntimeAddRef(t, 1);
    if (rnd() & 1) { /* lowered order: execute then add_to_group */
      mlirAsyncRuntimeExecute(l, leaf);
      CHECK(mlirAsyncRuntimeAddTokenToGroup(t, g) == i);
    } else {
      CHECK(mlirAsyncRuntimeAddTokenToGroup(t, g) == i);
      mlirAsyncRuntimeExecute(l, leaf);
    }
    mlirAsyncRuntimeDropRef(t, 1);
    if (!keep)
      toks[i] = NULL;
  }
  mlirAsyncRuntimeAwaitAllInGroup(g);
  for (int i = 0; i < n; i++)
    CHECK(atomic_load_explicit(&slots[i], memory_order_relaxed) == i + 1);
  CHECK(mlirAsyncRuntimeIsGroupError(g) == (nerr > 0));
  mlirAsyncRuntimeDropRef(g, 1);
  for (int i = 0; i < n; i++)
    if (toks[i]) {
      mlirAsyncRuntimeAwaitToken(toks[i]);
      mlirAsyncRuntimeDropRef(toks[i], 1);
    }
  free(slots);
}

/* ---- 2. MLIR async-parallel-for with async-dispatch ------------------------------------------------------- */
typedef struct {
  void *group;
  void *tok;
  int lo, hi;
  _Atomic int *out;
} disp_t;

static void dispatch(void *group, int lo, int hi, _Atomic int *out);

static void dispatch_task(void *h) {
  disp_t *d = h;
  dispatch(d->group, d->lo, d->hi, d->out);
  mlirAsyncRuntimeEmplaceToken(d->tok);
  mlirAsyncRuntimeDropRef(d->group, 1); /* the task's reference (added by the spawner) */
  free(d);
}

static void dispatch(void *group, int lo, int hi, _Atomic int *out) {
  while (hi - lo > 1) {
    int mid = lo + (hi - lo) / 2;
    void *t = mlirAsyncRuntimeCreateToken();
    disp_t *d = malloc(sizeof *d);
    *d = (disp_t){group, t, mid, hi, out};
    mlirAsyncRuntimeAddRef(group, 1);
    mlirAsyncRuntimeExecute(d, dispatch_task);
    mlirAsyncRuntimeAddTokenToGroup(t, group);
    mlirAsyncRuntimeDropRef(t, 1);
    hi = mid;
  }
  work(rnd() % 1500);
  atomic_fetch_add(&out[lo], 1);
}

static void parallel_for_round(void) {
  int n = 1 + rnd() % 16;
  _Atomic int out[16] = {0};
  void *g = mlirAsyncRuntimeCreateGroup(n - 1);
  mlirAsyncRuntimeAddRef(g, 1); /* passed to dispatch as an owned argument */
  dispatch(g, 0, n, out);
  mlirAsyncRuntimeDropRef(g, 1);
  mlirAsyncRuntimeAwaitAllInGroup(g);
  CHECK(!mlirAsyncRuntimeIsGroupError(g));
  mlirAsyncRuntimeDropRef(g, 1);
  for (int i = 0; i < n; i++)
    CHECK(atomic_load(&out[i]) == 1);
}

/* ---- 3. nested: a task fans out and continues with AwaitAllInGroupAndExecute -------------------------------- */
typedef struct {
  void *parent_tok;
  void *sub;
  int k;
  _Atomic int *slots;
  _Atomic int *done;
} nest_t;

static void nest_cont(void *h) {
  nest_t *n = h;
  CHECK(mlirAsyncRuntimeIsGroupError(n->sub) == false);
  for (int i = 0; i < n->k; i++)
    CHECK(atomic_load_explicit(&n->slots[i], memory_order_relaxed) == i + 1);
  mlirAsyncRuntimeDropRef(n->sub, 1);
  free(n->slots);
  atomic_fetch_add(n->done, 1);
  mlirAsyncRuntimeEmplaceToken(n->parent_tok);
  free(n);
}

static void nest_task(void *h) {
  nest_t *n = h;
  n->k = rnd() % 9;
  n->slots = calloc(n->k + 1, sizeof *n->slots);
  n->sub = mlirAsyncRuntimeCreateGroup(n->k);
  for (int i = 0; i < n->k; i++) {
    void *t = mlirAsyncRuntimeCreateToken();
    leaf_t *l = malloc(sizeof *l);
    *l = (leaf_t){t, &n->slots[i], i + 1, 0};
    mlirAsyncRuntimeExecute(l, leaf);
    mlirAsyncRuntimeAddTokenToGroup(t, n->sub);
    mlirAsyncRuntimeDropRef(t, 1);
  }
  mlirAsyncRuntimeAwaitAllInGroupAndExecute(n->sub, n, nest_cont);
}

static void nested_round(void) {
  int m = 1 + rnd() % 6;
  _Atomic int done = 0;
  void *g = mlirAsyncRuntimeCreateGroup(m);
  void *toks[8];
  for (int i = 0; i < m; i++) {
    void *t = mlirAsyncRuntimeCreateToken();
    nest_t *n = calloc(1, sizeof *n);
    n->parent_tok = t;
    n->done = &done;
    mlirAsyncRuntimeExecute(n, nest_task);
    mlirAsyncRuntimeAddTokenToGroup(t, g);
    toks[i] = t;
  }
  if (rnd() & 1) {
    mlirAsyncRuntimeAwaitAllInGroup(g);
    for (int i = 0; i < m; i++)
      mlirAsyncRuntimeDropRef(toks[i], 1);
  } else {
    for (int i = 0; i < m; i++) {
      mlirAsyncRuntimeAwaitToken(toks[i]);
      CHECK(!mlirAsyncRuntimeIsTokenError(toks[i]));
      mlirAsyncRuntimeDropRef(toks[i], 1);
    }
    mlirAsyncRuntimeAwaitAllInGroup(g);
  }
  CHECK(atomic_load(&done) == m);
  mlirAsyncRuntimeDropRef(g, 1);
}

/* ---- 4. values: produced by a task, awaited by another (non-pool) thread and by a continuation --------------- */
typedef struct {
  void *val;
  int64_t x;
  int fail;
} vprod_t;

static void vproduce(void *h) {
  vprod_t *p = h;
  work(rnd() % 1000);
  if (p->fail) {
    mlirAsyncRuntimeSetValueError(p->val);
  } else {
    *(int64_t *)mlirAsyncRuntimeGetValueStorage(p->val) = p->x;
    mlirAsyncRuntimeEmplaceValue(p->val);
  }
  free(p);
}

typedef struct {
  void *val;
  int64_t x;
  int fail;
  _Atomic int *seen; /* the consumer thread's or the continuation's own counter */
} vcons_t;

static void *vconsumer_thread(void *h) {
  vcons_t *c = h;
  mlirAsyncRuntimeAwaitValue(c->val);
  if (c->fail)
    CHECK(mlirAsyncRuntimeIsValueError(c->val));
  else
    CHECK(*(int64_t *)mlirAsyncRuntimeGetValueStorage(c->val) == c->x);
  mlirAsyncRuntimeDropRef(c->val, 1);
  atomic_fetch_add(c->seen, 1);
  free(c);
  return NULL;
}

static void vcont(void *h) {
  vcons_t *c = h;
  if (c->fail)
    CHECK(mlirAsyncRuntimeIsValueError(c->val));
  else
    CHECK(*(int64_t *)mlirAsyncRuntimeGetValueStorage(c->val) == c->x);
  mlirAsyncRuntimeDropRef(c->val, 1);
  atomic_fetch_add(c->seen, 1);
  free(c);
}

static void value_round(void) {
  _Atomic int seen = 0, cont = 0;
  void *v = mlirAsyncRuntimeCreateValue(sizeof(int64_t));
  int64_t x = (int64_t)rnd() * 977 + 1;
  int fail = rnd() % 5 == 0;
  /* a consumer thread, holding its own reference */
  mlirAsyncRuntimeAddRef(v, 2);
  vcons_t *c = malloc(sizeof *c);
  *c = (vcons_t){v, x, fail, &seen};
  pthread_t th;
  CHECK(pthread_create(&th, NULL, vconsumer_thread, c) == 0);
  vcons_t *c2 = malloc(sizeof *c2);
  *c2 = (vcons_t){v, x, fail, &cont};
  int early = rnd() & 1;
  if (early)
    mlirAsyncRuntimeAwaitValueAndExecute(v, c2, vcont);
  vprod_t *p = malloc(sizeof *p);
  *p = (vprod_t){v, x, fail};
  mlirAsyncRuntimeExecute(p, vproduce);
  if (!early)
    mlirAsyncRuntimeAwaitValueAndExecute(v, c2, vcont);
  mlirAsyncRuntimeAwaitValue(v);
  CHECK(atomic_load(&cont) == 1); /* as MLIR's: a blocking await returns after the value's awaiters ran */
  CHECK(mlirAsyncRuntimeIsValueError(v) == fail);
  mlirAsyncRuntimeDropRef(v, 1);
  pthread_join(th, NULL);
  CHECK(atomic_load(&seen) == 1);
}

/* ---- driver ----------------------------------------------------------------------------------------------- */
static int rounds;
static void *caller(void *arg) {
  rng_state = 777 + (unsigned)(uintptr_t)arg * 31337 + (getenv("SEED") ? (unsigned)atoi(getenv("SEED")) * 7919u : 0);
  for (int r = 0; r < rounds; r++) {
    switch (rnd() % 5) {
    case 0: fanout_round(0); break;
    case 1: fanout_round(1); break;
    case 2: parallel_for_round(); break;
    case 3: nested_round(); break;
    case 4: value_round(); break;
    }
  }
  return NULL;
}

int main(int argc, char **argv) {
  rounds = argc > 1 ? atoi(argv[1]) : 2000;
  int callers = argc > 2 ? atoi(argv[2]) : 1;
  int forks = argc > 3 ? atoi(argv[3]) : 0;
  for (int f = 0; f <= forks; f++) {
    pthread_t th[8];
    for (int i = 0; i < callers; i++)
      pthread_create(&th[i], NULL, caller, (void *)(uintptr_t)(i + f * 8));
    if (getenv("FORK_DURING")) { /* fork while other callers are mid-flight (pool busy) */
      int nf = atoi(getenv("FORK_DURING"));
      for (int k = 0; k < nf; k++) {
        usleep(2000);
        pid_t pid = fork();
        if (pid == 0) {
          rounds = 50;
          caller((void *)(uintptr_t)(1000 + k));
          _exit(0);
        }
        int st;
        waitpid(pid, &st, 0);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
      }
    }
    for (int i = 0; i < callers; i++)
      pthread_join(th[i], NULL);
    if (f < forks) {
      /* fork from the main thread while the pool exists (workers idle/spinning); the child runs rounds too */
      pid_t pid = fork();
      if (pid == 0) {
        caller((void *)(uintptr_t)99);
        _exit(0);
      }
      int st;
      waitpid(pid, &st, 0);
      CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
  }
  printf("ok rounds=%d callers=%d forks=%d workers=%ld\n", rounds, callers, forks,
         (long)mlirAsyncRuntimGetNumWorkerThreads());
  return 0;
}
