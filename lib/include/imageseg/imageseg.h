/* imageseg — classic image segmentation for 8-bit images.
 * Include this header for the whole public API. */
#ifndef IMAGESEG_IMAGESEG_H
#define IMAGESEG_IMAGESEG_H

#include <imageseg/adaptive.h>
#include <imageseg/common.h>
#include <imageseg/image.h>
#include <imageseg/kmeans.h>
#include <imageseg/hitmiss.h>
#include <imageseg/morph.h>
#include <imageseg/parallel.h>
#include <imageseg/regions.h>
#include <imageseg/sel.h>
#include <imageseg/threshold.h>

#endif
