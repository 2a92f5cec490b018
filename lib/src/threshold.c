/* Histograms, Otsu's method, the lecture's basic global thresholding, and
 * applying a global threshold to a frame (luma + the chroma rule). */
#include "internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- histogram */

int iseg_histogram_ref(const IsegImage *img, uint64_t hist[ISEG_HIST_BINS])
{
    if (iseg_image_check(img) < 0 || !hist)
        return -EINVAL;
    memset(hist, 0, ISEG_HIST_BINS * sizeof(hist[0]));
    for (int y = 0; y < img->height; y++)
        for (int x = 0; x < img->width; x++)
            hist[img->data[y * img->stride + x]]++;
    return 0;
}

/* The histogram is bound by its load-increment-store per pixel: about one a
 * cycle on current x86 cores, whatever the loads. What slows it further is
 * the memory dependence between increments of the same counter still in
 * flight, which photos and video make frequent (neighbouring pixels are
 * often equal) and unpredictable (so the CPU's dependence predictor
 * guesses wrong). Hence eight 32-bit sub-histograms: two rows are scanned
 * side by side, each pixel's increments alternating over four of them, so
 * increments of one counter are eight apart in program order. Counters are
 * flushed to 64 bits before they can overflow. (Measured on Zen 3 with the
 * bench's photo frame: one row and four sub-histograms ~7% slower, 16-bit
 * counters and pair tables slower still.) */
#define HIST_SUBS         8
#define HIST_FLUSH_PIXELS (1u << 30)

typedef struct HistPartial {
    uint64_t total[ISEG_HIST_BINS];
} HistPartial;

static void hist_flush(uint32_t h[HIST_SUBS][ISEG_HIST_BINS], uint64_t out[ISEG_HIST_BINS])
{
    for (int v = 0; v < ISEG_HIST_BINS; v++) {
        uint64_t sum = 0;
        for (int k = 0; k < HIST_SUBS; k++)
            sum += h[k][v];
        out[v] += sum;
    }
    memset(h, 0, HIST_SUBS * sizeof(h[0]));
}

/* Counts one row (p) or two rows side by side (p and q, q may be NULL):
 * row p into sub-histograms 0..3, row q into 4..7. */
static void hist_row_pair(uint32_t h[HIST_SUBS][ISEG_HIST_BINS], const uint8_t *p, const uint8_t *q,
                          int w)
{
    int x = 0;
    if (q) {
        for (; x + 8 <= w; x += 8) {
            uint64_t a, b;
            memcpy(&a, p + x, 8);
            memcpy(&b, q + x, 8);
            h[0][a & 0xff]++;
            h[4][b & 0xff]++;
            h[1][(a >> 8) & 0xff]++;
            h[5][(b >> 8) & 0xff]++;
            h[2][(a >> 16) & 0xff]++;
            h[6][(b >> 16) & 0xff]++;
            h[3][(a >> 24) & 0xff]++;
            h[7][(b >> 24) & 0xff]++;
            h[0][(a >> 32) & 0xff]++;
            h[4][(b >> 32) & 0xff]++;
            h[1][(a >> 40) & 0xff]++;
            h[5][(b >> 40) & 0xff]++;
            h[2][(a >> 48) & 0xff]++;
            h[6][(b >> 48) & 0xff]++;
            h[3][a >> 56]++;
            h[7][b >> 56]++;
        }
        for (; x < w; x++) {
            h[0][p[x]]++;
            h[4][q[x]]++;
        }
        return;
    }
    for (; x + 8 <= w; x += 8) {
        uint64_t a;
        memcpy(&a, p + x, 8);
        h[0][a & 0xff]++;
        h[1][(a >> 8) & 0xff]++;
        h[2][(a >> 16) & 0xff]++;
        h[3][(a >> 24) & 0xff]++;
        h[0][(a >> 32) & 0xff]++;
        h[1][(a >> 40) & 0xff]++;
        h[2][(a >> 48) & 0xff]++;
        h[3][a >> 56]++;
    }
    for (; x < w; x++)
        h[0][p[x]]++;
}

static void hist_rows(const IsegImage *img, int y0, int y1, uint64_t out[ISEG_HIST_BINS])
{
    uint32_t h[HIST_SUBS][ISEG_HIST_BINS];
    memset(h, 0, sizeof(h));
    memset(out, 0, ISEG_HIST_BINS * sizeof(out[0]));
    uint64_t pending = 0;
    const int w = img->width;
    for (int y = y0; y < y1; y += 2) {
        if (pending + 2 * (uint64_t)w > HIST_FLUSH_PIXELS) {
            hist_flush(h, out);
            pending = 0;
        }
        const uint8_t *p = img->data + (ptrdiff_t)y * img->stride;
        hist_row_pair(h, p, y + 1 < y1 ? p + img->stride : NULL, w);
        pending += 2 * (uint64_t)w;
    }
    hist_flush(h, out);
}

typedef struct HistJob {
    const IsegImage *img;
    HistPartial *partial;
} HistJob;

static void hist_job(void *p, int begin, int end, unsigned slot)
{
    HistJob *job = p;
    hist_rows(job->img, begin, end, job->partial[slot].total);
}

int iseg_histogram(const IsegImage *img, uint64_t hist[ISEG_HIST_BINS], IsegPool *pool)
{
    if (iseg_image_check(img) < 0 || !hist)
        return -EINVAL;
    if (iseg_force_reference())
        return iseg_histogram_ref(img, hist);
    const int grain = 16;
    const unsigned chunks = iseg_pool_chunks(pool, img->height, grain);
    if (chunks <= 1) {
        hist_rows(img, 0, img->height, hist);
        return 0;
    }
    HistPartial *partial = malloc(chunks * sizeof(*partial));
    if (!partial)
        return -ENOMEM;
    HistJob job = { img, partial };
    iseg_pool_run(pool, img->height, grain, hist_job, &job);
    /* integer sums: the same result for every chunking */
    memcpy(hist, partial[0].total, sizeof(partial[0].total));
    for (unsigned c = 1; c < chunks; c++)
        for (int v = 0; v < ISEG_HIST_BINS; v++)
            hist[v] += partial[c].total[v];
    free(partial);
    return 0;
}

uint64_t iseg_histogram_count_foreground(const uint64_t hist[ISEG_HIST_BINS], unsigned T,
                                         int invert)
{
    uint64_t fg = 0;
    for (unsigned v = 0; v < ISEG_HIST_BINS; v++)
        if ((v >= T) != (invert != 0))
            fg += hist[v];
    return fg;
}

/* ---------------------------------------------------------------- Otsu */

/* Between-class variance from exact integer class sums. Both the fast scan
 * and the reference evaluate this same expression on the same integers, so
 * they agree bit for bit (ties included). */
static double between_from_sums(uint64_t n_b, uint64_t s_b, uint64_t n, uint64_t s)
{
    const uint64_t n_f = n - n_b, s_f = s - s_b;
    if (n_b == 0 || n_f == 0)
        return 0.0;
    const double w_b = (double)n_b / (double)n, w_f = (double)n_f / (double)n;
    const double d = (double)s_b / (double)n_b - (double)s_f / (double)n_f;
    return w_b * w_f * d * d;
}

/* Number of occupied levels (capped at 2) and the first one. */
static int occupied_levels(const uint64_t hist[ISEG_HIST_BINS], unsigned *first)
{
    int count = 0;
    *first = 0;
    for (unsigned v = 0; v < ISEG_HIST_BINS && count < 2; v++)
        if (hist[v]) {
            if (count == 0)
                *first = v;
            count++;
        }
    return count;
}

int iseg_otsu_stats(const uint64_t hist[ISEG_HIST_BINS], unsigned T, IsegOtsuStats *out)
{
    if (!hist || !out || T > ISEG_HIST_BINS)
        return -EINVAL;
    uint64_t n_b = 0, s_b = 0, n = 0, s = 0;
    for (unsigned v = 0; v < ISEG_HIST_BINS; v++) {
        n += hist[v];
        s += hist[v] * v;
        if (v < T) {
            n_b += hist[v];
            s_b += hist[v] * v;
        }
    }
    if (n == 0)
        return -EINVAL;
    memset(out, 0, sizeof(*out));
    const uint64_t n_f = n - n_b, s_f = s - s_b;
    if (n_b) {
        out->weight_bg = (double)n_b / (double)n;
        out->mean_bg = (double)s_b / (double)n_b;
    }
    if (n_f) {
        out->weight_fg = (double)n_f / (double)n;
        out->mean_fg = (double)s_f / (double)n_f;
    }
    double ss_b = 0, ss_f = 0;
    for (unsigned v = 0; v < ISEG_HIST_BINS; v++) {
        if (!hist[v])
            continue;
        if (v < T) {
            const double d = v - out->mean_bg;
            ss_b += d * d * (double)hist[v];
        } else {
            const double d = v - out->mean_fg;
            ss_f += d * d * (double)hist[v];
        }
    }
    if (n_b)
        out->var_bg = ss_b / (double)n_b;
    if (n_f)
        out->var_fg = ss_f / (double)n_f;
    out->within = out->weight_bg * out->var_bg + out->weight_fg * out->var_fg;
    out->between = between_from_sums(n_b, s_b, n, s);
    return 0;
}

static int otsu_single_level(const uint64_t hist[ISEG_HIST_BINS], unsigned *T_out,
                             double *between_out)
{
    unsigned first;
    const int levels = occupied_levels(hist, &first);
    if (levels >= 2)
        return 0;
    *T_out = levels == 1 ? first + 1 : ISEG_HIST_BINS;
    if (between_out)
        *between_out = 0.0;
    return 1;
}

int iseg_otsu_threshold_ref(const uint64_t hist[ISEG_HIST_BINS], unsigned *T_out,
                            double *between_out)
{
    if (!hist || !T_out)
        return -EINVAL;
    if (otsu_single_level(hist, T_out, between_out))
        return 0;
    unsigned best_t = 1;
    double best = -1.0;
    for (unsigned T = 1; T < ISEG_HIST_BINS; T++) {
        IsegOtsuStats st;
        iseg_otsu_stats(hist, T, &st);
        if (st.between > best) {
            best = st.between;
            best_t = T;
        }
    }
    *T_out = best_t;
    if (between_out)
        *between_out = best;
    return 0;
}

int iseg_otsu_threshold(const uint64_t hist[ISEG_HIST_BINS], unsigned *T_out, double *between_out)
{
    if (!hist || !T_out)
        return -EINVAL;
    if (iseg_force_reference())
        return iseg_otsu_threshold_ref(hist, T_out, between_out);
    if (otsu_single_level(hist, T_out, between_out))
        return 0;
    uint64_t n = 0, s = 0;
    for (unsigned v = 0; v < ISEG_HIST_BINS; v++) {
        n += hist[v];
        s += hist[v] * v;
    }
    uint64_t n_b = 0, s_b = 0;
    unsigned best_t = 1;
    double best = -1.0;
    for (unsigned T = 1; T < ISEG_HIST_BINS; T++) {
        n_b += hist[T - 1];
        s_b += hist[T - 1] * (T - 1);
        const double b = between_from_sums(n_b, s_b, n, s);
        if (b > best) {
            best = b;
            best_t = T;
        }
    }
    *T_out = best_t;
    if (between_out)
        *between_out = best;
    return 0;
}

/* ---------------------------------------------------------------- iterative */

int iseg_iterative_threshold(const uint64_t hist[ISEG_HIST_BINS], double epsilon, unsigned *T_out,
                             double *t_real_out, unsigned *iterations_out)
{
    if (!hist || !T_out || !(epsilon > 0))
        return -EINVAL;
    double between;
    if (otsu_single_level(hist, T_out, &between)) {
        if (t_real_out)
            *t_real_out = *T_out;
        if (iterations_out)
            *iterations_out = 0;
        return 0;
    }
    /* prefix sums: cnt[t] and sum[t] over levels < t */
    uint64_t cnt[ISEG_HIST_BINS + 1], sum[ISEG_HIST_BINS + 1];
    cnt[0] = sum[0] = 0;
    for (unsigned v = 0; v < ISEG_HIST_BINS; v++) {
        cnt[v + 1] = cnt[v] + hist[v];
        sum[v + 1] = sum[v] + hist[v] * v;
    }
    const uint64_t n = cnt[ISEG_HIST_BINS], s = sum[ISEG_HIST_BINS];
    double T = (double)s / (double)n;
    unsigned it = 0;
    for (; it < 1000; it++) {
        /* G1: value >= T, i.e. value >= ceil(T); G2: the rest. With at least
         * two levels and min < T <= max both are non-empty (see docs). */
        const unsigned split = (unsigned)ceil(T);
        const uint64_t n2 = cnt[split], n1 = n - n2;
        if (n1 == 0 || n2 == 0)
            break;
        const double m2 = (double)sum[split] / (double)n2;
        const double m1 = (double)(s - sum[split]) / (double)n1;
        const double next = 0.5 * (m1 + m2);
        const double change = fabs(next - T);
        T = next;
        if (change < epsilon) {
            it++;
            break;
        }
    }
    unsigned Ti = (unsigned)ceil(T);
    if (Ti < 1)
        Ti = 1;
    if (Ti > 255)
        Ti = 255;
    *T_out = Ti;
    if (t_real_out)
        *t_real_out = T;
    if (iterations_out)
        *iterations_out = it;
    return 0;
}

/* ---------------------------------------------------------------- applying */

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

typedef struct ApplyParams {
    unsigned T;
    int invert;
    IsegThresholdOutput output;
} ApplyParams;

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

static inline int is_fg(unsigned v, const ApplyParams *p)
{
    return (v >= p->T) != (p->invert != 0);
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

static int check_apply_args(unsigned T, IsegThresholdOutput output)
{
    if (T > ISEG_HIST_BINS || (output != ISEG_OUTPUT_MASK && output != ISEG_OUTPUT_MASKED))
        return -EINVAL;
    return 0;
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

int iseg_threshold_frame_ref(IsegFrame *f, unsigned T, int invert, IsegThresholdOutput output)
{
    if (iseg_frame_check(f) < 0 || check_apply_args(T, output) < 0)
        return -EINVAL;
    const ApplyParams p = { T, invert, output };
    const int w = f->luma.width, h = f->luma.height;
    uint8_t *orig = malloc((size_t)w * h);
    if (!orig)
        return -ENOMEM;
    for (int y = 0; y < h; y++)
        memcpy(orig + (size_t)y * w, f->luma.data + y * f->luma.stride, (size_t)w);

    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            const unsigned v = orig[(size_t)y * w + x];
            uint8_t out;
            if (output == ISEG_OUTPUT_MASK)
                out = is_fg(v, &p) ? 255 : 0;
            else
                out = is_fg(v, &p) ? (uint8_t)v : 0;
            f->luma.data[y * f->luma.stride + x] = out;
        }

    for (int c = 0; c < f->n_chroma; c++) {
        IsegImage *pl = &f->chroma[c];
        for (int cy = 0; cy < pl->height; cy++)
            for (int cx = 0; cx < pl->width; cx++) {
                int any_fg = 0;
                for (int y = cy << f->chroma_shift_y; y < ((cy + 1) << f->chroma_shift_y) && y < h;
                     y++)
                    for (int x = cx << f->chroma_shift_x;
                         x < ((cx + 1) << f->chroma_shift_x) && x < w; x++)
                        any_fg |= is_fg(orig[(size_t)y * w + x], &p);
                if (output == ISEG_OUTPUT_MASK || !any_fg)
                    pl->data[cy * pl->stride + cx * f->chroma_pixel_stride] = 128;
            }
    }
    free(orig);
    return 0;
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
