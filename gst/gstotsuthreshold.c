/**
 * SECTION:element-otsuthreshold
 * @title: otsuthreshold
 *
 * Segments each frame with one global threshold T on its luma: Otsu's
 * method (the T that maximises the between-class variance of the frame's
 * histogram), the iterative "basic global thresholding", or a fixed T.
 * Foreground is luma >= T. The output is a 255/0 mask or the original
 * pixels where foreground and black elsewhere; chroma is made neutral
 * (or kept under foreground for `output=masked`). Works in place.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 videotestsrc pattern=ball ! videoconvert ! otsuthreshold ! videoconvert !
 * autovideosink
 * ]|
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstotsuthreshold.h"

#include <math.h>

GST_DEBUG_CATEGORY_STATIC(gst_otsu_threshold_debug);
#define GST_CAT_DEFAULT gst_otsu_threshold_debug

#define DEFAULT_PROP_METHOD             GST_OTSU_THRESHOLD_METHOD_OTSU
#define DEFAULT_PROP_THRESHOLD          128
#define DEFAULT_PROP_EPSILON            0.5
#define DEFAULT_PROP_INVERT             FALSE
#define DEFAULT_PROP_OUTPUT             ISEG_OUTPUT_MASK
#define DEFAULT_PROP_TEMPORAL_SMOOTHING 0.0

enum {
    PROP_0,
    PROP_METHOD,
    PROP_THRESHOLD,
    PROP_EPSILON,
    PROP_INVERT,
    PROP_OUTPUT,
    PROP_TEMPORAL_SMOOTHING,
};

/* What one frame is processed with: copied under the object lock at the
 * start of the frame, so a property change never tears a frame. */
typedef struct {
    GstOtsuThresholdMethod method;
    guint threshold;
    gdouble epsilon;
    gboolean invert;
    IsegThresholdOutput output;
    gdouble smoothing;
} GstOtsuThresholdSettings;

struct _GstOtsuThreshold {
    GstIsegFilter parent;

    GstOtsuThresholdSettings settings; /* properties, object lock */
    guint last_threshold;              /* T applied to the last frame, object lock */
    gboolean have_last;                /* object lock */

    /* streaming thread only */
    gboolean have_previous; /* for temporal smoothing */
    guint previous_threshold;
};

#define GST_TYPE_OTSU_THRESHOLD_METHOD (gst_otsu_threshold_method_get_type())
static GType gst_otsu_threshold_method_get_type(void)
{
    static GType type = 0;
    static const GEnumValue values[] = {
        { GST_OTSU_THRESHOLD_METHOD_OTSU, "Otsu: maximise the between-class variance", "otsu" },
        { GST_OTSU_THRESHOLD_METHOD_ITERATIVE,
          "Basic global thresholding: T = (m1 + m2) / 2 until stable", "iterative" },
        { GST_OTSU_THRESHOLD_METHOD_MANUAL, "Use the threshold property", "manual" },
        { 0, NULL, NULL },
    };
    if (g_once_init_enter(&type)) {
        GType t = g_enum_register_static("GstOtsuThresholdMethod", values);
        g_once_init_leave(&type, t);
    }
    return type;
}

G_DEFINE_TYPE(GstOtsuThreshold, gst_otsu_threshold, GST_TYPE_ISEG_FILTER);
GST_ELEMENT_REGISTER_DEFINE(otsuthreshold, "otsuthreshold", GST_RANK_NONE, GST_TYPE_OTSU_THRESHOLD);

static void gst_otsu_threshold_set_property(GObject *object, guint prop_id, const GValue *value,
                                            GParamSpec *pspec)
{
    GstOtsuThreshold *self = GST_OTSU_THRESHOLD(object);

    GST_OBJECT_LOCK(self);
    switch (prop_id) {
    case PROP_METHOD: self->settings.method = g_value_get_enum(value); break;
    case PROP_THRESHOLD: self->settings.threshold = g_value_get_uint(value); break;
    case PROP_EPSILON: self->settings.epsilon = g_value_get_double(value); break;
    case PROP_INVERT: self->settings.invert = g_value_get_boolean(value); break;
    case PROP_OUTPUT: self->settings.output = g_value_get_enum(value); break;
    case PROP_TEMPORAL_SMOOTHING: self->settings.smoothing = g_value_get_double(value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec); break;
    }
    GST_OBJECT_UNLOCK(self);
}

static void gst_otsu_threshold_get_property(GObject *object, guint prop_id, GValue *value,
                                            GParamSpec *pspec)
{
    GstOtsuThreshold *self = GST_OTSU_THRESHOLD(object);

    GST_OBJECT_LOCK(self);
    switch (prop_id) {
    case PROP_METHOD: g_value_set_enum(value, self->settings.method); break;
    case PROP_THRESHOLD:
        g_value_set_uint(value, self->have_last ? self->last_threshold : self->settings.threshold);
        break;
    case PROP_EPSILON: g_value_set_double(value, self->settings.epsilon); break;
    case PROP_INVERT: g_value_set_boolean(value, self->settings.invert); break;
    case PROP_OUTPUT: g_value_set_enum(value, self->settings.output); break;
    case PROP_TEMPORAL_SMOOTHING: g_value_set_double(value, self->settings.smoothing); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec); break;
    }
    GST_OBJECT_UNLOCK(self);
}

static void gst_otsu_threshold_reset(GstIsegFilter *filter)
{
    GstOtsuThreshold *self = GST_OTSU_THRESHOLD(filter);

    self->have_previous = FALSE;
}

/* The T this frame's histogram asks for, before smoothing. */
static guint frame_threshold(const GstOtsuThresholdSettings *s, const guint64 *hist)
{
    unsigned T = s->threshold;

    switch (s->method) {
    case GST_OTSU_THRESHOLD_METHOD_OTSU: iseg_otsu_threshold(hist, &T, NULL); break;
    case GST_OTSU_THRESHOLD_METHOD_ITERATIVE:
        iseg_iterative_threshold(hist, s->epsilon, &T, NULL, NULL);
        break;
    case GST_OTSU_THRESHOLD_METHOD_MANUAL: break;
    }
    return T;
}

static GstFlowReturn gst_otsu_threshold_process(GstIsegFilter *filter, GstVideoFrame *in,
                                                GstVideoFrame *out)
{
    GstOtsuThreshold *self = GST_OTSU_THRESHOLD(filter);
    GstOtsuThresholdSettings s;
    IsegPool *pool = gst_iseg_filter_get_pool(filter);
    gboolean post = gst_iseg_filter_posts_messages(filter);
    IsegFrame view, dst;
    guint64 hist[ISEG_HIST_BINS];
    guint T;
    int ret;

    GST_OBJECT_LOCK(self);
    s = self->settings;
    GST_OBJECT_UNLOCK(self);

    const gboolean packed = gst_iseg_filter_is_packed_alpha(in);
    IsegImage mask;
    if (packed) {
        /* AYUV and the RGB orders with alpha: luma computed, mask to scratch */
        gst_iseg_filter_packed_luma(filter, in, &view.luma, &mask);
    } else {
        gst_iseg_filter_frame_view(in, &view);
        gst_iseg_filter_frame_view(out, &dst);
        if ((int)s.output == GST_ISEG_OUTPUT_ALPHA)
            s.output = gst_iseg_filter_no_alpha(filter);
    }

    if (s.method != GST_OTSU_THRESHOLD_METHOD_MANUAL || post) {
        ret = iseg_histogram(&view.luma, hist, pool);
        if (ret < 0)
            return gst_iseg_filter_check(filter, ret, "histogram");
    }

    T = frame_threshold(&s, hist);
    if (s.method != GST_OTSU_THRESHOLD_METHOD_MANUAL && self->have_previous && s.smoothing > 0.0)
        T = (guint)lround(s.smoothing * self->previous_threshold + (1.0 - s.smoothing) * T);
    self->previous_threshold = T;
    self->have_previous = TRUE;

    if (packed) {
        ret = iseg_threshold_image(&view.luma, &mask, T, s.invert, ISEG_OUTPUT_MASK, pool);
        if (ret == 0)
            gst_iseg_filter_packed_output(in, out, &mask, (int)s.output);
    } else {
        ret = iseg_threshold_frame_to(&view, &dst, T, s.invert, s.output, pool);
    }
    if (ret < 0)
        return gst_iseg_filter_check(filter, ret, "threshold");

    GST_OBJECT_LOCK(self);
    self->last_threshold = T;
    self->have_last = TRUE;
    GST_OBJECT_UNLOCK(self);
    GST_LOG_OBJECT(self, "T = %u", T);

    if (post) {
        IsegOtsuStats st;
        const guint64 n = (guint64)view.luma.width * view.luma.height;
        GstStructure *msg = gst_iseg_filter_new_message(filter, in->buffer, "otsuthreshold");

        iseg_otsu_stats(hist, T, &st);
        gst_structure_set(msg, "threshold", G_TYPE_UINT, T, "between-class-variance", G_TYPE_DOUBLE,
                          st.between, "foreground-fraction", G_TYPE_DOUBLE,
                          (gdouble)iseg_histogram_count_foreground(hist, T, s.invert) / n, NULL);
        gst_iseg_filter_post_message(filter, msg);
    }
    return GST_FLOW_OK;
}

static void gst_otsu_threshold_class_init(GstOtsuThresholdClass *klass)
{
    GObjectClass *gobject_class = G_OBJECT_CLASS(klass);
    GstElementClass *element_class = GST_ELEMENT_CLASS(klass);
    GstIsegFilterClass *iseg_class = GST_ISEG_FILTER_CLASS(klass);
    const GParamFlags flags = G_PARAM_READWRITE | GST_PARAM_CONTROLLABLE | G_PARAM_STATIC_STRINGS;

    GST_DEBUG_CATEGORY_INIT(gst_otsu_threshold_debug, "otsuthreshold", 0,
                            "Global threshold segmentation");

    gobject_class->set_property = gst_otsu_threshold_set_property;
    gobject_class->get_property = gst_otsu_threshold_get_property;

    g_object_class_install_property(
        gobject_class, PROP_METHOD,
        g_param_spec_enum("method", "Method", "How T is chosen for each frame",
                          GST_TYPE_OTSU_THRESHOLD_METHOD, DEFAULT_PROP_METHOD,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
    g_object_class_install_property(
        gobject_class, PROP_THRESHOLD,
        g_param_spec_uint("threshold", "Threshold",
                          "T, the first foreground level (foreground iff luma >= T). Written: "
                          "the T of method=manual. Read: the T applied to the last frame",
                          0, 256, DEFAULT_PROP_THRESHOLD, flags));
    g_object_class_install_property(
        gobject_class, PROP_EPSILON,
        g_param_spec_double("epsilon", "Epsilon",
                            "method=iterative stops when T changes by less than this", 1e-6, 256.0,
                            DEFAULT_PROP_EPSILON, flags));
    g_object_class_install_property(
        gobject_class, PROP_INVERT,
        g_param_spec_boolean("invert", "Invert",
                             "Foreground iff luma < T (dark objects on a light background)",
                             DEFAULT_PROP_INVERT, flags));
    g_object_class_install_property(
        gobject_class, PROP_OUTPUT,
        g_param_spec_enum(
            "output", "Output",
            "A 255/0 mask, the original pixels where foreground, or the picture with alpha = the "
            "mask (formats with alpha)",
            GST_TYPE_ISEG_OUTPUT, DEFAULT_PROP_OUTPUT, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
    g_object_class_install_property(
        gobject_class, PROP_TEMPORAL_SMOOTHING,
        g_param_spec_double("temporal-smoothing", "Temporal smoothing",
                            "a in T = round(a * T_previous + (1 - a) * T_frame): damps threshold "
                            "flicker in live video (0 = off; not applied to method=manual)",
                            0.0, 1.0, DEFAULT_PROP_TEMPORAL_SMOOTHING, flags));

    gst_element_class_set_static_metadata(
        element_class, "Otsu threshold", "Filter/Effect/Video",
        "Segments frames with a global threshold: Otsu's method, iterative "
        "basic global thresholding or a fixed level",
        "imageseg developers");
    gst_iseg_filter_class_add_pad_templates(element_class, GST_ISEG_LUMA_ALPHA_CAPS);

    iseg_class->process = GST_DEBUG_FUNCPTR(gst_otsu_threshold_process);
    iseg_class->reset = gst_otsu_threshold_reset;

    gst_type_mark_as_plugin_api(GST_TYPE_OTSU_THRESHOLD_METHOD, 0);
}

static void gst_otsu_threshold_init(GstOtsuThreshold *self)
{
    self->settings.method = DEFAULT_PROP_METHOD;
    self->settings.threshold = DEFAULT_PROP_THRESHOLD;
    self->settings.epsilon = DEFAULT_PROP_EPSILON;
    self->settings.invert = DEFAULT_PROP_INVERT;
    self->settings.output = DEFAULT_PROP_OUTPUT;
    self->settings.smoothing = DEFAULT_PROP_TEMPORAL_SMOOTHING;
}
