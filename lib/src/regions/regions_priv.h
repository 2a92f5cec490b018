/* Private to lib/src/regions: the labelling context (run slots, union-find
 * parents, the last frame's labels for iseg_regions_paint). */
#ifndef IMAGESEG_REGIONS_PRIV_H
#define IMAGESEG_REGIONS_PRIV_H

#include "core/internal.h"

#include <imageseg/regions.h>

struct IsegRegions {
    int max_width, max_height;
    int32_t slots_per_row; /* (max_width + 1) / 2: most runs a row can have */
    int32_t *x0, *x1;      /* run [x0, x1) of each slot */
    int32_t *parent;       /* union-find parent of each slot */
    int32_t *label;        /* label of each run (step 4) */
    int32_t *nruns;        /* runs in each row */
    uint8_t *strip_start;  /* 1 on the first row of each parallel strip */
    IsegRegion *regions;
    size_t regions_cap;
    /* the last labelled frame, for iseg_regions_paint */
    int width, height, n;
};

#endif
