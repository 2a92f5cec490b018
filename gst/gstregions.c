/**
 * SECTION:element-regions
 * @title: regions
 *
 * Finds the objects in a mask: the connected components of the pixels whose
 * luma is >= `threshold` (4- or 8-connected), each with its area, bounding
 * box and centroid, labelled in raster order of their first pixel (the
 * labels of OpenCV's connectedComponentsWithStats). Components are kept by
 * `min-area`, `max-area` and `max-regions` (the largest). Every kept
 * component is attached to the buffer as a GstVideoRegionOfInterestMeta
 * (roi_type "region", id = its label, a "region" parameter structure with
 * area and centroid), whatever the `output`: the frame untouched
 * (`passthrough`, the default: nothing is written or copied), the kept
 * components painted in distinct grays (`labels`) or white (`mask`), or
 * their boxes drawn on the frame (`boxes`). With `post-messages` an element
 * message "regions" carries the count and the boxes, areas and centroids.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 v4l2src ! videoconvert ! otsuthreshold invert=true !
 * morphology operation=open ! regions output=boxes min-area=50 ! videoconvert ! autovideosink
 * ]|
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstregions.h"

#include <string.h>

GST_DEBUG_CATEGORY_STATIC(gst_regions_debug);
#define GST_CAT_DEFAULT gst_regions_debug

#define DEFAULT_PROP_THRESHOLD    128
#define DEFAULT_PROP_CONNECTIVITY GST_REGIONS_CONNECTIVITY_8
#define DEFAULT_PROP_MIN_AREA     1
#define DEFAULT_PROP_MAX_AREA     0
#define DEFAULT_PROP_MAX_REGIONS  0
#define DEFAULT_PROP_OUTPUT       GST_REGIONS_OUTPUT_PASSTHROUGH

/* luma and chroma of the box outline (BT.601 studio range: a mid gray that
 * shows on black and white masks, red where there is chroma) */
#define BOX_Y 128
#define BOX_U 90
#define BOX_V 240

typedef enum {
    GST_REGIONS_CONNECTIVITY_4 = 4,
    GST_REGIONS_CONNECTIVITY_8 = 8,
} GstRegionsConnectivity;

enum {
    PROP_0,
    PROP_THRESHOLD,
    PROP_CONNECTIVITY,
    PROP_MIN_AREA,
    PROP_MAX_AREA,
    PROP_MAX_REGIONS,
    PROP_OUTPUT,
};

typedef struct {
    guint threshold;
    GstRegionsConnectivity connectivity;
    guint64 min_area, max_area;
    guint max_regions;
    GstRegionsOutput output;
} GstRegionsSettings;

struct _GstRegions {
    GstIsegFilter parent;

    GstRegionsSettings settings; /* properties, object lock */
    guint last_count;            /* kept components of the last frame, object lock */

    /* streaming thread only */
    IsegRegions *ctx;
    guint8 *keep, *value; /* per region: kept?; per label: painted value */
    gsize keep_cap;
};

#define GST_TYPE_REGIONS_OUTPUT (gst_regions_output_get_type())
static GType gst_regions_output_get_type(void)
{
    static GType type = 0;
    static const GEnumValue values[] = {
        { GST_REGIONS_OUTPUT_PASSTHROUGH, "The frame untouched (regions as metas and messages)",
          "passthrough" },
        { GST_REGIONS_OUTPUT_LABELS,
          "Each kept component in its own gray, dropped ones and background 0", "labels" },
        { GST_REGIONS_OUTPUT_MASK, "Kept components 255, dropped ones and background 0", "mask" },
        { GST_REGIONS_OUTPUT_BOXES, "The frame with the kept components' boxes drawn on it",
          "boxes" },
        { 0, NULL, NULL },
    };
    if (g_once_init_enter(&type)) {
        GType t = g_enum_register_static("GstRegionsOutput", values);
        g_once_init_leave(&type, t);
    }
    return type;
}

#define GST_TYPE_REGIONS_CONNECTIVITY (gst_regions_connectivity_get_type())
static GType gst_regions_connectivity_get_type(void)
{
    static GType type = 0;
    static const GEnumValue values[] = {
        { GST_REGIONS_CONNECTIVITY_4, "4-connected: edge neighbours only", "4" },
        { GST_REGIONS_CONNECTIVITY_8, "8-connected: edge and corner neighbours", "8" },
        { 0, NULL, NULL },
    };
    if (g_once_init_enter(&type)) {
        GType t = g_enum_register_static("GstRegionsConnectivity", values);
        g_once_init_leave(&type, t);
    }
    return type;
}

G_DEFINE_TYPE(GstRegions, gst_regions, GST_TYPE_ISEG_FILTER);

/* The names of the ROI parameter structure and its fields, interned once
 * (a structure per component per frame: no string lookups for them). */
static GQuark q_region, q_label, q_area, q_centroid_x, q_centroid_y;
GST_ELEMENT_REGISTER_DEFINE(regions, "regions", GST_RANK_NONE, GST_TYPE_REGIONS);

static void gst_regions_set_property(GObject *object, guint prop_id, const GValue *value,
                                     GParamSpec *pspec)
{
    GstRegions *self = GST_REGIONS(object);

    GST_OBJECT_LOCK(self);
    switch (prop_id) {
    case PROP_THRESHOLD: self->settings.threshold = g_value_get_uint(value); break;
    case PROP_CONNECTIVITY: self->settings.connectivity = g_value_get_enum(value); break;
    case PROP_MIN_AREA: self->settings.min_area = g_value_get_uint64(value); break;
    case PROP_MAX_AREA: self->settings.max_area = g_value_get_uint64(value); break;
    case PROP_MAX_REGIONS: self->settings.max_regions = g_value_get_uint(value); break;
    case PROP_OUTPUT: self->settings.output = g_value_get_enum(value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec); break;
    }
    GST_OBJECT_UNLOCK(self);
}

static void gst_regions_get_property(GObject *object, guint prop_id, GValue *value,
                                     GParamSpec *pspec)
{
    GstRegions *self = GST_REGIONS(object);

    GST_OBJECT_LOCK(self);
    switch (prop_id) {
    case PROP_THRESHOLD: g_value_set_uint(value, self->settings.threshold); break;
    case PROP_CONNECTIVITY: g_value_set_enum(value, self->settings.connectivity); break;
    case PROP_MIN_AREA: g_value_set_uint64(value, self->settings.min_area); break;
    case PROP_MAX_AREA: g_value_set_uint64(value, self->settings.max_area); break;
    case PROP_MAX_REGIONS: g_value_set_uint(value, self->settings.max_regions); break;
    case PROP_OUTPUT: g_value_set_enum(value, self->settings.output); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec); break;
    }
    GST_OBJECT_UNLOCK(self);
}

static void gst_regions_free_ctx(GstRegions *self)
{
    iseg_regions_destroy(self->ctx);
    self->ctx = NULL;
}

static gboolean gst_regions_prepare(GstIsegFilter *filter, const GstVideoInfo *info)
{
    GstRegions *self = GST_REGIONS(filter);
    int ret;

    gst_regions_free_ctx(self);
    ret = iseg_regions_create(&self->ctx, GST_VIDEO_INFO_WIDTH(info), GST_VIDEO_INFO_HEIGHT(info));
    if (ret < 0) {
        GST_ELEMENT_ERROR(self, RESOURCE, FAILED, (NULL),
                          ("cannot label %dx%d frames: %s", GST_VIDEO_INFO_WIDTH(info),
                           GST_VIDEO_INFO_HEIGHT(info), iseg_strerror(ret)));
        return FALSE;
    }
    return TRUE;
}

static gboolean gst_regions_reads_only(GstIsegFilter *filter)
{
    GstRegions *self = GST_REGIONS(filter);
    gboolean ro;

    GST_OBJECT_LOCK(self);
    ro = self->settings.output == GST_REGIONS_OUTPUT_PASSTHROUGH;
    GST_OBJECT_UNLOCK(self);
    return ro;
}

static void copy_plane(const IsegImage *src, IsegImage *dst, int bytes_per_sample)
{
    if (src->data == dst->data)
        return;
    for (int y = 0; y < src->height; y++)
        memcpy(dst->data + (ptrdiff_t)y * dst->stride, src->data + (ptrdiff_t)y * src->stride,
               (size_t)src->width * bytes_per_sample);
}

/* Sets luma pixel (x, y) and its chroma sample to the box colour. */
static void box_pixel(IsegFrame *f, int x, int y)
{
    f->luma.data[(ptrdiff_t)y * f->luma.stride + x] = BOX_Y;
    for (int p = 0; p < f->n_chroma; p++) {
        IsegImage *c = &f->chroma[p];
        c->data[(ptrdiff_t)(y >> f->chroma_shift_y) * c->stride +
                (ptrdiff_t)(x >> f->chroma_shift_x) * f->chroma_pixel_stride] =
            p == 0 ? BOX_U : BOX_V;
    }
}

/* The outline of a box, `t` pixels thick inwards (clipped to the box). */
static void draw_box(IsegFrame *f, const IsegRegion *r, int t)
{
    const int x0 = r->x, y0 = r->y, x1 = r->x + r->width - 1, y1 = r->y + r->height - 1;
    for (int y = y0; y <= y1; y++)
        for (int x = x0; x <= x1; x++)
            if (x < x0 + t || x > x1 - t || y < y0 + t || y > y1 - t)
                box_pixel(f, x, y);
            else if (x == x0 + t)
                x = x1 - t; /* skip the inside */
}

static GstFlowReturn gst_regions_process(GstIsegFilter *filter, GstVideoFrame *in,
                                         GstVideoFrame *out)
{
    GstRegions *self = GST_REGIONS(filter);
    GstRegionsSettings s;
    IsegPool *pool = gst_iseg_filter_get_pool(filter);
    const gboolean post = gst_iseg_filter_posts_messages(filter);
    const IsegRegion *regs = NULL;
    IsegFrame view, dst;
    gboolean draw = TRUE;
    int n, kept, ret;

    GST_OBJECT_LOCK(self);
    s = self->settings;
    GST_OBJECT_UNLOCK(self);

    gst_iseg_filter_frame_view(in, &view);
    gst_iseg_filter_frame_view(out, &dst);

    n = iseg_regions_label(self->ctx, &view.luma, s.threshold, (int)s.connectivity, NULL, 0, &regs,
                           pool);
    if (n < 0)
        return gst_iseg_filter_check(filter, n, "label");
    if ((gsize)n + 1 > self->keep_cap) {
        self->keep_cap = MAX((gsize)n + 1, 2 * self->keep_cap);
        self->keep = g_realloc(self->keep, self->keep_cap);
        self->value = g_realloc(self->value, self->keep_cap);
    }
    kept = iseg_regions_select(regs, n, (int64_t)MIN(s.min_area, (guint64)G_MAXINT64),
                               (int64_t)MIN(s.max_area, (guint64)G_MAXINT64), (int)s.max_regions,
                               self->keep);
    if (kept < 0)
        return gst_iseg_filter_check(filter, kept, "select");

    /* the buffer was set up for this frame's output before the frame (a
     * read-only map for passthrough): if `output` changed since, follow the
     * buffer; a frame meant to be written but asked to pass through is
     * copied (a no-op in place) */
    if (filter->frame_reads_only)
        s.output = GST_REGIONS_OUTPUT_PASSTHROUGH;
    else if (s.output == GST_REGIONS_OUTPUT_PASSTHROUGH) {
        s.output = GST_REGIONS_OUTPUT_BOXES; /* the copy without the boxes */
        draw = FALSE;
    }

    switch (s.output) {
    case GST_REGIONS_OUTPUT_PASSTHROUGH: break;
    case GST_REGIONS_OUTPUT_LABELS:
    case GST_REGIONS_OUTPUT_MASK: {
        int j = 0;
        self->value[0] = 0;
        for (int i = 0; i < n; i++) {
            if (!self->keep[i]) {
                self->value[i + 1] = 0;
                continue;
            }
            /* labels: the j-th kept component's gray, 255 down to 32 in steps
             * of 53 (mod 224), so neighbours in label order differ */
            self->value[i + 1] =
                s.output == GST_REGIONS_OUTPUT_MASK ? 255 : (guint8)(255 - (j * 53) % 224);
            j++;
        }
        ret = iseg_regions_paint(self->ctx, self->value, &dst.luma);
        if (ret == 0)
            ret = iseg_frame_neutral_chroma(&dst, pool);
        if (ret < 0)
            return gst_iseg_filter_check(filter, ret, "paint");
        break;
    }
    case GST_REGIONS_OUTPUT_BOXES: {
        const int t = MAX(1, MIN(view.luma.width, view.luma.height) / 240);
        copy_plane(&view.luma, &dst.luma, 1);
        for (int p = 0; p < view.n_chroma; p++) {
            if (view.chroma_pixel_stride == 2) {
                if (p == 0) { /* the interleaved plane once, both bytes */
                    IsegImage a = view.chroma[0], b = dst.chroma[0];
                    if (view.chroma[1].data < a.data) {
                        a.data = view.chroma[1].data;
                        b.data = dst.chroma[1].data;
                    }
                    copy_plane(&a, &b, 2);
                }
            } else {
                copy_plane(&view.chroma[p], &dst.chroma[p], 1);
            }
        }
        for (int i = 0; i < n && draw; i++)
            if (self->keep[i])
                draw_box(&dst, &regs[i], t);
        break;
    }
    }

    for (int i = 0; i < n; i++) {
        if (!self->keep[i])
            continue;
        const IsegRegion *r = &regs[i];
        GstVideoRegionOfInterestMeta *meta = gst_buffer_add_video_region_of_interest_meta(
            out->buffer, "region", (guint)r->x, (guint)r->y, (guint)r->width, (guint)r->height);
        meta->id = i + 1;
        meta->parent_id = -1;
        gst_video_region_of_interest_meta_add_param(
            meta, gst_structure_new_id(q_region, q_label, G_TYPE_UINT, (guint)(i + 1), q_area,
                                       G_TYPE_UINT64, (guint64)r->area, q_centroid_x, G_TYPE_DOUBLE,
                                       iseg_region_cx(r), q_centroid_y, G_TYPE_DOUBLE,
                                       iseg_region_cy(r), NULL));
    }

    GST_OBJECT_LOCK(self);
    self->last_count = (guint)kept;
    GST_OBJECT_UNLOCK(self);
    GST_LOG_OBJECT(self, "%d components, %d kept", n, kept);

    if (post) {
        GstStructure *msg = gst_iseg_filter_new_message(filter, in->buffer, "regions");
        GValue boxes = G_VALUE_INIT, areas = G_VALUE_INIT, centroids = G_VALUE_INIT,
               labels = G_VALUE_INIT;
        g_value_init(&boxes, GST_TYPE_ARRAY);
        g_value_init(&areas, GST_TYPE_ARRAY);
        g_value_init(&centroids, GST_TYPE_ARRAY);
        g_value_init(&labels, GST_TYPE_ARRAY);
        for (int i = 0; i < n; i++) {
            if (!self->keep[i])
                continue;
            const IsegRegion *r = &regs[i];
            GValue box = G_VALUE_INIT, c = G_VALUE_INIT, v = G_VALUE_INIT;
            const gint b[4] = { r->x, r->y, r->width, r->height };
            g_value_init(&box, GST_TYPE_ARRAY);
            for (int k = 0; k < 4; k++) {
                g_value_init(&v, G_TYPE_INT);
                g_value_set_int(&v, b[k]);
                gst_value_array_append_and_take_value(&box, &v);
            }
            gst_value_array_append_and_take_value(&boxes, &box);
            g_value_init(&c, GST_TYPE_ARRAY);
            g_value_init(&v, G_TYPE_DOUBLE);
            g_value_set_double(&v, iseg_region_cx(r));
            gst_value_array_append_and_take_value(&c, &v);
            g_value_init(&v, G_TYPE_DOUBLE);
            g_value_set_double(&v, iseg_region_cy(r));
            gst_value_array_append_and_take_value(&c, &v);
            gst_value_array_append_and_take_value(&centroids, &c);
            g_value_init(&v, G_TYPE_UINT64);
            g_value_set_uint64(&v, (guint64)r->area);
            gst_value_array_append_and_take_value(&areas, &v);
            g_value_init(&v, G_TYPE_UINT);
            g_value_set_uint(&v, (guint)(i + 1));
            gst_value_array_append_and_take_value(&labels, &v);
        }
        gst_structure_set(msg, "count", G_TYPE_UINT, (guint)kept, "components", G_TYPE_UINT,
                          (guint)n, NULL);
        gst_structure_take_value(msg, "labels", &labels);
        gst_structure_take_value(msg, "boxes", &boxes);
        gst_structure_take_value(msg, "areas", &areas);
        gst_structure_take_value(msg, "centroids", &centroids);
        gst_iseg_filter_post_message(filter, msg);
    }
    return GST_FLOW_OK;
}

static void gst_regions_finalize(GObject *object)
{
    GstRegions *self = GST_REGIONS(object);

    gst_regions_free_ctx(self);
    g_free(self->keep);
    g_free(self->value);
    G_OBJECT_CLASS(gst_regions_parent_class)->finalize(object);
}

static void gst_regions_class_init(GstRegionsClass *klass)
{
    q_region = g_quark_from_static_string("region");
    q_label = g_quark_from_static_string("label");
    q_area = g_quark_from_static_string("area");
    q_centroid_x = g_quark_from_static_string("centroid-x");
    q_centroid_y = g_quark_from_static_string("centroid-y");
    GObjectClass *gobject_class = G_OBJECT_CLASS(klass);
    GstElementClass *element_class = GST_ELEMENT_CLASS(klass);
    GstIsegFilterClass *iseg_class = GST_ISEG_FILTER_CLASS(klass);
    const GParamFlags flags = G_PARAM_READWRITE | GST_PARAM_CONTROLLABLE | G_PARAM_STATIC_STRINGS;

    GST_DEBUG_CATEGORY_INIT(gst_regions_debug, "regions", 0, "Connected components of masks");

    gobject_class->set_property = gst_regions_set_property;
    gobject_class->get_property = gst_regions_get_property;
    gobject_class->finalize = gst_regions_finalize;

    g_object_class_install_property(
        gobject_class, PROP_THRESHOLD,
        g_param_spec_uint("threshold", "Threshold",
                          "A pixel belongs to the mask iff its luma is >= this (the other "
                          "elements' masks are 255/0)",
                          1, 255, DEFAULT_PROP_THRESHOLD, flags));
    g_object_class_install_property(
        gobject_class, PROP_CONNECTIVITY,
        g_param_spec_enum("connectivity", "Connectivity",
                          "Which neighbours join a component: 4 (edges) or 8 (edges and corners)",
                          GST_TYPE_REGIONS_CONNECTIVITY, DEFAULT_PROP_CONNECTIVITY, flags));
    g_object_class_install_property(gobject_class, PROP_MIN_AREA,
                                    g_param_spec_uint64("min-area", "Minimum area",
                                                        "Components of fewer pixels are dropped", 0,
                                                        G_MAXINT64, DEFAULT_PROP_MIN_AREA, flags));
    g_object_class_install_property(
        gobject_class, PROP_MAX_AREA,
        g_param_spec_uint64("max-area", "Maximum area",
                            "Components of more pixels are dropped (0: no limit)", 0, G_MAXINT64,
                            DEFAULT_PROP_MAX_AREA, flags));
    g_object_class_install_property(
        gobject_class, PROP_MAX_REGIONS,
        g_param_spec_uint("max-regions", "Maximum regions",
                          "Keep only this many of the components left, the largest (ties: the "
                          "lower label); 0: all",
                          0, G_MAXINT, DEFAULT_PROP_MAX_REGIONS, flags));
    g_object_class_install_property(
        gobject_class, PROP_OUTPUT,
        g_param_spec_enum("output", "Output",
                          "What the frame becomes; every mode attaches one "
                          "GstVideoRegionOfInterestMeta per kept component",
                          GST_TYPE_REGIONS_OUTPUT, DEFAULT_PROP_OUTPUT,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));

    gst_element_class_set_static_metadata(
        element_class, "Regions", "Filter/Analyzer/Video",
        "Connected components of a mask: count, boxes, areas and centroids as region-of-interest "
        "metas and messages; labels, filtered mask or boxes drawn",
        "imageseg developers");
    gst_iseg_filter_class_add_pad_templates(element_class, GST_ISEG_LUMA_CAPS);

    iseg_class->prepare = gst_regions_prepare;
    iseg_class->reads_only = gst_regions_reads_only;
    iseg_class->process = GST_DEBUG_FUNCPTR(gst_regions_process);

    gst_type_mark_as_plugin_api(GST_TYPE_REGIONS_OUTPUT, 0);
    gst_type_mark_as_plugin_api(GST_TYPE_REGIONS_CONNECTIVITY, 0);
}

static void gst_regions_init(GstRegions *self)
{
    self->settings.threshold = DEFAULT_PROP_THRESHOLD;
    self->settings.connectivity = DEFAULT_PROP_CONNECTIVITY;
    self->settings.min_area = DEFAULT_PROP_MIN_AREA;
    self->settings.max_area = DEFAULT_PROP_MAX_AREA;
    self->settings.max_regions = DEFAULT_PROP_MAX_REGIONS;
    self->settings.output = DEFAULT_PROP_OUTPUT;
}
