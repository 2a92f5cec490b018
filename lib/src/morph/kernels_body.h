/* The row kernels of the fast morphology path, written once and included
 * twice by kernels.c: for the baseline instruction set (SSE2 on x86-64) and
 * for AVX2. Not a header to include anywhere else. Before each inclusion
 * kernels.c defines
 *   KN(name)  the name of a function in this copy (name_c, name_avx2);
 *   KFN       what every function of the copy starts with: static, and
 *             ISEG_TARGET_AVX2 for the AVX2 copy (so the plain C loops are
 *             vectorised for the target too, and the intrinsics are allowed);
 *   KVEC, KVW, KLOAD, KSTORE, KMIN, KMAX  the vector type, its width in
 *             bytes, unaligned load and store, byte min and max (left
 *             undefined: plain C only, as on other architectures or with
 *             ISEG_NO_INTRINSICS).
 * Plain C written so that the compiler vectorises every loop (byte min/max
 * over independent lanes, no aliasing thanks to restrict); intrinsics where
 * registers must be kept across sources or rows. Every copy computes the
 * same bytes. */

#define OPMIN(x, y) ((x) < (y) ? (x) : (y))
#define OPMAX(x, y) ((x) > (y) ? (x) : (y))

#define DEF_PAIR(NAME, OP)                                                                         \
    KFN void KN(NAME)(uint8_t *restrict d, const uint8_t *restrict s, int shift, int n)            \
    {                                                                                              \
        const uint8_t *restrict t = s + shift;                                                     \
        for (int i = 0; i < n; i++)                                                                \
            d[i] = OP(s[i], t[i]);                                                                 \
    }

DEF_PAIR(pair_min, OPMIN)
DEF_PAIR(pair_max, OPMAX)

KFN void KN(pair)(uint8_t *d, const uint8_t *s, int shift, int n, int is_max)
{
    if (is_max)
        KN(pair_max)(d, s, shift, n);
    else
        KN(pair_min)(d, s, shift, n);
}

/* reduce over 1..4 sources, with or without the destination as a source */
#define DEF_REDUCE(OPN, OP)                                                                        \
    KFN void KN(red1_##OPN)(uint8_t *restrict d, const uint8_t *restrict s0, int n)                \
    {                                                                                              \
        for (int i = 0; i < n; i++)                                                                \
            d[i] = s0[i];                                                                          \
    }                                                                                              \
    KFN void KN(red2_##OPN)(uint8_t *restrict d, const uint8_t *restrict s0,                       \
                            const uint8_t *restrict s1, int n)                                     \
    {                                                                                              \
        for (int i = 0; i < n; i++)                                                                \
            d[i] = OP(s0[i], s1[i]);                                                               \
    }                                                                                              \
    KFN void KN(red3_##OPN)(uint8_t *restrict d, const uint8_t *restrict s0,                       \
                            const uint8_t *restrict s1, const uint8_t *restrict s2, int n)         \
    {                                                                                              \
        for (int i = 0; i < n; i++) {                                                              \
            const uint8_t m = OP(s0[i], s1[i]);                                                    \
            d[i] = OP(m, s2[i]);                                                                   \
        }                                                                                          \
    }                                                                                              \
    KFN void KN(red4_##OPN)(uint8_t *restrict d, const uint8_t *restrict s0,                       \
                            const uint8_t *restrict s1, const uint8_t *restrict s2,                \
                            const uint8_t *restrict s3, int n)                                     \
    {                                                                                              \
        for (int i = 0; i < n; i++) {                                                              \
            const uint8_t m = OP(s0[i], s1[i]);                                                    \
            const uint8_t q = OP(s2[i], s3[i]);                                                    \
            d[i] = OP(m, q);                                                                       \
        }                                                                                          \
    }                                                                                              \
    KFN void KN(acc1_##OPN)(uint8_t *restrict d, const uint8_t *restrict s0, int n)                \
    {                                                                                              \
        for (int i = 0; i < n; i++)                                                                \
            d[i] = OP(d[i], s0[i]);                                                                \
    }                                                                                              \
    KFN void KN(acc2_##OPN)(uint8_t *restrict d, const uint8_t *restrict s0,                       \
                            const uint8_t *restrict s1, int n)                                     \
    {                                                                                              \
        for (int i = 0; i < n; i++) {                                                              \
            const uint8_t m = OP(s0[i], s1[i]);                                                    \
            d[i] = OP(d[i], m);                                                                    \
        }                                                                                          \
    }                                                                                              \
    KFN void KN(acc3_##OPN)(uint8_t *restrict d, const uint8_t *restrict s0,                       \
                            const uint8_t *restrict s1, const uint8_t *restrict s2, int n)         \
    {                                                                                              \
        for (int i = 0; i < n; i++) {                                                              \
            const uint8_t m = OP(s0[i], s1[i]);                                                    \
            const uint8_t q = OP(d[i], s2[i]);                                                     \
            d[i] = OP(m, q);                                                                       \
        }                                                                                          \
    }                                                                                              \
    KFN void KN(acc4_##OPN)(uint8_t *restrict d, const uint8_t *restrict s0,                       \
                            const uint8_t *restrict s1, const uint8_t *restrict s2,                \
                            const uint8_t *restrict s3, int n)                                     \
    {                                                                                              \
        for (int i = 0; i < n; i++) {                                                              \
            const uint8_t m = OP(s0[i], s1[i]);                                                    \
            const uint8_t q = OP(s2[i], s3[i]);                                                    \
            const uint8_t r = OP(m, q);                                                            \
            d[i] = OP(d[i], r);                                                                    \
        }                                                                                          \
    }                                                                                              \
    KFN void KN(reduce_##OPN)(uint8_t * d, const uint8_t *const *s, int nsrc, int accumulate,      \
                              int n)                                                               \
    {                                                                                              \
        if (accumulate) {                                                                          \
            switch (nsrc) {                                                                        \
            case 1: KN(acc1_##OPN)(d, s[0], n); break;                                             \
            case 2: KN(acc2_##OPN)(d, s[0], s[1], n); break;                                       \
            case 3: KN(acc3_##OPN)(d, s[0], s[1], s[2], n); break;                                 \
            default: KN(acc4_##OPN)(d, s[0], s[1], s[2], s[3], n); break;                          \
            }                                                                                      \
        } else {                                                                                   \
            switch (nsrc) {                                                                        \
            case 1: KN(red1_##OPN)(d, s[0], n); break;                                             \
            case 2: KN(red2_##OPN)(d, s[0], s[1], n); break;                                       \
            case 3: KN(red3_##OPN)(d, s[0], s[1], s[2], n); break;                                 \
            default: KN(red4_##OPN)(d, s[0], s[1], s[2], s[3], n); break;                          \
            }                                                                                      \
        }                                                                                          \
    }

DEF_REDUCE(min, OPMIN)
DEF_REDUCE(max, OPMAX)

KFN void KN(reduce)(uint8_t *d, const uint8_t *const *s, int nsrc, int accumulate, int n,
                    int is_max)
{
    if (is_max)
        KN(reduce_max)(d, s, nsrc, accumulate, n);
    else
        KN(reduce_min)(d, s, nsrc, accumulate, n);
}

#define DEF_HRUN(OPN, OP)                                                                          \
    KFN void KN(hrun_##OPN)(uint8_t *restrict d, const uint8_t *restrict p, int len, int n)        \
    {                                                                                              \
        switch (len) {                                                                             \
        case 1: KN(red1_##OPN)(d, p, n); break;                                                    \
        case 2: KN(red2_##OPN)(d, p, p + 1, n); break;                                             \
        case 3: KN(red3_##OPN)(d, p, p + 1, p + 2, n); break;                                      \
        default: KN(red4_##OPN)(d, p, p + 1, p + 2, p + 3, n); break;                              \
        }                                                                                          \
    }

DEF_HRUN(min, OPMIN)
DEF_HRUN(max, OPMAX)

KFN void KN(hrun)(uint8_t *d, const uint8_t *p, int len, int n, int is_max)
{
    if (is_max)
        KN(hrun_max)(d, p, len, n);
    else
        KN(hrun_min)(d, p, len, n);
}

/* d[i] = op over s[0..nsrc)[i]. The accumulators stay in registers for a
 * block of 4 vectors while every source is read, so each source byte costs
 * one load and one min, and d is written once. Plain C where there are no
 * vector intrinsics. */
#if defined(KVW)
#define DEF_MANY(OPN, VOP, OP)                                                                     \
    KFN void KN(many_##OPN)(uint8_t * d, const uint8_t *const *s, int nsrc, int n)                 \
    {                                                                                              \
        int x = 0;                                                                                 \
        for (; x + 4 * KVW <= n; x += 4 * KVW) {                                                   \
            const uint8_t *p = s[0] + x;                                                           \
            KVEC a0 = KLOAD(p), a1 = KLOAD(p + KVW), a2 = KLOAD(p + 2 * KVW),                      \
                 a3 = KLOAD(p + 3 * KVW);                                                          \
            for (int k = 1; k < nsrc; k++) {                                                       \
                p = s[k] + x;                                                                      \
                a0 = VOP(a0, KLOAD(p));                                                            \
                a1 = VOP(a1, KLOAD(p + KVW));                                                      \
                a2 = VOP(a2, KLOAD(p + 2 * KVW));                                                  \
                a3 = VOP(a3, KLOAD(p + 3 * KVW));                                                  \
            }                                                                                      \
            KSTORE(d + x, a0);                                                                     \
            KSTORE(d + x + KVW, a1);                                                               \
            KSTORE(d + x + 2 * KVW, a2);                                                           \
            KSTORE(d + x + 3 * KVW, a3);                                                           \
        }                                                                                          \
        /* the last partial vector overlaps the previous one: d is no source */                    \
        for (; x < n && n >= KVW; x += KVW) {                                                      \
            x = ISEG_MIN(x, n - KVW);                                                              \
            KVEC a0 = KLOAD(s[0] + x);                                                             \
            for (int k = 1; k < nsrc; k++)                                                         \
                a0 = VOP(a0, KLOAD(s[k] + x));                                                     \
            KSTORE(d + x, a0);                                                                     \
        }                                                                                          \
        for (; x < n; x++) {                                                                       \
            uint8_t a = s[0][x];                                                                   \
            for (int k = 1; k < nsrc; k++)                                                         \
                a = OP(a, s[k][x]);                                                                \
            d[x] = a;                                                                              \
        }                                                                                          \
    }
DEF_MANY(min, KMIN, OPMIN)
DEF_MANY(max, KMAX, OPMAX)
#else
#define DEF_MANY(OPN, OP)                                                                          \
    KFN void KN(many_##OPN)(uint8_t * d, const uint8_t *const *s, int nsrc, int n)                 \
    {                                                                                              \
        if (nsrc <= 4) {                                                                           \
            KN(reduce_##OPN)(d, s, nsrc, 0, n);                                                    \
            return;                                                                                \
        }                                                                                          \
        KN(reduce_##OPN)(d, s, 4, 0, n);                                                           \
        for (int k = 4; k < nsrc; k += 4)                                                          \
            KN(reduce_##OPN)(d, s + k, ISEG_MIN(4, nsrc - k), 1, n);                               \
    }
DEF_MANY(min, OPMIN)
DEF_MANY(max, OPMAX)
#endif

/* d[i] = op over rows[k][i + j], k < nrows, j < len (small rectangles read
 * straight from the image: every load hits L1, nothing is stored between). */
#if defined(KVW)
#define DEF_RECT(OPN, VOP, OP)                                                                     \
    KFN void KN(rect_##OPN)(uint8_t * d, const uint8_t *const *rows, int nrows, int len, int n)    \
    {                                                                                              \
        int x = 0;                                                                                 \
        if (nrows == 3 && len == 3) {                                                              \
            const uint8_t *r0 = rows[0], *r1 = rows[1], *r2 = rows[2];                             \
            for (; x < n && n >= KVW; x += KVW) {                                                  \
                x = ISEG_MIN(x, n - KVW);                                                          \
                KVEC a = VOP(VOP(KLOAD(r0 + x), KLOAD(r0 + x + 1)), KLOAD(r0 + x + 2));            \
                KVEC b = VOP(VOP(KLOAD(r1 + x), KLOAD(r1 + x + 1)), KLOAD(r1 + x + 2));            \
                KVEC c = VOP(VOP(KLOAD(r2 + x), KLOAD(r2 + x + 1)), KLOAD(r2 + x + 2));            \
                KSTORE(d + x, VOP(VOP(a, b), c));                                                  \
            }                                                                                      \
        } else {                                                                                   \
            for (; x < n && n >= KVW; x += KVW) {                                                  \
                x = ISEG_MIN(x, n - KVW);                                                          \
                KVEC a = KLOAD(rows[0] + x);                                                       \
                for (int k = 0; k < nrows; k++)                                                    \
                    for (int j = 0; j < len; j++)                                                  \
                        a = VOP(a, KLOAD(rows[k] + x + j));                                        \
                KSTORE(d + x, a);                                                                  \
            }                                                                                      \
        }                                                                                          \
        for (; x < n; x++) {                                                                       \
            uint8_t a = rows[0][x];                                                                \
            for (int k = 0; k < nrows; k++)                                                        \
                for (int j = 0; j < len; j++)                                                      \
                    a = OP(a, rows[k][x + j]);                                                     \
            d[x] = a;                                                                              \
        }                                                                                          \
    }
DEF_RECT(min, KMIN, OPMIN)
DEF_RECT(max, KMAX, OPMAX)
/* 3x3 for two or four output rows at once: rows[0 .. nout + 1] are the
 * input rows y-1 .. y+nout; the horizontal mins of the inner rows are
 * shared between neighbouring output rows. */
#define HMIN3(VOP, r, x) VOP(VOP(KLOAD((r) + (x)), KLOAD((r) + (x) + 1)), KLOAD((r) + (x) + 2))
#define DEF_RECT3(OPN, VOP)                                                                        \
    KFN void KN(rect3_##OPN)(uint8_t *const *d, const uint8_t *const *rows, int nout, int n)       \
    {                                                                                              \
        if (nout == 8) {                                                                           \
            for (int x = 0; x < n; x += KVW) {                                                     \
                x = ISEG_MIN(x, n - KVW);                                                          \
                const KVEC h0 = HMIN3(VOP, rows[0], x), h1 = HMIN3(VOP, rows[1], x);               \
                const KVEC h2 = HMIN3(VOP, rows[2], x), p0 = VOP(h1, h2);                          \
                KSTORE(d[0] + x, VOP(h0, p0));                                                     \
                const KVEC h3 = HMIN3(VOP, rows[3], x);                                            \
                KSTORE(d[1] + x, VOP(p0, h3));                                                     \
                const KVEC h4 = HMIN3(VOP, rows[4], x), p1 = VOP(h3, h4);                          \
                KSTORE(d[2] + x, VOP(h2, p1));                                                     \
                const KVEC h5 = HMIN3(VOP, rows[5], x);                                            \
                KSTORE(d[3] + x, VOP(p1, h5));                                                     \
                const KVEC h6 = HMIN3(VOP, rows[6], x), p2 = VOP(h5, h6);                          \
                KSTORE(d[4] + x, VOP(h4, p2));                                                     \
                const KVEC h7 = HMIN3(VOP, rows[7], x);                                            \
                KSTORE(d[5] + x, VOP(p2, h7));                                                     \
                const KVEC h8 = HMIN3(VOP, rows[8], x), p3 = VOP(h7, h8);                          \
                KSTORE(d[6] + x, VOP(h6, p3));                                                     \
                const KVEC h9 = HMIN3(VOP, rows[9], x);                                            \
                KSTORE(d[7] + x, VOP(p3, h9));                                                     \
            }                                                                                      \
        } else if (nout == 4) {                                                                    \
            for (int x = 0; x < n; x += KVW) {                                                     \
                x = ISEG_MIN(x, n - KVW);                                                          \
                const KVEC h0 = HMIN3(VOP, rows[0], x), h1 = HMIN3(VOP, rows[1], x);               \
                const KVEC h2 = HMIN3(VOP, rows[2], x), h3 = HMIN3(VOP, rows[3], x);               \
                const KVEC h4 = HMIN3(VOP, rows[4], x), h5 = HMIN3(VOP, rows[5], x);               \
                const KVEC m12 = VOP(h1, h2), m34 = VOP(h3, h4);                                   \
                KSTORE(d[0] + x, VOP(h0, m12));                                                    \
                KSTORE(d[1] + x, VOP(m12, h3));                                                    \
                KSTORE(d[2] + x, VOP(h2, m34));                                                    \
                KSTORE(d[3] + x, VOP(m34, h5));                                                    \
            }                                                                                      \
        } else {                                                                                   \
            for (int x = 0; x < n; x += KVW) {                                                     \
                x = ISEG_MIN(x, n - KVW);                                                          \
                const KVEC h0 = HMIN3(VOP, rows[0], x), h1 = HMIN3(VOP, rows[1], x);               \
                const KVEC h2 = HMIN3(VOP, rows[2], x), h3 = HMIN3(VOP, rows[3], x);               \
                const KVEC m12 = VOP(h1, h2);                                                      \
                KSTORE(d[0] + x, VOP(h0, m12));                                                    \
                KSTORE(d[1] + x, VOP(m12, h3));                                                    \
            }                                                                                      \
        }                                                                                          \
    }
DEF_RECT3(min, KMIN)
DEF_RECT3(max, KMAX)

/* The same for four output rows that are input rows 1..4 themselves (in
 * place): each block's results are stored only after the next block has
 * been loaded, so no load sees a pixel already written (the window reaches
 * one column into the neighbouring blocks). rows[0] must be a copy. */
#define DEF_RECT3IP(OPN, VOP)                                                                      \
    KFN void KN(rect3ip_##OPN)(uint8_t *const *d, const uint8_t *const *rows, int n)               \
    {                                                                                              \
        KVEC o0 = KLOAD(d[0]), o1 = o0, o2 = o0, o3 = o0;                                          \
        int px = -1;                                                                               \
        for (int x = 0; x < n; x += KVW) {                                                         \
            x = ISEG_MIN(x, n - KVW);                                                              \
            const KVEC h0 = HMIN3(VOP, rows[0], x), h1 = HMIN3(VOP, rows[1], x);                   \
            const KVEC h2 = HMIN3(VOP, rows[2], x), h3 = HMIN3(VOP, rows[3], x);                   \
            const KVEC h4 = HMIN3(VOP, rows[4], x), h5 = HMIN3(VOP, rows[5], x);                   \
            if (px >= 0) {                                                                         \
                KSTORE(d[0] + px, o0);                                                             \
                KSTORE(d[1] + px, o1);                                                             \
                KSTORE(d[2] + px, o2);                                                             \
                KSTORE(d[3] + px, o3);                                                             \
            }                                                                                      \
            const KVEC m12 = VOP(h1, h2), m34 = VOP(h3, h4);                                       \
            o0 = VOP(h0, m12);                                                                     \
            o1 = VOP(m12, h3);                                                                     \
            o2 = VOP(h2, m34);                                                                     \
            o3 = VOP(m34, h5);                                                                     \
            px = x;                                                                                \
        }                                                                                          \
        KSTORE(d[0] + px, o0);                                                                     \
        KSTORE(d[1] + px, o1);                                                                     \
        KSTORE(d[2] + px, o2);                                                                     \
        KSTORE(d[3] + px, o3);                                                                     \
    }
DEF_RECT3IP(min, KMIN)
DEF_RECT3IP(max, KMAX)

KFN int KN(rect3_inplace)(uint8_t *const *d, const uint8_t *const *rows, int n, int is_max)
{
    if (n < KVW)
        return 0;
    if (is_max)
        KN(rect3ip_max)(d, rows, n);
    else
        KN(rect3ip_min)(d, rows, n);
    return 1;
}

KFN int KN(rect3)(uint8_t *const *d, const uint8_t *const *rows, int nout, int n, int is_max)
{
    if (n < KVW || (nout != 2 && nout != 4 && nout != 8))
        return 0;
    if (is_max)
        KN(rect3_max)(d, rows, nout, n);
    else
        KN(rect3_min)(d, rows, nout, n);
    return 1;
}
#else
#define DEF_RECT(OPN, OP)                                                                          \
    KFN void KN(rect_##OPN)(uint8_t * d, const uint8_t *const *rows, int nrows, int len, int n)    \
    {                                                                                              \
        KN(hrun_##OPN)(d, rows[0], len, n);                                                        \
        for (int k = 1; k < nrows; k++) {                                                          \
            for (int x = 0; x < n; x++) {                                                          \
                uint8_t a = d[x];                                                                  \
                for (int j = 0; j < len; j++)                                                      \
                    a = OP(a, rows[k][x + j]);                                                     \
                d[x] = a;                                                                          \
            }                                                                                      \
        }                                                                                          \
    }
DEF_RECT(min, OPMIN)
DEF_RECT(max, OPMAX)

KFN int KN(rect3)(uint8_t *const *d, const uint8_t *const *rows, int nout, int n, int is_max)
{
    (void)d, (void)rows, (void)nout, (void)n, (void)is_max;
    return 0;
}

KFN int KN(rect3_inplace)(uint8_t *const *d, const uint8_t *const *rows, int n, int is_max)
{
    (void)d, (void)rows, (void)n, (void)is_max;
    return 0;
}
#endif

KFN void KN(rect_small)(uint8_t *d, const uint8_t *const *rows, int nrows, int len, int n,
                        int is_max)
{
    if (is_max)
        KN(rect_max)(d, rows, nrows, len, n);
    else
        KN(rect_min)(d, rows, nrows, len, n);
}

KFN void KN(many)(uint8_t *d, const uint8_t *const *s, int nsrc, int n, int is_max)
{
    if (is_max)
        KN(many_max)(d, s, nsrc, n);
    else
        KN(many_min)(d, s, nsrc, n);
}

/* d may be a or b (in-place top-hat): no restrict, the compiler checks overlap at run time */
KFN void KN(subsat)(uint8_t *d, const uint8_t *a, const uint8_t *b, int n)
{
    for (int i = 0; i < n; i++)
        d[i] = a[i] > b[i] ? (uint8_t)(a[i] - b[i]) : 0;
}

/* the table of this copy */
static void KN(morph_kernels)(MorphKernels *k)
{
    k->pair = KN(pair);
    k->reduce = KN(reduce);
    k->hrun = KN(hrun);
    k->many = KN(many);
    k->rect_small = KN(rect_small);
    k->rect3 = KN(rect3);
    k->rect3_inplace = KN(rect3_inplace);
    k->subsat = KN(subsat);
}

#undef DEF_HRUN
#undef DEF_MANY
#undef DEF_PAIR
#undef DEF_RECT
#undef DEF_RECT3
#undef DEF_RECT3IP
#undef DEF_REDUCE
#undef HMIN3
#undef OPMAX
#undef OPMIN
