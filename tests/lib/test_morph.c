/* Morphology: the lecture's 8x8 erosion / dilation example, OpenCV's window
 * convention on a hand-checked case, then fast == brute-force reference on
 * thousands of random cases (sizes, strides, elements, operations,
 * iterations, borders, pool sizes, in place), guard bytes checked, and on
 * tight images against inaccessible pages (no read outside the pixels). */
#define _DEFAULT_SOURCE /* mmap with MAP_ANONYMOUS, mprotect, sysconf */
#include "testutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static IsegPool *pools[5]; /* NULL, 1, 2, 3, 4 threads */

static void fill_rows(TuImg *t, const char *const *rows)
{
    for (int y = 0; y < t->img.height; y++)
        for (int x = 0; x < t->img.width; x++)
            t->img.data[y * t->img.stride + x] = rows[y][x] == '1' ? 255 : 0;
}

static int rows_match(const IsegImage *img, const char *const *rows)
{
    for (int y = 0; y < img->height; y++)
        for (int x = 0; x < img->width; x++)
            if (img->data[y * img->stride + x] != (rows[y][x] == '1' ? 255 : 0)) {
                fprintf(stderr, "  pixel (%d, %d) is %d, expected %c\n", x, y,
                        img->data[y * img->stride + x], rows[y][x]);
                return 0;
            }
    return 1;
}

static const char *const lecture_in[8] = {
    "00000000", "01000010", "01000010", "01111110", "01111110", "01111110", "01111110", "00111100",
};
static const char *const lecture_eroded[8] = {
    "00000000", "00000000", "00000000", "00000000", "00111100", "00111100", "00011000", "00011000",
};
static const char *const lecture_dilated[8] = {
    "11100111", "11100111", "11111111", "11111111", "11111111", "11111111", "11111111", "11111111",
};

static void run_both(const IsegSel *sel, IsegMorphOp op, IsegMorphBorder border, const TuImg *in,
                     const char *const *expected)
{
    IsegMorphSettings s;
    iseg_morph_default_settings(&s);
    s.op = op;
    s.border = border;
    IsegMorph *m = NULL;
    CHECK_EQ_INT(iseg_morph_create(&m, sel, &s), 0);
    for (int p = 0; p < 5; p++) {
        TuImg out;
        tu_img_alloc(&out, 8, 8, 5);
        CHECK_EQ_INT(iseg_morph_apply(m, &in->img, &out.img, pools[p]), 0);
        CHECK_MSG(rows_match(&out.img, expected), "fast, op %d, pool %d", op, p);
        CHECK(tu_img_guard_ok(&out));
        tu_img_free(&out);
    }
    TuImg out;
    tu_img_alloc(&out, 8, 8, 0);
    CHECK_EQ_INT(iseg_morph_apply_ref(sel, &s, &in->img, &out.img), 0);
    CHECK_MSG(rows_match(&out.img, expected), "reference, op %d", op);
    tu_img_free(&out);
    iseg_morph_destroy(m);
}

static void test_lecture_example(void)
{
    TuImg in;
    tu_img_alloc(&in, 8, 8, 3);
    fill_rows(&in, lecture_in);
    IsegSel *sq;
    CHECK_EQ_INT(iseg_sel_create_shape(&sq, ISEG_SEL_RECT, 3, 3), 0);
    run_both(sq, ISEG_MORPH_ERODE, ISEG_MORPH_BORDER_REPLICATE, &in, lecture_eroded);
    run_both(sq, ISEG_MORPH_DILATE, ISEG_MORPH_BORDER_REPLICATE, &in, lecture_dilated);
    /* The same element written as a string, and in place. */
    IsegSel *parsed;
    CHECK_EQ_INT(iseg_sel_parse(&parsed, "1 1 1; 1 1 1; 1 1 1", ISEG_SEL_SYNTAX_BINARY, NULL, 0),
                 0);
    IsegMorphSettings s;
    iseg_morph_default_settings(&s);
    IsegMorph *m;
    CHECK_EQ_INT(iseg_morph_create(&m, parsed, &s), 0);
    CHECK_EQ_INT(iseg_morph_apply(m, &in.img, &in.img, NULL), 0);
    CHECK(rows_match(&in.img, lecture_eroded));
    CHECK(tu_img_guard_ok(&in));
    iseg_morph_destroy(m);
    /* Opening = erosion then dilation of the eroded image. */
    fill_rows(&in, lecture_in);
    s.op = ISEG_MORPH_OPEN;
    CHECK_EQ_INT(iseg_morph_create(&m, sq, &s), 0);
    TuImg o1, o2;
    tu_img_alloc(&o1, 8, 8, 1);
    tu_img_alloc(&o2, 8, 8, 2);
    fill_rows(&o1, lecture_eroded);
    s.op = ISEG_MORPH_DILATE;
    CHECK_EQ_INT(iseg_morph_apply_ref(sq, &s, &o1.img, &o2.img), 0);
    CHECK_EQ_INT(iseg_morph_apply(m, &in.img, &o1.img, NULL), 0);
    CHECK(tu_img_equal(&o1.img, &o2.img, "open == dilate(eroded)"));
    iseg_morph_destroy(m);
    tu_img_free(&o1);
    tu_img_free(&o2);
    iseg_sel_free(parsed);
    iseg_sel_free(sq);
    tu_img_free(&in);
}

/* OpenCV's convention, observed with cv::dilate: the window is not reflected.
 * Element "1 1 0; 0 0 0" (origin (1, 1)) covers offsets (-1, -1) and (0, -1):
 * a bright pixel at (1, 1) shows up at (1, 2) and (2, 2). */
static void test_window_not_reflected(void)
{
    IsegSel *sel;
    CHECK_EQ_INT(iseg_sel_parse(&sel, "1 1 0; 0 0 0", ISEG_SEL_SYNTAX_BINARY, NULL, 0), 0);
    TuImg in, out;
    tu_img_alloc(&in, 7, 7, 0);
    tu_img_alloc(&out, 7, 7, 0);
    memset(in.img.data, 0, 49);
    in.img.data[1 * 7 + 1] = 100;
    in.img.data[3 * 7 + 3] = 200;
    IsegMorphSettings s;
    iseg_morph_default_settings(&s);
    s.op = ISEG_MORPH_DILATE;
    s.border = ISEG_MORPH_BORDER_NEUTRAL;
    IsegMorph *m;
    CHECK_EQ_INT(iseg_morph_create(&m, sel, &s), 0);
    CHECK_EQ_INT(iseg_morph_apply(m, &in.img, &out.img, NULL), 0);
    for (int y = 0; y < 7; y++)
        for (int x = 0; x < 7; x++) {
            int e = 0;
            if (y == 2 && (x == 1 || x == 2))
                e = 100;
            if (y == 4 && (x == 3 || x == 4))
                e = 200;
            CHECK_MSG(out.img.data[y * 7 + x] == e, "(%d,%d) = %d, expected %d", x, y,
                      out.img.data[y * 7 + x], e);
        }
    /* Erosion with the neutral border: the window of column 6 under the
     * element "0 0 0 0 1" lies outside, so it reads 255. */
    iseg_morph_destroy(m);
    iseg_sel_free(sel);
    CHECK_EQ_INT(iseg_sel_parse(&sel, "0 0 0 0 1", ISEG_SEL_SYNTAX_BINARY, NULL, 0), 0);
    s.op = ISEG_MORPH_ERODE;
    CHECK_EQ_INT(iseg_morph_create(&m, sel, &s), 0);
    for (int i = 0; i < 49; i++)
        in.img.data[i] = (uint8_t)(i * 3);
    CHECK_EQ_INT(iseg_morph_apply(m, &in.img, &out.img, NULL), 0);
    for (int y = 0; y < 7; y++)
        for (int x = 0; x < 7; x++)
            CHECK_EQ_INT(out.img.data[y * 7 + x], x + 2 < 7 ? in.img.data[y * 7 + x + 2] : 255);
    iseg_morph_destroy(m);
    iseg_sel_free(sel);
    tu_img_free(&in);
    tu_img_free(&out);
}

static IsegSel *random_sel(TuRng *r, int max_side)
{
    IsegSel *sel = NULL;
    const int kind = tu_rng_range(r, 0, 5);
    if (kind <= 2) {
        int w = tu_rng_range(r, 1, max_side), h = tu_rng_range(r, 1, max_side);
        if (tu_rng_range(r, 0, 3) == 0)
            h = w;
        iseg_sel_create_shape(&sel, (IsegSelShape)kind, w, h);
        return sel;
    }
    const int w = tu_rng_range(r, 1, kind == 5 ? max_side : 9),
              h = tu_rng_range(r, 1, kind == 5 ? max_side : 9);
    iseg_sel_create(&sel, w, h, ISEG_SEL_MISS);
    if (kind == 3) {
        /* random cells of random density, some don't-care */
        const int density = tu_rng_range(r, 1, 100);
        for (int i = 0; i < w * h; i++) {
            const int v = tu_rng_range(r, 0, 99);
            sel->cells[i] = v < density ? ISEG_SEL_HIT
                            : (v & 1)   ? ISEG_SEL_MISS
                                        : ISEG_SEL_DONTCARE;
        }
    } else {
        /* a few random rectangles (tall ones exercise van Herk), maybe a hole */
        const int n = tu_rng_range(r, 1, 4);
        for (int k = 0; k < n; k++) {
            const int x0 = tu_rng_range(r, 0, w - 1), y0 = tu_rng_range(r, 0, h - 1);
            const int x1 = tu_rng_range(r, x0, w - 1), y1 = tu_rng_range(r, y0, h - 1);
            for (int y = y0; y <= y1; y++)
                for (int x = x0; x <= x1; x++)
                    sel->cells[y * w + x] = ISEG_SEL_HIT;
        }
        if (tu_rng_range(r, 0, 1))
            sel->cells[tu_rng_range(r, 0, w * h - 1)] = ISEG_SEL_MISS;
    }
    if (iseg_sel_count(sel, ISEG_SEL_HIT) == 0)
        sel->cells[tu_rng_range(r, 0, w * h - 1)] = ISEG_SEL_HIT;
    return sel;
}

static void fill_any(TuImg *t, TuRng *r)
{
    switch (tu_rng_range(r, 0, 3)) {
    case 0: tu_img_fill_random(t, r); break;
    case 1: tu_img_fill_levels(t, r, 2); break;
    case 2: tu_img_fill_levels(t, r, tu_rng_range(r, 3, 8)); break;
    default: tu_img_fill_photo(t, r); break;
    }
}

static int one_random_case(TuRng *r, int max_side, long budget)
{
    IsegSel *sel = random_sel(r, max_side);
    IsegMorphSettings s;
    iseg_morph_default_settings(&s);
    s.op = (IsegMorphOp)tu_rng_range(r, 0, 6);
    s.iterations = tu_rng_range(r, 0, 3) ? 1 : tu_rng_range(r, 2, 5);
    s.border = (IsegMorphBorder)tu_rng_range(r, 0, 1);
    int W, H;
    switch (tu_rng_range(r, 0, 7)) {
    case 0:
        W = 1;
        H = tu_rng_range(r, 1, 90);
        break;
    case 1:
        W = tu_rng_range(r, 1, 90);
        H = 1;
        break;
    case 2:
        W = tu_rng_range(r, 1, 4);
        H = tu_rng_range(r, 1, 4);
        break;
    default:
        W = tu_rng_range(r, 1, 90);
        H = tu_rng_range(r, 1, 90);
        break;
    }
    /* keep the brute force affordable */
    const long cells = iseg_sel_count(sel, ISEG_SEL_HIT);
    while ((long)W * H * cells * s.iterations > budget && (W > 1 || H > 1)) {
        if (W >= H)
            W = (W + 1) / 2;
        else
            H = (H + 1) / 2;
    }
    TuImg in, out, ref;
    tu_img_alloc_random_pad(&in, r, W, H);
    tu_img_alloc_random_pad(&out, r, W, H);
    tu_img_alloc(&ref, W, H, 0);
    fill_any(&in, r);
    const int p = tu_rng_range(r, 0, 4);
    const int in_place = tu_rng_range(r, 0, 2) == 0;
    IsegMorph *m = NULL;
    int ok = 1;
    CHECK_EQ_INT(iseg_morph_create(&m, sel, &s), 0);
    CHECK_EQ_INT(iseg_morph_apply_ref(sel, &s, &in.img, &ref.img), 0);
    if (in_place) {
        CHECK_EQ_INT(iseg_morph_apply(m, &in.img, &in.img, pools[p]), 0);
        ok = tu_img_equal(&in.img, &ref.img, "fast in place vs reference");
    } else {
        CHECK_EQ_INT(iseg_morph_apply(m, &in.img, &out.img, pools[p]), 0);
        ok = tu_img_equal(&out.img, &ref.img, "fast vs reference");
    }
    if (!ok) {
        char *str = iseg_sel_to_string(sel);
        fprintf(stderr, "  %dx%d op %s iter %d border %s pool %d in place %d sel %dx%d \"%s\"\n", W,
                H, iseg_morph_op_name(s.op), s.iterations, iseg_morph_border_name(s.border), p,
                in_place, sel->width, sel->height, str);
        free(str);
    }
    CHECK(ok);
    CHECK(tu_img_guard_ok(&in));
    CHECK(tu_img_guard_ok(&out));
    iseg_morph_destroy(m);
    iseg_sel_free(sel);
    tu_img_free(&in);
    tu_img_free(&out);
    tu_img_free(&ref);
    return ok;
}

static void test_random_small_elements(void)
{
    TuRng r;
    tu_rng_seed(&r, tu_seed(1234));
    int failed = 0;
    for (int i = 0; i < 3000 && failed < 5; i++)
        failed += !one_random_case(&r, 9, 400000);
}

static void test_random_large_elements(void)
{
    TuRng r;
    tu_rng_seed(&r, tu_seed(987));
    int failed = 0;
    for (int i = 0; i < 800 && failed < 5; i++)
        failed += !one_random_case(&r, 63, 1500000);
}

/* One bigger frame through every pool size, in place and not: identical. */
static void test_pool_sizes_identical(void)
{
    TuRng r;
    tu_rng_seed(&r, 77);
    const IsegSelShape shapes[3] = { ISEG_SEL_RECT, ISEG_SEL_ELLIPSE, ISEG_SEL_CROSS };
    const int sizes[3] = { 3, 15, 31 };
    TuImg in, first, out;
    tu_img_alloc_random_pad(&in, &r, 301, 257);
    tu_img_alloc_random_pad(&first, &r, 301, 257);
    tu_img_alloc_random_pad(&out, &r, 301, 257);
    tu_img_fill_photo(&in, &r);
    for (int k = 0; k < 3; k++) {
        IsegSel *sel;
        CHECK_EQ_INT(iseg_sel_create_shape(&sel, shapes[k], sizes[k], sizes[k] + 2), 0);
        for (int op = 0; op <= ISEG_MORPH_BLACKHAT; op++) {
            IsegMorphSettings s;
            iseg_morph_default_settings(&s);
            s.op = (IsegMorphOp)op;
            s.iterations = 2;
            s.border = (IsegMorphBorder)(op & 1);
            IsegMorph *m;
            CHECK_EQ_INT(iseg_morph_create(&m, sel, &s), 0);
            CHECK_EQ_INT(iseg_morph_apply(m, &in.img, &first.img, NULL), 0);
            for (int p = 1; p < 5; p++) {
                CHECK_EQ_INT(iseg_morph_apply(m, &in.img, &out.img, pools[p]), 0);
                CHECK_MSG(tu_img_equal(&out.img, &first.img, "pool"), "shape %d op %d pool %d", k,
                          op, p);
                tu_img_copy_pixels(&out.img, &in.img);
                CHECK_EQ_INT(iseg_morph_apply(m, &out.img, &out.img, pools[p]), 0);
                CHECK_MSG(tu_img_equal(&out.img, &first.img, "pool in place"),
                          "shape %d op %d pool %d", k, op, p);
            }
            CHECK(tu_img_guard_ok(&out));
            iseg_morph_destroy(m);
        }
        iseg_sel_free(sel);
    }
    tu_img_free(&in);
    tu_img_free(&first);
    tu_img_free(&out);
}

/* A context reused over frames of changing sizes (scratch growth). */
static void test_context_reuse(void)
{
    TuRng r;
    tu_rng_seed(&r, 5);
    IsegSel *sel;
    CHECK_EQ_INT(iseg_sel_create_shape(&sel, ISEG_SEL_ELLIPSE, 7, 5), 0);
    IsegMorphSettings s;
    iseg_morph_default_settings(&s);
    s.op = ISEG_MORPH_GRADIENT;
    s.max_width = 20;
    s.max_height = 10;
    IsegMorph *m;
    CHECK_EQ_INT(iseg_morph_create(&m, sel, &s), 0);
    const int dims[5][2] = { { 20, 10 }, { 64, 3 }, { 5, 70 }, { 100, 100 }, { 7, 7 } };
    for (int i = 0; i < 5; i++) {
        TuImg in, out, ref;
        tu_img_alloc_random_pad(&in, &r, dims[i][0], dims[i][1]);
        tu_img_alloc_random_pad(&out, &r, dims[i][0], dims[i][1]);
        tu_img_alloc(&ref, dims[i][0], dims[i][1], 0);
        tu_img_fill_random(&in, &r);
        CHECK_EQ_INT(iseg_morph_apply(m, &in.img, &out.img, pools[i % 5]), 0);
        CHECK_EQ_INT(iseg_morph_apply_ref(sel, &s, &in.img, &ref.img), 0);
        CHECK(tu_img_equal(&out.img, &ref.img, "reuse"));
        CHECK(tu_img_guard_ok(&out));
        tu_img_free(&in);
        tu_img_free(&out);
        tu_img_free(&ref);
    }
    iseg_morph_destroy(m);
    iseg_sel_free(sel);
}

/* The 3x3 square in place has its own kernel (results stored one block
 * behind the loads): every size around the vector widths and batch sizes,
 * both borders, erosion and dilation, every pool. */
static void test_square_in_place(void)
{
    TuRng r;
    tu_rng_seed(&r, 33);
    IsegSel *sel;
    CHECK_EQ_INT(iseg_sel_create_shape(&sel, ISEG_SEL_RECT, 3, 3), 0);
    const int widths[] = { 1, 2, 3, 17, 33, 34, 35, 64, 65, 66, 97, 130 };
    for (size_t wi = 0; wi < sizeof(widths) / sizeof(widths[0]); wi++)
        for (int H = 1; H <= 13; H += 3)
            for (int k = 0; k < 4; k++) {
                IsegMorphSettings s;
                iseg_morph_default_settings(&s);
                s.op = (IsegMorphOp)(k & 1);
                s.border = (IsegMorphBorder)(k >> 1);
                TuImg img, ref;
                tu_img_alloc_random_pad(&img, &r, widths[wi], H);
                tu_img_alloc(&ref, widths[wi], H, 0);
                tu_img_fill_random(&img, &r);
                IsegMorph *m;
                CHECK_EQ_INT(iseg_morph_create(&m, sel, &s), 0);
                CHECK_EQ_INT(iseg_morph_apply_ref(sel, &s, &img.img, &ref.img), 0);
                CHECK_EQ_INT(iseg_morph_apply(m, &img.img, &img.img, pools[(wi + k) % 5]), 0);
                CHECK_MSG(tu_img_equal(&img.img, &ref.img, "3x3 in place"), "%dx%d op %d border %d",
                          widths[wi], H, s.op, s.border);
                CHECK(tu_img_guard_ok(&img));
                iseg_morph_destroy(m);
                tu_img_free(&img);
                tu_img_free(&ref);
            }
    /* a tall frame split into bands (halo rows from snapshots) */
    TuImg img, ref;
    tu_img_alloc_random_pad(&img, &r, 200, 301);
    tu_img_alloc(&ref, 200, 301, 0);
    tu_img_fill_photo(&img, &r);
    IsegMorphSettings s;
    iseg_morph_default_settings(&s);
    IsegMorph *m;
    CHECK_EQ_INT(iseg_morph_create(&m, sel, &s), 0);
    CHECK_EQ_INT(iseg_morph_apply_ref(sel, &s, &img.img, &ref.img), 0);
    CHECK_EQ_INT(iseg_morph_apply(m, &img.img, &img.img, pools[3]), 0);
    CHECK(tu_img_equal(&img.img, &ref.img, "3x3 in place, 3 bands"));
    CHECK(tu_img_guard_ok(&img));
    iseg_morph_destroy(m);
    tu_img_free(&img);
    tu_img_free(&ref);
    iseg_sel_free(sel);
}

/* Frames of 1 and 2 columns with stride == width, placed against an
 * inaccessible page: the image ends at the last byte before it (at_end) or
 * starts at the first byte after it. Any read outside the pixels faults.
 * Returns the mapping (munmap'ed by the caller, `len` bytes). */
static uint8_t *tight_alloc(int W, int H, int at_end, size_t *len, uint8_t **data)
{
    const size_t page = (size_t)sysconf(_SC_PAGESIZE), bytes = (size_t)W * H;
    const size_t pages = (bytes + page - 1) / page;
    *len = (pages + 2) * page;
    uint8_t *map = mmap(NULL, *len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED)
        return NULL;
    if (mprotect(map, page, PROT_NONE) < 0 ||
        mprotect(map + (pages + 1) * page, page, PROT_NONE) < 0) {
        munmap(map, *len);
        return NULL;
    }
    *data = at_end ? map + (pages + 1) * page - bytes : map + page;
    return map;
}

/* Regression: the 3x3 in-place path computed the edge columns of a batch of
 * four rows (columns 0, 1, W - 2, W - 1) before asking the vector kernel,
 * even for W == 1, where they are columns -1 and 1: one byte before the
 * row (the scratch row before the saved copy, never written) and one past
 * it (past the image's end on its last row). The values were dropped, but
 * valgrind saw branches on them, and a tight image faults here. */
static void test_narrow_in_place_tight(void)
{
    TuRng r;
    tu_rng_seed(&r, 71);
    IsegSel *sel;
    CHECK_EQ_INT(iseg_sel_create_shape(&sel, ISEG_SEL_RECT, 3, 3), 0);
    for (int W = 1; W <= 3; W++)
        for (int H = 5; H <= 14; H++)
            for (int k = 0; k < 8; k++) {
                IsegMorphSettings s;
                iseg_morph_default_settings(&s);
                s.op = (IsegMorphOp)(k & 1);
                s.border = (IsegMorphBorder)((k >> 1) & 1);
                size_t len;
                uint8_t *data;
                uint8_t *map = tight_alloc(W, H, k >> 2, &len, &data);
                CHECK(map != NULL);
                if (!map)
                    continue;
                IsegImage img = { data, W, H, W };
                for (int i = 0; i < W * H; i++)
                    data[i] = (uint8_t)tu_rng_range(&r, 0, 255);
                TuImg ref;
                tu_img_alloc(&ref, W, H, 0);
                IsegMorph *m;
                CHECK_EQ_INT(iseg_morph_create(&m, sel, &s), 0);
                CHECK_EQ_INT(iseg_morph_apply_ref(sel, &s, &img, &ref.img), 0);
                CHECK_EQ_INT(iseg_morph_apply(m, &img, &img, pools[(H + k) % 5]), 0);
                CHECK_MSG(tu_img_equal(&img, &ref.img, "3x3 in place, tight"),
                          "%dx%d op %d border %d", W, H, s.op, s.border);
                iseg_morph_destroy(m);
                tu_img_free(&ref);
                munmap(map, len);
            }
    iseg_sel_free(sel);
}

/* Random elements, operations and settings on tight images (stride ==
 * width, against an inaccessible page on either side, source and
 * destination): no pass reads or writes a byte outside the pixels. */
static void test_tight_random(void)
{
    TuRng r;
    tu_rng_seed(&r, tu_seed(4242));
    static const int widths[] = { 1, 2, 3, 4, 5, 7, 16, 31, 32, 33, 34, 63, 66, 100 };
    int failed = 0;
    for (int i = 0; i < 600 && failed < 5; i++) {
        IsegSel *sel = random_sel(&r, tu_rng_range(&r, 0, 3) ? 7 : 21);
        IsegMorphSettings s;
        iseg_morph_default_settings(&s);
        s.op = (IsegMorphOp)tu_rng_range(&r, 0, 6);
        s.iterations = tu_rng_range(&r, 0, 3) ? 1 : tu_rng_range(&r, 2, 5);
        s.border = (IsegMorphBorder)tu_rng_range(&r, 0, 1);
        const int W = widths[tu_rng_range(&r, 0, (int)(sizeof(widths) / sizeof(widths[0])) - 1)];
        const int H = tu_rng_range(&r, 1, 40);
        const int in_place = tu_rng_range(&r, 0, 1), p = tu_rng_range(&r, 0, 4);
        size_t slen, dlen;
        uint8_t *sdata, *ddata;
        uint8_t *smap = tight_alloc(W, H, tu_rng_range(&r, 0, 1), &slen, &sdata);
        uint8_t *dmap = tight_alloc(W, H, tu_rng_range(&r, 0, 1), &dlen, &ddata);
        CHECK(smap && dmap);
        if (!smap || !dmap)
            break;
        IsegImage src = { sdata, W, H, W }, dst = { ddata, W, H, W };
        for (int k = 0; k < W * H; k++)
            sdata[k] = (uint8_t)(tu_rng_range(&r, 0, 3) ? tu_rng_range(&r, 0, 255) : 0);
        TuImg ref;
        tu_img_alloc(&ref, W, H, 0);
        IsegMorph *m;
        CHECK_EQ_INT(iseg_morph_create(&m, sel, &s), 0);
        CHECK_EQ_INT(iseg_morph_apply_ref(sel, &s, &src, &ref.img), 0);
        IsegImage *out = in_place ? &src : &dst;
        CHECK_EQ_INT(iseg_morph_apply(m, &src, out, pools[p]), 0);
        const int ok = tu_img_equal(out, &ref.img, "tight image vs reference");
        if (!ok) {
            char *str = iseg_sel_to_string(sel);
            fprintf(stderr, "  %dx%d op %s iter %d border %s pool %d in place %d sel \"%s\"\n", W,
                    H, iseg_morph_op_name(s.op), s.iterations, iseg_morph_border_name(s.border), p,
                    in_place, str);
            free(str);
        }
        CHECK(ok);
        failed += !ok;
        iseg_morph_destroy(m);
        iseg_sel_free(sel);
        tu_img_free(&ref);
        munmap(smap, slen);
        munmap(dmap, dlen);
    }
}

/* The largest elements (255 a side, and lines of 255) on small frames. */
static void test_max_elements(void)
{
    TuRng r;
    tu_rng_seed(&r, 31);
    const int dims[5][2] = { { 255, 255 }, { 255, 1 }, { 1, 255 }, { 254, 7 }, { 9, 200 } };
    for (int d = 0; d < 5; d++)
        for (int shape = 0; shape < 3; shape++) {
            IsegSel *sel;
            CHECK_EQ_INT(iseg_sel_create_shape(&sel, (IsegSelShape)shape, dims[d][0], dims[d][1]),
                         0);
            IsegMorphSettings s;
            iseg_morph_default_settings(&s);
            s.op = (IsegMorphOp)tu_rng_range(&r, 0, 6);
            s.border = (IsegMorphBorder)(d & 1);
            const int W = tu_rng_range(&r, 1, 40), H = tu_rng_range(&r, 1, 12);
            TuImg in, out, ref;
            tu_img_alloc_random_pad(&in, &r, W, H);
            tu_img_alloc_random_pad(&out, &r, W, H);
            tu_img_alloc(&ref, W, H, 0);
            tu_img_fill_random(&in, &r);
            IsegMorph *m;
            CHECK_EQ_INT(iseg_morph_create(&m, sel, &s), 0);
            CHECK_EQ_INT(iseg_morph_apply_ref(sel, &s, &in.img, &ref.img), 0);
            CHECK_EQ_INT(iseg_morph_apply(m, &in.img, &out.img, pools[d % 5]), 0);
            CHECK_MSG(tu_img_equal(&out.img, &ref.img, "max element"),
                      "%dx%d shape %d op %d on %dx%d", dims[d][0], dims[d][1], shape, s.op, W, H);
            CHECK_EQ_INT(iseg_morph_apply(m, &in.img, &in.img, pools[(d + 1) % 5]), 0);
            CHECK(tu_img_equal(&in.img, &ref.img, "max element in place"));
            CHECK(tu_img_guard_ok(&in) && tu_img_guard_ok(&out));
            iseg_morph_destroy(m);
            iseg_sel_free(sel);
            tu_img_free(&in);
            tu_img_free(&out);
            tu_img_free(&ref);
        }
}

static void test_bad_arguments(void)
{
    IsegSel *sel, *empty;
    CHECK_EQ_INT(iseg_sel_create_shape(&sel, ISEG_SEL_RECT, 3, 3), 0);
    CHECK_EQ_INT(iseg_sel_create(&empty, 3, 3, ISEG_SEL_MISS), 0);
    IsegMorphSettings s;
    iseg_morph_default_settings(&s);
    CHECK_EQ_INT(s.op, ISEG_MORPH_ERODE);
    CHECK_EQ_INT(s.iterations, 1);
    CHECK_EQ_INT(s.border, ISEG_MORPH_BORDER_REPLICATE);
    IsegMorph *m = (IsegMorph *)1;
    CHECK_EQ_INT(iseg_morph_create(&m, empty, &s), -EINVAL);
    CHECK(m == NULL);
    CHECK_EQ_INT(iseg_morph_create(&m, NULL, &s), -EINVAL);
    CHECK_EQ_INT(iseg_morph_create(&m, sel, NULL), -EINVAL);
    s.iterations = 0;
    CHECK_EQ_INT(iseg_morph_create(&m, sel, &s), -EINVAL);
    s.iterations = ISEG_MORPH_MAX_ITERATIONS + 1;
    CHECK_EQ_INT(iseg_morph_create(&m, sel, &s), -EINVAL);
    s.iterations = 1;
    s.op = (IsegMorphOp)7;
    CHECK_EQ_INT(iseg_morph_create(&m, sel, &s), -EINVAL);
    s.op = ISEG_MORPH_ERODE;
    s.border = (IsegMorphBorder)2;
    CHECK_EQ_INT(iseg_morph_create(&m, sel, &s), -EINVAL);
    s.border = ISEG_MORPH_BORDER_NEUTRAL;
    CHECK_EQ_INT(iseg_morph_create(&m, sel, &s), 0);
    CHECK(iseg_morph_settings(m)->border == ISEG_MORPH_BORDER_NEUTRAL);
    CHECK(iseg_morph_sel(m)->width == 3);

    uint8_t buf[200];
    IsegImage a = { buf, 10, 10, 10 }, b = { buf, 10, 9, 10 };
    CHECK_EQ_INT(iseg_morph_apply(m, &a, &b, NULL), -EINVAL); /* size mismatch */
    IsegImage c = { buf + 5, 10, 10, 10 };
    CHECK_EQ_INT(iseg_morph_apply(m, &a, &c, NULL), -EINVAL); /* overlap */
    IsegImage d = { buf, 10, 10, 12 };
    CHECK_EQ_INT(iseg_morph_apply(m, &a, &d, NULL), -EINVAL); /* same data, other stride */
    IsegImage e = { buf + 100, 10, 10, 10 };
    memset(buf, 7, sizeof(buf));
    CHECK_EQ_INT(iseg_morph_apply(m, &a, &e, NULL), 0);
    CHECK_EQ_INT(iseg_morph_apply(NULL, &a, &e, NULL), -EINVAL);
    CHECK_EQ_INT(iseg_morph_apply_ref(empty, &s, &a, &e), -EINVAL);
    CHECK(iseg_morph_op_name(ISEG_MORPH_BLACKHAT) &&
          !strcmp(iseg_morph_op_name(ISEG_MORPH_BLACKHAT), "blackhat"));
    CHECK(iseg_morph_op_name((IsegMorphOp)9) == NULL);
    iseg_morph_destroy(m);
    iseg_morph_destroy(NULL);
    iseg_sel_free(sel);
    iseg_sel_free(empty);
}

int main(void)
{
    pools[0] = NULL;
    for (int p = 1; p < 5; p++)
        if (iseg_pool_create(&pools[p], (unsigned)p) < 0)
            return 2;
    RUN(test_lecture_example);
    RUN(test_window_not_reflected);
    RUN(test_bad_arguments);
    RUN(test_context_reuse);
    RUN(test_max_elements);
    RUN(test_square_in_place);
    RUN(test_narrow_in_place_tight);
    RUN(test_tight_random);
    RUN(test_pool_sizes_identical);
    RUN(test_random_small_elements);
    RUN(test_random_large_elements);
    for (int p = 1; p < 5; p++)
        iseg_pool_destroy(pools[p]);
    return tu_finish();
}
