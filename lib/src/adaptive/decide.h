/* The per-pixel decisions of mean, Sauvola, Niblack and local-otsu, shared
 * by the fast kernels (box.c, lotsu.c) and the reference
 * (adaptive_ref.c), so that both take every decision with the same
 * arithmetic, bit for bit: the reference sums each window pixel by pixel,
 * the kernels keep running sums, and the sums are exact integers either way;
 * from the sums on, both call the functions below.
 *
 * What each decision computes, exactly (n = block^2 samples, window sum S,
 * sum of squares S2, pixel v; all integers):
 *
 *   MEAN        v > S/n - offset  <=>  n*v - S > -offset*n, with offset*n the
 *               double product (rounded once): an integer compared with
 *               floor(-offset*n). Exact for every offset whose product with
 *               n is a double exactly (integers, halves, ... and, when the
 *               rounding lands on it, decimals such as 0.2 * 25 = 5).
 *   NIBLACK     v > m - k*s   <=>  a > -k*sqrt(D),  a = n*v - S
 *   SAUVOLA     v > m*(1 + k*(s/R - 1))  <=>  a > c*sqrt(D),
 *               a = n*v - (1 - k)*S,  c = k*S/(R*n)
 *               with D = n*S2 - S^2 = n^2 * variance (exact integer), and
 *               a > c*sqrt(D)  <=>  a > 0 && a^2 > c^2 D   (c >= 0)
 *                              <=>  a > 0 || a^2 < c^2 D   (c <  0):
 *               no square root, no division per pixel. For windows up to
 *               SUMS_PACKED_MAX_BLOCK the rest after D is single precision
 *               (8 lanes with AVX2), wider windows use double. The rounding
 *               can move a decision only for pixels close to T; the bound is
 *               derived in docs/adaptivethreshold.md ("Accuracy") and
 *               iseg_adaptive_box_bound() returns it.
 *   LOCAL_OTSU  T(x, y) = val / (2 step^2), val = the bilinear
 *               interpolation of the four nodes' t2 with integer weights
 *               (adaptive_priv.h): every comparison is on integers, exact.
 */
#ifndef IMAGESEG_ADAPTIVE_DECIDE_H
#define IMAGESEG_ADAPTIVE_DECIDE_H

#include "adaptive_priv.h"

#include <math.h>

/* Every decision is the same float arithmetic in every copy of a kernel:
 * no fused multiply-adds where the target has them (GCC does not contract
 * in ISO C mode; Clang would, within an expression). */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

/* Windows up to this side keep every sum in 32 bits (sums.h) and
 * decide Sauvola and Niblack in single precision. */
#define SUMS_PACKED_MAX_BLOCK 257

/* ------------------------------------------------------------ D */

/* n * S2 - S^2 = n^2 * variance, exactly, as a double, for block <= 257:
 * n <= 66049, S < 2^24 and S2 < 2^32, so both products are integers below
 * 2^49, exact in double. (S2 goes through int32 so that the conversion
 * vectorises.) */
static ISEG_ALWAYS_INLINE double sums_var_n2(double n, uint32_t S, uint32_t S2)
{
    const double s = (double)(int32_t)S;
    const double s2 = (double)(int32_t)(S2 ^ 0x80000000u) + 2147483648.0;
    return n * s2 - s * s;
}

/* The same for wide windows, from int64 (exact integer, rounded once). */
static inline double sums_var_n2_wide(int64_t n, uint32_t S, uint64_t S2)
{
    return (double)(n * (int64_t)S2 - (int64_t)S * S);
}

/* ------------------------------------------------------------ MEAN */

/* floor(-offset * n) (the product rounded once), saturated at +-1e9: the
 * integer n*v - S lies within +-2.7e8, so "n*v - S > cut" is the exact
 * "n*v - S > -offset*n" for that product. */
static inline int32_t iseg_adaptive_mean_cut(double offset, int64_t n)
{
    const double t = floor(-offset * (double)n);
    if (t > 1e9)
        return 1000000000;
    if (t < -1e9)
        return -1000000000;
    return (int32_t)t;
}

/* ------------------------------------------------------------ Sauvola, Niblack */

/* The constants of the decisions, computed once per run from the settings
 * (by the kernels and by the reference alike). */
typedef struct IsegBoxCoef {
    /* windows up to SUMS_PACKED_MAX_BLOCK, single precision */
    float k2f;    /* NIBLACK: k^2 */
    float one_kf; /* SAUVOLA: 1 - k */
    float qf;     /* SAUVOLA: k / (R n) */
    float nf;     /* n */
    /* wider windows, double */
    double k2, one_k, q;
    int c_neg; /* the sign of c: NIBLACK k > 0, SAUVOLA k < 0 */
} IsegBoxCoef;

static inline IsegBoxCoef iseg_box_coef(const IsegAdaptiveSettings *s)
{
    const int64_t n = (int64_t)s->block_size * s->block_size;
    IsegBoxCoef c;
    c.k2 = s->k * s->k;
    c.one_k = 1 - s->k;
    c.q = s->k / (s->dynamic_range * (double)n);
    c.k2f = (float)c.k2;
    c.one_kf = (float)c.one_k;
    c.qf = (float)c.q;
    c.nf = (float)n;
    c.c_neg = s->method == ISEG_ADAPTIVE_NIBLACK ? s->k > 0 : s->k < 0;
    return c;
}

/* Decision "a > c sqrt(D)" from a, c^2 D and the sign of c. */
static ISEG_ALWAYS_INLINE int iseg_above_f(float a, float c2D, int c_negative)
{
    return c_negative ? (a > 0) | (a * a < c2D) : (a > 0) & (a * a > c2D);
}

static ISEG_ALWAYS_INLINE int iseg_above_d(double a, double c2D, int c_negative)
{
    return c_negative ? (a > 0) | (a * a < c2D) : (a > 0) & (a * a > c2D);
}

/* block <= SUMS_PACKED_MAX_BLOCK: |n v - S| < 2^24, exact in float. */
static ISEG_ALWAYS_INLINE int iseg_niblack_fg(uint32_t n, uint32_t S, uint32_t S2, unsigned v,
                                              float k2f, int c_neg)
{
    const float D = (float)sums_var_n2((double)n, S, S2);
    const float a = (float)(int32_t)(n * v - S);
    return iseg_above_f(a, k2f * D, c_neg);
}

static ISEG_ALWAYS_INLINE int iseg_sauvola_fg(uint32_t n, uint32_t S, uint32_t S2, unsigned v,
                                              float nf, float one_kf, float qf, int c_neg)
{
    const float s = (float)(int32_t)S;
    const float D = (float)sums_var_n2((double)n, S, S2);
    const float a = nf * (float)(int32_t)v - one_kf * s; /* (signed: vectorises) */
    const float c = qf * s, cc = c * c;
    /* c^2 capped at 1e36 (far above any a^2 of the element's ranges, where
     * c^2 <= (100 * 255 / 1e-6)^2 < 7e20): a flat window (D = 0) then gets c^2 D = 0, not inf * 0.
     * (A select between computed values: the loop stays vectorised.) */
    const float c2D = (cc < 1e36f ? cc : 1e36f) * D;
    return iseg_above_f(a, c2D, c_neg);
}

/* The rounding bound of the Sauvola and Niblack decisions: the decision
 * differs from the real-number one ("v > T" with T from the exact m, s) only
 * for pixels with |v - T| <= this (gray levels). Derived in
 * docs/adaptivethreshold.md, "Accuracy": 255 * 2^-24 * 32 * (1 + |k|)
 * (4.9e-4 (1 + |k|)); the single-precision path's worst case is
 * 255 * 2^-24 * (26 + 14 |k|), the double path's ~2^29 times less. */
static inline double iseg_adaptive_box_bound(double k)
{
    return 255.0 / 16777216.0 * 32.0 * (1.0 + fabs(k));
}

/* Wider windows: the same decisions in double from the int64 D. */
static inline int iseg_box_fg_wide(const IsegBoxCoef *cf, int sauvola, int64_t n, uint32_t S,
                                   uint64_t S2, unsigned v)
{
    const double D = sums_var_n2_wide(n, S, S2);
    const double nd = (double)n, sd = (double)S;
    if (!sauvola)
        return iseg_above_d(nd * v - sd, cf->k2 * D, cf->c_neg);
    const double c = cf->q * sd;
    return iseg_above_d(nd * v - cf->one_k * sd, D > 0 ? c * c * D : 0.0, cf->c_neg);
}

/* ------------------------------------------------------------ local-otsu */

/* 2 step^2 T(x, y) for a pixel dx, dy (0..step) right of and below node t00
 * of the cell t00 t01 / t10 t11 (t01: right, t10: below): the bilinear
 * interpolation with the integer weights (step - d, d). |t2| <= 511 and
 * step <= 1023: below 2^31, exact. */
static inline int64_t iseg_lo_interp(int step, int dx, int dy, int32_t t00, int32_t t01,
                                     int32_t t10, int32_t t11)
{
    const int64_t top = (int64_t)(step - dx) * t00 + (int64_t)dx * t01;
    const int64_t bot = (int64_t)(step - dx) * t10 + (int64_t)dx * t11;
    return (step - dy) * top + dy * bot;
}

/* The decision of one pixel: non-uniform window: v > T, i.e.
 * 2 step^2 v > val; uniform: its mean S/n > T (local rule), i.e.
 * 2 step^2 S > n val, or S/n >= T_global (global rule). Integers below
 * 2^60. */
static inline int iseg_lo_fg(int uniform, int local, int64_t two_step2, int64_t n, unsigned v,
                             int64_t S, int64_t val, unsigned T_global)
{
    if (!uniform)
        return two_step2 * v > val;
    return local ? two_step2 * S > n * val : S >= (int64_t)T_global * n;
}

#endif
