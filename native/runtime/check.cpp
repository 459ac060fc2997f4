// Plan verification: a plan comes from JS, so before any step runs its inputs and output must have the
// dtypes and shapes its kernel will read and write. A plan that lies about a shape is refused here
// instead of letting a kernel write past a buffer.
#include <stdexcept>
#include <string>

#include "ops/integer.h"
#include "ops/normalize.h"
#include "ops/select.h"
#include "runtime/check.h"

namespace verinfer {
namespace {

std::string shape_text(const Shape& s) {
  std::string t = "[";
  for (size_t i = 0; i < s.size(); ++i) t += (i ? ", " : "") + std::to_string(s[i]);
  return t + "]";
}

class StepCheck {
 public:
  StepCheck(const Plan& plan, const PlanStep& step, size_t index) : plan_(plan), step_(step), index_(index) {}

  const PlanValue& in(size_t i) const { return plan_.values[static_cast<size_t>(step_.inputs[i])]; }
  bool has(size_t i) const { return step_.inputs.size() > i && step_.inputs[i] >= 0; }
  const PlanValue& out() const { return plan_.values[static_cast<size_t>(step_.outputs[0])]; }

  [[noreturn]] void fail(const std::string& what) const {
    throw std::invalid_argument("plan step " + std::to_string(index_) + ": " + what);
  }
  // A fused skip connection (input 3, where given) has the output's shape.
  void residual_shape() const {
    if (has(3) && in(3).shape != out().shape) fail("residual shape " + shape_text(in(3).shape) + " should be the output's");
  }
  void dtype(const PlanValue& v, DType want, const char* role) const {
    if (v.dtype != want) fail(std::string(role) + " must be " + dtype_name(want) + ", is " + dtype_name(v.dtype));
  }
  void floats(size_t inputs) const {
    for (size_t i = 0; i < inputs; ++i)
      if (has(i)) dtype(in(i), DType::F32, "input");
    dtype(out(), DType::F32, "output");
  }
  void output_shape(const Shape& want) const {
    if (out().shape != want) fail("output shape " + shape_text(out().shape) + " should be " + shape_text(want));
  }
  bool shares_storage(const PlanValue& a, const PlanValue& b) const {
    if (a.kind != b.kind) return false;
    if (a.kind != ValueKind::Arena) return a.slot == b.slot;
    const int64_t a_end = a.slot + numel(a.shape, "plan") * static_cast<int64_t>(dtype_size(a.dtype));
    const int64_t b_end = b.slot + numel(b.shape, "plan") * static_cast<int64_t>(dtype_size(b.dtype));
    return a.slot < b_end && b.slot < a_end;
  }
  void elements(const PlanValue& v, int64_t want, const char* role) const {
    if (numel(v.shape, "plan") != want) fail(std::string(role) + " must have " + std::to_string(want) + " elements");
  }

 private:
  const Plan& plan_;
  const PlanStep& step_;
  size_t index_;
};

void check_gemm(const StepCheck& c, const PlanStep& s) {
  c.floats(4);
  const Shape& a = c.in(0).shape;
  const Shape& b = c.in(1).shape;
  const bool onnx_gemm = s.op == StepOp::Gemm;
  const bool ta = onnx_gemm && s.params.flag, tb = onnx_gemm && s.params.flag2;
  // MatMul's optional third input is a bias row of N, added in the epilogue.
  if (!onnx_gemm && c.has(2)) c.elements(c.in(2), b.back(), "bias");
  // MatMul's optional fourth input is a residual of the output's shape, added after the bias; in a
  // buffer of its own, as a K over one GEMM depth block keeps partials in the output.
  if (c.has(3) && (onnx_gemm || b.size() > 2)) c.fail("only a MatMul with a 2-D B takes a residual");
  if (!onnx_gemm && b.size() > 2) {
    // Batched MatMul: [..., M, K] x [..., K, N] with the batch dims broadcast.
    if (a.size() < 2 || a.back() != b[b.size() - 2]) c.fail("MatMul operands " + shape_text(a) + " x " + shape_text(b) + " do not match");
    Shape y = broadcast_shapes(Shape(a.begin(), a.end() - 2), Shape(b.begin(), b.end() - 2));
    y.push_back(a[a.size() - 2]);
    y.push_back(b.back());
    return c.output_shape(y);
  }
  if (a.size() < 2 || b.size() != 2 || (onnx_gemm && a.size() != 2)) c.fail("GEMM operands have the wrong rank");
  const int64_t k = ta ? a[0] : a.back(), kb = tb ? b[1] : b[0], n = tb ? b[0] : b[1];
  if (k != kb) c.fail("GEMM inner dimensions differ");
  Shape y(a.begin(), a.end() - 1);
  if (ta) y = {a[1]};
  y.push_back(n);
  c.output_shape(y);
  c.residual_shape();
  if (c.has(3) && c.shares_storage(c.in(3), c.out())) c.fail("residual must not overlap the output");
  if (onnx_gemm && c.has(2)) {
    const Shape& cs = c.in(2).shape;
    const bool ok = cs.size() <= 2 && (cs.empty() || cs.back() == 1 || cs.back() == n) &&
                    (cs.size() < 2 || cs[0] == 1 || cs[0] == y[0]);
    if (!ok) c.fail("C " + shape_text(cs) + " does not broadcast to the output");
  }
}

void check_step(const Plan& plan, const PlanStep& s, size_t index) {
  const StepCheck c(plan, s, index);
  const auto& p = s.params;
  switch (s.op) {
    case StepOp::MatMul:
    case StepOp::Gemm: return check_gemm(c, s);
    case StepOp::Binary:
      c.floats(2);
      return c.output_shape(broadcast_shapes(c.in(0).shape, c.in(1).shape));
    case StepOp::Compare: {
      const DType t = c.in(0).dtype;
      if (t != DType::F32 && !int_op_supports(IntOp::Add, t) && t != DType::Bool) c.fail(std::string("cannot compare ") + dtype_name(t));
      c.dtype(c.in(1), t, "input"), c.dtype(c.out(), DType::Bool, "output");
      return c.output_shape(broadcast_shapes(c.in(0).shape, c.in(1).shape));
    }
    case StepOp::IntBinary:
      if (!int_op_supports(static_cast<IntOp>(p.code), c.out().dtype))
        c.fail(std::string("integer op ") + std::to_string(p.code) + " is not defined on " + dtype_name(c.out().dtype));
      c.dtype(c.in(0), c.out().dtype, "input"), c.dtype(c.in(1), c.out().dtype, "input");
      return c.output_shape(broadcast_shapes(c.in(0).shape, c.in(1).shape));
    case StepOp::Where:
      c.dtype(c.in(0), DType::Bool, "condition");
      c.dtype(c.in(1), c.out().dtype, "input"), c.dtype(c.in(2), c.out().dtype, "input");
      return c.output_shape(where_shape(c.in(0).shape, c.in(1).shape, c.in(2).shape));
    case StepOp::GatherElements:
      c.dtype(c.in(1), DType::I64, "indices");
      c.dtype(c.out(), c.in(0).dtype, "output");
      check_gather_elements(c.in(0).shape, c.in(1).shape, p.axis);
      return c.output_shape(c.in(1).shape);
    case StepOp::CumSum:
      c.dtype(c.out(), c.in(0).dtype, "output");
      normalize_axis(p.axis, static_cast<int64_t>(c.in(0).shape.size()), "cumsum");
      return c.output_shape(c.in(0).shape);
    case StepOp::ConvNd:
      c.floats(3);
      c.output_shape(conv_nd_shape(c.in(0).shape, c.in(1).shape, p.window_nd, p.groups));
      if (c.has(2)) c.elements(c.in(2), c.in(1).shape[0], "bias");
      return;
    case StepOp::PoolNd: c.floats(1); return c.output_shape(pool_nd_shape(c.in(0).shape, p.window_nd));
    case StepOp::ScatterElements:
    case StepOp::ScatterND: {
      c.dtype(c.in(1), DType::I64, "indices");
      c.dtype(c.in(2), c.in(0).dtype, "updates"), c.dtype(c.out(), c.in(0).dtype, "output");
      if (p.code != 0 && c.out().dtype != DType::F32) c.fail("scatter reductions are for float32");
      if (s.op == StepOp::ScatterND) check_scatter_nd(c.in(0).shape, c.in(1).shape, c.in(2).shape);
      else {
        check_gather_elements(c.in(0).shape, c.in(1).shape, p.axis);
        if (c.in(2).shape != c.in(1).shape) c.fail("updates must have the indices' shape");
      }
      return c.output_shape(c.in(0).shape);
    }
    case StepOp::GatherND:
      c.dtype(c.in(1), DType::I64, "indices"), c.dtype(c.out(), c.in(0).dtype, "output");
      return c.output_shape(gather_nd_shape(c.in(0).shape, c.in(1).shape, p.axis));
    case StepOp::TopK: {
      c.dtype(c.in(0), DType::F32, "input"), c.dtype(c.out(), DType::I64, "output");
      Shape y = c.in(0).shape;
      const auto axis = static_cast<size_t>(normalize_axis(p.axis, static_cast<int64_t>(y.size()), "topK"));
      if (p.ints.size() != 1 || p.ints[0] < 0 || p.ints[0] > y[axis]) c.fail("topK: k must be within the axis");
      y[axis] = p.ints[0];
      return c.output_shape(y);
    }
    case StepOp::ArgReduce: {
      c.dtype(c.in(0), DType::F32, "input"), c.dtype(c.out(), DType::I64, "output");
      const Shape& x = c.in(0).shape;
      const int64_t axis = normalize_axis(p.axis, static_cast<int64_t>(x.size()), "argReduce");
      if (x[static_cast<size_t>(axis)] == 0) c.fail("argMax/argMin over an empty axis");
      if (c.out().shape != reduce_shape(x, {axis}, true)) c.output_shape(reduce_shape(x, {axis}, false));
      return;
    }
    case StepOp::Unary: c.floats(1); return c.output_shape(c.in(0).shape);
    case StepOp::Softmax:
      c.floats(1);
      c.output_shape(c.in(0).shape);
      if (!p.ints.empty()) c.elements(c.in(0), numel(Shape(p.ints.begin(), p.ints.end()), "softmax"), "input");
      return;
    case StepOp::Conv: {
      c.floats(4);
      c.output_shape(conv2d_shape(c.in(0).shape, c.in(1).shape, conv_params(p)));
      if (c.has(2)) c.elements(c.in(2), c.in(1).shape[0], "bias");
      c.residual_shape();
      // The residual may be the output's own buffer (conv2d reads it safely then), never part of it.
      if (c.has(3) && c.shares_storage(c.in(3), c.out()) && c.in(3).slot != c.out().slot)
        c.fail("residual must be the output's buffer or not overlap it");
      if (c.shares_storage(c.in(0), c.out())) c.fail("input must not overlap the output");
      return;
    }
    case StepOp::ConvTranspose:
      c.floats(3);
      if (p.ints.size() != 2) c.fail("convTranspose needs its output size");
      c.output_shape(conv_transpose2d_shape(c.in(0).shape, c.in(1).shape, conv_transpose_params(p)));
      if (c.has(2)) c.elements(c.in(2), c.out().shape[1], "bias");
      return;
    case StepOp::Pool: c.floats(1); return c.output_shape(pool2d_shape(c.in(0).shape, p.window));
    case StepOp::GlobalPool: {
      c.floats(1);
      Shape y = c.in(0).shape;
      if (y.size() < 2) c.fail("global pooling needs [N, C, ...]");
      for (size_t d = 2; d < y.size(); ++d) y[d] = 1;
      return c.output_shape(y);
    }
    case StepOp::BatchNorm:
      c.floats(5);
      if (c.in(0).shape.size() < 2) c.fail("batch norm needs [N, C, ...]");
      for (size_t i = 1; i < 5; ++i) c.elements(c.in(i), c.in(0).shape[1], "per-channel parameter");
      return c.output_shape(c.in(0).shape);
    case StepOp::LayerNorm: {
      c.floats(3);
      const Shape& x = c.in(0).shape;
      const int64_t axis = normalize_axis(p.axis, static_cast<int64_t>(x.size()), "layerNorm");
      const int64_t inner = numel(Shape(x.begin() + axis, x.end()), "layerNorm");
      for (size_t i = 1; i < 3; ++i)
        if (c.has(i)) c.elements(c.in(i), inner, "scale/bias");
      return c.output_shape(x);
    }
    case StepOp::Transpose:
      c.dtype(c.out(), c.in(0).dtype, "output");
      return c.output_shape(transpose_shape(c.in(0).shape, p.ints));
    case StepOp::Concat: {
      std::vector<Shape> shapes;
      for (size_t i = 0; i < s.inputs.size(); ++i) {
        if (!c.has(i)) c.fail("concat inputs cannot be omitted");
        c.dtype(c.in(i), c.out().dtype, "input");
        shapes.push_back(c.in(i).shape);
      }
      return c.output_shape(concat_shape(shapes, p.axis));
    }
    case StepOp::Copy:
      c.dtype(c.out(), c.in(0).dtype, "output");
      return c.elements(c.out(), numel(c.in(0).shape, "copy"), "output");
    case StepOp::Reduce:
      c.floats(1);
      if (c.out().shape != reduce_shape(c.in(0).shape, p.ints, true)) c.output_shape(reduce_shape(c.in(0).shape, p.ints, false));
      return;
    case StepOp::Gather:
      c.dtype(c.in(1), DType::I64, "indices");
      c.dtype(c.out(), c.in(0).dtype, "output");
      return c.output_shape(gather_shape(c.in(0).shape, c.in(1).shape, p.axis));
    case StepOp::Cast:
      c.dtype(c.out(), p.to, "output");
      return c.elements(c.out(), numel(c.in(0).shape, "cast"), "output");
    case StepOp::Slice:
      c.dtype(c.out(), c.in(0).dtype, "output");
      return c.output_shape(s.slice.out_shape);
  }
}

}  // namespace

void check_plan_shapes(const Plan& plan) {
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    try {
      check_step(plan, plan.steps[i], i);
    } catch (const std::invalid_argument& e) {
      const std::string message = e.what();
      if (message.rfind("plan step", 0) == 0) throw;
      throw std::invalid_argument("plan step " + std::to_string(i) + ": " + message);
    }
  }
}

}  // namespace verinfer
