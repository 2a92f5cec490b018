// OpenCV counterparts of the adaptive section: cv::adaptiveThreshold with
// ADAPTIVE_THRESH_MEAN_C or ADAPTIVE_THRESH_GAUSSIAN_C, THRESH_BINARY, src ->
// dst, over raw buffers.
#include "bench.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

extern "C" {
void bench_cv_adaptive(const uint8_t *src, ptrdiff_t src_stride, uint8_t *dst, ptrdiff_t dst_stride,
                       int width, int height, int gaussian, int block, double offset);
}

// OpenCV: foreground iff src > T_cv - C, T_cv the local (Gaussian) mean
// rounded to 8 bits, C = offset.
void bench_cv_adaptive(const uint8_t *src, ptrdiff_t src_stride, uint8_t *dst, ptrdiff_t dst_stride,
                       int width, int height, int gaussian, int block, double offset)
{
    const cv::Mat s(height, width, CV_8UC1, const_cast<uint8_t *>(src), (size_t)src_stride);
    cv::Mat d(height, width, CV_8UC1, dst, (size_t)dst_stride);
    cv::adaptiveThreshold(s, d, 255,
                          gaussian ? cv::ADAPTIVE_THRESH_GAUSSIAN_C : cv::ADAPTIVE_THRESH_MEAN_C,
                          cv::THRESH_BINARY, block, offset);
}
