/* The hit-or-miss transform, thinning, thickening and skeletons.
 *
 * Reference: byte images, one pixel and one element cell at a time, exactly
 * as the definitions in hitmiss.h read.
 *
 * Fast path: the frame is packed to one bit per pixel, 64 pixels per
 * uint64_t word (pixel x of a row is bit x % 64 of word x / 64). An element
 * is a list of terms (dx, dy, hit or miss); its match on 64 pixels at once is
 * the AND of the row words shifted by dx bits, complemented for miss terms.
 * Rows carry zero words left and right and there are zero rows above and
 * below, so shifted reads never test bounds and the outside of the frame is
 * background. Elements that fit in 3x3 read the nine neighbourhood words once.
 *
 * Thin, thicken and skeleton keep a queue of the cells (row words, or 8x8
 * tiles for sets of 3x3 elements) that may still change: a cell is
 * evaluated for element k only if something within the set's reach of it
 * changed since element k last looked at it (or in the first pass). A pass
 * over a thick shape therefore costs the length of its contour, not the
 * area of the frame; see docs/hitmiss.md.
 */
#include "internal.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define MAX_SET 64 /* elements in a set (hitmiss.h) */

/* ---------------------------------------------------------------- checks */

static int sel_check(const IsegSel *s)
{
    if (!s || !s->cells || s->width < 1 || s->height < 1 || s->width > ISEG_SEL_MAX_SIDE ||
        s->height > ISEG_SEL_MAX_SIDE)
        return -EINVAL;
    if (s->origin_x < 0 || s->origin_x >= s->width || s->origin_y < 0 || s->origin_y >= s->height)
        return -EINVAL;
    for (int i = 0; i < s->width * s->height; i++)
        if (s->cells[i] > ISEG_SEL_MISS)
            return -EINVAL;
    return 0;
}

/* The built-in skeleton set (hitmiss.h), cells row-major: 1 hit, 2 miss. */
#define SKELETON_SET_SIZE 8
static const uint8_t skeleton_cells[SKELETON_SET_SIZE][9] = {
    { 2, 2, 2, 0, 1, 0, 1, 1, 1 }, /* 0 0 0; . 1 .; 1 1 1 */
    { 0, 2, 2, 1, 1, 2, 0, 1, 0 }, /* . 0 0; 1 1 0; . 1 . */
    { 1, 0, 2, 1, 1, 2, 1, 0, 2 }, /* 1 . 0; 1 1 0; 1 . 0 */
    { 0, 1, 0, 1, 1, 2, 0, 2, 2 }, /* . 1 .; 1 1 0; . 0 0 */
    { 1, 1, 1, 0, 1, 0, 2, 2, 2 }, /* 1 1 1; . 1 .; 0 0 0 */
    { 0, 1, 0, 2, 1, 1, 2, 2, 0 }, /* . 1 .; 0 1 1; 0 0 . */
    { 2, 0, 1, 2, 1, 1, 2, 0, 1 }, /* 0 . 1; 0 1 1; 0 . 1 */
    { 2, 2, 0, 2, 1, 1, 0, 1, 0 }, /* 0 0 .; 0 1 1; . 1 . */
};

/* The same as bits (dy + 1) * 3 + dx + 1 of the cells that must be 1 (hit)
 * and 0 (miss), for the thinning loop specialised to this set. */
static const unsigned skeleton_masks[SKELETON_SET_SIZE][2] = {
    { 0x1d0, 0x007 }, { 0x098, 0x026 }, { 0x059, 0x124 }, { 0x01a, 0x1a0 },
    { 0x017, 0x1c0 }, { 0x032, 0x0c8 }, { 0x134, 0x049 }, { 0x0b0, 0x00b },
};

typedef struct BuiltinSet {
    IsegSel sels[SKELETON_SET_SIZE];
    const IsegSel *ptrs[SKELETON_SET_SIZE];
    uint8_t cells[SKELETON_SET_SIZE][9];
} BuiltinSet;

/* The set to use: `set` itself, or the built-in skeleton set (filled into b)
 * when a skeleton is asked for without one. */
static const IsegSel *const *resolve_set(IsegHitmissOp op, const IsegSel *const *set, int *n,
                                         BuiltinSet *b)
{
    if (op != ISEG_HITMISS_SKELETON || set || *n != 0)
        return set;
    memcpy(b->cells, skeleton_cells, sizeof(skeleton_cells));
    for (int k = 0; k < SKELETON_SET_SIZE; k++) {
        b->sels[k] = (IsegSel){ 3, 3, 1, 1, b->cells[k] };
        b->ptrs[k] = &b->sels[k];
    }
    *n = SKELETON_SET_SIZE;
    return b->ptrs;
}

static int set_check(IsegHitmissOp op, const IsegSel *const *set, int n)
{
    if (op < ISEG_HITMISS_HMT || op > ISEG_HITMISS_SKELETON || !set || n < 1 || n > MAX_SET)
        return -EINVAL;
    for (int k = 0; k < n; k++)
        if (sel_check(set[k]) < 0)
            return -EINVAL;
    return 0;
}

/* ---------------------------------------------------------------- reference */

/* Whether sel (hit and miss swapped when `swap`) matches at (x, y) of the 0/1
 * image a of w x h pixels; outside the frame is background. */
static int ref_match(const uint8_t *a, int w, int h, const IsegSel *sel, int swap, int x, int y)
{
    for (int cy = 0; cy < sel->height; cy++)
        for (int cx = 0; cx < sel->width; cx++) {
            int cell = sel->cells[cy * sel->width + cx];
            if (cell == ISEG_SEL_DONTCARE)
                continue;
            if (swap)
                cell = cell == ISEG_SEL_HIT ? ISEG_SEL_MISS : ISEG_SEL_HIT;
            const int px = x + cx - sel->origin_x, py = y + cy - sel->origin_y;
            const int fg = px >= 0 && px < w && py >= 0 && py < h && a[(size_t)py * w + px];
            if ((cell == ISEG_SEL_HIT) != fg)
                return 0;
        }
    return 1;
}

int iseg_hitmiss_ref(IsegHitmissOp op, const IsegSel *const *set, int n_sels, const IsegImage *src,
                     IsegImage *dst, unsigned iterations, IsegHitmissStats *stats)
{
    BuiltinSet builtin;
    set = resolve_set(op, set, &n_sels, &builtin);
    if (set_check(op, set, n_sels) < 0 || iseg_image_check(src) < 0 || iseg_image_check(dst) < 0 ||
        src->width != dst->width || src->height != dst->height)
        return -EINVAL;
    const int w = src->width, h = src->height;
    const size_t n = (size_t)w * h;
    uint8_t *a = malloc(n), *m = malloc(n);
    if (!a || !m) {
        free(a);
        free(m);
        return -ENOMEM;
    }
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            a[(size_t)y * w + x] = src->data[y * src->stride + x] >= 128;

    uint64_t matches = 0;
    unsigned passes = 0;
    if (op == ISEG_HITMISS_HMT) {
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                uint8_t hit = 0;
                for (int k = 0; k < n_sels && !hit; k++)
                    hit = (uint8_t)ref_match(a, w, h, set[k], 0, x, y);
                m[(size_t)y * w + x] = hit;
                matches += hit;
            }
        memcpy(a, m, n);
        passes = 1;
    } else {
        const int thicken = op == ISEG_HITMISS_THICKEN;
        const unsigned limit = op == ISEG_HITMISS_SKELETON ? 0 : iterations;
        for (;;) {
            uint64_t changed = 0;
            for (int k = 0; k < n_sels; k++) {
                /* every pixel decided on the image the previous element left */
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++)
                        m[(size_t)y * w + x] = (uint8_t)ref_match(a, w, h, set[k], thicken, x, y);
                for (size_t i = 0; i < n; i++)
                    if (m[i] && a[i] != thicken) {
                        a[i] = (uint8_t)thicken;
                        changed++;
                    }
            }
            passes++;
            matches += changed;
            if (!changed || (limit && passes >= limit))
                break;
        }
    }
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            dst->data[y * dst->stride + x] = a[(size_t)y * w + x] ? 255 : 0;
    free(a);
    free(m);
    if (stats) {
        stats->matches = matches;
        stats->passes = passes;
    }
    return 0;
}

/* ---------------------------------------------------------------- context */

typedef struct Term {
    int dx, dy;
    ptrdiff_t off; /* dy * pitch: from a word to the word dy rows away */
    uint64_t inv;  /* 0 for a hit (must be 1), ~0 for a miss (must be 0) */
} Term;

typedef struct Elem {
    const Term *terms;
    int n_terms;
    int small;      /* every term within one pixel of the origin */
    uint8_t pos[9]; /* small: (dy + 1) * 3 + dx + 1 of each term */
    unsigned hit9;  /* small: bit pos set for a term that must be 1 */
    unsigned miss9; /* small: bit pos set for a term that must be 0 */
} Elem;

typedef struct Change {
    uint32_t at;   /* word index in the block */
    uint64_t mask; /* pixels of the word that flip */
} Change;

/* Cell tags (16 bits, to keep the thinning's working set in the cache):
 * TAG_IDLE for a cell that is not queued; TAG_BLOCKED for a cell that can
 * never flip (padding, or an empty cell for thin, a full one for thicken);
 * for a queued cell, the step s (mod 2^15) at which a pixel within reach
 * last flipped. A queued cell is looked at every step and leaves the queue
 * once its stamp is more than n_elems <= 64 steps old, so s minus its stamp
 * is always in 1..65 and the low 15 bits are enough to compute it. */
#define TAG_IDLE    0x8000u
#define TAG_BLOCKED 0xffffu
#define TAG_MASK    0x7fff

static inline uint16_t tag_of_step(int64_t s)
{
    return (uint16_t)(s & TAG_MASK);
}

/* Steps since the stamp `tag` of a queued cell, at step s. */
static inline int tag_age(uint16_t tag, int64_t s)
{
    return (int)((s - tag) & TAG_MASK);
}

struct IsegHitmiss {
    IsegHitmissOp op;
    int width, height;
    IsegSel *sels; /* copies of the set, for the reference path */
    const IsegSel **set;
    uint8_t *sel_cells;
    int n_elems;
    Elem *elems;
    Term *terms;
    int n_terms;
    int rx, ry; /* largest |dx|, |dy| of any term */
    int all_small;

    /* Bit image: row y (-ry <= y < height + ry) starts at bits + y * pitch;
     * `pad` zero words on each side of the nw words of pixels; bits past
     * the width in the last word are always 0. block holds it all. */
    int nw, pad;
    ptrdiff_t pitch;
    size_t block_words;
    uint64_t *block;
    uint64_t *bits;
    uint64_t tail; /* valid bits of a row's last word */

    /* Thinning of sets of 3x3 elements works on 8x8 tiles instead: pixel
     * (8 * tx + c, 8 * ty + r) is bit 8 * r + c of tiles[tile_index(ty, tx)],
     * with one ring of empty tiles around the frame. A contour crosses
     * about 8 times fewer tiles than row words where it is steep. */
    int tiled;
    int builtin;      /* thin with the built-in skeleton set (specialised) */
    int tw, th;       /* tiles across, down */
    ptrdiff_t tpitch; /* tw + 2 */

    /* Thin / thicken / skeleton work on `cells`: the row words (block) or
     * the tiles, n_cells of them with the padding, `cpitch` per row. Indexed
     * like cells: `valid` has the bits of pixels inside the frame (0 in the
     * padding); `tag` the state of the cell (TAG_*); the queue of cell
     * indices; one step's changes. */
    uint64_t *cells;
    size_t n_cells;
    ptrdiff_t cpitch;
    uint64_t *tiles;
    uint64_t *valid;
    uint16_t *tag;
    uint32_t *queue;
    Change *changes;
};

/* Index in block of word i of row y. */
static inline size_t word_index(const IsegHitmiss *hm, int y, int i)
{
    return (size_t)(y + hm->ry) * (size_t)hm->pitch + (size_t)(hm->pad + i);
}

/* Index in tiles of tile (tx, ty). */
static inline size_t tile_index(const IsegHitmiss *hm, int ty, int tx)
{
    return (size_t)(ty + 1) * (size_t)hm->tpitch + (size_t)(tx + 1);
}

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
    set = resolve_set(op, set, &n_sels, &builtin);
    if (set_check(op, set, n_sels) < 0 || width < 1 || height < 1)
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
    hm->builtin = hm->tiled && op != ISEG_HITMISS_THICKEN && hm->n_elems == SKELETON_SET_SIZE;
    for (int k = 0; k < hm->n_elems && hm->builtin; k++)
        hm->builtin =
            hm->elems[k].hit9 == skeleton_masks[k][0] && hm->elems[k].miss9 == skeleton_masks[k][1];
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

/* ---------------------------------------------------------------- bits */

static inline uint64_t *bit_row(const IsegHitmiss *hm, int y)
{
    return hm->bits + (ptrdiff_t)y * hm->pitch;
}

/* Bit j of the result is the pixel dx columns right of bit j of word *p
 * (0 outside the frame): p[-pad] .. p[pad] must be readable, pad > |dx| / 64. */
static inline uint64_t shifted_word(const uint64_t *p, int pad, int dx)
{
    const int d = dx + pad * 64; /* >= 0: floor division by shifting */
    const uint64_t *q = p + (d >> 6) - pad;
    const unsigned r = (unsigned)(d & 63);
    return r ? (q[0] >> r) | (q[1] << (64 - r)) : q[0];
}

/* The nine words of the 3x3 neighbourhood of word i: v[(dy + 1) * 3 + dx + 1]
 * holds pixel (x + dx, y + dy) in bit x % 64. */
static inline void load9(const uint64_t *rowm, const uint64_t *row0, const uint64_t *rowp, int i,
                         uint64_t v[9])
{
    const uint64_t *r[3] = { rowm, row0, rowp };
    for (int k = 0; k < 3; k++) {
        const uint64_t c = r[k][i];
        v[k * 3 + 0] = (c << 1) | (r[k][i - 1] >> 63);
        v[k * 3 + 1] = c;
        v[k * 3 + 2] = (c >> 1) | (r[k][i + 1] << 63);
    }
}

static inline uint64_t eval_small(const Elem *e, const uint64_t v[9])
{
    uint64_t m = ~(uint64_t)0;
    for (int t = 0; t < e->n_terms; t++)
        m &= v[e->pos[t]] ^ e->terms[t].inv;
    return m;
}

static inline uint64_t eval_general(const IsegHitmiss *hm, const Elem *e, int y, int i)
{
    uint64_t m = ~(uint64_t)0;
    for (int t = 0; t < e->n_terms && m; t++) {
        const Term *tm = &e->terms[t];
        m &= shifted_word(bit_row(hm, y + tm->dy) + i, hm->pad, tm->dx) ^ tm->inv;
    }
    return m;
}

static inline uint64_t eval_elem(const IsegHitmiss *hm, const Elem *e, int y, int i)
{
    if (e->small) {
        uint64_t v[9];
        load9(bit_row(hm, y - 1), bit_row(hm, y), bit_row(hm, y + 1), i, v);
        return eval_small(e, v);
    }
    return eval_general(hm, e, y, i);
}

/* 8 pixels (>= 128 is 1) to 8 bits: the high bit of each byte, gathered by
 * one multiplication (the products land on distinct bits, no carries). */
static inline unsigned pack8(const uint8_t *p)
{
    uint64_t q;
    memcpy(&q, p, 8);
    q = (q >> 7) & 0x0101010101010101ull;
    return (unsigned)((q * 0x0102040810204080ull) >> 56);
}

/* n <= 64 pixels to a word. Reads exactly n bytes. */
static inline uint64_t pack_word(const uint8_t *p, int n)
{
    uint64_t w = 0;
    int j = 0;
#if defined(__SSE2__)
    for (; j + 16 <= n; j += 16) {
        const __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + j));
        w |= (uint64_t)(uint16_t)_mm_movemask_epi8(v) << j;
    }
#endif
    for (; j + 8 <= n; j += 8)
        w |= (uint64_t)pack8(p + j) << j;
    for (; j < n; j++)
        w |= (uint64_t)(p[j] >> 7) << j;
    return w;
}

/* 8 bits to 8 bytes of 255 / 0: bit j of b to byte j. */
static inline uint64_t unpack8(unsigned b)
{
    uint64_t x = ((uint64_t)b * 0x0101010101010101ull) & 0x8040201008040201ull;
    x = ((x + 0x7f7f7f7f7f7f7f7full) & 0x8080808080808080ull) >> 7;
    return x * 0xff;
}

/* The low n <= 64 bits of w to n bytes of 255 / 0. Writes exactly n bytes. */
static inline void unpack_word(uint8_t *p, uint64_t w, int n)
{
    int j = 0;
#if defined(__SSE2__)
    const __m128i sel = _mm_set1_epi64x((long long)0x8040201008040201ull);
    for (; j + 16 <= n; j += 16) {
        const uint64_t lo = (w >> j) & 0xff, hi = (w >> (j + 8)) & 0xff;
        const __m128i b = _mm_set_epi64x((long long)(hi * 0x0101010101010101ull),
                                         (long long)(lo * 0x0101010101010101ull));
        const __m128i v = _mm_cmpeq_epi8(_mm_and_si128(b, sel), sel);
        _mm_storeu_si128((__m128i *)(void *)(p + j), v);
    }
#endif
    for (; j + 8 <= n; j += 8) {
        const uint64_t q = unpack8((unsigned)(w >> j) & 0xff);
        memcpy(p + j, &q, 8);
    }
    for (; j < n; j++)
        p[j] = (w >> j) & 1 ? 255 : 0;
}

typedef struct RowJob {
    IsegHitmiss *hm;
    const IsegImage *src;
    IsegImage *dst;
    uint64_t *counts; /* per slot */
} RowJob;

static void pack_rows(void *p, int y0, int y1, unsigned slot)
{
    (void)slot;
    const RowJob *job = p;
    const IsegHitmiss *hm = job->hm;
    for (int y = y0; y < y1; y++) {
        const uint8_t *s = job->src->data + (ptrdiff_t)y * job->src->stride;
        uint64_t *b = bit_row(hm, y);
        for (int i = 0; i < hm->nw; i++)
            b[i] = pack_word(s + (ptrdiff_t)i * 64, ISEG_MIN(64, hm->width - i * 64));
    }
}

static void unpack_rows(void *p, int y0, int y1, unsigned slot)
{
    (void)slot;
    const RowJob *job = p;
    const IsegHitmiss *hm = job->hm;
    for (int y = y0; y < y1; y++) {
        uint8_t *d = job->dst->data + (ptrdiff_t)y * job->dst->stride;
        const uint64_t *b = bit_row(hm, y);
        for (int i = 0; i < hm->nw; i++)
            unpack_word(d + (ptrdiff_t)i * 64, b[i], ISEG_MIN(64, hm->width - i * 64));
    }
}

/* Rows of tiles [ty0, ty1) from src. */
static void pack_tiles(void *p, int ty0, int ty1, unsigned slot)
{
    (void)slot;
    const RowJob *job = p;
    const IsegHitmiss *hm = job->hm;
    for (int ty = ty0; ty < ty1; ty++) {
        uint64_t *t = hm->tiles + tile_index(hm, ty, 0);
        memset(t, 0, (size_t)hm->tw * sizeof(*t));
        for (int r = 0; r < 8 && 8 * ty + r < hm->height; r++) {
            const uint8_t *s = job->src->data + (ptrdiff_t)(8 * ty + r) * job->src->stride;
            int tx = 0;
#if defined(__SSE2__)
            for (; 8 * tx + 16 <= hm->width; tx += 2) {
                const __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + 8 * tx));
                const unsigned b = (unsigned)_mm_movemask_epi8(v);
                t[tx] |= (uint64_t)(b & 0xff) << (8 * r);
                t[tx + 1] |= (uint64_t)(b >> 8) << (8 * r);
            }
#endif
            for (; tx < hm->tw; tx++) {
                const int n = ISEG_MIN(8, hm->width - 8 * tx);
                const uint64_t b = n == 8 ? pack8(s + 8 * tx) : pack_word(s + 8 * tx, n);
                t[tx] |= b << (8 * r);
            }
        }
    }
}

/* Pixel rows [y0, y1) of dst from the tiles. */
static void unpack_tiles(void *p, int y0, int y1, unsigned slot)
{
    (void)slot;
    const RowJob *job = p;
    const IsegHitmiss *hm = job->hm;
    for (int y = y0; y < y1; y++) {
        uint8_t *d = job->dst->data + (ptrdiff_t)y * job->dst->stride;
        const uint64_t *t = hm->tiles + tile_index(hm, y / 8, 0);
        const int shift = 8 * (y % 8);
        int tx = 0;
#if defined(__SSE2__)
        const __m128i sel = _mm_set1_epi64x((long long)0x8040201008040201ull);
        for (; 8 * tx + 16 <= hm->width; tx += 2) {
            const uint64_t lo = (t[tx] >> shift) & 0xff, hi = (t[tx + 1] >> shift) & 0xff;
            const __m128i b = _mm_set_epi64x((long long)(hi * 0x0101010101010101ull),
                                             (long long)(lo * 0x0101010101010101ull));
            const __m128i v = _mm_cmpeq_epi8(_mm_and_si128(b, sel), sel);
            _mm_storeu_si128((__m128i *)(void *)(d + 8 * tx), v);
        }
#endif
        for (; 8 * tx + 8 <= hm->width; tx++) {
            const uint64_t q = unpack8((unsigned)(t[tx] >> shift) & 0xff);
            memcpy(d + 8 * tx, &q, 8);
        }
        if (tx < hm->tw)
            unpack_word(d + 8 * tx, (t[tx] >> shift) & 0xff, hm->width - 8 * tx);
    }
}

/* hitmiss: union of the matches of every element, written straight to dst. */
static void hmt_rows(void *p, int y0, int y1, unsigned slot)
{
    const RowJob *job = p;
    const IsegHitmiss *hm = job->hm;
    uint64_t count = 0;
    for (int y = y0; y < y1; y++) {
        uint8_t *d = job->dst->data + (ptrdiff_t)y * job->dst->stride;
        const uint64_t *rm = bit_row(hm, y - 1), *r0 = bit_row(hm, y), *rp = bit_row(hm, y + 1);
        for (int i = 0; i < hm->nw; i++) {
            uint64_t m = 0;
            if (hm->all_small) {
                uint64_t v[9];
                load9(rm, r0, rp, i, v);
                for (int k = 0; k < hm->n_elems; k++)
                    m |= eval_small(&hm->elems[k], v);
            } else {
                for (int k = 0; k < hm->n_elems; k++)
                    m |= eval_elem(hm, &hm->elems[k], y, i);
            }
            const int n = ISEG_MIN(64, hm->width - i * 64);
            if (n < 64)
                m &= hm->tail;
            count += (uint64_t)__builtin_popcountll(m);
            unpack_word(d + (ptrdiff_t)i * 64, m, n);
        }
    }
    job->counts[slot] += count;
}

/* ---------------------------------------------------------------- thinning */

/* Pixels of word *p that element e matches, among the candidates m. Stops
 * as soon as no candidate is left. */
static inline uint64_t eval_word(const Elem *e, const uint64_t *p, int pad, uint64_t m)
{
    if (e->small) {
        for (int t = 0; t < e->n_terms && m; t++) {
            const Term *tm = &e->terms[t];
            const uint64_t *q = p + tm->off;
            const uint64_t v = tm->dx == 0  ? q[0]
                               : tm->dx < 0 ? (q[0] << 1) | (q[-1] >> 63)
                                            : (q[0] >> 1) | (q[1] << 63);
            m &= v ^ tm->inv;
        }
    } else {
        for (int t = 0; t < e->n_terms && m; t++) {
            const Term *tm = &e->terms[t];
            m &= shifted_word(p + tm->off, pad, tm->dx) ^ tm->inv;
        }
    }
    return m;
}

/* Pixels of cell w that may flip: thin clears foreground pixels, thicken
 * sets background ones, inside the frame. Thin never sets a pixel, so the
 * bits outside the frame stay 0 and `valid` need not be read. */
static inline uint64_t flippable(const IsegHitmiss *hm, int thicken, size_t w)
{
    return thicken ? ~hm->cells[w] & hm->valid[w] : hm->cells[w];
}

/* Tile neighbours: bit (r, c) of the result is pixel (r - 1, c), (r + 1, c),
 * (r, c - 1), (r, c + 1) of tile t, taken from the adjacent tile where it
 * falls outside t. */
#define TILE_COL0 0x0101010101010101ull
#define TILE_COL7 0x8080808080808080ull
static inline uint64_t tile_up(uint64_t t, uint64_t above)
{
    return (t << 8) | (above >> 56);
}
static inline uint64_t tile_down(uint64_t t, uint64_t below)
{
    return (t >> 8) | (below << 56);
}
static inline uint64_t tile_left(uint64_t t, uint64_t left)
{
    return ((t << 1) & ~TILE_COL0) | ((left >> 7) & TILE_COL0);
}
static inline uint64_t tile_right(uint64_t t, uint64_t right)
{
    return ((t >> 1) & ~TILE_COL7) | ((right << 7) & TILE_COL7);
}

/* Queues cell w (not yet queued) or refreshes its stamp. */
static inline void mark_cell(IsegHitmiss *hm, int thicken, size_t w, int64_t step, uint32_t *qn)
{
    const unsigned tag = hm->tag[w];
    if (tag == TAG_BLOCKED)
        return;
    if (tag == TAG_IDLE) {
        if (!flippable(hm, thicken, w)) {
            hm->tag[w] = TAG_BLOCKED; /* stays so for the rest of the run */
            return;
        }
        hm->queue[(*qn)++] = (uint32_t)w;
    }
    hm->tag[w] = tag_of_step(step);
}

/* Queues every cell whose evaluation reads a pixel of `mask` in cell `at`,
 * stamped `step`. Padding cells are blocked, so no bounds are tested. */
static inline void mark_around(IsegHitmiss *hm, int thicken, int tiled, uint32_t at, uint64_t mask,
                               int64_t step, uint32_t *qn)
{
    if (tiled) {
        const ptrdiff_t p = hm->cpitch;
        mark_cell(hm, thicken, at, step, qn);
        if (mask & 0xff)
            mark_cell(hm, thicken, at - p, step, qn);
        if (mask >> 56)
            mark_cell(hm, thicken, at + p, step, qn);
        if (mask & TILE_COL0)
            mark_cell(hm, thicken, at - 1, step, qn);
        if (mask & TILE_COL7)
            mark_cell(hm, thicken, at + 1, step, qn);
        if (mask & 1)
            mark_cell(hm, thicken, at - p - 1, step, qn);
        if (mask & 0x80)
            mark_cell(hm, thicken, at - p + 1, step, qn);
        if (mask & ((uint64_t)1 << 56))
            mark_cell(hm, thicken, at + p - 1, step, qn);
        if (mask >> 63)
            mark_cell(hm, thicken, at + p + 1, step, qn);
        return;
    }
    const int lo = __builtin_ctzll(mask), hi = 63 - __builtin_clzll(mask);
    const ptrdiff_t d0 = -(ptrdiff_t)((63 + hm->rx - lo) / 64), d1 = (hi + hm->rx) / 64;
    for (int dy = -hm->ry; dy <= hm->ry; dy++) {
        const ptrdiff_t row = (ptrdiff_t)at + dy * hm->pitch;
        for (ptrdiff_t d = d0; d <= d1; d++)
            mark_cell(hm, thicken, (size_t)(row + d), step, qn);
    }
}

static uint64_t count_bits(const IsegHitmiss *hm)
{
    uint64_t n = 0;
    for (size_t c = 0; c < hm->n_cells; c++)
        n += (uint64_t)__builtin_popcountll(hm->cells[c]);
    return n;
}

/* Queues every cell that may flip, stamped as if changed at step -1, and
 * blocks the others. Returns the queue length. */
static uint32_t queue_all(IsegHitmiss *hm, int thicken)
{
    uint32_t qn = 0;
    for (size_t w = 0; w < hm->n_cells; w++) {
        if (!hm->valid[w])
            continue; /* padding: stays blocked */
        const int can = flippable(hm, thicken, w) != 0;
        hm->tag[w] = can ? tag_of_step(-1) : TAG_BLOCKED;
        if (can)
            hm->queue[qn++] = (uint32_t)w;
    }
    return qn;
}

/* Runs passes of thin (or thicken) over the row words; limit 0 = until a
 * pass changes nothing. Step s applies element s % n_elems. A word is
 * evaluated at step s iff its stamp (the last step at which something within
 * reach changed; -1 initially) is >= s - n_elems: otherwise element
 * s % n_elems already saw its current neighbourhood and found no match. */
static void thin_rows(IsegHitmiss *hm, unsigned limit, IsegHitmissStats *st)
{
    const int thicken = hm->op == ISEG_HITMISS_THICKEN;
    const int nset = hm->n_elems;
    uint64_t *const cells = hm->cells;
    uint16_t *const tag = hm->tag;
    uint32_t *const queue = hm->queue;
    const uint64_t before = count_bits(hm);
    uint32_t qn = queue_all(hm, thicken);
    unsigned passes = 0;
    int64_t s = 0;
    for (;;) {
        int changed = 0;
        for (int k = 0; k < nset; k++, s++) {
            const Elem e = hm->elems[k];
            uint32_t keep = 0, nch = 0;
            for (uint32_t j = 0; j < qn; j++) {
                const uint32_t w = queue[j];
                if (tag_age(tag[w], s) > nset) {
                    tag[w] = TAG_IDLE;
                    continue;
                }
                queue[keep++] = w;
                const uint64_t m = eval_word(&e, cells + w, hm->pad, flippable(hm, thicken, w));
                if (m)
                    hm->changes[nch++] = (Change){ w, m };
            }
            qn = keep;
            /* all of this element's matches were decided above; now apply */
            for (uint32_t c = 0; c < nch; c++)
                cells[hm->changes[c].at] ^= hm->changes[c].mask;
            for (uint32_t c = 0; c < nch; c++)
                mark_around(hm, thicken, 0, hm->changes[c].at, hm->changes[c].mask, s, &qn);
            changed |= nch != 0;
        }
        passes++;
        if (!changed || (limit && passes >= limit))
            break;
    }
    /* flips are one-way, so the count of flipped pixels is the difference */
    const uint64_t after = count_bits(hm);
    st->matches = thicken ? after - before : before - after;
    st->passes = passes;
}

/* Pixels of tile *p that the 3x3 element with masks hit9 / miss9 matches,
 * among the candidates m. Without branches on the data: every neighbour the
 * element asks for is computed (the tests on hit9 / miss9 are the same for
 * a whole step, and disappear when they are constants). */
static ISEG_ALWAYS_INLINE uint64_t match_tile(const uint64_t *p, ptrdiff_t pitch, uint64_t m,
                                              unsigned hit9, unsigned miss9)
{
    const uint64_t c = p[0];
    const uint64_t up = tile_up(c, p[-pitch]), down = tile_down(c, p[pitch]);
    /* m &= the neighbour at pos, complemented for a miss, if the element
     * looks there */
#define TILE_TERM(pos, expr)                                                                       \
    if ((hit9 | miss9) & (1u << (pos))) {                                                          \
        const uint64_t x_ = (expr);                                                                \
        m &= (hit9 & (1u << (pos))) ? x_ : ~x_;                                                    \
    }
    TILE_TERM(1, up)
    TILE_TERM(3, tile_left(c, p[-1]))
    TILE_TERM(4, c)
    TILE_TERM(5, tile_right(c, p[1]))
    TILE_TERM(7, down)
    TILE_TERM(0, tile_left(up, tile_up(p[-1], p[-pitch - 1])))
    TILE_TERM(2, tile_right(up, tile_up(p[1], p[-pitch + 1])))
    TILE_TERM(6, tile_left(down, tile_down(p[-1], p[pitch - 1])))
    TILE_TERM(8, tile_right(down, tile_down(p[1], p[pitch + 1])))
#undef TILE_TERM
    return m;
}

/* Cells of the 3x3 neighbourhood in line with the centre (up, left, centre,
 * right, down): the cheap ones on tiles. */
#define TILE_IN_LINE 0x0bau

/* One step of thin_tiles: element (hit9, miss9) on the queued tiles whose
 * stamp is >= s - nset (the others leave the queue); the matches go to
 * hm->changes. Returns the number of changes; *qn is updated.
 * In two rounds without branches on the data: the terms in line with the
 * centre on every live tile, keeping the tiles where some pixel passes them
 * (about a third near a contour), then the diagonal terms on those. */
static ISEG_ALWAYS_INLINE uint32_t tile_step(IsegHitmiss *hm, int thicken, unsigned hit9,
                                             unsigned miss9, int64_t s, uint32_t *qn)
{
    const int nset = hm->n_elems;
    const uint64_t *const cells = hm->cells;
    uint16_t *const tag = hm->tag;
    uint32_t *const queue = hm->queue;
    Change *const changes = hm->changes;
    const ptrdiff_t pitch = hm->cpitch;
    const uint32_t n = *qn;
    uint32_t keep = 0, npre = 0;
    for (uint32_t j = 0; j < n; j++) {
        const uint32_t w = queue[j];
        if (tag_age(tag[w], s) > nset) {
            tag[w] = TAG_IDLE;
            continue;
        }
        queue[keep++] = w;
        const uint64_t m = match_tile(cells + w, pitch, flippable(hm, thicken, w),
                                      hit9 & TILE_IN_LINE, miss9 & TILE_IN_LINE);
        changes[npre] = (Change){ w, m };
        npre += m != 0;
    }
    *qn = keep;
    uint32_t nch = 0;
    for (uint32_t c = 0; c < npre; c++) {
        const uint32_t w = changes[c].at;
        const uint64_t m = match_tile(cells + w, pitch, changes[c].mask, hit9 & ~TILE_IN_LINE,
                                      miss9 & ~TILE_IN_LINE);
        changes[nch] = (Change){ w, m };
        nch += m != 0;
    }
    return nch;
}

/* tile_step with the masks of element k of the built-in skeleton set as
 * constants. */
static uint32_t skeleton_step(IsegHitmiss *hm, int k, int64_t s, uint32_t *qn)
{
    switch (k) {
    case 0: return tile_step(hm, 0, skeleton_masks[0][0], skeleton_masks[0][1], s, qn);
    case 1: return tile_step(hm, 0, skeleton_masks[1][0], skeleton_masks[1][1], s, qn);
    case 2: return tile_step(hm, 0, skeleton_masks[2][0], skeleton_masks[2][1], s, qn);
    case 3: return tile_step(hm, 0, skeleton_masks[3][0], skeleton_masks[3][1], s, qn);
    case 4: return tile_step(hm, 0, skeleton_masks[4][0], skeleton_masks[4][1], s, qn);
    case 5: return tile_step(hm, 0, skeleton_masks[5][0], skeleton_masks[5][1], s, qn);
    case 6: return tile_step(hm, 0, skeleton_masks[6][0], skeleton_masks[6][1], s, qn);
    default: return tile_step(hm, 0, skeleton_masks[7][0], skeleton_masks[7][1], s, qn);
    }
}

/* thin_rows for tiles; the element's masks are constants for the built-in
 * skeleton set. */
static void thin_tiles(IsegHitmiss *hm, unsigned limit, IsegHitmissStats *st)
{
    const int thicken = hm->op == ISEG_HITMISS_THICKEN;
    const int nset = hm->n_elems;
    uint64_t *const cells = hm->cells;
    const uint64_t before = count_bits(hm);
    uint32_t qn = queue_all(hm, thicken);

    unsigned passes = 0;
    int64_t s = 0;
    for (;;) {
        int changed = 0;
        for (int k = 0; k < nset; k++, s++) {
            uint32_t nch;
            if (hm->builtin) {
                nch = skeleton_step(hm, k, s, &qn);
            } else if (thicken) {
                nch = tile_step(hm, 1, hm->elems[k].hit9, hm->elems[k].miss9, s, &qn);
            } else {
                nch = tile_step(hm, 0, hm->elems[k].hit9, hm->elems[k].miss9, s, &qn);
            }
            /* all of this element's matches were decided above; now apply */
            const Change *const ch = hm->changes;
            for (uint32_t c = 0; c < nch; c++)
                cells[ch[c].at] ^= ch[c].mask;
            for (uint32_t c = 0; c < nch; c++)
                mark_around(hm, thicken, 1, ch[c].at, ch[c].mask, s, &qn);
            changed |= nch != 0;
        }
        passes++;
        if (!changed || (limit && passes >= limit))
            break;
    }
    const uint64_t after = count_bits(hm);
    st->matches = thicken ? after - before : before - after;
    st->passes = passes;
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
        iseg_pool_run(pool, hm->height, grain, pack_rows, &job);
        iseg_pool_run(pool, hm->height, grain, hmt_rows, &job);
        for (int c = 0; c < 256; c++)
            st.matches += counts[c];
        st.passes = 1;
    } else if (hm->tiled) {
        iseg_pool_run(pool, hm->th, 2, pack_tiles, &job);
        thin_tiles(hm, limit, &st);
        iseg_pool_run(pool, hm->height, grain, unpack_tiles, &job);
    } else {
        iseg_pool_run(pool, hm->height, grain, pack_rows, &job);
        thin_rows(hm, limit, &st);
        iseg_pool_run(pool, hm->height, grain, unpack_rows, &job);
    }
    if (stats)
        *stats = st;
    return 0;
}
