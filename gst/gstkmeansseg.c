/**
 * SECTION:element-kmeansseg
 * @title: kmeansseg
 *
 * Segments each frame by k-means clustering of its pixels (the lecture's
 * "segmentation as clustering"): in color space (3-D; gray value for GRAY8)
 * or in color + position space (5-D). Every pixel is replaced by its
 * cluster's mean color, by a fixed color per cluster, or by its cluster
 * number. Each frame starts from the previous frame's centers (warm-start),
 * so labels and colors stay put in live video and a frame needs one or two
 * iterations. Packed RGB orders (alpha and padding bytes are passed through),
 * GRAY8 and the 4:2:0 YUV formats I420, YV12, NV12, NV21 (each pixel is the
 * color Y, U, V with the chroma of its 2x2 block; centers are then Y, U, V);
 * works in place.
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 videotestsrc pattern=smpte ! videoconvert ! kmeansseg k=6 ! videoconvert !
 * autovideosink gst-launch-1.0 v4l2src ! videoconvert ! kmeansseg k=4 output=palette
 * post-messages=true ! videoconvert ! autovideosink
 * ]|
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstkmeansseg.h"

GST_DEBUG_CATEGORY_STATIC(gst_kmeans_seg_debug);
#define GST_CAT_DEFAULT gst_kmeans_seg_debug

#define GST_KMEANS_SEG_FORMATS                                                                     \
    "{ RGB, BGR, RGBx, BGRx, xRGB, xBGR, RGBA, BGRA, ARGB, ABGR, GRAY8, I420, YV12, NV12, NV21 }"

#define DEFAULT_PROP_K              4
#define DEFAULT_PROP_FEATURES       ISEG_KMEANS_COLOR
#define DEFAULT_PROP_SPATIAL_WEIGHT 1.0
#define DEFAULT_PROP_MAX_ITERATIONS 10
#define DEFAULT_PROP_EPSILON        1.0
#define DEFAULT_PROP_INIT           ISEG_KMEANS_INIT_PP
#define DEFAULT_PROP_SEED           0
#define DEFAULT_PROP_WARM_START     TRUE
#define DEFAULT_PROP_OUTPUT         ISEG_KMEANS_OUTPUT_CENTERS
#define DEFAULT_PROP_HYSTERESIS     ISEG_KMEANS_DEFAULT_HYSTERESIS
#define DEFAULT_PROP_ALPHA_LABELS   (G_MAXUINT64 - 1) /* every label but 0 */

/* output=alpha: the element's own value beside the library's outputs */
#define GST_KMEANS_SEG_OUTPUT_ALPHA 3

enum {
    PROP_0,
    PROP_K,
    PROP_FEATURES,
    PROP_SPATIAL_WEIGHT,
    PROP_MAX_ITERATIONS,
    PROP_EPSILON,
    PROP_INIT,
    PROP_SEED,
    PROP_WARM_START,
    PROP_OUTPUT,
    PROP_HYSTERESIS,
    PROP_ALPHA_LABELS,
};

struct _GstKmeansSeg {
    GstIsegFilter parent;

    /* properties, under the object lock; copied at the start of a frame */
    IsegKmeansSettings settings;
    gint output;          /* the library's IsegKmeansOutput, or GST_KMEANS_SEG_OUTPUT_ALPHA */
    guint64 alpha_labels; /* output=alpha: bit l set = label l is foreground (opaque) */

    /* streaming thread only */
    IsegKmeans *km; /* made in prepare for the negotiated size */
    IsegPixelFormat format;
    gboolean yuv; /* a 4:2:0 format: frames go through the YUV entry point */
};

#define GST_TYPE_KMEANS_SEG_FEATURES (gst_kmeans_seg_features_get_type())
static GType gst_kmeans_seg_features_get_type(void)
{
    static GType type = 0;
    static const GEnumValue values[] = {
        { ISEG_KMEANS_COLOR, "Color: R, G, B (Y, U, V for YUV; gray value for GRAY8)", "color" },
        { ISEG_KMEANS_COLOR_POSITION,
          "Color and position: R, G, B (or Y, U, V), w*X, w*Y with X, Y scaled to 0..255",
          "color-position" },
        { 0, NULL, NULL },
    };
    if (g_once_init_enter(&type)) {
        GType t = g_enum_register_static("GstKmeansSegFeatures", values);
        g_once_init_leave(&type, t);
    }
    return type;
}

#define GST_TYPE_KMEANS_SEG_INIT (gst_kmeans_seg_init_get_type())
static GType gst_kmeans_seg_init_get_type(void)
{
    static GType type = 0;
    static const GEnumValue values[] = {
        { ISEG_KMEANS_INIT_PP, "k-means++: spread the first centers out", "kmeans++" },
        { ISEG_KMEANS_INIT_RANDOM, "k random pixels", "random" },
        { 0, NULL, NULL },
    };
    if (g_once_init_enter(&type)) {
        GType t = g_enum_register_static("GstKmeansSegInit", values);
        g_once_init_leave(&type, t);
    }
    return type;
}

#define GST_TYPE_KMEANS_SEG_OUTPUT (gst_kmeans_seg_output_get_type())
static GType gst_kmeans_seg_output_get_type(void)
{
    static GType type = 0;
    static const GEnumValue values[] = {
        { ISEG_KMEANS_OUTPUT_CENTERS, "Each pixel takes its cluster's mean color", "centers" },
        { ISEG_KMEANS_OUTPUT_PALETTE, "A fixed distinct color per label", "palette" },
        { ISEG_KMEANS_OUTPUT_LABELS, "Gray value = label index (R = G = B; YUV: U = V = 128)",
          "labels" },
        { GST_KMEANS_SEG_OUTPUT_ALPHA,
          "The picture kept, alpha 255 on the labels in alpha-labels and 0 elsewhere (RGBA, "
          "BGRA, ARGB, ABGR; other formats get the centers)",
          "alpha" },
        { 0, NULL, NULL },
    };
    if (g_once_init_enter(&type)) {
        GType t = g_enum_register_static("GstKmeansSegOutput", values);
        g_once_init_leave(&type, t);
    }
    return type;
}

G_DEFINE_TYPE(GstKmeansSeg, gst_kmeans_seg, GST_TYPE_ISEG_FILTER);
GST_ELEMENT_REGISTER_DEFINE(kmeansseg, "kmeansseg", GST_RANK_NONE, GST_TYPE_KMEANS_SEG);

static void gst_kmeans_seg_set_property(GObject *object, guint prop_id, const GValue *value,
                                        GParamSpec *pspec)
{
    GstKmeansSeg *self = GST_KMEANS_SEG(object);

    GST_OBJECT_LOCK(self);
    switch (prop_id) {
    case PROP_K: self->settings.k = (int)g_value_get_uint(value); break;
    case PROP_FEATURES: self->settings.features = g_value_get_enum(value); break;
    case PROP_SPATIAL_WEIGHT: self->settings.spatial_weight = g_value_get_double(value); break;
    case PROP_MAX_ITERATIONS: self->settings.max_iterations = (int)g_value_get_uint(value); break;
    case PROP_EPSILON: self->settings.epsilon = g_value_get_double(value); break;
    case PROP_INIT: self->settings.init = g_value_get_enum(value); break;
    case PROP_SEED: self->settings.seed = g_value_get_uint(value); break;
    case PROP_WARM_START: self->settings.warm_start = g_value_get_boolean(value); break;
    case PROP_OUTPUT: self->output = g_value_get_enum(value); break;
    case PROP_HYSTERESIS: self->settings.hysteresis = g_value_get_double(value); break;
    case PROP_ALPHA_LABELS: self->alpha_labels = g_value_get_uint64(value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec); break;
    }
    GST_OBJECT_UNLOCK(self);
}

static void gst_kmeans_seg_get_property(GObject *object, guint prop_id, GValue *value,
                                        GParamSpec *pspec)
{
    GstKmeansSeg *self = GST_KMEANS_SEG(object);

    GST_OBJECT_LOCK(self);
    switch (prop_id) {
    case PROP_K: g_value_set_uint(value, (guint)self->settings.k); break;
    case PROP_FEATURES: g_value_set_enum(value, self->settings.features); break;
    case PROP_SPATIAL_WEIGHT: g_value_set_double(value, self->settings.spatial_weight); break;
    case PROP_MAX_ITERATIONS: g_value_set_uint(value, (guint)self->settings.max_iterations); break;
    case PROP_EPSILON: g_value_set_double(value, self->settings.epsilon); break;
    case PROP_INIT: g_value_set_enum(value, self->settings.init); break;
    case PROP_SEED: g_value_set_uint(value, self->settings.seed); break;
    case PROP_WARM_START: g_value_set_boolean(value, self->settings.warm_start); break;
    case PROP_OUTPUT: g_value_set_enum(value, self->output); break;
    case PROP_HYSTERESIS: g_value_set_double(value, self->settings.hysteresis); break;
    case PROP_ALPHA_LABELS: g_value_set_uint64(value, self->alpha_labels); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec); break;
    }
    GST_OBJECT_UNLOCK(self);
}

static void gst_kmeans_seg_reset(GstIsegFilter *filter)
{
    GstKmeansSeg *self = GST_KMEANS_SEG(filter);

    iseg_kmeans_reset(self->km);
}

static gboolean gst_kmeans_seg_prepare(GstIsegFilter *filter, const GstVideoInfo *info)
{
    GstKmeansSeg *self = GST_KMEANS_SEG(filter);
    static const struct {
        GstVideoFormat gst;
        IsegPixelFormat iseg;
    } formats[] = {
        { GST_VIDEO_FORMAT_RGB, ISEG_PIXEL_RGB },     { GST_VIDEO_FORMAT_BGR, ISEG_PIXEL_BGR },
        { GST_VIDEO_FORMAT_RGBx, ISEG_PIXEL_RGBX },   { GST_VIDEO_FORMAT_BGRx, ISEG_PIXEL_BGRX },
        { GST_VIDEO_FORMAT_xRGB, ISEG_PIXEL_XRGB },   { GST_VIDEO_FORMAT_xBGR, ISEG_PIXEL_XBGR },
        { GST_VIDEO_FORMAT_RGBA, ISEG_PIXEL_RGBA },   { GST_VIDEO_FORMAT_BGRA, ISEG_PIXEL_BGRA },
        { GST_VIDEO_FORMAT_ARGB, ISEG_PIXEL_ARGB },   { GST_VIDEO_FORMAT_ABGR, ISEG_PIXEL_ABGR },
        { GST_VIDEO_FORMAT_GRAY8, ISEG_PIXEL_GRAY8 },
    };
    static const GstVideoFormat yuv_formats[] = { GST_VIDEO_FORMAT_I420, GST_VIDEO_FORMAT_YV12,
                                                  GST_VIDEO_FORMAT_NV12, GST_VIDEO_FORMAT_NV21 };
    const GstVideoFormat fmt = GST_VIDEO_INFO_FORMAT(info);
    const gint w = GST_VIDEO_INFO_WIDTH(info), h = GST_VIDEO_INFO_HEIGHT(info);
    guint i;
    int ret;

    self->yuv = FALSE;
    for (i = 0; i < G_N_ELEMENTS(yuv_formats); i++)
        self->yuv |= yuv_formats[i] == fmt;
    for (i = 0; i < G_N_ELEMENTS(formats) && formats[i].gst != fmt; i++)
        ;
    if (i < G_N_ELEMENTS(formats)) {
        self->format = formats[i].iseg;
    } else if (!self->yuv) {
        GST_ERROR_OBJECT(self, "unsupported format %s", gst_video_format_to_string(fmt));
        return FALSE;
    }

    /* the caps changed: new scratch, and the next frame starts cold */
    iseg_kmeans_destroy(self->km);
    self->km = NULL;
    ret = iseg_kmeans_create(&self->km, w, h);
    if (ret < 0) {
        GST_ELEMENT_ERROR(self, CORE, NEGOTIATION, (NULL),
                          ("cannot segment %dx%d frames: %s", w, h, iseg_strerror(ret)));
        return FALSE;
    }
    return TRUE;
}

/* centers as an array (one entry per label) of arrays of doubles: R, G, B
 * (Y, U, V for the YUV formats, the gray value for GRAY8), then X, Y with
 * color-position */
static void set_centers_field(GstStructure *s, const IsegKmeansResult *r)
{
    GValue all = G_VALUE_INIT;

    g_value_init(&all, GST_TYPE_ARRAY);
    for (int j = 0; j < r->k; j++) {
        GValue center = G_VALUE_INIT;
        g_value_init(&center, GST_TYPE_ARRAY);
        for (int d = 0; d < r->dims; d++) {
            GValue v = G_VALUE_INIT;
            g_value_init(&v, G_TYPE_DOUBLE);
            g_value_set_double(&v, r->centers[j][d]);
            gst_value_array_append_and_take_value(&center, &v);
        }
        gst_value_array_append_and_take_value(&all, &center);
    }
    gst_structure_take_value(s, "centers", &all);
}

static GstFlowReturn gst_kmeans_seg_process(GstIsegFilter *filter, GstVideoFrame *in,
                                            GstVideoFrame *out)
{
    GstKmeansSeg *self = GST_KMEANS_SEG(filter);
    IsegPool *pool = gst_iseg_filter_get_pool(filter);
    const gboolean post = gst_iseg_filter_posts_messages(filter);
    IsegKmeansSettings s;
    IsegKmeansResult result;
    IsegPixels px, dst_px;
    IsegFrame view, dst;
    gint output;
    guint64 alpha_labels;
    int ret;

    GST_OBJECT_LOCK(self);
    s = self->settings;
    output = self->output;
    alpha_labels = self->alpha_labels;
    GST_OBJECT_UNLOCK(self);

    gboolean alpha = FALSE;
    if (output == GST_KMEANS_SEG_OUTPUT_ALPHA) {
        alpha = gst_iseg_filter_is_packed_alpha(in);
        if (!alpha)
            gst_iseg_filter_warn_no_alpha(filter, "the cluster centers");
        output = ISEG_KMEANS_OUTPUT_CENTERS;
    }
    s.output = (IsegKmeansOutput)output;

    /* the per-label sums behind the message cost a little: only when posted */
    if (self->yuv) {
        gst_iseg_filter_frame_view(in, &view);
        gst_iseg_filter_frame_view(out, &dst);
        ret = iseg_kmeans_segment_yuv420(self->km, &s, &view, &dst, NULL, post ? &result : NULL,
                                         pool);
    } else {
        ret = iseg_pixels_init(&px, self->format, GST_VIDEO_FRAME_PLANE_DATA(in, 0),
                               GST_VIDEO_FRAME_WIDTH(in), GST_VIDEO_FRAME_HEIGHT(in),
                               GST_VIDEO_FRAME_PLANE_STRIDE(in, 0));
        if (ret >= 0)
            ret = iseg_pixels_init(&dst_px, self->format, GST_VIDEO_FRAME_PLANE_DATA(out, 0),
                                   GST_VIDEO_FRAME_WIDTH(out), GST_VIDEO_FRAME_HEIGHT(out),
                                   GST_VIDEO_FRAME_PLANE_STRIDE(out, 0));
        if (ret < 0)
            return gst_iseg_filter_check(filter, ret, "pixel view");
        if (alpha) {
            /* the labels into the filter's scratch, made a mask there: the
             * picture kept, alpha = the mask */
            IsegImage labels, mask;
            gst_iseg_filter_alpha_scratch(filter, in, &labels);
            mask = labels;
            ret =
                iseg_kmeans_segment(self->km, &s, &px, NULL, &labels, post ? &result : NULL, pool);
            if (ret >= 0)
                ret = iseg_kmeans_labels_mask(&labels, alpha_labels, &mask);
            if (ret >= 0)
                gst_iseg_filter_packed_output(in, out, &mask, GST_ISEG_OUTPUT_ALPHA);
        } else {
            ret =
                iseg_kmeans_segment(self->km, &s, &px, &dst_px, NULL, post ? &result : NULL, pool);
        }
    }
    if (ret < 0)
        return gst_iseg_filter_check(filter, ret, "k-means");

    if (post) {
        GstStructure *msg = gst_iseg_filter_new_message(filter, in->buffer, "kmeansseg");
        set_centers_field(msg, &result);
        gst_structure_set(msg, "inertia", G_TYPE_DOUBLE, result.inertia, "iterations", G_TYPE_UINT,
                          (guint)result.iterations, NULL);
        GST_LOG_OBJECT(self, "inertia %g after %d iterations%s", result.inertia, result.iterations,
                       result.warm ? " (warm)" : "");
        gst_iseg_filter_post_message(filter, msg);
    }
    return GST_FLOW_OK;
}

static void gst_kmeans_seg_finalize(GObject *object)
{
    GstKmeansSeg *self = GST_KMEANS_SEG(object);

    iseg_kmeans_destroy(self->km);
    self->km = NULL;
    G_OBJECT_CLASS(gst_kmeans_seg_parent_class)->finalize(object);
}

static void gst_kmeans_seg_class_init(GstKmeansSegClass *klass)
{
    GObjectClass *gobject_class = G_OBJECT_CLASS(klass);
    GstElementClass *element_class = GST_ELEMENT_CLASS(klass);
    GstIsegFilterClass *iseg_class = GST_ISEG_FILTER_CLASS(klass);
    const GParamFlags flags = G_PARAM_READWRITE | GST_PARAM_CONTROLLABLE | G_PARAM_STATIC_STRINGS;

    GST_DEBUG_CATEGORY_INIT(gst_kmeans_seg_debug, "kmeansseg", 0, "k-means segmentation");

    gobject_class->set_property = gst_kmeans_seg_set_property;
    gobject_class->get_property = gst_kmeans_seg_get_property;
    gobject_class->finalize = gst_kmeans_seg_finalize;

    g_object_class_install_property(gobject_class, PROP_K,
                                    g_param_spec_uint("k", "k", "Number of clusters",
                                                      ISEG_KMEANS_MIN_K, ISEG_KMEANS_MAX_K,
                                                      DEFAULT_PROP_K, flags));
    g_object_class_install_property(
        gobject_class, PROP_FEATURES,
        g_param_spec_enum("features", "Features", "What is clustered: color, or color and position",
                          GST_TYPE_KMEANS_SEG_FEATURES, DEFAULT_PROP_FEATURES,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
    g_object_class_install_property(
        gobject_class, PROP_SPATIAL_WEIGHT,
        g_param_spec_double("spatial-weight", "Spatial weight",
                            "features=color-position: weight w of the position (x, y), each "
                            "scaled to 0..255 over the frame",
                            0.0, ISEG_KMEANS_MAX_SPATIAL_WEIGHT, DEFAULT_PROP_SPATIAL_WEIGHT,
                            flags));
    g_object_class_install_property(gobject_class, PROP_MAX_ITERATIONS,
                                    g_param_spec_uint("max-iterations", "Maximum iterations",
                                                      "Center updates per frame at most", 1,
                                                      ISEG_KMEANS_MAX_ITERATIONS,
                                                      DEFAULT_PROP_MAX_ITERATIONS, flags));
    g_object_class_install_property(
        gobject_class, PROP_EPSILON,
        g_param_spec_double("epsilon", "Epsilon",
                            "Stop when no center moved more than this (color units)", 0.0,
                            G_MAXDOUBLE, DEFAULT_PROP_EPSILON, flags));
    g_object_class_install_property(
        gobject_class, PROP_INIT,
        g_param_spec_enum("init", "Initialisation",
                          "How the centers start on the first (or a cold) frame",
                          GST_TYPE_KMEANS_SEG_INIT, DEFAULT_PROP_INIT,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
    g_object_class_install_property(
        gobject_class, PROP_SEED,
        g_param_spec_uint("seed", "Seed",
                          "Random seed of the initialisation: the same input and properties "
                          "give the same output",
                          0, G_MAXUINT, DEFAULT_PROP_SEED, flags));
    g_object_class_install_property(
        gobject_class, PROP_WARM_START,
        g_param_spec_boolean("warm-start", "Warm start",
                             "Start each frame from the previous frame's centers: stable labels "
                             "and colors across frames, few iterations (reset on flush and caps "
                             "change)",
                             DEFAULT_PROP_WARM_START, flags));
    g_object_class_install_property(
        gobject_class, PROP_OUTPUT,
        g_param_spec_enum("output", "Output",
                          "What each pixel becomes: its cluster's mean color, a fixed color "
                          "per label, the label number, or the picture with alpha = the "
                          "labels chosen by alpha-labels (formats with alpha)",
                          GST_TYPE_KMEANS_SEG_OUTPUT, DEFAULT_PROP_OUTPUT,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
    g_object_class_install_property(
        gobject_class, PROP_HYSTERESIS,
        g_param_spec_double("hysteresis", "Label hysteresis",
                            "With warm-start: a pixel keeps its previous frame's label unless "
                            "another center is nearer by more than this (color units), so "
                            "noise does not flip pixels between clusters; 0 = always the "
                            "nearest center",
                            0.0, ISEG_KMEANS_MAX_HYSTERESIS, DEFAULT_PROP_HYSTERESIS, flags));
    g_object_class_install_property(
        gobject_class, PROP_ALPHA_LABELS,
        g_param_spec_uint64("alpha-labels", "Alpha labels",
                            "output=alpha: the labels that are foreground (alpha 255), bit l "
                            "for label l (e.g. 0x6 = labels 1 and 2); the others get alpha 0. "
                            "A cold start numbers labels by increasing luminance, so the "
                            "default (every label but 0) makes the darkest cluster transparent",
                            0, G_MAXUINT64, DEFAULT_PROP_ALPHA_LABELS, flags));

    gst_element_class_set_static_metadata(
        element_class, "k-means segmentation", "Filter/Effect/Video",
        "Segments frames by k-means clustering of their pixels in color or "
        "color + position space, stable from frame to frame",
        "imageseg developers");
    gst_iseg_filter_class_add_pad_templates(element_class,
                                            GST_VIDEO_CAPS_MAKE(GST_KMEANS_SEG_FORMATS));

    iseg_class->process = GST_DEBUG_FUNCPTR(gst_kmeans_seg_process);
    iseg_class->prepare = gst_kmeans_seg_prepare;
    iseg_class->reset = gst_kmeans_seg_reset;

    gst_type_mark_as_plugin_api(GST_TYPE_KMEANS_SEG_FEATURES, 0);
    gst_type_mark_as_plugin_api(GST_TYPE_KMEANS_SEG_INIT, 0);
    gst_type_mark_as_plugin_api(GST_TYPE_KMEANS_SEG_OUTPUT, 0);
}

static void gst_kmeans_seg_init(GstKmeansSeg *self)
{
    iseg_kmeans_default_settings(&self->settings);
    self->output = DEFAULT_PROP_OUTPUT;
    self->alpha_labels = DEFAULT_PROP_ALPHA_LABELS;
    self->km = NULL;
}
