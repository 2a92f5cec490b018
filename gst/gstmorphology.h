#ifndef GST_MORPHOLOGY_H
#define GST_MORPHOLOGY_H

#include "gstisegfilter.h"

G_BEGIN_DECLS

#define GST_TYPE_MORPHOLOGY (gst_morphology_get_type())
G_DECLARE_FINAL_TYPE(GstMorphology, gst_morphology, GST, MORPHOLOGY, GstIsegFilter)

typedef enum {
    GST_MORPHOLOGY_SHAPE_RECT = ISEG_SEL_RECT,
    GST_MORPHOLOGY_SHAPE_CROSS = ISEG_SEL_CROSS,
    GST_MORPHOLOGY_SHAPE_ELLIPSE = ISEG_SEL_ELLIPSE,
    GST_MORPHOLOGY_SHAPE_CUSTOM,
} GstMorphologyShape;

GST_ELEMENT_REGISTER_DECLARE(morphology);

G_END_DECLS

#endif
