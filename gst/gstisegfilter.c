#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstisegfilter.h"

GST_DEBUG_CATEGORY_STATIC(gst_iseg_filter_debug);
#define GST_CAT_DEFAULT gst_iseg_filter_debug

#define DEFAULT_N_THREADS     0
#define DEFAULT_POST_MESSAGES FALSE

enum {
    PROP_0,
    PROP_N_THREADS,
    PROP_POST_MESSAGES,
};

G_DEFINE_ABSTRACT_TYPE_WITH_CODE(GstIsegFilter, gst_iseg_filter, GST_TYPE_VIDEO_FILTER,
                                 GST_DEBUG_CATEGORY_INIT(gst_iseg_filter_debug, "isegfilter", 0,
                                                         "imageseg element base class"));

GType gst_iseg_output_get_type(void)
{
    static GType type = 0;
    static const GEnumValue values[] = {
        { ISEG_OUTPUT_MASK, "Binary mask: foreground 255, background 0, chroma neutral", "mask" },
        { ISEG_OUTPUT_MASKED, "The original pixels where foreground, black elsewhere (f x m)",
          "masked" },
        { GST_ISEG_OUTPUT_ALPHA,
          "The picture kept, alpha 255 on foreground and 0 on background (AYUV, RGBA, BGRA, "
          "ARGB, ABGR; other formats get the mask)",
          "alpha" },
        { 0, NULL, NULL },
    };
    if (g_once_init_enter(&type)) {
        GType t = g_enum_register_static("GstIsegOutput", values);
        g_once_init_leave(&type, t);
    }
    return type;
}

static void gst_iseg_filter_reset(GstIsegFilter *self)
{
    GstIsegFilterClass *klass = GST_ISEG_FILTER_GET_CLASS(self);
    if (klass->reset)
        klass->reset(self);
}

static void gst_iseg_filter_set_property(GObject *object, guint prop_id, const GValue *value,
                                         GParamSpec *pspec)
{
    GstIsegFilter *self = GST_ISEG_FILTER(object);

    GST_OBJECT_LOCK(self);
    switch (prop_id) {
    case PROP_N_THREADS: self->n_threads = g_value_get_uint(value); break;
    case PROP_POST_MESSAGES: self->post_messages = g_value_get_boolean(value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec); break;
    }
    GST_OBJECT_UNLOCK(self);
}

static void gst_iseg_filter_get_property(GObject *object, guint prop_id, GValue *value,
                                         GParamSpec *pspec)
{
    GstIsegFilter *self = GST_ISEG_FILTER(object);

    GST_OBJECT_LOCK(self);
    switch (prop_id) {
    case PROP_N_THREADS: g_value_set_uint(value, self->n_threads); break;
    case PROP_POST_MESSAGES: g_value_set_boolean(value, self->post_messages); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec); break;
    }
    GST_OBJECT_UNLOCK(self);
}

static void gst_iseg_filter_finalize(GObject *object)
{
    GstIsegFilter *self = GST_ISEG_FILTER(object);

    iseg_pool_destroy(self->pool);
    self->pool = NULL;
    g_clear_pointer(&self->packed_luma, g_free);
    g_clear_pointer(&self->packed_mask, g_free);
    G_OBJECT_CLASS(gst_iseg_filter_parent_class)->finalize(object);
}

static gboolean gst_iseg_filter_set_info(GstVideoFilter *vfilter, GstCaps *incaps,
                                         GstVideoInfo *in_info, GstCaps *outcaps,
                                         GstVideoInfo *out_info)
{
    GstIsegFilter *self = GST_ISEG_FILTER(vfilter);
    GstIsegFilterClass *klass = GST_ISEG_FILTER_GET_CLASS(self);

    if (GST_VIDEO_INFO_FORMAT(in_info) != GST_VIDEO_INFO_FORMAT(out_info) ||
        GST_VIDEO_INFO_WIDTH(in_info) != GST_VIDEO_INFO_WIDTH(out_info) ||
        GST_VIDEO_INFO_HEIGHT(in_info) != GST_VIDEO_INFO_HEIGHT(out_info)) {
        GST_ELEMENT_ERROR(self, CORE, NEGOTIATION, (NULL),
                          ("output caps %" GST_PTR_FORMAT
                           " differ from input caps %" GST_PTR_FORMAT,
                           outcaps, incaps));
        return FALSE;
    }
    gst_iseg_filter_reset(self);
    g_clear_pointer(&self->packed_luma, g_free);
    g_clear_pointer(&self->packed_mask, g_free);
    if (GST_VIDEO_INFO_HAS_ALPHA(in_info)) {
        const gsize n = (gsize)GST_VIDEO_INFO_WIDTH(in_info) * GST_VIDEO_INFO_HEIGHT(in_info);
        self->packed_luma = g_malloc(n);
        self->packed_mask = g_malloc(n);
    }
    if (klass->prepare && !klass->prepare(self, in_info))
        return FALSE;
    return TRUE;
}

gboolean gst_iseg_filter_is_packed_alpha(const GstVideoFrame *frame)
{
    return GST_VIDEO_INFO_HAS_ALPHA(&frame->info);
}

/* byte offsets of R, G, B, A (AYUV: -, Y, -, A) within a pixel */
static void packed_offsets(GstVideoFormat fmt, int *r, int *g, int *b, int *a)
{
    switch (fmt) {
    case GST_VIDEO_FORMAT_RGBA: *r = 0, *g = 1, *b = 2, *a = 3; break;
    case GST_VIDEO_FORMAT_BGRA: *r = 2, *g = 1, *b = 0, *a = 3; break;
    case GST_VIDEO_FORMAT_ARGB: *r = 1, *g = 2, *b = 3, *a = 0; break;
    case GST_VIDEO_FORMAT_ABGR: *r = 3, *g = 2, *b = 1, *a = 0; break;
    default: /* AYUV: A Y U V */ *r = -1, *g = 1, *b = -1, *a = 0; break;
    }
}

void gst_iseg_filter_packed_luma(GstIsegFilter *self, const GstVideoFrame *frame, IsegImage *luma,
                                 IsegImage *mask)
{
    const gint w = GST_VIDEO_FRAME_WIDTH(frame), h = GST_VIDEO_FRAME_HEIGHT(frame);
    const guint8 *base = GST_VIDEO_FRAME_PLANE_DATA(frame, 0);
    const gint stride = GST_VIDEO_FRAME_PLANE_STRIDE(frame, 0);
    int r, g, b, a;

    packed_offsets(GST_VIDEO_FRAME_FORMAT(frame), &r, &g, &b, &a);
    for (gint y = 0; y < h; y++) {
        const guint8 *row = base + (gsize)y * stride;
        guint8 *d = self->packed_luma + (gsize)y * w;
        if (r < 0) {
            for (gint x = 0; x < w; x++)
                d[x] = row[4 * x + g];
        } else {
            for (gint x = 0; x < w; x++) {
                const guint8 *p = row + 4 * x;
                d[x] = (guint8)((66 * p[r] + 129 * p[g] + 25 * p[b] + 128) / 256 + 16);
            }
        }
    }
    *luma = (IsegImage){ self->packed_luma, w, h, w };
    *mask = (IsegImage){ self->packed_mask, w, h, w };
}

void gst_iseg_filter_packed_output(const GstVideoFrame *in, GstVideoFrame *out,
                                   const IsegImage *mask, int output)
{
    const gint w = GST_VIDEO_FRAME_WIDTH(in), h = GST_VIDEO_FRAME_HEIGHT(in);
    const gint is = GST_VIDEO_FRAME_PLANE_STRIDE(in, 0), os = GST_VIDEO_FRAME_PLANE_STRIDE(out, 0);
    const gboolean yuv = GST_VIDEO_FRAME_FORMAT(in) == GST_VIDEO_FORMAT_AYUV;
    int r, g, b, a;

    packed_offsets(GST_VIDEO_FRAME_FORMAT(in), &r, &g, &b, &a);
    for (gint y = 0; y < h; y++) {
        const guint8 *src = (const guint8 *)GST_VIDEO_FRAME_PLANE_DATA(in, 0) + (gsize)y * is;
        guint8 *dst = (guint8 *)GST_VIDEO_FRAME_PLANE_DATA(out, 0) + (gsize)y * os;
        const guint8 *m = mask->data + (gsize)y * mask->stride;
        for (gint x = 0; x < w; x++) {
            const guint8 *p = src + 4 * x;
            guint8 *q = dst + 4 * x;
            guint8 px[4];
            memcpy(px, p, 4);
            if (output == GST_ISEG_OUTPUT_ALPHA) {
                px[a] = m[x];
            } else if (output == ISEG_OUTPUT_MASK) {
                for (int c = 0; c < 4; c++)
                    px[c] = c == a ? 255 : yuv && c != 1 ? 128 : m[x];
            } else if (!m[x]) { /* masked, background */
                for (int c = 0; c < 4; c++)
                    if (c != a)
                        px[c] = yuv && c != 1 ? 128 : 0;
            }
            memcpy(q, px, 4);
        }
    }
}

void gst_iseg_filter_alpha_scratch(GstIsegFilter *self, const GstVideoFrame *frame, IsegImage *img)
{
    const gint w = GST_VIDEO_FRAME_WIDTH(frame), h = GST_VIDEO_FRAME_HEIGHT(frame);
    *img = (IsegImage){ self->packed_mask, w, h, w };
}

void gst_iseg_filter_warn_no_alpha(GstIsegFilter *self, const gchar *instead)
{
    if (!self->warned_no_alpha) {
        GST_WARNING_OBJECT(self,
                           "output=alpha needs a format with alpha (%s); this one has "
                           "none: writing %s instead",
                           GST_ISEG_ALPHA_FORMATS, instead);
        self->warned_no_alpha = TRUE;
    }
}

int gst_iseg_filter_no_alpha(GstIsegFilter *self)
{
    gst_iseg_filter_warn_no_alpha(self, "the mask");
    return ISEG_OUTPUT_MASK;
}

static void gst_iseg_filter_before_transform(GstBaseTransform *trans, GstBuffer *buf)
{
    GstClockTime ts = GST_BUFFER_PTS(buf);
    GstClockTime stream_time;

    if (!GST_CLOCK_TIME_IS_VALID(ts))
        return;
    stream_time = gst_segment_to_stream_time(&trans->segment, GST_FORMAT_TIME, ts);
    if (GST_CLOCK_TIME_IS_VALID(stream_time))
        gst_object_sync_values(GST_OBJECT(trans), stream_time);
}

/* The input can be processed in place when nobody else holds the buffer or
 * any of its memory: then mapping it for writing copies nothing. Buffers
 * whose memory is shared (imagefreeze repeats one frame; a tee or an
 * application keeps a reference) go out of place instead: mapping those for
 * writing would first copy every plane into new memory, on every frame. A
 * buffer of several memories without a video meta is mapped as one block,
 * which merges (copies) them: out of place too. */
/* Frames are mapped without a reference of their own: the buffer stays
 * writable while mapped, so an element can attach metas to it (regions);
 * base transform holds the buffers until the frame is unmapped. */
#define ISEG_NO_REF ((GstMapFlags)GST_VIDEO_FRAME_MAP_FLAG_NO_REF)

static gboolean input_writable_in_place(GstBuffer *inbuf)
{
    const guint n = gst_buffer_n_memory(inbuf);

    if (!gst_buffer_is_writable(inbuf))
        return FALSE;
    if (n != 1 && !gst_buffer_get_video_meta(inbuf))
        return FALSE;
    for (guint i = 0; i < n; i++) {
        GstMemory *mem = gst_buffer_peek_memory(inbuf, i);
        if (!gst_memory_is_writable(mem))
            return FALSE;
    }
    return TRUE;
}

static GstFlowReturn gst_iseg_filter_prepare_output_buffer(GstBaseTransform *trans,
                                                           GstBuffer *inbuf, GstBuffer **outbuf)
{
    GstIsegFilter *self = GST_ISEG_FILTER(trans);
    GstIsegFilterClass *klass = GST_ISEG_FILTER_GET_CLASS(self);

    self->frame_reads_only = klass->reads_only && klass->reads_only(self);
    if (self->frame_reads_only) {
        /* the pixels stay; only the buffer object must be ours to add metas:
         * a copy of it shares the memory (no pixel is copied) */
        *outbuf = gst_buffer_is_writable(inbuf) ? inbuf : gst_buffer_copy(inbuf);
        return *outbuf ? GST_FLOW_OK : GST_FLOW_ERROR;
    }
    if (input_writable_in_place(inbuf)) {
        *outbuf = inbuf;
        return GST_FLOW_OK;
    }
    /* a buffer from the negotiated pool, timestamps and metas copied */
    return GST_BASE_TRANSFORM_CLASS(gst_iseg_filter_parent_class)
        ->prepare_output_buffer(trans, inbuf, outbuf);
}

static GstFlowReturn gst_iseg_filter_transform(GstBaseTransform *trans, GstBuffer *inbuf,
                                               GstBuffer *outbuf)
{
    GstVideoFilter *vfilter = GST_VIDEO_FILTER(trans);
    GstIsegFilter *self = GST_ISEG_FILTER(trans);
    GstIsegFilterClass *klass = GST_ISEG_FILTER_GET_CLASS(self);
    const gboolean in_place = inbuf == outbuf;
    GstVideoFrame in, out;
    GstFlowReturn ret;

    if (G_UNLIKELY(!vfilter->negotiated)) {
        GST_ELEMENT_ERROR(self, CORE, NEGOTIATION, (NULL), ("a buffer arrived before caps"));
        return GST_FLOW_NOT_NEGOTIATED;
    }
    if (self->frame_reads_only) {
        /* outbuf is inbuf or a buffer sharing its memory: read it there */
        if (!gst_video_frame_map(&in, &vfilter->in_info, outbuf, GST_MAP_READ | ISEG_NO_REF)) {
            GST_ELEMENT_ERROR(self, STREAM, FORMAT, (NULL),
                              ("could not map the input buffer as a %s %dx%d frame",
                               GST_VIDEO_INFO_NAME(&vfilter->in_info),
                               GST_VIDEO_INFO_WIDTH(&vfilter->in_info),
                               GST_VIDEO_INFO_HEIGHT(&vfilter->in_info)));
            return GST_FLOW_ERROR;
        }
        GST_LOG_OBJECT(self, "reading only");
        ret = klass->process(self, &in, &in);
        gst_video_frame_unmap(&in);
        GST_OBJECT_LOCK(self);
        self->frames_in_place++;
        GST_OBJECT_UNLOCK(self);
        return ret;
    }
    if (!gst_video_frame_map(&in, &vfilter->in_info, inbuf,
                             (in_place ? GST_MAP_READWRITE : GST_MAP_READ) | ISEG_NO_REF)) {
        GST_ELEMENT_ERROR(self, STREAM, FORMAT, (NULL),
                          ("could not map the input buffer as a %s %dx%d frame (%" G_GSIZE_FORMAT
                           " bytes, smaller than the caps need?)",
                           GST_VIDEO_INFO_NAME(&vfilter->in_info),
                           GST_VIDEO_INFO_WIDTH(&vfilter->in_info),
                           GST_VIDEO_INFO_HEIGHT(&vfilter->in_info), gst_buffer_get_size(inbuf)));
        return GST_FLOW_ERROR;
    }
    if (!in_place &&
        !gst_video_frame_map(&out, &vfilter->out_info, outbuf, GST_MAP_WRITE | ISEG_NO_REF)) {
        gst_video_frame_unmap(&in);
        GST_ELEMENT_ERROR(self, STREAM, FAILED, (NULL), ("could not map the output buffer"));
        return GST_FLOW_ERROR;
    }
    GST_LOG_OBJECT(self, "processing %s", in_place ? "in place" : "out of place");
    ret = klass->process(self, &in, in_place ? &in : &out);
    if (!in_place)
        gst_video_frame_unmap(&out);
    gst_video_frame_unmap(&in);

    GST_OBJECT_LOCK(self);
    if (in_place)
        self->frames_in_place++;
    else
        self->frames_out_of_place++;
    GST_OBJECT_UNLOCK(self);
    return ret;
}

/* Never called: GstBaseTransform calls transform() above, which handles
 * both paths. Set so that GstVideoFilter does not switch the element to
 * always-in-place (which has no output pool and copies shared input). */
static GstFlowReturn gst_iseg_filter_transform_frame(GstVideoFilter *vfilter, GstVideoFrame *in,
                                                     GstVideoFrame *out)
{
    return GST_ISEG_FILTER_GET_CLASS(vfilter)->process(GST_ISEG_FILTER(vfilter), in, out);
}

void gst_iseg_filter_get_path_counts(GstIsegFilter *self, guint64 *in_place, guint64 *out_of_place)
{
    GST_OBJECT_LOCK(self);
    if (in_place)
        *in_place = self->frames_in_place;
    if (out_of_place)
        *out_of_place = self->frames_out_of_place;
    GST_OBJECT_UNLOCK(self);
}

static gboolean gst_iseg_filter_sink_event(GstBaseTransform *trans, GstEvent *event)
{
    if (GST_EVENT_TYPE(event) == GST_EVENT_FLUSH_STOP)
        gst_iseg_filter_reset(GST_ISEG_FILTER(trans));
    return GST_BASE_TRANSFORM_CLASS(gst_iseg_filter_parent_class)->sink_event(trans, event);
}

static gboolean gst_iseg_filter_stop(GstBaseTransform *trans)
{
    GstIsegFilter *self = GST_ISEG_FILTER(trans);

    gst_iseg_filter_reset(self);
    iseg_pool_destroy(self->pool);
    self->pool = NULL;
    return TRUE;
}

static void gst_iseg_filter_class_init(GstIsegFilterClass *klass)
{
    GObjectClass *gobject_class = G_OBJECT_CLASS(klass);
    GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS(klass);
    GstVideoFilterClass *vfilter_class = GST_VIDEO_FILTER_CLASS(klass);

    gobject_class->set_property = gst_iseg_filter_set_property;
    gobject_class->get_property = gst_iseg_filter_get_property;
    gobject_class->finalize = gst_iseg_filter_finalize;

    g_object_class_install_property(
        gobject_class, PROP_N_THREADS,
        g_param_spec_uint("n-threads", "Threads",
                          "Threads to split each frame's rows across: 0 = one per CPU core, "
                          "1 = no worker threads. The output is identical for every value",
                          0, 256, DEFAULT_N_THREADS, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
    g_object_class_install_property(
        gobject_class, PROP_POST_MESSAGES,
        g_param_spec_boolean("post-messages", "Post messages",
                             "Post an element message with per-frame results for every frame",
                             DEFAULT_POST_MESSAGES, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));

    trans_class->before_transform = GST_DEBUG_FUNCPTR(gst_iseg_filter_before_transform);
    trans_class->sink_event = GST_DEBUG_FUNCPTR(gst_iseg_filter_sink_event);
    trans_class->stop = GST_DEBUG_FUNCPTR(gst_iseg_filter_stop);
    trans_class->prepare_output_buffer = GST_DEBUG_FUNCPTR(gst_iseg_filter_prepare_output_buffer);
    trans_class->transform = GST_DEBUG_FUNCPTR(gst_iseg_filter_transform);
    vfilter_class->set_info = GST_DEBUG_FUNCPTR(gst_iseg_filter_set_info);
    vfilter_class->transform_frame = GST_DEBUG_FUNCPTR(gst_iseg_filter_transform_frame);

    gst_type_mark_as_plugin_api(GST_TYPE_ISEG_FILTER, 0);
    gst_type_mark_as_plugin_api(GST_TYPE_ISEG_OUTPUT, 0);
}

static void gst_iseg_filter_init(GstIsegFilter *self)
{
    self->n_threads = DEFAULT_N_THREADS;
    self->post_messages = DEFAULT_POST_MESSAGES;
}

void gst_iseg_filter_class_add_pad_templates(GstElementClass *element_class, const gchar *caps_str)
{
    GstCaps *caps = gst_caps_from_string(caps_str);

    gst_element_class_add_pad_template(
        element_class, gst_pad_template_new("sink", GST_PAD_SINK, GST_PAD_ALWAYS, caps));
    gst_element_class_add_pad_template(
        element_class, gst_pad_template_new("src", GST_PAD_SRC, GST_PAD_ALWAYS, caps));
    gst_caps_unref(caps);
}

IsegPool *gst_iseg_filter_get_pool(GstIsegFilter *self)
{
    guint wanted;

    GST_OBJECT_LOCK(self);
    wanted = self->n_threads;
    GST_OBJECT_UNLOCK(self);
    if (wanted == 0)
        wanted = iseg_cpu_count();

    if (self->pool && self->pool_threads == wanted)
        return self->pool;
    iseg_pool_destroy(self->pool);
    self->pool = NULL;
    self->pool_threads = wanted;
    if (wanted > 1) {
        int ret = iseg_pool_create(&self->pool, wanted);
        if (ret < 0) {
            GST_WARNING_OBJECT(self,
                               "could not start %u threads (%s): running on "
                               "the streaming thread",
                               wanted, iseg_strerror(ret));
            self->pool = NULL;
        } else {
            GST_DEBUG_OBJECT(self, "thread pool of %u threads", wanted);
        }
    }
    return self->pool;
}

gboolean gst_iseg_filter_posts_messages(GstIsegFilter *self)
{
    gboolean post;

    GST_OBJECT_LOCK(self);
    post = self->post_messages;
    GST_OBJECT_UNLOCK(self);
    return post;
}

static void plane_view(const GstVideoFrame *frame, guint comp, IsegImage *img)
{
    img->data = GST_VIDEO_FRAME_COMP_DATA(frame, comp);
    img->width = GST_VIDEO_FRAME_COMP_WIDTH(frame, comp);
    img->height = GST_VIDEO_FRAME_COMP_HEIGHT(frame, comp);
    img->stride = GST_VIDEO_FRAME_COMP_STRIDE(frame, comp);
}

void gst_iseg_filter_frame_view(const GstVideoFrame *frame, IsegFrame *view)
{
    const GstVideoFormatInfo *finfo = frame->info.finfo;

    memset(view, 0, sizeof(*view));
    plane_view(frame, GST_VIDEO_COMP_Y, &view->luma);
    view->chroma_pixel_stride = 1;
    if (GST_VIDEO_FORMAT_INFO_N_COMPONENTS(finfo) < 3)
        return;
    view->n_chroma = 2;
    plane_view(frame, GST_VIDEO_COMP_U, &view->chroma[0]);
    plane_view(frame, GST_VIDEO_COMP_V, &view->chroma[1]);
    view->chroma_pixel_stride = GST_VIDEO_FRAME_COMP_PSTRIDE(frame, GST_VIDEO_COMP_U);
    view->chroma_shift_x = GST_VIDEO_FORMAT_INFO_W_SUB(finfo, GST_VIDEO_COMP_U);
    view->chroma_shift_y = GST_VIDEO_FORMAT_INFO_H_SUB(finfo, GST_VIDEO_COMP_U);
}

GstStructure *gst_iseg_filter_new_message(GstIsegFilter *self, GstBuffer *buf, const gchar *name)
{
    GstBaseTransform *trans = GST_BASE_TRANSFORM(self);
    GstClockTime ts = GST_BUFFER_PTS(buf);
    GstClockTime stream_time = GST_CLOCK_TIME_NONE;
    GstClockTime running_time = GST_CLOCK_TIME_NONE;

    if (GST_CLOCK_TIME_IS_VALID(ts)) {
        stream_time = gst_segment_to_stream_time(&trans->segment, GST_FORMAT_TIME, ts);
        running_time = gst_segment_to_running_time(&trans->segment, GST_FORMAT_TIME, ts);
    }
    return gst_structure_new(name, "timestamp", G_TYPE_UINT64, ts, "stream-time", G_TYPE_UINT64,
                             stream_time, "running-time", G_TYPE_UINT64, running_time, "duration",
                             G_TYPE_UINT64, GST_BUFFER_DURATION(buf), NULL);
}

void gst_iseg_filter_post_message(GstIsegFilter *self, GstStructure *s)
{
    gst_element_post_message(GST_ELEMENT(self), gst_message_new_element(GST_OBJECT(self), s));
}

GstFlowReturn gst_iseg_filter_check(GstIsegFilter *self, int code, const gchar *what)
{
    if (code >= 0)
        return GST_FLOW_OK;
    GST_ELEMENT_ERROR(self, STREAM, FAILED, (NULL), ("%s failed: %s", what, iseg_strerror(code)));
    return GST_FLOW_ERROR;
}
