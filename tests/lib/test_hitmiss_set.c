/* Sets made from one element and its rotations (iseg_hitmiss_build_set,
 * iseg_hitmiss_create_rotated), on top of sel.c's parser and rotations. */
#include "core/internal.h"
#include "testutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static IsegSel *parse(const char *text)
{
    IsegSel *s = NULL;
    char err[128];
    const int ret = iseg_sel_parse(&s, text, ISEG_SEL_SYNTAX_HITMISS, err, sizeof(err));
    CHECK_MSG(ret == 0, "\"%s\": %s", text, err);
    return s;
}

static int same_sel(const IsegSel *a, const IsegSel *b)
{
    return a->width == b->width && a->height == b->height && a->origin_x == b->origin_x &&
           a->origin_y == b->origin_y &&
           memcmp(a->cells, b->cells, (size_t)a->width * a->height) == 0;
}

/* The classic element turned by 45 degrees eight times: Gonzalez & Woods'
 * thinning set B1..B8. */
static void test_eight_turns(void)
{
    static const char *const expected[8] = {
        "0 0 0; . 1 .; 1 1 1", ". 0 0; 1 1 0; 1 1 .", "1 . 0; 1 1 0; 1 . 0", "1 1 .; 1 1 0; . 0 0",
        "1 1 1; . 1 .; 0 0 0", ". 1 1; 0 1 1; 0 0 .", "0 . 1; 0 1 1; 0 . 1", "0 0 .; 0 1 1; . 1 1",
    };
    IsegSel *b = parse(ISEG_HITMISS_THINNING_SEL);
    IsegSel **set = NULL;
    int n = 0;
    CHECK_EQ_INT(iseg_hitmiss_build_set(&set, &n, ISEG_HITMISS_THIN, b, ISEG_HITMISS_ROTATE_8), 0);
    CHECK_EQ_INT(n, 8);
    for (int k = 0; k < n && k < 8; k++) {
        IsegSel *e = parse(expected[k]);
        CHECK_MSG(same_sel(set[k], e), "turn %d", k);
        iseg_sel_free(e);
    }
    iseg_hitmiss_set_free(set, n);

    /* auto: 8 for thin, thicken and skeleton, none for hitmiss */
    for (int op = 0; op <= 3; op++) {
        CHECK_EQ_INT(
            iseg_hitmiss_build_set(&set, &n, (IsegHitmissOp)op, b, ISEG_HITMISS_ROTATE_AUTO), 0);
        CHECK_EQ_INT(n, op == ISEG_HITMISS_HMT ? 1 : 8);
        iseg_hitmiss_set_free(set, n);
    }
    iseg_sel_free(b);
}

/* Quarter turns of a non-square element with its origin off centre: every
 * cell at (dx, dy) from the origin moves to (-dy, dx). */
static void test_quarter_turns(void)
{
    IsegSel *b = parse("1 0 .; . 1 1");
    b->origin_x = 0;
    b->origin_y = 1;
    IsegSel **set = NULL;
    int n = 0;
    CHECK_EQ_INT(iseg_hitmiss_build_set(&set, &n, ISEG_HITMISS_HMT, b, ISEG_HITMISS_ROTATE_4), 0);
    CHECK_EQ_INT(n, 4);
    for (int k = 1; k < n; k++) {
        const IsegSel *p = set[k - 1], *q = set[k];
        CHECK(q->width == p->height && q->height == p->width);
        int ok = 1;
        for (int y = 0; y < p->height; y++)
            for (int x = 0; x < p->width; x++) {
                const int dx = x - p->origin_x, dy = y - p->origin_y;
                const int qx = q->origin_x - dy, qy = q->origin_y + dx;
                ok &= qx >= 0 && qy >= 0 && qx < q->width && qy < q->height &&
                      q->cells[qy * q->width + qx] == p->cells[y * p->width + x];
            }
        CHECK_MSG(ok, "turn %d", k);
    }
    /* auto for a non-3x3 element in thin: the 4 quarter turns; 45 degrees
     * only exist for 3x3 */
    iseg_hitmiss_set_free(set, n);
    CHECK_EQ_INT(iseg_hitmiss_build_set(&set, &n, ISEG_HITMISS_THIN, b, ISEG_HITMISS_ROTATE_AUTO),
                 0);
    CHECK_EQ_INT(n, 4);
    iseg_hitmiss_set_free(set, n);
    CHECK_EQ_INT(iseg_hitmiss_build_set(&set, &n, ISEG_HITMISS_THIN, b, ISEG_HITMISS_ROTATE_8),
                 -EINVAL);
    CHECK_EQ_INT(iseg_hitmiss_build_set(&set, &n, ISEG_HITMISS_THIN, b, (IsegHitmissRotations)3),
                 -EINVAL);
    CHECK_EQ_INT(iseg_hitmiss_build_set(&set, &n, ISEG_HITMISS_THIN, NULL, ISEG_HITMISS_ROTATE_4),
                 -EINVAL);
    IsegHitmiss *hm = (IsegHitmiss *)b;
    CHECK_EQ_INT(
        iseg_hitmiss_create_rotated(&hm, ISEG_HITMISS_THIN, b, ISEG_HITMISS_ROTATE_8, 10, 10),
        -EINVAL);
    CHECK(hm == NULL);
    iseg_sel_free(b);
}

/* create_rotated gives what create gives with the built set; a skeleton
 * without an element uses the built-in set, whose documented text forms
 * parse to the same elements. */
static void test_create_rotated(void)
{
    TuRng r;
    tu_rng_seed(&r, 12);
    IsegSel *b = parse(ISEG_HITMISS_THINNING_SEL);
    static const char *const skeleton_texts[8] = {
        ISEG_HITMISS_SKELETON_EDGE, ISEG_HITMISS_SKELETON_CORNER, "1 . 0; 1 1 0; 1 . 0",
        ". 1 .; 1 1 0; . 0 0",      "1 1 1; . 1 .; 0 0 0",        ". 1 .; 0 1 1; 0 0 .",
        "0 . 1; 0 1 1; 0 . 1",      "0 0 .; 0 1 1; . 1 .",
    };
    IsegSel *skel[8];
    for (int k = 0; k < 8; k++)
        skel[k] = parse(skeleton_texts[k]);
    for (int iter = 0; iter < 60; iter++) {
        const int w = tu_rng_range(&r, 1, 90), h = tu_rng_range(&r, 1, 60);
        const IsegHitmissOp op = (IsegHitmissOp)(iter % 4);
        TuImg src, a, c;
        tu_img_alloc_random_pad(&src, &r, w, h);
        tu_img_alloc_random_pad(&a, &r, w, h);
        tu_img_alloc_random_pad(&c, &r, w, h);
        tu_img_fill_levels(&src, &r, 3);
        IsegHitmiss *h1 = NULL, *h2 = NULL;
        IsegSel **set = NULL;
        int n = 0;
        IsegHitmissStats s1, s2;
        if (op == ISEG_HITMISS_SKELETON) {
            CHECK_EQ_INT(iseg_hitmiss_create_rotated(&h1, op, NULL, ISEG_HITMISS_ROTATE_AUTO, w, h),
                         0);
            CHECK_EQ_INT(
                iseg_hitmiss_create(&h2, ISEG_HITMISS_THIN, (const IsegSel *const *)skel, 8, w, h),
                0);
        } else {
            CHECK_EQ_INT(iseg_hitmiss_create_rotated(&h1, op, b, ISEG_HITMISS_ROTATE_AUTO, w, h),
                         0);
            CHECK_EQ_INT(iseg_hitmiss_build_set(&set, &n, op, b, ISEG_HITMISS_ROTATE_AUTO), 0);
            CHECK_EQ_INT(iseg_hitmiss_create(&h2, op, (const IsegSel *const *)set, n, w, h), 0);
        }
        CHECK_EQ_INT(iseg_hitmiss_run(h1, &src.img, &a.img, 0, NULL, &s1), 0);
        CHECK_EQ_INT(iseg_hitmiss_run(h2, &src.img, &c.img, 0, NULL, &s2), 0);
        CHECK(tu_img_equal(&a.img, &c.img, "create_rotated vs create"));
        CHECK(s1.matches == s2.matches && s1.passes == s2.passes);
        iseg_hitmiss_destroy(h1);
        iseg_hitmiss_destroy(h2);
        iseg_hitmiss_set_free(set, n);
        tu_img_free(&src);
        tu_img_free(&a);
        tu_img_free(&c);
    }
    for (int k = 0; k < 8; k++)
        iseg_sel_free(skel[k]);
    iseg_sel_free(b);
}

int main(void)
{
    RUN(test_eight_turns);
    RUN(test_quarter_turns);
    RUN(test_create_rotated);
    return tu_finish();
}
