/* Gaussian-weighted local mean (OpenCV's ADAPTIVE_THRESH_GAUSSIAN_C weights)
 * as a separable convolution in single precision: the frame is converted to
 * float once, then per output row a vertical pass over the 2r+1 window rows
 * (edge rows repeated) into a float row, and a horizontal pass over that row
 * (edge values repeated).
 *
 * The weights are symmetric, so the horizontal pass adds the two samples at
 * distance k first and multiplies once per pair; the vertical pass does two
 * output rows at a time instead (see vertical()). Every pixel's sum is
 * evaluated in the same order whatever the vector width and the thread
 * split. The AVX2 copy fuses multiply-adds (FMA): one rounding
 * less per tap, so its results may differ from the baseline copy's in the
 * last bit, both within the bound below.
 *
 * Accuracy and ties: the vertical pass adds 2r + 1 products of weights
 * (rounded to float) and samples, the horizontal one r + 1 products of
 * weights and pair sums; every partial sum stays below 256, so with
 * u = 2^-24 the error of the float mean g against the exact weighted mean is
 * below E = (3r + 6) * 255 * u (roundings of weights, products and sums in
 * both passes, and the vertical error carried through the horizontal
 * weights, which sum to 1). A pixel is foreground iff g - v < offset - eps
 * with eps = (3r + 8) * 255 * u (E plus the subtraction), the right-hand
 * side rounded down to float. So an exact tie (v == T, as in every flat area
 * with offset 0) is always background, as the definition says, instead of
 * falling either way with the rounding of the weights; the price is that a
 * pixel whose exact T lies less than 2 * eps below it may be called
 * background too (r = 15: 2 * eps = 1.6e-3 gray levels). The tests allow
 * |v - T| <= 2 * eps + |offset| * 2^-23 as "within rounding".
 */
#include "adaptive_priv.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct GaussJob {
    IsegAdaptive *ctx;
    const IsegImage *src;
    IsegImage *dst;
    const float **rows; /* rows[i] = the float copy of source row clamp(i - r), i in [0, h + 2r) */
} GaussJob;

#if defined(__GNUC__) || defined(__clang__)
#define GAUSS_VECTORS 1
/* Generic vectors of 8 floats: the compiler maps them to what the target has
 * (two SSE registers or one AVX one). Kept in variables only, never passed to
 * or returned from functions, so that no ABI question arises. */
typedef float gauss_f8 __attribute__((vector_size(32)));
#else
#define GAUSS_VECTORS 0
#endif

/* Vertical pass of output rows y (into out0) and, when out1 is not NULL,
 * y + 1 (into out1), from the float copy of the source (each source row
 * converted once, not once per tap). The two rows share the loads of their
 * 2r + 1 common source rows, which halves the traffic of this pass (it reads
 * 2r + 1 rows of floats per output row: L2 bandwidth is its limit). Every
 * output pixel is summed in the same order whether its row is done alone or
 * in a pair, in a vector lane or in the scalar tail:
 *   acc = w[0] * s_0;  acc += w[j] * s_j,  j = 1 .. 2r
 * (s_j: the source row y - r + j, edges repeated), so the result does not
 * depend on how rows are split between threads. */
static ISEG_ALWAYS_INLINE void vertical(float *restrict out0, float *restrict out1,
                                        const float *const *rows, int y, int r, int w,
                                        const float *wt)
{
    const float *const *src = rows + y; /* src[j] = source row y - r + j */
    const int n = 2 * r + 1;
    int x = 0;
#if GAUSS_VECTORS
    for (; x + 16 <= w; x += 16) {
        gauss_f8 s0, s1, a0, a1, b0 = { 0 }, b1 = { 0 };
        memcpy(&s0, src[0] + x, sizeof(s0));
        memcpy(&s1, src[0] + x + 8, sizeof(s1));
        a0 = wt[0] * s0;
        a1 = wt[0] * s1;
        for (int j = 1; j < n; j++) {
            memcpy(&s0, src[j] + x, sizeof(s0));
            memcpy(&s1, src[j] + x + 8, sizeof(s1));
            a0 += wt[j] * s0;
            a1 += wt[j] * s1;
            if (out1) {
                if (j == 1) {
                    b0 = wt[0] * s0;
                    b1 = wt[0] * s1;
                } else {
                    b0 += wt[j - 1] * s0;
                    b1 += wt[j - 1] * s1;
                }
            }
        }
        memcpy(out0 + x, &a0, sizeof(a0));
        memcpy(out0 + x + 8, &a1, sizeof(a1));
        if (out1) {
            memcpy(&s0, src[n] + x, sizeof(s0));
            memcpy(&s1, src[n] + x + 8, sizeof(s1));
            b0 += wt[n - 1] * s0;
            b1 += wt[n - 1] * s1;
            memcpy(out1 + x, &b0, sizeof(b0));
            memcpy(out1 + x + 8, &b1, sizeof(b1));
        }
    }
#endif
    for (; x < w; x++) {
        float acc = wt[0] * src[0][x];
        for (int j = 1; j < n; j++)
            acc += wt[j] * src[j][x];
        out0[x] = acc;
        if (out1) {
            acc = wt[0] * src[1][x];
            for (int j = 1; j < n; j++)
                acc += wt[j] * src[j + 1][x];
            out1[x] = acc;
        }
    }
}

/* Horizontal pass: t holds the vertical row at t[r .. r+w) with r edge
 * copies on each side and zeros after; g[x] = weighted sum around t[x + r],
 * in the order acc = w[r] * c; acc += w[r-k] * (left_k + right_k). Writes
 * up to 15 values past w into g's slack. */
static ISEG_ALWAYS_INLINE void horizontal(float *restrict g, const float *t, int r, int w,
                                          const float *wt)
{
#if GAUSS_VECTORS
    for (int x = 0; x < w; x += 16) {
        const float *c = t + r + x;
        gauss_f8 c0, c1, l0, l1, r0, r1;
        memcpy(&c0, c, sizeof(c0));
        memcpy(&c1, c + 8, sizeof(c1));
        gauss_f8 acc0 = wt[r] * c0, acc1 = wt[r] * c1;
        for (int k = 1; k <= r; k++) {
            const float wk = wt[r - k];
            memcpy(&l0, c - k, sizeof(l0));
            memcpy(&l1, c - k + 8, sizeof(l1));
            memcpy(&r0, c + k, sizeof(r0));
            memcpy(&r1, c + k + 8, sizeof(r1));
            acc0 += wk * (l0 + r0);
            acc1 += wk * (l1 + r1);
        }
        memcpy(g + x, &acc0, sizeof(acc0));
        memcpy(g + x + 8, &acc1, sizeof(acc1));
    }
#else
    for (int x = 0; x < w; x++) {
        const float *c = t + r + x;
        float acc = wt[r] * c[0];
        for (int k = 1; k <= r; k++)
            acc += wt[r - k] * (c[-k] + c[k]);
        g[x] = acc;
    }
#endif
}

/* Horizontal pass, edge copies and the decision for one output row whose
 * vertical pass is in t + r. */
static ISEG_ALWAYS_INLINE void finish_row(GaussJob *job, float *t, float *g, int y, int r, int w,
                                          float cut, uint8_t inv)
{
    for (int i = 0; i < r; i++) {
        t[i] = t[r];
        t[r + w + i] = t[r + w - 1];
    }
    horizontal(g, t, r, w, job->ctx->gw);
    const uint8_t *v = job->src->data + (ptrdiff_t)y * job->src->stride;
    uint8_t *d = job->dst->data + (ptrdiff_t)y * job->dst->stride;
    for (int x = 0; x < w; x++)
        d[x] = (uint8_t)((g[x] - (float)v[x] < cut ? 255 : 0) ^ inv);
}

static ISEG_ALWAYS_INLINE void gauss_rows(GaussJob *job, int begin, int end, unsigned slot)
{
    IsegAdaptive *ctx = job->ctx;
    const int r = ctx->s.block_size / 2, w = job->src->width;
    const float cut = iseg_adaptive_gauss_cut(ctx->s.offset, r);
    const uint8_t inv = ctx->s.invert ? 255 : 0;
    const size_t tw = (size_t)w + 2 * r + 16;         /* one padded vertical row */
    float *t0 = ctx->slots[slot].gtmp, *t1 = t0 + tw; /* two of them */
    float *g = ctx->slots[slot].gout;                 /* w + 16 */
    memset(t0 + r + w + r, 0, 16 * sizeof(float));
    memset(t1 + r + w + r, 0, 16 * sizeof(float));
    int y = begin;
    for (; y + 2 <= end; y += 2) {
        vertical(t0 + r, t1 + r, job->rows, y, r, w, ctx->gw);
        finish_row(job, t0, g, y, r, w, cut, inv);
        finish_row(job, t1, g, y + 1, r, w, cut, inv);
    }
    if (y < end) {
        vertical(t0 + r, NULL, job->rows, y, r, w, ctx->gw);
        finish_row(job, t0, g, y, r, w, cut, inv);
    }
}

double iseg_adaptive_gauss_eps(int r)
{
    return (3.0 * r + 8) * 255.0 / 16777216.0;
}

/* offset - eps rounded down to float */
float iseg_adaptive_gauss_cut(double offset, int r)
{
    const double c = offset - iseg_adaptive_gauss_eps(r);
    float f = (float)c;
    if ((double)f > c)
        f = nextafterf(f, -INFINITY);
    return f;
}

static void gauss_job_c(void *arg, int begin, int end, unsigned slot)
{
    gauss_rows(arg, begin, end, slot);
}

#if ISEG_HAVE_AVX2
static ISEG_TARGET_AVX2_FMA void gauss_job_avx2(void *arg, int begin, int end, unsigned slot)
{
    gauss_rows(arg, begin, end, slot);
}
#endif

typedef struct ConvertJob {
    const IsegImage *src;
    float *dst;
} ConvertJob;

static void convert_job(void *arg, int begin, int end, unsigned slot)
{
    (void)slot;
    ConvertJob *job = arg;
    const int w = job->src->width;
    for (int y = begin; y < end; y++) {
        const uint8_t *restrict s = job->src->data + (ptrdiff_t)y * job->src->stride;
        float *restrict d = job->dst + (size_t)y * w;
        for (int x = 0; x < w; x++)
            d[x] = (float)s[x];
    }
}

int iseg_adaptive_gauss_run(IsegAdaptive *ctx, const IsegImage *src, IsegImage *dst, IsegPool *pool)
{
    const int r = ctx->s.block_size / 2, w = src->width, h = src->height;
    if (!ctx->fsrc) {
        ctx->fsrc = malloc((size_t)ctx->max_w * ctx->max_h * sizeof(float));
        if (!ctx->fsrc)
            return -ENOMEM;
    }
    ConvertJob cj = { src, ctx->fsrc };
    int ret = iseg_pool_run(pool, h, 32, convert_job, &cj);
    if (ret < 0)
        return ret;
    for (int i = 0; i < h + 2 * r; i++)
        ctx->frows[i] = ctx->fsrc + (size_t)ISEG_CLAMP(i - r, 0, h - 1) * w;
    GaussJob job = { ctx, src, dst, ctx->frows };
    IsegRangeFunc fn = gauss_job_c;
#if ISEG_HAVE_AVX2
    if (iseg_use_avx2())
        fn = gauss_job_avx2;
#endif
    return iseg_pool_run(pool, h, 16, fn, &job);
}
