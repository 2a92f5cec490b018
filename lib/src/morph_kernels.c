/* Row kernels of the fast morphology path. Plain C written so that the
 * compiler vectorises every loop (byte min/max over independent lanes, no
 * aliasing thanks to restrict). The file is compiled twice: once for the
 * baseline ISA (SSE2 on x86-64) and once with -mavx2 (ISEG_KERNEL_SUFFIX
 * avx2); morph.c picks one at run time. */
#include "morph_internal.h"

#ifndef ISEG_KERNEL_SUFFIX
#  define ISEG_KERNEL_SUFFIX c
#endif
#define KCAT2(a, b) a##b
#define KCAT(a, b) KCAT2(a, b)
#define KNAME(name) KCAT(name, ISEG_KERNEL_SUFFIX)

#define OPMIN(x, y) ((x) < (y) ? (x) : (y))
#define OPMAX(x, y) ((x) > (y) ? (x) : (y))

#define DEF_PAIR(NAME, OP)                                                                       \
    static void NAME(uint8_t *restrict d, const uint8_t *restrict s, int shift, int n)          \
    {                                                                                            \
        const uint8_t *restrict t = s + shift;                                                   \
        for (int i = 0; i < n; i++)                                                              \
            d[i] = OP(s[i], t[i]);                                                               \
    }

DEF_PAIR(pair_min, OPMIN)
DEF_PAIR(pair_max, OPMAX)

static void pair(uint8_t *d, const uint8_t *s, int shift, int n, int is_max)
{
    if (is_max)
        pair_max(d, s, shift, n);
    else
        pair_min(d, s, shift, n);
}

/* reduce over 1..4 sources, with or without the destination as a source */
#define DEF_REDUCE(OPN, OP)                                                                      \
    static void red1_##OPN(uint8_t *restrict d, const uint8_t *restrict s0, int n)              \
    {                                                                                            \
        for (int i = 0; i < n; i++)                                                              \
            d[i] = s0[i];                                                                        \
    }                                                                                            \
    static void red2_##OPN(uint8_t *restrict d, const uint8_t *restrict s0,                     \
                           const uint8_t *restrict s1, int n)                                    \
    {                                                                                            \
        for (int i = 0; i < n; i++)                                                              \
            d[i] = OP(s0[i], s1[i]);                                                             \
    }                                                                                            \
    static void red3_##OPN(uint8_t *restrict d, const uint8_t *restrict s0,                     \
                           const uint8_t *restrict s1, const uint8_t *restrict s2, int n)        \
    {                                                                                            \
        for (int i = 0; i < n; i++) {                                                            \
            const uint8_t m = OP(s0[i], s1[i]);                                                  \
            d[i] = OP(m, s2[i]);                                                                 \
        }                                                                                        \
    }                                                                                            \
    static void red4_##OPN(uint8_t *restrict d, const uint8_t *restrict s0,                     \
                           const uint8_t *restrict s1, const uint8_t *restrict s2,               \
                           const uint8_t *restrict s3, int n)                                    \
    {                                                                                            \
        for (int i = 0; i < n; i++) {                                                            \
            const uint8_t m = OP(s0[i], s1[i]);                                                  \
            const uint8_t q = OP(s2[i], s3[i]);                                                  \
            d[i] = OP(m, q);                                                                     \
        }                                                                                        \
    }                                                                                            \
    static void acc1_##OPN(uint8_t *restrict d, const uint8_t *restrict s0, int n)              \
    {                                                                                            \
        for (int i = 0; i < n; i++)                                                              \
            d[i] = OP(d[i], s0[i]);                                                              \
    }                                                                                            \
    static void acc2_##OPN(uint8_t *restrict d, const uint8_t *restrict s0,                     \
                           const uint8_t *restrict s1, int n)                                    \
    {                                                                                            \
        for (int i = 0; i < n; i++) {                                                            \
            const uint8_t m = OP(s0[i], s1[i]);                                                  \
            d[i] = OP(d[i], m);                                                                  \
        }                                                                                        \
    }                                                                                            \
    static void acc3_##OPN(uint8_t *restrict d, const uint8_t *restrict s0,                     \
                           const uint8_t *restrict s1, const uint8_t *restrict s2, int n)        \
    {                                                                                            \
        for (int i = 0; i < n; i++) {                                                            \
            const uint8_t m = OP(s0[i], s1[i]);                                                  \
            const uint8_t q = OP(d[i], s2[i]);                                                   \
            d[i] = OP(m, q);                                                                     \
        }                                                                                        \
    }                                                                                            \
    static void acc4_##OPN(uint8_t *restrict d, const uint8_t *restrict s0,                     \
                           const uint8_t *restrict s1, const uint8_t *restrict s2,               \
                           const uint8_t *restrict s3, int n)                                    \
    {                                                                                            \
        for (int i = 0; i < n; i++) {                                                            \
            const uint8_t m = OP(s0[i], s1[i]);                                                  \
            const uint8_t q = OP(s2[i], s3[i]);                                                  \
            const uint8_t r = OP(m, q);                                                          \
            d[i] = OP(d[i], r);                                                                  \
        }                                                                                        \
    }                                                                                            \
    static void reduce_##OPN(uint8_t *d, const uint8_t *const *s, int nsrc, int accumulate, int n) \
    {                                                                                            \
        if (accumulate) {                                                                        \
            switch (nsrc) {                                                                      \
            case 1: acc1_##OPN(d, s[0], n); break;                                               \
            case 2: acc2_##OPN(d, s[0], s[1], n); break;                                         \
            case 3: acc3_##OPN(d, s[0], s[1], s[2], n); break;                                   \
            default: acc4_##OPN(d, s[0], s[1], s[2], s[3], n); break;                            \
            }                                                                                    \
        } else {                                                                                 \
            switch (nsrc) {                                                                      \
            case 1: red1_##OPN(d, s[0], n); break;                                               \
            case 2: red2_##OPN(d, s[0], s[1], n); break;                                         \
            case 3: red3_##OPN(d, s[0], s[1], s[2], n); break;                                   \
            default: red4_##OPN(d, s[0], s[1], s[2], s[3], n); break;                            \
            }                                                                                    \
        }                                                                                        \
    }

DEF_REDUCE(min, OPMIN)
DEF_REDUCE(max, OPMAX)

static void reduce(uint8_t *d, const uint8_t *const *s, int nsrc, int accumulate, int n, int is_max)
{
    if (is_max)
        reduce_max(d, s, nsrc, accumulate, n);
    else
        reduce_min(d, s, nsrc, accumulate, n);
}

#define DEF_HRUN(OPN, OP)                                                                        \
    static void hrun_##OPN(uint8_t *restrict d, const uint8_t *restrict p, int len, int n)      \
    {                                                                                            \
        switch (len) {                                                                           \
        case 1: red1_##OPN(d, p, n); break;                                                      \
        case 2: red2_##OPN(d, p, p + 1, n); break;                                               \
        case 3: red3_##OPN(d, p, p + 1, p + 2, n); break;                                        \
        default: red4_##OPN(d, p, p + 1, p + 2, p + 3, n); break;                                \
        }                                                                                        \
    }

DEF_HRUN(min, OPMIN)
DEF_HRUN(max, OPMAX)

static void hrun(uint8_t *d, const uint8_t *p, int len, int n, int is_max)
{
    if (is_max)
        hrun_max(d, p, len, n);
    else
        hrun_min(d, p, len, n);
}

/* d may be a or b (in-place top-hat): no restrict, the compiler checks overlap at run time */
static void subsat(uint8_t *d, const uint8_t *a, const uint8_t *b, int n)
{
    for (int i = 0; i < n; i++)
        d[i] = a[i] > b[i] ? (uint8_t)(a[i] - b[i]) : 0;
}

void KNAME(iseg_morph_kernels_)(MorphKernels *k)
{
    k->pair = pair;
    k->reduce = reduce;
    k->hrun = hrun;
    k->subsat = subsat;
}
