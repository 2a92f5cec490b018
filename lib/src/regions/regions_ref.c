/* Connected components, the plain definition (read this first):
 * iseg_regions_label_ref(), a flood fill from every unlabelled foreground
 * pixel in raster order. The fast path (label.c) must give the same labels
 * and statistics. */
#include "regions_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int iseg_regions_label_ref(const IsegImage *src, unsigned threshold, int connectivity,
                           int32_t *labels, ptrdiff_t labels_stride, IsegRegion **regions)
{
    if (regions)
        *regions = NULL;
    if (iseg_image_check(src) < 0 || threshold < 1 || threshold > 255 ||
        (connectivity != 4 && connectivity != 8) || !regions ||
        (labels && labels_stride < src->width))
        return -EINVAL;
    const int w = src->width, h = src->height;
    const size_t npx = (size_t)w * h;
    int32_t *lab = calloc(npx, sizeof(*lab));
    int32_t *queue = malloc(npx * sizeof(*queue));
    IsegRegion *out = NULL;
    size_t cap = 0;
    int n = 0;
    if (!lab || !queue)
        goto nomem;
    for (int sy = 0; sy < h; sy++)
        for (int sx = 0; sx < w; sx++) {
            if (lab[(size_t)sy * w + sx] || src->data[(ptrdiff_t)sy * src->stride + sx] < threshold)
                continue;
            if ((size_t)n == cap) {
                cap = cap ? 2 * cap : 64;
                IsegRegion *grown = realloc(out, cap * sizeof(*out));
                if (!grown)
                    goto nomem;
                out = grown;
            }
            n++;
            IsegRegion *r = &out[n - 1];
            int xmin = sx, xmax = sx, ymin = sy, ymax = sy;
            int64_t area = 0, sum_x = 0, sum_y = 0;
            size_t head = 0, tail = 0;
            queue[tail++] = (int32_t)((size_t)sy * w + sx);
            lab[(size_t)sy * w + sx] = n;
            while (head < tail) {
                const int32_t k = queue[head++];
                const int x = (int)(k % w), y = (int)(k / w);
                area++;
                sum_x += x;
                sum_y += y;
                xmin = x < xmin ? x : xmin;
                xmax = x > xmax ? x : xmax;
                ymin = y < ymin ? y : ymin;
                ymax = y > ymax ? y : ymax;
                for (int dy = -1; dy <= 1; dy++)
                    for (int dx = -1; dx <= 1; dx++) {
                        if ((dx == 0 && dy == 0) || (connectivity == 4 && dx != 0 && dy != 0))
                            continue;
                        const int xx = x + dx, yy = y + dy;
                        if (xx < 0 || yy < 0 || xx >= w || yy >= h)
                            continue;
                        const size_t m = (size_t)yy * w + xx;
                        if (lab[m] || src->data[(ptrdiff_t)yy * src->stride + xx] < threshold)
                            continue;
                        lab[m] = n;
                        queue[tail++] = (int32_t)m;
                    }
            }
            r->area = area;
            r->x = xmin;
            r->y = ymin;
            r->width = xmax - xmin + 1;
            r->height = ymax - ymin + 1;
            r->sum_x = sum_x;
            r->sum_y = sum_y;
        }
    if (labels)
        for (int y = 0; y < h; y++)
            memcpy(labels + (ptrdiff_t)y * labels_stride, lab + (size_t)y * w,
                   (size_t)w * sizeof(*lab));
    free(lab);
    free(queue);
    *regions = out;
    return n;
nomem:
    free(lab);
    free(queue);
    free(out);
    return -ENOMEM;
}
