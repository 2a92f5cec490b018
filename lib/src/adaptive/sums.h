/* Exact window sums with edge replication, O(1) per pixel whatever the
 * window: the core of mean, Sauvola, Niblack and local-otsu.
 *
 * For each row, vertical sums of the 2r+1 window rows are kept per column and
 * updated by adding the row that enters and subtracting the one that leaves
 * (edge rows repeated); the horizontal window sums then come from a prefix
 * sum over those column sums, the edge columns being added with their
 * multiplicity. Everything is integer, so the sums are exact and do not
 * depend on how rows are split between threads: each thread starts its rows
 * by summing the window of its first row from scratch.
 *
 * Ranges (block <= 1023, n = block^2 <= 1046529): a column sum is at most
 * 1023 * 255, a window sum S at most 2.7e8 (uint32); a column sum of squares
 * at most 6.7e7, a window sum of squares S2 at most 6.9e10. For block <= 257
 * (SUMS_PACKED_MAX_BLOCK) S2 < 2^32 too and everything is uint32. Prefix
 * sums may wrap around 2^32; their differences are exact because every
 * window's true sums fit. Wider windows keep S2 in uint64.
 *
 * The functions are ISEG_ALWAYS_INLINE so that each instruction-set copy of
 * a kernel gets its own vectorised copy of the sums.
 */
#ifndef IMAGESEG_ADAPTIVE_SUMS_H
#define IMAGESEG_ADAPTIVE_SUMS_H

#include "decide.h"

#include <string.h>

/* Interior and border split of a row: interior pixels [*ia, *ib) have their
 * whole window inside the row. */
static ISEG_ALWAYS_INLINE void sums_interior(int w, int r, int *ia, int *ib)
{
    *ia = ISEG_MIN(r, w);
    *ib = ISEG_MAX(*ia, w - r);
}

/* ---------------------------------------------------------- small windows */

#if defined(__GNUC__) || defined(__clang__)
#define SUMS_VECTOR_SCAN 1
typedef uint32_t sums_v4u __attribute__((vector_size(16)));
#ifdef __clang__
#define SUMS_SHUFFLE(v, a, b, c, d) __builtin_shufflevector(v, (sums_v4u){ 0 }, a, b, c, d)
#else
#define SUMS_SHUFFLE(v, a, b, c, d) __builtin_shuffle(v, (sums_v4u){ 0 }, (sums_v4u){ a, b, c, d })
#endif
#else
#define SUMS_VECTOR_SCAN 0
#endif

/* out[i] = start + in[0] + ... + in[i] (mod 2^32). Four lanes at a time: an
 * in-register scan by two byte shifts, plus the carry of the previous four,
 * which breaks the one-add-per-element dependency chain of the plain loop. */
static ISEG_ALWAYS_INLINE void sums_scan(uint32_t *restrict out, const uint32_t *restrict in, int n,
                                         uint32_t start)
{
    int x = 0;
#if SUMS_VECTOR_SCAN
    sums_v4u carry = { start, start, start, start };
    for (; x + 4 <= n; x += 4) {
        sums_v4u v;
        memcpy(&v, in + x, sizeof(v));
        v += SUMS_SHUFFLE(v, 4, 0, 1, 2);
        v += SUMS_SHUFFLE(v, 4, 4, 0, 1);
        v += carry;
        memcpy(out + x, &v, sizeof(v));
        carry = SUMS_SHUFFLE(v, 3, 3, 3, 3);
    }
    start = carry[0];
#endif
    for (; x < n; x++)
        out[x] = start += in[x];
}

/* Prefix sums of the edge-padded column sums:
 *   P[i] = sum of col[clamp(j - r, 0, w - 1)] for j < i,  i = 0 .. w + 2r,
 * so that pixel x's window sum is P[x + 2r + 1] - P[x], border or not. */
static ISEG_ALWAYS_INLINE void sums_prefix_padded(uint32_t *restrict P,
                                                  const uint32_t *restrict col, int w, int r)
{
    const uint32_t c0 = col[0], c1 = col[w - 1];
    for (int i = 0; i <= r; i++)
        P[i] = (uint32_t)i * c0;
    sums_scan(P + r + 1, col, w, P[r]);
    const uint32_t base = P[r + w];
    for (int j = 1; j <= r; j++)
        P[r + w + j] = base + (uint32_t)j * c1;
}

#if SUMS_VECTOR_SCAN
/* The parts of a slide-and-scan row (below) around its vector loop: the
 * left edge, P[0 .. r] (and P2) as multiples of the first column sum after
 * the slide, whose last values are the scan's start (*acc, *acc2) ... */
static ISEG_ALWAYS_INLINE void sums_slide_left(AdaptiveSlot *sl, const uint8_t *pi,
                                               const uint8_t *po, int r, int sq, uint32_t *acc,
                                               uint32_t *acc2)
{
    const uint32_t c0 = sl->col[0] + pi[0] - po[0];
    const uint32_t q0 = sq ? sl->col2[0] + (uint32_t)pi[0] * pi[0] - (uint32_t)po[0] * po[0] : 0;
    for (int i = 0; i <= r; i++) {
        sl->P[i] = (uint32_t)i * c0;
        if (sq)
            sl->P2[i] = (uint32_t)i * q0;
    }
    *acc = sl->P[r];
    *acc2 = sq ? sl->P2[r] : 0;
}

/* ... and the columns from x on one at a time, then the right edge. */
static ISEG_ALWAYS_INLINE void sums_slide_rest(AdaptiveSlot *sl, const uint8_t *restrict pi,
                                               const uint8_t *restrict po, int x, int w, int r,
                                               int sq, uint32_t acc, uint32_t acc2)
{
    uint32_t *restrict col = sl->col, *restrict col2 = sl->col2;
    uint32_t *restrict P = sl->P + r + 1, *restrict P2 = sl->P2 + r + 1;
    for (; x < w; x++) {
        col[x] += (uint32_t)pi[x] - (uint32_t)po[x];
        P[x] = acc += col[x];
        if (sq) {
            col2[x] += (uint32_t)pi[x] * pi[x] - (uint32_t)po[x] * po[x];
            P2[x] = acc2 += col2[x];
        }
    }
    const uint32_t c1 = col[w - 1], q1 = sq ? col2[w - 1] : 0;
    for (int j = 1; j <= r; j++) {
        sl->P[r + w + j] = acc + (uint32_t)j * c1;
        if (sq)
            sl->P2[r + w + j] = acc2 + (uint32_t)j * q1;
    }
}
#endif

#if SUMS_VECTOR_SCAN
/* One pass instead of three: the column sums of v and v^2 move down one row
 * (in - out) and both padded prefix sums are scanned, four columns at a
 * time. Worth it where 32-bit lane multiplies are cheap (the AVX2 copy);
 * the integer results are the same as the separate loops'. */
static ISEG_ALWAYS_INLINE void sums_slide_and_scan(AdaptiveSlot *sl, const uint8_t *restrict pi,
                                                   const uint8_t *restrict po, int w, int r)
{
    uint32_t *restrict col = sl->col, *restrict col2 = sl->col2;
    uint32_t *restrict P = sl->P + r + 1, *restrict P2 = sl->P2 + r + 1;
    uint32_t acc, acc2;
    sums_slide_left(sl, pi, po, r, 1, &acc, &acc2);
    sums_v4u carry = { acc, acc, acc, acc };
    sums_v4u carry2 = { acc2, acc2, acc2, acc2 };
    int x = 0;
    for (; x + 4 <= w; x += 4) {
        const sums_v4u a = { pi[x], pi[x + 1], pi[x + 2], pi[x + 3] };
        const sums_v4u b = { po[x], po[x + 1], po[x + 2], po[x + 3] };
        sums_v4u c, q;
        memcpy(&c, col + x, sizeof(c));
        memcpy(&q, col2 + x, sizeof(q));
        c += a - b;
        q += a * a - b * b;
        memcpy(col + x, &c, sizeof(c));
        memcpy(col2 + x, &q, sizeof(q));
        c += SUMS_SHUFFLE(c, 4, 0, 1, 2);
        q += SUMS_SHUFFLE(q, 4, 0, 1, 2);
        c += SUMS_SHUFFLE(c, 4, 4, 0, 1);
        q += SUMS_SHUFFLE(q, 4, 4, 0, 1);
        c += carry;
        q += carry2;
        memcpy(P + x, &c, sizeof(c));
        memcpy(P2 + x, &q, sizeof(q));
        carry = SUMS_SHUFFLE(c, 3, 3, 3, 3);
        carry2 = SUMS_SHUFFLE(q, 3, 3, 3, 3);
    }
    sums_slide_rest(sl, pi, po, x, w, r, 1, carry[0], carry2[0]);
}
#endif

#if SUMS_VECTOR_SCAN && ISEG_HAVE_AVX2
#define SUMS_SCAN16 1
typedef uint32_t sums_v16u __attribute__((vector_size(64)));
typedef uint32_t sums_v8u __attribute__((vector_size(32)));
#define SUMS_UP8(v, k)                                                                             \
    __builtin_shufflevector((sums_v8u){ 0 }, v, 8 - k, 9 - k, 10 - k, 11 - k, 12 - k, 13 - k,      \
                            14 - k, 15 - k)
/* v shifted up by k lanes (k = 1, 2, 4, 8), zeros shifted in */
#define SUMS_UP16(v, k)                                                                            \
    __builtin_shufflevector((sums_v16u){ 0 }, v, 16 - k, 17 - k, 18 - k, 19 - k, 20 - k, 21 - k,   \
                            22 - k, 23 - k, 24 - k, 25 - k, 26 - k, 27 - k, 28 - k, 29 - k,        \
                            30 - k, 31 - k)

/* sums_slide_and_scan() sixteen columns at a time, for the AVX-512 copy
 * (one 512-bit register a vector): the in-register scan takes four shifted
 * adds, so a column costs a quarter of the four-lane loop's instructions.
 * sq = 0: the column sums and P only (mean). Integers: the results are
 * those of the separate loops. */
static ISEG_ALWAYS_INLINE void sums_slide_and_scan16(AdaptiveSlot *sl, const uint8_t *restrict pi,
                                                     const uint8_t *restrict po, int w, int r,
                                                     int sq)
{
    uint32_t *restrict col = sl->col, *restrict col2 = sl->col2;
    uint32_t *restrict P = sl->P + r + 1, *restrict P2 = sl->P2 + r + 1;
    uint32_t acc, acc2;
    sums_slide_left(sl, pi, po, r, sq, &acc, &acc2);
    sums_v16u carry = (sums_v16u){ 0 } + acc, carry2 = (sums_v16u){ 0 } + acc2;
    int x = 0;
    for (; x + 16 <= w; x += 16) {
        const uint8_t *i8 = pi + x, *o8 = po + x;
        const sums_v16u a = { i8[0], i8[1], i8[2],  i8[3],  i8[4],  i8[5],  i8[6],  i8[7],
                              i8[8], i8[9], i8[10], i8[11], i8[12], i8[13], i8[14], i8[15] };
        const sums_v16u b = { o8[0], o8[1], o8[2],  o8[3],  o8[4],  o8[5],  o8[6],  o8[7],
                              o8[8], o8[9], o8[10], o8[11], o8[12], o8[13], o8[14], o8[15] };
        sums_v16u c;
        memcpy(&c, col + x, sizeof(c));
        c += a - b;
        memcpy(col + x, &c, sizeof(c));
        c += SUMS_UP16(c, 1);
        c += SUMS_UP16(c, 2);
        c += SUMS_UP16(c, 4);
        c += SUMS_UP16(c, 8);
        c += carry;
        memcpy(P + x, &c, sizeof(c));
        carry = (sums_v16u){ 0 } + c[15];
        if (sq) {
            sums_v16u q;
            memcpy(&q, col2 + x, sizeof(q));
            q += a * a - b * b;
            memcpy(col2 + x, &q, sizeof(q));
            q += SUMS_UP16(q, 1);
            q += SUMS_UP16(q, 2);
            q += SUMS_UP16(q, 4);
            q += SUMS_UP16(q, 8);
            q += carry2;
            memcpy(P2 + x, &q, sizeof(q));
            carry2 = (sums_v16u){ 0 } + q[15];
        }
    }
    sums_slide_rest(sl, pi, po, x, w, r, sq, carry[0], carry2[0]);
}
/* With squares, the AVX-512 copy takes eight columns a step: two scans a
 * column, and three 256-bit shifts a scan cost less there than four 512-bit
 * ones on cores that split 512-bit operations in two (measured on Zen 4:
 * Sauvola 2% faster than sixteen a step, the mean 5% slower, so the mean
 * keeps sums_slide_and_scan16()). The same integers as the other loops. */
static ISEG_ALWAYS_INLINE void sums_slide_and_scan8sq(AdaptiveSlot *sl, const uint8_t *restrict pi,
                                                      const uint8_t *restrict po, int w, int r)
{
    uint32_t *restrict col = sl->col, *restrict col2 = sl->col2;
    uint32_t *restrict P = sl->P + r + 1, *restrict P2 = sl->P2 + r + 1;
    uint32_t acc, acc2;
    sums_slide_left(sl, pi, po, r, 1, &acc, &acc2);
    sums_v8u carry = (sums_v8u){ 0 } + acc, carry2 = (sums_v8u){ 0 } + acc2;
    int x = 0;
    for (; x + 8 <= w; x += 8) {
        const uint8_t *i8 = pi + x, *o8 = po + x;
        const sums_v8u a = { i8[0], i8[1], i8[2], i8[3], i8[4], i8[5], i8[6], i8[7] };
        const sums_v8u b = { o8[0], o8[1], o8[2], o8[3], o8[4], o8[5], o8[6], o8[7] };
        sums_v8u c, q;
        memcpy(&c, col + x, sizeof(c));
        memcpy(&q, col2 + x, sizeof(q));
        c += a - b;
        q += a * a - b * b;
        memcpy(col + x, &c, sizeof(c));
        memcpy(col2 + x, &q, sizeof(q));
        c += SUMS_UP8(c, 1);
        q += SUMS_UP8(q, 1);
        c += SUMS_UP8(c, 2);
        q += SUMS_UP8(q, 2);
        c += SUMS_UP8(c, 4);
        q += SUMS_UP8(q, 4);
        c += carry;
        q += carry2;
        memcpy(P + x, &c, sizeof(c));
        memcpy(P2 + x, &q, sizeof(q));
        carry = (sums_v8u){ 0 } + c[7];
        carry2 = (sums_v8u){ 0 } + q[7];
    }
    sums_slide_rest(sl, pi, po, x, w, r, 1, carry[0], carry2[0]);
}
#endif

/* Window sums of row y for block <= SUMS_PACKED_MAX_BLOCK: afterwards the
 * window sum of pixel x is sl->P[x + 2r + 1] - sl->P[x] and, if want_sq, its
 * sum of squares sl->P2[x + 2r + 1] - sl->P2[x] (both mod 2^32, exact).
 * Rows are visited in increasing order from y0, where the column sums are
 * initialised. fused: take sums_slide_and_scan() for the rows after y0. */
static ISEG_ALWAYS_INLINE void sums_row_small(AdaptiveSlot *sl, const IsegImage *src, int r, int y,
                                              int y0, int want_sq, int fused)
{
    const int w = src->width, h = src->height;
    const ptrdiff_t st = src->stride;
    uint32_t *restrict col = sl->col, *restrict col2 = sl->col2;
    if (y == y0) {
        const int a = ISEG_MAX(0, y - r), b = ISEG_MIN(h - 1, y + r);
        const uint32_t ex_top = (uint32_t)ISEG_MAX(0, r - y),
                       ex_bot = (uint32_t)ISEG_MAX(0, y + r - (h - 1));
        memset(col, 0, (size_t)w * sizeof(*col));
        if (want_sq)
            memset(col2, 0, (size_t)w * sizeof(*col2));
        for (int yy = a; yy <= b; yy++) {
            const uint8_t *p = src->data + yy * st;
            const uint32_t wt = 1 + (yy == 0 ? ex_top : 0) + (yy == h - 1 ? ex_bot : 0);
            for (int x = 0; x < w; x++)
                col[x] += wt * p[x];
            if (want_sq)
                for (int x = 0; x < w; x++)
                    col2[x] += wt * (uint16_t)(p[x] * p[x]);
        }
    } else {
        const int in = ISEG_MIN(h - 1, y + r), out = ISEG_MAX(0, y - r - 1);
#if SUMS_VECTOR_SCAN
#if SUMS_SCAN16
        if (fused == 2) {
            if (want_sq)
                sums_slide_and_scan8sq(sl, src->data + in * st, src->data + out * st, w, r);
            else
                sums_slide_and_scan16(sl, src->data + in * st, src->data + out * st, w, r, 0);
            return;
        }
#endif
        if (fused && want_sq) {
            sums_slide_and_scan(sl, src->data + in * st, src->data + out * st, w, r);
            return;
        }
#else
        (void)fused;
#endif
        if (in != out) {
            const uint8_t *restrict pi = src->data + in * st, *restrict po = src->data + out * st;
            /* squares fit 16 bits: the hint lets SSE2 use 16-bit multiplies */
            if (want_sq)
                for (int x = 0; x < w; x++) {
                    col[x] += (uint32_t)pi[x] - (uint32_t)po[x];
                    col2[x] +=
                        (uint32_t)(uint16_t)(pi[x] * pi[x]) - (uint32_t)(uint16_t)(po[x] * po[x]);
                }
            else
                for (int x = 0; x < w; x++)
                    col[x] += (uint32_t)pi[x] - (uint32_t)po[x];
        }
    }
    sums_prefix_padded(sl->P, col, w, r);
    if (want_sq)
        sums_prefix_padded(sl->P2, col2, w, r);
}

/* ---------------------------------------------------------- wide windows */

/* block > SUMS_PACKED_MAX_BLOCK: S (uint32) and S2w (uint64), separate
 * columns sl->col / sl->col2. Not performance critical. */
static inline void sums_row_wide(AdaptiveSlot *sl, const IsegImage *src, int r, int y, int y0)
{
    const int w = src->width, h = src->height;
    const ptrdiff_t st = src->stride;
    uint32_t *restrict col = sl->col, *restrict col2 = sl->col2;
    if (y == y0) {
        const int a = ISEG_MAX(0, y - r), b = ISEG_MIN(h - 1, y + r);
        const uint32_t ex_top = (uint32_t)ISEG_MAX(0, r - y),
                       ex_bot = (uint32_t)ISEG_MAX(0, y + r - (h - 1));
        memset(col, 0, (size_t)w * sizeof(*col));
        memset(col2, 0, (size_t)w * sizeof(*col2));
        for (int yy = a; yy <= b; yy++) {
            const uint8_t *p = src->data + yy * st;
            const uint32_t wt = 1 + (yy == 0 ? ex_top : 0) + (yy == h - 1 ? ex_bot : 0);
            for (int x = 0; x < w; x++) {
                col[x] += wt * p[x];
                col2[x] += wt * ((uint32_t)p[x] * p[x]);
            }
        }
    } else {
        const int in = ISEG_MIN(h - 1, y + r), out = ISEG_MAX(0, y - r - 1);
        if (in != out) {
            const uint8_t *restrict pi = src->data + in * st, *restrict po = src->data + out * st;
            for (int x = 0; x < w; x++) {
                col[x] += (uint32_t)pi[x] - (uint32_t)po[x];
                col2[x] += (uint32_t)pi[x] * pi[x] - (uint32_t)po[x] * po[x];
            }
        }
    }
    uint32_t *restrict pre = sl->pre, *restrict S = sl->S;
    uint64_t *restrict pre2 = sl->pre2, *restrict S2 = sl->S2w;
    pre[0] = 0;
    pre2[0] = 0;
    for (int x = 0; x < w; x++) {
        pre[x + 1] = pre[x] + col[x];
        pre2[x + 1] = pre2[x] + col2[x];
    }
    for (int x = 0; x < w; x++) {
        const int lo = x - r, hi = x + r, a = ISEG_MAX(lo, 0), b = ISEG_MIN(hi, w - 1);
        S[x] = pre[b + 1] - pre[a] + (uint32_t)(a - lo) * col[0] + (uint32_t)(hi - b) * col[w - 1];
        S2[x] =
            pre2[b + 1] - pre2[a] + (uint64_t)(a - lo) * col2[0] + (uint64_t)(hi - b) * col2[w - 1];
    }
}

#endif
