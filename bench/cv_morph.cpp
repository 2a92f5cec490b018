// OpenCV counterpart of the morph section: cv::morphologyEx with the element
// from cv::getStructuringElement and BORDER_REPLICATE, over raw buffers.
#include "bench.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

extern "C" {
void bench_cv_morph(const uint8_t *src, ptrdiff_t src_stride, uint8_t *dst, ptrdiff_t dst_stride,
                    int width, int height, int op, int shape, int kw, int kh);
}

// op: 0 erode, 1 dilate, 2 open (IsegMorphOp order, which is OpenCV's for
// these three); shape: IsegSelShape (rect, cross, ellipse = OpenCV's order).
void bench_cv_morph(const uint8_t *src, ptrdiff_t src_stride, uint8_t *dst, ptrdiff_t dst_stride,
                    int width, int height, int op, int shape, int kw, int kh)
{
    static const int ops[3] = { cv::MORPH_ERODE, cv::MORPH_DILATE, cv::MORPH_OPEN };
    static const int shapes[3] = { cv::MORPH_RECT, cv::MORPH_CROSS, cv::MORPH_ELLIPSE };
    const cv::Mat s(height, width, CV_8UC1, const_cast<uint8_t *>(src), (size_t)src_stride);
    cv::Mat d(height, width, CV_8UC1, dst, (size_t)dst_stride);
    const cv::Mat k = cv::getStructuringElement(shapes[shape], cv::Size(kw, kh));
    cv::morphologyEx(s, d, ops[op], k, cv::Point(-1, -1), 1, cv::BORDER_REPLICATE);
}
