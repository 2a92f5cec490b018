/* imageseg-bench — the throughput program shared by every topic.
 *
 * A section (one per topic: threshold, adaptive, kmeans, morph, hitmiss) is a
 * function that declares cases: one operation, at one frame size and thread
 * count, by one implementation ("imageseg", "opencv", "memcpy"). The framework
 * filters, times and tabulates them, and prints each section's table with
 * Mpixel/s, the cost in memcpys of the same frame (measured in the same run)
 * and the speed-up over OpenCV's case of the same name, size and threads.
 *
 * Adding a section "foo":
 *   1. bench/bench_foo.c defining `const BenchSection bench_section_foo`;
 *   2. optionally bench/cv_foo.cpp with extern "C" wrappers over OpenCV,
 *      declared in bench_foo.c under #ifdef HAVE_OPENCV;
 *   3. one line BENCH_SECTION(foo) in bench/sections.def;
 *   4. one line 'foo' in the bench_sections list of bench/meson.build.
 * Declare the wrappers of cv_foo.cpp identically in both files (C cannot see
 * the C++ definitions).
 *
 * This header is included by the C++ wrappers too (extern "C" below), which
 * are the only C++ in the project.
 */
#ifndef IMAGESEG_BENCH_H
#define IMAGESEG_BENCH_H

#include <imageseg/imageseg.h>

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct Bench Bench;

/* ------------------------------------------------------------ sections */

typedef struct BenchSection {
    const char *name;        /* "threshold": the first part of every case id */
    const char *description; /* one line, printed above the table */
    void (*run)(Bench *b);   /* declares (and so runs) the section's cases */
} BenchSection;

/* ------------------------------------------------------------ cases */

/* The implementation names the framework knows: the memcpy baseline row and
 * the OpenCV row are matched with imageseg rows by (name, size, threads). */
#define BENCH_IMPL_ISEG   "imageseg"
#define BENCH_IMPL_OPENCV "opencv"

typedef struct BenchCase {
    const char *name;  /* "otsu", "histogram" ... (no spaces) */
    const char *impl;  /* BENCH_IMPL_ISEG (default when NULL) or BENCH_IMPL_OPENCV */
    int width, height; /* the frame size: pixels per call = width * height */
    int channels;      /* bytes a pixel (0 means 1): the memcpy baseline copies
                          width * height * channels bytes */
    unsigned threads;  /* threads the call uses (for the table and the pairing) */
    const char *note;  /* short remark for the table ("in place"), may be NULL */
    /* Called, untimed, before every timed call, e.g. to restore a frame that
     * an in-place operation overwrote. NULL: none; then calls are also
     * batched when one call is too short to time alone. */
    void (*prepare)(void *arg);
    void (*run)(void *arg); /* the timed call */
    void *arg;
} BenchCase;

/* Case id, used by --filter and --list: "section/name/impl/WxH/tN",
 * e.g. "threshold/otsu/opencv/1920x1080/t1". */

/* 1 if a case with these fields would run (or be listed) under the current
 * options: lets a section skip expensive setup for filtered-out cases.
 * impl NULL means BENCH_IMPL_ISEG or BENCH_IMPL_OPENCV. */
int bench_wanted(const Bench *b, const char *name, const char *impl, int width, int height,
                 unsigned threads);

/* Times the cases of an array together (or lists them with --list; skips
 * those filtered out), calling them in turn sample by sample (A B C, B C A,
 * C A B ...) so that whatever else runs on the machine, and whatever the
 * previous call left in the caches, hits them alike: give it the cases that
 * will be compared (ours and OpenCV's at one size and thread count). Each is
 * repeated until it has its share of the minimum time and sample count; its
 * row records the median (or with --best the fastest) time per call. The
 * memcpy baseline of each size and thread count is timed just before the
 * first group of that size in every round. The cases and what their args
 * point to need only live for the call. */
void bench_cases(Bench *b, const BenchCase *cases, int n);

/* bench_cases() for one case. */
void bench_case(Bench *b, const BenchCase *c);

/* Records a correctness check of the section (e.g. "our mask equals
 * OpenCV's"): printed under the table; a failed check makes the program
 * exit with status 1. Skipped (and not printed) with --list. */
void bench_check(Bench *b, int ok, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* A remark printed under the section's table. */
void bench_note(Bench *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* ------------------------------------------------------------ options */

typedef struct BenchSize {
    int width, height;
} BenchSize;

/* The frame sizes to run (default 640x480, 1920x1080, 3840x2160; --sizes). */
int bench_n_sizes(const Bench *b);
BenchSize bench_size(const Bench *b, int i);

/* The thread counts to run: 1, then the "all threads" count (--threads,
 * default iseg_cpu_count()) unless that is 1. Returns how many (1 or 2). */
int bench_thread_counts(const Bench *b, unsigned counts[2]);

/* A pool of `threads` threads owned by the framework (created on first use,
 * reused); NULL for threads <= 1, which the library runs on the caller. */
IsegPool *bench_pool(Bench *b, unsigned threads);

/* 1 when --list was given: bench_case() only prints ids. */
int bench_listing(const Bench *b);

/* The round (0 .. --rounds - 1) of the section being run: one-off work such
 * as correctness checks need only be done in round 0. */
int bench_round(const Bench *b);

/* ------------------------------------------------------------ frames */

typedef enum BenchFrameKind {
    BENCH_FRAME_GRAY = 0, /* "photo": smooth shading, shapes, texture, sensor noise */
    BENCH_FRAME_RGB,      /* the same scene in colour, packed R, G, B (3 bytes a pixel) */
    BENCH_FRAME_RGBX,     /* the same, 4 bytes a pixel, x = 255 */
    BENCH_FRAME_MASK,     /* binary 255/0: the scene's shapes plus salt-and-pepper specks */
} BenchFrameKind;

/* A packed image: pixel (x, y) channel c at data[y * stride + x * channels + c].
 * Rows start 64-byte aligned; stride = width * channels rounded up to 64. */
typedef struct BenchImage {
    uint8_t *data;
    int width, height;
    int channels;
    ptrdiff_t stride;
} BenchImage;

/* The test frame of that kind and size: deterministic (same pixels on every
 * machine and run), generated on first use and owned by the framework, valid
 * until the section returns (after its last round). Read only. NULL only if
 * out of memory. */
const BenchImage *bench_frame(Bench *b, BenchFrameKind kind, int width, int height);

/* A scratch image of the same layout rules (contents undefined); free with
 * bench_image_free(). Returns 0 or -ENOMEM. */
int bench_image_alloc(BenchImage *img, int width, int height, int channels);
void bench_image_free(BenchImage *img);

/* Copies the pixels of src into dst (same size and channels). */
void bench_image_copy(BenchImage *dst, const BenchImage *src);

/* Single-channel view for the library (channels must be 1). */
static inline IsegImage bench_image_view(const BenchImage *img)
{
    IsegImage v;
    v.data = img->data;
    v.width = img->width;
    v.height = img->height;
    v.stride = img->stride;
    return v;
}

/* ------------------------------------------------------------ OpenCV glue
 * Implemented in cv_common.cpp when built with OpenCV (HAVE_OPENCV). */

/* OpenCV's version string and its parallel framework ("TBB", "pthreads" ...). */
const char *bench_cv_version(void);
const char *bench_cv_parallel_framework(void);

/* cv::setNumThreads(n): OpenCV's own parallel_for_ runs on n threads (n = 1:
 * no worker threads). Called by the framework before every OpenCV case with
 * the case's thread count, so sections need not. */
void bench_cv_set_threads(unsigned n);

#ifdef __cplusplus
}
#endif

#endif
