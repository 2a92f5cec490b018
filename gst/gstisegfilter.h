/* GstIsegFilter: the plumbing every imageseg element shares, written once.
 *
 * An abstract GstVideoFilter subclass that owns
 *  - the `n-threads` and `post-messages` properties and the thread pool;
 *  - gst_object_sync_values() before each frame (controllable properties);
 *  - the per-stream reset on flush, caps change and stop;
 *  - the mapping of a GstVideoFrame to the library's IsegFrame view;
 *  - per-frame element messages with timestamp, stream-time, running-time
 *    and duration (like the level element).
 * Elements derive from it, snapshot their own properties under the object
 * lock at the start of a frame and make one library call.
 *
 * Where the frame is processed (see docs/index.md, "In place or not"):
 * in place when the input buffer and all its memory may be written (nobody
 * else holds them); otherwise (a tee, imagefreeze, a buffer an application
 * keeps) out of place, reading the input and writing a buffer of the
 * negotiated pool, never copying the input first. Elements implement one
 * `process` for both: the library calls take a source and a destination
 * that may be the same frame.
 */
#ifndef GST_ISEG_FILTER_H
#define GST_ISEG_FILTER_H

#include <gst/gst.h>
#include <gst/video/gstvideofilter.h>
#include <gst/video/video.h>

#include <imageseg/imageseg.h>

G_BEGIN_DECLS

/* The formats of the four luma elements: they work on the Y plane. */
#define GST_ISEG_LUMA_FORMATS "{ GRAY8, I420, YV12, NV12, NV21, Y42B, Y444 }"
#define GST_ISEG_LUMA_CAPS    GST_VIDEO_CAPS_MAKE(GST_ISEG_LUMA_FORMATS)
/* otsuthreshold and adaptivethreshold also take the packed formats with
 * alpha, for output=alpha (a cut-out: the picture kept, alpha the mask);
 * their luma is computed per pixel (gst_iseg_filter_packed_luma). */
#define GST_ISEG_ALPHA_FORMATS "AYUV, RGBA, BGRA, ARGB, ABGR"
#define GST_ISEG_LUMA_ALPHA_CAPS                                                                   \
    GST_VIDEO_CAPS_MAKE("{ GRAY8, I420, YV12, NV12, NV21, Y42B, Y444, " GST_ISEG_ALPHA_FORMATS " " \
                        "}")

/* The third value of the shared `output` enum (GST_TYPE_ISEG_OUTPUT),
 * handled by the elements, not the library: alpha = 255 on foreground, 0
 * on background, the picture kept. */
#define GST_ISEG_OUTPUT_ALPHA 2

#define GST_TYPE_ISEG_FILTER (gst_iseg_filter_get_type())
#define GST_ISEG_FILTER(obj)                                                                       \
    (G_TYPE_CHECK_INSTANCE_CAST((obj), GST_TYPE_ISEG_FILTER, GstIsegFilter))
#define GST_ISEG_FILTER_CLASS(klass)                                                               \
    (G_TYPE_CHECK_CLASS_CAST((klass), GST_TYPE_ISEG_FILTER, GstIsegFilterClass))
#define GST_ISEG_FILTER_GET_CLASS(obj)                                                             \
    (G_TYPE_INSTANCE_GET_CLASS((obj), GST_TYPE_ISEG_FILTER, GstIsegFilterClass))
#define GST_IS_ISEG_FILTER(obj) (G_TYPE_CHECK_INSTANCE_TYPE((obj), GST_TYPE_ISEG_FILTER))

typedef struct _GstIsegFilter GstIsegFilter;
typedef struct _GstIsegFilterClass GstIsegFilterClass;

struct _GstIsegFilter {
    GstVideoFilter videofilter;

    /*< private >*/
    guint n_threads;             /* property; under the object lock */
    gboolean post_messages;      /* property; under the object lock */
    IsegPool *pool;              /* streaming thread only */
    guint pool_threads;          /* the n-threads value the pool was made for */
    guint64 frames_in_place;     /* frames processed in place / out of place, */
    guint64 frames_out_of_place; /* under the object lock (for tests, logs) */
    gboolean frame_reads_only;   /* this frame: reads_only() said so (streaming thread) */
    guint8 *packed_luma;         /* packed alpha formats: luma and mask of a frame, */
    guint8 *packed_mask;         /* width * height each (streaming thread) */
    gboolean warned_no_alpha;    /* output=alpha on a format without alpha, said once */
};

struct _GstIsegFilterClass {
    GstVideoFilterClass parent_class;

    /* Optional. Called from set_info with the negotiated input info, after
     * reset: allocate what the frames of this size and format need. */
    gboolean (*prepare)(GstIsegFilter *filter, const GstVideoInfo *info);

    /* Optional. Forget per-stream state (smoothing history, warm-start
     * centers): called on flush, caps change and stop. */
    void (*reset)(GstIsegFilter *filter);

    /* Optional. Whether this frame will only be read (its pixels pass
     * through unchanged, metas are added): then the buffer is made
     * writable as an object only — a new buffer sharing the input's memory
     * when someone else holds it, never a copy of the pixels — mapped for
     * reading, and process() is called with in == out, which it must not
     * write. Asked once per frame, on the streaming thread. */
    gboolean (*reads_only)(GstIsegFilter *filter);

    /* Required. Processes one frame: reads `in`, writes every pixel of
     * `out`. in == out (one frame mapped read-write) when the buffer is
     * processed in place; otherwise `in` is mapped for reading only and
     * `out` is a fresh buffer of the same format (its own strides). */
    GstFlowReturn (*process)(GstIsegFilter *filter, GstVideoFrame *in, GstVideoFrame *out);
};

GType gst_iseg_filter_get_type(void);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(GstIsegFilter, gst_object_unref)

/* Adds sink and src pad templates with the same caps. */
void gst_iseg_filter_class_add_pad_templates(GstElementClass *element_class, const gchar *caps_str);

/* The pool for this frame, (re)created when n-threads changed. Streaming
 * thread only. NULL when n-threads is 1 (or the pool could not be created:
 * the library then runs on the calling thread). */
IsegPool *gst_iseg_filter_get_pool(GstIsegFilter *filter);

/* How many frames were processed in place and out of place since the
 * element was made (either pointer may be NULL). */
void gst_iseg_filter_get_path_counts(GstIsegFilter *filter, guint64 *in_place,
                                     guint64 *out_of_place);

/* Whether post-messages is on (reads under the object lock). */
gboolean gst_iseg_filter_posts_messages(GstIsegFilter *filter);

/* Describes a mapped YUV/GRAY frame as the library's luma + chroma view. */
void gst_iseg_filter_frame_view(const GstVideoFrame *frame, IsegFrame *view);

/* A structure named `name` holding timestamp, stream-time, running-time
 * and duration of buf, for the caller to add its fields to and pass to
 * gst_iseg_filter_post_message(). */
GstStructure *gst_iseg_filter_new_message(GstIsegFilter *filter, GstBuffer *buf, const gchar *name);

/* Posts s (taking ownership) as an element message. */
void gst_iseg_filter_post_message(GstIsegFilter *filter, GstStructure *s);

/* Whether the negotiated format is one of GST_ISEG_ALPHA_FORMATS. */
gboolean gst_iseg_filter_is_packed_alpha(const GstVideoFrame *frame);

/* For a packed alpha frame: its luma computed into the filter's scratch
 * (AYUV: the Y bytes; RGB: BT.601 studio range, (66 R + 129 G + 25 B + 128)
 * / 256 + 16, what videoconvert gives for GRAY8), viewed as `luma`, and a
 * scratch plane of the same size for the mask, viewed as `mask`. */
void gst_iseg_filter_packed_luma(GstIsegFilter *filter, const GstVideoFrame *frame, IsegImage *luma,
                                 IsegImage *mask);

/* Writes out (a packed alpha frame; may be in) from in and a 255/0 mask:
 *   GST_ISEG_OUTPUT_ALPHA: the picture kept, alpha = the mask;
 *   ISEG_OUTPUT_MASK: the mask as the picture (R = G = B = mask; AYUV:
 *     Y = mask, U = V = 128), alpha 255;
 *   ISEG_OUTPUT_MASKED: the picture where foreground, black (RGB 0; AYUV
 *     Y 0, U = V = 128) elsewhere, alpha kept. */
void gst_iseg_filter_packed_output(const GstVideoFrame *in, GstVideoFrame *out,
                                   const IsegImage *mask, int output);

/* For output=alpha on a format without alpha: logs once that the mask is
 * given instead, and returns the output to use (ISEG_OUTPUT_MASK). */
int gst_iseg_filter_no_alpha(GstIsegFilter *filter);
/* The same warning (once) for an element whose fallback is not the mask:
 * `instead` names what it writes. */
void gst_iseg_filter_warn_no_alpha(GstIsegFilter *filter, const gchar *instead);
/* For a packed alpha frame: the filter's w x h mask scratch as an image (an
 * element may fill it with anything, e.g. labels, and make its mask there). */
void gst_iseg_filter_alpha_scratch(GstIsegFilter *filter, const GstVideoFrame *frame,
                                   IsegImage *img);

/* Reports a failed library call as an element error (never expected). */
GstFlowReturn gst_iseg_filter_check(GstIsegFilter *filter, int code, const gchar *what);

/* The shared `output` enum of otsuthreshold and adaptivethreshold. */
#define GST_TYPE_ISEG_OUTPUT (gst_iseg_output_get_type())
GType gst_iseg_output_get_type(void);

G_END_DECLS

#endif
