/* The pool covers every item exactly once, with deterministic chunks, for
 * every pool size, and survives many quick runs and create/destroy cycles. */
#include "testutil.h"

#include <stdatomic.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct cover_ctx {
    atomic_int *hits;
    int *slot_of;
};

static void cover(void *p, int begin, int end, unsigned slot)
{
    struct cover_ctx *c = p;
    for (int i = begin; i < end; i++) {
        atomic_fetch_add(&c->hits[i], 1);
        c->slot_of[i] = (int)slot;
    }
}

static void test_covers_each_item_once(void)
{
    const int sizes[] = { 1, 2, 3, 4, 7 };
    const int ns[] = { 0, 1, 2, 5, 17, 1080, 4321 };
    for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        IsegPool *pool = NULL;
        CHECK_EQ_INT(iseg_pool_create(&pool, (unsigned)sizes[s]), 0);
        CHECK_EQ_INT(iseg_pool_size(pool), sizes[s]);
        for (size_t k = 0; k < sizeof(ns) / sizeof(ns[0]); k++) {
            const int n = ns[k];
            for (int grain = 1; grain <= 64; grain *= 8) {
                atomic_int *hits = calloc((size_t)n + 1, sizeof(*hits));
                int *slot_of = calloc((size_t)n + 1, sizeof(int));
                struct cover_ctx c = { hits, slot_of };
                CHECK_EQ_INT(iseg_pool_run(pool, n, grain, cover, &c), 0);
                int bad = 0, nondecreasing = 1, max_slot = 0;
                for (int i = 0; i < n; i++) {
                    max_slot = slot_of[i] > max_slot ? slot_of[i] : max_slot;
                    bad += atomic_load(&hits[i]) != 1;
                    if (i && slot_of[i] < slot_of[i - 1])
                        nondecreasing = 0;
                }
                CHECK_MSG(bad == 0, "pool %d, n %d: %d items not run exactly once", sizes[s], n,
                          bad);
                CHECK(nondecreasing);
                if (n > 0)
                    CHECK_EQ_INT(max_slot + 1, iseg_pool_chunks(pool, n, grain));
                free(hits);
                free(slot_of);
            }
        }
        iseg_pool_destroy(pool);
    }
}

static void test_chunks(void)
{
    IsegPool *pool = NULL;
    CHECK_EQ_INT(iseg_pool_create(&pool, 4), 0);
    CHECK_EQ_INT(iseg_pool_chunks(pool, 100, 1), 4);
    CHECK_EQ_INT(iseg_pool_chunks(pool, 100, 40), 2);
    CHECK_EQ_INT(iseg_pool_chunks(pool, 3, 1), 3);
    CHECK_EQ_INT(iseg_pool_chunks(pool, 0, 1), 0);
    CHECK_EQ_INT(iseg_pool_chunks(NULL, 100, 1), 1);
    iseg_pool_destroy(pool);
    CHECK(iseg_cpu_count() >= 1);
    CHECK_EQ_INT(iseg_pool_create(NULL, 2), -EINVAL);
    CHECK_EQ_INT(iseg_pool_run(NULL, 5, 1, NULL, NULL), -EINVAL);
    iseg_pool_destroy(NULL);
}

static void add_one(void *p, int begin, int end, unsigned slot)
{
    (void)slot;
    atomic_int *sum = p;
    atomic_fetch_add(sum, end - begin);
}

static void test_many_runs(void)
{
    for (int cycle = 0; cycle < 20; cycle++) {
        IsegPool *pool = NULL;
        CHECK_EQ_INT(iseg_pool_create(&pool, 0), 0);
        atomic_int sum = 0;
        for (int i = 0; i < 500; i++)
            iseg_pool_run(pool, 1000, 1, add_one, &sum);
        CHECK_EQ_INT(atomic_load(&sum), 500 * 1000);
        iseg_pool_destroy(pool);
    }
}

int main(void)
{
    RUN(test_covers_each_item_once);
    RUN(test_chunks);
    RUN(test_many_runs);
    return tu_finish();
}
