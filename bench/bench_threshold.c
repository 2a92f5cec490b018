/* Section "threshold": histogram, Otsu (histogram + iseg_otsu_threshold +
 * applying the mask) and plain threshold application on the GRAY8 photo
 * frame, next to OpenCV's cv::calcHist and cv::threshold(THRESH_BINARY |
 * THRESH_OTSU) on the same frame.
 *
 * "otsu" and "apply" run in place, as the otsuthreshold element does (the
 * frame is restored, untimed, before every call); "otsu-copy" and
 * "apply-copy" read the frame and write another buffer. OpenCV runs the same
 * way in each row. */
#include "bench.h"

#include <stdlib.h>
#include <string.h>

#ifdef HAVE_OPENCV
/* cv_threshold.cpp */
double bench_cv_threshold_otsu(const uint8_t *src, ptrdiff_t src_stride, uint8_t *dst,
                               ptrdiff_t dst_stride, int width, int height);
void bench_cv_threshold_binary(const uint8_t *src, ptrdiff_t src_stride, uint8_t *dst,
                               ptrdiff_t dst_stride, int width, int height, double thresh);
void bench_cv_histogram(const uint8_t *src, ptrdiff_t src_stride, int width, int height,
                        uint64_t hist[256]);
#endif

typedef struct ThresholdArgs {
    const BenchImage *frame; /* the test frame, read only */
    BenchImage work;         /* in-place target, restored before every call */
    BenchImage dst;          /* out-of-place target */
    IsegPool *pool;
    unsigned T; /* for "apply": the frame's Otsu threshold */
    uint64_t hist[ISEG_HIST_BINS];
} ThresholdArgs;

static void restore(void *p)
{
    ThresholdArgs *a = p;
    bench_image_copy(&a->work, a->frame);
}

static void iseg_hist(void *p)
{
    ThresholdArgs *a = p;
    const IsegImage src = bench_image_view(a->frame);
    iseg_histogram(&src, a->hist, a->pool);
}

/* What the otsuthreshold element does per GRAY8 frame. */
static void iseg_otsu_in_place(void *p)
{
    ThresholdArgs *a = p;
    IsegFrame f = { .luma = bench_image_view(&a->work) };
    unsigned T;
    iseg_histogram(&f.luma, a->hist, a->pool);
    iseg_otsu_threshold(a->hist, &T, NULL);
    iseg_threshold_frame(&f, T, 0, ISEG_OUTPUT_MASK, a->pool);
}

static void iseg_otsu_copy(void *p)
{
    ThresholdArgs *a = p;
    const IsegImage src = bench_image_view(a->frame);
    IsegImage dst = bench_image_view(&a->dst);
    unsigned T;
    iseg_histogram(&src, a->hist, a->pool);
    iseg_otsu_threshold(a->hist, &T, NULL);
    iseg_threshold_image(&src, &dst, T, 0, ISEG_OUTPUT_MASK, a->pool);
}

static void iseg_apply_in_place(void *p)
{
    ThresholdArgs *a = p;
    IsegFrame f = { .luma = bench_image_view(&a->work) };
    iseg_threshold_frame(&f, a->T, 0, ISEG_OUTPUT_MASK, a->pool);
}

static void iseg_apply_copy(void *p)
{
    ThresholdArgs *a = p;
    const IsegImage src = bench_image_view(a->frame);
    IsegImage dst = bench_image_view(&a->dst);
    iseg_threshold_image(&src, &dst, a->T, 0, ISEG_OUTPUT_MASK, a->pool);
}

#ifdef HAVE_OPENCV
static void cv_hist(void *p)
{
    ThresholdArgs *a = p;
    bench_cv_histogram(a->frame->data, a->frame->stride, a->frame->width, a->frame->height,
                       a->hist);
}

static void cv_otsu_in_place(void *p)
{
    ThresholdArgs *a = p;
    bench_cv_threshold_otsu(a->work.data, a->work.stride, a->work.data, a->work.stride,
                            a->work.width, a->work.height);
}

static void cv_otsu_copy(void *p)
{
    ThresholdArgs *a = p;
    bench_cv_threshold_otsu(a->frame->data, a->frame->stride, a->dst.data, a->dst.stride,
                            a->dst.width, a->dst.height);
}

/* OpenCV: foreground iff value > t, ours iff value >= T: t = T - 1. */
static void cv_apply_in_place(void *p)
{
    ThresholdArgs *a = p;
    bench_cv_threshold_binary(a->work.data, a->work.stride, a->work.data, a->work.stride,
                              a->work.width, a->work.height, (double)a->T - 1);
}

static void cv_apply_copy(void *p)
{
    ThresholdArgs *a = p;
    bench_cv_threshold_binary(a->frame->data, a->frame->stride, a->dst.data, a->dst.stride,
                              a->dst.width, a->dst.height, (double)a->T - 1);
}
#endif

static int images_equal(const BenchImage *x, const BenchImage *y)
{
    for (int r = 0; r < x->height; r++)
        if (memcmp(x->data + r * x->stride, y->data + r * y->stride, (size_t)x->width) != 0)
            return 0;
    return 1;
}

/* Our results against the reference functions, against themselves on all
 * threads, and against OpenCV: a benchmark of a wrong result means nothing. */
static void check_results(Bench *b, ThresholdArgs *a, unsigned threads)
{
    const int w = a->frame->width, h = a->frame->height;
    const IsegImage src = bench_image_view(a->frame);
    uint64_t ref[ISEG_HIST_BINS], fast[ISEG_HIST_BINS];
    iseg_histogram_ref(&src, ref);
    iseg_histogram(&src, fast, bench_pool(b, threads));
    bench_check(b, memcmp(ref, fast, sizeof(ref)) == 0,
                "%dx%d: histogram on %u thread%s == reference", w, h, threads,
                threads == 1 ? "" : "s");

    unsigned T_ref;
    iseg_otsu_threshold_ref(ref, &T_ref, NULL);
    bench_check(b, T_ref == a->T, "%dx%d: Otsu T = %u, as the reference", w, h, a->T);

    BenchImage one;
    if (bench_image_alloc(&one, w, h, 1) < 0)
        return;
    bench_image_copy(&one, a->frame);
    IsegFrame f1 = { .luma = bench_image_view(&one) };
    iseg_threshold_frame_ref(&f1, a->T, 0, ISEG_OUTPUT_MASK);
    ThresholdArgs t = *a;
    t.pool = bench_pool(b, threads);
    restore(&t);
    iseg_otsu_in_place(&t);
    bench_check(b, images_equal(&one, &t.work),
                "%dx%d: in-place Otsu mask on %u thread%s == reference", w, h, threads,
                threads == 1 ? "" : "s");
    memset(t.dst.data, 7, (size_t)t.dst.stride * (size_t)h);
    iseg_otsu_copy(&t);
    bench_check(b, images_equal(&one, &t.dst),
                "%dx%d: src -> dst Otsu mask on %u thread%s == reference", w, h, threads,
                threads == 1 ? "" : "s");

#ifdef HAVE_OPENCV
    uint64_t cvh[ISEG_HIST_BINS];
    bench_cv_histogram(a->frame->data, a->frame->stride, w, h, cvh);
    bench_check(b, memcmp(ref, cvh, sizeof(ref)) == 0, "%dx%d: histogram == cv::calcHist", w, h);
    bench_cv_set_threads(1);
    restore(&t);
    const double t_cv =
        bench_cv_threshold_otsu(t.work.data, t.work.stride, t.work.data, t.work.stride, w, h);
    int levels = 0;
    for (int v = 0; v < ISEG_HIST_BINS; v++)
        levels += ref[v] != 0;
    if (levels < 2) {
        /* INTERFACE.md: a constant frame has no two classes, nothing is
         * foreground; OpenCV returns some t and thresholds anyway. */
        bench_note(
            b, "%dx%d: constant frame, T = %u (nothing foreground), OpenCV t = %g: not compared", w,
            h, a->T, t_cv);
    } else {
        bench_check(b, (double)a->T == t_cv + 1, "%dx%d: Otsu T = %u, OpenCV t = %g (T = t + 1)", w,
                    h, a->T, t_cv);
        bench_check(b, images_equal(&one, &t.work), "%dx%d: Otsu mask == OpenCV's THRESH_OTSU mask",
                    w, h);
    }
#endif
    bench_image_free(&one);
}

static const BenchCase threshold_cases[] = {
    { .name = "histogram", .run = iseg_hist },
    { .name = "otsu", .note = "in place", .prepare = restore, .run = iseg_otsu_in_place },
    { .name = "otsu-copy", .note = "src -> dst", .run = iseg_otsu_copy },
    { .name = "apply", .note = "in place", .prepare = restore, .run = iseg_apply_in_place },
    { .name = "apply-copy", .note = "src -> dst", .run = iseg_apply_copy },
#ifdef HAVE_OPENCV
    { .name = "histogram", .impl = BENCH_IMPL_OPENCV, .note = "cv::calcHist", .run = cv_hist },
    { .name = "otsu",
      .impl = BENCH_IMPL_OPENCV,
      .note = "in place",
      .prepare = restore,
      .run = cv_otsu_in_place },
    { .name = "otsu-copy", .impl = BENCH_IMPL_OPENCV, .note = "src -> dst", .run = cv_otsu_copy },
    { .name = "apply",
      .impl = BENCH_IMPL_OPENCV,
      .note = "in place",
      .prepare = restore,
      .run = cv_apply_in_place },
    { .name = "apply-copy", .impl = BENCH_IMPL_OPENCV, .note = "src -> dst", .run = cv_apply_copy },
#endif
};
#define N_CASES (sizeof(threshold_cases) / sizeof(threshold_cases[0]))

static void run_size(Bench *b, int w, int h)
{
    unsigned counts[2];
    const int n_counts = bench_thread_counts(b, counts);
    int wanted = 0;
    for (int i = 0; i < n_counts; i++)
        for (size_t c = 0; c < N_CASES; c++)
            wanted |=
                bench_wanted(b, threshold_cases[c].name, threshold_cases[c].impl, w, h, counts[i]);
    if (!wanted)
        return;

    ThresholdArgs a = { 0 };
    if (!bench_listing(b)) {
        a.frame = bench_frame(b, BENCH_FRAME_GRAY, w, h);
        if (!a.frame || bench_image_alloc(&a.work, w, h, 1) < 0 ||
            bench_image_alloc(&a.dst, w, h, 1) < 0) {
            bench_check(b, 0, "%dx%d: out of memory", w, h);
            bench_image_free(&a.work);
            return;
        }
        const IsegImage src = bench_image_view(a.frame);
        iseg_histogram(&src, a.hist, NULL);
        iseg_otsu_threshold(a.hist, &a.T, NULL);
        if (bench_round(b) == 0)
            check_results(b, &a, counts[n_counts - 1]);
    }

    for (int i = 0; i < n_counts; i++) {
        a.pool = bench_pool(b, counts[i]);
        BenchCase cases[N_CASES];
        for (size_t c = 0; c < N_CASES; c++) {
            cases[c] = threshold_cases[c];
            cases[c].width = w;
            cases[c].height = h;
            cases[c].threads = counts[i];
            cases[c].arg = &a;
        }
        bench_cases(b, cases, (int)N_CASES);
    }
    bench_image_free(&a.work);
    bench_image_free(&a.dst);
}

static void run_section(Bench *b)
{
    for (int i = 0; i < bench_n_sizes(b); i++) {
        const BenchSize s = bench_size(b, i);
        run_size(b, s.width, s.height);
    }
}

const BenchSection bench_section_threshold = {
    .name = "threshold",
    .description = "histogram, Otsu (histogram + T + mask) and applying T, GRAY8 photo frame",
    .run = run_section,
};
