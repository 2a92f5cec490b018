/* k-means, fast path, pass 2 over the pixels (pass 1, the coreset, is
 * coreset.c).
 *
 * Pass 2 gives every pixel the label of its nearest center and sums the
 * pixels per label. Color: a table gives the label of every box of 4x4x4
 * colors that lies on one side of every bisector between centers (checked
 * exactly, see box_label()); a pixel in a box that a bisector cuts is
 * compared with the few centers that can win in its histogram bin. Gray: a 256-entry table.
 * Color-position: each pixel against every center. Per-label sums are
 * integers, so the thread count and chunking never change a bit of the
 * result. */
#include "kmeans_priv.h"

#include <math.h>
#include <string.h>

/* ------------------------------------------------------------ label tables */

static int nearest_all(const double *f, const KmCenters *c, int D)
{
    int best = 0;
    double bd = INFINITY;
    for (int j = 0; j < c->k; j++) {
        const double d = km_dist2(f, c->feat[j], D);
        if (d < bd) {
            bd = d;
            best = j;
        }
    }
    return best;
}

/* Largest value over the box [lo, hi] of |x - a|^2 - |x - b|^2, a linear
 * function of x: each coordinate at the end of the box that favours b. */
static double box_max_excess(const double *a, const double *b, const int lo[3], const int hi[3])
{
    double m = 0;
    for (int d = 0; d < 3; d++) {
        const double diff = b[d] - a[d];
        const double x = diff > 0 ? hi[d] : lo[d];
        m += diff * (2 * x - a[d] - b[d]);
    }
    return m;
}

/* A center loses everywhere in a box when its excess stays below this: far
 * above the rounding of a distance of colors (< 2^18, so ~1e-11), so the
 * per-pixel comparison could never pick it. */
#define KM_BOX_MARGIN 1e-6

/* The label every color of the box [lo, hi] has, or -1 with *cut set to
 * the candidates that win somewhere (a superset). Only centers in `among`
 * are considered. */
static int box_label(const KmCenters *c, uint64_t among, const int lo[3], const int hi[3],
                     uint64_t *cut)
{
    const double mid[3] = { 0.5 * (lo[0] + hi[0]), 0.5 * (lo[1] + hi[1]), 0.5 * (lo[2] + hi[2]) };
    int a = -1;
    double ad = INFINITY;
    for (uint64_t m = among; m; m &= m - 1) {
        const int j = __builtin_ctzll(m);
        const double d = km_dist2(mid, c->feat[j], 3);
        if (d < ad) {
            ad = d;
            a = j;
        }
    }
    uint64_t mask = 0;
    for (uint64_t m = among; m; m &= m - 1) {
        const int j = __builtin_ctzll(m);
        if (j != a && box_max_excess(c->feat[a], c->feat[j], lo, hi) > -KM_BOX_MARGIN)
            mask |= 1ull << j;
    }
    if (!mask)
        return a;
    *cut = mask | 1ull << a;
    return -1;
}

/* The color path's table for the bins the sample saw; the other bins stay
 * KM_UNKNOWN (their pixels are compared with every center). */
static void build_color_tables(IsegKmeans *km, const KmCenters *c)
{
    const uint64_t all = c->k == 64 ? ~0ull : (1ull << c->k) - 1;
    /* back to all KM_UNKNOWN: only the previous call's bins were written */
    for (int i = 0; i < km->n_lut_bins; i++) {
        const int bin = km->lut_bins[i];
        for (int sub = 0; sub < 8; sub++) {
            const unsigned r =
                (unsigned)((bin >> (2 * KM_BIN_BITS)) << KM_BIN_SHIFT) + 4 * (sub >> 2);
            const unsigned g =
                (unsigned)(((bin >> KM_BIN_BITS) & (KM_BIN_SIDE - 1)) << KM_BIN_SHIFT) +
                4 * ((sub >> 1) & 1);
            const unsigned b =
                (unsigned)((bin & (KM_BIN_SIDE - 1)) << KM_BIN_SHIFT) + 4 * (sub & 1);
            km->lut[km_lut_index(r, g, b)] = KM_UNKNOWN;
        }
    }
    memcpy(km->lut_bins, km->occ, (size_t)km->n_occ * sizeof(km->occ[0]));
    km->n_lut_bins = km->n_occ;
    const int side = 1 << KM_BIN_SHIFT;
    for (int i = 0; i < km->n_occ; i++) {
        const int bin = km->occ[i];
        const int q[3] = { bin >> (2 * KM_BIN_BITS), (bin >> KM_BIN_BITS) & (KM_BIN_SIDE - 1),
                           bin & (KM_BIN_SIDE - 1) };
        const int lo[3] = { q[0] * side, q[1] * side, q[2] * side };
        const int hi[3] = { lo[0] + side - 1, lo[1] + side - 1, lo[2] + side - 1 };
        uint64_t cut = 0;
        const int l = box_label(c, all, lo, hi, &cut);
        if (l >= 0)
            km->cand[bin] = 1ull << l;
        else
            km->cand[bin] = cut;
        for (int sr = 0; sr < 2; sr++)
            for (int sg = 0; sg < 2; sg++)
                for (int sb = 0; sb < 2; sb++) {
                    const int slo[3] = { lo[0] + 4 * sr, lo[1] + 4 * sg, lo[2] + 4 * sb };
                    int sl = l;
                    if (l < 0) {
                        const int shi[3] = { slo[0] + 3, slo[1] + 3, slo[2] + 3 };
                        uint64_t sub_cut;
                        sl = box_label(c, cut, slo, shi, &sub_cut);
                    }
                    km->lut[km_lut_index((unsigned)slo[0], (unsigned)slo[1], (unsigned)slo[2])] =
                        sl >= 0 ? (uint8_t)sl : KM_AMBIGUOUS;
                }
    }
}

/* ------------------------------------------------------------ pass 2 */

typedef struct AssignJob {
    IsegKmeans *km;
    const KmSpace *sp;
    const KmCenters *c;
    const IsegPixels *src;
    IsegPixels *dst;
    IsegImage *labels;
    const KmHyst *hy;
    uint64_t all;              /* mask of every label */
    double far[KM_K][KM_K];    /* color-position: |c_i - c_j|^2 / 4 */
    uint8_t order[KM_K][KM_K]; /* order[i]: the other labels by increasing far[i][] */
    int sums;                  /* color path: sum the pixels per label */
    uint8_t table[KM_K][3];
    uint32_t word[KM_K]; /* color dst: the table's bytes at dst's offsets */
    uint32_t keep;       /* 4-byte dst: mask of the byte that is not R, G or B */
    uint8_t gray_lut[256];
} AssignJob;

static inline int nearest_masked(unsigned r, unsigned g, unsigned b, uint64_t mask,
                                 const KmCenters *c)
{
    const double f[3] = { (double)r, (double)g, (double)b };
    int best = 0;
    double bd = INFINITY;
    while (mask) {
        const int j = __builtin_ctzll(mask);
        mask &= mask - 1;
        const double d = km_dist2(f, c->feat[j], 3);
        if (d < bd) {
            bd = d;
            best = j;
        }
    }
    return best;
}

/* dst row y from the row's labels. */
static void write_row(const AssignJob *job, int y, const uint8_t *lab)
{
    const IsegPixels *dst = job->dst;
    uint8_t *o = dst->data + (ptrdiff_t)y * dst->stride;
    const int w = dst->width;
    if (dst->bytes_per_pixel == 1) {
        for (int x = 0; x < w; x++)
            o[x] = job->table[lab[x]][0];
    } else if (dst->bytes_per_pixel == 4 && job->src->bytes_per_pixel == 4 &&
               job->src->data != dst->data) {
        /* out of place: the fourth byte (padding or alpha) comes from src */
        const IsegPixels *src = job->src;
        const uint8_t *s = src->data + (ptrdiff_t)y * src->stride + (6 - src->r - src->g - src->b);
        const int dx = 6 - dst->r - dst->g - dst->b;
        for (int x = 0; x < w; x++, o += 4) {
            memcpy(o, &job->word[lab[x]], 4);
            o[dx] = s[4 * x];
        }
    } else if (dst->bytes_per_pixel == 4) {
        const uint32_t keep = job->keep;
        for (int x = 0; x < w; x++, o += 4) {
            uint32_t v;
            memcpy(&v, o, 4);
            v = (v & keep) | job->word[lab[x]];
            memcpy(o, &v, 4);
        }
    } else {
        /* 3 bytes: a 4-byte store whose 4th byte lands on the next pixel,
         * which the next store overwrites; the row's last pixel is written
         * byte by byte so that nothing beyond the row is touched. The row's
         * labels are all known, so in place the next pixel was read already. */
        for (int x = 0; x + 1 < w; x++, o += 3)
            memcpy(o, &job->word[lab[x]], 4);
        const uint8_t *t = job->table[lab[w - 1]];
        o[dst->r] = t[0];
        o[dst->g] = t[1];
        o[dst->b] = t[2];
    }
}

/* Where a row's labels go: the labels image, or the thread's row buffer. */
static uint8_t *label_row(const AssignJob *job, int y, unsigned slot)
{
    if (job->labels)
        return job->labels->data + (ptrdiff_t)y * job->labels->stride;
    return job->km->rowbuf + (size_t)slot * (size_t)job->km->max_width;
}

/* Sum of the squared color bytes of a row: all bytes of the row (a loop the
 * compiler vectorises), less the squares of the one non-color byte of a
 * 4-byte pixel at offset `other` (-1: none). */
static uint64_t row_color_q(const uint8_t *p, int w, int bpp, int other)
{
    const int n = w * bpp;
    uint64_t q = 0;
    for (int i0 = 0; i0 < n; i0 += 4096) {
        const int i1 = ISEG_MIN(n, i0 + 4096);
        uint32_t s = 0; /* 4096 * 255^2 < 2^32 */
        for (int i = i0; i < i1; i++)
            s += (uint32_t)p[i] * p[i];
        q += s;
    }
    if (other >= 0)
        for (int x = 0; x < w; x++)
            q -= (uint64_t)p[x * bpp + other] * p[x * bpp + other];
    return q;
}

/* Sums of a run of pixels with one label, in registers: neighbours mostly
 * share a label, so this touches memory once per run instead of chaining
 * load-add-store on the same counters pixel after pixel. 32 bits suffice
 * for a run within a row (< 2^16 pixels). */
typedef struct Run {
    int label;
    uint32_t n, s[3], sx;
} Run;

static inline void run_flush(Run *run, KmSums *acc, int cdims, int pdims, int y)
{
    const int l = run->label;
    acc->n[l] += run->n;
    for (int d = 0; d < cdims; d++)
        acc->s[l][d] += run->s[d];
    if (pdims) {
        acc->s[l][cdims] += run->sx;
        acc->s[l][cdims + 1] += (uint64_t)run->n * (uint64_t)y;
    }
    run->n = run->s[0] = run->s[1] = run->s[2] = run->sx = 0;
}

/* sums: 0 when the caller wants labels only (no per-label sums). */
/* Per-label sums of the color path, packed: count and R, G, B in 16-bit
 * lanes of one 64-bit word, so a pixel costs one addition. Four copies in
 * turn (pixel x goes to copy x & 3) keep runs of one label from chaining
 * load-add-store on one word. A block of KM_PACK_PIXELS pixels puts at most
 * 1024 / 4 = 256 pixels in a lane: 256 * 255 < 2^16. */
#define KM_PACK_PIXELS 1024

typedef struct PackedSums {
    uint64_t w[4][KM_K];
} PackedSums;

static inline uint64_t pack_pixel(unsigned r, unsigned g, unsigned b)
{
    return (uint64_t)r | (uint64_t)g << 16 | (uint64_t)b << 32 | (uint64_t)1 << 48;
}

static void packed_flush(PackedSums *ps, int k, KmSums *acc)
{
    for (int u = 0; u < 4; u++)
        for (int l = 0; l < k; l++) {
            const uint64_t v = ps->w[u][l];
            acc->n[l] += v >> 48;
            acc->s[l][0] += v & 0xffff;
            acc->s[l][1] += (v >> 16) & 0xffff;
            acc->s[l][2] += (v >> 32) & 0xffff;
            ps->w[u][l] = 0;
        }
}

/* sums: 0 when the caller wants labels only (no per-label sums). */
/* apply: the label hysteresis, with the previous labels in prev[] (which
 * receive this row's); the color path's main loop does it itself so that a
 * pixel is read once and summed under its final label. */
static ISEG_ALWAYS_INLINE void assign_color_row(const AssignJob *job, const uint8_t *p,
                                                uint8_t *lab, KmSums *acc, uint8_t *prev,
                                                const int bpp, const int sums, const int apply)
{
    const IsegPixels *src = job->src;
    const uint8_t *lut = job->km->lut;
    const uint64_t *cand = job->km->cand;
    const KmCenters *c = job->c;
    const int w = src->width, ro = src->r, go = src->g, bo = src->b, k = c->k;
    const double h = job->hy->h;
    PackedSums ps;
    if (sums)
        for (int u = 0; u < 4; u++)
            memset(ps.w[u], 0, (size_t)k * sizeof(uint64_t));
    for (int x0 = 0; x0 < w; x0 += KM_PACK_PIXELS) {
        const int x1 = ISEG_MIN(w, x0 + KM_PACK_PIXELS);
        for (int x = x0; x < x1; x++, p += bpp) {
            const unsigned r = p[ro], g = p[go], b = p[bo];
            int l = lut[km_lut_index(r, g, b)];
            if (l >= KM_AMBIGUOUS)
                l = nearest_masked(r, g, b, l == KM_AMBIGUOUS ? cand[km_bin_of(r, g, b)] : job->all,
                                   c);
            if (apply) {
                const int pl = prev[x];
                if (pl != l) {
                    const double f[3] = { (double)r, (double)g, (double)b };
                    if (km_keeps_previous(km_dist2(f, c->feat[pl], 3), km_dist2(f, c->feat[l], 3),
                                          h))
                        l = pl;
                    prev[x] = (uint8_t)l;
                }
            }
            lab[x] = (uint8_t)l;
            if (sums)
                ps.w[x & 3][l] += pack_pixel(r, g, b);
        }
        if (sums)
            packed_flush(&ps, k, acc);
    }
}

static void assign_gray_row(const AssignJob *job, const uint8_t *p, uint8_t *lab)
{
    for (int x = 0; x < job->src->width; x++)
        lab[x] = job->gray_lut[p[x]];
}

/* Nearest center of f, starting from a guess g (the previous pixel's label):
 * center j cannot be nearer than g when |c_j - c_g| >= 2 |f - c_g|, i.e.
 * when far[g][j] = |c_j - c_g|^2 / 4 exceeds |f - c_g|^2 (by a margin far
 * above rounding). The others are visited by increasing far[g][j]
 * (order[g]), so the first that fails ends the search; the result is exactly
 * the full search's, lowest label on a tie. */
static inline int nearest_pruned(const double *f, const KmCenters *c, int D, int g,
                                 const double (*far)[KM_K], const uint8_t (*order)[KM_K])
{
    const double dg = km_dist2(f, c->feat[g], D);
    const double bar = dg * (1 + 1e-9) + 1e-9;
    int best = g;
    double bd = dg;
    for (int t = 0; t < c->k - 1; t++) {
        const int j = order[g][t];
        if (far[g][j] > bar)
            break;
        const double d = km_dist2(f, c->feat[j], D);
        if (d < bd || (d == bd && j < best)) {
            bd = d;
            best = j;
        }
    }
    return best;
}

static void assign_position_row(const AssignJob *job, int y, const uint8_t *p, uint8_t *lab,
                                KmSums *acc)
{
    const IsegPixels *src = job->src;
    const KmSpace *sp = job->sp;
    const KmCenters *c = job->c;
    const int D = sp->dims, cd = sp->cdims, bpp = src->bytes_per_pixel;
    const double *xfeat = job->km->xfeat;
    double f[KM_D];
    f[cd + 1] = km_pos_feature(sp, 1, y);
    Run run = { 0, 0, { 0, 0, 0 }, 0 };
    for (int x = 0; x < src->width; x++, p += bpp) {
        unsigned v[3];
        km_read_color(p, src, cd, v);
        for (int d = 0; d < cd; d++)
            f[d] = (double)v[d];
        f[cd] = xfeat[x];
        const int l = nearest_pruned(f, c, D, run.label, job->far, job->order);
        lab[x] = (uint8_t)l;
        if (l != run.label) {
            run_flush(&run, acc, cd, 2, y);
            run.label = l;
        }
        run.n++;
        for (int d = 0; d < cd; d++)
            run.s[d] += v[d];
        run.sx += (uint32_t)x;
    }
    run_flush(&run, acc, cd, 2, y);
}

/* The label hysteresis on a row whose labels lab[] are the nearest centers:
 * a pixel whose previous label prev[x] differs keeps it by the rule of
 * km_keeps_previous(); the row's per-label sums move with it (with sums). The
 * row's labels are then stored as the previous ones. */
static void hysteresis_row(const AssignJob *job, int y, const uint8_t *p, uint8_t *lab, KmSums *acc,
                           int sums)
{
    const IsegPixels *src = job->src;
    const KmSpace *sp = job->sp;
    const KmCenters *c = job->c;
    const int w = src->width, bpp = src->bytes_per_pixel, cd = sp->cdims, D = sp->dims;
    uint8_t *prev = job->km->prev + (size_t)y * (size_t)w;
    if (!job->hy->apply) {
        memcpy(prev, lab, (size_t)w);
        return;
    }
    double f[KM_D];
    if (sp->pdims)
        f[cd + 1] = km_pos_feature(sp, 1, y);
    for (int x = 0; x < w; x++) {
        if ((x & 7) == 0 && x + 8 <= w) {
            /* most pixels keep their label: skip 8 equal ones at a time */
            uint64_t a, b;
            memcpy(&a, lab + x, 8);
            memcpy(&b, prev + x, 8);
            if (a == b) {
                x += 7;
                continue;
            }
        }
        const int l = lab[x], pl = prev[x];
        if (l == pl)
            continue;
        const uint8_t *q = p + (ptrdiff_t)x * bpp;
        unsigned v[3];
        km_read_color(q, src, cd, v);
        for (int d = 0; d < cd; d++)
            f[d] = (double)v[d];
        if (sp->pdims)
            f[cd] = job->km->xfeat[x];
        if (!km_keeps_previous(km_dist2(f, c->feat[pl], D), km_dist2(f, c->feat[l], D),
                               job->hy->h)) {
            prev[x] = (uint8_t)l;
            continue;
        }
        lab[x] = (uint8_t)pl;
        if (!sums)
            continue;
        /* modulo 2^64: the totals come out exact */
        acc->n[l]--;
        acc->n[pl]++;
        for (int d = 0; d < cd; d++) {
            acc->s[l][d] -= v[d];
            acc->s[pl][d] += v[d];
        }
        if (sp->pdims) {
            acc->s[l][cd] -= (uint64_t)x;
            acc->s[pl][cd] += (uint64_t)x;
            acc->s[l][cd + 1] -= (uint64_t)y;
            acc->s[pl][cd + 1] += (uint64_t)y;
        }
    }
}

/* Row y of the previous labels when the hysteresis applies, else NULL. */
static uint8_t *prev_row(const AssignJob *job, int y)
{
    if (!job->hy->apply)
        return NULL;
    return job->km->prev + (size_t)y * (size_t)job->src->width;
}

/* assign_color_row() instantiated for the pixel size, whether the row is
 * summed (acc) and whether the hysteresis applies (prev). */
static ISEG_ALWAYS_INLINE void color_row_bpp(const AssignJob *job, const uint8_t *p, uint8_t *lab,
                                             KmSums *acc, uint8_t *prev, const int bpp)
{
    if (acc)
        prev ? assign_color_row(job, p, lab, acc, prev, bpp, 1, 1)
             : assign_color_row(job, p, lab, acc, NULL, bpp, 1, 0);
    else
        prev ? assign_color_row(job, p, lab, NULL, prev, bpp, 0, 1)
             : assign_color_row(job, p, lab, NULL, NULL, bpp, 0, 0);
}

static void color_row(const AssignJob *job, const uint8_t *p, uint8_t *lab, KmSums *acc,
                      uint8_t *prev, int bpp)
{
    if (bpp == 3)
        color_row_bpp(job, p, lab, acc, prev, 3);
    else
        color_row_bpp(job, p, lab, acc, prev, 4);
}

static void assign_job(void *arg, int begin, int end, unsigned slot)
{
    AssignJob *job = arg;
    KmSlotAcc *acc = &job->km->acc[slot];
    const IsegPixels *src = job->src;
    const int bpp = src->bytes_per_pixel;
    const int other = bpp == 4 ? 6 - src->r - src->g - src->b : -1;
    const int color = !job->sp->pdims && job->sp->cdims == 3;
    memset(&acc->sums, 0, sizeof(acc->sums));
    acc->q = 0;
    for (int y = begin; y < end; y++) {
        const uint8_t *p = src->data + (ptrdiff_t)y * src->stride;
        uint8_t *lab = label_row(job, y, slot);
        if (job->sp->pdims) {
            assign_position_row(job, y, p, lab, &acc->sums);
            acc->q += row_color_q(p, src->width, bpp, other);
        } else if (job->sp->cdims == 1) {
            assign_gray_row(job, p, lab);
        } else {
            color_row(job, p, lab, job->sums ? &acc->sums : NULL, prev_row(job, y), bpp);
            if (job->sums)
                acc->q += row_color_q(p, src->width, bpp, other);
        }
        if (job->hy->store && !(color && job->hy->apply))
            hysteresis_row(job, y, p, lab, &acc->sums, !color || job->sums);
        if (job->dst)
            write_row(job, y, lab);
    }
}

void km_assign_pixels(IsegKmeans *km, const KmSpace *sp, const KmCenters *c,
                      IsegKmeansOutput output, const IsegPixels *src, IsegPixels *dst,
                      IsegImage *labels, const KmHyst *hy, KmSums *sums, uint64_t *q_color,
                      int want_sums, IsegPool *pool)
{
    memset(sums, 0, sizeof(*sums));
    *q_color = 0;
    AssignJob job;
    memset(&job, 0, sizeof(job));
    job.km = km;
    job.sp = sp;
    job.c = c;
    job.src = src;
    job.dst = dst;
    job.labels = labels;
    job.hy = hy;
    job.all = c->k == 64 ? ~0ull : (1ull << c->k) - 1;
    km_output_table(c, output, sp->cdims == 1, job.table);
    if (dst && dst->bytes_per_pixel > 1) {
        /* bytes in memory order, whatever the host's endianness */
        uint8_t keep[4] = { 0xff, 0xff, 0xff, 0xff };
        keep[dst->r] = keep[dst->g] = keep[dst->b] = 0;
        memcpy(&job.keep, keep, 4);
        for (int j = 0; j < c->k; j++) {
            uint8_t b[4] = { 0, 0, 0, 0 };
            b[dst->r] = job.table[j][0];
            b[dst->g] = job.table[j][1];
            b[dst->b] = job.table[j][2];
            memcpy(&job.word[j], b, 4);
        }
    }

    if (sp->pdims) {
        for (int x = 0; x < src->width; x++)
            km->xfeat[x] = km_pos_feature(sp, 0, x);
        for (int i = 0; i < c->k; i++)
            for (int j = 0; j < c->k; j++)
                job.far[i][j] = 0.25 * km_dist2(c->feat[i], c->feat[j], sp->dims);
        for (int i = 0; i < c->k; i++) {
            /* insertion sort of the other labels (k <= 64), stable */
            int n = 0;
            for (int j = 0; j < c->k; j++) {
                if (j == i)
                    continue;
                int p = n++;
                while (p > 0 && job.far[i][job.order[i][p - 1]] > job.far[i][j]) {
                    job.order[i][p] = job.order[i][p - 1];
                    p--;
                }
                job.order[i][p] = (uint8_t)j;
            }
        }
    } else if (sp->cdims == 1) {
        /* the gray histogram holds every pixel: sums come from it (and the
         * hysteresis' moves from the rows) */
        for (int v = 0; v < 256; v++) {
            const double f = (double)v;
            job.gray_lut[v] = (uint8_t)nearest_all(&f, c, 1);
        }
        const KmCoreset *cs = &km->cs;
        for (int i = 0; i < cs->n; i++) {
            const int l = job.gray_lut[cs->bin[i]];
            sums->n[l] += cs->w[i];
            sums->s[l][0] += cs->sum[i];
            *q_color += cs->sum[i] * (uint64_t)cs->bin[i];
        }
        if (!dst && !labels && !hy->store)
            return;
    } else {
        build_color_tables(km, c);
        job.sums = want_sums;
        if (!want_sums && !dst && !labels && !hy->store)
            return;
    }

    const int grain = 8;
    const unsigned chunks = iseg_pool_chunks(pool, src->height, grain);
    iseg_pool_run(pool, src->height, grain, assign_job, &job);
    if (!sp->pdims && sp->cdims == 1 && !hy->apply)
        return;
    for (unsigned s = 0; s < chunks; s++) {
        const KmSlotAcc *a = &km->acc[s];
        for (int j = 0; j < c->k; j++) {
            sums->n[j] += a->sums.n[j];
            for (int d = 0; d < sp->dims; d++)
                sums->s[j][d] += a->sums.s[j][d];
        }
        *q_color += a->q;
    }
}
