// Runs an op's native work off the JS thread (a Promise) or inline (sync), keeping every JS value
// it reads or writes referenced until the work is done.
#pragma once
#include <napi.h>

#include <functional>
#include <vector>

#include "arg_name.h"

namespace verinfer::bindings {

// Where an op's work runs. A hop to a worker thread and back costs tens of microseconds, so work that
// is estimated to take less than that runs inline even when a Promise is asked for.
enum class Schedule { Sync, InlinePromise, Async };

// From options.sync and the estimated cost of the work in nanoseconds.
Schedule schedule_for(Napi::Object options, const ArgName& what, double cost_ns);

// Rough costs for schedule_for: streaming over n elements, and n multiply-adds of a GEMM-like kernel.
inline double streaming_cost_ns(int64_t n) { return static_cast<double>(n) * 0.25; }
inline double mac_cost_ns(double macs) { return macs / 32.0; }

Napi::Value run_op(Napi::Env env, Schedule schedule, Napi::Value result, const std::vector<Napi::Value>& keep,
                   std::function<void()> work);

// Registration of each op family's functions on the module's exports.
void register_gemm(Napi::Env env, Napi::Object exports);
void register_math(Napi::Env env, Napi::Object exports);
void register_conv(Napi::Env env, Napi::Object exports);
void register_layout(Napi::Env env, Napi::Object exports);
void register_hash(Napi::Env env, Napi::Object exports);
void register_runtime(Napi::Env env, Napi::Object exports);

}  // namespace verinfer::bindings
