/* Hit-or-miss transform, thinning, thickening, skeletons: the lecture's
 * examples, then fast == reference on random masks and elements, then the
 * properties of skeletons of real shapes. */
#include "core/internal.h" /* ISEG_MIN, ISEG_MAX */
#include "testutil.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- helpers */

/* Elements are built here by hand (parsing and rotating elements belongs to
 * sel.c; these helpers only make test inputs). */
static IsegSel *tsel_new(int w, int h)
{
    IsegSel *s = calloc(1, sizeof(*s));
    s->width = w;
    s->height = h;
    s->origin_x = w / 2;
    s->origin_y = h / 2;
    s->cells = calloc((size_t)w * h, 1);
    return s;
}

static void tsel_free(IsegSel *s)
{
    if (s) {
        free(s->cells);
        free(s);
    }
}

/* "0 0 0; . 1 .; 1 1 1": rows split by ';', cells 1 0 . (spaces ignored). */
static IsegSel *tsel_parse(const char *text)
{
    int w = 0, h = 1, cur = 0;
    for (const char *p = text; *p; p++) {
        if (*p == ';') {
            w = cur;
            cur = 0;
            h++;
        } else if (*p == '1' || *p == '0' || *p == '.') {
            cur++;
        }
    }
    if (!w)
        w = cur;
    IsegSel *s = tsel_new(w, h);
    int i = 0;
    for (const char *p = text; *p; p++)
        if (*p == '1' || *p == '0' || *p == '.')
            s->cells[i++] = *p == '1'   ? ISEG_SEL_HIT
                            : *p == '0' ? ISEG_SEL_MISS
                                        : ISEG_SEL_DONTCARE;
    return s;
}

/* Clockwise quarter turn: cell (x, y) goes to (h - 1 - y, x), the origin with it. */
static IsegSel *tsel_rot90(const IsegSel *s)
{
    IsegSel *r = tsel_new(s->height, s->width);
    for (int y = 0; y < s->height; y++)
        for (int x = 0; x < s->width; x++)
            r->cells[x * r->width + (s->height - 1 - y)] = s->cells[y * s->width + x];
    r->origin_x = s->height - 1 - s->origin_y;
    r->origin_y = s->origin_x;
    return r;
}

/* 3x3: the ring of neighbours one step clockwise. */
static IsegSel *tsel_rot45(const IsegSel *s)
{
    static const int ring[8] = { 0, 1, 2, 5, 8, 7, 6, 3 };
    IsegSel *r = tsel_new(3, 3);
    r->cells[4] = s->cells[4];
    for (int k = 0; k < 8; k++)
        r->cells[ring[(k + 1) % 8]] = s->cells[ring[k]];
    return r;
}

#define TSET_MAX 16
typedef struct TSet {
    IsegSel *s[TSET_MAX];
    int n;
} TSet;

static const IsegSel *const *tset(const TSet *t)
{
    return (const IsegSel *const *)t->s;
}

/* sel (taken) and its n - 1 further rotations by 90 (n = 4) or 45 degrees (n = 8). */
static TSet tset_rotations(IsegSel *sel, int n)
{
    TSet t = { { sel }, n };
    for (int k = 1; k < n; k++)
        t.s[k] = n == 8 ? tsel_rot45(t.s[k - 1]) : tsel_rot90(t.s[k - 1]);
    return t;
}

static void tset_free(TSet *t)
{
    for (int k = 0; k < t->n; k++)
        tsel_free(t->s[k]);
    t->n = 0;
}

/* A mask from rows of '#' (foreground) and '.', as 255 / 0. */
static void img_from_rows(TuImg *t, const char *const *rows, int h, int pad)
{
    const int w = (int)strlen(rows[0]);
    tu_img_alloc(t, w, h, pad);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            t->img.data[y * t->img.stride + x] = rows[y][x] == '#' ? 255 : 0;
}

static int img_matches_rows(const IsegImage *img, const char *const *rows)
{
    int ok = 1;
    for (int y = 0; y < img->height; y++)
        for (int x = 0; x < img->width; x++) {
            const int want = rows[y][x] == '#' ? 255 : 0;
            if (img->data[y * img->stride + x] != want) {
                if (ok)
                    fprintf(stderr, "first difference at (%d,%d): %d, want %d\n", x, y,
                            img->data[y * img->stride + x], want);
                ok = 0;
            }
        }
    return ok;
}

static void print_img(const IsegImage *img)
{
    for (int y = 0; y < img->height; y++) {
        for (int x = 0; x < img->width; x++)
            fputc(img->data[y * img->stride + x] >= 128 ? '#' : '.', stderr);
        fputc('\n', stderr);
    }
}

/* set NULL: the built-in skeleton set */
static int run_fast(IsegHitmissOp op, const TSet *set, const IsegImage *src, IsegImage *dst,
                    unsigned iterations, IsegPool *pool, IsegHitmissStats *st)
{
    IsegHitmiss *hm = NULL;
    int ret = iseg_hitmiss_create(&hm, op, set ? tset(set) : NULL, set ? set->n : 0, src->width,
                                  src->height);
    if (ret == 0)
        ret = iseg_hitmiss_run(hm, src, dst, iterations, pool, st);
    iseg_hitmiss_destroy(hm);
    return ret;
}

static int count_value(const IsegImage *img, int v)
{
    int n = 0;
    for (int y = 0; y < img->height; y++)
        for (int x = 0; x < img->width; x++)
            n += img->data[y * img->stride + x] == v;
    return n;
}

/* ---------------------------------------------------------------- lecture */

/* The lecture's "why we need hit-and-miss": a horizontal bar with a vertical
 * stem (a T) and an isolated vertical line. The vertical 3x1 element fits in
 * both stems, so opening keeps the T's stem; hit-or-miss with a background
 * part (SE2: the columns left and right, 7 rows tall) finds only the
 * isolated vertical line. */
static const char *const lecture_lines[5] = {
    ".#####.#.", "...#...#.", "...#...#.", "...#...#.", "...#...#.",
};

static void test_lecture_vertical_lines(void)
{
    TuImg in, out;
    img_from_rows(&in, lecture_lines, 5, 3);
    tu_img_alloc(&out, 9, 5, 5);

    /* SE1 alone (foreground part only) = erosion: fits in both stems */
    TSet se1 = { { tsel_parse("1;1;1") }, 1 };
    static const char *const eroded[5] = {
        ".........", "...#...#.", "...#...#.", "...#...#.", ".........",
    };
    IsegHitmissStats st;
    CHECK_EQ_INT(run_fast(ISEG_HITMISS_HMT, &se1, &in.img, &out.img, 1, NULL, &st), 0);
    CHECK(img_matches_rows(&out.img, eroded));
    CHECK_EQ_INT(st.matches, 6);
    CHECK_EQ_INT(st.passes, 1);
    /* ... and the opening (dilating that back) keeps the T's stem too */
    int stem_kept = 1;
    for (int y = 0; y < 5; y++)
        stem_kept &= out.img.data[ISEG_CLAMP(y, 1, 3) * out.img.stride + 3] == 255;
    CHECK(stem_kept);

    /* SE1 and SE2 together: only the isolated line */
    TSet hm = { { tsel_parse("0 . 0; 0 . 0; 0 1 0; 0 1 0; 0 1 0; 0 . 0; 0 . 0") }, 1 };
    static const char *const detected[5] = {
        ".........", ".......#.", ".......#.", ".......#.", ".........",
    };
    CHECK_EQ_INT(run_fast(ISEG_HITMISS_HMT, &hm, &in.img, &out.img, 1, NULL, &st), 0);
    CHECK(img_matches_rows(&out.img, detected));
    CHECK_EQ_INT(st.matches, 3);
    CHECK_EQ_INT(iseg_hitmiss_ref(ISEG_HITMISS_HMT, tset(&hm), 1, &in.img, &out.img, 1, &st), 0);
    CHECK(img_matches_rows(&out.img, detected));
    CHECK_EQ_INT(st.matches, 3);

    /* a background part only 3 rows tall is not enough: the T's stem still
     * matches below the bar */
    TSet short_bg = { { tsel_parse("0 1 0; 0 1 0; 0 1 0") }, 1 };
    static const char *const too_short[5] = {
        ".........", ".......#.", "...#...#.", "...#...#.", ".........",
    };
    CHECK_EQ_INT(run_fast(ISEG_HITMISS_HMT, &short_bg, &in.img, &out.img, 1, NULL, &st), 0);
    CHECK(img_matches_rows(&out.img, too_short));

    CHECK(tu_img_guard_ok(&in) && tu_img_guard_ok(&out));
    tset_free(&se1);
    tset_free(&hm);
    tset_free(&short_bg);
    tu_img_free(&in);
    tu_img_free(&out);
}

/* The lecture's "difference between erosion and thinning": the element with
 * foreground part "1 1 1; 1 1 1" (centre row and the row below) and
 * background part "0 0 0" (the row above). Eroding a rectangle by the
 * foreground part strips three of its sides; thinning with the element
 * peels only the top edge (corners excluded). Repeated with the element's
 * quarter turns, thinning ends one pixel wide. */
static void test_lecture_thinning(void)
{
    static const char *const rect[7] = {
        ".........", ".#######.", ".#######.", ".#######.", ".#######.", ".#######.", ".........",
    };
    static const char *const eroded[7] = {
        ".........", "..#####..", "..#####..", "..#####..", "..#####..", ".........", ".........",
    };
    static const char *const thinned_once[7] = {
        ".........", ".#.....#.", ".#######.", ".#######.", ".#######.", ".#######.", ".........",
    };
    TuImg in, out;
    img_from_rows(&in, rect, 7, 1);
    tu_img_alloc(&out, 9, 7, 2);
    IsegHitmissStats st;

    TSet fg = { { tsel_parse(". . .; 1 1 1; 1 1 1") }, 1 };
    CHECK_EQ_INT(run_fast(ISEG_HITMISS_HMT, &fg, &in.img, &out.img, 1, NULL, &st), 0);
    CHECK(img_matches_rows(&out.img, eroded));

    TSet thin = { { tsel_parse("0 0 0; 1 1 1; 1 1 1") }, 1 };
    CHECK_EQ_INT(run_fast(ISEG_HITMISS_THIN, &thin, &in.img, &out.img, 1, NULL, &st), 0);
    CHECK(img_matches_rows(&out.img, thinned_once));
    CHECK_EQ_INT(st.matches, 5);
    CHECK_EQ_INT(st.passes, 1);
    tset_free(&thin);

    /* thinned to the end with the built-in skeleton set: one pixel wide
     * (the sequential order makes it slightly asymmetric) */
    static const char *const skeleton[7] = {
        ".........", ".#.....#.", ".#....#..", "..#####..", "..#...#..", ".#.....#.", ".........",
    };
    CHECK_EQ_INT(run_fast(ISEG_HITMISS_SKELETON, NULL, &in.img, &out.img, 1, NULL, &st), 0);
    if (!img_matches_rows(&out.img, skeleton))
        print_img(&out.img);
    CHECK(img_matches_rows(&out.img, skeleton));
    CHECK_EQ_INT(st.matches, 35 - 13);
    CHECK_EQ_INT(st.passes, 3);

    tset_free(&fg);
    tu_img_free(&in);
    tu_img_free(&out);
}

/* ---------------------------------------------------------------- random */

/* A random binary picture with gray values on both sides of 128. */
static void fill_mask(TuImg *t, TuRng *r)
{
    const IsegImage *im = &t->img;
    const int kind = tu_rng_range(r, 0, 9);
    const int density = tu_rng_range(r, 5, 95);
    uint8_t *m = calloc((size_t)im->width * im->height, 1);
    if (kind <= 3) {
        for (int i = 0; i < im->width * im->height; i++)
            m[i] = tu_rng_range(r, 0, 99) < density;
    } else if (kind <= 8) {
        /* unions of rectangles and disks, sometimes with noise */
        const int n = tu_rng_range(r, 1, 12);
        for (int b = 0; b < n; b++) {
            const int cx = tu_rng_range(r, -5, im->width + 5),
                      cy = tu_rng_range(r, -5, im->height + 5);
            const int rx = tu_rng_range(r, 1, 25), ry = tu_rng_range(r, 1, 25);
            const int disk = tu_rng_range(r, 0, 1), val = b == 0 || tu_rng_range(r, 0, 3) > 0;
            for (int y = ISEG_MAX(0, cy - ry); y < ISEG_MIN(im->height, cy + ry + 1); y++)
                for (int x = ISEG_MAX(0, cx - rx); x < ISEG_MIN(im->width, cx + rx + 1); x++) {
                    const double u = (double)(x - cx) / rx, v = (double)(y - cy) / ry;
                    if (!disk || u * u + v * v <= 1.0)
                        m[y * im->width + x] = (uint8_t)val;
                }
        }
        if (kind == 8)
            for (int i = 0; i < im->width * im->height; i++)
                m[i] ^= tu_rng_range(r, 0, 99) < 3;
    } else {
        memset(m, tu_rng_range(r, 0, 1), (size_t)im->width * im->height);
    }
    for (int y = 0; y < im->height; y++)
        for (int x = 0; x < im->width; x++)
            im->data[y * im->stride + x] =
                (uint8_t)(m[y * im->width + x] ? tu_rng_range(r, 128, 255)
                                               : tu_rng_range(r, 0, 127));
    free(m);
}

/* Random element: mostly 3x3, sometimes larger, sometimes wide enough that
 * shifted reads cross more than one 64-pixel word, any origin. */
static IsegSel *random_sel(TuRng *r, int force3x3)
{
    int w = 3, h = 3;
    const int kind = force3x3 ? 0 : tu_rng_range(r, 0, 9);
    if (kind >= 5 && kind <= 7) {
        w = tu_rng_range(r, 1, 7);
        h = tu_rng_range(r, 1, 7);
    } else if (kind == 8) {
        w = tu_rng_range(r, 1, 150);
        h = tu_rng_range(r, 1, 3);
    } else if (kind == 9) {
        w = tu_rng_range(r, 1, 3);
        h = tu_rng_range(r, 1, 40);
    }
    IsegSel *s = tsel_new(w, h);
    if (tu_rng_range(r, 0, 3) == 0) {
        s->origin_x = tu_rng_range(r, 0, w - 1);
        s->origin_y = tu_rng_range(r, 0, h - 1);
    }
    /* big elements are mostly don't-care, or they would never match */
    const int cells = w * h;
    const int care = cells <= 9 ? tu_rng_range(r, 20, 100) : tu_rng_range(r, 1, 400 / cells + 2);
    const int hit = tu_rng_range(r, 10, 90);
    for (int i = 0; i < cells; i++)
        if (tu_rng_range(r, 0, 99) < care)
            s->cells[i] = tu_rng_range(r, 0, 99) < hit ? ISEG_SEL_HIT : ISEG_SEL_MISS;
    /* thinning-like: centre foreground more often than not */
    if (tu_rng_range(r, 0, 1))
        s->cells[s->origin_y * w + s->origin_x] = ISEG_SEL_HIT;
    return s;
}

static TSet random_set(TuRng *r)
{
    const int kind = tu_rng_range(r, 0, 5);
    if (kind == 0)
        return tset_rotations(random_sel(r, 1), 8);
    if (kind == 1)
        return tset_rotations(random_sel(r, 0), 4);
    TSet t = { { NULL }, kind == 2 ? tu_rng_range(r, 2, 8) : 1 };
    const int all3x3 = tu_rng_range(r, 0, 1);
    for (int k = 0; k < t.n; k++)
        t.s[k] = random_sel(r, all3x3);
    return t;
}

static void test_random_fast_equals_reference(void)
{
    TuRng r;
    tu_rng_seed(&r, tu_seed(4));
    IsegPool *pools[4] = { NULL, NULL, NULL, NULL };
    iseg_pool_create(&pools[1], 1);
    iseg_pool_create(&pools[2], 2);
    iseg_pool_create(&pools[3], 3);
    static const int special_w[] = { 1, 2, 63, 64, 65, 127, 128, 129, 191, 200 };
    int bad = 0, cases = 0;
    for (int iter = 0; iter < 3000; iter++) {
        const IsegHitmissOp op = (IsegHitmissOp)tu_rng_range(&r, 0, 3);
        int w = tu_rng_range(&r, 1, 70), h = tu_rng_range(&r, 1, 50);
        switch (tu_rng_range(&r, 0, 9)) {
        case 0: w = 1; break;
        case 1: h = 1; break;
        case 2:
            w = special_w[tu_rng_range(&r, 0, 9)];
            h = tu_rng_range(&r, 1, 20);
            break;
        default: break;
        }
        TSet set = random_set(&r);
        const int builtin = op == ISEG_HITMISS_SKELETON && tu_rng_range(&r, 0, 1);
        /* bounded work for the reference: until-convergence only on small frames */
        unsigned iterations = (unsigned)tu_rng_range(&r, 0, 3);
        if (iterations == 0 && w * h > 1500 &&
            (op == ISEG_HITMISS_THIN || op == ISEG_HITMISS_THICKEN))
            iterations = 2;
        IsegHitmiss *hm = NULL;
        if (iseg_hitmiss_create(&hm, op, builtin ? NULL : tset(&set), builtin ? 0 : set.n, w, h) !=
            0) {
            bad++;
            tset_free(&set);
            continue;
        }
        /* two frames through one context: scratch is reused */
        for (int frame = 0; frame < 2; frame++) {
            TuImg src, ref, out;
            tu_img_alloc_random_pad(&src, &r, w, h);
            tu_img_alloc_random_pad(&ref, &r, w, h);
            tu_img_alloc_random_pad(&out, &r, w, h);
            fill_mask(&src, &r);
            IsegHitmissStats sr = { 0, 0 }, sf = { 0, 0 };
            int ok = iseg_hitmiss_ref(op, builtin ? NULL : tset(&set), builtin ? 0 : set.n,
                                      &src.img, &ref.img, iterations, &sr) == 0;
            const int in_place = tu_rng_range(&r, 0, 1);
            IsegImage *dst = &out.img;
            if (in_place) {
                tu_img_copy_pixels(&out.img, &src.img);
                ok &= iseg_hitmiss_run(hm, &out.img, dst, iterations, pools[iter % 4], &sf) == 0;
            } else {
                ok &= iseg_hitmiss_run(hm, &src.img, dst, iterations, pools[iter % 4], &sf) == 0;
            }
            ok &= tu_img_equal(&ref.img, dst, "fast vs reference");
            ok &= sr.matches == sf.matches && sr.passes == sf.passes;
            ok &= tu_img_guard_ok(&src) && tu_img_guard_ok(&out) && tu_img_guard_ok(&ref);
            if (!ok) {
                bad++;
                fprintf(stderr,
                        "case %d frame %d: op %d %dx%d set %d (builtin %d) iterations %u "
                        "in place %d: matches %llu/%llu passes %u/%u\n",
                        iter, frame, (int)op, w, h, set.n, builtin, iterations, in_place,
                        (unsigned long long)sr.matches, (unsigned long long)sf.matches, sr.passes,
                        sf.passes);
            }
            cases++;
            tu_img_free(&src);
            tu_img_free(&ref);
            tu_img_free(&out);
        }
        iseg_hitmiss_destroy(hm);
        tset_free(&set);
    }
    CHECK_EQ_INT(bad, 0);
    CHECK(cases == 6000);
    for (int p = 1; p < 4; p++)
        iseg_pool_destroy(pools[p]);
}

/* Elements that match outside the picture too (all don't-care, misses
 * only): nothing beyond the width may be written or counted. */
static void test_special_elements(void)
{
    static const char *const texts[] = { ".",
                                         "0",
                                         "1",
                                         ". . .; . . .; . . .",
                                         "0 0 0; 0 0 0; 0 0 0",
                                         "0 0 0; 0 1 0; 0 0 0",
                                         "1 1 1; 1 1 1; 1 1 1",
                                         "0 . . . . . . . 0" };
    static const int sizes[][2] = { { 1, 1 },  { 1, 7 },   { 7, 1 },  { 64, 3 },
                                    { 65, 4 }, { 100, 9 }, { 129, 2 } };
    TuRng r;
    tu_rng_seed(&r, 99);
    IsegPool *pool = NULL;
    iseg_pool_create(&pool, 2);
    for (size_t e = 0; e < sizeof(texts) / sizeof(texts[0]); e++)
        for (size_t z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++)
            for (int op = 0; op <= 3; op++) {
                const int w = sizes[z][0], h = sizes[z][1];
                TSet set = { { tsel_parse(texts[e]) }, 1 };
                TuImg src, ref, out;
                tu_img_alloc_random_pad(&src, &r, w, h);
                tu_img_alloc_random_pad(&ref, &r, w, h);
                tu_img_alloc_random_pad(&out, &r, w, h);
                fill_mask(&src, &r);
                IsegHitmissStats sr, sf;
                CHECK_EQ_INT(
                    iseg_hitmiss_ref((IsegHitmissOp)op, tset(&set), 1, &src.img, &ref.img, 0, &sr),
                    0);
                CHECK_EQ_INT(run_fast((IsegHitmissOp)op, &set, &src.img, &out.img, 0, pool, &sf),
                             0);
                CHECK_MSG(tu_img_equal(&ref.img, &out.img, "special"), "element \"%s\" op %d %dx%d",
                          texts[e], op, w, h);
                CHECK_EQ_INT(sr.matches, sf.matches);
                CHECK_EQ_INT(sr.passes, sf.passes);
                if (op == ISEG_HITMISS_HMT && e == 0)
                    CHECK_EQ_INT(sf.matches, w * h); /* all don't-care fits everywhere */
                if (op == ISEG_HITMISS_HMT)
                    CHECK_EQ_INT(sf.matches, count_value(&out.img, 255));
                CHECK(tu_img_guard_ok(&src) && tu_img_guard_ok(&ref) && tu_img_guard_ok(&out));
                tu_img_free(&src);
                tu_img_free(&ref);
                tu_img_free(&out);
                tset_free(&set);
            }
    iseg_pool_destroy(pool);
}

/* One element, one pass: thin is A - HMT(A, B) and thicken A | HMT(A, B')
 * with B' the element with hit and miss swapped, both through the library's
 * own hitmiss (fast path against fast path: ties the operations together). */
static void test_thin_thicken_definitions(void)
{
    TuRng r;
    tu_rng_seed(&r, 31);
    for (int iter = 0; iter < 300; iter++) {
        const int w = tu_rng_range(&r, 1, 140), h = tu_rng_range(&r, 1, 40);
        IsegSel *b = random_sel(&r, iter % 2);
        IsegSel *bs = tsel_new(b->width, b->height);
        bs->origin_x = b->origin_x;
        bs->origin_y = b->origin_y;
        for (int i = 0; i < b->width * b->height; i++)
            bs->cells[i] = b->cells[i] == ISEG_SEL_HIT    ? ISEG_SEL_MISS
                           : b->cells[i] == ISEG_SEL_MISS ? ISEG_SEL_HIT
                                                          : ISEG_SEL_DONTCARE;
        TSet sb = { { b }, 1 }, ss = { { bs }, 1 };
        TuImg a, hb, hs, th, tk;
        tu_img_alloc_random_pad(&a, &r, w, h);
        tu_img_alloc_random_pad(&hb, &r, w, h);
        tu_img_alloc_random_pad(&hs, &r, w, h);
        tu_img_alloc_random_pad(&th, &r, w, h);
        tu_img_alloc_random_pad(&tk, &r, w, h);
        fill_mask(&a, &r);
        IsegHitmissStats s1, s2, s3, s4;
        CHECK_EQ_INT(run_fast(ISEG_HITMISS_HMT, &sb, &a.img, &hb.img, 1, NULL, &s1), 0);
        CHECK_EQ_INT(run_fast(ISEG_HITMISS_HMT, &ss, &a.img, &hs.img, 1, NULL, &s2), 0);
        CHECK_EQ_INT(run_fast(ISEG_HITMISS_THIN, &sb, &a.img, &th.img, 1, NULL, &s3), 0);
        CHECK_EQ_INT(run_fast(ISEG_HITMISS_THICKEN, &sb, &a.img, &tk.img, 1, NULL, &s4), 0);
        int ok = 1;
        uint64_t removed = 0, added = 0;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                const int av = a.img.data[y * a.img.stride + x] >= 128;
                const int mb = hb.img.data[y * hb.img.stride + x] == 255;
                const int ms = hs.img.data[y * hs.img.stride + x] == 255;
                ok &= (th.img.data[y * th.img.stride + x] == 255) == (av && !mb);
                ok &= (tk.img.data[y * tk.img.stride + x] == 255) == (av || ms);
                removed += av && mb;
                added += !av && ms;
            }
        CHECK_MSG(ok, "case %d", iter);
        CHECK_EQ_INT(s3.matches, removed);
        CHECK_EQ_INT(s4.matches, added);
        tu_img_free(&a);
        tu_img_free(&hb);
        tu_img_free(&hs);
        tu_img_free(&th);
        tu_img_free(&tk);
        tset_free(&sb);
        tset_free(&ss);
    }
}

static void test_bad_arguments(void)
{
    TuImg a, b;
    tu_img_alloc(&a, 10, 8, 0);
    tu_img_alloc(&b, 11, 8, 0);
    TSet set = { { tsel_parse("0 0 0; . 1 .; 1 1 1") }, 1 };
    IsegHitmiss *hm = (IsegHitmiss *)&set; /* must be reset to NULL on failure */
    CHECK_EQ_INT(iseg_hitmiss_create(NULL, ISEG_HITMISS_HMT, tset(&set), 1, 10, 8), -EINVAL);
    CHECK_EQ_INT(iseg_hitmiss_create(&hm, (IsegHitmissOp)4, tset(&set), 1, 10, 8), -EINVAL);
    CHECK(hm == NULL);
    CHECK_EQ_INT(iseg_hitmiss_create(&hm, (IsegHitmissOp)-1, tset(&set), 1, 10, 8), -EINVAL);
    CHECK_EQ_INT(iseg_hitmiss_create(&hm, ISEG_HITMISS_HMT, NULL, 0, 10, 8), -EINVAL);
    CHECK_EQ_INT(iseg_hitmiss_create(&hm, ISEG_HITMISS_THIN, NULL, 0, 10, 8), -EINVAL);
    CHECK_EQ_INT(iseg_hitmiss_create(&hm, ISEG_HITMISS_HMT, tset(&set), 0, 10, 8), -EINVAL);
    {
        /* at most 64 elements */
        const IsegSel *many[65];
        for (int k = 0; k < 65; k++)
            many[k] = set.s[0];
        CHECK_EQ_INT(iseg_hitmiss_create(&hm, ISEG_HITMISS_THIN, many, 65, 10, 8), -EINVAL);
        CHECK_EQ_INT(iseg_hitmiss_create(&hm, ISEG_HITMISS_THIN, many, 64, 10, 8), 0);
        iseg_hitmiss_destroy(hm);
    }
    CHECK_EQ_INT(iseg_hitmiss_create(&hm, ISEG_HITMISS_HMT, tset(&set), 1, 0, 8), -EINVAL);
    CHECK_EQ_INT(iseg_hitmiss_create(&hm, ISEG_HITMISS_HMT, tset(&set), 1, 10, -1), -EINVAL);
    set.s[0]->cells[3] = 3; /* not a cell value */
    CHECK_EQ_INT(iseg_hitmiss_create(&hm, ISEG_HITMISS_HMT, tset(&set), 1, 10, 8), -EINVAL);
    CHECK_EQ_INT(iseg_hitmiss_ref(ISEG_HITMISS_HMT, tset(&set), 1, &a.img, &a.img, 0, NULL),
                 -EINVAL);
    set.s[0]->cells[3] = ISEG_SEL_DONTCARE;
    set.s[0]->origin_x = 3; /* outside */
    CHECK_EQ_INT(iseg_hitmiss_create(&hm, ISEG_HITMISS_HMT, tset(&set), 1, 10, 8), -EINVAL);
    set.s[0]->origin_x = 1;
    set.s[0]->width = 256;
    CHECK_EQ_INT(iseg_hitmiss_create(&hm, ISEG_HITMISS_HMT, tset(&set), 1, 10, 8), -EINVAL);
    set.s[0]->width = 3;

    CHECK_EQ_INT(iseg_hitmiss_create(&hm, ISEG_HITMISS_THIN, tset(&set), 1, 10, 8), 0);
    CHECK_EQ_INT(iseg_hitmiss_run(hm, &a.img, &b.img, 0, NULL, NULL), -EINVAL); /* size */
    CHECK_EQ_INT(iseg_hitmiss_run(hm, &b.img, &b.img, 0, NULL, NULL), -EINVAL);
    CHECK_EQ_INT(iseg_hitmiss_run(NULL, &a.img, &a.img, 0, NULL, NULL), -EINVAL);
    CHECK_EQ_INT(iseg_hitmiss_run(hm, NULL, &a.img, 0, NULL, NULL), -EINVAL);
    CHECK_EQ_INT(iseg_hitmiss_run(hm, &a.img, &a.img, 0, NULL, NULL), 0);
    CHECK_EQ_INT(iseg_hitmiss_ref(ISEG_HITMISS_HMT, tset(&set), 1, &a.img, &b.img, 0, NULL),
                 -EINVAL);
    iseg_hitmiss_destroy(hm);
    iseg_hitmiss_destroy(NULL);
    tset_free(&set);
    tu_img_free(&a);
    tu_img_free(&b);
}

/* ---------------------------------------------------------------- skeletons */

/* Components of the foreground (8-connected) or of the background
 * (4-connected), the frame surrounded by one ring of background: the
 * background count is 1 (the outside) + the number of holes. */
static int count_components(const IsegImage *img, int foreground)
{
    const int W = img->width + 2, H = img->height + 2;
    uint8_t *a = calloc((size_t)W * H, 1);
    int *stack = malloc((size_t)W * H * sizeof(int));
    for (int y = 0; y < img->height; y++)
        for (int x = 0; x < img->width; x++)
            a[(y + 1) * W + x + 1] = (img->data[y * img->stride + x] >= 128) == foreground;
    if (!foreground)
        for (int x = 0; x < W; x++)
            a[x] = a[(H - 1) * W + x] = 1;
    if (!foreground)
        for (int y = 0; y < H; y++)
            a[y * W] = a[y * W + W - 1] = 1;
    static const int d8[8][2] = { { 1, 0 }, { -1, 0 }, { 0, 1 },  { 0, -1 },
                                  { 1, 1 }, { 1, -1 }, { -1, 1 }, { -1, -1 } };
    const int nd = foreground ? 8 : 4;
    int count = 0;
    for (int start = 0; start < W * H; start++) {
        if (a[start] != 1)
            continue;
        count++;
        int sp = 0;
        stack[sp++] = start;
        a[start] = 2;
        while (sp) {
            const int p = stack[--sp], px = p % W, py = p / W;
            for (int k = 0; k < nd; k++) {
                const int qx = px + d8[k][0], qy = py + d8[k][1];
                if (qx < 0 || qy < 0 || qx >= W || qy >= H || a[qy * W + qx] != 1)
                    continue;
                a[qy * W + qx] = 2;
                stack[sp++] = qy * W + qx;
            }
        }
    }
    free(a);
    free(stack);
    return count;
}

static int count_2x2_blocks(const IsegImage *img)
{
    int n = 0;
    for (int y = 0; y + 1 < img->height; y++)
        for (int x = 0; x + 1 < img->width; x++) {
            const uint8_t *p = img->data + y * img->stride + x;
            n += p[0] && p[1] && p[img->stride] && p[img->stride + 1];
        }
    return n;
}

/* A capsule (thick segment) from (x0, y0) to (x1, y1) of radius rad, value v. */
static void draw_capsule(IsegImage *img, double x0, double y0, double x1, double y1, double rad,
                         int v)
{
    const double dx = x1 - x0, dy = y1 - y0, len2 = dx * dx + dy * dy;
    for (int y = 0; y < img->height; y++)
        for (int x = 0; x < img->width; x++) {
            double t = len2 > 0 ? ((x - x0) * dx + (y - y0) * dy) / len2 : 0;
            t = t < 0 ? 0 : t > 1 ? 1 : t;
            const double ex = x - (x0 + t * dx), ey = y - (y0 + t * dy);
            if (ex * ex + ey * ey <= rad * rad)
                img->data[y * img->stride + x] = (uint8_t)v;
        }
}

static void draw_ellipse(IsegImage *img, double cx, double cy, double rx, double ry, double angle,
                         int v)
{
    const double c = cos(angle), sn = sin(angle);
    for (int y = 0; y < img->height; y++)
        for (int x = 0; x < img->width; x++) {
            const double u = ((x - cx) * c + (y - cy) * sn) / rx,
                         w = (-(x - cx) * sn + (y - cy) * c) / ry;
            if (u * u + w * w <= 1)
                img->data[y * img->stride + x] = (uint8_t)v;
        }
}

enum { SHAPE_COUNT = 12 };

/* Real shapes: convex blobs, a ring, letters drawn with thick strokes,
 * shapes cut by the frame, and random unions with holes. */
static void draw_shape(IsegImage *img, int shape, TuRng *r)
{
    const int W = img->width, H = img->height;
    for (int y = 0; y < H; y++)
        memset(img->data + y * img->stride, 0, (size_t)W);
    switch (shape) {
    case 0: draw_ellipse(img, W / 2.0, H / 2.0, 45, 45, 0, 255); break;   /* disk */
    case 1: draw_ellipse(img, W / 2.0, H / 2.0, 80, 30, 0.4, 255); break; /* ellipse */
    case 2:
        draw_capsule(img, 40, 80, 200, 80, 0, 255); /* rectangle */
        for (int y = 50; y < 110; y++)
            memset(img->data + y * img->stride + 40, 255, 160);
        break;
    case 3:
        draw_ellipse(img, W / 2.0, H / 2.0, 60, 60, 0, 255); /* ring */
        draw_ellipse(img, W / 2.0, H / 2.0, 30, 30, 0, 0);
        break;
    case 4: /* "A": two slanted strokes and a bar, one hole */
        draw_capsule(img, 60, 140, 120, 20, 9, 255);
        draw_capsule(img, 120, 20, 180, 140, 9, 255);
        draw_capsule(img, 85, 95, 155, 95, 8, 255);
        break;
    case 5: /* "B"-like: two rings sharing a stem, two holes */
        draw_capsule(img, 60, 20, 60, 140, 8, 255);
        draw_ellipse(img, 95, 50, 40, 30, 0, 255);
        draw_ellipse(img, 95, 50, 24, 15, 0, 0);
        draw_ellipse(img, 100, 110, 45, 32, 0, 255);
        draw_ellipse(img, 100, 110, 28, 17, 0, 0);
        break;
    case 6: /* "S" curve of thick arcs */
        for (int k = 0; k < 40; k++) {
            const double a0 = 3.1416 * k / 40 + 1.57, a1 = 3.1416 * (k + 1) / 40 + 1.57;
            draw_capsule(img, 120 + 35 * cos(a0), 50 - 35 * sin(a0), 120 + 35 * cos(a1),
                         50 - 35 * sin(a1), 10, 255);
            draw_capsule(img, 120 - 35 * cos(a0), 120 + 35 * sin(a0), 120 - 35 * cos(a1),
                         120 + 35 * sin(a1), 10, 255);
        }
        break;
    case 7: /* shapes cut by the frame (outside is background) */
        draw_ellipse(img, 0, 0, 70, 50, 0, 255);
        draw_capsule(img, W - 10, -20, W - 40, H + 20, 12, 255);
        break;
    case 8: /* an 8-connected digital line and a one-pixel-wide cross: already skeletons */
        for (int x = 20; x <= 200; x++)
            img->data[(int)lround(20 + 0.6 * (x - 20)) * img->stride + x] = 255;
        for (int k = -25; k <= 25; k++)
            img->data[(35 + k) * img->stride + 150] = img->data[35 * img->stride + 150 + k] = 255;
        break;
    default: { /* random unions of blobs with holes cut out */
        const int n = tu_rng_range(r, 3, 9);
        for (int b = 0; b < n; b++)
            draw_ellipse(img, tu_rng_range(r, 0, W), tu_rng_range(r, 0, H), tu_rng_range(r, 5, 50),
                         tu_rng_range(r, 5, 50), tu_rng_double(r) * 3, 255);
        for (int b = 0; b < n / 2; b++)
            draw_ellipse(img, tu_rng_range(r, 0, W), tu_rng_range(r, 0, H), tu_rng_range(r, 3, 15),
                         tu_rng_range(r, 3, 15), tu_rng_double(r) * 3, 0);
        for (int b = 0; b < 3; b++)
            draw_capsule(img, tu_rng_range(r, 0, W), tu_rng_range(r, 0, H), tu_rng_range(r, 0, W),
                         tu_rng_range(r, 0, H), tu_rng_range(r, 1, 6), 255);
        break;
    }
    }
}

/* Skeleton pixels with exactly two foreground neighbours, one beside and
 * one above or below: the corner of a 4-connected staircase, a pixel an
 * 8-connected line does not need. */
static int count_staircase_corners(const IsegImage *img)
{
    int n = 0;
    for (int y = 0; y < img->height; y++)
        for (int x = 0; x < img->width; x++) {
            if (!img->data[y * img->stride + x])
                continue;
            int nb = 0, horiz = 0, vert = 0;
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++) {
                    const int xx = x + dx, yy = y + dy;
                    if ((dx || dy) && xx >= 0 && yy >= 0 && xx < img->width && yy < img->height &&
                        img->data[yy * img->stride + xx]) {
                        nb++;
                        horiz += dy == 0;
                        vert += dx == 0;
                    }
                }
            n += nb == 2 && horiz == 1 && vert == 1;
        }
    return n;
}

static void test_skeleton_properties(void)
{
    TuRng r;
    tu_rng_seed(&r, tu_seed(7));
    const int W = 240, H = 160;
    TSet set = {
        { tsel_parse(ISEG_HITMISS_SKELETON_EDGE), tsel_parse(ISEG_HITMISS_SKELETON_CORNER) }, 2
    };
    set = (TSet){ { set.s[0], set.s[1], tsel_rot90(set.s[0]), tsel_rot90(set.s[1]) }, 4 };
    set = (TSet){
        { set.s[0], set.s[1], set.s[2], set.s[3], tsel_rot90(set.s[2]), tsel_rot90(set.s[3]) }, 6
    };
    set.s[6] = tsel_rot90(set.s[4]);
    set.s[7] = tsel_rot90(set.s[5]);
    set.n = 8;
    IsegHitmiss *skel = NULL, *hmt = NULL;
    CHECK_EQ_INT(iseg_hitmiss_create(&skel, ISEG_HITMISS_SKELETON, NULL, 0, W, H), 0);
    CHECK_EQ_INT(iseg_hitmiss_create(&hmt, ISEG_HITMISS_HMT, tset(&set), set.n, W, H), 0);
    IsegPool *pool = NULL;
    iseg_pool_create(&pool, 3);
    int junction_blocks = 0;
    for (int shape = 0; shape < SHAPE_COUNT; shape++) {
        TuImg in, sk, again, tmp;
        tu_img_alloc_random_pad(&in, &r, W, H);
        tu_img_alloc_random_pad(&sk, &r, W, H);
        tu_img_alloc_random_pad(&again, &r, W, H);
        tu_img_alloc_random_pad(&tmp, &r, W, H);
        draw_shape(&in.img, shape, &r);
        IsegHitmissStats st, st2;
        CHECK_EQ_INT(iseg_hitmiss_run(skel, &in.img, &sk.img, 7, shape % 2 ? pool : NULL, &st), 0);

        /* the reference agrees, and so does thinning to the end with the set
         * of the documentation */
        CHECK_EQ_INT(iseg_hitmiss_ref(ISEG_HITMISS_SKELETON, NULL, 0, &in.img, &tmp.img, 0, &st2),
                     0);
        CHECK(tu_img_equal(&sk.img, &tmp.img, "skeleton vs reference"));
        CHECK(st.matches == st2.matches && st.passes == st2.passes);
        CHECK_EQ_INT(run_fast(ISEG_HITMISS_THIN, &set, &in.img, &tmp.img, 0, NULL, &st2), 0);
        CHECK(tu_img_equal(&sk.img, &tmp.img, "skeleton vs thin with the documented set"));

        /* subset of the input */
        int subset = 1;
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
                subset &= !sk.img.data[y * sk.img.stride + x] || in.img.data[y * in.img.stride + x];
        CHECK_MSG(subset, "shape %d", shape);
        CHECK_EQ_INT(count_value(&in.img, 255) - count_value(&sk.img, 255), st.matches);

        /* idempotent: nothing left to remove, one pass */
        CHECK_EQ_INT(iseg_hitmiss_run(skel, &sk.img, &again.img, 0, NULL, &st2), 0);
        CHECK(tu_img_equal(&sk.img, &again.img, "skeleton of a skeleton"));
        CHECK_EQ_INT(st2.matches, 0);
        CHECK_EQ_INT(st2.passes, 1);

        /* no element of the set matches anywhere on the skeleton's foreground */
        CHECK_EQ_INT(iseg_hitmiss_run(hmt, &sk.img, &tmp.img, 0, pool, &st2), 0);
        int left = 0;
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
                left += sk.img.data[y * sk.img.stride + x] && tmp.img.data[y * tmp.img.stride + x];
        CHECK_MSG(left == 0, "shape %d: %d pixels still match", shape, left);

        /* topology: 8-connected components and 4-connected holes kept */
        CHECK_EQ_INT(count_components(&sk.img, 1), count_components(&in.img, 1));
        CHECK_EQ_INT(count_components(&sk.img, 0), count_components(&in.img, 0));

        /* one pixel wide: no staircase corners; no 2x2 square except where
         * four branches cross (the disk's X, random unions) */
        CHECK_MSG(count_staircase_corners(&sk.img) == 0, "shape %d", shape);
        const int blocks = count_2x2_blocks(&sk.img);
        if (shape >= 1 && shape <= 8)
            CHECK_MSG(blocks == 0, "shape %d: %d 2x2 blocks", shape, blocks);
        else
            junction_blocks += blocks;
        if (shape == 8) /* already thin: kept whole */
            CHECK(tu_img_equal(&sk.img, &in.img, "thin input"));
        if (getenv("ISEG_TEST_VERBOSE")) {
            fprintf(stderr, "shape %d: %d -> %d pixels, %u passes, %d blocks\n", shape,
                    count_value(&in.img, 255), count_value(&sk.img, 255), st.passes, blocks);
            print_img(&sk.img);
        }
        CHECK(tu_img_guard_ok(&in) && tu_img_guard_ok(&sk) && tu_img_guard_ok(&again) &&
              tu_img_guard_ok(&tmp));
        tu_img_free(&in);
        tu_img_free(&sk);
        tu_img_free(&again);
        tu_img_free(&tmp);
    }
    printf("     2x2 blocks at junctions of random unions: %d\n", junction_blocks);
    iseg_hitmiss_destroy(skel);
    iseg_hitmiss_destroy(hmt);
    iseg_pool_destroy(pool);
    tset_free(&set);
}

/* Large thick shapes: many passes of the tile queue, shapes crossing tile
 * and frame borders, holes, specks. The fast skeleton (built-in set, and
 * the same set given explicitly), thinning with Gonzalez & Woods' set and
 * thickening to the end all equal the reference, on every pool size. */
static void fill_thick(TuImg *t, TuRng *r)
{
    const IsegImage *im = &t->img;
    uint8_t *m = calloc((size_t)im->width * im->height, 1);
    const int n = tu_rng_range(r, 1, 8);
    for (int b = 0; b < n; b++) {
        const int cx = tu_rng_range(r, -20, im->width + 20),
                  cy = tu_rng_range(r, -20, im->height + 20);
        const int rx = tu_rng_range(r, 3, 70), ry = tu_rng_range(r, 3, 70);
        const int disk = tu_rng_range(r, 0, 2) > 0, val = b == 0 || tu_rng_range(r, 0, 4) > 0;
        for (int y = ISEG_MAX(0, cy - ry); y < ISEG_MIN(im->height, cy + ry + 1); y++)
            for (int x = ISEG_MAX(0, cx - rx); x < ISEG_MIN(im->width, cx + rx + 1); x++) {
                const double u = (double)(x - cx) / rx, v = (double)(y - cy) / ry;
                if (!disk || u * u + v * v <= 1.0)
                    m[y * im->width + x] = (uint8_t)val;
            }
    }
    const int specks = tu_rng_range(r, 0, 2); /* 0, 0.5 or 1 % of the pixels flipped */
    for (int i = 0; i < im->width * im->height; i++)
        m[i] ^= tu_rng_range(r, 0, 199) < specks;
    for (int y = 0; y < im->height; y++)
        for (int x = 0; x < im->width; x++)
            im->data[y * im->stride + x] = m[y * im->width + x] ? 255 : 0;
    free(m);
}

static void test_thick_fast_equals_reference(void)
{
    TuRng r;
    tu_rng_seed(&r, tu_seed(11));
    IsegPool *pools[3];
    tu_pools_create(pools, 3);
    TSet skel = {
        { tsel_parse(ISEG_HITMISS_SKELETON_EDGE), tsel_parse(ISEG_HITMISS_SKELETON_CORNER) }, 2
    };
    for (int k = 2; k < 8; k++)
        skel.s[k] = tsel_rot90(skel.s[k - 2]);
    skel.n = 8;
    TSet gw = tset_rotations(tsel_parse(ISEG_HITMISS_THINNING_SEL), 8);
    int bad = 0, many_passes = 0;
    for (int iter = 0; iter < 16; iter++) {
        const int w = tu_rng_range(&r, 100, 260), h = tu_rng_range(&r, 60, 180);
        TuImg src, ref, out;
        tu_img_alloc_random_pad(&src, &r, w, h);
        tu_img_alloc_random_pad(&ref, &r, w, h);
        tu_img_alloc_random_pad(&out, &r, w, h);
        fill_thick(&src, &r);
        const int kind = iter % 4;
        const IsegHitmissOp op = kind <= 1   ? ISEG_HITMISS_SKELETON
                                 : kind == 2 ? ISEG_HITMISS_THIN
                                             : ISEG_HITMISS_THICKEN;
        const TSet *set = kind == 0 ? NULL : kind == 1 ? &skel : &gw;
        IsegHitmissStats sr = { 0, 0 }, sf = { 0, 0 };
        int ok = iseg_hitmiss_ref(op, set ? tset(set) : NULL, set ? set->n : 0, &src.img, &ref.img,
                                  0, &sr) == 0;
        ok &= run_fast(op, set, &src.img, &out.img, 0, pools[iter % 3], &sf) == 0;
        ok &= tu_img_equal(&ref.img, &out.img, "thick: fast vs reference");
        ok &= sr.matches == sf.matches && sr.passes == sf.passes;
        ok &= tu_img_guard_ok(&src) && tu_img_guard_ok(&out) && tu_img_guard_ok(&ref);
        if (!ok) {
            bad++;
            fprintf(stderr, "thick case %d: op %d %dx%d matches %llu/%llu passes %u/%u\n", iter,
                    (int)op, w, h, (unsigned long long)sr.matches, (unsigned long long)sf.matches,
                    sr.passes, sf.passes);
        }
        many_passes += sr.passes >= 20;
        tu_img_free(&src);
        tu_img_free(&ref);
        tu_img_free(&out);
    }
    CHECK_EQ_INT(bad, 0);
    CHECK(many_passes >= 8); /* the shapes are thick enough to need many passes */
    tset_free(&skel);
    tset_free(&gw);
    tu_pools_destroy(pools, 3);
}

int main(void)
{
    RUN(test_lecture_vertical_lines);
    RUN(test_lecture_thinning);
    RUN(test_special_elements);
    RUN(test_thin_thicken_definitions);
    RUN(test_bad_arguments);
    RUN(test_random_fast_equals_reference);
    RUN(test_skeleton_properties);
    RUN(test_thick_fast_equals_reference);
    return tu_finish();
}
