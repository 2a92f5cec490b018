/* Shared helpers for the element tests (GstHarness based). */
#ifndef ISEG_ELEMUTIL_H
#define ISEG_ELEMUTIL_H

#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>

#include <imageseg/imageseg.h>

/* The luma formats every luma element takes. */
extern const GstVideoFormat eu_luma_formats[];
extern const guint eu_n_luma_formats;

/* Odd sizes that produce padded strides and odd chroma sizes, plus 1x1. */
extern const gint eu_sizes[][2];
#define eu_n_sizes (eu_n_sizes_get())
guint eu_n_sizes_get(void);

/* Quick mode (ISEG_TEST_QUICK=1, used for the valgrind run, whose point is
 * leaks and invalid accesses, not pixel coverage): fewer sizes, big frames
 * shrunk to 385x289, long loops cut to a tenth. */
gboolean eu_quick(void);

/* How frames reach the element, from ISEG_TEST_INPUT (each element test is
 * run once per mode, see meson.build):
 *   writable (default): the harness holds the only reference; the element
 *     must work in place (the output is the input buffer and memory);
 *   held: the test keeps a second reference, as a tee or an application
 *     does; shared: the buffer is a new one sharing the input's memory, as
 *     imagefreeze makes. In both the element must write a buffer of its own
 *     and leave every input byte as it was (checked on every push). */
typedef enum { EU_INPUT_WRITABLE, EU_INPUT_HELD, EU_INPUT_SHARED } EuInputMode;
EuInputMode eu_input_mode(void);

/* gst_harness_push / gst_harness_push_and_pull in the mode above (in
 * consumed), with its checks. */
GstFlowReturn eu_push(GstHarness *h, GstBuffer *in);
GstBuffer *eu_push_and_pull(GstHarness *h, GstBuffer *in);
/* From now on (TRUE) the element is expected only to read frames (regions
 * output=passthrough): an input it may not write comes out in a buffer
 * sharing the input's memory, never copied; FALSE restores the default;
 * EU_READS_MAYBE: either (properties that switch it change while frames
 * flow, as in the catalogue). */
#define EU_READS_MAYBE (-1)
void eu_set_reads_only(gint reads_only);
#define EU_BIG_W (eu_quick() ? 385 : 1920)
#define EU_BIG_H (eu_quick() ? 289 : 1080)
guint eu_count(guint n);

/* A harness around a new `factory` element with src caps for fmt, w x h,
 * 30 fps. The element's bus is kept for messages (eu_pop_element_message). */
GstHarness *eu_harness_new(const gchar *factory, GstVideoFormat fmt, gint w, gint ht);
/* Tears down a harness from eu_harness_new: drops the messages left on the
 * bus first (each holds a reference to the element, which holds the bus). */
void eu_harness_teardown(GstHarness *h);
void eu_harness_set_format(GstHarness *h, GstVideoFormat fmt, gint w, gint ht);

/* A frame of fmt/w/h with default strides: luma a deterministic "photo"
 * (shading, shapes, noise from seed), chroma random. PTS = index/30 s,
 * duration 1/30 s. */
GstBuffer *eu_make_frame(GstVideoFormat fmt, gint w, gint h, guint seed, guint index);
/* The same with `pad` extra bytes at the end of every plane row (and two
 * extra rows), described by a GstVideoMeta, as a decoder or a hardware
 * buffer pool hands out. eu_map_view maps it through the meta. */
GstBuffer *eu_make_frame_padded(GstVideoFormat fmt, gint w, gint h, guint seed, guint index,
                                guint pad);
/* A frame whose luma is constant v. */
GstBuffer *eu_make_constant_frame(GstVideoFormat fmt, gint w, gint h, guint8 v);

/* Maps buf (read/write, default layout of fmt w h) and describes it as a
 * library view. Unmap with gst_video_frame_unmap. */
void eu_map_view(GstBuffer *buf, GstVideoFormat fmt, gint w, gint h, GstVideoFrame *frame,
                 IsegFrame *view);

/* Whole-buffer byte comparison; on difference prints the first offset. */
gboolean eu_buffers_equal(GstBuffer *a, GstBuffer *b, const gchar *what);

/* Sets an element up for one case of eu_check_n_threads_identical. */
typedef void (*EuConfigure)(GstElement *element, gconstpointer data);

/* Runs `factory` with n-threads 1, 2, 0 and 3 on the same EU_BIG_W x
 * EU_BIG_H frames of fmt (n_frames of them, frame i made with seed 5 + i
 * and index first_index + i, so later frames can exercise warm state) after
 * configure(element, data), and fails unless every output equals the
 * single-thread one. */
void eu_check_n_threads_identical(const gchar *factory, GstVideoFormat fmt, guint n_frames,
                                  guint first_index, EuConfigure configure, gconstpointer data,
                                  const gchar *what);

/* The packed formats with alpha that otsuthreshold and adaptivethreshold
 * take for output=alpha. */
extern const GstVideoFormat eu_alpha_formats[];
extern const guint eu_n_alpha_formats;

/* The luma of a packed alpha frame `in` as a w x h plane (g_free it): AYUV
 * its Y, RGB (66 R + 129 G + 25 B + 128) / 256 + 16. Written from the
 * format's component offsets (GstVideoFormatInfo), not the element's. */
guint8 *eu_packed_luma(GstBuffer *in, GstVideoFormat fmt, gint w, gint h);
/* The output an element must give for packed alpha input `in` and its
 * 255/0 mask (w x h): output 0 mask (the picture = the mask, alpha 255;
 * AYUV chroma 128), 1 masked (the picture where foreground, black
 * elsewhere, alpha kept), 2 alpha (the picture kept, alpha = the mask). */
GstBuffer *eu_packed_expected(GstBuffer *in, GstVideoFormat fmt, gint w, gint h, const guint8 *mask,
                              gint output);

/* The element's 255/0 mask of a w x h luma plane, by the library's
 * reference (invert as the property). */
typedef void (*EuLumaMask)(const guint8 *luma, gint w, gint h, gboolean invert, guint8 *mask);
/* Every alpha format, size, output (mask, masked, alpha) and invert
 * through a new `factory` (configure(element, NULL) first, may be NULL):
 * the output must be eu_packed_expected() of mask_fn's mask of the
 * picture's luma. */
void eu_check_alpha_formats(const gchar *factory, EuConfigure configure, EuLumaMask mask_fn);

/* Pops the next element message from the harness element's bus (NULL if
 * none is waiting). */
GstMessage *eu_pop_element_message(GstHarness *h);

/* A property value in a table row: `num` for numbers, booleans (0/1) and
 * enums (the value), `str` for strings. Tables end with a row whose name is
 * NULL. The property's own type says which field is read. */
typedef struct {
    const gchar *name;
    gdouble num;
    const gchar *str;
} EuProp;

/* Makes a `factory` element and fails unless it is a GstVideoFilter, every
 * property in `defaults` reads back its value, and every property named in
 * `controllable` (NULL-terminated) exists and is GST_PARAM_CONTROLLABLE. */
void eu_check_defaults(const gchar *factory, const EuProp *defaults,
                       const gchar *const *controllable);

/* The values a table row lists, with their count:
 * EU_VALUES(1, 65) -> { 1, 65 }, 2. */
#define EU_MAX_VALUES 4
#define EU_VALUES(...)                                                                             \
    { __VA_ARGS__ }, (guint)(sizeof((gdouble[]){ __VA_ARGS__ }) / sizeof(gdouble))
#define EU_NONE { 0 }, 0

/* One numeric property's range check: `valid` is set first; each of
 * `refused` must raise a GLib warning and leave `valid` in force; then each
 * of `accepted` (the limits) is set and must read back. A row:
 * { "k", 6, EU_VALUES(1, 65), EU_VALUES(2, 64) } or, without accepted
 * values, { "epsilon", 2.0, EU_VALUES(0.0), EU_NONE }; the last row is
 * { NULL, 0, EU_NONE, EU_NONE }. */
typedef struct {
    const gchar *name;
    gdouble valid;
    gdouble refused[EU_MAX_VALUES];
    guint n_refused;
    gdouble accepted[EU_MAX_VALUES];
    guint n_accepted;
} EuPropRange;

/* Runs the rows of `rows` (ending at a NULL name) on one new `factory`
 * element: every valid value set, then every refused one tried, then every
 * valid value checked, then the accepted ones set and read back. */
void eu_check_out_of_range(const gchar *factory, const EuPropRange *rows);

/* One case of an element test: how to set the element up, what it must
 * output for an input, and optional further checks. `data` is the caller's
 * (it may be written: e.g. expected() records a value check() compares). */
typedef struct {
    /* before the first frame (may be NULL) */
    void (*configure)(GstElement *element, gpointer data);
    /* the whole output buffer the element must give for `in` (not consumed) */
    GstBuffer *(*expected)(GstBuffer *in, GstVideoFormat fmt, gint w, gint h, gpointer data);
    /* after each frame (may be NULL); `in` is NULL unless keep_input */
    void (*check)(GstElement *element, GstBuffer *in, GstBuffer *out, GstVideoFormat fmt, gint w,
                  gint h, gpointer data);
    /* push a second reference of the input (which the element then sees as
     * not writable) and pass it to check() */
    gboolean keep_input;
} EuCase;

/* One frame through a new `factory` harness for fmt w x h: the frame is
 * eu_make_frame(fmt, w, h, seed, index); the output must equal
 * c->expected() byte for byte (`what` names the case on failure). */
void eu_check_case(const gchar *factory, GstVideoFormat fmt, gint w, gint h, guint seed,
                   guint index, const EuCase *c, gpointer data, const gchar *what);

/* Buffers whose GstVideoMeta strides are larger than the default: for each
 * of the n_fmts formats, one 385x289 harness (c->configure) gets frames
 * padded by 1, 4, 16 and 64 bytes a row (seed = pad, index 0); each input's
 * luma stride must be at least width + pad and each output must equal
 * c->expected(). */
void eu_check_video_meta_strides(const gchar *factory, const GstVideoFormat *fmts, guint n_fmts,
                                 const EuCase *c, gpointer data);

/* A caps change to one format and size. */
typedef struct {
    GstVideoFormat fmt;
    gint w, h;
} EuStep;

/* One harness (made with steps[0], then c->configure) renegotiated through
 * the n_steps steps; at step i, frames_per_step frames (seed i + 1, index
 * k) each equal c->expected(). */
void eu_check_renegotiation(const gchar *factory, const EuStep *steps, guint n_steps,
                            guint frames_per_step, const EuCase *c, gpointer data);

/* The element messages' common part: `buf` (its PTS set to pts, duration
 * 1/30 s) is pushed into h once with post-messages off, which must post
 * nothing, then (buf consumed) with post-messages on, which must post
 * exactly one element message, from the element, named `name`, whose
 * timestamp, stream-time and running-time are pts and duration 1/30 s.
 * Returns that message (unref it) for the element's own fields. */
GstMessage *eu_check_message(GstHarness *h, GstBuffer *buf, const gchar *name, GstClockTime pts);

/* Pushes `in` (consumed) into h and fails unless the output's first n
 * bytes are `expect` (the message printf-formatted from what). */
void eu_push_expect_bytes(GstHarness *h, GstBuffer *in, const guint8 *expect, gsize n,
                          const gchar *what, ...) G_GNUC_PRINTF(5, 6);

/* Whether a and b hold the same bytes (no message). */
gboolean eu_same_bytes(GstBuffer *a, GstBuffer *b);

/* Properties changed from other threads while frames flow. */
typedef struct {
    GstVideoFormat fmt;
    gint w, h;
    /* eu_count(n_frames) frames, frame i = eu_make_frame(fmt, w, h, 9,
     * same_frame ? 0 : i) */
    guint n_frames;
    gboolean same_frame;
    /* each set over and over by its own gst_harness stress thread (ends at
     * a NULL name) */
    const EuProp *knobs;
    /* before the threads start (may be NULL) */
    void (*configure)(GstElement *element, gpointer data);
    /* on the streaming side before frame i is pushed (may be NULL) */
    void (*before_frame)(GstElement *element, guint i, gpointer data);
    /* frame i's input (a copy) and output: fails unless the output is
     * the whole-frame result of one consistent set of properties */
    void (*check)(GstBuffer *in, GstBuffer *out, guint i, gpointer data);
} EuStress;

/* Runs spec on a new `factory` harness. */
void eu_stress_properties(const gchar *factory, const EuStress *spec, gpointer data);

/* Sets string property prop to value and returns what GStreamer logged on
 * stderr meanwhile (g_free it), or NULL when GST_DEBUG_FILE sends the log
 * elsewhere. */
gchar *eu_set_string_capturing_warnings(GstElement *e, const gchar *prop, const gchar *value);
/* Fails unless warnings (from the above; NULL passes) hold fragment in a
 * WARNING line of debug category category, the line showing value
 * escaped (g_strescape: one warning is one line). */
void eu_check_warning(const gchar *warnings, const gchar *category, const gchar *value,
                      const gchar *fragment);

#endif
