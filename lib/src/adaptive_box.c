/* Box-window methods (mean, Sauvola, Niblack) with exact integer running sums:
 * O(1) work per pixel whatever the window size.
 *
 * For each row, vertical sums of the 2r+1 window rows are kept per column and
 * updated by adding the row that enters and subtracting the one that leaves
 * (edge rows repeated); the horizontal window sums then come from a prefix sum
 * over those column sums. Everything is integer, so the sums are exact and do
 * not depend on how rows are split between threads: each thread starts its
 * rows by summing the window of its first row from scratch.
 *
 * Ranges (block <= 1023, n = block^2 <= 1046529): a column sum is at most
 * 1023 * 255 and a window sum S at most 2.7e8 (uint32); a column sum of
 * squares at most 6.7e7 (uint32), a window sum of squares S2 at most 6.9e10
 * (uint64). Prefix sums of column sums may wrap around 2^32; their
 * differences are still exact because every true window sum is < 2^32.
 */
#include "adaptive_priv.h"

#include <math.h>
#include <string.h>

static void add_row_weighted(AdaptiveSlot *sl, const uint8_t *row, int w, uint32_t weight, int want_sq)
{
    uint32_t *restrict col = sl->col, *restrict col2 = sl->col2;
    for (int x = 0; x < w; x++)
        col[x] += weight * row[x];
    if (want_sq)
        for (int x = 0; x < w; x++)
            col2[x] += weight * ((uint32_t)row[x] * row[x]);
}

/* col += in - out (and the squares): the window moves down by one row. */
static void slide_rows(AdaptiveSlot *sl, const uint8_t *restrict in, const uint8_t *restrict out, int w,
                       int want_sq)
{
    uint32_t *restrict col = sl->col, *restrict col2 = sl->col2;
    for (int x = 0; x < w; x++)
        col[x] += (uint32_t)in[x] - (uint32_t)out[x];
    if (want_sq)
        for (int x = 0; x < w; x++)
            col2[x] += (uint32_t)in[x] * in[x] - (uint32_t)out[x] * out[x];
}

void iseg_adaptive_box_row(AdaptiveSlot *sl, const IsegImage *src, int r, int y, int y0, int want_sq)
{
    const int w = src->width, h = src->height;
    const ptrdiff_t st = src->stride;
    if (y == y0) {
        memset(sl->col, 0, (size_t)w * sizeof(*sl->col));
        if (want_sq)
            memset(sl->col2, 0, (size_t)w * sizeof(*sl->col2));
        const int a = ISEG_MAX(0, y - r), b = ISEG_MIN(h - 1, y + r);
        for (int yy = a; yy <= b; yy++)
            add_row_weighted(sl, src->data + yy * st, w, 1, want_sq);
        if (r - y > 0)
            add_row_weighted(sl, src->data, w, (uint32_t)(r - y), want_sq);
        if (y + r - (h - 1) > 0)
            add_row_weighted(sl, src->data + (ptrdiff_t)(h - 1) * st, w, (uint32_t)(y + r - (h - 1)), want_sq);
    } else {
        const int in = ISEG_MIN(h - 1, y + r), out = ISEG_MAX(0, y - r - 1);
        if (in != out)
            slide_rows(sl, src->data + in * st, src->data + out * st, w, want_sq);
    }

    /* horizontal: prefix sums, then differences; border pixels add the
     * repeated edge columns explicitly */
    const uint32_t *col = sl->col;
    uint32_t *restrict pre = sl->pre, *restrict S = sl->S;
    pre[0] = 0;
    for (int x = 0; x < w; x++)
        pre[x + 1] = pre[x] + col[x];
    const int ia = ISEG_MIN(r, w), ib = ISEG_MAX(ia, w - r); /* interior [ia, ib) */
    for (int x = ia; x < ib; x++)
        S[x] = pre[x + r + 1] - pre[x - r];
    for (int x = 0; x < w; x++) {
        if (x == ia)
            x = ib;
        if (x >= w)
            break;
        const int lo = x - r, hi = x + r, a = ISEG_MAX(lo, 0), b = ISEG_MIN(hi, w - 1);
        S[x] = pre[b + 1] - pre[a] + (uint32_t)(a - lo) * col[0] + (uint32_t)(hi - b) * col[w - 1];
    }
    if (!want_sq)
        return;
    const uint32_t *col2 = sl->col2;
    uint64_t *restrict pre2 = sl->pre2, *restrict S2 = sl->S2;
    pre2[0] = 0;
    for (int x = 0; x < w; x++)
        pre2[x + 1] = pre2[x] + col2[x];
    for (int x = ia; x < ib; x++)
        S2[x] = pre2[x + r + 1] - pre2[x - r];
    for (int x = 0; x < w; x++) {
        if (x == ia)
            x = ib;
        if (x >= w)
            break;
        const int lo = x - r, hi = x + r, a = ISEG_MAX(lo, 0), b = ISEG_MIN(hi, w - 1);
        S2[x] = pre2[b + 1] - pre2[a] + (uint64_t)(a - lo) * col2[0] + (uint64_t)(hi - b) * col2[w - 1];
    }
}

/* ------------------------------------------------ per-row decisions */

typedef struct BoxJob {
    IsegAdaptive *ctx;
    const IsegImage *src;
    IsegImage *dst;
    int32_t mean_thr;   /* MEAN: fg iff n*v - S > mean_thr */
} BoxJob;

/* MEAN: v > S/n - offset  <=>  n*v - S > -offset*n  <=>  n*v - S > floor(-offset*n),
 * all integers (|n*v - S| < 2^29). */
static int32_t mean_threshold(double offset, int64_t n)
{
    const double t = floor(-offset * (double)n);
    if (t > 1e9)
        return 1000000000;
    if (t < -1e9)
        return -1000000000;
    return (int32_t)t;
}

static void row_mean(uint8_t *restrict d, const uint8_t *restrict v, const uint32_t *restrict S, int w,
                     int32_t n, int32_t thr, uint8_t inv)
{
    for (int x = 0; x < w; x++) {
        const int32_t diff = n * (int32_t)v[x] - (int32_t)S[x];
        d[x] = (uint8_t)((diff > thr ? 255 : 0) ^ inv);
    }
}

/* S2 < 2^52: exact conversion to double (the compiler vectorises this bit
 * trick, which it cannot do for a plain uint64 -> double cast). */
static inline double u52_to_double(uint64_t v)
{
    const uint64_t bits = v | UINT64_C(0x4330000000000000);
    double d;
    memcpy(&d, &bits, sizeof(d));
    return d - 4503599627370496.0;
}

/* Mean and standard deviation from the exact sums, in double:
 * m = S / n (a division, so that m is exact whenever it is an integer, as in
 * a flat window), var = (n*S2 - S^2) / n^2. n*S2 and S^2 are below 2^57; for
 * windows up to ~90x90 both are exact in double, beyond that the difference
 * carries an absolute error of a few units, i.e. < 1e-10 in var. T is then
 * evaluated with the reference's expression, so a flat window (s == 0) gives
 * bit for bit the reference's T. */
static inline double window_sd(double s, double s2, double n)
{
    const double var_n2 = n * s2 - s * s;
    return sqrt(var_n2 > 0 ? var_n2 : 0) / n;
}

static void row_sauvola(uint8_t *restrict d, const uint8_t *restrict v, const uint32_t *restrict S,
                        const uint64_t *restrict S2, int w, double n, double k, double R, uint8_t inv)
{
    for (int x = 0; x < w; x++) {
        const double s = (double)(int32_t)S[x];
        const double sd = window_sd(s, u52_to_double(S2[x]), n);
        const double m = s / n;
        const double T = m * (1 + k * (sd / R - 1));
        d[x] = (uint8_t)(((double)v[x] > T ? 255 : 0) ^ inv);
    }
}

static void row_niblack(uint8_t *restrict d, const uint8_t *restrict v, const uint32_t *restrict S,
                        const uint64_t *restrict S2, int w, double n, double k, uint8_t inv)
{
    for (int x = 0; x < w; x++) {
        const double s = (double)(int32_t)S[x];
        const double sd = window_sd(s, u52_to_double(S2[x]), n);
        const double T = s / n - k * sd;
        d[x] = (uint8_t)(((double)v[x] > T ? 255 : 0) ^ inv);
    }
}

static void box_job(void *arg, int begin, int end, unsigned slot)
{
    BoxJob *job = arg;
    const IsegAdaptiveSettings *s = &job->ctx->s;
    AdaptiveSlot *sl = &job->ctx->slots[slot];
    const IsegImage *src = job->src;
    const int r = s->block_size / 2, w = src->width;
    const int32_t n = s->block_size * s->block_size;
    const int want_sq = s->method != ISEG_ADAPTIVE_MEAN;
    const uint8_t inv = s->invert ? 255 : 0;
    for (int y = begin; y < end; y++) {
        iseg_adaptive_box_row(sl, src, r, y, begin, want_sq);
        const uint8_t *v = src->data + (ptrdiff_t)y * src->stride;
        uint8_t *d = job->dst->data + (ptrdiff_t)y * job->dst->stride;
        switch (s->method) {
        case ISEG_ADAPTIVE_MEAN:
            row_mean(d, v, sl->S, w, n, job->mean_thr, inv);
            break;
        case ISEG_ADAPTIVE_SAUVOLA:
            row_sauvola(d, v, sl->S, sl->S2, w, n, s->k, s->dynamic_range, inv);
            break;
        default:
            row_niblack(d, v, sl->S, sl->S2, w, n, s->k, inv);
            break;
        }
    }
}

int iseg_adaptive_box_run(IsegAdaptive *ctx, const IsegImage *src, IsegImage *dst, IsegPool *pool)
{
    BoxJob job = { ctx, src, dst, 0 };
    job.mean_thr = mean_threshold(ctx->s.offset, (int64_t)ctx->s.block_size * ctx->s.block_size);
    return iseg_pool_run(pool, src->height, 16, box_job, &job);
}
