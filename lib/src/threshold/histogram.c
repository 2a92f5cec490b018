/* The histogram of a plane: a table of pixel pairs on large frames, eight
 * interleaved sub-histograms on small ones (why: below), rows split across
 * threads. */
#include "threshold_priv.h"

#include <stdlib.h>

/* The histogram is bound by its load-increment-store per pixel: about one a
 * cycle on current x86 cores, whatever the loads. What slows it further is
 * the memory dependence between increments of the same counter still in
 * flight, which photos and video make frequent (neighbouring pixels are
 * often equal) and unpredictable (so the CPU's dependence predictor
 * guesses wrong). Hence eight 32-bit sub-histograms: two rows are scanned
 * side by side, each pixel's increments alternating over four of them, so
 * increments of one counter are eight apart in program order. Counters are
 * flushed to 64 bits before they can overflow. (Measured on Zen 3 with the
 * bench's photo frame: one row and four sub-histograms ~7% slower, 16-bit
 * counters slower still. A pair table measured slower there too, while the
 * one below is faster on Zen 4: on a core whose L2 is smaller than 1 MiB
 * it may not pay, and HIST_PAIR_MIN_PIXELS is the switch.) */
#define HIST_SUBS         8
#define HIST_FLUSH_PIXELS (1u << 30)

typedef struct HistPartial {
    uint64_t total[ISEG_HIST_BINS];
} HistPartial;

static void hist_flush(uint32_t h[HIST_SUBS][ISEG_HIST_BINS], uint64_t out[ISEG_HIST_BINS])
{
    for (int v = 0; v < ISEG_HIST_BINS; v++) {
        uint64_t sum = 0;
        for (int k = 0; k < HIST_SUBS; k++)
            sum += h[k][v];
        out[v] += sum;
    }
    memset(h, 0, HIST_SUBS * sizeof(h[0]));
}

/* Counts one row (p) or two rows side by side (p and q, q may be NULL):
 * row p into sub-histograms 0..3, row q into 4..7. */
static void hist_row_pair(uint32_t h[HIST_SUBS][ISEG_HIST_BINS], const uint8_t *p, const uint8_t *q,
                          int w)
{
    int x = 0;
    if (q) {
        for (; x + 8 <= w; x += 8) {
            uint64_t a, b;
            memcpy(&a, p + x, 8);
            memcpy(&b, q + x, 8);
            h[0][a & 0xff]++;
            h[4][b & 0xff]++;
            h[1][(a >> 8) & 0xff]++;
            h[5][(b >> 8) & 0xff]++;
            h[2][(a >> 16) & 0xff]++;
            h[6][(b >> 16) & 0xff]++;
            h[3][(a >> 24) & 0xff]++;
            h[7][(b >> 24) & 0xff]++;
            h[0][(a >> 32) & 0xff]++;
            h[4][(b >> 32) & 0xff]++;
            h[1][(a >> 40) & 0xff]++;
            h[5][(b >> 40) & 0xff]++;
            h[2][(a >> 48) & 0xff]++;
            h[6][(b >> 48) & 0xff]++;
            h[3][a >> 56]++;
            h[7][b >> 56]++;
        }
        for (; x < w; x++) {
            h[0][p[x]]++;
            h[4][q[x]]++;
        }
        return;
    }
    for (; x + 8 <= w; x += 8) {
        uint64_t a;
        memcpy(&a, p + x, 8);
        h[0][a & 0xff]++;
        h[1][(a >> 8) & 0xff]++;
        h[2][(a >> 16) & 0xff]++;
        h[3][(a >> 24) & 0xff]++;
        h[0][(a >> 32) & 0xff]++;
        h[1][(a >> 40) & 0xff]++;
        h[2][(a >> 48) & 0xff]++;
        h[3][a >> 56]++;
    }
    for (; x < w; x++)
        h[0][p[x]]++;
}

/* Large frames: one counter per *pair* of neighbouring pixels, two tables of
 * 256 x 256 32-bit counters (512 KiB), folded into the histogram at the end:
 * the low byte of an index counts one pixel, the high byte the other. One
 * load-increment-store counts two pixels, half the memory operations of the
 * sub-histograms above. The pairs of a 64-bit word alternate between the two
 * tables, so a run of one value (a letterbox border, a flat background)
 * makes two chains of increments of one counter, not one: with a single
 * table the bench's letterboxed photo frame took 0.61 ms, with two 0.43.
 * Zeroing and folding the tables cost about 40 us: the switch is at 2^18
 * pixels a chunk (640x480 on one thread 0.069 -> 0.062 ms; in two chunks of
 * 2^17 the tables lost, 0.036 -> 0.043). Measured on the bench machine (Zen
 * 4, 1 MiB L2), 1920x1080, one thread, tables allocated each call, against
 * the sub-histograms: letterboxed photo 0.56 -> 0.43 ms, photo 0.54 -> 0.34,
 * noise 0.56 -> 0.38, flat 0.42 -> 0.22. Both bytes of a pair go to the same
 * histogram, so the byte order of the 64-bit loads does not matter.
 */
#define HIST_PAIR_MIN_PIXELS (1u << 18)
#define HIST_PAIR_CELLS      (ISEG_HIST_BINS * ISEG_HIST_BINS) /* one table */
#define HIST_PAIR_FLUSH      (1u << 30) /* pairs: every sum below stays < 2^32 */

static void pair_fold(uint32_t *t, uint32_t low[ISEG_HIST_BINS], uint64_t out[ISEG_HIST_BINS])
{
    for (int hi = 0; hi < ISEG_HIST_BINS; hi++) {
        const uint32_t *row = t + hi * ISEG_HIST_BINS;
        uint32_t sum = 0;
        for (int lo = 0; lo < ISEG_HIST_BINS; lo++) {
            low[lo] += row[lo];
            sum += row[lo];
        }
        out[hi] += sum;
    }
}

/* Adds the tables to out; clears them when more rows follow. */
static void pair_flush(uint32_t *t, uint64_t out[ISEG_HIST_BINS], int clear)
{
    uint32_t low[ISEG_HIST_BINS] = { 0 };
    pair_fold(t, low, out);
    pair_fold(t + HIST_PAIR_CELLS, low, out);
    for (int v = 0; v < ISEG_HIST_BINS; v++)
        out[v] += low[v];
    if (clear)
        memset(t, 0, 2 * HIST_PAIR_CELLS * sizeof(*t));
}

/* Pixels 2i and 2i+1 of the row as one pair, in table t0 or t1 by turns;
 * an odd last pixel straight into out. */
static void pair_row(uint32_t *t0, const uint8_t *p, int w, uint64_t out[ISEG_HIST_BINS])
{
    uint32_t *t1 = t0 + HIST_PAIR_CELLS;
    int x = 0;
    for (; x + 8 <= w; x += 8) {
        uint64_t a;
        memcpy(&a, p + x, 8);
        t0[a & 0xffff]++;
        t1[(a >> 16) & 0xffff]++;
        t0[(a >> 32) & 0xffff]++;
        t1[a >> 48]++;
    }
    for (; x + 2 <= w; x += 2)
        t0[p[x] | (unsigned)p[x + 1] << 8]++;
    if (x < w)
        out[p[x]]++;
}

/* 0, or -1 when the tables cannot be had (the caller counts another way). */
static int hist_rows_pairs(const IsegImage *img, int y0, int y1, uint64_t out[ISEG_HIST_BINS])
{
    uint32_t *t = calloc(2 * HIST_PAIR_CELLS, sizeof(*t));
    if (!t)
        return -1;
    memset(out, 0, ISEG_HIST_BINS * sizeof(out[0]));
    uint64_t pending = 0;
    const int w = img->width;
    for (int y = y0; y < y1; y++) {
        if (pending + (uint64_t)w / 2 > HIST_PAIR_FLUSH) {
            pair_flush(t, out, 1);
            pending = 0;
        }
        pair_row(t, img->data + (ptrdiff_t)y * img->stride, w, out);
        pending += (uint64_t)w / 2;
    }
    pair_flush(t, out, 0);
    free(t);
    return 0;
}

static void hist_rows(const IsegImage *img, int y0, int y1, uint64_t out[ISEG_HIST_BINS])
{
    if ((uint64_t)(y1 - y0) * (uint64_t)img->width >= HIST_PAIR_MIN_PIXELS &&
        hist_rows_pairs(img, y0, y1, out) == 0)
        return;
    uint32_t h[HIST_SUBS][ISEG_HIST_BINS];
    memset(h, 0, sizeof(h));
    memset(out, 0, ISEG_HIST_BINS * sizeof(out[0]));
    uint64_t pending = 0;
    const int w = img->width;
    for (int y = y0; y < y1; y += 2) {
        if (pending + 2 * (uint64_t)w > HIST_FLUSH_PIXELS) {
            hist_flush(h, out);
            pending = 0;
        }
        const uint8_t *p = img->data + (ptrdiff_t)y * img->stride;
        hist_row_pair(h, p, y + 1 < y1 ? p + img->stride : NULL, w);
        pending += 2 * (uint64_t)w;
    }
    hist_flush(h, out);
}

typedef struct HistJob {
    const IsegImage *img;
    HistPartial *partial;
} HistJob;

static void hist_job(void *p, int begin, int end, unsigned slot)
{
    HistJob *job = p;
    hist_rows(job->img, begin, end, job->partial[slot].total);
}

int iseg_histogram(const IsegImage *img, uint64_t hist[ISEG_HIST_BINS], IsegPool *pool)
{
    if (iseg_image_check(img) < 0 || !hist)
        return -EINVAL;
    if (iseg_force_reference())
        return iseg_histogram_ref(img, hist);
    const int grain = 16;
    const unsigned chunks = iseg_pool_chunks(pool, img->height, grain);
    if (chunks <= 1) {
        hist_rows(img, 0, img->height, hist);
        return 0;
    }
    HistPartial *partial = malloc(chunks * sizeof(*partial));
    if (!partial)
        return -ENOMEM;
    HistJob job = { img, partial };
    iseg_pool_run(pool, img->height, grain, hist_job, &job);
    /* integer sums: the same result for every chunking */
    memcpy(hist, partial[0].total, sizeof(partial[0].total));
    for (unsigned c = 1; c < chunks; c++)
        for (int v = 0; v < ISEG_HIST_BINS; v++)
            hist[v] += partial[c].total[v];
    free(partial);
    return 0;
}

uint64_t iseg_histogram_count_foreground(const uint64_t hist[ISEG_HIST_BINS], unsigned T,
                                         int invert)
{
    uint64_t fg = 0;
    for (unsigned v = 0; v < ISEG_HIST_BINS; v++)
        if ((v >= T) != (invert != 0))
            fg += hist[v];
    return fg;
}
