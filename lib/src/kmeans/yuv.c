/* k-means segmentation of 4:2:0 YUV frames (I420, YV12, NV12, NV21).
 *
 * The frame is packed into the context's scratch as 3-byte (Y, U, V) pixels,
 * each luma pixel with the chroma of the sample that covers it, and the
 * packed image goes through iseg_kmeans_segment() like any RGB image (only
 * the cold-start numbering differs: by Y, see km_order_cdims()). That call
 * writes its output back into the packed image (centers: the rounded center
 * Y, U, V; otherwise the label), from which the planes of dst are written:
 * luma the Y of each pixel, each chroma sample the rounded mean of the U (V)
 * of the luma pixels it covers.
 *
 * Both passes run on rows of chroma samples (the one or two luma rows a
 * chroma row covers), so every item writes its own rows and the result does
 * not depend on the pool size. The reference packs and writes one pixel at
 * a time and takes the output values from the reported centers. */
#include "kmeans_priv.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ shared */

void iseg_kmeans_palette_yuv(int label, uint8_t yuv[3])
{
    uint8_t rgb[3];
    iseg_kmeans_palette_color(label, rgb);
    const double r = rgb[0], g = rgb[1], b = rgb[2];
    const double y = 16.0 + (65.481 * r + 128.553 * g + 24.966 * b) / 255.0;
    const double u = 128.0 + (-37.797 * r - 74.203 * g + 112.0 * b) / 255.0;
    const double v = 128.0 + (112.0 * r - 93.786 * g - 18.214 * b) / 255.0;
    yuv[0] = (uint8_t)floor(y + 0.5);
    yuv[1] = (uint8_t)floor(u + 0.5);
    yuv[2] = (uint8_t)floor(v + 0.5);
}

static int is_yuv420(const IsegFrame *f)
{
    return iseg_frame_check(f) == 0 && f->n_chroma == 2 && f->chroma_shift_x == 1 &&
           f->chroma_shift_y == 1;
}

static int check_args(const IsegKmeans *km, const IsegKmeansSettings *s, const IsegFrame *src,
                      const IsegFrame *dst, const IsegImage *labels)
{
    if (!km || iseg_kmeans_settings_check(s) < 0 || !src || !is_yuv420(src))
        return -EINVAL;
    const int w = src->luma.width, h = src->luma.height;
    if (w > km->max_width || h > km->max_height)
        return -EINVAL;
    if (dst && (!is_yuv420(dst) || dst->luma.width != w || dst->luma.height != h))
        return -EINVAL;
    if (labels && (iseg_image_check(labels) < 0 || labels->width != w || labels->height != h))
        return -EINVAL;
    return 0;
}

/* The packed view of a w x h frame in buf (rows of 3 * w bytes). */
static IsegPixels packed_view(uint8_t *buf, int w, int h)
{
    IsegPixels px;
    px.data = buf;
    px.width = w;
    px.height = h;
    px.stride = (ptrdiff_t)3 * w;
    px.bytes_per_pixel = 3;
    px.r = 0;
    px.g = 1;
    px.b = 2;
    return px;
}

static const uint8_t *chroma_at(const IsegFrame *f, int p, int cx, int cy)
{
    return f->chroma[p].data + (ptrdiff_t)cy * f->chroma[p].stride +
           (ptrdiff_t)cx * f->chroma_pixel_stride;
}

static uint8_t *chroma_at_w(IsegFrame *f, int p, int cx, int cy)
{
    return f->chroma[p].data + (ptrdiff_t)cy * f->chroma[p].stride +
           (ptrdiff_t)cx * f->chroma_pixel_stride;
}

/* ------------------------------------------------------------ fast passes */

typedef struct YuvJob {
    const IsegFrame *src;
    IsegFrame *dst;
    uint8_t *packed;
    const uint8_t (*table)[3]; /* label -> Y, U, V; NULL: packed holds Y, U, V */
} YuvJob;

/* One luma row into packed triples. ps: chroma pixel stride (a constant in
 * each instantiation). */
static ISEG_ALWAYS_INLINE void pack_row(uint8_t *d, const uint8_t *y, const uint8_t *u,
                                        const uint8_t *v, int w, const int ps)
{
    const int pairs = w >> 1;
    for (int cx = 0; cx < pairs; cx++) {
        const uint8_t cu = u[cx * ps], cv = v[cx * ps];
        d[0] = y[0];
        d[1] = cu;
        d[2] = cv;
        d[3] = y[1];
        d[4] = cu;
        d[5] = cv;
        d += 6;
        y += 2;
    }
    if (w & 1) {
        d[0] = y[0];
        d[1] = u[pairs * ps];
        d[2] = v[pairs * ps];
    }
}

static void pack_job(void *arg, int begin, int end, unsigned slot)
{
    (void)slot;
    const YuvJob *job = arg;
    const IsegFrame *f = job->src;
    const int w = f->luma.width, h = f->luma.height;
    for (int cy = begin; cy < end; cy++) {
        const uint8_t *u = chroma_at(f, 0, 0, cy), *v = chroma_at(f, 1, 0, cy);
        for (int y = 2 * cy; y < ISEG_MIN(h, 2 * cy + 2); y++) {
            const uint8_t *ly = f->luma.data + (ptrdiff_t)y * f->luma.stride;
            uint8_t *d = job->packed + (size_t)y * 3 * (size_t)w;
            if (f->chroma_pixel_stride == 1)
                pack_row(d, ly, u, v, w, 1);
            else
                pack_row(d, ly, u, v, w, 2);
        }
    }
}

/* Component c (0 Y, 1 U, 2 V) of the output of packed pixel p. */
static ISEG_ALWAYS_INLINE unsigned out_value(const uint8_t *p, const uint8_t (*table)[3], int c)
{
    return table ? table[p[0]][c] : p[c];
}

/* The luma rows and the chroma row cy of dst from the packed rows p0 and
 * (when two rows) p1. */
static ISEG_ALWAYS_INLINE void write_rows(IsegFrame *f, int cy, const uint8_t *p0,
                                          const uint8_t *p1, const uint8_t (*table)[3])
{
    const int w = f->luma.width, ps = f->chroma_pixel_stride;
    uint8_t *l0 = f->luma.data + (ptrdiff_t)(2 * cy) * f->luma.stride;
    for (int x = 0; x < w; x++)
        l0[x] = (uint8_t)out_value(p0 + 3 * x, table, 0);
    if (p1) {
        uint8_t *l1 = l0 + f->luma.stride;
        for (int x = 0; x < w; x++)
            l1[x] = (uint8_t)out_value(p1 + 3 * x, table, 0);
    }
    uint8_t *du = chroma_at_w(f, 0, 0, cy), *dv = chroma_at_w(f, 1, 0, cy);
    const int pairs = w >> 1;
    if (p1) {
        for (int cx = 0; cx < pairs; cx++) {
            const uint8_t *a = p0 + 6 * cx, *b = p1 + 6 * cx;
            const unsigned su = out_value(a, table, 1) + out_value(a + 3, table, 1) +
                                out_value(b, table, 1) + out_value(b + 3, table, 1);
            const unsigned sv = out_value(a, table, 2) + out_value(a + 3, table, 2) +
                                out_value(b, table, 2) + out_value(b + 3, table, 2);
            du[cx * ps] = (uint8_t)((su + 2) >> 2);
            dv[cx * ps] = (uint8_t)((sv + 2) >> 2);
        }
        if (w & 1) {
            const uint8_t *a = p0 + 6 * pairs, *b = p1 + 6 * pairs;
            du[pairs * ps] = (uint8_t)((out_value(a, table, 1) + out_value(b, table, 1) + 1) >> 1);
            dv[pairs * ps] = (uint8_t)((out_value(a, table, 2) + out_value(b, table, 2) + 1) >> 1);
        }
    } else {
        for (int cx = 0; cx < pairs; cx++) {
            const uint8_t *a = p0 + 6 * cx;
            du[cx * ps] = (uint8_t)((out_value(a, table, 1) + out_value(a + 3, table, 1) + 1) >> 1);
            dv[cx * ps] = (uint8_t)((out_value(a, table, 2) + out_value(a + 3, table, 2) + 1) >> 1);
        }
        if (w & 1) {
            const uint8_t *a = p0 + 6 * pairs;
            du[pairs * ps] = (uint8_t)out_value(a, table, 1);
            dv[pairs * ps] = (uint8_t)out_value(a, table, 2);
        }
    }
}

static void write_job(void *arg, int begin, int end, unsigned slot)
{
    (void)slot;
    const YuvJob *job = arg;
    IsegFrame *f = job->dst;
    const int w = f->luma.width, h = f->luma.height;
    const size_t row = (size_t)3 * (size_t)w;
    for (int cy = begin; cy < end; cy++) {
        const uint8_t *p0 = job->packed + (size_t)(2 * cy) * row;
        const uint8_t *p1 = 2 * cy + 1 < h ? p0 + row : NULL;
        if (job->table)
            write_rows(f, cy, p0, p1, job->table);
        else
            write_rows(f, cy, p0, p1, NULL);
    }
}

/* chroma rows per pool item at least */
#define YUV_GRAIN 8

int iseg_kmeans_segment_yuv420(IsegKmeans *km, const IsegKmeansSettings *settings,
                               const IsegFrame *src, IsegFrame *dst, IsegImage *labels,
                               IsegKmeansResult *result, IsegPool *pool)
{
    int err = check_args(km, settings, src, dst, labels);
    if (err < 0)
        return err;
    if (iseg_force_reference())
        return iseg_kmeans_segment_yuv420_ref(km, settings, src, dst, labels, result);
    if (!km->yuv_packed) {
        km->yuv_packed = malloc((size_t)3 * (size_t)km->max_width * (size_t)km->max_height);
        if (!km->yuv_packed)
            return -ENOMEM;
    }
    const int w = src->luma.width, h = src->luma.height, ch = src->chroma[0].height;
    YuvJob job = { src, dst, km->yuv_packed, NULL };
    iseg_pool_run(pool, ch, YUV_GRAIN, pack_job, &job);

    /* the call writes its output into the packed image: the rounded center
     * Y, U, V, or the label (palette, labels) */
    IsegPixels px = packed_view(km->yuv_packed, w, h);
    IsegKmeansSettings s = *settings;
    if (s.output != ISEG_KMEANS_OUTPUT_CENTERS)
        s.output = ISEG_KMEANS_OUTPUT_LABELS;
    km->order_by_first = 1;
    err = iseg_kmeans_segment(km, &s, &px, dst ? &px : NULL, labels, result, pool);
    km->order_by_first = 0;
    if (err < 0 || !dst)
        return err;

    uint8_t table[KM_K][3];
    for (int l = 0; l < KM_K; l++) {
        if (settings->output == ISEG_KMEANS_OUTPUT_PALETTE) {
            iseg_kmeans_palette_yuv(l, table[l]);
        } else {
            table[l][0] = (uint8_t)l;
            table[l][1] = table[l][2] = 128;
        }
    }
    if (settings->output != ISEG_KMEANS_OUTPUT_CENTERS)
        job.table = (const uint8_t(*)[3])table;
    iseg_pool_run(pool, ch, YUV_GRAIN, write_job, &job);
    return 0;
}

/* ------------------------------------------------------------ reference */

static uint8_t round_center(double v)
{
    return (uint8_t)floor(ISEG_CLAMP(v, 0.0, 255.0) + 0.5);
}

int iseg_kmeans_segment_yuv420_ref(IsegKmeans *km, const IsegKmeansSettings *settings,
                                   const IsegFrame *src, IsegFrame *dst, IsegImage *labels,
                                   IsegKmeansResult *result)
{
    int err = check_args(km, settings, src, dst, labels);
    if (err < 0)
        return err;
    const int w = src->luma.width, h = src->luma.height;
    uint8_t *packed = malloc((size_t)3 * (size_t)w * (size_t)h);
    uint8_t *own_labels = labels ? NULL : malloc((size_t)w * (size_t)h);
    IsegKmeansResult *res = malloc(sizeof(*res));
    err = -ENOMEM;
    if (!packed || (!labels && !own_labels) || !res)
        goto out;

    /* pixel (x, y) is (Y, U, V) with the chroma sample (x / 2, y / 2) */
    IsegPixels px = packed_view(packed, w, h);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            uint8_t *p = packed + (size_t)y * (size_t)px.stride + (size_t)3 * (size_t)x;
            p[0] = src->luma.data[(ptrdiff_t)y * src->luma.stride + x];
            p[1] = *chroma_at(src, 0, x / 2, y / 2);
            p[2] = *chroma_at(src, 1, x / 2, y / 2);
        }
    IsegImage lab = { own_labels, w, h, w };
    if (labels)
        lab = *labels;
    km->order_by_first = 1;
    err = iseg_kmeans_segment_ref(km, settings, &px, NULL, &lab, res);
    km->order_by_first = 0;
    if (err < 0)
        goto out;
    if (result)
        *result = *res;

    if (dst) {
        /* the output Y, U, V of every label */
        uint8_t table[KM_K][3];
        for (int l = 0; l < res->k; l++) {
            switch (settings->output) {
            case ISEG_KMEANS_OUTPUT_CENTERS:
                for (int c = 0; c < 3; c++)
                    table[l][c] = round_center(res->centers[l][c]);
                break;
            case ISEG_KMEANS_OUTPUT_PALETTE: iseg_kmeans_palette_yuv(l, table[l]); break;
            default:
                table[l][0] = (uint8_t)l;
                table[l][1] = table[l][2] = 128;
                break;
            }
        }
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                dst->luma.data[(ptrdiff_t)y * dst->luma.stride + x] =
                    table[lab.data[(ptrdiff_t)y * lab.stride + x]][0];
        for (int cy = 0; cy < dst->chroma[0].height; cy++)
            for (int cx = 0; cx < dst->chroma[0].width; cx++)
                for (int p = 0; p < 2; p++) {
                    unsigned sum = 0, n = 0;
                    for (int y = 2 * cy; y < 2 * cy + 2 && y < h; y++)
                        for (int x = 2 * cx; x < 2 * cx + 2 && x < w; x++) {
                            sum += table[lab.data[(ptrdiff_t)y * lab.stride + x]][1 + p];
                            n++;
                        }
                    *chroma_at_w(dst, p, cx, cy) = (uint8_t)((sum + n / 2) / n);
                }
    }
    err = 0;
out:
    free(packed);
    free(own_labels);
    free(res);
    return err;
}
