/* k-means: what both paths do around their loop. Pixel views, settings
 * and their checks, the feature space of a call, the warm start (given or
 * kept centers) and the label hysteresis state. */
#include "kmeans_priv.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ pixel views */

int iseg_pixels_check(const IsegPixels *px)
{
    if (!px || !px->data || px->width < 1 || px->height < 1)
        return -EINVAL;
    const int bpp = px->bytes_per_pixel;
    if (bpp == 1) {
        if (px->r != 0 || px->g != 0 || px->b != 0)
            return -EINVAL;
    } else if (bpp == 3 || bpp == 4) {
        if (px->r < 0 || px->g < 0 || px->b < 0 || px->r >= bpp || px->g >= bpp || px->b >= bpp)
            return -EINVAL;
        if (px->r == px->g || px->r == px->b || px->g == px->b)
            return -EINVAL;
    } else {
        return -EINVAL;
    }
    if (px->stride < (ptrdiff_t)px->width * bpp)
        return -EINVAL;
    return 0;
}

int iseg_pixels_init(IsegPixels *px, IsegPixelFormat format, uint8_t *data, int width, int height,
                     ptrdiff_t stride)
{
    /* bytes per pixel, then offsets of R, G, B */
    static const signed char layout[ISEG_PIXEL_N_FORMATS][4] = {
        [ISEG_PIXEL_RGB] = { 3, 0, 1, 2 },   [ISEG_PIXEL_BGR] = { 3, 2, 1, 0 },
        [ISEG_PIXEL_RGBX] = { 4, 0, 1, 2 },  [ISEG_PIXEL_BGRX] = { 4, 2, 1, 0 },
        [ISEG_PIXEL_XRGB] = { 4, 1, 2, 3 },  [ISEG_PIXEL_XBGR] = { 4, 3, 2, 1 },
        [ISEG_PIXEL_RGBA] = { 4, 0, 1, 2 },  [ISEG_PIXEL_BGRA] = { 4, 2, 1, 0 },
        [ISEG_PIXEL_ARGB] = { 4, 1, 2, 3 },  [ISEG_PIXEL_ABGR] = { 4, 3, 2, 1 },
        [ISEG_PIXEL_GRAY8] = { 1, 0, 0, 0 },
    };
    if (!px || (unsigned)format >= ISEG_PIXEL_N_FORMATS)
        return -EINVAL;
    px->data = data;
    px->width = width;
    px->height = height;
    px->stride = stride;
    px->bytes_per_pixel = layout[format][0];
    px->r = layout[format][1];
    px->g = layout[format][2];
    px->b = layout[format][3];
    return iseg_pixels_check(px);
}

/* ------------------------------------------------------------ settings */

void iseg_kmeans_default_settings(IsegKmeansSettings *s)
{
    if (!s)
        return;
    memset(s, 0, sizeof(*s));
    s->k = 4;
    s->features = ISEG_KMEANS_COLOR;
    s->spatial_weight = 1.0;
    s->max_iterations = 10;
    s->epsilon = 1.0;
    s->init = ISEG_KMEANS_INIT_PP;
    s->seed = 0;
    s->warm_start = 1;
    s->output = ISEG_KMEANS_OUTPUT_CENTERS;
    s->hysteresis = ISEG_KMEANS_DEFAULT_HYSTERESIS;
}

int iseg_kmeans_settings_check(const IsegKmeansSettings *s)
{
    if (!s)
        return -EINVAL;
    if (s->k < ISEG_KMEANS_MIN_K || s->k > ISEG_KMEANS_MAX_K)
        return -EINVAL;
    if (s->features != ISEG_KMEANS_COLOR && s->features != ISEG_KMEANS_COLOR_POSITION)
        return -EINVAL;
    if (!(s->spatial_weight >= 0 && s->spatial_weight <= ISEG_KMEANS_MAX_SPATIAL_WEIGHT))
        return -EINVAL;
    if (s->max_iterations < 1 || s->max_iterations > ISEG_KMEANS_MAX_ITERATIONS)
        return -EINVAL;
    if (!(s->epsilon >= 0) || isinf(s->epsilon))
        return -EINVAL;
    if (s->init != ISEG_KMEANS_INIT_PP && s->init != ISEG_KMEANS_INIT_RANDOM)
        return -EINVAL;
    if (s->output != ISEG_KMEANS_OUTPUT_CENTERS && s->output != ISEG_KMEANS_OUTPUT_PALETTE &&
        s->output != ISEG_KMEANS_OUTPUT_LABELS)
        return -EINVAL;
    if (!(s->hysteresis >= 0 && s->hysteresis <= ISEG_KMEANS_MAX_HYSTERESIS))
        return -EINVAL;
    return 0;
}

int km_space_init(KmSpace *sp, const IsegPixels *src, const IsegKmeansSettings *s)
{
    memset(sp, 0, sizeof(*sp));
    sp->cdims = iseg_pixels_is_gray(src) ? 1 : 3;
    sp->pdims = s->features == ISEG_KMEANS_COLOR_POSITION ? 2 : 0;
    sp->dims = sp->cdims + sp->pdims;
    sp->width = src->width;
    sp->height = src->height;
    sp->weight = s->spatial_weight;
    sp->unit[0] = src->width > 1 ? 255.0 / (double)(src->width - 1) : 0.0;
    sp->unit[1] = src->height > 1 ? 255.0 / (double)(src->height - 1) : 0.0;
    return 0;
}

/* ------------------------------------------------------------ warm start, hysteresis, checks */

int km_warm_centers(const IsegKmeans *km, const KmSpace *sp, const IsegKmeansSettings *s,
                    KmCenters *c)
{
    const int usable =
        km->warm_state == KM_WARM_GIVEN || (km->warm_state == KM_WARM_KEPT && s->warm_start);
    const int k = s->k;
    if (!usable || km->warm_k != k || km->warm_dims != c->dims)
        return 0;
    for (int j = 0; j < k; j++)
        km_center_set_canon(c, sp, j, km->warm[j]);
    return 1;
}

void km_keep_centers(IsegKmeans *km, const KmCenters *c, int keep)
{
    if (!keep) {
        km->warm_state = KM_WARM_NONE;
        return;
    }
    memcpy(km->warm, c->canon, sizeof(km->warm));
    km->warm_k = c->k;
    km->warm_dims = c->dims;
    km->warm_state = KM_WARM_KEPT;
}

int km_hyst_begin(IsegKmeans *km, const KmSpace *sp, const IsegKmeansSettings *s, int from_kept,
                  KmHyst *hy)
{
    hy->h = s->hysteresis;
    hy->store = s->warm_start && s->hysteresis > 0;
    hy->apply = hy->store && from_kept && km->prev_valid && km->prev_k == s->k &&
                km->prev_dims == sp->dims && km->prev_width == sp->width &&
                km->prev_height == sp->height;
    if (hy->store && !km->prev) {
        km->prev = malloc((size_t)km->max_width * (size_t)km->max_height);
        if (!km->prev)
            return -ENOMEM;
    }
    return 0;
}

void km_hyst_end(IsegKmeans *km, const KmSpace *sp, const KmCenters *c, const KmHyst *hy)
{
    km->prev_valid = hy->store;
    km->prev_k = c->k;
    km->prev_dims = sp->dims;
    km->prev_width = sp->width;
    km->prev_height = sp->height;
}

int km_check_args(const IsegKmeans *km, const IsegKmeansSettings *s, const IsegPixels *src,
                  const IsegPixels *dst, const IsegImage *labels)
{
    if (!km || iseg_kmeans_settings_check(s) < 0 || iseg_pixels_check(src) < 0)
        return -EINVAL;
    if (src->width > km->max_width || src->height > km->max_height)
        return -EINVAL;
    if (dst) {
        if (iseg_pixels_check(dst) < 0 || dst->width != src->width || dst->height != src->height)
            return -EINVAL;
        if (iseg_pixels_is_gray(dst) != iseg_pixels_is_gray(src))
            return -EINVAL;
        if (dst->data == src->data &&
            (dst->stride != src->stride || dst->bytes_per_pixel != src->bytes_per_pixel))
            return -EINVAL;
    }
    if (labels && (iseg_image_check(labels) < 0 || labels->width != src->width ||
                   labels->height != src->height))
        return -EINVAL;
    return 0;
}
