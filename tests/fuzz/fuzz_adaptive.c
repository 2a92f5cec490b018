/* Fuzzes the adaptive thresholds and iseg_frame_apply_mask with random
 * sizes (1..120 a side), strides, methods, block sizes (3..1023, windows
 * larger than the frame included), parameters (anywhere in the element's
 * ranges) and pool sizes. Every call: guard bytes intact and the same output
 * for every pool size. MEAN, SAUVOLA, NIBLACK and LOCAL_OTSU take every
 * decision with the same arithmetic as the reference (lib/src/adaptive/decide.h), so
 * they must equal it pixel for pixel (compared for windows up to 25, the
 * reference being O(block^2) a pixel); GAUSSIAN may differ from it within
 * rounding of T, which tests/lib/test_adaptive.c checks against the bound. */
#include "fuzzinput.h"
#include "testutil.h"

#include <math.h>
#include <string.h>

static IsegPool *pools[3];

static void fill(TuImg *t, FuzzInput *in)
{
    const int mode = fuzz_byte(in) % 3; /* two levels, bytes, smooth ramp */
    const uint8_t a = fuzz_byte(in), b = fuzz_byte(in);
    for (int y = 0; y < t->img.height; y++)
        for (int x = 0; x < t->img.width; x++)
            t->img.data[y * t->img.stride + x] = mode == 0   ? (fuzz_byte(in) & 1 ? a : b)
                                                 : mode == 1 ? fuzz_byte(in)
                                                             : (uint8_t)(a + x + y * b / 16);
}

static void check_adaptive(FuzzInput *in)
{
    const int w = fuzz_range(in, 1, 120), h = fuzz_range(in, 1, 120);
    IsegAdaptiveSettings s;
    iseg_adaptive_default_settings(&s);
    s.method = (IsegAdaptiveMethod)(fuzz_byte(in) % 5);
    s.block_size =
        fuzz_byte(in) % 8 == 0 ? 2 * fuzz_range(in, 1, 511) + 1 : 2 * fuzz_range(in, 1, 12) + 1;
    const int wide = fuzz_byte(in) % 4 == 0; /* any value of the element's ranges */
    s.offset = wide ? (fuzz_byte(in) * 256 + fuzz_byte(in)) / 32.768 - 1000
                    : (fuzz_byte(in) % 201) / 10.0 - 10;
    s.k = wide ? (fuzz_byte(in) * 256 + fuzz_byte(in)) / 327.68 - 100
               : (fuzz_byte(in) % 11) / 10.0 - 0.2;
    s.dynamic_range = wide ? pow(10, fuzz_byte(in) / 21.25 - 6) : 1 + fuzz_byte(in);
    s.min_contrast = wide ? fuzz_byte(in) + fuzz_byte(in) / 256.0 : fuzz_byte(in) % 40;
    s.uniform = (IsegAdaptiveUniform)(fuzz_byte(in) & 1);
    s.invert = fuzz_byte(in) & 1;
    FUZZ_REQUIRE(iseg_adaptive_settings_check(&s) == 0, "settings");

    TuImg src, out[3], ref;
    tu_img_alloc(&src, w, h, fuzz_byte(in) % 40);
    fill(&src, in);
    IsegAdaptive *ctx = NULL;
    FUZZ_REQUIRE(iseg_adaptive_create(&ctx, &s, w, h) == 0, "create");
    for (int p = 0; p < 3; p++) {
        tu_img_alloc(&out[p], w, h, fuzz_byte(in) % 40);
        FUZZ_REQUIRE(iseg_adaptive_mask(ctx, &src.img, &out[p].img, pools[p]) == 0, "mask");
        FUZZ_REQUIRE(tu_img_guard_ok(&out[p]), "guard");
        if (p)
            FUZZ_REQUIRE(tu_img_equal(&out[0].img, &out[p].img, "pool sizes"), "method %d pools",
                         s.method);
    }
    if (s.method != ISEG_ADAPTIVE_GAUSSIAN && s.block_size <= 25) {
        tu_img_alloc(&ref, w, h, 3);
        FUZZ_REQUIRE(iseg_adaptive_mask_ref(&s, &src.img, &ref.img) == 0, "ref");
        FUZZ_REQUIRE(tu_img_equal(&out[0].img, &ref.img, "reference"), "method %d block %d %dx%d",
                     s.method, s.block_size, w, h);
        tu_img_free(&ref);
    }
    FUZZ_REQUIRE(tu_img_guard_ok(&src), "src guard");
    iseg_adaptive_destroy(ctx);
    tu_img_free(&src);
    for (int p = 0; p < 3; p++)
        tu_img_free(&out[p]);
}

static void check_apply_mask(FuzzInput *in)
{
    TuRng r;
    tu_rng_seed(&r, fuzz_byte(in) + 1);
    const TuLayout *l = &tu_layouts[fuzz_byte(in) % tu_n_layouts];
    const int w = fuzz_range(in, 1, 90), h = fuzz_range(in, 1, 90);
    TuFrame a, b;
    tu_frame_alloc(&a, &r, l, w, h);
    tu_frame_alloc(&b, &r, l, w, h);
    tu_frame_copy(&b, &a);
    TuImg mask;
    tu_img_alloc(&mask, w, h, fuzz_byte(in) % 20);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            mask.img.data[y * mask.img.stride + x] = fuzz_byte(in) & 1 ? 255 : 0;
    const IsegThresholdOutput out = (IsegThresholdOutput)(fuzz_byte(in) & 1);
    uint64_t n_fast = 0, n_ref = 0;
    FUZZ_REQUIRE(iseg_frame_apply_mask(&a.f, &mask.img, out, pools[fuzz_byte(in) % 3], &n_fast) ==
                     0,
                 "apply");
    FUZZ_REQUIRE(iseg_frame_apply_mask_ref(&b.f, &mask.img, out, &n_ref) == 0, "apply ref");
    FUZZ_REQUIRE(n_fast == n_ref, "count");
    FUZZ_REQUIRE(tu_frame_equal(&a, &b, l->name) && tu_frame_guard_ok(&a) &&
                     tu_frame_guard_ok(&b) && tu_img_guard_ok(&mask),
                 "%s %dx%d output %d", l->name, w, h, out);
    tu_frame_free(&a);
    tu_frame_free(&b);
    tu_img_free(&mask);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!pools[1]) {
        iseg_pool_create(&pools[1], 2);
        iseg_pool_create(&pools[2], 3);
    }
    FuzzInput in;
    fuzz_input_init(&in, data, size);
    if (fuzz_byte(&in) % 3)
        check_adaptive(&in);
    else
        check_apply_mask(&in);
    return 0;
}
