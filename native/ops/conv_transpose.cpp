#include "ops/conv_transpose.h"

#include <stdexcept>

#include "core/thread_pool.h"

namespace verinfer {

Shape conv_transpose2d_shape(const Shape& x, const Shape& w, const ConvTransposeParams& p) {
  if (x.size() != 4 || w.size() != 4) throw std::invalid_argument("convTranspose: x and w must be 4-D");
  const Window2d& k = p.window;
  if (p.groups < 1 || x[1] % p.groups != 0) throw std::invalid_argument("convTranspose: groups must divide the input channels");
  if (w[0] != x[1]) throw std::invalid_argument("convTranspose: weights " + shape_str(w) + " do not take " + std::to_string(x[1]) + " input channels");
  if (w[2] != k.kh || w[3] != k.kw) throw std::invalid_argument("convTranspose: kernel shape disagrees with the weights");
  if (k.stride_h < 1 || k.stride_w < 1 || k.dilation_h < 1 || k.dilation_w < 1)
    throw std::invalid_argument("convTranspose: strides and dilations must be >= 1");
  if (p.out_h < 0 || p.out_w < 0) throw std::invalid_argument("convTranspose: negative output size");
  return {x[0], w[1] * p.groups, p.out_h, p.out_w};
}

void conv_transpose2d(const float* x, const Shape& xs, const float* w, const Shape& ws, const float* bias,
                      const ConvTransposeParams& p, float* y) {
  const Shape ys = conv_transpose2d_shape(xs, ws, p);
  const Window2d& k = p.window;
  const int64_t n = xs[0], c = xs[1], h = xs[2], wd = xs[3];
  const int64_t mg = ws[1], m = ys[1], cg = c / p.groups;
  const int64_t oh = p.out_h, ow = p.out_w;
  parallel_for(static_cast<size_t>(n * m * oh), 1, [&](size_t begin, size_t end) {
    for (size_t row = begin; row < end; ++row) {
      const int64_t r = static_cast<int64_t>(row);
      const int64_t b = r / (m * oh), co = (r / oh) % m, oy = r % oh;
      const int64_t g = co / mg, cw = co % mg;
      float* out = y + r * ow;
      for (int64_t ox = 0; ox < ow; ++ox) {
        float acc = bias ? bias[co] : 0.0f;
        for (int64_t ci = g * cg; ci < (g + 1) * cg; ++ci) {
          const float* xc = x + (b * c + ci) * h * wd;
          const float* wc = w + (ci * mg + cw) * k.kh * k.kw;
          for (int64_t ky = 0; ky < k.kh; ++ky) {
            const int64_t ty = oy + k.pad_top - ky * k.dilation_h;
            if (ty < 0 || ty % k.stride_h != 0 || ty / k.stride_h >= h) continue;
            const int64_t iy = ty / k.stride_h;
            for (int64_t kx = 0; kx < k.kw; ++kx) {
              const int64_t tx = ox + k.pad_left - kx * k.dilation_w;
              if (tx < 0 || tx % k.stride_w != 0 || tx / k.stride_w >= wd) continue;
              acc += xc[iy * wd + tx / k.stride_w] * wc[ky * k.kw + kx];
            }
          }
        }
        out[ox] = acc;
      }
    }
  });
}

}  // namespace verinfer
