/* imageseg-bench: options, timing, test frames and the result tables.
 * See bench.h for how sections declare cases and README.md for usage. */
#define _POSIX_C_SOURCE 200809L
#include "bench.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------ the section table */

#define BENCH_SECTION(name) extern const BenchSection bench_section_##name;
#include "sections.def"
#undef BENCH_SECTION

static const BenchSection *const sections[] = {
#define BENCH_SECTION(name) &bench_section_##name,
#include "sections.def"
#undef BENCH_SECTION
};
#define N_SECTIONS (sizeof(sections) / sizeof(sections[0]))

/* ------------------------------------------------------------ state */

#define MAX_SIZES   16
#define MAX_FILTERS 16
#define MAX_POOLS   8

typedef struct Result {
    char id[160];
    char name[48];
    char impl[16];
    char note[48];
    int width, height, channels;
    unsigned threads;
    int last_round;  /* memcpy rows: the round that measured it last */
    double *samples; /* seconds per call, pooled over rounds */
    size_t n_samples, cap_samples;
    double time;   /* median or best, filled when tabulating */
    double best;   /* fastest call */
    double spread; /* interquartile range / median */
} Result;

typedef struct Message {
    int ok; /* 1, 0, or -1 for a note */
    char text[240];
} Message;

typedef struct CachedFrame {
    BenchFrameKind kind;
    BenchImage img;
} CachedFrame;

typedef struct CachedPool {
    unsigned threads;
    IsegPool *pool;
} CachedPool;

struct Bench {
    /* options */
    const char *filters[MAX_FILTERS];
    int n_filters;
    int quick, list, best, markdown, rounds;
    const char *dump_dir;
    double min_time;
    int min_samples;
    unsigned threads;
    BenchSize sizes[MAX_SIZES];
    int n_sizes;
    FILE *csv;

    /* the running section */
    const BenchSection *section;
    int round;
    Result *results;
    size_t n_results, cap_results;
    Message *messages;
    size_t n_messages, cap_messages;
    int failed_checks;

    CachedFrame *frames; /* the running section's; freed when it ends */
    int n_frames, cap_frames;
    CachedPool pools[MAX_POOLS];
    int n_pools;
};

static void *xrealloc(void *p, size_t size)
{
    void *q = realloc(p, size);
    if (!q) {
        fprintf(stderr, "imageseg-bench: out of memory\n");
        exit(2);
    }
    return q;
}

/* ------------------------------------------------------------ timing */

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Quantile q of sorted v[0..n) by linear interpolation. */
static double quantile(const double *v, size_t n, double q)
{
    if (n == 0)
        return 0;
    const double pos = q * (double)(n - 1);
    const size_t i = (size_t)pos;
    if (i + 1 >= n)
        return v[n - 1];
    return v[i] + (pos - (double)i) * (v[i + 1] - v[i]);
}

static void result_add_sample(Result *r, double t)
{
    if (r->n_samples == r->cap_samples) {
        r->cap_samples = r->cap_samples ? 2 * r->cap_samples : 64;
        r->samples = xrealloc(r->samples, r->cap_samples * sizeof(double));
    }
    r->samples[r->n_samples++] = t;
}

/* A sample shorter than this is dominated by clock and loop overhead: calls
 * without a prepare step are batched up to it. */
#define MIN_SAMPLE_SECONDS 100e-6
#define MAX_SAMPLES        200000

#ifdef HAVE_OPENCV
/* cv::setNumThreads() rebuilds OpenCV's thread arena: only on a change. */
static void set_cv_threads(unsigned n)
{
    static unsigned current;
    if (n != current) {
        bench_cv_set_threads(n);
        current = n;
    }
}
#endif

/* One case being timed: its result row (an index, as rows may move) and
 * its progress this round. */
typedef struct Timing {
    const BenchCase *c;
    size_t result;
    int opencv;
    long batch;
    double timed;
    size_t samples;
    int done;
} Timing;

static double take_sample(Timing *t)
{
    const BenchCase *c = t->c;
#ifdef HAVE_OPENCV
    if (t->opencv)
        set_cv_threads(c->threads);
#endif
    if (c->prepare)
        c->prepare(c->arg);
    const double t0 = now_seconds();
    for (long i = 0; i < t->batch; i++)
        c->run(c->arg);
    return now_seconds() - t0;
}

/* Times the cases of a group sample by sample in turn (A B C A B C ...),
 * so that whatever else the machine does hits them alike, until each has its
 * share of the time budget and samples. */
static void measure_group(Bench *b, Timing *t, int n)
{
    /* warm-up: first touch of buffers, pool wake-up, lazy allocations; and
     * the batch size of short calls */
    for (int i = 0; i < n; i++) {
        t[i].batch = 1;
        const double one = take_sample(&t[i]);
        if (!t[i].c->prepare && one < MIN_SAMPLE_SECONDS)
            t[i].batch = (long)ceil(MIN_SAMPLE_SECONDS / (one > 1e-9 ? one : 1e-9));
        t[i].timed = 0;
        t[i].samples = 0;
        t[i].done = 0;
    }
    /* the budget is shared by the rounds: more rounds interleave the
     * sections' cases more finely without taking longer */
    const double min_time = b->min_time / b->rounds;
    const size_t min_samples = (size_t)((b->min_samples + b->rounds - 1) / b->rounds);
    /* prepare steps are untimed but not free: also stop on wall time */
    const double wall_limit = n * (10 * min_time + 0.5);
    const double wall_start = now_seconds();
    /* Each pass starts one case later (A B C, B C A, C A B ...): what ran
     * just before a call (and so what the caches hold) is the same mix for
     * every case. */
    for (int remaining = n, pass = 0; remaining > 0; pass++) {
        for (int k = 0; k < n; k++) {
            const int i = (pass + k) % n;
            if (t[i].done)
                continue;
            const double dt = take_sample(&t[i]);
            t[i].timed += dt;
            t[i].samples++;
            result_add_sample(&b->results[t[i].result], dt / (double)t[i].batch);
            if ((t[i].timed >= min_time && t[i].samples >= min_samples) ||
                t[i].samples >= MAX_SAMPLES ||
                (t[i].samples >= 2 && now_seconds() - wall_start > wall_limit)) {
                t[i].done = 1;
                remaining--;
            }
        }
    }
}

/* ------------------------------------------------------------ cases */

static const char *impl_of(const BenchCase *c)
{
    return c->impl ? c->impl : BENCH_IMPL_ISEG;
}

static void make_id(char *out, size_t size, const char *section, const char *name, const char *impl,
                    int w, int h, unsigned threads)
{
    snprintf(out, size, "%s/%s/%s/%dx%d/t%u", section, name, impl, w, h, threads);
}

static int id_matches(const Bench *b, const char *id)
{
    if (b->n_filters == 0)
        return 1;
    for (int i = 0; i < b->n_filters; i++)
        if (strstr(id, b->filters[i]))
            return 1;
    return 0;
}

int bench_wanted(const Bench *b, const char *name, const char *impl, int width, int height,
                 unsigned threads)
{
    char id[160];
    if (impl) {
        make_id(id, sizeof(id), b->section->name, name, impl, width, height, threads);
        return id_matches(b, id);
    }
    static const char *const impls[] = { BENCH_IMPL_ISEG, BENCH_IMPL_OPENCV };
    for (size_t i = 0; i < 2; i++) {
        make_id(id, sizeof(id), b->section->name, name, impls[i], width, height, threads);
        if (id_matches(b, id))
            return 1;
    }
    return 0;
}

int bench_listing(const Bench *b)
{
    return b->list;
}

int bench_round(const Bench *b)
{
    return b->round;
}

/* The row for id, added (with *added = 1) if new. Returns its index. */
static size_t find_or_add_result(Bench *b, const char *id, int *added)
{
    for (size_t i = 0; i < b->n_results; i++)
        if (strcmp(b->results[i].id, id) == 0) {
            *added = 0;
            return i;
        }
    if (b->n_results == b->cap_results) {
        b->cap_results = b->cap_results ? 2 * b->cap_results : 32;
        b->results = xrealloc(b->results, b->cap_results * sizeof(Result));
    }
    Result *r = &b->results[b->n_results];
    memset(r, 0, sizeof(*r));
    r->last_round = -1;
    snprintf(r->id, sizeof(r->id), "%s", id);
    *added = 1;
    return b->n_results++;
}

/* The memcpy baseline: copy a frame of the same size (w * h * channels
 * bytes, contiguous) on the same number of threads. */
typedef struct MemcpyArgs {
    uint8_t *src, *dst;
    size_t row_bytes;
    int rows;
    IsegPool *pool;
} MemcpyArgs;

static void memcpy_rows(void *p, int begin, int end, unsigned slot)
{
    (void)slot;
    MemcpyArgs *a = p;
    memcpy(a->dst + (size_t)begin * a->row_bytes, a->src + (size_t)begin * a->row_bytes,
           (size_t)(end - begin) * a->row_bytes);
}

static void memcpy_run(void *p)
{
    MemcpyArgs *a = p;
    if (a->pool)
        iseg_pool_run(a->pool, a->rows, 16, memcpy_rows, a);
    else
        memcpy(a->dst, a->src, (size_t)a->rows * a->row_bytes);
}

/* The memcpy case for frames like c, or none if it was measured already
 * this round (once per round and size, before the first case of that size). */
static int memcpy_case(Bench *b, const BenchCase *c, BenchCase *out, MemcpyArgs *args,
                       size_t *result)
{
    const int channels = c->channels > 0 ? c->channels : 1;
    char name[48], id[160];
    if (channels > 1)
        snprintf(name, sizeof(name), "memcpy-%dch", channels);
    else
        snprintf(name, sizeof(name), "memcpy");
    make_id(id, sizeof(id), b->section->name, name, "libc", c->width, c->height, c->threads);
    int added;
    const size_t i = find_or_add_result(b, id, &added);
    Result *r = &b->results[i];
    if (added) {
        snprintf(r->name, sizeof(r->name), "%s", name);
        snprintf(r->impl, sizeof(r->impl), "libc");
        r->width = c->width;
        r->height = c->height;
        r->channels = channels;
        r->threads = c->threads;
    }
    if (r->last_round == b->round)
        return 0;
    r->last_round = b->round;
    const size_t row_bytes = (size_t)c->width * (size_t)channels,
                 bytes = row_bytes * (size_t)c->height;
    *args = (MemcpyArgs){ malloc(bytes), malloc(bytes), row_bytes, c->height,
                          bench_pool(b, c->threads) };
    if (!args->src || !args->dst) {
        fprintf(stderr, "imageseg-bench: out of memory\n");
        exit(2);
    }
    for (size_t k = 0; k < bytes; k++) /* touch every page; contents do not matter */
        args->src[k] = (uint8_t)(k * 31 + (k >> 12));
    memset(args->dst, 1, bytes);
    *out = (BenchCase){ .name = r->name,
                        .impl = "libc",
                        .width = c->width,
                        .height = c->height,
                        .channels = channels,
                        .threads = c->threads,
                        .run = memcpy_run,
                        .arg = args };
    *result = i;
    return 1;
}

void bench_cases(Bench *b, const BenchCase *cases, int n)
{
    /* the wanted cases, and the memcpy baselines not yet measured this round */
    Timing *t = calloc((size_t)n + 1, sizeof(Timing));
    Timing *memcpy_t = calloc((size_t)n + 1, sizeof(Timing));
    BenchCase *memcpy_cases = calloc((size_t)n + 1, sizeof(BenchCase));
    MemcpyArgs *memcpy_args = calloc((size_t)n + 1, sizeof(MemcpyArgs));
    if (!t || !memcpy_t || !memcpy_cases || !memcpy_args) {
        fprintf(stderr, "imageseg-bench: out of memory\n");
        exit(2);
    }
    int n_t = 0, n_memcpy = 0;
    for (int k = 0; k < n; k++) {
        const BenchCase *c = &cases[k];
        const char *impl = impl_of(c);
        char id[160];
        make_id(id, sizeof(id), b->section->name, c->name, impl, c->width, c->height, c->threads);
        if (!id_matches(b, id))
            continue;
        if (b->list) {
            printf("%s%s%s\n", id, c->note ? "   " : "", c->note ? c->note : "");
            continue;
        }
        size_t mi;
        if (memcpy_case(b, c, &memcpy_cases[n_memcpy], &memcpy_args[n_memcpy], &mi)) {
            memcpy_t[n_memcpy] = (Timing){ .c = &memcpy_cases[n_memcpy], .result = mi };
            n_memcpy++;
        }
        int added;
        const size_t ri = find_or_add_result(b, id, &added);
        Result *r = &b->results[ri];
        if (added) {
            snprintf(r->name, sizeof(r->name), "%s", c->name);
            snprintf(r->impl, sizeof(r->impl), "%s", impl);
            snprintf(r->note, sizeof(r->note), "%s", c->note ? c->note : "");
            r->width = c->width;
            r->height = c->height;
            r->channels = c->channels > 0 ? c->channels : 1;
            r->threads = c->threads;
        }
        t[n_t++] = (Timing){ .c = c, .result = ri, .opencv = strcmp(impl, BENCH_IMPL_OPENCV) == 0 };
    }
    /* The baselines first, on their own: their buffers are not the cases'
     * and would only stir the caches between the cases' calls. */
    for (int k = 0; k < n_memcpy; k++)
        measure_group(b, &memcpy_t[k], 1);
    if (n_t > 0) {
        if (isatty(STDERR_FILENO))
            fprintf(stderr, "\r\033[K  %s/%dx%d/t%u: %d cases (round %d/%d)", b->section->name,
                    t[n_t - 1].c->width, t[n_t - 1].c->height, t[n_t - 1].c->threads, n_t,
                    b->round + 1, b->rounds);
        measure_group(b, t, n_t);
    }
    for (int k = 0; k < n_memcpy; k++) {
        free(memcpy_args[k].src);
        free(memcpy_args[k].dst);
    }
    free(memcpy_args);
    free(memcpy_cases);
    free(memcpy_t);
    free(t);
}

void bench_case(Bench *b, const BenchCase *c)
{
    bench_cases(b, c, 1);
}

static void add_message(Bench *b, int ok, const char *fmt, va_list ap)
{
    if (b->list || b->round > 0)
        return;
    if (b->n_messages == b->cap_messages) {
        b->cap_messages = b->cap_messages ? 2 * b->cap_messages : 16;
        b->messages = xrealloc(b->messages, b->cap_messages * sizeof(Message));
    }
    Message *m = &b->messages[b->n_messages++];
    m->ok = ok;
    vsnprintf(m->text, sizeof(m->text), fmt, ap);
    if (ok == 0)
        b->failed_checks++;
}

void bench_check(Bench *b, int ok, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_message(b, ok ? 1 : 0, fmt, ap);
    va_end(ap);
}

void bench_note(Bench *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_message(b, -1, fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------------ options */

int bench_n_sizes(const Bench *b)
{
    return b->n_sizes;
}

BenchSize bench_size(const Bench *b, int i)
{
    return b->sizes[i];
}

int bench_thread_counts(const Bench *b, unsigned counts[2])
{
    counts[0] = 1;
    if (b->threads <= 1)
        return 1;
    counts[1] = b->threads;
    return 2;
}

IsegPool *bench_pool(Bench *b, unsigned threads)
{
    if (threads <= 1)
        return NULL;
    for (int i = 0; i < b->n_pools; i++)
        if (b->pools[i].threads == threads)
            return b->pools[i].pool;
    IsegPool *pool = NULL;
    if (b->n_pools == MAX_POOLS || iseg_pool_create(&pool, threads) < 0) {
        fprintf(stderr, "imageseg-bench: cannot create a pool of %u threads\n", threads);
        exit(2);
    }
    b->pools[b->n_pools].threads = threads;
    b->pools[b->n_pools].pool = pool;
    b->n_pools++;
    return pool;
}

/* ------------------------------------------------------------ test frames */

int bench_image_alloc(BenchImage *img, int width, int height, int channels)
{
    memset(img, 0, sizeof(*img));
    if (width < 1 || height < 1 || channels < 1)
        return -EINVAL;
    const ptrdiff_t stride = ((ptrdiff_t)width * channels + 63) & ~(ptrdiff_t)63;
    void *p = NULL;
    if (posix_memalign(&p, 64, (size_t)stride * (size_t)height) != 0)
        return -ENOMEM;
    img->data = p;
    img->width = width;
    img->height = height;
    img->channels = channels;
    img->stride = stride;
    return 0;
}

void bench_image_free(BenchImage *img)
{
    free(img->data);
    memset(img, 0, sizeof(*img));
}

void bench_image_copy(BenchImage *dst, const BenchImage *src)
{
    const size_t row = (size_t)src->width * (size_t)src->channels;
    if (dst->stride == src->stride) {
        memcpy(dst->data, src->data, (size_t)src->stride * (size_t)(src->height - 1) + row);
        return;
    }
    for (int y = 0; y < src->height; y++)
        memcpy(dst->data + (ptrdiff_t)y * dst->stride, src->data + (ptrdiff_t)y * src->stride, row);
}

/* The scene, in coordinates relative to the frame (0..1), so every size shows
 * the same picture: a shaded background (light falling from the top left,
 * a slow ripple), bright and dark objects with their own shading, a striped
 * (textured) object, a blown-out highlight, plus sensor noise (sd ~4). The
 * histogram is multi-modal, as in a real photo, and Otsu has work to do. */
typedef struct Shape {
    char kind;             /* 'e' ellipse, 'r' rectangle */
    double cx, cy, rx, ry; /* centre and half-sizes */
    int level[3];          /* R, G, B; gray = the first */
    int shade;             /* top-to-bottom shading amplitude */
    int stripes;           /* period in pixels of a vertical stripe texture, 0 none */
    int noisy;             /* 0 for the flat (clipped) highlight */
} Shape;

static const Shape scene[] = {
    { 'e', 0.30, 0.42, 0.15, 0.22, { 196, 172, 150 }, 30, 0, 1 }, /* a face-like bright blob */
    { 'r', 0.67, 0.32, 0.13, 0.12, { 172, 205, 90 }, 20, 0, 1 },  /* a lit box */
    { 'e', 0.72, 0.74, 0.13, 0.11, { 34, 44, 86 }, 12, 0, 1 },    /* a dark object */
    { 'r', 0.17, 0.82, 0.08, 0.10, { 222, 218, 206 }, 10, 0, 1 }, /* paper */
    { 'r', 0.46, 0.75, 0.06, 0.15, { 150, 120, 110 }, 10, 3, 1 }, /* fabric */
    { 'e', 0.88, 0.14, 0.05, 0.07, { 255, 255, 255 }, 0, 0, 0 },  /* a lamp, clipped */
    { 'e', 0.50, 0.52, 0.025, 0.03, { 240, 236, 228 }, 0, 0, 1 }, /* a small bright spot */
};
#define N_SHAPES (sizeof(scene) / sizeof(scene[0]))

typedef struct Rng {
    uint64_t s;
} Rng;

static uint64_t rng_next(Rng *r)
{
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * 0x2545F4914F6CDD1Dull;
}

/* Horizontal span [x0, x1) of shape s on row y, or x0 >= x1. */
static void shape_span(const Shape *s, int w, int h, int y, int *x0, int *x1)
{
    const double v = (y + 0.5) / h, dy = (v - s->cy) / s->ry;
    *x0 = *x1 = 0;
    if (dy < -1 || dy >= 1)
        return;
    const double half = s->kind == 'e' ? s->rx * sqrt(1 - dy * dy) : s->rx;
    double a = (s->cx - half) * w, e = (s->cx + half) * w;
    *x0 = (int)ceil(a - 0.5);
    *x1 = (int)ceil(e - 0.5);
    if (*x0 < 0)
        *x0 = 0;
    if (*x1 > w)
        *x1 = w;
}

static void render(BenchImage *img, BenchFrameKind kind)
{
    const int w = img->width, h = img->height;
    const int ch = kind == BENCH_FRAME_RGB ? 3 : kind == BENCH_FRAME_RGBX ? 4 : 1;
    const int colour_ch = ch == 4 ? 3 : ch;
    int *row = malloc((size_t)w * sizeof(int));
    int *flat = malloc((size_t)w * sizeof(int));
    double *ripple_x = malloc((size_t)w * sizeof(double));
    if (!row || !flat || !ripple_x) {
        fprintf(stderr, "imageseg-bench: out of memory\n");
        exit(2);
    }
    for (int x = 0; x < w; x++)
        ripple_x[x] = sin(6.2832 * 2.3 * (x + 0.5) / w);
    Rng rng = { 0x9E3779B97F4A7C15ull ^ ((uint64_t)kind << 40) ^ ((uint64_t)w << 20) ^
                (uint64_t)h };
    /* background per channel: base + gradients + ripple amplitude */
    static const double bg_base[3] = { 70, 78, 92 }, bg_gx[3] = { 40, 30, 18 },
                        bg_gy[3] = { 28, 22, 34 }, bg_ripple[3] = { 14, 12, 10 };

    for (int y = 0; y < h; y++) {
        uint8_t *out = img->data + (ptrdiff_t)y * img->stride;
        const double v = (y + 0.5) / h;
        const double ripple_y = cos(6.2832 * 1.7 * v);
        for (int c = 0; c < colour_ch; c++) {
            if (kind == BENCH_FRAME_MASK) {
                memset(row, 0, (size_t)w * sizeof(int));
            } else {
                const double base = bg_base[c] + bg_gy[c] * (1 - v);
                for (int x = 0; x < w; x++)
                    row[x] = (int)(base + bg_gx[c] * (1 - (x + 0.5) / w) +
                                   bg_ripple[c] * ripple_x[x] * ripple_y);
            }
            memset(flat, 0, (size_t)w * sizeof(int));
            for (size_t i = 0; i < N_SHAPES; i++) {
                const Shape *s = &scene[i];
                int x0, x1;
                shape_span(s, w, h, y, &x0, &x1);
                if (kind == BENCH_FRAME_MASK) {
                    for (int x = x0; x < x1; x++)
                        row[x] = 255;
                    continue;
                }
                const int lv = s->level[c] + (int)(s->shade * ((v - s->cy) / s->ry));
                for (int x = x0; x < x1; x++) {
                    int val = lv;
                    if (s->stripes && (x / s->stripes) % 2)
                        val -= 45;
                    row[x] = val;
                    flat[x] = !s->noisy;
                }
            }
            if (kind == BENCH_FRAME_MASK) {
                /* salt and pepper: about 1 pixel in 512 flipped */
                for (int x = 0; x < w; x++) {
                    if ((rng_next(&rng) & 511) == 0)
                        row[x] = 255 - row[x];
                    out[x] = (uint8_t)row[x];
                }
                continue;
            }
            for (int x = 0; x < w; x++) {
                int val = row[x];
                if (!flat[x]) {
                    /* sum of four uniform bytes: roughly Gaussian, sd ~4 */
                    const uint64_t q = rng_next(&rng);
                    const int sum = (int)(q & 255) + (int)((q >> 8) & 255) +
                                    (int)((q >> 16) & 255) + (int)((q >> 24) & 255);
                    val += ((sum - 510) * 7) / 256;
                }
                out[x * ch + c] = (uint8_t)(val < 0 ? 0 : val > 255 ? 255 : val);
            }
        }
        if (ch == 4)
            for (int x = 0; x < w; x++)
                out[x * 4 + 3] = 255;
    }
    free(row);
    free(flat);
    free(ripple_x);
}

const BenchImage *bench_frame(Bench *b, BenchFrameKind kind, int width, int height)
{
    for (int i = 0; i < b->n_frames; i++) {
        const CachedFrame *f = &b->frames[i];
        if (f->kind == kind && f->img.width == width && f->img.height == height)
            return &f->img;
    }
    /* no eviction: a section may hold any number of frames at once */
    if (b->n_frames == b->cap_frames) {
        b->cap_frames = b->cap_frames ? 2 * b->cap_frames : 8;
        b->frames = xrealloc(b->frames, (size_t)b->cap_frames * sizeof(CachedFrame));
    }
    CachedFrame *f = &b->frames[b->n_frames];
    const int ch = kind == BENCH_FRAME_RGB ? 3 : kind == BENCH_FRAME_RGBX ? 4 : 1;
    if (bench_image_alloc(&f->img, width, height, ch) < 0)
        return NULL;
    f->kind = kind;
    render(&f->img, kind);
    b->n_frames++;
    return &f->img;
}

/* ------------------------------------------------------------ machine info */

static void cpu_model(char *out, size_t size)
{
    snprintf(out, size, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return;
    char line[512];
    while (fgets(line, sizeof(line), f)) {
        if (strncmp(line, "model name", 10) == 0) {
            const char *colon = strchr(line, ':');
            if (colon) {
                colon++;
                while (*colon == ' ' || *colon == '\t')
                    colon++;
                snprintf(out, size, "%s", colon);
                out[strcspn(out, "\n")] = 0;
            }
            break;
        }
    }
    fclose(f);
}

static void load_average(char *out, size_t size)
{
    snprintf(out, size, "unknown");
    FILE *f = fopen("/proc/loadavg", "r");
    if (!f)
        return;
    double a, b, c;
    if (fscanf(f, "%lf %lf %lf", &a, &b, &c) == 3)
        snprintf(out, size, "%.2f %.2f %.2f", a, b, c);
    fclose(f);
}

static void print_header(const Bench *b)
{
    char cpu[256], load[64], date[64];
    cpu_model(cpu, sizeof(cpu));
    load_average(load, sizeof(load));
    const time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(date, sizeof(date), "%Y-%m-%d %H:%M", &tm);
    struct utsname u;
    if (uname(&u) != 0)
        snprintf(u.release, sizeof(u.release), "?");
    const char *li = b->markdown ? "- " : "  ";
    printf("%simageseg-bench, libimageseg %s, %s\n", b->markdown ? "### " : "", iseg_version(),
           date);
    if (b->markdown)
        printf("\n");
    printf("%sCPU: %s, %ld cores online, Linux %s\n", li, cpu, sysconf(_SC_NPROCESSORS_ONLN),
           u.release);
    printf("%sload average at start: %s\n", li, load);
    printf("%scompiler: %s, %s\n", li,
#if defined(__clang__)
           "clang " __clang_version__,
#elif defined(__GNUC__)
           "gcc " __VERSION__,
#else
           "unknown",
#endif
           BENCH_BUILD_INFO);
#ifdef HAVE_OPENCV
    printf(
        "%sOpenCV %s, parallel framework %s (thread count set per case with cv::setNumThreads)\n",
        li, bench_cv_version(), bench_cv_parallel_framework());
#else
    printf("%sOpenCV: not built in (meson setup -Dopencv=enabled to compare)\n", li);
#endif
    char threads[32] = "1";
    if (b->threads > 1)
        snprintf(threads, sizeof(threads), "1 and %u", b->threads);
    printf("%stiming: %s time per call; per case >= %.3g s and >= %d samples, split over %d "
           "interleaved round%s; threads: %s\n",
           li, b->best ? "fastest" : "median", b->min_time, b->min_samples, b->rounds,
           b->rounds == 1 ? "" : "s", threads);
    printf("%sx memcpy = time / time of memcpy of the same frame size on as many threads; "
           "vs OpenCV = OpenCV's time / ours (> 1: we are faster); spread = interquartile range / "
           "median\n\n",
           li);
}

/* ------------------------------------------------------------ tables */

static const Result *find_opencv_pair(const Bench *b, const Result *r)
{
    if (strcmp(r->impl, BENCH_IMPL_ISEG) != 0)
        return NULL;
    for (size_t i = 0; i < b->n_results; i++) {
        const Result *o = &b->results[i];
        if (strcmp(o->impl, BENCH_IMPL_OPENCV) == 0 && strcmp(o->name, r->name) == 0 &&
            o->width == r->width && o->height == r->height && o->threads == r->threads)
            return o;
    }
    return NULL;
}

static const Result *find_memcpy(const Bench *b, const Result *r)
{
    for (size_t i = 0; i < b->n_results; i++) {
        const Result *o = &b->results[i];
        if (strcmp(o->impl, "libc") == 0 && o->channels == r->channels && o->width == r->width &&
            o->height == r->height && o->threads == r->threads)
            return o;
    }
    return NULL;
}

static void finish_results(Bench *b)
{
    for (size_t i = 0; i < b->n_results; i++) {
        Result *r = &b->results[i];
        if (r->n_samples == 0)
            continue;
        qsort(r->samples, r->n_samples, sizeof(double), cmp_double);
        const double med = quantile(r->samples, r->n_samples, 0.5);
        r->best = r->samples[0];
        r->time = b->best ? r->best : med;
        r->spread = med > 0 ? (quantile(r->samples, r->n_samples, 0.75) -
                               quantile(r->samples, r->n_samples, 0.25)) /
                                  med
                            : 0;
    }
}

/* Milliseconds with 3 significant digits at least, never in e-notation. */
static void format_ms(char *out, size_t size, double seconds)
{
    const double ms = 1e3 * seconds;
    snprintf(out, size,
             ms >= 100   ? "%.1f"
             : ms >= 10  ? "%.2f"
             : ms >= 1   ? "%.3f"
             : ms >= 0.1 ? "%.4f"
                         : "%.5f",
             ms);
}

static void print_table(Bench *b)
{
    const BenchSection *s = b->section;
    if (b->markdown) {
        printf("#### %s: %s\n\n", s->name, s->description);
        printf("| case | impl | size | threads | ms/frame | best ms | Mpixel/s | x memcpy | vs "
               "OpenCV | spread | note |\n");
        printf("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
    } else {
        printf("== %s: %s\n", s->name, s->description);
        printf("%-12s %-8s %-9s %3s %9s %9s %9s %8s %9s %6s  %s\n", "case", "impl", "size", "thr",
               "ms/frame", "best ms", "Mpixel/s", "x memcpy", "vs OpenCV", "spread", "note");
    }
    for (size_t i = 0; i < b->n_results; i++) {
        const Result *r = &b->results[i];
        if (r->n_samples == 0)
            continue;
        char size[32], xm[32] = "", vs[32] = "", spread[32];
        snprintf(size, sizeof(size), "%dx%d", r->width, r->height);
        const Result *m = find_memcpy(b, r);
        if (m && m != r && m->time > 0)
            snprintf(xm, sizeof(xm), "%.2f", r->time / m->time);
        const Result *o = find_opencv_pair(b, r);
        if (o && r->time > 0)
            snprintf(vs, sizeof(vs), "%.2fx", o->time / r->time);
        snprintf(spread, sizeof(spread), "%.1f%%", 100 * r->spread);
        const double mpix = (double)r->width * r->height / r->time / 1e6;
        char ms[32], best[32];
        format_ms(ms, sizeof(ms), r->time);
        format_ms(best, sizeof(best), r->best);
        if (b->markdown)
            printf("| %s | %s | %s | %u | %s | %s | %.0f | %s | %s | %s | %s |\n", r->name, r->impl,
                   size, r->threads, ms, best, mpix, xm, vs, spread, r->note);
        else
            printf("%-12s %-8s %-9s %3u %9s %9s %9.0f %8s %9s %6s  %s\n", r->name, r->impl, size,
                   r->threads, ms, best, mpix, xm, vs, spread, r->note);
        if (b->csv) {
            char vs_csv[32] = "";
            if (o && r->time > 0)
                snprintf(vs_csv, sizeof(vs_csv), "%.4f", o->time / r->time);
            fprintf(b->csv, "%s,%s,%s,%d,%d,%u,%.6f,%.6f,%.3f,%s,%s,%.4f,\"%s\"\n", s->name,
                    r->name, r->impl, r->width, r->height, r->threads, 1e3 * r->time, 1e3 * r->best,
                    mpix, xm, vs_csv, r->spread, r->note);
        }
    }
    printf("\n");
    for (size_t i = 0; i < b->n_messages; i++) {
        const Message *m = &b->messages[i];
        const char *tag = m->ok < 0 ? "note" : m->ok ? "check ok" : "CHECK FAILED";
        printf("%s%s: %s\n", b->markdown ? "- " : "", tag, m->text);
    }
    if (b->n_messages)
        printf("\n");
}

static void free_frames(Bench *b)
{
    for (int i = 0; i < b->n_frames; i++)
        bench_image_free(&b->frames[i].img);
    b->n_frames = 0;
}

static void clear_section(Bench *b)
{
    free_frames(b);
    for (size_t i = 0; i < b->n_results; i++)
        free(b->results[i].samples);
    b->n_results = 0;
    b->n_messages = 0;
}

/* ------------------------------------------------------------ main */

/* Writes every kind of test frame at every size as binary PGM (gray, mask)
 * or PPM (colour; RGBX without x), to look at them. */
static int dump_frames(Bench *b)
{
    static const struct {
        BenchFrameKind kind;
        const char *name;
    } kinds[] = { { BENCH_FRAME_GRAY, "gray" },
                  { BENCH_FRAME_RGB, "rgb" },
                  { BENCH_FRAME_MASK, "mask" } };
    for (int i = 0; i < b->n_sizes; i++)
        for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
            const BenchSize s = b->sizes[i];
            const BenchImage *f = bench_frame(b, kinds[k].kind, s.width, s.height);
            char path[4096];
            snprintf(path, sizeof(path), "%s/%s-%dx%d.%s", b->dump_dir, kinds[k].name, s.width,
                     s.height, f && f->channels == 3 ? "ppm" : "pgm");
            FILE *out = f ? fopen(path, "wb") : NULL;
            if (!out) {
                fprintf(stderr, "imageseg-bench: cannot write %s: %s\n", path,
                        f ? strerror(errno) : "no memory");
                return 2;
            }
            fprintf(out, "P%c\n%d %d\n255\n", f->channels == 3 ? '6' : '5', f->width, f->height);
            for (int y = 0; y < f->height; y++)
                fwrite(f->data + (ptrdiff_t)y * f->stride, 1,
                       (size_t)f->width * (size_t)f->channels, out);
            if (fclose(out) != 0) {
                fprintf(stderr, "imageseg-bench: cannot write %s\n", path);
                return 2;
            }
            printf("%s\n", path);
        }
    return 0;
}

static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: imageseg-bench [options]\n"
        "  --filter S[,S...]  run only cases whose id contains one of the substrings;\n"
        "                     ids are section/case/impl/WxH/tN, e.g. "
        "threshold/otsu/opencv/1920x1080/t1\n"
        "                     (repeatable)\n"
        "  --list             print the ids of the cases that would run, run nothing\n"
        "  --quick            short runs (%.3g s a case instead of %.3g s): a smoke test, not a "
        "measurement\n"
        "  --threads N        the \"all threads\" count besides 1 (default: usable cores)\n"
        "  --sizes WxH[,WxH]  frame sizes (default 640x480,1920x1080,3840x2160)\n"
        "  --min-time SEC     minimum timed seconds a case\n"
        "  --rounds N         run each section N times, each with 1/N of the time budget, and\n"
        "                     pool the samples: cases interleave more finely, so a busy machine\n"
        "                     disturbs all of them alike (default 3, --quick 1)\n"
        "  --best             report the fastest call instead of the median\n"
        "  --markdown         print the header and tables as Markdown\n"
        "  --csv FILE         also write every row to FILE as CSV\n"
        "  --dump-frames DIR  write the test frames at --sizes to DIR as PGM/PPM, run nothing\n"
        "  --help\n",
        0.02, 0.3);
}

static int parse_sizes(Bench *b, const char *arg)
{
    b->n_sizes = 0;
    const char *p = arg;
    while (*p) {
        char *end;
        const long w = strtol(p, &end, 10);
        if (*end != 'x')
            return -1;
        const long h = strtol(end + 1, &end, 10);
        if (w < 1 || h < 1 || w > 65536 || h > 65536 || b->n_sizes == MAX_SIZES)
            return -1;
        b->sizes[b->n_sizes].width = (int)w;
        b->sizes[b->n_sizes].height = (int)h;
        b->n_sizes++;
        if (*end == ',')
            end++;
        else if (*end)
            return -1;
        p = end;
    }
    return b->n_sizes ? 0 : -1;
}

static int parse_args(Bench *b, int argc, char **argv)
{
    static const BenchSize default_sizes[] = { { 640, 480 }, { 1920, 1080 }, { 3840, 2160 } };
    memcpy(b->sizes, default_sizes, sizeof(default_sizes));
    b->n_sizes = 3;
    b->threads = iseg_cpu_count();
    b->rounds = 0;
    double min_time = -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
#define NEED_VALUE()                                                                               \
    do {                                                                                           \
        if (!val) {                                                                                \
            fprintf(stderr, "imageseg-bench: %s needs a value\n", a);                              \
            return -1;                                                                             \
        }                                                                                          \
        i++;                                                                                       \
    } while (0)
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            exit(0);
        } else if (strcmp(a, "--list") == 0) {
            b->list = 1;
        } else if (strcmp(a, "--quick") == 0) {
            b->quick = 1;
        } else if (strcmp(a, "--best") == 0) {
            b->best = 1;
        } else if (strcmp(a, "--markdown") == 0) {
            b->markdown = 1;
        } else if (strcmp(a, "--filter") == 0) {
            NEED_VALUE();
            /* split at commas, in place */
            char *s = argv[i];
            for (char *tok = strtok(s, ","); tok; tok = strtok(NULL, ",")) {
                if (b->n_filters == MAX_FILTERS) {
                    fprintf(stderr, "imageseg-bench: at most %d filters\n", MAX_FILTERS);
                    return -1;
                }
                b->filters[b->n_filters++] = tok;
            }
        } else if (strcmp(a, "--threads") == 0) {
            NEED_VALUE();
            const long n = strtol(val, NULL, 10);
            if (n < 1 || n > 256) {
                fprintf(stderr, "imageseg-bench: --threads takes 1..256\n");
                return -1;
            }
            b->threads = (unsigned)n;
        } else if (strcmp(a, "--sizes") == 0) {
            NEED_VALUE();
            if (parse_sizes(b, val) < 0) {
                fprintf(stderr, "imageseg-bench: --sizes takes WxH[,WxH...]\n");
                return -1;
            }
        } else if (strcmp(a, "--min-time") == 0) {
            NEED_VALUE();
            min_time = strtod(val, NULL);
            if (!(min_time > 0 && min_time < 1000)) {
                fprintf(stderr, "imageseg-bench: --min-time takes seconds > 0\n");
                return -1;
            }
        } else if (strcmp(a, "--rounds") == 0) {
            NEED_VALUE();
            b->rounds = (int)strtol(val, NULL, 10);
            if (b->rounds < 1 || b->rounds > 100) {
                fprintf(stderr, "imageseg-bench: --rounds takes 1..100\n");
                return -1;
            }
        } else if (strcmp(a, "--dump-frames") == 0) {
            NEED_VALUE();
            b->dump_dir = val;
        } else if (strcmp(a, "--csv") == 0) {
            NEED_VALUE();
            b->csv = fopen(val, "w");
            if (!b->csv) {
                fprintf(stderr, "imageseg-bench: cannot write %s: %s\n", val, strerror(errno));
                return -1;
            }
        } else {
            fprintf(stderr, "imageseg-bench: unknown option %s\n", a);
            usage(stderr);
            return -1;
        }
#undef NEED_VALUE
    }
    b->min_time = min_time > 0 ? min_time : b->quick ? 0.02 : 0.3;
    b->min_samples = b->quick ? 3 : 15;
    if (b->rounds == 0)
        b->rounds = b->quick ? 1 : 3;
    if (b->list)
        b->rounds = 1;
    return 0;
}

int main(int argc, char **argv)
{
    static Bench bench;
    Bench *b = &bench;
    if (parse_args(b, argc, argv) < 0)
        return 2;
    if (b->dump_dir) {
        const int status = dump_frames(b);
        free_frames(b);
        free(b->frames);
        return status;
    }
    if (!b->list)
        print_header(b);
    if (b->csv)
        fprintf(b->csv,
                "section,case,impl,width,height,threads,ms_per_frame,best_ms,mpixel_per_s,x_memcpy,"
                "speedup_vs_opencv,spread,note\n");
    for (size_t i = 0; i < N_SECTIONS; i++) {
        b->section = sections[i];
        for (b->round = 0; b->round < b->rounds; b->round++)
            b->section->run(b);
        if (isatty(STDERR_FILENO) && !b->list)
            fprintf(stderr, "\r\033[K");
        if (!b->list) {
            finish_results(b);
            if (b->n_results || b->n_messages)
                print_table(b);
        }
        clear_section(b);
    }
    if (!b->list) {
        char load[64];
        load_average(load, sizeof(load));
        printf("%sload average at end: %s\n", b->markdown ? "- " : "", load);
    }
    for (int i = 0; i < b->n_pools; i++)
        iseg_pool_destroy(b->pools[i].pool);
    free_frames(b);
    free(b->frames);
    free(b->results);
    free(b->messages);
    if (b->csv)
        fclose(b->csv);
    if (b->failed_checks) {
        fprintf(stderr, "imageseg-bench: %d check%s failed\n", b->failed_checks,
                b->failed_checks == 1 ? "" : "s");
        return 1;
    }
    return 0;
}
