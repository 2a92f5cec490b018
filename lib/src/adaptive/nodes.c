/* Local Otsu's node rules, the same for the fast path (lotsu.c) and the
 * reference (adaptive_ref.c): the node grid, the uniformity limit and
 * margin, and how uniform nodes are grouped into areas, classified and
 * filled (docs/adaptivethreshold.md, "Phantoms"). */
#include "adaptive_priv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

LoGrid iseg_lo_grid(int width, int height, int block)
{
    LoGrid g;
    g.step = block;
    g.nx = (width - 1 + g.step - 1) / g.step + 1;
    g.ny = (height - 1 + g.step - 1) / g.step + 1;
    g.ox = -(((g.nx - 1) * g.step - (width - 1)) / 2);
    g.oy = -(((g.ny - 1) * g.step - (height - 1)) / 2);
    return g;
}

int64_t iseg_lo_uniform_limit(double min_contrast, int64_t n)
{
    const double v = ceil(min_contrast * min_contrast * (double)n * (double)n);
    /* n * S2 - S^2 <= 255^2 n^2 / 4 < 2^62 for n <= 1023^2 */
    if (v >= 4611686018427387904.0)
        return INT64_C(4611686018427387904);
    return (int64_t)v;
}

int32_t iseg_lo_margin2(double min_contrast)
{
    const double v = ceil(2 * min_contrast);
    return v < 1 ? 1 : v > 512 ? 512 : (int32_t)v;
}

/* 2 * the mean of a window of n samples with sum S, rounded (S >= 0) */
static int32_t lo_mean2(int64_t S, int64_t n)
{
    return (int32_t)((2 * S + n / 2) / n);
}

enum { LO_UNSET = 0, LO_QUEUED = 1, LO_SET = 2, LO_RING = 3, LO_LIGHT = 4 };

/* Carries the set nodes' t2 into the others (state & LO_RING: LO_UNSET or
 * LO_SET; other bits kept), ring by ring outwards: every node of ring d
 * (first reached at 8-neighbour distance d) takes the rounded mean of its
 * set 8-neighbours, those of the rings before it; the result does not
 * depend on the visiting order. With no node set, all get fallback. */
static void fill_rings(int32_t *t2, uint8_t *state, int nx, int ny, int32_t fallback,
                       int32_t *queue)
{
#define RING(k) (state[k] & LO_RING)
    const int count = nx * ny;
    int len = 0;
    for (int k = 0; k < count; k++) {
        if (RING(k) != LO_UNSET)
            continue;
        const int j = k / nx, i = k % nx;
        int near = 0;
        for (int dj = -1; dj <= 1 && !near; dj++)
            for (int di = -1; di <= 1 && !near; di++) {
                const int jj = j + dj, ii = i + di;
                near = jj >= 0 && jj < ny && ii >= 0 && ii < nx && RING(jj * nx + ii) == LO_SET;
            }
        if (near) {
            state[k] |= LO_QUEUED;
            queue[len++] = k;
        }
    }
    int begin = 0;
    while (begin < len) {
        const int end = len;
        for (int q = begin; q < end; q++) {
            const int k = queue[q], j = k / nx, i = k % nx;
            int64_t sum = 0;
            int cnt = 0;
            for (int dj = -1; dj <= 1; dj++)
                for (int di = -1; di <= 1; di++) {
                    const int jj = j + dj, ii = i + di;
                    if (jj >= 0 && jj < ny && ii >= 0 && ii < nx && RING(jj * nx + ii) == LO_SET) {
                        sum += t2[jj * nx + ii];
                        cnt++;
                    }
                }
            /* t2 >= -1: round half up on sum + cnt (>= 0) then shift back */
            t2[k] = (int32_t)((sum + cnt + cnt / 2) / cnt) - 1;
        }
        for (int q = begin; q < end; q++)
            state[queue[q]] = (uint8_t)((state[queue[q]] & ~LO_RING) | LO_SET);
        for (int q = begin; q < end; q++) {
            const int k = queue[q], j = k / nx, i = k % nx;
            for (int dj = -1; dj <= 1; dj++)
                for (int di = -1; di <= 1; di++) {
                    const int jj = j + dj, ii = i + di;
                    if (jj >= 0 && jj < ny && ii >= 0 && ii < nx &&
                        RING(jj * nx + ii) == LO_UNSET) {
                        state[jj * nx + ii] |= LO_QUEUED;
                        queue[len++] = jj * nx + ii;
                    }
                }
        }
        begin = end;
    }
    for (int k = 0; k < count; k++)
        if (RING(k) == LO_UNSET)
            t2[k] = fallback;
#undef RING
}

void iseg_lo_fill_nodes(int32_t *t2, const uint8_t *valid, const int64_t *S, int64_t n, int nx,
                        int ny, unsigned T_global, int32_t margin2, int by_vote, int32_t *queue,
                        uint8_t *state)
{
    const int count = nx * ny;
    /* two neighbours belong to one area iff |mean1 - mean2| < margin2
     * (2 min_contrast: a smaller step is no edge, as in iseg_lo_split_ok),
     * i.e. |2 S1 - 2 S2| < 2 n margin2 */
    const int64_t join = 2 * n * margin2;
    /* 1. the class of every uniform node: areas (LO_QUEUED marks a node
     * taken into an area), each classified whole */
    for (int k = 0; k < count; k++)
        state[k] = valid[k] ? LO_SET : LO_UNSET;
    for (int seed = 0; seed < count; seed++) {
        if (state[seed] != LO_UNSET)
            continue;
        /* the area of seed: breadth first over the 4-neighbours */
        int len = 0;
        queue[len++] = seed;
        state[seed] = LO_QUEUED;
        for (int q = 0; q < len; q++) {
            const int k = queue[q], j = k / nx, i = k % nx;
            const int nb[4] = { i > 0 ? k - 1 : -1, i < nx - 1 ? k + 1 : -1, j > 0 ? k - nx : -1,
                                j < ny - 1 ? k + nx : -1 };
            for (int e = 0; e < 4; e++) {
                const int m = nb[e];
                if (m < 0 || state[m] != LO_UNSET)
                    continue;
                const int64_t d = 2 * (S[k] - S[m]);
                if (d < join && -d < join) {
                    state[m] = LO_QUEUED;
                    queue[len++] = m;
                }
            }
        }
        /* the area's class: the votes of the edges around it, else its
         * mean against the global threshold */
        int64_t votes = 0, sum = 0;
        for (int q = 0; q < len; q++) {
            const int k = queue[q], j = k / nx, i = k % nx;
            sum += S[k];
            if (!by_vote)
                continue;
            for (int dj = -1; dj <= 1; dj++)
                for (int di = -1; di <= 1; di++) {
                    const int jj = j + dj, ii = i + di;
                    if (jj < 0 || jj >= ny || ii < 0 || ii >= nx || !valid[jj * nx + ii])
                        continue;
                    const int64_t c = 2 * S[k] - n * t2[jj * nx + ii];
                    votes += (c > 0) - (c < 0);
                }
        }
        const int area_light = votes != 0 ? votes > 0 : sum >= (int64_t)T_global * n * len;
        for (int q = 0; q < len; q++) {
            const int k = queue[q];
            const int light = by_vote ? area_light : S[k] >= (int64_t)T_global * n;
            state[k] = (uint8_t)(LO_QUEUED | (light ? LO_LIGHT : 0));
        }
    }
    /* 2. the edges' thresholds carried into the uniform nodes */
    for (int k = 0; k < count; k++)
        if (!valid[k])
            state[k] &= (uint8_t)~LO_RING; /* LO_UNSET, class kept */
    fill_rings(t2, state, nx, ny, 2 * (int32_t)T_global - 1, queue);
    /* 3. each uniform node's threshold kept on its class's side of its own
     * mean: at least margin2 half levels below it (light) or above it
     * (dark) */
    for (int k = 0; k < count; k++) {
        if (valid[k])
            continue;
        const int32_t m2 = lo_mean2(S[k], n);
        int32_t v = t2[k];
        if (state[k] & LO_LIGHT)
            v = ISEG_MIN(v, m2 - margin2);
        else
            v = ISEG_MAX(v, m2 + margin2);
        t2[k] = ISEG_CLAMP(v, -1, 511);
    }
}
