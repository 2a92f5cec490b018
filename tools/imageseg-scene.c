/* imageseg-scene: writes the project's built-in test scene (scene.c) as raw
 * RGB frames, or one still: a PPM, its luma as a PGM, or the scene's true
 * object mask as a PGM (255 on the dark objects: ink, shapes, ring, line),
 * so the demo, the docs pictures, the examples and the tests need no input
 * files.
 *
 *   imageseg-scene [--size WxH] [--frames N]
 *                  [--ppm FRAME | --pgm FRAME | --truth FRAME] > out
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scene.h"

int main(int argc, char **argv)
{
    int w = 640, h = 360, frames = 150, still = -1;
    char kind = 0; /* 'c' colour PPM, 'g' gray PGM, 't' truth PGM */
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--size") && i + 1 < argc) {
            if (sscanf(argv[++i], "%dx%d", &w, &h) != 2 || w < 1 || h < 1 || w > 8192 || h > 8192) {
                fprintf(stderr, "imageseg-scene: --size wants WxH (1..8192), got %s\n", argv[i]);
                return 2;
            }
        } else if (!strcmp(argv[i], "--frames") && i + 1 < argc) {
            frames = atoi(argv[++i]);
        } else if ((!strcmp(argv[i], "--ppm") || !strcmp(argv[i], "--pgm") ||
                    !strcmp(argv[i], "--truth")) &&
                   i + 1 < argc) {
            kind = argv[i][2] == 'p' ? (argv[i][3] == 'p' ? 'c' : 'g') : 't';
            still = atoi(argv[++i]);
            if (still < 0) {
                fprintf(stderr, "imageseg-scene: %s wants a frame number >= 0\n", argv[i - 1]);
                return 2;
            }
        } else {
            fprintf(
                stderr,
                "usage: %s [--size WxH] [--frames N] [--ppm FRAME | --pgm FRAME | --truth FRAME]"
                " > output\n"
                "Writes raw RGB frames, or one still: binary PPM, its gray PGM (BT.601 luma),\n"
                "or the true object mask as a PGM (255 on the dark objects), to stdout.\n",
                argv[0]);
            return 2;
        }
    }
    uint8_t *rgb = malloc((size_t)w * h * 3), *truth = malloc((size_t)w * h);
    if (!rgb || !truth) {
        free(rgb);
        free(truth);
        return 1;
    }
    if (still >= 0) {
        scene_render(rgb, truth, w, h, still);
        if (kind == 'g') {
            /* BT.601 luma, as videoconvert gives GRAY8 */
            for (size_t i = 0; i < (size_t)w * h; i++)
                rgb[i] = scene_luma(rgb + 3 * i);
            printf("P5\n%d %d\n255\n", w, h);
            fwrite(rgb, 1, (size_t)w * h, stdout);
        } else if (kind == 't') {
            printf("P5\n%d %d\n255\n", w, h);
            fwrite(truth, 1, (size_t)w * h, stdout);
        } else {
            printf("P6\n%d %d\n255\n", w, h);
            fwrite(rgb, 3, (size_t)w * h, stdout);
        }
    } else {
        for (int t = 0; t < frames; t++) {
            scene_render(rgb, NULL, w, h, t);
            if (fwrite(rgb, 3, (size_t)w * h, stdout) != (size_t)w * h)
                break; /* reader went away */
        }
    }
    free(rgb);
    free(truth);
    return 0;
}
