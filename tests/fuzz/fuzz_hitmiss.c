/* Fuzzes the hit-or-miss entry points: random sizes (1..120 a side), random
 * strides, random sets of 1..8 elements of 1..9 cells a side with any origin,
 * every operation and 0..3 iterations: fast == reference (pixels and stats),
 * in place or not, guard bytes intact. Malformed elements must be refused. */
#include "fuzzinput.h"
#include "testutil.h"

#include <errno.h>
#include <string.h>

static IsegPool *pools[3];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!pools[1]) {
        iseg_pool_create(&pools[1], 2);
        iseg_pool_create(&pools[2], 3);
    }
    FuzzInput in;
    fuzz_input_init(&in, data, size);
    const int w = fuzz_range(&in, 1, 120), h = fuzz_range(&in, 1, 120);
    const IsegHitmissOp op = (IsegHitmissOp)(fuzz_byte(&in) % 4);
    unsigned iterations = fuzz_byte(&in) % 4;
    if (iterations == 0 && w * h > 2000)
        iterations = 1 + (fuzz_byte(&in) & 1); /* bounded work for the reference */
    IsegPool *pool = pools[fuzz_byte(&in) % 3];

    const int n = 1 + fuzz_byte(&in) % 8;
    IsegSel sels[8];
    uint8_t cells[8][81];
    const IsegSel *set[8];
    int malformed = 0;
    for (int k = 0; k < n; k++) {
        IsegSel *s = &sels[k];
        s->width = 1 + fuzz_byte(&in) % 9;
        s->height = 1 + fuzz_byte(&in) % 9;
        s->origin_x = fuzz_byte(&in) % s->width;
        s->origin_y = fuzz_byte(&in) % s->height;
        s->cells = cells[k];
        const int care = fuzz_byte(&in) % 101;
        for (int i = 0; i < s->width * s->height; i++) {
            const uint8_t b = fuzz_byte(&in);
            cells[k][i] =
                b % 100 < care ? (b & 128 ? ISEG_SEL_HIT : ISEG_SEL_MISS) : ISEG_SEL_DONTCARE;
        }
        if (fuzz_byte(&in) == 0) { /* now and then a broken element */
            cells[k][0] = 3;
            malformed = 1;
        }
        set[k] = s;
    }
    const int builtin = op == ISEG_HITMISS_SKELETON && (fuzz_byte(&in) & 1);

    IsegHitmiss *hm = NULL;
    const int ret = iseg_hitmiss_create(&hm, op, builtin ? NULL : set, builtin ? 0 : n, w, h);
    if (malformed && !builtin) {
        FUZZ_REQUIRE(ret == -EINVAL && hm == NULL, "malformed element accepted");
        return 0;
    }
    FUZZ_REQUIRE(ret == 0, "create %d", ret);

    TuImg src, ref, out;
    tu_img_alloc(&src, w, h, fuzz_byte(&in) % 40);
    tu_img_alloc(&ref, w, h, fuzz_byte(&in) % 40);
    tu_img_alloc(&out, w, h, fuzz_byte(&in) % 40);
    const int density = fuzz_byte(&in) % 101;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            const uint8_t b = fuzz_byte(&in);
            src.img.data[y * src.img.stride + x] = (uint8_t)(b % 100 < density ? 128 | b : b & 127);
        }
    IsegHitmissStats s_ref, s_fast;
    FUZZ_REQUIRE(iseg_hitmiss_ref(op, builtin ? NULL : set, builtin ? 0 : n, &src.img, &ref.img,
                                  iterations, &s_ref) == 0,
                 "reference");
    const int in_place = fuzz_byte(&in) & 1;
    if (in_place)
        tu_img_copy_pixels(&out.img, &src.img);
    FUZZ_REQUIRE(iseg_hitmiss_run(hm, in_place ? &out.img : &src.img, &out.img, iterations, pool,
                                  &s_fast) == 0,
                 "run");
    FUZZ_REQUIRE(tu_img_equal(&ref.img, &out.img, "hitmiss"), "op %d %dx%d n %d it %u", (int)op, w,
                 h, n, iterations);
    FUZZ_REQUIRE(s_ref.matches == s_fast.matches && s_ref.passes == s_fast.passes, "stats");
    FUZZ_REQUIRE(tu_img_guard_ok(&src) && tu_img_guard_ok(&ref) && tu_img_guard_ok(&out), "guard");
    iseg_hitmiss_destroy(hm);
    tu_img_free(&src);
    tu_img_free(&ref);
    tu_img_free(&out);
    return 0;
}
