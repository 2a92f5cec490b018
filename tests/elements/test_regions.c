/* regions element tests: every luma format at odd sizes and every output
 * mode against the library's plain flood-fill reference and a selection and
 * drawing written out here; the ROI metas field by field; messages; threads;
 * renegotiation; strides; passthrough never copies; bad frames. */
#include "elemutil.h"

#include <gst/video/gstvideometa.h>
#include <string.h>

typedef struct {
    const gchar *output; /* passthrough, labels, mask, boxes */
    guint threshold;
    gint connectivity;
    guint64 min_area, max_area;
    guint max_regions;
} RegCase;

/* The plain selection: area bounds, then the max_regions largest (ties: the
 * lower label). keep[i] for region i. */
static gint select_plain(const IsegRegion *r, gint n, const RegCase *c, guint8 *keep)
{
    gint kept = 0;
    for (gint i = 0; i < n; i++) {
        keep[i] = (guint64)r[i].area >= c->min_area &&
                  (c->max_area == 0 || (guint64)r[i].area <= c->max_area);
        kept += keep[i];
    }
    while (c->max_regions > 0 && (guint)kept > c->max_regions) {
        /* drop the smallest kept region, the higher label among equals */
        gint worst = -1;
        for (gint i = 0; i < n; i++)
            if (keep[i] && (worst < 0 || r[i].area <= r[worst].area))
                worst = i;
        keep[worst] = 0;
        kept--;
    }
    return kept;
}

typedef struct {
    RegCase c;
    /* what expected() found, for check() */
    IsegRegion *regions;
    guint8 *keep;
    gint n, kept;
} RegRun;

static void configure(GstElement *e, gpointer data)
{
    const RegRun *run = data;
    gst_util_set_object_arg(G_OBJECT(e), "output", run->c.output);
    gchar *conn = g_strdup_printf("%d", run->c.connectivity);
    gst_util_set_object_arg(G_OBJECT(e), "connectivity", conn);
    g_free(conn);
    g_object_set(e, "threshold", run->c.threshold, "min-area", run->c.min_area, "max-area",
                 run->c.max_area, "max-regions", run->c.max_regions, NULL);
}

static void set_chroma(IsegFrame *v, gint x, gint y, guint8 u, guint8 vv)
{
    for (gint p = 0; p < v->n_chroma; p++) {
        IsegImage *c = &v->chroma[p];
        c->data[(ptrdiff_t)(y >> v->chroma_shift_y) * c->stride +
                (ptrdiff_t)(x >> v->chroma_shift_x) * v->chroma_pixel_stride] = p == 0 ? u : vv;
    }
}

static GstBuffer *expected(GstBuffer *in, GstVideoFormat fmt, gint w, gint h, gpointer data)
{
    RegRun *run = data;
    GstBuffer *exp = gst_buffer_copy_deep(in);
    GstVideoFrame frame;
    IsegFrame v;
    int32_t *labels = g_new(int32_t, (gsize)w * h);

    eu_map_view(exp, fmt, w, h, &frame, &v);
    g_free(run->regions);
    g_free(run->keep);
    IsegRegion *regs = NULL;
    run->n =
        iseg_regions_label_ref(&v.luma, run->c.threshold, run->c.connectivity, labels, w, &regs);
    fail_unless(run->n >= 0);
    run->regions = g_memdup2(regs, sizeof(IsegRegion) * (gsize)MAX(run->n, 1));
    free(regs);
    run->keep = g_new0(guint8, run->n + 1);
    run->kept = select_plain(run->regions, run->n, &run->c, run->keep);

    if (g_str_equal(run->c.output, "labels") || g_str_equal(run->c.output, "mask")) {
        guint8 *value = g_new0(guint8, run->n + 1);
        for (gint i = 0, j = 0; i < run->n; i++)
            if (run->keep[i]) {
                value[i + 1] = g_str_equal(run->c.output, "mask") ? 255 : 255 - (j * 53) % 224;
                j++;
            }
        for (gint y = 0; y < h; y++)
            for (gint x = 0; x < w; x++)
                v.luma.data[(ptrdiff_t)y * v.luma.stride + x] = value[labels[y * w + x]];
        for (gint y = 0; y < h; y++)
            for (gint x = 0; x < w; x++)
                set_chroma(&v, x, y, 128, 128);
        g_free(value);
    } else if (g_str_equal(run->c.output, "boxes")) {
        const gint t = MAX(1, MIN(w, h) / 240);
        for (gint i = 0; i < run->n; i++) {
            if (!run->keep[i])
                continue;
            const IsegRegion *r = &run->regions[i];
            for (gint y = r->y; y < r->y + r->height; y++)
                for (gint x = r->x; x < r->x + r->width; x++) {
                    const gboolean edge = x - r->x < t || r->x + r->width - 1 - x < t ||
                                          y - r->y < t || r->y + r->height - 1 - y < t;
                    if (!edge)
                        continue;
                    v.luma.data[(ptrdiff_t)y * v.luma.stride + x] = 128;
                    set_chroma(&v, x, y, 90, 240);
                }
        }
    }
    gst_video_frame_unmap(&frame);
    g_free(labels);
    return exp;
}

/* Every kept region is one ROI meta, in label order, field by field. */
static void check_metas(GstBuffer *out, const RegRun *run)
{
    gpointer state = NULL;
    GstMeta *m;
    gint i = 0;

    while ((m = gst_buffer_iterate_meta_filtered(out, &state,
                                                 GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE))) {
        GstVideoRegionOfInterestMeta *roi = (GstVideoRegionOfInterestMeta *)m;
        while (i < run->n && !run->keep[i])
            i++;
        fail_unless(i < run->n, "more ROI metas than kept regions (%d)", run->kept);
        const IsegRegion *r = &run->regions[i];
        fail_unless_equals_string(g_quark_to_string(roi->roi_type), "region");
        fail_unless_equals_int(roi->id, i + 1);
        fail_unless_equals_int(roi->parent_id, -1);
        fail_unless_equals_int(roi->x, r->x);
        fail_unless_equals_int(roi->y, r->y);
        fail_unless_equals_int(roi->w, r->width);
        fail_unless_equals_int(roi->h, r->height);
        GstStructure *p = gst_video_region_of_interest_meta_get_param(roi, "region");
        fail_unless(p != NULL, "ROI meta without its 'region' parameter");
        guint64 area;
        guint label;
        gdouble cx, cy;
        fail_unless(gst_structure_get(p, "label", G_TYPE_UINT, &label, "area", G_TYPE_UINT64, &area,
                                      "centroid-x", G_TYPE_DOUBLE, &cx, "centroid-y", G_TYPE_DOUBLE,
                                      &cy, NULL));
        fail_unless_equals_int(label, i + 1);
        fail_unless_equals_uint64(area, (guint64)r->area);
        fail_unless(cx == (gdouble)r->sum_x / (gdouble)r->area, "centroid-x %g", cx);
        fail_unless(cy == (gdouble)r->sum_y / (gdouble)r->area, "centroid-y %g", cy);
        i++;
    }
    while (i < run->n && !run->keep[i])
        i++;
    fail_unless(i == run->n, "fewer ROI metas than the %d kept regions", run->kept);
}

static void check(GstElement *e, GstBuffer *in, GstBuffer *out, GstVideoFormat fmt, gint w, gint h,
                  gpointer data)
{
    (void)e, (void)in, (void)fmt, (void)w, (void)h;
    check_metas(out, data);
}

static const EuCase reg_case = { configure, expected, check, FALSE };

static void run_case(GstVideoFormat fmt, gint w, gint h, const RegCase *c, guint seed)
{
    RegRun run = { *c, NULL, NULL, 0, 0 };
    gchar *what =
        g_strdup_printf("%s %dx%d output=%s threshold=%u connectivity=%d min %" G_GUINT64_FORMAT
                        " max %" G_GUINT64_FORMAT " max-regions %u",
                        gst_video_format_to_string(fmt), w, h, c->output, c->threshold,
                        c->connectivity, c->min_area, c->max_area, c->max_regions);
    eu_set_reads_only(g_str_equal(c->output, "passthrough"));
    eu_check_case("regions", fmt, w, h, seed, 2, &reg_case, &run, what);
    eu_set_reads_only(FALSE);
    g_free(run.regions);
    g_free(run.keep);
    g_free(what);
}

static const gchar *outputs[] = { "passthrough", "labels", "mask", "boxes" };

GST_START_TEST(test_every_format_size_and_output)
{
    for (guint f = 0; f < eu_n_luma_formats; f++)
        for (guint s = 0; s < eu_n_sizes; s++)
            for (guint o = 0; o < G_N_ELEMENTS(outputs); o++)
                for (gint conn = 4; conn <= 8; conn += 4) {
                    RegCase c = { outputs[o], 128, conn, 1, 0, 0 };
                    run_case(eu_luma_formats[f], eu_sizes[s][0], eu_sizes[s][1], &c,
                             f * 31 + s * 7 + o);
                }
}

GST_END_TEST;

GST_START_TEST(test_selection)
{
    static const RegCase cases[] = {
        { "mask", 128, 8, 20, 0, 0 },       { "mask", 128, 8, 1, 50, 0 },
        { "labels", 128, 8, 1, 0, 3 },      { "labels", 60, 4, 5, 5000, 2 },
        { "boxes", 200, 8, 0, 0, 1 },       { "passthrough", 1, 8, 1, 0, 0 },
        { "passthrough", 255, 4, 2, 0, 4 },
    };
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++)
        run_case(GST_VIDEO_FORMAT_I420, 321, 241, &cases[i], 40 + i);
}

GST_END_TEST;

/* A hand-drawn GRAY8 frame, 8x4, with the labels and metas written out. */
GST_START_TEST(test_hand_checked)
{
    /* 8-connected: A = the diagonal (0,0)-(1,1), label 1; B = the U at
     * columns 4..6 with (7,3) at its corner, first pixel (4,0), label 2.
     * 4-connected: (0,0), (4,0), (1,1) and (7,3) start labels 1..4. */
    static const guint8 px[32] = {
        255, 0,   0, 0, 255, 0,   255, 0,   /* row 0 */
        0,   255, 0, 0, 255, 0,   255, 0,   /* row 1 */
        0,   0,   0, 0, 255, 255, 255, 0,   /* row 2 */
        0,   0,   0, 0, 0,   0,   0,   255, /* row 3 */
    };
    GstHarness *h = eu_harness_new("regions", GST_VIDEO_FORMAT_GRAY8, 8, 4);
    gst_util_set_object_arg(G_OBJECT(h->element), "output", "labels");
    GstBuffer *in = gst_buffer_new_memdup(px, sizeof(px));
    GstBuffer *out = eu_push_and_pull(h, in);
    fail_unless(out != NULL);
    /* (7,3) touches (6,2) diagonally: with 8-connectivity it is part of B */
    static const guint8 want8b[32] = {
        255, 0,   0, 0, 202, 0,   202, 0,   /* */
        0,   255, 0, 0, 202, 0,   202, 0,   /* */
        0,   0,   0, 0, 202, 202, 202, 0,   /* */
        0,   0,   0, 0, 0,   0,   0,   202, /* */
    };
    GstMapInfo map;
    fail_unless(gst_buffer_map(out, &map, GST_MAP_READ));
    fail_unless(memcmp(map.data, want8b, 32) == 0, "8-connected labels differ");
    gst_buffer_unmap(out, &map);
    guint n = 0;
    gpointer st = NULL;
    while (gst_buffer_iterate_meta_filtered(out, &st, GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE))
        n++;
    fail_unless_equals_int(n, 2);
    GstVideoRegionOfInterestMeta *roi = gst_buffer_get_video_region_of_interest_meta_id(out, 2);
    fail_unless(roi != NULL);
    fail_unless_equals_int(roi->x, 4);
    fail_unless_equals_int(roi->y, 0);
    fail_unless_equals_int(roi->w, 4);
    fail_unless_equals_int(roi->h, 4);
    guint64 area;
    fail_unless(gst_structure_get_uint64(gst_video_region_of_interest_meta_get_param(roi, "region"),
                                         "area", &area));
    fail_unless_equals_uint64(area, 8);
    gst_buffer_unref(out);

    /* 4-connected: the diagonal is two components, (7,3) its own */
    gst_util_set_object_arg(G_OBJECT(h->element), "connectivity", "4");
    /* raster order of first pixels: (0,0) -> 1, (4,0) -> 2, (1,1) -> 3,
     * (7,3) -> 4: grays 255, 202, 149, 96 */
    static const guint8 want4b[32] = {
        255, 0,   0, 0, 202, 0,   202, 0,  /* */
        0,   149, 0, 0, 202, 0,   202, 0,  /* */
        0,   0,   0, 0, 202, 202, 202, 0,  /* */
        0,   0,   0, 0, 0,   0,   0,   96, /* */
    };
    in = gst_buffer_new_memdup(px, sizeof(px));
    out = eu_push_and_pull(h, in);
    fail_unless(gst_buffer_map(out, &map, GST_MAP_READ));
    fail_unless(memcmp(map.data, want4b, 32) == 0, "4-connected labels differ");
    gst_buffer_unmap(out, &map);
    gst_buffer_unref(out);
    eu_harness_teardown(h);
}

GST_END_TEST;

/* All-foreground, all-background and checkerboard frames (the most
 * components a frame can have with 4-connectivity: w * h / 2). */
GST_START_TEST(test_extreme_frames)
{
    const gint w = EU_BIG_W, ht = EU_BIG_H;
    GstHarness *h = eu_harness_new("regions", GST_VIDEO_FORMAT_GRAY8, w, ht);
    g_object_set(h->element, "post-messages", TRUE, NULL);
    eu_set_reads_only(TRUE); /* output=passthrough */
    for (gint kind = 0; kind < 3; kind++) {
        /* the default GRAY8 layout: rows padded to 4 bytes */
        GstVideoInfo info;
        gst_video_info_set_format(&info, GST_VIDEO_FORMAT_GRAY8, w, ht);
        const gint stride = GST_VIDEO_INFO_PLANE_STRIDE(&info, 0);
        GstBuffer *in = gst_buffer_new_allocate(NULL, GST_VIDEO_INFO_SIZE(&info), NULL);
        GstMapInfo map;
        gst_buffer_map(in, &map, GST_MAP_WRITE);
        for (gint y = 0; y < ht; y++)
            for (gint x = 0; x < stride; x++)
                map.data[y * stride + x] = x >= w      ? 0
                                           : kind == 0 ? 255
                                           : kind == 1 ? 0
                                                       : ((x + y) & 1) * 255;
        gst_buffer_unmap(in, &map);
        for (gint conn = 4; conn <= 8; conn += 4) {
            gchar *cs = g_strdup_printf("%d", conn);
            gst_util_set_object_arg(G_OBJECT(h->element), "connectivity", cs);
            g_free(cs);
            GstBuffer *out = eu_push_and_pull(h, gst_buffer_ref(in));
            fail_unless(out != NULL);
            GstMessage *msg = eu_pop_element_message(h);
            fail_unless(msg != NULL);
            guint count;
            fail_unless(gst_structure_get_uint(gst_message_get_structure(msg), "count", &count));
            const guint want = kind == 0   ? 1
                               : kind == 1 ? 0
                               : conn == 4 ? (guint)(((gint64)w * ht) / 2) /* (0,0) is background */
                                           : 1;
            fail_unless_equals_int(count, want);
            gst_message_unref(msg);
            gst_buffer_unref(out);
        }
        gst_buffer_unref(in);
    }
    eu_set_reads_only(FALSE);
    eu_harness_teardown(h);
}

GST_END_TEST;

GST_START_TEST(test_messages)
{
    GstHarness *h = eu_harness_new("regions", GST_VIDEO_FORMAT_I420, 321, 241);
    GstBuffer *in = eu_make_frame(GST_VIDEO_FORMAT_I420, 321, 241, 3, 0);
    RegRun run = { { "passthrough", 128, 8, 1, 0, 0 }, NULL, NULL, 0, 0 };
    gst_buffer_unref(expected(in, GST_VIDEO_FORMAT_I420, 321, 241, &run));
    g_object_set(h->element, "max-regions", 5, NULL);
    run.c.max_regions = 5;
    run.kept = select_plain(run.regions, run.n, &run.c, run.keep);
    eu_set_reads_only(TRUE); /* output=passthrough */
    GstMessage *msg = eu_check_message(h, in, "regions", 2 * GST_SECOND);
    eu_set_reads_only(FALSE);
    const GstStructure *s = gst_message_get_structure(msg);
    guint count, components;
    fail_unless(gst_structure_get_uint(s, "count", &count));
    fail_unless(gst_structure_get_uint(s, "components", &components));
    fail_unless_equals_int(count, run.kept);
    fail_unless_equals_int(components, run.n);
    const GValue *boxes = gst_structure_get_value(s, "boxes");
    const GValue *areas = gst_structure_get_value(s, "areas");
    const GValue *cents = gst_structure_get_value(s, "centroids");
    const GValue *labels = gst_structure_get_value(s, "labels");
    fail_unless(boxes && areas && cents && labels);
    fail_unless_equals_int(gst_value_array_get_size(boxes), count);
    fail_unless_equals_int(gst_value_array_get_size(areas), count);
    fail_unless_equals_int(gst_value_array_get_size(cents), count);
    fail_unless_equals_int(gst_value_array_get_size(labels), count);
    guint k = 0;
    for (gint i = 0; i < run.n; i++) {
        if (!run.keep[i])
            continue;
        const IsegRegion *r = &run.regions[i];
        const GValue *b = gst_value_array_get_value(boxes, k);
        fail_unless_equals_int(g_value_get_int(gst_value_array_get_value(b, 0)), r->x);
        fail_unless_equals_int(g_value_get_int(gst_value_array_get_value(b, 1)), r->y);
        fail_unless_equals_int(g_value_get_int(gst_value_array_get_value(b, 2)), r->width);
        fail_unless_equals_int(g_value_get_int(gst_value_array_get_value(b, 3)), r->height);
        fail_unless_equals_uint64(g_value_get_uint64(gst_value_array_get_value(areas, k)),
                                  (guint64)r->area);
        const GValue *c = gst_value_array_get_value(cents, k);
        fail_unless(g_value_get_double(gst_value_array_get_value(c, 0)) ==
                    (gdouble)r->sum_x / r->area);
        fail_unless(g_value_get_double(gst_value_array_get_value(c, 1)) ==
                    (gdouble)r->sum_y / r->area);
        fail_unless_equals_int(g_value_get_uint(gst_value_array_get_value(labels, k)), i + 1);
        k++;
    }
    /* the 5 kept are the 5 largest */
    for (gint i = 0; i < run.n; i++)
        for (gint j = 0; j < run.n; j++)
            if (run.keep[i] && !run.keep[j])
                fail_unless(run.regions[i].area >= run.regions[j].area);
    gst_message_unref(msg);
    g_free(run.regions);
    g_free(run.keep);
    eu_harness_teardown(h);
}

GST_END_TEST;

static void set_output(GstElement *e, gconstpointer data)
{
    gst_util_set_object_arg(G_OBJECT(e), "output", data);
}

GST_START_TEST(test_n_threads_bit_identical)
{
    eu_check_n_threads_identical("regions", GST_VIDEO_FORMAT_I420, 2, 0, set_output, "labels",
                                 "labels");
    eu_check_n_threads_identical("regions", GST_VIDEO_FORMAT_NV12, 2, 0, set_output, "boxes",
                                 "boxes");
}

GST_END_TEST;

GST_START_TEST(test_renegotiation)
{
    static const EuStep steps[] = {
        { GST_VIDEO_FORMAT_I420, 321, 241 }, { GST_VIDEO_FORMAT_GRAY8, 64, 48 },
        { GST_VIDEO_FORMAT_NV21, 385, 289 }, { GST_VIDEO_FORMAT_Y444, 1, 1 },
        { GST_VIDEO_FORMAT_I420, 321, 241 },
    };
    RegRun run = { { "labels", 128, 8, 1, 0, 0 }, NULL, NULL, 0, 0 };
    eu_check_renegotiation("regions", steps, G_N_ELEMENTS(steps), 2, &reg_case, &run);
    g_free(run.regions);
    g_free(run.keep);
}

GST_END_TEST;

GST_START_TEST(test_video_meta_strides)
{
    RegRun run = { { "boxes", 128, 8, 1, 0, 0 }, NULL, NULL, 0, 0 };
    eu_check_video_meta_strides("regions", eu_luma_formats, eu_n_luma_formats, &reg_case, &run);
    g_free(run.regions);
    g_free(run.keep);
}

GST_END_TEST;

GST_START_TEST(test_out_of_range_rejected)
{
    static const EuPropRange rows[] = {
        { "threshold", 100, EU_VALUES(0, 256), EU_VALUES(1, 255) },
        { NULL, 0, EU_NONE, EU_NONE },
    };
    eu_check_out_of_range("regions", rows);
}

GST_END_TEST;

GST_START_TEST(test_defaults_and_controllable)
{
    static const EuProp defaults[] = {
        { "threshold", 128, NULL },   { "connectivity", 8, NULL }, { "min-area", 1, NULL },
        { "max-area", 0, NULL },      { "max-regions", 0, NULL },  { "output", 0, NULL },
        { "post-messages", 0, NULL }, { "n-threads", 0, NULL },    { NULL, 0, NULL },
    };
    static const gchar *const controllable[] = { "threshold", "connectivity", "min-area",
                                                 "max-area",  "max-regions",  NULL };
    eu_check_defaults("regions", defaults, controllable);
}

GST_END_TEST;

static Suite *regions_suite(void)
{
    Suite *s = suite_create("regions");
    TCase *tc = tcase_create("general");

    tcase_set_timeout(tc, 600);
    suite_add_tcase(s, tc);
    tcase_add_test(tc, test_defaults_and_controllable);
    tcase_add_test(tc, test_hand_checked);
    tcase_add_test(tc, test_every_format_size_and_output);
    tcase_add_test(tc, test_selection);
    tcase_add_test(tc, test_extreme_frames);
    tcase_add_test(tc, test_messages);
    tcase_add_test(tc, test_n_threads_bit_identical);
    tcase_add_test(tc, test_renegotiation);
    tcase_add_test(tc, test_video_meta_strides);
    tcase_add_test(tc, test_out_of_range_rejected);
    return s;
}

GST_CHECK_MAIN(regions);
