/* Structuring elements: shapes (hand-checked against OpenCV's
 * getStructuringElement; tests/opencv checks every size), the parser with
 * both syntaxes and its error messages, to_string round trips, rotations. */
#include "testutil.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static int sel_equals_text(const IsegSel *sel, const char *text)
{
    char *s = iseg_sel_to_string(sel);
    const int ok = s && !strcmp(s, text);
    if (!ok)
        fprintf(stderr, "  got \"%s\", expected \"%s\"\n", s ? s : "(null)", text);
    free(s);
    return ok;
}

static int sels_equal(const IsegSel *a, const IsegSel *b)
{
    return a->width == b->width && a->height == b->height && a->origin_x == b->origin_x &&
           a->origin_y == b->origin_y && !memcmp(a->cells, b->cells, (size_t)a->width * a->height);
}

static void test_create(void)
{
    IsegSel *s = NULL;
    CHECK_EQ_INT(iseg_sel_create(&s, 4, 3, ISEG_SEL_HIT), 0);
    CHECK_EQ_INT(s->width, 4);
    CHECK_EQ_INT(s->height, 3);
    CHECK_EQ_INT(s->origin_x, 2);
    CHECK_EQ_INT(s->origin_y, 1);
    CHECK_EQ_INT(iseg_sel_count(s, ISEG_SEL_HIT), 12);
    CHECK_EQ_INT(iseg_sel_count(s, ISEG_SEL_MISS), 0);
    iseg_sel_free(s);
    CHECK_EQ_INT(iseg_sel_create(&s, 255, 255, ISEG_SEL_DONTCARE), 0);
    CHECK_EQ_INT(iseg_sel_count(s, ISEG_SEL_DONTCARE), 255 * 255);
    iseg_sel_free(s);
    CHECK_EQ_INT(iseg_sel_create(&s, 0, 3, ISEG_SEL_HIT), -EINVAL);
    CHECK_EQ_INT(iseg_sel_create(&s, 3, 256, ISEG_SEL_HIT), -EINVAL);
    CHECK_EQ_INT(iseg_sel_create(&s, 3, 3, (IsegSelCell)3), -EINVAL);
    CHECK_EQ_INT(iseg_sel_create(NULL, 3, 3, ISEG_SEL_HIT), -EINVAL);
    CHECK_EQ_INT(iseg_sel_create_shape(&s, (IsegSelShape)3, 3, 3), -EINVAL);
    CHECK_EQ_INT(iseg_sel_create_shape(&s, ISEG_SEL_RECT, 256, 3), -EINVAL);
    CHECK_EQ_INT(iseg_sel_count(NULL, ISEG_SEL_HIT), 0);
    iseg_sel_free(NULL);
}

static void test_shapes(void)
{
    /* printed by a throwaway program calling cv::getStructuringElement */
    static const struct {
        IsegSelShape shape;
        int w, h;
        const char *text;
    } cases[] = {
        { ISEG_SEL_ELLIPSE, 5, 5, "0 0 1 0 0; 1 1 1 1 1; 1 1 1 1 1; 1 1 1 1 1; 0 0 1 0 0" },
        { ISEG_SEL_ELLIPSE, 4, 4, "0 0 1 0; 1 1 1 1; 1 1 1 1; 1 1 1 1" },
        { ISEG_SEL_ELLIPSE, 6, 3, "0 0 0 1 0 0; 1 1 1 1 1 1; 0 0 0 1 0 0" },
        { ISEG_SEL_ELLIPSE, 1, 5, "1; 1; 1; 1; 1" },
        { ISEG_SEL_ELLIPSE, 7, 4, "0 0 0 1 0 0 0; 1 1 1 1 1 1 1; 1 1 1 1 1 1 1; 1 1 1 1 1 1 1" },
        { ISEG_SEL_ELLIPSE, 2, 2, "0 1; 1 1" },
        { ISEG_SEL_ELLIPSE, 1, 1, "1" },
        { ISEG_SEL_CROSS, 4, 4, "0 0 1 0; 0 0 1 0; 1 1 1 1; 0 0 1 0" },
        { ISEG_SEL_CROSS, 3, 3, "0 1 0; 1 1 1; 0 1 0" },
        { ISEG_SEL_CROSS, 1, 1, "1" },
        { ISEG_SEL_RECT, 2, 3, "1 1; 1 1; 1 1" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        IsegSel *s;
        CHECK_EQ_INT(iseg_sel_create_shape(&s, cases[i].shape, cases[i].w, cases[i].h), 0);
        CHECK_MSG(sel_equals_text(s, cases[i].text), "case %zu", i);
        iseg_sel_free(s);
    }
    /* properties at every size up to 40 */
    for (int w = 1; w <= 40; w++)
        for (int h = 1; h <= 40; h++) {
            IsegSel *r, *c, *e;
            CHECK_EQ_INT(iseg_sel_create_shape(&r, ISEG_SEL_RECT, w, h), 0);
            CHECK_EQ_INT(iseg_sel_create_shape(&c, ISEG_SEL_CROSS, w, h), 0);
            CHECK_EQ_INT(iseg_sel_create_shape(&e, ISEG_SEL_ELLIPSE, w, h), 0);
            CHECK_EQ_INT(iseg_sel_count(r, ISEG_SEL_HIT), w * h);
            CHECK_EQ_INT(iseg_sel_count(c, ISEG_SEL_HIT), w + h - 1);
            CHECK_EQ_INT(c->cells[(h / 2) * w + w / 2], ISEG_SEL_HIT);
            /* the ellipse is left-right symmetric about column w/2 where it fits,
             * has its full middle row and its origin */
            CHECK_EQ_INT(e->cells[(h / 2) * w + w / 2], ISEG_SEL_HIT);
            for (int x = 0; x < w; x++)
                CHECK(e->cells[(h / 2) * w + x] == ISEG_SEL_HIT || h == 1 || w == 1);
            CHECK_EQ_INT(iseg_sel_count(e, ISEG_SEL_HIT) + iseg_sel_count(e, ISEG_SEL_MISS), w * h);
            iseg_sel_free(r);
            iseg_sel_free(c);
            iseg_sel_free(e);
        }
}

static void expect_parse(const char *text, IsegSelSyntax syn, const char *canonical)
{
    IsegSel *s = NULL;
    char err[200];
    const int ret = iseg_sel_parse(&s, text, syn, err, sizeof(err));
    CHECK_MSG(ret == 0, "\"%s\" refused: %s", text, err);
    if (ret == 0) {
        CHECK_MSG(sel_equals_text(s, canonical), "parsing \"%s\"", text);
        CHECK_EQ_INT(err[0], '\0');
    }
    iseg_sel_free(s);
}

/* The message must contain every one of the NULL-terminated fragments. */
static void expect_error(const char *text, IsegSelSyntax syn, ...)
{
    IsegSel *s = (IsegSel *)1;
    char err[256];
    const int ret = iseg_sel_parse(&s, text, syn, err, sizeof(err));
    CHECK_MSG(ret == -EINVAL, "\"%s\" accepted", text ? text : "(null)");
    CHECK(s == NULL);
    CHECK(strlen(err) > 0);
    va_list ap;
    va_start(ap, syn);
    for (const char *frag; (frag = va_arg(ap, const char *));)
        CHECK_MSG(strstr(err, frag) != NULL, "message \"%s\" lacks \"%s\"", err, frag);
    va_end(ap);
}

static void test_parse_valid(void)
{
    const IsegSelSyntax B = ISEG_SEL_SYNTAX_BINARY, HM = ISEG_SEL_SYNTAX_HITMISS;
    expect_parse("0 1 0; 1 1 1; 0 1 0", B, "0 1 0; 1 1 1; 0 1 0");
    expect_parse("010;111;010", B, "0 1 0; 1 1 1; 0 1 0");
    expect_parse("010\n111\n010\n", B, "0 1 0; 1 1 1; 0 1 0");
    expect_parse("0,1,0;1,1,1;0,1,0;", B, "0 1 0; 1 1 1; 0 1 0");
    expect_parse("\r\n  0\t1 , 0 \r\n 1 1 1\r\n0 1 0\r\n\r\n", B, "0 1 0; 1 1 1; 0 1 0");
    expect_parse(";;\n 1 1 0 ;\n;", B, "1 1 0");
    /* a ';' at a line end and the line break after it end one row, with
     * any cell separators around them, in either order, CRLF too */
    expect_parse("0 1 1;\n1 0 1", B, "0 1 1; 1 0 1");
    expect_parse("0 1 1;\n1 0 1;\n", B, "0 1 1; 1 0 1");
    expect_parse("0 1 1 ;  \n  1 0 1", B, "0 1 1; 1 0 1");
    expect_parse("0,1,1,;,\n,1,0,1", B, "0 1 1; 1 0 1");
    expect_parse("0 1 1;\r\n1 0 1;\r\n", B, "0 1 1; 1 0 1");
    expect_parse("0 1 1\n;1 0 1", B, "0 1 1; 1 0 1");
    expect_parse("0 1 1 \n ; 1 0 1 \n ; 0 0 1", B, "0 1 1; 1 0 1; 0 0 1");
    expect_parse("\t0\t1\t1\t;\t\n\t1\t0\t1\t", B, "0 1 1; 1 0 1");
    expect_parse("\n\n0 1 1;\n1 0 1;\n\n\n", B, "0 1 1; 1 0 1");
    expect_parse(";\n;\n0 1 1;\n1 0 1;\n;", B, "0 1 1; 1 0 1");
    expect_parse("x 1 .;\n0 . 1;\n", HM, ". 1 .; 0 . 1");
    expect_parse("1", B, "1");
    expect_parse("0", B, "0");
    expect_parse("1;0;1", B, "1; 0; 1");
    expect_parse("0 0 0; . 1 .; 1 1 1", HM, "0 0 0; . 1 .; 1 1 1");
    expect_parse("x1-;..0", HM, ". 1 .; . . 0");
    /* 255 x 255 is the limit */
    char *big = malloc(255 * 256 + 1);
    char *p = big;
    for (int y = 0; y < 255; y++) {
        memset(p, y & 1 ? '1' : '0', 255);
        p += 255;
        *p++ = ';';
    }
    *p = '\0';
    IsegSel *s;
    CHECK_EQ_INT(iseg_sel_parse(&s, big, B, NULL, 0), 0);
    CHECK_EQ_INT(s->width, 255);
    CHECK_EQ_INT(s->height, 255);
    CHECK_EQ_INT(s->origin_x, 127);
    CHECK_EQ_INT(iseg_sel_count(s, ISEG_SEL_HIT), 127 * 255);
    CHECK_EQ_INT(s->cells[254 * 255], ISEG_SEL_MISS);
    CHECK_EQ_INT(s->cells[253 * 255 + 7], ISEG_SEL_HIT);
    iseg_sel_free(s);
    free(big);
}

static void test_parse_errors(void)
{
    const IsegSelSyntax B = ISEG_SEL_SYNTAX_BINARY, HM = ISEG_SEL_SYNTAX_HITMISS;
    expect_error("", B, "empty", NULL);
    expect_error("  ; \n ;", B, "empty", NULL);
    expect_error(NULL, B, "no structuring element", NULL);
    expect_error("1 1 1; 1 1; 1 1 1", B, "row 2 (offset 7) has 2 cells, expected 3", NULL);
    expect_error("1 1\n1 1 1", B, "row 2 (offset 4) has 3 cells, expected 2", NULL);
    expect_error("1 1 1; 1 a 1", B, "row 2, column 2", "'a'", "expected '1' or '0'", NULL);
    expect_error("0 1 .", B, "row 1, column 3", "'.'", NULL);
    expect_error("0 1 0; . 1 2", HM, "row 2, column 3", "'2'", "don't-care", NULL);
    expect_error("1 1;\x01", B, "row 2, column 1", "0x01", NULL);
    expect_error("1 1; ;1 1", B, "row 2 is empty", NULL);
    expect_error("1 1\n\n1 1", B, "row 2 is empty", NULL);
    expect_error("1 1;;1 1", B, "row 2 is empty (offset 4)", NULL);
    /* one ';' and one line break make one row break; more is an empty row */
    expect_error("1 1;\n\n1 1", B, "row 2 is empty", NULL);
    expect_error("1 1;\n;1 1", B, "row 2 is empty", NULL);
    expect_error("1 1\n;\n1 1", B, "row 2 is empty", NULL);
    expect_error("1 1;\r\n\r\n1 1", B, "row 2 is empty", NULL);
    /* ragged rows say where the row starts */
    expect_error("0 1 1;\n1 0", B, "row 2 (offset 7) has 2 cells, expected 3", NULL);
    expect_error("0 1 1;\n1 0 1;\n1 1 1 1", B, "row 3 (offset 14) has 4 cells", NULL);
    expect_error("0 1 1;\n1 a 1", B, "row 2, column 2 (offset 9)", "'a'", NULL);
    char big[600];
    memset(big, '1', 256);
    big[256] = '\0';
    expect_error(big, B, "row 1, column 256", "at most 255", NULL);
    char *rows = malloc(256 * 2 + 1);
    for (int i = 0; i < 256; i++) {
        rows[2 * i] = '1';
        rows[2 * i + 1] = '\n';
    }
    rows[512] = '\0';
    expect_error(rows, B, "too many rows", "255", NULL);
    free(rows);
    /* a short error buffer is truncated, not overrun */
    char small[8];
    memset(small, 'Z', sizeof(small));
    IsegSel *s;
    CHECK_EQ_INT(iseg_sel_parse(&s, "1 q", B, small, 6), -EINVAL);
    CHECK_EQ_INT(strlen(small), 5);
    CHECK_EQ_INT(small[6], 'Z');
    CHECK_EQ_INT(iseg_sel_parse(&s, "1 q", B, NULL, 0), -EINVAL);
    CHECK_EQ_INT(iseg_sel_parse(NULL, "1", B, NULL, 0), -EINVAL);
    CHECK_EQ_INT(iseg_sel_parse(&s, "1", (IsegSelSyntax)5, NULL, 0), -EINVAL);
}

static IsegSel *random_sel(TuRng *r, int max_w, int max_h)
{
    IsegSel *s;
    iseg_sel_create(&s, tu_rng_range(r, 1, max_w), tu_rng_range(r, 1, max_h), ISEG_SEL_MISS);
    for (int i = 0; i < s->width * s->height; i++)
        s->cells[i] = (uint8_t)tu_rng_range(r, 0, 2);
    return s;
}

static void test_round_trip(void)
{
    TuRng r;
    tu_rng_seed(&r, tu_seed(42));
    for (int i = 0; i < 500; i++) {
        IsegSel *s = random_sel(&r, 40, 40), *back = NULL, *copy = NULL;
        char *text = iseg_sel_to_string(s);
        CHECK(text != NULL);
        char err[128];
        CHECK_EQ_INT(iseg_sel_parse(&back, text, ISEG_SEL_SYNTAX_HITMISS, err, sizeof(err)), 0);
        CHECK(back && sels_equal(s, back));
        CHECK_EQ_INT(iseg_sel_copy(&copy, s), 0);
        CHECK(sels_equal(s, copy));
        CHECK(copy->cells != s->cells);
        free(text);
        iseg_sel_free(s);
        iseg_sel_free(back);
        iseg_sel_free(copy);
    }
    CHECK(iseg_sel_to_string(NULL) == NULL);
}

static IsegSel *parse_b(const char *t)
{
    IsegSel *s = NULL;
    CHECK_EQ_INT(iseg_sel_parse(&s, t, ISEG_SEL_SYNTAX_HITMISS, NULL, 0), 0);
    return s;
}

static void test_rotations(void)
{
    IsegSel *s = parse_b("1 1 1; 0 . 0; 0 0 0"), *t;
    CHECK_EQ_INT(iseg_sel_rotate90(&t, s), 0);
    CHECK(sel_equals_text(t, "0 0 1; 0 . 1; 0 0 1"));
    iseg_sel_free(t);
    CHECK_EQ_INT(iseg_sel_rotate45(&t, s), 0);
    CHECK(sel_equals_text(t, "0 1 1; 0 . 1; 0 0 0"));
    iseg_sel_free(t);
    iseg_sel_free(s);
    /* a corner goes to the next corner clockwise, the centre stays */
    s = parse_b("1 0 0; 0 1 0; 0 0 .");
    CHECK_EQ_INT(iseg_sel_rotate45(&t, s), 0);
    CHECK(sel_equals_text(t, "0 1 0; 0 1 0; 0 . 0"));
    iseg_sel_free(t);
    iseg_sel_free(s);
    /* non-square: 2 wide, 3 tall -> 3 wide, 2 tall, origin (1, 1) */
    s = parse_b("1 0; 1 .; 0 0");
    CHECK_EQ_INT(iseg_sel_rotate90(&t, s), 0);
    CHECK_EQ_INT(t->width, 3);
    CHECK_EQ_INT(t->height, 2);
    CHECK_EQ_INT(t->origin_x, 1);
    CHECK_EQ_INT(t->origin_y, 1);
    CHECK(sel_equals_text(t, "0 1 1; 0 . 0"));
    CHECK_EQ_INT(iseg_sel_rotate45(&t, s), -EINVAL);
    iseg_sel_free(t);
    iseg_sel_free(s);

    TuRng r;
    tu_rng_seed(&r, 9);
    for (int i = 0; i < 300; i++) {
        /* four quarter turns are the identity; counts are kept */
        IsegSel *a = random_sel(&r, 12, 12), *cur;
        iseg_sel_copy(&cur, a);
        for (int k = 0; k < 4; k++) {
            IsegSel *n;
            CHECK_EQ_INT(iseg_sel_rotate90(&n, cur), 0);
            CHECK_EQ_INT(n->width, cur->height);
            CHECK_EQ_INT(iseg_sel_count(n, ISEG_SEL_HIT), iseg_sel_count(a, ISEG_SEL_HIT));
            iseg_sel_free(cur);
            cur = n;
        }
        CHECK(sels_equal(cur, a));
        iseg_sel_free(cur);
        iseg_sel_free(a);
        /* 3x3: two 45 degree turns are one 90 degree turn, eight the identity */
        IsegSel *b = random_sel(&r, 1, 1);
        iseg_sel_free(b);
        iseg_sel_create(&b, 3, 3, ISEG_SEL_MISS);
        for (int c = 0; c < 9; c++)
            b->cells[c] = (uint8_t)tu_rng_range(&r, 0, 2);
        IsegSel *r90, *h1, *h2;
        iseg_sel_rotate90(&r90, b);
        iseg_sel_rotate45(&h1, b);
        iseg_sel_rotate45(&h2, h1);
        CHECK(sels_equal(h2, r90));
        iseg_sel_copy(&cur, b);
        for (int k = 0; k < 8; k++) {
            IsegSel *n;
            CHECK_EQ_INT(iseg_sel_rotate45(&n, cur), 0);
            CHECK_EQ_INT(n->cells[4], b->cells[4]);
            iseg_sel_free(cur);
            cur = n;
        }
        CHECK(sels_equal(cur, b));
        iseg_sel_free(cur);
        iseg_sel_free(r90);
        iseg_sel_free(h1);
        iseg_sel_free(h2);
        iseg_sel_free(b);
    }
    CHECK_EQ_INT(iseg_sel_rotate90(NULL, NULL), -EINVAL);
}

int main(void)
{
    RUN(test_create);
    RUN(test_shapes);
    RUN(test_parse_valid);
    RUN(test_parse_errors);
    RUN(test_round_trip);
    RUN(test_rotations);
    return tu_finish();
}
