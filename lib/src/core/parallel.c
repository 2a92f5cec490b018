/* A small fixed-size thread pool. Workers sleep on a condition variable and
 * wake for each run; every thread, the caller included, claims the next
 * chunk until none is left, so a pool never waits for a worker that has not
 * been scheduled, and a pool of one thread never context-switches.
 *
 * Waking a sleeping thread costs tens of microseconds (more on a virtual
 * machine whose idle CPU must be woken first), which a 0.3 ms frame split in
 * two cannot afford, several runs a frame. So a worker that finished a run
 * watches for the next one for SPIN_NS before it sleeps, and the caller
 * watches its workers finish for as long before it sleeps: back-to-back runs
 * (the passes of one frame, the frames of a stream) never wait for a
 * wake-up. The price is at most SPIN_NS of one core after each run. */
#define _POSIX_C_SOURCE 200809L
#include "internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <stdlib.h>
#include <unistd.h>

#define ISEG_POOL_MAX 256
#define SPIN_NS       200000 /* 0.2 ms */

struct IsegPool {
    unsigned size;            /* threads in all, caller included */
    pthread_t *workers;       /* size - 1 of them */
    pthread_mutex_t run_lock; /* serialises iseg_pool_run() callers */
    pthread_mutex_t lock;     /* guards everything below */
    pthread_cond_t wake;
    pthread_cond_t done;
    int quit;
    /* the current run: chunks are claimed in order by whichever thread is
     * free (the caller included), so a worker the OS has not scheduled yet
     * delays nothing; chunk i always covers the same items and gets slot i */
    IsegRangeFunc fn;
    void *ctx;
    int n;
    unsigned chunks;
    unsigned next;          /* next chunk to claim */
    atomic_uint finished;   /* chunks done (written under lock, watched without) */
    atomic_uint generation; /* runs started (likewise) */
};

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* Returns once *v != old or SPIN_NS have passed (without the lock). */
static void spin_while_equal(atomic_uint *v, unsigned old)
{
    const int64_t end = now_ns() + SPIN_NS;
    for (;;) {
        for (int i = 0; i < 64; i++) {
            if (atomic_load_explicit(v, memory_order_acquire) != old)
                return;
            cpu_relax();
        }
        if (now_ns() > end)
            return;
    }
}

/* Returns once *v >= target or SPIN_NS have passed (without the lock). */
static void spin_while_below(atomic_uint *v, unsigned target)
{
    const int64_t end = now_ns() + SPIN_NS;
    for (;;) {
        for (int i = 0; i < 64; i++) {
            if (atomic_load_explicit(v, memory_order_acquire) >= target)
                return;
            cpu_relax();
        }
        if (now_ns() > end)
            return;
    }
}

unsigned iseg_cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        return 1;
    if (n > ISEG_POOL_MAX)
        return ISEG_POOL_MAX;
    return (unsigned)n;
}

unsigned iseg_pool_size(const IsegPool *pool)
{
    return pool ? pool->size : 1;
}

static unsigned chunk_count(unsigned size, int n, int grain)
{
    if (n <= 0)
        return 0;
    if (grain < 1)
        grain = 1;
    long max_by_grain = (long)n / grain;
    if (max_by_grain < 1)
        max_by_grain = 1;
    return (unsigned)ISEG_MIN((long)size, max_by_grain);
}

unsigned iseg_pool_chunks(const IsegPool *pool, int n, int grain)
{
    return chunk_count(iseg_pool_size(pool), n, grain);
}

/* Chunk i covers [n*i/c, n*(i+1)/c): sizes differ by at most one item. */
static void chunk_range(int n, unsigned chunks, unsigned i, int *begin, int *end)
{
    *begin = (int)(((long long)n * i) / chunks);
    *end = (int)(((long long)n * (i + 1)) / chunks);
}

/* Claims and runs chunks of the current run until none is left. Called
 * and returns with pool->lock held. */
static void run_chunks(IsegPool *pool)
{
    while (pool->next < pool->chunks) {
        const unsigned c = pool->next++;
        IsegRangeFunc fn = pool->fn;
        void *ctx = pool->ctx;
        int begin, end;
        chunk_range(pool->n, pool->chunks, c, &begin, &end);
        pthread_mutex_unlock(&pool->lock);
        fn(ctx, begin, end, c);
        pthread_mutex_lock(&pool->lock);
        if (++pool->finished == pool->chunks)
            pthread_cond_signal(&pool->done);
    }
}

static void *worker_main(void *p)
{
    IsegPool *pool = p;

    pthread_mutex_lock(&pool->lock);
    for (;;) {
        if (!pool->quit && pool->next >= pool->chunks) {
            const unsigned gen = atomic_load(&pool->generation);
            pthread_mutex_unlock(&pool->lock);
            spin_while_equal(&pool->generation, gen);
            pthread_mutex_lock(&pool->lock);
        }
        while (!pool->quit && pool->next >= pool->chunks)
            pthread_cond_wait(&pool->wake, &pool->lock);
        if (pool->quit)
            break;
        run_chunks(pool);
    }
    pthread_mutex_unlock(&pool->lock);
    return NULL;
}

int iseg_pool_create(IsegPool **out, unsigned n_threads)
{
    if (!out)
        return -EINVAL;
    *out = NULL;
    if (n_threads == 0)
        n_threads = iseg_cpu_count();
    if (n_threads > ISEG_POOL_MAX)
        return -EINVAL;

    IsegPool *pool = calloc(1, sizeof(*pool));
    if (!pool)
        return -ENOMEM;
    pool->size = n_threads;
    pthread_mutex_init(&pool->run_lock, NULL);
    pthread_mutex_init(&pool->lock, NULL);
    pthread_cond_init(&pool->wake, NULL);
    pthread_cond_init(&pool->done, NULL);
    if (n_threads > 1) {
        pool->workers = calloc(n_threads - 1, sizeof(pthread_t));
        if (!pool->workers) {
            pool->size = 1;
            iseg_pool_destroy(pool);
            return -ENOMEM;
        }
        for (unsigned i = 1; i < n_threads; i++) {
            if (pthread_create(&pool->workers[i - 1], NULL, worker_main, pool) != 0) {
                pool->size = i; /* join the ones that started */
                iseg_pool_destroy(pool);
                return -ENOMEM;
            }
        }
    }
    *out = pool;
    return 0;
}

void iseg_pool_destroy(IsegPool *pool)
{
    if (!pool)
        return;
    if (pool->size > 1) {
        pthread_mutex_lock(&pool->lock);
        pool->quit = 1;
        atomic_fetch_add(&pool->generation, 1);
        pthread_cond_broadcast(&pool->wake);
        pthread_mutex_unlock(&pool->lock);
        for (unsigned i = 1; i < pool->size; i++)
            pthread_join(pool->workers[i - 1], NULL);
    }
    free(pool->workers);
    pthread_cond_destroy(&pool->done);
    pthread_cond_destroy(&pool->wake);
    pthread_mutex_destroy(&pool->lock);
    pthread_mutex_destroy(&pool->run_lock);
    free(pool);
}

int iseg_pool_run(IsegPool *pool, int n, int grain, IsegRangeFunc fn, void *ctx)
{
    if (!fn)
        return -EINVAL;
    if (n <= 0)
        return 0;
    const unsigned chunks = chunk_count(iseg_pool_size(pool), n, grain);
    if (chunks <= 1) {
        fn(ctx, 0, n, 0);
        return 0;
    }

    pthread_mutex_lock(&pool->run_lock);
    pthread_mutex_lock(&pool->lock);
    pool->fn = fn;
    pool->ctx = ctx;
    pool->n = n;
    pool->chunks = chunks;
    pool->next = 0;
    pool->finished = 0;
    atomic_fetch_add(&pool->generation, 1);
    pthread_cond_broadcast(&pool->wake);
    run_chunks(pool);
    if (pool->finished < pool->chunks) {
        pthread_mutex_unlock(&pool->lock);
        spin_while_below(&pool->finished, chunks);
        pthread_mutex_lock(&pool->lock);
    }
    while (pool->finished < pool->chunks)
        pthread_cond_wait(&pool->done, &pool->lock);
    pthread_mutex_unlock(&pool->lock);
    pthread_mutex_unlock(&pool->run_lock);
    return 0;
}
