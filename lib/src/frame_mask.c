/* Composing a frame from a binary mask of its luma plane: the output modes of
 * the threshold elements (mask, or the lecture's f·m with the chroma rule)
 * for thresholds that vary per pixel. */
#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CHUNKS 256 /* iseg_pool_chunks() never returns more */

typedef struct MaskJob {
    IsegFrame *f;
    const IsegImage *mask;
    IsegThresholdOutput output;
    uint64_t count[MAX_CHUNKS];
} MaskJob;

/* Luma row: returns the number of foreground pixels. Loops written so the
 * compiler vectorises them. */
static uint32_t luma_row(uint8_t *l, const uint8_t *m, int w, IsegThresholdOutput output)
{
    uint32_t fg = 0;
    if (output == ISEG_OUTPUT_MASK) {
        for (int x = 0; x < w; x++) {
            const uint8_t on = m[x] >= 128;
            fg += on;
            l[x] = (uint8_t)(0 - on);
        }
    } else {
        for (int x = 0; x < w; x++) {
            const uint8_t on = m[x] >= 128;
            fg += on;
            l[x] = on ? l[x] : 0;
        }
    }
    return fg;
}

static void chroma_row(IsegFrame *f, const IsegImage *mask, int cy, IsegThresholdOutput output)
{
    const int cw = f->chroma[0].width, ps = f->chroma_pixel_stride;
    const int sx = f->chroma_shift_x, sy = f->chroma_shift_y;
    const int y0 = cy << sy, y1 = ISEG_MIN(f->luma.height, (cy + 1) << sy);
    const int w = f->luma.width;
    for (int cx = 0; cx < cw; cx++) {
        int keep = 0;
        if (output == ISEG_OUTPUT_MASKED) {
            const int x0 = cx << sx, x1 = ISEG_MIN(w, (cx + 1) << sx);
            for (int y = y0; y < y1; y++)
                for (int x = x0; x < x1; x++)
                    keep |= mask->data[(ptrdiff_t)y * mask->stride + x] >= 128;
        }
        if (!keep)
            for (int c = 0; c < f->n_chroma; c++)
                f->chroma[c].data[(ptrdiff_t)cy * f->chroma[c].stride + cx * ps] = 128;
    }
}

/* Item = one chroma row and the luma rows it covers (one luma row without
 * chroma). */
static void mask_job(void *arg, int begin, int end, unsigned slot)
{
    MaskJob *job = arg;
    IsegFrame *f = job->f;
    const int sy = f->n_chroma ? f->chroma_shift_y : 0;
    uint64_t fg = 0;
    for (int item = begin; item < end; item++) {
        if (f->n_chroma)
            chroma_row(f, job->mask, item, job->output);
        const int y0 = item << sy, y1 = ISEG_MIN(f->luma.height, (item + 1) << sy);
        for (int y = y0; y < y1; y++)
            fg += luma_row(f->luma.data + (ptrdiff_t)y * f->luma.stride,
                           job->mask->data + (ptrdiff_t)y * job->mask->stride, f->luma.width,
                           job->output);
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

int iseg_frame_apply_mask(IsegFrame *frame, const IsegImage *mask, IsegThresholdOutput output,
                          IsegPool *pool, uint64_t *fg_count)
{
    if (check_args(frame, mask, output) < 0)
        return -EINVAL;
    if (iseg_force_reference())
        return iseg_frame_apply_mask_ref(frame, mask, output, fg_count);
    MaskJob job;
    job.f = frame;
    job.mask = mask;
    job.output = output;
    const int items = frame->n_chroma ? frame->chroma[0].height : frame->luma.height;
    const int grain = frame->n_chroma && frame->chroma_shift_y ? 8 : 16;
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
