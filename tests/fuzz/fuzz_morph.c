/* Fuzzes the structuring-element parser (both syntaxes: accepted text
 * round-trips through iseg_sel_to_string, refused text says why) and
 * iseg_morph_apply with random elements, operations, iterations, borders,
 * sizes (1..80 a side), strides and pool sizes: fast == reference, in place
 * or not, guard bytes intact. */
#include "fuzzinput.h"
#include "testutil.h"

#include <errno.h>
#include <string.h>

static IsegPool *pools[3];

static void check_parser(FuzzInput *in, IsegSel **binary_out)
{
    /* a grid of cells with random separators (mostly well formed, then
     * maybe one character changed), a short string over the characters
     * that matter, or raw bytes */
    char text[300];
    int len = 0;
    const int kind = fuzz_byte(in) % 4;
    if (kind < 2) {
        static const char cells[] = "0101.x-";
        static const char *const cell_seps[] = { "", " ", ",", " , ", "\t" };
        static const char *const row_seps[] = { ";", "\n", "; ", " ;\n", "\r\n" };
        const int rows = fuzz_range(in, 1, 8), cols = fuzz_range(in, 1, 8);
        for (int r = 0; r < rows; r++) {
            if (r > 0)
                len += snprintf(text + len, sizeof(text) - (size_t)len, "%s",
                                row_seps[fuzz_byte(in) % 5]);
            for (int c = 0; c < cols; c++) {
                if (c > 0)
                    len += snprintf(text + len, sizeof(text) - (size_t)len, "%s",
                                    cell_seps[fuzz_byte(in) % 5]);
                text[len++] = cells[fuzz_byte(in) % (kind == 0 ? 2 : 7)];
                text[len] = '\0';
            }
        }
        if (fuzz_byte(in) % 4 == 0 && len > 0)
            text[fuzz_range(in, 0, len - 1)] = (char)(fuzz_byte(in) | 1);
    } else {
        len = fuzz_range(in, 0, (int)sizeof(text) - 1);
        static const char alphabet[] = "0101 ;\n,.x-\t\r 1a";
        for (int i = 0; i < len; i++) {
            const uint8_t b = fuzz_byte(in);
            text[i] = kind == 3 ? (char)(b ? b : 1) : alphabet[b % (sizeof(alphabet) - 1)];
        }
        text[len] = '\0';
    }
    *binary_out = NULL;
    for (int syn = 0; syn < 2; syn++) {
        IsegSel *sel = NULL, *back = NULL;
        char err[200];
        const int ret = iseg_sel_parse(&sel, text, (IsegSelSyntax)syn, err, sizeof(err));
        if (ret < 0) {
            FUZZ_REQUIRE(ret == -EINVAL && sel == NULL && err[0] != '\0',
                         "refused without a message");
            continue;
        }
        FUZZ_REQUIRE(sel && sel->width >= 1 && sel->width <= 255 && sel->height >= 1 &&
                         sel->height <= 255,
                     "bad size");
        FUZZ_REQUIRE(err[0] == '\0', "message on success: %s", err);
        char *s = iseg_sel_to_string(sel);
        FUZZ_REQUIRE(s != NULL, "to_string");
        FUZZ_REQUIRE(iseg_sel_parse(&back, s, ISEG_SEL_SYNTAX_HITMISS, err, sizeof(err)) == 0, "%s",
                     err);
        FUZZ_REQUIRE(back->width == sel->width && back->height == sel->height &&
                         !memcmp(back->cells, sel->cells, (size_t)sel->width * sel->height),
                     "round trip of \"%s\"", s);
        if (syn == ISEG_SEL_SYNTAX_BINARY)
            FUZZ_REQUIRE(iseg_sel_count(sel, ISEG_SEL_DONTCARE) == 0,
                         "don't-care in binary syntax");
        free(s);
        iseg_sel_free(back);
        if (syn == ISEG_SEL_SYNTAX_BINARY && iseg_sel_count(sel, ISEG_SEL_HIT) > 0 &&
            sel->width <= 15 && sel->height <= 15)
            *binary_out = sel;
        else
            iseg_sel_free(sel);
    }
}

static IsegSel *random_sel(FuzzInput *in)
{
    IsegSel *sel = NULL;
    const int kind = fuzz_byte(in) % 4;
    const int w = fuzz_range(in, 1, 17), h = fuzz_range(in, 1, 17);
    if (kind < 3) {
        iseg_sel_create_shape(&sel, (IsegSelShape)kind, w, h);
        return sel;
    }
    iseg_sel_create(&sel, w, h, ISEG_SEL_MISS);
    const uint8_t density = fuzz_byte(in);
    for (int i = 0; i < w * h; i++)
        sel->cells[i] = fuzz_byte(in) <= density ? ISEG_SEL_HIT : ISEG_SEL_MISS;
    sel->cells[fuzz_range(in, 0, w * h - 1)] = ISEG_SEL_HIT;
    return sel;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!pools[1]) {
        iseg_pool_create(&pools[1], 2);
        iseg_pool_create(&pools[2], 3);
    }
    FuzzInput in;
    fuzz_input_init(&in, data, size);
    IsegSel *sel;
    check_parser(&in, &sel);
    if (!sel)
        sel = random_sel(&in);

    IsegMorphSettings s;
    iseg_morph_default_settings(&s);
    s.op = (IsegMorphOp)(fuzz_byte(&in) % 7);
    s.iterations = fuzz_range(&in, 1, 3);
    s.border = (IsegMorphBorder)(fuzz_byte(&in) & 1);
    const int w = fuzz_range(&in, 1, 80), h = fuzz_range(&in, 1, 80);
    IsegPool *pool = pools[fuzz_byte(&in) % 3];
    const int in_place = fuzz_byte(&in) & 1;

    TuImg src, dst, ref;
    tu_img_alloc(&src, w, h, fuzz_byte(&in) % 40);
    tu_img_alloc(&dst, w, h, fuzz_byte(&in) % 40);
    tu_img_alloc(&ref, w, h, 0);
    const int mode = fuzz_byte(&in) % 2;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            src.img.data[y * src.img.stride + x] =
                mode ? fuzz_byte(&in) : (fuzz_byte(&in) & 1) * 255;

    IsegMorph *m = NULL;
    FUZZ_REQUIRE(iseg_morph_create(&m, sel, &s) == 0, "create");
    FUZZ_REQUIRE(iseg_morph_apply_ref(sel, &s, &src.img, &ref.img) == 0, "reference");
    IsegImage *out = in_place ? &src.img : &dst.img;
    FUZZ_REQUIRE(iseg_morph_apply(m, &src.img, out, pool) == 0, "apply");
    FUZZ_REQUIRE(tu_img_equal(out, &ref.img, "fuzz: fast vs reference"),
                 "%dx%d op %d iter %d border %d sel %dx%d", w, h, s.op, s.iterations, s.border,
                 sel->width, sel->height);
    FUZZ_REQUIRE(tu_img_guard_ok(&src) && tu_img_guard_ok(&dst), "guard bytes");
    iseg_morph_destroy(m);
    iseg_sel_free(sel);
    tu_img_free(&src);
    tu_img_free(&dst);
    tu_img_free(&ref);
    return 0;
}
