/* k-means segmentation: pixel views, settings, the context, the definitions
 * shared with the reference (initialisation, center update, label order,
 * inertia) and the fast loop over the coreset with Hamerly's bounds.
 * The per-pixel passes are in kmeans_pixels.c, the reference in kmeans_ref.c. */
#include "kmeans_internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ pixel views */

int iseg_pixels_check(const IsegPixels *px)
{
    if (!px || !px->data || px->width < 1 || px->height < 1)
        return -EINVAL;
    const int bpp = px->bytes_per_pixel;
    if (bpp == 1) {
        if (px->r != 0 || px->g != 0 || px->b != 0)
            return -EINVAL;
    } else if (bpp == 3 || bpp == 4) {
        if (px->r < 0 || px->g < 0 || px->b < 0 || px->r >= bpp || px->g >= bpp || px->b >= bpp)
            return -EINVAL;
        if (px->r == px->g || px->r == px->b || px->g == px->b)
            return -EINVAL;
    } else {
        return -EINVAL;
    }
    if (px->stride < (ptrdiff_t)px->width * bpp)
        return -EINVAL;
    return 0;
}

int iseg_pixels_init(IsegPixels *px, IsegPixelFormat format, uint8_t *data, int width, int height,
                     ptrdiff_t stride)
{
    /* bytes per pixel, then offsets of R, G, B */
    static const signed char layout[ISEG_PIXEL_N_FORMATS][4] = {
        [ISEG_PIXEL_RGB] = { 3, 0, 1, 2 },   [ISEG_PIXEL_BGR] = { 3, 2, 1, 0 },
        [ISEG_PIXEL_RGBX] = { 4, 0, 1, 2 },  [ISEG_PIXEL_BGRX] = { 4, 2, 1, 0 },
        [ISEG_PIXEL_XRGB] = { 4, 1, 2, 3 },  [ISEG_PIXEL_XBGR] = { 4, 3, 2, 1 },
        [ISEG_PIXEL_RGBA] = { 4, 0, 1, 2 },  [ISEG_PIXEL_BGRA] = { 4, 2, 1, 0 },
        [ISEG_PIXEL_ARGB] = { 4, 1, 2, 3 },  [ISEG_PIXEL_ABGR] = { 4, 3, 2, 1 },
        [ISEG_PIXEL_GRAY8] = { 1, 0, 0, 0 },
    };
    if (!px || (unsigned)format >= ISEG_PIXEL_N_FORMATS)
        return -EINVAL;
    px->data = data;
    px->width = width;
    px->height = height;
    px->stride = stride;
    px->bytes_per_pixel = layout[format][0];
    px->r = layout[format][1];
    px->g = layout[format][2];
    px->b = layout[format][3];
    return iseg_pixels_check(px);
}

/* ------------------------------------------------------------ settings */

void iseg_kmeans_default_settings(IsegKmeansSettings *s)
{
    if (!s)
        return;
    memset(s, 0, sizeof(*s));
    s->k = 4;
    s->features = ISEG_KMEANS_COLOR;
    s->spatial_weight = 1.0;
    s->max_iterations = 10;
    s->epsilon = 1.0;
    s->init = ISEG_KMEANS_INIT_PP;
    s->seed = 0;
    s->warm_start = 1;
    s->output = ISEG_KMEANS_OUTPUT_CENTERS;
    s->hysteresis = ISEG_KMEANS_DEFAULT_HYSTERESIS;
}

int iseg_kmeans_settings_check(const IsegKmeansSettings *s)
{
    if (!s)
        return -EINVAL;
    if (s->k < ISEG_KMEANS_MIN_K || s->k > ISEG_KMEANS_MAX_K)
        return -EINVAL;
    if (s->features != ISEG_KMEANS_COLOR && s->features != ISEG_KMEANS_COLOR_POSITION)
        return -EINVAL;
    if (!(s->spatial_weight >= 0 && s->spatial_weight <= ISEG_KMEANS_MAX_SPATIAL_WEIGHT))
        return -EINVAL;
    if (s->max_iterations < 1 || s->max_iterations > ISEG_KMEANS_MAX_ITERATIONS)
        return -EINVAL;
    if (!(s->epsilon >= 0) || isinf(s->epsilon))
        return -EINVAL;
    if (s->init != ISEG_KMEANS_INIT_PP && s->init != ISEG_KMEANS_INIT_RANDOM)
        return -EINVAL;
    if (s->output != ISEG_KMEANS_OUTPUT_CENTERS && s->output != ISEG_KMEANS_OUTPUT_PALETTE &&
        s->output != ISEG_KMEANS_OUTPUT_LABELS)
        return -EINVAL;
    if (!(s->hysteresis >= 0 && s->hysteresis <= ISEG_KMEANS_MAX_HYSTERESIS))
        return -EINVAL;
    return 0;
}

int km_space_init(KmSpace *sp, const IsegPixels *src, const IsegKmeansSettings *s)
{
    memset(sp, 0, sizeof(*sp));
    sp->cdims = iseg_pixels_is_gray(src) ? 1 : 3;
    sp->pdims = s->features == ISEG_KMEANS_COLOR_POSITION ? 2 : 0;
    sp->dims = sp->cdims + sp->pdims;
    sp->width = src->width;
    sp->height = src->height;
    sp->weight = s->spatial_weight;
    sp->unit[0] = src->width > 1 ? 255.0 / (double)(src->width - 1) : 0.0;
    sp->unit[1] = src->height > 1 ? 255.0 / (double)(src->height - 1) : 0.0;
    return 0;
}

/* ------------------------------------------------------------ context */

#define KM_MAX_SIDE   (1 << 16)
#define KM_MAX_PIXELS (1 << 30)

static int coreset_alloc(KmCoreset *cs, int cap)
{
    cs->cap = cap;
    cs->n = 0;
    cs->feat = malloc((size_t)cap * KM_D * sizeof(double));
    cs->w = malloc((size_t)cap * sizeof(uint64_t));
    cs->sum = malloc((size_t)cap * KM_D * sizeof(uint64_t));
    cs->bin = malloc((size_t)cap * sizeof(int32_t));
    return cs->feat && cs->w && cs->sum && cs->bin ? 0 : -ENOMEM;
}

int iseg_kmeans_create(IsegKmeans **out, int max_width, int max_height)
{
    if (!out)
        return -EINVAL;
    *out = NULL;
    if (max_width < 1 || max_height < 1 || max_width > KM_MAX_SIDE || max_height > KM_MAX_SIDE ||
        (int64_t)max_width * max_height > KM_MAX_PIXELS)
        return -EINVAL;
    IsegKmeans *km = calloc(1, sizeof(*km));
    if (!km)
        return -ENOMEM;
    km->max_width = max_width;
    km->max_height = max_height;
    /* a frame has no more points than pixels; the histogram has at most
     * KM_BINS occupied bins, the grid sample at most
     * ISEG_KMEANS_SAMPLE_TARGET points (see km_sample_step()) */
    const int pixels = max_width * max_height;
    const int cap =
        ISEG_MIN(pixels, ISEG_MAX(KM_BINS, ISEG_MAX(KM_FINE_BUDGET, ISEG_KMEANS_SAMPLE_TARGET)));
    int err = coreset_alloc(&km->cs, cap);
    km->assign = malloc((size_t)cap * sizeof(int));
    km->upper = malloc((size_t)cap * sizeof(double));
    km->lower = malloc((size_t)cap * sizeof(double));
    km->d2 = malloc((size_t)cap * sizeof(double));
    km->xfeat = malloc((size_t)max_width * sizeof(double));
    km->lut = malloc(KM_LUT_SIZE);
    km->lut_bins = malloc(KM_BINS * sizeof(int32_t));
    km->cand = malloc(KM_BINS * sizeof(uint64_t));
    km->occ = malloc(KM_BINS * sizeof(int32_t));
    km->coarse_slot = malloc(KM_BINS * sizeof(uint16_t));
    if (err < 0 || !km->occ || !km->coarse_slot || !km->assign || !km->upper || !km->lower ||
        !km->d2 || !km->xfeat || !km->lut || !km->lut_bins || !km->cand) {
        iseg_kmeans_destroy(km);
        return -ENOMEM;
    }
    memset(km->lut, KM_UNKNOWN, KM_LUT_SIZE);
    if (km_reserve_slots(km, 1) < 0) {
        iseg_kmeans_destroy(km);
        return -ENOMEM;
    }
    *out = km;
    return 0;
}

void iseg_kmeans_destroy(IsegKmeans *km)
{
    if (!km)
        return;
    free(km->cs.feat);
    free(km->cs.w);
    free(km->cs.sum);
    free(km->cs.bin);
    free(km->assign);
    free(km->upper);
    free(km->lower);
    free(km->d2);
    free(km->xfeat);
    free(km->partials);
    free(km->acc);
    free(km->rowbuf);
    free(km->lut);
    free(km->lut_bins);
    free(km->cand);
    free(km->occ);
    free(km->coarse_slot);
    free(km->prev);
    free(km->yuv_packed);
    free(km);
}

int km_reserve_slots(IsegKmeans *km, unsigned n)
{
    if (n <= km->n_slots)
        return 0;
    KmHistBin *p = calloc((size_t)n * KM_BINS, sizeof(KmHistBin));
    KmSlotAcc *a = aligned_alloc(64, (size_t)n * sizeof(KmSlotAcc));
    uint8_t *rb = malloc((size_t)n * (size_t)km->max_width);
    if (!p || !a || !rb) {
        free(p);
        free(a);
        free(rb);
        return -ENOMEM;
    }
    free(km->partials);
    free(km->acc);
    free(km->rowbuf);
    km->partials = p;
    km->acc = a;
    km->rowbuf = rb;
    km->n_slots = n;
    return 0;
}

void iseg_kmeans_reset(IsegKmeans *km)
{
    if (km) {
        km->warm_state = KM_WARM_NONE;
        km->prev_valid = 0;
    }
}

int iseg_kmeans_set_centers(IsegKmeans *km, int k, int dims, const double *centers)
{
    if (!km || !centers || k < ISEG_KMEANS_MIN_K || k > ISEG_KMEANS_MAX_K || dims < 1 ||
        dims > ISEG_KMEANS_MAX_DIMS)
        return -EINVAL;
    for (int i = 0; i < k * dims; i++)
        if (!(centers[i] >= 0.0 && centers[i] <= ISEG_KMEANS_CENTER_MAX))
            return -EINVAL;
    for (int j = 0; j < k; j++)
        for (int d = 0; d < dims; d++)
            km->warm[j][d] = centers[j * dims + d];
    km->warm_k = k;
    km->warm_dims = dims;
    km->warm_state = KM_WARM_GIVEN;
    km->prev_valid = 0;
    return 0;
}

int km_warm_centers(const IsegKmeans *km, const KmSpace *sp, const IsegKmeansSettings *s,
                    KmCenters *c)
{
    const int usable =
        km->warm_state == KM_WARM_GIVEN || (km->warm_state == KM_WARM_KEPT && s->warm_start);
    const int k = s->k;
    if (!usable || km->warm_k != k || km->warm_dims != c->dims)
        return 0;
    for (int j = 0; j < k; j++)
        km_center_set_canon(c, sp, j, km->warm[j]);
    return 1;
}

void km_keep_centers(IsegKmeans *km, const KmCenters *c, int keep)
{
    if (!keep) {
        km->warm_state = KM_WARM_NONE;
        return;
    }
    memcpy(km->warm, c->canon, sizeof(km->warm));
    km->warm_k = c->k;
    km->warm_dims = c->dims;
    km->warm_state = KM_WARM_KEPT;
}

int km_hyst_begin(IsegKmeans *km, const KmSpace *sp, const IsegKmeansSettings *s, int from_kept,
                  KmHyst *hy)
{
    hy->h = s->hysteresis;
    hy->store = s->warm_start && s->hysteresis > 0;
    hy->apply = hy->store && from_kept && km->prev_valid && km->prev_k == s->k &&
                km->prev_dims == sp->dims && km->prev_width == sp->width &&
                km->prev_height == sp->height;
    if (hy->store && !km->prev) {
        km->prev = malloc((size_t)km->max_width * (size_t)km->max_height);
        if (!km->prev)
            return -ENOMEM;
    }
    return 0;
}

void km_hyst_end(IsegKmeans *km, const KmSpace *sp, const KmCenters *c, const KmHyst *hy)
{
    km->prev_valid = hy->store;
    km->prev_k = c->k;
    km->prev_dims = sp->dims;
    km->prev_width = sp->width;
    km->prev_height = sp->height;
}

int km_check_args(const IsegKmeans *km, const IsegKmeansSettings *s, const IsegPixels *src,
                  const IsegPixels *dst, const IsegImage *labels)
{
    if (!km || iseg_kmeans_settings_check(s) < 0 || iseg_pixels_check(src) < 0)
        return -EINVAL;
    if (src->width > km->max_width || src->height > km->max_height)
        return -EINVAL;
    if (dst) {
        if (iseg_pixels_check(dst) < 0 || dst->width != src->width || dst->height != src->height)
            return -EINVAL;
        if (iseg_pixels_is_gray(dst) != iseg_pixels_is_gray(src))
            return -EINVAL;
        if (dst->data == src->data &&
            (dst->stride != src->stride || dst->bytes_per_pixel != src->bytes_per_pixel))
            return -EINVAL;
    }
    if (labels && (iseg_image_check(labels) < 0 || labels->width != src->width ||
                   labels->height != src->height))
        return -EINVAL;
    return 0;
}

/* ------------------------------------------------------------ shared definitions */

void km_mean_from_sums(const KmSpace *sp, uint64_t n, const uint64_t *s, double *canon,
                       double *feat)
{
    const double dn = (double)n;
    for (int d = 0; d < sp->cdims; d++)
        canon[d] = feat[d] = (double)s[d] / dn;
    for (int a = 0; a < sp->pdims; a++) {
        canon[sp->cdims + a] = sp->unit[a] * ((double)s[sp->cdims + a] / dn);
        feat[sp->cdims + a] = sp->weight * canon[sp->cdims + a];
    }
}

void km_center_set_canon(KmCenters *c, const KmSpace *sp, int j, const double *canon)
{
    for (int d = 0; d < sp->dims; d++) {
        c->canon[j][d] = canon[d];
        c->feat[j][d] = d < sp->cdims ? canon[d] : sp->weight * canon[d];
    }
}

static void center_from_point(const KmCoreset *cs, const KmSpace *sp, int i, KmCenters *c, int j)
{
    km_mean_from_sums(sp, cs->w[i], cs->sum + (size_t)i * cs->dims, c->canon[j], c->feat[j]);
}

static void center_copy(KmCenters *c, int to, int from)
{
    memcpy(c->canon[to], c->canon[from], sizeof(c->canon[0]));
    memcpy(c->feat[to], c->feat[from], sizeof(c->feat[0]));
}

/* splitmix64: tiny, good enough for sampling, identical everywhere */
typedef struct KmRng {
    uint64_t s;
} KmRng;

static uint64_t rng_next(KmRng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double rng_double(KmRng *r)
{
    return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* Point i with probability w[i] * m[i] / total (m = NULL: w[i] / total).
 * total must be the sum of w[i] * m[i] in index order. */
static int pick_weighted(const KmCoreset *cs, const double *m, double total, double u)
{
    const double target = u * total;
    double acc = 0;
    int last = -1;
    for (int i = 0; i < cs->n; i++) {
        const double wi = (double)cs->w[i] * (m ? m[i] : 1.0);
        if (!(wi > 0))
            continue;
        acc += wi;
        last = i;
        if (acc > target)
            return i;
    }
    return last;
}

static double weighted_total(const KmCoreset *cs, const double *m)
{
    double t = 0;
    for (int i = 0; i < cs->n; i++)
        t += (double)cs->w[i] * m[i];
    return t;
}

/* Potential if point `cand` became a center: sum of w * min(d2, dist2). */
static double potential_with(const KmCoreset *cs, const double *d2, const double *cf)
{
    const int D = cs->dims;
    double t = 0;
    for (int i = 0; i < cs->n; i++) {
        const double d = km_dist2(cs->feat + (size_t)i * D, cf, D);
        t += (double)cs->w[i] * (d < d2[i] ? d : d2[i]);
    }
    return t;
}

void km_init_centers(const KmCoreset *cs, const KmSpace *sp, int k, IsegKmeansInit init,
                     uint32_t seed, int attempt, KmCenters *out, double *d2)
{
    KmRng rng = { 0x5EEDC0DE00000000ull ^ ((uint64_t)attempt << 32) ^ seed };
    const int D = cs->dims;
    out->k = k;
    out->dims = D;
    if (init == ISEG_KMEANS_INIT_RANDOM) {
        /* k distinct points, each drawn in proportion to its pixel count */
        for (int i = 0; i < cs->n; i++)
            d2[i] = 1.0;
        for (int j = 0; j < k; j++) {
            const double total = weighted_total(cs, d2);
            if (!(total > 0)) {
                center_copy(out, j, 0); /* fewer points than k: duplicates */
                continue;
            }
            const int i = pick_weighted(cs, d2, total, rng_double(&rng));
            d2[i] = 0;
            center_from_point(cs, sp, i, out, j);
        }
        return;
    }
    /* Greedy k-means++: the first center in proportion to pixel counts, each
     * next one the best (lowest potential) of `trials` draws in proportion
     * to w * D^2, D the distance to the nearest center so far. */
    const int trials = 2 + (int)floor(log((double)k));
    uint64_t wt = 0;
    for (int i = 0; i < cs->n; i++)
        wt += cs->w[i];
    const int first = pick_weighted(cs, NULL, (double)wt, rng_double(&rng));
    center_from_point(cs, sp, first, out, 0);
    for (int i = 0; i < cs->n; i++)
        d2[i] = km_dist2(cs->feat + (size_t)i * D, out->feat[0], D);
    for (int j = 1; j < k; j++) {
        const double pot = weighted_total(cs, d2);
        if (!(pot > 0)) {
            center_copy(out, j, 0); /* every point is a center already */
            continue;
        }
        int best = -1;
        double best_pot = INFINITY;
        for (int t = 0; t < trials; t++) {
            const int cand = pick_weighted(cs, d2, pot, rng_double(&rng));
            const double p = potential_with(cs, d2, cs->feat + (size_t)cand * D);
            if (p < best_pot) {
                best_pot = p;
                best = cand;
            }
        }
        center_from_point(cs, sp, best, out, j);
        for (int i = 0; i < cs->n; i++) {
            const double d = km_dist2(cs->feat + (size_t)i * D, out->feat[j], D);
            if (d < d2[i])
                d2[i] = d;
        }
    }
}

double km_update_centers(const KmCoreset *cs, const KmSpace *sp, const int *assign, KmCenters *c,
                         double *d2, int *relocated, double moves[KM_K])
{
    const int D = cs->dims, k = c->k;
    KmSums sums;
    memset(&sums, 0, sizeof(sums));
    for (int i = 0; i < cs->n; i++) {
        const int a = assign[i];
        sums.n[a] += cs->w[i];
        const uint64_t *s = cs->sum + (size_t)i * D;
        for (int d = 0; d < D; d++)
            sums.s[a][d] += s[d];
    }
    double old[KM_K][KM_D];
    memcpy(old, c->feat, sizeof(old));
    int empty = 0;
    for (int j = 0; j < k; j++) {
        if (sums.n[j])
            km_mean_from_sums(sp, sums.n[j], sums.s[j], c->canon[j], c->feat[j]);
        else
            empty = 1;
    }
    *relocated = 0;
    if (empty) {
        for (int i = 0; i < cs->n; i++)
            d2[i] = (double)cs->w[i] * km_dist2(cs->feat + (size_t)i * D, c->feat[assign[i]], D);
        for (int j = 0; j < k; j++) {
            if (sums.n[j])
                continue;
            int far = -1;
            double far_v = 0;
            for (int i = 0; i < cs->n; i++)
                if (d2[i] > far_v) {
                    far_v = d2[i];
                    far = i;
                }
            if (far < 0)
                break; /* every point sits on a center */
            center_from_point(cs, sp, far, c, j);
            d2[far] = 0;
            *relocated = 1;
        }
    }
    double maxmove = 0;
    for (int j = 0; j < k; j++) {
        moves[j] = sqrt(km_dist2(old[j], c->feat[j], D));
        if (moves[j] > maxmove)
            maxmove = moves[j];
    }
    return maxmove;
}

double km_assignment_cost(const KmCoreset *cs, const int *assign, const KmCenters *c)
{
    double t = 0;
    for (int i = 0; i < cs->n; i++)
        t += (double)cs->w[i] *
             km_dist2(cs->feat + (size_t)i * cs->dims, c->feat[assign[i]], cs->dims);
    return t;
}

static double luminance(const KmCenters *c, int j)
{
    return 0.299 * c->canon[j][0] + 0.587 * c->canon[j][1] + 0.114 * c->canon[j][2];
}

void km_sort_centers(KmCenters *c, int cdims)
{
    double key[KM_K];
    int order[KM_K];
    for (int j = 0; j < c->k; j++) {
        key[j] = cdims == 3 ? luminance(c, j) : c->canon[j][0];
        order[j] = j;
    }
    /* insertion sort: stable, k <= 64 */
    for (int i = 1; i < c->k; i++) {
        const int o = order[i];
        int p = i;
        while (p > 0) {
            const int q = order[p - 1];
            int before = key[o] < key[q];
            if (key[o] == key[q]) {
                before = 0;
                for (int d = 0; d < c->dims; d++)
                    if (c->canon[o][d] != c->canon[q][d]) {
                        before = c->canon[o][d] < c->canon[q][d];
                        break;
                    }
            }
            if (!before)
                break;
            order[p] = q;
            p--;
        }
        order[p] = o;
    }
    KmCenters s = *c;
    for (int j = 0; j < c->k; j++) {
        memcpy(c->canon[j], s.canon[order[j]], sizeof(c->canon[0]));
        memcpy(c->feat[j], s.feat[order[j]], sizeof(c->feat[0]));
    }
}

double km_position_q(const KmSpace *sp)
{
    if (!sp->pdims)
        return 0;
    const uint64_t W = (uint64_t)sp->width, H = (uint64_t)sp->height;
    const uint64_t sx2 = (W - 1) * W * (2 * W - 1) / 6 * H; /* sum of x^2 over the frame */
    const uint64_t sy2 = (H - 1) * H * (2 * H - 1) / 6 * W;
    const double fx = sp->weight * sp->unit[0], fy = sp->weight * sp->unit[1];
    return fx * fx * (double)sx2 + fy * fy * (double)sy2;
}

double km_inertia(const KmSpace *sp, const KmCenters *c, const KmSums *sums, double q_total)
{
    /* sum ||p - c||^2 = sum ||p||^2 - 2 c . sum p + n ||c||^2, per label */
    double inertia = q_total;
    for (int j = 0; j < c->k; j++) {
        if (!sums->n[j])
            continue;
        double dot = 0, cc = 0;
        for (int d = 0; d < sp->dims; d++) {
            const double f = d < sp->cdims
                                 ? (double)sums->s[j][d]
                                 : sp->weight * (sp->unit[d - sp->cdims] * (double)sums->s[j][d]);
            dot += c->feat[j][d] * f;
            cc += c->feat[j][d] * c->feat[j][d];
        }
        inertia -= 2 * dot - (double)sums->n[j] * cc;
    }
    return inertia > 0 ? inertia : 0;
}

int km_sample_count(int len, int step)
{
    return (len + step - 1) / step;
}

int km_sample_step(int width, int height, int target)
{
    int s = 1;
    while ((int64_t)km_sample_count(width, s) * km_sample_count(height, s) > target)
        s++;
    return s;
}

void iseg_kmeans_palette_color(int label, uint8_t rgb[3])
{
    /* Hues spaced by the golden angle, so any few consecutive labels are far
     * apart on the color wheel; three lightness levels and two saturations
     * in turn separate the labels whose hues come close. */
    const int i = label < 0 ? 0 : label % ISEG_KMEANS_MAX_K;
    const double h = fmod(0.1 + i * 0.6180339887498949, 1.0) * 6.0;
    const double v = (const double[]){ 0.95, 0.75, 0.55 }[i % 3];
    const double s = (i / 3) % 2 ? 0.6 : 0.9;
    const int sector = (int)h;
    const double f = h - sector;
    const double p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f));
    double r, g, b;
    switch (sector) {
    case 0:
        r = v;
        g = t;
        b = p;
        break;
    case 1:
        r = q;
        g = v;
        b = p;
        break;
    case 2:
        r = p;
        g = v;
        b = t;
        break;
    case 3:
        r = p;
        g = q;
        b = v;
        break;
    case 4:
        r = t;
        g = p;
        b = v;
        break;
    default:
        r = v;
        g = p;
        b = q;
        break;
    }
    rgb[0] = (uint8_t)(r * 255 + 0.5);
    rgb[1] = (uint8_t)(g * 255 + 0.5);
    rgb[2] = (uint8_t)(b * 255 + 0.5);
}

static uint8_t round_u8(double v)
{
    if (!(v > 0))
        return 0;
    if (v >= 255)
        return 255;
    return (uint8_t)(v + 0.5);
}

void km_output_table(const KmCenters *c, IsegKmeansOutput output, int gray, uint8_t table[KM_K][3])
{
    for (int j = 0; j < c->k; j++) {
        switch (output) {
        case ISEG_KMEANS_OUTPUT_CENTERS:
            for (int d = 0; d < 3; d++)
                table[j][d] = round_u8(c->canon[j][gray ? 0 : d]);
            break;
        case ISEG_KMEANS_OUTPUT_PALETTE:
            if (gray)
                table[j][0] = table[j][1] = table[j][2] =
                    (uint8_t)((255 * j + (c->k - 1) / 2) / (c->k - 1));
            else
                iseg_kmeans_palette_color(j, table[j]);
            break;
        default: table[j][0] = table[j][1] = table[j][2] = (uint8_t)j; break;
        }
    }
}

void km_fill_result(IsegKmeansResult *r, const KmCenters *c, const KmSums *sums, double inertia,
                    int iterations, int warm)
{
    memset(r, 0, sizeof(*r));
    r->k = c->k;
    r->dims = c->dims;
    for (int j = 0; j < c->k; j++) {
        for (int d = 0; d < c->dims; d++)
            r->centers[j][d] = c->canon[j][d];
        r->counts[j] = sums->n[j];
    }
    r->inertia = inertia;
    r->iterations = iterations;
    r->warm = warm;
}

/* ------------------------------------------------------------ the fast loop */

/* Bounds are only trusted with this much to spare, so that a skipped
 * distance could never have won even after rounding: the fast loop then
 * assigns exactly as computing every distance would. */
static inline double bound_slack(double u)
{
    return 1e-7 * (1.0 + u);
}

/* Nearest center of point f (lowest index on a tie), and the distances to
 * it and to the second nearest. */
static inline int nearest2(const double *f, const KmCenters *c, int D, double *best_d,
                           double *second_d)
{
    int best = 0;
    double b = INFINITY, s = INFINITY;
    for (int j = 0; j < c->k; j++) {
        const double d = km_dist2(f, c->feat[j], D);
        if (d < b) {
            s = b;
            b = d;
            best = j;
        } else if (d < s) {
            s = d;
        }
    }
    *best_d = sqrt(b);
    *second_d = sqrt(s);
    return best;
}

/* Lloyd's loop over the coreset with Hamerly's bounds: upper[i] bounds the
 * distance of point i to its center, lower[i] its distance to every other
 * center; when the upper bound is below both the lower bound and half the
 * distance from its center to the nearest other center, the point cannot
 * change cluster and no distance is computed. */
static int lloyd_fast(IsegKmeans *km, const KmSpace *sp, KmCenters *c, int max_iterations,
                      double epsilon, int *converged)
{
    const KmCoreset *cs = &km->cs;
    const int n = cs->n, D = cs->dims, k = c->k;
    int *assign = km->assign;
    double *upper = km->upper, *lower = km->lower;
    int full = 1, it = 0;
    for (;;) {
        if (full) {
            for (int i = 0; i < n; i++)
                assign[i] = nearest2(cs->feat + (size_t)i * D, c, D, &upper[i], &lower[i]);
            full = 0;
        }
        double moves[KM_K];
        int relocated;
        const double maxmove = km_update_centers(cs, sp, assign, c, km->d2, &relocated, moves);
        it++;
        *converged = maxmove <= epsilon;
        if (*converged || it >= max_iterations)
            break;
        if (relocated) {
            full = 1;
            continue;
        }
        double half[KM_K];
        for (int j = 0; j < k; j++) {
            double m = INFINITY;
            for (int o = 0; o < k; o++)
                if (o != j) {
                    const double d = km_dist2(c->feat[j], c->feat[o], D);
                    if (d < m)
                        m = d;
                }
            half[j] = 0.5 * sqrt(m);
        }
        int jmax = 0;
        for (int j = 1; j < k; j++)
            if (moves[j] > moves[jmax])
                jmax = j;
        double second = 0;
        for (int j = 0; j < k; j++)
            if (j != jmax && moves[j] > second)
                second = moves[j];
        for (int i = 0; i < n; i++) {
            const int a = assign[i];
            upper[i] += moves[a];
            lower[i] -= a == jmax ? second : moves[jmax];
            const double z = lower[i] > half[a] ? lower[i] : half[a];
            if (upper[i] + bound_slack(upper[i]) < z)
                continue;
            const double *f = cs->feat + (size_t)i * D;
            upper[i] = sqrt(km_dist2(f, c->feat[a], D));
            if (upper[i] + bound_slack(upper[i]) < z)
                continue;
            assign[i] = nearest2(f, c, D, &upper[i], &lower[i]);
        }
    }
    return it;
}

/* ------------------------------------------------------------ entry point */

int iseg_kmeans_segment(IsegKmeans *km, const IsegKmeansSettings *settings, const IsegPixels *src,
                        IsegPixels *dst, IsegImage *labels, IsegKmeansResult *result,
                        IsegPool *pool)
{
    int err = km_check_args(km, settings, src, dst, labels);
    if (err < 0)
        return err;
    if (iseg_force_reference())
        return iseg_kmeans_segment_ref(km, settings, src, dst, labels, result);
    err = km_reserve_slots(km, iseg_pool_size(pool));
    if (err < 0)
        return err;

    KmSpace sp;
    km_space_init(&sp, src, settings);
    km_build_coreset(km, &sp, src, pool);

    KmCenters c;
    memset(&c, 0, sizeof(c));
    c.k = settings->k;
    c.dims = sp.dims;
    const int from_kept = km->warm_state == KM_WARM_KEPT;
    const int warm = km_warm_centers(km, &sp, settings, &c);
    KmHyst hy;
    err = km_hyst_begin(km, &sp, settings, warm && from_kept, &hy);
    if (err < 0)
        return err;
    const int max_it = settings->max_iterations;
    int iterations, converged;
    if (warm) {
        iterations = lloyd_fast(km, &sp, &c, max_it, settings->epsilon, &converged);
    } else {
        /* the attempts are ranked after a few iterations; the best goes on */
        double best = INFINITY;
        iterations = converged = 0;
        const int attempts = km_cold_attempts(km->cs.n, settings->k);
        for (int a = 0; a < attempts; a++) {
            KmCenters t = c;
            int conv;
            km_init_centers(&km->cs, &sp, settings->k, settings->init, settings->seed, a, &t,
                            km->d2);
            const int it = lloyd_fast(km, &sp, &t, ISEG_MIN(max_it, KM_ATTEMPT_ITERATIONS),
                                      settings->epsilon, &conv);
            const double cost = km_assignment_cost(&km->cs, km->assign, &t);
            if (cost < best) {
                best = cost;
                c = t;
                iterations = it;
                converged = conv;
            }
        }
        if (!converged && iterations < max_it)
            iterations +=
                lloyd_fast(km, &sp, &c, max_it - iterations, settings->epsilon, &converged);
        km_sort_centers(&c, km_order_cdims(km, &sp));
    }

    KmSums sums;
    uint64_t q_color = 0;
    km_assign_pixels(km, &sp, &c, settings->output, src, dst, labels, &hy, &sums, &q_color,
                     result != NULL, pool);
    km_hyst_end(km, &sp, &c, &hy);
    km_keep_centers(km, &c, settings->warm_start);
    if (result) {
        const double inertia = km_inertia(&sp, &c, &sums, (double)q_color + km_position_q(&sp));
        km_fill_result(result, &c, &sums, inertia, iterations, warm);
    }
    return 0;
}
