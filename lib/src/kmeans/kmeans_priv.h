/* Private to lib/src/kmeans, the base every file of the folder includes:
 * the parts shared by the fast path (kmeans.c, coreset.c, assign.c) and the
 * reference (kmeans_ref.c).
 *
 * What is shared is what *defines* the result: the feature space, the
 * coreset's layout, the initialisation, the center update with its
 * empty-cluster rule, the label numbering and the inertia formula. What is
 * not shared is how points are assigned to centers (bounds and lookup tables
 * in the fast path, every distance in the reference) and how the coreset is
 * built (per-thread, run-length-merged histograms vs. one pixel at a time). */
#ifndef IMAGESEG_KMEANS_PRIV_H
#define IMAGESEG_KMEANS_PRIV_H

#include "core/internal.h"

#include <imageseg/kmeans.h>

#include <math.h>
#include <string.h>

/* Color histogram coreset: 5 bits per channel. */
#define KM_BIN_BITS  5
#define KM_BIN_SHIFT (8 - KM_BIN_BITS)
#define KM_BIN_SIDE  (1 << KM_BIN_BITS)
#define KM_BINS      (1 << (3 * KM_BIN_BITS))

#define KM_K ISEG_KMEANS_MAX_K
#define KM_D ISEG_KMEANS_MAX_DIMS

static inline int km_bin_of(unsigned r, unsigned g, unsigned b)
{
    return (int)(((r >> KM_BIN_SHIFT) << (2 * KM_BIN_BITS)) | ((g >> KM_BIN_SHIFT) << KM_BIN_BITS) |
                 (b >> KM_BIN_SHIFT));
}

/* The color histogram is refined when the coarse one is sparse: with n
 * occupied coarse bins, each is split into 8^j sub-bins (5 + j bits per
 * channel) for the largest j <= 3 with n * 8^j <= KM_FINE_BUDGET, if that
 * j is at least 2 (n <= 256). A gray picture in RGB (at most 32 coarse bins)
 * thus gets its exact colors; a single refinement step (j = 1) costs a
 * second pass over the sample and was not worth it. */
#define KM_FINE_BUDGET 16384

static inline int km_fine_bits(int n_occupied)
{
    int j = 0;
    while (j < 3 && ((int64_t)n_occupied << (3 * (j + 1))) <= KM_FINE_BUDGET)
        j++;
    return j >= 2 ? j : 0;
}

/* Index of a color in the refined histogram: the slot of its coarse bin
 * (slot_of[coarse bin], in coarse-bin order) then the next j bits of R, G, B. */
static inline int km_fine_index(const uint16_t *slot_of, unsigned r, unsigned g, unsigned b, int j)
{
    const unsigned m = (1u << j) - 1, sh = (unsigned)(KM_BIN_SHIFT - j);
    const unsigned sub = (((r >> sh) & m) << (2 * j)) | (((g >> sh) & m) << j) | ((b >> sh) & m);
    return (int)(((unsigned)slot_of[km_bin_of(r, g, b)] << (3 * j)) | sub);
}

/* How the pixels of one call map to features. */
typedef struct KmSpace {
    int cdims; /* color values: 1 (gray) or 3 */
    int pdims; /* 0 or 2 (x, y) */
    int dims;  /* cdims + pdims */
    int width, height;
    double weight;  /* spatial weight */
    double unit[2]; /* X = unit[0] * x, Y = unit[1] * y: 255 / (W - 1), or 0 */
} KmSpace;

/* Feature of a position: w * (unit * x). Every piece of code computes it with
 * this expression so that the fast path and the reference agree bit for bit. */
static inline double km_pos_feature(const KmSpace *sp, int axis, int64_t v)
{
    return sp->weight * (sp->unit[axis] * (double)v);
}

/* The weighted point set the loop runs on. Point i stands for w[i] pixels
 * whose integer feature sums are sum[i * dims + d] (color values; x and y
 * pixel indices); its feature vector feat[i * dims + d] is derived from them
 * by km_point_from_sums(). Color histogram points also know their bin. */
typedef struct KmCoreset {
    int n;
    int cap;
    int dims;
    double *feat;
    uint64_t *w;
    uint64_t *sum;
    int32_t *bin; /* histogram bin (color path), unused otherwise */
} KmCoreset;

/* Per-cluster integer sums. */
typedef struct KmSums {
    uint64_t n[KM_K];
    uint64_t s[KM_K][KM_D];
} KmSums;

/* k centers, both in the reported units (canon: color, X, Y 0..255) and in
 * feature space (feat: color, w X, w Y). */
typedef struct KmCenters {
    int k;
    int dims;
    double canon[KM_K][KM_D];
    double feat[KM_K][KM_D];
} KmCenters;

/* One bin of a thread's partial histogram. 32-bit sums are enough: the
 * color histogram counts at most ISEG_KMEANS_COLOR_SAMPLE_TARGET pixels, the
 * gray one (counts only) at most 2^30. */
typedef struct KmHistBin {
    uint32_t n, r, g, b;
} KmHistBin;

/* The label table of the color path: one entry per box of 4x4x4 colors
 * (6 bits per channel). An entry is the label of every color in the box, or
 * KM_AMBIGUOUS (a cluster boundary cuts the box: compare the pixel with the
 * candidates cand[] of its 8x8x8 histogram bin), or KM_UNKNOWN (the sample
 * did not see the bin: compare with every center). */
#define KM_AMBIGUOUS 0xFE
#define KM_UNKNOWN   0xFF
#define KM_LUT_BITS  6
#define KM_LUT_SIZE  (1 << (3 * KM_LUT_BITS))

static inline int km_lut_index(unsigned r, unsigned g, unsigned b)
{
    return (int)(((r >> 2) << 12) | ((g >> 2) << 6) | (b >> 2));
}

/* A thread's sums over the pixels it assigned one by one. Padded to whole
 * cache lines so threads do not share one. */
typedef struct KmSlotAcc {
    KmSums sums;
    uint64_t q;
    uint8_t pad[64 - sizeof(uint64_t)];
} KmSlotAcc;

/* Where the next call may start from. */
enum { KM_WARM_NONE = 0, KM_WARM_KEPT = 1, KM_WARM_GIVEN = 2 };

struct IsegKmeans {
    int max_width, max_height;
    KmCoreset cs;
    int *assign; /* cs.cap each */
    double *upper, *lower, *d2;
    double *xfeat;       /* max_width: position feature of column x */
    unsigned n_slots;    /* per-thread scratch allocated for this many */
    uint8_t *rowbuf;     /* n_slots * max_width: a row's labels */
    KmHistBin *partials; /* n_slots * KM_BINS, zero between passes */
    KmSlotAcc *acc;      /* n_slots */
    uint8_t *lut;        /* KM_LUT_SIZE, all KM_UNKNOWN but for lut_bins' entries */
    int32_t *lut_bins;   /* KM_BINS: the coarse bins the last table was built for */
    int n_lut_bins;
    uint64_t *cand; /* KM_BINS: candidate labels of a cut bin */
    int32_t *occ;   /* KM_BINS: the coarse bins the sample saw, in order */
    int n_occ;
    uint16_t *coarse_slot; /* KM_BINS: index in occ of an occupied coarse bin */
    int warm_state;
    int warm_k, warm_dims;
    double warm[KM_K][KM_D];
    /* the previous call's labels, row-major at its width, for the label
     * hysteresis: valid when prev_valid (same k, dims, width, height) */
    uint8_t *prev;
    int prev_valid, prev_k, prev_dims, prev_width, prev_height;
    /* YUV entry point (yuv.c): the frame packed as Y, U, V bytes
     * (3 * max_width * max_height, allocated on the first YUV call), and a
     * flag set for the duration of a YUV call: cold starts then number the
     * centers by Y (then U, V, X, Y), not by luminance */
    uint8_t *yuv_packed;
    int order_by_first;
};

/* What the label hysteresis does in one call (see kmeans.h). */
typedef struct KmHyst {
    double h;  /* the margin */
    int apply; /* keep previous labels by the rule (km->prev holds them) */
    int store; /* write this call's labels to km->prev */
} KmHyst;

/* Squared Euclidean distance, terms added in index order. The cases spell
 * out the same sums (0 + x is x) so that the compiler can unroll them. */
static inline double km_dist2(const double *a, const double *b, int dims)
{
    switch (dims) {
    case 1: {
        const double t = a[0] - b[0];
        return t * t;
    }
    case 3: {
        const double t0 = a[0] - b[0], t1 = a[1] - b[1], t2 = a[2] - b[2];
        return t0 * t0 + t1 * t1 + t2 * t2;
    }
    case 5: {
        const double t0 = a[0] - b[0], t1 = a[1] - b[1], t2 = a[2] - b[2], t3 = a[3] - b[3];
        const double t4 = a[4] - b[4];
        return t0 * t0 + t1 * t1 + t2 * t2 + t3 * t3 + t4 * t4;
    }
    default: {
        double s = 0;
        for (int d = 0; d < dims; d++) {
            const double t = a[d] - b[d];
            s += t * t;
        }
        return s;
    }
    }
}

/* The hysteresis rule: a pixel whose previous label's center is at squared
 * distance d_prev and whose nearest center is at squared distance d_near
 * keeps its previous label when sqrt(d_prev) < sqrt(d_near) + h. Squared
 * without a square root (h >= 0, d_near >= 0): with e = d_prev - d_near - h^2
 * that is e < 0 or e^2 < 4 h^2 d_near. One expression for both paths. */
static inline int km_keeps_previous(double d_prev, double d_near, double h)
{
    const double e = d_prev - d_near - h * h;
    return e < 0 || e * e < 4 * h * h * d_near;
}

/* update.c: canon -> feat for center j */
void km_center_set_canon(KmCenters *c, const KmSpace *sp, int j, const double *canon);

/* update.c: canon/feat of the mean of n pixels whose integer sums are s[]
 * (n > 0) */
void km_mean_from_sums(const KmSpace *sp, uint64_t n, const uint64_t *s, double *canon,
                       double *feat);

/* center j = coreset point i */
static inline void km_center_from_point(const KmCoreset *cs, const KmSpace *sp, int i, KmCenters *c,
                                        int j)
{
    km_mean_from_sums(sp, cs->w[i], cs->sum + (size_t)i * cs->dims, c->canon[j], c->feat[j]);
}

/* center `to` = center `from` */
static inline void km_center_copy(KmCenters *c, int to, int from)
{
    memcpy(c->canon[to], c->canon[from], sizeof(c->canon[0]));
    memcpy(c->feat[to], c->feat[from], sizeof(c->feat[0]));
}

/* A cold start runs the initialisation and up to KM_ATTEMPT_ITERATIONS
 * iterations of the loop km_cold_attempts() times (the random draws of
 * attempt a depend on seed and a), keeps the attempt with the lowest
 * km_assignment_cost() (the first on a tie), and goes on with it up to
 * max_iterations in all (unless it converged already). The number of
 * attempts keeps their cost (points x clusters each) about constant: many
 * for few points (gray, few colors, where local minima are common and
 * attempts cheap), at least 2 for the richest frames or largest k. */
#define KM_ATTEMPT_BUDGET (24576 * 8)
static inline int km_cold_attempts(int n_points, int k)
{
    const int64_t cost = (int64_t)(n_points > 0 ? n_points : 1) * k;
    const int64_t a = KM_ATTEMPT_BUDGET / cost;
    return a < 2 ? 2 : a > 8 ? 8 : (int)a;
}
#define KM_ATTEMPT_ITERATIONS 3

/* Initialisation: k-means++ (greedy) or random, seeded. d2 is scratch of
 * cs->n doubles. */
void km_init_centers(const KmCoreset *cs, const KmSpace *sp, int k, IsegKmeansInit init,
                     uint32_t seed, int attempt, KmCenters *out, double *d2);

/* sum of w * squared distance of each coreset point to the center of its
 * (last) assignment */
double km_assignment_cost(const KmCoreset *cs, const int *assign, const KmCenters *c);

/* The lecture's step 3 on the coreset: each center becomes the mean of its
 * points (assign[i] = cluster of point i). A cluster left empty takes the
 * point with the largest w * d^2 to its (new) center, if that is > 0, one
 * point per empty cluster in label order (ties: lowest point index);
 * otherwise it stays where it was. Returns the largest distance a center
 * moved (feature space) and sets *relocated when an empty cluster moved. */
double km_update_centers(const KmCoreset *cs, const KmSpace *sp, const int *assign, KmCenters *c,
                         double *d2_scratch, int *relocated, double moves[KM_K]);

/* Cold-start label numbering: permutes the centers into the documented
 * order (luminance, R, G, B, X, Y, previous index). cdims: 1 gray, 3 color;
 * 1 also gives the YUV order (first value, then the others in turn). */
void km_sort_centers(KmCenters *c, int cdims);

/* The cdims argument of km_sort_centers() for a call of km. */
static inline int km_order_cdims(const IsegKmeans *km, const KmSpace *sp)
{
    return km->order_by_first ? 1 : sp->cdims;
}

/* Inertia from exact per-label sums: q_total = sum over all pixels of the
 * squared feature norm. */
double km_inertia(const KmSpace *sp, const KmCenters *c, const KmSums *sums, double q_total);

/* Sum over all pixels of (w X)^2 + (w Y)^2, exact integer sums scaled once. */
double km_position_q(const KmSpace *sp);

/* The coreset's grid sample: the smallest step whose grid has at most
 * `target` points, and the i-th sample coordinate along an axis of length
 * len. */
int km_sample_step(int width, int height, int target);
int km_sample_count(int len, int step);
static inline int km_sample_coord(int i, int step, int len)
{
    const int v = i * step + (step - 1) / 2;
    return v < len ? v : len - 1;
}

/* Builds the feature space of a call; returns -EINVAL for bad settings. */
int km_space_init(KmSpace *sp, const IsegPixels *src, const IsegKmeansSettings *s);

/* Per-label output colors for settings->output. */
void km_output_table(const KmCenters *c, IsegKmeansOutput output, int gray, uint8_t table[KM_K][3]);

/* The color values of the pixel at p (1 for gray, else R, G, B). */
static inline void km_read_color(const uint8_t *p, const IsegPixels *px, int cdims, unsigned v[3])
{
    if (cdims == 1) {
        v[0] = p[0];
    } else {
        v[0] = p[px->r];
        v[1] = p[px->g];
        v[2] = p[px->b];
    }
}

/* Writes label l's output to pixel px of dst (R, G, B bytes or the gray byte). */
static inline void km_write_pixel(uint8_t *px, const IsegPixels *dst, const uint8_t rgb[3])
{
    if (dst->bytes_per_pixel == 1) {
        px[0] = rgb[0];
    } else {
        px[dst->r] = rgb[0];
        px[dst->g] = rgb[1];
        px[dst->b] = rgb[2];
    }
}

/* Argument checks common to both entry points. */
int km_check_args(const IsegKmeans *km, const IsegKmeansSettings *s, const IsegPixels *src,
                  const IsegPixels *dst, const IsegImage *labels);

/* Where the call starts: fills c (k, dims set) from the given centers, or
 * the kept ones if s->warm_start, and returns 1 when they fit (same k and
 * dims); 0 for a cold start. */
int km_warm_centers(const IsegKmeans *km, const KmSpace *sp, const IsegKmeansSettings *s,
                    KmCenters *c);

/* After a successful call: keep c for the next one (or forget). */
void km_keep_centers(IsegKmeans *km, const KmCenters *c, int keep);

/* Before the labels of a call are assigned: what the hysteresis does (warm:
 * the call started from the centers the previous call kept). Allocates
 * km->prev when labels are to be stored; -ENOMEM if that fails. */
int km_hyst_begin(IsegKmeans *km, const KmSpace *sp, const IsegKmeansSettings *s, int from_kept,
                  KmHyst *hy);

/* After the labels were assigned: km->prev now holds them (or not). */
void km_hyst_end(IsegKmeans *km, const KmSpace *sp, const KmCenters *c, const KmHyst *hy);

/* Fills the public result. */
void km_fill_result(IsegKmeansResult *r, const KmCenters *c, const KmSums *sums, double inertia,
                    int iterations, int warm);

/* Per-thread scratch for n threads (grows, never shrinks). */
int km_reserve_slots(IsegKmeans *km, unsigned n);

/* The coreset of a frame (same definition in both paths):
 *  gray, color only: the 256-level histogram of every pixel;
 *  color only: the 5-bit color histogram of the grid sample with step
 *    km_sample_step(W, H, ISEG_KMEANS_COLOR_SAMPLE_TARGET), refined by
 *    km_fine_bits() when sparse;
 *  with position: the grid sample with step
 *    km_sample_step(W, H, ISEG_KMEANS_SAMPLE_TARGET), one point per pixel.
 * Points are in bin order (histograms) or row-major order (samples). */

/* Fast pass 1 (coreset.c): fills km->cs from the frame. */
void km_build_coreset(IsegKmeans *km, const KmSpace *sp, const IsegPixels *src, IsegPool *pool);

/* Fast pass 2 (assign.c): labels every pixel with its nearest center
 * (or its previous label, by the hysteresis rule when hy->apply; stored to
 * km->prev when hy->store), writes dst and labels (either may be NULL),
 * and returns the exact
 * per-label sums and the sum over all pixels of the squared color norm
 * (with want_sums; otherwise they may be left 0). */
void km_assign_pixels(IsegKmeans *km, const KmSpace *sp, const KmCenters *c,
                      IsegKmeansOutput output, const IsegPixels *src, IsegPixels *dst,
                      IsegImage *labels, const KmHyst *hy, KmSums *sums, uint64_t *q_color,
                      int want_sums, IsegPool *pool);

#endif
