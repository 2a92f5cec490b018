/* Connected components (include/imageseg/regions.h).
 *
 * Plain definition: iseg_regions_label_ref() in regions_ref.c, a flood fill
 * from every unlabelled foreground pixel in raster order.
 *
 * Fast path, run-based two-pass labelling:
 *  1. every row is cut into runs (maximal horizontal stretches of
 *     foreground), 16 pixels at a time with SSE2 where it is there;
 *  2. each run is joined (union-find) with the runs of the row above it that
 *     it touches: overlapping columns for 4-connectivity, overlapping or
 *     diagonally adjacent ones for 8;
 *  3. runs are numbered in raster order, and every union keeps the smaller
 *     number as the root, so a component's root is its first run and its
 *     first pixel is that run's first pixel: numbering the roots in run order
 *     gives the labels in raster order of first pixels, with no relabelling;
 *  4. one pass over the runs gives each its label and adds it to its
 *     region's area, box and coordinate sums.
 * Work is proportional to the number of runs, not pixels, after step 1. With
 * a pool, steps 1 and 2 run on horizontal strips in parallel (a strip's
 * unions touch only its own runs), the rows where strips meet are joined
 * afterwards, and steps 3-4 are sequential; the partition, the roots and so
 * the labels do not depend on how the rows were split.
 *
 * Run slots are indexed y * slots_per_row + i (i-th run of row y), which keeps
 * raster order without counting first; the arrays are allocated for the
 * worst case (every other pixel set) once per context, and only the slots a
 * frame uses are touched. */
#include "regions_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* ------------------------------------------------------------ fast labelling */

/* Runs of one row into x0/x1; returns their number. */
static int32_t row_runs(const uint8_t *restrict row, int w, uint8_t threshold, int32_t *restrict x0,
                        int32_t *restrict x1)
{
    int32_t n = 0;
    int x = 0;
    int in = 0; /* inside a run that started at x0[n] */
#if defined(__SSE2__)
    const __m128i t = _mm_set1_epi8((char)threshold);
    for (; x + 16 <= w; x += 16) {
        const __m128i v = _mm_loadu_si128((const __m128i *)(row + x));
        /* v >= t  <=>  max(v, t) == v */
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_max_epu8(v, t), v));
        if (m == (in ? 0xffffu : 0u))
            continue; /* the whole chunk continues the current state */
        /* walk the state changes of the 16 pixels */
        unsigned changes = m ^ ((m << 1) | (unsigned)in);
        changes &= 0xffffu;
        while (changes) {
            const int b = __builtin_ctz(changes);
            if (!in)
                x0[n] = x + b;
            else
                x1[n++] = x + b;
            in = !in;
            changes &= changes - 1;
        }
    }
#endif
    for (; x < w; x++) {
        const int fg = row[x] >= threshold;
        if (fg != in) {
            if (fg)
                x0[n] = x;
            else
                x1[n++] = x;
            in = fg;
        }
    }
    if (in)
        x1[n++] = w;
    return n;
}

static inline int32_t uf_find(int32_t *parent, int32_t a)
{
    while (parent[a] != a) {
        parent[a] = parent[parent[a]];
        a = parent[a];
    }
    return a;
}

static inline void uf_union(int32_t *parent, int32_t a, int32_t b)
{
    a = uf_find(parent, a);
    b = uf_find(parent, b);
    if (a < b)
        parent[b] = a;
    else if (b < a)
        parent[a] = b;
}

/* Joins the runs of row y with those of row y - 1 that touch them. */
static void join_rows(IsegRegions *ctx, int y, int conn)
{
    const int32_t spr = ctx->slots_per_row;
    const int32_t na = ctx->nruns[y - 1], nb = ctx->nruns[y];
    const int32_t a0 = (y - 1) * spr, b0 = y * spr;
    const int32_t *x0 = ctx->x0, *x1 = ctx->x1;
    int32_t *parent = ctx->parent;
    /* 8: [x0, x1) touches [u0, u1) iff x0 <= u1 and u0 <= x1;
     * 4: iff x0 < u1 and u0 < x1 */
    const int32_t d = conn == 8 ? 1 : 0;
    int32_t i = 0, j = 0;
    while (i < na && j < nb) {
        const int32_t a = a0 + i, b = b0 + j;
        if (x1[a] + d <= x0[b]) {
            i++;
        } else if (x1[b] + d <= x0[a]) {
            j++;
        } else {
            uf_union(parent, a, b);
            /* advance the run that ends first; the other may touch more */
            if (x1[a] < x1[b])
                i++;
            else
                j++;
        }
    }
}

typedef struct LabelJob {
    IsegRegions *ctx;
    const IsegImage *src;
    uint8_t threshold;
    int conn;
} LabelJob;

static void strip_job(void *arg, int begin, int end, unsigned slot)
{
    (void)slot;
    LabelJob *job = arg;
    IsegRegions *ctx = job->ctx;
    const IsegImage *src = job->src;
    const int32_t spr = ctx->slots_per_row;
    ctx->strip_start[begin] = 1;
    for (int y = begin; y < end; y++) {
        const int32_t base = y * spr;
        const int32_t n = row_runs(src->data + (ptrdiff_t)y * src->stride, src->width,
                                   job->threshold, ctx->x0 + base, ctx->x1 + base);
        ctx->nruns[y] = n;
        for (int32_t i = 0; i < n; i++)
            ctx->parent[base + i] = base + i;
        if (y > begin)
            join_rows(ctx, y, job->conn);
    }
}

int iseg_regions_label(IsegRegions *ctx, const IsegImage *src, unsigned threshold, int connectivity,
                       int32_t *labels, ptrdiff_t labels_stride, const IsegRegion **regions,
                       IsegPool *pool)
{
    if (regions)
        *regions = NULL;
    if (!ctx || !regions || iseg_image_check(src) < 0 || threshold < 1 || threshold > 255 ||
        (connectivity != 4 && connectivity != 8) || src->width > ctx->max_width ||
        src->height > ctx->max_height || (labels && labels_stride < src->width))
        return -EINVAL;
    const int w = src->width, h = src->height;
    const int32_t spr = ctx->slots_per_row;
    ctx->n = 0;
    ctx->width = w;
    ctx->height = h;
    memset(ctx->strip_start, 0, (size_t)h);
    LabelJob job = { ctx, src, (uint8_t)threshold, connectivity };
    int ret = iseg_pool_run(pool, h, 16, strip_job, &job);
    if (ret < 0)
        return ret;
    for (int y = 1; y < h; y++)
        if (ctx->strip_start[y])
            join_rows(ctx, y, connectivity);

    /* labels in raster order of roots, and the statistics */
    int n = 0;
    for (int y = 0; y < h; y++) {
        const int32_t base = y * spr, nr = ctx->nruns[y];
        for (int32_t i = 0; i < nr; i++) {
            const int32_t k = base + i;
            const int32_t root = uf_find(ctx->parent, k);
            const int32_t x0 = ctx->x0[k], x1 = ctx->x1[k], len = x1 - x0;
            IsegRegion *r;
            if (root == k) {
                if ((size_t)n == ctx->regions_cap) {
                    const size_t cap = ctx->regions_cap ? 2 * ctx->regions_cap : 256;
                    IsegRegion *grown = realloc(ctx->regions, cap * sizeof(*grown));
                    if (!grown)
                        return -ENOMEM;
                    ctx->regions = grown;
                    ctx->regions_cap = cap;
                }
                ctx->label[k] = ++n;
                r = &ctx->regions[n - 1];
                r->area = 0;
                r->x = x0;
                r->y = y;
                r->width = len;
                r->height = 1;
                r->sum_x = 0;
                r->sum_y = 0;
            } else {
                ctx->label[k] = ctx->label[root];
                r = &ctx->regions[ctx->label[k] - 1];
                if (x0 < r->x) {
                    r->width += r->x - x0;
                    r->x = x0;
                }
                if (x1 > r->x + r->width)
                    r->width = x1 - r->x;
                r->height = y - r->y + 1;
            }
            r->area += len;
            /* x0 + (x0 + 1) + ... + (x1 - 1) */
            r->sum_x += (int64_t)len * (x0 + x1 - 1) / 2;
            r->sum_y += (int64_t)len * y;
        }
    }
    ctx->n = n;
    if (labels) {
        for (int y = 0; y < h; y++) {
            int32_t *row = labels + (ptrdiff_t)y * labels_stride;
            const int32_t base = y * spr, nr = ctx->nruns[y];
            int x = 0;
            for (int32_t i = 0; i < nr; i++) {
                const int32_t k = base + i;
                for (; x < ctx->x0[k]; x++)
                    row[x] = 0;
                const int32_t l = ctx->label[k];
                for (; x < ctx->x1[k]; x++)
                    row[x] = l;
            }
            for (; x < w; x++)
                row[x] = 0;
        }
    }
    *regions = ctx->regions;
    return n;
}
