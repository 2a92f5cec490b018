/* Connected components (include/imageseg/regions.h): the context, painting
 * the last labelled frame, and the area filter. The labelling itself is in
 * label.c (fast) and regions_ref.c (the plain definition). */
#include "regions_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ----------------------------------------------------------------- context */

int iseg_regions_create(IsegRegions **out, int max_width, int max_height)
{
    if (!out)
        return -EINVAL;
    *out = NULL;
    if (max_width < 1 || max_height < 1)
        return -EINVAL;
    const int32_t spr = (int32_t)(((int64_t)max_width + 1) / 2);
    if ((int64_t)spr * max_height >= INT32_MAX)
        return -EINVAL; /* run slots are int32 */
    IsegRegions *ctx = calloc(1, sizeof(*ctx));
    if (!ctx)
        return -ENOMEM;
    const size_t slots = (size_t)spr * max_height;
    ctx->max_width = max_width;
    ctx->max_height = max_height;
    ctx->slots_per_row = spr;
    ctx->x0 = malloc(slots * sizeof(int32_t));
    ctx->x1 = malloc(slots * sizeof(int32_t));
    ctx->parent = malloc(slots * sizeof(int32_t));
    ctx->label = malloc(slots * sizeof(int32_t));
    ctx->nruns = calloc((size_t)max_height, sizeof(int32_t));
    ctx->strip_start = calloc((size_t)max_height, 1);
    if (!ctx->x0 || !ctx->x1 || !ctx->parent || !ctx->label || !ctx->nruns || !ctx->strip_start) {
        iseg_regions_destroy(ctx);
        return -ENOMEM;
    }
    *out = ctx;
    return 0;
}

void iseg_regions_destroy(IsegRegions *ctx)
{
    if (!ctx)
        return;
    free(ctx->x0);
    free(ctx->x1);
    free(ctx->parent);
    free(ctx->label);
    free(ctx->nruns);
    free(ctx->strip_start);
    free(ctx->regions);
    free(ctx);
}

int iseg_regions_paint(const IsegRegions *ctx, const uint8_t *value, IsegImage *dst)
{
    if (!ctx || !value || iseg_image_check(dst) < 0 || dst->width != ctx->width ||
        dst->height != ctx->height)
        return -EINVAL;
    const int32_t spr = ctx->slots_per_row;
    for (int y = 0; y < ctx->height; y++) {
        uint8_t *row = dst->data + (ptrdiff_t)y * dst->stride;
        const int32_t base = y * spr, nr = ctx->nruns[y];
        int x = 0;
        for (int32_t i = 0; i < nr; i++) {
            const int32_t k = base + i;
            memset(row + x, value[0], (size_t)(ctx->x0[k] - x));
            memset(row + ctx->x0[k], value[ctx->label[k]], (size_t)(ctx->x1[k] - ctx->x0[k]));
            x = ctx->x1[k];
        }
        memset(row + x, value[0], (size_t)(ctx->width - x));
    }
    return 0;
}

/* ------------------------------------------------------------------ select */

typedef struct {
    int64_t area;
    int index;
} SelItem;

static int by_area_desc(const void *pa, const void *pb)
{
    const SelItem *a = pa, *b = pb;
    if (a->area != b->area)
        return a->area > b->area ? -1 : 1;
    return (a->index > b->index) - (a->index < b->index);
}

int iseg_regions_select(const IsegRegion *regions, int n, int64_t min_area, int64_t max_area,
                        int max_regions, uint8_t *keep)
{
    if (n < 0 || (n > 0 && (!regions || !keep)) || min_area < 0 || max_area < 0 || max_regions < 0)
        return -EINVAL;
    int kept = 0;
    for (int i = 0; i < n; i++) {
        const int64_t a = regions[i].area;
        keep[i] = (uint8_t)(a >= min_area && (max_area == 0 || a <= max_area));
        kept += keep[i];
    }
    if (max_regions == 0 || kept <= max_regions)
        return kept;
    SelItem *items = malloc((size_t)kept * sizeof(*items));
    if (!items)
        return -ENOMEM;
    int m = 0;
    for (int i = 0; i < n; i++)
        if (keep[i])
            items[m++] = (SelItem){ regions[i].area, i };
    qsort(items, (size_t)m, sizeof(*items), by_area_desc);
    for (int i = max_regions; i < m; i++)
        keep[items[i].index] = 0;
    free(items);
    return max_regions;
}
