/* Thresholds a PGM image with Otsu's method using libimageseg alone (no
 * GStreamer): the smallest complete program that calls the library.
 *
 *   pgm-otsu input.pgm output.pgm
 *
 * Build against an installed library:
 *   cc pgm-otsu.c $(pkg-config --cflags --libs imageseg) -o pgm-otsu
 */
#include <imageseg/imageseg.h>

#include <stdio.h>
#include <stdlib.h>

static uint8_t *read_pgm(const char *path, int *w, int *h)
{
    FILE *f = fopen(path, "rb");
    int maxval;
    if (!f) {
        perror(path);
        return NULL;
    }
    if (fscanf(f, "P5 %d %d %d", w, h, &maxval) != 3 || maxval != 255 || *w < 1 || *h < 1 ||
        fgetc(f) == EOF) {
        fprintf(stderr, "%s: not an 8-bit binary PGM (P5, maxval 255)\n", path);
        fclose(f);
        return NULL;
    }
    uint8_t *px = malloc((size_t)*w * *h);
    if (px && fread(px, 1, (size_t)*w * *h, f) != (size_t)*w * *h) {
        fprintf(stderr, "%s: file is truncated\n", path);
        free(px);
        px = NULL;
    }
    fclose(f);
    return px;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s input.pgm output.pgm\n", argv[0]);
        return 2;
    }
    int w, h;
    uint8_t *px = read_pgm(argv[1], &w, &h);
    if (!px)
        return 1;

    IsegImage img = { px, w, h, w };
    uint64_t hist[256];
    unsigned T;
    double between;
    int ret = iseg_histogram(&img, hist, NULL);
    if (ret == 0)
        ret = iseg_otsu_threshold(hist, &T, &between);
    if (ret == 0)
        ret = iseg_threshold_image(&img, &img, T, 0, ISEG_OUTPUT_MASK, NULL);
    if (ret < 0) {
        fprintf(stderr, "imageseg: %s\n", iseg_strerror(ret));
        free(px);
        return 1;
    }
    printf("%s: %dx%d, Otsu threshold T = %u (foreground >= T), between-class variance %.2f\n",
           argv[1], w, h, T, between);

    FILE *out = fopen(argv[2], "wb");
    if (!out || fprintf(out, "P5\n%d %d\n255\n", w, h) < 0 ||
        fwrite(px, 1, (size_t)w * h, out) != (size_t)w * h) {
        perror(argv[2]);
        free(px);
        return 1;
    }
    fclose(out);
    free(px);
    return 0;
}
