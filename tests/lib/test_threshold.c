/* Histogram, Otsu, iterative thresholding and threshold application:
 * the lecture's worked example, then fast == reference on random images. */
#include "testutil.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The lecture's 6-level 6x6 image: levels 0..5 occur 8, 7, 2, 6, 9, 4 times. */
static const int lecture_counts[6] = { 8, 7, 2, 6, 9, 4 };

static void lecture_image(TuImg *t)
{
    tu_img_alloc(t, 6, 6, 3);
    int i = 0;
    for (int v = 0; v < 6; v++)
        for (int k = 0; k < lecture_counts[v]; k++, i++)
            t->img.data[(i / 6) * t->img.stride + (i * 5) % 6] = (uint8_t)v; /* scattered */
}

static void test_lecture_example(void)
{
    /* The lecture's table, T = 0..5 (background = levels < T). */
    static const double wb[6] = { 0, 0.2222, 0.4167, 0.4722, 0.6389, 0.8889 };
    static const double mb[6] = { 0, 0, 0.4667, 0.6471, 1.2609, 2.0313 };
    static const double vb[6] = { 0, 0, 0.2489, 0.4637, 1.4102, 2.5303 };
    static const double wf[6] = { 1, 0.7778, 0.5833, 0.5278, 0.3611, 0.1111 };
    static const double mf[6] = { 2.3611, 3.0357, 3.7143, 3.8947, 4.3077, 5.0 };
    /* The lecture prints 1.9639 for T = 1, a typo: 85/28 = 3.0357 is the mean
     * of levels 1..5 and their variance is 54.964 / 28 = 1.9630, which is also
     * what the lecture's own within-class value (0.7778 * 1.9630 = 1.5268)
     * was computed from. */
    static const double vf[6] = { 3.1196, 1.9630, 0.7755, 0.5152, 0.2130, 0 };
    static const double within[6] = { 3.1196, 1.5268, 0.5561, 0.4909, 0.9779, 2.2491 };
    static const double between[6] = { 0, 1.5928, 2.5635, 2.6287, 2.1417, 0.8705 };

    TuImg t;
    lecture_image(&t);
    uint64_t hist[256];
    CHECK_EQ_INT(iseg_histogram(&t.img, hist, NULL), 0);
    for (int v = 0; v < 6; v++)
        CHECK_EQ_INT(hist[v], lecture_counts[v]);

    /* Values printed to 4 decimals: equal after rounding, i.e. within 0.5e-4
     * (plus a hair for the lecture's own rounding of intermediate values). */
    const double tol = 0.6e-4;
    for (unsigned T = 0; T < 6; T++) {
        IsegOtsuStats st;
        CHECK_EQ_INT(iseg_otsu_stats(hist, T, &st), 0);
        CHECK_NEAR(st.weight_bg, wb[T], tol);
        CHECK_NEAR(st.mean_bg, mb[T], tol);
        CHECK_NEAR(st.var_bg, vb[T], tol);
        CHECK_NEAR(st.weight_fg, wf[T], tol);
        CHECK_NEAR(st.mean_fg, mf[T], tol);
        CHECK_NEAR(st.var_fg, vf[T], tol);
        CHECK_NEAR(st.within, within[T], tol);
        CHECK_NEAR(st.between, between[T], tol);
        /* sigma^2 = within + between for every T */
        CHECK_NEAR(st.within + st.between, 3.1196, tol);
    }

    unsigned T = 0;
    double b = 0;
    CHECK_EQ_INT(iseg_otsu_threshold(hist, &T, &b), 0);
    CHECK_EQ_INT(T, 3);
    CHECK_NEAR(b, 2.6287, tol);
    CHECK_EQ_INT(iseg_otsu_threshold_ref(hist, &T, &b), 0);
    CHECK_EQ_INT(T, 3);

    /* Applying T = 3: the 19 pixels of levels 3..5 are foreground. */
    IsegFrame f = { .luma = t.img };
    CHECK_EQ_INT(iseg_threshold_frame(&f, 3, 0, ISEG_OUTPUT_MASK, NULL), 0);
    int fg = 0;
    for (int y = 0; y < 6; y++)
        for (int x = 0; x < 6; x++)
            fg += t.img.data[y * t.img.stride + x] == 255;
    CHECK_EQ_INT(fg, 19);
    CHECK(tu_img_guard_ok(&t));
    tu_img_free(&t);
}

/* The fast histogram against the reference count; a mismatch is printed. */
static int histogram_matches_ref(const IsegImage *img, IsegPool *pool, int threads)
{
    uint64_t ref[256], fast[256];
    iseg_histogram_ref(img, ref);
    CHECK_EQ_INT(iseg_histogram(img, fast, pool), 0);
    if (memcmp(ref, fast, sizeof(ref)) == 0)
        return 1;
    fprintf(stderr, "histogram differs at %dx%d stride %td, %d threads\n", img->width, img->height,
            img->stride, threads);
    return 0;
}

static void test_histogram_random(void)
{
    TuRng r;
    tu_rng_seed(&r, tu_seed(11));
    IsegPool *pools[3];
    tu_pools_create(pools, 3);
    int bad = 0;
    for (int iter = 0; iter < 3000; iter++) {
        const int w = tu_rng_range(&r, 1, iter < 2500 ? 70 : 700);
        const int h = tu_rng_range(&r, 1, iter < 2500 ? 70 : 300);
        TuImg t;
        tu_img_alloc_random_pad(&t, &r, w, h);
        if (iter % 3 == 0)
            tu_img_fill_levels(&t, &r, tu_rng_range(&r, 1, 4));
        else
            tu_img_fill_random(&t, &r);
        bad += !histogram_matches_ref(&t.img, pools[iter % 3], iter % 3 + 1);
        tu_img_free(&t);
    }
    CHECK_EQ_INT(bad, 0);
    tu_pools_destroy(pools, 3);
}

/* Frames of 2^18 pixels a chunk and more take the pair tables (histogram.c):
 * odd and even widths (an odd last pixel in every row), widths of 1 to 9 on
 * tall frames (pairs few or none), padded strides, noise, photo-like, few
 * levels and flat content, one to three threads (chunks on either side of
 * the switch). */
static void test_histogram_large(void)
{
    TuRng r;
    tu_rng_seed(&r, tu_seed(12));
    IsegPool *pools[3];
    tu_pools_create(pools, 3);
    int bad = 0;
    for (int iter = 0; iter < 48; iter++) {
        int w, h;
        if (iter % 4 == 3) {
            w = tu_rng_range(&r, 1, 9);
            h = (1 << 18) / w + tu_rng_range(&r, 0, 3000);
        } else {
            w = tu_rng_range(&r, 300, 2000);
            h = tu_rng_range(&r, (1 << 18) / w + 1, 1100);
        }
        TuImg t;
        tu_img_alloc_random_pad(&t, &r, w, h);
        switch (iter % 3) {
        case 0: tu_img_fill_random(&t, &r); break;
        case 1: tu_img_fill_photo(&t, &r); break;
        default: tu_img_fill_levels(&t, &r, tu_rng_range(&r, 1, 3)); break;
        }
        bad += !histogram_matches_ref(&t.img, pools[iter % 3], iter % 3 + 1);
        CHECK(tu_img_guard_ok(&t));
        tu_img_free(&t);
    }
    CHECK_EQ_INT(bad, 0);
    tu_pools_destroy(pools, 3);
}

/* Between-class variance of a partition computed from the pixels themselves,
 * not from a histogram: the brute-force search the fast scan must win. */
static double brute_between(const IsegImage *img, unsigned T)
{
    double n_b = 0, s_b = 0, n_f = 0, s_f = 0;
    for (int y = 0; y < img->height; y++)
        for (int x = 0; x < img->width; x++) {
            const unsigned v = img->data[y * img->stride + x];
            if (v < T) {
                n_b++;
                s_b += v;
            } else {
                n_f++;
                s_f += v;
            }
        }
    if (n_b == 0 || n_f == 0)
        return 0;
    const double n = n_b + n_f;
    const double d = s_b / n_b - s_f / n_f;
    return (n_b / n) * (n_f / n) * d * d;
}

/* The lecture's loop run on the pixels directly. */
static unsigned brute_iterative(const IsegImage *img, double eps)
{
    double n = 0, s = 0;
    for (int y = 0; y < img->height; y++)
        for (int x = 0; x < img->width; x++) {
            n++;
            s += img->data[y * img->stride + x];
        }
    double T = s / n;
    for (int it = 0; it < 1000; it++) {
        double n1 = 0, s1 = 0, n2 = 0, s2 = 0;
        for (int y = 0; y < img->height; y++)
            for (int x = 0; x < img->width; x++) {
                const double v = img->data[y * img->stride + x];
                if (v >= T) {
                    n1++;
                    s1 += v;
                } else {
                    n2++;
                    s2 += v;
                }
            }
        const double next = 0.5 * (s1 / n1 + s2 / n2);
        const double change = fabs(next - T);
        T = next;
        if (change < eps)
            break;
    }
    return (unsigned)ceil(T);
}

static void test_otsu_and_iterative_random(void)
{
    TuRng r;
    tu_rng_seed(&r, tu_seed(12));
    int bad_ref = 0, bad_brute = 0, bad_iter = 0;
    for (int iter = 0; iter < 1500; iter++) {
        const int w = tu_rng_range(&r, 1, 60), h = tu_rng_range(&r, 1, 60);
        TuImg t;
        tu_img_alloc_random_pad(&t, &r, w, h);
        switch (iter % 3) {
        case 0: tu_img_fill_levels(&t, &r, tu_rng_range(&r, 2, 6)); break;
        case 1: tu_img_fill_photo(&t, &r); break;
        default: tu_img_fill_random(&t, &r); break;
        }
        uint64_t hist[256];
        iseg_histogram(&t.img, hist, NULL);
        unsigned T_fast, T_ref;
        double b_fast, b_ref;
        iseg_otsu_threshold(hist, &T_fast, &b_fast);
        iseg_otsu_threshold_ref(hist, &T_ref, &b_ref);
        if (T_fast != T_ref || b_fast != b_ref)
            bad_ref++;
        unsigned first;
        for (first = 0; !hist[first]; first++) {
        }
        unsigned levels = 0;
        for (int v = 0; v < 256; v++)
            levels += hist[v] != 0;
        if (levels >= 2) {
            double best = 0;
            for (unsigned T = 1; T < 256; T++)
                best = fmax(best, brute_between(&t.img, T));
            const double mine = brute_between(&t.img, T_fast);
            /* no partition beats ours, and ours is the first of the best */
            if (mine < best * (1 - 1e-12))
                bad_brute++;
            for (unsigned T = 1; T < T_fast; T++)
                if (brute_between(&t.img, T) > mine * (1 + 1e-12))
                    bad_brute++;
            unsigned T_it;
            const double eps = iter % 2 ? 0.5 : 0.01;
            iseg_iterative_threshold(hist, eps, &T_it, NULL, NULL);
            if (T_it != brute_iterative(&t.img, eps)) {
                bad_iter++;
                fprintf(stderr, "iterative: %u vs brute %u\n", T_it, brute_iterative(&t.img, eps));
            }
        } else {
            CHECK_EQ_INT(T_fast, first + 1);
        }
        tu_img_free(&t);
    }
    CHECK_EQ_INT(bad_ref, 0);
    CHECK_EQ_INT(bad_brute, 0);
    CHECK_EQ_INT(bad_iter, 0);
}

static void test_constant_frames(void)
{
    for (int v = 0; v < 256; v += 51) {
        TuImg t;
        tu_img_alloc(&t, 7, 5, 1);
        for (int y = 0; y < 5; y++)
            memset(t.img.data + y * t.img.stride, v, 7);
        uint64_t hist[256];
        iseg_histogram(&t.img, hist, NULL);
        unsigned T;
        double b = -1;
        iseg_otsu_threshold(hist, &T, &b);
        CHECK_EQ_INT(T, v + 1);
        CHECK_EQ_INT(b, 0);
        iseg_iterative_threshold(hist, 0.5, &T, NULL, NULL);
        CHECK_EQ_INT(T, v + 1);
        CHECK_EQ_INT(iseg_histogram_count_foreground(hist, T, 0), 0);
        IsegFrame f = { .luma = t.img };
        iseg_threshold_frame(&f, T, 0, ISEG_OUTPUT_MASK, NULL);
        int fg = 0;
        for (int y = 0; y < 5; y++)
            for (int x = 0; x < 7; x++)
                fg += t.img.data[y * t.img.stride + x] != 0;
        CHECK_EQ_INT(fg, 0); /* a black (or any constant) frame is all background */
        tu_img_free(&t);
    }
}

static void test_iterative_two_levels(void)
{
    /* 0 and 200 in equal numbers: mean 100, means 0 and 200 -> T = 100 at once */
    uint64_t hist[256] = { 0 };
    hist[0] = 10;
    hist[200] = 10;
    unsigned T, it;
    double tr;
    CHECK_EQ_INT(iseg_iterative_threshold(hist, 0.5, &T, &tr, &it), 0);
    CHECK_EQ_INT(T, 100);
    CHECK_NEAR(tr, 100.0, 1e-12);
    CHECK_EQ_INT(it, 1);
    CHECK_EQ_INT(iseg_iterative_threshold(hist, 0, &T, NULL, NULL), -EINVAL);
    CHECK_EQ_INT(iseg_iterative_threshold(hist, NAN, &T, NULL, NULL), -EINVAL);
}

/* ------------------------------------------------------------ frames */

static void check_frame_case(TuRng *r, const TuLayout *l, int w, int h, unsigned T, int invert,
                             IsegThresholdOutput out, IsegPool *pool, int *bad)
{
    TuFrame a, b, src, orig, dst;
    tu_frame_alloc(&a, r, l, w, h);
    tu_frame_alloc(&b, r, l, w, h); /* other padding */
    tu_frame_alloc(&src, r, l, w, h);
    tu_frame_alloc(&orig, r, l, w, h);
    tu_frame_alloc(&dst, r, l, w, h); /* random contents: every sample must be written */
    tu_frame_copy(&b, &a);
    tu_frame_copy(&src, &a);
    tu_frame_copy(&orig, &a);
    iseg_threshold_frame_ref(&a.f, T, invert, out);
    iseg_threshold_frame(&b.f, T, invert, out, pool);
    /* out of place: dst == the reference, src untouched */
    const int ret = iseg_threshold_frame_to(&src.f, &dst.f, T, invert, out, pool);
    char what[128];
    snprintf(what, sizeof(what), "%s %dx%d T=%u inv=%d out=%d", l->name, w, h, T, invert, out);
    if (ret != 0 || !tu_frame_equal(&a, &b, what) || !tu_frame_equal(&a, &dst, what) ||
        !tu_frame_equal(&src, &orig, what) || !tu_frame_guard_ok(&a) || !tu_frame_guard_ok(&b) ||
        !tu_frame_guard_ok(&dst) || !tu_frame_guard_ok(&src))
        (*bad)++;
    tu_frame_free(&a);
    tu_frame_free(&b);
    tu_frame_free(&src);
    tu_frame_free(&orig);
    tu_frame_free(&dst);
}

static void test_frames_random(void)
{
    TuRng r;
    tu_rng_seed(&r, tu_seed(13));
    IsegPool *pool3 = NULL;
    iseg_pool_create(&pool3, 3);
    int bad = 0;
    static const int sizes[][2] = { { 385, 289 }, { 321, 241 }, { 1, 1 },
                                    { 1, 7 },     { 7, 1 },     { 2, 2 } };
    for (size_t li = 0; li < (size_t)tu_n_layouts; li++) {
        for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++)
            for (int inv = 0; inv < 2; inv++)
                for (int out = 0; out < 2; out++) {
                    const unsigned T = (unsigned)tu_rng_range(&r, 1, 255);
                    check_frame_case(&r, &tu_layouts[li], sizes[si][0], sizes[si][1], T, inv, out,
                                     si % 2 ? pool3 : NULL, &bad);
                }
        for (int iter = 0; iter < 200; iter++) {
            const unsigned Ts[] = { 0, 1, 255, 256 };
            const unsigned T =
                iter % 5 == 0 ? Ts[iter / 5 % 4] : (unsigned)tu_rng_range(&r, 0, 256);
            check_frame_case(&r, &tu_layouts[li], tu_rng_range(&r, 1, 50), tu_rng_range(&r, 1, 50),
                             T, iter & 1, (iter >> 1) & 1, iter % 3 ? pool3 : NULL, &bad);
        }
    }
    CHECK_EQ_INT(bad, 0);
    iseg_pool_destroy(pool3);
}

static void test_masked_chroma_rule(void)
{
    /* I420 4x2: left 2x2 block has one foreground pixel, right block none. */
    uint8_t y[8] = { 10, 10, 10, 10, 10, 200, 10, 10 };
    uint8_t u[2] = { 50, 60 }, v[2] = { 70, 80 };
    IsegFrame f = { .luma = { y, 4, 2, 4 },
                    .n_chroma = 2,
                    .chroma = { { u, 2, 1, 2 }, { v, 2, 1, 2 } },
                    .chroma_pixel_stride = 1,
                    .chroma_shift_x = 1,
                    .chroma_shift_y = 1 };
    CHECK_EQ_INT(iseg_threshold_frame(&f, 100, 0, ISEG_OUTPUT_MASKED, NULL), 0);
    const uint8_t y_expect[8] = { 0, 0, 0, 0, 0, 200, 0, 0 };
    CHECK(memcmp(y, y_expect, 8) == 0);
    CHECK_EQ_INT(u[0], 50);
    CHECK_EQ_INT(v[0], 70);
    CHECK_EQ_INT(u[1], 128);
    CHECK_EQ_INT(v[1], 128);
}

static void test_bad_arguments(void)
{
    uint8_t px[4] = { 0 };
    IsegImage img = { px, 2, 2, 2 };
    uint64_t hist[256];
    IsegImage bad = { px, 3, 2, 2 }; /* stride < width */
    CHECK_EQ_INT(iseg_histogram(&bad, hist, NULL), -EINVAL);
    CHECK_EQ_INT(iseg_histogram(NULL, hist, NULL), -EINVAL);
    CHECK_EQ_INT(iseg_histogram(&img, NULL, NULL), -EINVAL);
    IsegImage zero = { px, 0, 2, 2 };
    CHECK_EQ_INT(iseg_histogram_ref(&zero, hist), -EINVAL);
    IsegFrame f = { .luma = img };
    CHECK_EQ_INT(iseg_threshold_frame(&f, 257, 0, ISEG_OUTPUT_MASK, NULL), -EINVAL);
    CHECK_EQ_INT(iseg_threshold_frame(&f, 3, 0, (IsegThresholdOutput)7, NULL), -EINVAL);
    f.n_chroma = 2; /* chroma planes missing */
    CHECK_EQ_INT(iseg_threshold_frame(&f, 3, 0, ISEG_OUTPUT_MASK, NULL), -EINVAL);
    /* out of place: sizes and layouts must match, planes must not overlap */
    uint8_t big[64] = { 0 };
    IsegFrame s1 = { .luma = { big, 4, 4, 4 } }, d1 = { .luma = { big + 16, 4, 4, 4 } };
    CHECK_EQ_INT(iseg_threshold_frame_to(&s1, &d1, 3, 0, ISEG_OUTPUT_MASK, NULL), 0);
    d1.luma.data = big + 12; /* shares s1's last row */
    CHECK_EQ_INT(iseg_threshold_frame_to(&s1, &d1, 3, 0, ISEG_OUTPUT_MASK, NULL), -EINVAL);
    d1.luma.data = big;
    d1.luma.stride = 5; /* same start, other stride: overlapping, not in place */
    CHECK_EQ_INT(iseg_threshold_frame_to(&s1, &d1, 3, 0, ISEG_OUTPUT_MASK, NULL), -EINVAL);
    d1 = (IsegFrame){ .luma = { big + 16, 3, 4, 4 } };
    CHECK_EQ_INT(iseg_threshold_frame_to(&s1, &d1, 3, 0, ISEG_OUTPUT_MASK, NULL), -EINVAL);
    d1 = (IsegFrame){ .luma = { big + 32, 4, 4, 4 } };
    CHECK_EQ_INT(iseg_threshold_frame_to(&s1, &d1, 3, 0, ISEG_OUTPUT_MASK, NULL), 0);
    CHECK_EQ_INT(iseg_threshold_frame_to(NULL, &d1, 3, 0, ISEG_OUTPUT_MASK, NULL), -EINVAL);
    memset(hist, 0, sizeof(hist));
    IsegOtsuStats st;
    CHECK_EQ_INT(iseg_otsu_stats(hist, 3, &st), -EINVAL); /* no pixels */
    CHECK_EQ_INT(iseg_otsu_stats(hist, 300, &st), -EINVAL);
    unsigned T;
    CHECK_EQ_INT(iseg_otsu_threshold(hist, &T, NULL), 0); /* empty: nothing foreground */
    CHECK_EQ_INT(T, 256);
}

int main(void)
{
    RUN(test_lecture_example);
    RUN(test_histogram_random);
    RUN(test_histogram_large);
    RUN(test_otsu_and_iterative_random);
    RUN(test_constant_frames);
    RUN(test_iterative_two_levels);
    RUN(test_frames_random);
    RUN(test_masked_chroma_rule);
    RUN(test_bad_arguments);
    return tu_finish();
}
