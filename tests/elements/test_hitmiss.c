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
    static const EuProp defaults[] = {
        { "structure", 0, "0 0 0; . 1 .; 1 1 1" },
        { "iterations", 1, NULL },
        { "operation", ISEG_HITMISS_HMT, NULL },
        { "rotations", ISEG_HITMISS_ROTATE_AUTO, NULL },
        { "n-threads", 0, NULL },
        { "post-messages", FALSE, NULL },
        { NULL, 0, NULL },
    };
    static const gchar *const controllable[] = { "iterations", NULL };
    eu_check_defaults("hitmiss", defaults, controllable);
}

GST_END_TEST;

/* One configuration for an EuCase. rot < 0: the rotations the element
 * makes of `rotations` are read back after configure(); otherwise they must
 * be rot. */
typedef struct {
    IsegHitmissOp op;
    const gchar *structure;
    const gchar *rotations;
    guint iterations;
    gint rot;
} HitmissCase;

static void configure(GstElement *e, gpointer data)
{
    HitmissCase *c = data;
    gint rot;

    gst_util_set_object_arg(G_OBJECT(e), "operation", op_names[c->op]);
    gst_util_set_object_arg(G_OBJECT(e), "rotations", c->rotations);
    g_object_set(e, "structure", c->structure, "iterations", c->iterations, NULL);
    g_object_get(e, "rotations", &rot, NULL);
    if (c->rot < 0)
        c->rot = rot;
    fail_unless_equals_int(rot, c->rot);
}

static GstBuffer *expected_case(GstBuffer *in, GstVideoFormat fmt, gint w, gint h, gpointer data)
{
    const HitmissCase *c = data;
    IsegHitmissStats st;
    return expected_output(in, fmt, w, h, c->op, c->structure, (IsegHitmissRotations)c->rot,
                           c->iterations, &st);
}

static const EuCase hitmiss_case = { configure, expected_case, NULL, FALSE };

static void check_case(GstVideoFormat fmt, gint w, gint h, IsegHitmissOp op, const gchar *structure,
                       const gchar *rotations, guint iterations)
{
    HitmissCase c = { op, structure, rotations, iterations, -1 };
    gchar *what = g_strdup_printf("%s %dx%d %s \"%s\" rotations=%s iterations=%u",
                                  gst_video_format_to_string(fmt), w, h, op_names[op], structure,
                                  rotations, iterations);

    eu_check_case("hitmiss", fmt, w, h, w * 3 + h + op, 2, &hitmiss_case, &c, what);
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
    out = eu_push_and_pull(h, buf);
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
    static const gchar *const bad[] = { "0 1 2",
                                        "1 1; 1",
                                        "",
                                        ";;",
                                        "1 1\n1",
                                        "abc",
                                        "0 0 0; . 1 .; 1 1 1; ; 1 1 1",
                                        "1 . 0;\n\n1 1 0;\n1 . 0" };
    /* what the warning says for each (the parser's message) */
    static const gchar *const says[] = { "unexpected character '2'",
                                         "row 2 (offset 5) has 1 cell",
                                         "no cells",
                                         "no cells",
                                         "row 2 (offset 4) has 1 cell",
                                         "unexpected character 'a'",
                                         "row 4 is empty",
                                         "row 2 is empty" };
    GstHarness *h = eu_harness_new("hitmiss", GST_VIDEO_FORMAT_GRAY8, 40, 30);
    const gchar *good = "1 . 0; 1 1 0; 1 . 0";
    gchar *now;

    G_STATIC_ASSERT(G_N_ELEMENTS(bad) == G_N_ELEMENTS(says));
    gst_debug_set_threshold_for_name("hitmiss", GST_LEVEL_WARNING);
    g_object_set(h->element, "structure", good, NULL);
    for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
        GstBuffer *in = eu_make_frame(GST_VIDEO_FORMAT_GRAY8, 40, 30, 4, i);
        GstBuffer *expected, *out;
        IsegHitmissStats st;
        gchar *warnings = eu_set_string_capturing_warnings(h->element, "structure", bad[i]);
        eu_check_warning(warnings, "hitmiss", bad[i], says[i]);
        g_free(warnings);
        g_object_get(h->element, "structure", &now, NULL);
        fail_unless_equals_string(now, good);
        g_free(now);
        expected = expected_output(in, GST_VIDEO_FORMAT_GRAY8, 40, 30, ISEG_HITMISS_HMT, good,
                                   ISEG_HITMISS_ROTATE_NONE, 1, &st);
        out = eu_push_and_pull(h, in);
        fail_unless(eu_buffers_equal(out, expected, bad[i]));
        gst_buffer_unref(out);
        gst_buffer_unref(expected);
    }
    eu_harness_teardown(h);
}

GST_END_TEST;

/* A structure over several lines (';' at each line end, or not) is
 * accepted and is the one-line element. */
GST_START_TEST(test_multiline_structure)
{
    static const gchar *const forms[] = {
        "1 . 0;\n1 1 0;\n1 . 0",
        "1 . 0\n1 1 0\n1 . 0\n",
        " 1,.,0 ;\n\t1 1 0 ;\n 1 . 0 ;\n",
        "\n1 . 0;\r\n1 1 0;\r\n1 . 0\n\n",
    };
    const gchar *one_line = "1 . 0; 1 1 0; 1 . 0";
    GstHarness *h = eu_harness_new("hitmiss", GST_VIDEO_FORMAT_GRAY8, 33, 19);

    for (guint i = 0; i < G_N_ELEMENTS(forms); i++) {
        GstBuffer *in = eu_make_frame(GST_VIDEO_FORMAT_GRAY8, 33, 19, 6, i);
        GstBuffer *expected, *out;
        IsegHitmissStats st;
        gchar *now = NULL;

        g_object_set(h->element, "structure", "1", NULL);
        g_object_set(h->element, "structure", forms[i], NULL);
        g_object_get(h->element, "structure", &now, NULL);
        fail_unless_equals_string(now, forms[i]);
        g_free(now);
        expected = expected_output(in, GST_VIDEO_FORMAT_GRAY8, 33, 19, ISEG_HITMISS_HMT, one_line,
                                   ISEG_HITMISS_ROTATE_NONE, 1, &st);
        out = eu_push_and_pull(h, in);
        fail_unless(eu_buffers_equal(out, expected, forms[i]));
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
    out = eu_push_and_pull(h, in);
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

    gst_util_set_object_arg(G_OBJECT(h->element), "operation", "thin");
    g_object_set(h->element, "iterations", 0, NULL);
    expected = expected_output(buf, GST_VIDEO_FORMAT_I420, 97, 61, ISEG_HITMISS_THIN,
                               "0 0 0; . 1 .; 1 1 1", ISEG_HITMISS_ROTATE_AUTO, 0, &st);
    fail_unless(st.passes > 1 && st.matches > 0);
    msg = eu_check_message(h, buf, "hitmiss", GST_SECOND);
    s = gst_message_get_structure(msg);
    fail_unless(gst_structure_get_uint(s, "matches", &matches));
    fail_unless(gst_structure_get_uint(s, "iterations", &iterations));
    fail_unless_equals_int(matches, st.matches);
    fail_unless_equals_int(iterations, st.passes);
    gst_message_unref(msg);
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
    static const EuStep steps[] = {
        { GST_VIDEO_FORMAT_GRAY8, 320, 240 }, { GST_VIDEO_FORMAT_I420, 385, 289 },
        { GST_VIDEO_FORMAT_NV21, 1, 1 },      { GST_VIDEO_FORMAT_Y444, 64, 3 },
        { GST_VIDEO_FORMAT_GRAY8, 321, 241 },
    };
    HitmissCase c = { ISEG_HITMISS_THIN, "0 0 0; . 1 .; 1 1 1", "auto", 1,
                      ISEG_HITMISS_ROTATE_AUTO };
    eu_check_renegotiation("hitmiss", steps, G_N_ELEMENTS(steps), 3, &hitmiss_case, &c);
}

GST_END_TEST;

/* Buffers whose GstVideoMeta strides are larger than the default. */
GST_START_TEST(test_video_meta_strides)
{
    HitmissCase c = { ISEG_HITMISS_HMT, "0 0 0; . 1 .; 1 1 1", "8", 1, ISEG_HITMISS_ROTATE_8 };
    eu_check_video_meta_strides("hitmiss", eu_luma_formats, eu_n_luma_formats, &hitmiss_case, &c);
}

GST_END_TEST;

/* The two structures whose results every output must be one of. */
static HitmissCase stress_cases[2] = {
    { ISEG_HITMISS_HMT, "0 0 0; . 1 .; 1 1 1", "none", 1, ISEG_HITMISS_ROTATE_NONE },
    { ISEG_HITMISS_HMT, "1 . 0; 1 1 0; 1 . 0", "none", 1, ISEG_HITMISS_ROTATE_NONE },
};

static void alternate_structure(GstElement *e, guint i, gpointer data)
{
    (void)data;
    if (i % 3 == 0)
        g_object_set(e, "structure", stress_cases[i % 2 ? 0 : 1].structure, NULL);
}

static void check_one_structure(GstBuffer *in, GstBuffer *out, guint i, gpointer data)
{
    GstBuffer *e1 = expected_case(in, GST_VIDEO_FORMAT_GRAY8, 160, 120, &stress_cases[0]);
    GstBuffer *e2 = expected_case(in, GST_VIDEO_FORMAT_GRAY8, 160, 120, &stress_cases[1]);

    (void)data;
    fail_unless(eu_same_bytes(out, e1) || eu_same_bytes(out, e2), "frame %u torn", i);
    gst_buffer_unref(e1);
    gst_buffer_unref(e2);
}

/* Each output must be the result of one whole set of properties: a change
 * from another thread never tears a frame. Two configurations alternate:
 * every output equals one of their two expected results. */
GST_START_TEST(test_properties_from_another_thread)
{
    static const EuProp knobs[] = {
        { "structure", 0, "1 . 0; 1 1 0; 1 . 0" },
        { "iterations", 1, NULL },
        { "n-threads", 2, NULL },
        { NULL, 0, NULL },
    };
    const EuStress spec = { .fmt = GST_VIDEO_FORMAT_GRAY8,
                            .w = 160,
                            .h = 120,
                            .n_frames = 300,
                            .knobs = knobs,
                            .before_frame = alternate_structure,
                            .check = check_one_structure };
    eu_stress_properties("hitmiss", &spec, NULL);
}

GST_END_TEST;

GST_START_TEST(test_out_of_range_rejected)
{
    static const EuPropRange rows[] = {
        { "iterations", 7, EU_VALUES(1001), EU_VALUES(1000) },
        { NULL, 0, EU_NONE, EU_NONE },
    };
    eu_check_out_of_range("hitmiss", rows);
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
    tcase_add_test(tc, test_multiline_structure);
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
