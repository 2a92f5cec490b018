/* Gaussian-weighted local mean (OpenCV's ADAPTIVE_THRESH_GAUSSIAN_C weights)
 * as a separable convolution in single precision: per output row, a vertical
 * pass over the 2r+1 window rows (edge rows repeated) into a float row, then
 * a horizontal pass over that row (edge values repeated).
 *
 * The weights are symmetric, so each pass adds the two samples at distance k
 * first (exactly, in integers for the vertical pass) and multiplies once per
 * pair. Every pixel's sum is evaluated in the same order whatever the vector
 * width, so the result does not depend on the instruction set the compiler
 * picked, nor on the thread split (rows are independent).
 *
 * Accuracy and ties: each pass adds r + 1 products of weights (rounded to
 * float) and sums below 2 * 255; the error of the float mean g against the
 * exact weighted mean is below E = (2r + 6) * 255 * 2^-24 (weights, products
 * and r additions per pass, and the pass-to-pass rounding). A pixel is
 * foreground iff g - v < offset - eps with eps = (2r + 8) * 255 * 2^-24 (E
 * plus the subtraction), the right-hand side rounded down to float. So an
 * exact tie (v == T, as in every flat area with offset 0) is always
 * background, as the definition says, instead of falling either way with the
 * rounding of the weights; the price is that a pixel whose exact T lies less
 * than 2 * eps below it may be called background too. The tests allow
 * |v - T| <= 2 * eps + |offset| * 2^-23 as "within rounding".
 */
#include "adaptive_priv.h"

#include <math.h>
#include <string.h>

#define TILE 64

typedef struct GaussJob {
    IsegAdaptive *ctx;
    const IsegImage *src;
    IsegImage *dst;
    const uint8_t **rows; /* rows[i] = source row clamp(i - r), i in [0, h + 2r) */
} GaussJob;

/* Vertical pass of output row y into out[0..w). */
static void vertical(float *restrict out, const uint8_t *const *rows, int y, int r, int w, const float *wt)
{
    const uint8_t *c = rows[y + r];
    for (int x0 = 0; x0 < w; x0 += TILE) {
        const int n = ISEG_MIN(TILE, w - x0);
        float acc[TILE];
        for (int i = 0; i < n; i++)
            acc[i] = wt[r] * (float)c[x0 + i];
        for (int k = 1; k <= r; k++) {
            const uint8_t *a = rows[y + r - k] + x0, *b = rows[y + r + k] + x0;
            const float wk = wt[r - k];
            for (int i = 0; i < n; i++)
                acc[i] += wk * (float)((int)a[i] + (int)b[i]);
        }
        memcpy(out + x0, acc, (size_t)n * sizeof(float));
    }
}

/* Horizontal pass: t holds the vertical row at t[r .. r+w) with r edge copies
 * on each side; g[x] = weighted sum around t[x + r]. */
static void horizontal(float *restrict g, const float *t, int r, int w, const float *wt)
{
    for (int x0 = 0; x0 < w; x0 += TILE) {
        const int n = ISEG_MIN(TILE, w - x0);
        const float *c = t + r + x0;
        float acc[TILE];
        for (int i = 0; i < n; i++)
            acc[i] = wt[r] * c[i];
        for (int k = 1; k <= r; k++) {
            const float wk = wt[r - k];
            const float *a = c - k, *b = c + k;
            for (int i = 0; i < n; i++)
                acc[i] += wk * (a[i] + b[i]);
        }
        memcpy(g + x0, acc, (size_t)n * sizeof(float));
    }
}

double iseg_adaptive_gauss_eps(int r)
{
    return (2.0 * r + 8) * 255.0 / 16777216.0;
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

static void gauss_job(void *arg, int begin, int end, unsigned slot)
{
    GaussJob *job = arg;
    IsegAdaptive *ctx = job->ctx;
    const int r = ctx->s.block_size / 2, w = job->src->width;
    const float cut = iseg_adaptive_gauss_cut(ctx->s.offset, r);
    const uint8_t inv = ctx->s.invert ? 255 : 0;
    float *t = ctx->slots[slot].gtmp;           /* w + 2r */
    float *g = ctx->slots[slot].gout;
    for (int y = begin; y < end; y++) {
        vertical(t + r, job->rows, y, r, w, ctx->gw);
        for (int i = 0; i < r; i++) {
            t[i] = t[r];
            t[r + w + i] = t[r + w - 1];
        }
        horizontal(g, t, r, w, ctx->gw);
        const uint8_t *v = job->src->data + (ptrdiff_t)y * job->src->stride;
        uint8_t *d = job->dst->data + (ptrdiff_t)y * job->dst->stride;
        for (int x = 0; x < w; x++)
            d[x] = (uint8_t)((g[x] - (float)v[x] < cut ? 255 : 0) ^ inv);
    }
}

int iseg_adaptive_gauss_run(IsegAdaptive *ctx, const IsegImage *src, IsegImage *dst, IsegPool *pool)
{
    const int r = ctx->s.block_size / 2, h = src->height;
    for (int i = 0; i < h + 2 * r; i++)
        ctx->rows[i] = src->data + (ptrdiff_t)ISEG_CLAMP(i - r, 0, h - 1) * src->stride;
    GaussJob job = { ctx, src, dst, ctx->rows };
    return iseg_pool_run(pool, h, 16, gauss_job, &job);
}
