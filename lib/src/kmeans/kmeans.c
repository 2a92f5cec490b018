/* k-means segmentation: the context and the fast path's entry point, the
 * loop over the coreset with Hamerly's bounds. The plain definition is
 * kmeans_ref.c; the passes over the pixels are coreset.c (pass 1) and
 * assign.c (pass 2); the definitions both paths share are call.c, seed.c,
 * update.c and output.c. */
#include "kmeans_priv.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

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
