/* main() for the fuzz targets when they are not built with libFuzzer:
 * runs the files named on the command line, or ISEG_FUZZ_RUNS (default
 * 2000) seeded random inputs, so every build runs the targets as tests. */
#include "fuzzinput.h"

#include <string.h>

int main(int argc, char **argv)
{
    if (argc > 1) {
        for (int i = 1; i < argc; i++) {
            FILE *f = fopen(argv[i], "rb");
            if (!f) {
                perror(argv[i]);
                return 2;
            }
            static uint8_t buf[1 << 20];
            const size_t n = fread(buf, 1, sizeof(buf), f);
            fclose(f);
            LLVMFuzzerTestOneInput(buf, n);
        }
        printf("%d inputs: %d passed, 0 failed\n", argc - 1, argc - 1);
        return 0;
    }
    const char *env = getenv("ISEG_FUZZ_RUNS");
    const long runs = env ? strtol(env, NULL, 10) : 2000;
    uint64_t s = 0x243F6A8885A308D3ull;
    static uint8_t buf[8192];
    for (long r = 0; r < runs; r++) {
        const size_t n = (size_t)(r % 97 == 0 ? 0 : (s >> 20) % sizeof(buf));
        for (size_t i = 0; i < n; i++) {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            buf[i] = (uint8_t)(s >> 24);
        }
        s += 0x9E3779B97F4A7C15ull;
        LLVMFuzzerTestOneInput(buf, n);
    }
    printf("%ld random inputs: %ld passed, 0 failed\n", runs, runs);
    return 0;
}
