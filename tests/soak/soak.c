/* Soak test (issue 7, item 4): each element runs for N frames (default
 * 10 000) of 640x480 content that changes every frame, in a real pipeline
 *
 *   appsrc ! <element> ! fakesink
 *
 * while the application thread changes its properties every `period`
 * frames (the "timer": a fixed frame count, so that runs are reproducible)
 * and switches the input format every `format-period` frames. The resident
 * set size (RSS, /proc/self/statm) and the C heap in use (glibc) are read
 * when output frame `warm-up` goes by and again at the last frame. The
 * `period` frames before each of the two points run in the same "home"
 * state (first format, every property at its first value), so that what
 * differs between them is what the run left behind. An element fails when
 * RSS grew by 4 MiB or more (the bar of issue 7), when the heap in use grew
 * by 1 MiB or more, when a frame is lost, or when the pipeline posts an
 * error.
 *
 * Each element runs in a child process of its own, so that one element's
 * heap (freed but still mapped) cannot hide another's growth, and a crash is
 * reported as such.
 *
 * Usage: imageseg-soak [--frames N] [--warmup N] [--period N]
 *                      [--format-period N] [--max-growth MIB]
 *                      [--element NAME] [--verbose]
 * (--max-growth: the RSS bar, default 4; raise it under valgrind, whose own
 * memory is in RSS. --inject-leak BYTES: leak that much per frame, to show
 * that the test fails then.)
 * Prints one line per element and "N passed, N failed" last; exits non-zero
 * on any failure (with a child's own exit code when that was not 1, so a
 * checker's --error-exitcode reaches the caller). The plugin is found
 * through GST_PLUGIN_PATH (the meson
 * test sets it). */
#define _POSIX_C_SOURCE 200809L /* open_memstream */

#include <gst/gst.h>
#include <gst/app/gstappsrc.h>
#include <gst/video/video.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#define SOAK_WIDTH  640
#define SOAK_HEIGHT 480
#define SOAK_FPS    30
/* The bar of issue 7: RSS growth after warm-up below 4 MiB. */
#define SOAK_MAX_GROWTH_MIB 4.0
/* The C heap in use, measured in the same state at both points, must not
 * grow by this much (a leak of ~120 bytes a frame over 9000 frames). */
#define SOAK_MAX_HEAP_GROWTH_MIB 1.0
/* RSS samples kept for the trend (--verbose) and the peak. */
#define SOAK_MAX_SAMPLES 4096

/* A property and the values it cycles through, one per step (NULL ends
 * the list). Lists of different lengths make the combinations vary. */
typedef struct {
    const gchar *property;
    const gchar *const *values;
} Knob;

typedef struct {
    const gchar *name;
    const GstVideoFormat *formats; /* cycled, GST_VIDEO_FORMAT_UNKNOWN ends */
    const Knob *knobs;             /* { NULL } ends */
} SoakElement;

#define V(...)                                                                                     \
    (const gchar *const[])                                                                         \
    {                                                                                              \
        __VA_ARGS__, NULL                                                                          \
    }

static const GstVideoFormat luma_formats[] = { GST_VIDEO_FORMAT_GRAY8, GST_VIDEO_FORMAT_I420,
                                               GST_VIDEO_FORMAT_NV12, GST_VIDEO_FORMAT_UNKNOWN };

static const GstVideoFormat rgb_formats[] = { GST_VIDEO_FORMAT_RGBx, GST_VIDEO_FORMAT_RGB,
                                              GST_VIDEO_FORMAT_RGBA, GST_VIDEO_FORMAT_GRAY8,
                                              GST_VIDEO_FORMAT_UNKNOWN };

/* Every element: threads and messages change too (the bus is drained by
 * the application, as a real one does). */
#define COMMON_KNOBS                                                                               \
    { "n-threads", V("0", "1", "2", "3") },                                                        \
    {                                                                                              \
        "post-messages", V("false", "true", "false")                                               \
    }

static const Knob otsu_knobs[] = { { "method", V("otsu", "iterative", "manual") },
                                   { "threshold", V("128", "0", "60", "200", "256") },
                                   { "invert", V("false", "true") },
                                   { "output", V("mask", "masked", "mask") },
                                   { "temporal-smoothing", V("0", "0.5", "0.9", "1", "0") },
                                   { "epsilon", V("0.5", "0.01", "5") },
                                   COMMON_KNOBS,
                                   { NULL, NULL } };

static const Knob adaptive_knobs[] = {
    { "method", V("local-otsu", "mean", "gaussian", "sauvola", "niblack") },
    /* 30: even, refused with a warning; 1023: larger than the frame */
    { "block-size", V("31", "3", "101", "30", "1023", "255", "15") },
    { "offset", V("0", "5", "-7.5") },
    { "k", V("0.2", "0.5", "-0.2", "0.05") },
    { "dynamic-range", V("128", "64") },
    { "min-contrast", V("12", "0", "40") },
    { "uniform-reference", V("local", "global") },
    { "invert", V("false", "true", "false") },
    { "output", V("mask", "masked") },
    COMMON_KNOBS,
    { NULL, NULL }
};

static const Knob kmeans_knobs[] = { { "k", V("4", "2", "16", "64", "8", "3") },
                                     { "features", V("color", "color-position", "color") },
                                     { "spatial-weight", V("1", "0.3", "5", "0") },
                                     { "max-iterations", V("10", "3", "20", "1", "5") },
                                     { "epsilon", V("1", "0.1", "5") },
                                     { "init", V("kmeans++", "random") },
                                     { "seed", V("0", "1", "77", "4294967295", "12345") },
                                     { "warm-start", V("true", "true", "false") },
                                     /* alpha: a cut-out on RGBA, the centers (one
                                      * warning) on the others */
                                     { "output",
                                       V("centers", "palette", "alpha", "labels", "centers") },
                                     { "alpha-labels", V("18446744073709551614", "1", "0x6") },
                                     { "hysteresis", V("10", "0", "40", "2.5") },
                                     COMMON_KNOBS,
                                     { NULL, NULL } };

static const Knob morph_knobs[] = {
    { "operation", V("erode", "dilate", "open", "close", "gradient", "tophat", "blackhat") },
    { "shape", V("rect", "cross", "ellipse") },
    { "width", V("3", "1", "7", "31", "255", "5") },
    { "height", V("3", "5", "1", "15", "101") },
    { "iterations", V("1", "2", "1", "5") },
    { "border", V("replicate", "neutral") },
    /* after shape, width and height: a custom element wins over them for
     * that step; "1 1; 1" is malformed (refused with a warning) */
    { "structure",
      V("", "", "0 1 0; 1 1 1; 0 1 0", "", "1 1; 1", "1 1 1 1 1; 0 1 1 1 0; 0 0 1 0 0", "", "") },
    COMMON_KNOBS,
    { NULL, NULL }
};

static const Knob hitmiss_knobs[] = {
    { "operation", V("hitmiss", "thin", "thicken", "skeleton", "thin") },
    /* "0 2 0" is malformed (refused with a warning); the 5x3 one with
     * rotations=8 falls back to 4 with a warning */
    { "structure",
      V("0 0 0; . 1 .; 1 1 1", "1 1 1; . 1 .; 0 0 0", ". 0 0 .; 1 1 0 0; . 1 1 .", "0 2 0",
        "0 1 0; 1 1 1; 0 1 0", "0 0 0 0 0; . 1 1 1 .; 1 1 1 1 1", "1 . 0; 1 1 0; 1 . 0") },
    { "rotations", V("auto", "none", "4", "8") },
    { "iterations", V("1", "0", "3", "10", "2") },
    COMMON_KNOBS,
    { NULL, NULL }
};

static const SoakElement soak_elements[] = {
    { "otsuthreshold", luma_formats, otsu_knobs },
    { "adaptivethreshold", luma_formats, adaptive_knobs },
    { "kmeansseg", rgb_formats, kmeans_knobs },
    { "morphology", luma_formats, morph_knobs },
    { "hitmiss", luma_formats, hitmiss_knobs },
};

typedef struct {
    guint frames;
    guint warmup;
    guint period;
    guint format_period;
    double max_growth; /* MiB */
    guint inject_leak; /* bytes leaked per frame (self-test) */
    const gchar *only;
    gboolean verbose;
} SoakOptions;

/* ---- the moving scene ------------------------------------------------ */

#define NOISE_SIZE 65536
#define N_BLOBS    14

typedef struct {
    double x, y, vx, vy; /* center, velocity in pixels per frame */
    gint rx, ry;         /* half sizes */
    gboolean ellipse;
    guint8 color[3]; /* R G B */
    guint8 luma;
} Blob;

typedef struct {
    guint32 rng;
    gint8 noise[NOISE_SIZE + SOAK_WIDTH * 4];
    Blob blobs[N_BLOBS];
} Scene;

static guint32 scene_rand(Scene *s)
{
    /* xorshift32 */
    guint32 x = s->rng;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return s->rng = x;
}

static void blob_recolor(Scene *s, Blob *b)
{
    guint c;

    for (c = 0; c < 3; c++)
        b->color[c] = scene_rand(s) & 0xff;
    b->luma = (guint8)((77 * b->color[0] + 150 * b->color[1] + 29 * b->color[2]) >> 8);
}

static void scene_init(Scene *s, guint32 seed)
{
    guint i;

    s->rng = seed ? seed : 1;
    for (i = 0; i < G_N_ELEMENTS(s->noise); i++)
        s->noise[i] = (gint8)((gint)(scene_rand(s) % 25) - 12);
    for (i = 0; i < N_BLOBS; i++) {
        Blob *b = &s->blobs[i];
        b->x = scene_rand(s) % SOAK_WIDTH;
        b->y = scene_rand(s) % SOAK_HEIGHT;
        b->vx = ((gint)(scene_rand(s) % 17) - 8) * 0.75;
        b->vy = ((gint)(scene_rand(s) % 13) - 6) * 0.75;
        b->rx = 6 + scene_rand(s) % 90;
        b->ry = 6 + scene_rand(s) % 70;
        b->ellipse = (i % 3) != 0;
        blob_recolor(s, b);
    }
}

/* Moves the blobs (bouncing off the edges); now and then one changes
 * color, as after a cut. */
static void scene_step(Scene *s, guint index)
{
    guint i;

    for (i = 0; i < N_BLOBS; i++) {
        Blob *b = &s->blobs[i];
        b->x += b->vx;
        b->y += b->vy;
        if (b->x < 0 || b->x >= SOAK_WIDTH)
            b->vx = -b->vx;
        if (b->y < 0 || b->y >= SOAK_HEIGHT)
            b->vy = -b->vy;
    }
    if (index % 37 == 0)
        blob_recolor(s, &s->blobs[scene_rand(s) % N_BLOBS]);
}

static inline guint8 clamp8(gint v)
{
    return (guint8)(v < 0 ? 0 : v > 255 ? 255 : v);
}

/* Fills component comp of frame: a drifting gradient with noise and the
 * blobs for the luma / R / G / B components, a slow gradient for the
 * chroma of YUV formats, 255 for alpha. */
static void scene_fill_component(Scene *s, GstVideoFrame *frame, guint comp, guint index)
{
    const GstVideoFormatInfo *finfo = frame->info.finfo;
    guint8 *data = GST_VIDEO_FRAME_COMP_DATA(frame, comp);
    const gint stride = GST_VIDEO_FRAME_COMP_STRIDE(frame, comp);
    const gint ps = GST_VIDEO_FRAME_COMP_PSTRIDE(frame, comp);
    const gint w = GST_VIDEO_FRAME_COMP_WIDTH(frame, comp);
    const gint h = GST_VIDEO_FRAME_COMP_HEIGHT(frame, comp);
    const gboolean yuv = GST_VIDEO_FORMAT_INFO_IS_YUV(finfo);
    const gboolean alpha = GST_VIDEO_FORMAT_INFO_HAS_ALPHA(finfo) && comp == 3;
    const gboolean chroma = yuv && comp != GST_VIDEO_COMP_Y;
    /* gradient per 256 pixels, drifting over time */
    const gint gx = (gint)(96 * sin(index * 0.011 + comp));
    const gint gy = (gint)(80 * cos(index * 0.007 + 2 * comp));
    const gint base = 64 + (gint)(40 * sin(index * 0.05 + comp));
    gint x, y;
    guint i;

    for (y = 0; y < h; y++) {
        guint8 *row = data + (gsize)y * stride;
        if (alpha) {
            for (x = 0; x < w; x++)
                row[x * ps] = 255;
        } else if (chroma) {
            for (x = 0; x < w; x++)
                row[x * ps] = clamp8(128 + ((x * gx + y * gy) >> 9));
        } else {
            const gint8 *nz = s->noise + (scene_rand(s) % NOISE_SIZE);
            const gint rowbase = base + ((y * gy) >> 8);
            for (x = 0; x < w; x++)
                row[x * ps] = clamp8(rowbase + ((x * gx) >> 8) + nz[x]);
        }
    }
    if (alpha || chroma)
        return;

    for (i = 0; i < N_BLOBS; i++) {
        const Blob *b = &s->blobs[i];
        const gint v = GST_VIDEO_FORMAT_INFO_IS_RGB(finfo) ? b->color[comp] : b->luma;
        const gint cx = (gint)b->x, cy = (gint)b->y;
        gint y0 = MAX(cy - b->ry, 0), y1 = MIN(cy + b->ry, h - 1);

        for (y = y0; y <= y1; y++) {
            guint8 *row = data + (gsize)y * stride;
            const gint8 *nz = s->noise + (scene_rand(s) % NOISE_SIZE);
            gint half = b->rx, x0, x1;
            if (b->ellipse) {
                const double dy = (double)(y - cy) / b->ry;
                half = (gint)(b->rx * sqrt(MAX(0.0, 1.0 - dy * dy)));
            }
            x0 = MAX(cx - half, 0);
            x1 = MIN(cx + half, w - 1);
            for (x = x0; x <= x1; x++)
                row[x * ps] = clamp8(v + nz[x] / 2);
        }
    }
}

static void scene_fill(Scene *s, GstBuffer *buf, const GstVideoInfo *info, guint index)
{
    GstVideoFrame frame;
    guint c;

    if (!gst_video_frame_map(&frame, info, buf, GST_MAP_WRITE))
        g_error("cannot map an input buffer");
    /* the padding byte of RGBx and the like: a value that changes from frame
     * to frame, which the element must ignore (pool memory is not cleared) */
    if (GST_VIDEO_FRAME_N_COMPONENTS(&frame) == 3 && GST_VIDEO_FRAME_COMP_PSTRIDE(&frame, 0) == 4) {
        gint y;
        for (y = 0; y < GST_VIDEO_FRAME_HEIGHT(&frame); y++)
            memset((guint8 *)GST_VIDEO_FRAME_PLANE_DATA(&frame, 0) +
                       (gsize)y * GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 0),
                   (gint)(index * 37u + 11u) & 0xff, GST_VIDEO_FRAME_WIDTH(&frame) * 4);
    }
    for (c = 0; c < GST_VIDEO_FRAME_N_COMPONENTS(&frame); c++)
        scene_fill_component(s, &frame, c, index);
    gst_video_frame_unmap(&frame);
}

/* ---- memory ------------------------------------------------------------ */

/* Resident set size in bytes (0 if /proc is not there); *file the part of
 * it that is file-backed (code and data of the libraries, as they are
 * paged in) or shared. */
static guint64 rss_bytes(guint64 *file)
{
    unsigned long size = 0, resident = 0, shared = 0;
    const guint64 page = (guint64)sysconf(_SC_PAGESIZE);
    FILE *f = fopen("/proc/self/statm", "r");

    *file = 0;
    if (!f)
        return 0;
    if (fscanf(f, "%lu %lu %lu", &size, &resident, &shared) != 3)
        resident = shared = 0;
    fclose(f);
    *file = shared * page;
    return resident * page;
}

/* Bytes the C heap holds for live allocations, all arenas together
 * (glibc's malloc_info: heap obtained from the system minus its free
 * chunks, plus mmapped blocks); -1 where that is not available. Unlike
 * RSS it does not count freed memory malloc keeps mapped, nor the pages of
 * a live block never touched: a leak shows in both, fragmentation only in
 * RSS. */
static gint64 heap_in_use(void)
{
#ifdef __GLIBC__
    char *text = NULL, *p;
    size_t len = 0;
    long long fast = -1, rest = -1, mmapped = -1, current = -1;
    FILE *f = open_memstream(&text, &len);

    if (!f)
        return -1;
    if (malloc_info(0, f) != 0) {
        fclose(f);
        free(text);
        return -1;
    }
    fclose(f);
    /* the totals over all arenas come last */
    for (p = text; (p = strstr(p, "<total type=\"")); p++) {
        long long count, size;
        if (sscanf(p, "<total type=\"fast\" count=\"%lld\" size=\"%lld\"", &count, &size) == 2)
            fast = size;
        else if (sscanf(p, "<total type=\"rest\" count=\"%lld\" size=\"%lld\"", &count, &size) == 2)
            rest = size;
        else if (sscanf(p, "<total type=\"mmap\" count=\"%lld\" size=\"%lld\"", &count, &size) == 2)
            mmapped = size;
    }
    for (p = text; (p = strstr(p, "<system type=\"current\" size=\"")); p++)
        sscanf(p, "<system type=\"current\" size=\"%lld\"", &current);
    free(text);
    if (fast < 0 || rest < 0 || mmapped < 0 || current < 0)
        return -1;
    return current - fast - rest + mmapped;
#else
    return -1;
#endif
}

static double mib(double bytes)
{
    return bytes / (1024.0 * 1024.0);
}

/* ---- one element ------------------------------------------------------- */

typedef struct {
    const SoakOptions *opt;
    guint out_frames; /* streaming thread */
    guint sample_every;
    guint64 rss_warmup, rss_end, rss_peak;
    gint64 heap_warmup, heap_end;
    guint n_samples;
    guint sample_frame[SOAK_MAX_SAMPLES];
    guint64 sample_rss[SOAK_MAX_SAMPLES];
    guint64 sample_file[SOAK_MAX_SAMPLES];
    gint64 sample_heap[SOAK_MAX_SAMPLES];
} Meter;

/* On the sink pad: counts frames and reads RSS at warm-up, every
 * sample_every frames and at the last frame. */
static GstPadProbeReturn meter_probe(GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
    Meter *m = user_data;
    guint n = ++m->out_frames;
    gboolean sample = n % m->sample_every == 0 || n == m->opt->warmup || n == m->opt->frames;

    (void)pad;
    (void)info;
    if (m->opt->inject_leak) {
        /* the self-test: leak (and touch) this much per frame, as a leaking
         * element would; the run must fail */
        guint8 *leak = g_malloc(m->opt->inject_leak);
        memset(leak, (gint)n, m->opt->inject_leak);
    }
    if (sample) {
        guint64 file;
        guint64 rss = rss_bytes(&file);
        gint64 heap = heap_in_use();
        if (n == m->opt->warmup) {
            m->rss_warmup = rss;
            m->heap_warmup = heap;
        }
        if (n == m->opt->frames) {
            m->rss_end = rss;
            m->heap_end = heap;
        }
        if (n >= m->opt->warmup && rss > m->rss_peak)
            m->rss_peak = rss;
        if (m->n_samples < SOAK_MAX_SAMPLES) {
            m->sample_frame[m->n_samples] = n;
            m->sample_rss[m->n_samples] = rss;
            m->sample_heap[m->n_samples] = heap;
            m->sample_file[m->n_samples] = file;
            m->n_samples++;
        }
    }
    return GST_PAD_PROBE_OK;
}

static guint list_length(const gchar *const *values)
{
    guint n = 0;
    while (values[n])
        n++;
    return n;
}

/* Step s of the property timer: every knob takes its value for s. */
static void apply_step(GstElement *e, const Knob *knobs, guint step, gboolean verbose)
{
    const Knob *k;

    if (verbose)
        g_print(" step %u:", step);
    for (k = knobs; k->property; k++) {
        const gchar *v = k->values[step % list_length(k->values)];
        gst_util_set_object_arg(G_OBJECT(e), k->property, v);
        if (verbose)
            g_print(" %s=%s", k->property, v);
    }
    if (verbose)
        g_print("\n");
}

/* One bus message: FALSE on an error, *eos set on EOS. */
static gboolean handle_message(GstMessage *msg, const gchar *name, gboolean *eos)
{
    gboolean ok = TRUE;

    if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
        GError *err = NULL;
        gchar *dbg = NULL;
        gst_message_parse_error(msg, &err, &dbg);
        g_print("%s: error from %s: %s (%s)\n", name, GST_OBJECT_NAME(GST_MESSAGE_SRC(msg)),
                err->message, dbg ? dbg : "");
        g_clear_error(&err);
        g_free(dbg);
        ok = FALSE;
    } else if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS) {
        *eos = TRUE;
    }
    gst_message_unref(msg);
    return ok;
}

/* Handles (and frees) what is on the bus, as an application's bus watch
 * would; FALSE on an error. */
static gboolean drain_bus(GstBus *bus, const gchar *name, gboolean *eos)
{
    GstMessage *msg;
    gboolean ok = TRUE;

    while ((msg = gst_bus_pop(bus)))
        ok = handle_message(msg, name, eos) && ok;
    return ok;
}

static GstBufferPool *make_pool(GstCaps *caps, const GstVideoInfo *info)
{
    GstBufferPool *pool = gst_video_buffer_pool_new();
    GstStructure *config = gst_buffer_pool_get_config(pool);

    /* enough for the appsrc queue and the frames in flight, all made now */
    gst_buffer_pool_config_set_params(config, caps, info->size, 8, 0);
    if (!gst_buffer_pool_set_config(pool, config) || !gst_buffer_pool_set_active(pool, TRUE))
        g_error("cannot start a buffer pool for %" GST_PTR_FORMAT, caps);
    return pool;
}

static void free_pool(GstBufferPool *pool)
{
    if (pool) {
        gst_buffer_pool_set_active(pool, FALSE);
        gst_object_unref(pool);
    }
}

/* Runs one element; prints its line; returns TRUE when it passed. */
static gboolean soak_element(const SoakElement *se, const SoakOptions *opt)
{
    GstElement *pipeline, *src, *elem, *sink;
    GstBus *bus;
    GstPad *pad;
    /* one pool per format, kept for the whole run: the harness's own frames
     * are allocated once, so that memory that moves is the element's */
    GstBufferPool *pools[8] = { NULL };
    GstVideoInfo infos[8];
    Scene *scene = g_new0(Scene, 1);
    Meter *m = g_new0(Meter, 1);
    guint n_formats = 0, cur_format = G_MAXUINT, cur_step = G_MAXUINT, i;
    gboolean ok = TRUE, eos = FALSE;
    gint64 t0, t1;
    double growth, fps;

    while (se->formats[n_formats] != GST_VIDEO_FORMAT_UNKNOWN)
        n_formats++;
    g_assert(n_formats <= G_N_ELEMENTS(pools));

    pipeline = gst_pipeline_new("soak");
    src = gst_element_factory_make("appsrc", NULL);
    elem = gst_element_factory_make(se->name, NULL);
    sink = gst_element_factory_make("fakesink", NULL);
    if (!src || !elem || !sink) {
        g_print("%s: cannot create the pipeline (is GST_PLUGIN_PATH set?)\n", se->name);
        return FALSE;
    }
    /* block when 4 frames wait, as behind a live source */
    g_object_set(src, "format", GST_FORMAT_TIME, "block", TRUE, "max-buffers", (guint64)4, NULL);
    g_object_set(sink, "sync", FALSE, "async", FALSE, NULL);
    gst_bin_add_many(GST_BIN(pipeline), src, elem, sink, NULL);
    if (!gst_element_link_many(src, elem, sink, NULL))
        g_error("cannot link appsrc ! %s ! fakesink", se->name);

    m->opt = opt;
    m->sample_every = MAX(opt->frames / 200, 1);
    pad = gst_element_get_static_pad(sink, "sink");
    gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, meter_probe, m, NULL);
    gst_object_unref(pad);

    bus = gst_element_get_bus(pipeline);
    scene_init(scene, 2024);
    if (gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
        g_error("%s: cannot start the pipeline", se->name);

    t0 = g_get_monotonic_time();
    for (i = 0; i < opt->frames && ok; i++) {
        GstBuffer *buf = NULL;

        /* The `period` frames before each measurement are a home window:
         * first format, step-0 values. Both measurements are then taken in the
         * same state, and what differs between them is what the run left. */
        const gboolean home =
            (i < opt->warmup && i + opt->period >= opt->warmup) || i + opt->period >= opt->frames;
        const guint want_format = home ? 0 : (i / opt->format_period) % n_formats;
        const guint want_step = home ? 0 : i / opt->period;

        if (want_format != cur_format) {
            GstVideoFormat fmt = se->formats[want_format];
            GstVideoInfo *info = &infos[want_format];
            GstCaps *caps;

            gst_video_info_set_format(info, fmt, SOAK_WIDTH, SOAK_HEIGHT);
            GST_VIDEO_INFO_FPS_N(info) = SOAK_FPS;
            GST_VIDEO_INFO_FPS_D(info) = 1;
            caps = gst_video_info_to_caps(info);
            if (opt->verbose)
                g_print("  frame %u: format %s\n", i, gst_video_format_to_string(fmt));
            gst_app_src_set_caps(GST_APP_SRC(src), caps);
            if (!pools[want_format])
                pools[want_format] = make_pool(caps, info);
            gst_caps_unref(caps);
            cur_format = want_format;
        }
        if (want_step != cur_step) {
            if (opt->verbose)
                g_print("  frame %u:%s", i, home ? " (home)" : "");
            apply_step(elem, se->knobs, want_step, opt->verbose);
            cur_step = want_step;
        }

        if (gst_buffer_pool_acquire_buffer(pools[cur_format], &buf, NULL) != GST_FLOW_OK)
            g_error("cannot get a buffer from the pool");
        scene_step(scene, i);
        scene_fill(scene, buf, &infos[cur_format], i);
        GST_BUFFER_PTS(buf) = gst_util_uint64_scale(i, GST_SECOND, SOAK_FPS);
        GST_BUFFER_DURATION(buf) = gst_util_uint64_scale(1, GST_SECOND, SOAK_FPS);
        if (gst_app_src_push_buffer(GST_APP_SRC(src), buf) != GST_FLOW_OK) {
            g_print("%s: appsrc refused frame %u\n", se->name, i);
            ok = FALSE;
        }
        ok = drain_bus(bus, se->name, &eos) && ok;
    }
    gst_app_src_end_of_stream(GST_APP_SRC(src));
    while (ok && !eos) {
        GstMessage *msg =
            gst_bus_timed_pop_filtered(bus, 100 * GST_MSECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
        if (msg)
            ok = handle_message(msg, se->name, &eos);
    }
    t1 = g_get_monotonic_time();

    gst_element_set_state(pipeline, GST_STATE_NULL);
    gst_object_unref(bus);
    gst_object_unref(pipeline);
    for (i = 0; i < n_formats; i++)
        free_pool(pools[i]);

    if (m->out_frames != opt->frames) {
        g_print("%s: %u frames pushed, %u came out\n", se->name, opt->frames, m->out_frames);
        ok = FALSE;
    }
    if (opt->verbose) {
        for (i = 0; i < m->n_samples; i++)
            g_print("  rss %s frame %u: %.2f MiB (file-backed %.2f), heap in use "
                    "%.2f MiB\n",
                    se->name, m->sample_frame[i], mib(m->sample_rss[i]), mib(m->sample_file[i]),
                    mib(m->sample_heap[i]));
    }
    growth = (double)m->rss_end - (double)m->rss_warmup;
    fps = opt->frames / ((t1 - t0) / 1e6);
    if (m->rss_warmup == 0 || m->rss_end == 0)
        ok = FALSE;
    if (mib(growth) >= opt->max_growth)
        ok = FALSE;
    if (m->heap_warmup > 0 && m->heap_end > 0 &&
        mib((double)m->heap_end - (double)m->heap_warmup) >= SOAK_MAX_HEAP_GROWTH_MIB)
        ok = FALSE;
    g_print("%s: %u frames, %.0f fps, RSS %.2f MiB at frame %u, %.2f MiB at "
            "the end (peak %.2f), growth %+.2f MiB",
            se->name, m->out_frames, fps, mib(m->rss_warmup), opt->warmup, mib(m->rss_end),
            mib(m->rss_peak), mib(growth));
    if (m->heap_warmup > 0 && m->heap_end > 0)
        g_print("; heap in use %.2f -> %.2f MiB", mib(m->heap_warmup), mib(m->heap_end));
    g_print(": %s\n", ok ? "ok" : "FAILED");
    g_free(m);
    g_free(scene);
    return ok;
}

/* ---- main -------------------------------------------------------------- */

static void usage(void)
{
    g_printerr("usage: imageseg-soak [--frames N] [--warmup N] [--period N] "
               "[--format-period N] [--max-growth MIB] [--element NAME] [--verbose]\n");
    exit(2);
}

static guint parse_count(const gchar *s)
{
    gchar *end;
    guint64 v = g_ascii_strtoull(s, &end, 10);
    if (*end || v == 0 || v > G_MAXINT)
        usage();
    return (guint)v;
}

int main(int argc, char **argv)
{
    SoakOptions opt = { 10000, 0, 50, 0, SOAK_MAX_GROWTH_MIB, 0, NULL, FALSE };
    guint passed = 0, failed = 0, i;
    int child_code = 0; /* an exit code not ours (a checker's, such as valgrind's) */
    gint a;

    /* later options win, so `meson test --test-args` can override */
    for (a = 1; a < argc; a++) {
        if (g_str_equal(argv[a], "--verbose"))
            opt.verbose = TRUE;
        else if (a + 1 >= argc)
            usage();
        else if (g_str_equal(argv[a], "--frames"))
            opt.frames = parse_count(argv[++a]);
        else if (g_str_equal(argv[a], "--warmup"))
            opt.warmup = parse_count(argv[++a]);
        else if (g_str_equal(argv[a], "--period"))
            opt.period = parse_count(argv[++a]);
        else if (g_str_equal(argv[a], "--format-period"))
            opt.format_period = parse_count(argv[++a]);
        else if (g_str_equal(argv[a], "--max-growth")) {
            gchar *end;
            opt.max_growth = g_ascii_strtod(argv[++a], &end);
            if (*end || !(opt.max_growth > 0))
                usage();
        } else if (g_str_equal(argv[a], "--inject-leak"))
            opt.inject_leak = parse_count(argv[++a]);
        else if (g_str_equal(argv[a], "--element"))
            opt.only = argv[++a];
        else
            usage();
    }
    /* warm-up: frame 1000 of a long run, a third of a short one */
    if (opt.warmup == 0)
        opt.warmup = opt.frames >= 3000 ? 1000 : MAX(opt.frames / 3, 1);
    if (opt.warmup > opt.frames)
        usage();
    /* every format is seen (twice) before warm-up */
    if (opt.format_period == 0)
        opt.format_period = MAX(opt.warmup / 6, 1);

    for (i = 0; i < G_N_ELEMENTS(soak_elements); i++) {
        const SoakElement *se = &soak_elements[i];
        pid_t pid;
        int status;

        if (opt.only && !g_str_equal(opt.only, se->name))
            continue;
        fflush(stdout);
        fflush(stderr);
        /* the parent never starts GStreamer (nor any thread): fork is safe */
        pid = fork();
        if (pid < 0) {
            perror("fork");
            return 1;
        }
        if (pid == 0) {
            gboolean ok;
            gst_init(NULL, NULL);
            ok = soak_element(se, &opt);
            fflush(stdout);
            _exit(ok ? 0 : 1);
        }
        if (waitpid(pid, &status, 0) < 0) {
            perror("waitpid");
            return 1;
        }
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
            passed++;
        } else {
            if (WIFSIGNALED(status))
                g_print("%s: crashed (signal %d)\n", se->name, WTERMSIG(status));
            if (WIFEXITED(status) && WEXITSTATUS(status) != 1) {
                /* the child ran under a checker that reported errors at its
                 * exit (valgrind's --error-exitcode): hand that code on */
                g_print("%s: exit status %d\n", se->name, WEXITSTATUS(status));
                if (!child_code)
                    child_code = WEXITSTATUS(status);
            }
            failed++;
        }
    }
    if (passed + failed == 0) {
        g_printerr("no element named %s\n", opt.only ? opt.only : "?");
        return 2;
    }
    g_print("%u passed, %u failed\n", passed, failed);
    if (child_code)
        return child_code;
    return failed ? 1 : 0;
}
