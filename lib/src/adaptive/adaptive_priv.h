/* Private to lib/src/adaptive, the base every file of the folder includes:
 * the parts shared by the fast kernels (adaptive.c, box.c, gauss.c,
 * lotsu.c), the shared definitions (settings.c, nodes.c) and the float64
 * reference (adaptive_ref.c). Only definitions live here that both
 * must agree on: the Gaussian weights, the local-otsu node grid and its
 * filling rule, and the uniformity test. */
#ifndef IMAGESEG_ADAPTIVE_PRIV_H
#define IMAGESEG_ADAPTIVE_PRIV_H

#include "core/internal.h"

#include <imageseg/adaptive.h>

/* OpenCV's getGaussianKernel(block, 0) in double: w[0..block-1], sum 1. */
void iseg_adaptive_gaussian_weights(int block, double *w);

/* Local-otsu node grid: nodes one window apart (step = block), at
 * x = ox + i * step (i = 0..nx-1), y = oy + j * step, the smallest grid
 * that spans the frame, centred on it (ox, oy in (-step/2, 0]), so that every
 * pixel lies in a cell between four nodes and every node's window overlaps
 * the frame by at least half a window. */
typedef struct LoGrid {
    int step, nx, ny, ox, oy;
} LoGrid;

LoGrid iseg_lo_grid(int width, int height, int block);

/* A window of n samples with sum S and sum of squares S2 is uniform iff its
 * population standard deviation is below min_contrast, evaluated exactly as
 * n * S2 - S^2 < ceil(min_contrast^2 * n^2) on integers; this returns the
 * right-hand side (saturated). */
int64_t iseg_lo_uniform_limit(double min_contrast, int64_t n);

/* How many of the rows lo..hi of a window fall on row yy of a frame of h rows
 * once clamped (edge replication); likewise for columns. */
static inline int iseg_lo_clamp_weight(int yy, int lo, int hi, int h)
{
    if (h == 1)
        return hi - lo + 1;
    if (yy == 0)
        return ISEG_MAX(0, ISEG_MIN(hi, 0) - lo + 1);
    if (yy == h - 1)
        return ISEG_MAX(0, hi - ISEG_MAX(lo, h - 1) + 1);
    return lo <= yy && yy <= hi;
}

static inline int iseg_lo_is_uniform(int64_t n, int64_t S, int64_t S2, int64_t limit)
{
    return n * S2 - S * S < limit;
}

/* Node thresholds are kept in half gray levels: Otsu's partition of the
 * node's histogram puts the levels < T_otsu in the background; the node's
 * threshold is halfway between the last background level (T_otsu - 1) and
 * the first occupied foreground level L_f:
 *   t2 = (T_otsu - 1) + L_f,  threshold t2 / 2
 * (= T_otsu - 0.5 when L_f = T_otsu). Taking the middle of the gap rather
 * than its lower edge matters once thresholds are interpolated: a class
 * sitting right at the lower edge would otherwise drift across T between
 * nodes. A window with a single level has t2 = 2 * level + 1.
 *
 * A pixel between nodes gets the bilinear interpolation of its four nodes'
 * t2, which is the exact rational
 *   T(x, y) = sum(wx * wy * t2) / (2 * step^2),  wx, wy in 0..step
 * (wx = step - dx for the left nodes, dx for the right ones, dx = the
 * pixel's distance from the left node).
 *
 * Uniform nodes (valid[i] == 0) have no meaningful Otsu threshold. The
 * lecture classifies a uniform *area* whole, by its mean; so uniform nodes
 * are grouped into areas (4-connected on the grid, two neighbours joined
 * only when their window means differ by less than margin2 / 2 levels, i.e.
 * min_contrast: an edge that falls between two windows separates them), and
 * each area is classified once:
 *   local rule (by_vote): every uniform node of the area compares its mean
 *     with the threshold of each non-uniform 8-neighbour node (+1 above, -1
 *     below); the area is light when the sum is positive (it is the light
 *     side of the edges around it), dark when negative. An area with no
 *     non-uniform neighbour, or a tie, is light iff its mean >= T_global.
 *   global rule: each node by its own mean, light iff S >= T_global n.
 * A light node then gets t2 = its mean minus margin2 half levels, a dark one
 * its mean plus margin2 (mean rounded to half levels, t2 clamped to -1..511):
 * the threshold follows the area's own level, so a decision taken at one
 * edge never spreads over an area that is lighter or darker than that edge
 * (docs/adaptivethreshold.md, "Phantoms"). Integers throughout; the result
 * does not depend on the visiting order. S holds each node's window sum (n
 * samples); queue holds nx * ny ints, state nx * ny bytes (scratch). */
void iseg_lo_fill_nodes(int32_t *t2, const uint8_t *valid, const int64_t *S, int64_t n, int nx,
                        int ny, unsigned T_global, int32_t margin2, int by_vote, int32_t *queue,
                        uint8_t *state);

/* margin2 for iseg_lo_fill_nodes: 2 min_contrast rounded up, 1..512. */
int32_t iseg_lo_margin2(double min_contrast);

/* iseg_adaptive_mask_ref() that also writes, for every pixel, the margin of
 * its decision (compared value minus threshold, e.g. luma - T), width * height
 * doubles row by row; margin may be NULL. */
int iseg_adaptive_ref_margins(const IsegAdaptiveSettings *s, const IsegImage *src, IsegImage *dst,
                              double *margin);

/* Otsu's threshold of a histogram with n pixels of sum s whose lowest and
 * highest occupied levels are lo < hi: the same T as iseg_otsu_threshold(),
 * faster (lotsu.c). */
unsigned iseg_lo_node_otsu(const uint32_t hist[ISEG_HIST_BINS], int lo, int hi, int64_t n,
                           int64_t s);

/* t2 of a node from its histogram and Otsu's threshold T (see above). */
static inline int32_t iseg_lo_node_t2(const uint32_t *hist32, const uint64_t *hist64, unsigned T)
{
    for (unsigned v = T; v < ISEG_HIST_BINS; v++)
        if (hist32 ? hist32[v] != 0 : hist64[v] != 0)
            return (int32_t)(T - 1 + v);
    return 2 * (int32_t)T - 1;
}

/* Whether Otsu's threshold T splits a node's histogram into two
 * populations: the means of its two classes (levels < T and >= T) are at
 * least 2 min_contrast apart (a balanced step edge of that contrast has a
 * standard deviation of min_contrast). A window whose deviation passes
 * min_contrast only because a few dark pixels sit in its corner has one
 * population plus outliers, and Otsu then splits its noise; such a node is
 * taken as uniform (docs/adaptivethreshold.md, "Phantoms"). Always true for
 * min_contrast 0. The class sums are exact integers; the one comparison is
 * in double, the same in every path. */
static inline int iseg_lo_split_ok(const uint32_t *hist32, const uint64_t *hist64, unsigned T,
                                   double min_contrast)
{
    if (min_contrast <= 0)
        return 1;
    int64_t c0 = 0, s0 = 0, c1 = 0, s1 = 0;
    for (unsigned v = 0; v < ISEG_HIST_BINS; v++) {
        const int64_t h = hist32 ? (int64_t)hist32[v] : (int64_t)hist64[v];
        if (v < T) {
            c0 += h;
            s0 += h * (int64_t)v;
        } else {
            c1 += h;
            s1 += h * (int64_t)v;
        }
    }
    if (c0 == 0 || c1 == 0)
        return 0;
    /* mean1 - mean0 >= 2 mc  <=>  s1 c0 - s0 c1 >= 2 mc c0 c1 */
    return (double)(s1 * c0 - s0 * c1) >= 2 * min_contrast * (double)c0 * (double)c1;
}

/* fg ^ invert as a 255/0 byte */
static inline uint8_t iseg_mask_byte(int fg, int invert)
{
    return (fg != 0) != (invert != 0) ? 255 : 0;
}

/* ------------------------------------------------------------ context */

/* Per-thread scratch, sized for the context's maximum width. */
typedef struct AdaptiveSlot {
    /* window sums (sums.h) */
    uint32_t *col, *col2;             /* vertical window sums of v and v^2, per column */
    uint32_t *P, *P2;                 /* padded prefix sums of col, col2, width + 2r + 1 */
    uint32_t *pre;                    /* wide windows: prefix sums of col, width + 1 */
    uint64_t *pre2;                   /* wide windows: prefix sums of col2, width + 1 */
    uint32_t *S;                      /* wide windows: window sums of the current row */
    uint64_t *S2w;                    /* wide windows: window sums of squares */
    int32_t *interp;                  /* local-otsu: one row of vertically interpolated nodes */
    int32_t *val;                     /* local-otsu: 2 step^2 T(x, y) of the current row */
    float *gtmp;                      /* gaussian: vertical pass, width + 2 * radius + slack */
    float *gtr;                       /* gaussian: a block of 8 vertical rows transposed (8
                                         floats a column) and its 8 rows of means */
    uint32_t (*hist)[ISEG_HIST_BINS]; /* local-otsu node histograms, 4 interleaved */
} AdaptiveSlot;

struct IsegAdaptive {
    IsegAdaptiveSettings s;
    int max_w, max_h;
    float gw[ISEG_ADAPTIVE_BLOCK_MAX]; /* gaussian weights (from double) */
    const uint8_t **rows;              /* max_h + 2 * max radius row pointers */
    const float **frows;               /* the same for fsrc */
    float *fsrc;                       /* gaussian: the frame as floats, max_w x max_h,
                                          allocated by the first gaussian run */
    uint8_t *mask;                     /* max_w x max_h, for iseg_adaptive_frame */
    /* local-otsu node grid, sized for the smallest block */
    size_t node_cap;
    int32_t *node_t2, *node_queue;
    int64_t *node_S; /* window sums of the nodes */
    uint8_t *node_valid, *node_state;
    unsigned n_slots;
    AdaptiveSlot *slots;
    void *slot_mem;
};

/* The kernels: each runs one method over src into dst with the pool; scratch
 * comes from ctx (slots already allocated for the pool size). */
int iseg_adaptive_box_run(IsegAdaptive *ctx, const IsegImage *src, IsegImage *dst, IsegPool *pool);
int iseg_adaptive_gauss_run(IsegAdaptive *ctx, const IsegImage *src, IsegImage *dst,
                            IsegPool *pool);
int iseg_adaptive_lotsu_run(IsegAdaptive *ctx, const IsegImage *src, IsegImage *dst,
                            IsegPool *pool);

/* Gaussian: the decision margin of the float path (see gauss.c). */
double iseg_adaptive_gauss_eps(int r);
float iseg_adaptive_gauss_cut(double offset, int r);

#endif
