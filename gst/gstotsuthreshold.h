#ifndef GST_OTSU_THRESHOLD_H
#define GST_OTSU_THRESHOLD_H

#include "gstisegfilter.h"

G_BEGIN_DECLS

#define GST_TYPE_OTSU_THRESHOLD (gst_otsu_threshold_get_type())
G_DECLARE_FINAL_TYPE(GstOtsuThreshold, gst_otsu_threshold, GST, OTSU_THRESHOLD, GstIsegFilter)

typedef enum {
    GST_OTSU_THRESHOLD_METHOD_OTSU,
    GST_OTSU_THRESHOLD_METHOD_ITERATIVE,
    GST_OTSU_THRESHOLD_METHOD_MANUAL,
} GstOtsuThresholdMethod;

GST_ELEMENT_REGISTER_DECLARE(otsuthreshold);

G_END_DECLS

#endif
