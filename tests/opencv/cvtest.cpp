#include "cvtest.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

int cvt_checks, cvt_failures;

#ifndef ISEG_SAMPLE_DIR
#define ISEG_SAMPLE_DIR "/usr/lib/python3/dist-packages/skimage/data"
#endif

std::vector<CvtImage> cvt_real_images(size_t min_count)
{
    static const char *names[] = { "camera.png",    "coins.png",  "page.png",    "moon.png",
                                   "astronaut.png", "coffee.png", "chelsea.png", "text.png",
                                   "brick.png",     "grass.png",  "horse.png",   "rocket.jpg" };
    std::vector<CvtImage> out;
    for (const char *n : names) {
        cv::Mat m = cv::imread(std::string(ISEG_SAMPLE_DIR) + "/" + n, cv::IMREAD_COLOR);
        if (m.empty())
            continue;
        CvtImage img;
        img.name = n;
        img.bgr = m;
        cv::cvtColor(m, img.gray, cv::COLOR_BGR2GRAY);
        out.push_back(img);
        // An odd crop: a Mat ROI keeps the parent's stride.
        CvtImage crop;
        crop.name = std::string(n) + " crop";
        cv::Rect r(3, 5, (m.cols - 3) * 3 / 4 | 1, (m.rows - 5) * 3 / 4 | 1);
        crop.bgr = m(r);
        crop.gray = img.gray(r);
        out.push_back(crop);
    }
    CVT_CHECK(out.size() >= 2 * min_count, "found %zu sample photos under %s", out.size() / 2,
              ISEG_SAMPLE_DIR);
    return out;
}

IsegImage cvt_view(cv::Mat &m)
{
    IsegImage v;
    v.data = m.data;
    v.width = m.cols;
    v.height = m.rows;
    v.stride = (ptrdiff_t)m.step[0];
    return v;
}

int cvt_finish()
{
    std::printf("%d checks: %d passed, %d failed\n", cvt_checks, cvt_checks - cvt_failures,
                cvt_failures);
    return cvt_failures ? 1 : 0;
}
