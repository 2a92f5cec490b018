/* A small fixed-size thread pool. Workers sleep on a condition variable and
 * wake for each run; the caller runs chunk 0 itself, so a pool of one thread
 * never context-switches. */
#define _POSIX_C_SOURCE 200809L
#include "internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#define ISEG_POOL_MAX 256

struct IsegPool {
    unsigned size;               /* threads in all, caller included */
    pthread_t *workers;          /* size - 1 of them */
    pthread_mutex_t run_lock;    /* serialises iseg_pool_run() callers */
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_cond_t done;
    unsigned long generation;    /* bumped for each run */
    int quit;
    /* the current run */
    IsegRangeFunc fn;
    void *ctx;
    int n;
    unsigned chunks;
    unsigned pending;            /* worker chunks not yet finished */
};

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

struct worker_arg {
    IsegPool *pool;
    unsigned index;              /* 1..size-1: worker i runs chunk i */
};

static void *worker_main(void *p)
{
    struct worker_arg *arg = p;
    IsegPool *pool = arg->pool;
    const unsigned index = arg->index;
    free(arg);

    unsigned long seen = 0;
    pthread_mutex_lock(&pool->lock);
    for (;;) {
        while (!pool->quit && pool->generation == seen)
            pthread_cond_wait(&pool->wake, &pool->lock);
        if (pool->quit)
            break;
        seen = pool->generation;
        if (index >= pool->chunks)
            continue;
        IsegRangeFunc fn = pool->fn;
        void *ctx = pool->ctx;
        int begin, end;
        chunk_range(pool->n, pool->chunks, index, &begin, &end);
        pthread_mutex_unlock(&pool->lock);
        fn(ctx, begin, end, index);
        pthread_mutex_lock(&pool->lock);
        if (--pool->pending == 0)
            pthread_cond_signal(&pool->done);
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
            struct worker_arg *arg = malloc(sizeof(*arg));
            if (arg) {
                arg->pool = pool;
                arg->index = i;
            }
            if (!arg || pthread_create(&pool->workers[i - 1], NULL, worker_main, arg) != 0) {
                free(arg);
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
    pool->pending = chunks - 1;
    pool->generation++;
    pthread_cond_broadcast(&pool->wake);
    pthread_mutex_unlock(&pool->lock);

    int begin, end;
    chunk_range(n, chunks, 0, &begin, &end);
    fn(ctx, begin, end, 0);

    pthread_mutex_lock(&pool->lock);
    while (pool->pending > 0)
        pthread_cond_wait(&pool->done, &pool->lock);
    pthread_mutex_unlock(&pool->lock);
    pthread_mutex_unlock(&pool->run_lock);
    return 0;
}
