// Pixel-exact agreement with OpenCV: structuring element shapes against
// cv::getStructuringElement for every size 1..255 x 1..255, and every
// morphology operation against cv::morphologyEx (BORDER_REPLICATE for
// `replicate`, OpenCV's default border for `neutral`) on random masks and a
// synthetic photo, for rect / cross / ellipse of sizes 3, 15, 31, 61 and
// custom even / odd elements, and on the real photos of cvtest.h. OpenCV is
// used only here, never in lib/.
#include "cvtest.h"

#include <opencv2/imgproc.hpp>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>

#define EXPECT(cond, ...) CVT_CHECK(cond, __VA_ARGS__)

static const int cv_shape[3] = { cv::MORPH_RECT, cv::MORPH_CROSS, cv::MORPH_ELLIPSE };

static void test_shapes_every_size()
{
    int bad = 0;
    for (int s = 0; s < 3; s++)
        for (int w = 1; w <= ISEG_SEL_MAX_SIDE; w++)
            for (int h = 1; h <= ISEG_SEL_MAX_SIDE; h++) {
                IsegSel *sel = nullptr;
                if (iseg_sel_create_shape(&sel, (IsegSelShape)s, w, h) != 0) {
                    bad++;
                    continue;
                }
                cv::Mat k = cv::getStructuringElement(cv_shape[s], cv::Size(w, h));
                bool same = k.isContinuous() && k.rows == h && k.cols == w;
                for (int i = 0; same && i < w * h; i++)
                    same = (k.data[i] != 0) == (sel->cells[i] == ISEG_SEL_HIT);
                if (!same && bad++ < 10)
                    std::fprintf(stderr, "shape %d %dx%d differs from OpenCV\n", s, w, h);
                iseg_sel_free(sel);
            }
    EXPECT(bad == 0, "%d shapes differ from cv::getStructuringElement", bad);
    std::printf("shapes: 3 x 255 x 255 sizes compared\n");
}

static cv::Mat sel_to_kernel(const IsegSel *sel)
{
    cv::Mat k(sel->height, sel->width, CV_8U);
    for (int i = 0; i < sel->width * sel->height; i++)
        k.data[i] = sel->cells[i] == ISEG_SEL_HIT ? 1 : 0;
    return k;
}

static const int cv_op[7] = { cv::MORPH_ERODE,   cv::MORPH_DILATE,   cv::MORPH_OPEN,
                              cv::MORPH_CLOSE,   cv::MORPH_GRADIENT, cv::MORPH_TOPHAT,
                              cv::MORPH_BLACKHAT };

static void compare(const cv::Mat &img, const IsegSel *sel, const std::string &what, IsegPool *pool,
                    int max_iterations = 2)
{
    const cv::Mat kernel = sel_to_kernel(sel);
    // OpenCV reads the pixels around a ROI (a crop of a bigger Mat) as if they
    // were inside the frame unless told BORDER_ISOLATED; give it a copy of
    // its own, while the library reads the strided view.
    const cv::Mat alone = img.isSubmatrix() ? img.clone() : img;
    for (int op = 0; op < 7; op++)
        for (int border = 0; border < 2; border++)
            for (int iterations = 1; iterations <= max_iterations; iterations++) {
                cv::Mat expected;
                if (border == ISEG_MORPH_BORDER_REPLICATE)
                    cv::morphologyEx(alone, expected, cv_op[op], kernel, cv::Point(-1, -1),
                                     iterations, cv::BORDER_REPLICATE);
                else
                    cv::morphologyEx(alone, expected, cv_op[op], kernel, cv::Point(-1, -1),
                                     iterations);
                IsegMorphSettings s;
                iseg_morph_default_settings(&s);
                s.op = (IsegMorphOp)op;
                s.border = (IsegMorphBorder)border;
                s.iterations = iterations;
                IsegMorph *m = nullptr;
                if (iseg_morph_create(&m, sel, &s) != 0) {
                    EXPECT(false, "create failed for %s", what.c_str());
                    continue;
                }
                cv::Mat got(img.rows, img.cols + 5, CV_8U, cv::Scalar(0)); // padded rows
                IsegImage src = { img.data, img.cols, img.rows, (ptrdiff_t)img.step };
                IsegImage dst = { got.data, img.cols, img.rows, (ptrdiff_t)got.step };
                EXPECT(iseg_morph_apply(m, &src, &dst, pool) == 0, "apply failed");
                const cv::Mat view = got.colRange(0, img.cols);
                const int diff = cv::countNonZero(view != expected);
                EXPECT(diff == 0, "%s op %s border %s iterations %d: %d pixels differ from OpenCV",
                       what.c_str(), iseg_morph_op_name(s.op), iseg_morph_border_name(s.border),
                       iterations, diff);
                iseg_morph_destroy(m);
            }
}

int main()
{
    cv::setNumThreads(1);
    test_shapes_every_size();

    cv::RNG rng(20240611);
    // a random mask of blobs and specks, and a synthetic photo (smooth shading,
    // edges, noise), both at an odd size
    const int W = 257, H = 191;
    cv::Mat mask(H, W, CV_8U, cv::Scalar(0));
    for (int i = 0; i < 40; i++)
        cv::circle(mask, cv::Point(rng.uniform(0, W), rng.uniform(0, H)), rng.uniform(2, 30),
                   cv::Scalar(255), -1);
    for (int i = 0; i < 800; i++)
        mask.at<uchar>(rng.uniform(0, H), rng.uniform(0, W)) ^= 255;
    cv::Mat photo(H, W, CV_8U);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            double v = 100 + 60 * std::sin(x * 0.05) * std::cos(y * 0.04) + (x > W / 2 ? 40 : 0) +
                       rng.gaussian(12);
            photo.at<uchar>(y, x) = cv::saturate_cast<uchar>(v);
        }

    IsegPool *pool = nullptr;
    iseg_pool_create(&pool, 2);
    const int sizes[4] = { 3, 15, 31, 61 };
    for (int s = 0; s < 3; s++)
        for (int size : sizes) {
            IsegSel *sel = nullptr;
            iseg_sel_create_shape(&sel, (IsegSelShape)s, size, size);
            const std::string name = std::string(s == 0   ? "rect "
                                                 : s == 1 ? "cross "
                                                          : "ellipse ") +
                                     std::to_string(size);
            compare(mask, sel, "mask " + name, nullptr);
            compare(photo, sel, "photo " + name, pool);
            iseg_sel_free(sel);
        }
    // even and non-square shapes
    const int dims[4][2] = { { 4, 4 }, { 10, 3 }, { 1, 8 }, { 16, 9 } };
    for (int s = 0; s < 3; s++)
        for (auto &d : dims) {
            IsegSel *sel = nullptr;
            iseg_sel_create_shape(&sel, (IsegSelShape)s, d[0], d[1]);
            compare(photo, sel,
                    "shape " + std::to_string(s) + " " + std::to_string(d[0]) + "x" +
                        std::to_string(d[1]),
                    pool);
            iseg_sel_free(sel);
        }
    // custom elements: asymmetric, with holes, not covering the origin, even sizes
    const char *customs[] = {
        "1 1 0; 0 0 0",
        "0 0 0 0 1",
        "1 0 1; 0 0 0; 1 0 1",
        "1 1 1 1; 1 0 0 1; 1 0 0 1; 1 1 1 1",
        "0 1 1 0 0 0; 1 1 1 1 1 0; 0 0 1 1 1 1; 0 0 0 0 1 1; 1 0 0 0 0 0",
        "1; 1; 0; 0; 0; 0; 1",
    };
    for (const char *c : customs) {
        IsegSel *sel = nullptr;
        char err[128];
        EXPECT(iseg_sel_parse(&sel, c, ISEG_SEL_SYNTAX_BINARY, err, sizeof(err)) == 0, "%s", err);
        compare(mask, sel, std::string("custom \"") + c + "\"", pool);
        compare(photo, sel, std::string("custom \"") + c + "\"", nullptr);
        iseg_sel_free(sel);
    }
    for (int i = 0; i < 12; i++) {
        // random elements with random density, 1..21 on a side
        IsegSel *sel = nullptr;
        const int w = rng.uniform(1, 22), h = rng.uniform(1, 22);
        iseg_sel_create(&sel, w, h, ISEG_SEL_MISS);
        const int density = rng.uniform(5, 100);
        for (int c = 0; c < w * h; c++)
            sel->cells[c] = rng.uniform(0, 100) < density ? ISEG_SEL_HIT : ISEG_SEL_MISS;
        sel->cells[rng.uniform(0, w * h)] = ISEG_SEL_HIT;
        compare(rng.uniform(0, 2) ? mask : photo, sel,
                "random " + std::to_string(w) + "x" + std::to_string(h), pool);
        iseg_sel_free(sel);
    }
    // the real photos (and their odd-sized crops): every operation and
    // border with the three shapes at 3, 15 and 31
    int photos = 0;
    for (CvtImage &im : cvt_real_images()) {
        const int sizes_real[3] = { 3, 15, 31 };
        for (int s = 0; s < 3; s++)
            for (int size : sizes_real) {
                IsegSel *sel = nullptr;
                iseg_sel_create_shape(&sel, (IsegSelShape)s, size, size);
                compare(im.gray, sel,
                        im.name + " shape " + std::to_string(s) + " size " + std::to_string(size),
                        photos % 2 ? pool : nullptr, 1);
                iseg_sel_free(sel);
            }
        photos++;
    }
    std::printf("real photos: %d\n", photos);
    iseg_pool_destroy(pool);
    return cvt_finish();
}
