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

/* Pops the next element message from the harness element's bus (NULL if
 * none is waiting). */
GstMessage *eu_pop_element_message(GstHarness *h);

#endif
