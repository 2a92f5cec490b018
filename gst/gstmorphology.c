/**
 * SECTION:element-morphology
 * @title: morphology
 *
 * Grayscale morphology on the luma plane with a structuring element:
 * erosion (the minimum under the element: "the element fits"), dilation
 * (the maximum: "the element touches"), opening, closing, gradient,
 * top-hat and black-hat, repeated `iterations` times. On a binary mask
 * (0/255, e.g. the output of otsuthreshold) this is binary morphology.
 * The element is a rectangle, cross or ellipse of `width` x `height`
 * (the same masks as OpenCV's getStructuringElement) or any `structure`
 * of 1/0 cells; its origin is (width / 2, height / 2). Results equal
 * OpenCV's morphologyEx pixel for pixel (BORDER_REPLICATE for
 * `border=replicate`, the default border for `border=neutral`). Chroma is
 * made neutral. Works in place.
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 videotestsrc pattern=ball ! videoconvert ! otsuthreshold ! morphology
 * operation=open shape=ellipse width=9 height=9 ! videoconvert ! autovideosink
 * ]|
 * |[
 * gst-launch-1.0 videotestsrc ! videoconvert ! morphology operation=gradient structure="0 1 0; 1 1
 * 1; 0 1 0" ! videoconvert ! autovideosink
 * ]|
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstmorphology.h"

#include <errno.h>

GST_DEBUG_CATEGORY_STATIC(gst_morphology_debug);
#define GST_CAT_DEFAULT gst_morphology_debug

#define DEFAULT_PROP_OPERATION  ISEG_MORPH_ERODE
#define DEFAULT_PROP_SHAPE      GST_MORPHOLOGY_SHAPE_RECT
#define DEFAULT_PROP_WIDTH      3
#define DEFAULT_PROP_HEIGHT     3
#define DEFAULT_PROP_STRUCTURE  ""
#define DEFAULT_PROP_ITERATIONS 1
#define DEFAULT_PROP_BORDER     ISEG_MORPH_BORDER_REPLICATE

enum {
    PROP_0,
    PROP_OPERATION,
    PROP_SHAPE,
    PROP_WIDTH,
    PROP_HEIGHT,
    PROP_STRUCTURE,
    PROP_ITERATIONS,
    PROP_BORDER,
};

/* What one frame is processed with: copied under the object lock at the
 * start of the frame, so a property change never tears a frame. */
typedef struct {
    IsegMorphOp operation;
    GstMorphologyShape shape;
    guint width;
    guint height;
    guint iterations;
    IsegMorphBorder border;
} GstMorphologySettings;

struct _GstMorphology {
    GstIsegFilter parent;

    /* object lock */
    GstMorphologySettings settings;
    gchar *structure; /* the accepted structure text, "" for none */
    IsegSel *custom;  /* parsed structure, NULL for none */
    guint generation; /* bumped by every change of the element or operation */

    /* streaming thread only */
    IsegMorph *ctx; /* compiled for ctx_generation and the caps */
    guint ctx_generation;
    gint max_width, max_height; /* frame size of the caps: scratch is made for it */
};

#define GST_TYPE_MORPHOLOGY_OPERATION (gst_morphology_operation_get_type())
static GType gst_morphology_operation_get_type(void)
{
    static GType type = 0;
    static const GEnumValue values[] = {
        { ISEG_MORPH_ERODE, "Erosion: minimum under the element", "erode" },
        { ISEG_MORPH_DILATE, "Dilation: maximum under the element", "dilate" },
        { ISEG_MORPH_OPEN, "Opening: erosion then dilation", "open" },
        { ISEG_MORPH_CLOSE, "Closing: dilation then erosion", "close" },
        { ISEG_MORPH_GRADIENT, "Gradient: dilation - erosion", "gradient" },
        { ISEG_MORPH_TOPHAT, "Top-hat: source - opening", "tophat" },
        { ISEG_MORPH_BLACKHAT, "Black-hat: closing - source", "blackhat" },
        { 0, NULL, NULL },
    };
    if (g_once_init_enter(&type)) {
        GType t = g_enum_register_static("GstMorphologyOperation", values);
        g_once_init_leave(&type, t);
    }
    return type;
}

#define GST_TYPE_MORPHOLOGY_SHAPE (gst_morphology_shape_get_type())
static GType gst_morphology_shape_get_type(void)
{
    static GType type = 0;
    static const GEnumValue values[] = {
        { GST_MORPHOLOGY_SHAPE_RECT, "Rectangle of width x height", "rect" },
        { GST_MORPHOLOGY_SHAPE_CROSS, "Cross of width x height", "cross" },
        { GST_MORPHOLOGY_SHAPE_ELLIPSE, "Ellipse inscribed in width x height", "ellipse" },
        { GST_MORPHOLOGY_SHAPE_CUSTOM, "The structure property", "custom" },
        { 0, NULL, NULL },
    };
    if (g_once_init_enter(&type)) {
        GType t = g_enum_register_static("GstMorphologyShape", values);
        g_once_init_leave(&type, t);
    }
    return type;
}

#define GST_TYPE_MORPHOLOGY_BORDER (gst_morphology_border_get_type())
static GType gst_morphology_border_get_type(void)
{
    static GType type = 0;
    static const GEnumValue values[] = {
        { ISEG_MORPH_BORDER_REPLICATE, "Outside pixels repeat the nearest edge pixel",
          "replicate" },
        { ISEG_MORPH_BORDER_NEUTRAL, "Outside pixels never affect the result", "neutral" },
        { 0, NULL, NULL },
    };
    if (g_once_init_enter(&type)) {
        GType t = g_enum_register_static("GstMorphologyBorder", values);
        g_once_init_leave(&type, t);
    }
    return type;
}

G_DEFINE_TYPE(GstMorphology, gst_morphology, GST_TYPE_ISEG_FILTER);
GST_ELEMENT_REGISTER_DEFINE(morphology, "morphology", GST_RANK_NONE, GST_TYPE_MORPHOLOGY);

/* Parses and installs a new structure; returns FALSE (and warns, keeping
 * the previous structure) when the text is malformed. Object lock held. */
static gboolean set_structure_locked(GstMorphology *self, const gchar *text)
{
    IsegSel *sel = NULL;
    gchar err[256];

    if (!text || !*text) {
        /* no custom element any more */
        iseg_sel_free(self->custom);
        self->custom = NULL;
        g_free(self->structure);
        self->structure = g_strdup("");
        if (self->settings.shape == GST_MORPHOLOGY_SHAPE_CUSTOM)
            self->settings.shape = GST_MORPHOLOGY_SHAPE_RECT;
        return TRUE;
    }
    if (iseg_sel_parse(&sel, text, ISEG_SEL_SYNTAX_BINARY, err, sizeof(err)) < 0) {
        /* escaped, so that a structure written over several lines still
         * gives a one-line warning */
        gchar *shown = g_strescape(text, NULL), *kept = g_strescape(self->structure, NULL);
        GST_WARNING_OBJECT(self, "structure \"%s\" refused: %s; keeping \"%s\"", shown, err, kept);
        g_free(shown);
        g_free(kept);
        return FALSE;
    }
    if (iseg_sel_count(sel, ISEG_SEL_HIT) == 0) {
        gchar *shown = g_strescape(text, NULL), *kept = g_strescape(self->structure, NULL);
        GST_WARNING_OBJECT(self,
                           "structure \"%s\" refused: no cell is 1, the "
                           "element would be empty; keeping \"%s\"",
                           shown, kept);
        g_free(shown);
        g_free(kept);
        iseg_sel_free(sel);
        return FALSE;
    }
    iseg_sel_free(self->custom);
    self->custom = sel;
    g_free(self->structure);
    self->structure = g_strdup(text);
    self->settings.shape = GST_MORPHOLOGY_SHAPE_CUSTOM;
    self->settings.width = sel->width;
    self->settings.height = sel->height;
    return TRUE;
}

static gboolean settings_equal(const GstMorphologySettings *a, const GstMorphologySettings *b)
{
    return a->operation == b->operation && a->shape == b->shape && a->width == b->width &&
           a->height == b->height && a->iterations == b->iterations && a->border == b->border;
}

static void gst_morphology_set_property(GObject *object, guint prop_id, const GValue *value,
                                        GParamSpec *pspec)
{
    GstMorphology *self = GST_MORPHOLOGY(object);
    gboolean structure_set = FALSE, structure_changed = FALSE;
    GstMorphologySettings before;

    GST_OBJECT_LOCK(self);
    before = self->settings;
    switch (prop_id) {
    case PROP_OPERATION: self->settings.operation = g_value_get_enum(value); break;
    case PROP_SHAPE: self->settings.shape = g_value_get_enum(value); break;
    case PROP_WIDTH: self->settings.width = g_value_get_uint(value); break;
    case PROP_HEIGHT: self->settings.height = g_value_get_uint(value); break;
    case PROP_STRUCTURE: {
        const gchar *text = g_value_get_string(value);
        structure_changed = g_strcmp0(text ? text : "", self->structure) != 0;
        structure_set = set_structure_locked(self, text);
        structure_changed = structure_changed && structure_set;
        break;
    }
    case PROP_ITERATIONS: self->settings.iterations = g_value_get_uint(value); break;
    case PROP_BORDER: self->settings.border = g_value_get_enum(value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec); break;
    }
    /* only a real change recompiles: a controlled property is set on every
     * frame, mostly to the value it has */
    if (structure_changed || !settings_equal(&before, &self->settings))
        self->generation++;
    GST_OBJECT_UNLOCK(self);

    if (structure_set) {
        g_object_notify(object, "shape");
        g_object_notify(object, "width");
        g_object_notify(object, "height");
    }
}

static void gst_morphology_get_property(GObject *object, guint prop_id, GValue *value,
                                        GParamSpec *pspec)
{
    GstMorphology *self = GST_MORPHOLOGY(object);

    GST_OBJECT_LOCK(self);
    switch (prop_id) {
    case PROP_OPERATION: g_value_set_enum(value, self->settings.operation); break;
    case PROP_SHAPE: g_value_set_enum(value, self->settings.shape); break;
    case PROP_WIDTH: g_value_set_uint(value, self->settings.width); break;
    case PROP_HEIGHT: g_value_set_uint(value, self->settings.height); break;
    case PROP_STRUCTURE: g_value_set_string(value, self->structure); break;
    case PROP_ITERATIONS: g_value_set_uint(value, self->settings.iterations); break;
    case PROP_BORDER: g_value_set_enum(value, self->settings.border); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec); break;
    }
    GST_OBJECT_UNLOCK(self);
}

/* The element to compile for settings s: a copy of the custom structure or
 * a shape. NULL when out of memory. */
static IsegSel *make_sel(GstMorphology *self, const GstMorphologySettings *s, const IsegSel *custom)
{
    IsegSel *sel = NULL;

    if (s->shape == GST_MORPHOLOGY_SHAPE_CUSTOM) {
        if (custom) {
            iseg_sel_copy(&sel, custom);
            return sel;
        }
        GST_WARNING_OBJECT(self,
                           "shape=custom without a structure: using a "
                           "%ux%u rectangle",
                           s->width, s->height);
    }
    iseg_sel_create_shape(
        &sel, s->shape == GST_MORPHOLOGY_SHAPE_CUSTOM ? ISEG_SEL_RECT : (IsegSelShape)s->shape,
        s->width, s->height);
    return sel;
}

/* Compiles the element for the current properties if they changed since
 * the context was made (or the caps did). */
static int ensure_context(GstMorphology *self)
{
    GstMorphologySettings s;
    IsegSel *custom = NULL, *sel;
    IsegMorphSettings ms;
    guint generation;
    int ret;

    GST_OBJECT_LOCK(self);
    generation = self->generation;
    if (self->ctx && generation == self->ctx_generation) {
        GST_OBJECT_UNLOCK(self);
        return 0;
    }
    s = self->settings;
    if (s.shape == GST_MORPHOLOGY_SHAPE_CUSTOM && self->custom)
        iseg_sel_copy(&custom, self->custom);
    GST_OBJECT_UNLOCK(self);

    sel = make_sel(self, &s, custom);
    iseg_sel_free(custom);
    if (!sel)
        return -ENOMEM;
    iseg_morph_default_settings(&ms);
    ms.op = s.operation;
    ms.iterations = s.iterations;
    ms.border = s.border;
    ms.max_width = self->max_width;
    ms.max_height = self->max_height;
    iseg_morph_destroy(self->ctx);
    self->ctx = NULL;
    ret = iseg_morph_create(&self->ctx, sel, &ms);
    iseg_sel_free(sel);
    if (ret < 0)
        return ret;
    self->ctx_generation = generation;
    GST_DEBUG_OBJECT(self, "compiled %s, %s %ux%u, %u iteration(s), border %s",
                     iseg_morph_op_name(s.operation),
                     s.shape == GST_MORPHOLOGY_SHAPE_CUSTOM  ? "custom"
                     : s.shape == GST_MORPHOLOGY_SHAPE_RECT  ? "rect"
                     : s.shape == GST_MORPHOLOGY_SHAPE_CROSS ? "cross"
                                                             : "ellipse",
                     s.width, s.height, s.iterations, iseg_morph_border_name(s.border));
    return 0;
}

static gboolean gst_morphology_prepare(GstIsegFilter *filter, const GstVideoInfo *info)
{
    GstMorphology *self = GST_MORPHOLOGY(filter);

    /* recompiled on the next frame with scratch for this frame size */
    self->max_width = GST_VIDEO_INFO_WIDTH(info);
    self->max_height = GST_VIDEO_INFO_HEIGHT(info);
    iseg_morph_destroy(self->ctx);
    self->ctx = NULL;
    return TRUE;
}

static GstFlowReturn gst_morphology_process(GstIsegFilter *filter, GstVideoFrame *in,
                                            GstVideoFrame *out)
{
    GstMorphology *self = GST_MORPHOLOGY(filter);
    IsegPool *pool = gst_iseg_filter_get_pool(filter);
    IsegFrame view, dst;
    int ret;

    ret = ensure_context(self);
    if (ret < 0)
        return gst_iseg_filter_check(filter, ret, "morphology element");

    gst_iseg_filter_frame_view(in, &view);
    gst_iseg_filter_frame_view(out, &dst);
    ret = iseg_morph_apply(self->ctx, &view.luma, &dst.luma, pool);
    if (ret < 0)
        return gst_iseg_filter_check(filter, ret, "morphology");
    ret = iseg_frame_neutral_chroma(&dst, pool);
    if (ret < 0)
        return gst_iseg_filter_check(filter, ret, "chroma");

    if (gst_iseg_filter_posts_messages(filter))
        gst_iseg_filter_post_message(filter,
                                     gst_iseg_filter_new_message(filter, in->buffer, "morphology"));
    return GST_FLOW_OK;
}

static void gst_morphology_finalize(GObject *object)
{
    GstMorphology *self = GST_MORPHOLOGY(object);

    iseg_morph_destroy(self->ctx);
    iseg_sel_free(self->custom);
    g_free(self->structure);
    G_OBJECT_CLASS(gst_morphology_parent_class)->finalize(object);
}

static void gst_morphology_class_init(GstMorphologyClass *klass)
{
    GObjectClass *gobject_class = G_OBJECT_CLASS(klass);
    GstElementClass *element_class = GST_ELEMENT_CLASS(klass);
    GstIsegFilterClass *iseg_class = GST_ISEG_FILTER_CLASS(klass);
    const GParamFlags flags = G_PARAM_READWRITE | GST_PARAM_CONTROLLABLE | G_PARAM_STATIC_STRINGS;

    GST_DEBUG_CATEGORY_INIT(gst_morphology_debug, "morphology", 0, "Grayscale morphology");

    gobject_class->set_property = gst_morphology_set_property;
    gobject_class->get_property = gst_morphology_get_property;
    gobject_class->finalize = gst_morphology_finalize;

    g_object_class_install_property(
        gobject_class, PROP_OPERATION,
        g_param_spec_enum("operation", "Operation",
                          "erode, dilate, open, close, gradient (dilate - erode), tophat "
                          "(src - open) or blackhat (close - src)",
                          GST_TYPE_MORPHOLOGY_OPERATION, DEFAULT_PROP_OPERATION,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
    g_object_class_install_property(
        gobject_class, PROP_SHAPE,
        g_param_spec_enum("shape", "Shape",
                          "Structuring element: rect, cross or ellipse of width x height "
                          "(OpenCV's getStructuringElement masks), or custom (the structure "
                          "property)",
                          GST_TYPE_MORPHOLOGY_SHAPE, DEFAULT_PROP_SHAPE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
    g_object_class_install_property(
        gobject_class, PROP_WIDTH,
        g_param_spec_uint("width", "Width", "Element width in pixels; origin at column width / 2",
                          1, ISEG_SEL_MAX_SIDE, DEFAULT_PROP_WIDTH, flags));
    g_object_class_install_property(
        gobject_class, PROP_HEIGHT,
        g_param_spec_uint("height", "Height", "Element height in pixels; origin at row height / 2",
                          1, ISEG_SEL_MAX_SIDE, DEFAULT_PROP_HEIGHT, flags));
    g_object_class_install_property(
        gobject_class, PROP_STRUCTURE,
        g_param_spec_string("structure", "Structure",
                            "Custom element: rows separated by ';' or newlines, cells 1/0 "
                            "separated by optional spaces or commas, e.g. \"0 1 0; 1 1 1; 0 1 0\". "
                            "Setting it sets shape=custom and width/height to its size; a "
                            "malformed string is refused with a warning. \"\" removes it",
                            DEFAULT_PROP_STRUCTURE, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
    g_object_class_install_property(
        gobject_class, PROP_ITERATIONS,
        g_param_spec_uint("iterations", "Iterations",
                          "Times each erosion / dilation is applied (open = erode n times, "
                          "then dilate n times)",
                          1, ISEG_MORPH_MAX_ITERATIONS, DEFAULT_PROP_ITERATIONS, flags));
    g_object_class_install_property(
        gobject_class, PROP_BORDER,
        g_param_spec_enum("border", "Border",
                          "Pixels outside the frame: replicate the edge (OpenCV "
                          "BORDER_REPLICATE) or never affect the result (OpenCV's default)",
                          GST_TYPE_MORPHOLOGY_BORDER, DEFAULT_PROP_BORDER,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));

    gst_element_class_set_static_metadata(
        element_class, "Morphology", "Filter/Effect/Video",
        "Grayscale and binary morphology (erode, dilate, open, close, "
        "gradient, top-hat, black-hat) with any structuring element",
        "imageseg developers");
    gst_iseg_filter_class_add_pad_templates(element_class, GST_ISEG_LUMA_CAPS);

    iseg_class->process = GST_DEBUG_FUNCPTR(gst_morphology_process);
    iseg_class->prepare = gst_morphology_prepare;

    gst_type_mark_as_plugin_api(GST_TYPE_MORPHOLOGY_OPERATION, 0);
    gst_type_mark_as_plugin_api(GST_TYPE_MORPHOLOGY_SHAPE, 0);
    gst_type_mark_as_plugin_api(GST_TYPE_MORPHOLOGY_BORDER, 0);
}

static void gst_morphology_init(GstMorphology *self)
{
    self->settings.operation = DEFAULT_PROP_OPERATION;
    self->settings.shape = DEFAULT_PROP_SHAPE;
    self->settings.width = DEFAULT_PROP_WIDTH;
    self->settings.height = DEFAULT_PROP_HEIGHT;
    self->settings.iterations = DEFAULT_PROP_ITERATIONS;
    self->settings.border = DEFAULT_PROP_BORDER;
    self->structure = g_strdup(DEFAULT_PROP_STRUCTURE);
}
