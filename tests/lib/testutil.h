/* Tiny test harness for the library tests: checks that count, a seeded
 * random generator, and images with random padding plus guard bytes that are
 * verified after every call (anything written outside the image is caught). */
#ifndef ISEG_TESTUTIL_H
#define ISEG_TESTUTIL_H

#include <imageseg/imageseg.h>

#include <stdio.h>

extern int tu_failures;
extern int tu_checks;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        tu_checks++;                                                                               \
        if (!(cond)) {                                                                             \
            tu_failures++;                                                                         \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);               \
        }                                                                                          \
    } while (0)

#define CHECK_MSG(cond, ...)                                                                       \
    do {                                                                                           \
        tu_checks++;                                                                               \
        if (!(cond)) {                                                                             \
            tu_failures++;                                                                         \
            fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond);               \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
        }                                                                                          \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                                         \
    CHECK_MSG((long long)(a) == (long long)(b), "%lld != %lld", (long long)(a), (long long)(b))

#define CHECK_NEAR(a, b, tol)                                                                      \
    CHECK_MSG(fabs((double)(a) - (double)(b)) <= (tol), "%.6f vs %.6f (tol %g)", (double)(a),      \
              (double)(b), (double)(tol))

/* Run a test function, print its name. */
#define RUN(fn)                                                                                    \
    do {                                                                                           \
        int before_ = tu_failures;                                                                 \
        fn();                                                                                      \
        printf("%s %s\n", tu_failures == before_ ? "ok  " : "FAIL", #fn);                          \
    } while (0)

/* Prints the summary and returns the process exit code. */
int tu_finish(void);

/* pools[0] = NULL (the calling thread alone), pools[i] = a pool of i + 1
 * threads, for i < n; a pool that cannot be made stays NULL (one thread). */
void tu_pools_create(IsegPool **pools, int n);
void tu_pools_destroy(IsegPool **pools, int n);

/* xorshift64*: deterministic, seeded (ISEG_TEST_SEED overrides the default). */
typedef struct TuRng {
    uint64_t s;
} TuRng;
void tu_rng_seed(TuRng *r, uint64_t seed);
uint64_t tu_rng_next(TuRng *r);
/* uniform in [lo, hi] */
int tu_rng_range(TuRng *r, int lo, int hi);
double tu_rng_double(TuRng *r);
uint64_t tu_seed(uint64_t default_seed);

/* An image whose rows have `pad` extra bytes and with GUARD bytes before
 * the first and after the last row; the padding and guards are filled with a
 * known pattern that tu_img_guard_ok() checks. */
typedef struct TuImg {
    IsegImage img;
    uint8_t *block;
    size_t block_size;
    size_t guard;
} TuImg;

void tu_img_alloc(TuImg *t, int width, int height, int pad);
/* width x height with a random padding 0..31 */
void tu_img_alloc_random_pad(TuImg *t, TuRng *r, int width, int height);
void tu_img_free(TuImg *t);
/* 1 if every byte outside the width x height pixels is unchanged */
int tu_img_guard_ok(const TuImg *t);
void tu_img_fill_random(TuImg *t, TuRng *r);
/* random fill with only `levels` distinct values spread over 0..255 */
void tu_img_fill_levels(TuImg *t, TuRng *r, int levels);
/* fill with a smooth pattern plus noise, like a photo */
void tu_img_fill_photo(TuImg *t, TuRng *r);
void tu_img_copy_pixels(IsegImage *dst, const IsegImage *src);
/* 1 if the pixels are equal; prints the first difference with `what` */
int tu_img_equal(const IsegImage *a, const IsegImage *b, const char *what);

/* The frame layouts of the luma elements, and frames of them whose planes
 * have random padding and guard bytes (for the frame-level kernels). */
typedef struct TuLayout {
    const char *name;
    int n_chroma, pixel_stride, sx, sy;
} TuLayout;

extern const TuLayout tu_layouts[];
extern const int tu_n_layouts;

typedef struct TuFrame {
    IsegFrame f;
    TuImg luma, chroma[2]; /* interleaved layouts keep both in chroma[0] */
} TuFrame;

/* luma a photo-like pattern, chroma random */
void tu_frame_alloc(TuFrame *t, TuRng *r, const TuLayout *l, int w, int h);
void tu_frame_copy(TuFrame *dst, const TuFrame *src);
/* pixels equal (first difference printed with `what`) */
int tu_frame_equal(const TuFrame *a, const TuFrame *b, const char *what);
int tu_frame_guard_ok(const TuFrame *t);
void tu_frame_free(TuFrame *t);

#endif
