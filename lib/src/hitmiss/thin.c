/* Thin, thicken and skeleton on the packed cells (row words, or 8x8 tiles
 * for sets of 3x3 elements): a queue of the cells that may still change,
 * each evaluated for element k only if something within reach changed
 * since element k last looked at it; see docs/hitmiss.md. */
#include "hitmiss_priv.h"

/* The same as bits (dy + 1) * 3 + dx + 1 of the cells that must be 1 (hit)
 * and 0 (miss), for the thinning loop specialised to this set. */
static const unsigned skeleton_masks[SKELETON_SET_SIZE][2] = {
    { 0x1d0, 0x007 }, { 0x098, 0x026 }, { 0x059, 0x124 }, { 0x01a, 0x1a0 },
    { 0x017, 0x1c0 }, { 0x032, 0x0c8 }, { 0x134, 0x049 }, { 0x0b0, 0x00b },
};

int hm_is_skeleton_set(const IsegHitmiss *hm)
{
    if (hm->n_elems != SKELETON_SET_SIZE)
        return 0;
    for (int k = 0; k < hm->n_elems; k++)
        if (hm->elems[k].hit9 != skeleton_masks[k][0] || hm->elems[k].miss9 != skeleton_masks[k][1])
            return 0;
    return 1;
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
void hm_thin_rows(IsegHitmiss *hm, unsigned limit, IsegHitmissStats *st)
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

/* One step of hm_thin_tiles: element (hit9, miss9) on the queued tiles whose
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

/* hm_thin_rows for tiles; the element's masks are constants for the built-in
 * skeleton set. */
void hm_thin_tiles(IsegHitmiss *hm, unsigned limit, IsegHitmissStats *st)
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
