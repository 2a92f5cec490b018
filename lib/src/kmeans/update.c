/* k-means: the definitions of the result shared by the fast path and the
 * reference. Center means from integer sums, the center update with its
 * empty-cluster rule, the assignment cost, the cold-start label order, the
 * inertia from per-label sums, and the public result. */
#include "kmeans_priv.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

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
            km_center_from_point(cs, sp, far, c, j);
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
