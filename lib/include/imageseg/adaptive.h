/* imageseg — locally adaptive thresholds: a threshold T(x, y) computed from a
 * block_size x block_size window centred on each pixel.
 *
 * A pixel is foreground iff luma > T(x, y) (luma <= T(x, y) when inverted);
 * the mask is written as 255 (foreground) / 0. Windows that reach past the
 * frame see the edge pixels replicated (OpenCV's BORDER_REPLICATE), so every
 * window holds exactly block_size^2 samples, even when it is larger than the
 * frame. The methods (m, s: mean and population standard deviation of the
 * window):
 *
 *   MEAN        T = m - offset                        (OpenCV ADAPTIVE_THRESH_MEAN_C)
 *   GAUSSIAN    T = Gaussian-weighted mean - offset   (OpenCV ADAPTIVE_THRESH_GAUSSIAN_C:
 *               the separable weights of getGaussianKernel(block_size, 0), i.e. the
 *               fixed 3/5/7/9-tap tables and, from 11 taps on, exp(-i^2 / (2 sigma^2))
 *               normalised, sigma = 0.3 * ((block_size - 1) * 0.5 - 1) + 0.8)
 *   SAUVOLA     T = m * (1 + k * (s / R - 1))
 *   NIBLACK     T = m - k * s
 *   LOCAL_OTSU  the lecture's locally adaptive thresholding: a window whose
 *               standard deviation is below min_contrast is uniform and classified
 *               whole by its mean; elsewhere T is Otsu's threshold of the local
 *               histogram. Local histograms are taken on a grid of windows one
 *               window apart and their thresholds interpolated bilinearly, so T
 *               varies smoothly (no block edges); uniform grid windows form areas,
 *               each classified whole by the edges around it, with thresholds that
 *               follow the area's own level. docs/adaptivethreshold.md has the
 *               exact definition.
 *
 * Exactness: window sums are exact integers. MEAN, SAUVOLA, NIBLACK and
 * LOCAL_OTSU take each pixel's decision from them with arithmetic shared with
 * iseg_adaptive_mask_ref(), so the fast path equals the reference bit for bit
 * (any image, settings, pool, instruction set). MEAN (offset * n rounded once
 * to double) and LOCAL_OTSU (T an exact rational) are exact; SAUVOLA and
 * NIBLACK round (single precision up to 257 x 257 windows, double beyond) and
 * may decide a pixel with |v - T| < 4.9e-4 * (1 + |k|) gray levels either way.
 * GAUSSIAN runs in single precision and equals the float64 definition except
 * for pixels within 2 * (3r + 8) * 255 * 2^-24 + |offset| * 2^-23 of T
 * (r = block_size / 2); an exact tie is always background. The derivations
 * are in docs/adaptivethreshold.md ("Accuracy").
 *
 * Speed does not depend on the window size for MEAN, SAUVOLA, NIBLACK (running
 * sums) and LOCAL_OTSU's per-pixel pass; GAUSSIAN is a separable convolution,
 * linear in block_size.
 */
#ifndef IMAGESEG_ADAPTIVE_H
#define IMAGESEG_ADAPTIVE_H

#include <imageseg/image.h>
#include <imageseg/parallel.h>
#include <imageseg/threshold.h>

ISEG_BEGIN_DECLS

#define ISEG_ADAPTIVE_BLOCK_MIN 3
#define ISEG_ADAPTIVE_BLOCK_MAX 1023

typedef enum IsegAdaptiveMethod {
    ISEG_ADAPTIVE_LOCAL_OTSU = 0,
    ISEG_ADAPTIVE_MEAN = 1,
    ISEG_ADAPTIVE_GAUSSIAN = 2,
    ISEG_ADAPTIVE_SAUVOLA = 3,
    ISEG_ADAPTIVE_NIBLACK = 4,
} IsegAdaptiveMethod;

/* How LOCAL_OTSU classifies a uniform window (standard deviation below
 * min_contrast) by its mean m. */
typedef enum IsegAdaptiveUniform {
    /* foreground iff m > T(x, y), the threshold interpolated from the grid:
     * the nearby non-uniform windows' and, inside a uniform area, one kept
     * on the area's side of its own mean, the area being classified by the
     * edges around it (default: robust under uneven lighting, where a single
     * frame-wide level cannot separate paper in the shadow from ink in the
     * light) */
    ISEG_ADAPTIVE_UNIFORM_LOCAL = 0,
    /* foreground iff m >= the frame's global Otsu threshold (first foreground
     * level, as iseg_otsu_threshold() returns it) */
    ISEG_ADAPTIVE_UNIFORM_GLOBAL = 1,
} IsegAdaptiveUniform;

typedef struct IsegAdaptiveSettings {
    IsegAdaptiveMethod method;
    int block_size;              /* odd, ISEG_ADAPTIVE_BLOCK_MIN..ISEG_ADAPTIVE_BLOCK_MAX */
    double offset;               /* MEAN, GAUSSIAN: subtracted from T (OpenCV's C); finite */
    double k;                    /* SAUVOLA, NIBLACK; finite */
    double dynamic_range;        /* SAUVOLA R; finite, > 0 */
    double min_contrast;         /* LOCAL_OTSU: uniform iff local std dev < this; finite, >= 0 */
    IsegAdaptiveUniform uniform; /* LOCAL_OTSU: rule for uniform windows */
    int invert;                  /* foreground iff luma <= T */
} IsegAdaptiveSettings;

/* Defaults: LOCAL_OTSU, block 31, offset 0, k 0.2, R 128, min_contrast 12,
 * ISEG_ADAPTIVE_UNIFORM_LOCAL, not inverted. */
ISEG_API void iseg_adaptive_default_settings(IsegAdaptiveSettings *s);

/* 0 if s is valid, -EINVAL otherwise (even or out-of-range block size,
 * non-finite numbers, R <= 0, min_contrast < 0, unknown enum). */
ISEG_API int iseg_adaptive_settings_check(const IsegAdaptiveSettings *s);

typedef struct IsegAdaptive IsegAdaptive;

/* Prepares to threshold images up to max_width x max_height: all scratch that
 * does not depend on the pool is allocated here (per-thread scratch is
 * allocated by the first run with a larger pool and kept). The context keeps
 * a copy of *s. */
ISEG_API int iseg_adaptive_create(IsegAdaptive **out, const IsegAdaptiveSettings *s, int max_width,
                                  int max_height);

/* Replaces the settings (validated first; on error the old ones stay).
 * Never allocates. Not concurrently with a run on the same context. */
ISEG_API int iseg_adaptive_set_settings(IsegAdaptive *ctx, const IsegAdaptiveSettings *s);

ISEG_API void iseg_adaptive_get_settings(const IsegAdaptive *ctx, IsegAdaptiveSettings *s);

/* NULL is a no-op. */
ISEG_API void iseg_adaptive_destroy(IsegAdaptive *ctx);

/* Writes the mask of src (255 foreground / 0) to dst, same size, at most the
 * context's maximum size. src is only read; src and dst must not overlap
 * (every output pixel depends on a whole window of input): overlapping
 * images are refused with -EINVAL. pool may be NULL;
 * the output is bit-identical for every pool size. One run at a time per
 * context. Returns 0, -EINVAL or -ENOMEM (per-thread scratch of a bigger
 * pool). */
ISEG_API int iseg_adaptive_mask(IsegAdaptive *ctx, const IsegImage *src, IsegImage *dst,
                                IsegPool *pool);

/* The plain definition: every window summed pixel by pixel into exact
 * integers, O(block^2) per pixel (LOCAL_OTSU: brute-force window histograms,
 * iseg_otsu_threshold_ref), then the same per-pixel decision as the fast path
 * (GAUSSIAN: the float64 weighted sum). For tests; slow. src and dst must not
 * overlap. */
ISEG_API int iseg_adaptive_mask_ref(const IsegAdaptiveSettings *s, const IsegImage *src,
                                    IsegImage *dst);

/* Thresholds a frame in place: the mask of its luma plane is computed into
 * the context's scratch, then the frame is composed from it as
 * iseg_frame_apply_mask() does (output MASK: luma = mask, chroma neutral;
 * MASKED: the lecture's f·m with the chroma rule of threshold.h).
 * fg_count (may be NULL) receives the number of foreground luma pixels. */
ISEG_API int iseg_adaptive_frame(IsegAdaptive *ctx, IsegFrame *frame, IsegThresholdOutput output,
                                 IsegPool *pool, uint64_t *fg_count);

/* The same, out of place: src is only read, every luma pixel and chroma
 * sample of dst is written, with the result iseg_adaptive_frame() gives on a
 * copy of src. dst as for iseg_threshold_frame_to() (same size and chroma
 * layout, any strides, the same frame or no overlap). Out of place the mask
 * is computed straight into dst's luma, without the scratch pass. */
ISEG_API int iseg_adaptive_frame_to(IsegAdaptive *ctx, const IsegFrame *src, IsegFrame *dst,
                                    IsegThresholdOutput output, IsegPool *pool, uint64_t *fg_count);

ISEG_END_DECLS

#endif
