// Local Otsu draws no shape that is not there, on real documents and photos
// (issue: the phantoms, docs/adaptivethreshold.md "Phantoms"): sudoku.png (a
// photographed puzzle, OpenCV's samples), page.png (a page with a shadow) and
// text.png (text on a gradient; scikit-image's samples), and the photos of
// cvt_real_images(), at block sizes 15, 31 and 51 with the default
// min-contrast.
//
// There is no ground truth for a photo, so other methods stand witness for
// "a dark object is here": Sauvola (k 0.2) and mean-C (offset 10) at the
// same block size, and mean-C at four times the block (a window that sees
// past a large dark area, whose inside the small windows call light: the
// inside of a letter cut out of a dark banner). A dark component of the
// local-Otsu mask (8-connected) of at least 16 pixels that overlaps no
// witness's dark pixels, dilated by 2 pixels, is a phantom: dark where no
// other local method sees anything dark. None may appear on the documents; on photos the figures
// are printed (a textured photo has dark regions a witness may miss; they are not phantoms of the
// uniform rule the test is about, but would still show). OpenCV loads the pictures and labels the
// components.
#include "cvtest.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#ifndef ISEG_OPENCV_SAMPLES
#define ISEG_OPENCV_SAMPLES "/usr/share/doc/opencv-doc/examples/data"
#endif
#ifndef ISEG_SAMPLE_DIR
#define ISEG_SAMPLE_DIR "/usr/lib/python3/dist-packages/skimage/data"
#endif

static cv::Mat dark_mask(const cv::Mat &gray, IsegAdaptiveMethod m, int block, double offset)
{
    IsegAdaptiveSettings s;
    iseg_adaptive_default_settings(&s);
    s.method = m;
    s.block_size = block;
    s.offset = offset;
    cv::Mat g = gray.clone(), out(gray.rows, gray.cols, CV_8UC1);
    IsegImage src = cvt_view(g), dst = cvt_view(out);
    IsegAdaptive *ctx = nullptr;
    CVT_CHECK(iseg_adaptive_create(&ctx, &s, g.cols, g.rows) == 0, "create");
    CVT_CHECK(iseg_adaptive_mask(ctx, &src, &dst, nullptr) == 0, "mask");
    iseg_adaptive_destroy(ctx);
    return out == 0; // 255 where dark
}

struct Phantoms {
    int count = 0, largest = 0, lx = 0, ly = 0; // largest phantom and its top-left corner
    double dark_fraction = 0;
};

static Phantoms phantoms(const cv::Mat &gray, int block)
{
    cv::Mat lo = dark_mask(gray, ISEG_ADAPTIVE_LOCAL_OTSU, block, 0);
    cv::Mat witness = dark_mask(gray, ISEG_ADAPTIVE_SAUVOLA, block, 0) |
                      dark_mask(gray, ISEG_ADAPTIVE_MEAN, block, 10) |
                      dark_mask(gray, ISEG_ADAPTIVE_MEAN, 4 * block + 1, 10);
    cv::dilate(witness, witness, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(5, 5)));
    cv::Mat labels, stats, centroids;
    const int n = cv::connectedComponentsWithStats(lo, labels, stats, centroids, 8, CV_32S);
    std::vector<char> seen(n, 0);
    for (int y = 0; y < labels.rows; y++)
        for (int x = 0; x < labels.cols; x++)
            if (witness.at<uchar>(y, x))
                seen[labels.at<int>(y, x)] = 1;
    Phantoms p;
    for (int l = 1; l < n; l++) {
        const int area = stats.at<int>(l, cv::CC_STAT_AREA);
        if (!seen[l] && area >= 16) {
            p.count++;
            if (area > p.largest) {
                p.largest = area;
                p.lx = stats.at<int>(l, cv::CC_STAT_LEFT);
                p.ly = stats.at<int>(l, cv::CC_STAT_TOP);
            }
        }
    }
    p.dark_fraction = (double)cv::countNonZero(lo) / (double)(gray.rows * gray.cols);
    return p;
}

int main()
{
    struct Doc {
        std::string path;
        bool document;
    };
    std::vector<Doc> docs = { { std::string(ISEG_OPENCV_SAMPLES) + "/sudoku.png", true },
                              { std::string(ISEG_SAMPLE_DIR) + "/page.png", true },
                              { std::string(ISEG_SAMPLE_DIR) + "/text.png", true } };
    int found = 0;
    for (const Doc &d : docs) {
        cv::Mat g = cv::imread(d.path, cv::IMREAD_GRAYSCALE);
        if (g.empty()) {
            std::fprintf(stderr, "missing sample %s\n", d.path.c_str());
            continue;
        }
        found++;
        for (int b : { 15, 31, 51 }) {
            Phantoms p = phantoms(g, b);
            std::printf("%-60s block %2d: %d phantom components (largest %d px at %d,%d), dark "
                        "%.1f%%\n",
                        d.path.c_str(), b, p.count, p.largest, p.lx, p.ly, 100 * p.dark_fraction);
            CVT_CHECK(p.count == 0, "%s block %d: %d phantoms, largest %d px", d.path.c_str(), b,
                      p.count, p.largest);
        }
    }
    CVT_CHECK(found == (int)docs.size(), "found %d of %zu documents", found, docs.size());
    std::vector<CvtImage> photos = cvt_real_images();
    for (size_t i = 0; i < photos.size(); i += 2)
        for (int b : { 15, 31, 51 }) {
            Phantoms p = phantoms(photos[i].gray, b);
            std::printf("%-60s block %2d: %d unwitnessed dark components (largest %d px at %d,%d), "
                        "dark %.1f%%\n",
                        photos[i].name.c_str(), b, p.count, p.largest, p.lx, p.ly,
                        100 * p.dark_fraction);
        }
    return cvt_finish();
}
