/* imageseg — running a row-parallel operation on N threads.
 *
 * An IsegPool owns worker threads that are created once and reused for every
 * call: creating threads per video frame would cost more than small frames
 * take to process. Applications may use a pool for their own loops.
 *
 * Determinism: iseg_pool_run() splits [0, n) into chunks that depend only on
 * n, grain and the pool size, never on timing, and each chunk is run by
 * exactly one thread with a "slot" index that the callback may use to select
 * per-thread scratch (e.g. a partial histogram). Operations that combine the
 * per-slot partial results in slot order therefore give the same result on
 * every run; the library's own kernels give bit-identical output for every
 * thread count.
 */
#ifndef IMAGESEG_PARALLEL_H
#define IMAGESEG_PARALLEL_H

#include <imageseg/common.h>

ISEG_BEGIN_DECLS

typedef struct IsegPool IsegPool;

/* Work on items [begin, end); slot < iseg_pool_size(pool). */
typedef void (*IsegRangeFunc)(void *ctx, int begin, int end, unsigned slot);

/* Number of CPUs this process may run on (>= 1). */
ISEG_API unsigned iseg_cpu_count(void);

/* Creates a pool that runs work on n_threads threads in all, the calling
 * thread included (so n_threads - 1 workers are started). n_threads == 0 means
 * iseg_cpu_count(). n_threads == 1 starts no thread. At most 256. */
ISEG_API int iseg_pool_create(IsegPool **out, unsigned n_threads);

/* Stops and joins the workers. NULL is a no-op. No run may be in progress. */
ISEG_API void iseg_pool_destroy(IsegPool *pool);

/* Threads the pool runs work on (>= 1). NULL pool: 1. */
ISEG_API unsigned iseg_pool_size(const IsegPool *pool);

/* Splits [0, n) into at most iseg_pool_size(pool) contiguous chunks of at
 * least `grain` items (grain < 1 counts as 1) and runs fn on each; the
 * caller and the workers claim chunks in order until none is left, and
 * it returns when all are done. Chunk i always covers the same items and
 * gets slot i, whichever thread runs it.
 * pool may be NULL: fn(ctx, 0, n, 0) runs on the caller. n <= 0 does nothing.
 * Calls on one pool from several threads are serialised. */
ISEG_API int iseg_pool_run(IsegPool *pool, int n, int grain, IsegRangeFunc fn, void *ctx);

/* How many chunks iseg_pool_run(pool, n, grain, ...) will make: lets callers
 * size per-slot scratch. */
ISEG_API unsigned iseg_pool_chunks(const IsegPool *pool, int n, int grain);

ISEG_END_DECLS

#endif
