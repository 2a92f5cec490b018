/* Grayscale morphology: the compiled context, the brute-force reference and
 * the composition of operations (open, close, gradient, top-hat, black-hat)
 * from erosion and dilation passes. The pass itself is in morph_pass.c. */
#include "morph_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void iseg_morph_default_settings(IsegMorphSettings *s)
{
    if (!s)
        return;
    memset(s, 0, sizeof(*s));
    s->op = ISEG_MORPH_ERODE;
    s->iterations = 1;
    s->border = ISEG_MORPH_BORDER_REPLICATE;
}

const char *iseg_morph_op_name(IsegMorphOp op)
{
    static const char *const names[] = { "erode",    "dilate", "open",    "close",
                                         "gradient", "tophat", "blackhat" };
    return (unsigned)op < sizeof(names) / sizeof(names[0]) ? names[op] : NULL;
}

const char *iseg_morph_border_name(IsegMorphBorder border)
{
    return border == ISEG_MORPH_BORDER_REPLICATE ? "replicate"
           : border == ISEG_MORPH_BORDER_NEUTRAL ? "neutral"
                                                 : NULL;
}

static int settings_ok(const IsegMorphSettings *s)
{
    return s && (unsigned)s->op <= ISEG_MORPH_BLACKHAT && s->iterations >= 1 &&
           s->iterations <= ISEG_MORPH_MAX_ITERATIONS &&
           (s->border == ISEG_MORPH_BORDER_REPLICATE || s->border == ISEG_MORPH_BORDER_NEUTRAL) &&
           s->max_width >= 0 && s->max_height >= 0;
}

static int sel_ok(const IsegSel *sel)
{
    return sel && sel->cells && sel->width >= 1 && sel->width <= ISEG_SEL_MAX_SIDE &&
           sel->height >= 1 && sel->height <= ISEG_SEL_MAX_SIDE &&
           sel->origin_x == sel->width / 2 && sel->origin_y == sel->height / 2 &&
           iseg_sel_count(sel, ISEG_SEL_HIT) > 0;
}

/* ---------------------------------------------------------------- reference */

/* One erosion (is_max 0) or dilation pass over contiguous W x H buffers. */
static void ref_pass(const IsegSel *sel, int is_max, int replicate, const uint8_t *src,
                     uint8_t *dst, int W, int H)
{
    for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
            int acc = is_max ? 0 : 255;
            for (int i = 0; i < sel->height; i++) {
                for (int j = 0; j < sel->width; j++) {
                    if (sel->cells[i * sel->width + j] != ISEG_SEL_HIT)
                        continue;
                    int yy = y + i - sel->origin_y, xx = x + j - sel->origin_x;
                    if (yy < 0 || yy >= H || xx < 0 || xx >= W) {
                        if (!replicate)
                            continue;
                        yy = ISEG_CLAMP(yy, 0, H - 1);
                        xx = ISEG_CLAMP(xx, 0, W - 1);
                    }
                    const int v = src[(size_t)yy * W + xx];
                    acc = is_max ? ISEG_MAX(acc, v) : ISEG_MIN(acc, v);
                }
            }
            dst[(size_t)y * W + x] = (uint8_t)acc;
        }
    }
}

/* *a = op^n(*a), using *b as the other buffer (they may be swapped). */
static void ref_repeat(const IsegSel *sel, int is_max, int replicate, int n, uint8_t **a,
                       uint8_t **b, int W, int H)
{
    for (int i = 0; i < n; i++) {
        ref_pass(sel, is_max, replicate, *a, *b, W, H);
        uint8_t *t = *a;
        *a = *b;
        *b = t;
    }
}

int iseg_morph_apply_ref(const IsegSel *sel, const IsegMorphSettings *s, const IsegImage *src,
                         IsegImage *dst)
{
    if (!sel_ok(sel) || !settings_ok(s) || iseg_image_check(src) < 0 || iseg_image_check(dst) < 0 ||
        src->width != dst->width || src->height != dst->height)
        return -EINVAL;
    const int W = src->width, H = src->height, n = s->iterations;
    const int rep = s->border == ISEG_MORPH_BORDER_REPLICATE;
    const size_t sz = (size_t)W * H;
    uint8_t *orig = malloc(sz), *a = malloc(sz), *b = malloc(sz), *c = malloc(sz);
    if (!orig || !a || !b || !c) {
        free(orig);
        free(a);
        free(b);
        free(c);
        return -ENOMEM;
    }
    for (int y = 0; y < H; y++)
        memcpy(orig + (size_t)y * W, src->data + y * src->stride, (size_t)W);
    memcpy(a, orig, sz);
    uint8_t *result = a;
    switch (s->op) {
    case ISEG_MORPH_ERODE:
    case ISEG_MORPH_DILATE:
        ref_repeat(sel, s->op == ISEG_MORPH_DILATE, rep, n, &a, &b, W, H);
        result = a;
        break;
    case ISEG_MORPH_OPEN:
    case ISEG_MORPH_TOPHAT:
        ref_repeat(sel, 0, rep, n, &a, &b, W, H);
        ref_repeat(sel, 1, rep, n, &a, &b, W, H);
        result = a;
        if (s->op == ISEG_MORPH_TOPHAT) {
            for (size_t i = 0; i < sz; i++)
                c[i] = orig[i] > a[i] ? (uint8_t)(orig[i] - a[i]) : 0;
            result = c;
        }
        break;
    case ISEG_MORPH_CLOSE:
    case ISEG_MORPH_BLACKHAT:
        ref_repeat(sel, 1, rep, n, &a, &b, W, H);
        ref_repeat(sel, 0, rep, n, &a, &b, W, H);
        result = a;
        if (s->op == ISEG_MORPH_BLACKHAT) {
            for (size_t i = 0; i < sz; i++)
                c[i] = a[i] > orig[i] ? (uint8_t)(a[i] - orig[i]) : 0;
            result = c;
        }
        break;
    case ISEG_MORPH_GRADIENT: {
        ref_repeat(sel, 1, rep, n, &a, &b, W, H); /* a = dilated */
        memcpy(c, orig, sz);
        uint8_t *e = c, *f = b;
        ref_repeat(sel, 0, rep, n, &e, &f, W, H); /* e = eroded */
        for (size_t i = 0; i < sz; i++)
            f[i] = a[i] > e[i] ? (uint8_t)(a[i] - e[i]) : 0;
        result = f;
        break;
    }
    }
    for (int y = 0; y < H; y++)
        memcpy(dst->data + y * dst->stride, result + (size_t)y * W, (size_t)W);
    free(orig);
    free(a);
    free(b);
    free(c);
    return 0;
}

/* ---------------------------------------------------------------- compile */

static int floor_log2(int v)
{
    int k = 0;
    while ((2 << k) <= v)
        k++;
    return k;
}

static int rows_equal(const IsegSel *sel, int i0, int i1)
{
    for (int j = 0; j < sel->width; j++)
        if ((sel->cells[i0 * sel->width + j] == ISEG_SEL_HIT) !=
            (sel->cells[i1 * sel->width + j] == ISEG_SEL_HIT))
            return 0;
    return 1;
}

static int add_item(MorphPlan *pl, int *cap, int a, int b, int r0, int r1)
{
    if (pl->n_items == *cap) {
        *cap = *cap ? 2 * *cap : 16;
        MorphItem *n = realloc(pl->items, (size_t)*cap * sizeof(*n));
        if (!n)
            return -ENOMEM;
        pl->items = n;
    }
    MorphItem *it = &pl->items[pl->n_items++];
    it->a = a;
    it->b = b;
    it->r0 = r0;
    it->r1 = r1;
    it->len = b - a + 1;
    it->level = floor_log2(it->len);
    it->stored = r1 > r0;
    it->vh = r1 - r0 + 1 > MORPH_VDIRECT_MAX;
    it->direct = it->stored && it->len <= MORPH_HDIRECT_MAX;
    return 0;
}

/* Everything the passes derive from the items. */
static void plan_finish(MorphPlan *pl)
{
    pl->minr = pl->items[0].r0;
    pl->maxr = pl->items[0].r1;
    int min_a = pl->items[0].a, max_b = pl->items[0].b;
    int min_direct_r0 = 1 << 20;
    for (int i = 0; i < pl->n_items; i++) {
        const MorphItem *it = &pl->items[i];
        pl->minr = ISEG_MIN(pl->minr, it->r0);
        pl->maxr = ISEG_MAX(pl->maxr, it->r1);
        min_a = ISEG_MIN(min_a, it->a);
        max_b = ISEG_MAX(max_b, it->b);
        if (!it->direct) {
            pl->need_tables = 1;
            pl->max_level = ISEG_MAX(pl->max_level, it->level);
            pl->levels |= 1u << it->level;
        }
        if (!it->stored) {
            pl->has_direct = 1;
            min_direct_r0 = ISEG_MIN(min_direct_r0, it->r0);
        }
    }
    pl->maxr_eff = ISEG_MAX(pl->maxr, 0);
    pl->pad_l = ISEG_MAX(0, -min_a);
    pl->pad_r = ISEG_MAX(0, max_b);
    pl->depth = pl->has_direct ? pl->maxr_eff - min_direct_r0 + 1 : 1;
    pl->min_direct_r0 = pl->has_direct ? min_direct_r0 : 0;
    pl->vfirst = pl->n_items == 1 && pl->items[0].vh;
    if (pl->vfirst) {
        pl->need_tables = 1;
        pl->max_level = pl->items[0].level;
        pl->levels = 1u << pl->items[0].level;
    }
    pl->small_rect = pl->n_items == 1 && pl->items[0].len <= MORPH_HDIRECT_MAX &&
                     pl->items[0].r1 - pl->items[0].r0 + 1 <= MORPH_VDIRECT_MAX;
    for (int i = 0; i < pl->n_items; i++) {
        const MorphItem *it = &pl->items[i];
        pl->max_sources += it->vh       ? 2
                           : it->stored ? it->r1 - it->r0 + 1
                                        : 2 * (it->r1 - it->r0 + 1);
    }
}

/* Rough cost of an item per output pixel, in row passes. */
static int item_cost(int rows)
{
    return rows == 1 ? 2 : rows <= MORPH_VDIRECT_MAX ? 1 + rows : 5;
}

/* Two rectangles with the same columns, one above the other, whose rows in
 * between all contain those columns, are one taller rectangle (the rows in
 * between are in the element anyway): a cross becomes two lines instead of
 * three pieces. Merged only when cheaper (two single rows of an ellipse are
 * not); skipped for elements of very many runs. */
static void merge_items(MorphPlan *pl, const IsegSel *sel)
{
    if (pl->n_items > 512)
        return;
    for (int changed = 1; changed;) {
        changed = 0;
        for (int i = 0; i < pl->n_items && !changed; i++)
            for (int j = 0; j < pl->n_items && !changed; j++) {
                MorphItem *p = &pl->items[i], *q = &pl->items[j];
                if (i == j || p->a != q->a || p->b != q->b || q->r0 <= p->r1)
                    continue;
                int inside = 1;
                for (int r = p->r1 + 1; r < q->r0 && inside; r++)
                    for (int c = p->a; c <= p->b && inside; c++)
                        inside = sel->cells[(r + sel->origin_y) * sel->width + c + sel->origin_x] ==
                                 ISEG_SEL_HIT;
                const int merged_rows = q->r1 - p->r0 + 1;
                if (!inside || item_cost(merged_rows) >=
                                   item_cost(p->r1 - p->r0 + 1) + item_cost(q->r1 - q->r0 + 1))
                    continue;
                int cap = pl->n_items;
                const int a = p->a, b = p->b, r0 = p->r0, r1 = q->r1;
                /* drop both, add the merged one (add_item sets the derived fields) */
                const int hi = ISEG_MAX(i, j), lo = ISEG_MIN(i, j);
                memmove(&pl->items[hi], &pl->items[hi + 1],
                        (size_t)(pl->n_items - hi - 1) * sizeof(MorphItem));
                memmove(&pl->items[lo], &pl->items[lo + 1],
                        (size_t)(pl->n_items - lo - 2) * sizeof(MorphItem));
                pl->n_items -= 2;
                add_item(pl, &cap, a, b, r0, r1); /* fits: two were removed */
                changed = 1;
            }
    }
}

/* The element as rectangles: consecutive rows with the same member cells
 * form a group, and each run of member cells of the group one rectangle.
 * A full rectangle eroded n times is one rectangle n times as large (less
 * n - 1 on each side), with either border: the windows of the pixels it
 * reaches cover the same frame pixels. Then *iterations becomes 1. */
static int plan_compile(MorphPlan *pl, const IsegSel *sel, int *iterations)
{
    memset(pl, 0, sizeof(*pl));
    const int w = sel->width, h = sel->height, ox = sel->origin_x, oy = sel->origin_y;
    int cap = 0, ret = 0;
    /* (folded up to twice the largest element: the scratch grows with it) */
    if (*iterations > 1 && iseg_sel_count(sel, ISEG_SEL_HIT) == w * h &&
        (w - 1) * *iterations + 1 <= 2 * ISEG_SEL_MAX_SIDE &&
        (h - 1) * *iterations + 1 <= 2 * ISEG_SEL_MAX_SIDE) {
        const int n = *iterations;
        *iterations = 1;
        ret = add_item(pl, &cap, -n * ox, n * (w - 1 - ox), -n * oy, n * (h - 1 - oy));
        if (ret == 0)
            plan_finish(pl);
        return ret;
    }
    for (int i0 = 0; i0 < h && ret == 0;) {
        int i1 = i0;
        while (i1 + 1 < h && rows_equal(sel, i0, i1 + 1))
            i1++;
        const uint8_t *row = sel->cells + i0 * w;
        for (int j = 0; j < w && ret == 0;) {
            if (row[j] != ISEG_SEL_HIT) {
                j++;
                continue;
            }
            int je = j;
            while (je + 1 < w && row[je + 1] == ISEG_SEL_HIT)
                je++;
            ret = add_item(pl, &cap, j - ox, je - ox, i0 - oy, i1 - oy);
            j = je + 1;
        }
        i0 = i1 + 1;
    }
    if (ret < 0)
        return ret;
    if (pl->n_items == 0)
        return -EINVAL;
    merge_items(pl, sel);
    plan_finish(pl);
    return 0;
}

/* ---------------------------------------------------------------- context */

int iseg_morph_passes(const IsegMorphSettings *s)
{
    const IsegMorphOp op = s->op;
    return op == ISEG_MORPH_ERODE || op == ISEG_MORPH_DILATE || op == ISEG_MORPH_GRADIENT
               ? s->iterations
               : 2 * s->iterations;
}

const IsegMorphSettings *iseg_morph_settings(const IsegMorph *ctx)
{
    return ctx ? &ctx->set : NULL;
}

const IsegSel *iseg_morph_sel(const IsegMorph *ctx)
{
    return ctx ? ctx->sel : NULL;
}

int iseg_morph_create(IsegMorph **out, const IsegSel *sel, const IsegMorphSettings *s)
{
    if (!out)
        return -EINVAL;
    *out = NULL;
    if (!sel_ok(sel) || !settings_ok(s))
        return -EINVAL;
    IsegMorph *m = calloc(1, sizeof(*m));
    if (!m)
        return -ENOMEM;
    m->set = *s;
    iseg_morph_kernels(&m->kernels);
    m->k = &m->kernels;
    int ret = iseg_sel_copy(&m->sel, sel);
    m->run = *s;
    if (ret == 0)
        ret = plan_compile(&m->plan, sel, &m->run.iterations);
    for (int i = 0; ret == 0 && i < m->plan.n_items; i++)
        m->n_stored += m->plan.items[i].stored;
    m->pipe = ISEG_MIN(MORPH_PIPE_MAX, iseg_morph_passes(&m->run));
    if (ret == 0 && s->max_width > 0 && s->max_height > 0)
        ret = iseg_morph_reserve(m, s->max_width, s->max_height, iseg_cpu_count());
    if (ret < 0) {
        iseg_morph_destroy(m);
        return ret;
    }
    *out = m;
    return 0;
}

void iseg_morph_destroy(IsegMorph *m)
{
    if (!m)
        return;
    iseg_morph_release(m);
    free(m->plan.items);
    iseg_sel_free(m->sel);
    free(m);
}

/* ---------------------------------------------------------------- apply */

static int images_overlap(const IsegImage *a, const IsegImage *b)
{
    const uint8_t *a0 = a->data, *a1 = a->data + (a->height - 1) * a->stride + a->width;
    const uint8_t *b0 = b->data, *b1 = b->data + (b->height - 1) * b->stride + b->width;
    return a0 < b1 && b0 < a1;
}

/* Runs `count` passes (kinds[i]: 0 erosion, 1 dilation) from src into
 * `final`, MORPH_PIPE_MAX at a time streamed through row rings. Between
 * such groups the intermediate frames alternate between `final` and
 * `spare` so that the last group lands in `final`. spare must not be an
 * image the caller still needs (it may be `final`: groups then run in
 * place). */
static void chain(IsegMorph *m, const int *kinds, int count, const IsegImage *src,
                  const IsegImage *final, const IsegImage *spare, IsegPool *pool)
{
    const int groups = (count + MORPH_PIPE_MAX - 1) / MORPH_PIPE_MAX;
    const IsegImage *cur = src;
    for (int g = 0; g < groups; g++) {
        const IsegImage *target = (groups - 1 - g) % 2 == 0 ? final : spare;
        const int first = g * MORPH_PIPE_MAX;
        iseg_morph_pipe(m, kinds + first, ISEG_MIN(MORPH_PIPE_MAX, count - first), cur, target,
                        pool);
        cur = target;
    }
}

int iseg_morph_apply(IsegMorph *m, const IsegImage *src, IsegImage *dst, IsegPool *pool)
{
    if (!m || iseg_image_check(src) < 0 || iseg_image_check(dst) < 0 || src->width != dst->width ||
        src->height != dst->height)
        return -EINVAL;
    if (src->data == dst->data ? src->stride != dst->stride : images_overlap(src, dst))
        return -EINVAL;
    if (iseg_force_reference())
        return iseg_morph_apply_ref(m->sel, &m->set, src, dst);
    const int W = src->width, H = src->height;
    const unsigned chunks = iseg_pool_chunks(pool, H, iseg_morph_grain(m, 1));
    int ret = iseg_morph_reserve(m, W, H, chunks);
    if (ret < 0)
        return ret;
    IsegImage tmp = { m->tmp, W, H, W };
    const IsegImage *spare = m->tmp ? &tmp : dst;
    const int n = m->run.iterations;
    int kinds[2 * ISEG_MORPH_MAX_ITERATIONS];
    const int first = m->set.op == ISEG_MORPH_DILATE || m->set.op == ISEG_MORPH_CLOSE ||
                      m->set.op == ISEG_MORPH_BLACKHAT;
    for (int i = 0; i < n; i++) {
        kinds[i] = first;
        kinds[n + i] = !first;
    }
    switch (m->set.op) {
    case ISEG_MORPH_ERODE:
    case ISEG_MORPH_DILATE: chain(m, kinds, n, src, dst, spare, pool); break;
    case ISEG_MORPH_OPEN:
    case ISEG_MORPH_CLOSE: chain(m, kinds, 2 * n, src, dst, spare, pool); break;
    case ISEG_MORPH_GRADIENT: {
        /* dilation into tmp, then erosion into dst: src stays intact until both read it */
        static const int erosions[ISEG_MORPH_MAX_ITERATIONS] = { 0 };
        chain(m, kinds + n, n, src, &tmp, src->data != dst->data ? dst : &tmp, pool);
        chain(m, erosions, n, src, dst, dst, pool);
        iseg_morph_subsat(m, &tmp, dst, dst, pool);
        break;
    }
    case ISEG_MORPH_TOPHAT:
    case ISEG_MORPH_BLACKHAT:
        chain(m, kinds, 2 * n, src, &tmp, src->data != dst->data ? dst : &tmp, pool);
        if (m->set.op == ISEG_MORPH_TOPHAT)
            iseg_morph_subsat(m, src, &tmp, dst, pool);
        else
            iseg_morph_subsat(m, &tmp, src, dst, pool);
        break;
    }
    return 0;
}
