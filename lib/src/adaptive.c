/* Locally adaptive thresholds: settings, the prepared context, the
 * definitions shared with the reference (Gaussian weights, local-otsu grid),
 * and the dispatch to the kernels in adaptive_box.c, adaptive_gauss.c and
 * adaptive_lotsu.c. */
#include "adaptive_priv.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RADIUS (ISEG_ADAPTIVE_BLOCK_MAX / 2)

void iseg_adaptive_default_settings(IsegAdaptiveSettings *s)
{
    if (!s)
        return;
    memset(s, 0, sizeof(*s));
    s->method = ISEG_ADAPTIVE_LOCAL_OTSU;
    s->block_size = 31;
    s->offset = 0.0;
    s->k = 0.2;
    s->dynamic_range = 128.0;
    s->min_contrast = 12.0;
    s->uniform = ISEG_ADAPTIVE_UNIFORM_LOCAL;
    s->invert = 0;
}

int iseg_adaptive_settings_check(const IsegAdaptiveSettings *s)
{
    if (!s)
        return -EINVAL;
    if ((unsigned)s->method > ISEG_ADAPTIVE_NIBLACK)
        return -EINVAL;
    if (s->block_size < ISEG_ADAPTIVE_BLOCK_MIN || s->block_size > ISEG_ADAPTIVE_BLOCK_MAX ||
        s->block_size % 2 == 0)
        return -EINVAL;
    if (!isfinite(s->offset) || !isfinite(s->k) || !isfinite(s->dynamic_range) ||
        !isfinite(s->min_contrast))
        return -EINVAL;
    if (!(s->dynamic_range > 0) || !(s->min_contrast >= 0))
        return -EINVAL;
    if ((unsigned)s->uniform > ISEG_ADAPTIVE_UNIFORM_GLOBAL)
        return -EINVAL;
    return 0;
}

/* ------------------------------------------------ shared definitions */

void iseg_adaptive_gaussian_weights(int block, double *w)
{
    /* OpenCV's fixed tables for sigma <= 0 and 3..9 taps (in 1/256). */
    static const int tab3[] = { 64, 128, 64 };
    static const int tab5[] = { 16, 64, 96, 64, 16 };
    static const int tab7[] = { 8, 28, 56, 72, 56, 28, 8 };
    static const int tab9[] = { 4, 13, 30, 51, 60, 51, 30, 13, 4 };
    const int *tab = block == 3   ? tab3
                     : block == 5 ? tab5
                     : block == 7 ? tab7
                     : block == 9 ? tab9
                                  : NULL;
    if (tab) {
        for (int i = 0; i < block; i++)
            w[i] = tab[i] / 256.0;
        return;
    }
    const double sigma = 0.3 * ((block - 1) * 0.5 - 1) + 0.8;
    const double scale = -0.5 / (sigma * sigma);
    double sum = 0;
    for (int i = 0; i < block; i++) {
        const double x = i - (block - 1) * 0.5;
        w[i] = exp(scale * x * x);
        sum += w[i];
    }
    for (int i = 0; i < block; i++)
        w[i] /= sum;
}

LoGrid iseg_lo_grid(int width, int height, int block)
{
    LoGrid g;
    g.step = block;
    g.nx = (width - 1 + g.step - 1) / g.step + 1;
    g.ny = (height - 1 + g.step - 1) / g.step + 1;
    g.ox = -(((g.nx - 1) * g.step - (width - 1)) / 2);
    g.oy = -(((g.ny - 1) * g.step - (height - 1)) / 2);
    return g;
}

int64_t iseg_lo_uniform_limit(double min_contrast, int64_t n)
{
    const double v = ceil(min_contrast * min_contrast * (double)n * (double)n);
    /* n * S2 - S^2 <= 255^2 n^2 / 4 < 2^62 for n <= 1023^2 */
    if (v >= 4611686018427387904.0)
        return INT64_C(4611686018427387904);
    return (int64_t)v;
}

int32_t iseg_lo_margin2(double min_contrast)
{
    const double v = ceil(2 * min_contrast);
    return v < 1 ? 1 : v > 512 ? 512 : (int32_t)v;
}

/* 2 * the mean of a window of n samples with sum S, rounded (S >= 0) */
static int32_t lo_mean2(int64_t S, int64_t n)
{
    return (int32_t)((2 * S + n / 2) / n);
}

enum { LO_UNSET = 0, LO_QUEUED = 1, LO_SET = 2, LO_RING = 3, LO_LIGHT = 4 };

/* Carries the set nodes' t2 into the others (state & LO_RING: LO_UNSET or
 * LO_SET; other bits kept), ring by ring outwards: every node of ring d
 * (first reached at 8-neighbour distance d) takes the rounded mean of its
 * set 8-neighbours, those of the rings before it; the result does not
 * depend on the visiting order. With no node set, all get fallback. */
static void fill_rings(int32_t *t2, uint8_t *state, int nx, int ny, int32_t fallback,
                       int32_t *queue)
{
#define RING(k) (state[k] & LO_RING)
    const int count = nx * ny;
    int len = 0;
    for (int k = 0; k < count; k++) {
        if (RING(k) != LO_UNSET)
            continue;
        const int j = k / nx, i = k % nx;
        int near = 0;
        for (int dj = -1; dj <= 1 && !near; dj++)
            for (int di = -1; di <= 1 && !near; di++) {
                const int jj = j + dj, ii = i + di;
                near = jj >= 0 && jj < ny && ii >= 0 && ii < nx && RING(jj * nx + ii) == LO_SET;
            }
        if (near) {
            state[k] |= LO_QUEUED;
            queue[len++] = k;
        }
    }
    int begin = 0;
    while (begin < len) {
        const int end = len;
        for (int q = begin; q < end; q++) {
            const int k = queue[q], j = k / nx, i = k % nx;
            int64_t sum = 0;
            int cnt = 0;
            for (int dj = -1; dj <= 1; dj++)
                for (int di = -1; di <= 1; di++) {
                    const int jj = j + dj, ii = i + di;
                    if (jj >= 0 && jj < ny && ii >= 0 && ii < nx && RING(jj * nx + ii) == LO_SET) {
                        sum += t2[jj * nx + ii];
                        cnt++;
                    }
                }
            /* t2 >= -1: round half up on sum + cnt (>= 0) then shift back */
            t2[k] = (int32_t)((sum + cnt + cnt / 2) / cnt) - 1;
        }
        for (int q = begin; q < end; q++)
            state[queue[q]] = (uint8_t)((state[queue[q]] & ~LO_RING) | LO_SET);
        for (int q = begin; q < end; q++) {
            const int k = queue[q], j = k / nx, i = k % nx;
            for (int dj = -1; dj <= 1; dj++)
                for (int di = -1; di <= 1; di++) {
                    const int jj = j + dj, ii = i + di;
                    if (jj >= 0 && jj < ny && ii >= 0 && ii < nx &&
                        RING(jj * nx + ii) == LO_UNSET) {
                        state[jj * nx + ii] |= LO_QUEUED;
                        queue[len++] = jj * nx + ii;
                    }
                }
        }
        begin = end;
    }
    for (int k = 0; k < count; k++)
        if (RING(k) == LO_UNSET)
            t2[k] = fallback;
#undef RING
}

void iseg_lo_fill_nodes(int32_t *t2, const uint8_t *valid, const int64_t *S, int64_t n, int nx,
                        int ny, unsigned T_global, int32_t margin2, int by_vote, int32_t *queue,
                        uint8_t *state)
{
    const int count = nx * ny;
    /* two neighbours belong to one area iff |mean1 - mean2| < margin2
     * (2 min_contrast: a smaller step is no edge, as in iseg_lo_split_ok),
     * i.e. |2 S1 - 2 S2| < 2 n margin2 */
    const int64_t join = 2 * n * margin2;
    /* 1. the class of every uniform node: areas (LO_QUEUED marks a node
     * taken into an area), each classified whole */
    for (int k = 0; k < count; k++)
        state[k] = valid[k] ? LO_SET : LO_UNSET;
    for (int seed = 0; seed < count; seed++) {
        if (state[seed] != LO_UNSET)
            continue;
        /* the area of seed: breadth first over the 4-neighbours */
        int len = 0;
        queue[len++] = seed;
        state[seed] = LO_QUEUED;
        for (int q = 0; q < len; q++) {
            const int k = queue[q], j = k / nx, i = k % nx;
            const int nb[4] = { i > 0 ? k - 1 : -1, i < nx - 1 ? k + 1 : -1, j > 0 ? k - nx : -1,
                                j < ny - 1 ? k + nx : -1 };
            for (int e = 0; e < 4; e++) {
                const int m = nb[e];
                if (m < 0 || state[m] != LO_UNSET)
                    continue;
                const int64_t d = 2 * (S[k] - S[m]);
                if (d < join && -d < join) {
                    state[m] = LO_QUEUED;
                    queue[len++] = m;
                }
            }
        }
        /* the area's class: the votes of the edges around it, else its
         * mean against the global threshold */
        int64_t votes = 0, sum = 0;
        for (int q = 0; q < len; q++) {
            const int k = queue[q], j = k / nx, i = k % nx;
            sum += S[k];
            if (!by_vote)
                continue;
            for (int dj = -1; dj <= 1; dj++)
                for (int di = -1; di <= 1; di++) {
                    const int jj = j + dj, ii = i + di;
                    if (jj < 0 || jj >= ny || ii < 0 || ii >= nx || !valid[jj * nx + ii])
                        continue;
                    const int64_t c = 2 * S[k] - n * t2[jj * nx + ii];
                    votes += (c > 0) - (c < 0);
                }
        }
        const int area_light = votes != 0 ? votes > 0 : sum >= (int64_t)T_global * n * len;
        for (int q = 0; q < len; q++) {
            const int k = queue[q];
            const int light = by_vote ? area_light : S[k] >= (int64_t)T_global * n;
            state[k] = (uint8_t)(LO_QUEUED | (light ? LO_LIGHT : 0));
        }
    }
    /* 2. the edges' thresholds carried into the uniform nodes */
    for (int k = 0; k < count; k++)
        if (!valid[k])
            state[k] &= (uint8_t)~LO_RING; /* LO_UNSET, class kept */
    fill_rings(t2, state, nx, ny, 2 * (int32_t)T_global - 1, queue);
    /* 3. each uniform node's threshold kept on its class's side of its own
     * mean: at least margin2 half levels below it (light) or above it
     * (dark) */
    for (int k = 0; k < count; k++) {
        if (valid[k])
            continue;
        const int32_t m2 = lo_mean2(S[k], n);
        int32_t v = t2[k];
        if (state[k] & LO_LIGHT)
            v = ISEG_MIN(v, m2 - margin2);
        else
            v = ISEG_MAX(v, m2 + margin2);
        t2[k] = ISEG_CLAMP(v, -1, 511);
    }
}

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
    return iseg_frame_apply_mask_to(src, dst, &mask, output, pool, fg_count);
}

int iseg_adaptive_frame(IsegAdaptive *ctx, IsegFrame *frame, IsegThresholdOutput output,
                        IsegPool *pool, uint64_t *fg_count)
{
    return iseg_adaptive_frame_to(ctx, frame, frame, output, pool, fg_count);
}
