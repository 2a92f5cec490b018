/* Private to lib/src/hitmiss, the base every file of the folder includes:
 * the compiled element lists, the bit image and thinning state of a
 * context, the bit-row helpers shared by the transform and the thinning,
 * and what each file offers the others. */
#ifndef IMAGESEG_HITMISS_PRIV_H
#define IMAGESEG_HITMISS_PRIV_H

#include "core/internal.h"

#include <imageseg/hitmiss.h>

#include <stdint.h>

#define MAX_SET 64 /* elements in a set (hitmiss.h) */

/* The built-in skeleton set (hitmiss.h): its cells in check.c, the same as
 * masks for the specialised tile thinning in thin.c. */
#define SKELETON_SET_SIZE 8

typedef struct BuiltinSet {
    IsegSel sels[SKELETON_SET_SIZE];
    const IsegSel *ptrs[SKELETON_SET_SIZE];
    uint8_t cells[SKELETON_SET_SIZE][9];
} BuiltinSet;

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

/* What the parallel passes over rows (or rows of tiles) work on. */
typedef struct RowJob {
    IsegHitmiss *hm;
    const IsegImage *src;
    IsegImage *dst;
    uint64_t *counts; /* per slot */
} RowJob;

/* check.c: the set to use, `set` itself or the built-in skeleton set
 * (filled into b) when a skeleton is asked for without one; and the checks
 * of a set (0 or -EINVAL). */
const IsegSel *const *hm_resolve_set(IsegHitmissOp op, const IsegSel *const *set, int *n,
                                     BuiltinSet *b);
int hm_set_check(IsegHitmissOp op, const IsegSel *const *set, int n);

/* bits.c: IsegRangeFunc passes on a RowJob. Frame rows to the bit image
 * and back, frame rows to tiles (begin, end: rows of tiles) and back, and
 * the hit-or-miss transform written straight to dst (match counts per
 * slot). */
void hm_pack_rows(void *job, int y0, int y1, unsigned slot);
void hm_unpack_rows(void *job, int y0, int y1, unsigned slot);
void hm_pack_tiles(void *job, int ty0, int ty1, unsigned slot);
void hm_unpack_tiles(void *job, int y0, int y1, unsigned slot);
void hm_hmt_rows(void *job, int y0, int y1, unsigned slot);

/* thin.c: passes of thin, thicken or skeleton over the packed cells (row
 * words or tiles); limit 0 = until a pass changes nothing. */
void hm_thin_rows(IsegHitmiss *hm, unsigned limit, IsegHitmissStats *st);
void hm_thin_tiles(IsegHitmiss *hm, unsigned limit, IsegHitmissStats *st);
/* 1 if the compiled set is the built-in skeleton set (elements of 3x3 in
 * its order), which hm_thin_tiles() runs with the masks as constants */
int hm_is_skeleton_set(const IsegHitmiss *hm);

#endif
