/* kmeansseg element tests: every format (packed RGB, GRAY8, 4:2:0 YUV) at odd sizes against the
 * library's plain reference path, hand-checked pixels, messages, warm start kept across frames and
 * reset on flush and caps change, n-threads equality, renegotiation, padded strides, alpha passed
 * through, more clusters than colors, properties changed from another thread, range checks. */
#include "elemutil.h"

#include <math.h>
#include <string.h>

static const struct {
    GstVideoFormat gst;
    IsegPixelFormat iseg;
} formats[] = {
    { GST_VIDEO_FORMAT_RGB, ISEG_PIXEL_RGB },     { GST_VIDEO_FORMAT_BGR, ISEG_PIXEL_BGR },
    { GST_VIDEO_FORMAT_RGBx, ISEG_PIXEL_RGBX },   { GST_VIDEO_FORMAT_BGRx, ISEG_PIXEL_BGRX },
    { GST_VIDEO_FORMAT_xRGB, ISEG_PIXEL_XRGB },   { GST_VIDEO_FORMAT_xBGR, ISEG_PIXEL_XBGR },
    { GST_VIDEO_FORMAT_RGBA, ISEG_PIXEL_RGBA },   { GST_VIDEO_FORMAT_BGRA, ISEG_PIXEL_BGRA },
    { GST_VIDEO_FORMAT_ARGB, ISEG_PIXEL_ARGB },   { GST_VIDEO_FORMAT_ABGR, ISEG_PIXEL_ABGR },
    { GST_VIDEO_FORMAT_GRAY8, ISEG_PIXEL_GRAY8 },
};

/* The 4:2:0 formats, which go through iseg_kmeans_segment_yuv420(). */
static const GstVideoFormat yuv_formats[] = { GST_VIDEO_FORMAT_I420, GST_VIDEO_FORMAT_YV12,
                                              GST_VIDEO_FORMAT_NV12, GST_VIDEO_FORMAT_NV21 };

static gboolean is_yuv(GstVideoFormat fmt)
{
    for (guint i = 0; i < G_N_ELEMENTS(yuv_formats); i++)
        if (yuv_formats[i] == fmt)
            return TRUE;
    return FALSE;
}

static IsegPixelFormat iseg_format(GstVideoFormat fmt)
{
    for (guint i = 0; i < G_N_ELEMENTS(formats); i++)
        if (formats[i].gst == fmt)
            return formats[i].iseg;
    fail("format %s", gst_video_format_to_string(fmt));
    return ISEG_PIXEL_GRAY8;
}

/* Maps buf (through its video meta, if any) as the library's pixel view. */
static void map_pixels(GstBuffer *buf, GstVideoFormat fmt, gint w, gint h, GstVideoFrame *frame,
                       IsegPixels *px)
{
    GstVideoInfo info;

    gst_video_info_set_format(&info, fmt, w, h);
    fail_unless(gst_video_frame_map(frame, &info, buf, GST_MAP_READWRITE));
    fail_unless_equals_int(iseg_pixels_init(px, iseg_format(fmt),
                                            GST_VIDEO_FRAME_PLANE_DATA(frame, 0), w, h,
                                            GST_VIDEO_FRAME_PLANE_STRIDE(frame, 0)),
                           0);
}

/* The element's output for a cold start on `in`, by the library's plain
 * reference path on an independent mapping. */
static GstBuffer *expected_output(GstBuffer *in, GstVideoFormat fmt, gint w, gint h,
                                  const IsegKmeansSettings *s, IsegKmeansResult *res)
{
    GstBuffer *out = gst_buffer_copy_deep(in);
    GstVideoFrame frame;
    IsegPixels px;
    IsegFrame view;
    IsegKmeans *km = NULL;

    fail_unless_equals_int(iseg_kmeans_create(&km, w, h), 0);
    if (is_yuv(fmt)) {
        eu_map_view(out, fmt, w, h, &frame, &view);
        fail_unless_equals_int(iseg_kmeans_segment_yuv420_ref(km, s, &view, &view, NULL, res), 0);
    } else {
        map_pixels(out, fmt, w, h, &frame, &px);
        fail_unless_equals_int(iseg_kmeans_segment_ref(km, s, &px, &px, NULL, res), 0);
    }
    iseg_kmeans_destroy(km);
    gst_video_frame_unmap(&frame);
    return out;
}

static IsegKmeansSettings settings_k(guint k)
{
    IsegKmeansSettings s;
    iseg_kmeans_default_settings(&s);
    s.k = (int)k;
    return s;
}

/* One configuration for an EuCase; configure() reads back the features and
 * output the element made of the nicks into s. cold: warm-start off. */
typedef struct {
    const gchar *features, *output;
    guint k;
    gboolean cold;
    IsegKmeansSettings s;
} KmeansCase;

static void configure(GstElement *e, gpointer data)
{
    KmeansCase *c = data;

    c->s = settings_k(c->k);
    gst_util_set_object_arg(G_OBJECT(e), "features", c->features);
    gst_util_set_object_arg(G_OBJECT(e), "output", c->output);
    g_object_set(e, "k", c->k, NULL);
    if (c->cold)
        g_object_set(e, "warm-start", FALSE, NULL);
    g_object_get(e, "features", &c->s.features, "output", &c->s.output, NULL);
}

static GstBuffer *expected_case(GstBuffer *in, GstVideoFormat fmt, gint w, gint h, gpointer data)
{
    const KmeansCase *c = data;
    return expected_output(in, fmt, w, h, &c->s, NULL);
}

static const EuCase kmeans_case = { configure, expected_case, NULL, FALSE };

static void check_case(GstVideoFormat fmt, gint w, gint h, const gchar *features,
                       const gchar *output, guint k)
{
    KmeansCase c = { features, output, k, FALSE, { 0 } };
    gchar *what = g_strdup_printf("%s %dx%d %s %s k=%u", gst_video_format_to_string(fmt), w, h,
                                  features, output, k);

    eu_check_case("kmeansseg", fmt, w, h, w * 7 + h, 3, &kmeans_case, &c, what);
    g_free(what);
}

GST_START_TEST(test_every_format_and_size)
{
    for (guint f = 0; f < G_N_ELEMENTS(formats); f++)
        for (guint s = 0; s < eu_n_sizes; s++)
            check_case(formats[f].gst, eu_sizes[s][0], eu_sizes[s][1], "color", "centers", 4);
    /* every output and feature set on two layouts (smaller under valgrind) */
    const gint cw = eu_quick() ? 61 : 161, ch = eu_quick() ? 37 : 97;
    for (guint f = 0; f < 2; f++) {
        const GstVideoFormat fmt = f ? GST_VIDEO_FORMAT_GRAY8 : GST_VIDEO_FORMAT_xBGR;
        const gchar *outputs[] = { "centers", "palette", "labels" };
        for (guint o = 0; o < G_N_ELEMENTS(outputs); o++) {
            check_case(fmt, cw, ch, "color", outputs[o], 5);
            check_case(fmt, cw, ch, "color-position", outputs[o], 3);
        }
    }
}

GST_END_TEST;

/* The 4:2:0 formats at every odd size, every output and feature set. */
GST_START_TEST(test_yuv_formats_and_sizes)
{
    const gchar *outputs[] = { "centers", "palette", "labels" };
    const gint cw = eu_quick() ? 61 : 161, ch = eu_quick() ? 37 : 97;
    for (guint f = 0; f < G_N_ELEMENTS(yuv_formats); f++) {
        for (guint s = 0; s < eu_n_sizes; s++)
            check_case(yuv_formats[f], eu_sizes[s][0], eu_sizes[s][1], "color", "centers", 4);
        for (guint o = 0; o < G_N_ELEMENTS(outputs); o++) {
            check_case(yuv_formats[f], cw, ch, "color", outputs[o], 5);
            check_case(yuv_formats[f], cw, ch, "color-position", outputs[o], 3);
        }
    }
}

GST_END_TEST;

/* Six gray pixels 0 2 4 10 12 14, k = 2: whatever two pixels k-means++
 * starts from, the loop ends at the centers 2 and 12 ({0 2 4} {10 12 14}),
 * inertia 4 + 0 + 4 + 4 + 0 + 4 = 16. Label 0 is the darker cluster. */
static const guint8 six_px[6] = { 0, 2, 4, 10, 12, 14 };

static GstBuffer *six_pixel_frame(void)
{
    /* GRAY8 6x1 has a stride of 8 */
    guint8 px[8] = { 0 };
    memcpy(px, six_px, 6);
    return gst_buffer_new_memdup(px, 8);
}

GST_START_TEST(test_hand_checked_pixels)
{
    static const guint8 centers[6] = { 2, 2, 2, 12, 12, 12 };
    static const guint8 labels[6] = { 0, 0, 0, 1, 1, 1 };
    GstHarness *h = eu_harness_new("kmeansseg", GST_VIDEO_FORMAT_GRAY8, 6, 1);
    GstBuffer *out;
    GstMapInfo map;

    g_object_set(h->element, "k", 2, "epsilon", 0.0, NULL);
    for (guint seed = 0; seed < eu_count(20); seed++) {
        g_object_set(h->element, "seed", seed, "warm-start", FALSE, NULL);
        gst_util_set_object_arg(G_OBJECT(h->element), "init", seed % 2 ? "random" : "kmeans++");
        gst_util_set_object_arg(G_OBJECT(h->element), "output", "centers");
        eu_push_expect_bytes(h, six_pixel_frame(), centers, 6, "centers, seed %u", seed);

        gst_util_set_object_arg(G_OBJECT(h->element), "output", "labels");
        eu_push_expect_bytes(h, six_pixel_frame(), labels, 6, "labels, seed %u", seed);
    }
    /* palette, gray: label i of k drawn as 255 * i / (k - 1) */
    gst_util_set_object_arg(G_OBJECT(h->element), "output", "palette");
    out = eu_push_and_pull(h, six_pixel_frame());
    gst_buffer_map(out, &map, GST_MAP_READ);
    for (int i = 0; i < 6; i++)
        fail_unless_equals_int(map.data[i], i < 3 ? 0 : 255);
    gst_buffer_unmap(out, &map);
    gst_buffer_unref(out);
    eu_harness_teardown(h);
}

GST_END_TEST;

/* Reads the message's centers as k rows of dims values. */
static gint message_centers(const GstStructure *s, gdouble c[][5], gint *dims)
{
    const GValue *all = gst_structure_get_value(s, "centers");
    guint k;

    fail_unless(all != NULL && GST_VALUE_HOLDS_ARRAY(all));
    k = gst_value_array_get_size(all);
    for (guint j = 0; j < k; j++) {
        const GValue *row = gst_value_array_get_value(all, j);
        fail_unless(GST_VALUE_HOLDS_ARRAY(row));
        *dims = (gint)gst_value_array_get_size(row);
        fail_unless(*dims >= 1 && *dims <= 5);
        for (gint d = 0; d < *dims; d++) {
            const GValue *v = gst_value_array_get_value(row, d);
            fail_unless(G_VALUE_HOLDS_DOUBLE(v));
            c[j][d] = g_value_get_double(v);
        }
    }
    return (gint)k;
}

GST_START_TEST(test_messages)
{
    GstHarness *h = eu_harness_new("kmeansseg", GST_VIDEO_FORMAT_GRAY8, 6, 1);
    GstBuffer *buf = six_pixel_frame();
    GstMessage *msg;
    const GstStructure *s;
    gdouble c[64][5], inertia;
    guint iterations;
    gint dims;

    g_object_set(h->element, "k", 2, "epsilon", 0.0, NULL);
    msg = eu_check_message(h, buf, "kmeansseg", 2 * GST_SECOND);
    s = gst_message_get_structure(msg);
    fail_unless_equals_int(message_centers(s, c, &dims), 2);
    fail_unless_equals_int(dims, 1);
    fail_unless(c[0][0] == 2.0 && c[1][0] == 12.0);
    fail_unless(gst_structure_get_double(s, "inertia", &inertia));
    fail_unless(inertia == 16.0, "inertia %f", inertia);
    fail_unless(gst_structure_get_uint(s, "iterations", &iterations));
    /* the second frame starts from the first's converged centers */
    fail_unless_equals_int(iterations, 1);
    gst_message_unref(msg);

    /* color-position: R, G, B, X, Y */
    eu_harness_set_format(h, GST_VIDEO_FORMAT_RGBA, 16, 8);
    gst_util_set_object_arg(G_OBJECT(h->element), "features", "color-position");
    g_object_set(h->element, "k", 3, NULL);
    gst_buffer_unref(eu_push_and_pull(h, eu_make_frame(GST_VIDEO_FORMAT_RGBA, 16, 8, 3, 0)));
    msg = eu_pop_element_message(h);
    fail_unless(msg != NULL);
    fail_unless_equals_int(message_centers(gst_message_get_structure(msg), c, &dims), 3);
    fail_unless_equals_int(dims, 5);
    for (int j = 0; j < 3; j++)
        for (int d = 0; d < 5; d++)
            fail_unless(c[j][d] >= 0 && c[j][d] <= 255);
    gst_message_unref(msg);

    /* YUV: Y, U, V (then X, Y), those of the library's reference */
    for (guint f = 0; f < 2; f++) {
        const GstVideoFormat fmt = f ? GST_VIDEO_FORMAT_NV12 : GST_VIDEO_FORMAT_I420;
        for (gint feat = 0; feat < 2; feat++) {
            GstBuffer *in = eu_make_frame(fmt, 33, 17, 4 + feat, 0), *expected;
            IsegKmeansSettings ks = settings_k(3);
            ks.epsilon = 0.0;
            IsegKmeansResult res;
            ks.features = feat;
            eu_harness_set_format(h, fmt, 33, 17);
            g_object_set(h->element, "features", feat, NULL);
            expected = expected_output(in, fmt, 33, 17, &ks, &res);
            gst_buffer_unref(expected);
            gst_buffer_unref(eu_push_and_pull(h, in));
            msg = eu_pop_element_message(h);
            fail_unless(msg != NULL);
            fail_unless_equals_int(message_centers(gst_message_get_structure(msg), c, &dims), 3);
            fail_unless_equals_int(dims, feat ? 5 : 3);
            for (int j = 0; j < 3; j++)
                for (int d = 0; d < dims; d++)
                    fail_unless(c[j][d] == res.centers[j][d], "%s center %d value %d",
                                gst_video_format_to_string(fmt), j, d);
            /* a cold start numbers the labels by Y */
            fail_unless(c[0][0] <= c[1][0] && c[1][0] <= c[2][0]);
            gst_message_unref(msg);
        }
    }
    eu_harness_teardown(h);
}

GST_END_TEST;

/* The message of pushing `in` into h. */
static void push_and_read(GstHarness *h, GstBuffer *in, GstBuffer **out, gdouble c[][5],
                          guint *iterations)
{
    GstMessage *msg;
    const GstStructure *s;
    gint dims;

    *out = eu_push_and_pull(h, in);
    fail_unless(*out != NULL);
    msg = eu_pop_element_message(h);
    fail_unless(msg != NULL);
    s = gst_message_get_structure(msg);
    message_centers(s, c, &dims);
    fail_unless(gst_structure_get_uint(s, "iterations", iterations));
    gst_message_unref(msg);
}

static void flush(GstHarness *h)
{
    GstSegment seg;

    fail_unless(gst_harness_push_event(h, gst_event_new_flush_start()));
    fail_unless(gst_harness_push_event(h, gst_event_new_flush_stop(TRUE)));
    gst_segment_init(&seg, GST_FORMAT_TIME);
    fail_unless(gst_harness_push_event(h, gst_event_new_segment(&seg)));
}

GST_START_TEST(test_warm_start_and_reset)
{
    const GstVideoFormat fmt = GST_VIDEO_FORMAT_BGR;
    const gint w = 97, ht = 61;
    GstHarness *cold = eu_harness_new("kmeansseg", fmt, w, ht);
    GstHarness *h = eu_harness_new("kmeansseg", fmt, w, ht);
    GstBuffer *a = eu_make_frame(fmt, w, ht, 11, 0);
    GstBuffer *b = eu_make_frame(fmt, w, ht, 12, 1);
    GstBuffer *out_cold, *out_warm, *out;
    gdouble c_cold[64][5] = { { 0 } }, c_warm[64][5] = { { 0 } }, c[64][5];
    guint it_cold, it_warm, it;

    g_object_set(cold->element, "post-messages", TRUE, "k", 5, NULL);
    g_object_set(h->element, "post-messages", TRUE, "k", 5, NULL);
    /* b from a cold start */
    push_and_read(cold, gst_buffer_ref(b), &out_cold, c_cold, &it_cold);
    /* b after a: warm-started from a's centers, so not the cold result */
    push_and_read(h, gst_buffer_ref(a), &out, c, &it);
    gst_buffer_unref(out);
    push_and_read(h, gst_buffer_ref(b), &out_warm, c_warm, &it_warm);
    fail_unless(memcmp(c_cold, c_warm, sizeof(gdouble) * 5 * 5) != 0 || it_cold != it_warm,
                "warm start had no effect");
    gst_buffer_unref(out_warm);

    /* after a flush, b is a cold start again */
    flush(h);
    push_and_read(h, gst_buffer_ref(b), &out, c, &it);
    fail_unless(eu_buffers_equal(out, out_cold, "cold after flush"));
    fail_unless_equals_int(it, it_cold);
    gst_buffer_unref(out);

    /* after a caps change too (same caps values re-set count as a change of
     * size here: go through another size) */
    push_and_read(h, gst_buffer_ref(a), &out, c, &it);
    gst_buffer_unref(out);
    eu_harness_set_format(h, fmt, w + 1, ht);
    gst_buffer_unref(eu_push_and_pull(h, eu_make_frame(fmt, w + 1, ht, 1, 0)));
    gst_message_unref(eu_pop_element_message(h));
    eu_harness_set_format(h, fmt, w, ht);
    push_and_read(h, gst_buffer_ref(b), &out, c, &it);
    fail_unless(eu_buffers_equal(out, out_cold, "cold after caps change"));
    gst_buffer_unref(out);

    /* warm-start off: every frame is a cold start */
    g_object_set(h->element, "warm-start", FALSE, NULL);
    push_and_read(h, gst_buffer_ref(a), &out, c, &it);
    gst_buffer_unref(out);
    push_and_read(h, gst_buffer_ref(b), &out, c, &it);
    fail_unless(eu_buffers_equal(out, out_cold, "warm-start=false"));
    gst_buffer_unref(out);

    gst_buffer_unref(out_cold);
    gst_buffer_unref(a);
    gst_buffer_unref(b);
    eu_harness_teardown(cold);
    eu_harness_teardown(h);
}

GST_END_TEST;

static void set_features(GstElement *e, gconstpointer data)
{
    g_object_set(e, "features", GPOINTER_TO_INT(data), "k", 6, NULL);
}

GST_START_TEST(test_n_threads_bit_identical)
{
    const GstVideoFormat fmts[] = { GST_VIDEO_FORMAT_RGBx, GST_VIDEO_FORMAT_BGR,
                                    GST_VIDEO_FORMAT_I420, GST_VIDEO_FORMAT_NV12 };
    for (guint f = 0; f < G_N_ELEMENTS(fmts); f++)
        for (gint feat = 0; feat < 2; feat++) /* two frames: a cold start and a warm one */
            eu_check_n_threads_identical("kmeansseg", fmts[f], 2, 0, set_features,
                                         GINT_TO_POINTER(feat), feat ? "color-position" : "color");
}

GST_END_TEST;

GST_START_TEST(test_renegotiation)
{
    GstHarness *h = eu_harness_new("kmeansseg", GST_VIDEO_FORMAT_RGB, 320, 240);
    const struct {
        GstVideoFormat fmt;
        gint w, h;
    } steps[] = {
        { GST_VIDEO_FORMAT_RGB, 320, 240 },   { GST_VIDEO_FORMAT_BGRx, 385, 289 },
        { GST_VIDEO_FORMAT_GRAY8, 1, 1 },     { GST_VIDEO_FORMAT_ARGB, 64, 3 },
        { GST_VIDEO_FORMAT_GRAY8, 321, 241 }, { GST_VIDEO_FORMAT_RGB, 7, 5 },
        { GST_VIDEO_FORMAT_I420, 385, 289 },  { GST_VIDEO_FORMAT_NV21, 1, 1 },
        { GST_VIDEO_FORMAT_BGRA, 33, 17 },    { GST_VIDEO_FORMAT_NV12, 321, 241 },
        { GST_VIDEO_FORMAT_YV12, 7, 5 },
    };
    IsegKmeansSettings s = settings_k(4);
    for (guint i = 0; i < G_N_ELEMENTS(steps); i++) {
        GstBuffer *in = eu_make_frame(steps[i].fmt, steps[i].w, steps[i].h, i + 1, 0);
        GstBuffer *expected, *res;
        eu_harness_set_format(h, steps[i].fmt, steps[i].w, steps[i].h);
        /* the first frame after a caps change starts cold */
        expected = expected_output(in, steps[i].fmt, steps[i].w, steps[i].h, &s, NULL);
        res = eu_push_and_pull(h, in);
        fail_unless(eu_buffers_equal(res, expected, "renegotiation"), "step %u", i);
        gst_buffer_unref(res);
        gst_buffer_unref(expected);
        /* and later frames come out too */
        gst_buffer_unref(
            eu_push_and_pull(h, eu_make_frame(steps[i].fmt, steps[i].w, steps[i].h, i + 1, 1)));
    }
    eu_harness_teardown(h);
}

GST_END_TEST;

/* The alpha (or padding) byte of every pixel of the 4-byte formats is the
 * input's, in place and out of place (where the output has a layout of its
 * own). */
static void check_alpha_kept(GstElement *e, GstBuffer *in, GstBuffer *out, GstVideoFormat fmt,
                             gint w, gint h, gpointer data)
{
    GstVideoFrame fi, fo;
    IsegPixels pi, po;

    (void)e, (void)data;
    if (!GST_VIDEO_FORMAT_INFO_HAS_ALPHA(gst_video_format_get_info(fmt)))
        return;
    map_pixels(in, fmt, w, h, &fi, &pi);
    map_pixels(out, fmt, w, h, &fo, &po);
    fail_unless(pi.stride > w * 4, "input stride %d", (gint)pi.stride);
    for (gint y = 0; y < h; y++)
        for (gint x = 0; x < w; x++) {
            const gint a = 6 - pi.r - pi.g - pi.b;
            fail_unless_equals_int(po.data[y * po.stride + 4 * x + a],
                                   pi.data[y * pi.stride + 4 * x + a]);
        }
    gst_video_frame_unmap(&fi);
    gst_video_frame_unmap(&fo);
}

/* Buffers whose GstVideoMeta strides are larger than the default (and
 * planes further apart), and the alpha / padding bytes kept. */
GST_START_TEST(test_video_meta_strides_and_alpha)
{
    static const GstVideoFormat fmts[] = { GST_VIDEO_FORMAT_RGB,  GST_VIDEO_FORMAT_ARGB,
                                           GST_VIDEO_FORMAT_BGRA, GST_VIDEO_FORMAT_GRAY8,
                                           GST_VIDEO_FORMAT_I420, GST_VIDEO_FORMAT_NV12 };
    static const EuCase strides_case = { configure, expected_case, check_alpha_kept, TRUE };
    KmeansCase c = { "color", "centers", 4, TRUE, { 0 } };
    eu_check_video_meta_strides("kmeansseg", fmts, G_N_ELEMENTS(fmts), &strides_case, &c);
}

GST_END_TEST;

/* output=alpha: the picture kept, alpha 255 where the pixel's label (by
 * the library's plain reference on the input) is a bit of alpha-labels, 0
 * elsewhere. labels: G_MAXUINT64 leaves the element's default. */
typedef struct {
    guint k;
    const gchar *features;
    guint64 labels;
} AlphaCase;

static void alpha_configure(GstElement *e, gpointer data)
{
    const AlphaCase *c = data;

    gst_util_set_object_arg(G_OBJECT(e), "features", c->features);
    gst_util_set_object_arg(G_OBJECT(e), "output", "alpha");
    g_object_set(e, "k", c->k, NULL);
    if (c->labels != G_MAXUINT64)
        g_object_set(e, "alpha-labels", c->labels, NULL);
}

static GstBuffer *alpha_expected(GstBuffer *in, GstVideoFormat fmt, gint w, gint h, gpointer data)
{
    const AlphaCase *c = data;
    const guint64 chosen = c->labels == G_MAXUINT64 ? ~(guint64)1 : c->labels;
    IsegKmeansSettings s = settings_k(c->k);
    guint8 *lab = g_malloc((gsize)w * h), *mask = g_malloc((gsize)w * h);
    IsegImage labels = { lab, w, h, w };
    GstBuffer *copy = gst_buffer_copy_deep(in), *out;
    IsegKmeans *km = NULL;
    GstVideoFrame frame;
    IsegPixels px;

    s.features = g_str_equal(c->features, "color") ? ISEG_KMEANS_COLOR : ISEG_KMEANS_COLOR_POSITION;
    fail_unless_equals_int(iseg_kmeans_create(&km, w, h), 0);
    map_pixels(copy, fmt, w, h, &frame, &px);
    fail_unless_equals_int(iseg_kmeans_segment_ref(km, &s, &px, NULL, &labels, NULL), 0);
    gst_video_frame_unmap(&frame);
    iseg_kmeans_destroy(km);
    for (gint i = 0; i < w * h; i++) {
        fail_unless(lab[i] < c->k);
        mask[i] = (chosen >> lab[i]) & 1 ? 255 : 0;
    }
    out = eu_packed_expected(in, fmt, w, h, mask, 2);
    gst_buffer_unref(copy);
    g_free(lab);
    g_free(mask);
    return out;
}

/* Every RGB order with alpha at every odd size, the default alpha-labels
 * (every label but 0), one label, a set of labels, none and all, both
 * feature sets. */
GST_START_TEST(test_alpha_output)
{
    static const EuCase alpha_case = { alpha_configure, alpha_expected, NULL, FALSE };
    static const GstVideoFormat fmts[] = { GST_VIDEO_FORMAT_RGBA, GST_VIDEO_FORMAT_BGRA,
                                           GST_VIDEO_FORMAT_ARGB, GST_VIDEO_FORMAT_ABGR };
    static const AlphaCase cases[] = {
        { 4, "color", G_MAXUINT64 },   { 4, "color", 0x1 }, { 5, "color", 0x14 },
        { 3, "color-position", 0x5 },  { 4, "color", 0 },   { 2, "color", G_MAXUINT64 - 3 },
        { 6, "color-position", 0x2a },
    };
    for (guint f = 0; f < G_N_ELEMENTS(fmts); f++)
        for (guint s = 0; s < eu_n_sizes; s++)
            for (guint c = 0; c < G_N_ELEMENTS(cases); c++) {
                if (eu_quick() && c > 1 && (s + c) % 3)
                    continue;
                gchar *what =
                    g_strdup_printf("alpha %s %dx%d k=%u %s alpha-labels=0x%" G_GINT64_MODIFIER "x",
                                    gst_video_format_to_string(fmts[f]), eu_sizes[s][0],
                                    eu_sizes[s][1], cases[c].k, cases[c].features, cases[c].labels);
                eu_check_case("kmeansseg", fmts[f], eu_sizes[s][0], eu_sizes[s][1], 17 + s * 5 + c,
                              2, &alpha_case, (gpointer)&cases[c], what);
                g_free(what);
            }
}

GST_END_TEST;

/* output=alpha on a format without alpha writes the centers. */
GST_START_TEST(test_alpha_without_alpha_is_centers)
{
    static const GstVideoFormat fmts[] = { GST_VIDEO_FORMAT_RGB, GST_VIDEO_FORMAT_xRGB,
                                           GST_VIDEO_FORMAT_GRAY8, GST_VIDEO_FORMAT_I420 };
    for (guint f = 0; f < G_N_ELEMENTS(fmts); f++) {
        GstHarness *h = eu_harness_new("kmeansseg", fmts[f], 97, 45);
        gst_util_set_object_arg(G_OBJECT(h->element), "output", "alpha");
        GstBuffer *in = eu_make_frame(fmts[f], 97, 45, 3, 0);
        IsegKmeansSettings s = settings_k(4);
        GstBuffer *exp = expected_output(in, fmts[f], 97, 45, &s, NULL);
        GstBuffer *out = eu_push_and_pull(h, in);
        fail_unless(eu_buffers_equal(out, exp, gst_video_format_to_string(fmts[f])));
        gst_buffer_unref(out);
        gst_buffer_unref(exp);
        eu_harness_teardown(h);
    }
}

GST_END_TEST;

GST_START_TEST(test_more_clusters_than_colors)
{
    static const guint8 cols[3][3] = { { 10, 200, 30 }, { 250, 250, 250 }, { 90, 10, 120 } };
    const gint w = 33, ht = 17;
    GstHarness *h = eu_harness_new("kmeansseg", GST_VIDEO_FORMAT_RGB, w, ht);
    GstBuffer *in = eu_make_frame(GST_VIDEO_FORMAT_RGB, w, ht, 1, 0);
    GstBuffer *keep, *out;
    GstVideoFrame frame;
    IsegPixels px;

    map_pixels(in, GST_VIDEO_FORMAT_RGB, w, ht, &frame, &px);
    for (gint y = 0; y < ht; y++)
        for (gint x = 0; x < w; x++)
            memcpy(px.data + y * px.stride + 3 * x, cols[(x * x + y) % 3], 3);
    gst_video_frame_unmap(&frame);
    keep = gst_buffer_copy_deep(in);
    g_object_set(h->element, "k", 64, "post-messages", TRUE, NULL);
    for (guint i = 0; i < 3; i++) {
        GstMessage *msg;
        gdouble inertia;
        out = eu_push_and_pull(h, gst_buffer_copy_deep(keep));
        /* each pixel keeps its exact color */
        fail_unless(eu_buffers_equal(out, keep, "k > colors"));
        gst_buffer_unref(out);
        msg = eu_pop_element_message(h);
        fail_unless(gst_structure_get_double(gst_message_get_structure(msg), "inertia", &inertia));
        fail_unless(inertia < 1e-6);
        gst_message_unref(msg);
    }
    gst_buffer_unref(keep);
    gst_buffer_unref(in);
    eu_harness_teardown(h);
}

GST_END_TEST;

static void set_output_labels(GstElement *e, gpointer data)
{
    (void)data;
    gst_util_set_object_arg(G_OBJECT(e), "output", "labels");
}

static void change_features_k_seed(GstElement *e, guint i, gpointer data)
{
    (void)data;
    if (i % 10 == 0)
        gst_util_set_object_arg(G_OBJECT(e), "features", i % 20 ? "color" : "color-position");
    if (i % 7 == 0)
        g_object_set(e, "k", 2 + i % 6, "seed", i, NULL);
}

static void check_labels(GstBuffer *in, GstBuffer *out, guint i, gpointer data)
{
    GstMapInfo map;

    (void)in, (void)data;
    gst_buffer_map(out, &map, GST_MAP_READ);
    for (gsize p = 0; p < map.size; p += 4)
        fail_unless(map.data[p] < 8 && map.data[p] == map.data[p + 1] &&
                        map.data[p] == map.data[p + 2],
                    "frame %u", i);
    gst_buffer_unmap(out, &map);
}

/* With output=labels every pixel is a label < the largest k set: no frame
 * is made with a half-applied property change. */
GST_START_TEST(test_properties_from_another_thread)
{
    static const EuProp knobs[] = {
        { "k", 3, NULL },
        { "spatial-weight", 2.5, NULL },
        { "n-threads", 2, NULL },
        { NULL, 0, NULL },
    };
    const EuStress spec = { .fmt = GST_VIDEO_FORMAT_RGBA,
                            .w = 160,
                            .h = 120,
                            .n_frames = 120,
                            .knobs = knobs,
                            .configure = set_output_labels,
                            .before_frame = change_features_k_seed,
                            .check = check_labels };
    eu_stress_properties("kmeansseg", &spec, NULL);
}

GST_END_TEST;

GST_START_TEST(test_out_of_range_rejected)
{
    static const EuPropRange rows[] = {
        { "k", 6, EU_VALUES(1, 65), EU_NONE },
        { "max-iterations", 20, EU_VALUES(0, 101), EU_NONE },
        { "spatial-weight", 2.0, EU_VALUES(-0.5, 1000.5), EU_NONE },
        { "epsilon", 0.5, EU_VALUES(-1.0), EU_NONE },
        { "hysteresis", 3.5, EU_VALUES(-0.5, 1000.5), EU_NONE },
        { NULL, 0, EU_NONE, EU_NONE },
    };
    eu_check_out_of_range("kmeansseg", rows);
}

GST_END_TEST;

GST_START_TEST(test_defaults_and_controllable)
{
    static const EuProp defaults[] = {
        { "k", 4, NULL },
        { "max-iterations", 10, NULL },
        { "seed", 0, NULL },
        { "spatial-weight", 1.0, NULL },
        { "epsilon", 1.0, NULL },
        { "warm-start", TRUE, NULL },
        { "features", ISEG_KMEANS_COLOR, NULL },
        { "init", ISEG_KMEANS_INIT_PP, NULL },
        { "output", ISEG_KMEANS_OUTPUT_CENTERS, NULL },
        { "n-threads", 0, NULL },
        { "post-messages", FALSE, NULL },
        { "hysteresis", ISEG_KMEANS_DEFAULT_HYSTERESIS, NULL },
        { "alpha-labels", (gdouble)(G_MAXUINT64 - 1), NULL },
        { NULL, 0, NULL },
    };
    static const gchar *const controllable[] = { "k",          "spatial-weight", "max-iterations",
                                                 "epsilon",    "seed",           "warm-start",
                                                 "hysteresis", "alpha-labels",   NULL };
    fail_unless(ISEG_KMEANS_DEFAULT_HYSTERESIS == 10.0);
    eu_check_defaults("kmeansseg", defaults, controllable);
}

GST_END_TEST;

/* A GRAY8 frame of 1000 pixels: 495 at 50, 495 at 150, the last 10 at b. */
static GstBuffer *boundary_frame(guint8 b)
{
    GstBuffer *buf = eu_make_frame(GST_VIDEO_FORMAT_GRAY8, 40, 25, 0, 0);
    GstVideoFrame vf;
    GstVideoInfo info;

    gst_video_info_set_format(&info, GST_VIDEO_FORMAT_GRAY8, 40, 25);
    fail_unless(gst_video_frame_map(&vf, &info, buf, GST_MAP_WRITE));
    for (gint y = 0; y < 25; y++) {
        guint8 *row =
            (guint8 *)GST_VIDEO_FRAME_PLANE_DATA(&vf, 0) + y * GST_VIDEO_FRAME_PLANE_STRIDE(&vf, 0);
        for (gint x = 0; x < 40; x++) {
            const gint i = y * 40 + x;
            row[x] = i >= 990 ? b : i % 2 ? 150 : 50;
        }
    }
    gst_video_frame_unmap(&vf);
    return buf;
}

static guint8 boundary_label(GstBuffer *out)
{
    GstVideoFrame vf;
    GstVideoInfo info;
    guint8 v;

    gst_video_info_set_format(&info, GST_VIDEO_FORMAT_GRAY8, 40, 25);
    fail_unless(gst_video_frame_map(&vf, &info, out, GST_MAP_READ));
    v = ((const guint8 *)GST_VIDEO_FRAME_PLANE_DATA(
        &vf, 0))[24 * GST_VIDEO_FRAME_PLANE_STRIDE(&vf, 0) + 39];
    gst_video_frame_unmap(&vf);
    return v;
}

/* The label hysteresis through the element: the boundary pixels drift from
 * 99 (nearest the dark center) to 104 (nearest the bright one, but by less
 * than 10): with the default hysteresis they keep label 0, with 0 they take
 * the nearest; a flush forgets the previous labels. Every output equals the
 * library's reference on the same frame sequence. */
GST_START_TEST(test_hysteresis)
{
    for (gint run = 0; run < 2; run++) {
        GstHarness *h = eu_harness_new("kmeansseg", GST_VIDEO_FORMAT_GRAY8, 40, 25);
        IsegKmeans *km = NULL;
        IsegKmeansSettings s = settings_k(2);
        const guint8 seq[4] = { 99, 104, 104, 99 };
        /* run 0 (hysteresis 10), run 1 (0); frame 2 comes after a flush (a
         * cold start: the nearest), then 99 keeps label 1 by the hysteresis */
        const guint8 expect[2][4] = { { 0, 0, 1, 1 }, { 0, 1, 1, 0 } };

        s.output = ISEG_KMEANS_OUTPUT_LABELS;
        s.hysteresis = run ? 0.0 : ISEG_KMEANS_DEFAULT_HYSTERESIS;
        g_object_set(h->element, "k", 2, "output", ISEG_KMEANS_OUTPUT_LABELS, NULL);
        if (run)
            g_object_set(h->element, "hysteresis", 0.0, NULL);
        fail_unless(iseg_kmeans_create(&km, 40, 25) == 0);
        for (gint t = 0; t < 4; t++) {
            GstBuffer *in = boundary_frame(seq[t]), *out, *ref = boundary_frame(seq[t]);
            GstMapInfo map;
            IsegPixels px;

            if (t == 2) {
                flush(h);
                iseg_kmeans_reset(km);
            }
            fail_unless(gst_buffer_map(ref, &map, GST_MAP_READWRITE));
            iseg_pixels_init(&px, ISEG_PIXEL_GRAY8, map.data, 40, 25, 40);
            fail_unless(iseg_kmeans_segment_ref(km, &s, &px, &px, NULL, NULL) == 0);
            gst_buffer_unmap(ref, &map);
            out = eu_push_and_pull(h, in);
            fail_unless(out != NULL);
            fail_unless_equals_int(boundary_label(out), expect[run][t]);
            fail_unless(eu_buffers_equal(out, ref, "element vs library reference"));
            gst_buffer_unref(out);
            gst_buffer_unref(ref);
        }
        iseg_kmeans_destroy(km);
        eu_harness_teardown(h);
    }
}

GST_END_TEST;

static Suite *kmeansseg_suite(void)
{
    Suite *s = suite_create("kmeansseg");
    TCase *tc = tcase_create("general");

    tcase_set_timeout(tc, 300);
    suite_add_tcase(s, tc);
    tcase_add_test(tc, test_defaults_and_controllable);
    tcase_add_test(tc, test_hand_checked_pixels);
    tcase_add_test(tc, test_every_format_and_size);
    tcase_add_test(tc, test_yuv_formats_and_sizes);
    tcase_add_test(tc, test_messages);
    tcase_add_test(tc, test_warm_start_and_reset);
    tcase_add_test(tc, test_hysteresis);
    tcase_add_test(tc, test_n_threads_bit_identical);
    tcase_add_test(tc, test_renegotiation);
    tcase_add_test(tc, test_video_meta_strides_and_alpha);
    tcase_add_test(tc, test_more_clusters_than_colors);
    tcase_add_test(tc, test_alpha_output);
    tcase_add_test(tc, test_alpha_without_alpha_is_centers);
    tcase_add_test(tc, test_properties_from_another_thread);
    tcase_add_test(tc, test_out_of_range_rejected);
    return s;
}

GST_CHECK_MAIN(kmeansseg);
