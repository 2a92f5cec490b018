/* imageseg — connected components of a mask: objects out of a segmentation.
 *
 * A pixel is foreground iff its value is >= threshold (1..255; the other
 * modules' masks use 128). Components are 4- or 8-connected sets of
 * foreground pixels; outside the frame is background.
 *
 * Labels: 1..n in raster order of each component's first pixel (the first in
 * row-major order), 0 for background — the labels of OpenCV's
 * connectedComponentsWithStats with CCL_WU (SAUF); OpenCV's default for
 * 8-connectivity (Spaghetti) scans 2x2 blocks and may number the same
 * components in another order (docs/regions.md).
 *
 * Per component: area, bounding box, and the exact sums of x and y, whose
 * quotients by the area are the centroid.
 *
 * iseg_regions_label() (run-based, optionally over a pool) and
 * iseg_regions_label_ref() (a plain flood fill) give the same labels and
 * statistics, bit for bit, for every pool size.
 */
#ifndef IMAGESEG_REGIONS_H
#define IMAGESEG_REGIONS_H

#include <imageseg/image.h>
#include <imageseg/parallel.h>

ISEG_BEGIN_DECLS

typedef struct IsegRegion {
    int64_t area;      /* pixels */
    int x, y;          /* bounding box: top-left pixel */
    int width, height; /* bounding box size (>= 1) */
    int64_t sum_x;     /* sum of the pixels' x: centroid x = sum_x / area */
    int64_t sum_y;     /* sum of the pixels' y */
} IsegRegion;

/* Centroid of a region (mean x, mean y). */
static inline double iseg_region_cx(const IsegRegion *r)
{
    return (double)r->sum_x / (double)r->area;
}
static inline double iseg_region_cy(const IsegRegion *r)
{
    return (double)r->sum_y / (double)r->area;
}

typedef struct IsegRegions IsegRegions;

/* A labelling context for frames up to max_width x max_height (>= 1): its
 * scratch is allocated here, so labelling a frame allocates nothing unless
 * the frame has more runs than any before (the run table then grows).
 * Returns 0, -EINVAL or -ENOMEM. */
ISEG_API int iseg_regions_create(IsegRegions **out, int max_width, int max_height);
ISEG_API void iseg_regions_destroy(IsegRegions *ctx);

/* Labels the components of src (at most the context's maximum size).
 * connectivity is 4 or 8. labels may be NULL; else it receives the label of
 * every pixel, labels[y * labels_stride + x] (labels_stride >= width, in
 * elements). On success returns the number of components n >= 0 and points
 * *regions at an array of n IsegRegion, region i - 1 for label i, owned by
 * the context and valid until its next call. Errors: -EINVAL (bad image,
 * threshold not in 1..255, connectivity not 4 or 8, frame larger than the
 * context's), -ENOMEM; *regions is then NULL. pool may be NULL. */
ISEG_API int iseg_regions_label(IsegRegions *ctx, const IsegImage *src, unsigned threshold,
                                int connectivity, int32_t *labels, ptrdiff_t labels_stride,
                                const IsegRegion **regions, IsegPool *pool);

/* After iseg_regions_label(): writes value[label] to every pixel of dst
 * (same size as the labelled frame) — value[0] on background — so a caller
 * paints the kept components without a label image. value has n + 1
 * entries. Returns 0 or -EINVAL. */
ISEG_API int iseg_regions_paint(const IsegRegions *ctx, const uint8_t *value, IsegImage *dst);

/* The plain definition: a flood fill from each unlabelled foreground pixel
 * in raster order. *regions is malloc'd (free() it; NULL when n is 0).
 * labels as above (may be NULL). Returns n or a negative errno. */
ISEG_API int iseg_regions_label_ref(const IsegImage *src, unsigned threshold, int connectivity,
                                    int32_t *labels, ptrdiff_t labels_stride, IsegRegion **regions);

/* Which regions to keep: keep[i] = 1 for region i (label i + 1) when
 * min_area <= area <= max_area (max_area 0: no upper bound), and, when
 * max_regions > 0, only the max_regions largest of those (ties: the lower
 * label first). Returns how many are kept, or -EINVAL (n < 0, NULL arrays
 * with n > 0, min_area < 0, max_area < 0, max_regions < 0) or -ENOMEM. */
ISEG_API int iseg_regions_select(const IsegRegion *regions, int n, int64_t min_area,
                                 int64_t max_area, int max_regions, uint8_t *keep);

ISEG_END_DECLS

#endif
