// Runs an op's native work off the JS thread (a Promise) or inline (sync), keeping every JS value
// it reads or writes referenced until the work is done.
#pragma once
#include <napi.h>

#include <functional>
#include <vector>

namespace verinfer::bindings {

Napi::Value run_op(Napi::Env env, bool sync, Napi::Value result, const std::vector<Napi::Value>& keep,
                   std::function<void()> work);

// Registration of each op family's functions on the module's exports.
void register_gemm(Napi::Env env, Napi::Object exports);
void register_math(Napi::Env env, Napi::Object exports);
void register_conv(Napi::Env env, Napi::Object exports);
void register_layout(Napi::Env env, Napi::Object exports);
void register_hash(Napi::Env env, Napi::Object exports);

}  // namespace verinfer::bindings
