// OpenCV counterparts of the hitmiss section, over raw buffers.
#include "bench.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#if __has_include(<opencv2/ximgproc.hpp>)
#include <opencv2/ximgproc.hpp>
#define HAVE_XIMGPROC 1
#endif

extern "C" {
void bench_cv_hitmiss(const uint8_t *src, ptrdiff_t src_stride, uint8_t *dst, ptrdiff_t dst_stride,
                      int width, int height, const int8_t *kernels, int n_kernels);
int bench_cv_have_thinning(void);
void bench_cv_thinning(const uint8_t *src, ptrdiff_t src_stride, uint8_t *dst, ptrdiff_t dst_stride,
                       int width, int height);
}

// morphologyEx(MORPH_HITMISS) with each 3x3 kernel (1 hit, -1 miss, 0 don't
// care), OR-ed into dst when there are several, as an OpenCV user would.
void bench_cv_hitmiss(const uint8_t *src, ptrdiff_t src_stride, uint8_t *dst, ptrdiff_t dst_stride,
                      int width, int height, const int8_t *kernels, int n_kernels)
{
    const cv::Mat s(height, width, CV_8UC1, const_cast<uint8_t *>(src), (size_t)src_stride);
    cv::Mat d(height, width, CV_8UC1, dst, (size_t)dst_stride);
    static thread_local cv::Mat one;
    for (int k = 0; k < n_kernels; k++) {
        cv::Mat kernel(3, 3, CV_32S);
        for (int i = 0; i < 9; i++)
            kernel.at<int>(i / 3, i % 3) = kernels[k * 9 + i];
        if (k == 0) {
            cv::morphologyEx(s, d, cv::MORPH_HITMISS, kernel);
        } else {
            cv::morphologyEx(s, one, cv::MORPH_HITMISS, kernel);
            cv::bitwise_or(d, one, d);
        }
    }
}

int bench_cv_have_thinning(void)
{
#ifdef HAVE_XIMGPROC
    return 1;
#else
    return 0;
#endif
}

void bench_cv_thinning(const uint8_t *src, ptrdiff_t src_stride, uint8_t *dst, ptrdiff_t dst_stride,
                       int width, int height)
{
#ifdef HAVE_XIMGPROC
    const cv::Mat s(height, width, CV_8UC1, const_cast<uint8_t *>(src), (size_t)src_stride);
    cv::Mat d(height, width, CV_8UC1, dst, (size_t)dst_stride);
    cv::ximgproc::thinning(s, d, cv::ximgproc::THINNING_ZHANGSUEN);
#else
    (void)src, (void)src_stride, (void)dst, (void)dst_stride, (void)width, (void)height;
#endif
}
