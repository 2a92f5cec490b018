/* imageseg — image views.
 *
 * An IsegImage does not own its pixels: it describes memory owned by the
 * caller (a GstVideoFrame plane, a malloc'd buffer, a PGM file in memory).
 */
#ifndef IMAGESEG_IMAGE_H
#define IMAGESEG_IMAGE_H

#include <imageseg/common.h>

ISEG_BEGIN_DECLS

/* One 8-bit channel: pixel (x, y) is data[y * stride + x].
 * width, height >= 1; stride >= width (negative strides are not supported). */
typedef struct IsegImage {
    uint8_t *data;
    int width;
    int height;
    ptrdiff_t stride;
} IsegImage;

/* A YUV frame seen as a luma plane plus zero, one or two chroma planes, which
 * is how every luma element handles GRAY8, I420, YV12, NV12, NV21, Y42B, Y444.
 *
 * Chroma sample (cx, cy) of plane p is
 *   chroma[p].data[cy * chroma[p].stride + cx * chroma_pixel_stride]
 * and covers the luma pixels x in [cx << chroma_shift_x, (cx + 1) << chroma_shift_x),
 * y in [cy << chroma_shift_y, (cy + 1) << chroma_shift_y) clipped to the frame.
 * For NV12/NV21 the two chroma "planes" are the interleaved U and V bytes of
 * one plane (chroma_pixel_stride 2, data one byte apart).
 * chroma[p].width/height count samples (for 4:2:0 at odd sizes: (w+1)/2). */
typedef struct IsegFrame {
    IsegImage luma;
    int n_chroma; /* 0, 1 or 2 */
    IsegImage chroma[2];
    int chroma_pixel_stride; /* 1 (planar) or 2 (interleaved) */
    int chroma_shift_x;      /* log2 of horizontal subsampling: 0 or 1 */
    int chroma_shift_y;      /* log2 of vertical subsampling: 0 or 1 */
} IsegFrame;

/* Returns 0 if img describes a usable single-channel image, -EINVAL if not
 * (NULL data, width or height < 1, stride < width). */
ISEG_API int iseg_image_check(const IsegImage *img);

/* Returns 0 if frame is usable: luma valid, chroma planes consistent with the
 * shifts (width == ceil(luma.width / 2^shift_x), likewise height). */
ISEG_API int iseg_frame_check(const IsegFrame *frame);

/* View of rows [y0, y0 + rows) of img (no copy). */
static inline IsegImage iseg_image_rows(const IsegImage *img, int y0, int rows)
{
    IsegImage v = *img;
    v.data = img->data + (ptrdiff_t)y0 * img->stride;
    v.height = rows;
    return v;
}

ISEG_END_DECLS

#endif
