/* Private helpers of libimageseg (not installed). */
#ifndef IMAGESEG_INTERNAL_H
#define IMAGESEG_INTERNAL_H

#include <imageseg/imageseg.h>

#define ISEG_MIN(a, b) ((a) < (b) ? (a) : (b))
#define ISEG_MAX(a, b) ((a) > (b) ? (a) : (b))
#define ISEG_CLAMP(v, lo, hi) ((v) < (lo) ? (lo) : (v) > (hi) ? (hi) : (v))
#define ISEG_CEIL_SHIFT(v, s) (((v) + (1 << (s)) - 1) >> (s))

/* Set ISEG_FORCE_REFERENCE=1 in the environment to make every kernel that
 * has a fast path run its plain reference version instead (like libvips'
 * VIPS_NOVECTOR): lets anyone check a suspicious result against the
 * obviously-right code. Read once. */
int iseg_force_reference(void);

#endif
