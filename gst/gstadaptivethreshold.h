#ifndef GST_ADAPTIVE_THRESHOLD_H
#define GST_ADAPTIVE_THRESHOLD_H

#include "gstisegfilter.h"

G_BEGIN_DECLS

#define GST_TYPE_ADAPTIVE_THRESHOLD (gst_adaptive_threshold_get_type())
G_DECLARE_FINAL_TYPE(GstAdaptiveThreshold, gst_adaptive_threshold, GST, ADAPTIVE_THRESHOLD,
                     GstIsegFilter)

GST_ELEMENT_REGISTER_DECLARE(adaptivethreshold);

G_END_DECLS

#endif
