/* Private to lib/src/threshold, the base every file of the folder includes:
 * the helpers the fast paths and the reference share (so that both
 * evaluate the same expressions on the same integers), the parameters of
 * applying a threshold. */
#ifndef IMAGESEG_THRESHOLD_PRIV_H
#define IMAGESEG_THRESHOLD_PRIV_H

#include "core/internal.h"

#include <errno.h>
#include <string.h>

/* Between-class variance from exact integer class sums. Both the fast scan
 * and the reference evaluate this same expression on the same integers, so
 * they agree bit for bit (ties included). */
static inline double between_from_sums(uint64_t n_b, uint64_t s_b, uint64_t n, uint64_t s)
{
    const uint64_t n_f = n - n_b, s_f = s - s_b;
    if (n_b == 0 || n_f == 0)
        return 0.0;
    const double w_b = (double)n_b / (double)n, w_f = (double)n_f / (double)n;
    const double d = (double)s_b / (double)n_b - (double)s_f / (double)n_f;
    return w_b * w_f * d * d;
}

/* Number of occupied levels (capped at 2) and the first one. */
static inline int occupied_levels(const uint64_t hist[ISEG_HIST_BINS], unsigned *first)
{
    int count = 0;
    *first = 0;
    for (unsigned v = 0; v < ISEG_HIST_BINS && count < 2; v++)
        if (hist[v]) {
            if (count == 0)
                *first = v;
            count++;
        }
    return count;
}

static inline int otsu_single_level(const uint64_t hist[ISEG_HIST_BINS], unsigned *T_out,
                                    double *between_out)
{
    unsigned first;
    const int levels = occupied_levels(hist, &first);
    if (levels >= 2)
        return 0;
    *T_out = levels == 1 ? first + 1 : ISEG_HIST_BINS;
    if (between_out)
        *between_out = 0.0;
    return 1;
}

typedef struct ApplyParams {
    unsigned T;
    int invert;
    IsegThresholdOutput output;
} ApplyParams;

static inline int is_fg(unsigned v, const ApplyParams *p)
{
    return (v >= p->T) != (p->invert != 0);
}

static inline int check_apply_args(unsigned T, IsegThresholdOutput output)
{
    if (T > ISEG_HIST_BINS || (output != ISEG_OUTPUT_MASK && output != ISEG_OUTPUT_MASKED))
        return -EINVAL;
    return 0;
}

#endif
