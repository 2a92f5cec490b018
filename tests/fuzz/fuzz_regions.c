/* Fuzzes the connected-components labelling: sizes 1..300 a side (and a
 * context up to 40 larger), row padding, thresholds 0..256 (the ends
 * refused), connectivity 3..9 (only 4 and 8 accepted), pools of 1..3
 * threads, masks from the bytes (raw, or run-length coded so long runs and
 * checkerboards appear): fast == reference for labels and regions, paint
 * and select consistent, guard bytes intact. */
#include "fuzzinput.h"
#include "testutil.h"

#include <errno.h>
#include <string.h>

#include <imageseg/regions.h>

static IsegPool *pools[3];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!pools[1]) {
        iseg_pool_create(&pools[1], 2);
        iseg_pool_create(&pools[2], 3);
    }
    FuzzInput in;
    fuzz_input_init(&in, data, size);
    const int w = fuzz_range(&in, 1, 300), h = fuzz_range(&in, 1, 300);
    const int cw = w + fuzz_byte(&in) % 40, chh = h + fuzz_byte(&in) % 40;
    const unsigned thr = (unsigned)fuzz_range(&in, 0, 256);
    const int conn = fuzz_range(&in, 3, 9);
    IsegPool *pool = pools[fuzz_byte(&in) % 3];
    const int coded = fuzz_byte(&in) & 1;

    TuImg src;
    tu_img_alloc(&src, w, h, fuzz_byte(&in) % 40);
    uint8_t v = 0;
    int left = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            if (!coded) {
                v = fuzz_byte(&in);
            } else if (left-- <= 0) { /* runs of 0..63 pixels of one value */
                const uint8_t b = fuzz_byte(&in);
                left = b & 63;
                v = (b & 64) ? 255 : (b & 128) ? (uint8_t)thr : 0;
            }
            src.img.data[(ptrdiff_t)y * src.img.stride + x] = v;
        }

    IsegRegions *ctx = NULL;
    FUZZ_REQUIRE(iseg_regions_create(&ctx, cw, chh) == 0, "create %dx%d", cw, chh);
    int32_t *lr = malloc(sizeof(int32_t) * (size_t)w * h);
    int32_t *lf = malloc(sizeof(int32_t) * (size_t)w * h);
    IsegRegion *rr = NULL;
    const IsegRegion *rf = NULL;
    const int nr = iseg_regions_label_ref(&src.img, thr, conn, lr, w, &rr);
    const int nf = iseg_regions_label(ctx, &src.img, thr, conn, lf, w, &rf, pool);
    const int valid = thr >= 1 && thr <= 255 && (conn == 4 || conn == 8);
    if (!valid) {
        FUZZ_REQUIRE(nr == -EINVAL && nf == -EINVAL && rf == NULL && rr == NULL,
                     "threshold %u connectivity %d accepted (%d, %d)", thr, conn, nr, nf);
    } else {
        FUZZ_REQUIRE(nr >= 0 && nf == nr, "%d vs %d components", nf, nr);
        FUZZ_REQUIRE(nr == 0 || memcmp(rf, rr, sizeof(*rr) * (size_t)nr) == 0, "regions differ");
        FUZZ_REQUIRE(memcmp(lf, lr, sizeof(int32_t) * (size_t)w * h) == 0, "labels differ");
        /* every region's box holds its pixels and its area is its pixel count */
        int64_t total = 0;
        for (int i = 0; i < nr; i++)
            total += rr[i].area;
        int64_t fg = 0;
        for (int k = 0; k < w * h; k++) {
            const int l = lr[k];
            FUZZ_REQUIRE(l >= 0 && l <= nr, "label %d of %d", l, nr);
            fg += l > 0;
            if (l > 0) {
                const IsegRegion *r = &rr[l - 1];
                const int x = k % w, y = k / w;
                FUZZ_REQUIRE(x >= r->x && x < r->x + r->width && y >= r->y && y < r->y + r->height,
                             "pixel (%d,%d) outside its box", x, y);
            }
        }
        FUZZ_REQUIRE(fg == total, "areas %lld vs %lld pixels", (long long)total, (long long)fg);
        uint8_t *value = malloc((size_t)nr + 1), *keep = malloc((size_t)nr + 1);
        for (int i = 0; i <= nr; i++)
            value[i] = fuzz_byte(&in);
        TuImg dst;
        tu_img_alloc(&dst, w, h, fuzz_byte(&in) % 40);
        FUZZ_REQUIRE(iseg_regions_paint(ctx, value, &dst.img) == 0, "paint");
        for (int k = 0; k < w * h; k++)
            FUZZ_REQUIRE(dst.img.data[(ptrdiff_t)(k / w) * dst.img.stride + k % w] == value[lr[k]],
                         "painted pixel %d", k);
        FUZZ_REQUIRE(tu_img_guard_ok(&dst), "paint wrote outside the frame");
        const int maxr = fuzz_byte(&in) % 8;
        const int kept = iseg_regions_select(rr, nr, fuzz_byte(&in) % 16, 0, maxr, keep);
        int count = 0;
        for (int i = 0; i < nr; i++)
            count += keep[i];
        FUZZ_REQUIRE(kept == count && (maxr == 0 || kept <= maxr), "select %d kept, %d marked",
                     kept, count);
        tu_img_free(&dst);
        free(value);
        free(keep);
    }
    FUZZ_REQUIRE(tu_img_guard_ok(&src), "source changed outside the frame");
    free(rr);
    free(lr);
    free(lf);
    iseg_regions_destroy(ctx);
    tu_img_free(&src);
    return 0;
}
