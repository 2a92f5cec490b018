/* The fast erosion / dilation pass.
 *
 * The element is compiled (plan.c) into rectangles ("items"): columns
 * [a, b] x rows [r0, r1] around the origin. A pass sweeps each band of
 * output rows top to bottom. Every input row v it needs is "built" once,
 * before any output row that needs it and no later than output row v is
 * written (so the pass works in place):
 *   - copied with its horizontal border padding into table level 0, then
 *     table level k holds the min (max) of 2^k consecutive pixels, built
 *     from level k-1 with one vectorised pass (a sparse table);
 *     a run of len pixels starting at x is then min(T_k[x], T_k[x+len-2^k])
 *     with 2^k <= len < 2^(k+1): two loads whatever the length;
 *   - for tall items (more than MORPH_VDIRECT_MAX rows), the run min S(v)
 *     of the item's columns is stored, and the vertical min over the
 *     item's rows is computed by van Herk / Gil-Werman: blocks of V rows,
 *     suffix mins of the current block and a running prefix min of the
 *     next, 3 operations per pixel whatever V. Items of 2..4 rows store
 *     S(v) too and read their rows directly.
 * An output row is then the min over the items of their contributions,
 * accumulated in registers over all source rows (k->many).
 * Two shapes have their own paths: one tall rectangle goes vertical first
 * (van Herk on the input rows, then the horizontal run of the result), and
 * rectangles of at most MORPH_VDIRECT_MAX x MORPH_HDIRECT_MAX read the input
 * rows straight (3x3: eight output rows from ten input rows at a time).
 *
 * Pipelines: up to MORPH_PIPE_MAX passes (the erosion and dilation of an
 * opening, iterations) run in one sweep. Each pass is a "stage" that
 * produces its output rows on demand into a small ring of rows, pulled
 * by the next stage as its input rows; only the last stage writes the
 * image. Intermediate results never go through memory as full frames.
 *
 * Threads: the rows are split into bands by iseg_pool_run(); each band
 * rebuilds the rows of its halo (through every stage), so every output
 * pixel is computed from the same values whatever the split. In place
 * with several bands, the halo rows of each band are first copied aside
 * (one pool run) because the neighbouring band overwrites them.
 */
#include "morph_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- stages */

typedef struct PassJob {
    IsegMorph *m;
    const uint8_t *src;
    ptrdiff_t sstride;
    uint8_t *dst;
    ptrdiff_t dstride;
    int W, H;
    const int *kinds; /* per stage: 0 erosion, 1 dilation */
    int n_stages;
    int snap; /* in place with several bands: halo rows come from snapshots */
    int inplace;
} PassJob;

typedef struct Stage Stage;
struct Stage {
    const PassJob *job;
    MorphSlot *sl;
    Stage *prev; /* input stage, NULL: the image */
    int is_max;
    int final;      /* writes the image; others write sl->ring */
    int small_rect; /* reads its input rows directly (no tables) */
    int ip3;        /* 3x3 in place on the image (see ip3_rows) */
    uint8_t *saved; /* ip3: the original of the row above the next output row */
    uint8_t *spare; /* ip3: where the next original is saved */
    int y0, y1;     /* band of the pipeline (snapshots) */
    int n_above;    /* snapshot rows [y0 - n_above, y0) */
    int started;
    int next_out; /* next output row to produce */
    int next_v;   /* next input row to build */
    size_t wp;
};

static void snapshot_job(void *p, int begin, int end, unsigned slot)
{
    const PassJob *job = p;
    const IsegMorph *m = job->m;
    MorphSlot *sl = &m->slots[slot * (unsigned)m->pipe];
    const int n_above = job->n_stages * ISEG_MAX(0, -m->plan.minr);
    const int n_below = job->n_stages * m->plan.maxr_eff;
    for (int v = begin - n_above; v < begin; v++)
        if (v >= 0)
            memcpy(sl->above + (size_t)(v - (begin - n_above)) * job->W,
                   job->src + v * job->sstride, (size_t)job->W);
    for (int v = end; v < end + n_below && v < job->H; v++)
        memcpy(sl->below + (size_t)(v - end) * job->W, job->src + v * job->sstride, (size_t)job->W);
}

static const uint8_t *stage_row(Stage *st, int y);

/* input row v (0 <= v < H) of a stage */
static const uint8_t *input_row(const Stage *st, int v)
{
    if (st->prev)
        return stage_row(st->prev, v);
    const PassJob *job = st->job;
    if (job->snap) {
        if (v < st->y0)
            return st->sl->above + (size_t)(v - (st->y0 - st->n_above)) * job->W;
        if (v >= st->y1)
            return st->sl->below + (size_t)(v - st->y1) * job->W;
    }
    return job->src + v * job->sstride;
}

static inline uint8_t *table_row(const Stage *st, int ring_row, int level)
{
    const MorphPlan *pl = &st->job->m->plan;
    return st->sl->tables + ((size_t)ring_row * (pl->max_level + 1) + level) * st->wp;
}

/* S = op over src[x + a .. x + b] for x in [0, W), straight from the source
 * row: vectorised where the run lies inside the row, scalar at the ends. */
static void direct_run(const Stage *st, const MorphItem *it, const uint8_t *s, uint8_t *d)
{
    const PassJob *job = st->job;
    const int W = job->W, is_max = st->is_max;
    const int replicate = job->m->set.border == ISEG_MORPH_BORDER_REPLICATE;
    const int xlo = ISEG_MIN(W, ISEG_MAX(0, -it->a)), xhi = ISEG_MAX(xlo, ISEG_MIN(W, W - it->b));
    if (xhi > xlo)
        job->m->k->hrun(d + xlo, s + xlo + it->a, it->len, xhi - xlo, is_max);
    for (int x = 0; x < W; x++) {
        if (x == xlo)
            x = xhi;
        if (x >= W)
            break;
        int acc = is_max ? 0 : 255;
        for (int xx = x + it->a; xx <= x + it->b; xx++) {
            if ((xx < 0 || xx >= W) && !replicate)
                continue;
            const int v = s[ISEG_CLAMP(xx, 0, W - 1)];
            acc = is_max ? ISEG_MAX(acc, v) : ISEG_MIN(acc, v);
        }
        d[x] = (uint8_t)acc;
    }
}

/* Table levels of ring row rr from its level 0 (the padded row): the
 * levels items read; unread ones in between are skipped with four-tap
 * steps (level c -> c + 2 in one pass). */
static void build_levels(const Stage *st, int rr)
{
    const MorphPlan *pl = &st->job->m->plan;
    const MorphKernels *k = st->job->m->k;
    for (int lv = 0; lv < pl->max_level;) {
        const int step = lv + 2 <= pl->max_level && !(pl->levels & (1u << (lv + 1))) ? 2 : 1;
        const uint8_t *from = table_row(st, rr, lv);
        uint8_t *to = table_row(st, rr, lv + step);
        const int n = (int)st->wp - (1 << (lv + step)) + 1;
        if (step == 1) {
            k->pair(to, from, 1 << lv, n, st->is_max);
        } else {
            const int sh = 1 << lv;
            const uint8_t *four[4] = { from, from + sh, from + 2 * sh, from + 3 * sh };
            k->reduce(to, four, 4, 0, n, st->is_max);
        }
        lv += step;
    }
}

static void build_row(Stage *st, int v)
{
    const PassJob *job = st->job;
    const IsegMorph *m = job->m;
    const MorphPlan *pl = &m->plan;
    const MorphKernels *k = m->k;
    const int W = job->W, rr = morph_mod(v, pl->depth);
    const int replicate = m->set.border == ISEG_MORPH_BORDER_REPLICATE;
    const uint8_t *neutral = st->is_max ? st->sl->zeros : st->sl->ones;
    MorphVh *vh = st->sl->vh;

    if ((v < 0 || v >= job->H) && !replicate) {
        st->sl->row_neutral[rr] = 1;
        for (int q = 0; q < m->n_stored; q++)
            vh[q].sptr[morph_mod(v, vh[q].ring)] = neutral;
        return;
    }
    st->sl->row_neutral[rr] = 0;
    const uint8_t *s = input_row(st, ISEG_CLAMP(v, 0, job->H - 1));
    if (pl->need_tables) {
        uint8_t *t0 = table_row(st, rr, 0);
        memcpy(t0 + pl->pad_l, s, (size_t)W);
        memset(t0, replicate ? s[0] : neutral[0], (size_t)pl->pad_l);
        memset(t0 + pl->pad_l + W, replicate ? s[W - 1] : neutral[0], (size_t)pl->pad_r);
        build_levels(st, rr);
    }
    for (int i = 0, q = 0; i < pl->n_items; i++) {
        const MorphItem *it = &pl->items[i];
        if (!it->stored)
            continue;
        MorphVh *h = &vh[q++];
        const int slot = morph_mod(v, h->ring);
        uint8_t *d = h->sbuf + (size_t)slot * W;
        h->sptr[slot] = d;
        if (it->direct) {
            direct_run(st, it, s, d);
            continue;
        }
        const uint8_t *first = table_row(st, rr, it->level) + pl->pad_l + it->a;
        const int shift = it->len - (1 << it->level);
        if (shift)
            k->pair(d, first, shift, W, st->is_max);
        else
            memcpy(d, first, (size_t)W);
    }
}

/* van Herk / Gil-Werman step for output row y: adds to srcs the rows whose
 * min is the vertical min of S over rows [y + r0, y + r1]; returns how many. */
static int vh_step(const Stage *st, const MorphItem *it, MorphVh *h, int y, const uint8_t **srcs)
{
    const int W = st->job->W, is_max = st->is_max;
    const MorphKernels *k = st->job->m->k;
    const int V = it->r1 - it->r0 + 1, s = y + it->r0;
    if (!h->started || s == h->block_start + V) {
        /* a new block [s, s + V): suffix mins, prefix of the next block empty */
        h->started = 1;
        h->block_start = s;
        int slot = morph_mod(s + V - 1, h->ring);
        h->sufp[V - 1] = h->sptr[slot];
        for (int j = V - 2; j >= 0; j--) {
            slot = slot == 0 ? h->ring - 1 : slot - 1;
            uint8_t *d = h->suf + (size_t)j * W;
            const uint8_t *two[2] = { h->sptr[slot], h->sufp[j + 1] };
            k->reduce(d, two, 2, 0, W, is_max);
            h->sufp[j] = d;
        }
        h->pre_valid = 0;
        srcs[0] = h->sufp[0];
        return 1;
    }
    const uint8_t *newest = h->sptr[morph_mod(s + V - 1, h->ring)];
    if (!h->pre_valid) {
        h->pre_ptr = newest;
        h->pre_valid = 1;
    } else if (h->pre_ptr == h->pre) {
        k->reduce(h->pre, &newest, 1, 1, W, is_max);
    } else {
        const uint8_t *two[2] = { h->pre_ptr, newest };
        k->reduce(h->pre, two, 2, 0, W, is_max);
        h->pre_ptr = h->pre;
    }
    srcs[0] = h->sufp[s - h->block_start];
    srcs[1] = h->pre_ptr;
    return 2;
}

static uint8_t *out_row(const Stage *st, int y)
{
    if (st->final)
        return st->job->dst + y * st->job->dstride;
    return st->sl->ring + (size_t)morph_mod(y, morph_ring_rows(&st->job->m->plan)) * st->job->W;
}

/* Output columns [x0, x1) of a small rectangle, where the window leaves
 * the row: the column mins over the rows first, then the runs. */
static void small_rect_edge(const Stage *st, const MorphItem *it, const uint8_t *const *rows,
                            int nr, int x0, int x1, uint8_t *out)
{
    if (x0 >= x1)
        return;
    const int W = st->job->W, is_max = st->is_max;
    const int replicate = st->job->m->set.border == ISEG_MORPH_BORDER_REPLICATE;
    /* columns read: [c0, c1], at most (x1 - x0) + len of them (<= 255 + 4) */
    uint8_t col[2 * ISEG_SEL_MAX_SIDE + 8];
    const int c0 = ISEG_CLAMP(x0 + it->a, 0, W - 1), c1 = ISEG_CLAMP(x1 - 1 + it->b, 0, W - 1);
    for (int c = c0; c <= c1; c++) {
        int acc = rows[0][c];
        for (int k = 1; k < nr; k++)
            acc = is_max ? ISEG_MAX(acc, rows[k][c]) : ISEG_MIN(acc, rows[k][c]);
        col[c - c0] = (uint8_t)acc;
    }
    for (int x = x0; x < x1; x++) {
        int acc = is_max ? 0 : 255;
        for (int xx = x + it->a; xx <= x + it->b; xx++) {
            if ((xx < 0 || xx >= W) && !replicate)
                continue;
            const int v = col[ISEG_CLAMP(xx, 0, W - 1) - c0];
            acc = is_max ? ISEG_MAX(acc, v) : ISEG_MIN(acc, v);
        }
        out[x] = (uint8_t)acc;
    }
}

static void small_rect_edges(const Stage *st, const MorphItem *it, const uint8_t *const *rows,
                             int nr, int xlo, int xhi, uint8_t *out)
{
    small_rect_edge(st, it, rows, nr, 0, xlo, out);
    small_rect_edge(st, it, rows, nr, xhi, st->job->W, out);
}

/* 3x3 in place, the stage being the whole pass: output rows are written
 * over the input rows they are computed from. The row above the next
 * output row is kept as a copy (st->saved: its original is gone); rows at
 * and below are read from the image, four output rows at a time by a
 * kernel that stores each block only after loading the next. Near the top
 * and bottom, one row at a time from copies. Returns the rows produced. */
static int ip3_rows(Stage *st, int y, int batch)
{
    const PassJob *job = st->job;
    const IsegMorph *m = job->m;
    const MorphItem *it = &m->plan.items[0];
    const int W = job->W, H = job->H, is_max = st->is_max;
    const int replicate = m->set.border == ISEG_MORPH_BORDER_REPLICATE;
    uint8_t *out = out_row(st, y);
    if (y == st->y0 && y >= 1) /* the band's first row: the row above is in a snapshot */
        memcpy(st->saved, input_row(st, y - 1), (size_t)W);
    /* The edge columns below are read before the kernel says whether it
     * takes the batch (it must, before the kernel overwrites the rows):
     * they are columns 0, 1, W - 2 and W - 1, which exist only from W = 2
     * on, and the kernel needs interior columns (W - 2 >= 1) anyway. At
     * W = 1 they would be a byte before and after each row: the scratch
     * byte before st->saved, never written, and past the image's end. */
    if (batch >= 4 && W >= 3 && y >= 1 && y + 4 < H) {
        const uint8_t *rows[6];
        uint8_t *outs[4];
        rows[0] = st->saved;
        for (int k = 1; k < 6; k++)
            rows[k] = input_row(st, y - 1 + k);
        for (int k = 0; k < 4; k++)
            outs[k] = out_row(st, y + k) + 1;
        /* first and last columns from the originals, written after */
        uint8_t edge[4][2];
        for (int e = 0; e < 2; e++) {
            const int c0 = e ? W - 2 : 0;
            int col[6];
            for (int k = 0; k < 6; k++)
                col[k] = is_max ? ISEG_MAX(rows[k][c0], rows[k][c0 + 1])
                                : ISEG_MIN(rows[k][c0], rows[k][c0 + 1]);
            for (int k = 0; k < 4; k++)
                edge[k][e] = (uint8_t)(is_max ? ISEG_MAX(ISEG_MAX(col[k], col[k + 1]), col[k + 2])
                                              : ISEG_MIN(ISEG_MIN(col[k], col[k + 1]), col[k + 2]));
        }
        memcpy(st->spare, rows[4], (size_t)W); /* row y + 3, above the next batch */
        if (m->k->rect3_inplace(outs, rows, W - 2, is_max)) {
            for (int k = 0; k < 4; k++) {
                outs[k][-1] = edge[k][0];
                outs[k][W - 2] = edge[k][1];
            }
            uint8_t *t = st->saved;
            st->saved = st->spare;
            st->spare = t;
            return 4;
        }
    }
    /* one row: rows above and at y from copies, below from the image */
    memcpy(st->spare, input_row(st, y), (size_t)W);
    const uint8_t *rows[3];
    int nr = 0;
    if (y >= 1)
        rows[nr++] = st->saved;
    else if (replicate)
        rows[nr++] = st->spare;
    rows[nr++] = st->spare;
    if (y + 1 < H)
        rows[nr++] = input_row(st, y + 1);
    else if (replicate)
        rows[nr++] = st->spare;
    const int xlo = ISEG_MIN(W, 1), xhi = ISEG_MAX(xlo, W - 1);
    if (xhi > xlo) {
        const uint8_t *shifted[3];
        for (int k = 0; k < nr; k++)
            shifted[k] = rows[k] + xlo - 1;
        m->k->rect_small(out + xlo, shifted, nr, 3, xhi - xlo, is_max);
    }
    small_rect_edges(st, it, rows, nr, xlo, xhi, out);
    uint8_t *t = st->saved;
    st->saved = st->spare;
    st->spare = t;
    return 1;
}

/* Small rectangles (3x3...): every output vector is the min of len x rows
 * loads straight from the input rows (all in L1); nothing stored between.
 * Produces row y, or up to `batch` rows from y (3x3 away from the frame's
 * top and bottom); returns the number of rows produced. */
static int small_rect_rows(Stage *st, int y, int batch)
{
    const PassJob *job = st->job;
    const IsegMorph *m = job->m;
    const MorphItem *it = &m->plan.items[0];
    const int W = job->W, H = job->H, is_max = st->is_max;
    const int replicate = m->set.border == ISEG_MORPH_BORDER_REPLICATE;
    const int xlo = ISEG_MIN(W, ISEG_MAX(0, -it->a)), xhi = ISEG_MAX(xlo, ISEG_MIN(W, W - it->b));
    uint8_t *out = out_row(st, y);
    /* the common 3x3, several rows at a time away from the top and bottom */
    int nout = 8;
    while (nout > 1 && (nout > batch || y + nout >= H))
        nout /= 2;
    if (nout >= 2 && it->len == 3 && it->a == -1 && it->r0 == -1 && it->r1 == 1 && y >= 1) {
        const uint8_t *rows[MORPH_BATCH + 2];
        uint8_t *outs[MORPH_BATCH];
        for (int k = 0; k < nout + 2; k++)
            rows[k] = input_row(st, y - 1 + k);
        for (int k = 0; k < nout; k++)
            outs[k] = out_row(st, y + k) + 1;
        if (m->k->rect3(outs, rows, nout, W - 2, is_max)) {
            /* first and last columns: with either border the window is
             * the two columns inside the frame */
            for (int e = 0; e < 2; e++) {
                const int c0 = e ? W - 2 : 0;
                int col[MORPH_BATCH + 2];
                for (int k = 0; k < nout + 2; k++)
                    col[k] = is_max ? ISEG_MAX(rows[k][c0], rows[k][c0 + 1])
                                    : ISEG_MIN(rows[k][c0], rows[k][c0 + 1]);
                for (int k = 0; k < nout; k++) {
                    const int v = is_max ? ISEG_MAX(ISEG_MAX(col[k], col[k + 1]), col[k + 2])
                                         : ISEG_MIN(ISEG_MIN(col[k], col[k + 1]), col[k + 2]);
                    outs[k][e ? W - 2 : -1] = (uint8_t)v;
                }
            }
            return nout;
        }
    }
    const uint8_t *rows[MORPH_VDIRECT_MAX];
    int nr = 0;
    for (int v = y + it->r0; v <= y + it->r1; v++)
        if (replicate || (v >= 0 && v < H))
            rows[nr++] = input_row(st, ISEG_CLAMP(v, 0, H - 1));
    if (nr == 0) {
        memset(out, is_max ? 0 : 255, (size_t)W);
        return 1;
    }
    if (xhi > xlo) {
        const uint8_t *shifted[MORPH_VDIRECT_MAX];
        for (int k = 0; k < nr; k++)
            shifted[k] = rows[k] + xlo + it->a;
        m->k->rect_small(out + xlo, shifted, nr, it->len, xhi - xlo, is_max);
    }
    small_rect_edges(st, it, rows, nr, xlo, xhi, out);
    return 1;
}

/* Vertical-first rectangle: input row v becomes S(v) itself (no copy,
 * unless the image is being overwritten in place). */
static void vfirst_row(Stage *st, int v)
{
    const PassJob *job = st->job;
    MorphVh *h = &st->sl->vh[0];
    const int slot = morph_mod(v, h->ring);
    if (v < 0 || v >= job->H) {
        if (job->m->set.border != ISEG_MORPH_BORDER_REPLICATE) {
            h->sptr[slot] = st->is_max ? st->sl->zeros : st->sl->ones;
            return;
        }
        v = ISEG_CLAMP(v, 0, job->H - 1);
    }
    const uint8_t *s = input_row(st, v);
    if (!st->prev && job->inplace) {
        uint8_t *d = h->sbuf + (size_t)slot * job->W;
        memcpy(d, s, (size_t)job->W);
        s = d;
    }
    h->sptr[slot] = s;
}

static void vfirst_produce(Stage *st, int y)
{
    const PassJob *job = st->job;
    const IsegMorph *m = job->m;
    const MorphPlan *pl = &m->plan;
    const MorphItem *it = &pl->items[0];
    const int W = job->W;
    const int replicate = m->set.border == ISEG_MORPH_BORDER_REPLICATE;
    for (; st->next_v <= y + pl->maxr_eff; st->next_v++)
        vfirst_row(st, st->next_v);
    const uint8_t **srcs = st->sl->srcs;
    const int n = vh_step(st, it, &st->sl->vh[0], y, srcs);
    /* the column mins, padded, are level 0 of the (single) table row */
    uint8_t *t0 = table_row(st, 0, 0);
    m->k->many(t0 + pl->pad_l, srcs, n, W, st->is_max);
    const uint8_t neutral = st->is_max ? 0 : 255;
    memset(t0, replicate ? t0[pl->pad_l] : neutral, (size_t)pl->pad_l);
    memset(t0 + pl->pad_l + W, replicate ? t0[pl->pad_l + W - 1] : neutral, (size_t)pl->pad_r);
    build_levels(st, 0);
    const uint8_t *first = table_row(st, 0, it->level) + pl->pad_l + it->a;
    const uint8_t *two[2] = { first, first + (it->len - (1 << it->level)) };
    m->k->many(out_row(st, y), two, two[1] == two[0] ? 1 : 2, W, st->is_max);
}

/* Produces output row y of a stage (rows are produced in order) and
 * returns the number of rows produced (1, or up to batch for small rectangles). */
static int produce(Stage *st, int y, int batch)
{
    const PassJob *job = st->job;
    const IsegMorph *m = job->m;
    const MorphPlan *pl = &m->plan;
    if (!st->started) {
        st->started = 1;
        st->next_v = y + pl->minr;
        for (int q = 0; q < m->n_stored; q++)
            st->sl->vh[q].started = 0;
        /* the first input row this stage reads starts the previous stage */
        if (st->prev)
            stage_row(st->prev, ISEG_CLAMP(y + pl->minr, 0, job->H - 1));
    }
    if (st->ip3)
        return ip3_rows(st, y, batch);
    if (st->small_rect) {
        /* pull the input as far ahead as a table-building stage would:
         * every stage has consumed its input up to row y + maxr_eff when
         * it produces row y (the in-place argument in pipe_job) */
        if (st->prev)
            stage_row(st->prev, ISEG_MIN(y + pl->maxr_eff, job->H - 1));
        return small_rect_rows(st, y, batch);
    }
    if (pl->vfirst) {
        vfirst_produce(st, y);
        return 1;
    }
    for (; st->next_v <= y + pl->maxr_eff; st->next_v++)
        build_row(st, st->next_v);
    const uint8_t **srcs = st->sl->srcs;
    /* table ring row of v = y + min_direct_r0; others follow with wrap */
    const int rr0 = morph_mod(y + pl->min_direct_r0, pl->depth);
    int n = 0;
    for (int i = 0, q = 0; i < pl->n_items; i++) {
        const MorphItem *it = &pl->items[i];
        if (it->vh) {
            n += vh_step(st, it, &st->sl->vh[q++], y, srcs + n);
            continue;
        }
        if (it->stored) {
            const MorphVh *h = &st->sl->vh[q++];
            for (int v = y + it->r0, sl = morph_mod(v, h->ring); v <= y + it->r1; v++) {
                srcs[n++] = h->sptr[sl];
                sl = sl + 1 == h->ring ? 0 : sl + 1;
            }
            continue;
        }
        const int shift = it->len - (1 << it->level);
        int rr = rr0 + it->r0 - pl->min_direct_r0;
        if (rr >= pl->depth)
            rr -= pl->depth;
        for (int v = y + it->r0; v <= y + it->r1; v++) {
            if (!st->sl->row_neutral[rr]) {
                const uint8_t *first = table_row(st, rr, it->level) + pl->pad_l + it->a;
                srcs[n++] = first;
                if (shift)
                    srcs[n++] = first + shift;
            }
            rr = rr + 1 == pl->depth ? 0 : rr + 1;
        }
    }
    if (n == 0)
        srcs[n++] = st->is_max ? st->sl->zeros : st->sl->ones;
    m->k->many(out_row(st, y), srcs, n, job->W, st->is_max);
    return 1;
}

/* Output row y of a non-final stage, produced on demand. Requests come in
 * non-decreasing order and stay within the ring. */
static const uint8_t *stage_row(Stage *st, int y)
{
    if (!st->started)
        st->next_out = y;
    while (st->next_out <= y)
        st->next_out += produce(st, st->next_out, MORPH_BATCH);
    return out_row(st, y);
}

static void pipe_job(void *p, int y0, int y1, unsigned slot)
{
    const PassJob *job = p;
    IsegMorph *m = job->m;
    const MorphPlan *pl = &m->plan;
    Stage stages[MORPH_PIPE_MAX];
    /* lookahead of the stages after stage i: rows of stage i's input still
     * unread when the final stage writes a row (in-place safety below) */
    int later = 0;
    for (int i = job->n_stages - 1; i >= 0; i--) {
        Stage *st = &stages[i];
        memset(st, 0, sizeof(*st));
        st->job = job;
        st->sl = &m->slots[slot * (unsigned)m->pipe + (unsigned)i];
        st->prev = i > 0 ? &stages[i - 1] : NULL;
        st->is_max = job->kinds[i];
        st->final = i == job->n_stages - 1;
        st->y0 = y0;
        st->y1 = y1;
        st->n_above = job->n_stages * ISEG_MAX(0, -pl->minr);
        st->wp = (size_t)job->W + pl->pad_l + pl->pad_r;
        /* In place, the final stage writes image row y once every stage
         * has produced its rows up to y + (lookahead of the later stages),
         * so a stage that copies its input rows as it builds them has read
         * image row y before it is overwritten. A small-rectangle stage 0
         * reads image rows again later; that is safe when its next row's
         * window starts below y, and when it is not itself the final stage
         * (which would read the clamped last row while writing it). */
        st->small_rect = pl->small_rect && (i > 0 || !job->inplace ||
                                            (job->n_stages > 1 && later + pl->items[0].r0 >= 0));
        const MorphItem *it0 = &pl->items[0];
        st->ip3 = pl->small_rect && i == 0 && job->n_stages == 1 && job->inplace && it0->len == 3 &&
                  it0->a == -1 && it0->r0 == -1 && it0->r1 == 1;
        if (st->ip3) {
            st->saved = st->sl->ring;
            st->spare = st->sl->ring + job->W;
        }
        later += pl->maxr_eff;
    }
    Stage *fin = &stages[job->n_stages - 1];
    for (int y = y0; y < y1;)
        y += produce(fin, y, ISEG_MIN(MORPH_BATCH, y1 - y));
}

void iseg_morph_pipe(IsegMorph *m, const int *kinds, int n_stages, const IsegImage *src,
                     const IsegImage *dst, IsegPool *pool)
{
    const int grain = iseg_morph_grain(m, n_stages);
    PassJob job = { m,           src->data,  src->stride,           dst->data,
                    dst->stride, src->width, src->height,           kinds,
                    n_stages,    0,          src->data == dst->data };
    job.snap = job.inplace && iseg_pool_chunks(pool, src->height, grain) > 1;
    if (job.snap)
        iseg_pool_run(pool, src->height, grain, snapshot_job, &job);
    iseg_pool_run(pool, src->height, grain, pipe_job, &job);
}

/* ---------------------------------------------------------------- subsat */

typedef struct SubJob {
    const MorphKernels *k;
    const IsegImage *a, *b, *d;
} SubJob;

static void sub_job(void *p, int y0, int y1, unsigned slot)
{
    (void)slot;
    const SubJob *j = p;
    for (int y = y0; y < y1; y++)
        j->k->subsat(j->d->data + y * j->d->stride, j->a->data + y * j->a->stride,
                     j->b->data + y * j->b->stride, j->d->width);
}

void iseg_morph_subsat(IsegMorph *m, const IsegImage *a, const IsegImage *b, const IsegImage *dst,
                       IsegPool *pool)
{
    SubJob j = { m->k, a, b, dst };
    iseg_pool_run(pool, dst->height, 64, sub_job, &j);
}
