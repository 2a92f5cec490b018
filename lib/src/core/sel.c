/* Structuring elements: creation, OpenCV-equal shapes, the text parser
 * shared by morphology and hit-or-miss, rotations. */
#include "internal.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int side_ok(int v)
{
    return v >= 1 && v <= ISEG_SEL_MAX_SIDE;
}

static int cell_ok(int c)
{
    return c == ISEG_SEL_DONTCARE || c == ISEG_SEL_HIT || c == ISEG_SEL_MISS;
}

int iseg_sel_create(IsegSel **out, int width, int height, IsegSelCell fill)
{
    if (!out || !side_ok(width) || !side_ok(height) || !cell_ok((int)fill))
        return -EINVAL;
    *out = NULL;
    IsegSel *s = malloc(sizeof(*s));
    if (!s)
        return -ENOMEM;
    s->cells = malloc((size_t)width * height);
    if (!s->cells) {
        free(s);
        return -ENOMEM;
    }
    s->width = width;
    s->height = height;
    s->origin_x = width / 2;
    s->origin_y = height / 2;
    memset(s->cells, (int)fill, (size_t)width * height);
    *out = s;
    return 0;
}

void iseg_sel_free(IsegSel *sel)
{
    if (!sel)
        return;
    free(sel->cells);
    free(sel);
}

/* Member columns [j1, j2) of row i, for the three shapes. The ellipse is the
 * one OpenCV documents for getStructuringElement(): semi-axes c = width / 2
 * and r = height / 2 (integer), row i at dy = i - r is a member row when
 * |dy| <= r and spans c +- round(c * sqrt(1 - dy^2 / r^2)) clipped to the
 * box, rounding half to even as cvRound does. A 1x1 element is a single cell
 * whatever the shape. */
static void shape_row(IsegSelShape shape, int width, int height, int i, int *j1, int *j2)
{
    const int ax = width / 2, ay = height / 2;
    *j1 = 0;
    *j2 = 0;
    if (shape == ISEG_SEL_RECT || (width == 1 && height == 1) ||
        (shape == ISEG_SEL_CROSS && i == ay)) {
        *j2 = width;
    } else if (shape == ISEG_SEL_CROSS) {
        *j1 = ax;
        *j2 = ax + 1;
    } else {
        const int r = height / 2, c = width / 2;
        const double inv_r2 = r ? 1.0 / ((double)r * r) : 0.0;
        const int dy = i - r;
        if (abs(dy) <= r) {
            const int dx = (int)lrint(c * sqrt(((double)r * r - (double)dy * dy) * inv_r2));
            *j1 = ISEG_MAX(c - dx, 0);
            *j2 = ISEG_MIN(c + dx + 1, width);
        }
    }
}

int iseg_sel_create_shape(IsegSel **out, IsegSelShape shape, int width, int height)
{
    if (!out || !side_ok(width) || !side_ok(height))
        return -EINVAL;
    if (shape != ISEG_SEL_RECT && shape != ISEG_SEL_CROSS && shape != ISEG_SEL_ELLIPSE)
        return -EINVAL;
    int ret = iseg_sel_create(out, width, height, ISEG_SEL_MISS);
    if (ret < 0)
        return ret;
    IsegSel *s = *out;
    for (int i = 0; i < height; i++) {
        int j1, j2;
        shape_row(shape, width, height, i, &j1, &j2);
        if (j2 > j1)
            memset(s->cells + (size_t)i * width + j1, ISEG_SEL_HIT, (size_t)(j2 - j1));
    }
    return 0;
}

int iseg_sel_copy(IsegSel **out, const IsegSel *sel)
{
    if (!out || !sel || !sel->cells || !side_ok(sel->width) || !side_ok(sel->height))
        return -EINVAL;
    int ret = iseg_sel_create(out, sel->width, sel->height, ISEG_SEL_DONTCARE);
    if (ret < 0)
        return ret;
    memcpy((*out)->cells, sel->cells, (size_t)sel->width * sel->height);
    return 0;
}

int iseg_sel_count(const IsegSel *sel, IsegSelCell cell)
{
    if (!sel || !sel->cells)
        return 0;
    int n = 0;
    for (int i = 0; i < sel->width * sel->height; i++)
        n += sel->cells[i] == (uint8_t)cell;
    return n;
}

int iseg_sel_rotate90(IsegSel **out, const IsegSel *sel)
{
    if (!out || !sel || !sel->cells || !side_ok(sel->width) || !side_ok(sel->height))
        return -EINVAL;
    const int w = sel->width, h = sel->height;
    int ret = iseg_sel_create(out, h, w, ISEG_SEL_DONTCARE);
    if (ret < 0)
        return ret;
    /* clockwise: the top row becomes the right column */
    for (int y = 0; y < w; y++)
        for (int x = 0; x < h; x++)
            (*out)->cells[y * h + x] = sel->cells[(h - 1 - x) * w + y];
    return 0;
}

int iseg_sel_rotate45(IsegSel **out, const IsegSel *sel)
{
    if (!out || !sel || !sel->cells || sel->width != 3 || sel->height != 3)
        return -EINVAL;
    /* the 8 neighbours in clockwise order from the top-left corner */
    static const int ring[8] = { 0, 1, 2, 5, 8, 7, 6, 3 };
    int ret = iseg_sel_copy(out, sel);
    if (ret < 0)
        return ret;
    for (int i = 0; i < 8; i++)
        (*out)->cells[ring[(i + 1) % 8]] = sel->cells[ring[i]];
    return 0;
}

char *iseg_sel_to_string(const IsegSel *sel)
{
    if (!sel || !sel->cells || !side_ok(sel->width) || !side_ok(sel->height))
        return NULL;
    /* each cell: char + separator ("; " between rows is 2 bytes) */
    const size_t size = (size_t)sel->height * (2 * (size_t)sel->width + 1) + 1;
    char *s = malloc(size);
    if (!s)
        return NULL;
    char *p = s;
    for (int y = 0; y < sel->height; y++) {
        if (y > 0) {
            *p++ = ';';
            *p++ = ' ';
        }
        for (int x = 0; x < sel->width; x++) {
            if (x > 0)
                *p++ = ' ';
            const uint8_t c = sel->cells[y * sel->width + x];
            *p++ = c == ISEG_SEL_HIT ? '1' : c == ISEG_SEL_MISS ? '0' : '.';
        }
    }
    *p = '\0';
    return s;
}

/* ---------------------------------------------------------------- parser */

static void set_error(char *err, size_t err_size, const char *fmt, ...)
{
    if (!err || err_size == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_size, fmt, ap);
    va_end(ap);
}

static int is_row_sep(char c)
{
    return c == ';' || c == '\n';
}

static int is_cell_sep(char c)
{
    return c == ' ' || c == '\t' || c == ',' || c == '\r' || c == '\v' || c == '\f';
}

/* -1 if c is not a cell of the syntax */
static int cell_of(char c, IsegSelSyntax syntax)
{
    switch (c) {
    case '1': return ISEG_SEL_HIT;
    case '0': return ISEG_SEL_MISS;
    case '.':
    case 'x':
    case '-': return syntax == ISEG_SEL_SYNTAX_HITMISS ? ISEG_SEL_DONTCARE : -1;
    default: return -1;
    }
}

static void describe_char(char c, char *buf, size_t size)
{
    const unsigned char u = (unsigned char)c;
    if (u >= 0x20 && u < 0x7f)
        snprintf(buf, size, "'%c'", c);
    else
        snprintf(buf, size, "byte 0x%02x", u);
}

/* Two passes over the text: the first validates and measures, the second
 * fills the cells. Rows are counted from 1 among the rows that hold cells
 * once leading blank rows are skipped, so that "row 2" is the second row the
 * user sees. */
int iseg_sel_parse(IsegSel **out, const char *text, IsegSelSyntax syntax, char *err,
                   size_t err_size)
{
    if (err && err_size)
        err[0] = '\0';
    if (!out || (syntax != ISEG_SEL_SYNTAX_BINARY && syntax != ISEG_SEL_SYNTAX_HITMISS)) {
        set_error(err, err_size, "invalid arguments");
        return -EINVAL;
    }
    *out = NULL;
    if (!text) {
        set_error(err, err_size, "no structuring element text");
        return -EINVAL;
    }
    const char *expected =
        syntax == ISEG_SEL_SYNTAX_BINARY ? "'1' or '0'" : "'1', '0' or a don't-care '.', 'x', '-'";

    int width = 0, rows = 0;
    int cells_in_row = 0;
    long row_start = 0;      /* offset of the current row's first cell */
    int pending_blank = 0;   /* blank rows seen after the last row with cells */
    int blank_row_index = 0; /* 1-based index of the first pending blank row */
    long blank_offset = 0;   /* offset of the break that ends it */
    char last_break = 0;     /* ';' or '\n' if the last row break has no cell after it */
    for (const char *p = text;; p++) {
        const char c = *p;
        if (c != '\0' && is_row_sep(c) && last_break && last_break != c) {
            /* "0 1 1;" at a line end (or a line starting with ";"): the ';'
             * and the line break together end one row */
            last_break = 0;
            continue;
        }
        if (c == '\0' || is_row_sep(c)) {
            last_break = c;
            if (cells_in_row > 0) {
                if (pending_blank > 0 && rows > 0) {
                    set_error(err, err_size,
                              "row %d is empty (offset %ld): rows must hold cells; only the ends "
                              "may be blank",
                              blank_row_index, blank_offset);
                    return -EINVAL;
                }
                pending_blank = 0;
                rows++;
                if (rows > ISEG_SEL_MAX_SIDE) {
                    set_error(err, err_size, "too many rows: more than %d", ISEG_SEL_MAX_SIDE);
                    return -EINVAL;
                }
                if (rows == 1) {
                    width = cells_in_row;
                } else if (cells_in_row != width) {
                    set_error(err, err_size,
                              "row %d (offset %ld) has %d cell%s, expected %d as in row 1", rows,
                              row_start, cells_in_row, cells_in_row == 1 ? "" : "s", width);
                    return -EINVAL;
                }
            } else if (rows > 0) {
                if (pending_blank == 0) {
                    blank_row_index = rows + 1;
                    blank_offset = (long)(p - text);
                }
                pending_blank++;
            }
            cells_in_row = 0;
            if (c == '\0')
                break;
            continue;
        }
        if (is_cell_sep(c))
            continue;
        last_break = 0;
        if (cells_in_row == 0)
            row_start = (long)(p - text);
        if (cell_of(c, syntax) < 0) {
            char what[16];
            describe_char(c, what, sizeof(what));
            set_error(err, err_size,
                      "row %d, column %d (offset %ld): unexpected character %s, expected %s",
                      rows + 1, cells_in_row + 1, (long)(p - text), what, expected);
            return -EINVAL;
        }
        cells_in_row++;
        if (cells_in_row > ISEG_SEL_MAX_SIDE) {
            set_error(err, err_size,
                      "row %d, column %d (offset %ld): too many cells, at most %d per row",
                      rows + 1, cells_in_row, (long)(p - text), ISEG_SEL_MAX_SIDE);
            return -EINVAL;
        }
    }
    if (rows == 0) {
        set_error(err, err_size, "empty structuring element: no cells (expected rows of %s)",
                  expected);
        return -EINVAL;
    }

    IsegSel *s;
    int ret = iseg_sel_create(&s, width, rows, ISEG_SEL_DONTCARE);
    if (ret < 0) {
        set_error(err, err_size, "out of memory");
        return ret;
    }
    int i = 0;
    for (const char *p = text; *p; p++) {
        const int cell = cell_of(*p, syntax);
        if (cell >= 0)
            s->cells[i++] = (uint8_t)cell;
    }
    *out = s;
    return 0;
}
