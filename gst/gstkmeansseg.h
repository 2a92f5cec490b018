#ifndef GST_KMEANS_SEG_H
#define GST_KMEANS_SEG_H

#include "gstisegfilter.h"

G_BEGIN_DECLS

#define GST_TYPE_KMEANS_SEG (gst_kmeans_seg_get_type())
G_DECLARE_FINAL_TYPE(GstKmeansSeg, gst_kmeans_seg, GST, KMEANS_SEG, GstIsegFilter)

GST_ELEMENT_REGISTER_DECLARE(kmeansseg);

G_END_DECLS

#endif
