/* Fuzzes every threshold entry point with random sizes (1..300 a side),
 * random strides and parameters: fast == reference, guard bytes intact. */
#include "fuzzinput.h"
#include "testutil.h"

#include <string.h>

static IsegPool *pools[3];

static void fill(TuImg *t, FuzzInput *in)
{
    const int mode = fuzz_byte(in) % 3; /* few levels, bytes, constant */
    const uint8_t c = fuzz_byte(in), lv[4] = { fuzz_byte(in), fuzz_byte(in), fuzz_byte(in), c };
    for (int y = 0; y < t->img.height; y++)
        for (int x = 0; x < t->img.width; x++)
            t->img.data[y * t->img.stride + x] = mode == 0   ? lv[fuzz_byte(in) & 3]
                                                 : mode == 1 ? fuzz_byte(in)
                                                             : c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!pools[1]) {
        iseg_pool_create(&pools[1], 2);
        iseg_pool_create(&pools[2], 3);
    }
    FuzzInput in;
    fuzz_input_init(&in, data, size);
    const int w = fuzz_range(&in, 1, 300), h = fuzz_range(&in, 1, 300);
    const int layout = fuzz_byte(&in) % 5; /* GRAY8, 420, NV12, 422, 444 */
    static const int sx[5] = { 0, 1, 1, 1, 0 }, sy[5] = { 0, 1, 1, 0, 0 };
    IsegPool *pool = pools[fuzz_byte(&in) % 3];

    TuImg luma[2], chroma[2][2];
    IsegFrame f[2];
    memset(f, 0, sizeof(f));
    const int cw = (w + (1 << sx[layout]) - 1) >> sx[layout];
    const int ch = (h + (1 << sy[layout]) - 1) >> sy[layout];
    for (int k = 0; k < 2; k++) {
        tu_img_alloc(&luma[k], w, h, fuzz_byte(&in) % 40);
        f[k].luma = luma[k].img;
        f[k].chroma_pixel_stride = layout == 2 ? 2 : 1;
        f[k].n_chroma = layout ? 2 : 0;
        f[k].chroma_shift_x = sx[layout];
        f[k].chroma_shift_y = sy[layout];
        for (int p = 0; p < (layout ? 2 : 0); p++) {
            tu_img_alloc(&chroma[k][p], layout == 2 ? 2 * cw : cw, ch, fuzz_byte(&in) % 40);
            f[k].chroma[p] = chroma[k][p].img;
            f[k].chroma[p].width = cw;
            if (layout == 2) /* interleaved: both "planes" in chroma[k][0] */
                f[k].chroma[p].data = chroma[k][0].img.data + p,
                f[k].chroma[p].stride = chroma[k][0].img.stride;
        }
    }
    fill(&luma[0], &in);
    tu_img_copy_pixels(&luma[1].img, &luma[0].img);
    for (int p = 0; p < (layout ? 2 : 0); p++) {
        fill(&chroma[0][p], &in);
        tu_img_copy_pixels(&chroma[1][p].img, &chroma[0][p].img);
    }

    uint64_t h_fast[256], h_ref[256];
    FUZZ_REQUIRE(iseg_histogram(&f[0].luma, h_fast, pool) == 0, "histogram");
    FUZZ_REQUIRE(iseg_histogram_ref(&f[0].luma, h_ref) == 0, "histogram_ref");
    FUZZ_REQUIRE(memcmp(h_fast, h_ref, sizeof(h_ref)) == 0, "histogram %dx%d", w, h);

    unsigned T_fast, T_ref, T_it;
    double b_fast, b_ref;
    iseg_otsu_threshold(h_fast, &T_fast, &b_fast);
    iseg_otsu_threshold_ref(h_ref, &T_ref, &b_ref);
    FUZZ_REQUIRE(T_fast == T_ref && b_fast == b_ref, "otsu %u vs %u", T_fast, T_ref);
    const double eps = 0.001 + fuzz_byte(&in) / 16.0;
    FUZZ_REQUIRE(iseg_iterative_threshold(h_fast, eps, &T_it, NULL, NULL) == 0, "iterative");
    FUZZ_REQUIRE(T_it >= 1 && T_it <= 256, "iterative T %u", T_it);

    const unsigned T = fuzz_byte(&in) % 4 == 0 ? T_fast : (unsigned)fuzz_range(&in, 0, 256);
    const int invert = fuzz_byte(&in) & 1;
    const IsegThresholdOutput out = (IsegThresholdOutput)(fuzz_byte(&in) & 1);
    FUZZ_REQUIRE(iseg_threshold_frame(&f[0], T, invert, out, pool) == 0, "frame");
    FUZZ_REQUIRE(iseg_threshold_frame_ref(&f[1], T, invert, out) == 0, "frame ref");
    FUZZ_REQUIRE(tu_img_equal(&luma[0].img, &luma[1].img, "luma"), "luma T=%u", T);
    for (int p = 0; p < (layout ? 2 : 0); p++)
        FUZZ_REQUIRE(tu_img_equal(&chroma[0][p].img, &chroma[1][p].img, "chroma"), "chroma");
    for (int k = 0; k < 2; k++) {
        FUZZ_REQUIRE(tu_img_guard_ok(&luma[k]), "luma guard");
        for (int p = 0; p < (layout ? 2 : 0); p++)
            FUZZ_REQUIRE(tu_img_guard_ok(&chroma[k][p]), "chroma guard");
    }
    for (int k = 0; k < 2; k++) {
        tu_img_free(&luma[k]);
        for (int p = 0; p < (layout ? 2 : 0); p++)
            tu_img_free(&chroma[k][p]);
    }
    return 0;
}
