/* imageseg-pipeline-bench: shared declarations of its C and C++ parts. */
#ifndef ISEG_PIPELINE_BENCH_H
#define ISEG_PIPELINE_BENCH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One packed frame (GRAY8 or 4-byte RGB) in memory the bench owns. */
typedef struct PbFrame {
    uint8_t *data;
    int width, height;
    ptrdiff_t stride;
    int bytes_per_pixel;
} PbFrame;

/* What a case does; the same job for the library, OpenCV and the element. */
typedef enum PbJob {
    PB_JOB_OTSU,
    PB_JOB_ERODE_RECT,
    PB_JOB_ERODE_ELLIPSE,
    PB_JOB_SAUVOLA,
    PB_JOB_GAUSSIAN,
    PB_JOB_MEAN,
    PB_JOB_KMEANS,
    PB_JOB_SKELETON,
    PB_JOB_REGIONS, /* components + stats of a 255/0 mask (8-connected) */
} PbJob;

const char *pb_cv_version(void);
void pb_cv_set_threads(unsigned n);
/* Runs job (size: element side or block) src -> dst; -1 if OpenCV has no
 * such job. */
int pb_cv_run(PbJob job, int size, const PbFrame *src, PbFrame *dst);

#ifdef __cplusplus
}
#endif

#endif
