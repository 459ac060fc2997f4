#include "ops/window_nd.h"

#include <cmath>
#include <stdexcept>
#include <string>

#include "core/thread_pool.h"
#include "ops/max_rule.h"

namespace verinfer {
namespace {

// Visits every tap of the window at output position `out` (row-major over the kernel), giving its
// input offset or -1 when it falls in the padding, and whether it lies inside the explicit pads.
template <class Tap>
void for_each_tap(const Shape& spatial, const WindowNd& w, const std::vector<int64_t>& out, Tap tap) {
  const size_t r = spatial.size();
  std::vector<int64_t> k(r, 0);
  for (;;) {
    int64_t offset = 0;
    bool inside = true, within_pads = true;
    for (size_t d = 0; d < r; ++d) {
      const int64_t i = out[d] * w.strides[d] - w.pads[d] + k[d] * w.dilations[d];
      if (i >= spatial[d] + w.pads[r + d]) within_pads = false;
      if (i < 0 || i >= spatial[d]) inside = false;
      offset = offset * spatial[d] + i;
    }
    tap(inside ? offset : -1, within_pads);
    size_t d = r;
    while (d-- > 0) {
      if (++k[d] < w.kernel[d]) break;
      k[d] = 0;
    }
    if (d == static_cast<size_t>(-1)) return;
  }
}

std::vector<int64_t> unravel(int64_t index, const Shape& dims) {
  std::vector<int64_t> v(dims.size());
  for (size_t d = dims.size(); d-- > 0;) {
    v[d] = index % dims[d];
    index /= dims[d];
  }
  return v;
}

}  // namespace

Shape window_nd_output(const Shape& spatial, const WindowNd& w, const char* op) {
  const size_t r = spatial.size();
  const std::string name(op);
  if (w.kernel.size() != r || w.strides.size() != r || w.dilations.size() != r || w.pads.size() != 2 * r)
    throw std::invalid_argument(name + ": window attributes must have one entry per spatial dim");
  Shape out(r);
  for (size_t d = 0; d < r; ++d) {
    if (w.kernel[d] < 1 || w.strides[d] < 1 || w.dilations[d] < 1 || w.pads[d] < 0 || w.pads[r + d] < 0)
      throw std::invalid_argument(name + ": kernel, strides and dilations must be >= 1 and pads >= 0");
    if (w.kernel[d] > (1 << 20) || w.dilations[d] > (1 << 20) || w.pads[d] > (1 << 30) || w.pads[r + d] > (1 << 30))
      throw std::invalid_argument(name + ": kernel, dilation or pad is implausibly large");
    const int64_t span = (w.kernel[d] - 1) * w.dilations[d] + 1, padded = spatial[d] + w.pads[d] + w.pads[r + d];
    if (padded < span) throw std::invalid_argument(name + ": window does not fit the padded input " + shape_str(spatial));
    out[d] = (padded - span) / w.strides[d] + 1;
    if (w.ceil_mode) {
      out[d] = (padded - span + w.strides[d] - 1) / w.strides[d] + 1;
      if ((out[d] - 1) * w.strides[d] >= spatial[d] + w.pads[d]) --out[d];
    }
  }
  return out;
}

Shape conv_nd_shape(const Shape& x, const Shape& w, const WindowNd& win, int64_t groups) {
  if (x.size() < 3 || w.size() != x.size()) throw std::invalid_argument("convNd: x and w must be [N, C, d...] and [M, C/groups, k...]");
  if (groups < 1 || x[1] % groups != 0 || w[0] % groups != 0 || w[1] != x[1] / groups)
    throw std::invalid_argument("convNd: weights " + shape_str(w) + " do not fit " + std::to_string(x[1]) + " channels in " + std::to_string(groups) + " groups");
  for (size_t d = 2; d < w.size(); ++d)
    if (win.kernel.size() != w.size() - 2 || w[d] != win.kernel[d - 2]) throw std::invalid_argument("convNd: kernel shape disagrees with the weights");
  Shape out{x[0], w[0]};
  for (int64_t v : window_nd_output(Shape(x.begin() + 2, x.end()), win, "convNd")) out.push_back(v);
  numel(out, "convNd output");
  return out;
}

void conv_nd(const float* x, const Shape& xs, const float* w, const Shape& ws, const float* bias, const WindowNd& win,
             int64_t groups, float* y) {
  const Shape ys = conv_nd_shape(xs, ws, win, groups);
  const Shape spatial(xs.begin() + 2, xs.end()), out_dims(ys.begin() + 2, ys.end());
  const int64_t c = xs[1], m = ws[0], cg = c / groups, mg = m / groups;
  const int64_t in_plane = numel(spatial, "convNd"), out_plane = numel(out_dims, "convNd"), taps = numel(Shape(ws.begin() + 2, ws.end()), "convNd");
  parallel_for(static_cast<size_t>(ys[0] * m), 1, [&](size_t begin, size_t end) {
    for (size_t plane = begin; plane < end; ++plane) {
      const int64_t b = static_cast<int64_t>(plane) / m, co = static_cast<int64_t>(plane) % m, g = co / mg;
      for (int64_t o = 0; o < out_plane; ++o) {
        const std::vector<int64_t> pos = unravel(o, out_dims);
        float acc = bias ? bias[co] : 0.0f;
        for (int64_t ci = 0; ci < cg; ++ci) {
          const float* src = x + (b * c + g * cg + ci) * in_plane;
          const float* wk = w + (co * cg + ci) * taps;
          int64_t t = 0;
          for_each_tap(spatial, win, pos, [&](int64_t offset, bool) {
            if (offset >= 0) acc += src[offset] * wk[t];
            ++t;
          });
        }
        y[static_cast<int64_t>(plane) * out_plane + o] = acc;
      }
    }
  });
}

Shape pool_nd_shape(const Shape& x, const WindowNd& win) {
  if (x.size() < 3) throw std::invalid_argument("poolNd: input must be [N, C, d...]");
  Shape out{x[0], x[1]};
  for (int64_t v : window_nd_output(Shape(x.begin() + 2, x.end()), win, "poolNd")) out.push_back(v);
  numel(out, "poolNd output");
  return out;
}

void pool_nd(PoolKind kind, const float* x, const Shape& xs, const WindowNd& win, bool count_include_pad, float* y) {
  const Shape ys = pool_nd_shape(xs, win);
  const Shape spatial(xs.begin() + 2, xs.end()), out_dims(ys.begin() + 2, ys.end());
  const int64_t in_plane = numel(spatial, "poolNd"), out_plane = numel(out_dims, "poolNd");
  parallel_for(static_cast<size_t>(xs[0] * xs[1]), 1, [&](size_t begin, size_t end) {
    for (size_t plane = begin; plane < end; ++plane) {
      const float* src = x + static_cast<int64_t>(plane) * in_plane;
      for (int64_t o = 0; o < out_plane; ++o) {
        float acc = kind == PoolKind::Max ? -INFINITY : -0.0f;
        int64_t valid = 0, padded = 0;
        for_each_tap(spatial, win, unravel(o, out_dims), [&](int64_t offset, bool within_pads) {
          padded += within_pads ? 1 : 0;
          if (offset < 0) return;
          acc = kind == PoolKind::Max ? max_rule(acc, src[offset]) : acc + src[offset];
          ++valid;
        });
        if (kind == PoolKind::Average) acc = acc / static_cast<float>(count_include_pad ? padded : valid);
        y[static_cast<int64_t>(plane) * out_plane + o] = acc;
      }
    }
  });
}

}  // namespace verinfer
