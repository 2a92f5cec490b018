/* The hit-or-miss transform, thinning, thickening and skeletons: the
 * context (the set compiled to term lists, the bit image and thinning
 * buffers) and iseg_hitmiss_run().
 *
 * Reference (hitmiss_ref.c): byte images, one pixel and one element cell at
 * a time, exactly as the definitions in hitmiss.h read.
 *
 * Fast path (bits.c): the frame is packed to one bit per pixel, 64 pixels per
 * uint64_t word (pixel x of a row is bit x % 64 of word x / 64). An element
 * is a list of terms (dx, dy, hit or miss); its match on 64 pixels at once is
 * the AND of the row words shifted by dx bits, complemented for miss terms.
 * Rows carry zero words left and right and there are zero rows above and
 * below, so shifted reads never test bounds and the outside of the frame is
 * background. Elements that fit in 3x3 read the nine neighbourhood words once.
 *
 * Thin, thicken and skeleton (thin.c) keep a queue of the cells (row words, or 8x8
 * tiles for sets of 3x3 elements) that may still change: a cell is
 * evaluated for element k only if something within the set's reach of it
 * changed since element k last looked at it (or in the first pass). A pass
 * over a thick shape therefore costs the length of its contour, not the
 * area of the frame; see docs/hitmiss.md.
 */
#include "hitmiss_priv.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- context */

static void hitmiss_free(IsegHitmiss *hm)
{
    if (!hm)
        return;
    free(hm->sels);
    free(hm->set);
    free(hm->sel_cells);
    free(hm->elems);
    free(hm->terms);
    free(hm->block);
    free(hm->tiles);
    free(hm->valid);
    free(hm->tag);
    free(hm->queue);
    free(hm->changes);
    free(hm);
}

void iseg_hitmiss_destroy(IsegHitmiss *hm)
{
    hitmiss_free(hm);
}

/* Copies the set and compiles it into term lists; thicken swaps hit and miss. */
static int compile_set(IsegHitmiss *hm, const IsegSel *const *set, int n)
{
    size_t total = 0;
    for (int k = 0; k < n; k++)
        total += (size_t)(set[k]->width * set[k]->height);
    hm->sels = malloc((size_t)n * sizeof(IsegSel));
    hm->set = malloc((size_t)n * sizeof(IsegSel *));
    hm->sel_cells = malloc(total);
    hm->elems = calloc((size_t)n, sizeof(Elem));
    hm->terms = malloc(total * sizeof(Term));
    if (!hm->sels || !hm->set || !hm->sel_cells || !hm->elems || !hm->terms)
        return -ENOMEM;
    hm->n_elems = n;
    uint8_t *cells = hm->sel_cells;
    for (int k = 0; k < n; k++) {
        const size_t size = (size_t)(set[k]->width * set[k]->height);
        hm->sels[k] = *set[k];
        hm->sels[k].cells = memcpy(cells, set[k]->cells, size);
        hm->set[k] = &hm->sels[k];
        cells += size;
    }
    const int swap = hm->op == ISEG_HITMISS_THICKEN;
    /* The terms a flip can make true come first: thin clears pixels, which
     * satisfies miss terms (thicken: swapped hit terms). Near the contour,
     * where thinning looks, they are the ones that fail, so the evaluation
     * of a word usually stops after one or two of them. */
    const uint64_t first_inv = swap ? 0 : ~(uint64_t)0;
    Term *t = hm->terms;
    hm->all_small = 1;
    for (int k = 0; k < n; k++) {
        const IsegSel *s = set[k];
        Elem *e = &hm->elems[k];
        e->terms = t;
        e->small = 1;
        /* pass 0, 1: the terms a flip can satisfy, cells in line with the
         * origin first (cheaper to compute), then the rest;
         * pass 2, 3: the other terms, in the same way */
        for (int pass = 0; pass < 4; pass++)
            for (int cy = 0; cy < s->height; cy++)
                for (int cx = 0; cx < s->width; cx++) {
                    const int cell = s->cells[cy * s->width + cx];
                    if (cell == ISEG_SEL_DONTCARE)
                        continue;
                    const uint64_t inv = ((cell == ISEG_SEL_MISS) != swap) ? ~(uint64_t)0 : 0;
                    const int in_line = cx == s->origin_x || cy == s->origin_y;
                    if ((inv == first_inv) != (pass < 2) || in_line != (pass % 2 == 0))
                        continue;
                    t->dx = cx - s->origin_x;
                    t->dy = cy - s->origin_y;
                    t->inv = inv;
                    hm->rx = ISEG_MAX(hm->rx, abs(t->dx));
                    hm->ry = ISEG_MAX(hm->ry, abs(t->dy));
                    if (abs(t->dx) > 1 || abs(t->dy) > 1) {
                        e->small = 0;
                    } else if (e->n_terms < 9) { /* a small element has <= 9 terms */
                        const int pos = (t->dy + 1) * 3 + t->dx + 1;
                        e->pos[e->n_terms] = (uint8_t)pos;
                        if (inv)
                            e->miss9 |= 1u << pos;
                        else
                            e->hit9 |= 1u << pos;
                    }
                    e->n_terms++;
                    t++;
                }
        hm->all_small &= e->small;
    }
    hm->n_terms = (int)(t - hm->terms);
    return 0;
}

static int alloc_rows(IsegHitmiss *hm)
{
    const size_t rows = (size_t)hm->height + 2 * (size_t)hm->ry;
    if (rows > SIZE_MAX / sizeof(uint64_t) / (size_t)hm->pitch)
        return -ENOMEM;
    hm->block_words = rows * (size_t)hm->pitch;
    hm->block = calloc(hm->block_words, sizeof(uint64_t));
    if (!hm->block)
        return -ENOMEM;
    hm->bits = hm->block + (ptrdiff_t)hm->ry * hm->pitch + hm->pad;
    hm->cells = hm->block;
    hm->n_cells = hm->block_words;
    hm->cpitch = hm->pitch;
    return 0;
}

static int alloc_tiles(IsegHitmiss *hm)
{
    const size_t rows = (size_t)hm->th + 2;
    if (rows > SIZE_MAX / sizeof(uint64_t) / (size_t)hm->tpitch)
        return -ENOMEM;
    hm->n_cells = rows * (size_t)hm->tpitch;
    hm->tiles = calloc(hm->n_cells, sizeof(uint64_t));
    if (!hm->tiles)
        return -ENOMEM;
    hm->cells = hm->tiles;
    hm->cpitch = hm->tpitch;
    return 0;
}

/* Pixels of tile (tx, ty) inside the frame. */
static uint64_t tile_valid(const IsegHitmiss *hm, int ty, int tx)
{
    const int cols = ISEG_MIN(8, hm->width - 8 * tx), rows = ISEG_MIN(8, hm->height - 8 * ty);
    const uint64_t row = ((1u << cols) - 1) & 0xff;
    uint64_t v = 0;
    for (int r = 0; r < rows; r++)
        v |= row << (8 * r);
    return v;
}

static int alloc_thinning(IsegHitmiss *hm)
{
    const size_t n = hm->n_cells;
    if (n > UINT32_MAX) /* queue entries are 32-bit cell indices */
        return -ENOMEM;
    hm->valid = calloc(n, sizeof(*hm->valid));
    hm->tag = malloc(n * sizeof(*hm->tag));
    hm->queue = malloc(n * sizeof(*hm->queue));
    hm->changes = malloc(n * sizeof(*hm->changes));
    if (!hm->valid || !hm->tag || !hm->queue || !hm->changes)
        return -ENOMEM;
    for (size_t c = 0; c < n; c++)
        hm->tag[c] = TAG_BLOCKED;
    if (hm->tiled) {
        for (int ty = 0; ty < hm->th; ty++)
            for (int tx = 0; tx < hm->tw; tx++)
                hm->valid[tile_index(hm, ty, tx)] = tile_valid(hm, ty, tx);
    } else {
        for (int y = 0; y < hm->height; y++)
            for (int i = 0; i < hm->nw; i++)
                hm->valid[word_index(hm, y, i)] = i == hm->nw - 1 ? hm->tail : ~(uint64_t)0;
    }
    return 0;
}

int iseg_hitmiss_create(IsegHitmiss **out, IsegHitmissOp op, const IsegSel *const *set, int n_sels,
                        int width, int height)
{
    if (!out)
        return -EINVAL;
    *out = NULL;
    BuiltinSet builtin;
    set = hm_resolve_set(op, set, &n_sels, &builtin);
    if (hm_set_check(op, set, n_sels) < 0 || width < 1 || height < 1)
        return -EINVAL;
    IsegHitmiss *hm = calloc(1, sizeof(*hm));
    if (!hm)
        return -ENOMEM;
    hm->op = op;
    hm->width = width;
    hm->height = height;
    int ret = compile_set(hm, set, n_sels);
    if (ret < 0) {
        hitmiss_free(hm);
        return ret;
    }
    hm->ry = ISEG_MAX(hm->ry, 1); /* load9 reads a row above and below */
    hm->nw = (int)(((unsigned)width + 63u) / 64u);
    hm->pad = (hm->rx + 63) / 64 + 1;
    hm->pitch = (ptrdiff_t)hm->nw + 2 * hm->pad;
    hm->tail = (width % 64) ? ((uint64_t)1 << (width % 64)) - 1 : ~(uint64_t)0;
    hm->tiled = op != ISEG_HITMISS_HMT && hm->all_small;
    hm->builtin = hm->tiled && op != ISEG_HITMISS_THICKEN && hm_is_skeleton_set(hm);
    hm->tw = (int)(((unsigned)width + 7u) / 8u);
    hm->th = (int)(((unsigned)height + 7u) / 8u);
    hm->tpitch = (ptrdiff_t)hm->tw + 2;
    for (int k = 0; k < hm->n_terms; k++)
        hm->terms[k].off = hm->terms[k].dy * hm->pitch;
    ret = hm->tiled ? alloc_tiles(hm) : alloc_rows(hm);
    if (ret == 0 && op != ISEG_HITMISS_HMT)
        ret = alloc_thinning(hm);
    if (ret < 0) {
        hitmiss_free(hm);
        return ret;
    }
    *out = hm;
    return 0;
}

/* ---------------------------------------------------------------- entry */

int iseg_hitmiss_run(IsegHitmiss *hm, const IsegImage *src, IsegImage *dst, unsigned iterations,
                     IsegPool *pool, IsegHitmissStats *stats)
{
    if (!hm || iseg_image_check(src) < 0 || iseg_image_check(dst) < 0 || src->width != hm->width ||
        src->height != hm->height || dst->width != hm->width || dst->height != hm->height)
        return -EINVAL;
    if (iseg_force_reference())
        return iseg_hitmiss_ref(hm->op, hm->set, hm->n_elems, src, dst, iterations, stats);
    IsegHitmissStats st = { 0, 0 };
    const int grain = 16;
    uint64_t counts[256] = { 0 };
    RowJob job = { hm, src, dst, counts };
    const unsigned limit = hm->op == ISEG_HITMISS_SKELETON ? 0 : iterations;
    if (hm->op == ISEG_HITMISS_HMT) {
        iseg_pool_run(pool, hm->height, grain, hm_pack_rows, &job);
        iseg_pool_run(pool, hm->height, grain, hm_hmt_rows, &job);
        for (int c = 0; c < 256; c++)
            st.matches += counts[c];
        st.passes = 1;
    } else if (hm->tiled) {
        iseg_pool_run(pool, hm->th, 2, hm_pack_tiles, &job);
        hm_thin_tiles(hm, limit, &st);
        iseg_pool_run(pool, hm->height, grain, hm_unpack_tiles, &job);
    } else {
        iseg_pool_run(pool, hm->height, grain, hm_pack_rows, &job);
        hm_thin_rows(hm, limit, &st);
        iseg_pool_run(pool, hm->height, grain, hm_unpack_rows, &job);
    }
    if (stats)
        *stats = st;
    return 0;
}
