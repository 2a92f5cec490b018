/* local-otsu: the lecture's locally adaptive thresholding without a 256-bin
 * histogram per pixel.
 *
 *  1. The frame's histogram gives the global Otsu threshold (the fallback, and
 *     the level of the ISEG_ADAPTIVE_UNIFORM_GLOBAL rule).
 *  2. Nodes on a grid one window apart (step = block) each get
 *     the histogram of the block x block window centred on them (edge
 *     replicated). A node whose window is uniform (standard deviation below
 *     min_contrast) has no meaningful Otsu threshold; the others get Otsu's
 *     threshold of their histogram, bit for bit what iseg_otsu_threshold()
 *     returns for it. Each pixel is counted by about one node.
 *  3. Uniform nodes are grouped into uniform areas, each classified light or
 *     dark whole (by the edges around it) and given a threshold that follows
 *     its own mean (iseg_lo_fill_nodes, adaptive_priv.h).
 *  4. Per pixel: the window sums (running sums, box.c) say whether
 *     the pixel's own window is uniform; T(x, y) is the bilinear
 *     interpolation of the four surrounding nodes, an exact rational number
 *     compared in integers. A non-uniform pixel is foreground iff v > T; a
 *     uniform one by its window mean (see IsegAdaptiveUniform).
 */
#include "sums.h"

#include <string.h>

/* ------------------------------------------------ nodes */

/* Histogram of the edge-replicated block window centred on (cx, cy), which
 * may lie outside the frame: every clamped row and column is counted with
 * its multiplicity (iseg_lo_clamp_weight). */
static void node_histogram(AdaptiveSlot *sl, const IsegImage *src, int cx, int cy, int r,
                           uint32_t hist[ISEG_HIST_BINS])
{
    const int w = src->width, h = src->height;
    const int ylo = cy - r, yhi = cy + r, xlo = cx - r, xhi = cx + r;
    const int ya = ISEG_CLAMP(ylo, 0, h - 1), yb = ISEG_CLAMP(yhi, 0, h - 1);
    const int xa = ISEG_CLAMP(xlo, 0, w - 1), xb = ISEG_CLAMP(xhi, 0, w - 1);
    const uint32_t wxa = (uint32_t)iseg_lo_clamp_weight(xa, xlo, xhi, w);
    const uint32_t wxb = (uint32_t)iseg_lo_clamp_weight(xb, xlo, xhi, w);
    uint32_t(*hh)[ISEG_HIST_BINS] = sl->hist;
    memset(hh, 0, 4 * sizeof(hh[0]));
    for (int y = ya; y <= yb; y++) {
        const uint8_t *p = src->data + (ptrdiff_t)y * src->stride;
        const uint32_t wy = (uint32_t)iseg_lo_clamp_weight(y, ylo, yhi, h);
        if (xa == xb) {
            hh[0][p[xa]] += wy * wxa;
            continue;
        }
        hh[1][p[xa]] += wy * wxa;
        hh[2][p[xb]] += wy * wxb;
        int x = xa + 1;
        if (wy == 1) {
            for (; x + 4 <= xb; x += 4) {
                hh[0][p[x]]++;
                hh[1][p[x + 1]]++;
                hh[2][p[x + 2]]++;
                hh[3][p[x + 3]]++;
            }
            for (; x < xb; x++)
                hh[0][p[x]]++;
        } else {
            for (; x < xb; x++)
                hh[x & 3][p[x]] += wy;
        }
    }
    for (int v = 0; v < ISEG_HIST_BINS; v++)
        hist[v] = hh[0][v] + hh[1][v] + hh[2][v] + hh[3][v];
}

/* Otsu's threshold of a window histogram (at least two occupied levels in
 * [lo, hi]), equal to iseg_otsu_threshold() on it.
 *
 * The between-class variance at T is b(T) = g^2 / (n^2 n_b n_f) with
 * g = n * s_b - s * n_b an exact integer (|g| < 2^47), so
 * f(T) = g^2 / (n_b n_f) is computed with one division and a relative error
 * below 2^-50. A T just above an empty level splits the pixels exactly as
 * T - 1 does (same b, and the first maximum wins), so only T with
 * hist[T - 1] > 0 are evaluated. iseg_otsu_threshold() evaluates b(T)
 * another way, with an error below ~2^-48: its maximiser is therefore among
 * the T whose f is within 1e-9 of the largest f, and those candidates
 * (almost always just one) are compared with iseg_otsu_stats(), which
 * computes b(T) exactly as iseg_otsu_threshold() does, first maximum
 * winning. */
#define OTSU_MAX_CANDIDATES 8

unsigned iseg_lo_node_otsu(const uint32_t hist[ISEG_HIST_BINS], int lo, int hi, int64_t n,
                           int64_t s)
{
    /* class sums below each T (a short serial prefix), then every f in a
     * branch-free loop the compiler vectorises */
    int64_t nb[ISEG_HIST_BINS + 1], sb[ISEG_HIST_BINS + 1];
    double f[ISEG_HIST_BINS + 1];
    int64_t n_b = 0, s_b = 0;
    for (int T = lo + 1; T <= hi; T++) {
        n_b += hist[T - 1];
        s_b += (int64_t)(T - 1) * hist[T - 1];
        nb[T] = n_b;
        sb[T] = s_b;
    }
    double best = -1;
    for (int T = lo + 1; T <= hi; T++) {
        const double g = (double)(sb[T] * n - s * nb[T]);
        const double v = g * g / (double)(nb[T] * (n - nb[T]));
        f[T] = hist[T - 1] ? v : -1.0;
        best = v > best ? v : best;
    }
    const double cut = best * (1 - 1e-9);
    unsigned count = 0, cand[OTSU_MAX_CANDIDATES];
    for (int T = lo + 1; T <= hi; T++)
        if (f[T] >= cut) {
            if (count < OTSU_MAX_CANDIDATES)
                cand[count] = (unsigned)T;
            count++;
        }
    if (count == 1)
        return cand[0];
    uint64_t h64[ISEG_HIST_BINS];
    for (int v = 0; v < ISEG_HIST_BINS; v++)
        h64[v] = hist[v];
    if (count > OTSU_MAX_CANDIDATES) {
        unsigned T;
        iseg_otsu_threshold(h64, &T, NULL);
        return T;
    }
    unsigned best_t = cand[0];
    double best_b = -1;
    for (unsigned c = 0; c < count; c++) {
        IsegOtsuStats st;
        iseg_otsu_stats(h64, cand[c], &st);
        if (st.between > best_b) {
            best_b = st.between;
            best_t = cand[c];
        }
    }
    return best_t;
}

typedef struct LotsuJob {
    IsegAdaptive *ctx;
    const IsegImage *src;
    IsegImage *dst;
    LoGrid g;
    int64_t limit;
    unsigned T_global;
} LotsuJob;

static void node_job(void *arg, int begin, int end, unsigned slot)
{
    LotsuJob *job = arg;
    IsegAdaptive *ctx = job->ctx;
    AdaptiveSlot *sl = &ctx->slots[slot];
    const int r = ctx->s.block_size / 2;
    const int64_t n = (int64_t)ctx->s.block_size * ctx->s.block_size;
    uint32_t hist[ISEG_HIST_BINS];
    for (int j = begin; j < end; j++)
        for (int i = 0; i < job->g.nx; i++) {
            node_histogram(sl, job->src, job->g.ox + i * job->g.step, job->g.oy + j * job->g.step,
                           r, hist);
            uint64_t S = 0, S2 = 0;
            for (int v = 0; v < ISEG_HIST_BINS; v++) {
                S += (uint64_t)hist[v] * (uint32_t)v;
                S2 += (uint64_t)hist[v] * (uint32_t)(v * v);
            }
            int lo = 0, hi = ISEG_HIST_BINS - 1;
            while (!hist[lo])
                lo++;
            while (!hist[hi])
                hi--;
            const size_t k = (size_t)j * job->g.nx + i;
            int valid = !iseg_lo_is_uniform(n, (int64_t)S, (int64_t)S2, job->limit);
            ctx->node_S[k] = (int64_t)S;
            /* a non-uniform window has two levels at least (limit >= 0 and a
             * single level gives n*S2 - S^2 = 0 < limit unless limit is 0) */
            if (valid && lo < hi) {
                const unsigned T = iseg_lo_node_otsu(hist, lo, hi, n, (int64_t)S);
                valid = iseg_lo_split_ok(hist, NULL, T, ctx->s.min_contrast);
                ctx->node_t2[k] = iseg_lo_node_t2(hist, NULL, T);
            } else if (valid) {
                ctx->node_t2[k] = 2 * lo + 1; /* single level: T = lo + 1, as iseg_otsu_threshold */
            }
            ctx->node_valid[k] = (uint8_t)valid;
        }
}

/* ------------------------------------------------ pixels */

/* One row: val = 2 step^2 T(x, y) (exact interpolation, see
 * adaptive_priv.h); non-uniform pixels: fg iff 2 step^2 v > val; uniform ones
 * by their window mean: iseg_lo_fg() (decide.h), here in double so
 * that it vectorises. For windows up to 257 x 257 every quantity is an
 * integer below 2^53, so the comparisons in double are the integer ones. */
static ISEG_ALWAYS_INLINE void lotsu_row(uint8_t *restrict d, const uint8_t *restrict v,
                                         const uint32_t *restrict P, const uint32_t *restrict P2,
                                         int b, const int32_t *restrict A, int32_t *restrict val,
                                         int w, const LoGrid *g, uint32_t n, double limit,
                                         double uniform_global, int local, uint8_t inv)
{
    const int32_t step = g->step, two_step2 = 2 * step * step;
    const double nd = n, ts2 = two_step2;
    /* val[x] = 2 step^2 T(x, y): linear within each cell */
    for (int i = 0; i < g->nx; i++) {
        const int xs = g->ox + i * step; /* node i; its cell is [xs, xs + step) */
        const int x0 = ISEG_MAX(xs, 0), x1 = ISEG_MIN(xs + step, w);
        const int32_t a0 = A[i], da = A[ISEG_MIN(i + 1, g->nx - 1)] - a0;
        for (int x = x0; x < x1; x++)
            val[x] = step * a0 + (x - xs) * da;
    }
    /* branch-free, one loop per uniform rule, so that it vectorises */
    if (local) {
        for (int x = 0; x < w; x++) {
            const uint32_t S = P[x + b] - P[x], S2 = P2[x + b] - P2[x];
            const int uniform = sums_var_n2(nd, S, S2) < limit;
            const int fg_uniform = ts2 * (double)(int32_t)S > nd * (double)val[x];
            const int fg_pixel = two_step2 * (int32_t)v[x] > val[x];
            const int fg = (uniform & fg_uniform) | ((uniform ^ 1) & fg_pixel);
            d[x] = (uint8_t)((fg ? 255 : 0) ^ inv);
        }
    } else {
        for (int x = 0; x < w; x++) {
            const uint32_t S = P[x + b] - P[x], S2 = P2[x + b] - P2[x];
            const int uniform = sums_var_n2(nd, S, S2) < limit;
            const int fg_uniform = (double)(int32_t)S >= uniform_global;
            const int fg_pixel = two_step2 * (int32_t)v[x] > val[x];
            const int fg = (uniform & fg_uniform) | ((uniform ^ 1) & fg_pixel);
            d[x] = (uint8_t)((fg ? 255 : 0) ^ inv);
        }
    }
}

/* Wider windows: int64 throughout. */
static void lotsu_row_wide(uint8_t *d, const uint8_t *v, const uint32_t *S, const uint64_t *S2,
                           const int32_t *A, int w, const LoGrid *g, int64_t n, int64_t limit,
                           unsigned T_global, int local, uint8_t inv)
{
    const int64_t two_step2 = 2 * (int64_t)g->step * g->step;
    for (int x = 0; x < w; x++) {
        const int i0 = ISEG_MIN((x - g->ox) / g->step, g->nx - 1), i1 = ISEG_MIN(i0 + 1, g->nx - 1);
        const int32_t dx = x - g->ox - i0 * g->step;
        const int64_t val = (int64_t)(g->step - dx) * A[i0] + (int64_t)dx * A[i1];
        const int uniform = iseg_lo_is_uniform(n, S[x], (int64_t)S2[x], limit);
        const int fg = iseg_lo_fg(uniform, local, two_step2, n, v[x], S[x], val, T_global);
        d[x] = (uint8_t)((fg ? 255 : 0) ^ inv);
    }
}

static ISEG_ALWAYS_INLINE void pixel_rows(LotsuJob *job, int begin, int end, unsigned slot,
                                          int fused)
{
    IsegAdaptive *ctx = job->ctx;
    const IsegAdaptiveSettings *s = &ctx->s;
    AdaptiveSlot *sl = &ctx->slots[slot];
    const IsegImage *src = job->src;
    const LoGrid g = job->g;
    const int r = s->block_size / 2, w = src->width;
    const int64_t n = (int64_t)s->block_size * s->block_size;
    const int64_t uniform_global = (int64_t)job->T_global * n; /* fg iff S >= this */
    const int local = s->uniform == ISEG_ADAPTIVE_UNIFORM_LOCAL;
    const int wide = s->block_size > SUMS_PACKED_MAX_BLOCK;
    const uint8_t inv = s->invert ? 255 : 0;
    /* limit is at most 2^62; D < 2^53 here, so comparing with the rounded
     * limit gives the same answer as with the exact one */
    const double limit_d = (double)job->limit;
    int32_t *A = sl->interp;
    for (int y = begin; y < end; y++) {
        if (wide)
            sums_row_wide(sl, src, r, y, begin);
        else
            sums_row_small(sl, src, r, y, begin, 1, fused);
        const int j0 = ISEG_MIN((y - g.oy) / g.step, g.ny - 1), j1 = ISEG_MIN(j0 + 1, g.ny - 1);
        const int32_t dy = y - g.oy - j0 * g.step;
        const int32_t *t0 = ctx->node_t2 + (size_t)j0 * g.nx,
                      *t1 = ctx->node_t2 + (size_t)j1 * g.nx;
        for (int i = 0; i < g.nx; i++)
            A[i] = (g.step - dy) * t0[i] + dy * t1[i];
        const uint8_t *v = src->data + (ptrdiff_t)y * src->stride;
        uint8_t *d = job->dst->data + (ptrdiff_t)y * job->dst->stride;
        if (wide)
            lotsu_row_wide(d, v, sl->S, sl->S2w, A, w, &g, n, job->limit, job->T_global, local,
                           inv);
        else
            lotsu_row(d, v, sl->P, sl->P2, 2 * r + 1, A, sl->val, w, &g, (uint32_t)n, limit_d,
                      (double)uniform_global, local, inv);
    }
}

static void pixel_job_c(void *arg, int begin, int end, unsigned slot)
{
    pixel_rows(arg, begin, end, slot, 0);
}

#if ISEG_HAVE_AVX2
static ISEG_TARGET_AVX2 void pixel_job_avx2(void *arg, int begin, int end, unsigned slot)
{
    pixel_rows(arg, begin, end, slot, 1);
}
#endif

int iseg_adaptive_lotsu_run(IsegAdaptive *ctx, const IsegImage *src, IsegImage *dst, IsegPool *pool)
{
    LotsuJob job = {
        ctx, src, dst, iseg_lo_grid(src->width, src->height, ctx->s.block_size), 0, 0
    };
    const int64_t n = (int64_t)ctx->s.block_size * ctx->s.block_size;
    job.limit = iseg_lo_uniform_limit(ctx->s.min_contrast, n);
    uint64_t hist[ISEG_HIST_BINS];
    int ret = iseg_histogram(src, hist, pool);
    if (ret < 0)
        return ret;
    iseg_otsu_threshold(hist, &job.T_global, NULL);

    ret = iseg_pool_run(pool, job.g.ny, 1, node_job, &job);
    if (ret < 0)
        return ret;
    iseg_lo_fill_nodes(ctx->node_t2, ctx->node_valid, ctx->node_S, n, job.g.nx, job.g.ny,
                       job.T_global, iseg_lo_margin2(ctx->s.min_contrast),
                       ctx->s.uniform == ISEG_ADAPTIVE_UNIFORM_LOCAL, ctx->node_queue,
                       ctx->node_state);
    IsegRangeFunc fn = pixel_job_c;
#if ISEG_HAVE_AVX2
    if (iseg_use_avx2())
        fn = pixel_job_avx2;
#endif
    return iseg_pool_run(pool, src->height, 16, fn, &job);
}
