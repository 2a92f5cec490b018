/* Applying a global threshold: a frame (luma and the chroma rule, in place
 * or src -> dst), a plane, neutral chroma. */
#include "threshold_priv.h"

#include <stdlib.h>

/* Luma row kernels. Written so that GCC and Clang vectorise them (plain
 * compares and selects on bytes); T is 1..255 here, the all/none cases are
 * handled by the caller with memset. src and dst may be equal. */
static void row_mask_ge(uint8_t *dst, const uint8_t *src, int w, uint8_t t)
{
    for (int x = 0; x < w; x++)
        dst[x] = src[x] >= t ? 255 : 0;
}

static void row_mask_lt(uint8_t *dst, const uint8_t *src, int w, uint8_t t)
{
    for (int x = 0; x < w; x++)
        dst[x] = src[x] < t ? 255 : 0;
}

static void row_masked_ge(uint8_t *dst, const uint8_t *src, int w, uint8_t t)
{
    for (int x = 0; x < w; x++)
        dst[x] = src[x] >= t ? src[x] : 0;
}

static void row_masked_lt(uint8_t *dst, const uint8_t *src, int w, uint8_t t)
{
    for (int x = 0; x < w; x++)
        dst[x] = src[x] < t ? src[x] : 0;
}

/* One luma row, any T in 0..256. */
static void apply_luma_row(uint8_t *dst, const uint8_t *src, int w, const ApplyParams *p)
{
    const int all_fg = p->invert ? p->T == ISEG_HIST_BINS : p->T == 0;
    const int none_fg = p->invert ? p->T == 0 : p->T == ISEG_HIST_BINS;
    if (none_fg) {
        memset(dst, 0, (size_t)w);
    } else if (all_fg) {
        if (p->output == ISEG_OUTPUT_MASK)
            memset(dst, 255, (size_t)w);
        else if (dst != src)
            memmove(dst, src, (size_t)w);
    } else if (p->output == ISEG_OUTPUT_MASK) {
        (p->invert ? row_mask_lt : row_mask_ge)(dst, src, w, (uint8_t)p->T);
    } else {
        (p->invert ? row_masked_lt : row_masked_ge)(dst, src, w, (uint8_t)p->T);
    }
}

/* Chroma row cy of every chroma plane of dst, decided from the (still
 * original) luma rows of src it covers. Luma extremes per covered block tell
 * whether any pixel is foreground: not inverted, any v >= T iff max >= T;
 * inverted, any v < T iff min < T. src may be dst (in place). */
static void apply_chroma_row(const IsegFrame *src, IsegFrame *dst, int cy, const ApplyParams *p)
{
    const int cw = dst->chroma[0].width;
    const int ps = dst->chroma_pixel_stride;
    if (p->output == ISEG_OUTPUT_MASK) {
        for (int c = 0; c < dst->n_chroma; c++) {
            uint8_t *row = dst->chroma[c].data + (ptrdiff_t)cy * dst->chroma[c].stride;
            if (ps == 1)
                memset(row, 128, (size_t)cw);
            else
                for (int cx = 0; cx < cw; cx++)
                    row[cx * ps] = 128;
        }
        return;
    }
    const int in_place = iseg_frame_same(src, dst);
    const int sx = src->chroma_shift_x, sy = src->chroma_shift_y;
    const int y0 = cy << sy;
    const int y1 = ISEG_MIN(src->luma.height, (cy + 1) << sy);
    const int w = src->luma.width;
    for (int cx = 0; cx < cw; cx++) {
        const int x0 = cx << sx, x1 = ISEG_MIN(w, (cx + 1) << sx);
        unsigned lo = 255, hi = 0;
        for (int y = y0; y < y1; y++) {
            const uint8_t *l = src->luma.data + (ptrdiff_t)y * src->luma.stride;
            for (int x = x0; x < x1; x++) {
                lo = ISEG_MIN(lo, l[x]);
                hi = ISEG_MAX(hi, l[x]);
            }
        }
        const int keep = p->invert ? is_fg(lo, p) : is_fg(hi, p);
        if (keep && in_place)
            continue;
        for (int c = 0; c < dst->n_chroma; c++) {
            const ptrdiff_t at_d = (ptrdiff_t)cy * dst->chroma[c].stride + cx * ps;
            const ptrdiff_t at_s = (ptrdiff_t)cy * src->chroma[c].stride + cx * ps;
            dst->chroma[c].data[at_d] = keep ? src->chroma[c].data[at_s] : 128;
        }
    }
}

typedef struct FrameJob {
    const IsegFrame *src;
    IsegFrame *dst;
    ApplyParams p;
} FrameJob;

/* Work item = one chroma row and the luma rows it covers (one luma row when
 * there is no chroma), so chroma always sees the original luma (in place
 * too) and items never share a row. */
static void frame_job(void *arg, int begin, int end, unsigned slot)
{
    (void)slot;
    FrameJob *job = arg;
    const IsegFrame *s = job->src;
    IsegFrame *d = job->dst;
    const int sy = s->n_chroma ? s->chroma_shift_y : 0;
    for (int item = begin; item < end; item++) {
        if (s->n_chroma)
            apply_chroma_row(s, d, item, &job->p);
        const int y0 = item << sy, y1 = ISEG_MIN(s->luma.height, (item + 1) << sy);
        for (int y = y0; y < y1; y++)
            apply_luma_row(d->luma.data + (ptrdiff_t)y * d->luma.stride,
                           s->luma.data + (ptrdiff_t)y * s->luma.stride, s->luma.width, &job->p);
    }
}

int iseg_threshold_frame_to(const IsegFrame *src, IsegFrame *dst, unsigned T, int invert,
                            IsegThresholdOutput output, IsegPool *pool)
{
    if (iseg_frame_pair_check(src, dst) < 0 || check_apply_args(T, output) < 0)
        return -EINVAL;
    if (iseg_force_reference()) {
        iseg_frame_copy(src, dst);
        return iseg_threshold_frame_ref(dst, T, invert, output);
    }
    FrameJob job = { src, dst, { T, invert, output } };
    const int items = src->n_chroma ? src->chroma[0].height : src->luma.height;
    const int grain = src->n_chroma && src->chroma_shift_y ? 8 : 16;
    return iseg_pool_run(pool, items, grain, frame_job, &job);
}

int iseg_threshold_frame(IsegFrame *frame, unsigned T, int invert, IsegThresholdOutput output,
                         IsegPool *pool)
{
    return iseg_threshold_frame_to(frame, frame, T, invert, output, pool);
}

typedef struct ImageJob {
    const IsegImage *src;
    IsegImage *dst;
    ApplyParams p;
} ImageJob;

static void image_job(void *arg, int begin, int end, unsigned slot)
{
    (void)slot;
    ImageJob *job = arg;
    for (int y = begin; y < end; y++)
        apply_luma_row(job->dst->data + (ptrdiff_t)y * job->dst->stride,
                       job->src->data + (ptrdiff_t)y * job->src->stride, job->src->width, &job->p);
}

int iseg_threshold_image(const IsegImage *src, IsegImage *dst, unsigned T, int invert,
                         IsegThresholdOutput output, IsegPool *pool)
{
    if (iseg_image_check(src) < 0 || iseg_image_check(dst) < 0 || check_apply_args(T, output) < 0)
        return -EINVAL;
    if (src->width != dst->width || src->height != dst->height)
        return -EINVAL;
    ImageJob job = { src, dst, { T, invert, output } };
    return iseg_pool_run(pool, src->height, 16, image_job, &job);
}

static void neutral_job(void *arg, int begin, int end, unsigned slot)
{
    (void)slot;
    IsegFrame *f = arg;
    const ApplyParams p = { 0, 0, ISEG_OUTPUT_MASK };
    for (int cy = begin; cy < end; cy++)
        apply_chroma_row(f, f, cy, &p);
}

int iseg_frame_neutral_chroma(IsegFrame *frame, IsegPool *pool)
{
    if (iseg_frame_check(frame) < 0)
        return -EINVAL;
    if (frame->n_chroma == 0)
        return 0;
    return iseg_pool_run(pool, frame->chroma[0].height, 16, neutral_job, frame);
}
