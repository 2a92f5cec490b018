/* imageseg — histograms and global thresholds (the lecture's Otsu method and
 * basic global thresholding), and applying a threshold to a frame.
 *
 * Threshold convention: T is the first foreground level, 0..256.
 * A pixel is foreground iff value >= T (or value < T when inverted), so T = 0
 * makes everything foreground and T = 256 nothing. On the lecture's 6-level
 * example Otsu gives T = 3. OpenCV's cv::threshold(THRESH_OTSU) returns t_cv
 * with foreground iff value > t_cv, i.e. T = t_cv + 1.
 */
#ifndef IMAGESEG_THRESHOLD_H
#define IMAGESEG_THRESHOLD_H

#include <imageseg/image.h>
#include <imageseg/parallel.h>

ISEG_BEGIN_DECLS

#define ISEG_HIST_BINS 256

/* hist[v] = number of pixels of value v. Fast version; pool may be NULL.
 * The result does not depend on the pool size. */
ISEG_API int iseg_histogram(const IsegImage *img, uint64_t hist[ISEG_HIST_BINS], IsegPool *pool);

/* Plain reference version of iseg_histogram(): one pixel at a time. */
ISEG_API int iseg_histogram_ref(const IsegImage *img, uint64_t hist[ISEG_HIST_BINS]);

/* The lecture's per-threshold statistics for threshold T (background = levels
 * < T, foreground = levels >= T). Weights are fractions of all pixels, means
 * in gray levels, variances in gray levels squared (population variances).
 * An empty class has weight, mean and variance 0. */
typedef struct IsegOtsuStats {
    double weight_bg, mean_bg, var_bg;
    double weight_fg, mean_fg, var_fg;
    double within;  /* W_b * var_b + W_f * var_f */
    double between; /* W_b * W_f * (mean_b - mean_f)^2 */
} IsegOtsuStats;

/* Statistics at T (0..256) of an image with histogram hist (at least one pixel). */
ISEG_API int iseg_otsu_stats(const uint64_t hist[ISEG_HIST_BINS], unsigned T, IsegOtsuStats *out);

/* Otsu's threshold: the T in 1..255 that maximises the between-class variance
 * (the smallest such T on ties, which matches OpenCV). A histogram with fewer
 * than two occupied levels has no two classes: T = (its level + 1), so nothing
 * is foreground. Writes T to *T_out; between_out (may be NULL) receives the
 * between-class variance at T (0 for a single level). */
ISEG_API int iseg_otsu_threshold(const uint64_t hist[ISEG_HIST_BINS], unsigned *T_out,
                                 double *between_out);

/* Plain reference for iseg_otsu_threshold(): evaluates iseg_otsu_stats() at
 * every T in 1..255. Same result, ~100x slower. */
ISEG_API int iseg_otsu_threshold_ref(const uint64_t hist[ISEG_HIST_BINS], unsigned *T_out,
                                     double *between_out);

/* The lecture's basic global thresholding: T starts at the mean; the pixels
 * >= T (G1) and < T (G2) give means m1, m2 and T = (m1 + m2) / 2; repeat until
 * T changes by less than epsilon (> 0), at most 1000 rounds. The integer
 * threshold returned is ceil(T) (foreground iff value >= T). If a class is
 * empty or the histogram has a single level, the result is as for Otsu.
 * t_real_out and iterations_out may be NULL. */
ISEG_API int iseg_iterative_threshold(const uint64_t hist[ISEG_HIST_BINS], double epsilon,
                                      unsigned *T_out, double *t_real_out,
                                      unsigned *iterations_out);

typedef enum IsegThresholdOutput {
    ISEG_OUTPUT_MASK = 0,   /* foreground 255, background 0; chroma neutral */
    ISEG_OUTPUT_MASKED = 1, /* the lecture's f·m: foreground keeps its value, background 0;
                               a chroma sample is kept where any luma pixel it covers is
                               foreground, neutral (128) otherwise */
} IsegThresholdOutput;

/* Applies threshold T (0..256) to a frame in place: luma per `output`, chroma
 * planes as documented above. invert: foreground iff value < T.
 * pool may be NULL; output is identical for every pool size. */
ISEG_API int iseg_threshold_frame(IsegFrame *frame, unsigned T, int invert,
                                  IsegThresholdOutput output, IsegPool *pool);

/* The same, out of place: src is only read, every luma pixel and chroma
 * sample of dst is written (dst = what iseg_threshold_frame() would make of
 * a copy of src). dst must have src's luma size and chroma layout (n_chroma,
 * shifts, chroma_pixel_stride); strides may differ. src and dst may be the
 * very same frame (then this is iseg_threshold_frame()) but no plane of one
 * may otherwise overlap a plane of the other (-EINVAL). This is how an
 * element processes a buffer it may not write: no copy first. */
ISEG_API int iseg_threshold_frame_to(const IsegFrame *src, IsegFrame *dst, unsigned T, int invert,
                                     IsegThresholdOutput output, IsegPool *pool);

/* Plain reference version of iseg_threshold_frame() (single thread). */
ISEG_API int iseg_threshold_frame_ref(IsegFrame *frame, unsigned T, int invert,
                                      IsegThresholdOutput output);

/* Thresholds a single plane: dst = mask or masked(src). src and dst may be the
 * same image (in place) but must not otherwise overlap. */
ISEG_API int iseg_threshold_image(const IsegImage *src, IsegImage *dst, unsigned T, int invert,
                                  IsegThresholdOutput output, IsegPool *pool);

/* Sets every chroma sample of the frame to 128 (neutral); luma untouched. */
ISEG_API int iseg_frame_neutral_chroma(IsegFrame *frame, IsegPool *pool);

/* Number of foreground pixels for threshold T according to hist. */
ISEG_API uint64_t iseg_histogram_count_foreground(const uint64_t hist[ISEG_HIST_BINS], unsigned T,
                                                  int invert);

/* Composes a frame from a binary mask of its luma plane (a mask pixel is
 * foreground iff >= 128), for thresholds that produce a mask rather than a
 * single level (adaptive thresholds):
 *   ISEG_OUTPUT_MASK:   luma = 255 foreground / 0, chroma neutral (128);
 *   ISEG_OUTPUT_MASKED: luma keeps its value where foreground and is 0
 *                       elsewhere; a chroma sample is kept where any luma
 *                       pixel it covers is foreground, 128 otherwise.
 * mask has the luma plane's size and must not overlap any plane of the frame.
 * fg_count (may be NULL) receives the number of foreground pixels. pool may
 * be NULL; the output is identical for every pool size. */
ISEG_API int iseg_frame_apply_mask(IsegFrame *frame, const IsegImage *mask,
                                   IsegThresholdOutput output, IsegPool *pool, uint64_t *fg_count);

/* The same, out of place: the frame composed from src's pixels is written
 * to dst (every luma pixel and chroma sample), src is only read. dst as for
 * iseg_threshold_frame_to(). mask must not overlap src or dst, except that
 * it may be dst->luma itself (same data and stride): each mask pixel is read
 * before the luma pixel it decides is written, so a mask computed straight
 * into the output's luma plane needs no scratch image. */
ISEG_API int iseg_frame_apply_mask_to(const IsegFrame *src, IsegFrame *dst, const IsegImage *mask,
                                      IsegThresholdOutput output, IsegPool *pool,
                                      uint64_t *fg_count);

/* Plain reference version of iseg_frame_apply_mask() (single thread). */
ISEG_API int iseg_frame_apply_mask_ref(IsegFrame *frame, const IsegImage *mask,
                                       IsegThresholdOutput output, uint64_t *fg_count);

ISEG_END_DECLS

#endif
