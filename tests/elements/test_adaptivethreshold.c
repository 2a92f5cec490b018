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

/* One configuration for an EuCase. */
typedef struct {
    IsegAdaptiveSettings s;
    IsegThresholdOutput out;
} AdaptiveCase;

static void configure(GstElement *e, gpointer data)
{
    const AdaptiveCase *c = data;
    apply_settings(e, &c->s, c->out);
}

static GstBuffer *expected_case(GstBuffer *in, GstVideoFormat fmt, gint w, gint h, gpointer data)
{
    const AdaptiveCase *c = data;
    return expected_output(in, fmt, w, h, &c->s, c->out, NULL);
}

static const EuCase adaptive_case = { configure, expected_case, NULL, FALSE };
/* the element as made (local-otsu, block 31, output mask) */
static const EuCase adaptive_default_case = { NULL, expected_case, NULL, FALSE };

static void check_case(GstVideoFormat fmt, gint w, gint h, gint method, gint block, gboolean invert,
                       IsegThresholdOutput out)
{
    AdaptiveCase c = { settings_for(method, block, invert), out };
    gchar *what =
        g_strdup_printf("%s %dx%d %s block %d invert=%d output=%d", gst_video_format_to_string(fmt),
                        w, h, method_names[method], block, invert, out);

    eu_check_case("adaptivethreshold", fmt, w, h, w * 7 + h + method, 3, &adaptive_case, &c, what);
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

    gst_util_set_object_arg(G_OBJECT(h->element), "method", "mean");
    g_object_set(h->element, "block-size", 3, NULL);
    eu_push_expect_bytes(h, gst_buffer_copy(buf), mask0, 4, "mask0");

    g_object_set(h->element, "offset", 5.0, NULL);
    eu_push_expect_bytes(h, gst_buffer_copy(buf), mask5, 4, "mask5");

    gst_util_set_object_arg(G_OBJECT(h->element), "output", "masked");
    g_object_set(h->element, "invert", TRUE, NULL);
    eu_push_expect_bytes(h, gst_buffer_copy(buf), inv_masked5, 4, "inv_masked5");
    gst_buffer_unref(buf);
    eu_harness_teardown(h);
}

GST_END_TEST;

/* An even block size is refused by the element (a GST_WARNING, not GLib's
 * range check): the previous one stays. */
GST_START_TEST(test_even_block_size_refused)
{
    GstElement *e = gst_element_factory_make("adaptivethreshold", NULL);
    guint b;

    g_object_set(e, "block-size", 15, NULL);
    g_object_set(e, "block-size", 16, NULL); /* GST_WARNING, kept */
    g_object_get(e, "block-size", &b, NULL);
    fail_unless_equals_int(b, 15);
    gst_object_unref(e);
}

GST_END_TEST;

GST_START_TEST(test_out_of_range_rejected)
{
    static const EuPropRange rows[] = {
        { "block-size", 15, EU_VALUES(1025, 1), EU_VALUES(1023) },
        { "offset", 2.0, EU_VALUES(NAN), EU_NONE },
        { "dynamic-range", 100.0, EU_VALUES(0.0), EU_NONE },
        { "min-contrast", 5.0, EU_VALUES(-1.0), EU_NONE },
        { NULL, 0, EU_NONE, EU_NONE },
    };
    eu_check_out_of_range("adaptivethreshold", rows);
}

GST_END_TEST;

GST_START_TEST(test_defaults_and_controllable)
{
    static const EuProp defaults[] = {
        { "block-size", 31, NULL },
        { "offset", 0.0, NULL },
        { "k", 0.2, NULL },
        { "dynamic-range", 128.0, NULL },
        { "min-contrast", 12.0, NULL },
        { "invert", FALSE, NULL },
        { "n-threads", 0, NULL },
        { "post-messages", FALSE, NULL },
        { "method", ISEG_ADAPTIVE_LOCAL_OTSU, NULL },
        { "uniform-reference", ISEG_ADAPTIVE_UNIFORM_LOCAL, NULL },
        { NULL, 0, NULL },
    };
    static const gchar *const controllable[] = { "block-size",   "offset", "k", "dynamic-range",
                                                 "min-contrast", "invert", NULL };
    eu_check_defaults("adaptivethreshold", defaults, controllable);
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

    apply_settings(h->element, &s, ISEG_OUTPUT_MASK);
    expected = expected_output(buf, GST_VIDEO_FORMAT_I420, w, ht, &s, ISEG_OUTPUT_MASK, &fg);
    gst_buffer_unref(expected);
    msg = eu_check_message(h, buf, "adaptivethreshold", 3 * GST_SECOND);
    st = gst_message_get_structure(msg);
    fail_unless(gst_structure_get_double(st, "foreground-fraction", &fraction));
    fail_unless(fg > 0 && fg < (guint64)(w * ht));
    fail_unless(fraction == (gdouble)fg / (w * ht), "%f vs %f", fraction, (gdouble)fg / (w * ht));
    gst_message_unref(msg);
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
    static const EuStep steps[] = {
        { GST_VIDEO_FORMAT_GRAY8, 320, 240 }, { GST_VIDEO_FORMAT_I420, 385, 289 },
        { GST_VIDEO_FORMAT_NV21, 1, 1 },      { GST_VIDEO_FORMAT_Y444, 64, 3 },
        { GST_VIDEO_FORMAT_GRAY8, 641, 361 },
    };
    AdaptiveCase c = { settings_for(ISEG_ADAPTIVE_LOCAL_OTSU, 31, FALSE), ISEG_OUTPUT_MASK };
    eu_check_renegotiation("adaptivethreshold", steps, G_N_ELEMENTS(steps), 3,
                           &adaptive_default_case, &c);
}

GST_END_TEST;

/* Buffers whose GstVideoMeta strides are larger than the default. */
GST_START_TEST(test_video_meta_strides)
{
    AdaptiveCase c = { settings_for(ISEG_ADAPTIVE_NIBLACK, 15, TRUE), ISEG_OUTPUT_MASKED };
    eu_check_video_meta_strides("adaptivethreshold", eu_luma_formats, eu_n_luma_formats,
                                &adaptive_case, &c);
}

GST_END_TEST;

/* The two block sizes whose results every output must be one of. */
typedef struct {
    AdaptiveCase c15, c31;
} TwoBlocks;

static void configure_31(GstElement *e, gpointer data)
{
    configure(e, &((TwoBlocks *)data)->c31);
}

static void set_block_31(GstElement *e, guint i, gpointer data)
{
    (void)i, (void)data;
    g_object_set(e, "block-size", 31, NULL);
}

static void check_one_block_size(GstBuffer *in, GstBuffer *out, guint i, gpointer data)
{
    TwoBlocks *b = data;
    GstBuffer *e15 = expected_case(in, GST_VIDEO_FORMAT_GRAY8, 160, 120, &b->c15);
    GstBuffer *e31 = expected_case(in, GST_VIDEO_FORMAT_GRAY8, 160, 120, &b->c31);

    fail_unless(eu_same_bytes(out, e15) || eu_same_bytes(out, e31),
                "frame %u is neither block 15's nor block 31's", i);
    gst_buffer_unref(e15);
    gst_buffer_unref(e31);
}

/* A property change from another thread applies from a frame on and never
 * tears one: every output is the result of one of the two block sizes. */
GST_START_TEST(test_properties_from_another_thread)
{
    static const EuProp knobs[] = {
        { "block-size", 15, NULL },
        { "k", 0.4, NULL }, /* not used by mean */
        { "n-threads", 2, NULL },
        { NULL, 0, NULL },
    };
    TwoBlocks b = { { settings_for(ISEG_ADAPTIVE_MEAN, 15, FALSE), ISEG_OUTPUT_MASK },
                    { settings_for(ISEG_ADAPTIVE_MEAN, 31, FALSE), ISEG_OUTPUT_MASK } };
    const EuStress spec = { .fmt = GST_VIDEO_FORMAT_GRAY8,
                            .w = 160,
                            .h = 120,
                            .n_frames = 150,
                            .knobs = knobs,
                            .configure = configure_31,
                            .before_frame = set_block_31,
                            .check = check_one_block_size };
    eu_stress_properties("adaptivethreshold", &spec, &b);
}

GST_END_TEST;

/* The packed formats with alpha: the reference local-Otsu mask (block 15)
 * of the picture's luma, and the picture kept with alpha = the mask
 * (output=alpha), the mask as picture, or the cut-out. */
static void block_15(GstElement *e, gconstpointer data)
{
    (void)data;
    g_object_set(e, "block-size", 15, NULL);
}

static void local_otsu_mask(const guint8 *luma, gint w, gint h, gboolean invert, guint8 *mask)
{
    IsegImage L = { (guint8 *)luma, w, h, w }, M = { mask, w, h, w };
    IsegAdaptiveSettings s;
    iseg_adaptive_default_settings(&s);
    s.block_size = 15;
    s.invert = invert;
    fail_unless_equals_int(iseg_adaptive_mask_ref(&s, &L, &M), 0);
}

GST_START_TEST(test_alpha_formats)
{
    eu_check_alpha_formats("adaptivethreshold", block_15, local_otsu_mask);
}

GST_END_TEST;

static Suite *adaptivethreshold_suite(void)
{
    Suite *s = suite_create("adaptivethreshold");
    TCase *tc = tcase_create("general");

    tcase_set_timeout(tc, 300);
    suite_add_tcase(s, tc);
    tcase_add_test(tc, test_defaults_and_controllable);
    tcase_add_test(tc, test_alpha_formats);
    tcase_add_test(tc, test_hand_checked_pixels);
    tcase_add_test(tc, test_every_format_and_size);
    tcase_add_test(tc, test_blocks_larger_than_frame);
    tcase_add_test(tc, test_even_block_size_refused);
    tcase_add_test(tc, test_messages);
    tcase_add_test(tc, test_n_threads_bit_identical);
    tcase_add_test(tc, test_renegotiation);
    tcase_add_test(tc, test_video_meta_strides);
    tcase_add_test(tc, test_properties_from_another_thread);
    tcase_add_test(tc, test_out_of_range_rejected);
    return s;
}

GST_CHECK_MAIN(adaptivethreshold);
