/* k-means: the initialisation of a cold start, k-means++ (greedy) or
 * random, from a seeded splitmix64 generator (the same draws everywhere). */
#include "kmeans_priv.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

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
                km_center_copy(out, j, 0); /* fewer points than k: duplicates */
                continue;
            }
            const int i = pick_weighted(cs, d2, total, rng_double(&rng));
            d2[i] = 0;
            km_center_from_point(cs, sp, i, out, j);
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
    km_center_from_point(cs, sp, first, out, 0);
    for (int i = 0; i < cs->n; i++)
        d2[i] = km_dist2(cs->feat + (size_t)i * D, out->feat[0], D);
    for (int j = 1; j < k; j++) {
        const double pot = weighted_total(cs, d2);
        if (!(pot > 0)) {
            km_center_copy(out, j, 0); /* every point is a center already */
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
        km_center_from_point(cs, sp, best, out, j);
        for (int i = 0; i < cs->n; i++) {
            const double d = km_dist2(cs->feat + (size_t)i * D, out->feat[j], D);
            if (d < d2[i])
                d2[i] = d;
        }
    }
}
