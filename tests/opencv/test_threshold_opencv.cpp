// Otsu agrees with OpenCV's THRESH_OTSU on real photos: our T is t_cv + 1
// (we say foreground iff v >= T, OpenCV iff v > t_cv) and the masks are
// equal pixel for pixel.
#include "cvtest.h"

#include <opencv2/imgproc.hpp>

int main()
{
    int compared = 0;
    for (CvtImage &img : cvt_real_images()) {
        cv::Mat cv_mask;
        const double t_cv =
            cv::threshold(img.gray, cv_mask, 0, 255, cv::THRESH_BINARY | cv::THRESH_OTSU);
        IsegImage src = cvt_view(img.gray);
        uint64_t hist[256];
        unsigned T = 0;
        iseg_histogram(&src, hist, nullptr);
        iseg_otsu_threshold(hist, &T, nullptr);
        CVT_CHECK((double)T == t_cv + 1, "%s: T %u, OpenCV %g", img.name.c_str(), T, t_cv);

        cv::Mat mine(img.gray.rows, img.gray.cols, CV_8UC1);
        IsegImage dst = cvt_view(mine);
        iseg_threshold_image(&src, &dst, T, 0, ISEG_OUTPUT_MASK, nullptr);
        CVT_CHECK(cv::countNonZero(mine != cv_mask) == 0, "%s: masks differ in %d pixels",
                  img.name.c_str(), cv::countNonZero(mine != cv_mask));

        // inverted: OpenCV's THRESH_BINARY_INV with the same t_cv
        cv::Mat cv_inv;
        cv::threshold(img.gray, cv_inv, t_cv, 255, cv::THRESH_BINARY_INV);
        iseg_threshold_image(&src, &dst, T, 1, ISEG_OUTPUT_MASK, nullptr);
        CVT_CHECK(cv::countNonZero(mine != cv_inv) == 0, "%s: inverted masks differ",
                  img.name.c_str());
        compared++;
    }
    std::printf("compared %d images\n", compared);
    return cvt_finish();
}
