/* k-means on 4:2:0 YUV frames: the entry point against an obviously-right
 * per-pixel version written here (pack by hand, iseg_kmeans_segment_ref() on
 * the packed pixels, the cold-start numbering by Y, every pixel given its
 * nearest center, the planes written by the documented rule), fast == the
 * library's reference on random frames and sequences, every pool size, flat
 * colored regions found exactly, the palette conversion, bad arguments. */
#include "testutil.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ frames */

/* The 4:2:0 layouts: I420 and NV12 of testutil, and the same with U and V
 * swapped in memory (YV12, NV21). */
typedef struct YuvLayout {
    const char *name;
    int nv;   /* interleaved chroma */
    int swap; /* V before U */
} YuvLayout;

static const YuvLayout layouts[] = {
    { "I420", 0, 0 },
    { "NV12", 1, 0 },
    { "YV12", 0, 1 },
    { "NV21", 1, 1 },
};
#define N_LAYOUTS ((int)(sizeof(layouts) / sizeof(layouts[0])))

static void frame_alloc(TuFrame *t, TuRng *r, const YuvLayout *l, int w, int h)
{
    tu_frame_alloc(t, r, &tu_layouts[l->nv ? 2 : 1], w, h);
    CHECK(!strcmp(tu_layouts[l->nv ? 2 : 1].name, l->nv ? "NV12" : "I420"));
    if (l->swap) {
        const IsegImage u = t->f.chroma[0];
        t->f.chroma[0] = t->f.chroma[1];
        t->f.chroma[1] = u;
    }
}

static uint8_t *luma_at(const IsegFrame *f, int x, int y)
{
    return f->luma.data + (ptrdiff_t)y * f->luma.stride + x;
}

static uint8_t *chroma_at(const IsegFrame *f, int p, int cx, int cy)
{
    return f->chroma[p].data + (ptrdiff_t)cy * f->chroma[p].stride +
           (ptrdiff_t)cx * f->chroma_pixel_stride;
}

/* 1 if a and b (any 4:2:0 layouts) hold the same samples; prints the
 * first difference with `what`. */
static int frames_equal(const IsegFrame *a, const IsegFrame *b, const char *what)
{
    const int w = a->luma.width, h = a->luma.height;
    if (b->luma.width != w || b->luma.height != h) {
        fprintf(stderr, "%s: sizes differ\n", what);
        return 0;
    }
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            if (*luma_at(a, x, y) != *luma_at(b, x, y)) {
                fprintf(stderr, "%s: Y (%d,%d) %d vs %d\n", what, x, y, *luma_at(a, x, y),
                        *luma_at(b, x, y));
                return 0;
            }
    for (int p = 0; p < 2; p++)
        for (int cy = 0; cy < (h + 1) / 2; cy++)
            for (int cx = 0; cx < (w + 1) / 2; cx++)
                if (*chroma_at(a, p, cx, cy) != *chroma_at(b, p, cx, cy)) {
                    fprintf(stderr, "%s: %c (%d,%d) %d vs %d\n", what, p ? 'V' : 'U', cx, cy,
                            *chroma_at(a, p, cx, cy), *chroma_at(b, p, cx, cy));
                    return 0;
                }
    return 1;
}

/* Fill kinds: photo-like luma with random chroma (testutil's), smooth
 * chroma, or a few YUV colors on 2x2 blocks plus luma noise. */
enum { FILL_RANDOM_CHROMA, FILL_SMOOTH, FILL_FEW };

static void frame_fill(TuFrame *t, TuRng *r, int kind)
{
    IsegFrame *f = &t->f;
    const int cw = f->chroma[0].width, ch = f->chroma[0].height;
    if (kind == FILL_SMOOTH) {
        const double fx = 0.05 + 0.2 * tu_rng_double(r), fy = 0.05 + 0.2 * tu_rng_double(r);
        for (int cy = 0; cy < ch; cy++)
            for (int cx = 0; cx < cw; cx++) {
                *chroma_at(f, 0, cx, cy) = (uint8_t)(128 + 90 * sin(fx * cx) * cos(fy * cy));
                *chroma_at(f, 1, cx, cy) = (uint8_t)(128 + 90 * cos(fx * cx + fy * cy));
            }
    } else if (kind == FILL_FEW) {
        uint8_t pal[6][3];
        for (int i = 0; i < 6; i++)
            for (int d = 0; d < 3; d++)
                pal[i][d] = (uint8_t)tu_rng_range(r, 16, 240);
        const int noise = tu_rng_range(r, 0, 12);
        for (int cy = 0; cy < ch; cy++)
            for (int cx = 0; cx < cw; cx++) {
                const int i = ((cx / 7) + (cy / 5) * 3) % 6;
                *chroma_at(f, 0, cx, cy) = pal[i][1];
                *chroma_at(f, 1, cx, cy) = pal[i][2];
                for (int y = 2 * cy; y < 2 * cy + 2 && y < f->luma.height; y++)
                    for (int x = 2 * cx; x < 2 * cx + 2 && x < f->luma.width; x++)
                        *luma_at(f, x, y) = (uint8_t)(pal[i][0] + tu_rng_range(r, 0, noise));
            }
    }
}

/* ------------------------------------------------------------ the obviously-right version */

static IsegKmeansSettings settings_k(int k)
{
    IsegKmeansSettings s;
    iseg_kmeans_default_settings(&s);
    s.k = k;
    return s;
}

/* Feature vector of packed pixel (x, y) as kmeans.h defines it (sums in the
 * library's order, so that ties resolve alike). */
static int feature(const uint8_t *p, int x, int y, int w, int h, const IsegKmeansSettings *s,
                   double *f)
{
    f[0] = p[0];
    f[1] = p[1];
    f[2] = p[2];
    if (s->features != ISEG_KMEANS_COLOR_POSITION)
        return 3;
    const double ux = w > 1 ? 255.0 / (double)(w - 1) : 0, uy = h > 1 ? 255.0 / (double)(h - 1) : 0;
    f[3] = s->spatial_weight * (ux * (double)x);
    f[4] = s->spatial_weight * (uy * (double)y);
    return 5;
}

static double dist2(const double *a, const double *b, int n)
{
    double s = 0;
    for (int d = 0; d < n; d++)
        s += (a[d] - b[d]) * (a[d] - b[d]);
    return s;
}

static int lex_before(const double *a, const double *b, int dims)
{
    for (int d = 0; d < dims; d++)
        if (a[d] != b[d])
            return a[d] < b[d];
    return 0;
}

static uint8_t round_u8(double v)
{
    return (uint8_t)floor(v + 0.5);
}

/* What iseg_kmeans_segment_yuv420() must give on `src` with the context
 * state of km_ref (a context fed the packed frames of the same sequence):
 * exp receives the output planes, lab the labels, r the result. */
static void expected_yuv(IsegKmeans *km_ref, const IsegKmeansSettings *s, const IsegFrame *src,
                         IsegFrame *exp, IsegImage *lab, IsegKmeansResult *r)
{
    const int w = src->luma.width, h = src->luma.height;
    uint8_t *packed = malloc((size_t)w * h * 3);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            uint8_t *p = packed + ((size_t)y * w + x) * 3;
            p[0] = *luma_at(src, x, y);
            p[1] = *chroma_at(src, 0, x / 2, y / 2);
            p[2] = *chroma_at(src, 1, x / 2, y / 2);
        }
    IsegPixels px;
    CHECK_EQ_INT(iseg_pixels_init(&px, ISEG_PIXEL_RGB, packed, w, h, (ptrdiff_t)w * 3), 0);
    CHECK_EQ_INT(iseg_kmeans_segment_ref(km_ref, s, &px, NULL, lab, r), 0);
    if (!r->warm) {
        /* cold start: number the centers by Y, then U, V, X, Y (stable),
         * and give every pixel its nearest center, the lowest on a tie */
        int order[ISEG_KMEANS_MAX_K];
        for (int j = 0; j < r->k; j++) {
            int p = j;
            while (p > 0 && lex_before(r->centers[j], r->centers[order[p - 1]], r->dims)) {
                order[p] = order[p - 1];
                p--;
            }
            order[p] = j;
        }
        IsegKmeansResult sorted = *r;
        for (int j = 0; j < r->k; j++) {
            memcpy(sorted.centers[j], r->centers[order[j]], sizeof(r->centers[0]));
            sorted.counts[j] = 0;
        }
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                double f[5], c[5];
                const int n = feature(packed + ((size_t)y * w + x) * 3, x, y, w, h, s, f);
                int best = 0;
                double bd = INFINITY;
                for (int j = 0; j < r->k; j++) {
                    for (int d = 0; d < n; d++)
                        c[d] =
                            d < 3 ? sorted.centers[j][d] : s->spatial_weight * sorted.centers[j][d];
                    const double dd = dist2(f, c, n);
                    if (dd < bd) {
                        bd = dd;
                        best = j;
                    }
                }
                lab->data[(ptrdiff_t)y * lab->stride + x] = (uint8_t)best;
                sorted.counts[best]++;
            }
        for (int j = 0; j < r->k; j++)
            CHECK_EQ_INT(sorted.counts[j], r->counts[order[j]]);
        *r = sorted;
        /* the reference context keeps the sorted centers, as the YUV one */
        double flat[ISEG_KMEANS_MAX_K * ISEG_KMEANS_MAX_DIMS];
        for (int j = 0; j < r->k; j++)
            for (int d = 0; d < r->dims; d++)
                flat[j * r->dims + d] = r->centers[j][d];
        if (s->warm_start) {
            const int e = iseg_kmeans_set_centers(km_ref, r->k, r->dims, flat);
            if (e)
                for (int i = 0; i < r->k * r->dims; i++)
                    if (!(flat[i] >= 0 && flat[i] <= 255))
                        fprintf(stderr, "center value %d: %.17g\n", i, flat[i]);
            CHECK_EQ_INT(e, 0);
        }
    }
    /* output Y, U, V of each label */
    uint8_t table[ISEG_KMEANS_MAX_K][3];
    for (int j = 0; j < r->k; j++) {
        if (s->output == ISEG_KMEANS_OUTPUT_CENTERS) {
            for (int d = 0; d < 3; d++)
                table[j][d] = round_u8(r->centers[j][d]);
        } else if (s->output == ISEG_KMEANS_OUTPUT_PALETTE) {
            iseg_kmeans_palette_yuv(j, table[j]);
        } else {
            table[j][0] = (uint8_t)j;
            table[j][1] = table[j][2] = 128;
        }
    }
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            *luma_at(exp, x, y) = table[lab->data[(ptrdiff_t)y * lab->stride + x]][0];
    for (int cy = 0; cy < (h + 1) / 2; cy++)
        for (int cx = 0; cx < (w + 1) / 2; cx++)
            for (int p = 0; p < 2; p++) {
                int sum = 0, n = 0;
                for (int y = 2 * cy; y <= 2 * cy + 1 && y < h; y++)
                    for (int x = 2 * cx; x <= 2 * cx + 1 && x < w; x++) {
                        sum += table[lab->data[(ptrdiff_t)y * lab->stride + x]][1 + p];
                        n++;
                    }
                *chroma_at(exp, p, cx, cy) = (uint8_t)((sum + n / 2) / n);
            }
    free(packed);
}

static int results_equal(const IsegKmeansResult *a, const IsegKmeansResult *b, int exact_inertia,
                         const char *what)
{
    int ok =
        a->k == b->k && a->dims == b->dims && a->iterations == b->iterations && a->warm == b->warm;
    for (int j = 0; j < a->k && ok; j++) {
        ok &= a->counts[j] == b->counts[j];
        for (int d = 0; d < a->dims; d++)
            ok &= a->centers[j][d] == b->centers[j][d];
    }
    /* the inertia is summed per label: a renumbering may change its rounding */
    ok &= exact_inertia ? a->inertia == b->inertia
                        : fabs(a->inertia - b->inertia) <= 1e-9 * (1 + fabs(b->inertia));
    if (!ok)
        fprintf(stderr, "%s: results differ (k %d/%d it %d/%d warm %d/%d inertia %.17g/%.17g)\n",
                what, a->k, b->k, a->iterations, b->iterations, a->warm, b->warm, a->inertia,
                b->inertia);
    return ok;
}

/* One frame through the entry point (fast or ref), in place or into a
 * separate frame of layout dl, against expected_yuv(). */
typedef struct Case {
    int w, h, k, features, output, fill, in_place, with_labels;
    const YuvLayout *sl, *dl;
} Case;

static void run_sequence(TuRng *rng, const Case *c, int frames, IsegPool *pool)
{
    IsegKmeans *km = NULL, *kmr = NULL, *km_ref = NULL;
    CHECK_EQ_INT(iseg_kmeans_create(&km, c->w, c->h), 0);
    CHECK_EQ_INT(iseg_kmeans_create(&kmr, c->w + 3, c->h), 0);
    CHECK_EQ_INT(iseg_kmeans_create(&km_ref, c->w, c->h), 0);
    IsegKmeansSettings s = settings_k(c->k);
    s.features = c->features;
    s.output = c->output;
    s.spatial_weight = c->features ? 0.5 + 2 * tu_rng_double(rng) : 1.0;
    s.seed = (uint32_t)tu_rng_next(rng);
    /* The hand model below gives every pixel its nearest center: it holds
     * with hysteresis 0. With the label hysteresis (test_kmeans.c checks
     * its rule) the fast path must still equal the library's reference. */
    s.hysteresis = tu_rng_range(rng, 0, 1) ? 0.0 : ISEG_KMEANS_DEFAULT_HYSTERESIS;
    const int model = s.hysteresis == 0;
    char what[160];
    snprintf(what, sizeof(what), "%dx%d %s->%s k=%d feat %d out %d fill %d%s", c->w, c->h,
             c->sl->name, c->in_place ? "(in place)" : c->dl->name, c->k, c->features, c->output,
             c->fill, c->with_labels ? " labels" : "");
    for (int i = 0; i < frames; i++) {
        TuFrame src, src_keep, out, out_r, exp;
        TuImg lab, lab_r, lab_e;
        frame_alloc(&src, rng, c->sl, c->w, c->h);
        frame_fill(&src, rng, c->fill);
        frame_alloc(&src_keep, rng, c->sl, c->w, c->h);
        tu_frame_copy(&src_keep, &src);
        const YuvLayout *dl = c->in_place ? c->sl : c->dl;
        frame_alloc(&out, rng, dl, c->w, c->h);
        frame_alloc(&out_r, rng, dl, c->w, c->h);
        frame_alloc(&exp, rng, dl, c->w, c->h);
        tu_img_alloc_random_pad(&lab, rng, c->w, c->h);
        tu_img_alloc_random_pad(&lab_r, rng, c->w, c->h);
        tu_img_alloc_random_pad(&lab_e, rng, c->w, c->h);

        IsegKmeansResult r, rr, re;
        if (model)
            expected_yuv(km_ref, &s, &src.f, &exp.f, &lab_e.img, &re);
        /* the library's reference, never in place */
        CHECK_EQ_INT(iseg_kmeans_segment_yuv420_ref(kmr, &s, &src.f, &out_r.f,
                                                    c->with_labels ? &lab_r.img : NULL, &rr),
                     0);
        /* the fast path */
        if (c->in_place)
            tu_frame_copy(&out, &src);
        CHECK_EQ_INT(iseg_kmeans_segment_yuv420(km, &s, c->in_place ? &out.f : &src.f, &out.f,
                                                c->with_labels ? &lab.img : NULL, &r, pool),
                     0);
        if (model) {
            CHECK_MSG(frames_equal(&out.f, &exp.f, what), "%s frame %d", what, i);
            CHECK_MSG(frames_equal(&out_r.f, &exp.f, what), "%s (ref) frame %d", what, i);
            CHECK_MSG(results_equal(&r, &re, r.warm, what), "%s frame %d", what, i);
        } else {
            CHECK_MSG(frames_equal(&out.f, &out_r.f, what), "%s (h) frame %d", what, i);
        }
        CHECK_MSG(results_equal(&rr, &r, 1, what), "%s (ref) frame %d", what, i);
        if (c->with_labels) {
            CHECK(!model || tu_img_equal(&lab.img, &lab_e.img, what));
            CHECK(tu_img_equal(&lab_r.img, &lab.img, what));
        }
        CHECK(tu_frame_guard_ok(&out) && tu_frame_guard_ok(&out_r) && tu_frame_guard_ok(&src));
        CHECK(tu_img_guard_ok(&lab) && tu_img_guard_ok(&lab_r));
        if (!c->in_place)
            CHECK_MSG(tu_frame_equal(&src, &src_keep, what), "%s: src written", what);
        TuFrame *all[] = { &src, &src_keep, &out, &out_r, &exp };
        for (int a = 0; a < 5; a++)
            tu_frame_free(all[a]);
        tu_img_free(&lab);
        tu_img_free(&lab_r);
        tu_img_free(&lab_e);
    }
    iseg_kmeans_destroy(km);
    iseg_kmeans_destroy(kmr);
    iseg_kmeans_destroy(km_ref);
}

/* ------------------------------------------------------------ tests */

static void test_against_per_pixel_version(void)
{
    TuRng rng;
    tu_rng_seed(&rng, tu_seed(0x59D4A1));
    static const int sizes[][2] = { { 1, 1 }, { 1, 7 },     { 9, 1 },    { 2, 2 },
                                    { 3, 3 }, { 385, 289 }, { 321, 241 } };
    for (int si = 0; si < (int)(sizeof(sizes) / sizeof(sizes[0])); si++)
        for (int li = 0; li < N_LAYOUTS; li++)
            for (int out = 0; out < 3; out++) {
                const int big = sizes[si][0] * sizes[si][1] > 10000;
                Case c = { sizes[si][0],
                           sizes[si][1],
                           tu_rng_range(&rng, 2, big ? 8 : 5),
                           (li + out) % 2,
                           out,
                           (si + li + out) % 3,
                           out == 1,
                           li % 2,
                           &layouts[li],
                           &layouts[(li + 1 + out) % N_LAYOUTS] };
                run_sequence(&rng, &c, big ? 2 : 3, NULL);
            }
}

static void test_random_cases(void)
{
    TuRng rng;
    tu_rng_seed(&rng, tu_seed(0x7E57));
    IsegPool *pool = NULL;
    CHECK_EQ_INT(iseg_pool_create(&pool, 3), 0);
    for (int i = 0; i < 300; i++) {
        const int w = tu_rng_range(&rng, 1, i % 10 == 0 ? 90 : 24);
        const int h = tu_rng_range(&rng, 1, i % 10 == 0 ? 70 : 24);
        Case c = { w,
                   h,
                   tu_rng_range(&rng, 2, i % 7 == 0 ? 64 : 9),
                   tu_rng_range(&rng, 0, 1),
                   tu_rng_range(&rng, 0, 2),
                   tu_rng_range(&rng, 0, 2),
                   tu_rng_range(&rng, 0, 1),
                   tu_rng_range(&rng, 0, 1),
                   &layouts[tu_rng_range(&rng, 0, N_LAYOUTS - 1)],
                   &layouts[tu_rng_range(&rng, 0, N_LAYOUTS - 1)] };
        run_sequence(&rng, &c, tu_rng_range(&rng, 1, 3), i % 2 ? pool : NULL);
    }
    iseg_pool_destroy(pool);
}

/* Every pool size gives the same bytes, frame after frame (warm starts). */
static void test_pool_sizes(void)
{
    TuRng rng;
    tu_rng_seed(&rng, tu_seed(0x9001));
    const int w = 641, h = 363;
    IsegPool *pools[4] = { NULL, NULL, NULL, NULL };
    for (int p = 1; p < 4; p++)
        CHECK_EQ_INT(iseg_pool_create(&pools[p], (unsigned)p), 0);
    for (int li = 0; li < N_LAYOUTS; li += 1)
        for (int out = 0; out < 3; out++) {
            IsegKmeansSettings s = settings_k(6);
            s.output = out;
            s.features = (li + out) % 2;
            IsegKmeans *km[4];
            for (int p = 0; p < 4; p++)
                CHECK_EQ_INT(iseg_kmeans_create(&km[p], w, h), 0);
            for (int f = 0; f < 3; f++) {
                TuFrame src, res[4];
                frame_alloc(&src, &rng, &layouts[li], w, h);
                frame_fill(&src, &rng, f % 3);
                IsegKmeansResult r[4];
                for (int p = 0; p < 4; p++) {
                    frame_alloc(&res[p], &rng, &layouts[li], w, h);
                    tu_frame_copy(&res[p], &src);
                    CHECK_EQ_INT(iseg_kmeans_segment_yuv420(km[p], &s, &res[p].f, &res[p].f, NULL,
                                                            &r[p], pools[p]),
                                 0);
                }
                for (int p = 1; p < 4; p++) {
                    CHECK(frames_equal(&res[p].f, &res[0].f, "pool sizes"));
                    CHECK(results_equal(&r[p], &r[0], 1, "pool sizes"));
                }
                CHECK_EQ_INT(r[0].warm, f > 0);
                tu_frame_free(&src);
                for (int p = 0; p < 4; p++) {
                    CHECK(tu_frame_guard_ok(&res[p]));
                    tu_frame_free(&res[p]);
                }
            }
            for (int p = 0; p < 4; p++)
                iseg_kmeans_destroy(km[p]);
        }
    for (int p = 1; p < 4; p++)
        iseg_pool_destroy(pools[p]);
}

/* A frame of four flat YUV rectangles (edges on even coordinates, so every
 * chroma sample lies inside one) is segmented into exactly those four, the
 * labels numbered by Y although the order by "luminance" of (Y, U, V) read
 * as (R, G, B) differs; centers output gives the frame back unchanged. */
static void test_flat_regions(void)
{
    static const uint8_t col[4][3] = {
        { 60, 240, 230 },  /* Y-order 1; as RGB the brightest */
        { 30, 100, 110 },  /* 0 */
        { 200, 16, 20 },   /* 3; as RGB the darkest */
        { 120, 128, 128 }, /* 2 */
    };
    static const int label_of[4] = { 1, 0, 3, 2 };
    TuRng rng;
    tu_rng_seed(&rng, 77);
    static const int sizes[][2] = { { 33, 17 }, { 64, 48 }, { 385, 289 } };
    for (int si = 0; si < 3; si++)
        for (int li = 0; li < N_LAYOUTS; li++)
            for (int feat = 0; feat < 2; feat++) {
                const int w = sizes[si][0], h = sizes[si][1];
                const int bx = (w / 3) & ~1, by = (h / 2) & ~1;
                TuFrame f, out;
                frame_alloc(&f, &rng, &layouts[li], w, h);
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++) {
                        const int reg = (x >= bx) + 2 * (y >= by);
                        *luma_at(&f.f, x, y) = col[reg][0];
                        *chroma_at(&f.f, 0, x / 2, y / 2) = col[reg][1];
                        *chroma_at(&f.f, 1, x / 2, y / 2) = col[reg][2];
                    }
                frame_alloc(&out, &rng, &layouts[(li + 1) % N_LAYOUTS], w, h);
                TuImg lab;
                tu_img_alloc_random_pad(&lab, &rng, w, h);
                IsegKmeans *km = NULL;
                CHECK_EQ_INT(iseg_kmeans_create(&km, w, h), 0);
                IsegKmeansSettings s = settings_k(4);
                s.features = feat;
                s.spatial_weight = 0.1;
                IsegKmeansResult r;
                CHECK_EQ_INT(iseg_kmeans_segment_yuv420(km, &s, &f.f, &out.f, &lab.img, &r, NULL),
                             0);
                CHECK(frames_equal(&out.f, &f.f, "flat regions: centers output"));
                int ok = 1;
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++)
                        ok &= lab.img.data[y * lab.img.stride + x] ==
                              label_of[(x >= bx) + 2 * (y >= by)];
                CHECK_MSG(ok, "flat regions %dx%d %s features %d: labels", w, h, layouts[li].name,
                          feat);
                CHECK_EQ_INT(r.dims, feat ? 5 : 3);
                for (int reg = 0; reg < 4; reg++)
                    for (int d = 0; d < 3; d++)
                        CHECK(r.centers[label_of[reg]][d] == col[reg][d]);
                CHECK(r.inertia >= 0 && (feat || r.inertia == 0));
                /* labels output: Y = label, U = V = 128 */
                s.output = ISEG_KMEANS_OUTPUT_LABELS;
                CHECK_EQ_INT(iseg_kmeans_segment_yuv420(km, &s, &f.f, &out.f, NULL, &r, NULL), 0);
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++)
                        ok &= *luma_at(&out.f, x, y) == label_of[(x >= bx) + 2 * (y >= by)] &&
                              *chroma_at(&out.f, 0, x / 2, y / 2) == 128 &&
                              *chroma_at(&out.f, 1, x / 2, y / 2) == 128;
                CHECK_MSG(ok, "labels output");
                /* palette output: the YUV palette colors */
                s.output = ISEG_KMEANS_OUTPUT_PALETTE;
                CHECK_EQ_INT(iseg_kmeans_segment_yuv420(km, &s, &f.f, &f.f, NULL, &r, NULL), 0);
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++) {
                        uint8_t p[3];
                        iseg_kmeans_palette_yuv(label_of[(x >= bx) + 2 * (y >= by)], p);
                        ok &= *luma_at(&f.f, x, y) == p[0] &&
                              *chroma_at(&f.f, 0, x / 2, y / 2) == p[1] &&
                              *chroma_at(&f.f, 1, x / 2, y / 2) == p[2];
                    }
                CHECK_MSG(ok, "palette output");
                CHECK(tu_frame_guard_ok(&f) && tu_frame_guard_ok(&out) && tu_img_guard_ok(&lab));
                iseg_kmeans_destroy(km);
                tu_frame_free(&f);
                tu_frame_free(&out);
                tu_img_free(&lab);
            }
}

/* Chroma of a 2x2 (or edge) block whose pixels fall into different clusters:
 * the rounded mean of the centers' U, V, worked out by hand. */
static void test_chroma_mean_by_hand(void)
{
    /* 3x3 frame, luma  0   0   200    chroma (2x2 samples)  U:  50  90   V:  60 100
     *                  0   200 200                              71 111       80 120
     *                  200 200 200
     * Pixel (x, y) has the chroma of sample (x/2, y/2). k = 2 from the given
     * centers (0, 50, 60) and (200, 100, 110); one update. Pixels with Y 0
     * are nearest the first, those with Y 200 the second, so cluster 0 is
     * (0,0) (1,0) (0,1), all with chroma (50, 60): center (0, 50, 60);
     * cluster 1 is (2,0) (1,1) (2,1) (0,2) (1,2) (2,2) with U 90 50 90 71 71
     * 111 (sum 483) and V 100 60 100 80 80 120 (sum 540): center
     * (200, 80.5, 90), output rounded (200, 81, 90).
     * Chroma sample (0,0) covers labels 0 0 0 1:
     *   U = (3 * 50 + 81 + 2) / 4 = 233 / 4 -> 58 (57.75),
     *   V = (3 * 60 + 90 + 2) / 4 = 272 / 4 -> 68 (67.5, half up);
     * the other three cover label 1 only: U 81, V 90. */
    static const uint8_t Y[3][3] = { { 0, 0, 200 }, { 0, 200, 200 }, { 200, 200, 200 } };
    static const uint8_t U[2][2] = { { 50, 90 }, { 71, 111 } };
    static const uint8_t V[2][2] = { { 60, 100 }, { 80, 120 } };
    TuRng rng;
    tu_rng_seed(&rng, 5);
    for (int ref = 0; ref < 2; ref++) {
        TuFrame f;
        frame_alloc(&f, &rng, &layouts[ref ? 1 : 0], 3, 3);
        for (int y = 0; y < 3; y++)
            for (int x = 0; x < 3; x++)
                *luma_at(&f.f, x, y) = Y[y][x];
        for (int cy = 0; cy < 2; cy++)
            for (int cx = 0; cx < 2; cx++) {
                *chroma_at(&f.f, 0, cx, cy) = U[cy][cx];
                *chroma_at(&f.f, 1, cx, cy) = V[cy][cx];
            }
        IsegKmeans *km = NULL;
        CHECK_EQ_INT(iseg_kmeans_create(&km, 3, 3), 0);
        const double init[6] = { 0, 50, 60, 200, 100, 110 };
        CHECK_EQ_INT(iseg_kmeans_set_centers(km, 2, 3, init), 0);
        IsegKmeansSettings s = settings_k(2);
        s.max_iterations = 1;
        IsegKmeansResult r;
        if (ref)
            CHECK_EQ_INT(iseg_kmeans_segment_yuv420_ref(km, &s, &f.f, &f.f, NULL, &r), 0);
        else
            CHECK_EQ_INT(iseg_kmeans_segment_yuv420(km, &s, &f.f, &f.f, NULL, &r, NULL), 0);
        CHECK(r.centers[0][0] == 0 && r.centers[0][1] == 50 && r.centers[0][2] == 60);
        CHECK(r.centers[1][0] == 200 && r.centers[1][1] == 80.5 && r.centers[1][2] == 90);
        CHECK_EQ_INT(r.counts[0], 3);
        CHECK_EQ_INT(r.counts[1], 6);
        for (int y = 0; y < 3; y++)
            for (int x = 0; x < 3; x++)
                CHECK_EQ_INT(*luma_at(&f.f, x, y), Y[y][x]);
        CHECK_EQ_INT(*chroma_at(&f.f, 0, 0, 0), 58);
        CHECK_EQ_INT(*chroma_at(&f.f, 1, 0, 0), 68);
        for (int c = 1; c < 4; c++) {
            CHECK_EQ_INT(*chroma_at(&f.f, 0, c % 2, c / 2), 81);
            CHECK_EQ_INT(*chroma_at(&f.f, 1, c % 2, c / 2), 90);
        }
        CHECK(tu_frame_guard_ok(&f));
        iseg_kmeans_destroy(km);
        tu_frame_free(&f);
    }
}

static void test_palette_yuv(void)
{
    /* BT.601 limited range of the RGB palette, checked against the integer
     * approximation used by most converters (within rounding) */
    int distinct = 1;
    uint8_t all[ISEG_KMEANS_MAX_K][3];
    for (int l = 0; l < ISEG_KMEANS_MAX_K; l++) {
        uint8_t rgb[3], yuv[3];
        iseg_kmeans_palette_color(l, rgb);
        iseg_kmeans_palette_yuv(l, yuv);
        const int R = rgb[0], G = rgb[1], B = rgb[2];
        const double y = 16 + (65.481 * R + 128.553 * G + 24.966 * B) / 255;
        const double u = 128 + (-37.797 * R - 74.203 * G + 112.0 * B) / 255;
        const double v = 128 + (112.0 * R - 93.786 * G - 18.214 * B) / 255;
        CHECK_MSG(fabs(yuv[0] - y) <= 0.5 && fabs(yuv[1] - u) <= 0.5 && fabs(yuv[2] - v) <= 0.5,
                  "label %d: %d %d %d vs %.2f %.2f %.2f", l, yuv[0], yuv[1], yuv[2], y, u, v);
        CHECK(abs(yuv[0] - (((66 * R + 129 * G + 25 * B + 128) >> 8) + 16)) <= 1);
        CHECK(yuv[0] >= 16 && yuv[0] <= 235 && yuv[1] >= 16 && yuv[1] <= 240 && yuv[2] >= 16 &&
              yuv[2] <= 240);
        memcpy(all[l], yuv, 3);
        for (int o = 0; o < l; o++)
            distinct &= memcmp(all[o], yuv, 3) != 0;
    }
    CHECK(distinct);
    uint8_t a[3], b[3];
    iseg_kmeans_palette_yuv(3, a);
    iseg_kmeans_palette_yuv(3 + ISEG_KMEANS_MAX_K, b);
    CHECK(!memcmp(a, b, 3));
}

/* A YUV warm start continues from centers given as Y, U, V, and a context
 * used for YUV may be reset and used for RGB (numbered by luminance again). */
static void test_warm_and_rgb_after_yuv(void)
{
    TuRng rng;
    tu_rng_seed(&rng, 11);
    const int w = 40, h = 30;
    TuFrame f;
    frame_alloc(&f, &rng, &layouts[0], w, h);
    frame_fill(&f, &rng, FILL_FEW);
    IsegKmeans *km = NULL;
    CHECK_EQ_INT(iseg_kmeans_create(&km, w, h), 0);
    IsegKmeansSettings s = settings_k(3);
    s.epsilon = 0;
    s.max_iterations = 100;
    IsegKmeansResult r1, r2;
    CHECK_EQ_INT(iseg_kmeans_segment_yuv420(km, &s, &f.f, NULL, NULL, &r1, NULL), 0);
    CHECK_EQ_INT(r1.warm, 0);
    for (int j = 1; j < r1.k; j++)
        CHECK(r1.centers[j - 1][0] <= r1.centers[j][0]);
    CHECK_EQ_INT(iseg_kmeans_segment_yuv420(km, &s, &f.f, NULL, NULL, &r2, NULL), 0);
    CHECK_EQ_INT(r2.warm, 1);
    CHECK_EQ_INT(r2.iterations, 1);
    for (int j = 0; j < r1.k; j++)
        for (int d = 0; d < 3; d++)
            CHECK(r2.centers[j][d] == r1.centers[j][d]);
    /* RGB after reset: numbered by luminance */
    iseg_kmeans_reset(km);
    uint8_t rgb[6 * 3] = { 250, 0, 0, 0, 200, 0, 0, 0, 250, 250, 0, 0, 0, 200, 0, 0, 0, 250 };
    IsegPixels px;
    CHECK_EQ_INT(iseg_pixels_init(&px, ISEG_PIXEL_RGB, rgb, 6, 1, 18), 0);
    CHECK_EQ_INT(iseg_kmeans_segment(km, &s, &px, NULL, NULL, &r1, NULL), 0);
    /* luminance: blue 28.5 < red 74.75 < green 117.4 */
    CHECK(r1.centers[0][2] == 250 && r1.centers[1][0] == 250 && r1.centers[2][1] == 200);
    iseg_kmeans_destroy(km);
    tu_frame_free(&f);
}

static void test_bad_arguments(void)
{
    TuRng rng;
    tu_rng_seed(&rng, 3);
    const int w = 21, h = 13;
    TuFrame f, g, y444;
    frame_alloc(&f, &rng, &layouts[0], w, h);
    frame_alloc(&g, &rng, &layouts[1], w + 2, h);
    tu_frame_alloc(&y444, &rng, &tu_layouts[4], w, h);
    TuFrame keep;
    frame_alloc(&keep, &rng, &layouts[0], w, h);
    tu_frame_copy(&keep, &f);
    TuImg lab;
    tu_img_alloc(&lab, w, h + 1, 0);
    IsegKmeans *km = NULL, *small = NULL;
    CHECK_EQ_INT(iseg_kmeans_create(&km, w, h), 0);
    CHECK_EQ_INT(iseg_kmeans_create(&small, w - 1, h), 0);
    IsegKmeansSettings s = settings_k(3), bad = settings_k(1);
    IsegKmeansResult r;
    for (int ref = 0; ref < 2; ref++) {
#define CALL(k, st, sr, d, l)                                                                      \
    (ref ? iseg_kmeans_segment_yuv420_ref(k, st, sr, d, l, &r)                                     \
         : iseg_kmeans_segment_yuv420(k, st, sr, d, l, &r, NULL))
        CHECK_EQ_INT(CALL(NULL, &s, &f.f, &f.f, NULL), -EINVAL);
        CHECK_EQ_INT(CALL(km, NULL, &f.f, &f.f, NULL), -EINVAL);
        CHECK_EQ_INT(CALL(km, &bad, &f.f, &f.f, NULL), -EINVAL);
        CHECK_EQ_INT(CALL(km, &s, NULL, &f.f, NULL), -EINVAL);
        CHECK_EQ_INT(CALL(small, &s, &f.f, &f.f, NULL), -EINVAL);
        CHECK_EQ_INT(CALL(km, &s, &y444.f, &y444.f, NULL), -EINVAL);
        CHECK_EQ_INT(CALL(km, &s, &f.f, &y444.f, NULL), -EINVAL);
        CHECK_EQ_INT(CALL(km, &s, &f.f, &g.f, NULL), -EINVAL);
        CHECK_EQ_INT(CALL(km, &s, &f.f, &f.f, &lab.img), -EINVAL);
        IsegFrame odd = f.f;
        odd.chroma[1].height++;
        CHECK_EQ_INT(CALL(km, &s, &odd, &f.f, NULL), -EINVAL);
        odd = f.f;
        odd.n_chroma = 0;
        CHECK_EQ_INT(CALL(km, &s, &odd, &f.f, NULL), -EINVAL);
#undef CALL
    }
    CHECK(tu_frame_equal(&f, &keep, "bad arguments: nothing written"));
    CHECK(tu_frame_guard_ok(&f) && tu_frame_guard_ok(&g) && tu_frame_guard_ok(&y444));
    iseg_kmeans_destroy(km);
    iseg_kmeans_destroy(small);
    tu_frame_free(&f);
    tu_frame_free(&g);
    tu_frame_free(&y444);
    tu_frame_free(&keep);
    tu_img_free(&lab);
}

int main(void)
{
    RUN(test_palette_yuv);
    RUN(test_chroma_mean_by_hand);
    RUN(test_flat_regions);
    RUN(test_against_per_pixel_version);
    RUN(test_random_cases);
    RUN(test_pool_sizes);
    RUN(test_warm_and_rgb_after_yuv);
    RUN(test_bad_arguments);
    return tu_finish();
}
