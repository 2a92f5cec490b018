/* The adaptive thresholds' settings (defaults, the checks) and the Gaussian
 * weights: definitions the context, the kernels and the reference share. */
#include "adaptive_priv.h"

#include <errno.h>
#include <math.h>
#include <string.h>

void iseg_adaptive_default_settings(IsegAdaptiveSettings *s)
{
    if (!s)
        return;
    memset(s, 0, sizeof(*s));
    s->method = ISEG_ADAPTIVE_LOCAL_OTSU;
    s->block_size = 31;
    s->offset = 0.0;
    s->k = 0.2;
    s->dynamic_range = 128.0;
    s->min_contrast = 12.0;
    s->uniform = ISEG_ADAPTIVE_UNIFORM_LOCAL;
    s->invert = 0;
}

int iseg_adaptive_settings_check(const IsegAdaptiveSettings *s)
{
    if (!s)
        return -EINVAL;
    if ((unsigned)s->method > ISEG_ADAPTIVE_NIBLACK)
        return -EINVAL;
    if (s->block_size < ISEG_ADAPTIVE_BLOCK_MIN || s->block_size > ISEG_ADAPTIVE_BLOCK_MAX ||
        s->block_size % 2 == 0)
        return -EINVAL;
    if (!isfinite(s->offset) || !isfinite(s->k) || !isfinite(s->dynamic_range) ||
        !isfinite(s->min_contrast))
        return -EINVAL;
    if (!(s->dynamic_range > 0) || !(s->min_contrast >= 0))
        return -EINVAL;
    if ((unsigned)s->uniform > ISEG_ADAPTIVE_UNIFORM_GLOBAL)
        return -EINVAL;
    return 0;
}

void iseg_adaptive_gaussian_weights(int block, double *w)
{
    /* OpenCV's fixed tables for sigma <= 0 and 3..9 taps (in 1/256). */
    static const int tab3[] = { 64, 128, 64 };
    static const int tab5[] = { 16, 64, 96, 64, 16 };
    static const int tab7[] = { 8, 28, 56, 72, 56, 28, 8 };
    static const int tab9[] = { 4, 13, 30, 51, 60, 51, 30, 13, 4 };
    const int *tab = block == 3   ? tab3
                     : block == 5 ? tab5
                     : block == 7 ? tab7
                     : block == 9 ? tab9
                                  : NULL;
    if (tab) {
        for (int i = 0; i < block; i++)
            w[i] = tab[i] / 256.0;
        return;
    }
    const double sigma = 0.3 * ((block - 1) * 0.5 - 1) + 0.8;
    const double scale = -0.5 / (sigma * sigma);
    double sum = 0;
    for (int i = 0; i < block; i++) {
        const double x = i - (block - 1) * 0.5;
        w[i] = exp(scale * x * x);
        sum += w[i];
    }
    for (int i = 0; i < block; i++)
        w[i] /= sum;
}
