/* Locally adaptive thresholds: the prepared context (its buffers and the
 * per-thread slots) and the dispatch to the kernels in box.c, gauss.c and
 * lotsu.c, or to the reference (adaptive_ref.c). */
#include "adaptive_priv.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RADIUS (ISEG_ADAPTIVE_BLOCK_MAX / 2)

/* ------------------------------------------------ context */

static size_t lo_node_capacity(int max_w, int max_h)
{
    const LoGrid g = iseg_lo_grid(max_w, max_h, ISEG_ADAPTIVE_BLOCK_MIN);
    return (size_t)g.nx * g.ny;
}

static void update_derived(IsegAdaptive *ctx)
{
    if (ctx->s.method == ISEG_ADAPTIVE_GAUSSIAN) {
        double w[ISEG_ADAPTIVE_BLOCK_MAX];
        iseg_adaptive_gaussian_weights(ctx->s.block_size, w);
        for (int i = 0; i < ctx->s.block_size; i++)
            ctx->gw[i] = (float)w[i];
    }
}

int iseg_adaptive_create(IsegAdaptive **out, const IsegAdaptiveSettings *s, int max_width,
                         int max_height)
{
    if (!out)
        return -EINVAL;
    *out = NULL;
    if (iseg_adaptive_settings_check(s) < 0 || max_width < 1 || max_height < 1)
        return -EINVAL;
    IsegAdaptive *ctx = calloc(1, sizeof(*ctx));
    if (!ctx)
        return -ENOMEM;
    ctx->s = *s;
    ctx->max_w = max_width;
    ctx->max_h = max_height;
    ctx->node_cap = lo_node_capacity(max_width, max_height);
    ctx->rows = malloc(((size_t)max_height + 2 * MAX_RADIUS) * sizeof(*ctx->rows));
    ctx->frows = malloc(((size_t)max_height + 2 * MAX_RADIUS) * sizeof(*ctx->frows));
    ctx->mask = malloc((size_t)max_width * max_height);
    ctx->node_t2 = malloc(ctx->node_cap * sizeof(int32_t));
    ctx->node_S = malloc(ctx->node_cap * sizeof(int64_t));
    ctx->node_queue = malloc(ctx->node_cap * sizeof(int32_t));
    ctx->node_valid = malloc(ctx->node_cap);
    ctx->node_state = malloc(ctx->node_cap);
    if (!ctx->rows || !ctx->frows || !ctx->mask || !ctx->node_t2 || !ctx->node_S ||
        !ctx->node_queue || !ctx->node_valid || !ctx->node_state) {
        iseg_adaptive_destroy(ctx);
        return -ENOMEM;
    }
    update_derived(ctx);
    *out = ctx;
    return 0;
}

int iseg_adaptive_set_settings(IsegAdaptive *ctx, const IsegAdaptiveSettings *s)
{
    if (!ctx || iseg_adaptive_settings_check(s) < 0)
        return -EINVAL;
    ctx->s = *s;
    update_derived(ctx);
    return 0;
}

void iseg_adaptive_get_settings(const IsegAdaptive *ctx, IsegAdaptiveSettings *s)
{
    if (ctx && s)
        *s = ctx->s;
}

void iseg_adaptive_destroy(IsegAdaptive *ctx)
{
    if (!ctx)
        return;
    free(ctx->rows);
    free(ctx->frows);
    free(ctx->fsrc);
    free(ctx->mask);
    free(ctx->node_t2);
    free(ctx->node_S);
    free(ctx->node_queue);
    free(ctx->node_valid);
    free(ctx->node_state);
    free(ctx->slots);
    free(ctx->slot_mem);
    free(ctx);
}

/* Carves one slot's buffers out of a block; with base == NULL only counts. */
static size_t slot_layout(AdaptiveSlot *sl, uint8_t *base, int max_w)
{
    size_t off = 0;
#define TAKE(field, count)                                                                         \
    do {                                                                                           \
        off = (off + 63) & ~(size_t)63;                                                            \
        if (base)                                                                                  \
            sl->field = (void *)(base + off);                                                      \
        off += (size_t)(count) * sizeof(*sl->field);                                               \
    } while (0)
    TAKE(col, max_w);
    TAKE(col2, max_w);
    TAKE(P, max_w + 2 * MAX_RADIUS + 8);
    TAKE(P2, max_w + 2 * MAX_RADIUS + 8);
    TAKE(pre, max_w + 1);
    TAKE(pre2, max_w + 1);
    TAKE(S, max_w);
    TAKE(S2w, max_w);
    TAKE(interp, max_w / 2 + 2);
    TAKE(val, max_w);
    TAKE(gtmp, 16 * ((size_t)max_w + 2 * MAX_RADIUS + 64)); /* GAUSS_BLOCK rows */
    TAKE(gtr, 8 * (((size_t)max_w + 2 * MAX_RADIUS + 40 + 15) / 16 * 16 + max_w + 8));
    TAKE(hist, 4);
#undef TAKE
    return (off + 63) & ~(size_t)63;
}

static int ensure_slots(IsegAdaptive *ctx, unsigned n)
{
    if (n <= ctx->n_slots)
        return 0;
    AdaptiveSlot probe;
    const size_t per = slot_layout(&probe, NULL, ctx->max_w);
    AdaptiveSlot *slots = calloc(n, sizeof(*slots));
    void *mem = NULL;
    if (slots)
        mem = aligned_alloc(64, per * n);
    if (!slots || !mem) {
        free(slots);
        return -ENOMEM;
    }
    for (unsigned i = 0; i < n; i++)
        slot_layout(&slots[i], (uint8_t *)mem + per * i, ctx->max_w);
    free(ctx->slots);
    free(ctx->slot_mem);
    ctx->slots = slots;
    ctx->slot_mem = mem;
    ctx->n_slots = n;
    return 0;
}

/* The bytes an image spans, first pixel to last. */
static int images_overlap(const IsegImage *a, const IsegImage *b)
{
    const uintptr_t a0 = (uintptr_t)a->data, b0 = (uintptr_t)b->data;
    const uintptr_t a1 = a0 + (uintptr_t)(a->stride * (a->height - 1) + a->width);
    const uintptr_t b1 = b0 + (uintptr_t)(b->stride * (b->height - 1) + b->width);
    return a0 < b1 && b0 < a1;
}

static int check_images(const IsegAdaptive *ctx, const IsegImage *src, const IsegImage *dst)
{
    if (!ctx || iseg_image_check(src) < 0 || iseg_image_check(dst) < 0)
        return -EINVAL;
    if (images_overlap(src, dst))
        return -EINVAL;
    if (src->width != dst->width || src->height != dst->height)
        return -EINVAL;
    if (src->width > ctx->max_w || src->height > ctx->max_h)
        return -EINVAL;
    return 0;
}

int iseg_adaptive_mask(IsegAdaptive *ctx, const IsegImage *src, IsegImage *dst, IsegPool *pool)
{
    int ret = check_images(ctx, src, dst);
    if (ret < 0)
        return ret;
    if (iseg_force_reference())
        return iseg_adaptive_mask_ref(&ctx->s, src, dst);
    ret = ensure_slots(ctx, iseg_pool_size(pool));
    if (ret < 0)
        return ret;
    switch (ctx->s.method) {
    case ISEG_ADAPTIVE_GAUSSIAN: return iseg_adaptive_gauss_run(ctx, src, dst, pool);
    case ISEG_ADAPTIVE_LOCAL_OTSU: return iseg_adaptive_lotsu_run(ctx, src, dst, pool);
    default: return iseg_adaptive_box_run(ctx, src, dst, pool);
    }
}

int iseg_adaptive_frame_to(IsegAdaptive *ctx, const IsegFrame *src, IsegFrame *dst,
                           IsegThresholdOutput output, IsegPool *pool, uint64_t *fg_count)
{
    if (!ctx || iseg_frame_pair_check(src, dst) < 0)
        return -EINVAL;
    /* out of place, the mask goes straight into dst's luma (no scratch, one
     * pass less); in place it needs the scratch: every output pixel depends
     * on a window of input */
    IsegImage mask = dst->luma;
    if (iseg_frame_same(src, dst))
        mask = (IsegImage){ ctx->mask, src->luma.width, src->luma.height, src->luma.width };
    int ret = iseg_adaptive_mask(ctx, &src->luma, &mask, pool);
    if (ret < 0)
        return ret;
    /* the kernels write 0 and 255 only */
    return iseg_frame_apply_binary_mask_to(src, dst, &mask, output, pool, fg_count);
}

int iseg_adaptive_frame(IsegAdaptive *ctx, IsegFrame *frame, IsegThresholdOutput output,
                        IsegPool *pool, uint64_t *fg_count)
{
    return iseg_adaptive_frame_to(ctx, frame, frame, output, pool, fg_count);
}
