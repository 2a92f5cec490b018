/* The plain definitions, read these first: the histogram pixel by pixel,
 * the lecture's per-T statistics (iseg_otsu_stats) and Otsu's threshold as
 * the T that maximises their between-class variance, and a threshold
 * applied to a frame pixel by pixel (luma, then the chroma rule). The fast
 * paths (histogram.c, otsu.c, apply.c) are checked against these. */
#include "threshold_priv.h"

#include <stdlib.h>

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
