/* Private to lib/src/morph, the base every file of the folder includes: the
 * compiled element (a list of rectangles), the row kernels chosen at run
 * time (baseline and AVX2 copies of one source, kernels.c), the per-band
 * scratch and the context. */
#ifndef IMAGESEG_MORPH_PRIV_H
#define IMAGESEG_MORPH_PRIV_H

#include "core/internal.h"

#include <imageseg/morph.h>

/* One rectangle of the element, in offsets from the origin: columns
 * [a, b], rows [r0, r1]. The element is the union of its items (they never
 * overlap as compiled, but min/max would not mind). */
typedef struct MorphItem {
    int a, b;   /* dx range */
    int r0, r1; /* dy range */
    int len;    /* b - a + 1 */
    int level;  /* floor(log2(len)): run min read from table level 2^level at two offsets */
    int stored; /* 1: the run min S(v) of each row is stored (items of 2+ rows) */
    int vh;     /* 1: stored and tall: vertical van Herk / Gil-Werman over S */
    int direct; /* 1: S(v) computed straight from the source row (short runs) */
} MorphItem;

/* Items with more rows than this use van Herk / Gil-Werman vertically. */
#define MORPH_VDIRECT_MAX 4
/* Passes streamed through row rings in one sweep (longer chains go through
 * full-frame intermediates in groups of this many). */
#define MORPH_PIPE_MAX 4
/* Rows a small-rectangle stage may produce at once. */
#define MORPH_BATCH 8
/* Stored runs this short are computed from the source row without tables. */
#define MORPH_HDIRECT_MAX 4

typedef struct MorphPlan {
    int n_items;
    MorphItem *items;
    int minr, maxr;   /* dy range over all items */
    int maxr_eff;     /* max(maxr, 0): rows are built no later than they are written */
    int pad_l, pad_r; /* horizontal reach left and right of a pixel */
    int max_level;
    uint32_t levels;   /* bit k: some item reads table level k */
    int depth;         /* table ring depth (rows) */
    int has_direct;    /* some item reads tables at output time */
    int need_tables;   /* some item reads tables (at output or build time) */
    int min_direct_r0; /* first row offset read from the tables at output time */
    int max_sources;   /* source rows combined into one output row, at most */
    int vfirst;        /* one tall item (a rectangle): vertical van Herk on the input
                          rows first, then the horizontal run of the result */
    int small_rect;    /* one item of at most MORPH_VDIRECT_MAX x MORPH_HDIRECT_MAX: read
                          straight from the image when not in place */
} MorphPlan;

/* Row kernels. n is a pixel count; no kernel reads or writes past n. */
typedef struct MorphKernels {
    /* d[i] = op(s[i], s[i + shift]) */
    void (*pair)(uint8_t *d, const uint8_t *s, int shift, int n, int is_max);
    /* d[i] = op over src[k][i] (and d[i] itself when accumulate), 1 <= nsrc <= 4 */
    void (*reduce)(uint8_t *d, const uint8_t *const *src, int nsrc, int accumulate, int n,
                   int is_max);
    /* d[i] = op over src[k][i] for every k < nsrc (nsrc >= 1); d is no source */
    void (*many)(uint8_t *d, const uint8_t *const *src, int nsrc, int n, int is_max);
    /* d[i] = op over rows[k][i + j] for k < nrows, j < len (small rectangles) */
    void (*rect_small)(uint8_t *d, const uint8_t *const *rows, int nrows, int len, int n,
                       int is_max);
    /* 3x3 for nout (2, 4 or 8) output rows d[] from input rows[0 .. nout + 1];
     * returns 0 (nothing done) when n is too short or there is no vector
     * version */
    int (*rect3)(uint8_t *const *d, const uint8_t *const *rows, int nout, int n, int is_max);
    /* 3x3 for four output rows d[k] = rows[k + 1] + 1 in place (rows[0] and
     * rows[5] are not written); 0 when n is too short or no vector version */
    int (*rect3_inplace)(uint8_t *const *d, const uint8_t *const *rows, int n, int is_max);
    /* d[i] = op(p[i], ..., p[i + len - 1]), 1 <= len <= MORPH_HDIRECT_MAX */
    void (*hrun)(uint8_t *d, const uint8_t *p, int len, int n, int is_max);
    /* d[i] = max(a[i] - b[i], 0) */
    void (*subsat)(uint8_t *d, const uint8_t *a, const uint8_t *b, int n);
} MorphKernels;

/* The kernels for this CPU (kernels.c): the AVX2 copy when iseg_use_avx2()
 * holds (the CPU has AVX2 and ISEG_NO_AVX2 is not set in the environment),
 * else the baseline. */
void iseg_morph_kernels(MorphKernels *k);

/* Stored run rows and the vertical van Herk / Gil-Werman state of one
 * item of 2+ rows in one band (suf/pre unused for short items). */
typedef struct MorphVh {
    uint8_t *sbuf;        /* ring of run-min rows S(v), `ring` rows of width W */
    const uint8_t **sptr; /* S(v) for v mod ring (a row of sbuf or the neutral row) */
    int ring;
    uint8_t *suf;         /* suffix mins of the current block, V - 1 rows */
    const uint8_t **sufp; /* V pointers: suffix row j */
    uint8_t *pre;         /* prefix min of the next block */
    const uint8_t *pre_ptr;
    int pre_valid;
    int started;
    int block_start;
} MorphVh;

/* Scratch of one band (one pool slot). */
typedef struct MorphSlot {
    uint8_t *mem;
    uint8_t *tables;        /* depth x (max_level + 1) rows of width W + pad_l + pad_r */
    uint8_t *row_neutral;   /* per table row: 1 if it stands for an outside row (neutral border) */
    MorphVh *vh;            /* one per stored item */
    uint8_t *above, *below; /* in-place halo snapshots (used by stage 0) */
    uint8_t *ring;          /* output rows of a stage that is not the last */
    uint8_t *ones, *zeros;  /* neutral rows for erosion (255) and dilation (0) */
    const uint8_t **srcs;   /* the source rows of one output row */
} MorphSlot;

struct IsegMorph {
    IsegSel *sel;
    IsegMorphSettings set; /* as created */
    IsegMorphSettings run; /* as run: iterations 1 when folded into the plan */
    MorphPlan plan;
    MorphKernels kernels;
    const MorphKernels *k; /* &kernels */
    int n_stored;          /* items with stored set */
    int pipe;              /* stages per band: slots are [band * pipe + stage] */
    int cap_w;             /* scratch sized for this width ... */
    unsigned cap_slots;    /* ... and this many bands */
    MorphSlot *slots;
    uint8_t *tmp; /* full frame for gradient / top-hat / black-hat */
    size_t tmp_cap;
};

/* settings.c: 1 if the settings (the element) may make a context */
int iseg_morph_settings_ok(const IsegMorphSettings *s);
int iseg_morph_sel_ok(const IsegSel *sel);
/* erosion / dilation passes of one chain of the operation (gradient: each
 * of its two chains) */
int iseg_morph_passes(const IsegMorphSettings *s);

/* plan.c: compiles sel into pl; may fold the iterations of a rectangle into
 * one larger rectangle (*iterations becomes 1). 0 or -ENOMEM. */
int iseg_morph_plan_compile(MorphPlan *pl, const IsegSel *sel, int *iterations);

/* v mod n in [0, n) */
static inline int morph_mod(int v, int n)
{
    const int r = v % n;
    return r < 0 ? r + n : r;
}

/* rows of the output ring of a stage: the next stage's window, plus
 * MORPH_BATCH - 1 (a 3x3 consumer reads the window of MORPH_BATCH output
 * rows at once), plus MORPH_BATCH - 1 (the producing stage may make that
 * many rows beyond the one asked for) */
static inline int morph_ring_rows(const MorphPlan *pl)
{
    return pl->maxr_eff - pl->minr + 1 + 2 * (MORPH_BATCH - 1);
}

/* scratch.c: rows per band at least for a pipeline of `stages` passes (keeps the
 * halo recomputation small) */
int iseg_morph_grain(const IsegMorph *m, int stages);
/* grows scratch for frames of width W, height H, split into `chunks` bands */
int iseg_morph_reserve(IsegMorph *m, int W, int H, unsigned chunks);
void iseg_morph_release(IsegMorph *m);

/* pass.c: n_stages (1..MORPH_PIPE_MAX) passes in one sweep, kinds[i] 0 for erosion,
 * 1 for dilation; src may be dst (in place) */
void iseg_morph_pipe(IsegMorph *m, const int *kinds, int n_stages, const IsegImage *src,
                     const IsegImage *dst, IsegPool *pool);
/* dst = max(a - b, 0); dst may be a or b */
void iseg_morph_subsat(IsegMorph *m, const IsegImage *a, const IsegImage *b, const IsegImage *dst,
                       IsegPool *pool);

#endif
