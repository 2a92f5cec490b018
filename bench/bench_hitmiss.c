/* Section "hitmiss": the hit-or-miss transform with one 3x3 element and with
 * the 8 turns of it, and the skeleton, on the binary mask frame (the scene's
 * shapes plus salt-and-pepper specks), src -> dst, next to OpenCV's
 * morphologyEx(MORPH_HITMISS) (once per element, OR-ed, for the set) and,
 * when OpenCV's contrib modules are there, cv::ximgproc::thinning
 * (Zhang-Suen: a different thinning, compared for time only).
 *
 * ximgproc::thinning takes seconds a frame: it runs only up to 1920x1080,
 * single-threaded as it is, and only in the first round. */
#include "bench.h"

#include <stdlib.h>
#include <string.h>

#ifdef HAVE_OPENCV
/* cv_hitmiss.cpp */
void bench_cv_hitmiss(const uint8_t *src, ptrdiff_t src_stride, uint8_t *dst, ptrdiff_t dst_stride,
                      int width, int height, const int8_t *kernels, int n_kernels);
int bench_cv_have_thinning(void);
void bench_cv_thinning(const uint8_t *src, ptrdiff_t src_stride, uint8_t *dst, ptrdiff_t dst_stride,
                       int width, int height);
#endif

#define SET_SIZE 8

typedef struct HitmissArgs {
    const BenchImage *frame; /* the mask frame, read only */
    BenchImage dst;
    IsegPool *pool;
    IsegHitmiss *one, *set, *skeleton;
    int8_t kernels[SET_SIZE][9]; /* OpenCV kernels: 1 hit, -1 miss, 0 don't care */
} HitmissArgs;

static void run_ctx(HitmissArgs *a, IsegHitmiss *hm)
{
    const IsegImage src = bench_image_view(a->frame);
    IsegImage dst = bench_image_view(&a->dst);
    iseg_hitmiss_run(hm, &src, &dst, 0, a->pool, NULL);
}

static void iseg_one(void *p)
{
    HitmissArgs *a = p;
    run_ctx(a, a->one);
}

static void iseg_set(void *p)
{
    HitmissArgs *a = p;
    run_ctx(a, a->set);
}

static void iseg_skeleton(void *p)
{
    HitmissArgs *a = p;
    run_ctx(a, a->skeleton);
}

#ifdef HAVE_OPENCV
static void cv_one(void *p)
{
    HitmissArgs *a = p;
    bench_cv_hitmiss(a->frame->data, a->frame->stride, a->dst.data, a->dst.stride, a->dst.width,
                     a->dst.height, a->kernels[0], 1);
}

static void cv_set(void *p)
{
    HitmissArgs *a = p;
    bench_cv_hitmiss(a->frame->data, a->frame->stride, a->dst.data, a->dst.stride, a->dst.width,
                     a->dst.height, a->kernels[0], SET_SIZE);
}

static void cv_thinning(void *p)
{
    HitmissArgs *a = p;
    bench_cv_thinning(a->frame->data, a->frame->stride, a->dst.data, a->dst.stride, a->dst.width,
                      a->dst.height);
}
#endif

/* Output of a context on the frame vs the reference on the same set. */
static int equals_reference(HitmissArgs *a, IsegHitmiss *hm, IsegHitmissOp op,
                            const IsegSel *const *set, int n, IsegPool *pool)
{
    const int w = a->frame->width, h = a->frame->height;
    BenchImage ref;
    if (bench_image_alloc(&ref, w, h, 1) < 0)
        return 0;
    const IsegImage src = bench_image_view(a->frame);
    IsegImage r = bench_image_view(&ref), d = bench_image_view(&a->dst);
    IsegHitmissStats s1, s2;
    iseg_hitmiss_ref(op, set, n, &src, &r, 0, &s1);
    iseg_hitmiss_run(hm, &src, &d, 0, pool, &s2);
    int ok = s1.matches == s2.matches && s1.passes == s2.passes;
    for (int y = 0; y < h && ok; y++)
        ok = memcmp(ref.data + y * ref.stride, a->dst.data + y * a->dst.stride, (size_t)w) == 0;
    bench_image_free(&ref);
    return ok;
}

static void check_results(Bench *b, HitmissArgs *a, IsegSel **set, unsigned threads)
{
    const int w = a->frame->width, h = a->frame->height;
    IsegPool *pool = bench_pool(b, threads);
    const IsegSel *const *cset = (const IsegSel *const *)set;
    bench_check(b, equals_reference(a, a->one, ISEG_HITMISS_HMT, cset, 1, pool),
                "%dx%d: hit-or-miss, one element, on %u thread(s) == reference", w, h, threads);
    bench_check(b, equals_reference(a, a->set, ISEG_HITMISS_HMT, cset, SET_SIZE, pool),
                "%dx%d: hit-or-miss, 8 turns, on %u thread(s) == reference", w, h, threads);
    /* the reference thins the whole frame every step: small frames only */
    if ((long)w * h <= 640 * 480)
        bench_check(b, equals_reference(a, a->skeleton, ISEG_HITMISS_SKELETON, NULL, 0, pool),
                    "%dx%d: skeleton on %u thread(s) == reference", w, h, threads);
#ifdef HAVE_OPENCV
    /* OpenCV's erosions pad with a value every element fits: compare inside */
    BenchImage cv;
    if (bench_image_alloc(&cv, w, h, 1) < 0)
        return;
    for (int k = 0; k < 2; k++) {
        IsegImage src = bench_image_view(a->frame), d = bench_image_view(&a->dst);
        iseg_hitmiss_run(k ? a->set : a->one, &src, &d, 0, NULL, NULL);
        bench_cv_set_threads(1);
        bench_cv_hitmiss(a->frame->data, a->frame->stride, cv.data, cv.stride, w, h, a->kernels[0],
                         k ? SET_SIZE : 1);
        int ok = 1;
        for (int y = 1; y + 1 < h && ok; y++)
            ok = w < 3 || memcmp(cv.data + y * cv.stride + 1, a->dst.data + y * a->dst.stride + 1,
                                 (size_t)(w - 2)) == 0;
        bench_check(b, ok, "%dx%d: hit-or-miss, %s == OpenCV MORPH_HITMISS away from the border", w,
                    h, k ? "8 turns" : "one element");
    }
    bench_image_free(&cv);
#endif
}

static const BenchCase hitmiss_cases[] = {
    { .name = "hmt-3x3", .note = "src -> dst", .run = iseg_one },
    { .name = "hmt-3x3-set8", .note = "src -> dst", .run = iseg_set },
    { .name = "skeleton", .note = "src -> dst", .run = iseg_skeleton },
#ifdef HAVE_OPENCV
    { .name = "hmt-3x3", .impl = BENCH_IMPL_OPENCV, .note = "MORPH_HITMISS", .run = cv_one },
    { .name = "hmt-3x3-set8",
      .impl = BENCH_IMPL_OPENCV,
      .note = "8x MORPH_HITMISS, OR",
      .run = cv_set },
#endif
};
#define N_CASES (sizeof(hitmiss_cases) / sizeof(hitmiss_cases[0]))

static void run_size(Bench *b, int w, int h)
{
    unsigned counts[2];
    const int n_counts = bench_thread_counts(b, counts);
    int wanted = 0;
    for (int i = 0; i < n_counts; i++)
        for (size_t c = 0; c < N_CASES; c++)
            wanted |=
                bench_wanted(b, hitmiss_cases[c].name, hitmiss_cases[c].impl, w, h, counts[i]);
#ifdef HAVE_OPENCV
    const int thinning = bench_cv_have_thinning() && (long)w * h <= 1920L * 1080 &&
                         bench_round(b) == 0 &&
                         bench_wanted(b, "skeleton", BENCH_IMPL_OPENCV, w, h, 1);
    wanted |= thinning;
#endif
    if (!wanted)
        return;

    /* the classic thinning element and its 8 turns by 45 degrees */
    IsegSel *sel = NULL, **set = NULL;
    int n = 0;
    if (iseg_sel_parse(&sel, ISEG_HITMISS_THINNING_SEL, ISEG_SEL_SYNTAX_HITMISS, NULL, 0) < 0 ||
        iseg_hitmiss_build_set(&set, &n, ISEG_HITMISS_HMT, sel, ISEG_HITMISS_ROTATE_8) < 0) {
        bench_check(b, 0, "cannot build the element set");
        iseg_sel_free(sel);
        return;
    }
    HitmissArgs a = { 0 };
    for (int k = 0; k < SET_SIZE; k++)
        for (int i = 0; i < 9; i++)
            a.kernels[k][i] = set[k]->cells[i] == ISEG_SEL_HIT    ? 1
                              : set[k]->cells[i] == ISEG_SEL_MISS ? -1
                                                                  : 0;
    if (!bench_listing(b)) {
        a.frame = bench_frame(b, BENCH_FRAME_MASK, w, h);
        if (!a.frame || bench_image_alloc(&a.dst, w, h, 1) < 0 ||
            iseg_hitmiss_create(&a.one, ISEG_HITMISS_HMT, (const IsegSel *const *)set, 1, w, h) <
                0 ||
            iseg_hitmiss_create(&a.set, ISEG_HITMISS_HMT, (const IsegSel *const *)set, SET_SIZE, w,
                                h) < 0 ||
            iseg_hitmiss_create(&a.skeleton, ISEG_HITMISS_SKELETON, NULL, 0, w, h) < 0) {
            bench_check(b, 0, "%dx%d: out of memory", w, h);
            goto out;
        }
        if (bench_round(b) == 0)
            check_results(b, &a, set, counts[n_counts - 1]);
    }

    for (int i = 0; i < n_counts; i++) {
        a.pool = bench_pool(b, counts[i]);
        BenchCase cases[N_CASES];
        for (size_t c = 0; c < N_CASES; c++) {
            cases[c] = hitmiss_cases[c];
            cases[c].width = w;
            cases[c].height = h;
            cases[c].threads = counts[i];
            cases[c].arg = &a;
        }
        bench_cases(b, cases, (int)N_CASES);
    }
#ifdef HAVE_OPENCV
    if (thinning) {
        const BenchCase c = { .name = "skeleton",
                              .impl = BENCH_IMPL_OPENCV,
                              .note = "ximgproc::thinning, Zhang-Suen",
                              .width = w,
                              .height = h,
                              .threads = 1,
                              .run = cv_thinning,
                              .arg = &a };
        bench_case(b, &c);
    }
#endif
out:
    iseg_hitmiss_destroy(a.one);
    iseg_hitmiss_destroy(a.set);
    iseg_hitmiss_destroy(a.skeleton);
    bench_image_free(&a.dst);
    iseg_hitmiss_set_free(set, n);
    iseg_sel_free(sel);
}

static void run_section(Bench *b)
{
    for (int i = 0; i < bench_n_sizes(b); i++) {
        const BenchSize s = bench_size(b, i);
        run_size(b, s.width, s.height);
    }
}

const BenchSection bench_section_hitmiss = {
    .name = "hitmiss",
    .description = "hit-or-miss (one 3x3 element, its 8 turns) and skeleton, binary mask frame",
    .run = run_section,
};
