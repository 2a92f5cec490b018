/* Gaussian-weighted local mean (OpenCV's ADAPTIVE_THRESH_GAUSSIAN_C weights)
 * as a separable convolution in single precision: the frame is converted to
 * float once, then per output row a vertical pass over the 2r+1 window rows
 * (edge rows repeated) into a float row, and a horizontal pass over that row
 * (edge values repeated).
 *
 * The weights are symmetric, so both passes add the two samples at
 * distance k first and multiply once per pair; the vertical pass does two
 * output rows at a time sharing their loads, the horizontal pass runs on
 * blocks of 8 rows transposed (see gauss_rows()). Every pixel's sum is
 * evaluated in the same order whatever the vector width, the blocking and
 * the thread split. The AVX2 copy fuses multiply-adds (FMA): one rounding
 * less per tap, so its results may differ from the baseline copy's in the
 * last bit, both within the bound below.
 *
 * Accuracy and ties: each pass adds r + 1 products of weights (rounded to
 * float) and pair sums; every partial sum stays below 256, so with
 * u = 2^-24 one pass is off by less than (r + 3) * 255 * u (the weights,
 * the pair sums, the products, r additions), and the mean g against the
 * exact weighted mean by less than (2r + 6) * 255 * u (the vertical error
 * carried through the horizontal weights, which sum to 1). The cut keeps
 * the wider E = (3r + 6) * 255 * u of the earlier vertical pass (2r + 1
 * products), so the band the tests allow is what it was: a pixel is
 * foreground iff g - v < offset - eps with eps = (3r + 8) * 255 * u (E plus
 * the subtraction), the right-hand side rounded down to float. So an exact tie (v == T, as in every
 * flat area with offset 0) is always background, as the definition says, instead of falling either
 * way with the rounding of the weights; the price is that a pixel whose exact T lies less than 2 *
 * eps below it may be called background too (r = 15: 2 * eps = 1.6e-3 gray levels). The tests allow
 * |v - T| <= 2 * eps + |offset| * 2^-23 as "within rounding".
 */
#include "adaptive_priv.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Floats per row of the float copy of the source and of a vertical row:
 * whole 64-byte lines. */
static size_t gauss_float_stride(int w)
{
    return ((size_t)w + 15) & ~(size_t)15;
}

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
 * converted once, not once per tap). The weights are symmetric, so each
 * output pixel adds the two samples at distance k first and multiplies once
 * per pair, in the order
 *   acc = w[r] * s_0;  acc += w[r - k] * (s_-k + s_k),  k = 1 .. r
 * (s_d: the source row of the output row + d, edges repeated): r + 1
 * multiply-adds and r additions instead of 2r + 1 multiply-adds. The two
 * rows of a pair share their loads: at step k row y needs s(y-k) and
 * s(y+k), row y+1 needs s(y+1-k) and s(y+1+k), and s(y+k), s(y+1-k) are the
 * loads of step k-1; so one load per tap and output row. Every output pixel
 * is summed in that order whether its row is done alone or in a pair, in a
 * vector lane or in the scalar tail, so the result does not depend on how
 * rows are split between threads. */
static ISEG_ALWAYS_INLINE void vertical(float *restrict out0, float *restrict out1,
                                        const float *const *rows, int y, int r, int x0, int x1,
                                        const float *wt, int wide, ptrdiff_t off)
{
    const float *const *src = rows + y + r; /* src[d] = source row y + d, d in [-r, r + 1] */
    const int w = x1;
    int x = x0;
#if GAUSS_VECTORS
    if (out1 && wide) {
        /* 32 columns: 8 independent sums in flight, enough to hide the
         * multiply-add latency, and 25 vector registers (AVX-512VL's 32) */
        for (; x + 32 <= w; x += 32) {
            gauss_f8 pl0, pl1, pl2, pl3, ph0, ph1, ph2, ph3;
            memcpy(&pl0, src[0] + off + x, sizeof(pl0));
            memcpy(&pl1, src[0] + off + x + 8, sizeof(pl1));
            memcpy(&pl2, src[0] + off + x + 16, sizeof(pl2));
            memcpy(&pl3, src[0] + off + x + 24, sizeof(pl3));
            memcpy(&ph0, src[1] + off + x, sizeof(ph0));
            memcpy(&ph1, src[1] + off + x + 8, sizeof(ph1));
            memcpy(&ph2, src[1] + off + x + 16, sizeof(ph2));
            memcpy(&ph3, src[1] + off + x + 24, sizeof(ph3));
            gauss_f8 a0 = wt[r] * pl0, a1 = wt[r] * pl1, a2 = wt[r] * pl2, a3 = wt[r] * pl3;
            gauss_f8 b0 = wt[r] * ph0, b1 = wt[r] * ph1, b2 = wt[r] * ph2, b3 = wt[r] * ph3;
            for (int k = 1; k <= r; k++) {
                const float wk = wt[r - k];
                gauss_f8 lo0, lo1, lo2, lo3, hi0, hi1, hi2, hi3;
                memcpy(&lo0, src[-k] + off + x, sizeof(lo0));
                memcpy(&lo1, src[-k] + off + x + 8, sizeof(lo1));
                memcpy(&lo2, src[-k] + off + x + 16, sizeof(lo2));
                memcpy(&lo3, src[-k] + off + x + 24, sizeof(lo3));
                memcpy(&hi0, src[1 + k] + off + x, sizeof(hi0));
                memcpy(&hi1, src[1 + k] + off + x + 8, sizeof(hi1));
                memcpy(&hi2, src[1 + k] + off + x + 16, sizeof(hi2));
                memcpy(&hi3, src[1 + k] + off + x + 24, sizeof(hi3));
                a0 += wk * (lo0 + ph0);
                a1 += wk * (lo1 + ph1);
                a2 += wk * (lo2 + ph2);
                a3 += wk * (lo3 + ph3);
                b0 += wk * (pl0 + hi0);
                b1 += wk * (pl1 + hi1);
                b2 += wk * (pl2 + hi2);
                b3 += wk * (pl3 + hi3);
                pl0 = lo0, pl1 = lo1, pl2 = lo2, pl3 = lo3;
                ph0 = hi0, ph1 = hi1, ph2 = hi2, ph3 = hi3;
            }
            memcpy(out0 + x, &a0, sizeof(a0));
            memcpy(out0 + x + 8, &a1, sizeof(a1));
            memcpy(out0 + x + 16, &a2, sizeof(a2));
            memcpy(out0 + x + 24, &a3, sizeof(a3));
            memcpy(out1 + x, &b0, sizeof(b0));
            memcpy(out1 + x + 8, &b1, sizeof(b1));
            memcpy(out1 + x + 16, &b2, sizeof(b2));
            memcpy(out1 + x + 24, &b3, sizeof(b3));
        }
    }
    if (out1) {
        for (; x + 16 <= w; x += 16) {
            gauss_f8 lo0, lo1, hi0, hi1, pl0, pl1, ph0, ph1;
            memcpy(&pl0, src[0] + off + x, sizeof(pl0));
            memcpy(&pl1, src[0] + off + x + 8, sizeof(pl1));
            memcpy(&ph0, src[1] + off + x, sizeof(ph0));
            memcpy(&ph1, src[1] + off + x + 8, sizeof(ph1));
            gauss_f8 a0 = wt[r] * pl0, a1 = wt[r] * pl1, b0 = wt[r] * ph0, b1 = wt[r] * ph1;
            for (int k = 1; k <= r; k++) {
                const float wk = wt[r - k];
                memcpy(&lo0, src[-k] + off + x, sizeof(lo0));
                memcpy(&lo1, src[-k] + off + x + 8, sizeof(lo1));
                memcpy(&hi0, src[1 + k] + off + x, sizeof(hi0));
                memcpy(&hi1, src[1 + k] + off + x + 8, sizeof(hi1));
                a0 += wk * (lo0 + ph0);
                a1 += wk * (lo1 + ph1);
                b0 += wk * (pl0 + hi0);
                b1 += wk * (pl1 + hi1);
                pl0 = lo0, pl1 = lo1, ph0 = hi0, ph1 = hi1;
            }
            memcpy(out0 + x, &a0, sizeof(a0));
            memcpy(out0 + x + 8, &a1, sizeof(a1));
            memcpy(out1 + x, &b0, sizeof(b0));
            memcpy(out1 + x + 8, &b1, sizeof(b1));
        }
    } else {
        for (; x + 16 <= w; x += 16) {
            gauss_f8 c0, c1, l0, l1, h0, h1;
            memcpy(&c0, src[0] + off + x, sizeof(c0));
            memcpy(&c1, src[0] + off + x + 8, sizeof(c1));
            gauss_f8 a0 = wt[r] * c0, a1 = wt[r] * c1;
            for (int k = 1; k <= r; k++) {
                const float wk = wt[r - k];
                memcpy(&l0, src[-k] + off + x, sizeof(l0));
                memcpy(&l1, src[-k] + off + x + 8, sizeof(l1));
                memcpy(&h0, src[k] + off + x, sizeof(h0));
                memcpy(&h1, src[k] + off + x + 8, sizeof(h1));
                a0 += wk * (l0 + h0);
                a1 += wk * (l1 + h1);
            }
            memcpy(out0 + x, &a0, sizeof(a0));
            memcpy(out0 + x + 8, &a1, sizeof(a1));
        }
    }
#endif
    for (; x < w; x++) {
        float acc = wt[r] * src[0][off + x];
        for (int k = 1; k <= r; k++)
            acc += wt[r - k] * (src[-k][off + x] + src[k][off + x]);
        out0[x] = acc;
        if (out1) {
            acc = wt[r] * src[1][off + x];
            for (int k = 1; k <= r; k++)
                acc += wt[r - k] * (src[1 - k][off + x] + src[1 + k][off + x]);
            out1[x] = acc;
        }
    }
}

/* Edge copies of a vertical row whose values are in t[r .. r+w): r copies
 * of the first on the left, of the last on the right. */
static ISEG_ALWAYS_INLINE void edge_copies(float *t, int r, int w)
{
    for (int i = 0; i < r; i++) {
        t[i] = t[r];
        t[r + w + i] = t[r + w - 1];
    }
}

/* The decision for output row y from its weighted means g[0 .. w). */
static ISEG_ALWAYS_INLINE void decide_row(GaussJob *job, const float *g, int y, int w, float cut,
                                          uint8_t inv)
{
    const uint8_t *v = job->src->data + (ptrdiff_t)y * job->src->stride;
    uint8_t *d = job->dst->data + (ptrdiff_t)y * job->dst->stride;
    for (int x = 0; x < w; x++)
        d[x] = (uint8_t)((g[x] - (float)v[x] < cut ? 255 : 0) ^ inv);
}

#if GAUSS_VECTORS
/* 8 x 8 transpose: row i of the input (8 floats at in + i * in_stride)
 * becomes column i of the output (out + j * out_stride holds the 8 values
 * of input column j). */
static ISEG_ALWAYS_INLINE void transpose8(const float *in, size_t in_stride, float *out,
                                          size_t out_stride)
{
    gauss_f8 a0, a1, a2, a3, a4, a5, a6, a7;
    memcpy(&a0, in, sizeof(a0));
    memcpy(&a1, in + in_stride, sizeof(a1));
    memcpy(&a2, in + 2 * in_stride, sizeof(a2));
    memcpy(&a3, in + 3 * in_stride, sizeof(a3));
    memcpy(&a4, in + 4 * in_stride, sizeof(a4));
    memcpy(&a5, in + 5 * in_stride, sizeof(a5));
    memcpy(&a6, in + 6 * in_stride, sizeof(a6));
    memcpy(&a7, in + 7 * in_stride, sizeof(a7));
#define GAUSS_LO(x, y)  __builtin_shufflevector(x, y, 0, 8, 1, 9, 4, 12, 5, 13)
#define GAUSS_HI(x, y)  __builtin_shufflevector(x, y, 2, 10, 3, 11, 6, 14, 7, 15)
#define GAUSS_LO2(x, y) __builtin_shufflevector(x, y, 0, 1, 8, 9, 4, 5, 12, 13)
#define GAUSS_HI2(x, y) __builtin_shufflevector(x, y, 2, 3, 10, 11, 6, 7, 14, 15)
#define GAUSS_LO4(x, y) __builtin_shufflevector(x, y, 0, 1, 2, 3, 8, 9, 10, 11)
#define GAUSS_HI4(x, y) __builtin_shufflevector(x, y, 4, 5, 6, 7, 12, 13, 14, 15)
    /* pairs of rows interleaved: b0 = r0 r1 of columns 0, 1 | 4, 5 ... */
    const gauss_f8 b0 = GAUSS_LO(a0, a1), b1 = GAUSS_HI(a0, a1);
    const gauss_f8 b2 = GAUSS_LO(a2, a3), b3 = GAUSS_HI(a2, a3);
    const gauss_f8 b4 = GAUSS_LO(a4, a5), b5 = GAUSS_HI(a4, a5);
    const gauss_f8 b6 = GAUSS_LO(a6, a7), b7 = GAUSS_HI(a6, a7);
    /* rows 0-3 of column 0 | 4 (c0), 1 | 5 (c1), 2 | 6 (c2), 3 | 7 (c3);
     * c4..c7 the same for rows 4-7 */
    const gauss_f8 c0 = GAUSS_LO2(b0, b2), c1 = GAUSS_HI2(b0, b2);
    const gauss_f8 c2 = GAUSS_LO2(b1, b3), c3 = GAUSS_HI2(b1, b3);
    const gauss_f8 c4 = GAUSS_LO2(b4, b6), c5 = GAUSS_HI2(b4, b6);
    const gauss_f8 c6 = GAUSS_LO2(b5, b7), c7 = GAUSS_HI2(b5, b7);
    const gauss_f8 d0 = GAUSS_LO4(c0, c4), d4 = GAUSS_HI4(c0, c4);
    const gauss_f8 d1 = GAUSS_LO4(c1, c5), d5 = GAUSS_HI4(c1, c5);
    const gauss_f8 d2 = GAUSS_LO4(c2, c6), d6 = GAUSS_HI4(c2, c6);
    const gauss_f8 d3 = GAUSS_LO4(c3, c7), d7 = GAUSS_HI4(c3, c7);
#undef GAUSS_LO
#undef GAUSS_HI
#undef GAUSS_LO2
#undef GAUSS_HI2
#undef GAUSS_LO4
#undef GAUSS_HI4
    memcpy(out, &d0, sizeof(d0));
    memcpy(out + out_stride, &d1, sizeof(d1));
    memcpy(out + 2 * out_stride, &d2, sizeof(d2));
    memcpy(out + 3 * out_stride, &d3, sizeof(d3));
    memcpy(out + 4 * out_stride, &d4, sizeof(d4));
    memcpy(out + 5 * out_stride, &d5, sizeof(d5));
    memcpy(out + 6 * out_stride, &d6, sizeof(d6));
    memcpy(out + 7 * out_stride, &d7, sizeof(d7));
}

/* Horizontal pass of a block of 8 vertical rows, transposed: T[j] (8
 * floats at T + 8 j) holds column j of the padded rows (j = x + r for
 * pixel x), and G[x] receives the 8 weighted means of pixel x, each summed
 * in the vertical pass's order
 *   acc = w[r] * T[x+r];  acc += w[r-k] * (T[x+r-k] + T[x+r+k]),  k = 1 .. r.
 * Aligned whole-vector loads, and neighbouring outputs share them as the
 * vertical pass's row pairs do: at step k output x needs T[x+r-k] and
 * T[x+r+k], output x+1 T[x+r+1-k] and T[x+r+1+k], and T[x+r+k], T[x+r+1-k]
 * are step k-1's loads. Four outputs a step (two such pairs); writes up to
 * 3 outputs past w. */
static ISEG_ALWAYS_INLINE void horizontal_t(float *restrict G, const float *restrict T, int r,
                                            int w, const float *wt, int wide)
{
    int x = 0;
    if (wide) {
        /* eight outputs a step (8 sums in flight, 25 registers), writes up
         * to 7 past w */
        for (; x < w; x += 8) {
            const float *c = T + 8 * (size_t)(x + r);
            gauss_f8 pl0, ph0, pl1, ph1, pl2, ph2, pl3, ph3;
            memcpy(&pl0, c, sizeof(pl0));
            memcpy(&ph0, c + 8, sizeof(ph0));
            memcpy(&pl1, c + 16, sizeof(pl1));
            memcpy(&ph1, c + 24, sizeof(ph1));
            memcpy(&pl2, c + 32, sizeof(pl2));
            memcpy(&ph2, c + 40, sizeof(ph2));
            memcpy(&pl3, c + 48, sizeof(pl3));
            memcpy(&ph3, c + 56, sizeof(ph3));
            gauss_f8 a0 = wt[r] * pl0, b0 = wt[r] * ph0, a1 = wt[r] * pl1, b1 = wt[r] * ph1;
            gauss_f8 a2 = wt[r] * pl2, b2 = wt[r] * ph2, a3 = wt[r] * pl3, b3 = wt[r] * ph3;
            for (int k = 1; k <= r; k++) {
                const float wk = wt[r - k];
                gauss_f8 lo0, hi0, lo1, hi1, lo2, hi2, lo3, hi3;
                memcpy(&lo0, c - 8 * k, sizeof(lo0));
                memcpy(&hi0, c + 8 * (1 + k), sizeof(hi0));
                memcpy(&lo1, c + 8 * (2 - k), sizeof(lo1));
                memcpy(&hi1, c + 8 * (3 + k), sizeof(hi1));
                memcpy(&lo2, c + 8 * (4 - k), sizeof(lo2));
                memcpy(&hi2, c + 8 * (5 + k), sizeof(hi2));
                memcpy(&lo3, c + 8 * (6 - k), sizeof(lo3));
                memcpy(&hi3, c + 8 * (7 + k), sizeof(hi3));
                a0 += wk * (lo0 + ph0);
                b0 += wk * (pl0 + hi0);
                a1 += wk * (lo1 + ph1);
                b1 += wk * (pl1 + hi1);
                a2 += wk * (lo2 + ph2);
                b2 += wk * (pl2 + hi2);
                a3 += wk * (lo3 + ph3);
                b3 += wk * (pl3 + hi3);
                pl0 = lo0, ph0 = hi0, pl1 = lo1, ph1 = hi1;
                pl2 = lo2, ph2 = hi2, pl3 = lo3, ph3 = hi3;
            }
            float *g = G + 8 * (size_t)x;
            memcpy(g, &a0, sizeof(a0));
            memcpy(g + 8, &b0, sizeof(b0));
            memcpy(g + 16, &a1, sizeof(a1));
            memcpy(g + 24, &b1, sizeof(b1));
            memcpy(g + 32, &a2, sizeof(a2));
            memcpy(g + 40, &b2, sizeof(b2));
            memcpy(g + 48, &a3, sizeof(a3));
            memcpy(g + 56, &b3, sizeof(b3));
        }
    }
    for (; x < w; x += 4) {
        const float *c = T + 8 * (size_t)(x + r);
        gauss_f8 pl0, ph0, pl1, ph1, lo0, hi0, lo1, hi1;
        memcpy(&pl0, c, sizeof(pl0));
        memcpy(&ph0, c + 8, sizeof(ph0));
        memcpy(&pl1, c + 16, sizeof(pl1));
        memcpy(&ph1, c + 24, sizeof(ph1));
        gauss_f8 a0 = wt[r] * pl0, b0 = wt[r] * ph0, a1 = wt[r] * pl1, b1 = wt[r] * ph1;
        for (int k = 1; k <= r; k++) {
            const float wk = wt[r - k];
            memcpy(&lo0, c - 8 * k, sizeof(lo0));
            memcpy(&hi0, c + 8 * (1 + k), sizeof(hi0));
            memcpy(&lo1, c + 8 * (2 - k), sizeof(lo1));
            memcpy(&hi1, c + 8 * (3 + k), sizeof(hi1));
            a0 += wk * (lo0 + ph0);
            b0 += wk * (pl0 + hi0);
            a1 += wk * (lo1 + ph1);
            b1 += wk * (pl1 + hi1);
            pl0 = lo0, ph0 = hi0, pl1 = lo1, ph1 = hi1;
        }
        memcpy(G + 8 * (size_t)x, &a0, sizeof(a0));
        memcpy(G + 8 * (size_t)x + 8, &b0, sizeof(b0));
        memcpy(G + 8 * (size_t)x + 16, &a1, sizeof(a1));
        memcpy(G + 8 * (size_t)x + 24, &b1, sizeof(b1));
    }
}
#else
/* Horizontal pass of one vertical row t (values at t[r .. r+w), edge copies
 * around): g[x] in the vertical pass's order. */
static void horizontal(float *restrict g, const float *t, int r, int w, const float *wt)
{
    for (int x = 0; x < w; x++) {
        const float *c = t + r + x;
        float acc = wt[r] * c[0];
        for (int k = 1; k <= r; k++)
            acc += wt[r - k] * (c[-k] + c[k]);
        g[x] = acc;
    }
}
#endif

/* Rows are done in blocks of GAUSS_BLOCK: the vertical pass of a block
 * runs strip by strip (GAUSS_STRIP columns, one strip of the float copy), so
 * the 2r + GAUSS_BLOCK source rows of a strip, one contiguous piece, stay in
 * the first-level cache while the block's row pairs reuse them; only the
 * first pair of a strip reads them from the second level (blocks of 8 rows
 * made that a quarter of the pass and cost 20-35 %). Each 8 rows of the
 * block are then transposed, 8 x 8 floats at a time, so that the horizontal
 * pass runs down columns with whole aligned vectors (along a row every tap
 * is an unaligned load, half of them split across cache lines: that pass
 * was load-bound), and the means transposed back for the decision. The
 * order of every pixel's sums is the same as without blocking or
 * transposing. */
#define GAUSS_BLOCK 16
#define GAUSS_STRIP 128

static ISEG_ALWAYS_INLINE void gauss_rows(GaussJob *job, int begin, int end, unsigned slot,
                                          int wide)
{
    IsegAdaptive *ctx = job->ctx;
    const int r = ctx->s.block_size / 2, w = job->src->width;
    const float cut = iseg_adaptive_gauss_cut(ctx->s.offset, r);
    const uint8_t inv = ctx->s.invert ? 255 : 0;
    /* one padded vertical row: r edge copies, the w values from a 64-byte
     * line on, r edge copies, 32 zeros */
    const size_t tw = gauss_float_stride(w + 2 * r + 32 + 15);
    const int lead = (16 - r % 16) % 16;     /* t + lead + r is line-aligned */
    float *t = ctx->slots[slot].gtmp + lead; /* GAUSS_BLOCK of them */
    for (int i = 0; i < GAUSS_BLOCK; i++)
        memset(t + i * tw + r + w + r, 0, 32 * sizeof(float));
    for (int yb = begin; yb < end; yb += GAUSS_BLOCK) {
        const int n = ISEG_MIN(GAUSS_BLOCK, end - yb);
        for (int x0 = 0; x0 < w; x0 += GAUSS_STRIP) {
            const int x1 = ISEG_MIN(w, x0 + GAUSS_STRIP);
            int i = 0;
            /* this strip's rows in the float copy, from column x0 on */
            const ptrdiff_t off =
                (ptrdiff_t)(x0 / GAUSS_STRIP) * (job->src->height - 1) * GAUSS_STRIP;
            for (; i + 2 <= n; i += 2)
                vertical(t + i * tw + r, t + (i + 1) * tw + r, job->rows, yb + i, r, x0, x1,
                         ctx->gw, wide, off);
            if (i < n)
                vertical(t + i * tw + r, NULL, job->rows, yb + i, r, x0, x1, ctx->gw, wide, off);
        }
        for (int i = 0; i < n; i++)
            edge_copies(t + i * tw, r, w);
#if GAUSS_VECTORS
        /* the rows of a short last block that hold nothing: zeros, so that
         * their lanes compute on defined values */
        for (int i = n; i < (n + 7) / 8 * 8; i++)
            memset(t + i * tw, 0, (size_t)(w + 2 * r + 32) * sizeof(float));
        float *T = ctx->slots[slot].gtr;                               /* 8 (w + 2r + 40) */
        float *G = T + 8 * (size_t)gauss_float_stride(w + 2 * r + 40); /* 8 (w + 8) */
        for (int i0 = 0; i0 < n; i0 += 8) {
            float *t8 = t + i0 * tw;
            /* T[j] for j < w + 2r + 8 (the horizontal pass reads that far) */
            for (int j = 0; j < w + 2 * r + 8; j += 8)
                transpose8(t8 + j, tw, T + 8 * (size_t)j, 8);
            horizontal_t(G, T, r, w, ctx->gw, wide);
            /* the means back into the rows (t + r on: the vertical values
             * are no longer needed) */
            for (int x = 0; x < w; x += 8)
                transpose8(G + 8 * (size_t)x, 8, t8 + r + x, tw);
        }
        for (int i = 0; i < n; i++)
            decide_row(job, t + i * tw + r, yb + i, w, cut, inv);
#else
        float *g = ctx->slots[slot].gtr; /* w */
        for (int i = 0; i < n; i++) {
            horizontal(g, t + i * tw, r, w, ctx->gw);
            decide_row(job, g, yb + i, w, cut, inv);
        }
#endif
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
    gauss_rows(arg, begin, end, slot, 0);
}

#if ISEG_HAVE_AVX2
static ISEG_TARGET_AVX2_FMA void gauss_job_avx2(void *arg, int begin, int end, unsigned slot)
{
    gauss_rows(arg, begin, end, slot, 0);
}

/* The AVX2 code with AVX-512VL's 32 vector registers: wide enough steps to
 * keep both multiply-add units busy (the same sums in the same order, so the
 * same results as the AVX2 copy). */
static ISEG_TARGET_AVX512VL_FMA void gauss_job_avx512(void *arg, int begin, int end, unsigned slot)
{
    gauss_rows(arg, begin, end, slot, 1);
}
#endif

typedef struct ConvertJob {
    const IsegImage *src;
    float *dst;
} ConvertJob;

/* The float copy of the source in strips of GAUSS_STRIP columns, each strip
 * its h rows one after the other (row y of strip s at dst + (s h + y) *
 * GAUSS_STRIP): the 2r + GAUSS_BLOCK rows the vertical pass reads in a
 * strip are one contiguous piece of memory, a few pages, instead of 2r + 8
 * rows a whole frame row apart (as many pages: at block 101 more than the
 * first-level TLB holds, and rows 8 apart sharing a cache set at 1920
 * floats a row). */
static void convert_job(void *arg, int begin, int end, unsigned slot)
{
    (void)slot;
    ConvertJob *job = arg;
    const int w = job->src->width, h = job->src->height;
    for (int y = begin; y < end; y++) {
        const uint8_t *restrict s = job->src->data + (ptrdiff_t)y * job->src->stride;
        for (int x0 = 0; x0 < w; x0 += GAUSS_STRIP) {
            float *restrict d = job->dst + ((size_t)(x0 / GAUSS_STRIP) * h + y) * GAUSS_STRIP;
            const int n = ISEG_MIN(GAUSS_STRIP, w - x0);
            for (int x = 0; x < n; x++)
                d[x] = (float)s[x0 + x];
        }
    }
}

int iseg_adaptive_gauss_run(IsegAdaptive *ctx, const IsegImage *src, IsegImage *dst, IsegPool *pool)
{
    const int r = ctx->s.block_size / 2, h = src->height;
    /* strips of whole cache lines: the vertical pass's loads never split */
    if (!ctx->fsrc) {
        const size_t strips = ((size_t)ctx->max_w + GAUSS_STRIP - 1) / GAUSS_STRIP;
        ctx->fsrc = aligned_alloc(64, strips * ctx->max_h * GAUSS_STRIP * sizeof(float));
        if (!ctx->fsrc)
            return -ENOMEM;
    }
    ConvertJob cj = { src, ctx->fsrc };
    int ret = iseg_pool_run(pool, h, 32, convert_job, &cj);
    if (ret < 0)
        return ret;
    for (int i = 0; i < h + 2 * r; i++)
        ctx->frows[i] = ctx->fsrc + (size_t)ISEG_CLAMP(i - r, 0, h - 1) * GAUSS_STRIP; /* strip 0 */
    GaussJob job = { ctx, src, dst, ctx->frows };
    IsegRangeFunc fn = gauss_job_c;
#if ISEG_HAVE_AVX2
    if (iseg_use_avx512())
        fn = gauss_job_avx512;
    else if (iseg_use_avx2())
        fn = gauss_job_avx2;
#endif
    return iseg_pool_run(pool, h, 16, fn, &job);
}
