#define _POSIX_C_SOURCE 200809L
#include "internal.h"

#include <stdlib.h>
#include <string.h>

int iseg_force_reference(void)
{
    /* Benign race: every thread computes the same value. */
    static volatile int cached = -1;
    if (cached < 0) {
        const char *v = getenv("ISEG_FORCE_REFERENCE");
        cached = (v && *v && strcmp(v, "0") != 0) ? 1 : 0;
    }
    return cached;
}

int iseg_use_avx2(void)
{
#if ISEG_HAVE_AVX2
    static volatile int cached = -1;
    if (cached < 0) {
        const char *v = getenv("ISEG_NO_AVX2");
        const int off = v && *v && strcmp(v, "0") != 0;
        __builtin_cpu_init();
        cached = !off && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? 1 : 0;
    }
    return cached;
#else
    return 0;
#endif
}

int iseg_use_avx512(void)
{
#if ISEG_HAVE_AVX2
    static volatile int cached = -1;
    if (cached < 0) {
        const char *v = getenv("ISEG_NO_AVX512");
        const int off = v && *v && strcmp(v, "0") != 0;
        cached = !off && iseg_use_avx2() && __builtin_cpu_supports("avx512f") &&
                         __builtin_cpu_supports("avx512vl")
                     ? 1
                     : 0;
    }
    return cached;
#else
    return 0;
#endif
}
