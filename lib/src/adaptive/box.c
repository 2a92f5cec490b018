/* Box-window methods (mean, Sauvola, Niblack) on exact integer window sums
 * (sums.h): O(1) work per pixel whatever the window size. The
 * decisions from the sums are the functions of decide.h, which the
 * reference calls too: the masks equal the reference's bit for bit.
 */
#include "sums.h"

#include <math.h>

typedef struct BoxJob {
    IsegAdaptive *ctx;
    const IsegImage *src;
    IsegImage *dst;
    int32_t mean_thr; /* MEAN: fg iff n*v - S > mean_thr */
    IsegBoxCoef coef; /* SAUVOLA, NIBLACK */
} BoxJob;

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

static ISEG_ALWAYS_INLINE void row_niblack(uint8_t *restrict d, const uint8_t *restrict v,
                                           const uint32_t *restrict P, const uint32_t *restrict P2,
                                           int b, int w, uint32_t n, float k2f, int c_neg,
                                           uint8_t inv)
{
    for (int x = 0; x < w; x++) {
        const uint32_t S = P[x + b] - P[x], S2 = P2[x + b] - P2[x];
        d[x] = (uint8_t)((iseg_niblack_fg(n, S, S2, v[x], k2f, c_neg) ? 255 : 0) ^ inv);
    }
}

static ISEG_ALWAYS_INLINE void row_sauvola(uint8_t *restrict d, const uint8_t *restrict v,
                                           const uint32_t *restrict P, const uint32_t *restrict P2,
                                           int b, int w, uint32_t n, float nf, float one_kf,
                                           float qf, int c_neg, uint8_t inv)
{
    for (int x = 0; x < w; x++) {
        const uint32_t S = P[x + b] - P[x], S2 = P2[x + b] - P2[x];
        d[x] = (uint8_t)((iseg_sauvola_fg(n, S, S2, v[x], nf, one_kf, qf, c_neg) ? 255 : 0) ^ inv);
    }
}

/* The AVX-512 copy's rows: D as the exact 64-bit integer n S2 - S^2 (both
 * products below 2^49) rounded once to float, which is the value of
 * sums_var_n2() rounded to float, so the decisions are bit for bit those of
 * row_sauvola() / row_niblack(); AVX-512DQ converts 64-bit integers to
 * float directly, without the trip through double. */
static ISEG_ALWAYS_INLINE float box_d_q(uint32_t n, uint32_t S, uint32_t S2)
{
    return (float)(int64_t)((uint64_t)n * S2 - (uint64_t)S * S);
}

static ISEG_ALWAYS_INLINE void row_sauvola_q_nocap(uint8_t *restrict d, const uint8_t *restrict v,
                                                   const uint32_t *restrict P,
                                                   const uint32_t *restrict P2, int b, int w,
                                                   uint32_t n, float nf, float one_kf, float qf,
                                                   int c_neg, uint8_t inv)
{
    for (int x = 0; x < w; x++) {
        const uint32_t S = P[x + b] - P[x], S2 = P2[x + b] - P2[x];
        const float sf = (float)(int32_t)S;
        const float a = nf * (float)(int32_t)v[x] - one_kf * sf;
        const float c = qf * sf;
        const float c2D = (c * c) * box_d_q(n, S, S2);
        d[x] = (uint8_t)((iseg_above_f(a, c2D, c_neg) ? 255 : 0) ^ inv);
    }
}

static ISEG_ALWAYS_INLINE void row_sauvola_q(uint8_t *restrict d, const uint8_t *restrict v,
                                             const uint32_t *restrict P,
                                             const uint32_t *restrict P2, int b, int w, uint32_t n,
                                             float nf, float one_kf, float qf, int c_neg,
                                             uint8_t inv)
{
    /* The cap of c^2 (iseg_sauvola_fg()) cannot act when even the largest
     * window sum, n 255, gives c^2 below it (float products are monotonic):
     * then the loop goes without it, c_neg fixed (the same decisions). */
    const float cmax = fabsf(qf) * (float)(int32_t)(n * 255u);
    if (cmax * cmax < 1e36f) {
        if (c_neg)
            row_sauvola_q_nocap(d, v, P, P2, b, w, n, nf, one_kf, qf, 1, inv);
        else
            row_sauvola_q_nocap(d, v, P, P2, b, w, n, nf, one_kf, qf, 0, inv);
        return;
    }
    for (int x = 0; x < w; x++) {
        const uint32_t S = P[x + b] - P[x], S2 = P2[x + b] - P2[x];
        const float sf = (float)(int32_t)S;
        const float D = box_d_q(n, S, S2);
        const float a = nf * (float)(int32_t)v[x] - one_kf * sf;
        const float c = qf * sf, cc = c * c;
        const float c2D = (cc < 1e36f ? cc : 1e36f) * D; /* as in iseg_sauvola_fg() */
        d[x] = (uint8_t)((iseg_above_f(a, c2D, c_neg) ? 255 : 0) ^ inv);
    }
}

static ISEG_ALWAYS_INLINE void row_niblack_q(uint8_t *restrict d, const uint8_t *restrict v,
                                             const uint32_t *restrict P,
                                             const uint32_t *restrict P2, int b, int w, uint32_t n,
                                             float k2f, int c_neg, uint8_t inv)
{
    for (int x = 0; x < w; x++) {
        const uint32_t S = P[x + b] - P[x], S2 = P2[x + b] - P2[x];
        const float a = (float)(int32_t)(n * v[x] - S);
        d[x] = (uint8_t)((iseg_above_f(a, k2f * box_d_q(n, S, S2), c_neg) ? 255 : 0) ^ inv);
    }
}

/* Wider windows: the same decisions in double from uint64 sums of squares. */
static void row_wide(uint8_t *d, const uint8_t *v, const uint32_t *S, const uint64_t *S2, int w,
                     const IsegAdaptiveSettings *s, const IsegBoxCoef *cf)
{
    const int64_t n = (int64_t)s->block_size * s->block_size;
    const int sauvola = s->method == ISEG_ADAPTIVE_SAUVOLA;
    const uint8_t inv = s->invert ? 255 : 0;
    for (int x = 0; x < w; x++)
        d[x] = (uint8_t)((iseg_box_fg_wide(cf, sauvola, n, S[x], S2[x], v[x]) ? 255 : 0) ^ inv);
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
    const IsegBoxCoef cf = job->coef;
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
            row_wide(d, v, sl->S, sl->S2w, w, s, &cf);
        else if (fused == 2 && s->method == ISEG_ADAPTIVE_SAUVOLA)
            row_sauvola_q(d, v, sl->P, sl->P2, b, w, (uint32_t)n, cf.nf, cf.one_kf, cf.qf, cf.c_neg,
                          inv);
        else if (fused == 2)
            row_niblack_q(d, v, sl->P, sl->P2, b, w, (uint32_t)n, cf.k2f, cf.c_neg, inv);
        else if (s->method == ISEG_ADAPTIVE_SAUVOLA)
            row_sauvola(d, v, sl->P, sl->P2, b, w, (uint32_t)n, cf.nf, cf.one_kf, cf.qf, cf.c_neg,
                        inv);
        else
            row_niblack(d, v, sl->P, sl->P2, b, w, (uint32_t)n, cf.k2f, cf.c_neg, inv);
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

static ISEG_TARGET_AVX512 void box_job_avx512(void *arg, int begin, int end, unsigned slot)
{
    box_rows(arg, begin, end, slot, 2);
}
#endif

int iseg_adaptive_box_run(IsegAdaptive *ctx, const IsegImage *src, IsegImage *dst, IsegPool *pool)
{
    BoxJob job = { ctx, src, dst, 0, iseg_box_coef(&ctx->s) };
    job.mean_thr =
        iseg_adaptive_mean_cut(ctx->s.offset, (int64_t)ctx->s.block_size * ctx->s.block_size);
    IsegRangeFunc fn = box_job_c;
#if ISEG_HAVE_AVX2
    if (iseg_use_avx512())
        fn = box_job_avx512;
    else if (iseg_use_avx2())
        fn = box_job_avx2;
#endif
    return iseg_pool_run(pool, src->height, 16, fn, &job);
}
