/**
 * SECTION:element-adaptivethreshold
 * @title: adaptivethreshold
 *
 * Segments each frame with a threshold T(x, y) computed from a block-size x
 * block-size window around every pixel of its luma: the lecture's locally
 * adaptive thresholding (`local-otsu`: Otsu's threshold of the local
 * histogram, uniform windows classified whole by their mean), the local mean
 * or Gaussian-weighted mean minus an offset (as OpenCV's adaptiveThreshold),
 * Sauvola or Niblack. Foreground is luma > T(x, y). The output is a 255/0
 * mask or the original pixels where foreground and black elsewhere; chroma is
 * made neutral (or kept under foreground for `output=masked`). Works in place.
 * The cost per pixel does not depend on block-size, except for `gaussian`.
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 videotestsrc pattern=ball ! videoconvert ! adaptivethreshold ! videoconvert !
 * autovideosink gst-launch-1.0 filesrc location=page.jpg ! jpegdec ! videoconvert !
 * adaptivethreshold method=sauvola block-size=51 invert=true ! videoconvert ! imagefreeze !
 * autovideosink
 * ]|
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstadaptivethreshold.h"

#include <errno.h>

GST_DEBUG_CATEGORY_STATIC(gst_adaptive_threshold_debug);
#define GST_CAT_DEFAULT gst_adaptive_threshold_debug

#define DEFAULT_PROP_METHOD            ISEG_ADAPTIVE_LOCAL_OTSU
#define DEFAULT_PROP_BLOCK_SIZE        31
#define DEFAULT_PROP_OFFSET            0.0
#define DEFAULT_PROP_K                 0.2
#define DEFAULT_PROP_DYNAMIC_RANGE     128.0
#define DEFAULT_PROP_MIN_CONTRAST      12.0
#define DEFAULT_PROP_UNIFORM_REFERENCE ISEG_ADAPTIVE_UNIFORM_LOCAL
#define DEFAULT_PROP_INVERT            FALSE
#define DEFAULT_PROP_OUTPUT            ISEG_OUTPUT_MASK

enum {
    PROP_0,
    PROP_METHOD,
    PROP_BLOCK_SIZE,
    PROP_OFFSET,
    PROP_K,
    PROP_DYNAMIC_RANGE,
    PROP_MIN_CONTRAST,
    PROP_UNIFORM_REFERENCE,
    PROP_INVERT,
    PROP_OUTPUT,
};

struct _GstAdaptiveThreshold {
    GstIsegFilter parent;

    /* properties, object lock: always a valid library settings set (a value
     * the library would refuse is refused here, the old one kept) */
    IsegAdaptiveSettings settings;
    IsegThresholdOutput output;

    /* streaming thread only */
    IsegAdaptive *ctx; /* prepared for the negotiated frame size */
};

#define GST_TYPE_ADAPTIVE_THRESHOLD_METHOD (gst_adaptive_threshold_method_get_type())
static GType gst_adaptive_threshold_method_get_type(void)
{
    static GType type = 0;
    static const GEnumValue values[] = {
        { ISEG_ADAPTIVE_LOCAL_OTSU,
          "The lecture's locally adaptive thresholding: Otsu's threshold of the "
          "local histogram, uniform windows classified by their mean",
          "local-otsu" },
        { ISEG_ADAPTIVE_MEAN, "T = local mean - offset", "mean" },
        { ISEG_ADAPTIVE_GAUSSIAN, "T = Gaussian-weighted local mean - offset (OpenCV's weights)",
          "gaussian" },
        { ISEG_ADAPTIVE_SAUVOLA, "Sauvola: T = m * (1 + k * (s / R - 1))", "sauvola" },
        { ISEG_ADAPTIVE_NIBLACK, "Niblack: T = m - k * s", "niblack" },
        { 0, NULL, NULL },
    };
    if (g_once_init_enter(&type)) {
        GType t = g_enum_register_static("GstAdaptiveThresholdMethod", values);
        g_once_init_leave(&type, t);
    }
    return type;
}

#define GST_TYPE_ADAPTIVE_THRESHOLD_UNIFORM (gst_adaptive_threshold_uniform_get_type())
static GType gst_adaptive_threshold_uniform_get_type(void)
{
    static GType type = 0;
    static const GEnumValue values[] = {
        { ISEG_ADAPTIVE_UNIFORM_LOCAL,
          "A uniform window is foreground when its mean is above the threshold "
          "interpolated from the nearby non-uniform windows",
          "local" },
        { ISEG_ADAPTIVE_UNIFORM_GLOBAL,
          "A uniform window is foreground when its mean is >= the frame's "
          "global Otsu threshold",
          "global" },
        { 0, NULL, NULL },
    };
    if (g_once_init_enter(&type)) {
        GType t = g_enum_register_static("GstAdaptiveThresholdUniform", values);
        g_once_init_leave(&type, t);
    }
    return type;
}

G_DEFINE_TYPE(GstAdaptiveThreshold, gst_adaptive_threshold, GST_TYPE_ISEG_FILTER);
GST_ELEMENT_REGISTER_DEFINE(adaptivethreshold, "adaptivethreshold", GST_RANK_NONE,
                            GST_TYPE_ADAPTIVE_THRESHOLD);

static void gst_adaptive_threshold_set_property(GObject *object, guint prop_id, const GValue *value,
                                                GParamSpec *pspec)
{
    GstAdaptiveThreshold *self = GST_ADAPTIVE_THRESHOLD(object);
    IsegAdaptiveSettings s;

    GST_OBJECT_LOCK(self);
    s = self->settings;
    switch (prop_id) {
    case PROP_METHOD: s.method = g_value_get_enum(value); break;
    case PROP_BLOCK_SIZE:
        s.block_size = (int)g_value_get_uint(value);
        if (s.block_size % 2 == 0) {
            GST_WARNING_OBJECT(self,
                               "block-size %d refused: the window must have "
                               "an odd side (a centre pixel); keeping %d",
                               s.block_size, self->settings.block_size);
            GST_OBJECT_UNLOCK(self);
            return;
        }
        break;
    case PROP_OFFSET: s.offset = g_value_get_double(value); break;
    case PROP_K: s.k = g_value_get_double(value); break;
    case PROP_DYNAMIC_RANGE: s.dynamic_range = g_value_get_double(value); break;
    case PROP_MIN_CONTRAST: s.min_contrast = g_value_get_double(value); break;
    case PROP_UNIFORM_REFERENCE: s.uniform = g_value_get_enum(value); break;
    case PROP_INVERT: s.invert = g_value_get_boolean(value); break;
    case PROP_OUTPUT: self->output = g_value_get_enum(value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec); break;
    }
    /* what the ranges cannot catch (NaN) */
    if (iseg_adaptive_settings_check(&s) < 0)
        GST_WARNING_OBJECT(self,
                           "%s: invalid value refused, keeping the "
                           "previous one",
                           pspec->name);
    else
        self->settings = s;
    GST_OBJECT_UNLOCK(self);
}

static void gst_adaptive_threshold_get_property(GObject *object, guint prop_id, GValue *value,
                                                GParamSpec *pspec)
{
    GstAdaptiveThreshold *self = GST_ADAPTIVE_THRESHOLD(object);

    GST_OBJECT_LOCK(self);
    switch (prop_id) {
    case PROP_METHOD: g_value_set_enum(value, self->settings.method); break;
    case PROP_BLOCK_SIZE: g_value_set_uint(value, (guint)self->settings.block_size); break;
    case PROP_OFFSET: g_value_set_double(value, self->settings.offset); break;
    case PROP_K: g_value_set_double(value, self->settings.k); break;
    case PROP_DYNAMIC_RANGE: g_value_set_double(value, self->settings.dynamic_range); break;
    case PROP_MIN_CONTRAST: g_value_set_double(value, self->settings.min_contrast); break;
    case PROP_UNIFORM_REFERENCE: g_value_set_enum(value, self->settings.uniform); break;
    case PROP_INVERT: g_value_set_boolean(value, self->settings.invert); break;
    case PROP_OUTPUT: g_value_set_enum(value, self->output); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec); break;
    }
    GST_OBJECT_UNLOCK(self);
}

/* Caps negotiated: a context for frames of this size (its scratch is
 * allocated here, not per frame). */
static gboolean gst_adaptive_threshold_prepare(GstIsegFilter *filter, const GstVideoInfo *info)
{
    GstAdaptiveThreshold *self = GST_ADAPTIVE_THRESHOLD(filter);
    IsegAdaptiveSettings s;
    int ret;

    GST_OBJECT_LOCK(self);
    s = self->settings;
    GST_OBJECT_UNLOCK(self);

    iseg_adaptive_destroy(self->ctx);
    self->ctx = NULL;
    ret = iseg_adaptive_create(&self->ctx, &s, GST_VIDEO_INFO_WIDTH(info),
                               GST_VIDEO_INFO_HEIGHT(info));
    if (ret < 0) {
        GST_ELEMENT_ERROR(self, RESOURCE, FAILED, (NULL),
                          ("cannot prepare %dx%d frames: %s", GST_VIDEO_INFO_WIDTH(info),
                           GST_VIDEO_INFO_HEIGHT(info), iseg_strerror(ret)));
        return FALSE;
    }
    return TRUE;
}

static GstFlowReturn gst_adaptive_threshold_process(GstIsegFilter *filter, GstVideoFrame *in,
                                                    GstVideoFrame *out)
{
    GstAdaptiveThreshold *self = GST_ADAPTIVE_THRESHOLD(filter);
    IsegPool *pool = gst_iseg_filter_get_pool(filter);
    IsegAdaptiveSettings s;
    IsegThresholdOutput output;
    IsegFrame view, dst;
    guint64 fg = 0;
    const gboolean posts = gst_iseg_filter_posts_messages(filter);
    int ret;

    GST_OBJECT_LOCK(self);
    s = self->settings;
    output = self->output;
    GST_OBJECT_UNLOCK(self);

    if (!self->ctx)
        return gst_iseg_filter_check(filter, -EINVAL, "not negotiated");
    /* settings are always valid here; this never allocates */
    ret = iseg_adaptive_set_settings(self->ctx, &s);
    if (ret < 0)
        return gst_iseg_filter_check(filter, ret, "settings");

    if (gst_iseg_filter_is_packed_alpha(in)) {
        /* AYUV and the RGB orders with alpha: luma computed, mask to scratch */
        IsegImage mask;
        gst_iseg_filter_packed_luma(filter, in, &view.luma, &mask);
        ret = iseg_adaptive_mask(self->ctx, &view.luma, &mask, pool);
        if (ret == 0) {
            gst_iseg_filter_packed_output(in, out, &mask, (int)output);
            for (gint y = 0; y < mask.height && posts; y++)
                for (gint x = 0; x < mask.width; x++)
                    fg += mask.data[(gsize)y * mask.stride + x] != 0;
        }
    } else {
        gst_iseg_filter_frame_view(in, &view);
        gst_iseg_filter_frame_view(out, &dst);
        if ((int)output == GST_ISEG_OUTPUT_ALPHA)
            output = gst_iseg_filter_no_alpha(filter);
        /* the foreground count only for the message: without one, out of
         * place to a mask, the output is the kernel's mask as written */
        ret = iseg_adaptive_frame_to(self->ctx, &view, &dst, output, pool, posts ? &fg : NULL);
    }
    if (ret < 0)
        return gst_iseg_filter_check(filter, ret, "adaptive threshold");

    if (posts) {
        const guint64 n = (guint64)view.luma.width * view.luma.height;
        GstStructure *msg = gst_iseg_filter_new_message(filter, in->buffer, "adaptivethreshold");
        gst_structure_set(msg, "foreground-fraction", G_TYPE_DOUBLE, (gdouble)fg / n, NULL);
        gst_iseg_filter_post_message(filter, msg);
    }
    return GST_FLOW_OK;
}

static void gst_adaptive_threshold_finalize(GObject *object)
{
    GstAdaptiveThreshold *self = GST_ADAPTIVE_THRESHOLD(object);

    iseg_adaptive_destroy(self->ctx);
    self->ctx = NULL;
    G_OBJECT_CLASS(gst_adaptive_threshold_parent_class)->finalize(object);
}

static void gst_adaptive_threshold_class_init(GstAdaptiveThresholdClass *klass)
{
    GObjectClass *gobject_class = G_OBJECT_CLASS(klass);
    GstElementClass *element_class = GST_ELEMENT_CLASS(klass);
    GstIsegFilterClass *iseg_class = GST_ISEG_FILTER_CLASS(klass);
    const GParamFlags flags = G_PARAM_READWRITE | GST_PARAM_CONTROLLABLE | G_PARAM_STATIC_STRINGS;

    GST_DEBUG_CATEGORY_INIT(gst_adaptive_threshold_debug, "adaptivethreshold", 0,
                            "Locally adaptive threshold segmentation");

    gobject_class->set_property = gst_adaptive_threshold_set_property;
    gobject_class->get_property = gst_adaptive_threshold_get_property;
    gobject_class->finalize = gst_adaptive_threshold_finalize;

    g_object_class_install_property(gobject_class, PROP_METHOD,
                                    g_param_spec_enum("method", "Method", "How T(x, y) is computed",
                                                      GST_TYPE_ADAPTIVE_THRESHOLD_METHOD,
                                                      DEFAULT_PROP_METHOD,
                                                      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
    g_object_class_install_property(
        gobject_class, PROP_BLOCK_SIZE,
        g_param_spec_uint("block-size", "Block size",
                          "Side of the window in pixels; odd (an even value is refused with a "
                          "warning and the previous one kept)",
                          ISEG_ADAPTIVE_BLOCK_MIN, ISEG_ADAPTIVE_BLOCK_MAX, DEFAULT_PROP_BLOCK_SIZE,
                          flags));
    g_object_class_install_property(
        gobject_class, PROP_OFFSET,
        g_param_spec_double("offset", "Offset",
                            "Subtracted from T for method=mean and method=gaussian (OpenCV's C)",
                            -1000.0, 1000.0, DEFAULT_PROP_OFFSET, flags));
    g_object_class_install_property(gobject_class, PROP_K,
                                    g_param_spec_double("k", "k", "Sauvola's and Niblack's k",
                                                        -100.0, 100.0, DEFAULT_PROP_K, flags));
    g_object_class_install_property(
        gobject_class, PROP_DYNAMIC_RANGE,
        g_param_spec_double("dynamic-range", "Dynamic range",
                            "Sauvola's R, the standard deviation's dynamic range", 1e-6, 1e6,
                            DEFAULT_PROP_DYNAMIC_RANGE, flags));
    g_object_class_install_property(
        gobject_class, PROP_MIN_CONTRAST,
        g_param_spec_double("min-contrast", "Minimum contrast",
                            "method=local-otsu: a window whose standard deviation is below this "
                            "is uniform and classified by its mean (0: no window is uniform)",
                            0.0, 256.0, DEFAULT_PROP_MIN_CONTRAST, flags));
    g_object_class_install_property(
        gobject_class, PROP_UNIFORM_REFERENCE,
        g_param_spec_enum("uniform-reference", "Uniform reference",
                          "method=local-otsu: the level a uniform window's mean is compared "
                          "with",
                          GST_TYPE_ADAPTIVE_THRESHOLD_UNIFORM, DEFAULT_PROP_UNIFORM_REFERENCE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
    g_object_class_install_property(
        gobject_class, PROP_INVERT,
        g_param_spec_boolean("invert", "Invert",
                             "Foreground iff luma <= T(x, y) (dark objects on a light background)",
                             DEFAULT_PROP_INVERT, flags));
    g_object_class_install_property(
        gobject_class, PROP_OUTPUT,
        g_param_spec_enum(
            "output", "Output",
            "A 255/0 mask, the original pixels where foreground, or the picture with alpha = the "
            "mask (formats with alpha)",
            GST_TYPE_ISEG_OUTPUT, DEFAULT_PROP_OUTPUT, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));

    gst_element_class_set_static_metadata(
        element_class, "Adaptive threshold", "Filter/Effect/Video",
        "Segments frames with a threshold computed from a window around each "
        "pixel: local Otsu, local mean, Gaussian mean, Sauvola or Niblack",
        "imageseg developers");
    gst_iseg_filter_class_add_pad_templates(element_class, GST_ISEG_LUMA_ALPHA_CAPS);

    iseg_class->process = GST_DEBUG_FUNCPTR(gst_adaptive_threshold_process);
    iseg_class->prepare = gst_adaptive_threshold_prepare;

    gst_type_mark_as_plugin_api(GST_TYPE_ADAPTIVE_THRESHOLD_METHOD, 0);
    gst_type_mark_as_plugin_api(GST_TYPE_ADAPTIVE_THRESHOLD_UNIFORM, 0);
}

static void gst_adaptive_threshold_init(GstAdaptiveThreshold *self)
{
    iseg_adaptive_default_settings(&self->settings);
    self->output = DEFAULT_PROP_OUTPUT;
}
