/* Registers the imageseg elements. Nothing else belongs here. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/gst.h>

#include "gstkmeansseg.h"
#include "gstmorphology.h"
#include "gstadaptivethreshold.h"
#include "gstotsuthreshold.h"
#include "gsthitmiss.h"
#include "gstregions.h"

static gboolean plugin_init(GstPlugin *plugin)
{
    gboolean ret = FALSE;

    ret |= GST_ELEMENT_REGISTER(otsuthreshold, plugin);
    ret |= GST_ELEMENT_REGISTER(kmeansseg, plugin);
    ret |= GST_ELEMENT_REGISTER(morphology, plugin);
    ret |= GST_ELEMENT_REGISTER(adaptivethreshold, plugin);
    ret |= GST_ELEMENT_REGISTER(hitmiss, plugin);
    ret |= GST_ELEMENT_REGISTER(regions, plugin);
    return ret;
}

GST_PLUGIN_DEFINE(
    GST_VERSION_MAJOR, GST_VERSION_MINOR, imageseg,
    "Classic image segmentation: thresholds, k-means, morphology, hit-or-miss, regions",
    plugin_init, VERSION, "LGPL", PACKAGE, ORIGIN)
