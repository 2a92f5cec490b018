/* Scratch of the fast pass: the rows per band, and the per-band slots
 * (tables, run rings, van Herk buffers, halo snapshots, stage rings),
 * grown for the frame width and band count and never shrunk. */
#include "morph_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int iseg_morph_grain(const IsegMorph *m, int stages)
{
    const int halo = stages * (m->plan.maxr_eff - m->plan.minr) + 1;
    return ISEG_MAX(32, 4 * halo);
}

/* ---------------------------------------------------------------- scratch */

static size_t slot_bytes(const IsegMorph *m, int W, size_t *n_ptrs)
{
    const MorphPlan *pl = &m->plan;
    const size_t wp = (size_t)W + pl->pad_l + pl->pad_r;
    size_t bytes = pl->need_tables ? (size_t)pl->depth * (pl->max_level + 1) * wp : 0;
    bytes += (size_t)pl->depth;
    size_t ptrs = 0;
    for (int i = 0; i < pl->n_items; i++) {
        const MorphItem *it = &pl->items[i];
        if (!it->stored)
            continue;
        const int V = it->r1 - it->r0 + 1, ring = pl->maxr_eff - it->r0 + 1;
        bytes += (size_t)ring * W;
        ptrs += (size_t)ring;
        if (it->vh) {
            bytes += (size_t)V * W;
            ptrs += (size_t)V;
        }
    }
    bytes += (size_t)MORPH_PIPE_MAX * ((size_t)ISEG_MAX(0, -pl->minr) + pl->maxr_eff) * W;
    bytes += (size_t)morph_ring_rows(pl) * W;
    bytes += 2 * (size_t)W;
    *n_ptrs = ptrs + (size_t)pl->max_sources;
    return bytes;
}

static void free_slots(IsegMorph *m)
{
    for (unsigned s = 0; s < m->cap_slots; s++) {
        free(m->slots[s].mem);
        free(m->slots[s].vh);
    }
    free(m->slots);
    m->slots = NULL;
    m->cap_slots = 0;
    m->cap_w = 0;
}

void iseg_morph_release(IsegMorph *m)
{
    free_slots(m);
    free(m->tmp);
    m->tmp = NULL;
    m->tmp_cap = 0;
}

static int slot_init(IsegMorph *m, MorphSlot *sl, int W)
{
    const MorphPlan *pl = &m->plan;
    size_t n_ptrs;
    const size_t bytes = slot_bytes(m, W, &n_ptrs);
    const size_t ptr_bytes = n_ptrs * sizeof(const uint8_t *);
    /* pointers first (aligned by malloc), bytes after */
    sl->mem = malloc(ptr_bytes + bytes + 64);
    sl->vh = calloc(ISEG_MAX(m->n_stored, 1), sizeof(MorphVh));
    if (!sl->mem || !sl->vh)
        return -ENOMEM;
    const uint8_t **pp = (const uint8_t **)(void *)sl->mem;
    uint8_t *p = sl->mem + ptr_bytes;
    const size_t wp = (size_t)W + pl->pad_l + pl->pad_r;
    sl->tables = p;
    if (pl->need_tables)
        p += (size_t)pl->depth * (pl->max_level + 1) * wp;
    sl->row_neutral = p;
    p += pl->depth;
    int k = 0;
    for (int i = 0; i < pl->n_items; i++) {
        const MorphItem *it = &pl->items[i];
        if (!it->stored)
            continue;
        MorphVh *vh = &sl->vh[k++];
        const int V = it->r1 - it->r0 + 1;
        vh->ring = pl->maxr_eff - it->r0 + 1;
        vh->sbuf = p;
        p += (size_t)vh->ring * W;
        vh->sptr = pp;
        pp += vh->ring;
        if (it->vh) {
            vh->suf = p;
            p += (size_t)(V - 1) * W;
            vh->pre = p;
            p += W;
            vh->sufp = pp;
            pp += V;
        }
    }
    sl->srcs = pp;
    pp += pl->max_sources;
    sl->above = p;
    p += (size_t)MORPH_PIPE_MAX * ISEG_MAX(0, -pl->minr) * W;
    sl->below = p;
    p += (size_t)MORPH_PIPE_MAX * pl->maxr_eff * W;
    sl->ring = p;
    p += (size_t)morph_ring_rows(pl) * W;
    sl->ones = p;
    memset(p, 255, W);
    p += W;
    sl->zeros = p;
    memset(p, 0, W);
    return 0;
}

int iseg_morph_reserve(IsegMorph *m, int W, int H, unsigned chunks)
{
    const IsegMorphOp op = m->set.op;
    if (op == ISEG_MORPH_GRADIENT || op == ISEG_MORPH_TOPHAT || op == ISEG_MORPH_BLACKHAT ||
        iseg_morph_passes(&m->run) > MORPH_PIPE_MAX) {
        const size_t need = (size_t)W * H;
        if (need > m->tmp_cap) {
            uint8_t *t = malloc(need);
            if (!t)
                return -ENOMEM;
            free(m->tmp);
            m->tmp = t;
            m->tmp_cap = need;
        }
    }
    if (chunks < 1)
        chunks = 1;
    const unsigned slots = chunks * (unsigned)m->pipe;
    if (W <= m->cap_w && slots <= m->cap_slots)
        return 0;
    const int new_w = ISEG_MAX(W, m->cap_w);
    const unsigned new_slots = ISEG_MAX(slots, m->cap_slots);
    free_slots(m);
    m->slots = calloc(new_slots, sizeof(MorphSlot));
    if (!m->slots)
        return -ENOMEM;
    m->cap_slots = new_slots;
    for (unsigned s = 0; s < new_slots; s++) {
        if (slot_init(m, &m->slots[s], new_w) < 0) {
            free_slots(m);
            return -ENOMEM;
        }
    }
    m->cap_w = new_w;
    return 0;
}
