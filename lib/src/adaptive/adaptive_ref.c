/* The plain definition of every adaptive method, one window at a time: what
 * the fast kernels are tested against. Nothing here is clever on purpose.
 *
 * Every window is summed pixel by pixel into exact integers (and, for
 * local-otsu's nodes, a brute-force histogram). From those sums, mean,
 * Sauvola, Niblack and local-otsu decide with the functions of
 * decide.h, exactly as the fast kernels do, so fast and reference
 * agree bit for bit; the margins (value minus T in double, from the textbook
 * formulas) are what the tests use to check that those decisions are the
 * real-number definition's up to the rounding bound of each method.
 * Gaussian is the float64 definition. */
#include "decide.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static inline int clampi(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* pixel (x, y) of the edge-replicated image */
static inline unsigned px(const IsegImage *img, int x, int y)
{
    return img->data[(ptrdiff_t)clampi(y, 0, img->height - 1) * img->stride +
                     clampi(x, 0, img->width - 1)];
}

static void window_mean_std(const IsegImage *img, int cx, int cy, int r, double *mean, double *sd)
{
    const double n = (double)(2 * r + 1) * (2 * r + 1);
    double sum = 0;
    for (int y = cy - r; y <= cy + r; y++)
        for (int x = cx - r; x <= cx + r; x++)
            sum += px(img, x, y);
    const double m = sum / n;
    double ss = 0;
    for (int y = cy - r; y <= cy + r; y++)
        for (int x = cx - r; x <= cx + r; x++) {
            const double d = px(img, x, y) - m;
            ss += d * d;
        }
    *mean = m;
    *sd = sqrt(ss / n);
}

/* exact integer count, sum and sum of squares of a window, and its histogram */
static void window_sums(const IsegImage *img, int cx, int cy, int r, int64_t *S, int64_t *S2,
                        uint64_t *hist)
{
    int64_t s = 0, s2 = 0;
    if (hist)
        memset(hist, 0, ISEG_HIST_BINS * sizeof(hist[0]));
    for (int y = cy - r; y <= cy + r; y++)
        for (int x = cx - r; x <= cx + r; x++) {
            const unsigned v = px(img, x, y);
            s += v;
            s2 += (int64_t)v * v;
            if (hist)
                hist[v]++;
        }
    *S = s;
    *S2 = s2;
}

/* Gaussian mean minus the centre pixel, sum(w_i w_j (v_ij - v)): the same
 * number as the weighted mean minus v (the weights sum to 1), but exactly 0
 * in a flat window, so that ties (v == T) are decided as the definition says
 * rather than by the rounding of the weights' sum. */
static double gaussian_mean_minus_centre(const IsegImage *img, int cx, int cy, int r,
                                         const double *w)
{
    const double c = px(img, cx, cy);
    double acc = 0;
    for (int j = -r; j <= r; j++)
        for (int i = -r; i <= r; i++)
            acc += w[j + r] * w[i + r] * (px(img, cx + i, cy + j) - c);
    return acc;
}

/* Every decision below is "foreground iff margin > 0" (margin >= 0 for the
 * global uniform rule), margin being the compared value minus its threshold;
 * the tests use |margin| to tell pixels within rounding of T. */
static void put(IsegImage *dst, double *margin, int x, int y, int fg, double m, int invert)
{
    dst->data[(ptrdiff_t)y * dst->stride + x] = iseg_mask_byte(fg, invert);
    if (margin)
        margin[(size_t)y * dst->width + x] = m;
}

static int local_otsu_ref(const IsegAdaptiveSettings *s, const IsegImage *src, IsegImage *dst,
                          double *margin)
{
    const int w = src->width, h = src->height, r = s->block_size / 2;
    const int64_t n = (int64_t)s->block_size * s->block_size;
    const int64_t limit = iseg_lo_uniform_limit(s->min_contrast, n);
    uint64_t hist[ISEG_HIST_BINS];
    unsigned T_global;
    iseg_histogram_ref(src, hist);
    iseg_otsu_threshold_ref(hist, &T_global, NULL);

    const LoGrid g = iseg_lo_grid(w, h, s->block_size);
    const size_t nodes = (size_t)g.nx * g.ny;
    int32_t *t2 = malloc(nodes * sizeof(*t2));
    int32_t *queue = malloc(nodes * sizeof(*queue));
    int64_t *node_S = malloc(nodes * sizeof(*node_S));
    uint8_t *valid = malloc(nodes), *state = malloc(nodes);
    if (!t2 || !node_S || !queue || !valid || !state) {
        free(t2);
        free(node_S);
        free(queue);
        free(valid);
        free(state);
        return -ENOMEM;
    }
    for (int j = 0; j < g.ny; j++)
        for (int i = 0; i < g.nx; i++) {
            int64_t S, S2;
            window_sums(src, g.ox + i * g.step, g.oy + j * g.step, r, &S, &S2, hist);
            const size_t k = (size_t)j * g.nx + i;
            valid[k] = !iseg_lo_is_uniform(n, S, S2, limit);
            node_S[k] = S;
            unsigned T = 0;
            if (valid[k]) {
                iseg_otsu_threshold_ref(hist, &T, NULL);
                valid[k] = (uint8_t)iseg_lo_split_ok(NULL, hist, T, s->min_contrast);
                t2[k] = iseg_lo_node_t2(NULL, hist, T);
            }
        }
    iseg_lo_fill_nodes(t2, valid, node_S, n, g.nx, g.ny, T_global, iseg_lo_margin2(s->min_contrast),
                       s->uniform == ISEG_ADAPTIVE_UNIFORM_LOCAL, queue, state);

    const int64_t two_step2 = 2 * (int64_t)g.step * g.step;
    for (int y = 0; y < h; y++) {
        const int j0 = ISEG_MIN((y - g.oy) / g.step, g.ny - 1), j1 = ISEG_MIN(j0 + 1, g.ny - 1);
        const int dy = y - g.oy - j0 * g.step;
        for (int x = 0; x < w; x++) {
            const int i0 = ISEG_MIN((x - g.ox) / g.step, g.nx - 1), i1 = ISEG_MIN(i0 + 1, g.nx - 1);
            const int dx = x - g.ox - i0 * g.step;
            /* T = val / (2 step^2), exactly */
            const int64_t val = iseg_lo_interp(
                g.step, dx, dy, t2[(size_t)j0 * g.nx + i0], t2[(size_t)j0 * g.nx + i1],
                t2[(size_t)j1 * g.nx + i0], t2[(size_t)j1 * g.nx + i1]);
            const double T = (double)val / (double)two_step2;
            int64_t S, S2;
            window_sums(src, x, y, r, &S, &S2, NULL);
            const int uniform = iseg_lo_is_uniform(n, S, S2, limit);
            const int local = s->uniform == ISEG_ADAPTIVE_UNIFORM_LOCAL;
            const int fg =
                iseg_lo_fg(uniform, local, two_step2, n, px(src, x, y), S, val, T_global);
            const double mean = (double)S / (double)n, v = px(src, x, y);
            put(dst, margin, x, y, fg,
                !uniform ? v - T
                : local  ? mean - T
                         : mean - T_global,
                s->invert);
        }
    }
    free(t2);
    free(node_S);
    free(queue);
    free(valid);
    free(state);
    return 0;
}

int iseg_adaptive_ref_margins(const IsegAdaptiveSettings *s, const IsegImage *src, IsegImage *dst,
                              double *margin)
{
    if (iseg_adaptive_settings_check(s) < 0 || iseg_image_check(src) < 0 ||
        iseg_image_check(dst) < 0)
        return -EINVAL;
    if (src->width != dst->width || src->height != dst->height)
        return -EINVAL;
    if (s->method == ISEG_ADAPTIVE_LOCAL_OTSU)
        return local_otsu_ref(s, src, dst, margin);

    const int r = s->block_size / 2;
    double *gw = NULL;
    if (s->method == ISEG_ADAPTIVE_GAUSSIAN) {
        gw = malloc((size_t)s->block_size * sizeof(*gw));
        if (!gw)
            return -ENOMEM;
        iseg_adaptive_gaussian_weights(s->block_size, gw);
    }
    const int64_t n = (int64_t)s->block_size * s->block_size;
    const int32_t mean_cut = iseg_adaptive_mean_cut(s->offset, n);
    const IsegBoxCoef cf = iseg_box_coef(s);
    const int packed = s->block_size <= SUMS_PACKED_MAX_BLOCK;
    for (int y = 0; y < src->height; y++)
        for (int x = 0; x < src->width; x++) {
            const unsigned v = px(src, x, y);
            double T = 0, m, sd;
            int64_t S, S2;
            int fg = 0;
            if (s->method != ISEG_ADAPTIVE_GAUSSIAN) {
                window_sums(src, x, y, r, &S, &S2, NULL);
                window_mean_std(src, x, y, r, &m, &sd);
            }
            switch (s->method) {
            case ISEG_ADAPTIVE_MEAN:
                /* v > S/n - offset  <=>  n v - S > -offset n */
                T = m - s->offset;
                fg = (int64_t)n * v - S > mean_cut;
                break;
            case ISEG_ADAPTIVE_GAUSSIAN: {
                /* v > T  <=>  offset - (mean - v) > 0 */
                const double margin_g = s->offset - gaussian_mean_minus_centre(src, x, y, r, gw);
                put(dst, margin, x, y, margin_g > 0, margin_g, s->invert);
                continue;
            }
            case ISEG_ADAPTIVE_SAUVOLA:
                T = m * (1 + s->k * (sd / s->dynamic_range - 1));
                fg = packed ? iseg_sauvola_fg((uint32_t)n, (uint32_t)S, (uint32_t)S2, v, cf.nf,
                                              cf.one_kf, cf.qf, cf.c_neg)
                            : iseg_box_fg_wide(&cf, 1, n, (uint32_t)S, (uint64_t)S2, v);
                break;
            case ISEG_ADAPTIVE_NIBLACK:
                T = m - s->k * sd;
                fg = packed ? iseg_niblack_fg((uint32_t)n, (uint32_t)S, (uint32_t)S2, v, cf.k2f,
                                              cf.c_neg)
                            : iseg_box_fg_wide(&cf, 0, n, (uint32_t)S, (uint64_t)S2, v);
                break;
            case ISEG_ADAPTIVE_LOCAL_OTSU: break;
            }
            put(dst, margin, x, y, fg, v - T, s->invert);
        }
    free(gw);
    return 0;
}

int iseg_adaptive_mask_ref(const IsegAdaptiveSettings *s, const IsegImage *src, IsegImage *dst)
{
    return iseg_adaptive_ref_margins(s, src, dst, NULL);
}
