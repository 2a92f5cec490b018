/* Section "kmeans": k-means segmentation of the RGB photo frame, k = 4, 8
 * and 16, next to cv::kmeans on the same pixels.
 *
 * "kK-cold" is a first frame: iseg_kmeans_segment() starting cold
 * (k-means++, the element's defaults: at most 10 iterations, epsilon 1),
 * writing the cluster colors in place as the kmeansseg element does, with the
 * inertia computed. "kK-warm" is the next frame of a still scene: warm-started
 * from the previous call's centers (with the default label hysteresis, which
 * costs nothing when no label changes). "k8-noisy" is a warm start on a
 * noisy camera: the frames alternate between the photo and a copy with
 * every byte moved by up to +-6, so boundary pixels change label and the
 * hysteresis does its work. OpenCV's "kK-cold" row is one cv::kmeans
 * attempt of 10 iterations with KMEANS_PP_CENTERS on the frame's pixels
 * (converted to the float samples it needs, inside the timed call); it has no
 * warm row. Under the table: both inertias, OpenCV's best of 3 attempts too.
 *
 * "k8-warm-rgbx" and "k8-warm-i420" are k8-warm on the same scene as RGBx
 * (4 bytes a pixel) and as I420 (converted from the RGB frame with BT.601
 * limited-range coefficients, outside the timing) through
 * iseg_kmeans_segment_yuv420(): what the YUV path's packing and plane
 * writing cost next to the packed-RGB path. */
#include "bench.h"

#include <stdlib.h>
#include <string.h>

#ifdef HAVE_OPENCV
/* cv_kmeans.cpp: returns cv::kmeans' compactness (sum of squared distances) */
double bench_cv_kmeans(const uint8_t *rgb, ptrdiff_t stride, int width, int height, int k,
                       int attempts, int seed);
#endif

static const int ks[] = { 4, 8, 16 };
#define N_K 3

typedef struct KmeansArgs {
    const BenchImage *frame;
    BenchImage work;  /* restored before every in-place call */
    BenchImage noisy; /* the frame with noise */
    unsigned flip;
    IsegPool *pool;
    IsegKmeans *km[2][N_K]; /* cold, warm: a warm case keeps its own centers */
    IsegKmeansSettings settings[N_K];
    IsegKmeansResult result;
    /* the RGBx and I420 warm cases (k = 8) */
    const BenchImage *rgbx;
    BenchImage work4;
    uint8_t *yuv, *yuv_work; /* I420: W x H luma, then U and V of (W+1)/2 x (H+1)/2 */
    IsegKmeans *km_rgbx, *km_yuv;
} KmeansArgs;

/* An I420 frame in buf (planes packed one after the other). */
static IsegFrame i420_view(uint8_t *buf, int w, int h)
{
    const int cw = (w + 1) / 2, ch = (h + 1) / 2;
    IsegFrame f;
    memset(&f, 0, sizeof(f));
    f.luma.data = buf;
    f.luma.width = w;
    f.luma.height = h;
    f.luma.stride = w;
    f.n_chroma = 2;
    for (int p = 0; p < 2; p++) {
        f.chroma[p].data = buf + (size_t)w * h + (size_t)p * cw * ch;
        f.chroma[p].width = cw;
        f.chroma[p].height = ch;
        f.chroma[p].stride = cw;
    }
    f.chroma_pixel_stride = 1;
    f.chroma_shift_x = f.chroma_shift_y = 1;
    return f;
}

static size_t i420_size(int w, int h)
{
    return (size_t)w * h + 2 * (size_t)((w + 1) / 2) * ((h + 1) / 2);
}

static uint8_t clamp_round(double v)
{
    return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v + 0.5);
}

/* BT.601 limited range; chroma from the mean RGB of each 2x2 block. */
static void rgb_to_i420(const BenchImage *rgb, uint8_t *buf)
{
    const int w = rgb->width, h = rgb->height;
    IsegFrame f = i420_view(buf, w, h);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            const uint8_t *p = rgb->data + y * rgb->stride + 3 * x;
            f.luma.data[(size_t)y * w + x] =
                clamp_round(16 + (65.481 * p[0] + 128.553 * p[1] + 24.966 * p[2]) / 255);
        }
    for (int cy = 0; cy < f.chroma[0].height; cy++)
        for (int cx = 0; cx < f.chroma[0].width; cx++) {
            double s[3] = { 0, 0, 0 };
            int n = 0;
            for (int y = 2 * cy; y < 2 * cy + 2 && y < h; y++)
                for (int x = 2 * cx; x < 2 * cx + 2 && x < w; x++, n++)
                    for (int c = 0; c < 3; c++)
                        s[c] += rgb->data[y * rgb->stride + 3 * x + c];
            const double r = s[0] / n, g = s[1] / n, b = s[2] / n;
            const size_t i = (size_t)cy * f.chroma[0].stride + cx;
            f.chroma[0].data[i] = clamp_round(128 + (-37.797 * r - 74.203 * g + 112.0 * b) / 255);
            f.chroma[1].data[i] = clamp_round(128 + (112.0 * r - 93.786 * g - 18.214 * b) / 255);
        }
}

static void restore_rgbx(void *p)
{
    KmeansArgs *a = p;
    bench_image_copy(&a->work4, a->rgbx);
}

static void restore_yuv(void *p)
{
    KmeansArgs *a = p;
    memcpy(a->yuv_work, a->yuv, i420_size(a->frame->width, a->frame->height));
}

static void warm_k8_rgbx(void *p)
{
    KmeansArgs *a = p;
    IsegPixels px;
    IsegKmeansSettings s = a->settings[1];
    s.warm_start = 1;
    iseg_pixels_init(&px, ISEG_PIXEL_RGBX, a->work4.data, a->work4.width, a->work4.height,
                     a->work4.stride);
    iseg_kmeans_segment(a->km_rgbx, &s, &px, &px, NULL, &a->result, a->pool);
}

static void warm_k8_i420(void *p)
{
    KmeansArgs *a = p;
    IsegFrame f = i420_view(a->yuv_work, a->frame->width, a->frame->height);
    IsegKmeansSettings s = a->settings[1];
    s.warm_start = 1;
    iseg_kmeans_segment_yuv420(a->km_yuv, &s, &f, &f, NULL, &a->result, a->pool);
}

static void restore(void *p)
{
    KmeansArgs *a = p;
    bench_image_copy(&a->work, a->frame);
}

static void restore_noisy(void *p)
{
    KmeansArgs *a = p;
    bench_image_copy(&a->work, a->flip++ & 1 ? &a->noisy : a->frame);
}

static void make_noisy(KmeansArgs *a)
{
    uint64_t x = 0x9E3779B97F4A7C15ull;
    bench_image_copy(&a->noisy, a->frame);
    for (int y = 0; y < a->noisy.height; y++) {
        uint8_t *row = a->noisy.data + (ptrdiff_t)y * a->noisy.stride;
        for (int i = 0; i < a->noisy.width * a->noisy.channels; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            const int v = row[i] + (int)(x % 13) - 6;
            row[i] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
    }
}

static IsegPixels work_pixels(KmeansArgs *a)
{
    IsegPixels px;
    iseg_pixels_init(&px, ISEG_PIXEL_RGB, a->work.data, a->work.width, a->work.height,
                     a->work.stride);
    return px;
}

static void segment(KmeansArgs *a, int i, int warm)
{
    IsegPixels px = work_pixels(a);
    IsegKmeansSettings s = a->settings[i];
    s.warm_start = warm;
    iseg_kmeans_segment(a->km[warm][i], &s, &px, &px, NULL, &a->result, a->pool);
}

static void cold_k4(void *p)
{
    segment(p, 0, 0);
}
static void cold_k8(void *p)
{
    segment(p, 1, 0);
}
static void cold_k16(void *p)
{
    segment(p, 2, 0);
}
static void warm_k4(void *p)
{
    segment(p, 0, 1);
}
static void warm_k8(void *p)
{
    segment(p, 1, 1);
}
static void warm_k16(void *p)
{
    segment(p, 2, 1);
}

#ifdef HAVE_OPENCV
static void cv_run(KmeansArgs *a, int i)
{
    bench_cv_kmeans(a->frame->data, a->frame->stride, a->frame->width, a->frame->height, ks[i], 1,
                    1);
}
static void cv_k4(void *p)
{
    cv_run(p, 0);
}
static void cv_k8(void *p)
{
    cv_run(p, 1);
}
static void cv_k16(void *p)
{
    cv_run(p, 2);
}
#endif

static const BenchCase kmeans_cases[] = {
    { .name = "k4-cold", .channels = 3, .note = "in place", .prepare = restore, .run = cold_k4 },
    { .name = "k8-cold", .channels = 3, .note = "in place", .prepare = restore, .run = cold_k8 },
    { .name = "k16-cold", .channels = 3, .note = "in place", .prepare = restore, .run = cold_k16 },
    { .name = "k4-warm", .channels = 3, .note = "still scene", .prepare = restore, .run = warm_k4 },
    { .name = "k8-warm", .channels = 3, .note = "still scene", .prepare = restore, .run = warm_k8 },
    { .name = "k16-warm",
      .channels = 3,
      .note = "still scene",
      .prepare = restore,
      .run = warm_k16 },
    { .name = "k8-noisy",
      .channels = 3,
      .note = "warm, noisy camera",
      .prepare = restore_noisy,
      .run = warm_k8 },
    { .name = "k8-warm-rgbx",
      .channels = 4,
      .note = "still scene",
      .prepare = restore_rgbx,
      .run = warm_k8_rgbx },
    { .name = "k8-warm-i420",
      .channels = 1,
      .note = "still scene, 1.5 B/px",
      .prepare = restore_yuv,
      .run = warm_k8_i420 },
#ifdef HAVE_OPENCV
    { .name = "k4-cold",
      .impl = BENCH_IMPL_OPENCV,
      .channels = 3,
      .note = "1 attempt",
      .run = cv_k4 },
    { .name = "k8-cold",
      .impl = BENCH_IMPL_OPENCV,
      .channels = 3,
      .note = "1 attempt",
      .run = cv_k8 },
    { .name = "k16-cold",
      .impl = BENCH_IMPL_OPENCV,
      .channels = 3,
      .note = "1 attempt",
      .run = cv_k16 },
#endif
};
#define N_CASES (sizeof(kmeans_cases) / sizeof(kmeans_cases[0]))

/* cv::kmeans needs at least k samples, and takes seconds a call on large
 * frames: it runs up to 1920x1080. */
static int opencv_runs(int w, int h, int k)
{
    return (int64_t)w * h >= k && (int64_t)w * h <= 1920 * 1080;
}

/* Our result against the reference path, bit for bit, on all threads; the
 * inertias next to OpenCV's. */
static void check_results(Bench *b, KmeansArgs *a, unsigned threads)
{
    const int w = a->frame->width, h = a->frame->height;
    BenchImage one;
    if (bench_image_alloc(&one, w, h, 3) < 0)
        return;
    for (int i = 0; i < N_K; i++) {
        IsegKmeans *km = NULL;
        IsegKmeansResult ref, fast;
        IsegPixels px;
        bench_image_copy(&one, a->frame);
        iseg_pixels_init(&px, ISEG_PIXEL_RGB, one.data, w, h, one.stride);
        if (iseg_kmeans_create(&km, w, h) < 0)
            break;
        iseg_kmeans_segment_ref(km, &a->settings[i], &px, &px, NULL, &ref);
        iseg_kmeans_destroy(km);
        KmeansArgs t = *a;
        t.pool = bench_pool(b, threads);
        restore(&t);
        segment(&t, i, 0);
        fast = t.result;
        int same = memcmp(&ref, &fast, sizeof(ref)) == 0;
        for (int r = 0; r < h && same; r++)
            same = memcmp(one.data + r * one.stride, t.work.data + r * t.work.stride,
                          (size_t)w * 3) == 0;
        bench_check(b, same, "%dx%d k=%d: centers, inertia and output on %u thread%s == reference",
                    w, h, ks[i], threads, threads == 1 ? "" : "s");
#ifdef HAVE_OPENCV
        if (opencv_runs(w, h, ks[i])) {
            bench_cv_set_threads(1);
            const double one_cv =
                bench_cv_kmeans(a->frame->data, a->frame->stride, w, h, ks[i], 1, 1);
            const double best_cv =
                bench_cv_kmeans(a->frame->data, a->frame->stride, w, h, ks[i], 3, 1);
            bench_note(b,
                       "%dx%d k=%d: inertia %.6g in %d iterations; OpenCV %.6g (1 attempt), %.6g "
                       "(best of 3): ratio to the best %.4f",
                       w, h, ks[i], fast.inertia, fast.iterations, one_cv, best_cv,
                       best_cv > 0 ? fast.inertia / best_cv : 0.0);
        }
#endif
    }
    bench_image_free(&one);

    /* I420: fast on all threads == reference, output and result */
    uint8_t *ref_buf = malloc(i420_size(w, h));
    IsegKmeans *km = NULL;
    if (ref_buf && iseg_kmeans_create(&km, w, h) == 0) {
        IsegKmeansResult ref;
        memcpy(ref_buf, a->yuv, i420_size(w, h));
        IsegFrame f = i420_view(ref_buf, w, h);
        iseg_kmeans_segment_yuv420_ref(km, &a->settings[1], &f, &f, NULL, &ref);
        iseg_kmeans_reset(km);
        KmeansArgs t = *a;
        t.pool = bench_pool(b, threads);
        restore_yuv(&t);
        IsegFrame g = i420_view(t.yuv_work, w, h);
        iseg_kmeans_segment_yuv420(km, &a->settings[1], &g, &g, NULL, &t.result, t.pool);
        const int same = memcmp(&ref, &t.result, sizeof(ref)) == 0 &&
                         memcmp(ref_buf, t.yuv_work, i420_size(w, h)) == 0;
        bench_check(b, same,
                    "%dx%d I420 k=8: centers, inertia and output on %u thread%s == reference", w, h,
                    threads, threads == 1 ? "" : "s");
    }
    iseg_kmeans_destroy(km);
    free(ref_buf);
}

static void run_size(Bench *b, int w, int h)
{
    unsigned counts[2];
    const int n_counts = bench_thread_counts(b, counts);
    int wanted = 0;
    for (int i = 0; i < n_counts; i++)
        for (size_t c = 0; c < N_CASES; c++)
            wanted |= bench_wanted(b, kmeans_cases[c].name, kmeans_cases[c].impl, w, h, counts[i]);
    if (!wanted)
        return;

    KmeansArgs a;
    memset(&a, 0, sizeof(a));
    for (int i = 0; i < N_K; i++) {
        iseg_kmeans_default_settings(&a.settings[i]);
        a.settings[i].k = ks[i];
        a.settings[i].warm_start = 0;
    }
    if (!bench_listing(b)) {
        a.frame = bench_frame(b, BENCH_FRAME_RGB, w, h);
        a.rgbx = bench_frame(b, BENCH_FRAME_RGBX, w, h);
        a.yuv = malloc(i420_size(w, h));
        a.yuv_work = malloc(i420_size(w, h));
        int ok =
            a.frame && a.rgbx && a.yuv && a.yuv_work && bench_image_alloc(&a.work, w, h, 3) == 0 &&
            bench_image_alloc(&a.work4, w, h, 4) == 0 && bench_image_alloc(&a.noisy, w, h, 3) == 0;
        if (ok)
            make_noisy(&a);
        for (int i = 0; i < 2 * N_K && ok; i++)
            ok = iseg_kmeans_create(&a.km[i / N_K][i % N_K], w, h) == 0;
        ok = ok && iseg_kmeans_create(&a.km_rgbx, w, h) == 0 &&
             iseg_kmeans_create(&a.km_yuv, w, h) == 0;
        if (ok)
            rgb_to_i420(a.frame, a.yuv);
        if (!ok) {
            bench_check(b, 0, "%dx%d: out of memory", w, h);
            goto out;
        }
        if (bench_round(b) == 0)
            check_results(b, &a, counts[n_counts - 1]);
    }

    for (int i = 0; i < n_counts; i++) {
        a.pool = bench_pool(b, counts[i]);
        BenchCase cases[N_CASES];
        int n = 0;
        for (size_t c = 0; c < N_CASES; c++) {
            const BenchCase *kc = &kmeans_cases[c];
            if (kc->impl && strcmp(kc->impl, BENCH_IMPL_OPENCV) == 0 &&
                !opencv_runs(w, h, atoi(kc->name + 1)))
                continue;
            cases[n] = *kc;
            cases[n].width = w;
            cases[n].height = h;
            cases[n].threads = counts[i];
            cases[n].arg = &a;
            n++;
        }
        bench_cases(b, cases, n);
    }
out:
    for (int i = 0; i < 2 * N_K; i++)
        iseg_kmeans_destroy(a.km[i / N_K][i % N_K]);
    iseg_kmeans_destroy(a.km_rgbx);
    iseg_kmeans_destroy(a.km_yuv);
    bench_image_free(&a.work);
    bench_image_free(&a.noisy);
    bench_image_free(&a.work4);
    free(a.yuv);
    free(a.yuv_work);
}

static void run_section(Bench *b)
{
    for (int i = 0; i < bench_n_sizes(b); i++) {
        const BenchSize s = bench_size(b, i);
        run_size(b, s.width, s.height);
    }
}

const BenchSection bench_section_kmeans = {
    .name = "kmeans",
    .description = "k-means on the RGB photo frame, k = 4, 8, 16: cold start and warm start "
                   "(in place, with the inertia), vs one cv::kmeans attempt",
    .run = run_section,
};
