/* otsuthreshold element tests: every format at odd sizes against the
 * library's plain reference path, every property, messages, threads,
 * renegotiation and concurrent property changes. */
#include "elemutil.h"

#include <math.h>
#include <string.h>

/* Expected output of frame `in` computed with the reference functions on
 * an independent mapping; returns the T used. */
static guint expected_output(GstBuffer *in, GstVideoFormat fmt, gint w, gint h, const gchar *method,
                             guint manual_T, gboolean invert, IsegThresholdOutput out,
                             GstBuffer **expected)
{
    GstVideoFrame frame;
    IsegFrame view;
    guint64 hist[256];
    unsigned T = manual_T;

    *expected = gst_buffer_copy_deep(in);
    eu_map_view(*expected, fmt, w, h, &frame, &view);
    fail_unless_equals_int(iseg_histogram_ref(&view.luma, hist), 0);
    if (g_str_equal(method, "otsu"))
        iseg_otsu_threshold_ref(hist, &T, NULL);
    else if (g_str_equal(method, "iterative"))
        iseg_iterative_threshold(hist, 0.5, &T, NULL, NULL);
    fail_unless_equals_int(iseg_threshold_frame_ref(&view, T, invert, out), 0);
    gst_video_frame_unmap(&frame);
    return T;
}

/* One configuration; expected() records the T it used, check() compares
 * the threshold the element reports after the frame with it. */
typedef struct {
    const gchar *method;
    gboolean invert;
    IsegThresholdOutput out;
    guint T;
} OtsuCase;

static void configure(GstElement *e, gpointer data)
{
    const OtsuCase *c = data;
    gst_util_set_object_arg(G_OBJECT(e), "method", c->method);
    g_object_set(e, "invert", c->invert, "output", c->out, "threshold", 77, NULL);
}

static GstBuffer *expected_case(GstBuffer *in, GstVideoFormat fmt, gint w, gint h, gpointer data)
{
    OtsuCase *c = data;
    GstBuffer *expected;
    c->T = expected_output(in, fmt, w, h, c->method, 77, c->invert, c->out, &expected);
    return expected;
}

static void check_threshold(GstElement *e, GstBuffer *in, GstBuffer *out, GstVideoFormat fmt,
                            gint w, gint h, gpointer data)
{
    const OtsuCase *c = data;
    guint read_back;
    (void)in, (void)out, (void)fmt, (void)w, (void)h;
    g_object_get(e, "threshold", &read_back, NULL);
    fail_unless_equals_int(read_back, c->T);
}

static const EuCase otsu_case = { configure, expected_case, check_threshold, FALSE };
/* the element as made: method otsu, output mask, not inverted */
static const EuCase otsu_default_case = { NULL, expected_case, check_threshold, FALSE };

static void check_case(GstVideoFormat fmt, gint w, gint h, const gchar *method, gboolean invert,
                       IsegThresholdOutput out)
{
    OtsuCase c = { method, invert, out, 0 };
    gchar *what = g_strdup_printf("%s %dx%d %s invert=%d output=%d",
                                  gst_video_format_to_string(fmt), w, h, method, invert, out);

    eu_check_case("otsuthreshold", fmt, w, h, w * 7 + h, 3, &otsu_case, &c, what);
    g_free(what);
}

GST_START_TEST(test_every_format_and_size)
{
    static const gchar *methods[] = { "otsu", "iterative", "manual" };
    for (guint f = 0; f < eu_n_luma_formats; f++)
        for (guint s = 0; s < eu_n_sizes; s++)
            for (guint m = 0; m < G_N_ELEMENTS(methods); m++)
                for (gint inv = 0; inv < 2; inv++)
                    for (gint out = 0; out < 2; out++)
                        check_case(eu_luma_formats[f], eu_sizes[s][0], eu_sizes[s][1], methods[m],
                                   inv, out);
}

GST_END_TEST;

/* The exact pixels for a tiny GRAY8 frame, written out by hand. */
GST_START_TEST(test_hand_checked_pixels)
{
    static const guint8 in_px[8] = { 0, 10, 200, 210, 20, 220, 5, 250 };
    static const guint8 mask[8] = { 0, 0, 255, 255, 0, 255, 0, 255 };
    static const guint8 inv_masked[8] = { 0, 10, 0, 0, 20, 0, 5, 0 };
    GstHarness *h = eu_harness_new("otsuthreshold", GST_VIDEO_FORMAT_GRAY8, 8, 1);
    GstBuffer *buf = gst_buffer_new_memdup(in_px, 8);
    guint T;

    eu_push_expect_bytes(h, gst_buffer_copy(buf), mask, 8, "mask");
    g_object_get(h->element, "threshold", &T, NULL);
    /* classes {0,5,10,20} and {200..250}: any T in 21..200 splits them;
     * Otsu takes the first maximum */
    fail_unless_equals_int(T, 21);

    gst_util_set_object_arg(G_OBJECT(h->element), "output", "masked");
    g_object_set(h->element, "invert", TRUE, NULL);
    eu_push_expect_bytes(h, gst_buffer_copy(buf), inv_masked, 8, "inv_masked");
    gst_buffer_unref(buf);
    eu_harness_teardown(h);
}

GST_END_TEST;

GST_START_TEST(test_constant_frames_are_background)
{
    GstHarness *h = eu_harness_new("otsuthreshold", GST_VIDEO_FORMAT_I420, 33, 17);
    for (gint v = 0; v < 256; v += 85) {
        GstBuffer *out =
            eu_push_and_pull(h, eu_make_constant_frame(GST_VIDEO_FORMAT_I420, 33, 17, v));
        GstVideoFrame frame;
        IsegFrame view;
        guint T;
        eu_map_view(out, GST_VIDEO_FORMAT_I420, 33, 17, &frame, &view);
        for (gint y = 0; y < 17; y++)
            for (gint x = 0; x < 33; x++)
                fail_unless_equals_int(view.luma.data[y * view.luma.stride + x], 0);
        gst_video_frame_unmap(&frame);
        gst_buffer_unref(out);
        g_object_get(h->element, "threshold", &T, NULL);
        fail_unless_equals_int(T, v + 1);
    }
    eu_harness_teardown(h);
}

GST_END_TEST;

/* Luma values whose Otsu T is known: half the pixels lo, half hi. */
static GstBuffer *two_level_frame(guint8 lo, guint8 hi)
{
    guint8 px[16];
    for (int i = 0; i < 16; i++)
        px[i] = i % 2 ? hi : lo;
    return gst_buffer_new_memdup(px, 16);
}

static guint push_and_get_threshold(GstHarness *h, GstBuffer *buf)
{
    guint T;
    gst_buffer_unref(eu_push_and_pull(h, buf));
    g_object_get(h->element, "threshold", &T, NULL);
    return T;
}

GST_START_TEST(test_temporal_smoothing_sequence)
{
    GstHarness *h = eu_harness_new("otsuthreshold", GST_VIDEO_FORMAT_GRAY8, 16, 1);
    /* Otsu of {lo, hi} is lo + 1 */
    g_object_set(h->element, "temporal-smoothing", 0.75, NULL);
    fail_unless_equals_int(push_and_get_threshold(h, two_level_frame(99, 200)), 100);
    /* round(0.75 * 100 + 0.25 * 20) = 80 */
    fail_unless_equals_int(push_and_get_threshold(h, two_level_frame(19, 200)), 80);
    /* round(0.75 * 80 + 0.25 * 20) = 65 */
    fail_unless_equals_int(push_and_get_threshold(h, two_level_frame(19, 200)), 65);
    /* round(0.75 * 65 + 0.25 * 201) = 99 */
    fail_unless_equals_int(push_and_get_threshold(h, two_level_frame(200, 200)), 99);

    /* a flush forgets the history */
    fail_unless(gst_harness_push_event(h, gst_event_new_flush_start()));
    fail_unless(gst_harness_push_event(h, gst_event_new_flush_stop(TRUE)));
    {
        GstSegment seg;
        gst_segment_init(&seg, GST_FORMAT_TIME);
        fail_unless(gst_harness_push_event(h, gst_event_new_segment(&seg)));
    }
    fail_unless_equals_int(push_and_get_threshold(h, two_level_frame(19, 200)), 20);

    /* a caps change too */
    /* round(0.75 * 20 + 0.25 * 100) = 40 */
    fail_unless_equals_int(push_and_get_threshold(h, two_level_frame(99, 200)), 40);
    eu_harness_set_format(h, GST_VIDEO_FORMAT_GRAY8, 8, 2);
    fail_unless_equals_int(push_and_get_threshold(h, two_level_frame(99, 200)), 100);

    /* manual is never smoothed */
    gst_util_set_object_arg(G_OBJECT(h->element), "method", "manual");
    g_object_set(h->element, "threshold", 10, NULL);
    fail_unless_equals_int(push_and_get_threshold(h, two_level_frame(99, 200)), 10);
    eu_harness_teardown(h);
}

GST_END_TEST;

GST_START_TEST(test_messages)
{
    GstHarness *h = eu_harness_new("otsuthreshold", GST_VIDEO_FORMAT_GRAY8, 6, 6);
    static const int counts[6] = { 8, 7, 2, 6, 9, 4 }; /* the lecture's image */
    GstBuffer *buf = eu_make_frame(GST_VIDEO_FORMAT_GRAY8, 6, 6, 1, 0);
    GstVideoFrame frame;
    IsegFrame view;
    GstMessage *msg;
    const GstStructure *s;
    guint T;
    gdouble between, fraction;

    /* GRAY8 6x6 rows are padded to a stride of 8 */
    eu_map_view(buf, GST_VIDEO_FORMAT_GRAY8, 6, 6, &frame, &view);
    fail_unless_equals_int(view.luma.stride, 8);
    for (int v = 0, i = 0; v < 6; v++)
        for (int k = 0; k < counts[v]; k++, i++)
            view.luma.data[(i / 6) * view.luma.stride + i % 6] = v;
    gst_video_frame_unmap(&frame);
    msg = eu_check_message(h, buf, "otsuthreshold", 2 * GST_SECOND);
    s = gst_message_get_structure(msg);
    fail_unless(gst_structure_get_uint(s, "threshold", &T));
    fail_unless(gst_structure_get_double(s, "between-class-variance", &between));
    fail_unless(gst_structure_get_double(s, "foreground-fraction", &fraction));
    fail_unless_equals_int(T, 3);
    fail_unless(fabs(between - 2.6287) < 1e-4, "between %f", between);
    fail_unless(fabs(fraction - 19.0 / 36.0) < 1e-12);
    gst_message_unref(msg);
    eu_harness_teardown(h);
}

GST_END_TEST;

static void set_output(GstElement *e, gconstpointer data)
{
    g_object_set(e, "output", GPOINTER_TO_INT(data), NULL);
}

GST_START_TEST(test_n_threads_bit_identical)
{
    const GstVideoFormat fmts[] = { GST_VIDEO_FORMAT_I420, GST_VIDEO_FORMAT_NV12 };
    for (guint f = 0; f < G_N_ELEMENTS(fmts); f++)
        for (gint out = 0; out < 2; out++)
            eu_check_n_threads_identical("otsuthreshold", fmts[f], 1, 1, set_output,
                                         GINT_TO_POINTER(out), out ? "masked" : "mask");
}

GST_END_TEST;

GST_START_TEST(test_renegotiation)
{
    static const EuStep steps[] = {
        { GST_VIDEO_FORMAT_GRAY8, 320, 240 }, { GST_VIDEO_FORMAT_I420, 385, 289 },
        { GST_VIDEO_FORMAT_NV21, 1, 1 },      { GST_VIDEO_FORMAT_Y444, 64, 3 },
        { GST_VIDEO_FORMAT_GRAY8, 321, 241 },
    };
    OtsuCase c = { "otsu", FALSE, ISEG_OUTPUT_MASK, 0 };
    eu_check_renegotiation("otsuthreshold", steps, G_N_ELEMENTS(steps), 3, &otsu_default_case, &c);
}

GST_END_TEST;

/* Each output must be the mask of a single T: no frame is torn by a
 * property change from another thread. */
static gboolean is_single_threshold_mask(GstBuffer *in, GstBuffer *out, gint n)
{
    GstMapInfo mi, mo;
    gint max_bg = -1, min_fg = 256;
    gboolean binary = TRUE;

    gst_buffer_map(in, &mi, GST_MAP_READ);
    gst_buffer_map(out, &mo, GST_MAP_READ);
    for (gint i = 0; i < n; i++) {
        if (mo.data[i] == 255)
            min_fg = MIN(min_fg, mi.data[i]);
        else if (mo.data[i] == 0)
            max_bg = MAX(max_bg, mi.data[i]);
        else
            binary = FALSE;
    }
    gst_buffer_unmap(in, &mi);
    gst_buffer_unmap(out, &mo);
    return binary && max_bg < min_fg;
}

static void set_manual(GstElement *e, gpointer data)
{
    (void)data;
    gst_util_set_object_arg(G_OBJECT(e), "method", "manual");
}

static void change_method_and_threshold(GstElement *e, guint i, gpointer data)
{
    (void)data;
    if (i % 10 == 0)
        gst_util_set_object_arg(G_OBJECT(e), "method", i % 20 ? "manual" : "otsu");
    if (i % 7 == 0)
        g_object_set(e, "threshold", 30 + i % 200, NULL);
}

static void check_single_threshold(GstBuffer *in, GstBuffer *out, guint i, gpointer data)
{
    (void)data;
    fail_unless(is_single_threshold_mask(in, out, 160 * 120), "frame %u", i);
}

GST_START_TEST(test_properties_from_another_thread)
{
    static const EuProp knobs[] = {
        { "threshold", 90, NULL },
        { "temporal-smoothing", 0.3, NULL },
        { "n-threads", 2, NULL },
        { NULL, 0, NULL },
    };
    const EuStress spec = { .fmt = GST_VIDEO_FORMAT_GRAY8,
                            .w = 160,
                            .h = 120,
                            .n_frames = 300,
                            .knobs = knobs,
                            .configure = set_manual,
                            .before_frame = change_method_and_threshold,
                            .check = check_single_threshold };
    eu_stress_properties("otsuthreshold", &spec, NULL);
}

GST_END_TEST;

GST_START_TEST(test_out_of_range_rejected)
{
    static const EuPropRange rows[] = {
        { "threshold", 40, EU_VALUES(257), EU_VALUES(256) },
        { "temporal-smoothing", 0.5, EU_VALUES(1.5, -0.1), EU_VALUES(1.0) },
        { "epsilon", 2.0, EU_VALUES(0.0), EU_NONE },
        { NULL, 0, EU_NONE, EU_NONE },
    };
    eu_check_out_of_range("otsuthreshold", rows);
}

GST_END_TEST;

GST_START_TEST(test_defaults_and_controllable)
{
    static const EuProp defaults[] = {
        { "threshold", 128, NULL },
        { "n-threads", 0, NULL },
        { "post-messages", FALSE, NULL },
        { NULL, 0, NULL },
    };
    static const gchar *const controllable[] = { "threshold", "epsilon", "invert",
                                                 "temporal-smoothing", NULL };
    eu_check_defaults("otsuthreshold", defaults, controllable);
}

GST_END_TEST;

/* Buffers whose GstVideoMeta strides are larger than the default. */
GST_START_TEST(test_video_meta_strides)
{
    OtsuCase c = { "otsu", FALSE, ISEG_OUTPUT_MASKED, 0 };
    eu_check_video_meta_strides("otsuthreshold", eu_luma_formats, eu_n_luma_formats, &otsu_case,
                                &c);
}

GST_END_TEST;

/* The packed formats with alpha: the reference Otsu threshold of the
 * picture's luma, and the picture kept with alpha = the mask
 * (output=alpha), the mask as picture (mask), or the cut-out (masked). */
static void otsu_mask(const guint8 *luma, gint w, gint h, gboolean invert, guint8 *mask)
{
    IsegImage L = { (guint8 *)luma, w, h, w };
    guint64 hist[256];
    unsigned T;
    fail_unless_equals_int(iseg_histogram_ref(&L, hist), 0);
    iseg_otsu_threshold_ref(hist, &T, NULL);
    for (gint i = 0; i < w * h; i++)
        mask[i] = (luma[i] >= T) != (invert != 0) ? 255 : 0;
}

GST_START_TEST(test_alpha_formats)
{
    eu_check_alpha_formats("otsuthreshold", NULL, otsu_mask);
}

GST_END_TEST;

/* output=alpha on a format without alpha gives the mask. */
GST_START_TEST(test_alpha_without_alpha_is_mask)
{
    OtsuCase c = { "otsu", FALSE, ISEG_OUTPUT_MASK, 0 };
    static const EuCase alpha_on_i420 = { NULL, expected_case, NULL, FALSE };
    GstHarness *h = eu_harness_new("otsuthreshold", GST_VIDEO_FORMAT_I420, 97, 45);
    g_object_set(h->element, "output", 2, NULL);
    GstBuffer *in = eu_make_frame(GST_VIDEO_FORMAT_I420, 97, 45, 3, 0);
    GstBuffer *exp = alpha_on_i420.expected(in, GST_VIDEO_FORMAT_I420, 97, 45, &c);
    GstBuffer *out = eu_push_and_pull(h, in);
    fail_unless(eu_buffers_equal(out, exp, "output=alpha on I420"));
    gst_buffer_unref(out);
    gst_buffer_unref(exp);
    eu_harness_teardown(h);
}

GST_END_TEST;

static Suite *otsuthreshold_suite(void)
{
    Suite *s = suite_create("otsuthreshold");
    TCase *tc = tcase_create("general");

    tcase_set_timeout(tc, 300);
    suite_add_tcase(s, tc);
    tcase_add_test(tc, test_defaults_and_controllable);
    tcase_add_test(tc, test_hand_checked_pixels);
    tcase_add_test(tc, test_alpha_formats);
    tcase_add_test(tc, test_alpha_without_alpha_is_mask);
    tcase_add_test(tc, test_every_format_and_size);
    tcase_add_test(tc, test_constant_frames_are_background);
    tcase_add_test(tc, test_temporal_smoothing_sequence);
    tcase_add_test(tc, test_messages);
    tcase_add_test(tc, test_n_threads_bit_identical);
    tcase_add_test(tc, test_renegotiation);
    tcase_add_test(tc, test_video_meta_strides);
    tcase_add_test(tc, test_properties_from_another_thread);
    tcase_add_test(tc, test_out_of_range_rejected);
    return s;
}

GST_CHECK_MAIN(otsuthreshold);
