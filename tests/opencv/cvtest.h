// Shared by the OpenCV agreement tests: checks that count, and the real
// photos they run on (scikit-image's sample images, a Debian package).
#ifndef ISEG_CVTEST_H
#define ISEG_CVTEST_H

#include <opencv2/core.hpp>

#include <cstdio>
#include <string>
#include <vector>

extern "C" {
#include <imageseg/imageseg.h>
}

extern int cvt_checks, cvt_failures;

#define CVT_CHECK(cond, ...)                                                                       \
    do {                                                                                           \
        cvt_checks++;                                                                              \
        if (!(cond)) {                                                                             \
            cvt_failures++;                                                                        \
            std::fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond);          \
            std::fprintf(stderr, __VA_ARGS__);                                                     \
            std::fputc('\n', stderr);                                                              \
        }                                                                                          \
    } while (0)

struct CvtImage {
    std::string name;
    cv::Mat bgr;  // 8UC3 (gray photos are expanded)
    cv::Mat gray; // 8UC1
};

// The real photos found (at least `min_count` or the test fails), each also
// as an odd-sized crop so strides differ from widths.
std::vector<CvtImage> cvt_real_images(size_t min_count = 6);

// A view of an 8UC1 Mat as the library sees images.
IsegImage cvt_view(cv::Mat &m);

// 0 = pass; prints the closing line.
int cvt_finish();

#endif
