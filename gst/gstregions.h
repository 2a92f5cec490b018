#ifndef GST_REGIONS_H
#define GST_REGIONS_H

#include "gstisegfilter.h"

G_BEGIN_DECLS

#define GST_TYPE_REGIONS (gst_regions_get_type())
G_DECLARE_FINAL_TYPE(GstRegions, gst_regions, GST, REGIONS, GstIsegFilter)

typedef enum {
    GST_REGIONS_OUTPUT_PASSTHROUGH,
    GST_REGIONS_OUTPUT_LABELS,
    GST_REGIONS_OUTPUT_MASK,
    GST_REGIONS_OUTPUT_BOXES,
} GstRegionsOutput;

GST_ELEMENT_REGISTER_DECLARE(regions);

G_END_DECLS

#endif
