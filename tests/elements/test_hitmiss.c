/* hitmiss element tests: every format at odd sizes and every operation
 * against the library's plain reference path, the lecture's vertical-line
 * detection by hand, malformed structures, messages, threads,
 * renegotiation, buffers with padded strides and properties changed from
 * another thread while frames flow. */
#include "elemutil.h"

#include <string.h>

static const gchar *const op_names[] = { "hitmiss", "thin", "thicken", "skeleton" };

/* The output the element must give for `in`: the reference transform of the
 * luma plane and neutral chroma, computed on an independent mapping. */
static GstBuffer *expected_output(GstBuffer *in, GstVideoFormat fmt, gint w, gint h,
                                  IsegHitmissOp op, const gchar *structure,
                                  IsegHitmissRotations rot, guint iterations, IsegHitmissStats *st)
{
    GstBuffer *expected = gst_buffer_copy_deep(in);
    GstVideoFrame frame;
    IsegFrame view;
    IsegSel *sel = NULL, **set = NULL;
    int n = 0;

    eu_map_view(expected, fmt, w, h, &frame, &view);
    if (op != ISEG_HITMISS_SKELETON) {
        fail_unless_equals_int(iseg_sel_parse(&sel, structure, ISEG_SEL_SYNTAX_HITMISS, NULL, 0),
                               0);
        fail_unless_equals_int(iseg_hitmiss_build_set(&set, &n, op, sel, rot), 0);
    }
    fail_unless_equals_int(iseg_hitmiss_ref(op, (const IsegSel *const *)set, n, &view.luma,
                                            &view.luma, iterations, st),
                           0);
    for (gint p = 0; p < view.n_chroma; p++)
        for (gint y = 0; y < view.chroma[p].height; y++)
            for (gint x = 0; x < view.chroma[p].width; x++)
                view.chroma[p].data[y * view.chroma[p].stride + x * view.chroma_pixel_stride] = 128;
    gst_video_frame_unmap(&frame);
    iseg_hitmiss_set_free(set, n);
    iseg_sel_free(sel);
    return expected;
}

GST_START_TEST(test_defaults_and_controllable)
{
    GstElement *e = gst_element_factory_make("hitmiss", NULL);
    GParamSpec *ps;
    gchar *structure;
    guint it, n;
    gint op, rot;
    gboolean post;

    fail_unless(e != NULL);
    fail_unless(GST_IS_VIDEO_FILTER(e));
    g_object_get(e, "structure", &structure, "iterations", &it, "operation", &op, "rotations", &rot,
                 "n-threads", &n, "post-messages", &post, NULL);
    fail_unless_equals_string(structure, "0 0 0; . 1 .; 1 1 1");
    fail_unless_equals_int(it, 1);
    fail_unless_equals_int(op, ISEG_HITMISS_HMT);
    fail_unless_equals_int(rot, ISEG_HITMISS_ROTATE_AUTO);
    fail_unless_equals_int(n, 0);
    fail_unless(!post);
    ps = g_object_class_find_property(G_OBJECT_GET_CLASS(e), "iterations");
    fail_unless(ps && (ps->flags & GST_PARAM_CONTROLLABLE));
    g_free(structure);
    gst_object_unref(e);
}

GST_END_TEST;

static void check_case(GstVideoFormat fmt, gint w, gint h, IsegHitmissOp op, const gchar *structure,
                       const gchar *rotations, guint iterations)
{
    GstHarness *hs = eu_harness_new("hitmiss", fmt, w, h);
    GstBuffer *in = eu_make_frame(fmt, w, h, w * 3 + h + op, 2);
    GstBuffer *expected, *result;
    IsegHitmissStats st;
    gint rot;
    gchar *what = g_strdup_printf("%s %dx%d %s \"%s\" rotations=%s iterations=%u",
                                  gst_video_format_to_string(fmt), w, h, op_names[op], structure,
                                  rotations, iterations);

    gst_util_set_object_arg(G_OBJECT(hs->element), "operation", op_names[op]);
    gst_util_set_object_arg(G_OBJECT(hs->element), "rotations", rotations);
    g_object_set(hs->element, "structure", structure, "iterations", iterations, NULL);
    g_object_get(hs->element, "rotations", &rot, NULL);
    expected = expected_output(in, fmt, w, h, op, structure, rot, iterations, &st);
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
        for (guint s = 0; s < eu_n_sizes; s++) {
            const gint w = eu_sizes[s][0], h = eu_sizes[s][1];
            check_case(eu_luma_formats[f], w, h, ISEG_HITMISS_HMT, "0 0 0; . 1 .; 1 1 1", "auto",
                       1);
            check_case(eu_luma_formats[f], w, h, ISEG_HITMISS_HMT, ". 0 0; 1 1 0; . 1 .", "8", 1);
            check_case(eu_luma_formats[f], w, h, ISEG_HITMISS_THIN, "0 0 0; . 1 .; 1 1 1", "auto",
                       2);
            check_case(eu_luma_formats[f], w, h, ISEG_HITMISS_THICKEN, "1 0 0 0 0; 1 1 . . 0", "4",
                       1);
            check_case(eu_luma_formats[f], w, h, ISEG_HITMISS_SKELETON, "0 0 0; . 1 .; 1 1 1",
                       "auto", 1);
        }
}

GST_END_TEST;

/* The lecture's example: a horizontal bar with a stem (a T) and an isolated
 * vertical line. Hit-or-miss with the vertical foreground part and the
 * background columns beside it finds only the isolated line. */
GST_START_TEST(test_lecture_vertical_lines)
{
    static const char *const rows[5] = {
        ".#####.#.", "...#...#.", "...#...#.", "...#...#.", "...#...#.",
    };
    static const char *const found[5] = {
        ".........", ".......#.", ".......#.", ".......#.", ".........",
    };
    GstHarness *h = eu_harness_new("hitmiss", GST_VIDEO_FORMAT_GRAY8, 9, 5);
    GstVideoFrame frame;
    IsegFrame view;
    GstBuffer *buf = eu_make_frame(GST_VIDEO_FORMAT_GRAY8, 9, 5, 1, 0);
    GstBuffer *out;
    GstMessage *msg;
    guint matches, iterations;

    eu_map_view(buf, GST_VIDEO_FORMAT_GRAY8, 9, 5, &frame, &view);
    for (gint y = 0; y < 5; y++)
        for (gint x = 0; x < 9; x++)
            view.luma.data[y * view.luma.stride + x] = rows[y][x] == '#' ? 200 : 90;
    gst_video_frame_unmap(&frame);
    g_object_set(h->element, "post-messages", TRUE, "structure",
                 "0 . 0; 0 . 0; 0 1 0; 0 1 0; 0 1 0; 0 . 0; 0 . 0", NULL);
    out = gst_harness_push_and_pull(h, buf);
    eu_map_view(out, GST_VIDEO_FORMAT_GRAY8, 9, 5, &frame, &view);
    for (gint y = 0; y < 5; y++)
        for (gint x = 0; x < 9; x++)
            fail_unless_equals_int(view.luma.data[y * view.luma.stride + x],
                                   found[y][x] == '#' ? 255 : 0);
    gst_video_frame_unmap(&frame);
    gst_buffer_unref(out);
    msg = eu_pop_element_message(h);
    fail_unless(msg != NULL);
    fail_unless(gst_structure_get_uint(gst_message_get_structure(msg), "matches", &matches));
    fail_unless(gst_structure_get_uint(gst_message_get_structure(msg), "iterations", &iterations));
    fail_unless_equals_int(matches, 3);
    fail_unless_equals_int(iterations, 1);
    gst_message_unref(msg);
    eu_harness_teardown(h);
}

GST_END_TEST;

/* A malformed structure is refused: the previous one stays in force and is
 * what reads back. */
GST_START_TEST(test_malformed_structure_refused)
{
    static const gchar *const bad[] = {
        "0 1 2", "1 1; 1", "", ";;", "1 1\n1", "abc", "0 0 0; . 1 .; 1 1 1; ; 1 1 1"
    };
    GstHarness *h = eu_harness_new("hitmiss", GST_VIDEO_FORMAT_GRAY8, 40, 30);
    const gchar *good = "1 . 0; 1 1 0; 1 . 0";
    gchar *now;

    g_object_set(h->element, "structure", good, NULL);
    for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
        GstBuffer *in = eu_make_frame(GST_VIDEO_FORMAT_GRAY8, 40, 30, 4, i);
        GstBuffer *expected, *out;
        IsegHitmissStats st;
        g_object_set(h->element, "structure", bad[i], NULL);
        g_object_get(h->element, "structure", &now, NULL);
        fail_unless_equals_string(now, good);
        g_free(now);
        expected = expected_output(in, GST_VIDEO_FORMAT_GRAY8, 40, 30, ISEG_HITMISS_HMT, good,
                                   ISEG_HITMISS_ROTATE_NONE, 1, &st);
        out = gst_harness_push_and_pull(h, in);
        fail_unless(eu_buffers_equal(out, expected, bad[i]));
        gst_buffer_unref(out);
        gst_buffer_unref(expected);
    }
    eu_harness_teardown(h);
}

GST_END_TEST;

/* rotations=8 is for 3x3 elements: a larger one uses its quarter turns. */
GST_START_TEST(test_rotations_8_needs_3x3)
{
    const gchar *five = "0 0 0 0 0; . . 1 . .; 1 1 1 1 1";
    GstHarness *h = eu_harness_new("hitmiss", GST_VIDEO_FORMAT_GRAY8, 64, 48);
    GstBuffer *in = eu_make_frame(GST_VIDEO_FORMAT_GRAY8, 64, 48, 8, 0);
    GstBuffer *expected, *out;
    IsegHitmissStats st;

    gst_util_set_object_arg(G_OBJECT(h->element), "operation", "thin");
    gst_util_set_object_arg(G_OBJECT(h->element), "rotations", "8");
    g_object_set(h->element, "structure", five, "iterations", 0, NULL);
    expected = expected_output(in, GST_VIDEO_FORMAT_GRAY8, 64, 48, ISEG_HITMISS_THIN, five,
                               ISEG_HITMISS_ROTATE_4, 0, &st);
    out = gst_harness_push_and_pull(h, in);
    fail_unless(eu_buffers_equal(out, expected, "rotations=8 on 5x3"));
    gst_buffer_unref(out);
    gst_buffer_unref(expected);
    eu_harness_teardown(h);
}

GST_END_TEST;

GST_START_TEST(test_messages)
{
    GstHarness *h = eu_harness_new("hitmiss", GST_VIDEO_FORMAT_I420, 97, 61);
    GstBuffer *buf = eu_make_frame(GST_VIDEO_FORMAT_I420, 97, 61, 3, 0);
    GstBuffer *expected;
    IsegHitmissStats st;
    GstMessage *msg;
    const GstStructure *s;
    guint matches, iterations;
    GstClockTime ts, stt, rt, dur;

    gst_util_set_object_arg(G_OBJECT(h->element), "operation", "thin");
    g_object_set(h->element, "iterations", 0, NULL);
    expected = expected_output(buf, GST_VIDEO_FORMAT_I420, 97, 61, ISEG_HITMISS_THIN,
                               "0 0 0; . 1 .; 1 1 1", ISEG_HITMISS_ROTATE_AUTO, 0, &st);
    fail_unless(st.passes > 1 && st.matches > 0);
    GST_BUFFER_PTS(buf) = GST_SECOND;
    GST_BUFFER_DURATION(buf) = GST_SECOND / 30;
    gst_buffer_unref(gst_harness_push_and_pull(h, gst_buffer_ref(buf)));
    fail_unless(eu_pop_element_message(h) == NULL, "posted without post-messages");

    g_object_set(h->element, "post-messages", TRUE, NULL);
    gst_buffer_unref(gst_harness_push_and_pull(h, buf));
    msg = eu_pop_element_message(h);
    fail_unless(msg != NULL);
    fail_unless(GST_MESSAGE_SRC(msg) == GST_OBJECT(h->element));
    s = gst_message_get_structure(msg);
    fail_unless_equals_string(gst_structure_get_name(s), "hitmiss");
    fail_unless(gst_structure_get_uint(s, "matches", &matches));
    fail_unless(gst_structure_get_uint(s, "iterations", &iterations));
    fail_unless(gst_structure_get_clock_time(s, "timestamp", &ts));
    fail_unless(gst_structure_get_clock_time(s, "stream-time", &stt));
    fail_unless(gst_structure_get_clock_time(s, "running-time", &rt));
    fail_unless(gst_structure_get_clock_time(s, "duration", &dur));
    fail_unless_equals_int(matches, st.matches);
    fail_unless_equals_int(iterations, st.passes);
    fail_unless_equals_uint64(ts, GST_SECOND);
    fail_unless_equals_uint64(stt, GST_SECOND);
    fail_unless_equals_uint64(rt, GST_SECOND);
    fail_unless_equals_uint64(dur, GST_SECOND / 30);
    gst_message_unref(msg);
    fail_unless(eu_pop_element_message(h) == NULL, "one message per frame");
    gst_buffer_unref(expected);
    eu_harness_teardown(h);
}

GST_END_TEST;

static void set_operation(GstElement *e, gconstpointer data)
{
    gst_util_set_object_arg(G_OBJECT(e), "operation", data);
    gst_util_set_object_arg(G_OBJECT(e), "rotations", "8");
}

GST_START_TEST(test_n_threads_bit_identical)
{
    const gchar *ops[] = { "hitmiss", "skeleton" };
    for (guint o = 0; o < G_N_ELEMENTS(ops); o++)
        eu_check_n_threads_identical("hitmiss", GST_VIDEO_FORMAT_NV12, 1, 1, set_operation, ops[o],
                                     ops[o]);
}

GST_END_TEST;

GST_START_TEST(test_renegotiation)
{
    GstHarness *h = eu_harness_new("hitmiss", GST_VIDEO_FORMAT_GRAY8, 320, 240);
    const struct {
        GstVideoFormat fmt;
        gint w, h;
    } steps[] = {
        { GST_VIDEO_FORMAT_GRAY8, 320, 240 }, { GST_VIDEO_FORMAT_I420, 385, 289 },
        { GST_VIDEO_FORMAT_NV21, 1, 1 },      { GST_VIDEO_FORMAT_Y444, 64, 3 },
        { GST_VIDEO_FORMAT_GRAY8, 321, 241 },
    };
    gst_util_set_object_arg(G_OBJECT(h->element), "operation", "thin");
    for (guint i = 0; i < G_N_ELEMENTS(steps); i++) {
        eu_harness_set_format(h, steps[i].fmt, steps[i].w, steps[i].h);
        for (guint k = 0; k < 3; k++) {
            GstBuffer *in = eu_make_frame(steps[i].fmt, steps[i].w, steps[i].h, i + 1, k);
            IsegHitmissStats st;
            GstBuffer *expected =
                expected_output(in, steps[i].fmt, steps[i].w, steps[i].h, ISEG_HITMISS_THIN,
                                "0 0 0; . 1 .; 1 1 1", ISEG_HITMISS_ROTATE_AUTO, 1, &st);
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
    for (guint f = 0; f < eu_n_luma_formats; f++) {
        const GstVideoFormat fmt = eu_luma_formats[f];
        GstHarness *h = eu_harness_new("hitmiss", fmt, 385, 289);
        gst_util_set_object_arg(G_OBJECT(h->element), "rotations", "8");
        for (guint pad = 1; pad <= 64; pad *= 4) {
            GstBuffer *in = eu_make_frame_padded(fmt, 385, 289, pad, 0, pad);
            IsegHitmissStats st;
            GstBuffer *expected =
                expected_output(in, fmt, 385, 289, ISEG_HITMISS_HMT, "0 0 0; . 1 .; 1 1 1",
                                ISEG_HITMISS_ROTATE_8, 1, &st);
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

/* Each output must be the result of one whole set of properties: a change
 * from another thread never tears a frame. Two configurations alternate:
 * every output equals one of their two expected results. */
GST_START_TEST(test_properties_from_another_thread)
{
    const gint w = 160, ht = 120;
    const gchar *s1 = "0 0 0; . 1 .; 1 1 1", *s2 = "1 . 0; 1 1 0; 1 . 0";
    GstHarness *h = eu_harness_new("hitmiss", GST_VIDEO_FORMAT_GRAY8, w, ht);
    GValue vs = G_VALUE_INIT, vi = G_VALUE_INIT, vn = G_VALUE_INIT;
    GstHarnessThread *t1, *t2, *t3;

    g_value_init(&vs, G_TYPE_STRING);
    g_value_set_string(&vs, s2);
    g_value_init(&vi, G_TYPE_UINT);
    g_value_set_uint(&vi, 1);
    g_value_init(&vn, G_TYPE_UINT);
    g_value_set_uint(&vn, 2);
    t1 = gst_harness_stress_property_start_full(h, "structure", &vs, 0);
    t2 = gst_harness_stress_property_start_full(h, "iterations", &vi, 0);
    t3 = gst_harness_stress_property_start_full(h, "n-threads", &vn, 0);
    for (guint i = 0; i < eu_count(300); i++) {
        GstBuffer *in = eu_make_frame(GST_VIDEO_FORMAT_GRAY8, w, ht, 9, i);
        IsegHitmissStats st;
        GstBuffer *e1 = expected_output(in, GST_VIDEO_FORMAT_GRAY8, w, ht, ISEG_HITMISS_HMT, s1,
                                        ISEG_HITMISS_ROTATE_NONE, 1, &st);
        GstBuffer *e2 = expected_output(in, GST_VIDEO_FORMAT_GRAY8, w, ht, ISEG_HITMISS_HMT, s2,
                                        ISEG_HITMISS_ROTATE_NONE, 1, &st);
        GstBuffer *out;
        if (i % 3 == 0)
            g_object_set(h->element, "structure", i % 2 ? s1 : s2, NULL);
        out = gst_harness_push_and_pull(h, in);
        fail_unless(out != NULL);
        {
            GstMapInfo mo, m1, m2;
            gst_buffer_map(out, &mo, GST_MAP_READ);
            gst_buffer_map(e1, &m1, GST_MAP_READ);
            gst_buffer_map(e2, &m2, GST_MAP_READ);
            fail_unless(memcmp(mo.data, m1.data, mo.size) == 0 ||
                            memcmp(mo.data, m2.data, mo.size) == 0,
                        "frame %u torn", i);
            gst_buffer_unmap(out, &mo);
            gst_buffer_unmap(e1, &m1);
            gst_buffer_unmap(e2, &m2);
        }
        gst_buffer_unref(out);
        gst_buffer_unref(e1);
        gst_buffer_unref(e2);
    }
    gst_harness_stress_thread_stop(t1);
    gst_harness_stress_thread_stop(t2);
    gst_harness_stress_thread_stop(t3);
    g_value_unset(&vs);
    g_value_unset(&vi);
    g_value_unset(&vn);
    eu_harness_teardown(h);
}

GST_END_TEST;

GST_START_TEST(test_out_of_range_rejected)
{
    GstElement *e = gst_element_factory_make("hitmiss", NULL);
    guint it;

    g_object_set(e, "iterations", 7, NULL);
    ASSERT_WARNING(g_object_set(e, "iterations", 1001, NULL));
    g_object_get(e, "iterations", &it, NULL);
    fail_unless_equals_int(it, 7);
    g_object_set(e, "iterations", 1000, NULL);
    g_object_get(e, "iterations", &it, NULL);
    fail_unless_equals_int(it, 1000);
    gst_object_unref(e);
}

GST_END_TEST;

static Suite *hitmiss_suite(void)
{
    Suite *s = suite_create("hitmiss");
    TCase *tc = tcase_create("general");

    tcase_set_timeout(tc, 300);
    suite_add_tcase(s, tc);
    tcase_add_test(tc, test_defaults_and_controllable);
    tcase_add_test(tc, test_lecture_vertical_lines);
    tcase_add_test(tc, test_every_format_and_size);
    tcase_add_test(tc, test_malformed_structure_refused);
    tcase_add_test(tc, test_rotations_8_needs_3x3);
    tcase_add_test(tc, test_messages);
    tcase_add_test(tc, test_n_threads_bit_identical);
    tcase_add_test(tc, test_renegotiation);
    tcase_add_test(tc, test_video_meta_strides);
    tcase_add_test(tc, test_properties_from_another_thread);
    tcase_add_test(tc, test_out_of_range_rejected);
    return s;
}

GST_CHECK_MAIN(hitmiss);
