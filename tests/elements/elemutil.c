#include "elemutil.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

const GstVideoFormat eu_luma_formats[] = {
    GST_VIDEO_FORMAT_GRAY8, GST_VIDEO_FORMAT_I420, GST_VIDEO_FORMAT_YV12, GST_VIDEO_FORMAT_NV12,
    GST_VIDEO_FORMAT_NV21,  GST_VIDEO_FORMAT_Y42B, GST_VIDEO_FORMAT_Y444,
};
const guint eu_n_luma_formats = G_N_ELEMENTS(eu_luma_formats);

/* Quick mode keeps the first two. */
const gint eu_sizes[][2] = { { 33, 17 }, { 1, 1 }, { 385, 289 }, { 321, 241 }, { 2, 3 } };

gboolean eu_quick(void)
{
    static gint quick = -1;
    if (quick < 0) {
        const gchar *v = g_getenv("ISEG_TEST_QUICK");
        quick = v && *v && !g_str_equal(v, "0");
    }
    return quick;
}

EuInputMode eu_input_mode(void)
{
    static gint mode = -1;
    if (mode < 0) {
        const gchar *v = g_getenv("ISEG_TEST_INPUT");
        mode = EU_INPUT_WRITABLE;
        if (v && g_str_equal(v, "held"))
            mode = EU_INPUT_HELD;
        else if (v && g_str_equal(v, "shared"))
            mode = EU_INPUT_SHARED;
        else if (v && *v && !g_str_equal(v, "writable"))
            g_error("ISEG_TEST_INPUT=%s: expected writable, held or shared", v);
    }
    return (EuInputMode)mode;
}

/* Pushes `in` (consumed) the way eu_input_mode() says; in the held and
 * shared modes, fails unless the element left every byte of the input as
 * it was. *pushed receives the buffer handed to the element. */
static GstFlowReturn push_in_mode(GstHarness *h, GstBuffer *in, GstBuffer **pushed)
{
    GstBuffer *snapshot, *handed;
    GstFlowReturn ret;

    if (eu_input_mode() == EU_INPUT_WRITABLE) {
        *pushed = in;
        return gst_harness_push(h, in);
    }
    snapshot = gst_buffer_copy_deep(in);
    /* held: a second reference, as a tee or an application keeps; shared: a
     * new buffer sharing the memory, as imagefreeze hands out */
    handed = eu_input_mode() == EU_INPUT_HELD ? gst_buffer_ref(in) : gst_buffer_copy(in);
    *pushed = handed;
    ret = gst_harness_push(h, handed);
    fail_unless(eu_same_bytes(in, snapshot),
                "the element wrote into an input buffer it does not own (ISEG_TEST_INPUT=%s)",
                eu_input_mode() == EU_INPUT_HELD ? "held" : "shared");
    gst_buffer_unref(snapshot);
    gst_buffer_unref(in);
    return ret;
}

GstFlowReturn eu_push(GstHarness *h, GstBuffer *in)
{
    GstBuffer *pushed;
    return push_in_mode(h, in, &pushed);
}

/* Whether the element may write buf in place: nobody else holds the buffer
 * or its memory. */
static gboolean may_write(GstBuffer *buf)
{
    if (!gst_buffer_is_writable(buf))
        return FALSE;
    for (guint i = 0; i < gst_buffer_n_memory(buf); i++)
        if (!gst_memory_is_writable(gst_buffer_peek_memory(buf, i)))
            return FALSE;
    return TRUE;
}

static gint eu_reads_only;

void eu_set_reads_only(gint reads_only)
{
    eu_reads_only = reads_only;
}

GstBuffer *eu_push_and_pull(GstHarness *h, GstBuffer *in)
{
    GstMemory *in_mem = gst_buffer_n_memory(in) ? gst_buffer_peek_memory(in, 0) : NULL;
    const gboolean in_place = eu_input_mode() == EU_INPUT_WRITABLE && may_write(in);
    GstBuffer *pushed, *out;

    if (push_in_mode(h, in, &pushed) != GST_FLOW_OK)
        return NULL;
    out = gst_harness_pull(h);
    if (out && in_mem) {
        /* writable input is processed in place, in its own memory (no copy);
         * any other input into a buffer of the element's own */
        if (in_place)
            fail_unless(out == pushed && gst_buffer_peek_memory(out, 0) == in_mem,
                        "a writable input buffer was not processed in place");
        else if (eu_reads_only == EU_READS_MAYBE)
            ; /* either */
        else if (eu_reads_only)
            fail_unless(gst_buffer_peek_memory(out, 0) == in_mem,
                        "an element that only reads copied its input");
        else
            fail_unless(gst_buffer_peek_memory(out, 0) != in_mem,
                        "the output shares the memory of an input the element may not write");
    }
    return out;
}

guint eu_n_sizes_get(void)
{
    return eu_quick() ? 2 : G_N_ELEMENTS(eu_sizes);
}

guint eu_count(guint n)
{
    return eu_quick() ? MAX(n / 10, 3) : n;
}

static gchar *caps_string(GstVideoFormat fmt, gint w, gint h)
{
    return g_strdup_printf("video/x-raw,format=%s,width=%d,height=%d,"
                           "framerate=30/1,pixel-aspect-ratio=1/1",
                           gst_video_format_to_string(fmt), w, h);
}

GstHarness *eu_harness_new(const gchar *factory, GstVideoFormat fmt, gint w, gint ht)
{
    GstHarness *h = gst_harness_new(factory);
    GstBus *bus = gst_bus_new();

    gst_element_set_bus(h->element, bus);
    gst_object_unref(bus);
    eu_harness_set_format(h, fmt, w, ht);
    return h;
}

void eu_harness_teardown(GstHarness *h)
{
    GstBus *bus = gst_element_get_bus(h->element);

    if (bus) {
        gst_bus_set_flushing(bus, TRUE);
        gst_object_unref(bus);
    }
    gst_element_set_bus(h->element, NULL);
    gst_harness_teardown(h);
}

void eu_harness_set_format(GstHarness *h, GstVideoFormat fmt, gint w, gint ht)
{
    gchar *caps = caps_string(fmt, w, ht);

    gst_harness_set_src_caps_str(h, caps);
    g_free(caps);
}

static guint32 rng_next(guint32 *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

GstBuffer *eu_make_frame(GstVideoFormat fmt, gint w, gint h, guint seed, guint index)
{
    return eu_make_frame_padded(fmt, w, h, seed, index, 0);
}

GstBuffer *eu_make_frame_padded(GstVideoFormat fmt, gint w, gint h, guint seed, guint index,
                                guint pad)
{
    GstVideoInfo info;
    GstVideoFrame frame;
    GstBuffer *buf;
    guint32 s = seed * 2654435761u + 1;

    gst_video_info_set_format(&info, fmt, w, h);
    if (pad) {
        GstVideoAlignment align;
        gst_video_alignment_reset(&align);
        align.padding_right = pad;
        align.padding_bottom = 2;
        fail_unless(gst_video_info_align(&info, &align));
    }
    buf = gst_buffer_new_allocate(NULL, GST_VIDEO_INFO_SIZE(&info), NULL);
    gst_buffer_memset(buf, 0, 0x5a, GST_VIDEO_INFO_SIZE(&info));
    if (pad)
        gst_buffer_add_video_meta_full(buf, GST_VIDEO_FRAME_FLAG_NONE, fmt, w, h,
                                       GST_VIDEO_INFO_N_PLANES(&info), info.offset, info.stride);
    fail_unless(gst_video_frame_map(&frame, &info, buf, GST_MAP_WRITE));
    for (guint c = 0; c < GST_VIDEO_FRAME_N_COMPONENTS(&frame); c++) {
        guint8 *d = GST_VIDEO_FRAME_COMP_DATA(&frame, c);
        gint cw = GST_VIDEO_FRAME_COMP_WIDTH(&frame, c);
        gint ch = GST_VIDEO_FRAME_COMP_HEIGHT(&frame, c);
        gint st = GST_VIDEO_FRAME_COMP_STRIDE(&frame, c);
        gint ps = GST_VIDEO_FRAME_COMP_PSTRIDE(&frame, c);
        for (gint y = 0; y < ch; y++)
            for (gint x = 0; x < cw; x++) {
                gint v;
                if (c == 0) {
                    /* two lit regions on a shaded background, with noise */
                    v = 40 + (x * 60) / MAX(w, 1) + (y * 30) / MAX(h, 1);
                    if ((x - w / 3) * (x - w / 3) + (y - h / 2) * (y - h / 2) <
                        (w * w) / 25 + (gint)(index % 5))
                        v += 120;
                    if (((x + index) / 23 + y / 19) % 4 == 0)
                        v += 70;
                    v += (gint)(rng_next(&s) % 31) - 15;
                } else {
                    v = rng_next(&s) & 0xff;
                }
                d[y * st + x * ps] = (guint8)CLAMP(v, 0, 255);
            }
    }
    gst_video_frame_unmap(&frame);
    GST_BUFFER_PTS(buf) = gst_util_uint64_scale(index, GST_SECOND, 30);
    GST_BUFFER_DURATION(buf) = gst_util_uint64_scale(1, GST_SECOND, 30);
    return buf;
}

GstBuffer *eu_make_constant_frame(GstVideoFormat fmt, gint w, gint h, guint8 v)
{
    GstBuffer *buf = eu_make_frame(fmt, w, h, 1, 0);
    GstVideoFrame frame;
    IsegFrame view;

    eu_map_view(buf, fmt, w, h, &frame, &view);
    for (gint y = 0; y < h; y++)
        memset(view.luma.data + y * view.luma.stride, v, w);
    gst_video_frame_unmap(&frame);
    return buf;
}

void eu_map_view(GstBuffer *buf, GstVideoFormat fmt, gint w, gint h, GstVideoFrame *frame,
                 IsegFrame *view)
{
    GstVideoInfo info;
    const GstVideoFormatInfo *finfo;

    gst_video_info_set_format(&info, fmt, w, h);
    fail_unless(gst_video_frame_map(frame, &info, buf, GST_MAP_READWRITE));
    finfo = info.finfo;
    memset(view, 0, sizeof(*view));
    /* Mapped independently of the plugin's own gst_iseg_filter_frame_view,
     * so a mistake there cannot hide in both. */
    view->luma.data = GST_VIDEO_FRAME_PLANE_DATA(frame, 0);
    view->luma.width = w;
    view->luma.height = h;
    view->luma.stride = GST_VIDEO_FRAME_PLANE_STRIDE(frame, 0);
    view->chroma_pixel_stride = 1;
    if (GST_VIDEO_FORMAT_INFO_IS_GRAY(finfo))
        return;
    view->n_chroma = 2;
    view->chroma_shift_x = finfo->w_sub[1];
    view->chroma_shift_y = finfo->h_sub[1];
    for (int p = 0; p < 2; p++) {
        view->chroma[p].width = -((-w) >> finfo->w_sub[1]);
        view->chroma[p].height = -((-h) >> finfo->h_sub[1]);
    }
    switch (fmt) {
    case GST_VIDEO_FORMAT_NV12:
    case GST_VIDEO_FORMAT_NV21: {
        guint8 *uv = GST_VIDEO_FRAME_PLANE_DATA(frame, 1);
        gint u_first = fmt == GST_VIDEO_FORMAT_NV12;
        view->chroma_pixel_stride = 2;
        view->chroma[0].data = uv + (u_first ? 0 : 1);
        view->chroma[1].data = uv + (u_first ? 1 : 0);
        view->chroma[0].stride = view->chroma[1].stride = GST_VIDEO_FRAME_PLANE_STRIDE(frame, 1);
        break;
    }
    default: {
        /* YV12 stores V in plane 1; chroma[0] is U either way */
        gint u_plane = fmt == GST_VIDEO_FORMAT_YV12 ? 2 : 1;
        view->chroma[0].data = GST_VIDEO_FRAME_PLANE_DATA(frame, u_plane);
        view->chroma[0].stride = GST_VIDEO_FRAME_PLANE_STRIDE(frame, u_plane);
        view->chroma[1].data = GST_VIDEO_FRAME_PLANE_DATA(frame, 3 - u_plane);
        view->chroma[1].stride = GST_VIDEO_FRAME_PLANE_STRIDE(frame, 3 - u_plane);
        break;
    }
    }
}

/* Compares the pixels of two frames plane by plane, row by row, leaving the
 * row padding out (an element working out of place writes into a buffer of
 * its own layout). */
static gboolean frames_equal(GstBuffer *a, GstBuffer *b, const GstVideoInfo *info,
                             const gchar *what)
{
    GstVideoFrame fa, fb;
    gboolean equal = TRUE;

    fail_unless(gst_video_frame_map(&fa, info, a, GST_MAP_READ), "%s: map", what);
    fail_unless(gst_video_frame_map(&fb, info, b, GST_MAP_READ), "%s: map", what);
    for (guint p = 0; p < GST_VIDEO_FRAME_N_PLANES(&fa) && equal; p++) {
        gint comp[GST_VIDEO_MAX_COMPONENTS];
        gst_video_format_info_component(info->finfo, p, comp);
        const gint rows = GST_VIDEO_FRAME_COMP_HEIGHT(&fa, comp[0]);
        const gsize bytes = (gsize)GST_VIDEO_FRAME_COMP_WIDTH(&fa, comp[0]) *
                            GST_VIDEO_FRAME_COMP_PSTRIDE(&fa, comp[0]);
        for (gint y = 0; y < rows && equal; y++) {
            const guint8 *ra = (const guint8 *)GST_VIDEO_FRAME_PLANE_DATA(&fa, p) +
                               y * GST_VIDEO_FRAME_PLANE_STRIDE(&fa, p);
            const guint8 *rb = (const guint8 *)GST_VIDEO_FRAME_PLANE_DATA(&fb, p) +
                               y * GST_VIDEO_FRAME_PLANE_STRIDE(&fb, p);
            if (memcmp(ra, rb, bytes) != 0) {
                gsize i = 0;
                while (ra[i] == rb[i])
                    i++;
                g_printerr("%s: frames differ, plane %u row %d byte %" G_GSIZE_FORMAT
                           ": %d vs %d\n",
                           what, p, y, i, ra[i], rb[i]);
                equal = FALSE;
            }
        }
    }
    gst_video_frame_unmap(&fb);
    gst_video_frame_unmap(&fa);
    return equal;
}

gboolean eu_buffers_equal(GstBuffer *a, GstBuffer *b, const gchar *what)
{
    GstVideoMeta *meta = gst_buffer_get_video_meta(a);
    GstMapInfo ma, mb;
    gboolean equal;

    if (!meta)
        meta = gst_buffer_get_video_meta(b);
    if (meta) {
        GstVideoInfo info;
        gst_video_info_set_format(&info, meta->format, meta->width, meta->height);
        return frames_equal(a, b, &info, what);
    }
    fail_unless(gst_buffer_map(a, &ma, GST_MAP_READ));
    fail_unless(gst_buffer_map(b, &mb, GST_MAP_READ));
    equal = ma.size == mb.size && memcmp(ma.data, mb.data, ma.size) == 0;
    if (!equal) {
        gsize i = 0;
        while (i < MIN(ma.size, mb.size) && ma.data[i] == mb.data[i])
            i++;
        g_printerr("%s: buffers differ (sizes %" G_GSIZE_FORMAT " / %" G_GSIZE_FORMAT
                   "), first at byte %" G_GSIZE_FORMAT ": %d vs %d\n",
                   what, ma.size, mb.size, i, i < ma.size ? ma.data[i] : -1,
                   i < mb.size ? mb.data[i] : -1);
    }
    gst_buffer_unmap(a, &ma);
    gst_buffer_unmap(b, &mb);
    return equal;
}

GstMessage *eu_pop_element_message(GstHarness *h)
{
    GstBus *bus = gst_element_get_bus(h->element);
    GstMessage *msg = gst_bus_pop_filtered(bus, GST_MESSAGE_ELEMENT);

    gst_object_unref(bus);
    return msg;
}

void eu_check_n_threads_identical(const gchar *factory, GstVideoFormat fmt, guint n_frames,
                                  guint first_index, EuConfigure configure, gconstpointer data,
                                  const gchar *what)
{
    static const guint threads[] = { 1, 2, 0, 3 };
    GstBuffer *first[4] = { NULL, NULL, NULL, NULL };

    g_assert(n_frames >= 1 && n_frames <= G_N_ELEMENTS(first));
    for (guint t = 0; t < G_N_ELEMENTS(threads); t++) {
        GstHarness *h = eu_harness_new(factory, fmt, EU_BIG_W, EU_BIG_H);
        if (configure)
            configure(h->element, data);
        g_object_set(h->element, "n-threads", threads[t], NULL);
        for (guint i = 0; i < n_frames; i++) {
            GstBuffer *res =
                eu_push_and_pull(h, eu_make_frame(fmt, EU_BIG_W, EU_BIG_H, 5 + i, first_index + i));
            if (!first[i])
                first[i] = res;
            else {
                fail_unless(eu_buffers_equal(first[i], res, "n-threads"), "%s %s, n-threads %u",
                            factory, what ? what : "", threads[t]);
                gst_buffer_unref(res);
            }
        }
        eu_harness_teardown(h);
    }
    for (guint i = 0; i < n_frames; i++)
        gst_buffer_unref(first[i]);
}

/* The pspec of `name` on e (fails if there is none). */
static GParamSpec *find_pspec(GstElement *e, const gchar *name)
{
    GParamSpec *ps = g_object_class_find_property(G_OBJECT_GET_CLASS(e), name);

    fail_unless(ps != NULL, "%s has no property %s", GST_ELEMENT_NAME(e), name);
    return ps;
}

/* v (unset) initialised to the type of property ps holding num or str. */
static void value_for(GValue *v, GParamSpec *ps, gdouble num, const gchar *str)
{
    const GType t = G_PARAM_SPEC_VALUE_TYPE(ps);

    g_value_init(v, t);
    if (G_TYPE_IS_ENUM(t))
        g_value_set_enum(v, (gint)num);
    else if (t == G_TYPE_UINT)
        g_value_set_uint(v, (guint)num);
    else if (t == G_TYPE_INT)
        g_value_set_int(v, (gint)num);
    else if (t == G_TYPE_DOUBLE)
        g_value_set_double(v, num);
    else if (t == G_TYPE_BOOLEAN)
        g_value_set_boolean(v, num != 0);
    else if (t == G_TYPE_STRING)
        g_value_set_string(v, str);
    else
        fail("property %s: type %s not handled", ps->name, g_type_name(t));
}

static void set_num(GstElement *e, const gchar *name, gdouble num)
{
    GValue v = G_VALUE_INIT;

    value_for(&v, find_pspec(e, name), num, NULL);
    g_object_set_property(G_OBJECT(e), name, &v);
    g_value_unset(&v);
}

/* Fails unless property `name` of e reads back num (or str, for strings). */
static void check_prop(GstElement *e, const gchar *name, gdouble num, const gchar *str,
                       const gchar *what)
{
    GParamSpec *ps = find_pspec(e, name);
    const GType t = G_PARAM_SPEC_VALUE_TYPE(ps);
    GValue v = G_VALUE_INIT;
    gdouble got = 0;

    g_value_init(&v, t);
    g_object_get_property(G_OBJECT(e), name, &v);
    if (t == G_TYPE_STRING) {
        fail_unless(g_strcmp0(g_value_get_string(&v), str) == 0, "%s %s: \"%s\", expected \"%s\"",
                    what, name, g_value_get_string(&v), str);
    } else {
        if (G_TYPE_IS_ENUM(t))
            got = g_value_get_enum(&v);
        else if (t == G_TYPE_UINT)
            got = g_value_get_uint(&v);
        else if (t == G_TYPE_UINT64)
            got = (gdouble)g_value_get_uint64(&v);
        else if (t == G_TYPE_INT)
            got = g_value_get_int(&v);
        else if (t == G_TYPE_DOUBLE)
            got = g_value_get_double(&v);
        else if (t == G_TYPE_BOOLEAN)
            got = g_value_get_boolean(&v);
        else
            fail("property %s: type %s not handled", name, g_type_name(t));
        fail_unless(got == num, "%s %s: %g, expected %g", what, name, got, num);
    }
    g_value_unset(&v);
}

void eu_check_defaults(const gchar *factory, const EuProp *defaults,
                       const gchar *const *controllable)
{
    GstElement *e = gst_element_factory_make(factory, NULL);

    fail_unless(e != NULL, "no %s element", factory);
    fail_unless(GST_IS_VIDEO_FILTER(e));
    for (const EuProp *p = defaults; p->name; p++)
        check_prop(e, p->name, p->num, p->str, "default");
    for (const gchar *const *c = controllable; *c; c++)
        fail_unless(find_pspec(e, *c)->flags & GST_PARAM_CONTROLLABLE, "%s not controllable", *c);
    gst_object_unref(e);
}

void eu_check_out_of_range(const gchar *factory, const EuPropRange *rows)
{
    GstElement *e = gst_element_factory_make(factory, NULL);

    fail_unless(e != NULL, "no %s element", factory);
    for (const EuPropRange *r = rows; r->name; r++) {
        g_assert(r->n_refused <= EU_MAX_VALUES && r->n_accepted <= EU_MAX_VALUES);
        set_num(e, r->name, r->valid);
    }
    for (const EuPropRange *r = rows; r->name; r++)
        for (guint i = 0; i < r->n_refused; i++) {
            /* ASSERT_WARNING's bookkeeping, with the property in the message */
            _gst_check_expecting_log = TRUE;
            _gst_check_raised_warning = FALSE;
            set_num(e, r->name, r->refused[i]);
            fail_unless(_gst_check_raised_warning, "%s = %g: no warning", r->name, r->refused[i]);
            _gst_check_expecting_log = FALSE;
        }
    for (const EuPropRange *r = rows; r->name; r++)
        check_prop(e, r->name, r->valid, NULL, "kept after refused values:");
    for (const EuPropRange *r = rows; r->name; r++)
        for (guint i = 0; i < r->n_accepted; i++) {
            set_num(e, r->name, r->accepted[i]);
            check_prop(e, r->name, r->accepted[i], NULL, "limit");
        }
    gst_object_unref(e);
}

/* One frame through h against c; `in` is consumed. */
static void check_frame(GstHarness *h, GstBuffer *in, GstVideoFormat fmt, gint w, gint ht,
                        const EuCase *c, gpointer data, const gchar *what)
{
    GstBuffer *expected = c->expected(in, fmt, w, ht, data);
    GstBuffer *out = eu_push_and_pull(h, c->keep_input ? gst_buffer_ref(in) : in);

    fail_unless(out != NULL, "%s: no output", what);
    fail_unless(eu_buffers_equal(out, expected, what), "%s", what);
    if (c->check)
        c->check(h->element, c->keep_input ? in : NULL, out, fmt, w, ht, data);
    if (c->keep_input)
        gst_buffer_unref(in);
    gst_buffer_unref(out);
    gst_buffer_unref(expected);
}

void eu_check_case(const gchar *factory, GstVideoFormat fmt, gint w, gint h, guint seed,
                   guint index, const EuCase *c, gpointer data, const gchar *what)
{
    GstHarness *hs = eu_harness_new(factory, fmt, w, h);

    if (c->configure)
        c->configure(hs->element, data);
    check_frame(hs, eu_make_frame(fmt, w, h, seed, index), fmt, w, h, c, data, what);
    eu_harness_teardown(hs);
}

void eu_check_video_meta_strides(const gchar *factory, const GstVideoFormat *fmts, guint n_fmts,
                                 const EuCase *c, gpointer data)
{
    const gint w = 385, h = 289;

    for (guint f = 0; f < n_fmts; f++) {
        GstHarness *hs = eu_harness_new(factory, fmts[f], w, h);
        if (c->configure)
            c->configure(hs->element, data);
        for (guint pad = 1; pad <= 64; pad *= 4) {
            GstBuffer *in = eu_make_frame_padded(fmts[f], w, h, pad, 0, pad);
            GstVideoMeta *meta = gst_buffer_get_video_meta(in);
            gchar *what = g_strdup_printf("video meta strides: %s pad %u",
                                          gst_video_format_to_string(fmts[f]), pad);
            fail_unless(meta != NULL);
            fail_unless(
                meta->stride[0] >=
                    GST_VIDEO_FORMAT_INFO_PSTRIDE(gst_video_format_get_info(meta->format), 0) * w +
                        (gint)pad,
                "%s: stride %d", what, meta->stride[0]);
            check_frame(hs, in, fmts[f], w, h, c, data, what);
            g_free(what);
        }
        eu_harness_teardown(hs);
    }
}

void eu_check_renegotiation(const gchar *factory, const EuStep *steps, guint n_steps,
                            guint frames_per_step, const EuCase *c, gpointer data)
{
    GstHarness *hs = eu_harness_new(factory, steps[0].fmt, steps[0].w, steps[0].h);

    if (c->configure)
        c->configure(hs->element, data);
    for (guint i = 0; i < n_steps; i++) {
        eu_harness_set_format(hs, steps[i].fmt, steps[i].w, steps[i].h);
        for (guint k = 0; k < frames_per_step; k++) {
            gchar *what = g_strdup_printf("renegotiation step %u (%s %dx%d) frame %u", i,
                                          gst_video_format_to_string(steps[i].fmt), steps[i].w,
                                          steps[i].h, k);
            check_frame(hs, eu_make_frame(steps[i].fmt, steps[i].w, steps[i].h, i + 1, k),
                        steps[i].fmt, steps[i].w, steps[i].h, c, data, what);
            g_free(what);
        }
    }
    eu_harness_teardown(hs);
}

GstMessage *eu_check_message(GstHarness *h, GstBuffer *buf, const gchar *name, GstClockTime pts)
{
    GstMessage *msg;
    const GstStructure *s;
    GstClockTime ts, st, rt, dur;

    fail_unless(eu_pop_element_message(h) == NULL, "a message before any frame");
    GST_BUFFER_PTS(buf) = pts;
    GST_BUFFER_DURATION(buf) = GST_SECOND / 30;
    gst_buffer_unref(eu_push_and_pull(h, gst_buffer_ref(buf)));
    fail_unless(eu_pop_element_message(h) == NULL, "posted without post-messages");

    g_object_set(h->element, "post-messages", TRUE, NULL);
    gst_buffer_unref(eu_push_and_pull(h, buf));
    msg = eu_pop_element_message(h);
    fail_unless(msg != NULL);
    fail_unless(eu_pop_element_message(h) == NULL, "one message per frame");
    fail_unless(GST_MESSAGE_SRC(msg) == GST_OBJECT(h->element));
    s = gst_message_get_structure(msg);
    fail_unless_equals_string(gst_structure_get_name(s), name);
    fail_unless(gst_structure_get_clock_time(s, "timestamp", &ts));
    fail_unless(gst_structure_get_clock_time(s, "stream-time", &st));
    fail_unless(gst_structure_get_clock_time(s, "running-time", &rt));
    fail_unless(gst_structure_get_clock_time(s, "duration", &dur));
    fail_unless_equals_uint64(ts, pts);
    fail_unless_equals_uint64(st, pts);
    fail_unless_equals_uint64(rt, pts);
    fail_unless_equals_uint64(dur, GST_SECOND / 30);
    return msg;
}

void eu_push_expect_bytes(GstHarness *h, GstBuffer *in, const guint8 *expect, gsize n,
                          const gchar *what, ...)
{
    GstBuffer *out = eu_push_and_pull(h, in);
    GstMapInfo map;
    gboolean equal;
    gchar *msg;
    va_list args;

    fail_unless(out != NULL);
    fail_unless(gst_buffer_map(out, &map, GST_MAP_READ));
    equal = map.size >= n && memcmp(map.data, expect, n) == 0;
    gst_buffer_unmap(out, &map);
    gst_buffer_unref(out);
    va_start(args, what);
    msg = g_strdup_vprintf(what, args);
    va_end(args);
    fail_unless(equal, "%s: output differs from the expected bytes", msg);
    g_free(msg);
}

gboolean eu_same_bytes(GstBuffer *a, GstBuffer *b)
{
    GstMapInfo ma, mb;
    gboolean equal;

    fail_unless(gst_buffer_map(a, &ma, GST_MAP_READ));
    fail_unless(gst_buffer_map(b, &mb, GST_MAP_READ));
    equal = ma.size == mb.size && memcmp(ma.data, mb.data, ma.size) == 0;
    gst_buffer_unmap(a, &ma);
    gst_buffer_unmap(b, &mb);
    return equal;
}

void eu_stress_properties(const gchar *factory, const EuStress *spec, gpointer data)
{
    GstHarness *h = eu_harness_new(factory, spec->fmt, spec->w, spec->h);
    GstHarnessThread *threads[8];
    GValue values[8];
    guint n = 0;

    if (spec->configure)
        spec->configure(h->element, data);
    for (const EuProp *k = spec->knobs; k->name; k++) {
        g_assert(n < G_N_ELEMENTS(threads));
        memset(&values[n], 0, sizeof(values[n]));
        value_for(&values[n], find_pspec(h->element, k->name), k->num, k->str);
        threads[n] = gst_harness_stress_property_start_full(h, k->name, &values[n], 0);
        n++;
    }
    fail_unless(n > 0);
    for (guint i = 0; i < eu_count(spec->n_frames); i++) {
        GstBuffer *in = eu_make_frame(spec->fmt, spec->w, spec->h, 9, spec->same_frame ? 0 : i);
        GstBuffer *keep = gst_buffer_copy_deep(in);
        GstBuffer *out;
        if (spec->before_frame)
            spec->before_frame(h->element, i, data);
        out = eu_push_and_pull(h, in);
        fail_unless(out != NULL, "frame %u: no output", i);
        spec->check(keep, out, i, data);
        gst_buffer_unref(out);
        gst_buffer_unref(keep);
    }
    for (guint t = 0; t < n; t++) {
        gst_harness_stress_thread_stop(threads[t]);
        g_value_unset(&values[t]);
    }
    eu_harness_teardown(h);
}

/* Sets a string property and returns the GST_WARNINGs it logged (free with
 * g_free). They are read from the default log function's output, stderr
 * sent to a temporary file meanwhile, rather than through a log function
 * added for the test: GStreamer's log-function list is copy-on-write and
 * gst_debug_add_log_function / gst_debug_remove_log_function leak the list
 * they replace, which valgrind reports as definitely lost. With
 * GST_DEBUG_FILE set the default log function writes there instead, and
 * NULL is returned (the text is not checked). */
gchar *eu_set_string_capturing_warnings(GstElement *e, const gchar *prop, const gchar *value)
{
    GError *err = NULL;
    gchar *path = NULL, *contents = NULL;
    const gchar *debug_file = g_getenv("GST_DEBUG_FILE");
    gint fd, saved;

    if (debug_file && *debug_file) {
        g_object_set(e, prop, value, NULL);
        return NULL;
    }
    fd = g_file_open_tmp("iseg-warnings-XXXXXX", &path, &err);
    fail_unless(fd >= 0, "temporary file: %s", err ? err->message : "?");
    fflush(stderr);
    saved = dup(STDERR_FILENO);
    fail_unless(saved >= 0 && dup2(fd, STDERR_FILENO) >= 0);
    g_object_set(e, prop, value, NULL);
    fflush(stderr);
    fail_unless(dup2(saved, STDERR_FILENO) >= 0);
    close(saved);
    close(fd);
    fail_unless(g_file_get_contents(path, &contents, NULL, NULL));
    g_unlink(path);
    g_free(path);
    return contents;
}

void eu_check_warning(const gchar *warnings, const gchar *category, const gchar *value,
                      const gchar *fragment)
{
    const gchar *at, *line, *end;
    gchar *escaped;

    if (!warnings)
        return;
    at = strstr(warnings, fragment);
    fail_unless(at != NULL, "warning for \"%s\" is \"%s\", lacks \"%s\"", value, warnings,
                fragment);
    line = at;
    while (line > warnings && line[-1] != '\n')
        line--;
    fail_unless(g_strstr_len(line, at - line, "WARN") != NULL &&
                    g_strstr_len(line, at - line, category) != NULL,
                "\"%s\" is not in a %s WARNING: \"%s\"", fragment, category, warnings);
    /* one warning is one line: the value is printed escaped in it */
    end = strchr(at, '\n');
    escaped = g_strescape(value, NULL);
    fail_unless(g_strstr_len(line, end ? end - line : -1, escaped) != NULL,
                "the WARNING line does not show \"%s\" escaped: \"%s\"", value, warnings);
    g_free(escaped);
}

const GstVideoFormat eu_alpha_formats[] = { GST_VIDEO_FORMAT_AYUV, GST_VIDEO_FORMAT_RGBA,
                                            GST_VIDEO_FORMAT_BGRA, GST_VIDEO_FORMAT_ARGB,
                                            GST_VIDEO_FORMAT_ABGR };
const guint eu_n_alpha_formats = G_N_ELEMENTS(eu_alpha_formats);

guint8 *eu_packed_luma(GstBuffer *in, GstVideoFormat fmt, gint w, gint h)
{
    const GstVideoFormatInfo *fi = gst_video_format_get_info(fmt);
    const gboolean yuv = GST_VIDEO_FORMAT_INFO_IS_YUV(fi);
    GstVideoInfo info;
    GstVideoFrame f;
    guint8 *luma = g_malloc((gsize)w * h);

    gst_video_info_set_format(&info, fmt, w, h);
    fail_unless(gst_video_frame_map(&f, &info, in, GST_MAP_READ));
    for (gint y = 0; y < h; y++) {
        const guint8 *row = (const guint8 *)GST_VIDEO_FRAME_PLANE_DATA(&f, 0) +
                            (gsize)y * GST_VIDEO_FRAME_PLANE_STRIDE(&f, 0);
        for (gint x = 0; x < w; x++) {
            const guint8 *p = row + 4 * x;
            luma[y * w + x] = yuv ? p[fi->poffset[GST_VIDEO_COMP_Y]]
                                  : (guint8)((66 * p[fi->poffset[GST_VIDEO_COMP_R]] +
                                              129 * p[fi->poffset[GST_VIDEO_COMP_G]] +
                                              25 * p[fi->poffset[GST_VIDEO_COMP_B]] + 128) /
                                                 256 +
                                             16);
        }
    }
    gst_video_frame_unmap(&f);
    return luma;
}

GstBuffer *eu_packed_expected(GstBuffer *in, GstVideoFormat fmt, gint w, gint h, const guint8 *mask,
                              gint output)
{
    const GstVideoFormatInfo *fi = gst_video_format_get_info(fmt);
    const gboolean yuv = GST_VIDEO_FORMAT_INFO_IS_YUV(fi);
    const guint a = fi->poffset[GST_VIDEO_COMP_A];
    GstBuffer *exp = gst_buffer_copy_deep(in);
    GstVideoInfo info;
    GstVideoFrame f;

    gst_video_info_set_format(&info, fmt, w, h);
    fail_unless(gst_video_frame_map(&f, &info, exp, GST_MAP_READWRITE));
    for (gint y = 0; y < h; y++) {
        guint8 *row = (guint8 *)GST_VIDEO_FRAME_PLANE_DATA(&f, 0) +
                      (gsize)y * GST_VIDEO_FRAME_PLANE_STRIDE(&f, 0);
        for (gint x = 0; x < w; x++) {
            guint8 *p = row + 4 * x;
            const guint8 m = mask[y * w + x];
            if (output == 2) {
                p[a] = m;
            } else if (output == 0) {
                for (guint c = 0; c < 3; c++)
                    p[fi->poffset[c]] = yuv && c != GST_VIDEO_COMP_Y ? 128 : m;
                p[a] = 255;
            } else if (!m) {
                for (guint c = 0; c < 3; c++)
                    p[fi->poffset[c]] = yuv && c != GST_VIDEO_COMP_Y ? 128 : 0;
            }
        }
    }
    gst_video_frame_unmap(&f);
    return exp;
}

typedef struct {
    EuConfigure configure;
    EuLumaMask mask_fn;
    gint output;
    gboolean invert;
} AlphaRun;

static void alpha_configure(GstElement *e, gpointer data)
{
    const AlphaRun *a = data;
    if (a->configure)
        a->configure(e, NULL);
    g_object_set(e, "output", a->output, "invert", a->invert, NULL);
}

static GstBuffer *alpha_expected(GstBuffer *in, GstVideoFormat fmt, gint w, gint h, gpointer data)
{
    const AlphaRun *a = data;
    guint8 *luma = eu_packed_luma(in, fmt, w, h), *mask = g_malloc((gsize)w * h);
    a->mask_fn(luma, w, h, a->invert, mask);
    GstBuffer *exp = eu_packed_expected(in, fmt, w, h, mask, a->output);
    g_free(luma);
    g_free(mask);
    return exp;
}

void eu_check_alpha_formats(const gchar *factory, EuConfigure configure, EuLumaMask mask_fn)
{
    static const EuCase alpha_case = { alpha_configure, alpha_expected, NULL, FALSE };
    for (guint f = 0; f < eu_n_alpha_formats; f++)
        for (guint s = 0; s < eu_n_sizes; s++)
            for (gint out = 0; out < 3; out++)
                for (gint inv = 0; inv < 2; inv++) {
                    AlphaRun a = { configure, mask_fn, out, inv };
                    gchar *what = g_strdup_printf("%s %s %dx%d output=%d invert=%d", factory,
                                                  gst_video_format_to_string(eu_alpha_formats[f]),
                                                  eu_sizes[s][0], eu_sizes[s][1], out, inv);
                    eu_check_case(factory, eu_alpha_formats[f], eu_sizes[s][0], eu_sizes[s][1],
                                  11 + s, 1, &alpha_case, &a, what);
                    g_free(what);
                }
}
