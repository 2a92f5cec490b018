/* k-means segmentation: the lecture's loop on hand-checked point sets, the
 * textbook loop over pixels, fast == reference on random frames, determinism
 * across runs and pool sizes, label stability on a moving scene, channel
 * orders, more clusters than colors, bad arguments. */
#include "testutil.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ helpers */

/* A packed-pixel image with random row padding and guard bytes. */
typedef struct TuPx {
    TuImg t;
    IsegPixels px;
} TuPx;

static void tu_px_alloc(TuPx *p, IsegPixelFormat fmt, int w, int h, int pad)
{
    IsegPixels probe;
    uint8_t dummy[4];
    iseg_pixels_init(&probe, fmt, dummy, 1, 1, 4);
    tu_img_alloc(&p->t, w * probe.bytes_per_pixel, h, pad);
    CHECK_EQ_INT(iseg_pixels_init(&p->px, fmt, p->t.img.data, w, h, p->t.img.stride), 0);
}

static void tu_px_free(TuPx *p)
{
    tu_img_free(&p->t);
}

static uint8_t *px_at(const IsegPixels *px, int x, int y)
{
    return px->data + (ptrdiff_t)y * px->stride + (ptrdiff_t)x * px->bytes_per_pixel;
}

static void px_set(IsegPixels *px, int x, int y, const uint8_t rgb[3])
{
    uint8_t *p = px_at(px, x, y);
    if (px->bytes_per_pixel == 1) {
        p[0] = rgb[0];
    } else {
        p[px->r] = rgb[0];
        p[px->g] = rgb[1];
        p[px->b] = rgb[2];
    }
}

static void px_get(const IsegPixels *px, int x, int y, unsigned v[3])
{
    const uint8_t *p = px_at(px, x, y);
    if (px->bytes_per_pixel == 1) {
        v[0] = v[1] = v[2] = p[0];
    } else {
        v[0] = p[px->r];
        v[1] = p[px->g];
        v[2] = p[px->b];
    }
}

static void px_copy(IsegPixels *dst, const IsegPixels *src)
{
    for (int y = 0; y < src->height; y++)
        for (int x = 0; x < src->width; x++) {
            unsigned v[3];
            px_get(src, x, y, v);
            const uint8_t c[3] = { (uint8_t)v[0], (uint8_t)v[1], (uint8_t)v[2] };
            px_set(dst, x, y, c);
        }
}

/* Fill kinds: a photo-like scene (smooth regions, edges, noise), uniform
 * noise, or a few colors. */
enum { FILL_PHOTO, FILL_NOISE, FILL_FEW };

static void fill_px(IsegPixels *px, TuRng *r, int kind, int few)
{
    uint8_t pal[16][3];
    for (int i = 0; i < 16; i++)
        for (int d = 0; d < 3; d++)
            pal[i][d] = (uint8_t)tu_rng_range(r, 0, 255);
    const double fx = 0.02 + 0.1 * tu_rng_double(r), fy = 0.02 + 0.1 * tu_rng_double(r);
    const double ph = 6.28 * tu_rng_double(r);
    const int noise = tu_rng_range(r, 0, 40);
    for (int y = 0; y < px->height; y++)
        for (int x = 0; x < px->width; x++) {
            uint8_t c[3];
            if (kind == FILL_NOISE) {
                for (int d = 0; d < 3; d++)
                    c[d] = (uint8_t)tu_rng_next(r);
            } else if (kind == FILL_FEW) {
                memcpy(c, pal[tu_rng_range(r, 0, few - 1)], 3);
            } else {
                const int region =
                    ((x / 23 + y / 17) % 5 + (sin(fx * x + ph) * cos(fy * y) > 0.3)) % 6;
                for (int d = 0; d < 3; d++) {
                    double v = pal[region][d] + 25 * sin(fx * x * (d + 1) + ph) +
                               noise * (tu_rng_double(r) - 0.5);
                    c[d] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
                }
            }
            px_set(px, x, y, c);
        }
}

/* Each color value moved by up to +-amp (clamped): the same scene, the
 * next frame of a noisy camera. */
static void add_noise(IsegPixels *px, TuRng *r, int amp)
{
    for (int y = 0; y < px->height; y++)
        for (int x = 0; x < px->width; x++) {
            unsigned v[3];
            px_get(px, x, y, v);
            uint8_t c[3];
            for (int d = 0; d < 3; d++) {
                const int t = (int)v[d] + tu_rng_range(r, -amp, amp);
                c[d] = (uint8_t)(t < 0 ? 0 : t > 255 ? 255 : t);
            }
            px_set(px, x, y, c);
        }
}

static int min_int(int a, int b)
{
    return a < b ? a : b;
}

static IsegKmeansSettings settings_k(int k)
{
    IsegKmeansSettings s;
    iseg_kmeans_default_settings(&s);
    s.k = k;
    return s;
}

/* Feature vector of pixel (x, y) as the header defines it. */
static int pixel_feature(const IsegPixels *px, int x, int y, const IsegKmeansSettings *s, double *f)
{
    unsigned v[3];
    px_get(px, x, y, v);
    int d = 0;
    if (px->bytes_per_pixel == 1) {
        f[d++] = v[0];
    } else {
        for (int i = 0; i < 3; i++)
            f[d++] = v[i];
    }
    if (s->features == ISEG_KMEANS_COLOR_POSITION) {
        const double ux = px->width > 1 ? 255.0 / (px->width - 1) : 0;
        const double uy = px->height > 1 ? 255.0 / (px->height - 1) : 0;
        f[d++] = s->spatial_weight * (ux * x);
        f[d++] = s->spatial_weight * (uy * y);
    }
    return d;
}

/* Center j of a result in feature space. */
static void center_feature(const IsegKmeansResult *r, int j, const IsegKmeansSettings *s, int cdims,
                           double *f)
{
    for (int d = 0; d < r->dims; d++)
        f[d] = d < cdims ? r->centers[j][d] : s->spatial_weight * r->centers[j][d];
}

static double dist2(const double *a, const double *b, int n)
{
    double s = 0;
    for (int d = 0; d < n; d++)
        s += (a[d] - b[d]) * (a[d] - b[d]);
    return s;
}

/* Independent checks of a result against the pixels: every label is the
 * nearest center (lowest label on a tie) or, when prev is given (the call
 * applied the label hysteresis), the previous label where the header's rule
 * keeps it; counts add up; the inertia is the sum of squared distances (to
 * rounding). Returns 1 if all hold. */
static int check_labels_consistent(const IsegPixels *px, const IsegImage *labels,
                                   const IsegImage *prev, const IsegKmeansSettings *s,
                                   const IsegKmeansResult *r)
{
    const int cdims = px->bytes_per_pixel == 1 ? 1 : 3;
    uint64_t counts[ISEG_KMEANS_MAX_K] = { 0 };
    long double inertia = 0, scale = 0;
    int ok = 1;
    for (int y = 0; y < px->height && ok; y++)
        for (int x = 0; x < px->width; x++) {
            double f[5], c[5];
            const int n = pixel_feature(px, x, y, s, f);
            int best = 0;
            double bd = INFINITY;
            for (int j = 0; j < r->k; j++) {
                center_feature(r, j, s, cdims, c);
                const double d = dist2(f, c, n);
                if (d < bd) {
                    bd = d;
                    best = j;
                }
            }
            const int l = labels->data[(ptrdiff_t)y * labels->stride + x];
            if (!(l < r->k)) {
                fprintf(stderr, "pixel (%d,%d): label %d of k = %d\n", x, y, l, r->k);
                ok = 0;
                break;
            }
            int expect = best;
            double margin = INFINITY; /* how far from the rule's boundary */
            if (prev) {
                const int p = prev->data[(ptrdiff_t)y * prev->stride + x];
                center_feature(r, p, s, cdims, c);
                const double excess = sqrt(dist2(f, c, n)) - (sqrt(bd) + s->hysteresis);
                if (p != best && excess < 0)
                    expect = p;
                margin = fabs(excess);
            }
            if (l != expect && margin > 1e-9) {
                /* allow only a rounding-level tie of the nearest */
                center_feature(r, l, s, cdims, c);
                if (expect != best || dist2(f, c, n) > bd * (1 + 1e-12) + 1e-9) {
                    fprintf(stderr, "pixel (%d,%d): label %d, expected %d (nearest %d)\n", x, y, l,
                            expect, best);
                    ok = 0;
                    break;
                }
            }
            counts[l]++;
            center_feature(r, l, s, cdims, c);
            inertia += dist2(f, c, n);
            scale += dist2(f, (const double[5]){ 0, 0, 0, 0, 0 }, n);
        }
    for (int j = 0; j < r->k && ok; j++)
        if (counts[j] != r->counts[j]) {
            fprintf(stderr, "label %d: %llu pixels, result says %llu\n", j,
                    (unsigned long long)counts[j], (unsigned long long)r->counts[j]);
            ok = 0;
        }
    if (ok && fabsl(inertia - r->inertia) > 1e-9L * (scale + 1)) {
        fprintf(stderr, "inertia %.9Lg, result says %.9g\n", inertia, r->inertia);
        ok = 0;
    }
    return ok;
}

/* ------------------------------------------------------------ the lecture's loop by hand */

static void test_lecture_loop_gray(void)
{
    /* Six gray pixels 0 2 4 10 12 14, k = 2, starting from centers 0 and 2.
     *  assign: {0} {2 4 10 12 14}   means: 0, 42/5 = 8.4
     *  assign: {0 2 4} {10 12 14}   (4: |4-0| = 4 < |4-8.4| = 4.4)  means: 2, 12
     *  assign: the same             means: 2, 12 -> no center moved: stop.
     * Three updates; inertia 4 + 0 + 4 + 4 + 0 + 4 = 16. */
    const uint8_t v[6] = { 0, 2, 4, 10, 12, 14 };
    TuPx p;
    tu_px_alloc(&p, ISEG_PIXEL_GRAY8, 3, 2, 5);
    for (int i = 0; i < 6; i++)
        px_set(&p.px, i % 3, i / 3, (const uint8_t[3]){ v[i], v[i], v[i] });
    TuImg lab;
    tu_img_alloc(&lab, 3, 2, 2);
    IsegKmeans *km = NULL;
    CHECK_EQ_INT(iseg_kmeans_create(&km, 3, 2), 0);
    IsegKmeansSettings s = settings_k(2);
    s.epsilon = 0;
    s.max_iterations = 100;
    s.output = ISEG_KMEANS_OUTPUT_CENTERS;
    const double init[2] = { 0, 2 };
    for (int ref = 0; ref < 2; ref++) {
        TuPx out;
        tu_px_alloc(&out, ISEG_PIXEL_GRAY8, 3, 2, 1);
        CHECK_EQ_INT(iseg_kmeans_set_centers(km, 2, 1, init), 0);
        IsegKmeansResult r;
        if (ref)
            CHECK_EQ_INT(iseg_kmeans_segment_ref(km, &s, &p.px, &out.px, &lab.img, &r), 0);
        else
            CHECK_EQ_INT(iseg_kmeans_segment(km, &s, &p.px, &out.px, &lab.img, &r, NULL), 0);
        CHECK_EQ_INT(r.k, 2);
        CHECK_EQ_INT(r.dims, 1);
        CHECK_EQ_INT(r.warm, 1);
        CHECK(r.centers[0][0] == 2.0);
        CHECK(r.centers[1][0] == 12.0);
        CHECK_EQ_INT(r.iterations, 3);
        CHECK(r.inertia == 16.0);
        CHECK_EQ_INT(r.counts[0], 3);
        CHECK_EQ_INT(r.counts[1], 3);
        for (int i = 0; i < 6; i++) {
            CHECK_EQ_INT(lab.img.data[(i / 3) * lab.img.stride + i % 3], i < 3 ? 0 : 1);
            CHECK_EQ_INT(px_at(&out.px, i % 3, i / 3)[0], i < 3 ? 2 : 12);
        }
        CHECK(tu_img_guard_ok(&out.t));
        tu_px_free(&out);
    }
    /* one update allowed: the loop stops after the first move */
    s.max_iterations = 1;
    CHECK_EQ_INT(iseg_kmeans_set_centers(km, 2, 1, init), 0);
    IsegKmeansResult r;
    CHECK_EQ_INT(iseg_kmeans_segment(km, &s, &p.px, NULL, &lab.img, &r, NULL), 0);
    CHECK(r.centers[0][0] == 0.0);
    CHECK(fabs(r.centers[1][0] - 8.4) < 1e-12);
    CHECK_EQ_INT(r.iterations, 1);
    /* then the labels are the nearest of 0 and 8.4: {0 2 4} {10 12 14} */
    CHECK_EQ_INT(lab.img.data[2], 0);
    CHECK_EQ_INT(lab.img.data[lab.img.stride], 1);
    /* epsilon 6.4 stops after the first update (it moved 8.4 - 2 = 6.4) */
    s.max_iterations = 100;
    s.epsilon = 6.4;
    CHECK_EQ_INT(iseg_kmeans_set_centers(km, 2, 1, init), 0);
    CHECK_EQ_INT(iseg_kmeans_segment(km, &s, &p.px, NULL, NULL, &r, NULL), 0);
    CHECK_EQ_INT(r.iterations, 1);
    s.epsilon = 6.3;
    CHECK_EQ_INT(iseg_kmeans_set_centers(km, 2, 1, init), 0);
    CHECK_EQ_INT(iseg_kmeans_segment(km, &s, &p.px, NULL, NULL, &r, NULL), 0);
    CHECK_EQ_INT(r.iterations, 2);
    CHECK(tu_img_guard_ok(&p.t));
    CHECK(tu_img_guard_ok(&lab));
    iseg_kmeans_destroy(km);
    tu_px_free(&p);
    tu_img_free(&lab);
}

static void test_lecture_loop_color(void)
{
    /* Six colors, k = 2, starting (badly) from (0,0,0) and (30,0,0):
     *  assign: {(0,0,0) (0,40,0)} {(30,0,0) (200,200,200) (230,200,200) (200,240,200)}
     *          ((0,40,0): 1600 < 900 + 1600)
     *  means:  (0,20,0)  (660/4, 640/4, 600/4) = (165,160,150)
     *  assign: {the three dark} {the three light}  ((30,0,0): 900 + 400 = 1300 to the first)
     *  means:  (10, 40/3, 0)  (210, 640/3, 200)
     *  assign: the same, no center moves: 3 updates.
     * Inertia: each cluster 100+1600/9 + 400+1600/9 + 100+6400/9 = 5000/3, 10000/3 in all. */
    const uint8_t col[6][3] = { { 0, 0, 0 },       { 30, 0, 0 },      { 0, 40, 0 },
                                { 200, 200, 200 }, { 230, 200, 200 }, { 200, 240, 200 } };
    for (int fmt = 0; fmt < ISEG_PIXEL_GRAY8; fmt++) {
        TuPx p;
        tu_px_alloc(&p, (IsegPixelFormat)fmt, 2, 3, fmt);
        for (int i = 0; i < 6; i++)
            px_set(&p.px, i % 2, i / 2, col[i]);
        IsegKmeans *km = NULL;
        iseg_kmeans_create(&km, 2, 3);
        IsegKmeansSettings s = settings_k(2);
        s.epsilon = 0;
        const double init[6] = { 0, 0, 0, 30, 0, 0 };
        IsegKmeansResult r;
        iseg_kmeans_set_centers(km, 2, 3, init);
        CHECK_EQ_INT(iseg_kmeans_segment(km, &s, &p.px, NULL, NULL, &r, NULL), 0);
        CHECK_EQ_INT(r.iterations, 3);
        CHECK_NEAR(r.centers[0][0], 10, 1e-12);
        CHECK_NEAR(r.centers[0][1], 40.0 / 3, 1e-12);
        CHECK_NEAR(r.centers[0][2], 0, 1e-12);
        CHECK_NEAR(r.centers[1][0], 210, 1e-12);
        CHECK_NEAR(r.centers[1][1], 640.0 / 3, 1e-12);
        CHECK_NEAR(r.centers[1][2], 200, 1e-12);
        CHECK_NEAR(r.inertia, 10000.0 / 3, 1e-6);
        CHECK_EQ_INT(r.counts[0], 3);
        /* in place, palette output: alpha / x bytes stay */
        s.output = ISEG_KMEANS_OUTPUT_PALETTE;
        iseg_kmeans_set_centers(km, 2, 3, init);
        CHECK_EQ_INT(iseg_kmeans_segment(km, &s, &p.px, &p.px, NULL, &r, NULL), 0);
        uint8_t pal0[3], pal1[3];
        iseg_kmeans_palette_color(0, pal0);
        iseg_kmeans_palette_color(1, pal1);
        for (int i = 0; i < 6; i++) {
            unsigned v[3];
            px_get(&p.px, i % 2, i / 2, v);
            const uint8_t *e = i == 0 || i == 1 || i == 2 ? pal0 : pal1;
            CHECK(v[0] == e[0] && v[1] == e[1] && v[2] == e[2]);
        }
        CHECK(tu_img_guard_ok(&p.t));
        if (p.px.bytes_per_pixel == 4) {
            /* the 4th byte of each pixel was 0 (tu_img_alloc) and must still be */
            const int other = 6 - p.px.r - p.px.g - p.px.b;
            for (int i = 0; i < 6; i++)
                CHECK_EQ_INT(px_at(&p.px, i % 2, i / 2)[other], 0);
        }
        iseg_kmeans_destroy(km);
        tu_px_free(&p);
    }
}

static void test_lecture_loop_position(void)
{
    /* A 4x1 gray row 0 0 0 100: positions X = 0, 85, 170, 255 (255 x / 3).
     * color only, k = 2 from centers 0, 100: {0 0 0} {100}.
     * color + position, weight 1, from (V, X, Y) = (0, 0, 0) and (100, 255, 0):
     *  assign: pixel 3 (0, 170): 170^2 = 28900 to the first,
     *          100^2 + 85^2 = 17225 to the second -> {p0 p1} {p2 p3}
     *  means:  (0, 42.5, 0)  (50, 212.5, 0)
     *  assign: the same -> 2 updates. Inertia 2 * 42.5^2 + 2 * (50^2 + 42.5^2) = 12225. */
    TuPx p;
    tu_px_alloc(&p, ISEG_PIXEL_GRAY8, 4, 1, 3);
    const uint8_t v[4] = { 0, 0, 0, 100 };
    for (int x = 0; x < 4; x++)
        px_set(&p.px, x, 0, (const uint8_t[3]){ v[x], v[x], v[x] });
    TuImg lab;
    tu_img_alloc(&lab, 4, 1, 0);
    IsegKmeans *km = NULL;
    iseg_kmeans_create(&km, 4, 1);
    IsegKmeansSettings s = settings_k(2);
    s.epsilon = 0;
    IsegKmeansResult r;
    iseg_kmeans_set_centers(km, 2, 1, (const double[]){ 0, 100 });
    CHECK_EQ_INT(iseg_kmeans_segment(km, &s, &p.px, NULL, &lab.img, &r, NULL), 0);
    CHECK(lab.img.data[2] == 0 && lab.img.data[3] == 1);
    CHECK(r.inertia == 0);

    s.features = ISEG_KMEANS_COLOR_POSITION;
    s.spatial_weight = 1;
    iseg_kmeans_set_centers(km, 2, 3, (const double[]){ 0, 0, 0, 100, 255, 0 });
    for (int ref = 0; ref < 2; ref++) {
        if (ref) {
            iseg_kmeans_set_centers(km, 2, 3, (const double[]){ 0, 0, 0, 100, 255, 0 });
            CHECK_EQ_INT(iseg_kmeans_segment_ref(km, &s, &p.px, NULL, &lab.img, &r), 0);
        } else {
            CHECK_EQ_INT(iseg_kmeans_segment(km, &s, &p.px, NULL, &lab.img, &r, NULL), 0);
        }
        CHECK_EQ_INT(r.dims, 3);
        CHECK(lab.img.data[0] == 0 && lab.img.data[1] == 0 && lab.img.data[2] == 1 &&
              lab.img.data[3] == 1);
        CHECK_EQ_INT(r.iterations, 2);
        CHECK_NEAR(r.centers[0][0], 0, 1e-12);
        CHECK_NEAR(r.centers[0][1], 42.5, 1e-12);
        CHECK_NEAR(r.centers[1][0], 50, 1e-12);
        CHECK_NEAR(r.centers[1][1], 212.5, 1e-12);
        CHECK_NEAR(r.centers[1][2], 0, 1e-12);
        CHECK_NEAR(r.inertia, 12225, 1e-6);
    }
    /* weight 0: positions do not matter, back to {0 0 0} {100} */
    s.spatial_weight = 0;
    iseg_kmeans_set_centers(km, 2, 3, (const double[]){ 0, 0, 0, 100, 255, 0 });
    CHECK_EQ_INT(iseg_kmeans_segment(km, &s, &p.px, NULL, &lab.img, &r, NULL), 0);
    CHECK(lab.img.data[2] == 0 && lab.img.data[3] == 1);
    CHECK_NEAR(r.centers[0][1], 85, 1e-12); /* mean X of pixels 0..2, unweighted */
    iseg_kmeans_destroy(km);
    tu_px_free(&p);
    tu_img_free(&lab);
}

/* ------------------------------------------------------------ the textbook loop over pixels */

/* The lecture's loop written plainly over the pixels, from given centers:
 * assign each pixel to its nearest center (lowest index on a tie), move each
 * center to the mean of its pixels, stop when none moved more than eps.
 * Returns the number of updates, or -1 if a cluster became empty (the
 * library's empty-cluster rule is not modelled here). */
static int textbook_kmeans(const IsegPixels *px, const IsegKmeansSettings *s, double centers[][5],
                           int dims, uint8_t *labels)
{
    const int n = px->width * px->height, k = s->k, cdims = px->bytes_per_pixel == 1 ? 1 : 3;
    double *f = malloc((size_t)n * 5 * sizeof(double));
    long long(*ints)[5] = malloc((size_t)n * sizeof(*ints));
    for (int y = 0; y < px->height; y++)
        for (int x = 0; x < px->width; x++) {
            const int i = y * px->width + x;
            pixel_feature(px, x, y, s, f + 5 * i);
            unsigned v[3];
            px_get(px, x, y, v);
            for (int d = 0; d < cdims; d++)
                ints[i][d] = v[d];
            ints[i][cdims] = x;
            ints[i][cdims + 1] = y;
        }
    const double ux = px->width > 1 ? 255.0 / (px->width - 1) : 0;
    const double uy = px->height > 1 ? 255.0 / (px->height - 1) : 0;
    int it = 0;
    for (;;) {
        double cf[ISEG_KMEANS_MAX_K][5];
        for (int j = 0; j < k; j++)
            for (int d = 0; d < dims; d++)
                cf[j][d] = d < cdims ? centers[j][d] : s->spatial_weight * centers[j][d];
        for (int i = 0; i < n; i++) {
            int best = 0;
            double bd = INFINITY;
            for (int j = 0; j < k; j++) {
                double dd = 0;
                for (int d = 0; d < dims; d++)
                    dd += (f[5 * i + d] - cf[j][d]) * (f[5 * i + d] - cf[j][d]);
                if (dd < bd) {
                    bd = dd;
                    best = j;
                }
            }
            labels[i] = (uint8_t)best;
        }
        long long cnt[ISEG_KMEANS_MAX_K] = { 0 }, sum[ISEG_KMEANS_MAX_K][5] = { { 0 } };
        for (int i = 0; i < n; i++) {
            cnt[labels[i]]++;
            for (int d = 0; d < dims; d++)
                sum[labels[i]][d] += ints[i][d];
        }
        double maxmove = 0;
        for (int j = 0; j < k; j++) {
            if (!cnt[j]) {
                it = -1;
                goto done;
            }
            double next[5], nf[5];
            for (int d = 0; d < dims; d++) {
                const double mean = (double)sum[j][d] / (double)cnt[j];
                next[d] = d < cdims ? mean : (d == cdims ? ux : uy) * mean;
                nf[d] = d < cdims ? next[d] : s->spatial_weight * next[d];
            }
            maxmove = fmax(maxmove, sqrt(dist2(nf, cf[j], dims)));
            memcpy(centers[j], next, sizeof(next));
        }
        it++;
        if (maxmove <= s->epsilon || it >= s->max_iterations)
            break;
    }
done:
    free(f);
    free(ints);
    return it;
}

/* Colors whose 5-bit histogram bins are all different: then every histogram
 * point is one exact color and the loop on the coreset is the loop on the
 * pixels. */
static void distinct_bin_palette(TuRng *r, uint8_t pal[][3], int n, int gray)
{
    for (int i = 0; i < n; i++) {
        int again;
        do {
            for (int d = 0; d < 3; d++)
                pal[i][d] = (uint8_t)tu_rng_range(r, 0, 255);
            again = 0;
            for (int j = 0; j < i; j++)
                again |= gray ? pal[i][0] == pal[j][0]
                              : (pal[i][0] >> 3) == (pal[j][0] >> 3) &&
                                    (pal[i][1] >> 3) == (pal[j][1] >> 3) &&
                                    (pal[i][2] >> 3) == (pal[j][2] >> 3);
        } while (again);
    }
}

static void test_textbook_loop(void)
{
    TuRng r;
    tu_rng_seed(&r, tu_seed(31));
    int compared = 0, skipped = 0, bad = 0;
    IsegKmeans *km = NULL;
    iseg_kmeans_create(&km, 200, 200);
    for (int iter = 0; iter < 300; iter++) {
        const int w = tu_rng_range(&r, 1, 40), h = tu_rng_range(&r, 1, 40);
        const int kind = iter % 3; /* 0 gray, 1 color, 2 color + position */
        TuPx p;
        tu_px_alloc(&p, kind == 0 ? ISEG_PIXEL_GRAY8 : (IsegPixelFormat)tu_rng_range(&r, 0, 9), w,
                    h, tu_rng_range(&r, 0, 9));
        if (w * h < 6) {
            tu_px_free(&p);
            continue;
        }
        IsegKmeansSettings s = settings_k(tu_rng_range(&r, 2, 6));
        uint8_t pal[24][3];
        const int ncol = tu_rng_range(&r, s.k, 24);
        distinct_bin_palette(&r, pal, ncol, kind == 0);
        /* the first k pixels (row-major) take the first k colors, and the
         * loop starts from them: distinct starting points */
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                const int i = y * w + x;
                px_set(&p.px, x, y, pal[i < s.k ? i : tu_rng_range(&r, 0, ncol - 1)]);
            }
        s.epsilon = iter % 4 == 0 ? 0.5 : 0;
        s.max_iterations = 100;
        if (kind == 2) {
            s.features = ISEG_KMEANS_COLOR_POSITION;
            s.spatial_weight = tu_rng_double(&r) * 2;
        }
        const int dims = (kind == 0 ? 1 : 3) + (kind == 2 ? 2 : 0);
        double init[ISEG_KMEANS_MAX_K * 5], tb[ISEG_KMEANS_MAX_K][5];
        for (int j = 0; j < s.k; j++) {
            const int x = j < w * h ? j % w : 0, y = j < w * h ? j / w : 0;
            unsigned v[3];
            px_get(&p.px, x, y, v);
            for (int d = 0; d < dims; d++) {
                const int cd = kind == 0 ? 1 : 3;
                init[j * dims + d] = d < cd    ? v[d]
                                     : d == cd ? (w > 1 ? 255.0 * x / (w - 1) : 0)
                                               : (h > 1 ? 255.0 * y / (h - 1) : 0);
                tb[j][d] = init[j * dims + d];
            }
        }
        uint8_t *tl = malloc((size_t)w * h);
        const int it = textbook_kmeans(&p.px, &s, tb, dims, tl);
        if (it < 0) {
            skipped++;
        } else {
            TuImg lab;
            tu_img_alloc(&lab, w, h, 3);
            IsegKmeansResult res;
            iseg_kmeans_set_centers(km, s.k, dims, init);
            iseg_kmeans_segment(km, &s, &p.px, NULL, &lab.img, &res, NULL);
            int same = res.iterations == it;
            for (int j = 0; j < s.k; j++)
                for (int d = 0; d < dims; d++)
                    same &= res.centers[j][d] == tb[j][d];
            /* with epsilon > 0 the textbook's labels are the last assignment,
             * the library's the assignment to the final centers: compare
             * labels when the loop converged (epsilon 0) */
            if (s.epsilon == 0 && it < s.max_iterations)
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++)
                        same &= lab.img.data[y * lab.img.stride + x] == tl[y * w + x];
            if (!same) {
                bad++;
                fprintf(stderr, "textbook mismatch: kind %d %dx%d k=%d it %d vs %d\n", kind, w, h,
                        s.k, it, res.iterations);
            }
            compared++;
            tu_img_free(&lab);
        }
        free(tl);
        tu_px_free(&p);
    }
    iseg_kmeans_destroy(km);
    CHECK_EQ_INT(bad, 0);
    CHECK_MSG(compared > 250, "only %d of %d compared", compared, compared + skipped);
    printf("  %d compared with the textbook loop, %d skipped (a cluster emptied)\n", compared,
           skipped);
}

/* ------------------------------------------------------------ fast == reference */

static int results_equal(const IsegKmeansResult *a, const IsegKmeansResult *b)
{
    if (a->k != b->k || a->dims != b->dims || a->iterations != b->iterations || a->warm != b->warm)
        return 0;
    if (memcmp(&a->inertia, &b->inertia, sizeof(double)) != 0)
        return 0;
    for (int j = 0; j < a->k; j++) {
        if (a->counts[j] != b->counts[j])
            return 0;
        if (memcmp(a->centers[j], b->centers[j], (size_t)a->dims * sizeof(double)) != 0)
            return 0;
    }
    return 1;
}

static void random_settings(TuRng *r, IsegKmeansSettings *s)
{
    iseg_kmeans_default_settings(s);
    s->k = tu_rng_range(r, 0, 3) ? tu_rng_range(r, 2, 12) : tu_rng_range(r, 2, 64);
    s->features = tu_rng_range(r, 0, 2) ? ISEG_KMEANS_COLOR : ISEG_KMEANS_COLOR_POSITION;
    s->spatial_weight = tu_rng_range(r, 0, 4) ? tu_rng_double(r) * 3 : 0;
    s->max_iterations = tu_rng_range(r, 1, 20);
    s->epsilon = tu_rng_range(r, 0, 2) ? tu_rng_double(r) * 2 : 0;
    s->init = tu_rng_range(r, 0, 3) ? ISEG_KMEANS_INIT_PP : ISEG_KMEANS_INIT_RANDOM;
    s->seed = (uint32_t)tu_rng_next(r);
    s->output = (IsegKmeansOutput)tu_rng_range(r, 0, 2);
    s->hysteresis = tu_rng_range(r, 0, 3) ? tu_rng_double(r) * 40 : 0;
}

/* features: -1 random, else forced */
static void check_fast_vs_ref(TuRng *r, int w, int h, int features, IsegPool *pool, int *bad,
                              int *checked)
{
    const IsegPixelFormat fmt = (IsegPixelFormat)tu_rng_range(r, 0, ISEG_PIXEL_GRAY8);
    TuPx src, a, b;
    tu_px_alloc(&src, fmt, w, h, tu_rng_range(r, 0, 31));
    tu_px_alloc(&a, fmt, w, h, tu_rng_range(r, 0, 31));
    tu_px_alloc(&b, fmt, w, h, tu_rng_range(r, 0, 31));
    const int kind = tu_rng_range(r, 0, 2);
    fill_px(&src.px, r, kind, tu_rng_range(r, 1, 12));
    px_copy(&a.px, &src.px);
    px_copy(&b.px, &src.px);
    TuImg la, lb;
    tu_img_alloc_random_pad(&la, r, w, h);
    tu_img_alloc_random_pad(&lb, r, w, h);
    IsegKmeansSettings s;
    random_settings(r, &s);
    if (features >= 0) {
        s.features = (IsegKmeansFeatures)features;
        s.k = min_int(s.k, 16);
    }
    IsegKmeans *ka = NULL, *kb = NULL;
    iseg_kmeans_create(&ka, w + tu_rng_range(r, 0, 3), h);
    iseg_kmeans_create(&kb, w, h + tu_rng_range(r, 0, 3));
    const int in_place = tu_rng_range(r, 0, 1);
    /* the labels of the frame before, for the hysteresis check */
    const int hyst = s.warm_start && s.hysteresis > 0;
    TuImg prev;
    tu_img_alloc(&prev, w, h, 0);
    /* three frames: a cold start, then (when warm_start) warm ones on
     * slightly changed frames, the second and third with the label
     * hysteresis */
    for (int frame = 0; frame < 3; frame++) {
        IsegKmeansResult ra, rb;
        memset(&ra, 0x55, sizeof(ra));
        memset(&rb, 0xAA, sizeof(rb));
        IsegPixels *da = in_place ? &a.px : &a.px, *db = &b.px;
        const IsegPixels *sa = in_place ? &a.px : &src.px, *sb = in_place ? &b.px : &src.px;
        const int ea = iseg_kmeans_segment(ka, &s, sa, da, &la.img, &ra, pool);
        const int eb = iseg_kmeans_segment_ref(kb, &s, sb, db, &lb.img, &rb);
        (*checked)++;
        int ok = ea == 0 && eb == 0 && results_equal(&ra, &rb);
        ok = ok && tu_img_equal(&a.t.img, &b.t.img, "output") &&
             tu_img_equal(&la.img, &lb.img, "labels");
        ok = ok && tu_img_guard_ok(&a.t) && tu_img_guard_ok(&b.t) && tu_img_guard_ok(&la) &&
             tu_img_guard_ok(&lb) && tu_img_guard_ok(&src.t);
        if (ok && frame == 0 && !in_place)
            ok = check_labels_consistent(&src.px, &la.img, frame > 0 && hyst ? &prev.img : NULL, &s,
                                         &ra);
        if (!ok) {
            (*bad)++;
            fprintf(stderr,
                    "fast != ref: fmt %d %dx%d kind %d k=%d feat %d w=%g it %d eps %g init %d out "
                    "%d frame %d\n",
                    fmt, w, h, kind, s.k, s.features, s.spatial_weight, s.max_iterations, s.epsilon,
                    s.init, s.output, frame);
            break;
        }
        if (!s.warm_start)
            break;
        tu_img_copy_pixels(&prev.img, &la.img);
        /* next frame: the source changed (a noisy copy, or a new picture) */
        if (tu_rng_range(r, 0, 2))
            add_noise(&src.px, r, tu_rng_range(r, 1, 12));
        else
            fill_px(&src.px, r, kind, 3);
        px_copy(&a.px, &src.px);
        px_copy(&b.px, &src.px);
    }
    iseg_kmeans_destroy(ka);
    iseg_kmeans_destroy(kb);
    tu_img_free(&prev);
    tu_img_free(&la);
    tu_img_free(&lb);
    tu_px_free(&src);
    tu_px_free(&a);
    tu_px_free(&b);
}

static void test_fast_equals_reference(void)
{
    TuRng r;
    tu_rng_seed(&r, tu_seed(32));
    IsegPool *pools[4] = { NULL, NULL, NULL, NULL };
    iseg_pool_create(&pools[1], 1);
    iseg_pool_create(&pools[2], 2);
    iseg_pool_create(&pools[3], 3);
    int bad = 0, checked = 0;
    static const int sizes[][2] = { { 1, 1 }, { 1, 7 },     { 7, 1 },
                                    { 2, 2 }, { 385, 289 }, { 321, 241 } };
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
        for (int rep = 0; rep < 4; rep++)
            check_fast_vs_ref(&r, sizes[i][0], sizes[i][1], -1, pools[rep], &bad, &checked);
    for (int iter = 0; iter < 1500 && bad < 5; iter++)
        check_fast_vs_ref(&r, tu_rng_range(&r, 1, iter % 50 ? 40 : 200),
                          tu_rng_range(&r, 1, iter % 50 ? 40 : 150), -1, pools[iter % 4], &bad,
                          &checked);
    /* larger than the samples: the color histogram (2^19 pixels) and the
     * color-position loop (2^14 pixels) then see a grid sample */
    check_fast_vs_ref(&r, 731, 719, ISEG_KMEANS_COLOR, pools[2], &bad, &checked);
    check_fast_vs_ref(&r, 1030, 509, ISEG_KMEANS_COLOR, pools[3], &bad, &checked);
    check_fast_vs_ref(&r, 263, 251, ISEG_KMEANS_COLOR_POSITION, pools[2], &bad, &checked);
    check_fast_vs_ref(&r, 301, 777, ISEG_KMEANS_COLOR_POSITION, pools[1], &bad, &checked);
    CHECK_EQ_INT(bad, 0);
    printf("  %d fast/reference comparisons\n", checked);
    for (int i = 1; i < 4; i++)
        iseg_pool_destroy(pools[i]);
}

/* ------------------------------------------------------------ determinism */

static void test_determinism(void)
{
    TuRng r;
    tu_rng_seed(&r, tu_seed(33));
    const int w = 333, h = 241;
    TuPx src;
    tu_px_alloc(&src, ISEG_PIXEL_RGBX, w, h, 12);
    fill_px(&src.px, &r, FILL_PHOTO, 0);
    IsegPool *pools[5] = { NULL, NULL, NULL, NULL, NULL };
    for (int i = 1; i < 5; i++)
        iseg_pool_create(&pools[i], (unsigned)i);
    for (int feat = 0; feat < 2; feat++)
        for (int init = 0; init < 2; init++) {
            IsegKmeansSettings s = settings_k(feat ? 5 : 8);
            s.features = (IsegKmeansFeatures)feat;
            s.init = (IsegKmeansInit)init;
            s.seed = 1234;
            s.epsilon = 0.25;
            IsegKmeansResult first[3];
            TuImg first_lab[3];
            for (int run = 0; run < 6; run++) {
                IsegKmeans *km = NULL;
                iseg_kmeans_create(&km, w, h);
                IsegPool *pool = pools[run % 5];
                /* three frames in a row (cold, warm, warm) */
                for (int f = 0; f < 3; f++) {
                    TuImg lab;
                    tu_img_alloc(&lab, w, h, run);
                    IsegKmeansResult res;
                    CHECK_EQ_INT(iseg_kmeans_segment(km, &s, &src.px, NULL, &lab.img, &res, pool),
                                 0);
                    if (run == 0) {
                        first[f] = res;
                        first_lab[f] = lab;
                    } else {
                        CHECK_MSG(results_equal(&res, &first[f]),
                                  "run %d (pool %u) frame %d differs", run, iseg_pool_size(pool),
                                  f);
                        CHECK(tu_img_equal(&lab.img, &first_lab[f].img, "labels across pools"));
                        tu_img_free(&lab);
                    }
                }
                iseg_kmeans_destroy(km);
            }
            for (int f = 0; f < 3; f++)
                tu_img_free(&first_lab[f]);
            /* another seed gives another (cold) start */
            IsegKmeans *km = NULL;
            iseg_kmeans_create(&km, w, h);
            IsegKmeansResult other;
            s.seed = 99;
            iseg_kmeans_segment(km, &s, &src.px, NULL, NULL, &other, NULL);
            CHECK(!results_equal(&other, &first[0]));
            iseg_kmeans_destroy(km);
        }
    for (int i = 1; i < 5; i++)
        iseg_pool_destroy(pools[i]);
    tu_px_free(&src);
}

/* ------------------------------------------------------------ stability on video */

/* A static background of colored regions with sensor noise, and a small
 * object moving across it. */
static void scene_frame(IsegPixels *px, int t, TuRng *noise)
{
    static const uint8_t bg[5][3] = {
        { 40, 90, 160 }, { 70, 150, 60 }, { 200, 190, 170 }, { 120, 60, 40 }, { 30, 30, 35 }
    };
    for (int y = 0; y < px->height; y++)
        for (int x = 0; x < px->width; x++) {
            const int region = y < px->height / 3 ? 0 : (x * 3 + y) / (px->width / 2) % 4 + 1;
            uint8_t c[3];
            for (int d = 0; d < 3; d++) {
                const int shade = (x + 2 * y) % 40 - 20; /* gradients inside regions */
                const int v = bg[region][d] + shade / 2 + tu_rng_range(noise, -2, 2);
                c[d] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
            }
            px_set(px, x, y, c);
        }
    const int ox = 10 + 6 * t, oy = px->height / 2 + (t % 5) - 2;
    for (int y = oy; y < oy + 30 && y < px->height; y++)
        for (int x = ox; x < ox + 30 && x < px->width; x++)
            px_set(px, x, y, (const uint8_t[3]){ 230, 40, 50 });
}

static void test_label_stability(void)
{
    TuRng noise;
    tu_rng_seed(&noise, tu_seed(34));
    const int w = 320, h = 240, frames = 24;
    for (int feat = 0; feat < 2; feat++)
        for (int k = 4; k <= 8; k += 4) {
            TuPx f;
            tu_px_alloc(&f, ISEG_PIXEL_BGR, w, h, 4);
            TuImg lab[2];
            tu_img_alloc(&lab[0], w, h, 0);
            tu_img_alloc(&lab[1], w, h, 0);
            IsegKmeans *km = NULL;
            iseg_kmeans_create(&km, w, h);
            IsegKmeansSettings s = settings_k(k);
            s.features = (IsegKmeansFeatures)feat;
            double worst = 0;
            int max_it = 0;
            for (int t = 0; t < frames; t++) {
                scene_frame(&f.px, t, &noise);
                IsegKmeansResult res;
                CHECK_EQ_INT(iseg_kmeans_segment(km, &s, &f.px, NULL, &lab[t & 1].img, &res, NULL),
                             0);
                CHECK_EQ_INT(res.warm, t > 0);
                if (t > 0) {
                    long changed = 0;
                    for (int i = 0; i < w * h; i++)
                        changed += lab[0].img.data[i] != lab[1].img.data[i];
                    worst = fmax(worst, (double)changed / (w * h));
                }
                if (t > 2 && res.iterations > max_it)
                    max_it = res.iterations;
            }
            /* the object covers 900 pixels (1.2%): it alone moves labels on
             * at most ~0.4% of the frame per step; the rest is noise */
            CHECK_MSG(worst <= 0.05, "features %d k=%d: %.2f%% of labels changed", feat, k,
                      100 * worst);
            printf("  features %d k=%d: at most %.2f%% labels changed per frame, <= %d iterations "
                   "once warm\n",
                   feat, k, 100 * worst, max_it);
            iseg_kmeans_destroy(km);
            tu_img_free(&lab[0]);
            tu_img_free(&lab[1]);
            tu_px_free(&f);
        }
}

/* ------------------------------------------------------------ channel orders */

static void test_channel_orders(void)
{
    TuRng r;
    tu_rng_seed(&r, tu_seed(35));
    const int w = 97, h = 61;
    TuPx ref;
    tu_px_alloc(&ref, ISEG_PIXEL_RGB, w, h, 0);
    fill_px(&ref.px, &r, FILL_PHOTO, 0);
    for (int feat = 0; feat < 2; feat++)
        for (int out = 0; out < 3; out++) {
            IsegKmeansSettings s = settings_k(6);
            s.features = (IsegKmeansFeatures)feat;
            s.output = (IsegKmeansOutput)out;
            IsegKmeansResult r0;
            TuImg lab0;
            tu_img_alloc(&lab0, w, h, 0);
            TuPx o0;
            tu_px_alloc(&o0, ISEG_PIXEL_RGB, w, h, 0);
            for (int fmt = 0; fmt < ISEG_PIXEL_GRAY8; fmt++) {
                TuPx p;
                tu_px_alloc(&p, (IsegPixelFormat)fmt, w, h, fmt * 3);
                px_copy(&p.px, &ref.px);
                const int other = p.px.bytes_per_pixel == 4 ? 6 - p.px.r - p.px.g - p.px.b : -1;
                for (int y = 0; y < h && other >= 0; y++)
                    for (int x = 0; x < w; x++)
                        px_at(&p.px, x, y)[other] = (uint8_t)(x * 7 + y);
                /* out of place (fast and reference) from a copy, into
                 * images of random contents: the same bytes as in place,
                 * the fourth byte copied from the source */
                TuPx src, q[2];
                tu_px_alloc(&src, (IsegPixelFormat)fmt, w, h, 5);
                tu_img_copy_pixels(&src.t.img, &p.t.img);
                for (int i = 0; i < 2; i++) {
                    tu_px_alloc(&q[i], (IsegPixelFormat)fmt, w, h, 2 + 9 * i);
                    tu_img_fill_random(&q[i].t, &r);
                    IsegKmeans *kq = NULL;
                    iseg_kmeans_create(&kq, w, h);
                    CHECK_EQ_INT(
                        i ? iseg_kmeans_segment_ref(kq, &s, &src.px, &q[i].px, NULL, NULL)
                          : iseg_kmeans_segment(kq, &s, &src.px, &q[i].px, NULL, NULL, NULL),
                        0);
                    iseg_kmeans_destroy(kq);
                }
                IsegKmeans *km = NULL;
                iseg_kmeans_create(&km, w, h);
                TuImg lab;
                tu_img_alloc(&lab, w, h, 1);
                IsegKmeansResult res;
                CHECK_EQ_INT(iseg_kmeans_segment(km, &s, &p.px, &p.px, &lab.img, &res, NULL), 0);
                for (int i = 0; i < 2; i++) {
                    CHECK(tu_img_equal(&q[i].t.img, &p.t.img,
                                       i ? "out of place, reference" : "out of place, fast"));
                    CHECK(tu_img_guard_ok(&q[i].t));
                    tu_px_free(&q[i]);
                }
                tu_px_free(&src);
                int alpha_ok = 1;
                for (int y = 0; y < h && other >= 0; y++)
                    for (int x = 0; x < w; x++)
                        alpha_ok &= px_at(&p.px, x, y)[other] == (uint8_t)(x * 7 + y);
                CHECK_MSG(alpha_ok, "format %d: alpha/x byte written", fmt);
                if (fmt == 0) {
                    r0 = res;
                    tu_img_copy_pixels(&lab0.img, &lab.img);
                    px_copy(&o0.px, &p.px);
                } else {
                    CHECK_MSG(results_equal(&res, &r0), "format %d: other result", fmt);
                    CHECK(tu_img_equal(&lab.img, &lab0.img, "labels by channel order"));
                    TuPx back;
                    tu_px_alloc(&back, ISEG_PIXEL_RGB, w, h, 0);
                    px_copy(&back.px, &p.px);
                    CHECK(tu_img_equal(&back.t.img, &o0.t.img, "output by channel order"));
                    tu_px_free(&back);
                }
                CHECK(tu_img_guard_ok(&p.t));
                tu_img_free(&lab);
                iseg_kmeans_destroy(km);
                tu_px_free(&p);
            }
            tu_img_free(&lab0);
            tu_px_free(&o0);
        }
    tu_px_free(&ref);
}

/* ------------------------------------------------------------ more clusters than colors */

static void test_more_clusters_than_colors(void)
{
    /* Three colors, k = 8: three clusters hold the three colors exactly
     * (inertia 0), the other five are empty (count 0) and their centers
     * repeat one of the colors; the output has exactly the three colors. */
    const uint8_t cols[3][3] = { { 10, 200, 30 }, { 250, 250, 250 }, { 90, 10, 120 } };
    for (int feat = 0; feat < 2; feat++)
        for (int init = 0; init < 2; init++)
            for (int gray = 0; gray < 2; gray++) {
                const int w = 33, h = 17;
                TuPx p;
                tu_px_alloc(&p, gray ? ISEG_PIXEL_GRAY8 : ISEG_PIXEL_BGRA, w, h, 7);
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++)
                        px_set(&p.px, x, y, cols[(x * x + y) % 3]);
                IsegKmeans *km = NULL;
                iseg_kmeans_create(&km, w, h);
                IsegKmeansSettings s = settings_k(8);
                s.features = (IsegKmeansFeatures)feat;
                s.spatial_weight = 0;
                s.init = (IsegKmeansInit)init;
                for (int frame = 0; frame < 3; frame++) {
                    IsegKmeansResult res, rref;
                    TuImg lab;
                    tu_img_alloc(&lab, w, h, 2);
                    TuPx out;
                    tu_px_alloc(&out, gray ? ISEG_PIXEL_GRAY8 : ISEG_PIXEL_BGRA, w, h, 3);
                    CHECK_EQ_INT(iseg_kmeans_segment(km, &s, &p.px, &out.px, &lab.img, &res, NULL),
                                 0);
                    int used = 0;
                    for (int j = 0; j < 8; j++)
                        used += res.counts[j] > 0;
                    CHECK_EQ_INT(used, 3);
                    CHECK(res.inertia < 1e-6);
                    for (int y = 0; y < h; y++)
                        for (int x = 0; x < w; x++) {
                            unsigned a[3], b[3];
                            px_get(&p.px, x, y, a);
                            px_get(&out.px, x, y, b);
                            CHECK(a[0] == b[0] && a[1] == b[1] && a[2] == b[2]);
                        }
                    CHECK(check_labels_consistent(&p.px, &lab.img, NULL, &s, &res));
                    /* and the reference agrees */
                    IsegKmeans *k2 = NULL;
                    iseg_kmeans_create(&k2, w, h);
                    CHECK_EQ_INT(iseg_kmeans_segment_ref(k2, &s, &p.px, NULL, NULL, &rref), 0);
                    if (frame == 0)
                        CHECK(results_equal(&res, &rref));
                    iseg_kmeans_destroy(k2);
                    tu_img_free(&lab);
                    tu_px_free(&out);
                }
                iseg_kmeans_destroy(km);
                tu_px_free(&p);
            }
    /* a constant frame, k = 2, 1x1 frames */
    for (int w = 1; w <= 5; w += 4) {
        TuPx p;
        tu_px_alloc(&p, ISEG_PIXEL_RGB, w, 1, 0);
        for (int x = 0; x < w; x++)
            px_set(&p.px, x, 0, (const uint8_t[3]){ 7, 8, 9 });
        IsegKmeans *km = NULL;
        iseg_kmeans_create(&km, w, 1);
        IsegKmeansSettings s = settings_k(64);
        IsegKmeansResult res;
        CHECK_EQ_INT(iseg_kmeans_segment(km, &s, &p.px, &p.px, NULL, &res, NULL), 0);
        CHECK_EQ_INT(res.counts[0], w);
        CHECK(res.centers[0][0] == 7 && res.centers[63][2] == 9);
        CHECK(res.inertia == 0);
        iseg_kmeans_destroy(km);
        tu_px_free(&p);
    }
}

/* ------------------------------------------------------------ warm start rules */

static void test_warm_start_rules(void)
{
    TuRng r;
    tu_rng_seed(&r, tu_seed(36));
    const int w = 64, h = 48;
    TuPx p;
    tu_px_alloc(&p, ISEG_PIXEL_RGB, w, h, 0);
    fill_px(&p.px, &r, FILL_PHOTO, 0);
    IsegKmeans *km = NULL;
    iseg_kmeans_create(&km, w, h);
    IsegKmeansSettings s = settings_k(5);
    IsegKmeansResult a, b;
    iseg_kmeans_segment(km, &s, &p.px, NULL, NULL, &a, NULL);
    CHECK_EQ_INT(a.warm, 0);
    /* cold-start numbering: by luminance */
    for (int j = 1; j < 5; j++) {
        const double l0 =
            0.299 * a.centers[j - 1][0] + 0.587 * a.centers[j - 1][1] + 0.114 * a.centers[j - 1][2];
        const double l1 =
            0.299 * a.centers[j][0] + 0.587 * a.centers[j][1] + 0.114 * a.centers[j][2];
        CHECK(l0 <= l1);
    }
    iseg_kmeans_segment(km, &s, &p.px, NULL, NULL, &b, NULL);
    CHECK_EQ_INT(b.warm, 1);
    /* k changed: cold */
    s.k = 6;
    iseg_kmeans_segment(km, &s, &p.px, NULL, NULL, &b, NULL);
    CHECK_EQ_INT(b.warm, 0);
    /* features changed: cold */
    s.features = ISEG_KMEANS_COLOR_POSITION;
    iseg_kmeans_segment(km, &s, &p.px, NULL, NULL, &b, NULL);
    CHECK_EQ_INT(b.warm, 0);
    iseg_kmeans_segment(km, &s, &p.px, NULL, NULL, &b, NULL);
    CHECK_EQ_INT(b.warm, 1);
    /* reset: cold */
    iseg_kmeans_reset(km);
    iseg_kmeans_segment(km, &s, &p.px, NULL, NULL, &b, NULL);
    CHECK_EQ_INT(b.warm, 0);
    /* warm_start off: kept centers are not used, and not kept */
    s.warm_start = 0;
    iseg_kmeans_segment(km, &s, &p.px, NULL, NULL, &b, NULL);
    CHECK_EQ_INT(b.warm, 0);
    s.warm_start = 1;
    iseg_kmeans_segment(km, &s, &p.px, NULL, NULL, &b, NULL);
    CHECK_EQ_INT(b.warm, 0);
    /* given centers are used once even without warm_start; label i grows
     * from given center i (no re-sorting) */
    s.features = ISEG_KMEANS_COLOR;
    s.k = 2;
    s.warm_start = 0;
    s.max_iterations = 1;
    CHECK_EQ_INT(iseg_kmeans_set_centers(km, 2, 3, (const double[]){ 255, 255, 255, 0, 0, 0 }), 0);
    iseg_kmeans_segment(km, &s, &p.px, NULL, NULL, &b, NULL);
    CHECK_EQ_INT(b.warm, 1);
    /* after one update label 0 holds the colors nearer to white: R+G+B > 382.5 */
    if (b.counts[0] && b.counts[1]) {
        CHECK(b.centers[0][0] + b.centers[0][1] + b.centers[0][2] > 382.5);
        CHECK(b.centers[1][0] + b.centers[1][1] + b.centers[1][2] < 382.5);
    }
    iseg_kmeans_segment(km, &s, &p.px, NULL, NULL, &b, NULL);
    CHECK_EQ_INT(b.warm, 0);
    /* given centers of another k are ignored */
    CHECK_EQ_INT(iseg_kmeans_set_centers(km, 3, 3, (const double[]){ 1, 2, 3, 4, 5, 6, 7, 8, 9 }),
                 0);
    iseg_kmeans_segment(km, &s, &p.px, NULL, NULL, &b, NULL);
    CHECK_EQ_INT(b.warm, 0);
    iseg_kmeans_destroy(km);
    tu_px_free(&p);
}

/* ------------------------------------------------------------ label hysteresis */

/* A gray frame of 1000 pixels: 495 at 50, 495 at 150 and 10 "boundary"
 * pixels at value b (the last 10). */
static void boundary_frame(IsegPixels *px, int b)
{
    for (int y = 0; y < px->height; y++)
        for (int x = 0; x < px->width; x++) {
            const int i = y * px->width + x;
            const uint8_t v = i >= 990 ? (uint8_t)b : i % 2 ? 150 : 50;
            px_set(px, x, y, (const uint8_t[3]){ v, v, v });
        }
}

/* A 40x25 boundary frame, its labels and a k = 2 context with hysteresis h. */
typedef struct BoundaryRig {
    TuPx f;
    TuImg lab;
    IsegKmeans *km;
    IsegKmeansSettings s;
} BoundaryRig;

static void rig_open(BoundaryRig *g, double h, int max_width)
{
    tu_px_alloc(&g->f, ISEG_PIXEL_GRAY8, 40, 25, 3);
    tu_img_alloc(&g->lab, 40, 25, 1);
    g->km = NULL;
    CHECK_EQ_INT(iseg_kmeans_create(&g->km, max_width, 25), 0);
    g->s = settings_k(2);
    g->s.hysteresis = h;
}

static void rig_close(BoundaryRig *g)
{
    iseg_kmeans_destroy(g->km);
    tu_img_free(&g->lab);
    tu_px_free(&g->f);
}

/* The boundary pixels drift 99 -> 104 -> 112 -> 104 -> 96 -> 90. The loop's
 * centers (pure nearest assignment on the histogram) stay near 50 and 150;
 * by hand, with h = 10:
 *   104: centers 50, 149.09: |104-50| = 54 < 44.91 + 10: keeps label 0
 *   112: centers 50, 149.25: 62 > 37.25 + 10: label 1
 *   104: label 1 is the nearest: 1
 *    96: centers 50.91, 150: |96-150| = 54 < 45.09 + 10: keeps label 1
 *    90: centers 50.79, 150: 60 > 39.21 + 10: label 0
 * and with h = 0 every frame takes the nearest center. */
static void test_hysteresis_by_hand(void)
{
    static const int drift[6] = { 99, 104, 112, 104, 96, 90 };
    static const int with_h[6] = { 0, 0, 1, 1, 1, 0 };
    static const int without[6] = { 0, 1, 1, 1, 0, 0 };
    for (int run = 0; run < 2; run++) {
        const double h = run ? 0.0 : 10.0;
        BoundaryRig g;
        rig_open(&g, h, 40);
        TuImg prev;
        tu_img_alloc(&prev, 40, 25, 0);
        for (int t = 0; t < 6; t++) {
            boundary_frame(&g.f.px, drift[t]);
            IsegKmeansResult res;
            CHECK_EQ_INT(iseg_kmeans_segment(g.km, &g.s, &g.f.px, NULL, &g.lab.img, &res, NULL), 0);
            const uint8_t *last = g.lab.img.data + 24 * g.lab.img.stride;
            int same = 1;
            for (int x = 30; x < 40; x++)
                same = same && last[x] == (run ? without[t] : with_h[t]);
            CHECK_MSG(same, "h=%g frame %d (value %d): label %d, expected %d", h, t, drift[t],
                      last[30], run ? without[t] : with_h[t]);
            CHECK(fabs(res.centers[0][0] - 50.5) < 1 && fabs(res.centers[1][0] - 149.5) < 1);
            /* counts and inertia follow the labels given */
            CHECK(check_labels_consistent(&g.f.px, &g.lab.img, t > 0 && h > 0 ? &prev.img : NULL,
                                          &g.s, &res));
            CHECK_EQ_INT((int)res.counts[0], 495 + (last[30] == 0 ? 10 : 0));
            tu_img_copy_pixels(&prev.img, &g.lab.img);
        }
        tu_img_free(&prev);
        rig_close(&g);
    }
}

/* When the hysteresis applies: only to a warm start from the kept centers of
 * a call with the same frame size (and k, features), and with warm_start. */
static void test_hysteresis_rules(void)
{
    BoundaryRig rig;
    rig_open(&rig, 10, 50);
    TuPx g;
    tu_px_alloc(&g, ISEG_PIXEL_GRAY8, 50, 20, 0); /* also 1000 pixels */
    TuImg lab_g;
    tu_img_alloc(&lab_g, 50, 20, 0);
    TuPx f = rig.f;
    TuImg lab = rig.lab;
    IsegKmeans *km = rig.km;
    IsegKmeansSettings s = rig.s;
    IsegKmeansResult res;
    /* value 104 keeps label 0 only by the hysteresis (see above) */
#define BOUNDARY_LABEL(img) ((img).data[24 * (img).stride + 30])
#define PRIME()                                                                                    \
    do {                                                                                           \
        iseg_kmeans_reset(km);                                                                     \
        boundary_frame(&f.px, 99);                                                                 \
        iseg_kmeans_segment(km, &s, &f.px, NULL, &lab.img, &res, NULL);                            \
        CHECK_EQ_INT(BOUNDARY_LABEL(lab.img), 0);                                                  \
        boundary_frame(&f.px, 104);                                                                \
    } while (0)
    PRIME();
    iseg_kmeans_segment(km, &s, &f.px, NULL, &lab.img, &res, NULL);
    CHECK_EQ_INT(BOUNDARY_LABEL(lab.img), 0); /* applied */

    /* reset: a cold start, nearest centers */
    PRIME();
    iseg_kmeans_reset(km);
    iseg_kmeans_segment(km, &s, &f.px, NULL, &lab.img, &res, NULL);
    CHECK_EQ_INT(res.warm, 0);
    CHECK_EQ_INT(BOUNDARY_LABEL(lab.img), 1);

    /* given centers: warm, but no previous labels */
    PRIME();
    CHECK_EQ_INT(iseg_kmeans_set_centers(km, 2, 1, (const double[]){ 50, 150 }), 0);
    iseg_kmeans_segment(km, &s, &f.px, NULL, &lab.img, &res, NULL);
    CHECK_EQ_INT(res.warm, 1);
    CHECK_EQ_INT(BOUNDARY_LABEL(lab.img), 1);

    /* warm_start off: neither the kept centers nor the labels */
    PRIME();
    s.warm_start = 0;
    iseg_kmeans_segment(km, &s, &f.px, NULL, &lab.img, &res, NULL);
    CHECK_EQ_INT(BOUNDARY_LABEL(lab.img), 1);
    s.warm_start = 1;

    /* another frame size: warm from the kept centers, labels not reused */
    PRIME();
    boundary_frame(&g.px, 104);
    iseg_kmeans_segment(km, &s, &g.px, NULL, &lab_g.img, &res, NULL);
    CHECK_EQ_INT(res.warm, 1);
    CHECK_EQ_INT(lab_g.img.data[19 * lab_g.img.stride + 40], 1);

    /* hysteresis switched on only now: the previous call stored nothing */
    s.hysteresis = 0;
    PRIME();
    s.hysteresis = 10;
    iseg_kmeans_segment(km, &s, &f.px, NULL, &lab.img, &res, NULL);
    CHECK_EQ_INT(BOUNDARY_LABEL(lab.img), 1);

    /* k changed and back: cold, then warm without the old labels */
    PRIME();
    s.k = 3;
    iseg_kmeans_segment(km, &s, &f.px, NULL, NULL, &res, NULL);
    s.k = 2;
    boundary_frame(&f.px, 99);
    iseg_kmeans_segment(km, &s, &f.px, NULL, &lab.img, &res, NULL);
    CHECK_EQ_INT(res.warm, 0);
#undef PRIME
#undef BOUNDARY_LABEL

    /* the range */
    IsegKmeansSettings t = settings_k(2);
    CHECK_EQ_INT((int)t.hysteresis, (int)ISEG_KMEANS_DEFAULT_HYSTERESIS);
    t.hysteresis = 0;
    CHECK_EQ_INT(iseg_kmeans_settings_check(&t), 0);
    t.hysteresis = ISEG_KMEANS_MAX_HYSTERESIS;
    CHECK_EQ_INT(iseg_kmeans_settings_check(&t), 0);
    const double bad[] = { -0.001, ISEG_KMEANS_MAX_HYSTERESIS * 1.001, NAN, INFINITY };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        t.hysteresis = bad[i];
        CHECK_EQ_INT(iseg_kmeans_settings_check(&t), -EINVAL);
        CHECK_EQ_INT(iseg_kmeans_segment(km, &t, &f.px, NULL, NULL, NULL, NULL), -EINVAL);
    }
    rig_close(&rig);
    tu_img_free(&lab_g);
    tu_px_free(&g);
}

/* ------------------------------------------------------------ arguments */

static void test_bad_arguments(void)
{
    uint8_t buf[64] = { 0 };
    IsegPixels px;
    CHECK_EQ_INT(iseg_pixels_init(&px, ISEG_PIXEL_RGB, buf, 4, 4, 12), 0);
    CHECK_EQ_INT(iseg_pixels_init(&px, ISEG_PIXEL_RGB, buf, 4, 4, 11), -EINVAL);
    CHECK_EQ_INT(iseg_pixels_init(&px, ISEG_PIXEL_N_FORMATS, buf, 4, 4, 16), -EINVAL);
    CHECK_EQ_INT(iseg_pixels_init(&px, ISEG_PIXEL_RGB, NULL, 4, 4, 12), -EINVAL);
    CHECK_EQ_INT(iseg_pixels_init(&px, ISEG_PIXEL_GRAY8, buf, 0, 4, 12), -EINVAL);
    IsegPixels odd = { buf, 2, 2, 8, 4, 1, 1, 2 }; /* R and G at the same byte */
    CHECK_EQ_INT(iseg_pixels_check(&odd), -EINVAL);
    odd.bytes_per_pixel = 2;
    CHECK_EQ_INT(iseg_pixels_check(&odd), -EINVAL);

    IsegKmeans *km = NULL;
    CHECK_EQ_INT(iseg_kmeans_create(&km, 0, 4), -EINVAL);
    CHECK_EQ_INT(iseg_kmeans_create(NULL, 4, 4), -EINVAL);
    CHECK_EQ_INT(iseg_kmeans_create(&km, 4, 4), 0);
    iseg_pixels_init(&px, ISEG_PIXEL_RGB, buf, 4, 4, 12);
    IsegKmeansSettings s;
    iseg_kmeans_default_settings(&s);
    CHECK_EQ_INT(iseg_kmeans_settings_check(&s), 0);
    CHECK_EQ_INT(s.k, 4);
    CHECK_EQ_INT(s.max_iterations, 10);
    CHECK_EQ_INT(s.warm_start, 1);
    IsegKmeansSettings bad = s;
    bad.k = 1;
    CHECK_EQ_INT(iseg_kmeans_segment(km, &bad, &px, NULL, NULL, NULL, NULL), -EINVAL);
    bad.k = 65;
    CHECK_EQ_INT(iseg_kmeans_segment(km, &bad, &px, NULL, NULL, NULL, NULL), -EINVAL);
    bad = s;
    bad.max_iterations = 0;
    CHECK_EQ_INT(iseg_kmeans_settings_check(&bad), -EINVAL);
    bad.max_iterations = 101;
    CHECK_EQ_INT(iseg_kmeans_settings_check(&bad), -EINVAL);
    bad = s;
    bad.epsilon = -1;
    CHECK_EQ_INT(iseg_kmeans_settings_check(&bad), -EINVAL);
    bad.epsilon = NAN;
    CHECK_EQ_INT(iseg_kmeans_settings_check(&bad), -EINVAL);
    bad = s;
    bad.spatial_weight = -0.5;
    CHECK_EQ_INT(iseg_kmeans_settings_check(&bad), -EINVAL);
    bad.spatial_weight = INFINITY;
    CHECK_EQ_INT(iseg_kmeans_settings_check(&bad), -EINVAL);
    bad = s;
    bad.features = (IsegKmeansFeatures)2;
    CHECK_EQ_INT(iseg_kmeans_settings_check(&bad), -EINVAL);
    bad = s;
    bad.init = (IsegKmeansInit)5;
    CHECK_EQ_INT(iseg_kmeans_settings_check(&bad), -EINVAL);
    bad = s;
    bad.output = (IsegKmeansOutput)3;
    CHECK_EQ_INT(iseg_kmeans_settings_check(&bad), -EINVAL);
    CHECK_EQ_INT(iseg_kmeans_segment(km, NULL, &px, NULL, NULL, NULL, NULL), -EINVAL);
    CHECK_EQ_INT(iseg_kmeans_segment(NULL, &s, &px, NULL, NULL, NULL, NULL), -EINVAL);
    /* larger than the context */
    uint8_t big[5 * 3 * 4];
    IsegPixels px5;
    iseg_pixels_init(&px5, ISEG_PIXEL_RGB, big, 5, 4, 15);
    CHECK_EQ_INT(iseg_kmeans_segment(km, &s, &px5, NULL, NULL, NULL, NULL), -EINVAL);
    /* dst of another size, gray vs color */
    IsegPixels g;
    iseg_pixels_init(&g, ISEG_PIXEL_GRAY8, big, 4, 4, 4);
    CHECK_EQ_INT(iseg_kmeans_segment(km, &s, &px, &g, NULL, NULL, NULL), -EINVAL);
    iseg_pixels_init(&g, ISEG_PIXEL_RGB, big, 4, 3, 12);
    CHECK_EQ_INT(iseg_kmeans_segment(km, &s, &px, &g, NULL, NULL, NULL), -EINVAL);
    /* labels of another size */
    IsegImage lab = { big, 3, 4, 3 };
    CHECK_EQ_INT(iseg_kmeans_segment(km, &s, &px, NULL, &lab, NULL, NULL), -EINVAL);
    /* set_centers */
    const double c[6] = { 0, 0, 0, 255, 255, 255 };
    CHECK_EQ_INT(iseg_kmeans_set_centers(km, 1, 3, c), -EINVAL);
    CHECK_EQ_INT(iseg_kmeans_set_centers(km, 2, 6, c), -EINVAL);
    CHECK_EQ_INT(iseg_kmeans_set_centers(km, 2, 3, (const double[]){ 0, 0, 0, 256, 0, 0 }),
                 -EINVAL);
    CHECK_EQ_INT(iseg_kmeans_set_centers(km, 2, 3, (const double[]){ 0, 0, 0, NAN, 0, 0 }),
                 -EINVAL);
    CHECK_EQ_INT(iseg_kmeans_set_centers(km, 2, 3, c), 0);
    /* nothing written and the given centers kept after a refused call */
    IsegKmeansResult res;
    memset(&res, 0x77, sizeof(res));
    bad = s;
    bad.k = 0;
    CHECK_EQ_INT(iseg_kmeans_segment(km, &bad, &px, &px, NULL, &res, NULL), -EINVAL);
    CHECK_EQ_INT(res.k, 0x77777777);
    s.k = 2;
    CHECK_EQ_INT(iseg_kmeans_segment(km, &s, &px, &px, NULL, &res, NULL), 0);
    CHECK_EQ_INT(res.warm, 1);
    iseg_kmeans_destroy(km);
    iseg_kmeans_destroy(NULL);
    iseg_kmeans_reset(NULL);
    /* palette: distinct colors */
    int distinct = 1;
    for (int i = 0; i < ISEG_KMEANS_MAX_K; i++)
        for (int j = 0; j < i; j++) {
            uint8_t a[3], b[3];
            iseg_kmeans_palette_color(i, a);
            iseg_kmeans_palette_color(j, b);
            distinct &= abs(a[0] - b[0]) + abs(a[1] - b[1]) + abs(a[2] - b[2]) >= 12;
        }
    CHECK(distinct);
}

/* iseg_kmeans_labels_mask: a hand-worked row, then random label images
 * (any byte, labels 64 and up included) of random sizes and paddings
 * against a per-pixel definition, out of place and in place, guards kept;
 * bad arguments refused. */
static void test_labels_mask(void)
{
    {
        uint8_t lab[6] = { 0, 1, 2, 3, 63, 64 }, m[6];
        IsegImage L = { lab, 6, 1, 6 }, M = { m, 6, 1, 6 };
        CHECK_EQ_INT(iseg_kmeans_labels_mask(&L, 0x8000000000000005ull, &M), 0);
        const uint8_t want[6] = { 255, 0, 255, 0, 255, 0 };
        CHECK(memcmp(m, want, 6) == 0);
        CHECK_EQ_INT(iseg_kmeans_labels_mask(&L, 0, &M), 0);
        CHECK(memcmp(m, (uint8_t[6]){ 0 }, 6) == 0);
    }
    TuRng r;
    tu_rng_seed(&r, tu_seed(77));
    for (int it = 0; it < 500; it++) {
        const int w = tu_rng_range(&r, 1, 70), h = tu_rng_range(&r, 1, 40);
        const uint64_t sel = tu_rng_next(&r) & (it % 3 ? ~0ull : 0xffull);
        TuImg L, M;
        tu_img_alloc_random_pad(&L, &r, w, h);
        tu_img_alloc_random_pad(&M, &r, w, h);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                L.img.data[(size_t)y * L.img.stride + x] =
                    (uint8_t)(it % 2 ? tu_rng_range(&r, 0, 255) : tu_rng_range(&r, 0, 9));
        CHECK_EQ_INT(iseg_kmeans_labels_mask(&L.img, sel, &M.img), 0);
        int bad = 0;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                const int l = L.img.data[(size_t)y * L.img.stride + x];
                const int want = l < 64 && (sel >> l & 1) ? 255 : 0;
                bad += M.img.data[(size_t)y * M.img.stride + x] != want;
            }
        CHECK_EQ_INT(bad, 0);
        /* in place gives the same */
        CHECK_EQ_INT(iseg_kmeans_labels_mask(&L.img, sel, &L.img), 0);
        CHECK(tu_img_equal(&L.img, &M.img, "in place"));
        CHECK(tu_img_guard_ok(&L) && tu_img_guard_ok(&M));
        tu_img_free(&L);
        tu_img_free(&M);
    }
    uint8_t buf[64];
    IsegImage a = { buf, 4, 4, 4 }, b = { buf + 2, 4, 4, 4 }, c = { buf, 3, 4, 4 },
              d = { buf, 4, 4, 5 }, e = { NULL, 4, 4, 4 };
    CHECK_EQ_INT(iseg_kmeans_labels_mask(&a, 1, &b), -EINVAL); /* overlapping */
    CHECK_EQ_INT(iseg_kmeans_labels_mask(&a, 1, &c), -EINVAL); /* sizes differ */
    CHECK_EQ_INT(iseg_kmeans_labels_mask(&a, 1, &d), -EINVAL); /* same data, other stride */
    CHECK_EQ_INT(iseg_kmeans_labels_mask(&e, 1, &a), -EINVAL);
    CHECK_EQ_INT(iseg_kmeans_labels_mask(&a, 1, &e), -EINVAL);
}

int main(void)
{
    RUN(test_lecture_loop_gray);
    RUN(test_lecture_loop_color);
    RUN(test_lecture_loop_position);
    RUN(test_textbook_loop);
    RUN(test_fast_equals_reference);
    RUN(test_determinism);
    RUN(test_label_stability);
    RUN(test_channel_orders);
    RUN(test_more_clusters_than_colors);
    RUN(test_warm_start_rules);
    RUN(test_hysteresis_by_hand);
    RUN(test_hysteresis_rules);
    RUN(test_bad_arguments);
    RUN(test_labels_mask);
    return tu_finish();
}
