// Module entry: info, thread control and the op families.
#include <napi.h>

#include "args.h"
#include "core/dispatch.h"
#include "core/thread_pool.h"
#include "run.h"

#ifndef VERINFER_VERSION
#define VERINFER_VERSION "0.1.0"
#endif

namespace verinfer::bindings {
namespace {

Napi::Value info(const Napi::CallbackInfo& cb) {
  Napi::Env env = cb.Env();
  Napi::Object o = Napi::Object::New(env);
  try {
    o.Set("isa", isa_name(active_isa()));
    o.Set("vnni", has_vnni());
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, e.what());
  }
  o.Set("version", VERINFER_VERSION);
  o.Set("threads", ThreadPool::instance().threads());
  o.Set("compiler", __VERSION__);
  return o;
}

Napi::Value set_threads(const Napi::CallbackInfo& cb) {
  Napi::Env env = cb.Env();
  const double n = cb[0].IsNumber() ? cb[0].As<Napi::Number>().DoubleValue() : -1.0;
  if (!(n >= 1 && n <= 1024) || n != static_cast<int>(n))
    throw_range(env, "threads must be an integer from 1 to 1024");
  ThreadPool::instance().set_threads(static_cast<int>(n));
  return env.Undefined();
}

Napi::Object init(Napi::Env env, Napi::Object exports) {
  exports.Set("info", Napi::Function::New(env, info, "info"));
  exports.Set("setThreads", Napi::Function::New(env, set_threads, "setThreads"));
  register_gemm(env, exports);
  register_math(env, exports);
  register_conv(env, exports);
  register_layout(env, exports);
  register_hash(env, exports);
  register_runtime(env, exports);
  return exports;
}

}  // namespace
}  // namespace verinfer::bindings

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return verinfer::bindings::init(env, exports); }

NODE_API_MODULE(verinfer_addon, InitAddon)
