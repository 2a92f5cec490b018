/* Helpers shared by the fuzz targets: turn the fuzzer's bytes into sizes,
 * parameters and pixels, and stop loudly on any disagreement. */
#ifndef ISEG_FUZZINPUT_H
#define ISEG_FUZZINPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct FuzzInput {
    const uint8_t *data;
    size_t size, pos;
    uint64_t fill; /* generator for pixels once the bytes run out */
} FuzzInput;

static inline void fuzz_input_init(FuzzInput *in, const uint8_t *data, size_t size)
{
    in->data = data;
    in->size = size;
    in->pos = 0;
    in->fill = 0x9E3779B97F4A7C15ull ^ size;
}

static inline uint8_t fuzz_byte(FuzzInput *in)
{
    if (in->pos < in->size)
        return in->data[in->pos++];
    in->fill ^= in->fill << 13;
    in->fill ^= in->fill >> 7;
    in->fill ^= in->fill << 17;
    return (uint8_t)in->fill;
}

/* uniform-ish in [lo, hi] from two bytes */
static inline int fuzz_range(FuzzInput *in, int lo, int hi)
{
    const unsigned v = (unsigned)fuzz_byte(in) << 8 | fuzz_byte(in);
    return lo + (int)(v % (unsigned)(hi - lo + 1));
}

#define FUZZ_REQUIRE(cond, ...)                                                                    \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: %s: ", __FILE__, __LINE__, #cond);                             \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
