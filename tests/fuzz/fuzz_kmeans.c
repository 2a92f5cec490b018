/* Fuzzes iseg_kmeans_segment() with random sizes (1..64 a side), pixel
 * layouts, strides, settings and given start centers, over two frames:
 * fast == reference bit for bit, every label < k, guard bytes intact.
 * One input in four takes the 4:2:0 YUV entry point instead (I420, NV12,
 * YV12, NV21 in and out, fast in place vs. reference into another frame). */
#include "fuzzinput.h"
#include "testutil.h"

#include <string.h>

static IsegPool *pools[3];

static void fill(IsegPixels *px, FuzzInput *in)
{
    const int mode = fuzz_byte(in) % 3; /* few colors, bytes, constant */
    uint8_t pal[4];
    for (int i = 0; i < 4; i++)
        pal[i] = fuzz_byte(in);
    for (int y = 0; y < px->height; y++)
        for (int x = 0; x < px->width; x++) {
            uint8_t *p = px->data + (ptrdiff_t)y * px->stride + (ptrdiff_t)x * px->bytes_per_pixel;
            for (int c = 0; c < px->bytes_per_pixel; c++)
                p[c] = mode == 0 ? pal[fuzz_byte(in) & 3] : mode == 1 ? fuzz_byte(in) : pal[c];
        }
}

static uint8_t *sample_at(const IsegFrame *f, int plane, int x, int y)
{
    if (plane == 0)
        return f->luma.data + (ptrdiff_t)y * f->luma.stride + x;
    const IsegImage *c = &f->chroma[plane - 1];
    return c->data + (ptrdiff_t)y * c->stride + (ptrdiff_t)x * f->chroma_pixel_stride;
}

/* A 4:2:0 frame with random padding: layout bit 0 interleaved, bit 1 U/V swapped. */
static void yuv_alloc(TuFrame *t, TuRng *r, int layout, int w, int h)
{
    tu_frame_alloc(t, r, &tu_layouts[layout & 1 ? 2 : 1], w, h);
    if (layout & 2) {
        const IsegImage u = t->f.chroma[0];
        t->f.chroma[0] = t->f.chroma[1];
        t->f.chroma[1] = u;
    }
}

static int yuv_equal(const IsegFrame *a, const IsegFrame *b)
{
    for (int p = 0; p < 3; p++) {
        const int pw = p ? a->chroma[0].width : a->luma.width;
        const int ph = p ? a->chroma[0].height : a->luma.height;
        for (int y = 0; y < ph; y++)
            for (int x = 0; x < pw; x++)
                if (*sample_at(a, p, x, y) != *sample_at(b, p, x, y))
                    return 0;
    }
    return 1;
}

static void fuzz_yuv(FuzzInput *in, int w, int h, const IsegKmeansSettings *s, IsegPool *pool)
{
    TuRng rng;
    tu_rng_seed(&rng, fuzz_byte(in));
    const int sl = fuzz_byte(in) & 3, dl = fuzz_byte(in) & 3;
    TuFrame src, ref_out;
    yuv_alloc(&src, &rng, sl, w, h);
    yuv_alloc(&ref_out, &rng, dl, w, h);
    TuImg lab[2];
    for (int k = 0; k < 2; k++)
        tu_img_alloc(&lab[k], w, h, fuzz_byte(in) % 40);
    IsegKmeans *km[2] = { NULL, NULL };
    FUZZ_REQUIRE(iseg_kmeans_create(&km[0], w, h) == 0, "create");
    FUZZ_REQUIRE(iseg_kmeans_create(&km[1], w + fuzz_byte(in) % 3, h) == 0, "create");
    for (int frame = 0; frame < 2; frame++) {
        const int mode = fuzz_byte(in) % 3; /* few values, bytes, constant */
        uint8_t pal[4];
        for (int i = 0; i < 4; i++)
            pal[i] = fuzz_byte(in);
        for (int p = 0; p < 3; p++) {
            const int pw = p ? src.f.chroma[0].width : w, ph = p ? src.f.chroma[0].height : h;
            for (int y = 0; y < ph; y++)
                for (int x = 0; x < pw; x++)
                    *sample_at(&src.f, p, x, y) = mode == 0   ? pal[fuzz_byte(in) & 3]
                                                  : mode == 1 ? fuzz_byte(in)
                                                              : pal[p];
        }
        IsegKmeansResult r[2];
        FUZZ_REQUIRE(
            iseg_kmeans_segment_yuv420_ref(km[1], s, &src.f, &ref_out.f, &lab[1].img, &r[1]) == 0,
            "yuv ref");
        FUZZ_REQUIRE(
            iseg_kmeans_segment_yuv420(km[0], s, &src.f, &src.f, &lab[0].img, &r[0], pool) == 0,
            "yuv");
        FUZZ_REQUIRE(memcmp(&r[0], &r[1], sizeof(r[0])) == 0, "yuv result %dx%d k=%d frame %d", w,
                     h, s->k, frame);
        FUZZ_REQUIRE(yuv_equal(&src.f, &ref_out.f), "yuv output %dx%d layouts %d %d", w, h, sl, dl);
        FUZZ_REQUIRE(tu_img_equal(&lab[0].img, &lab[1].img, "labels"), "yuv labels");
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                FUZZ_REQUIRE(lab[0].img.data[y * lab[0].img.stride + x] < s->k, "label");
        FUZZ_REQUIRE(tu_frame_guard_ok(&src) && tu_frame_guard_ok(&ref_out), "yuv guard");
        for (int k = 0; k < 2; k++)
            FUZZ_REQUIRE(tu_img_guard_ok(&lab[k]), "guard");
    }
    iseg_kmeans_destroy(km[0]);
    iseg_kmeans_destroy(km[1]);
    tu_frame_free(&src);
    tu_frame_free(&ref_out);
    for (int k = 0; k < 2; k++)
        tu_img_free(&lab[k]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!pools[1]) {
        iseg_pool_create(&pools[1], 2);
        iseg_pool_create(&pools[2], 3);
    }
    FuzzInput in;
    fuzz_input_init(&in, data, size);
    const int w = fuzz_range(&in, 1, 64), h = fuzz_range(&in, 1, 64);
    const IsegPixelFormat fmt = (IsegPixelFormat)(fuzz_byte(&in) % ISEG_PIXEL_N_FORMATS);
    IsegPool *pool = pools[fuzz_byte(&in) % 3];

    IsegKmeansSettings s;
    iseg_kmeans_default_settings(&s);
    s.k = fuzz_range(&in, ISEG_KMEANS_MIN_K, ISEG_KMEANS_MAX_K);
    s.features = (IsegKmeansFeatures)(fuzz_byte(&in) & 1);
    s.spatial_weight = fuzz_byte(&in) / 32.0;
    s.max_iterations = fuzz_range(&in, 1, 12);
    s.epsilon = fuzz_byte(&in) % 4 ? fuzz_byte(&in) / 64.0 : 0;
    s.init = (IsegKmeansInit)(fuzz_byte(&in) & 1);
    s.seed = fuzz_byte(&in);
    s.warm_start = fuzz_byte(&in) & 1;
    s.output = (IsegKmeansOutput)(fuzz_byte(&in) % 3);
    s.hysteresis = fuzz_byte(&in) % 4 ? fuzz_byte(&in) / 4.0 : 0;
    if (fuzz_byte(&in) % 4 == 0) {
        fuzz_yuv(&in, w, h, &s, pool);
        return 0;
    }

    TuImg img[3], lab[2];
    IsegPixels px[3];
    uint8_t probe[4];
    iseg_pixels_init(&px[0], fmt, probe, 1, 1, 4);
    const int bpp = px[0].bytes_per_pixel;
    for (int k = 0; k < 3; k++) {
        tu_img_alloc(&img[k], w * bpp, h, fuzz_byte(&in) % 40);
        FUZZ_REQUIRE(iseg_pixels_init(&px[k], fmt, img[k].img.data, w, h, img[k].img.stride) == 0,
                     "pixels");
    }
    for (int k = 0; k < 2; k++)
        tu_img_alloc(&lab[k], w, h, fuzz_byte(&in) % 40);

    IsegKmeans *km[2] = { NULL, NULL };
    FUZZ_REQUIRE(iseg_kmeans_create(&km[0], w, h) == 0, "create");
    FUZZ_REQUIRE(iseg_kmeans_create(&km[1], w + fuzz_byte(&in) % 3, h) == 0, "create");
    if (fuzz_byte(&in) % 4 == 0) {
        /* start from given centers */
        const int dims = (bpp == 1 ? 1 : 3) + (s.features ? 2 : 0);
        double c[ISEG_KMEANS_MAX_K * ISEG_KMEANS_MAX_DIMS];
        for (int i = 0; i < s.k * dims; i++)
            c[i] = fuzz_byte(&in);
        for (int k = 0; k < 2; k++)
            FUZZ_REQUIRE(iseg_kmeans_set_centers(km[k], s.k, dims, c) == 0, "set_centers");
    }
    for (int frame = 0; frame < 3; frame++) {
        fill(&px[2], &in);
        tu_img_copy_pixels(&img[0].img, &img[2].img);
        tu_img_copy_pixels(&img[1].img, &img[2].img);
        IsegKmeansResult r[2];
        FUZZ_REQUIRE(iseg_kmeans_segment(km[0], &s, &px[0], &px[0], &lab[0].img, &r[0], pool) == 0,
                     "segment");
        FUZZ_REQUIRE(iseg_kmeans_segment_ref(km[1], &s, &px[1], &px[1], &lab[1].img, &r[1]) == 0,
                     "segment_ref");
        FUZZ_REQUIRE(memcmp(&r[0], &r[1], sizeof(r[0])) == 0, "result %dx%d fmt %d k=%d frame %d",
                     w, h, fmt, s.k, frame);
        FUZZ_REQUIRE(tu_img_equal(&img[0].img, &img[1].img, "output"), "output");
        FUZZ_REQUIRE(tu_img_equal(&lab[0].img, &lab[1].img, "labels"), "labels");
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                FUZZ_REQUIRE(lab[0].img.data[y * lab[0].img.stride + x] < s.k, "label");
        for (int k = 0; k < 3; k++)
            FUZZ_REQUIRE(tu_img_guard_ok(&img[k]), "guard");
        for (int k = 0; k < 2; k++)
            FUZZ_REQUIRE(tu_img_guard_ok(&lab[k]), "guard");
    }
    iseg_kmeans_destroy(km[0]);
    iseg_kmeans_destroy(km[1]);
    for (int k = 0; k < 3; k++)
        tu_img_free(&img[k]);
    for (int k = 0; k < 2; k++)
        tu_img_free(&lab[k]);
    return 0;
}
