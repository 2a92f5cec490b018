/* Section "morph": erosion, dilation and opening with rect 3, 15, 31, 61,
 * ellipse 15, 31, 61 and cross 31 on the GRAY8 photo frame, border
 * replicate, next to OpenCV's cv::morphologyEx (cv::erode / cv::dilate
 * underneath) with the same element and BORDER_REPLICATE on the same frame.
 *
 * Every row reads the test frame and writes another buffer (src -> dst), as
 * OpenCV does. The library context is created once per case (outside the
 * timing), as the morphology element creates it once per caps. Round 0
 * checks, for every case, that our output equals OpenCV's and does not
 * depend on the thread count. */
#include "bench.h"

#include <stdio.h>
#include <string.h>

#ifdef HAVE_OPENCV
/* cv_morph.cpp */
void bench_cv_morph(const uint8_t *src, ptrdiff_t src_stride, uint8_t *dst, ptrdiff_t dst_stride,
                    int width, int height, int op, int shape, int kw, int kh);
#endif

typedef struct MorphElement {
    IsegSelShape shape;
    int size;
} MorphElement;

static const MorphElement elements[] = {
    { ISEG_SEL_RECT, 3 },     { ISEG_SEL_RECT, 15 },    { ISEG_SEL_RECT, 31 },
    { ISEG_SEL_RECT, 61 },    { ISEG_SEL_ELLIPSE, 15 }, { ISEG_SEL_ELLIPSE, 31 },
    { ISEG_SEL_ELLIPSE, 61 }, { ISEG_SEL_CROSS, 31 },
};
#define N_ELEMENTS (sizeof(elements) / sizeof(elements[0]))

static const IsegMorphOp ops[] = { ISEG_MORPH_ERODE, ISEG_MORPH_DILATE, ISEG_MORPH_OPEN };
#define N_OPS (sizeof(ops) / sizeof(ops[0]))

static const char *const shape_names[] = { "rect", "cross", "ellipse" };

typedef struct MorphArgs {
    const BenchImage *frame; /* the test frame, read only */
    BenchImage *dst;
    IsegMorph *ctx;
    IsegPool *pool;
    IsegMorphOp op;
    MorphElement el;
} MorphArgs;

static void iseg_run(void *p)
{
    MorphArgs *a = p;
    const IsegImage src = bench_image_view(a->frame);
    IsegImage dst = bench_image_view(a->dst);
    iseg_morph_apply(a->ctx, &src, &dst, a->pool);
}

#ifdef HAVE_OPENCV
static void cv_run(void *p)
{
    MorphArgs *a = p;
    bench_cv_morph(a->frame->data, a->frame->stride, a->dst->data, a->dst->stride, a->dst->width,
                   a->dst->height, (int)a->op, (int)a->el.shape, a->el.size, a->el.size);
}
#endif

static int images_equal(const BenchImage *x, const BenchImage *y)
{
    for (int r = 0; r < x->height; r++)
        if (memcmp(x->data + r * x->stride, y->data + r * y->stride, (size_t)x->width) != 0)
            return 0;
    return 1;
}

static void case_name(char *buf, size_t size, IsegMorphOp op, MorphElement el)
{
    snprintf(buf, size, "%s-%s%d", iseg_morph_op_name(op), shape_names[el.shape], el.size);
}

/* Ours on one thread == ours on all threads == OpenCV. */
static void check_case(Bench *b, MorphArgs *a, unsigned threads, BenchImage *other,
                       const char *name)
{
    const int w = a->frame->width, h = a->frame->height;
    MorphArgs t = *a;
    t.pool = NULL;
    iseg_run(&t);
    t.dst = other;
    t.pool = bench_pool(b, threads);
    iseg_run(&t);
    bench_check(b, images_equal(a->dst, other), "%dx%d %s: 1 thread == %u threads", w, h, name,
                threads);
#ifdef HAVE_OPENCV
    bench_cv_set_threads(1);
    cv_run(&t);
    bench_check(b, images_equal(a->dst, other), "%dx%d %s: == cv::morphologyEx", w, h, name);
#endif
}

static void run_size(Bench *b, int w, int h)
{
    unsigned counts[2];
    const int n_counts = bench_thread_counts(b, counts);
    BenchImage dst = { 0 }, other = { 0 };
    const BenchImage *frame = NULL;
    if (!bench_listing(b)) {
        frame = bench_frame(b, BENCH_FRAME_GRAY, w, h);
        if (!frame || bench_image_alloc(&dst, w, h, 1) < 0 ||
            bench_image_alloc(&other, w, h, 1) < 0) {
            bench_check(b, 0, "%dx%d: out of memory", w, h);
            bench_image_free(&dst);
            return;
        }
    }
    for (size_t e = 0; e < N_ELEMENTS; e++) {
        for (size_t o = 0; o < N_OPS; o++) {
            char name[48];
            case_name(name, sizeof(name), ops[o], elements[e]);
            int wanted = 0;
            for (int i = 0; i < n_counts; i++)
                wanted |= bench_wanted(b, name, NULL, w, h, counts[i]);
            if (!wanted)
                continue;
            MorphArgs a = { frame, &dst, NULL, NULL, ops[o], elements[e] };
            if (!bench_listing(b)) {
                IsegSel *sel = NULL;
                IsegMorphSettings s;
                iseg_morph_default_settings(&s);
                s.op = ops[o];
                s.max_width = w;
                s.max_height = h;
                if (iseg_sel_create_shape(&sel, elements[e].shape, elements[e].size,
                                          elements[e].size) < 0 ||
                    iseg_morph_create(&a.ctx, sel, &s) < 0) {
                    bench_check(b, 0, "%s: cannot create the context", name);
                    iseg_sel_free(sel);
                    continue;
                }
                iseg_sel_free(sel);
                if (bench_round(b) == 0)
                    check_case(b, &a, counts[n_counts - 1], &other, name);
            }
            for (int i = 0; i < n_counts; i++) {
                a.pool = bench_pool(b, counts[i]);
                BenchCase cases[2] = {
                    { .name = name,
                      .impl = BENCH_IMPL_ISEG,
                      .width = w,
                      .height = h,
                      .threads = counts[i],
                      .note = "src -> dst",
                      .run = iseg_run,
                      .arg = &a },
#ifdef HAVE_OPENCV
                    { .name = name,
                      .impl = BENCH_IMPL_OPENCV,
                      .width = w,
                      .height = h,
                      .threads = counts[i],
                      .note = "src -> dst",
                      .run = cv_run,
                      .arg = &a },
#endif
                };
#ifdef HAVE_OPENCV
                bench_cases(b, cases, 2);
#else
                bench_cases(b, cases, 1);
#endif
            }
            iseg_morph_destroy(a.ctx);
        }
    }
    bench_image_free(&dst);
    bench_image_free(&other);
}

static void run_section(Bench *b)
{
    for (int i = 0; i < bench_n_sizes(b); i++) {
        const BenchSize s = bench_size(b, i);
        run_size(b, s.width, s.height);
    }
}

const BenchSection bench_section_morph = {
    .name = "morph",
    .description = "erode / dilate / open, rect, ellipse and cross elements, border replicate, "
                   "GRAY8 photo frame",
    .run = run_section,
};
