/* imageseg-pipeline-bench: each element timed the way users run it, next to
 * the library call it makes and OpenCV (scikit-image for Sauvola) on the
 * same frame, all in one run.
 *
 * The frame: a photo decoded and scaled by GStreamer itself (filesrc !
 * decodebin ! videoconvert ! videoscale ! caps). The pipelines:
 *   freeze: ... ! imagefreeze num-buffers=N ! ELEMENT ! fakesink
 *   tee:    ... ! imagefreeze num-buffers=N ! tee ! queue ! ELEMENT ! fakesink
 *                                             tee. ! queue ! fakesink
 * imagefreeze hands out one frame's memory again and again, so it is never
 * writable; a tee keeps a second reference. The element's time per frame is
 * taken between pad probes on its sink and src pads (buffer in to buffer
 * out, in its streaming thread: mapping, pool, the library call, metadata),
 * median over the frames, minus the same figure for `identity` in the same
 * place. The library and OpenCV rows are medians of calls on the decoded
 * frame, src -> dst, one thread unless the row says otherwise. Rounds
 * interleave the cases, so machine load hits them alike; the figures are
 * the median over rounds. See bench/README.md. */
#define _GNU_SOURCE /* mkstemp, popen, clock_gettime under -std=c11 */
#include "pipeline.h"

#include <imageseg/imageseg.h>

#include <gst/gst.h>
#include <gst/video/video.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_ROUNDS 16

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    if (n <= 0)
        return -1;
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* The figure of a case over the rounds (each round's is a median over its
 * frames or calls): the median round, or with best the fastest one, which
 * on a machine shared with other jobs is the closest to the undisturbed
 * cost (as imageseg-bench --best). */
static double over_rounds(double *v, int n, int best)
{
    if (!best || n <= 0)
        return median(v, n);
    double m = v[0];
    for (int i = 1; i < n; i++)
        m = v[i] < m ? v[i] : m;
    return m;
}

/* ------------------------------------------------------------ options */

typedef struct Options {
    const char *input;
    int width, height;
    int frames, rounds;
    const char *filter;
    int markdown;
    int skimage;
    double lib_time; /* seconds of library / OpenCV calls per case per round */
    int best;        /* --best: the fastest round's figure instead of the median round's */
} Options;

static const char *default_inputs[] = {
    "/usr/lib/python3/dist-packages/skimage/data/coffee.png",
    "/usr/lib/python3/dist-packages/skimage/data/astronaut.png",
    "/usr/lib/python3/dist-packages/skimage/data/camera.png",
};

/* ------------------------------------------------------------ cases */

/* The binary frame of the hit-or-miss case: the photo thresholded at 128. */
#define BINARY_PRE "otsuthreshold method=manual threshold=128 n-threads=1"

typedef struct Case {
    const char *id;
    PbJob job;
    int size;
    const char *format;  /* caps format of the frame */
    const char *element; /* launch description; n-threads is appended */
    int threads_row;     /* also n-threads=2 (pipeline) and a pool of 2 (library) */
    const char *other;   /* what the reference column runs */
    const char *pre;     /* NULL, or what makes the frame before imagefreeze */
} Case;

static const Case cases[] = {
    { "otsu", PB_JOB_OTSU, 0, "GRAY8", "otsuthreshold", 0, "cv::threshold OTSU", NULL },
    { "erode-rect-31", PB_JOB_ERODE_RECT, 31, "GRAY8",
      "morphology operation=erode shape=rect width=31 height=31", 0, "cv::erode", NULL },
    { "sauvola-31", PB_JOB_SAUVOLA, 31, "GRAY8", "adaptivethreshold method=sauvola block-size=31",
      0, "skimage threshold_sauvola", NULL },
    { "gaussian-31", PB_JOB_GAUSSIAN, 31, "GRAY8",
      "adaptivethreshold method=gaussian block-size=31", 0, "cv::adaptiveThreshold", NULL },
    { "gaussian-101", PB_JOB_GAUSSIAN, 101, "GRAY8",
      "adaptivethreshold method=gaussian block-size=101", 0, "cv::adaptiveThreshold", NULL },
    { "erode-ellipse-15", PB_JOB_ERODE_ELLIPSE, 15, "GRAY8",
      "morphology operation=erode shape=ellipse width=15 height=15", 1, "cv::erode", NULL },
    { "mean-31", PB_JOB_MEAN, 31, "GRAY8", "adaptivethreshold method=mean block-size=31", 1,
      "cv::adaptiveThreshold", NULL },
    { "kmeans-k8", PB_JOB_KMEANS, 8, "RGBx", "kmeansseg k=8", 1, NULL, NULL },
    { "skeleton", PB_JOB_SKELETON, 0, "GRAY8", "hitmiss operation=skeleton", 0,
      "ximgproc::thinning", BINARY_PRE },
    /* regions passes the frame through and attaches one ROI meta per
     * component; the library column labels with statistics (no label
     * image: the element needs none), OpenCV writes its label image too */
    { "regions", PB_JOB_REGIONS, 0, "GRAY8", "regions", 0, "cv::connectedComponentsWithStats",
      BINARY_PRE },
};
#define N_CASES ((int)(sizeof(cases) / sizeof(cases[0])))

typedef struct Results {
    int rounds;
    double lib[MAX_ROUNDS], lib2[MAX_ROUNDS], other[MAX_ROUNDS];
    double freeze[MAX_ROUNDS], tee[MAX_ROUNDS], freeze2[MAX_ROUNDS];
} Results;

/* ------------------------------------------------------------ the frame */

static int alloc_frame(PbFrame *f, int w, int h, int bpp)
{
    f->width = w;
    f->height = h;
    f->bytes_per_pixel = bpp;
    f->stride = ((ptrdiff_t)w * bpp + 63) & ~(ptrdiff_t)63;
    f->data = aligned_alloc(64, (size_t)f->stride * h);
    if (!f->data)
        return -ENOMEM;
    memset(f->data, 0, (size_t)f->stride * h);
    return 0;
}

static char *source_description(const Options *o, const char *format, const char *pre)
{
    return g_strdup_printf("filesrc location=\"%s\" ! decodebin ! videoconvert ! videoscale ! "
                           "video/x-raw,format=%s,width=%d,height=%d,pixel-aspect-ratio=1/1%s%s",
                           o->input, format, o->width, o->height, pre ? " ! " : "", pre ? pre : "");
}

/* The frame as the pipelines see it, decoded by GStreamer into f. */
static int decode_frame(const Options *o, const char *format, const char *pre, PbFrame *f)
{
    char *src = source_description(o, format, pre);
    char *desc = g_strdup_printf("%s ! appsink name=sink sync=false", src);
    GError *err = NULL;
    GstElement *p = gst_parse_launch(desc, &err);
    int ret = -1;

    g_free(src);
    g_free(desc);
    if (!p) {
        fprintf(stderr, "pipeline: %s\n", err ? err->message : "?");
        g_clear_error(&err);
        return -1;
    }
    GstElement *sink = gst_bin_get_by_name(GST_BIN(p), "sink");
    gst_element_set_state(p, GST_STATE_PLAYING);
    GstSample *sample = NULL;
    g_signal_emit_by_name(sink, "pull-sample", &sample);
    if (sample) {
        GstVideoInfo info;
        GstVideoFrame vf;
        gst_video_info_from_caps(&info, gst_sample_get_caps(sample));
        const int bpp = GST_VIDEO_INFO_COMP_PSTRIDE(&info, 0);
        if (gst_video_frame_map(&vf, &info, gst_sample_get_buffer(sample), GST_MAP_READ) &&
            alloc_frame(f, o->width, o->height, bpp) == 0) {
            for (int y = 0; y < o->height; y++)
                memcpy(f->data + y * f->stride,
                       (const uint8_t *)GST_VIDEO_FRAME_PLANE_DATA(&vf, 0) +
                           y * GST_VIDEO_FRAME_PLANE_STRIDE(&vf, 0),
                       (size_t)o->width * bpp);
            gst_video_frame_unmap(&vf);
            ret = 0;
        }
        gst_sample_unref(sample);
    }
    gst_element_set_state(p, GST_STATE_NULL);
    gst_object_unref(sink);
    gst_object_unref(p);
    return ret;
}

/* ------------------------------------------------------------ library calls */

typedef struct LibCtx {
    IsegMorph *morph;
    IsegAdaptive *adaptive;
    IsegKmeans *km;
    IsegKmeansSettings ks;
    IsegHitmiss *hm;
    IsegRegions *regions;
} LibCtx;

static int lib_prepare(const Case *c, const PbFrame *f, LibCtx *l)
{
    memset(l, 0, sizeof(*l));
    if (c->job == PB_JOB_ERODE_RECT || c->job == PB_JOB_ERODE_ELLIPSE) {
        IsegSel *sel = NULL;
        IsegMorphSettings ms;
        iseg_morph_default_settings(&ms);
        ms.max_width = f->width;
        ms.max_height = f->height;
        int ret = iseg_sel_create_shape(
            &sel, c->job == PB_JOB_ERODE_RECT ? ISEG_SEL_RECT : ISEG_SEL_ELLIPSE, c->size, c->size);
        if (ret == 0)
            ret = iseg_morph_create(&l->morph, sel, &ms);
        iseg_sel_free(sel);
        return ret;
    }
    if (c->job == PB_JOB_SAUVOLA || c->job == PB_JOB_GAUSSIAN || c->job == PB_JOB_MEAN) {
        IsegAdaptiveSettings s;
        iseg_adaptive_default_settings(&s);
        s.method = c->job == PB_JOB_SAUVOLA    ? ISEG_ADAPTIVE_SAUVOLA
                   : c->job == PB_JOB_GAUSSIAN ? ISEG_ADAPTIVE_GAUSSIAN
                                               : ISEG_ADAPTIVE_MEAN;
        s.block_size = c->size;
        return iseg_adaptive_create(&l->adaptive, &s, f->width, f->height);
    }
    if (c->job == PB_JOB_SKELETON)
        return iseg_hitmiss_create_rotated(&l->hm, ISEG_HITMISS_SKELETON, NULL,
                                           ISEG_HITMISS_ROTATE_AUTO, f->width, f->height);
    if (c->job == PB_JOB_KMEANS) {
        iseg_kmeans_default_settings(&l->ks);
        l->ks.k = c->size;
        return iseg_kmeans_create(&l->km, f->width, f->height);
    }
    if (c->job == PB_JOB_REGIONS)
        return iseg_regions_create(&l->regions, f->width, f->height);
    return 0;
}

static void lib_free(LibCtx *l)
{
    iseg_morph_destroy(l->morph);
    iseg_adaptive_destroy(l->adaptive);
    iseg_kmeans_destroy(l->km);
    iseg_hitmiss_destroy(l->hm);
    iseg_regions_destroy(l->regions);
}

static IsegFrame gray_frame(const PbFrame *f)
{
    IsegFrame v;
    memset(&v, 0, sizeof(v));
    v.luma = (IsegImage){ f->data, f->width, f->height, f->stride };
    v.chroma_pixel_stride = 1;
    return v;
}

/* The library calls the element makes for one frame, src -> dst. */
static int lib_run(const Case *c, LibCtx *l, const PbFrame *src, PbFrame *dst, IsegPool *pool)
{
    IsegFrame s = gray_frame(src), d = gray_frame(dst);
    uint64_t hist[ISEG_HIST_BINS];
    unsigned T;

    switch (c->job) {
    case PB_JOB_OTSU:
        if (iseg_histogram(&s.luma, hist, pool) < 0 || iseg_otsu_threshold(hist, &T, NULL) < 0)
            return -1;
        return iseg_threshold_frame_to(&s, &d, T, 0, ISEG_OUTPUT_MASK, pool);
    case PB_JOB_ERODE_RECT:
    case PB_JOB_ERODE_ELLIPSE: return iseg_morph_apply(l->morph, &s.luma, &d.luma, pool);
    case PB_JOB_SAUVOLA:
    case PB_JOB_GAUSSIAN:
    case PB_JOB_MEAN:
        /* (no foreground count: the element counts only for its messages) */
        return iseg_adaptive_frame_to(l->adaptive, &s, &d, ISEG_OUTPUT_MASK, pool, NULL);
    case PB_JOB_SKELETON: {
        IsegHitmissStats st;
        return iseg_hitmiss_run(l->hm, &s.luma, &d.luma, 0, pool, &st);
    }
    case PB_JOB_REGIONS: {
        const IsegRegion *r;
        (void)d;
        return iseg_regions_label(l->regions, &s.luma, 128, 8, NULL, 0, &r, pool);
    }
    case PB_JOB_KMEANS: {
        IsegPixels ps, pd;
        iseg_pixels_init(&ps, ISEG_PIXEL_RGBX, src->data, src->width, src->height, src->stride);
        iseg_pixels_init(&pd, ISEG_PIXEL_RGBX, dst->data, dst->width, dst->height, dst->stride);
        return iseg_kmeans_segment(l->km, &l->ks, &ps, &pd, NULL, NULL, pool);
    }
    }
    return -1;
}

typedef int (*CallFn)(void *arg);

/* Median ms of calls to fn within budget seconds (at least 5 calls). */
static double time_calls(CallFn fn, void *arg, double budget)
{
    double samples[4096];
    int n = 0;
    const double end = now_ms() + budget * 1e3;
    if (fn(arg) < 0) /* warm-up (and the check that it runs) */
        return -1;
    while (n < 4096 && (n < 5 || now_ms() < end)) {
        const double t0 = now_ms();
        fn(arg);
        samples[n++] = now_ms() - t0;
    }
    return median(samples, n);
}

typedef struct LibCall {
    const Case *c;
    LibCtx *l;
    const PbFrame *src;
    PbFrame *dst;
    IsegPool *pool;
} LibCall;

static int lib_call(void *p)
{
    LibCall *a = p;
    return lib_run(a->c, a->l, a->src, a->dst, a->pool);
}

typedef struct CvCall {
    const Case *c;
    const PbFrame *src;
    PbFrame *dst;
} CvCall;

#ifdef HAVE_OPENCV
static int cv_call(void *p)
{
    CvCall *a = p;
    return pb_cv_run(a->c->job, a->c->size, a->src, a->dst);
}
#endif

static int memcpy_call(void *p)
{
    PbFrame **f = p;
    for (int y = 0; y < f[0]->height; y++)
        memcpy(f[1]->data + y * f[1]->stride, f[0]->data + y * f[0]->stride,
               (size_t)f[0]->width * f[0]->bytes_per_pixel);
    return 0;
}

/* ------------------------------------------------------------ scikit-image */

/* Median ms of skimage's threshold_sauvola + the comparison on frame f, in a
 * Debian python3 (its own process: the same frame through a PGM file). */
static double skimage_sauvola(const PbFrame *f, int window)
{
    char path[] = "/tmp/iseg-pipeline-bench-XXXXXX";
    const int fd = mkstemp(path);
    double ms = -1;
    if (fd < 0)
        return -1;
    FILE *out = fdopen(fd, "wb");
    fprintf(out, "P5\n%d %d\n255\n", f->width, f->height);
    for (int y = 0; y < f->height; y++)
        fwrite(f->data + y * f->stride, 1, (size_t)f->width, out);
    fclose(out);
    char *cmd =
        g_strdup_printf("/usr/bin/python3 - '%s' %d 2>/dev/null <<'EOF'\n"
                        "import sys, time, statistics\n"
                        "import numpy as np\n"
                        "from skimage.filters import threshold_sauvola\n"
                        "raw = open(sys.argv[1], 'rb').read()\n"
                        "head = raw.split(b'\\n', 3)\n"
                        "w, h = map(int, head[1].split())\n"
                        "img = np.frombuffer(head[3], dtype=np.uint8, count=w * h).reshape(h, w)\n"
                        "win = int(sys.argv[2])\n"
                        "(img > threshold_sauvola(img, window_size=win)).sum()\n"
                        "t = []\n"
                        "for _ in range(5):\n"
                        "    t0 = time.perf_counter()\n"
                        "    m = img > threshold_sauvola(img, window_size=win)\n"
                        "    t.append((time.perf_counter() - t0) * 1e3)\n"
                        "print(statistics.median(t))\n"
                        "EOF",
                        path, window);
    FILE *p = popen(cmd, "r");
    if (p) {
        if (fscanf(p, "%lf", &ms) != 1)
            ms = -1;
        pclose(p);
    }
    g_free(cmd);
    unlink(path);
    return ms;
}

/* ------------------------------------------------------------ pipelines */

typedef struct Probe {
    double t_in;
    double *samples;
    int n, max;
    double first, last; /* wall clock of the first and last buffer out */
} Probe;

static GstPadProbeReturn probe_in(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
    (void)pad, (void)info;
    ((Probe *)data)->t_in = now_ms();
    return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn probe_out(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
    Probe *p = data;
    const double t = now_ms();
    (void)pad, (void)info;
    if (p->n < p->max)
        p->samples[p->n++] = t - p->t_in;
    if (p->n == 1)
        p->first = t;
    p->last = t;
    return GST_PAD_PROBE_OK;
}

/* Runs one pipeline to its end; *element_ms: median time in the element
 * named el (the first 5 frames left out), *wall_ms: wall clock per frame
 * after the first. Returns 0, or -1 (the error printed). */
static int run_pipeline(const Options *o, const char *format, const char *pre, const char *element,
                        int tee, double *element_ms, double *wall_ms)
{
    char *src = source_description(o, format, pre);
    char *desc =
        tee ? g_strdup_printf("%s ! imagefreeze num-buffers=%d ! tee name=t ! queue ! %s name=el ! "
                              "fakesink sync=false t. ! queue ! fakesink sync=false",
                              src, o->frames, element)
            : g_strdup_printf("%s ! imagefreeze num-buffers=%d ! %s name=el ! fakesink sync=false",
                              src, o->frames, element);
    GError *err = NULL;
    GstElement *p = gst_parse_launch(desc, &err);
    int ret = -1;

    g_free(src);
    if (!p) {
        fprintf(stderr, "%s: %s\n", desc, err ? err->message : "?");
        g_clear_error(&err);
        g_free(desc);
        return -1;
    }
    GstElement *el = gst_bin_get_by_name(GST_BIN(p), "el");
    GstPad *sink = gst_element_get_static_pad(el, "sink");
    GstPad *srcpad = gst_element_get_static_pad(el, "src");
    Probe probe = { 0, g_new0(double, o->frames), 0, o->frames, 0, 0 };
    gst_pad_add_probe(sink, GST_PAD_PROBE_TYPE_BUFFER, probe_in, &probe, NULL);
    gst_pad_add_probe(srcpad, GST_PAD_PROBE_TYPE_BUFFER, probe_out, &probe, NULL);

    gst_element_set_state(p, GST_STATE_PLAYING);
    GstBus *bus = gst_element_get_bus(p);
    GstMessage *msg =
        gst_bus_timed_pop_filtered(bus, 300 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
    if (msg && GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS && probe.n > 5) {
        *wall_ms = (probe.last - probe.first) / (probe.n - 1);
        *element_ms = median(probe.samples + 5, probe.n - 5);
        ret = 0;
    } else if (msg && GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
        GError *e = NULL;
        gst_message_parse_error(msg, &e, NULL);
        fprintf(stderr, "%s: %s\n", desc, e->message);
        g_error_free(e);
    } else {
        fprintf(stderr, "%s: no end of stream (%d frames seen)\n", desc, probe.n);
    }
    if (msg)
        gst_message_unref(msg);
    gst_element_set_state(p, GST_STATE_NULL);
    gst_object_unref(bus);
    gst_object_unref(sink);
    gst_object_unref(srcpad);
    gst_object_unref(el);
    gst_object_unref(p);
    g_free(probe.samples);
    g_free(desc);
    return ret;
}

/* ------------------------------------------------------------ report */

static void cpu_model(char *out, size_t size)
{
    char line[512];
    FILE *f = fopen("/proc/cpuinfo", "r");
    snprintf(out, size, "unknown");
    if (!f)
        return;
    while (fgets(line, sizeof(line), f))
        if (strncmp(line, "model name", 10) == 0) {
            const char *c = strchr(line, ':');
            if (c) {
                snprintf(out, size, "%s", c + 2);
                out[strcspn(out, "\n")] = 0;
            }
            break;
        }
    fclose(f);
}

static void load_average(char *out, size_t size)
{
    FILE *f = fopen("/proc/loadavg", "r");
    snprintf(out, size, "unknown");
    if (!f)
        return;
    if (fgets(out, (int)size, f))
        out[strcspn(out, "\n")] = 0;
    fclose(f);
}

static void fmt_ms(char *buf, size_t n, double ms)
{
    if (ms < 0)
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%.3f", ms);
}

static void fmt_ratio(char *buf, size_t n, double num, double den)
{
    if (num <= 0 || den <= 0)
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%.2fx", num / den);
}

/* filter: NULL (everything) or substrings separated by commas, one of
 * which the id contains */
static int filter_matches(const char *filter, const char *id)
{
    if (!filter)
        return 1;
    for (const char *p = filter; *p;) {
        const char *e = strchr(p, ',');
        const size_t n = e ? (size_t)(e - p) : strlen(p);
        for (const char *q = id; n > 0 && strlen(q) >= n; q++)
            if (!strncmp(q, p, n))
                return 1;
        if (!e)
            break;
        p = e + 1;
    }
    return 0;
}

static void usage(void)
{
    printf("usage: imageseg-pipeline-bench [--input IMAGE] [--size WxH] [--frames N]\n"
           "                               [--rounds N] [--filter S[,S...]] [--no-skimage]\n"
           "                               [--markdown] [--best] [--quick]\n");
}

int main(int argc, char **argv)
{
    Options o = { NULL, 1920, 1080, 300, 3, NULL, 0, 1, 0.4, 0 };
    gst_init(&argc, &argv);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--input") && v)
            o.input = argv[++i];
        else if (!strcmp(a, "--size") && v && sscanf(v, "%dx%d", &o.width, &o.height) == 2)
            i++;
        else if (!strcmp(a, "--frames") && v)
            o.frames = atoi(argv[++i]);
        else if (!strcmp(a, "--rounds") && v)
            o.rounds = atoi(argv[++i]);
        else if (!strcmp(a, "--filter") && v)
            o.filter = argv[++i];
        else if (!strcmp(a, "--no-skimage"))
            o.skimage = 0;
        else if (!strcmp(a, "--markdown"))
            o.markdown = 1;
        else if (!strcmp(a, "--best"))
            o.best = 1;
        else if (!strcmp(a, "--quick")) {
            o.width = 97;
            o.height = 61;
            o.frames = 12;
            o.rounds = 1;
            o.lib_time = 0.01;
            o.skimage = 0;
        } else {
            usage();
            return strcmp(a, "--help") ? 2 : 0;
        }
    }
    if (o.frames < 10)
        o.frames = 10;
    if (o.rounds < 1 || o.rounds > MAX_ROUNDS)
        o.rounds = o.rounds < 1 ? 1 : MAX_ROUNDS;
    for (size_t i = 0; !o.input && i < sizeof(default_inputs) / sizeof(default_inputs[0]); i++)
        if (access(default_inputs[i], R_OK) == 0)
            o.input = default_inputs[i];
    if (!o.input) {
        fprintf(stderr, "no input image: pass --input (any image GStreamer decodes)\n");
        return 2;
    }
    if (!gst_element_factory_find("otsuthreshold")) {
        fprintf(stderr, "the imageseg plugin is not found (GST_PLUGIN_PATH=build/gst)\n");
        return 2;
    }

    char cpu[256], load0[64], load1[64];
    cpu_model(cpu, sizeof(cpu));
    load_average(load0, sizeof(load0));
    const char *li = o.markdown ? "- " : "";
    printf("%simageseg-pipeline-bench: %s %dx%d, %d frames a pipeline, %d rounds\n", li, o.input,
           o.width, o.height, o.frames, o.rounds);
    printf("%sCPU: %s, %ld cores online, load average at start: %s\n", li, cpu,
           sysconf(_SC_NPROCESSORS_ONLN), load0);
#ifdef HAVE_OPENCV
    printf("%sOpenCV %s, cv::setNumThreads(1)\n", li, pb_cv_version());
    pb_cv_set_threads(1);
#endif
    printf("%sGStreamer %s\n\n", li, gst_version_string());

    PbFrame gray, binary, rgbx, gray_dst, rgbx_dst;
    if (decode_frame(&o, "GRAY8", NULL, &gray) < 0 ||
        decode_frame(&o, "GRAY8", BINARY_PRE, &binary) < 0 ||
        decode_frame(&o, "RGBx", NULL, &rgbx) < 0 ||
        alloc_frame(&gray_dst, o.width, o.height, 1) < 0 ||
        alloc_frame(&rgbx_dst, o.width, o.height, 4) < 0) {
        fprintf(stderr, "could not decode %s\n", o.input);
        return 1;
    }
    IsegPool *pool2 = NULL;
    iseg_pool_create(&pool2, 2);

    static Results res[N_CASES];
    double memcpy_ms[MAX_ROUNDS], ident_freeze[2][MAX_ROUNDS], ident_tee[2][MAX_ROUNDS];
    memset(res, 0, sizeof(res));
    int failed = 0;
    for (int r = 0; r < o.rounds; r++) {
        PbFrame *pair[2] = { &gray, &gray_dst };
        double wall;
        memcpy_ms[r] = time_calls(memcpy_call, pair, o.lib_time);
        for (int fmt = 0; fmt < 2; fmt++) {
            const char *f = fmt ? "RGBx" : "GRAY8";
            if (run_pipeline(&o, f, NULL, "identity", 0, &ident_freeze[fmt][r], &wall) < 0 ||
                run_pipeline(&o, f, NULL, "identity", 1, &ident_tee[fmt][r], &wall) < 0)
                return 1;
        }
        for (int ci = 0; ci < N_CASES; ci++) {
            const Case *c = &cases[ci];
            Results *rs = &res[ci];
            if (!filter_matches(o.filter, c->id))
                continue;
            const int rgb = c->job == PB_JOB_KMEANS;
            const PbFrame *src = rgb ? &rgbx : c->pre ? &binary : &gray;
            PbFrame *dst = rgb ? &rgbx_dst : &gray_dst;
            const int fmt = rgb;
            LibCtx l;
            if (lib_prepare(c, src, &l) < 0) {
                fprintf(stderr, "%s: library context failed\n", c->id);
                return 1;
            }
            LibCall lc = { c, &l, src, dst, NULL };
            rs->lib[r] = time_calls(lib_call, &lc, o.lib_time);
            if (c->threads_row) {
                lc.pool = pool2;
                rs->lib2[r] = time_calls(lib_call, &lc, o.lib_time);
            }
            lib_free(&l);
            rs->other[r] = -1;
#ifdef HAVE_OPENCV
            if (c->other && c->job != PB_JOB_SAUVOLA) {
                CvCall cc = { c, src, dst };
                rs->other[r] = time_calls(cv_call, &cc, o.lib_time);
            }
#endif
            if (c->job == PB_JOB_SAUVOLA && o.skimage)
                rs->other[r] = skimage_sauvola(src, c->size);

            char *e1 = g_strdup_printf("%s n-threads=1", c->element);
            double t;
            if (run_pipeline(&o, c->format, c->pre, e1, 0, &t, &wall) < 0)
                failed = 1;
            rs->freeze[r] = t - ident_freeze[fmt][r];
            if (run_pipeline(&o, c->format, c->pre, e1, 1, &t, &wall) < 0)
                failed = 1;
            rs->tee[r] = t - ident_tee[fmt][r];
            if (c->threads_row) {
                char *e2 = g_strdup_printf("%s n-threads=2", c->element);
                if (run_pipeline(&o, c->format, c->pre, e2, 0, &t, &wall) < 0)
                    failed = 1;
                rs->freeze2[r] = t - ident_freeze[fmt][r];
                g_free(e2);
            }
            g_free(e1);
            rs->rounds = r + 1;
        }
    }
    load_average(load1, sizeof(load1));

    const double mc = over_rounds(memcpy_ms, o.rounds, o.best);
    if (o.best)
        printf("%severy figure: the fastest of the %d rounds (each a median over its frames or "
               "calls)\n",
               li, o.rounds);
    printf("%smemcpy of the GRAY8 frame: %.3f ms; identity in the freeze / tee pipelines: %.3f / "
           "%.3f ms (subtracted below)\n\n",
           li, mc, over_rounds(ident_freeze[0], o.rounds, o.best),
           over_rounds(ident_tee[0], o.rounds, o.best));
    printf("| case | library ms | element ms (imagefreeze) | element ms (tee) | element / library "
           "| reference | reference ms | reference / element (imagefreeze) | reference / element "
           "(tee) | library x memcpy |\n");
    printf("|---|---|---|---|---|---|---|---|---|---|\n");
    for (int ci = 0; ci < N_CASES; ci++) {
        Results *rs = &res[ci];
        if (!rs->rounds)
            continue;
        const double lib = over_rounds(rs->lib, rs->rounds, o.best),
                     fr = over_rounds(rs->freeze, rs->rounds, o.best);
        const double te = over_rounds(rs->tee, rs->rounds, o.best),
                     ot = over_rounds(rs->other, rs->rounds, o.best);
        char a[32], b[32], c[32], d[32], e[32], f[32], g[32], h[32];
        fmt_ms(a, sizeof(a), lib);
        fmt_ms(b, sizeof(b), fr);
        fmt_ms(c, sizeof(c), te);
        fmt_ratio(d, sizeof(d), fr, lib);
        fmt_ms(e, sizeof(e), ot);
        fmt_ratio(f, sizeof(f), ot, fr);
        fmt_ratio(g, sizeof(g), ot, te);
        fmt_ratio(h, sizeof(h), lib, mc);
        printf("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", cases[ci].id, a, b, c, d,
               cases[ci].other ? cases[ci].other : "-", e, f, g, h);
    }
    printf("\n| n-threads=2 vs 1 | library 1 / 2 threads ms | gain | element (imagefreeze) 1 / 2 "
           "ms | gain |\n");
    printf("|---|---|---|---|---|\n");
    for (int ci = 0; ci < N_CASES; ci++) {
        Results *rs = &res[ci];
        if (!rs->rounds || !cases[ci].threads_row)
            continue;
        const double l1 = over_rounds(rs->lib, rs->rounds, o.best),
                     l2 = over_rounds(rs->lib2, rs->rounds, o.best);
        const double e1 = over_rounds(rs->freeze, rs->rounds, o.best),
                     e2 = over_rounds(rs->freeze2, rs->rounds, o.best);
        char g1[32], g2[32];
        fmt_ratio(g1, sizeof(g1), l1, l2);
        fmt_ratio(g2, sizeof(g2), e1, e2);
        printf("| %s | %.3f / %.3f | %s | %.3f / %.3f | %s |\n", cases[ci].id, l1, l2, g1, e1, e2,
               g2);
    }
    printf("\n%sload average at end: %s\n", li, load1);
    iseg_pool_destroy(pool2);
    free(gray.data);
    free(binary.data);
    free(rgbx.data);
    free(gray_dst.data);
    free(rgbx_dst.data);
    return failed;
}
