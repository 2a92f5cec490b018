/* Box-window methods (mean, Sauvola, Niblack) on exact integer window sums
 * (adaptive_sums.h): O(1) work per pixel whatever the window size.
 *
 * MEAN compares integers exactly: v > S/n - offset <=> n*v - S > floor(-offset*n).
 *
 * SAUVOLA and NIBLACK need the standard deviation s = sqrt(D) / n with
 * D = n*S2 - S^2, an integer computed exactly. Both decisions have the form
 * "v > T <=> a > c*sqrt(D)" and are taken without a square root or a
 * division per pixel:
 *   NIBLACK  T = m - k s:             a = n*v - S,          c = -k
 *   SAUVOLA  T = m (1 + k (s/R - 1)): a = n*v - (1 - k) S,  c = k S / (R n)
 * and  a > c sqrt(D)  <=>  a > 0 && a^2 > c^2 D   (c >= 0)
 *                      <=>  a > 0 || a^2 < c^2 D   (c <  0).
 * For windows up to 257 x 257, D is exact in double, then rounded once to
 * float; n*v and S are exact in float; the rest takes a few float roundings
 * (relative 2^-24 each). A decision can therefore differ from the exact one
 * only when |v - T| < ~1.3e-4 * (1 + |k|) gray levels (the tests allow
 * 4e-4 * (1 + |k|)). A flat window (D = 0) is decided exactly: Niblack's T
 * equals the pixel (background); Sauvola's is m (1 - k). Wider windows take
 * the same decisions in double from int64 sums.
 */
#include "adaptive_sums.h"

#include <math.h>

typedef struct BoxJob {
    IsegAdaptive *ctx;
    const IsegImage *src;
    IsegImage *dst;
    int32_t mean_thr; /* MEAN: fg iff n*v - S > mean_thr */
} BoxJob;

/* -offset * n rounded down, saturated (|n*v - S| < 2^29). */
static int32_t mean_threshold(double offset, int64_t n)
{
    const double t = floor(-offset * (double)n);
    if (t > 1e9)
        return 1000000000;
    if (t < -1e9)
        return -1000000000;
    return (int32_t)t;
}

/* The window sums of pixel x are P[x + b] - P[x] (b = 2r + 1), see
 * sums_row_small(). */
static ISEG_ALWAYS_INLINE void row_mean(uint8_t *restrict d, const uint8_t *restrict v,
                                        const uint32_t *restrict P, int b, int w, int32_t n,
                                        int32_t thr, uint8_t inv)
{
    for (int x = 0; x < w; x++) {
        const int32_t diff = n * (int32_t)v[x] - (int32_t)(P[x + b] - P[x]);
        d[x] = (uint8_t)((diff > thr ? 255 : 0) ^ inv);
    }
}

/* Decision "a > c sqrt(D)" from a, c^2 D and the sign of c (see the top). */
static ISEG_ALWAYS_INLINE int above(double a, double c2D, int c_negative)
{
    return c_negative ? (a > 0) | (a * a < c2D) : (a > 0) & (a * a > c2D);
}

static ISEG_ALWAYS_INLINE int above_f(float a, float c2D, int c_negative)
{
    return c_negative ? (a > 0) | (a * a < c2D) : (a > 0) & (a * a > c2D);
}

static ISEG_ALWAYS_INLINE void row_niblack(uint8_t *restrict d, const uint8_t *restrict v,
                                           const uint32_t *restrict P, const uint32_t *restrict P2,
                                           int b, int w, uint32_t n, double k, uint8_t inv)
{
    const float k2 = (float)(k * k);
    const double nd = n;
    const int c_neg = k > 0;
    for (int x = 0; x < w; x++) {
        const uint32_t S = P[x + b] - P[x], S2 = P2[x + b] - P2[x];
        const float D = (float)sums_var_n2(nd, S, S2);
        const float a = (float)(int32_t)(n * v[x] - S); /* |n v - S| < 2^24: exact */
        d[x] = (uint8_t)((above_f(a, k2 * D, c_neg) ? 255 : 0) ^ inv);
    }
}

static ISEG_ALWAYS_INLINE void row_sauvola(uint8_t *restrict d, const uint8_t *restrict v,
                                           const uint32_t *restrict P, const uint32_t *restrict P2,
                                           int b, int w, uint32_t n, double k, double R,
                                           uint8_t inv)
{
    const float one_k = (float)(1 - k), q = (float)(k / (R * n)), nf = (float)n;
    const double nd = n;
    const int c_neg = k < 0;
    for (int x = 0; x < w; x++) {
        const uint32_t S = P[x + b] - P[x], S2 = P2[x + b] - P2[x];
        const float s = (float)(int32_t)S;
        const float D = (float)sums_var_n2(nd, S, S2);
        const float a = nf * v[x] - one_k * s;
        const float c = q * s;
        d[x] = (uint8_t)((above_f(a, c * c * D, c_neg) ? 255 : 0) ^ inv);
    }
}

/* Wider windows: the same decisions from uint64 sums of squares. */
static void row_wide(uint8_t *d, const uint8_t *v, const uint32_t *S, const uint64_t *S2, int w,
                     const IsegAdaptiveSettings *s)
{
    const int64_t n = (int64_t)s->block_size * s->block_size;
    const double nd = (double)n, k = s->k;
    const uint8_t inv = s->invert ? 255 : 0;
    for (int x = 0; x < w; x++) {
        const double D = sums_var_n2_wide(n, S[x], S2[x]);
        const double sd = (double)S[x];
        int fg;
        if (s->method == ISEG_ADAPTIVE_NIBLACK) {
            fg = above(nd * v[x] - sd, k * k * D, k > 0);
        } else {
            const double c = k / (s->dynamic_range * nd) * sd;
            fg = above(nd * v[x] - (1 - k) * sd, c * c * D, k < 0);
        }
        d[x] = (uint8_t)((fg ? 255 : 0) ^ inv);
    }
}

static ISEG_ALWAYS_INLINE void box_rows(BoxJob *job, int begin, int end, unsigned slot, int fused)
{
    const IsegAdaptiveSettings *s = &job->ctx->s;
    AdaptiveSlot *sl = &job->ctx->slots[slot];
    const IsegImage *src = job->src;
    const int r = s->block_size / 2, w = src->width;
    const int32_t n = s->block_size * s->block_size;
    const int mean = s->method == ISEG_ADAPTIVE_MEAN;
    const int wide = !mean && s->block_size > SUMS_PACKED_MAX_BLOCK;
    const uint8_t inv = s->invert ? 255 : 0;
    const int b = 2 * r + 1;
    for (int y = begin; y < end; y++) {
        if (wide)
            sums_row_wide(sl, src, r, y, begin);
        else
            sums_row_small(sl, src, r, y, begin, !mean, fused);
        const uint8_t *v = src->data + (ptrdiff_t)y * src->stride;
        uint8_t *d = job->dst->data + (ptrdiff_t)y * job->dst->stride;
        if (mean)
            row_mean(d, v, sl->P, b, w, n, job->mean_thr, inv);
        else if (wide)
            row_wide(d, v, sl->S, sl->S2w, w, s);
        else if (s->method == ISEG_ADAPTIVE_SAUVOLA)
            row_sauvola(d, v, sl->P, sl->P2, b, w, (uint32_t)n, s->k, s->dynamic_range, inv);
        else
            row_niblack(d, v, sl->P, sl->P2, b, w, (uint32_t)n, s->k, inv);
    }
}

static void box_job_c(void *arg, int begin, int end, unsigned slot)
{
    box_rows(arg, begin, end, slot, 0);
}

#if ISEG_HAVE_AVX2
static ISEG_TARGET_AVX2 void box_job_avx2(void *arg, int begin, int end, unsigned slot)
{
    box_rows(arg, begin, end, slot, 1);
}
#endif

int iseg_adaptive_box_run(IsegAdaptive *ctx, const IsegImage *src, IsegImage *dst, IsegPool *pool)
{
    BoxJob job = { ctx, src, dst, 0 };
    job.mean_thr = mean_threshold(ctx->s.offset, (int64_t)ctx->s.block_size * ctx->s.block_size);
    IsegRangeFunc fn = box_job_c;
#if ISEG_HAVE_AVX2
    if (iseg_use_avx2())
        fn = box_job_avx2;
#endif
    return iseg_pool_run(pool, src->height, 16, fn, &job);
}
