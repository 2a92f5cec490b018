/* k-means segmentation, plain reference: the coreset built one pixel at a
 * time, the loop computing every point-to-center distance in every
 * iteration, every pixel compared with every center. It shares with the
 * fast path only the definitions in kmeans_priv.h (features,
 * initialisation, center update, label order, inertia formula), so a
 * difference in how the fast path assigns points shows up as a mismatch. */
#include "kmeans_priv.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int nearest(const double *f, const KmCenters *c, int dims)
{
    int best = 0;
    double bd = km_dist2(f, c->feat[0], dims);
    for (int j = 1; j < c->k; j++) {
        const double d = km_dist2(f, c->feat[j], dims);
        if (d < bd) {
            bd = d;
            best = j;
        }
    }
    return best;
}

/* Color values of pixel (x, y) as integers and doubles. */
static void pixel_color(const IsegPixels *px, int x, int y, int cdims, unsigned v[3])
{
    km_read_color(px->data + (ptrdiff_t)y * px->stride + (ptrdiff_t)x * px->bytes_per_pixel, px,
                  cdims, v);
}

static int coreset_push(KmCoreset *cs, const KmSpace *sp, int bin, uint64_t n, const uint64_t *s)
{
    if (cs->n == cs->cap)
        return -ENOMEM; /* cannot happen: see the capacities below */
    const int i = cs->n++;
    double canon[KM_D];
    cs->w[i] = n;
    cs->bin[i] = bin;
    memcpy(cs->sum + (size_t)i * cs->dims, s, (size_t)cs->dims * sizeof(uint64_t));
    km_mean_from_sums(sp, n, s, canon, cs->feat + (size_t)i * cs->dims);
    return 0;
}

/* The coreset exactly as kmeans_priv.h defines it. */
static int build_coreset(KmCoreset *cs, const KmSpace *sp, const IsegPixels *src)
{
    cs->n = 0;
    cs->dims = sp->dims;
    if (sp->pdims) {
        const int step = km_sample_step(src->width, src->height, ISEG_KMEANS_SAMPLE_TARGET);
        for (int j = 0; j < km_sample_count(src->height, step); j++)
            for (int i = 0; i < km_sample_count(src->width, step); i++) {
                const int x = km_sample_coord(i, step, src->width);
                const int y = km_sample_coord(j, step, src->height);
                unsigned v[3];
                pixel_color(src, x, y, sp->cdims, v);
                uint64_t s[KM_D];
                for (int d = 0; d < sp->cdims; d++)
                    s[d] = v[d];
                s[sp->cdims] = (uint64_t)x;
                s[sp->cdims + 1] = (uint64_t)y;
                if (coreset_push(cs, sp, -1, 1, s) < 0)
                    return -ENOMEM;
            }
        return 0;
    }
    const int gray = sp->cdims == 1;
    const int bins = gray ? 256 : KM_BINS;
    const int step =
        gray ? 1 : km_sample_step(src->width, src->height, ISEG_KMEANS_COLOR_SAMPLE_TARGET);
    uint64_t(*hist)[4] = calloc((size_t)bins, sizeof(*hist));
    uint16_t *slot_of = calloc(KM_BINS, sizeof(uint16_t));
    int err = hist && slot_of ? 0 : -ENOMEM;
    for (int j = 0; !err && j < km_sample_count(src->height, step); j++)
        for (int i = 0; i < km_sample_count(src->width, step); i++) {
            unsigned v[3];
            pixel_color(src, km_sample_coord(i, step, src->width),
                        km_sample_coord(j, step, src->height), sp->cdims, v);
            const int b = gray ? (int)v[0] : km_bin_of(v[0], v[1], v[2]);
            hist[b][0]++;
            for (int d = 0; d < sp->cdims; d++)
                hist[b][1 + d] += v[d];
        }
    int occupied = 0;
    for (int b = 0; b < bins && !err; b++)
        if (hist[b][0]) {
            slot_of[b] = (uint16_t)occupied++;
            err = coreset_push(cs, sp, b, hist[b][0], &hist[b][1]);
        }
    const int fine = gray ? 0 : km_fine_bits(occupied);
    if (!err && fine) {
        /* refined: every sample again, into finer bins */
        const int fine_bins = occupied << (3 * fine);
        uint64_t(*fh)[4] = calloc((size_t)fine_bins, sizeof(*fh));
        err = fh ? 0 : -ENOMEM;
        for (int j = 0; !err && j < km_sample_count(src->height, step); j++)
            for (int i = 0; i < km_sample_count(src->width, step); i++) {
                unsigned v[3];
                pixel_color(src, km_sample_coord(i, step, src->width),
                            km_sample_coord(j, step, src->height), 3, v);
                const int b = km_fine_index(slot_of, v[0], v[1], v[2], fine);
                fh[b][0]++;
                for (int d = 0; d < 3; d++)
                    fh[b][1 + d] += v[d];
            }
        cs->n = 0;
        for (int b = 0; b < fine_bins && !err; b++)
            if (fh[b][0])
                err = coreset_push(cs, sp, -1, fh[b][0], &fh[b][1]);
        free(fh);
    }
    free(hist);
    free(slot_of);
    return err;
}

/* The lecture's loop: assign, move to the means, repeat while they move. */
static int lloyd(const KmCoreset *cs, const KmSpace *sp, KmCenters *c, int max_iterations,
                 double epsilon, int *assign, double *scratch, int *converged)
{
    int iterations = 0;
    for (;;) {
        for (int i = 0; i < cs->n; i++)
            assign[i] = nearest(cs->feat + (size_t)i * cs->dims, c, cs->dims);
        double moves[KM_K];
        int relocated;
        const double maxmove = km_update_centers(cs, sp, assign, c, scratch, &relocated, moves);
        iterations++;
        *converged = maxmove <= epsilon;
        if (*converged || iterations >= max_iterations)
            return iterations;
    }
}

int iseg_kmeans_segment_ref(IsegKmeans *km, const IsegKmeansSettings *settings,
                            const IsegPixels *src, IsegPixels *dst, IsegImage *labels,
                            IsegKmeansResult *result)
{
    int err = km_check_args(km, settings, src, dst, labels);
    if (err < 0)
        return err;
    KmSpace sp;
    km_space_init(&sp, src, settings);

    int cap;
    if (sp.pdims) {
        const int step = km_sample_step(src->width, src->height, ISEG_KMEANS_SAMPLE_TARGET);
        cap = km_sample_count(src->width, step) * km_sample_count(src->height, step);
    } else {
        cap = sp.cdims == 1 ? 256 : KM_BINS; /* >= KM_FINE_BUDGET */
    }
    KmCoreset cs = { 0, cap, sp.dims, NULL, NULL, NULL, NULL };
    cs.feat = malloc((size_t)cap * KM_D * sizeof(double));
    cs.w = malloc((size_t)cap * sizeof(uint64_t));
    cs.sum = malloc((size_t)cap * KM_D * sizeof(uint64_t));
    cs.bin = malloc((size_t)cap * sizeof(int32_t));
    int *assign = malloc((size_t)cap * sizeof(int));
    double *scratch = malloc((size_t)cap * sizeof(double));
    err = -ENOMEM;
    if (!cs.feat || !cs.w || !cs.sum || !cs.bin || !assign || !scratch)
        goto out;
    err = build_coreset(&cs, &sp, src);
    if (err < 0)
        goto out;

    KmCenters c;
    memset(&c, 0, sizeof(c));
    c.k = settings->k;
    c.dims = sp.dims;
    const int from_kept = km->warm_state == KM_WARM_KEPT;
    const int warm = km_warm_centers(km, &sp, settings, &c);
    KmHyst hy;
    err = km_hyst_begin(km, &sp, settings, warm && from_kept, &hy);
    if (err < 0)
        goto out;
    const int max_it = settings->max_iterations;
    int iterations = 0, converged = 0;
    if (warm) {
        iterations = lloyd(&cs, &sp, &c, max_it, settings->epsilon, assign, scratch, &converged);
    } else {
        double best = INFINITY;
        const int attempts = km_cold_attempts(cs.n, settings->k);
        for (int a = 0; a < attempts; a++) {
            KmCenters t = c;
            int conv;
            km_init_centers(&cs, &sp, settings->k, settings->init, settings->seed, a, &t, scratch);
            const int it = lloyd(&cs, &sp, &t, ISEG_MIN(max_it, KM_ATTEMPT_ITERATIONS),
                                 settings->epsilon, assign, scratch, &conv);
            const double cost = km_assignment_cost(&cs, assign, &t);
            if (cost < best) {
                best = cost;
                c = t;
                iterations = it;
                converged = conv;
            }
        }
        if (!converged && iterations < max_it)
            iterations += lloyd(&cs, &sp, &c, max_it - iterations, settings->epsilon, assign,
                                scratch, &converged);
        km_sort_centers(&c, km_order_cdims(km, &sp));
    }

    uint8_t table[KM_K][3];
    km_output_table(&c, settings->output, sp.cdims == 1, table);
    KmSums sums;
    memset(&sums, 0, sizeof(sums));
    uint64_t q_pix = 0;
    for (int y = 0; y < src->height; y++)
        for (int x = 0; x < src->width; x++) {
            unsigned v[3];
            double f[KM_D];
            pixel_color(src, x, y, sp.cdims, v);
            for (int d = 0; d < sp.cdims; d++)
                f[d] = (double)v[d];
            if (sp.pdims) {
                f[sp.cdims] = km_pos_feature(&sp, 0, x);
                f[sp.cdims + 1] = km_pos_feature(&sp, 1, y);
            }
            int l = nearest(f, &c, sp.dims);
            uint8_t *prev = hy.store ? km->prev + (size_t)y * (size_t)src->width + (size_t)x : NULL;
            if (hy.apply && *prev != l &&
                km_keeps_previous(km_dist2(f, c.feat[*prev], sp.dims),
                                  km_dist2(f, c.feat[l], sp.dims), hy.h))
                l = *prev;
            if (prev)
                *prev = (uint8_t)l;
            sums.n[l]++;
            for (int d = 0; d < sp.cdims; d++) {
                sums.s[l][d] += v[d];
                q_pix += v[d] * v[d];
            }
            if (sp.pdims) {
                sums.s[l][sp.cdims] += (uint64_t)x;
                sums.s[l][sp.cdims + 1] += (uint64_t)y;
            }
            if (dst) {
                uint8_t *o =
                    dst->data + (ptrdiff_t)y * dst->stride + (ptrdiff_t)x * dst->bytes_per_pixel;
                km_write_pixel(o, dst, table[l]);
                if (dst->bytes_per_pixel == 4 && src->bytes_per_pixel == 4 &&
                    dst->data != src->data)
                    o[6 - dst->r - dst->g - dst->b] =
                        src->data[(ptrdiff_t)y * src->stride + (ptrdiff_t)x * 4 +
                                  (6 - src->r - src->g - src->b)];
            }
            if (labels)
                labels->data[(ptrdiff_t)y * labels->stride + x] = (uint8_t)l;
        }
    const double inertia = km_inertia(&sp, &c, &sums, (double)q_pix + km_position_q(&sp));
    km_hyst_end(km, &sp, &c, &hy);
    km_keep_centers(km, &c, settings->warm_start);
    if (result)
        km_fill_result(result, &c, &sums, inertia, iterations, warm);
    err = 0;
out:
    free(cs.feat);
    free(cs.w);
    free(cs.sum);
    free(cs.bin);
    free(assign);
    free(scratch);
    return err;
}
