/* Builds a pipeline with otsuthreshold and kmeansseg side by side, reads
 * their per-frame element messages from the bus and prints the threshold
 * and the k-means centers of every frame.
 *
 *   read-messages [PIPELINE-SOURCE]
 *
 * The default source is videotestsrc; any gst-launch source description
 * works, e.g. read-messages "v4l2src ! videoconvert".
 */
#include <gst/gst.h>

int main(int argc, char **argv)
{
    const gchar *source = argc > 1 ? argv[1] : "videotestsrc num-buffers=10 pattern=ball";
    GError *error = NULL;
    gchar *description;
    GstElement *pipeline;
    GstBus *bus;
    gboolean done = FALSE;
    gint frames = 0, status = 0;

    gst_init(&argc, &argv);
    description =
        g_strdup_printf("%s ! videoconvert ! tee name=t "
                        "t. ! queue ! otsuthreshold post-messages=true temporal-smoothing=0.5 ! "
                        "fakesink "
                        "t. ! queue ! videoconvert ! video/x-raw,format=RGBx ! "
                        "kmeansseg k=3 post-messages=true ! fakesink",
                        source);
    pipeline = gst_parse_launch(description, &error);
    g_free(description);
    if (!pipeline) {
        g_printerr("could not build the pipeline: %s\n", error->message);
        g_clear_error(&error);
        return 1;
    }

    bus = gst_element_get_bus(pipeline);
    gst_element_set_state(pipeline, GST_STATE_PLAYING);
    while (!done) {
        GstMessage *msg = gst_bus_timed_pop_filtered(
            bus, GST_CLOCK_TIME_NONE, GST_MESSAGE_ELEMENT | GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
        const GstStructure *s = gst_message_get_structure(msg);

        switch (GST_MESSAGE_TYPE(msg)) {
        case GST_MESSAGE_ELEMENT:
            if (gst_structure_has_name(s, "otsuthreshold")) {
                guint T;
                gdouble fraction, between;
                GstClockTime ts;
                gst_structure_get_uint(s, "threshold", &T);
                gst_structure_get_double(s, "foreground-fraction", &fraction);
                gst_structure_get_double(s, "between-class-variance", &between);
                gst_structure_get_clock_time(s, "timestamp", &ts);
                g_print("%" GST_TIME_FORMAT "  threshold %3u  foreground %5.1f %%  "
                        "between-class variance %.1f\n",
                        GST_TIME_ARGS(ts), T, 100.0 * fraction, between);
                frames++;
            } else if (gst_structure_has_name(s, "kmeansseg")) {
                const GValue *centers = gst_structure_get_value(s, "centers");
                gdouble inertia;
                guint iterations;
                gst_structure_get_double(s, "inertia", &inertia);
                gst_structure_get_uint(s, "iterations", &iterations);
                g_print("            kmeans: %u iterations, inertia %.3g, centers", iterations,
                        inertia);
                /* an array (one per label) of arrays of doubles (R, G, B) */
                for (guint j = 0; j < gst_value_array_get_size(centers); j++) {
                    const GValue *c = gst_value_array_get_value(centers, j);
                    g_print(" (");
                    for (guint d = 0; d < gst_value_array_get_size(c); d++)
                        g_print("%s%.0f", d ? " " : "",
                                g_value_get_double(gst_value_array_get_value(c, d)));
                    g_print(")");
                }
                g_print("\n");
            }
            break;
        case GST_MESSAGE_ERROR: {
            GError *err;
            gst_message_parse_error(msg, &err, NULL);
            g_printerr("error: %s\n", err->message);
            g_error_free(err);
            status = 1;
            done = TRUE;
            break;
        }
        default: done = TRUE; break;
        }
        gst_message_unref(msg);
    }
    gst_element_set_state(pipeline, GST_STATE_NULL);
    gst_object_unref(bus);
    gst_object_unref(pipeline);
    g_print("%d frames\n", frames);
    return frames > 0 ? status : 1;
}
