/* Compiling a structuring element into the plan of the fast pass: a list of
 * rectangles ("items", morph_priv.h), merged where that saves work, and the
 * sizes of the tables and rings they need. */
#include "morph_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

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
int iseg_morph_plan_compile(MorphPlan *pl, const IsegSel *sel, int *iterations)
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
