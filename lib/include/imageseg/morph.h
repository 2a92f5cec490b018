/* imageseg — grayscale morphology with any structuring element (erosion,
 * dilation, opening, closing, gradient, top-hat, black-hat). A binary mask
 * (0/255) is just the two-level case.
 *
 * Semantics (the lecture's and OpenCV's): with the element's origin
 * (ox, oy) = (width / 2, height / 2), erosion writes
 *     dst(x, y) = min { src(x + j - ox, y + i - oy) : cell (j, i) is ISEG_SEL_HIT }
 * ("the element fits") and dilation the max over the same window ("the
 * element touches"); the window is not reflected for dilation, exactly as
 * OpenCV's cv::erode / cv::dilate. MISS and DONTCARE cells are not part of
 * the element. Opening = erosion n times then dilation n times, closing the
 * reverse, gradient = dilate^n - erode^n, tophat = src - open, blackhat =
 * close - src, the differences saturating at 0 (as OpenCV on 8-bit images).
 *
 * Borders:
 *  - ISEG_MORPH_BORDER_REPLICATE: pixels outside the image take the value of
 *    the nearest edge pixel (OpenCV BORDER_REPLICATE, the lecture's padding).
 *  - ISEG_MORPH_BORDER_NEUTRAL: pixels outside never affect the result: they
 *    count as 255 for erosion and 0 for dilation (OpenCV's default border for
 *    morphology). A pixel whose whole window lies outside the image (possible
 *    with elements that do not cover their origin) becomes 255 / 0.
 *
 * Usage: create a context once per element and settings (this compiles the
 * element into row spans, see docs/morphology.md), apply it to every frame,
 * destroy it. Scratch memory grows to the largest frame seen and is then
 * reused, so steady-state frames allocate nothing.
 */
#ifndef IMAGESEG_MORPH_H
#define IMAGESEG_MORPH_H

#include <imageseg/image.h>
#include <imageseg/parallel.h>
#include <imageseg/sel.h>

ISEG_BEGIN_DECLS

typedef enum IsegMorphOp {
    ISEG_MORPH_ERODE = 0,
    ISEG_MORPH_DILATE = 1,
    ISEG_MORPH_OPEN = 2,
    ISEG_MORPH_CLOSE = 3,
    ISEG_MORPH_GRADIENT = 4,
    ISEG_MORPH_TOPHAT = 5,
    ISEG_MORPH_BLACKHAT = 6,
} IsegMorphOp;

typedef enum IsegMorphBorder {
    ISEG_MORPH_BORDER_REPLICATE = 0,
    ISEG_MORPH_BORDER_NEUTRAL = 1,
} IsegMorphBorder;

#define ISEG_MORPH_MAX_ITERATIONS 100

typedef struct IsegMorphSettings {
    IsegMorphOp op;         /* default ISEG_MORPH_ERODE */
    int iterations;         /* 1..ISEG_MORPH_MAX_ITERATIONS, default 1 */
    IsegMorphBorder border; /* default ISEG_MORPH_BORDER_REPLICATE */
    int max_width;          /* 0 (default): scratch grows on demand; else */
    int max_height;         /* scratch for frames up to this size is allocated at create */
} IsegMorphSettings;

typedef struct IsegMorph IsegMorph;

ISEG_API void iseg_morph_default_settings(IsegMorphSettings *s);

/* Compiles `sel` (only its ISEG_SEL_HIT cells count; the caller keeps
 * ownership of sel, which may be freed afterwards) with the settings.
 * -EINVAL for bad settings or an element without any HIT cell. */
ISEG_API int iseg_morph_create(IsegMorph **out, const IsegSel *sel, const IsegMorphSettings *s);

ISEG_API void iseg_morph_destroy(IsegMorph *ctx);

/* Applies the operation: dst = op(src). src and dst must have the same
 * width and height; they may be the very same image (same data and stride:
 * in place) but must not otherwise overlap. Reads only the src pixels
 * (never the row padding), writes only the dst pixels. pool may be NULL;
 * the result is bit-identical for every pool size. A context is used by one
 * thread at a time. Returns 0, -EINVAL or -ENOMEM (scratch growth failed;
 * dst is then unchanged). */
ISEG_API int iseg_morph_apply(IsegMorph *ctx, const IsegImage *src, IsegImage *dst, IsegPool *pool);

/* Plain brute-force reference: every output pixel is the min/max over every
 * HIT cell, one pass per iteration. Same arguments and result as a context
 * created from sel and s, applied single-threaded; src may equal dst. */
ISEG_API int iseg_morph_apply_ref(const IsegSel *sel, const IsegMorphSettings *s,
                                  const IsegImage *src, IsegImage *dst);

/* The settings and element a context was created with (read-only views). */
ISEG_API const IsegMorphSettings *iseg_morph_settings(const IsegMorph *ctx);
ISEG_API const IsegSel *iseg_morph_sel(const IsegMorph *ctx);

/* Short lowercase names ("erode", "replicate"...), NULL for unknown values. */
ISEG_API const char *iseg_morph_op_name(IsegMorphOp op);
ISEG_API const char *iseg_morph_border_name(IsegMorphBorder border);

ISEG_END_DECLS

#endif
