/* Row kernels of the fast morphology path: two copies of one source
 * (kernels_body.h), for the baseline instruction set (SSE2 on x86-64) and,
 * on x86-64 with GCC or Clang, for AVX2: every function of the second copy
 * carries ISEG_TARGET_AVX2 (core/internal.h), so no file is compiled with
 * -mavx2. iseg_morph_kernels() picks the copy by iseg_use_avx2(), the
 * library's one AVX2 switch. Both copies give the same bytes (byte min and
 * max, no rounding). Defining ISEG_NO_INTRINSICS leaves only the plain C
 * loops (what other architectures get), to test them on x86. */
#include "morph_priv.h"

#if defined(__SSE2__) && !defined(ISEG_NO_INTRINSICS)
#include <emmintrin.h>
#endif
#if ISEG_HAVE_AVX2 && !defined(ISEG_NO_INTRINSICS)
#include <immintrin.h>
#endif

#define KCAT2(a, b) a##b
#define KCAT(a, b)  KCAT2(a, b)
#define KN(name)    KCAT(name, KSUFFIX)

/* ------------------------------------------------------- the baseline copy */

#define KSUFFIX _c
#define KFN     static
#if defined(__SSE2__) && !defined(ISEG_NO_INTRINSICS)
#define KVEC         __m128i
#define KVW          16
#define KLOAD(p)     _mm_loadu_si128((const __m128i *)(const void *)(p))
#define KSTORE(p, v) _mm_storeu_si128((__m128i *)(void *)(p), v)
#define KMIN(a, b)   _mm_min_epu8(a, b)
#define KMAX(a, b)   _mm_max_epu8(a, b)
#endif

#include "kernels_body.h"

#undef KSUFFIX
#undef KFN
#undef KVEC
#undef KVW
#undef KLOAD
#undef KSTORE
#undef KMIN
#undef KMAX

/* ----------------------------------------------------------- the AVX2 copy */

#if ISEG_HAVE_AVX2
#define KSUFFIX _avx2
#define KFN     static ISEG_TARGET_AVX2
#if !defined(ISEG_NO_INTRINSICS)
#define KVEC         __m256i
#define KVW          32
#define KLOAD(p)     _mm256_loadu_si256((const __m256i *)(const void *)(p))
#define KSTORE(p, v) _mm256_storeu_si256((__m256i *)(void *)(p), v)
#define KMIN(a, b)   _mm256_min_epu8(a, b)
#define KMAX(a, b)   _mm256_max_epu8(a, b)
#endif

#include "kernels_body.h"

#undef KSUFFIX
#undef KFN
#undef KVEC
#undef KVW
#undef KLOAD
#undef KSTORE
#undef KMIN
#undef KMAX
#endif

void iseg_morph_kernels(MorphKernels *k)
{
#if ISEG_HAVE_AVX2
    if (iseg_use_avx2()) {
        morph_kernels_avx2(k);
        return;
    }
#endif
    morph_kernels_c(k);
}
