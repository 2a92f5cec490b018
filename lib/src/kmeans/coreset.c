/* k-means, fast path, pass 1 over the pixels: the coreset. (Pass 2 is
 * assign.c.)
 *
 * Pass 1 builds the coreset: per-thread histograms (the color one from the
 * grid sample, the gray one from every pixel) merged with integer additions,
 * or the grid sample of the color-position path. */
#include "kmeans_priv.h"

#include <string.h>

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

/* ------------------------------------------------------------ pass 1 */

typedef struct HistJob {
    IsegKmeans *km;
    const IsegPixels *src;
    int step;      /* color: sample step */
    int fine;      /* 0: coarse pass; j > 0: the refining pass at 5 + j bits */
    int fine_bins; /* refining pass: bins in all */
} HistJob;

/* One sample row into the histogram. fine > 0: the refined bins (see
 * km_fine_index()). */
static inline void hist_color_row(const uint8_t *row, int width, int step, const int bpp, int ro,
                                  int go, int bo, int fine, const uint16_t *slot_of, KmHistBin *h)
{
    const int nx = km_sample_count(width, step);
    /* samples x = i * step + (step - 1) / 2, the last one clamped */
    const uint8_t *p = row + (ptrdiff_t)((step - 1) / 2) * bpp;
    const ptrdiff_t adv = (ptrdiff_t)step * bpp;
    for (int i = 0; i < nx; i++, p += adv) {
        if (i == nx - 1)
            p = row + (ptrdiff_t)km_sample_coord(i, step, width) * bpp;
        const unsigned r = p[ro], g = p[go], b = p[bo];
        KmHistBin *e = &h[fine ? km_fine_index(slot_of, r, g, b, fine) : km_bin_of(r, g, b)];
        e->n++;
        e->r += r;
        e->g += g;
        e->b += b;
    }
}

static void hist_job(void *arg, int begin, int end, unsigned slot)
{
    HistJob *job = arg;
    const IsegPixels *src = job->src;
    KmHistBin *h = job->km->partials + (size_t)slot * KM_BINS;
    /* the partial histograms are all zero here: merged_bin() clears them */
    if (src->bytes_per_pixel == 1) {
        /* gray: every pixel, counts only */
        for (int y = begin; y < end; y++) {
            const uint8_t *p = src->data + (ptrdiff_t)y * src->stride;
            for (int x = 0; x < src->width; x++)
                h[p[x]].n++;
        }
        return;
    }
    for (int j = begin; j < end; j++) {
        const int y = km_sample_coord(j, job->step, src->height);
        const uint8_t *row = src->data + (ptrdiff_t)y * src->stride;
        if (src->bytes_per_pixel == 3)
            hist_color_row(row, src->width, job->step, 3, src->r, src->g, src->b, job->fine,
                           job->km->coarse_slot, h);
        else
            hist_color_row(row, src->width, job->step, 4, src->r, src->g, src->b, job->fine,
                           job->km->coarse_slot, h);
    }
}

static void coreset_add(KmCoreset *cs, const KmSpace *sp, int bin, uint64_t n, const uint64_t *sum)
{
    const int i = cs->n++;
    cs->w[i] = n;
    cs->bin[i] = bin;
    uint64_t *s = cs->sum + (size_t)i * cs->dims;
    double canon[KM_D];
    for (int d = 0; d < cs->dims; d++)
        s[d] = sum[d];
    km_mean_from_sums(sp, n, s, canon, cs->feat + (size_t)i * cs->dims);
}

/* Bin b summed over the threads' partial histograms, which are left zero
 * for the next pass (so no pass has to clear a whole histogram first: small
 * frames would pay more for that than for their pixels). */
static void merged_bin(IsegKmeans *km, unsigned chunks, int b, uint64_t t[4])
{
    t[0] = t[1] = t[2] = t[3] = 0;
    for (unsigned s = 0; s < chunks; s++) {
        KmHistBin *e = km->partials + (size_t)s * KM_BINS + b;
        if (!e->n)
            continue;
        t[0] += e->n;
        t[1] += e->r;
        t[2] += e->g;
        t[3] += e->b;
        memset(e, 0, sizeof(*e));
    }
}

static void build_histogram_coreset(IsegKmeans *km, const KmSpace *sp, const IsegPixels *src,
                                    IsegPool *pool)
{
    const int gray = sp->cdims == 1;
    const int grain = gray ? 16 : 8;
    HistJob job = { km, src, 1, 0, 0 };
    int rows = src->height;
    if (!gray) {
        job.step = km_sample_step(src->width, src->height, ISEG_KMEANS_COLOR_SAMPLE_TARGET);
        rows = km_sample_count(src->height, job.step);
    }
    unsigned chunks = iseg_pool_chunks(pool, rows, grain);
    iseg_pool_run(pool, rows, grain, hist_job, &job);

    KmCoreset *cs = &km->cs;
    cs->n = 0;
    cs->dims = sp->dims;
    if (gray) {
        for (int b = 0; b < 256; b++) {
            uint64_t t[4];
            merged_bin(km, chunks, b, t);
            if (t[0]) {
                const uint64_t sum = t[0] * (uint64_t)b;
                coreset_add(cs, sp, b, t[0], &sum);
            }
        }
        return;
    }
    km->n_occ = 0;
    for (int b = 0; b < KM_BINS; b++) {
        uint64_t t[4];
        merged_bin(km, chunks, b, t);
        if (!t[0])
            continue;
        km->coarse_slot[b] = (uint16_t)km->n_occ;
        km->occ[km->n_occ++] = b;
        coreset_add(cs, sp, b, t[0], t + 1);
    }
    job.fine = km_fine_bits(km->n_occ);
    if (!job.fine)
        return;
    /* few colors: a second look at the sample with finer bins */
    job.fine_bins = km->n_occ << (3 * job.fine);
    chunks = iseg_pool_chunks(pool, rows, grain);
    iseg_pool_run(pool, rows, grain, hist_job, &job);
    cs->n = 0;
    for (int b = 0; b < job.fine_bins; b++) {
        uint64_t t[4];
        merged_bin(km, chunks, b, t);
        if (t[0])
            coreset_add(cs, sp, -1, t[0], t + 1);
    }
}

static void build_sample_coreset(IsegKmeans *km, const KmSpace *sp, const IsegPixels *src)
{
    KmCoreset *cs = &km->cs;
    cs->n = 0;
    cs->dims = sp->dims;
    const int step = km_sample_step(src->width, src->height, ISEG_KMEANS_SAMPLE_TARGET);
    const int nx = km_sample_count(src->width, step), ny = km_sample_count(src->height, step);
    for (int j = 0; j < ny; j++) {
        const int y = km_sample_coord(j, step, src->height);
        const uint8_t *row = src->data + (ptrdiff_t)y * src->stride;
        for (int i = 0; i < nx; i++) {
            const int x = km_sample_coord(i, step, src->width);
            const uint8_t *p = row + (ptrdiff_t)x * src->bytes_per_pixel;
            uint64_t s[KM_D];
            int d = 0;
            if (sp->cdims == 1) {
                s[d++] = p[0];
            } else {
                s[d++] = p[src->r];
                s[d++] = p[src->g];
                s[d++] = p[src->b];
            }
            s[d++] = (uint64_t)x;
            s[d++] = (uint64_t)y;
            coreset_add(cs, sp, -1, 1, s);
        }
    }
}

void km_build_coreset(IsegKmeans *km, const KmSpace *sp, const IsegPixels *src, IsegPool *pool)
{
    if (sp->pdims)
        build_sample_coreset(km, sp, src);
    else
        build_histogram_coreset(km, sp, src, pool);
}
