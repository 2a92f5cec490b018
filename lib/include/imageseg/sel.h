/* imageseg — structuring elements ("sels").
 *
 * One type serves morphology (cells that belong to the element) and the
 * hit-or-miss transform (cells that must be foreground, must be background,
 * or don't matter). Cells are stored row-major, width * height bytes.
 * The origin is (width / 2, height / 2), integer division, as OpenCV's
 * default anchor.
 */
#ifndef IMAGESEG_SEL_H
#define IMAGESEG_SEL_H

#include <imageseg/common.h>

ISEG_BEGIN_DECLS

#define ISEG_SEL_MAX_SIDE 255

typedef enum IsegSelCell {
    ISEG_SEL_DONTCARE = 0, /* '.', 'x', '-' : ignored */
    ISEG_SEL_HIT = 1,      /* '1' : in the element / must be foreground */
    ISEG_SEL_MISS = 2,     /* '0' : not in the element / must be background */
} IsegSelCell;

typedef struct IsegSel {
    int width;      /* 1..ISEG_SEL_MAX_SIDE */
    int height;     /* 1..ISEG_SEL_MAX_SIDE */
    int origin_x;   /* width / 2 */
    int origin_y;   /* height / 2 */
    uint8_t *cells; /* IsegSelCell values, cells[y * width + x] */
} IsegSel;

typedef enum IsegSelShape {
    ISEG_SEL_RECT = 0,
    ISEG_SEL_CROSS = 1,
    ISEG_SEL_ELLIPSE = 2,
} IsegSelShape;

typedef enum IsegSelSyntax {
    ISEG_SEL_SYNTAX_BINARY = 0,  /* cells '1' and '0' only (morphology) */
    ISEG_SEL_SYNTAX_HITMISS = 1, /* '1', '0' and don't-care '.', 'x', '-' */
} IsegSelSyntax;

/* A width x height element with every cell set to `fill`. */
ISEG_API int iseg_sel_create(IsegSel **out, int width, int height, IsegSelCell fill);

/* rect / cross / ellipse, the same masks as OpenCV's getStructuringElement()
 * for every size 1..255 (even sizes included): member cells HIT, others MISS. */
ISEG_API int iseg_sel_create_shape(IsegSel **out, IsegSelShape shape, int width, int height);

/* Parses text such as "0 1 0; 1 1 1; 0 1 0" or "0 1 0;\n1 1 1;\n0 1 0":
 *   text  = { row-break } row { row-break row } { row-break }
 *   row   = cell { [ cell-sep ] cell }   (cell-sep: spaces, tabs, commas, \r)
 *   row-break = ';' | '\n' | ';' '\n' | '\n' ';'   (cell-seps anywhere in it)
 * so a ';' at the end of a line and the line break after it end one row,
 * and breaks and blank lines at either end are ignored; an empty row between
 * two rows (";;", a blank line, "; ;") is refused. Every row must have the
 * same number of cells. On failure returns -EINVAL and, if err is not NULL,
 * writes a NUL-terminated English message (at most err_size bytes) that says
 * what is wrong and where ("row 2, column 3: unexpected character 'a'"). */
ISEG_API int iseg_sel_parse(IsegSel **out, const char *text, IsegSelSyntax syntax, char *err,
                            size_t err_size);

/* Text form of a sel in the parser's syntax (rows joined by "; "). Returns a
 * malloc'd string the caller frees, or NULL when out of memory. */
ISEG_API char *iseg_sel_to_string(const IsegSel *sel);

ISEG_API int iseg_sel_copy(IsegSel **out, const IsegSel *sel);

/* The element turned by 90 degrees clockwise (width and height swap; the
 * cells move around the origin as a square element's would): new cell
 * (x, y) is old cell (x', y') = (y, height - 1 - x), so the top row becomes
 * the right column. For odd sizes the origin cell stays the origin; for an
 * even side the turn is about the centre of the box, and the cell at the
 * new origin (width / 2, height / 2) is the old cell next to the origin. */
ISEG_API int iseg_sel_rotate90(IsegSel **out, const IsegSel *sel);

/* 3x3 only: the ring of 8 neighbours shifted by one position clockwise
 * (a 45 degree turn); -EINVAL for other sizes. */
ISEG_API int iseg_sel_rotate45(IsegSel **out, const IsegSel *sel);

/* Number of cells equal to `cell`. */
ISEG_API int iseg_sel_count(const IsegSel *sel, IsegSelCell cell);

ISEG_API void iseg_sel_free(IsegSel *sel);

ISEG_END_DECLS

#endif
