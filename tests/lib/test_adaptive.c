/* Adaptive thresholds: hand-worked examples, OpenCV's Gaussian weights, every
 * method against the float64 reference (random and structured images, block
 * 3..51, offsets 0 and 5), local-otsu on a synthetic page under uneven light
 * (where global Otsu fails), windows larger than the frame, 1x1 / 1xN / Nx1,
 * bit-identical output for every pool size, guard bytes, frame composition. */
#include "adaptive/decide.h"
#include "testutil.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *method_name(IsegAdaptiveMethod m)
{
    static const char *names[] = { "local-otsu", "mean", "gaussian", "sauvola", "niblack" };
    return names[m];
}

static IsegAdaptiveSettings settings_for(IsegAdaptiveMethod m, int block)
{
    IsegAdaptiveSettings s;
    iseg_adaptive_default_settings(&s);
    s.method = m;
    s.block_size = block;
    return s;
}

/* Runs the fast path on a fresh context (pool may be NULL) into a padded image. */
static int run_fast(const IsegAdaptiveSettings *s, const IsegImage *src, TuImg *out, TuRng *r,
                    IsegPool *pool)
{
    IsegAdaptive *ctx = NULL;
    int ret = iseg_adaptive_create(&ctx, s, src->width, src->height);
    if (ret < 0)
        return ret;
    tu_img_alloc_random_pad(out, r, src->width, src->height);
    ret = iseg_adaptive_mask(ctx, src, &out->img, pool);
    iseg_adaptive_destroy(ctx);
    return ret;
}

/* ------------------------------------------------ hand-worked examples */

static void test_worked_examples(void)
{
    /* One row 0 0 90 90, block 3: the window repeats the row vertically, so
     * the window mean is the mean of three horizontal neighbours (edge
     * repeated): 0, 30, 60, 90. Foreground iff v > mean - offset. */
    uint8_t px[4] = { 0, 0, 90, 90 }, out[4];
    IsegImage src = { px, 4, 1, 4 }, dst = { out, 4, 1, 4 };
    IsegAdaptiveSettings s = settings_for(ISEG_ADAPTIVE_MEAN, 3);
    IsegAdaptive *ctx;
    CHECK_EQ_INT(iseg_adaptive_create(&ctx, &s, 4, 1), 0);
    CHECK_EQ_INT(iseg_adaptive_mask(ctx, &src, &dst, NULL), 0);
    const uint8_t want0[4] = { 0, 0, 255, 0 };
    CHECK(memcmp(out, want0, 4) == 0);
    s.offset = 5; /* T = -5, 25, 55, 85 */
    CHECK_EQ_INT(iseg_adaptive_set_settings(ctx, &s), 0);
    CHECK_EQ_INT(iseg_adaptive_mask(ctx, &src, &dst, NULL), 0);
    const uint8_t want5[4] = { 255, 0, 255, 255 };
    CHECK(memcmp(out, want5, 4) == 0);
    s.invert = 1; /* foreground iff v <= T */
    CHECK_EQ_INT(iseg_adaptive_set_settings(ctx, &s), 0);
    CHECK_EQ_INT(iseg_adaptive_mask(ctx, &src, &dst, NULL), 0);
    const uint8_t want5i[4] = { 0, 255, 0, 0 };
    CHECK(memcmp(out, want5i, 4) == 0);

    /* A constant frame c: s = 0, so Sauvola's T = c (1 - k) < c (all
     * foreground for k > 0) and Niblack's T = c (nothing foreground). */
    uint8_t flat[12];
    memset(flat, 100, sizeof(flat));
    IsegImage fsrc = { flat, 4, 3, 4 };
    uint8_t fout[12];
    IsegImage fdst = { fout, 4, 3, 4 };
    IsegAdaptive *c2;
    s = settings_for(ISEG_ADAPTIVE_SAUVOLA, 5);
    CHECK_EQ_INT(iseg_adaptive_create(&c2, &s, 4, 3), 0);
    CHECK_EQ_INT(iseg_adaptive_mask(c2, &fsrc, &fdst, NULL), 0);
    int all = 1;
    for (int i = 0; i < 12; i++)
        all &= fout[i] == 255;
    CHECK(all);
    s = settings_for(ISEG_ADAPTIVE_NIBLACK, 5);
    CHECK_EQ_INT(iseg_adaptive_set_settings(c2, &s), 0);
    CHECK_EQ_INT(iseg_adaptive_mask(c2, &fsrc, &fdst, NULL), 0);
    int none = 1;
    for (int i = 0; i < 12; i++)
        none &= fout[i] == 0;
    CHECK(none);
    /* local-otsu on a constant frame: every window is uniform, the global
     * Otsu threshold is 101 (nothing foreground), so is every node's */
    s = settings_for(ISEG_ADAPTIVE_LOCAL_OTSU, 3);
    for (int u = 0; u < 2; u++) {
        s.uniform = (IsegAdaptiveUniform)u;
        CHECK_EQ_INT(iseg_adaptive_set_settings(c2, &s), 0);
        memset(fout, 7, sizeof(fout));
        CHECK_EQ_INT(iseg_adaptive_mask(c2, &fsrc, &fdst, NULL), 0);
        none = 1;
        for (int i = 0; i < 12; i++)
            none &= fout[i] == 0;
        CHECK(none);
    }
    iseg_adaptive_destroy(c2);
    iseg_adaptive_destroy(ctx);
}

/* getGaussianKernel(k, 0, CV_64F) printed by OpenCV 4.6 */
static void test_gaussian_weights(void)
{
    double w[ISEG_ADAPTIVE_BLOCK_MAX];
    iseg_adaptive_gaussian_weights(3, w);
    CHECK(w[0] == 0.25 && w[1] == 0.5 && w[2] == 0.25);
    iseg_adaptive_gaussian_weights(9, w);
    CHECK(w[0] == 0.015625 && w[1] == 0.05078125 && w[2] == 0.1171875 && w[3] == 0.19921875 &&
          w[4] == 0.234375);
    iseg_adaptive_gaussian_weights(11, w);
    static const double k11[6] = { 0.008812229293, 0.027143577143, 0.065114056599,
                                   0.121649073014, 0.176998356831, 0.200565414239 };
    for (int i = 0; i < 6; i++)
        CHECK_NEAR(w[i], k11[i], 1e-12);
    iseg_adaptive_gaussian_weights(31, w);
    static const double k31[4] = { 0.0008880585, 0.0015861066, 0.0027217699, 0.0044874399 };
    for (int i = 0; i < 4; i++)
        CHECK_NEAR(w[i], k31[i], 1e-10);
    for (int b = 3; b <= ISEG_ADAPTIVE_BLOCK_MAX; b += 2) {
        iseg_adaptive_gaussian_weights(b, w);
        double sum = 0;
        int sym = 1;
        for (int i = 0; i < b; i++) {
            sum += w[i];
            sym &= w[i] == w[b - 1 - i];
        }
        CHECK_MSG(fabs(sum - 1) < 1e-12 && sym, "block %d", b);
    }
}

static void test_settings(void)
{
    IsegAdaptiveSettings s;
    iseg_adaptive_default_settings(&s);
    CHECK_EQ_INT(s.method, ISEG_ADAPTIVE_LOCAL_OTSU);
    CHECK_EQ_INT(s.block_size, 31);
    CHECK_EQ_INT(iseg_adaptive_settings_check(&s), 0);
    IsegAdaptiveSettings bad = s;
    bad.block_size = 30;
    CHECK_EQ_INT(iseg_adaptive_settings_check(&bad), -EINVAL);
    bad.block_size = 1;
    CHECK_EQ_INT(iseg_adaptive_settings_check(&bad), -EINVAL);
    bad.block_size = 1025;
    CHECK_EQ_INT(iseg_adaptive_settings_check(&bad), -EINVAL);
    bad = s;
    bad.dynamic_range = 0;
    CHECK_EQ_INT(iseg_adaptive_settings_check(&bad), -EINVAL);
    bad = s;
    bad.min_contrast = -1;
    CHECK_EQ_INT(iseg_adaptive_settings_check(&bad), -EINVAL);
    bad = s;
    bad.offset = NAN;
    CHECK_EQ_INT(iseg_adaptive_settings_check(&bad), -EINVAL);
    bad = s;
    bad.method = (IsegAdaptiveMethod)9;
    CHECK_EQ_INT(iseg_adaptive_settings_check(&bad), -EINVAL);

    IsegAdaptive *ctx = NULL;
    bad = s;
    bad.block_size = 4;
    CHECK_EQ_INT(iseg_adaptive_create(&ctx, &bad, 10, 10), -EINVAL);
    CHECK(ctx == NULL);
    CHECK_EQ_INT(iseg_adaptive_create(&ctx, &s, 0, 10), -EINVAL);
    CHECK_EQ_INT(iseg_adaptive_create(&ctx, &s, 10, 10), 0);
    /* a refused change keeps the old settings */
    CHECK_EQ_INT(iseg_adaptive_set_settings(ctx, &bad), -EINVAL);
    IsegAdaptiveSettings back;
    iseg_adaptive_get_settings(ctx, &back);
    CHECK_EQ_INT(back.block_size, 31);
    /* images beyond the prepared size, or of different sizes, are refused */
    uint8_t a[11 * 11], b[11 * 11];
    memset(a, 90, sizeof(a));
    IsegImage big = { a, 11, 10, 11 }, dbig = { b, 11, 10, 11 }, ok = { a, 10, 10, 11 };
    CHECK_EQ_INT(iseg_adaptive_mask(ctx, &big, &dbig, NULL), -EINVAL);
    CHECK_EQ_INT(iseg_adaptive_mask(ctx, &ok, &dbig, NULL), -EINVAL);
    CHECK_EQ_INT(iseg_adaptive_mask(NULL, &ok, &ok, NULL), -EINVAL);
    /* src and dst may not overlap, not even partly */
    IsegImage d10 = { b, 10, 10, 11 };
    CHECK_EQ_INT(iseg_adaptive_mask(ctx, &ok, &ok, NULL), -EINVAL);
    IsegImage shifted = ok;
    shifted.data += 3;
    shifted.width = 7;
    IsegImage ok7 = ok;
    ok7.width = 7;
    CHECK_EQ_INT(iseg_adaptive_mask(ctx, &ok7, &shifted, NULL), -EINVAL);
    CHECK_EQ_INT(iseg_adaptive_mask(ctx, &ok, &d10, NULL), 0);
    iseg_adaptive_destroy(ctx);
    iseg_adaptive_destroy(NULL);
}

/* ------------------------------------------------ against the reference */

/* |value - T| within which a decision may differ from the real-number
 * definition: rounding only. GAUSSIAN: the fast float path against the
 * float64 reference (lib/src/adaptive/gauss.c); the others: the shared decision of
 * lib/src/adaptive/decide.h (which fast path and reference both take) against T from
 * the textbook formula. MEAN: offset * n rounded once (2^-53 |offset|, plus
 * the rounding of the margin itself); LOCAL_OTSU: none. */
static double tolerance(const IsegAdaptiveSettings *s)
{
    switch (s->method) {
    case ISEG_ADAPTIVE_GAUSSIAN:
        return 2 * iseg_adaptive_gauss_eps(s->block_size / 2) + fabs(s->offset) / 8388608.0;
    case ISEG_ADAPTIVE_SAUVOLA:
    case ISEG_ADAPTIVE_NIBLACK: return iseg_adaptive_box_bound(s->k);
    default: return 1e-9;
    }
}

typedef struct Agreement {
    long pixels, differ, beyond, off_def;
    double worst_def; /* largest |v - T| of a pixel decided against the textbook T */
} Agreement;

/* Compares the fast path with the reference on src; returns 0 on a hard
 * failure: any differing pixel for the exact methods (all but Gaussian), a
 * Gaussian difference beyond rounding, a reference decision that contradicts
 * the textbook T by more than the method's rounding bound, a guard byte, an
 * error code. */
static int compare_case(const IsegAdaptiveSettings *s, const IsegImage *src, TuRng *r,
                        IsegPool *pool, Agreement *ag)
{
    const int w = src->width, h = src->height;
    TuImg ref, fast;
    tu_img_alloc_random_pad(&ref, r, w, h);
    double *margin = malloc((size_t)w * h * sizeof(double));
    int ok = margin != NULL;
    ok &= iseg_adaptive_ref_margins(s, src, &ref.img, margin) == 0;
    ok &= run_fast(s, src, &fast, r, pool) == 0;
    const double tol = tolerance(s);
    const int exact = s->method != ISEG_ADAPTIVE_GAUSSIAN;
    long differ = 0, beyond = 0;
    for (int y = 0; y < h && ok; y++)
        for (int x = 0; x < w; x++) {
            const uint8_t a = ref.img.data[y * ref.img.stride + x],
                          b = fast.img.data[y * fast.img.stride + x];
            const double m = margin[(size_t)y * w + x];
            /* the reference against the textbook T */
            const int fg_ref = (a == 255) != (s->invert != 0);
            if (fg_ref != (m > 0) && m != 0) {
                ag->off_def++;
                ag->worst_def = fmax(ag->worst_def, fabs(m));
                if (fabs(m) > tol && beyond++ == 0)
                    fprintf(stderr,
                            "%s block %d off %g k %g R %g: (%d,%d) reference decides %d, "
                            "|v - T| = %g > bound %g\n",
                            method_name(s->method), s->block_size, s->offset, s->k,
                            s->dynamic_range, x, y, fg_ref, m, tol);
            }
            if (a == b)
                continue;
            differ++;
            if (exact || fabs(m) > tol) {
                if (beyond++ == 0)
                    fprintf(
                        stderr,
                        "%s block %d off %g k %g inv %d %dx%d: (%d,%d) ref %d fast %d margin %g\n",
                        method_name(s->method), s->block_size, s->offset, s->k, s->invert, w, h, x,
                        y, a, b, m);
            }
        }
    ok &= tu_img_guard_ok(&ref) && tu_img_guard_ok(&fast);
    ag->pixels += (long)w * h;
    ag->differ += differ;
    ag->beyond += beyond;
    free(margin);
    tu_img_free(&ref);
    tu_img_free(&fast);
    return ok && beyond == 0;
}

/* The Sauvola / Niblack decisions of lib/src/adaptive/decide.h on windows built to
 * sit near a tie (k or R solved for T == v, then nudged), against the
 * real-number decision in long double: every pixel decided against it must
 * lie within iseg_adaptive_box_bound(k) of T. Without images, so hundreds of
 * thousands of near-ties (windows up to 257 x 257, where D exceeds 2^24 and
 * the float rounding shows, and wider ones in double). */
static void test_decision_bound(void)
{
    TuRng r;
    tu_rng_seed(&r, tu_seed(30));
    for (int sauvola = 0; sauvola <= 1; sauvola++) {
        long cases = 0, wrong = 0, beyond = 0;
        double worst = 0; /* largest |v - T| / bound of a wrong decision */
        for (int iter = 0; iter < 300000; iter++) {
            const int block = iter % 16 == 0 ? 2 * tu_rng_range(&r, 129, 300) + 1
                                             : 2 * tu_rng_range(&r, 1, 128) + 1;
            const int64_t n = (int64_t)block * block;
            /* a window of up to four levels */
            int64_t S = 0, S2 = 0, left = n;
            for (int l = 0; l < 4 && left > 0; l++) {
                const int64_t c = l == 3 ? left : tu_rng_range(&r, 0, (int)left);
                const int64_t lv = tu_rng_range(&r, 0, 255);
                S += c * lv;
                S2 += c * lv * lv;
                left -= c;
            }
            const unsigned v = (unsigned)tu_rng_range(&r, 0, 255);
            const long double m = (long double)S / n;
            const long double sd = sqrtl((long double)(n * S2 - S * S)) / n;
            if (sd == 0 || m == 0)
                continue;
            IsegAdaptiveSettings s;
            iseg_adaptive_default_settings(&s);
            s.method = sauvola ? ISEG_ADAPTIVE_SAUVOLA : ISEG_ADAPTIVE_NIBLACK;
            s.block_size = block;
            const double nudge = (tu_rng_double(&r) - 0.5) * pow(10, -tu_rng_range(&r, 3, 9));
            if (sauvola) {
                s.dynamic_range = 1 + 300 * tu_rng_double(&r);
                if (fabsl(sd / s.dynamic_range - 1) < 1e-3)
                    continue;
                s.k = (double)(((long double)v / m - 1) / (sd / s.dynamic_range - 1)) + nudge;
            } else {
                s.k = (double)((m - v) / sd) + nudge;
            }
            if (!(fabs(s.k) <= 100))
                continue;
            const long double T =
                sauvola ? m * (1 + s.k * (sd / s.dynamic_range - 1)) : m - s.k * sd;
            const int exact = v > T;
            const IsegBoxCoef cf = iseg_box_coef(&s);
            int fg;
            if (block <= SUMS_PACKED_MAX_BLOCK)
                fg = sauvola ? iseg_sauvola_fg((uint32_t)n, (uint32_t)S, (uint32_t)S2, v, cf.nf,
                                               cf.one_kf, cf.qf, cf.c_neg)
                             : iseg_niblack_fg((uint32_t)n, (uint32_t)S, (uint32_t)S2, v, cf.k2f,
                                               cf.c_neg);
            else
                fg = iseg_box_fg_wide(&cf, sauvola, n, (uint32_t)S, (uint64_t)S2, v);
            cases++;
            if (fg == exact)
                continue;
            wrong++;
            const double ratio = (double)fabsl(v - T) / iseg_adaptive_box_bound(s.k);
            worst = fmax(worst, ratio);
            if (ratio > 1 && beyond++ < 3)
                fprintf(stderr, "%s block %d n %ld S %ld S2 %ld v %u k %.17g R %g: |v - T| %Lg\n",
                        sauvola ? "sauvola" : "niblack", block, (long)n, (long)S, (long)S2, v, s.k,
                        s.dynamic_range, fabsl(v - T));
        }
        printf("  %s: %ld near-ties, %ld decided against the real-number T, the worst at %.3f "
               "of the bound\n",
               sauvola ? "sauvola" : "niblack", cases, wrong, worst);
        CHECK_EQ_INT(beyond, 0);
        CHECK(cases > 100000);
    }
}

/* A page: dark strokes on bright paper under a strong illumination gradient
 * with a shadow, plus Gaussian noise. gt (may be NULL) receives the ink. */
static void fill_page(TuImg *t, TuRng *r, uint8_t *gt, double noise)
{
    const int w = t->img.width, h = t->img.height;
    uint8_t *ink = gt ? gt : calloc((size_t)w * h, 1);
    memset(ink, 0, (size_t)w * h);
    /* margins of ~1/16 of the page and a blank line after every 4 lines:
     * blank paper is where windows are uniform */
    const int mx = w / 16, my = h / 16;
    for (int ly = my, line = 0; ly + 18 < h - my; ly += 26, line++)
        for (int gx = mx; gx + 10 < w - mx && line % 5 != 4; gx += 11) {
            if (tu_rng_double(r) < 0.15)
                continue;
            const int strokes = tu_rng_range(r, 2, 4);
            for (int k = 0; k < strokes; k++) {
                const double x0 = gx + 8 * tu_rng_double(r), y0 = ly + 16 * tu_rng_double(r);
                const double x1 = gx + 8 * tu_rng_double(r), y1 = ly + 16 * tu_rng_double(r);
                const int steps = (int)(2 * fmax(fabs(x1 - x0), fabs(y1 - y0))) + 1;
                for (int i = 0; i <= steps; i++) {
                    const double px = x0 + (x1 - x0) * i / steps, py = y0 + (y1 - y0) * i / steps;
                    for (int yy = (int)py - 2; yy <= (int)py + 2; yy++)
                        for (int xx = (int)px - 2; xx <= (int)px + 2; xx++)
                            if (xx >= 0 && yy >= 0 && xx < w && yy < h &&
                                (xx + .5 - px) * (xx + .5 - px) + (yy + .5 - py) * (yy + .5 - py) <=
                                    1.21)
                                ink[(size_t)yy * w + xx] = 1;
                }
            }
        }
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            double L = 0.18 + 0.82 * pow(0.6 * x / w + 0.4 * y / h, 1.3);
            const double dx = x - 0.8 * w, dy = y - 0.3 * h, rad = 0.14 * w;
            L *= 1.0 - 0.35 * exp(-(dx * dx + dy * dy) / (2 * rad * rad));
            const double refl = ink[(size_t)y * w + x] ? 0.25 : 0.9;
            /* Box-Muller */
            const double u1 = tu_rng_double(r) + 1e-12, u2 = tu_rng_double(r);
            const double v =
                255 * L * refl + noise * sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2);
            t->img.data[(ptrdiff_t)y * t->img.stride + x] = (uint8_t)(v < 0     ? 0
                                                                      : v > 255 ? 255
                                                                                : v + 0.5);
        }
    if (!gt)
        free(ink);
}

static void fill_any(TuImg *t, TuRng *r, int kind)
{
    switch (kind % 5) {
    case 0: tu_img_fill_random(t, r); break;
    case 1: tu_img_fill_photo(t, r); break;
    case 2: tu_img_fill_levels(t, r, tu_rng_range(r, 1, 4)); break;
    case 3: fill_page(t, r, NULL, 6); break;
    default: /* flat areas and steps: ties and uniform windows */
        for (int y = 0; y < t->img.height; y++)
            for (int x = 0; x < t->img.width; x++)
                t->img.data[y * t->img.stride + x] = (uint8_t)(((x / 7 + y / 5) % 3) * 60 + 40);
        break;
    }
}

static void test_against_reference(void)
{
    TuRng r;
    tu_rng_seed(&r, tu_seed(21));
    IsegPool *pool = NULL;
    iseg_pool_create(&pool, 3);
    for (int m = 0; m <= ISEG_ADAPTIVE_NIBLACK; m++) {
        Agreement ag = { 0, 0, 0, 0, 0 };
        int bad = 0;
        for (int iter = 0; iter < 160; iter++) {
            IsegAdaptiveSettings s =
                settings_for((IsegAdaptiveMethod)m, 2 * tu_rng_range(&r, 1, 25) + 1);
            if (iter % 8 == 0)
                s.block_size = 51;
            s.offset = iter % 2 ? 5 : 0;
            s.invert = (iter >> 1) & 1;
            s.k = (iter >> 2) % 3 == 0 ? 0.2 : (iter >> 2) % 3 == 1 ? 0.5 : -0.2;
            s.dynamic_range = iter % 3 ? 128 : 64;
            s.min_contrast = (iter >> 3) % 3 == 0 ? 12 : (iter >> 3) % 3 == 1 ? 0 : 30;
            s.uniform = (IsegAdaptiveUniform)((iter >> 4) & 1);
            if (iter % 5 == 4) { /* anywhere in the element's ranges */
                s.offset = (tu_rng_double(&r) - 0.5) * (iter % 3 ? 40 : 2000);
                s.k = (tu_rng_double(&r) - 0.5) * (iter % 3 ? 4 : 200);
                s.dynamic_range = pow(10, tu_rng_double(&r) * 12 - 6);
                s.min_contrast = tu_rng_double(&r) * 60;
            }
            /* the last ones wider than the Gaussian's strips of 128
             * columns (lib/src/adaptive/gauss.c) */
            const int w = iter < 120   ? tu_rng_range(&r, 1, 40)
                          : iter < 150 ? tu_rng_range(&r, 1, 90)
                                       : tu_rng_range(&r, 120, 400);
            const int h = tu_rng_range(&r, 1, iter < 120 ? 40 : iter < 150 ? 70 : 24);
            TuImg src;
            tu_img_alloc_random_pad(&src, &r, w, h);
            fill_any(&src, &r, iter);
            if (!compare_case(&s, &src.img, &r, iter % 3 ? pool : NULL, &ag))
                bad++;
            tu_img_free(&src);
        }
        printf("  %-10s %ld pixels, %ld differ from the reference, agreement %.5f%%; %ld "
               "decided against the textbook T (largest |v - T| %.3g)\n",
               method_name((IsegAdaptiveMethod)m), ag.pixels, ag.differ,
               100.0 * (ag.pixels - ag.differ) / ag.pixels, ag.off_def, ag.worst_def);
        CHECK_MSG(bad == 0, "%s: %d cases failed", method_name((IsegAdaptiveMethod)m), bad);
        CHECK_EQ_INT(ag.beyond, 0);
        if (m != ISEG_ADAPTIVE_GAUSSIAN)
            CHECK_EQ_INT(ag.differ, 0);
        CHECK_MSG(ag.pixels - ag.differ >= 0.999 * ag.pixels, "%s agreement",
                  method_name((IsegAdaptiveMethod)m));
    }
    iseg_pool_destroy(pool);
}

/* Sauvola and Niblack on larger photo-like frames, where many pixels lie
 * within rounding of their T: the fast decisions (each instruction-set copy
 * has its own: the AVX-512 one computes D in 64-bit integers) must equal
 * the reference's bit for bit there too. The small random frames above
 * rarely come that close; this test counts the near ties it met, so that
 * it cannot pass without exercising them (a kernel whose c^2 D is off by
 * one part in 10^3 fails it; smaller errors, such as one rounding more or
 * less, are the business of test_decision_bound and of the kernels using
 * the very operations of iseg_sauvola_fg() / iseg_niblack_fg()). */
static void test_box_near_ties(void)
{
    TuRng r;
    tu_rng_seed(&r, tu_seed(37));
    const double ks[] = { 0.5, 0.2, -0.2, 0.34 };
    long near = 0, differ = 0, pixels = 0;
    for (int iter = 0; iter < 12; iter++) {
        const IsegAdaptiveMethod m = iter % 2 ? ISEG_ADAPTIVE_NIBLACK : ISEG_ADAPTIVE_SAUVOLA;
        IsegAdaptiveSettings s = settings_for(m, iter % 4 < 1 ? 31 : 15);
        s.k = ks[(iter / 4) % 4];
        s.dynamic_range = iter % 3 ? 128 : 90;
        const int w = tu_rng_range(&r, 260, 400), h = tu_rng_range(&r, 150, 230);
        TuImg src, ref, fast;
        tu_img_alloc_random_pad(&src, &r, w, h);
        tu_img_fill_photo(&src, &r);
        tu_img_alloc_random_pad(&ref, &r, w, h);
        double *margin = malloc((size_t)w * h * sizeof(double));
        CHECK(margin != NULL);
        CHECK_EQ_INT(iseg_adaptive_ref_margins(&s, &src.img, &ref.img, margin), 0);
        CHECK_EQ_INT(run_fast(&s, &src.img, &fast, &r, NULL), 0);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                const double mg = margin[(size_t)y * w + x];
                near += fabs(mg) < 1e-2 && mg != 0;
                if (ref.img.data[y * ref.img.stride + x] !=
                    fast.img.data[y * fast.img.stride + x]) {
                    if (differ++ == 0)
                        fprintf(stderr, "%s k %g %dx%d: (%d,%d) differs, margin %g\n",
                                method_name(m), s.k, w, h, x, y, mg);
                }
            }
        pixels += (long)w * h;
        free(margin);
        tu_img_free(&src);
        tu_img_free(&ref);
        tu_img_free(&fast);
    }
    printf("  %ld pixels, %ld within 1e-2 of T, %ld differ\n", pixels, near, differ);
    CHECK_EQ_INT(differ, 0);
    CHECK_MSG(near >= 100, "only %ld near ties met", near);
}

/* Windows (much) larger than the frame, and the degenerate shapes. */
static void test_edge_shapes(void)
{
    TuRng r;
    tu_rng_seed(&r, tu_seed(22));
    static const int sizes[][2] = { { 1, 1 },  { 1, 9 }, { 9, 1 }, { 1, 40 },
                                    { 40, 1 }, { 2, 2 }, { 5, 7 }, { 3, 30 } };
    static const int blocks[] = { 3, 5, 9, 31, 101, 1023 };
    int bad = 0;
    Agreement ag = { 0, 0, 0, 0, 0 };
    for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++)
        for (size_t bi = 0; bi < sizeof(blocks) / sizeof(blocks[0]); bi++)
            for (int m = 0; m <= ISEG_ADAPTIVE_NIBLACK; m++) {
                /* the reference costs block^2 per pixel: keep 1023 to tiny frames */
                if (blocks[bi] == 1023 && sizes[si][0] * sizes[si][1] > 10)
                    continue;
                IsegAdaptiveSettings s = settings_for((IsegAdaptiveMethod)m, blocks[bi]);
                s.offset = (m + bi) % 2 ? 5 : 0;
                s.invert = (int)(si % 2);
                s.min_contrast = bi % 2 ? 12 : 3;
                TuImg src;
                tu_img_alloc_random_pad(&src, &r, sizes[si][0], sizes[si][1]);
                fill_any(&src, &r, (int)(si + bi + m));
                if (!compare_case(&s, &src.img, &r, NULL, &ag)) {
                    bad++;
                    fprintf(stderr, "  %s %dx%d block %d\n", method_name((IsegAdaptiveMethod)m),
                            sizes[si][0], sizes[si][1], blocks[bi]);
                }
                tu_img_free(&src);
            }
    CHECK_EQ_INT(bad, 0);
    CHECK_EQ_INT(ag.beyond, 0);
    /* a constant 1x1 frame: window = the pixel; nothing is above its own mean */
    uint8_t one = 77, out = 1;
    IsegImage s1 = { &one, 1, 1, 1 }, d1 = { &out, 1, 1, 1 };
    IsegAdaptiveSettings s = settings_for(ISEG_ADAPTIVE_MEAN, 1023);
    IsegAdaptive *ctx;
    CHECK_EQ_INT(iseg_adaptive_create(&ctx, &s, 1, 1), 0);
    CHECK_EQ_INT(iseg_adaptive_mask(ctx, &s1, &d1, NULL), 0);
    CHECK_EQ_INT(out, 0);
    iseg_adaptive_destroy(ctx);
}

/* Large window on a larger frame, checked against the reference on a sample
 * of rows only would still cost block^2 per pixel; instead compare block 1023
 * on 60x40 (window 17x the frame) in full. */
static void test_huge_window(void)
{
    TuRng r;
    tu_rng_seed(&r, tu_seed(23));
    Agreement ag = { 0, 0, 0, 0, 0 };
    int bad = 0;
    for (int m = 0; m <= ISEG_ADAPTIVE_NIBLACK; m++) {
        IsegAdaptiveSettings s =
            settings_for((IsegAdaptiveMethod)m, m == ISEG_ADAPTIVE_GAUSSIAN ? 201 : 401);
        TuImg src;
        tu_img_alloc_random_pad(&src, &r, m == ISEG_ADAPTIVE_GAUSSIAN ? 60 : 24, 20);
        fill_any(&src, &r, m + 1);
        if (!compare_case(&s, &src.img, &r, NULL, &ag))
            bad++;
        tu_img_free(&src);
    }
    CHECK_EQ_INT(bad, 0);
}

/* The node Otsu scan picks exactly iseg_otsu_threshold_ref()'s T: sparse
 * histograms (runs of empty levels), exact ties (symmetric histograms), two
 * levels, big counts. */
static void test_node_otsu(void)
{
    TuRng r;
    tu_rng_seed(&r, tu_seed(29));
    int bad = 0;
    for (int iter = 0; iter < 20000; iter++) {
        uint32_t h[256] = { 0 };
        uint64_t h64[256];
        const int kind = iter % 4;
        const int levels = kind == 0 ? 2 : tu_rng_range(&r, 2, kind == 1 ? 6 : 256);
        const int64_t maxc = iter % 3 == 0 ? 3 : iter % 3 == 1 ? 100 : 60000;
        for (int k = 0; k < levels; k++)
            h[tu_rng_range(&r, 0, 255)] += (uint32_t)tu_rng_range(&r, 1, (int)maxc);
        if (kind == 3) /* mirror: symmetric histogram, ties between mirrored T */
            for (int v = 0; v < 128; v++)
                h[255 - v] = h[v];
        int64_t n = 0, sum = 0;
        int lo = -1, hi = -1;
        for (int v = 0; v < 256; v++) {
            h64[v] = h[v];
            n += h[v];
            sum += (int64_t)v * h[v];
            if (h[v]) {
                if (lo < 0)
                    lo = v;
                hi = v;
            }
        }
        if (lo == hi)
            continue;
        unsigned T_ref;
        iseg_otsu_threshold_ref(h64, &T_ref, NULL);
        const unsigned T = iseg_lo_node_otsu(h, lo, hi, n, sum);
        if (T != T_ref && bad++ < 5)
            fprintf(stderr, "node otsu %u, reference %u (levels %d)\n", T, T_ref, levels);
    }
    CHECK_EQ_INT(bad, 0);
}

/* ------------------------------------------------ local-otsu quality */

typedef struct Scores {
    double precision, recall, f1;
} Scores;

static Scores score(const IsegImage *mask, const uint8_t *gt)
{
    long tp = 0, fp = 0, fn = 0;
    for (int y = 0; y < mask->height; y++)
        for (int x = 0; x < mask->width; x++) {
            const int p = mask->data[y * mask->stride + x] >= 128,
                      g = gt[(size_t)y * mask->width + x];
            tp += p && g;
            fp += p && !g;
            fn += !p && g;
        }
    Scores s;
    s.precision = tp + fp ? (double)tp / (tp + fp) : 0;
    s.recall = tp + fn ? (double)tp / (tp + fn) : 0;
    s.f1 = s.precision + s.recall > 0 ? 2 * s.precision * s.recall / (s.precision + s.recall) : 0;
    return s;
}

static void test_local_otsu_page(void)
{
    TuRng r;
    tu_rng_seed(&r, tu_seed(24));
    const int w = 640, h = 480;
    TuImg page, out;
    tu_img_alloc_random_pad(&page, &r, w, h);
    tu_img_alloc_random_pad(&out, &r, w, h);
    uint8_t *ink = malloc((size_t)w * h);
    fill_page(&page, &r, ink, 6);

    /* global Otsu on the histogram (ink is the dark class: invert) */
    uint64_t hist[256];
    unsigned T;
    iseg_histogram(&page.img, hist, NULL);
    iseg_otsu_threshold(hist, &T, NULL);
    CHECK_EQ_INT(iseg_threshold_image(&page.img, &out.img, T, 1, ISEG_OUTPUT_MASK, NULL), 0);
    const Scores global = score(&out.img, ink);

    IsegAdaptiveSettings s = settings_for(ISEG_ADAPTIVE_LOCAL_OTSU, 31);
    s.invert = 1;
    IsegAdaptive *ctx;
    CHECK_EQ_INT(iseg_adaptive_create(&ctx, &s, w, h), 0);
    CHECK_EQ_INT(iseg_adaptive_mask(ctx, &page.img, &out.img, NULL), 0);
    const Scores local = score(&out.img, ink);
    /* the contract's literal rule for uniform windows (their mean against the
     * global Otsu level) brings global Otsu's failure back in the shadow */
    s.uniform = ISEG_ADAPTIVE_UNIFORM_GLOBAL;
    CHECK_EQ_INT(iseg_adaptive_set_settings(ctx, &s), 0);
    CHECK_EQ_INT(iseg_adaptive_mask(ctx, &page.img, &out.img, NULL), 0);
    const Scores literal = score(&out.img, ink);
    printf("  page %dx%d: global Otsu T=%u F1 %.3f (P %.3f R %.3f); local-otsu F1 %.3f (P %.3f R "
           "%.3f); "
           "uniform=global F1 %.3f\n",
           w, h, T, global.f1, global.precision, global.recall, local.f1, local.precision,
           local.recall, literal.f1);
    CHECK(global.f1 < 0.5);
    CHECK(local.f1 >= 0.9);
    CHECK(literal.f1 < local.f1);
    CHECK(tu_img_guard_ok(&out));
    iseg_adaptive_destroy(ctx);
    free(ink);
    tu_img_free(&page);
    tu_img_free(&out);
}

/* Thresholds vary smoothly: along a row, T of the interpolation never jumps
 * by more than the node difference over a step. Checked on the node grid and
 * the reference: no pixel of a smooth ramp flips back and forth. */
static void test_local_otsu_no_block_edges(void)
{
    /* A ramp of text-like stripes: bright paper 200 with dark 1-pixel lines
     * every 4 pixels, under a horizontal light ramp. Local-otsu must mark
     * exactly the lines, with no blocks or seams on the paper. */
    const int w = 300, h = 64;
    TuImg t, out;
    tu_img_alloc(&t, w, h, 5);
    tu_img_alloc(&out, w, h, 3);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            const double L = 0.3 + 0.7 * x / (w - 1);
            t.img.data[y * t.img.stride + x] = (uint8_t)(L * (x % 4 == 0 ? 60 : 220) + 0.5);
        }
    for (int b = 7; b <= 63; b += 14) {
        IsegAdaptiveSettings s = settings_for(ISEG_ADAPTIVE_LOCAL_OTSU, b);
        s.invert = 1;
        IsegAdaptive *ctx;
        CHECK_EQ_INT(iseg_adaptive_create(&ctx, &s, w, h), 0);
        CHECK_EQ_INT(iseg_adaptive_mask(ctx, &t.img, &out.img, NULL), 0);
        int wrong = 0;
        int first = -1;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                if ((out.img.data[y * out.img.stride + x] == 255) != (x % 4 == 0)) {
                    wrong++;
                    if (first < 0)
                        first = y * w + x;
                }
        CHECK_MSG(wrong == 0, "block %d: %d pixels wrong, first (%d,%d)", b, wrong, first % w,
                  first / w);
        iseg_adaptive_destroy(ctx);
    }
    tu_img_free(&t);
    tu_img_free(&out);
}

/* No phantoms (docs/adaptivethreshold.md, "Phantoms"): paper under a light
 * that falls from 1 at the top left to 0.3 at the bottom right, with noise,
 * and two dark objects, a disc in the bright part and a square at the bottom
 * left, and nothing in the dark corner. Uniform paper far from an edge is classified with its own
 * area, by the edges around it, and keeps a threshold below its own level: no paper pixel may turn
 * dark, however much darker that paper is than the disc's edge, and the objects are found whole.
 * The ring-by-ring fill of the edges' thresholds alone drew a dark region over the dark paper.
 * Every block size of the issue, odd sizes, the reference and the fast path. */
static void test_local_otsu_no_phantom(void)
{
    TuRng r;
    tu_rng_seed(&r, tu_seed(30));
    const int w = 401, h = 243;
    TuImg t, out, ref;
    tu_img_alloc(&t, w, h, 7);
    tu_img_alloc(&out, w, h, 3);
    tu_img_alloc(&ref, w, h, 1);
    uint8_t *obj = malloc((size_t)w * h);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            const double L = 1.0 - 0.7 * 0.5 * ((double)x / (w - 1) + (double)y / (h - 1));
            const double dx = x - 0.3 * w, dy = y - 0.35 * h;
            const int disc = dx * dx + dy * dy < 35.0 * 35.0;
            const int square = x >= 40 && x < 90 && y >= h - 80 && y < h - 30;
            obj[y * w + x] = (uint8_t)(disc || square);
            const double v = (disc || square ? 70 : 210) * L + tu_rng_range(&r, -8, 8);
            t.img.data[y * t.img.stride + x] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
    for (int b = 15; b <= 51; b += b == 15 ? 16 : 20) {
        IsegAdaptiveSettings s = settings_for(ISEG_ADAPTIVE_LOCAL_OTSU, b);
        s.invert = 1;
        IsegAdaptive *ctx;
        CHECK_EQ_INT(iseg_adaptive_create(&ctx, &s, w, h), 0);
        CHECK_EQ_INT(iseg_adaptive_mask(ctx, &t.img, &out.img, NULL), 0);
        CHECK_EQ_INT(iseg_adaptive_mask_ref(&s, &t.img, &ref.img), 0);
        long phantom = 0, missed = 0, differ = 0, objects = 0;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                const int fg = out.img.data[y * out.img.stride + x] == 255;
                differ +=
                    out.img.data[y * out.img.stride + x] != ref.img.data[y * ref.img.stride + x];
                objects += obj[y * w + x];
                phantom += fg && !obj[y * w + x];
                missed += !fg && obj[y * w + x];
            }
        CHECK_MSG(differ == 0, "block %d: fast and reference differ on %ld pixels", b, differ);
        CHECK_MSG(phantom == 0, "block %d: %ld paper pixels dark", b, phantom);
        CHECK_MSG(missed * 100 <= objects, "block %d: %ld of %ld object pixels missed", b, missed,
                  objects);
        iseg_adaptive_destroy(ctx);
    }
    CHECK(tu_img_guard_ok(&out));
    free(obj);
    tu_img_free(&t);
    tu_img_free(&out);
    tu_img_free(&ref);
}

/* ------------------------------------------------ threads, frames */

static void test_pool_sizes(void)
{
    TuRng r;
    tu_rng_seed(&r, tu_seed(25));
    IsegPool *pools[5] = { NULL };
    for (int i = 1; i < 5; i++)
        iseg_pool_create(&pools[i], (unsigned)i + (i == 4 ? 3 : 0)); /* 1, 2, 3, 7 threads */
    int bad = 0;
    static const int sizes[][2] = { { 641, 363 }, { 97, 45 }, { 3, 200 } };
    for (int m = 0; m <= ISEG_ADAPTIVE_NIBLACK; m++)
        for (size_t si = 0; si < 3; si++) {
            const int w = sizes[si][0], h = sizes[si][1];
            TuImg src, first;
            tu_img_alloc_random_pad(&src, &r, w, h);
            fill_any(&src, &r, (int)(m + si + 1));
            IsegAdaptiveSettings s = settings_for((IsegAdaptiveMethod)m, si == 1 ? 15 : 31);
            s.offset = 5;
            IsegAdaptive *ctx;
            iseg_adaptive_create(&ctx, &s, w, h);
            tu_img_alloc_random_pad(&first, &r, w, h);
            iseg_adaptive_mask(ctx, &src.img, &first.img, NULL);
            for (int p = 1; p < 5; p++) {
                TuImg o;
                tu_img_alloc_random_pad(&o, &r, w, h);
                CHECK_EQ_INT(iseg_adaptive_mask(ctx, &src.img, &o.img, pools[p]), 0);
                char what[80];
                snprintf(what, sizeof(what), "%s pool %u", method_name((IsegAdaptiveMethod)m),
                         iseg_pool_size(pools[p]));
                if (!tu_img_equal(&first.img, &o.img, what) || !tu_img_guard_ok(&o))
                    bad++;
                tu_img_free(&o);
            }
            CHECK(tu_img_guard_ok(&first) && tu_img_guard_ok(&src));
            iseg_adaptive_destroy(ctx);
            tu_img_free(&src);
            tu_img_free(&first);
        }
    CHECK_EQ_INT(bad, 0);
    for (int i = 1; i < 5; i++)
        iseg_pool_destroy(pools[i]);
}

/* The context is prepared for a maximum size and reused for smaller frames
 * and other settings without reallocating. */
static void test_context_reuse(void)
{
    TuRng r;
    tu_rng_seed(&r, tu_seed(26));
    IsegAdaptiveSettings s = settings_for(ISEG_ADAPTIVE_SAUVOLA, 15);
    IsegAdaptive *ctx;
    CHECK_EQ_INT(iseg_adaptive_create(&ctx, &s, 120, 90), 0);
    IsegPool *pool;
    iseg_pool_create(&pool, 2);
    int bad = 0;
    for (int iter = 0; iter < 40; iter++) {
        s = settings_for((IsegAdaptiveMethod)(iter % 5), 2 * tu_rng_range(&r, 1, 20) + 1);
        CHECK_EQ_INT(iseg_adaptive_set_settings(ctx, &s), 0);
        const int w = tu_rng_range(&r, 1, 120), h = tu_rng_range(&r, 1, 90);
        TuImg src, a, b;
        tu_img_alloc_random_pad(&src, &r, w, h);
        fill_any(&src, &r, iter);
        tu_img_alloc_random_pad(&a, &r, w, h);
        tu_img_alloc_random_pad(&b, &r, w, h);
        CHECK_EQ_INT(iseg_adaptive_mask(ctx, &src.img, &a.img, iter % 2 ? pool : NULL), 0);
        IsegAdaptive *fresh;
        iseg_adaptive_create(&fresh, &s, w, h);
        iseg_adaptive_mask(fresh, &src.img, &b.img, NULL);
        iseg_adaptive_destroy(fresh);
        if (!tu_img_equal(&a.img, &b.img, "reused context") || !tu_img_guard_ok(&a))
            bad++;
        tu_img_free(&src);
        tu_img_free(&a);
        tu_img_free(&b);
    }
    CHECK_EQ_INT(bad, 0);
    iseg_pool_destroy(pool);
    iseg_adaptive_destroy(ctx);
}

/* iseg_adaptive_frame == mask + reference composition, every layout, odd
 * sizes, both outputs, with and without threads (the mask itself is checked
 * against the float reference above; here it comes from a separate context
 * so that exact ties cannot differ by rounding). */
static void test_frames(void)
{
    TuRng r;
    tu_rng_seed(&r, tu_seed(27));
    IsegPool *pool;
    iseg_pool_create(&pool, 3);
    static const int sizes[][2] = { { 85, 49 }, { 1, 1 }, { 1, 6 }, { 7, 1 }, { 33, 20 } };
    int bad = 0;
    for (size_t li = 0; li < (size_t)tu_n_layouts; li++)
        for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++)
            for (int out = 0; out < 2; out++) {
                const int w = sizes[si][0], h = sizes[si][1];
                IsegAdaptiveSettings s = settings_for((IsegAdaptiveMethod)((li + si + out) % 5), 9);
                s.invert = out;
                TuFrame a, b;
                tu_frame_alloc(&a, &r, &tu_layouts[li], w, h);
                tu_frame_alloc(&b, &r, &tu_layouts[li], w, h);
                tu_frame_copy(&b, &a);
                TuImg mask;
                tu_img_alloc_random_pad(&mask, &r, w, h);
                IsegAdaptive *mctx;
                iseg_adaptive_create(&mctx, &s, w, h);
                iseg_adaptive_mask(mctx, &a.f.luma, &mask.img, NULL);
                iseg_adaptive_destroy(mctx);
                uint64_t fg_ref = 0, fg = 0;
                CHECK_EQ_INT(
                    iseg_frame_apply_mask_ref(&a.f, &mask.img, (IsegThresholdOutput)out, &fg_ref),
                    0);
                /* out of place from a copy of the input into a frame of
                 * random contents and other padding */
                TuFrame src, orig, dst;
                tu_frame_alloc(&src, &r, &tu_layouts[li], w, h);
                tu_frame_alloc(&orig, &r, &tu_layouts[li], w, h);
                tu_frame_alloc(&dst, &r, &tu_layouts[li], w, h);
                tu_frame_copy(&src, &b);
                tu_frame_copy(&orig, &b);
                IsegAdaptive *ctx;
                iseg_adaptive_create(&ctx, &s, w, h);
                CHECK_EQ_INT(iseg_adaptive_frame(ctx, &b.f, (IsegThresholdOutput)out,
                                                 si % 2 ? pool : NULL, &fg),
                             0);
                uint64_t fg_to = 0;
                CHECK_EQ_INT(iseg_adaptive_frame_to(ctx, &src.f, &dst.f, (IsegThresholdOutput)out,
                                                    si % 2 ? NULL : pool, &fg_to),
                             0);
                /* and without a count (the mask written into dst's luma is
                 * then the output as it stands) */
                TuFrame dst2;
                tu_frame_alloc(&dst2, &r, &tu_layouts[li], w, h);
                CHECK_EQ_INT(iseg_adaptive_frame_to(ctx, &src.f, &dst2.f, (IsegThresholdOutput)out,
                                                    si % 2 ? pool : NULL, NULL),
                             0);
                iseg_adaptive_destroy(ctx);
                char what[80];
                snprintf(what, sizeof(what), "%s %dx%d out %d", tu_layouts[li].name, w, h, out);
                if (!(tu_frame_equal(&a, &b, what) && tu_frame_guard_ok(&a) &&
                      tu_frame_guard_ok(&b)) ||
                    fg != fg_ref)
                    bad++;
                if (!(tu_frame_equal(&a, &dst, what) && tu_frame_equal(&src, &orig, what) &&
                      tu_frame_guard_ok(&dst) && tu_frame_guard_ok(&src)) ||
                    fg_to != fg_ref)
                    bad++;
                if (!(tu_frame_equal(&a, &dst2, what) && tu_frame_guard_ok(&dst2)))
                    bad++;
                tu_frame_free(&dst2);
                tu_img_free(&mask);
                tu_frame_free(&a);
                tu_frame_free(&b);
                tu_frame_free(&src);
                tu_frame_free(&orig);
                tu_frame_free(&dst);
            }
    CHECK_EQ_INT(bad, 0);
    iseg_pool_destroy(pool);
}

/* iseg_frame_apply_mask == its reference on random masks. */
static void test_apply_mask(void)
{
    TuRng r;
    tu_rng_seed(&r, tu_seed(28));
    IsegPool *pool;
    iseg_pool_create(&pool, 3);
    int bad = 0;
    for (int iter = 0; iter < 400; iter++) {
        const TuLayout *l = &tu_layouts[iter % tu_n_layouts];
        const int w = tu_rng_range(&r, 1, 60), h = tu_rng_range(&r, 1, 40);
        TuFrame a, b;
        tu_frame_alloc(&a, &r, l, w, h);
        tu_frame_alloc(&b, &r, l, w, h);
        tu_frame_copy(&b, &a);
        TuImg mask;
        tu_img_alloc_random_pad(&mask, &r, w, h);
        tu_img_fill_random(&mask, &r); /* any byte: >= 128 is foreground */
        if (iter % 3 == 0)             /* sparse foreground: chroma rule matters */
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    mask.img.data[y * mask.img.stride + x] = tu_rng_range(&r, 0, 30) == 0 ? 200 : 3;
        const IsegThresholdOutput out = (IsegThresholdOutput)((iter >> 1) & 1);
        uint64_t c1 = 0, c2 = 1;
        iseg_frame_apply_mask_ref(&a.f, &mask.img, out, &c1);
        CHECK_EQ_INT(iseg_frame_apply_mask(&b.f, &mask.img, out, iter % 2 ? pool : NULL, &c2), 0);
        if (!(tu_frame_equal(&a, &b, l->name) && tu_frame_guard_ok(&a) && tu_frame_guard_ok(&b)) ||
            c1 != c2 || !tu_img_guard_ok(&mask))
            bad++;
        /* out of place: b holds the result now; from a copy of the input
         * (c) into d (random contents), the mask apart or in d's luma */
        TuFrame c, d;
        tu_frame_alloc(&c, &r, l, w, h);
        tu_frame_alloc(&d, &r, l, w, h);
        uint64_t c3 = 1;
        if (iter % 4 < 2) {
            CHECK_EQ_INT(iseg_frame_apply_mask_to(&c.f, &d.f, &mask.img, out, pool, &c3), 0);
            /* reference of the same input */
            TuFrame e;
            tu_frame_alloc(&e, &r, l, w, h);
            tu_frame_copy(&e, &c);
            iseg_frame_apply_mask_ref(&e.f, &mask.img, out, &c1);
            if (!tu_frame_equal(&e, &d, l->name) || c1 != c3)
                bad++;
            tu_frame_free(&e);
        } else {
            TuFrame e;
            tu_frame_alloc(&e, &r, l, w, h);
            tu_frame_copy(&e, &c);
            iseg_frame_apply_mask_ref(&e.f, &mask.img, out, &c1);
            tu_img_copy_pixels(&d.f.luma, &mask.img);
            CHECK_EQ_INT(iseg_frame_apply_mask_to(&c.f, &d.f, &d.f.luma, out, pool, &c3), 0);
            if (!tu_frame_equal(&e, &d, l->name) || c1 != c3)
                bad++;
            tu_frame_free(&e);
        }
        if (!tu_frame_guard_ok(&c) || !tu_frame_guard_ok(&d))
            bad++;
        tu_frame_free(&c);
        tu_frame_free(&d);
        tu_img_free(&mask);
        tu_frame_free(&a);
        tu_frame_free(&b);
    }
    CHECK_EQ_INT(bad, 0);
    /* bad arguments */
    uint8_t p[4] = { 0 };
    IsegFrame f = { .luma = { p, 2, 2, 2 } };
    IsegImage m = { p, 2, 1, 2 };
    CHECK_EQ_INT(iseg_frame_apply_mask(&f, &m, ISEG_OUTPUT_MASK, NULL, NULL), -EINVAL);
    m.height = 2;
    CHECK_EQ_INT(iseg_frame_apply_mask(&f, &m, (IsegThresholdOutput)5, NULL, NULL), -EINVAL);
    /* a mask in the frame it composes is refused in place (it would be
     * overwritten while read), out of place only dst's luma itself is allowed */
    CHECK_EQ_INT(iseg_frame_apply_mask(&f, &m, ISEG_OUTPUT_MASK, NULL, NULL), -EINVAL);
    uint8_t q[16] = { 0 };
    IsegFrame src = { .luma = { q, 2, 2, 2 } }, dst = { .luma = { q + 8, 2, 2, 2 } };
    IsegImage in_src = { q, 2, 2, 2 }, in_dst = { q + 8, 2, 2, 2 }, part = { q + 9, 2, 2, 2 };
    CHECK_EQ_INT(iseg_frame_apply_mask_to(&src, &dst, &in_dst, ISEG_OUTPUT_MASK, NULL, NULL), 0);
    CHECK_EQ_INT(iseg_frame_apply_mask_to(&src, &dst, &in_src, ISEG_OUTPUT_MASK, NULL, NULL),
                 -EINVAL);
    CHECK_EQ_INT(iseg_frame_apply_mask_to(&src, &dst, &part, ISEG_OUTPUT_MASK, NULL, NULL),
                 -EINVAL);
    iseg_pool_destroy(pool);
}

int main(void)
{
    RUN(test_worked_examples);
    RUN(test_gaussian_weights);
    RUN(test_settings);
    RUN(test_against_reference);
    RUN(test_box_near_ties);
    RUN(test_decision_bound);
    RUN(test_edge_shapes);
    RUN(test_huge_window);
    RUN(test_node_otsu);
    RUN(test_local_otsu_page);
    RUN(test_local_otsu_no_block_edges);
    RUN(test_local_otsu_no_phantom);
    RUN(test_pool_sizes);
    RUN(test_context_reuse);
    RUN(test_frames);
    RUN(test_apply_mask);
    return tu_finish();
}
