/**
 * SECTION:element-hitmiss
 * @title: hitmiss
 *
 * The hit-or-miss transform of the binary image in the luma plane (a pixel
 * is foreground when its luma is >= 128): a structuring element says which
 * cells must be foreground (`1`), which must be background (`0`) and which
 * do not matter (`.`), so unlike opening it can ask for background around a
 * shape and detect exactly that shape. The same machinery thins (removes
 * the matches, element after element), thickens (the dual) and skeletonises
 * (thins until nothing changes: one pixel wide, connectivity kept). Output
 * is a 255/0 mask with neutral chroma. Outside the frame is background.
 * Works in place.
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 videotestsrc pattern=ball ! videoconvert ! hitmiss operation=skeleton !
 * videoconvert ! autovideosink
 * ]| The skeleton of the ball.
 * |[
 * gst-launch-1.0 videotestsrc pattern=smpte ! videoconvert ! otsuthreshold ! hitmiss structure="0 .
 * 0; 0 1 0; 0 1 0; 0 1 0; 0 . 0" ! videoconvert ! autovideosink
 * ]| Only vertical lines one pixel wide (and at least three tall).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gsthitmiss.h"

#include <errno.h>

GST_DEBUG_CATEGORY_STATIC(gst_hitmiss_debug);
#define GST_CAT_DEFAULT gst_hitmiss_debug

#define DEFAULT_PROP_OPERATION  GST_HITMISS_OPERATION_HITMISS
#define DEFAULT_PROP_STRUCTURE  ISEG_HITMISS_THINNING_SEL
#define DEFAULT_PROP_ROTATIONS  GST_HITMISS_ROTATIONS_AUTO
#define DEFAULT_PROP_ITERATIONS 1

enum {
    PROP_0,
    PROP_OPERATION,
    PROP_STRUCTURE,
    PROP_ROTATIONS,
    PROP_ITERATIONS,
};

struct _GstHitmiss {
    GstIsegFilter parent;

    /* properties, object lock */
    GstHitmissOperation operation;
    gchar *structure; /* the text last accepted */
    IsegSel *sel;     /* structure, parsed */
    GstHitmissRotations rotations;
    guint iterations;
    guint generation; /* bumped when the prepared context goes stale */

    /* streaming thread only */
    IsegHitmiss *ctx;
    guint ctx_generation;
    gint width, height; /* of the negotiated frames */
    GstHitmissOperation ctx_operation;
};

#define GST_TYPE_HITMISS_OPERATION (gst_hitmiss_operation_get_type())
static GType gst_hitmiss_operation_get_type(void)
{
    static GType type = 0;
    static const GEnumValue values[] = {
        { GST_HITMISS_OPERATION_HITMISS, "255 where some element of the set matches", "hitmiss" },
        { GST_HITMISS_OPERATION_THIN, "Remove the matches of each element in turn", "thin" },
        { GST_HITMISS_OPERATION_THICKEN,
          "Add the matches of each element with hit and miss swapped, in turn", "thicken" },
        { GST_HITMISS_OPERATION_SKELETON,
          "Thin with the built-in thinning set until nothing changes", "skeleton" },
        { 0, NULL, NULL },
    };
    if (g_once_init_enter(&type)) {
        GType t = g_enum_register_static("GstHitmissOperation", values);
        g_once_init_leave(&type, t);
    }
    return type;
}

#define GST_TYPE_HITMISS_ROTATIONS (gst_hitmiss_rotations_get_type())
static GType gst_hitmiss_rotations_get_type(void)
{
    static GType type = 0;
    static const GEnumValue values[] = {
        { GST_HITMISS_ROTATIONS_AUTO,
          "none for hitmiss; 8 for thin and thicken (4 if the element is not 3x3)", "auto" },
        { GST_HITMISS_ROTATIONS_NONE, "The element alone", "none" },
        { GST_HITMISS_ROTATIONS_4, "The element turned by 0, 90, 180, 270 degrees", "4" },
        { GST_HITMISS_ROTATIONS_8, "The element turned by multiples of 45 degrees (3x3 only)",
          "8" },
        { 0, NULL, NULL },
    };
    if (g_once_init_enter(&type)) {
        GType t = g_enum_register_static("GstHitmissRotations", values);
        g_once_init_leave(&type, t);
    }
    return type;
}

G_DEFINE_TYPE(GstHitmiss, gst_hitmiss, GST_TYPE_ISEG_FILTER);
GST_ELEMENT_REGISTER_DEFINE(hitmiss, "hitmiss", GST_RANK_NONE, GST_TYPE_HITMISS);

/* Parses text; on success replaces the structure (object lock held). */
static void set_structure(GstHitmiss *self, const gchar *text)
{
    IsegSel *sel = NULL;
    char err[256];

    if (!text) {
        GST_WARNING_OBJECT(self, "structure refused: NULL, keeping \"%s\"", self->structure);
        return;
    }
    if (iseg_sel_parse(&sel, text, ISEG_SEL_SYNTAX_HITMISS, err, sizeof(err)) < 0) {
        /* escaped, so that a structure written over several lines still
         * gives a one-line warning */
        gchar *shown = g_strescape(text, NULL), *kept = g_strescape(self->structure, NULL);
        GST_WARNING_OBJECT(self, "structure \"%s\" refused: %s; keeping \"%s\"", shown, err, kept);
        g_free(shown);
        g_free(kept);
        return;
    }
    iseg_sel_free(self->sel);
    self->sel = sel;
    g_free(self->structure);
    self->structure = g_strdup(text);
    self->generation++;
}

static void gst_hitmiss_set_property(GObject *object, guint prop_id, const GValue *value,
                                     GParamSpec *pspec)
{
    GstHitmiss *self = GST_HITMISS(object);

    GST_OBJECT_LOCK(self);
    switch (prop_id) {
    case PROP_OPERATION:
        self->operation = g_value_get_enum(value);
        self->generation++;
        break;
    case PROP_STRUCTURE: set_structure(self, g_value_get_string(value)); break;
    case PROP_ROTATIONS:
        self->rotations = g_value_get_enum(value);
        self->generation++;
        break;
    case PROP_ITERATIONS: self->iterations = g_value_get_uint(value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec); break;
    }
    GST_OBJECT_UNLOCK(self);
}

static void gst_hitmiss_get_property(GObject *object, guint prop_id, GValue *value,
                                     GParamSpec *pspec)
{
    GstHitmiss *self = GST_HITMISS(object);

    GST_OBJECT_LOCK(self);
    switch (prop_id) {
    case PROP_OPERATION: g_value_set_enum(value, self->operation); break;
    case PROP_STRUCTURE: g_value_set_string(value, self->structure); break;
    case PROP_ROTATIONS: g_value_set_enum(value, self->rotations); break;
    case PROP_ITERATIONS: g_value_set_uint(value, self->iterations); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec); break;
    }
    GST_OBJECT_UNLOCK(self);
}

/* (Re)builds the prepared operation from a snapshot of the properties.
 * Streaming thread (or set_info). */
static gboolean build_context(GstHitmiss *self)
{
    GstHitmissOperation op;
    GstHitmissRotations rot;
    IsegSel *sel = NULL;
    guint generation;
    int ret;

    GST_OBJECT_LOCK(self);
    op = self->operation;
    rot = self->rotations;
    generation = self->generation;
    ret = op == GST_HITMISS_OPERATION_SKELETON ? 0 : iseg_sel_copy(&sel, self->sel);
    GST_OBJECT_UNLOCK(self);
    if (ret < 0)
        return FALSE;

    if (sel && rot == GST_HITMISS_ROTATIONS_8 && (sel->width != 3 || sel->height != 3)) {
        GST_WARNING_OBJECT(self,
                           "rotations=8 needs a 3x3 structure, this one "
                           "is %dx%d: using its 4 quarter turns",
                           sel->width, sel->height);
        rot = GST_HITMISS_ROTATIONS_4;
    }
    iseg_hitmiss_destroy(self->ctx);
    self->ctx = NULL;
    /* skeleton: the built-in set (sel NULL) */
    ret = iseg_hitmiss_create_rotated(&self->ctx, (IsegHitmissOp)op, sel, (IsegHitmissRotations)rot,
                                      self->width, self->height);
    iseg_sel_free(sel);
    if (ret < 0) {
        GST_ERROR_OBJECT(self, "cannot prepare %dx%d: %s", self->width, self->height,
                         iseg_strerror(ret));
        return FALSE;
    }
    self->ctx_generation = generation;
    self->ctx_operation = op;
    return TRUE;
}

static gboolean gst_hitmiss_prepare(GstIsegFilter *filter, const GstVideoInfo *info)
{
    GstHitmiss *self = GST_HITMISS(filter);

    self->width = GST_VIDEO_INFO_WIDTH(info);
    self->height = GST_VIDEO_INFO_HEIGHT(info);
    return build_context(self);
}

static GstFlowReturn gst_hitmiss_process(GstIsegFilter *filter, GstVideoFrame *in,
                                         GstVideoFrame *out)
{
    GstHitmiss *self = GST_HITMISS(filter);
    IsegPool *pool = gst_iseg_filter_get_pool(filter);
    IsegHitmissStats st;
    IsegFrame view, dst;
    gboolean stale;
    guint iterations;
    int ret;

    GST_OBJECT_LOCK(self);
    stale = self->generation != self->ctx_generation || !self->ctx;
    iterations = self->iterations;
    GST_OBJECT_UNLOCK(self);
    if (stale && !build_context(self))
        return gst_iseg_filter_check(filter, -ENOMEM, "prepare");

    gst_iseg_filter_frame_view(in, &view);
    gst_iseg_filter_frame_view(out, &dst);
    ret = iseg_hitmiss_run(self->ctx, &view.luma, &dst.luma, iterations, pool, &st);
    if (ret < 0)
        return gst_iseg_filter_check(filter, ret, "hitmiss");
    ret = iseg_frame_neutral_chroma(&dst, pool);
    if (ret < 0)
        return gst_iseg_filter_check(filter, ret, "chroma");
    GST_LOG_OBJECT(self, "%" G_GUINT64_FORMAT " matches, %u passes", st.matches, st.passes);

    if (gst_iseg_filter_posts_messages(filter)) {
        GstStructure *msg = gst_iseg_filter_new_message(filter, in->buffer, "hitmiss");

        gst_structure_set(msg, "matches", G_TYPE_UINT, (guint)MIN(st.matches, G_MAXUINT),
                          "iterations", G_TYPE_UINT, st.passes, NULL);
        gst_iseg_filter_post_message(filter, msg);
    }
    return GST_FLOW_OK;
}

static void gst_hitmiss_finalize(GObject *object)
{
    GstHitmiss *self = GST_HITMISS(object);

    iseg_hitmiss_destroy(self->ctx);
    iseg_sel_free(self->sel);
    g_free(self->structure);
    G_OBJECT_CLASS(gst_hitmiss_parent_class)->finalize(object);
}

static void gst_hitmiss_class_init(GstHitmissClass *klass)
{
    GObjectClass *gobject_class = G_OBJECT_CLASS(klass);
    GstElementClass *element_class = GST_ELEMENT_CLASS(klass);
    GstIsegFilterClass *iseg_class = GST_ISEG_FILTER_CLASS(klass);

    GST_DEBUG_CATEGORY_INIT(gst_hitmiss_debug, "hitmiss", 0,
                            "Hit-or-miss transform, thinning, thickening, skeletons");

    gobject_class->set_property = gst_hitmiss_set_property;
    gobject_class->get_property = gst_hitmiss_get_property;
    gobject_class->finalize = gst_hitmiss_finalize;

    g_object_class_install_property(
        gobject_class, PROP_OPERATION,
        g_param_spec_enum("operation", "Operation",
                          "hitmiss: 255 where the element (or one of the set) matches. thin: "
                          "remove the matches of each element in turn. thicken: the dual. "
                          "skeleton: thin with the built-in thinning set until nothing "
                          "changes (structure and rotations are not used)",
                          GST_TYPE_HITMISS_OPERATION, DEFAULT_PROP_OPERATION,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
    g_object_class_install_property(
        gobject_class, PROP_STRUCTURE,
        g_param_spec_string("structure", "Structure",
                            "The element: cells 1 (must be foreground), 0 (must be background), "
                            ". x - (don't care), rows separated by ';' or newlines, e.g. "
                            "\"0 0 0; . 1 .; 1 1 1\". A malformed one is refused with a "
                            "warning and the previous one stays",
                            DEFAULT_PROP_STRUCTURE, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
    g_object_class_install_property(
        gobject_class, PROP_ROTATIONS,
        g_param_spec_enum("rotations", "Rotations",
                          "The set of elements: the structure and its turns",
                          GST_TYPE_HITMISS_ROTATIONS, DEFAULT_PROP_ROTATIONS,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
    g_object_class_install_property(
        gobject_class, PROP_ITERATIONS,
        g_param_spec_uint("iterations", "Iterations",
                          "thin / thicken: passes over the whole set, 0 = until nothing "
                          "changes",
                          0, 1000, DEFAULT_PROP_ITERATIONS,
                          G_PARAM_READWRITE | GST_PARAM_CONTROLLABLE | G_PARAM_STATIC_STRINGS));

    gst_element_class_set_static_metadata(
        element_class, "Hit-or-miss", "Filter/Effect/Video",
        "Hit-or-miss transform of the binary luma: shape detection, thinning, "
        "thickening and skeletons",
        "imageseg developers");
    gst_iseg_filter_class_add_pad_templates(element_class, GST_ISEG_LUMA_CAPS);

    iseg_class->process = GST_DEBUG_FUNCPTR(gst_hitmiss_process);
    iseg_class->prepare = gst_hitmiss_prepare;

    gst_type_mark_as_plugin_api(GST_TYPE_HITMISS_OPERATION, 0);
    gst_type_mark_as_plugin_api(GST_TYPE_HITMISS_ROTATIONS, 0);
}

static void gst_hitmiss_init(GstHitmiss *self)
{
    self->operation = DEFAULT_PROP_OPERATION;
    self->rotations = DEFAULT_PROP_ROTATIONS;
    self->iterations = DEFAULT_PROP_ITERATIONS;
    self->structure = g_strdup(DEFAULT_PROP_STRUCTURE);
    if (iseg_sel_parse(&self->sel, DEFAULT_PROP_STRUCTURE, ISEG_SEL_SYNTAX_HITMISS, NULL, 0) < 0)
        g_assert_not_reached();
    self->generation = 1;
}
