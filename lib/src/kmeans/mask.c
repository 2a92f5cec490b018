/* The mask of chosen k-means labels: a 256-entry table (255 for the
 * selected labels, 0 for the others and for values that are no label) read
 * once per pixel. Short enough to be its own plain definition. */
#include "kmeans_priv.h"

#include <errno.h>

int iseg_kmeans_labels_mask(const IsegImage *labels, uint64_t selected, IsegImage *mask)
{
    uint8_t lut[256] = { 0 };

    if (iseg_image_check(labels) < 0 || iseg_image_check(mask) < 0 ||
        labels->width != mask->width || labels->height != mask->height)
        return -EINVAL;
    if (labels->data != mask->data && iseg_images_overlap(labels, mask))
        return -EINVAL;
    if (labels->data == mask->data && labels->stride != mask->stride)
        return -EINVAL;
    for (int l = 0; l < 64; l++)
        lut[l] = (uint8_t)((selected >> l & 1) ? 255 : 0);
    for (int y = 0; y < labels->height; y++) {
        const uint8_t *s = labels->data + (size_t)y * labels->stride;
        uint8_t *d = mask->data + (size_t)y * mask->stride;
        for (int x = 0; x < labels->width; x++)
            d[x] = lut[s[x]];
    }
    return 0;
}
