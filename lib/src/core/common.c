#include "internal.h"

#include <errno.h>
#include <string.h>

const char *iseg_version(void)
{
    return ISEG_VERSION_STRING;
}

const char *iseg_strerror(int code)
{
    switch (code) {
    case 0: return "success";
    case -EINVAL: return "invalid argument";
    case -ENOMEM: return "out of memory";
    case -EAGAIN: return "resource temporarily unavailable";
    default: return "unknown error";
    }
}

int iseg_image_check(const IsegImage *img)
{
    if (!img || !img->data || img->width < 1 || img->height < 1 || img->stride < img->width)
        return -EINVAL;
    return 0;
}

int iseg_frame_check(const IsegFrame *f)
{
    if (!f || iseg_image_check(&f->luma) < 0)
        return -EINVAL;
    if (f->n_chroma < 0 || f->n_chroma > 2)
        return -EINVAL;
    if (f->n_chroma == 0)
        return 0;
    if (f->chroma_shift_x < 0 || f->chroma_shift_x > 1 || f->chroma_shift_y < 0 ||
        f->chroma_shift_y > 1)
        return -EINVAL;
    if (f->chroma_pixel_stride < 1 || f->chroma_pixel_stride > 2)
        return -EINVAL;
    const int cw = ISEG_CEIL_SHIFT(f->luma.width, f->chroma_shift_x);
    const int ch = ISEG_CEIL_SHIFT(f->luma.height, f->chroma_shift_y);
    for (int p = 0; p < f->n_chroma; p++) {
        const IsegImage *c = &f->chroma[p];
        if (!c->data || c->width != cw || c->height != ch)
            return -EINVAL;
        if (c->stride < (ptrdiff_t)(cw - 1) * f->chroma_pixel_stride + 1)
            return -EINVAL;
    }
    return 0;
}

int iseg_images_overlap(const IsegImage *a, const IsegImage *b)
{
    const uintptr_t a0 = (uintptr_t)a->data, b0 = (uintptr_t)b->data;
    const uintptr_t a1 = a0 + (uintptr_t)(a->stride * (a->height - 1) + a->width);
    const uintptr_t b1 = b0 + (uintptr_t)(b->stride * (b->height - 1) + b->width);
    return a0 < b1 && b0 < a1;
}

static int same_image(const IsegImage *a, const IsegImage *b)
{
    return a->data == b->data && a->stride == b->stride;
}

int iseg_frame_same(const IsegFrame *src, const IsegFrame *dst)
{
    if (src == dst)
        return 1;
    if (!same_image(&src->luma, &dst->luma))
        return 0;
    for (int p = 0; p < src->n_chroma; p++)
        if (!same_image(&src->chroma[p], &dst->chroma[p]))
            return 0;
    return 1;
}

/* The planes of a frame as images spanning their bytes (an interleaved
 * chroma sample row spans (width - 1) * pixel stride + 1 bytes). */
static int frame_planes(const IsegFrame *f, IsegImage planes[3])
{
    planes[0] = f->luma;
    for (int p = 0; p < f->n_chroma; p++) {
        planes[1 + p] = f->chroma[p];
        planes[1 + p].width = (f->chroma[p].width - 1) * f->chroma_pixel_stride + 1;
    }
    return 1 + f->n_chroma;
}

int iseg_frame_pair_check(const IsegFrame *src, const IsegFrame *dst)
{
    if (iseg_frame_check(src) < 0 || iseg_frame_check(dst) < 0)
        return -EINVAL;
    if (src->luma.width != dst->luma.width || src->luma.height != dst->luma.height ||
        src->n_chroma != dst->n_chroma)
        return -EINVAL;
    if (src->n_chroma &&
        (src->chroma_shift_x != dst->chroma_shift_x || src->chroma_shift_y != dst->chroma_shift_y ||
         src->chroma_pixel_stride != dst->chroma_pixel_stride))
        return -EINVAL;
    if (iseg_frame_same(src, dst))
        return 0;
    IsegImage a[3], b[3];
    const int n = frame_planes(src, a);
    frame_planes(dst, b);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            if (iseg_images_overlap(&a[i], &b[j]))
                return -EINVAL;
    return 0;
}

void iseg_frame_copy(const IsegFrame *src, IsegFrame *dst)
{
    if (iseg_frame_same(src, dst))
        return;
    for (int y = 0; y < src->luma.height; y++)
        memcpy(dst->luma.data + (ptrdiff_t)y * dst->luma.stride,
               src->luma.data + (ptrdiff_t)y * src->luma.stride, (size_t)src->luma.width);
    const int ps = src->chroma_pixel_stride;
    for (int p = 0; p < src->n_chroma; p++)
        for (int cy = 0; cy < src->chroma[p].height; cy++) {
            const uint8_t *s = src->chroma[p].data + (ptrdiff_t)cy * src->chroma[p].stride;
            uint8_t *d = dst->chroma[p].data + (ptrdiff_t)cy * dst->chroma[p].stride;
            for (int cx = 0; cx < src->chroma[p].width; cx++)
                d[cx * ps] = s[cx * ps];
        }
}
