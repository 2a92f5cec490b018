/* Reads the objects `regions` finds from the buffers themselves: one
 * GstVideoRegionOfInterestMeta per object, with its box and a "region"
 * parameter holding its area and centroid. No message bus is needed; an
 * application (or a downstream element) gets them with each frame.
 *
 *   read-regions [PIPELINE-SOURCE]
 *
 * The default source is a videotestsrc ball; any gst-launch source works,
 * e.g. read-regions "v4l2src ! videoconvert". The source is thresholded
 * with otsuthreshold and its objects are printed frame by frame.
 */
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gst/video/gstvideometa.h>

int main(int argc, char **argv)
{
    const gchar *source = argc > 1 ? argv[1] : "videotestsrc num-buffers=10 pattern=ball";
    GError *error = NULL;
    gst_init(&argc, &argv);
    gchar *description = g_strdup_printf(
        "%s ! videoconvert ! video/x-raw,format=GRAY8 ! otsuthreshold ! regions min-area=20 ! "
        "appsink name=sink sync=false",
        source);
    GstElement *pipeline = gst_parse_launch(description, &error);
    g_free(description);
    if (!pipeline) {
        g_printerr("could not build the pipeline: %s\n", error->message);
        g_clear_error(&error);
        return 1;
    }
    GstElement *sink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");
    gst_element_set_state(pipeline, GST_STATE_PLAYING);

    gint frames = 0;
    GstSample *sample;
    while ((sample = gst_app_sink_pull_sample(GST_APP_SINK(sink)))) {
        GstBuffer *buf = gst_sample_get_buffer(sample);
        gpointer state = NULL;
        GstMeta *meta;
        guint objects = 0;
        g_print("frame %d:", frames);
        while ((meta = gst_buffer_iterate_meta_filtered(
                    buf, &state, GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE))) {
            GstVideoRegionOfInterestMeta *roi = (GstVideoRegionOfInterestMeta *)meta;
            GstStructure *p = gst_video_region_of_interest_meta_get_param(roi, "region");
            guint64 area = 0;
            gdouble cx = 0, cy = 0;
            if (p)
                gst_structure_get(p, "area", G_TYPE_UINT64, &area, "centroid-x", G_TYPE_DOUBLE, &cx,
                                  "centroid-y", G_TYPE_DOUBLE, &cy, NULL);
            g_print(" [%d: %ux%u at (%u,%u), %" G_GUINT64_FORMAT " px, centre (%.1f,%.1f)]",
                    roi->id, roi->w, roi->h, roi->x, roi->y, area, cx, cy);
            objects++;
        }
        g_print(" -> %u objects\n", objects);
        gst_sample_unref(sample);
        frames++;
    }
    g_print("%d frames\n", frames);
    gst_element_set_state(pipeline, GST_STATE_NULL);
    gst_object_unref(sink);
    gst_object_unref(pipeline);
    return frames > 0 ? 0 : 1;
}
