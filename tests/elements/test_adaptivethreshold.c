/* adaptivethreshold element tests: every format at odd sizes and every
 * method against the library (whose fast path is checked against the float64
 * reference in tests/lib/test_adaptive.c) and the reference frame
 * composition, hand-checked pixels, windows larger than the frame, the
 * refused even block size, messages, threads, renegotiation, strides and
 * concurrent property changes. */
#include "elemutil.h"

#include <math.h>
#include <string.h>

static const gchar *method_names[] = { "local-otsu", "mean", "gaussian", "sauvola", "niblack" };

/* Expected output of frame `in` for settings s: the library's mask on an
 * independent mapping, composed with the reference composition. */
static GstBuffer *expected_output(GstBuffer *in, GstVideoFormat fmt, gint w, gint h,
                                  const IsegAdaptiveSettings *s, IsegThresholdOutput out,
                                  guint64 *fg)
{
    GstBuffer *expected = gst_buffer_copy_deep(in);
    GstVideoFrame frame;
    IsegFrame view;
    IsegAdaptive *ctx;
    IsegImage mask = { g_malloc(w * h), w, h, w };

    eu_map_view(expected, fmt, w, h, &frame, &view);
    fail_unless_equals_int(iseg_adaptive_create(&ctx, s, w, h), 0);
    fail_unless_equals_int(iseg_adaptive_mask(ctx, &view.luma, &mask, NULL), 0);
    fail_unless_equals_int(iseg_frame_apply_mask_ref(&view, &mask, out, fg), 0);
    iseg_adaptive_destroy(ctx);
    gst_video_frame_unmap(&frame);
    g_free(mask.data);
    return expected;
}

static IsegAdaptiveSettings settings_for(gint method, gint block, gboolean invert)
{
    IsegAdaptiveSettings s;
    iseg_adaptive_default_settings(&s);
    s.method = (IsegAdaptiveMethod)method;
    s.block_size = block;
    s.offset = method == ISEG_ADAPTIVE_MEAN || method == ISEG_ADAPTIVE_GAUSSIAN ? 3 : 0;
    s.invert = invert;
    return s;
}

static void apply_settings(GstElement *e, const IsegAdaptiveSettings *s, IsegThresholdOutput out)
{
    gst_util_set_object_arg(G_OBJECT(e), "method", method_names[s->method]);
    g_object_set(e, "block-size", (guint)s->block_size, "offset", s->offset, "invert", s->invert,
                 "output", out, NULL);
}

static void check_case(GstVideoFormat fmt, gint w, gint h, gint method, gint block, gboolean invert,
                       IsegThresholdOutput out)
{
    GstHarness *hs = eu_harness_new("adaptivethreshold", fmt, w, h);
    GstBuffer *in = eu_make_frame(fmt, w, h, w * 7 + h + method, 3);
    const IsegAdaptiveSettings s = settings_for(method, block, invert);
    GstBuffer *expected, *result;
    gchar *what =
        g_strdup_printf("%s %dx%d %s block %d invert=%d output=%d", gst_video_format_to_string(fmt),
                        w, h, method_names[method], block, invert, out);

    apply_settings(hs->element, &s, out);
    expected = expected_output(in, fmt, w, h, &s, out, NULL);
    result = gst_harness_push_and_pull(hs, in);
    fail_unless(result != NULL);
    fail_unless(eu_buffers_equal(result, expected, what), "%s", what);
    gst_buffer_unref(result);
    gst_buffer_unref(expected);
    eu_harness_teardown(hs);
    g_free(what);
}

GST_START_TEST(test_every_format_and_size)
{
    for (guint f = 0; f < eu_n_luma_formats; f++)
        for (guint sz = 0; sz < eu_n_sizes; sz++)
            for (gint m = 0; m < 5; m++)
                for (gint inv = 0; inv < 2; inv++)
                    for (gint out = 0; out < 2; out++)
                        check_case(eu_luma_formats[f], eu_sizes[sz][0], eu_sizes[sz][1], m,
                                   (f + sz + m) % 2 ? 15 : 31, inv, out);
}

GST_END_TEST;

/* Windows (much) larger than the frame: edge pixels replicated. */
GST_START_TEST(test_blocks_larger_than_frame)
{
    static const gint blocks[] = { 3, 101, 1023 };
    for (gint m = 0; m < 5; m++)
        for (guint b = 0; b < G_N_ELEMENTS(blocks); b++) {
            check_case(GST_VIDEO_FORMAT_I420, 33, 17, m, blocks[b], FALSE, ISEG_OUTPUT_MASKED);
            check_case(GST_VIDEO_FORMAT_GRAY8, 7, 1, m, blocks[b], TRUE, ISEG_OUTPUT_MASK);
        }
}

GST_END_TEST;

/* The exact pixels of a tiny GRAY8 frame, written out by hand: one row
 * 10 10 100 100, block 3 (the window repeats the row vertically, edges
 * replicated): window means 10, 40, 70, 100. */
GST_START_TEST(test_hand_checked_pixels)
{
    static const guint8 in_px[4] = { 10, 10, 100, 100 };
    static const guint8 mask0[4] = { 0, 0, 255, 0 };      /* v > mean */
    static const guint8 mask5[4] = { 255, 0, 255, 255 };  /* v > mean - 5 */
    static const guint8 inv_masked5[4] = { 0, 10, 0, 0 }; /* v <= mean - 5, f.m */
    GstHarness *h = eu_harness_new("adaptivethreshold", GST_VIDEO_FORMAT_GRAY8, 4, 1);
    GstBuffer *buf = gst_buffer_new_memdup(in_px, 4);
    GstBuffer *out;
    GstMapInfo map;

    gst_util_set_object_arg(G_OBJECT(h->element), "method", "mean");
    g_object_set(h->element, "block-size", 3, NULL);
    out = gst_harness_push_and_pull(h, gst_buffer_copy(buf));
    gst_buffer_map(out, &map, GST_MAP_READ);
    fail_unless(memcmp(map.data, mask0, 4) == 0);
    gst_buffer_unmap(out, &map);
    gst_buffer_unref(out);

    g_object_set(h->element, "offset", 5.0, NULL);
    out = gst_harness_push_and_pull(h, gst_buffer_copy(buf));
    gst_buffer_map(out, &map, GST_MAP_READ);
    fail_unless(memcmp(map.data, mask5, 4) == 0);
    gst_buffer_unmap(out, &map);
    gst_buffer_unref(out);

    gst_util_set_object_arg(G_OBJECT(h->element), "output", "masked");
    g_object_set(h->element, "invert", TRUE, NULL);
    out = gst_harness_push_and_pull(h, gst_buffer_copy(buf));
    gst_buffer_map(out, &map, GST_MAP_READ);
    fail_unless(memcmp(map.data, inv_masked5, 4) == 0);
    gst_buffer_unmap(out, &map);
    gst_buffer_unref(out);
    gst_buffer_unref(buf);
    eu_harness_teardown(h);
}

GST_END_TEST;

GST_START_TEST(test_even_block_size_refused)
{
    GstElement *e = gst_element_factory_make("adaptivethreshold", NULL);
    guint b;
    gdouble off;

    g_object_set(e, "block-size", 15, "offset", 2.0, NULL);
    g_object_set(e, "block-size", 16, NULL); /* GST_WARNING, kept */
    g_object_get(e, "block-size", &b, NULL);
    fail_unless_equals_int(b, 15);
    ASSERT_WARNING(g_object_set(e, "offset", NAN, NULL));
    g_object_get(e, "offset", &off, NULL);
    fail_unless(off == 2.0);
    /* GLib's ranges */
    ASSERT_WARNING(g_object_set(e, "block-size", 1025, NULL));
    ASSERT_WARNING(g_object_set(e, "block-size", 1, NULL));
    ASSERT_WARNING(g_object_set(e, "dynamic-range", 0.0, NULL));
    ASSERT_WARNING(g_object_set(e, "min-contrast", -1.0, NULL));
    g_object_get(e, "block-size", &b, NULL);
    fail_unless_equals_int(b, 15);
    g_object_set(e, "block-size", 1023, NULL);
    g_object_get(e, "block-size", &b, NULL);
    fail_unless_equals_int(b, 1023);
    gst_object_unref(e);
}

GST_END_TEST;

GST_START_TEST(test_defaults_and_controllable)
{
    GstElement *e = gst_element_factory_make("adaptivethreshold", NULL);
    GObjectClass *klass = G_OBJECT_GET_CLASS(e);
    const gchar *controllable[] = { "block-size",    "offset",       "k",
                                    "dynamic-range", "min-contrast", "invert" };
    guint b, n;
    gint method, uniform;
    gdouble off, k, R, mc;
    gboolean post, inv;

    fail_unless(e != NULL);
    fail_unless(GST_IS_VIDEO_FILTER(e));
    g_object_get(e, "block-size", &b, "offset", &off, "k", &k, "dynamic-range", &R, "min-contrast",
                 &mc, "invert", &inv, "n-threads", &n, "post-messages", &post, "method", &method,
                 "uniform-reference", &uniform, NULL);
    fail_unless_equals_int(b, 31);
    fail_unless(off == 0.0 && k == 0.2 && R == 128.0 && mc == 12.0);
    fail_unless(!inv && !post);
    fail_unless_equals_int(n, 0);
    fail_unless_equals_int(method, ISEG_ADAPTIVE_LOCAL_OTSU);
    fail_unless_equals_int(uniform, ISEG_ADAPTIVE_UNIFORM_LOCAL);
    for (guint i = 0; i < G_N_ELEMENTS(controllable); i++) {
        GParamSpec *ps = g_object_class_find_property(klass, controllable[i]);
        fail_unless(ps && (ps->flags & GST_PARAM_CONTROLLABLE), "%s", controllable[i]);
    }
    gst_object_unref(e);
}

GST_END_TEST;

GST_START_TEST(test_messages)
{
    const gint w = 45, ht = 31;
    GstHarness *h = eu_harness_new("adaptivethreshold", GST_VIDEO_FORMAT_I420, w, ht);
    GstBuffer *buf = eu_make_frame(GST_VIDEO_FORMAT_I420, w, ht, 4, 0);
    const IsegAdaptiveSettings s = settings_for(ISEG_ADAPTIVE_SAUVOLA, 9, FALSE);
    GstBuffer *expected;
    GstMessage *msg;
    const GstStructure *st;
    gdouble fraction;
    guint64 fg;
    GstClockTime ts, stt, rt, dur;

    apply_settings(h->element, &s, ISEG_OUTPUT_MASK);
    expected = expected_output(buf, GST_VIDEO_FORMAT_I420, w, ht, &s, ISEG_OUTPUT_MASK, &fg);
    gst_buffer_unref(expected);
    GST_BUFFER_PTS(buf) = 3 * GST_SECOND;
    GST_BUFFER_DURATION(buf) = GST_SECOND / 30;
    gst_buffer_unref(gst_harness_push_and_pull(h, gst_buffer_ref(buf)));
    fail_unless(eu_pop_element_message(h) == NULL, "posted without post-messages");

    g_object_set(h->element, "post-messages", TRUE, NULL);
    gst_buffer_unref(gst_harness_push_and_pull(h, buf));
    msg = eu_pop_element_message(h);
    fail_unless(msg != NULL);
    fail_unless(GST_MESSAGE_SRC(msg) == GST_OBJECT(h->element));
    st = gst_message_get_structure(msg);
    fail_unless_equals_string(gst_structure_get_name(st), "adaptivethreshold");
    fail_unless(gst_structure_get_double(st, "foreground-fraction", &fraction));
    fail_unless(gst_structure_get_clock_time(st, "timestamp", &ts));
    fail_unless(gst_structure_get_clock_time(st, "stream-time", &stt));
    fail_unless(gst_structure_get_clock_time(st, "running-time", &rt));
    fail_unless(gst_structure_get_clock_time(st, "duration", &dur));
    fail_unless(fg > 0 && fg < (guint64)(w * ht));
    fail_unless(fraction == (gdouble)fg / (w * ht), "%f vs %f", fraction, (gdouble)fg / (w * ht));
    fail_unless_equals_uint64(ts, 3 * GST_SECOND);
    fail_unless_equals_uint64(stt, 3 * GST_SECOND);
    fail_unless_equals_uint64(rt, 3 * GST_SECOND);
    fail_unless_equals_uint64(dur, GST_SECOND / 30);
    gst_message_unref(msg);
    fail_unless(eu_pop_element_message(h) == NULL, "one message per frame");
    eu_harness_teardown(h);
}

GST_END_TEST;

static void set_method(GstElement *e, gconstpointer data)
{
    const gint m = GPOINTER_TO_INT(data);
    gst_util_set_object_arg(G_OBJECT(e), "method", method_names[m]);
    g_object_set(e, "output", m % 2, NULL);
}

GST_START_TEST(test_n_threads_bit_identical)
{
    const GstVideoFormat fmts[] = { GST_VIDEO_FORMAT_I420, GST_VIDEO_FORMAT_NV12 };
    for (guint f = 0; f < G_N_ELEMENTS(fmts); f++)
        for (gint m = 0; m < 5; m++)
            eu_check_n_threads_identical("adaptivethreshold", fmts[f], 1, 1, set_method,
                                         GINT_TO_POINTER(m), method_names[m]);
}

GST_END_TEST;

GST_START_TEST(test_renegotiation)
{
    GstHarness *h = eu_harness_new("adaptivethreshold", GST_VIDEO_FORMAT_GRAY8, 320, 240);
    const struct {
        GstVideoFormat fmt;
        gint w, h;
    } steps[] = {
        { GST_VIDEO_FORMAT_GRAY8, 320, 240 }, { GST_VIDEO_FORMAT_I420, 385, 289 },
        { GST_VIDEO_FORMAT_NV21, 1, 1 },      { GST_VIDEO_FORMAT_Y444, 64, 3 },
        { GST_VIDEO_FORMAT_GRAY8, 641, 361 },
    };
    const IsegAdaptiveSettings s = settings_for(ISEG_ADAPTIVE_LOCAL_OTSU, 31, FALSE);
    for (guint i = 0; i < G_N_ELEMENTS(steps); i++) {
        eu_harness_set_format(h, steps[i].fmt, steps[i].w, steps[i].h);
        for (guint k = 0; k < 3; k++) {
            GstBuffer *in = eu_make_frame(steps[i].fmt, steps[i].w, steps[i].h, i + 1, k);
            GstBuffer *expected = expected_output(in, steps[i].fmt, steps[i].w, steps[i].h, &s,
                                                  ISEG_OUTPUT_MASK, NULL);
            GstBuffer *res = gst_harness_push_and_pull(h, in);
            fail_unless(eu_buffers_equal(res, expected, "renegotiation"));
            gst_buffer_unref(res);
            gst_buffer_unref(expected);
        }
    }
    eu_harness_teardown(h);
}

GST_END_TEST;

/* Buffers whose GstVideoMeta strides are larger than the default. */
GST_START_TEST(test_video_meta_strides)
{
    const IsegAdaptiveSettings s = settings_for(ISEG_ADAPTIVE_NIBLACK, 15, TRUE);
    for (guint f = 0; f < eu_n_luma_formats; f++) {
        const GstVideoFormat fmt = eu_luma_formats[f];
        GstHarness *h = eu_harness_new("adaptivethreshold", fmt, 385, 289);
        apply_settings(h->element, &s, ISEG_OUTPUT_MASKED);
        for (guint pad = 1; pad <= 64; pad *= 4) {
            GstBuffer *in = eu_make_frame_padded(fmt, 385, 289, pad, 0, pad);
            GstBuffer *expected = expected_output(in, fmt, 385, 289, &s, ISEG_OUTPUT_MASKED, NULL);
            GstBuffer *res = gst_harness_push_and_pull(h, in);
            fail_unless(eu_buffers_equal(res, expected, "video meta strides"), "%s pad %u",
                        gst_video_format_to_string(fmt), pad);
            gst_buffer_unref(res);
            gst_buffer_unref(expected);
        }
        eu_harness_teardown(h);
    }
}

GST_END_TEST;

/* A property change from another thread applies from a frame on and never
 * tears one: every output is the result of one of the two block sizes. */
GST_START_TEST(test_properties_from_another_thread)
{
    const gint w = 160, ht = 120;
    GstHarness *h = eu_harness_new("adaptivethreshold", GST_VIDEO_FORMAT_GRAY8, w, ht);
    GValue v1 = G_VALUE_INIT, v2 = G_VALUE_INIT, v3 = G_VALUE_INIT;
    GstHarnessThread *t1, *t2, *t3;
    const IsegAdaptiveSettings s15 = settings_for(ISEG_ADAPTIVE_MEAN, 15, FALSE);
    const IsegAdaptiveSettings s31 = settings_for(ISEG_ADAPTIVE_MEAN, 31, FALSE);

    apply_settings(h->element, &s31, ISEG_OUTPUT_MASK);
    g_value_init(&v1, G_TYPE_UINT);
    g_value_set_uint(&v1, 15);
    g_value_init(&v2, G_TYPE_DOUBLE);
    g_value_set_double(&v2, 0.4); /* k: not used by mean */
    g_value_init(&v3, G_TYPE_UINT);
    g_value_set_uint(&v3, 2);
    t1 = gst_harness_stress_property_start_full(h, "block-size", &v1, 0);
    t2 = gst_harness_stress_property_start_full(h, "k", &v2, 0);
    t3 = gst_harness_stress_property_start_full(h, "n-threads", &v3, 0);
    for (guint i = 0; i < eu_count(150); i++) {
        GstBuffer *in = eu_make_frame(GST_VIDEO_FORMAT_GRAY8, w, ht, 9, i);
        GstBuffer *e15 =
            expected_output(in, GST_VIDEO_FORMAT_GRAY8, w, ht, &s15, ISEG_OUTPUT_MASK, NULL);
        GstBuffer *e31 =
            expected_output(in, GST_VIDEO_FORMAT_GRAY8, w, ht, &s31, ISEG_OUTPUT_MASK, NULL);
        GstBuffer *out;
        g_object_set(h->element, "block-size", 31, NULL);
        out = gst_harness_push_and_pull(h, in);
        fail_unless(out != NULL);
        {
            GstMapInfo mo, m15, m31;
            gboolean ok;
            gst_buffer_map(out, &mo, GST_MAP_READ);
            gst_buffer_map(e15, &m15, GST_MAP_READ);
            gst_buffer_map(e31, &m31, GST_MAP_READ);
            ok = memcmp(mo.data, m15.data, w * ht) == 0 || memcmp(mo.data, m31.data, w * ht) == 0;
            gst_buffer_unmap(out, &mo);
            gst_buffer_unmap(e15, &m15);
            gst_buffer_unmap(e31, &m31);
            fail_unless(ok, "frame %u is neither block 15's nor block 31's", i);
        }
        gst_buffer_unref(out);
        gst_buffer_unref(e15);
        gst_buffer_unref(e31);
    }
    gst_harness_stress_thread_stop(t1);
    gst_harness_stress_thread_stop(t2);
    gst_harness_stress_thread_stop(t3);
    g_value_unset(&v1);
    g_value_unset(&v2);
    g_value_unset(&v3);
    eu_harness_teardown(h);
}

GST_END_TEST;

static Suite *adaptivethreshold_suite(void)
{
    Suite *s = suite_create("adaptivethreshold");
    TCase *tc = tcase_create("general");

    tcase_set_timeout(tc, 300);
    suite_add_tcase(s, tc);
    tcase_add_test(tc, test_defaults_and_controllable);
    tcase_add_test(tc, test_hand_checked_pixels);
    tcase_add_test(tc, test_every_format_and_size);
    tcase_add_test(tc, test_blocks_larger_than_frame);
    tcase_add_test(tc, test_even_block_size_refused);
    tcase_add_test(tc, test_messages);
    tcase_add_test(tc, test_n_threads_bit_identical);
    tcase_add_test(tc, test_renegotiation);
    tcase_add_test(tc, test_video_meta_strides);
    tcase_add_test(tc, test_properties_from_another_thread);
    return s;
}

GST_CHECK_MAIN(adaptivethreshold);
