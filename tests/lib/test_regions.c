/* Connected components: hand-worked examples with their labels and
 * statistics written out, argument checks, then the run-based fast path
 * against the flood-fill reference on thousands of random masks (sizes
 * from 1x1, row padding with guard bytes, densities 0..1, blobs,
 * checkerboards, thresholds 1..255, both connectivities, pools of 1..3
 * threads), painting and selection against plain versions. */
#include "testutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <imageseg/regions.h>

static IsegImage view(uint8_t *px, int w, int h)
{
    IsegImage v = { px, w, h, w };
    return v;
}

static void check_region(const IsegRegion *r, int64_t area, int x, int y, int w, int h, int64_t sx,
                         int64_t sy)
{
    CHECK_EQ_INT(r->area, area);
    CHECK_EQ_INT(r->x, x);
    CHECK_EQ_INT(r->y, y);
    CHECK_EQ_INT(r->width, w);
    CHECK_EQ_INT(r->height, h);
    CHECK_EQ_INT(r->sum_x, sx);
    CHECK_EQ_INT(r->sum_y, sy);
}

/* 8x4: a diagonal (0,0)-(1,1); a U at columns 4..6 whose arms meet at the
 * bottom; (7,3) touching the U's corner diagonally. */
static const uint8_t hand[32] = {
    255, 0,   0, 0, 255, 0,   255, 0,   /* */
    0,   255, 0, 0, 255, 0,   255, 0,   /* */
    0,   0,   0, 0, 255, 255, 255, 0,   /* */
    0,   0,   0, 0, 0,   0,   0,   255, /* */
};

static void test_hand_examples(void)
{
    uint8_t px[32];
    memcpy(px, hand, 32);
    IsegImage img = view(px, 8, 4);
    IsegRegions *ctx;
    CHECK_EQ_INT(iseg_regions_create(&ctx, 8, 4), 0);
    int32_t lab[32];
    const IsegRegion *r;

    /* 8-connected: {(0,0),(1,1)} = 1; the U with (7,3) = 2 (first pixel
     * (4,0), the right arm (6,0) joins it only at row 2) */
    CHECK_EQ_INT(iseg_regions_label(ctx, &img, 128, 8, lab, 8, &r, NULL), 2);
    static const int32_t want8[32] = {
        1, 0, 0, 0, 2, 0, 2, 0, /* */
        0, 1, 0, 0, 2, 0, 2, 0, /* */
        0, 0, 0, 0, 2, 2, 2, 0, /* */
        0, 0, 0, 0, 0, 0, 0, 2, /* */
    };
    CHECK(memcmp(lab, want8, sizeof(lab)) == 0);
    check_region(&r[0], 2, 0, 0, 2, 2, 0 + 1, 0 + 1);
    check_region(&r[1], 8, 4, 0, 4, 4, 4 + 4 + 4 + 5 + 6 + 6 + 6 + 7,
                 0 + 1 + 2 + 2 + 2 + 1 + 0 + 3);

    /* 4-connected: first pixels (0,0) (4,0) (1,1) (7,3) -> 1 2 3 4 */
    CHECK_EQ_INT(iseg_regions_label(ctx, &img, 128, 4, lab, 8, &r, NULL), 4);
    static const int32_t want4[32] = {
        1, 0, 0, 0, 2, 0, 2, 0, /* */
        0, 3, 0, 0, 2, 0, 2, 0, /* */
        0, 0, 0, 0, 2, 2, 2, 0, /* */
        0, 0, 0, 0, 0, 0, 0, 4, /* */
    };
    CHECK(memcmp(lab, want4, sizeof(lab)) == 0);
    check_region(&r[0], 1, 0, 0, 1, 1, 0, 0);
    check_region(&r[1], 7, 4, 0, 3, 3, 4 + 4 + 4 + 5 + 6 + 6 + 6, 0 + 1 + 2 + 2 + 2 + 1 + 0);
    check_region(&r[2], 1, 1, 1, 1, 1, 1, 1);
    check_region(&r[3], 1, 7, 3, 1, 1, 7, 3);

    /* threshold: 255 >= 255 is foreground, everything else is not */
    px[0] = 254;
    CHECK_EQ_INT(iseg_regions_label(ctx, &img, 255, 8, NULL, 0, &r, NULL), 2);
    /* (0,0) at 254 left the diagonal: the U now comes first in raster order */
    check_region(&r[0], 8, 4, 0, 4, 4, 42, 11);
    check_region(&r[1], 1, 1, 1, 1, 1, 1, 1);
    CHECK_EQ_INT(iseg_regions_label(ctx, &img, 1, 8, NULL, 0, &r, NULL), 2);

    /* a full frame and an empty one, 1x1 */
    uint8_t full[32];
    memset(full, 200, 32);
    IsegImage f = view(full, 8, 4);
    CHECK_EQ_INT(iseg_regions_label(ctx, &f, 128, 4, lab, 8, &r, NULL), 1);
    check_region(&r[0], 32, 0, 0, 8, 4, 4 * 28, 8 * 6);
    memset(full, 127, 32);
    CHECK_EQ_INT(iseg_regions_label(ctx, &f, 128, 8, lab, 8, &r, NULL), 0);
    for (int i = 0; i < 32; i++)
        CHECK_EQ_INT(lab[i], 0);
    uint8_t one = 128;
    IsegImage o = view(&one, 1, 1);
    CHECK_EQ_INT(iseg_regions_label(ctx, &o, 128, 8, lab, 1, &r, NULL), 1);
    check_region(&r[0], 1, 0, 0, 1, 1, 0, 0);
    CHECK_EQ_INT(lab[0], 1);

    /* a ring touching all four borders is one component; its hole is not */
    uint8_t ring[25];
    for (int i = 0; i < 25; i++)
        ring[i] = (i / 5 == 0 || i / 5 == 4 || i % 5 == 0 || i % 5 == 4) ? 255 : 0;
    IsegImage rg = view(ring, 5, 5);
    IsegRegions *c5;
    CHECK_EQ_INT(iseg_regions_create(&c5, 5, 5), 0);
    CHECK_EQ_INT(iseg_regions_label(c5, &rg, 128, 4, NULL, 0, &r, NULL), 1);
    check_region(&r[0], 16, 0, 0, 5, 5, 2 * (0 + 1 + 2 + 3 + 4) + 3 * (0 + 4),
                 5 * 0 + 5 * 4 + 2 * (1 + 2 + 3));
    iseg_regions_destroy(c5);
    iseg_regions_destroy(ctx);
}

static void test_arguments(void)
{
    uint8_t px[12] = { 0 };
    IsegImage img = view(px, 4, 3);
    IsegRegions *ctx = NULL;
    const IsegRegion *r = (const IsegRegion *)1;
    CHECK_EQ_INT(iseg_regions_create(&ctx, 0, 3), -EINVAL);
    CHECK(ctx == NULL);
    CHECK_EQ_INT(iseg_regions_create(NULL, 4, 3), -EINVAL);
    CHECK_EQ_INT(iseg_regions_create(&ctx, 4, 3), 0);
    CHECK_EQ_INT(iseg_regions_label(ctx, &img, 0, 8, NULL, 0, &r, NULL), -EINVAL);
    CHECK(r == NULL);
    CHECK_EQ_INT(iseg_regions_label(ctx, &img, 256, 8, NULL, 0, &r, NULL), -EINVAL);
    CHECK_EQ_INT(iseg_regions_label(ctx, &img, 128, 5, NULL, 0, &r, NULL), -EINVAL);
    int32_t lab[12];
    CHECK_EQ_INT(iseg_regions_label(ctx, &img, 128, 8, lab, 3, &r, NULL), -EINVAL);
    uint8_t big[20] = { 0 };
    IsegImage b = view(big, 5, 4);
    CHECK_EQ_INT(iseg_regions_label(ctx, &b, 128, 8, NULL, 0, &r, NULL), -EINVAL);
    IsegImage bad = img;
    bad.stride = 3;
    CHECK_EQ_INT(iseg_regions_label(ctx, &bad, 128, 8, NULL, 0, &r, NULL), -EINVAL);
    IsegRegion *rr = (IsegRegion *)1;
    CHECK_EQ_INT(iseg_regions_label_ref(&img, 0, 8, NULL, 0, &rr), -EINVAL);
    CHECK(rr == NULL);
    CHECK_EQ_INT(iseg_regions_label_ref(&img, 128, 6, NULL, 0, &rr), -EINVAL);
    uint8_t keep[2];
    IsegRegion two[2] = { { 5, 0, 0, 1, 1, 0, 0 }, { 3, 0, 0, 1, 1, 0, 0 } };
    CHECK_EQ_INT(iseg_regions_select(two, -1, 0, 0, 0, keep), -EINVAL);
    CHECK_EQ_INT(iseg_regions_select(two, 2, -1, 0, 0, keep), -EINVAL);
    CHECK_EQ_INT(iseg_regions_select(two, 2, 0, -1, 0, keep), -EINVAL);
    CHECK_EQ_INT(iseg_regions_select(two, 2, 0, 0, -1, keep), -EINVAL);
    CHECK_EQ_INT(iseg_regions_select(NULL, 2, 0, 0, 0, keep), -EINVAL);
    CHECK_EQ_INT(iseg_regions_select(NULL, 0, 0, 0, 0, NULL), 0);
    uint8_t value[1] = { 7 };
    IsegImage small = view(px, 3, 3);
    CHECK_EQ_INT(iseg_regions_label(ctx, &img, 128, 8, NULL, 0, &r, NULL), 0);
    CHECK_EQ_INT(iseg_regions_paint(ctx, value, &small), -EINVAL); /* not the labelled size */
    CHECK_EQ_INT(iseg_regions_paint(ctx, value, &img), 0);
    for (int i = 0; i < 12; i++)
        CHECK_EQ_INT(px[i], 7);
    iseg_regions_destroy(ctx);
    iseg_regions_destroy(NULL);
}

/* Random masks of several kinds into t (pixels only; padding kept). */
static void fill_mask(TuImg *t, TuRng *r, int kind)
{
    IsegImage *im = &t->img;
    const double p = tu_rng_double(r);
    const int period = tu_rng_range(r, 1, 9);
    for (int y = 0; y < im->height; y++)
        for (int x = 0; x < im->width; x++) {
            uint8_t v;
            switch (kind) {
            case 0: v = (uint8_t)tu_rng_range(r, 0, 255); break; /* any level */
            case 1: v = tu_rng_double(r) < p ? 255 : 0; break;   /* density p */
            case 2: v = ((x / period + y / period) & 1) ? 255 : 0; break;
            default: v = 0; break;
            }
            im->data[(ptrdiff_t)y * im->stride + x] = v;
        }
    if (kind == 3) /* blobs: random discs and bars */
        for (int b = tu_rng_range(r, 0, 12); b > 0; b--) {
            const int cx = tu_rng_range(r, 0, im->width - 1),
                      cy = tu_rng_range(r, 0, im->height - 1);
            const int rad = tu_rng_range(r, 0, 1 + im->width / 4);
            for (int y = 0; y < im->height; y++)
                for (int x = 0; x < im->width; x++)
                    if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= rad * rad ||
                        (b % 3 == 0 && abs(x - cx) <= 1))
                        im->data[(ptrdiff_t)y * im->stride + x] = 255;
        }
}

static void test_against_reference(void)
{
    TuRng r;
    tu_rng_seed(&r, tu_seed(41));
    IsegPool *pools[4] = { NULL };
    for (int i = 1; i < 4; i++)
        iseg_pool_create(&pools[i], (unsigned)i);
    IsegRegions *ctx;
    const int maxw = 203, maxh = 151;
    CHECK_EQ_INT(iseg_regions_create(&ctx, maxw, maxh), 0);
    int bad = 0, cases = 0;
    const int n_cases = 4000;
    for (int it = 0; it < n_cases && bad < 5; it++) {
        int w, h;
        switch (it % 8) {
        case 0: w = 1, h = tu_rng_range(&r, 1, maxh); break;
        case 1: w = tu_rng_range(&r, 1, maxw), h = 1; break;
        case 2: w = tu_rng_range(&r, 1, 4), h = tu_rng_range(&r, 1, 4); break;
        default: w = tu_rng_range(&r, 1, maxw), h = tu_rng_range(&r, 1, maxh); break;
        }
        TuImg src;
        tu_img_alloc_random_pad(&src, &r, w, h);
        fill_mask(&src, &r, tu_rng_range(&r, 0, 3));
        const unsigned thr = (unsigned)tu_rng_range(&r, 1, 255);
        const int conn = tu_rng_range(&r, 0, 1) ? 8 : 4;
        const ptrdiff_t ls = w + tu_rng_range(&r, 0, 3);
        int32_t *lr = malloc(sizeof(int32_t) * (size_t)ls * h);
        int32_t *lf = malloc(sizeof(int32_t) * (size_t)ls * h);
        memset(lr, 0x55, sizeof(int32_t) * (size_t)ls * h);
        memset(lf, 0x55, sizeof(int32_t) * (size_t)ls * h);
        IsegRegion *rr;
        const int nr = iseg_regions_label_ref(&src.img, thr, conn, lr, ls, &rr);
        for (int p = 0; p < 4; p++) {
            const IsegRegion *rf;
            const int with_labels = (it + p) % 2;
            const int nf = iseg_regions_label(ctx, &src.img, thr, conn, with_labels ? lf : NULL, ls,
                                              &rf, pools[p]);
            int ok = nf == nr && (nr == 0 || memcmp(rf, rr, sizeof(*rr) * (size_t)nr) == 0);
            if (ok && with_labels)
                for (int y = 0; y < h && ok; y++)
                    ok = memcmp(lf + y * ls, lr + y * ls, sizeof(int32_t) * (size_t)w) == 0;
            /* painting from the runs = painting from the reference labels */
            if (ok && nr >= 0) {
                uint8_t *value = malloc((size_t)nr + 1);
                for (int i = 0; i <= nr; i++)
                    value[i] = (uint8_t)tu_rng_range(&r, 0, 255);
                TuImg dst;
                tu_img_alloc_random_pad(&dst, &r, w, h);
                ok = iseg_regions_paint(ctx, value, &dst.img) == 0 && tu_img_guard_ok(&dst);
                for (int y = 0; y < h && ok; y++)
                    for (int x = 0; x < w && ok; x++)
                        ok = dst.img.data[(ptrdiff_t)y * dst.img.stride + x] ==
                             value[lr[y * ls + x]];
                tu_img_free(&dst);
                free(value);
            }
            if (!ok) {
                bad++;
                printf(
                    "  %dx%d threshold %u connectivity %d pool %d labels %d: %d vs %d components\n",
                    w, h, thr, conn, p, with_labels, nf, nr);
            }
            cases++;
        }
        /* the label rows' padding is not written */
        for (int y = 0; y < h; y++)
            for (ptrdiff_t x = w; x < ls; x++)
                CHECK_EQ_INT(lr[y * ls + x], 0x55555555);
        CHECK(tu_img_guard_ok(&src));
        free(rr);
        free(lr);
        free(lf);
        tu_img_free(&src);
    }
    CHECK_MSG(bad == 0, "%d of %d cases differ from the reference", bad, cases);
    printf("  %d cases: fast == reference (labels, regions, paint)\n", cases);
    for (int i = 1; i < 4; i++)
        iseg_pool_destroy(pools[i]);
    iseg_regions_destroy(ctx);
}

/* The plain selection, written again. */
static void test_select(void)
{
    TuRng r;
    tu_rng_seed(&r, tu_seed(42));
    for (int it = 0; it < 2000; it++) {
        const int n = tu_rng_range(&r, 0, 40);
        IsegRegion *reg = calloc((size_t)n + 1, sizeof(*reg));
        for (int i = 0; i < n; i++)
            reg[i].area = tu_rng_range(&r, 1, 30);
        const int64_t mn = tu_rng_range(&r, 0, 20),
                      mx = tu_rng_range(&r, 0, 3) ? tu_rng_range(&r, 0, 30) : 0;
        const int maxr = tu_rng_range(&r, 0, 6);
        uint8_t *keep = malloc((size_t)n + 1), *want = malloc((size_t)n + 1);
        int kept = 0;
        for (int i = 0; i < n; i++) {
            want[i] = reg[i].area >= mn && (mx == 0 || reg[i].area <= mx);
            kept += want[i];
        }
        /* the largest maxr: repeatedly drop the smallest, the highest label among equals */
        while (maxr > 0 && kept > maxr) {
            int worst = -1;
            for (int i = 0; i < n; i++)
                if (want[i] && (worst < 0 || reg[i].area <= reg[worst].area))
                    worst = i;
            want[worst] = 0;
            kept--;
        }
        CHECK_EQ_INT(iseg_regions_select(reg, n, mn, mx, maxr, keep), kept);
        CHECK(n == 0 || memcmp(keep, want, (size_t)n) == 0);
        free(reg);
        free(keep);
        free(want);
    }
}

/* One context, frames of every size up to its maximum, in any order. */
static void test_context_reuse(void)
{
    TuRng r;
    tu_rng_seed(&r, tu_seed(43));
    IsegRegions *ctx;
    CHECK_EQ_INT(iseg_regions_create(&ctx, 64, 48), 0);
    for (int it = 0; it < 300; it++) {
        const int w = tu_rng_range(&r, 1, 64), h = tu_rng_range(&r, 1, 48);
        TuImg src;
        tu_img_alloc_random_pad(&src, &r, w, h);
        fill_mask(&src, &r, 1);
        IsegRegion *rr;
        const IsegRegion *rf;
        const int nr = iseg_regions_label_ref(&src.img, 128, 8, NULL, 0, &rr);
        CHECK_EQ_INT(iseg_regions_label(ctx, &src.img, 128, 8, NULL, 0, &rf, NULL), nr);
        CHECK(nr == 0 || memcmp(rf, rr, sizeof(*rr) * (size_t)nr) == 0);
        free(rr);
        tu_img_free(&src);
    }
    iseg_regions_destroy(ctx);
}

int main(void)
{
    RUN(test_hand_examples);
    RUN(test_arguments);
    RUN(test_against_reference);
    RUN(test_select);
    RUN(test_context_reuse);
    return tu_finish();
}
