/* morphology element tests: the lecture's example by hand, every format at
 * odd sizes and frames 1-3 pixels wide against the library's brute-force
 * reference, the structure property (accepted, refused with a warning and
 * the old value kept), messages, threads, renegotiation, padded strides and
 * concurrent property changes. */
#include "elemutil.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The configuration an expected output is computed for. */
typedef struct {
    const gchar *operation;
    const gchar *shape; /* NULL: use structure */
    guint width, height;
    const gchar *structure;
    guint iterations;
    const gchar *border;
} Config;

static IsegMorphOp op_from_nick(const gchar *nick)
{
    for (int op = 0; op <= ISEG_MORPH_BLACKHAT; op++)
        if (g_str_equal(iseg_morph_op_name((IsegMorphOp)op), nick))
            return (IsegMorphOp)op;
    fail("unknown operation %s", nick);
    return ISEG_MORPH_ERODE;
}

static void apply_config(GstElement *e, const Config *c)
{
    gst_util_set_object_arg(G_OBJECT(e), "operation", c->operation);
    if (c->shape) {
        gst_util_set_object_arg(G_OBJECT(e), "shape", c->shape);
        g_object_set(e, "width", c->width, "height", c->height, NULL);
    } else {
        g_object_set(e, "structure", c->structure, NULL);
    }
    g_object_set(e, "iterations", c->iterations, NULL);
    gst_util_set_object_arg(G_OBJECT(e), "border", c->border);
}

/* The expected output of `in`: the reference on the luma, chroma 128. */
static GstBuffer *expected_output(GstBuffer *in, GstVideoFormat fmt, gint w, gint h,
                                  const Config *c)
{
    GstBuffer *expected = gst_buffer_copy_deep(in);
    GstVideoFrame frame;
    IsegFrame view;
    IsegSel *sel = NULL;
    IsegMorphSettings s;

    if (c->shape) {
        IsegSelShape shape = g_str_equal(c->shape, "rect")    ? ISEG_SEL_RECT
                             : g_str_equal(c->shape, "cross") ? ISEG_SEL_CROSS
                                                              : ISEG_SEL_ELLIPSE;
        fail_unless_equals_int(iseg_sel_create_shape(&sel, shape, c->width, c->height), 0);
    } else {
        fail_unless_equals_int(iseg_sel_parse(&sel, c->structure, ISEG_SEL_SYNTAX_BINARY, NULL, 0),
                               0);
    }
    iseg_morph_default_settings(&s);
    s.op = op_from_nick(c->operation);
    s.iterations = c->iterations;
    s.border = g_str_equal(c->border, "replicate") ? ISEG_MORPH_BORDER_REPLICATE
                                                   : ISEG_MORPH_BORDER_NEUTRAL;
    eu_map_view(expected, fmt, w, h, &frame, &view);
    fail_unless_equals_int(iseg_morph_apply_ref(sel, &s, &view.luma, &view.luma), 0);
    fail_unless_equals_int(iseg_frame_neutral_chroma(&view, NULL), 0);
    gst_video_frame_unmap(&frame);
    iseg_sel_free(sel);
    return expected;
}

static const Config configs[] = {
    { "erode", "rect", 3, 3, NULL, 1, "replicate" },
    { "dilate", "ellipse", 7, 5, NULL, 1, "neutral" },
    { "open", "cross", 5, 5, NULL, 2, "replicate" },
    { "close", "rect", 15, 4, NULL, 1, "neutral" },
    { "gradient", NULL, 0, 0, "1 1 0; 0 1 1", 1, "replicate" },
    { "tophat", "ellipse", 31, 31, NULL, 1, "replicate" },
    { "blackhat", NULL, 0, 0, "0 1 1 0; 1 0 0 1; 0 1 1 0; 0 0 0 1", 2, "neutral" },
};

static void configure(GstElement *e, gpointer data)
{
    apply_config(e, data);
}

static GstBuffer *expected_case(GstBuffer *in, GstVideoFormat fmt, gint w, gint h, gpointer data)
{
    return expected_output(in, fmt, w, h, data);
}

static const EuCase morphology_case = { configure, expected_case, NULL, FALSE };

static void check_case(GstVideoFormat fmt, gint w, gint h, const Config *c)
{
    gchar *what =
        g_strdup_printf("%s %dx%d %s %s %ux%u %s x%u %s", gst_video_format_to_string(fmt), w, h,
                        c->operation, c->shape ? c->shape : "custom", c->width, c->height,
                        c->structure ? c->structure : "", c->iterations, c->border);

    eu_check_case("morphology", fmt, w, h, w * 7 + h, 3, &morphology_case, (gpointer)c, what);
    g_free(what);
}

GST_START_TEST(test_every_format_and_size)
{
    for (guint f = 0; f < eu_n_luma_formats; f++)
        for (guint s = 0; s < eu_n_sizes; s++)
            for (guint c = 0; c < G_N_ELEMENTS(configs); c++)
                check_case(eu_luma_formats[f], eu_sizes[s][0], eu_sizes[s][1], &configs[c]);
}

GST_END_TEST;

/* The lecture's 8x8 example with the 3x3 square and replicate padding,
 * written out by hand. */
static const gchar *lecture_in[8] = {
    "00000000", "01000010", "01000010", "01111110", "01111110", "01111110", "01111110", "00111100",
};
static const gchar *lecture_eroded[8] = {
    "00000000", "00000000", "00000000", "00000000", "00111100", "00111100", "00011000", "00011000",
};
static const gchar *lecture_dilated[8] = {
    "11100111", "11100111", "11111111", "11111111", "11111111", "11111111", "11111111", "11111111",
};

static GstBuffer *rows_buffer(const gchar **rows)
{
    guint8 px[64];
    for (int i = 0; i < 64; i++)
        px[i] = rows[i / 8][i % 8] == '1' ? 255 : 0;
    return gst_buffer_new_memdup(px, 64);
}

static void check_rows(GstBuffer *out, const gchar **rows)
{
    GstMapInfo map;
    gst_buffer_map(out, &map, GST_MAP_READ);
    for (int i = 0; i < 64; i++)
        fail_unless_equals_int(map.data[i], rows[i / 8][i % 8] == '1' ? 255 : 0);
    gst_buffer_unmap(out, &map);
}

GST_START_TEST(test_lecture_example)
{
    GstHarness *h = eu_harness_new("morphology", GST_VIDEO_FORMAT_GRAY8, 8, 8);
    GstBuffer *out;

    out = eu_push_and_pull(h, rows_buffer(lecture_in));
    check_rows(out, lecture_eroded);
    gst_buffer_unref(out);
    gst_util_set_object_arg(G_OBJECT(h->element), "operation", "dilate");
    out = eu_push_and_pull(h, rows_buffer(lecture_in));
    check_rows(out, lecture_dilated);
    gst_buffer_unref(out);
    /* the same square written as a structure */
    g_object_set(h->element, "structure", "111\n111\n111", NULL);
    out = eu_push_and_pull(h, rows_buffer(lecture_in));
    check_rows(out, lecture_dilated);
    gst_buffer_unref(out);
    eu_harness_teardown(h);
}

GST_END_TEST;

/* Frames one to three pixels wide, tall enough for the 3x3 in-place
 * kernel's batches of four rows (regression: at width 1 it read a byte
 * before and after every row, the scratch byte before its saved row never
 * written, which valgrind reported as branches on uninitialised values). */
GST_START_TEST(test_narrow_frames)
{
    const GstVideoFormat fmts[] = { GST_VIDEO_FORMAT_GRAY8, GST_VIDEO_FORMAT_I420 };
    const gint heights[] = { 6, 10, 37 };
    const Config narrow[] = {
        { "erode", "rect", 3, 3, NULL, 1, "replicate" },
        { "dilate", "rect", 3, 3, NULL, 1, "neutral" },
    };
    for (guint f = 0; f < G_N_ELEMENTS(fmts); f++)
        for (gint w = 1; w <= 3; w++)
            for (guint k = 0; k < G_N_ELEMENTS(heights); k++)
                for (guint c = 0; c < G_N_ELEMENTS(narrow); c++)
                    check_case(fmts[f], w, heights[k], &narrow[c]);
}

GST_END_TEST;

/* the value of shape=custom */
#define GST_MORPHOLOGY_SHAPE_CUSTOM 3

static void expect_refused(GstElement *e, const gchar *text, const gchar *fragment,
                           const gchar *kept)
{
    gchar *read_back = NULL, *warnings;
    guint w, h, w2, h2;
    gint shape;

    g_object_get(e, "width", &w, "height", &h, NULL);
    warnings = eu_set_string_capturing_warnings(e, "structure", text);
    eu_check_warning(warnings, "morphology", text, fragment);
    g_free(warnings);
    g_object_get(e, "structure", &read_back, "shape", &shape, NULL);
    fail_unless_equals_string(read_back, kept);
    fail_unless_equals_int(shape, GST_MORPHOLOGY_SHAPE_CUSTOM);
    g_free(read_back);
    g_object_get(e, "width", &w2, "height", &h2, NULL);
    fail_unless_equals_int(w2, w);
    fail_unless_equals_int(h2, h);
}

GST_START_TEST(test_structure_property)
{
    GstHarness *h = eu_harness_new("morphology", GST_VIDEO_FORMAT_GRAY8, 41, 23);
    GstElement *e = h->element;
    const Config custom = { "dilate", NULL, 0, 0, "0 1; 1 1; 0 1", 1, "replicate" };
    GstBuffer *in, *expected, *out;
    gint shape;
    guint w, ht;

    gst_debug_set_threshold_for_name("morphology", GST_LEVEL_WARNING);

    apply_config(e, &custom);
    g_object_get(e, "shape", &shape, "width", &w, "height", &ht, NULL);
    fail_unless_equals_int(shape, GST_MORPHOLOGY_SHAPE_CUSTOM);
    fail_unless_equals_int(w, 2);
    fail_unless_equals_int(ht, 3);

    expect_refused(e, "0 1; 1 1 1; 0 1", "row 2 (offset 5) has 3 cells, expected 2",
                   "0 1; 1 1; 0 1");
    /* over several lines: a blank line between rows is an empty row */
    expect_refused(e, "0 1;\n\n1 1;\n0 1", "row 2 is empty", "0 1; 1 1; 0 1");
    expect_refused(e, "0 1\n1 1 1\n0 1", "row 2 (offset 4) has 3 cells, expected 2",
                   "0 1; 1 1; 0 1");
    expect_refused(e, "0 1; 1 q; 0 1", "row 2, column 2", "0 1; 1 1; 0 1");
    expect_refused(e, "0 0; 0 0", "no cell is 1", "0 1; 1 1; 0 1");
    expect_refused(e, "1 . 1", "unexpected character '.'", "0 1; 1 1; 0 1");
    g_object_get(e, "width", &w, "height", &ht, NULL);
    fail_unless_equals_int(w, 2);
    fail_unless_equals_int(ht, 3);

    /* frames still use the element last accepted */
    in = eu_make_frame(GST_VIDEO_FORMAT_GRAY8, 41, 23, 4, 0);
    expected = expected_output(in, GST_VIDEO_FORMAT_GRAY8, 41, 23, &custom);
    out = eu_push_and_pull(h, in);
    fail_unless(eu_buffers_equal(out, expected, "after refused structures"));
    gst_buffer_unref(out);
    gst_buffer_unref(expected);

    /* "" removes the custom element: back to a rectangle of width x height */
    g_object_set(e, "structure", "", NULL);
    g_object_get(e, "shape", &shape, NULL);
    fail_unless_equals_int(shape, 0);
    {
        const Config rect = { "dilate", "rect", 2, 3, NULL, 1, "replicate" };
        in = eu_make_frame(GST_VIDEO_FORMAT_GRAY8, 41, 23, 5, 1);
        expected = expected_output(in, GST_VIDEO_FORMAT_GRAY8, 41, 23, &rect);
        out = eu_push_and_pull(h, in);
        fail_unless(eu_buffers_equal(out, expected, "structure cleared"));
        gst_buffer_unref(out);
        gst_buffer_unref(expected);
    }
    gst_debug_unset_threshold_for_name("morphology");
    eu_harness_teardown(h);
}

GST_END_TEST;

GST_START_TEST(test_messages)
{
    GstHarness *h = eu_harness_new("morphology", GST_VIDEO_FORMAT_GRAY8, 6, 6);
    GstBuffer *buf = eu_make_frame(GST_VIDEO_FORMAT_GRAY8, 6, 6, 1, 0);

    gst_message_unref(eu_check_message(h, buf, "morphology", 2 * GST_SECOND));
    eu_harness_teardown(h);
}

GST_END_TEST;

static void set_config(GstElement *e, gconstpointer data)
{
    apply_config(e, data);
}

GST_START_TEST(test_n_threads_bit_identical)
{
    const GstVideoFormat fmts[] = { GST_VIDEO_FORMAT_I420, GST_VIDEO_FORMAT_NV12 };
    const Config cfgs[] = {
        { "open", "ellipse", 15, 15, NULL, 1, "replicate" },
        { "erode", "rect", 3, 3, NULL, 2, "neutral" },
    };
    for (guint f = 0; f < G_N_ELEMENTS(fmts); f++)
        for (guint c = 0; c < G_N_ELEMENTS(cfgs); c++)
            eu_check_n_threads_identical("morphology", fmts[f], 1, 1, set_config, &cfgs[c],
                                         cfgs[c].operation);
}

GST_END_TEST;

/* A structure written over several lines, ';' kept at the line ends (with
 * spaces and commas around it), is the same element as the one-line form. */
GST_START_TEST(test_multiline_structure)
{
    static const gchar *const forms[] = {
        "0 1 1;\n1 0 1",       "0 1 1;\n1 0 1;\n", "0 1 1\n1 0 1",    "  0,1,1 ;\n 1 0 1 ",
        "\n0 1 1 ,;, \n1 0 1", "0 1 1\n;1 0 1",    "0 1 1;\r\n1 0 1", "\n\n0 1 1;\n1 0 1\n\n",
    };
    const Config one_line = { "erode", NULL, 0, 0, "0 1 1; 1 0 1", 1, "replicate" };
    GstHarness *h = eu_harness_new("morphology", GST_VIDEO_FORMAT_GRAY8, 37, 21);

    for (guint i = 0; i < G_N_ELEMENTS(forms); i++) {
        GstBuffer *in = eu_make_frame(GST_VIDEO_FORMAT_GRAY8, 37, 21, 11, i);
        GstBuffer *expected = expected_output(in, GST_VIDEO_FORMAT_GRAY8, 37, 21, &one_line);
        GstBuffer *out;
        gchar *read_back = NULL;
        gint shape;
        guint w, ht;

        g_object_set(h->element, "structure", "", NULL); /* back to rect */
        gst_util_set_object_arg(G_OBJECT(h->element), "operation", "erode");
        g_object_set(h->element, "structure", forms[i], NULL);
        g_object_get(h->element, "structure", &read_back, "shape", &shape, "width", &w, "height",
                     &ht, NULL);
        fail_unless_equals_string(read_back, forms[i]);
        fail_unless_equals_int(shape, GST_MORPHOLOGY_SHAPE_CUSTOM);
        fail_unless_equals_int(w, 3);
        fail_unless_equals_int(ht, 2);
        g_free(read_back);
        out = eu_push_and_pull(h, in);
        fail_unless(eu_buffers_equal(out, expected, forms[i]));
        gst_buffer_unref(out);
        gst_buffer_unref(expected);
    }
    eu_harness_teardown(h);
}

GST_END_TEST;

GST_START_TEST(test_renegotiation)
{
    static const EuStep steps[] = {
        { GST_VIDEO_FORMAT_GRAY8, 320, 240 }, { GST_VIDEO_FORMAT_I420, 385, 289 },
        { GST_VIDEO_FORMAT_NV21, 1, 1 },      { GST_VIDEO_FORMAT_Y444, 64, 3 },
        { GST_VIDEO_FORMAT_GRAY8, 641, 481 }, { GST_VIDEO_FORMAT_Y42B, 33, 17 },
    };
    const Config c = { "close", "ellipse", 9, 7, NULL, 1, "replicate" };
    eu_check_renegotiation("morphology", steps, G_N_ELEMENTS(steps), 2, &morphology_case,
                           (gpointer)&c);
}

GST_END_TEST;

GST_START_TEST(test_video_meta_strides)
{
    const Config c = { "gradient", "cross", 5, 3, NULL, 1, "neutral" };
    eu_check_video_meta_strides("morphology", eu_luma_formats, eu_n_luma_formats, &morphology_case,
                                (gpointer)&c);
}

GST_END_TEST;

/* The two widths' results (of the one input frame) and how often each
 * came out. */
typedef struct {
    const Config *c3;
    GstBuffer *e3, *e9;
    guint n3, n9;
} TwoWidths;

static void configure_width_3(GstElement *e, gpointer data)
{
    apply_config(e, ((TwoWidths *)data)->c3);
}

static void set_width_3(GstElement *e, guint i, gpointer data)
{
    (void)i, (void)data;
    g_object_set(e, "width", 3, NULL);
}

static void check_one_width(GstBuffer *in, GstBuffer *out, guint i, gpointer data)
{
    TwoWidths *t = data;

    (void)in; /* always the frame e3 and e9 were computed for */
    if (eu_same_bytes(out, t->e3))
        t->n3++;
    else if (eu_same_bytes(out, t->e9))
        t->n9++;
    else
        fail("frame %u is neither the width 3 nor the width 9 result", i);
}

/* Width flips between 3 and 9 from another thread while frames flow: every
 * output is the whole-frame result of one of the two, never a mix. */
GST_START_TEST(test_properties_from_another_thread)
{
    static const EuProp knobs[] = {
        { "width", 9, NULL },
        { "n-threads", 2, NULL },
        { NULL, 0, NULL },
    };
    const gint w = 160, ht = 120;
    const Config c3 = { "open", "rect", 3, 5, NULL, 1, "replicate" };
    const Config c9 = { "open", "rect", 9, 5, NULL, 1, "replicate" };
    GstBuffer *in = eu_make_frame(GST_VIDEO_FORMAT_GRAY8, w, ht, 9, 0);
    TwoWidths t = { &c3, expected_output(in, GST_VIDEO_FORMAT_GRAY8, w, ht, &c3),
                    expected_output(in, GST_VIDEO_FORMAT_GRAY8, w, ht, &c9), 0, 0 };
    const EuStress spec = { .fmt = GST_VIDEO_FORMAT_GRAY8,
                            .w = w,
                            .h = ht,
                            .n_frames = 200,
                            .same_frame = TRUE,
                            .knobs = knobs,
                            .configure = configure_width_3,
                            .before_frame = set_width_3,
                            .check = check_one_width };

    eu_stress_properties("morphology", &spec, &t);
    GST_INFO("%u frames with width 3, %u with width 9", t.n3, t.n9);
    gst_buffer_unref(in);
    gst_buffer_unref(t.e3);
    gst_buffer_unref(t.e9);
}

GST_END_TEST;

GST_START_TEST(test_out_of_range_rejected)
{
    static const EuPropRange rows[] = {
        { "width", 7, EU_VALUES(0, 256), EU_VALUES(255) },
        { "height", 9, EU_VALUES(0), EU_VALUES(1) },
        { "iterations", 4, EU_VALUES(0, 101), EU_VALUES(100) },
        { NULL, 0, EU_NONE, EU_NONE },
    };
    eu_check_out_of_range("morphology", rows);
}

GST_END_TEST;

GST_START_TEST(test_defaults_and_controllable)
{
    static const EuProp defaults[] = {
        { "operation", ISEG_MORPH_ERODE, NULL },
        { "shape", 0, NULL },
        { "width", 3, NULL },
        { "height", 3, NULL },
        { "structure", 0, "" },
        { "iterations", 1, NULL },
        { "border", ISEG_MORPH_BORDER_REPLICATE, NULL },
        { "n-threads", 0, NULL },
        { NULL, 0, NULL },
    };
    static const gchar *const controllable[] = { "width", "height", "iterations", NULL };
    eu_check_defaults("morphology", defaults, controllable);
}

GST_END_TEST;

/* Counts the element's "compiled ..." debug lines. */
static gint n_compiles;

static void count_compiles(GstDebugCategory *category, GstDebugLevel level, const gchar *file,
                           const gchar *function, gint line, GObject *object,
                           GstDebugMessage *message, gpointer user_data)
{
    (void)level;
    (void)file;
    (void)function;
    (void)line;
    (void)object;
    (void)user_data;
    if (g_strcmp0(gst_debug_category_get_name(category), "morphology") == 0 &&
        g_str_has_prefix(gst_debug_message_get(message), "compiled "))
        g_atomic_int_inc(&n_compiles);
}

/* A property set to the value it has (what a control source does on every
 * frame) does not recompile the element; a real change does, once. */
GST_START_TEST(test_same_value_keeps_context)
{
    GstHarness *h = eu_harness_new("morphology", GST_VIDEO_FORMAT_GRAY8, 64, 48);

    gst_debug_set_threshold_for_name("morphology", GST_LEVEL_DEBUG);
    gst_debug_add_log_function(count_compiles, NULL, NULL);
    g_atomic_int_set(&n_compiles, 0);
    g_object_set(h->element, "operation", ISEG_MORPH_OPEN, "width", 5, "height", 3, NULL);
    for (gint i = 0; i < 10; i++) {
        g_object_set(h->element, "width", 5, "height", 3, "iterations", 1, "structure", "", NULL);
        gst_buffer_unref(eu_push_and_pull(h, eu_make_frame(GST_VIDEO_FORMAT_GRAY8, 64, 48, 3, i)));
    }
    fail_unless_equals_int(g_atomic_int_get(&n_compiles), 1);
    g_object_set(h->element, "width", 7, NULL);
    gst_buffer_unref(eu_push_and_pull(h, eu_make_frame(GST_VIDEO_FORMAT_GRAY8, 64, 48, 3, 10)));
    g_object_set(h->element, "structure", "1 1 1", NULL);
    gst_buffer_unref(eu_push_and_pull(h, eu_make_frame(GST_VIDEO_FORMAT_GRAY8, 64, 48, 3, 11)));
    g_object_set(h->element, "structure", "1 1 1", NULL);
    gst_buffer_unref(eu_push_and_pull(h, eu_make_frame(GST_VIDEO_FORMAT_GRAY8, 64, 48, 3, 12)));
    fail_unless_equals_int(g_atomic_int_get(&n_compiles), 3);
    gst_debug_remove_log_function(count_compiles);
    gst_debug_set_threshold_for_name("morphology", GST_LEVEL_NONE);
    eu_harness_teardown(h);
}

GST_END_TEST;

static Suite *morphology_suite(void)
{
    Suite *s = suite_create("morphology");
    TCase *tc = tcase_create("general");

    tcase_set_timeout(tc, 300);
    suite_add_tcase(s, tc);
    tcase_add_test(tc, test_defaults_and_controllable);
    tcase_add_test(tc, test_lecture_example);
    tcase_add_test(tc, test_every_format_and_size);
    tcase_add_test(tc, test_narrow_frames);
    tcase_add_test(tc, test_structure_property);
    tcase_add_test(tc, test_multiline_structure);
    tcase_add_test(tc, test_messages);
    tcase_add_test(tc, test_n_threads_bit_identical);
    tcase_add_test(tc, test_renegotiation);
    tcase_add_test(tc, test_video_meta_strides);
    tcase_add_test(tc, test_properties_from_another_thread);
    tcase_add_test(tc, test_out_of_range_rejected);
    tcase_add_test(tc, test_same_value_keeps_context);
    return s;
}

GST_CHECK_MAIN(morphology);
