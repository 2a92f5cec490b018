/* Composing a frame from a binary mask of its luma plane: the output modes of
 * the threshold elements (mask, or the lecture's f·m with the chroma rule)
 * for thresholds that vary per pixel. */
#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CHUNKS 256 /* iseg_pool_chunks() never returns more */

typedef struct MaskJob {
    const IsegFrame *src;
    IsegFrame *dst;
    const IsegImage *mask;
    IsegThresholdOutput output;
    int luma_done; /* the mask is dst's luma, 0 / 255 only, and output MASK */
    int want_count;
    uint64_t count[MAX_CHUNKS];
} MaskJob;

static uint32_t count_row(const uint8_t *m, int w)
{
    uint32_t fg = 0;
    for (int x = 0; x < w; x++)
        fg += m[x] >= 128;
    return fg;
}

/* Luma row: returns the number of foreground pixels. Loops written so the
 * compiler vectorises them. d may be s, and it may be m (each m[x] is read
 * before d[x] is written). */
static uint32_t luma_row(uint8_t *d, const uint8_t *s, const uint8_t *m, int w,
                         IsegThresholdOutput output)
{
    uint32_t fg = 0;
    if (output == ISEG_OUTPUT_MASK) {
        for (int x = 0; x < w; x++) {
            const uint8_t on = m[x] >= 128;
            fg += on;
            d[x] = (uint8_t)(0 - on);
        }
    } else {
        for (int x = 0; x < w; x++) {
            const uint8_t on = m[x] >= 128;
            fg += on;
            d[x] = on ? s[x] : 0;
        }
    }
    return fg;
}

/* Chroma row cy of dst from src's samples; reads the mask rows it covers,
 * which the caller has not yet overwritten when the mask is dst's luma. */
static void chroma_row(const IsegFrame *src, IsegFrame *dst, const IsegImage *mask, int cy,
                       IsegThresholdOutput output)
{
    const int cw = dst->chroma[0].width, ps = dst->chroma_pixel_stride;
    const int sx = dst->chroma_shift_x, sy = dst->chroma_shift_y;
    const int y0 = cy << sy, y1 = ISEG_MIN(dst->luma.height, (cy + 1) << sy);
    const int w = dst->luma.width;
    const int in_place = iseg_frame_same(src, dst);
    for (int cx = 0; cx < cw; cx++) {
        int keep = 0;
        if (output == ISEG_OUTPUT_MASKED) {
            const int x0 = cx << sx, x1 = ISEG_MIN(w, (cx + 1) << sx);
            for (int y = y0; y < y1; y++)
                for (int x = x0; x < x1; x++)
                    keep |= mask->data[(ptrdiff_t)y * mask->stride + x] >= 128;
        }
        if (keep && in_place)
            continue;
        for (int c = 0; c < dst->n_chroma; c++) {
            const ptrdiff_t at_d = (ptrdiff_t)cy * dst->chroma[c].stride + cx * ps;
            const ptrdiff_t at_s = (ptrdiff_t)cy * src->chroma[c].stride + cx * ps;
            dst->chroma[c].data[at_d] = keep ? src->chroma[c].data[at_s] : 128;
        }
    }
}

/* Item = one chroma row and the luma rows it covers (one luma row without
 * chroma). */
static void mask_job(void *arg, int begin, int end, unsigned slot)
{
    MaskJob *job = arg;
    const IsegFrame *s = job->src;
    IsegFrame *d = job->dst;
    const int sy = s->n_chroma ? s->chroma_shift_y : 0;
    uint64_t fg = 0;
    for (int item = begin; item < end; item++) {
        if (s->n_chroma)
            chroma_row(s, d, job->mask, item, job->output);
        const int y0 = item << sy, y1 = ISEG_MIN(s->luma.height, (item + 1) << sy);
        for (int y = y0; y < y1; y++) {
            const uint8_t *m = job->mask->data + (ptrdiff_t)y * job->mask->stride;
            if (job->luma_done) /* the luma row is the mask already */
                fg += job->want_count ? count_row(m, s->luma.width) : 0;
            else
                fg += luma_row(d->luma.data + (ptrdiff_t)y * d->luma.stride,
                               s->luma.data + (ptrdiff_t)y * s->luma.stride, m, s->luma.width,
                               job->output);
        }
    }
    job->count[slot] = fg;
}

static int check_args(const IsegFrame *frame, const IsegImage *mask, IsegThresholdOutput output)
{
    if (iseg_frame_check(frame) < 0 || iseg_image_check(mask) < 0)
        return -EINVAL;
    if (mask->width != frame->luma.width || mask->height != frame->luma.height)
        return -EINVAL;
    if (output != ISEG_OUTPUT_MASK && output != ISEG_OUTPUT_MASKED)
        return -EINVAL;
    return 0;
}

/* The mask may be dst's luma exactly, and must not otherwise meet a plane. */
static int mask_overlaps(const IsegFrame *f, const IsegImage *mask, int allow_luma)
{
    if (allow_luma && mask->data == f->luma.data && mask->stride == f->luma.stride)
        return 0;
    if (iseg_images_overlap(mask, &f->luma))
        return 1;
    for (int p = 0; p < f->n_chroma; p++) {
        IsegImage c = f->chroma[p];
        c.width = (c.width - 1) * f->chroma_pixel_stride + 1;
        if (iseg_images_overlap(mask, &c))
            return 1;
    }
    return 0;
}

static int apply_mask_to(const IsegFrame *src, IsegFrame *dst, const IsegImage *mask,
                         IsegThresholdOutput output, IsegPool *pool, uint64_t *fg_count, int binary)
{
    if (iseg_frame_pair_check(src, dst) < 0 || check_args(dst, mask, output) < 0)
        return -EINVAL;
    const int in_place = iseg_frame_same(src, dst);
    if ((!in_place && mask_overlaps(src, mask, 0)) || mask_overlaps(dst, mask, !in_place))
        return -EINVAL;
    if (iseg_force_reference()) {
        if (in_place || mask->data != dst->luma.data) {
            iseg_frame_copy(src, dst);
            return iseg_frame_apply_mask_ref(dst, mask, output, fg_count);
        }
        /* the mask is dst's luma: the reference needs it apart */
    }
    MaskJob job;
    job.src = src;
    job.dst = dst;
    job.mask = mask;
    job.output = output;
    job.luma_done = binary && output == ISEG_OUTPUT_MASK && !in_place &&
                    mask->data == dst->luma.data && mask->stride == dst->luma.stride;
    job.want_count = fg_count != NULL;
    const int items = src->n_chroma ? src->chroma[0].height : src->luma.height;
    const int grain = src->n_chroma && src->chroma_shift_y ? 8 : 16;
    const unsigned chunks = iseg_pool_chunks(pool, items, grain);
    int ret = iseg_pool_run(pool, items, grain, mask_job, &job);
    if (ret < 0)
        return ret;
    if (fg_count) {
        uint64_t total = 0;
        for (unsigned c = 0; c < chunks; c++)
            total += job.count[c];
        *fg_count = total;
    }
    return 0;
}

int iseg_frame_apply_mask_to(const IsegFrame *src, IsegFrame *dst, const IsegImage *mask,
                             IsegThresholdOutput output, IsegPool *pool, uint64_t *fg_count)
{
    return apply_mask_to(src, dst, mask, output, pool, fg_count, 0);
}

int iseg_frame_apply_binary_mask_to(const IsegFrame *src, IsegFrame *dst, const IsegImage *mask,
                                    IsegThresholdOutput output, IsegPool *pool, uint64_t *fg_count)
{
    return apply_mask_to(src, dst, mask, output, pool, fg_count, 1);
}

int iseg_frame_apply_mask(IsegFrame *frame, const IsegImage *mask, IsegThresholdOutput output,
                          IsegPool *pool, uint64_t *fg_count)
{
    return iseg_frame_apply_mask_to(frame, frame, mask, output, pool, fg_count);
}

int iseg_frame_apply_mask_ref(IsegFrame *f, const IsegImage *mask, IsegThresholdOutput output,
                              uint64_t *fg_count)
{
    if (check_args(f, mask, output) < 0)
        return -EINVAL;
    const int w = f->luma.width, h = f->luma.height;
    uint64_t fg = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            const int on = mask->data[(ptrdiff_t)y * mask->stride + x] >= 128;
            uint8_t *l = &f->luma.data[(ptrdiff_t)y * f->luma.stride + x];
            fg += (uint64_t)on;
            if (output == ISEG_OUTPUT_MASK)
                *l = on ? 255 : 0;
            else if (!on)
                *l = 0;
        }
    for (int c = 0; c < f->n_chroma; c++) {
        IsegImage *pl = &f->chroma[c];
        for (int cy = 0; cy < pl->height; cy++)
            for (int cx = 0; cx < pl->width; cx++) {
                int any = 0;
                for (int y = cy << f->chroma_shift_y; y < ((cy + 1) << f->chroma_shift_y) && y < h;
                     y++)
                    for (int x = cx << f->chroma_shift_x;
                         x < ((cx + 1) << f->chroma_shift_x) && x < w; x++)
                        any |= mask->data[(ptrdiff_t)y * mask->stride + x] >= 128;
                if (output == ISEG_OUTPUT_MASK || !any)
                    pl->data[(ptrdiff_t)cy * pl->stride + (ptrdiff_t)cx * f->chroma_pixel_stride] =
                        128;
            }
    }
    if (fg_count)
        *fg_count = fg;
    return 0;
}
