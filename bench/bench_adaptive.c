/* Section "adaptive": every locally adaptive threshold (mean, gaussian,
 * sauvola, niblack, local-otsu) at window sizes 15, 31 and 101 on the GRAY8
 * photo frame, src -> dst mask, next to OpenCV's cv::adaptiveThreshold
 * (ADAPTIVE_THRESH_MEAN_C, ADAPTIVE_THRESH_GAUSSIAN_C) on the same frame with
 * the same C (offset 5).
 *
 * Mean, Sauvola and Niblack run on exact running sums, so their time should
 * not depend on the window; gaussian is a separable convolution (linear in
 * the window, as OpenCV's); local-otsu computes one histogram per window-
 * sized tile plus the running sums. */
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_OPENCV
/* cv_adaptive.cpp */
void bench_cv_adaptive(const uint8_t *src, ptrdiff_t src_stride, uint8_t *dst, ptrdiff_t dst_stride,
                       int width, int height, int gaussian, int block, double offset);
#endif

#define OFFSET    5.0
#define N_BLOCKS  3
#define N_METHODS 5
static const int blocks[N_BLOCKS] = { 15, 31, 101 };
static const IsegAdaptiveMethod methods[N_METHODS] = {
    ISEG_ADAPTIVE_MEAN,    ISEG_ADAPTIVE_GAUSSIAN,   ISEG_ADAPTIVE_SAUVOLA,
    ISEG_ADAPTIVE_NIBLACK, ISEG_ADAPTIVE_LOCAL_OTSU,
};
static const char *const method_names[N_METHODS] = { "mean", "gaussian", "sauvola", "niblack",
                                                     "local-otsu" };
/* case names "mean-15" ... (the framework keeps the pointers) */
static char case_names[N_METHODS][N_BLOCKS][24];

typedef struct AdaptiveShared {
    const BenchImage *frame; /* the test frame, read only */
    BenchImage dst;
    IsegAdaptive *ctx[N_METHODS]; /* one prepared context per method */
    IsegPool *pool;
} AdaptiveShared;

typedef struct AdaptiveCase {
    AdaptiveShared *sh;
    int method; /* index into methods[] */
    int block;
} AdaptiveCase;

static IsegAdaptiveSettings settings_of(int method, int block)
{
    IsegAdaptiveSettings s;
    iseg_adaptive_default_settings(&s);
    s.method = methods[method];
    s.block_size = block;
    s.offset = OFFSET;
    return s;
}

/* One context per method serves the three window sizes (the settings are
 * swapped in before each call: it computes at most 101 Gaussian weights, and
 * avoids a float copy of the frame per window size). */
static void iseg_run(void *p)
{
    AdaptiveCase *c = p;
    const IsegAdaptiveSettings s = settings_of(c->method, c->block);
    const IsegImage src = bench_image_view(c->sh->frame);
    IsegImage dst = bench_image_view(&c->sh->dst);
    iseg_adaptive_set_settings(c->sh->ctx[c->method], &s);
    iseg_adaptive_mask(c->sh->ctx[c->method], &src, &dst, c->sh->pool);
}

#ifdef HAVE_OPENCV
static void cv_run(void *p)
{
    AdaptiveCase *c = p;
    const BenchImage *f = c->sh->frame;
    bench_cv_adaptive(f->data, f->stride, c->sh->dst.data, c->sh->dst.stride, f->width, f->height,
                      methods[c->method] == ISEG_ADAPTIVE_GAUSSIAN, c->block, OFFSET);
}
#endif

static long count_equal(const BenchImage *x, const BenchImage *y)
{
    long eq = 0;
    for (int r = 0; r < x->height; r++)
        for (int i = 0; i < x->width; i++)
            eq += x->data[r * x->stride + i] == y->data[r * y->stride + i];
    return eq;
}

/* Before timing: each method at window 31 against the float64 reference on
 * a crop (the reference costs a window per pixel), the whole frame on all
 * threads against one thread, and the agreement with OpenCV (which rounds its
 * local mean to 8 bits before comparing, so pixels within half a level of T
 * may differ). */
static void check_results(Bench *b, AdaptiveShared *sh, unsigned threads)
{
    const int w = sh->frame->width, h = sh->frame->height;
    const int cw = w < 240 ? w : 240, ch = h < 160 ? h : 160;
    const int cx = (w - cw) / 2, cy = (h - ch) / 2;
    const IsegImage full = bench_image_view(sh->frame);
    IsegImage crop = full;
    crop.data += (ptrdiff_t)cy * full.stride + cx;
    crop.width = cw;
    crop.height = ch;
    BenchImage one, ref, fast;
    if (bench_image_alloc(&one, w, h, 1) < 0 || bench_image_alloc(&ref, cw, ch, 1) < 0 ||
        bench_image_alloc(&fast, cw, ch, 1) < 0) {
        bench_check(b, 0, "out of memory");
        return;
    }
    for (int m = 0; m < N_METHODS; m++) {
        const IsegAdaptiveSettings s = settings_of(m, 31);
        IsegAdaptive *ctx = sh->ctx[m];
        iseg_adaptive_set_settings(ctx, &s);
        IsegImage rv = bench_image_view(&ref), fv = bench_image_view(&fast);
        iseg_adaptive_mask_ref(&s, &crop, &rv);
        iseg_adaptive_mask(ctx, &crop, &fv, NULL);
        const long eq = count_equal(&ref, &fast);
        bench_check(b, eq >= (long)(0.999 * cw * ch),
                    "%dx%d: %s-31 == float64 reference on a %dx%d crop (%.4f%% of pixels)", w, h,
                    method_names[m], cw, ch, 100.0 * eq / ((double)cw * ch));
        IsegImage ov = bench_image_view(&one), dv = bench_image_view(&sh->dst);
        iseg_adaptive_mask(ctx, &full, &ov, NULL);
        iseg_adaptive_mask(ctx, &full, &dv, bench_pool(b, threads));
        bench_check(b, count_equal(&one, &sh->dst) == (long)w * h,
                    "%dx%d: %s-31 on %u threads == on one thread", w, h, method_names[m], threads);
#ifdef HAVE_OPENCV
        if (methods[m] == ISEG_ADAPTIVE_MEAN || methods[m] == ISEG_ADAPTIVE_GAUSSIAN) {
            bench_cv_set_threads(1);
            bench_cv_adaptive(sh->frame->data, sh->frame->stride, sh->dst.data, sh->dst.stride, w,
                              h, methods[m] == ISEG_ADAPTIVE_GAUSSIAN, 31, OFFSET);
            bench_note(b, "%dx%d: %s-31 agrees with cv::adaptiveThreshold on %.3f%% of pixels", w,
                       h, method_names[m], 100.0 * count_equal(&one, &sh->dst) / ((double)w * h));
        }
#endif
    }
    bench_image_free(&one);
    bench_image_free(&ref);
    bench_image_free(&fast);
}

static void run_size(Bench *b, int w, int h)
{
    unsigned counts[2];
    const int n_counts = bench_thread_counts(b, counts);
    int wanted = 0;
    for (int i = 0; i < n_counts; i++)
        for (int m = 0; m < N_METHODS; m++)
            for (int k = 0; k < N_BLOCKS; k++)
                wanted |= bench_wanted(b, case_names[m][k], NULL, w, h, counts[i]);
    if (!wanted)
        return;

    AdaptiveShared sh = { 0 };
    if (!bench_listing(b)) {
        sh.frame = bench_frame(b, BENCH_FRAME_GRAY, w, h);
        int ok = sh.frame && bench_image_alloc(&sh.dst, w, h, 1) == 0;
        for (int m = 0; m < N_METHODS && ok; m++) {
            const IsegAdaptiveSettings s = settings_of(m, 31);
            ok = iseg_adaptive_create(&sh.ctx[m], &s, w, h) == 0;
        }
        if (!ok) {
            bench_check(b, 0, "%dx%d: out of memory", w, h);
            goto out;
        }
        if (bench_round(b) == 0)
            check_results(b, &sh, counts[n_counts - 1]);
    }

    for (int i = 0; i < n_counts; i++) {
        sh.pool = bench_pool(b, counts[i]);
        /* per window size: ours for every method and OpenCV's two, timed in turn */
        for (int k = 0; k < N_BLOCKS; k++) {
            AdaptiveCase args[N_METHODS + 2];
            BenchCase cases[N_METHODS + 2];
            int n = 0;
            for (int m = 0; m < N_METHODS; m++, n++) {
                args[n] = (AdaptiveCase){ &sh, m, blocks[k] };
                cases[n] =
                    (BenchCase){ .name = case_names[m][k], .note = "src -> dst", .run = iseg_run };
            }
#ifdef HAVE_OPENCV
            for (int m = 0; m < 2; m++, n++) { /* mean, gaussian */
                args[n] = (AdaptiveCase){ &sh, m, blocks[k] };
                cases[n] = (BenchCase){ .name = case_names[m][k],
                                        .impl = BENCH_IMPL_OPENCV,
                                        .note = "cv::adaptiveThreshold",
                                        .run = cv_run };
            }
#endif
            for (int c = 0; c < n; c++) {
                cases[c].width = w;
                cases[c].height = h;
                cases[c].threads = counts[i];
                cases[c].arg = &args[c];
            }
            bench_cases(b, cases, n);
        }
    }
out:
    for (int m = 0; m < N_METHODS; m++)
        iseg_adaptive_destroy(sh.ctx[m]);
    bench_image_free(&sh.dst);
}

static void run_section(Bench *b)
{
    for (int m = 0; m < N_METHODS; m++)
        for (int k = 0; k < N_BLOCKS; k++)
            snprintf(case_names[m][k], sizeof(case_names[m][k]), "%s-%d", method_names[m],
                     blocks[k]);
    for (int i = 0; i < bench_n_sizes(b); i++) {
        const BenchSize s = bench_size(b, i);
        run_size(b, s.width, s.height);
    }
}

const BenchSection bench_section_adaptive = {
    .name = "adaptive",
    .description = "adaptive thresholds (mask, offset 5) at windows 15, 31, 101, GRAY8 photo frame",
    .run = run_section,
};
