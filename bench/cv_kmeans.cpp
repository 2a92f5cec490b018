// OpenCV counterpart of the kmeans section: cv::kmeans over the pixels of a
// packed RGB frame, as an OpenCV user would call it (pixels as an N x 3
// float matrix, KMEANS_PP_CENTERS, 10 iterations).
#include "bench.h"

#include <opencv2/core.hpp>

extern "C" {
double bench_cv_kmeans(const uint8_t *rgb, ptrdiff_t stride, int width, int height, int k,
                       int attempts, int seed);
}

double bench_cv_kmeans(const uint8_t *rgb, ptrdiff_t stride, int width, int height, int k,
                       int attempts, int seed)
{
    const cv::Mat img(height, width, CV_8UC3, const_cast<uint8_t *>(rgb), (size_t)stride);
    cv::Mat samples;
    img.convertTo(samples, CV_32FC3); // continuous, unlike the padded frame
    samples = samples.reshape(1, height * width);
    cv::Mat labels, centers;
    cv::setRNGSeed(seed);
    return cv::kmeans(samples, k, labels, cv::TermCriteria(cv::TermCriteria::COUNT, 10, 0),
                      attempts, cv::KMEANS_PP_CENTERS, centers);
}
