/* The bad-input catalogue, run for every element: properties at their
 * limits and beyond, extreme frame sizes, caps changes between formats and
 * sizes, properties changed from other threads while streaming, state
 * changes and flushing seeks in a loop while buffers flow. Each case: a
 * clear warning where the input is wrong, no crash, and every frame that
 * should come out does. */
#include "elemutil.h"

#include <string.h>

typedef struct {
    const gchar *factory;
    gboolean rgb; /* takes packed RGB and 4:2:0 (kmeansseg) rather than luma formats */
} CatElement;

/* regions passes frames through (reads only) in its default output mode and
 * writes them in the others, which the catalogue switches while frames
 * flow: either memory path is right for it (its own tests check each). */
static const CatElement *cat_use(const CatElement *e)
{
    eu_set_reads_only(g_str_equal(e->factory, "regions") ? EU_READS_MAYBE : FALSE);
    return e;
}

/* One line per element. */
static const CatElement cat_elements[] = {
    { "otsuthreshold", FALSE },     { "kmeansseg", TRUE }, { "morphology", FALSE },
    { "adaptivethreshold", FALSE }, { "hitmiss", FALSE },  { "regions", FALSE },
};

/* Cases run by the current test (each test runs in its own process). */
static guint cases_run;

static void report(const gchar *test)
{
    g_print("catalogue %s: %u cases over %u elements\n", test, cases_run,
            (guint)G_N_ELEMENTS(cat_elements));
}

static GstVideoFormat first_format(const CatElement *e)
{
    return e->rgb ? GST_VIDEO_FORMAT_RGB : GST_VIDEO_FORMAT_I420;
}

/* Pushes one frame and checks one frame of the same size comes out. */
static void push_one(GstHarness *h, GstVideoFormat fmt, gint w, gint ht, guint index)
{
    GstBuffer *in = eu_make_frame(fmt, w, ht, index + 1, index);
    gsize size = gst_buffer_get_size(in);
    GstBuffer *out = eu_push_and_pull(h, in);

    fail_unless(out != NULL, "no output for %s %dx%d", gst_video_format_to_string(fmt), w, ht);
    fail_unless_equals_uint64(gst_buffer_get_size(out), size);
    gst_buffer_unref(out);
    cases_run++;
}

static gboolean skip_property(GParamSpec *ps)
{
    return !(ps->flags & G_PARAM_WRITABLE) || (ps->flags & G_PARAM_CONSTRUCT_ONLY) ||
           g_str_equal(ps->name, "name") || g_str_equal(ps->name, "parent") ||
           g_str_equal(ps->name, "qos");
}

/* Sets v on the element; returns TRUE if it was accepted. Values outside a
 * GParamSpec's range must be refused by GLib with a warning. */
static void check_numeric_limits(GstHarness *h, const CatElement *e, GParamSpec *ps)
{
    GObject *obj = G_OBJECT(h->element);
    GValue before = G_VALUE_INIT, after = G_VALUE_INIT, v = G_VALUE_INIT;
    const GstVideoFormat fmt = first_format(e);

    g_value_init(&before, ps->value_type);
    g_value_init(&after, ps->value_type);
    g_value_init(&v, ps->value_type);

#define LIMITS(PSTYPE, SET, GET, CAN_BELOW, CAN_ABOVE)                                             \
    {                                                                                              \
        PSTYPE *p = (PSTYPE *)ps;                                                                  \
        SET(&v, p->minimum);                                                                       \
        g_object_set_property(obj, ps->name, &v);                                                  \
        push_one(h, fmt, 33, 17, 1);                                                               \
        SET(&v, p->maximum);                                                                       \
        g_object_set_property(obj, ps->name, &v);                                                  \
        push_one(h, fmt, 33, 17, 2);                                                               \
        g_object_get_property(obj, ps->name, &before);                                             \
        if (CAN_ABOVE) {                                                                           \
            SET(&v, p->maximum + 1);                                                               \
            ASSERT_WARNING(g_object_set_property(obj, ps->name, &v));                              \
            g_object_get_property(obj, ps->name, &after);                                          \
            fail_unless(GET(&after) == GET(&before),                                               \
                        "%s: %s above its maximum "                                                \
                        "changed the value",                                                       \
                        e->factory, ps->name);                                                     \
            cases_run++;                                                                           \
        }                                                                                          \
        if (CAN_BELOW) {                                                                           \
            SET(&v, p->minimum - 1);                                                               \
            ASSERT_WARNING(g_object_set_property(obj, ps->name, &v));                              \
            g_object_get_property(obj, ps->name, &after);                                          \
            fail_unless(GET(&after) == GET(&before),                                               \
                        "%s: %s below its minimum "                                                \
                        "changed the value",                                                       \
                        e->factory, ps->name);                                                     \
            cases_run++;                                                                           \
        }                                                                                          \
        g_param_value_set_default(ps, &v);                                                         \
        g_object_set_property(obj, ps->name, &v);                                                  \
    }

    if (G_IS_PARAM_SPEC_UINT(ps)) {
        LIMITS(GParamSpecUInt, g_value_set_uint, g_value_get_uint, p->minimum > 0,
               p->maximum < G_MAXUINT);
    } else if (G_IS_PARAM_SPEC_INT(ps)) {
        LIMITS(GParamSpecInt, g_value_set_int, g_value_get_int, p->minimum > G_MININT,
               p->maximum < G_MAXINT);
    } else if (G_IS_PARAM_SPEC_DOUBLE(ps)) {
        LIMITS(GParamSpecDouble, g_value_set_double, g_value_get_double, p->minimum > -G_MAXDOUBLE,
               p->maximum < G_MAXDOUBLE);
    }
#undef LIMITS
    g_value_unset(&before);
    g_value_unset(&after);
    g_value_unset(&v);
}

static void check_enum_values(GstHarness *h, const CatElement *e, GParamSpec *ps)
{
    GEnumClass *klass = G_PARAM_SPEC_ENUM(ps)->enum_class;

    for (guint i = 0; i < klass->n_values; i++) {
        gint got;
        g_object_set(h->element, ps->name, klass->values[i].value, NULL);
        g_object_get(h->element, ps->name, &got, NULL);
        fail_unless_equals_int(got, klass->values[i].value);
        push_one(h, first_format(e), 33, 17, i);
    }
    g_object_set(h->element, ps->name, G_PARAM_SPEC_ENUM(ps)->default_value, NULL);
}

GST_START_TEST(test_property_limits)
{
    for (guint i = 0; i < G_N_ELEMENTS(cat_elements); i++) {
        const CatElement *e = cat_use(&cat_elements[i]);
        GstHarness *h = eu_harness_new(e->factory, first_format(e), 33, 17);
        guint n;
        GParamSpec **props = g_object_class_list_properties(G_OBJECT_GET_CLASS(h->element), &n);
        for (guint p = 0; p < n; p++) {
            if (skip_property(props[p]))
                continue;
            if (G_IS_PARAM_SPEC_ENUM(props[p]))
                check_enum_values(h, e, props[p]);
            else if (G_IS_PARAM_SPEC_BOOLEAN(props[p])) {
                g_object_set(h->element, props[p]->name, TRUE, NULL);
                push_one(h, first_format(e), 33, 17, 0);
                g_object_set(h->element, props[p]->name,
                             G_PARAM_SPEC_BOOLEAN(props[p])->default_value, NULL);
            } else
                check_numeric_limits(h, e, props[p]);
        }
        g_free(props);
        eu_harness_teardown(h);
    }
    report("property_limits");
}

GST_END_TEST;

GST_START_TEST(test_extreme_sizes)
{
    static const gint sizes[][2] = { { 1, 1 }, { 1, 37 }, { 37, 1 },
                                     { 2, 2 }, { 3, 1 },  { 8192, 4320 } };
    for (guint i = 0; i < G_N_ELEMENTS(cat_elements); i++) {
        const CatElement *e = cat_use(&cat_elements[i]);
        /* kmeansseg: its YUV path too */
        const GstVideoFormat fmts[] = { e->rgb ? GST_VIDEO_FORMAT_BGRx : GST_VIDEO_FORMAT_GRAY8,
                                        first_format(e), GST_VIDEO_FORMAT_I420 };
        for (guint f = 0; f < (e->rgb ? 3u : 2u); f++)
            for (guint s = 0; s < G_N_ELEMENTS(sizes); s++) {
                GstHarness *h;
                if (sizes[s][0] > 4096 && (f > 0 || eu_quick()))
                    continue; /* one 8K frame per element is enough */
                h = eu_harness_new(e->factory, fmts[f], sizes[s][0], sizes[s][1]);
                push_one(h, fmts[f], sizes[s][0], sizes[s][1], s);
                eu_harness_teardown(h);
            }
    }
    report("extreme_sizes");
}

GST_END_TEST;

GST_START_TEST(test_caps_changes)
{
    for (guint i = 0; i < G_N_ELEMENTS(cat_elements); i++) {
        const CatElement *e = cat_use(&cat_elements[i]);
        const GstVideoFormat luma[] = { GST_VIDEO_FORMAT_GRAY8, GST_VIDEO_FORMAT_NV12,
                                        GST_VIDEO_FORMAT_Y444,  GST_VIDEO_FORMAT_YV12,
                                        GST_VIDEO_FORMAT_I420,  GST_VIDEO_FORMAT_Y42B,
                                        GST_VIDEO_FORMAT_NV21 };
        const GstVideoFormat rgb[] = { GST_VIDEO_FORMAT_RGB,   GST_VIDEO_FORMAT_xBGR,
                                       GST_VIDEO_FORMAT_GRAY8, GST_VIDEO_FORMAT_I420,
                                       GST_VIDEO_FORMAT_RGBA,  GST_VIDEO_FORMAT_NV12,
                                       GST_VIDEO_FORMAT_BGR,   GST_VIDEO_FORMAT_NV21,
                                       GST_VIDEO_FORMAT_YV12 };
        const GstVideoFormat *fmts = e->rgb ? rgb : luma;
        const guint n = e->rgb ? G_N_ELEMENTS(rgb) : G_N_ELEMENTS(luma);
        GstHarness *h = eu_harness_new(e->factory, fmts[0], 64, 48);
        for (guint k = 0; k < 3 * n; k++) {
            const gint w = 1 + (k * 37) % 200, ht = 1 + (k * 53) % 150;
            eu_harness_set_format(h, fmts[k % n], w, ht);
            push_one(h, fmts[k % n], w, ht, k);
            push_one(h, fmts[k % n], w, ht, k + 1);
        }
        eu_harness_teardown(h);
    }
    report("caps_changes");
}

GST_END_TEST;

/* Every writable property hammered from another thread while frames flow. */
GST_START_TEST(test_properties_while_streaming)
{
    for (guint i = 0; i < G_N_ELEMENTS(cat_elements); i++) {
        const CatElement *e = cat_use(&cat_elements[i]);
        GstHarness *h = eu_harness_new(e->factory, first_format(e), 96, 64);
        GPtrArray *threads = g_ptr_array_new();
        guint n;
        GParamSpec **props = g_object_class_list_properties(G_OBJECT_GET_CLASS(h->element), &n);
        for (guint p = 0; p < n; p++) {
            GValue v = G_VALUE_INIT;
            if (skip_property(props[p]) || G_IS_PARAM_SPEC_STRING(props[p]))
                continue;
            g_value_init(&v, props[p]->value_type);
            g_param_value_set_default(props[p], &v);
            if (G_IS_PARAM_SPEC_UINT(props[p]))
                g_value_set_uint(&v, G_PARAM_SPEC_UINT(props[p])->maximum > 1000
                                         ? 3
                                         : G_PARAM_SPEC_UINT(props[p])->maximum);
            g_ptr_array_add(threads,
                            gst_harness_stress_property_start_full(h, props[p]->name, &v, 100));
            g_value_unset(&v);
        }
        for (guint k = 0; k < eu_count(100); k++)
            push_one(h, first_format(e), 96, 64, k);
        for (guint t = 0; t < threads->len; t++)
            gst_harness_stress_thread_stop(g_ptr_array_index(threads, t));
        g_ptr_array_free(threads, TRUE);
        g_free(props);
        eu_harness_teardown(h);
    }
    report("properties_while_streaming");
}

GST_END_TEST;

/* A real pipeline cycled through every state, with flushing seeks, while
 * buffers flow; it must end with EOS after the last cycle. */
GST_START_TEST(test_state_changes_and_seeks)
{
    for (guint i = 0; i < G_N_ELEMENTS(cat_elements); i++) {
        const CatElement *e = cat_use(&cat_elements[i]);
        gchar *desc =
            g_strdup_printf("videotestsrc name=src pattern=ball ! "
                            "video/x-raw,format=%s,width=161,height=97 ! %s ! fakesink name=sink "
                            "sync=false",
                            e->rgb ? "RGBx" : "NV12", e->factory);
        GstElement *pipeline = gst_parse_launch(desc, NULL);
        GstBus *bus = gst_element_get_bus(pipeline);
        static const GstState cycle[] = { GST_STATE_PLAYING, GST_STATE_PAUSED, GST_STATE_PLAYING,
                                          GST_STATE_READY,   GST_STATE_PAUSED, GST_STATE_NULL,
                                          GST_STATE_PLAYING };
        fail_unless(pipeline != NULL);
        for (guint round = 0; round < eu_count(10); round++)
            for (guint s = 0; s < G_N_ELEMENTS(cycle); s++) {
                GstStateChangeReturn r = gst_element_set_state(pipeline, cycle[s]);
                fail_if(r == GST_STATE_CHANGE_FAILURE, "%s: state change to %s", e->factory,
                        gst_element_state_get_name(cycle[s]));
                if (cycle[s] >= GST_STATE_PAUSED) {
                    gst_element_get_state(pipeline, NULL, NULL, 5 * GST_SECOND);
                    fail_unless(gst_element_seek_simple(pipeline, GST_FORMAT_TIME,
                                                        GST_SEEK_FLAG_FLUSH,
                                                        (round * 7 + s) * GST_SECOND / 30));
                }
                cases_run++;
            }
        /* then a finite run must reach EOS with no error */
        gst_element_set_state(pipeline, GST_STATE_NULL);
        {
            GstElement *src = gst_bin_get_by_name(GST_BIN(pipeline), "src");
            GstMessage *msg;
            g_object_set(src, "num-buffers", 30, NULL);
            gst_object_unref(src);
            gst_element_set_state(pipeline, GST_STATE_PLAYING);
            msg = gst_bus_timed_pop_filtered(bus, 20 * GST_SECOND,
                                             GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
            fail_unless(msg != NULL && GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS, "%s: no EOS",
                        e->factory);
            gst_message_unref(msg);
        }
        gst_element_set_state(pipeline, GST_STATE_NULL);
        gst_object_unref(bus);
        gst_object_unref(pipeline);
        g_free(desc);
    }
    report("state_changes_and_seeks");
}

GST_END_TEST;

static Suite *catalogue_suite(void)
{
    Suite *s = suite_create("catalogue");
    TCase *tc = tcase_create("general");

    tcase_set_timeout(tc, 600);
    suite_add_tcase(s, tc);
    tcase_add_test(tc, test_property_limits);
    tcase_add_test(tc, test_extreme_sizes);
    tcase_add_test(tc, test_caps_changes);
    tcase_add_test(tc, test_properties_while_streaming);
    tcase_add_test(tc, test_state_changes_and_seeks);
    return s;
}

GST_CHECK_MAIN(catalogue);
