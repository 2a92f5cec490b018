/* Otsu's threshold by one scan over the histogram with running class sums,
 * and the lecture's iterative basic global thresholding. */
#include "threshold_priv.h"

#include <math.h>

int iseg_otsu_threshold(const uint64_t hist[ISEG_HIST_BINS], unsigned *T_out, double *between_out)
{
    if (!hist || !T_out)
        return -EINVAL;
    if (iseg_force_reference())
        return iseg_otsu_threshold_ref(hist, T_out, between_out);
    if (otsu_single_level(hist, T_out, between_out))
        return 0;
    uint64_t n = 0, s = 0;
    for (unsigned v = 0; v < ISEG_HIST_BINS; v++) {
        n += hist[v];
        s += hist[v] * v;
    }
    uint64_t n_b = 0, s_b = 0;
    unsigned best_t = 1;
    double best = -1.0;
    for (unsigned T = 1; T < ISEG_HIST_BINS; T++) {
        n_b += hist[T - 1];
        s_b += hist[T - 1] * (T - 1);
        const double b = between_from_sums(n_b, s_b, n, s);
        if (b > best) {
            best = b;
            best_t = T;
        }
    }
    *T_out = best_t;
    if (between_out)
        *between_out = best;
    return 0;
}

/* ---------------------------------------------------------------- iterative */

int iseg_iterative_threshold(const uint64_t hist[ISEG_HIST_BINS], double epsilon, unsigned *T_out,
                             double *t_real_out, unsigned *iterations_out)
{
    if (!hist || !T_out || !(epsilon > 0))
        return -EINVAL;
    double between;
    if (otsu_single_level(hist, T_out, &between)) {
        if (t_real_out)
            *t_real_out = *T_out;
        if (iterations_out)
            *iterations_out = 0;
        return 0;
    }
    /* prefix sums: cnt[t] and sum[t] over levels < t */
    uint64_t cnt[ISEG_HIST_BINS + 1], sum[ISEG_HIST_BINS + 1];
    cnt[0] = sum[0] = 0;
    for (unsigned v = 0; v < ISEG_HIST_BINS; v++) {
        cnt[v + 1] = cnt[v] + hist[v];
        sum[v + 1] = sum[v] + hist[v] * v;
    }
    const uint64_t n = cnt[ISEG_HIST_BINS], s = sum[ISEG_HIST_BINS];
    double T = (double)s / (double)n;
    unsigned it = 0;
    for (; it < 1000; it++) {
        /* G1: value >= T, i.e. value >= ceil(T); G2: the rest. With at least
         * two levels and min < T <= max both are non-empty (see docs). */
        const unsigned split = (unsigned)ceil(T);
        const uint64_t n2 = cnt[split], n1 = n - n2;
        if (n1 == 0 || n2 == 0)
            break;
        const double m2 = (double)sum[split] / (double)n2;
        const double m1 = (double)(s - sum[split]) / (double)n1;
        const double next = 0.5 * (m1 + m2);
        const double change = fabs(next - T);
        T = next;
        if (change < epsilon) {
            it++;
            break;
        }
    }
    unsigned Ti = (unsigned)ceil(T);
    if (Ti < 1)
        Ti = 1;
    if (Ti > 255)
        Ti = 255;
    *T_out = Ti;
    if (t_real_out)
        *t_real_out = T;
    if (iterations_out)
        *iterations_out = it;
    return 0;
}
