#include "testutil.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int tu_failures;
int tu_checks;

int tu_finish(void)
{
    printf("%d checks: %d passed, %d failed\n", tu_checks, tu_checks - tu_failures, tu_failures);
    return tu_failures ? 1 : 0;
}

void tu_pools_create(IsegPool **pools, int n)
{
    pools[0] = NULL;
    for (int i = 1; i < n; i++)
        iseg_pool_create(&pools[i], (unsigned)i + 1); /* NULL when it fails */
}

void tu_pools_destroy(IsegPool **pools, int n)
{
    for (int i = 0; i < n; i++)
        iseg_pool_destroy(pools[i]);
}

void tu_rng_seed(TuRng *r, uint64_t seed)
{
    r->s = seed ? seed : 0x9E3779B97F4A7C15ull;
}

uint64_t tu_rng_next(TuRng *r)
{
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * 0x2545F4914F6CDD1Dull;
}

int tu_rng_range(TuRng *r, int lo, int hi)
{
    return lo + (int)(tu_rng_next(r) % (uint64_t)(hi - lo + 1));
}

double tu_rng_double(TuRng *r)
{
    return (double)(tu_rng_next(r) >> 11) / 9007199254740992.0;
}

uint64_t tu_seed(uint64_t default_seed)
{
    const char *v = getenv("ISEG_TEST_SEED");
    uint64_t s = v ? strtoull(v, NULL, 0) : default_seed;
    printf("seed %" PRIu64 " (set ISEG_TEST_SEED to repeat another)\n", s);
    return s;
}

#define TU_GUARD      64
#define TU_PATTERN(i) ((uint8_t)(0xA5 ^ (i)))

void tu_img_alloc(TuImg *t, int width, int height, int pad)
{
    const ptrdiff_t stride = width + pad;
    t->guard = TU_GUARD;
    t->block_size = (size_t)stride * height + 2 * TU_GUARD;
    t->block = malloc(t->block_size);
    if (!t->block) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    for (size_t i = 0; i < t->block_size; i++)
        t->block[i] = TU_PATTERN(i);
    t->img.data = t->block + TU_GUARD;
    t->img.width = width;
    t->img.height = height;
    t->img.stride = stride;
    for (int y = 0; y < height; y++)
        memset(t->img.data + y * stride, 0, (size_t)width);
}

void tu_img_alloc_random_pad(TuImg *t, TuRng *r, int width, int height)
{
    tu_img_alloc(t, width, height, tu_rng_range(r, 0, 31));
}

void tu_img_free(TuImg *t)
{
    free(t->block);
    t->block = NULL;
}

int tu_img_guard_ok(const TuImg *t)
{
    const uint8_t *base = t->block;
    for (size_t i = 0; i < t->block_size; i++) {
        const size_t off = i;
        const long rel = (long)off - (long)t->guard;
        if (rel >= 0 && rel < (long)(t->img.stride * t->img.height)) {
            if (rel % t->img.stride < t->img.width)
                continue;
        }
        if (base[i] != TU_PATTERN(i)) {
            fprintf(stderr, "guard byte %ld (relative to pixel 0) was overwritten\n", rel);
            return 0;
        }
    }
    return 1;
}

void tu_img_fill_random(TuImg *t, TuRng *r)
{
    for (int y = 0; y < t->img.height; y++)
        for (int x = 0; x < t->img.width; x++)
            t->img.data[y * t->img.stride + x] = (uint8_t)tu_rng_next(r);
}

void tu_img_fill_levels(TuImg *t, TuRng *r, int levels)
{
    uint8_t lv[256];
    for (int i = 0; i < levels; i++)
        lv[i] = (uint8_t)tu_rng_range(r, 0, 255);
    for (int y = 0; y < t->img.height; y++)
        for (int x = 0; x < t->img.width; x++)
            t->img.data[y * t->img.stride + x] = lv[tu_rng_range(r, 0, levels - 1)];
}

void tu_img_fill_photo(TuImg *t, TuRng *r)
{
    const double fx = 0.02 + 0.1 * tu_rng_double(r), fy = 0.02 + 0.1 * tu_rng_double(r);
    const double ph = 6.28 * tu_rng_double(r);
    for (int y = 0; y < t->img.height; y++)
        for (int x = 0; x < t->img.width; x++) {
            double v = 128 + 70 * sin(fx * x + ph) * cos(fy * y) + 30 * (tu_rng_double(r) - 0.5);
            if ((x / 17 + y / 13) % 5 == 0)
                v += 60;
            t->img.data[y * t->img.stride + x] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
}

void tu_img_copy_pixels(IsegImage *dst, const IsegImage *src)
{
    for (int y = 0; y < src->height; y++)
        memcpy(dst->data + y * dst->stride, src->data + y * src->stride, (size_t)src->width);
}

int tu_img_equal(const IsegImage *a, const IsegImage *b, const char *what)
{
    if (a->width != b->width || a->height != b->height) {
        fprintf(stderr, "%s: sizes differ %dx%d vs %dx%d\n", what, a->width, a->height, b->width,
                b->height);
        return 0;
    }
    for (int y = 0; y < a->height; y++)
        for (int x = 0; x < a->width; x++) {
            const int va = a->data[y * a->stride + x], vb = b->data[y * b->stride + x];
            if (va != vb) {
                fprintf(stderr, "%s: %dx%d differs first at (%d,%d): %d vs %d\n", what, a->width,
                        a->height, x, y, va, vb);
                return 0;
            }
        }
    return 1;
}

const TuLayout tu_layouts[] = {
    { "GRAY8", 0, 1, 0, 0 }, { "I420", 2, 1, 1, 1 }, { "NV12", 2, 2, 1, 1 },
    { "Y42B", 2, 1, 1, 0 },  { "Y444", 2, 1, 0, 0 },
};
const int tu_n_layouts = (int)(sizeof(tu_layouts) / sizeof(tu_layouts[0]));

void tu_frame_alloc(TuFrame *t, TuRng *r, const TuLayout *l, int w, int h)
{
    memset(t, 0, sizeof(*t));
    tu_img_alloc_random_pad(&t->luma, r, w, h);
    tu_img_fill_photo(&t->luma, r);
    t->f.luma = t->luma.img;
    t->f.n_chroma = l->n_chroma;
    t->f.chroma_pixel_stride = l->pixel_stride;
    t->f.chroma_shift_x = l->sx;
    t->f.chroma_shift_y = l->sy;
    if (!l->n_chroma)
        return;
    const int cw = (w + (1 << l->sx) - 1) >> l->sx, ch = (h + (1 << l->sy) - 1) >> l->sy;
    if (l->pixel_stride == 2) {
        tu_img_alloc_random_pad(&t->chroma[0], r, 2 * cw, ch);
        tu_img_fill_random(&t->chroma[0], r);
        for (int p = 0; p < 2; p++) {
            t->f.chroma[p] = t->chroma[0].img;
            t->f.chroma[p].data += p;
            t->f.chroma[p].width = cw;
        }
    } else {
        for (int p = 0; p < 2; p++) {
            tu_img_alloc_random_pad(&t->chroma[p], r, cw, ch);
            tu_img_fill_random(&t->chroma[p], r);
            t->f.chroma[p] = t->chroma[p].img;
        }
    }
}

void tu_frame_copy(TuFrame *dst, const TuFrame *src)
{
    tu_img_copy_pixels(&dst->luma.img, &src->luma.img);
    for (int p = 0; p < 2; p++)
        if (src->chroma[p].block)
            tu_img_copy_pixels(&dst->chroma[p].img, &src->chroma[p].img);
}

int tu_frame_equal(const TuFrame *a, const TuFrame *b, const char *what)
{
    int ok = tu_img_equal(&a->luma.img, &b->luma.img, what);
    for (int p = 0; p < 2; p++)
        if (a->chroma[p].block)
            ok &= tu_img_equal(&a->chroma[p].img, &b->chroma[p].img, what);
    return ok;
}

int tu_frame_guard_ok(const TuFrame *t)
{
    int ok = tu_img_guard_ok(&t->luma);
    for (int p = 0; p < 2; p++)
        if (t->chroma[p].block)
            ok &= tu_img_guard_ok(&t->chroma[p]);
    return ok;
}

void tu_frame_free(TuFrame *t)
{
    tu_img_free(&t->luma);
    for (int p = 0; p < 2; p++)
        if (t->chroma[p].block)
            tu_img_free(&t->chroma[p]);
}
