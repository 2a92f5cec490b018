/* imageseg — k-means clustering of pixels (the lecture's "segmentation as
 * clustering": pixels are points in color space, 3-D, or color + location
 * space, 5-D; the k-means loop groups them into k segments).
 *
 * The loop is the lecture's: initialise k centers, put every point into the
 * cluster of its nearest center, move each center to the mean of its points,
 * repeat while the centers move. What makes it fast enough for video is what
 * the loop runs on (a "coreset": a small weighted summary of the frame that
 * depends on nothing but the pixels), and that each frame can start from the
 * previous frame's centers:
 *
 *  - color features: the coreset is a color histogram with 32 levels per
 *    channel (5 bits), each occupied bin standing for its pixels by their
 *    count and their exact mean color, built from a regular grid sample of
 *    at most ISEG_KMEANS_COLOR_SAMPLE_TARGET pixels (every pixel of frames up
 *    to that size, every other pixel of every other row at 1080p). A frame
 *    with few colors (at most 256 occupied bins) gets finer bins, 128 or
 *    256 levels per channel: its exact colors. GRAY8 uses the exact 256-level histogram of every
 * pixel, so for gray the loop is exactly the loop over the pixels.
 *  - color + position features: the coreset is a regular grid sample of at
 *    most ISEG_KMEANS_SAMPLE_TARGET pixels (every pixel when the frame is
 *    that small).
 *
 * The loop (initialisation, iterations, stopping rule) runs on the coreset;
 * a cold start tries 2 to 8 initialisations for three iterations each and
 * continues the best (the one whose coreset points are closest to their
 * centers);
 * then every pixel of the frame gets the label of its nearest final center
 * (exactly: Euclidean distance in feature space computed in double, the
 * lowest label on a tie), and the inertia is summed over every pixel.
 *
 * Features. A pixel with color (R, G, B) (or gray value V) at column x, row y
 * of a W x H frame has the features
 *     color:           (R, G, B)                          or (V)
 *     color-position:  (R, G, B, w * X, w * Y)            or (V, w * X, w * Y)
 * with X = 255 * x / (W - 1), Y = 255 * y / (H - 1) (0 when W or H is 1) and
 * w the spatial weight. Distances and the inertia are in these units.
 *
 * Centers are reported (and accepted for a warm start) as k rows of
 * R, G, B (or V) then X, Y in 0..255, i.e. without the spatial weight.
 *
 * Label numbering. A cold start (k-means++ or random initialisation) numbers
 * the final centers by increasing luminance 0.299 R + 0.587 G + 0.114 B
 * (gray: V), then by R, G, B, X, Y, then by the order they were found in.
 * A warm start keeps the numbering of the centers it started from: label i of
 * this frame is the cluster that grew from center i of the previous frame, so
 * labels (and the palette colors drawn from them) do not jump between frames.
 *
 * Label hysteresis. On video, the pixels that lie near the boundary between
 * two clusters flip from one label to the other and back with the sensor and
 * compression noise, although neither the scene nor the centers moved. With
 * settings->hysteresis = h > 0, a frame that starts warm from the centers
 * the previous call kept (same k, features and frame size) lets a pixel keep
 * its previous label l unless the nearest center n is nearer by more than h:
 *     label = l   if |f - c_l| < |f - c_n| + h   (distances, not squared)
 *     label = n   otherwise
 * (n is the nearest center as above). The loop and the centers are not
 * affected: only which of the final centers a pixel is drawn with, and so the
 * reported counts and inertia (the inertia is the true sum over the labels
 * given). h = 0, a cold start, iseg_kmeans_set_centers() and
 * iseg_kmeans_reset() give every pixel its nearest center. The previous
 * labels are kept in the context (max_width x max_height bytes, allocated on
 * the first call that needs them).
 *
 * Determinism: the same pixels and settings give bit-identical centers,
 * labels, inertia and output for every pool size and on every run (all sums
 * over pixels are exact integer sums; the loop itself runs on one thread).
 */
#ifndef IMAGESEG_KMEANS_H
#define IMAGESEG_KMEANS_H

#include <imageseg/image.h>
#include <imageseg/parallel.h>

ISEG_BEGIN_DECLS

#define ISEG_KMEANS_MIN_K          2
#define ISEG_KMEANS_MAX_K          64
#define ISEG_KMEANS_MAX_ITERATIONS 100
/* R, G, B, X, Y */
#define ISEG_KMEANS_MAX_DIMS 5
/* color features: the histogram is built from a grid sample of at most this
 * many pixels (every pixel of frames up to this size) */
#define ISEG_KMEANS_COLOR_SAMPLE_TARGET (1 << 19)
/* color-position features: the loop runs on a grid sample of at most this
 * many pixels */
#define ISEG_KMEANS_SAMPLE_TARGET 16384
/* largest spatial weight accepted */
#define ISEG_KMEANS_MAX_SPATIAL_WEIGHT 1000.0
/* largest label hysteresis accepted (feature units) */
#define ISEG_KMEANS_MAX_HYSTERESIS 1000.0
/* the default label hysteresis (see "Label hysteresis" above) */
#define ISEG_KMEANS_DEFAULT_HYSTERESIS 10.0

/* ------------------------------------------------------------ pixel views */

/* Packed 8-bit pixel layouts. x/X bytes are padding, A bytes alpha: the
 * library never writes either. */
typedef enum IsegPixelFormat {
    ISEG_PIXEL_RGB = 0,
    ISEG_PIXEL_BGR,
    ISEG_PIXEL_RGBX,
    ISEG_PIXEL_BGRX,
    ISEG_PIXEL_XRGB,
    ISEG_PIXEL_XBGR,
    ISEG_PIXEL_RGBA,
    ISEG_PIXEL_BGRA,
    ISEG_PIXEL_ARGB,
    ISEG_PIXEL_ABGR,
    ISEG_PIXEL_GRAY8,
    ISEG_PIXEL_N_FORMATS
} IsegPixelFormat;

/* A packed-pixel image: pixel (x, y) starts at data[y * stride + x * bytes_per_pixel]
 * and its red, green, blue bytes are at offsets r, g, b from there. A gray
 * image has bytes_per_pixel 1 and r = g = b = 0. Does not own the memory.
 * stride >= width * bytes_per_pixel (negative strides are not supported). */
typedef struct IsegPixels {
    uint8_t *data;
    int width;
    int height;
    ptrdiff_t stride;
    int bytes_per_pixel; /* 1 (gray), 3 or 4 */
    int r, g, b;         /* byte offsets within a pixel; distinct for 3 or 4 bytes */
} IsegPixels;

/* Fills *px for one of the formats above. Returns -EINVAL for an unknown
 * format or a bad size/stride (see iseg_pixels_check()). */
ISEG_API int iseg_pixels_init(IsegPixels *px, IsegPixelFormat format, uint8_t *data, int width,
                              int height, ptrdiff_t stride);

/* 0 if px is usable: data set, width and height >= 1, bytes_per_pixel 1, 3
 * or 4, offsets in range and distinct (all 0 for gray), stride large enough. */
ISEG_API int iseg_pixels_check(const IsegPixels *px);

/* 1 for a one-channel (gray) view. */
static inline int iseg_pixels_is_gray(const IsegPixels *px)
{
    return px->bytes_per_pixel == 1;
}

/* ------------------------------------------------------------ settings */

typedef enum IsegKmeansFeatures {
    ISEG_KMEANS_COLOR = 0,          /* 3-D color (1-D for gray) */
    ISEG_KMEANS_COLOR_POSITION = 1, /* color + (w X, w Y) */
} IsegKmeansFeatures;

/* ISEG_KMEANS_INIT_PP: k-means++ (greedy: the best of 2 + ln k draws per
 * center). ISEG_KMEANS_INIT_RANDOM: k distinct random points (pixels, in
 * proportion to their number). */
typedef enum IsegKmeansInit {
    ISEG_KMEANS_INIT_PP = 0,
    ISEG_KMEANS_INIT_RANDOM = 1,
} IsegKmeansInit;

/* CENTERS: every pixel takes its cluster's center color (rounded).
 * PALETTE: a fixed distinct color per label, see iseg_kmeans_palette_color().
 * LABELS: R = G = B (or gray) = label index. */
typedef enum IsegKmeansOutput {
    ISEG_KMEANS_OUTPUT_CENTERS = 0,
    ISEG_KMEANS_OUTPUT_PALETTE = 1,
    ISEG_KMEANS_OUTPUT_LABELS = 2,
} IsegKmeansOutput;

typedef struct IsegKmeansSettings {
    int k; /* ISEG_KMEANS_MIN_K..ISEG_KMEANS_MAX_K */
    IsegKmeansFeatures features;
    double spatial_weight;   /* 0..ISEG_KMEANS_MAX_SPATIAL_WEIGHT, color-position only */
    int max_iterations;      /* 1..ISEG_KMEANS_MAX_ITERATIONS */
    double epsilon;          /* >= 0: stop when no center moved more than this */
    IsegKmeansInit init;     /* used on a cold start */
    uint32_t seed;           /* random seed of the initialisation */
    int warm_start;          /* start from the previous call's centers when they fit */
    IsegKmeansOutput output; /* what iseg_kmeans_segment() writes to dst */
    /* 0..ISEG_KMEANS_MAX_HYSTERESIS, feature units (color values): label
     * hysteresis of a warm-started frame, see "Label hysteresis" above */
    double hysteresis;
} IsegKmeansSettings;

/* k 4, color, spatial weight 1, 10 iterations, epsilon 1, k-means++, seed 0,
 * warm start on, output centers, hysteresis ISEG_KMEANS_DEFAULT_HYSTERESIS:
 * the kmeansseg element's defaults. */
ISEG_API void iseg_kmeans_default_settings(IsegKmeansSettings *s);

/* 0 if every field is in range, -EINVAL otherwise. */
ISEG_API int iseg_kmeans_settings_check(const IsegKmeansSettings *s);

/* ------------------------------------------------------------ results */

typedef struct IsegKmeansResult {
    int k;    /* number of labels */
    int dims; /* values per center: 1 or 3 color, + 2 with position */
    /* center of label i: dims values, color first then X, Y in 0..255
     * (without the spatial weight) */
    double centers[ISEG_KMEANS_MAX_K][ISEG_KMEANS_MAX_DIMS];
    uint64_t counts[ISEG_KMEANS_MAX_K]; /* pixels that got label i (0 for an empty cluster) */
    double inertia; /* sum over all pixels of the squared feature distance to its center */
    int iterations; /* center updates run (1..max_iterations) */
    int warm;       /* 1 if this call started from given or previous centers */
} IsegKmeansResult;

/* ------------------------------------------------------------ context */

typedef struct IsegKmeans IsegKmeans;

/* Creates a context for frames of at most max_width x max_height pixels
 * (any format). Everything the per-frame work needs is allocated here, except
 * per-thread histograms, which are allocated on the first call with a pool of
 * more threads than any call before (and kept). */
ISEG_API int iseg_kmeans_create(IsegKmeans **out, int max_width, int max_height);

/* NULL is a no-op. */
ISEG_API void iseg_kmeans_destroy(IsegKmeans *km);

/* Forgets the centers kept for a warm start: the next call starts cold.
 * Call on a seek/flush or a format change. */
ISEG_API void iseg_kmeans_reset(IsegKmeans *km);

/* Makes the next call start from these k centers (k rows of dims values, in
 * the units of IsegKmeansResult.centers; color values 0..255, X, Y 0..255),
 * whether or not warm_start is set, if that call has the same k and dims;
 * otherwise they are ignored and the call starts cold. Label i of that call
 * is the cluster grown from centers[i]. Values up to ISEG_KMEANS_CENTER_MAX
 * are accepted: a reported X or Y of 255 * x / (W - 1) may exceed 255 by a
 * rounding error, and centers read back from a result must be accepted. */
#define ISEG_KMEANS_CENTER_MAX (255.0 * (1.0 + 1e-12))
ISEG_API int iseg_kmeans_set_centers(IsegKmeans *km, int k, int dims, const double *centers);

/* Clusters the pixels of src and, if dst is not NULL, writes the output
 * chosen by settings->output into its R, G, B bytes. The fourth byte of a
 * 4-byte dst (padding or alpha) is copied from the fourth byte of a 4-byte
 * src when they are different images (so an element working out of place
 * keeps the alpha), and left untouched otherwise.
 * dst must have src's size and be gray if and only if src is; it may be the
 * very same view as src (in place) but must not otherwise overlap it. If
 * labels is not NULL it receives the label of every pixel (an 8-bit image of
 * src's size, not overlapping src or dst). result may be NULL.
 *
 * With settings->warm_start, the final centers are kept in km and the next
 * call with the same k and dims starts from them (1-2 iterations on video).
 * A call that starts cold uses settings->init and settings->seed.
 * Output is bit-identical for every pool size (pool may be NULL).
 * Returns -EINVAL on bad arguments (frame larger than the context's maximum
 * included); then nothing is written and the kept centers are unchanged. */
ISEG_API int iseg_kmeans_segment(IsegKmeans *km, const IsegKmeansSettings *settings,
                                 const IsegPixels *src, IsegPixels *dst, IsegImage *labels,
                                 IsegKmeansResult *result, IsegPool *pool);

/* Plain reference version of iseg_kmeans_segment(): the same coreset built
 * one pixel at a time, the loop with every distance computed, every pixel
 * compared with every center. Same results, bit for bit; much slower. */
ISEG_API int iseg_kmeans_segment_ref(IsegKmeans *km, const IsegKmeansSettings *settings,
                                     const IsegPixels *src, IsegPixels *dst, IsegImage *labels,
                                     IsegKmeansResult *result);

/* The palette output's color of label i (0..ISEG_KMEANS_MAX_K-1): distinct,
 * well separated hues and lightnesses, the same in every version. For gray
 * output label i of k is drawn as round(255 * i / (k - 1)). */
ISEG_API void iseg_kmeans_palette_color(int label, uint8_t rgb[3]);

/* A 255/0 mask of chosen labels (for a cut-out, the alpha output of the
 * kmeansseg element): mask pixel = 255 where bit l of `selected` is set, l
 * being the labels pixel (a label image as iseg_kmeans_segment() writes
 * it; values of 64 and more are never selected), 0 elsewhere. mask must
 * have the size of labels; it may be the very same image (in place) but
 * must not otherwise overlap it. Returns 0, or -EINVAL. */
ISEG_API int iseg_kmeans_labels_mask(const IsegImage *labels, uint64_t selected, IsegImage *mask);

/* ------------------------------------------------------------ YUV 4:2:0 input */

/* Clusters the pixels of a 4:2:0 frame: I420 and YV12 (planar chroma,
 * chroma_pixel_stride 1) or NV12 and NV21 (interleaved, chroma_pixel_stride
 * 2), chroma[0] being U (Cb) and chroma[1] V (Cr) whatever their order in
 * memory, chroma_shift_x = chroma_shift_y = 1, chroma planes of
 * (W + 1) / 2 x (H + 1) / 2 samples (see IsegFrame).
 *
 * Features: luma pixel (x, y) is the color (Y, U, V), U and V being the
 * values of the chroma sample (x / 2, y / 2) that covers it (no
 * interpolation); color-position adds X, Y exactly as for RGB. Everything
 * else (coreset, loop, warm start, determinism across pool sizes) is that of
 * iseg_kmeans_segment() run on the frame packed as 3-byte Y, U, V pixels,
 * which is how it is implemented: the centers, counts, inertia and labels
 * are the ones iseg_kmeans_segment() gives on that packed image, except the
 * label numbering of a cold start, which is by increasing Y, then U, V, X, Y
 * (luminance of Y, U, V read as R, G, B would mean nothing). Centers are
 * reported (and accepted by iseg_kmeans_set_centers()) as Y, U, V[, X, Y].
 *
 * Output written to dst (if not NULL), per label l of a luma pixel:
 *   centers: the rounded center (Y, U, V) of l;
 *   palette: iseg_kmeans_palette_yuv(l), the palette color in BT.601 limited
 *            range;
 *   labels:  Y = l, U = V = 128.
 * The luma pixel takes its Y; a chroma sample takes the mean of the U (V)
 * of the 1, 2 or 4 luma pixels it covers (fewer at an odd right or bottom
 * edge), rounded half up in integers: (sum + n / 2) / n.
 *
 * dst must be a 4:2:0 frame of src's size (planar or interleaved, like src
 * or not). src is read completely before anything is written, so dst may be
 * src itself (in place) or overlap it in any way. labels (optional) is as in
 * iseg_kmeans_segment() and must not overlap dst. result may be NULL.
 *
 * The context keeps a packed copy of the frame: 3 bytes per pixel of its
 * maximum size, allocated on its first YUV call and kept until destroyed
 * (-ENOMEM if that fails). The warm-start centers kept by a context are in
 * the feature space of its last call: call iseg_kmeans_reset() when one
 * context switches between RGB and YUV input.
 * Returns -EINVAL on bad arguments; then nothing is written and the kept
 * centers are unchanged. */
ISEG_API int iseg_kmeans_segment_yuv420(IsegKmeans *km, const IsegKmeansSettings *settings,
                                        const IsegFrame *src, IsegFrame *dst, IsegImage *labels,
                                        IsegKmeansResult *result, IsegPool *pool);

/* Plain reference version of iseg_kmeans_segment_yuv420(): packs one pixel
 * at a time, runs iseg_kmeans_segment_ref() and writes every luma pixel and
 * chroma sample from the reported centers. Same results, bit for bit. */
ISEG_API int iseg_kmeans_segment_yuv420_ref(IsegKmeans *km, const IsegKmeansSettings *settings,
                                            const IsegFrame *src, IsegFrame *dst, IsegImage *labels,
                                            IsegKmeansResult *result);

/* The palette color of label i for YUV output: iseg_kmeans_palette_color(i)
 * converted to Y'CbCr with the BT.601 limited-range (studio swing)
 * coefficients, each rounded half up:
 *   Y  = 16  + ( 65.481 R + 128.553 G +  24.966 B) / 255
 *   Cb = 128 + (-37.797 R -  74.203 G + 112.0   B) / 255
 *   Cr = 128 + (112.0   R -  93.786 G -  18.214 B) / 255
 * (Y in 16..235, Cb, Cr in 16..240). yuv[0] = Y, yuv[1] = Cb, yuv[2] = Cr. */
ISEG_API void iseg_kmeans_palette_yuv(int label, uint8_t yuv[3]);

ISEG_END_DECLS

#endif
