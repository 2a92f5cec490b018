/* Section "element": what wrapping a library call in a GStreamer element
 * costs. otsuthreshold on an I420 frame pushed through a GstHarness
 * (n-threads=1), next to the library calls it makes on the same frame
 * (histogram + Otsu + iseg_threshold_frame, one thread). Both restore the
 * frame, untimed, before every call. The bar: element <= 1.2x the
 * library call. Built only with GStreamer's check library. */
#include "bench.h"

#include <gst/check/gstharness.h>
#include <gst/video/video.h>
#include <string.h>

typedef struct ElementArgs {
    const BenchImage *gray; /* luma source */
    GstVideoInfo info;
    GstBuffer *buf; /* the frame; owned here between calls */
    GstHarness *h;
    uint8_t *chroma_seed; /* chroma contents to restore */
} ElementArgs;

/* Writes the test frame into buf: luma from the photo frame, fixed chroma. */
static void fill_frame(ElementArgs *a)
{
    GstVideoFrame f;
    if (!gst_video_frame_map(&f, &a->info, a->buf, GST_MAP_WRITE))
        return;
    for (int y = 0; y < a->gray->height; y++)
        memcpy((uint8_t *)GST_VIDEO_FRAME_PLANE_DATA(&f, 0) +
                   y * GST_VIDEO_FRAME_PLANE_STRIDE(&f, 0),
               a->gray->data + y * a->gray->stride, (size_t)a->gray->width);
    for (int p = 1; p < 3; p++)
        memset(GST_VIDEO_FRAME_PLANE_DATA(&f, p), 90 + 40 * p,
               (size_t)GST_VIDEO_FRAME_PLANE_STRIDE(&f, p) * GST_VIDEO_FRAME_COMP_HEIGHT(&f, p));
    gst_video_frame_unmap(&f);
}

static void prepare(void *p)
{
    fill_frame(p);
}

static void run_element(void *p)
{
    ElementArgs *a = p;
    /* the harness takes our reference and, working in place, hands the same
     * buffer back */
    a->buf = gst_harness_push_and_pull(a->h, a->buf);
}

static void run_library(void *p)
{
    ElementArgs *a = p;
    GstVideoFrame f;
    if (!gst_video_frame_map(&f, &a->info, a->buf, GST_MAP_READWRITE))
        return;
    IsegFrame view = { 0 };
    view.luma = (IsegImage){ GST_VIDEO_FRAME_PLANE_DATA(&f, 0), a->gray->width, a->gray->height,
                             GST_VIDEO_FRAME_PLANE_STRIDE(&f, 0) };
    view.n_chroma = 2;
    view.chroma_pixel_stride = 1;
    view.chroma_shift_x = view.chroma_shift_y = 1;
    for (int c = 0; c < 2; c++)
        view.chroma[c] = (IsegImage){ GST_VIDEO_FRAME_PLANE_DATA(&f, 1 + c),
                                      GST_VIDEO_FRAME_COMP_WIDTH(&f, 1 + c),
                                      GST_VIDEO_FRAME_COMP_HEIGHT(&f, 1 + c),
                                      GST_VIDEO_FRAME_PLANE_STRIDE(&f, 1 + c) };
    uint64_t hist[ISEG_HIST_BINS];
    unsigned T;
    iseg_histogram(&view.luma, hist, NULL);
    iseg_otsu_threshold(hist, &T, NULL);
    iseg_threshold_frame(&view, T, 0, ISEG_OUTPUT_MASK, NULL);
    gst_video_frame_unmap(&f);
}

static void run_section(Bench *b)
{
    static int gst_ready;
    const int w = 1920, h = 1080;
    if (!bench_wanted(b, "otsu-i420", "library", w, h, 1) &&
        !bench_wanted(b, "otsu-i420", "element", w, h, 1))
        return;
    BenchCase cases[2] = {
        { .name = "otsu-i420",
          .impl = "library",
          .width = w,
          .height = h,
          .threads = 1,
          .note = "histogram+Otsu+apply, in place",
          .prepare = prepare,
          .run = run_library },
        { .name = "otsu-i420",
          .impl = "element",
          .width = w,
          .height = h,
          .threads = 1,
          .note = "otsuthreshold via GstHarness",
          .prepare = prepare,
          .run = run_element },
    };
    if (bench_listing(b)) { /* ids only: no plugin needed */
        bench_cases(b, cases, 2);
        return;
    }
    if (!gst_ready) {
        gst_init(NULL, NULL);
        gst_ready = 1;
    }
    if (!gst_registry_find_plugin(gst_registry_get(), "imageseg")) {
        bench_note(b, "the imageseg plugin was not found (set GST_PLUGIN_PATH=build/gst): skipped");
        return;
    }
    ElementArgs a = { 0 };
    a.gray = bench_frame(b, BENCH_FRAME_GRAY, w, h);
    if (!a.gray)
        return;
    gst_video_info_set_format(&a.info, GST_VIDEO_FORMAT_I420, w, h);
    a.buf = gst_buffer_new_allocate(NULL, GST_VIDEO_INFO_SIZE(&a.info), NULL);
    a.h = gst_harness_new("otsuthreshold");
    g_object_set(a.h->element, "n-threads", 1, NULL);
    gst_harness_set_src_caps_str(a.h, "video/x-raw,format=I420,width=1920,height=1080,"
                                      "framerate=30/1");

    cases[0].arg = cases[1].arg = &a;
    bench_cases(b, cases, 2); /* in turn, so machine load hits both alike */
    bench_note(b, "bar: element time <= 1.2 x library time (compare the ms/frame columns)");

    gst_buffer_unref(a.buf);
    gst_harness_teardown(a.h);
}

const BenchSection bench_section_element = {
    "element",
    "what the GStreamer element adds to the library call it wraps (I420 1920x1080)",
    run_section,
};
