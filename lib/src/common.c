#include "internal.h"

#include <errno.h>

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
